"""Contract, address, customer and subscribed-service bodies of the simulator's `enedis` part.

Data Connect 2026's "ITC" APIs (`dc2026_situation_contrat_*`, `dc2026_synth_contrat_*`,
`dc2026_donnees_generales_auto_med.json`; `comptage_auto` serves `relais.plageHeuresCreuses`),
the subscribed services (`dc2026_subscribed_services_response_mock_esthesis.json`), and
MyElectricalData's v5 customers shapes (`med_v1_contracts.json`, `med_v1_addresses.json`; identity
and contact from the v5 OpenAPI, reference §2.6).
"""

from datetime import timedelta
from typing import Any, Final

from . import enedis_bodies as bodies
from .enedis_meters import EnedisPrm

TARIFF_LABELS: Final = {
    "BTINFCUST": "Tarif BT<=36kVA Courte Utilisation sans différenciation temporelle",
    "BTINFMUDT": "Tarif BT<=36kVA Moyenne Utilisation heures pleines heures creuses",
    "BTINFMU4": "Tarif BT<=36kVA Moyenne Utilisation heures pleines heures creuses associées "
    "à deux saisons",
}
"""v5 `distribution_tariff` codes and their 2026 labels (the MU4 one is captured, [decided] others)."""


def _address_lines(prm: EnedisPrm, *, country: bool = True) -> dict[str, str]:
    # The captured injection contract (GRD-A) has no line7 (country).
    lines = {
        "line1": f"{prm.title} {prm.firstname} {prm.lastname}".upper(),
        "line4": prm.street,
        "line6": f"{prm.postal_code} {prm.city}",
    }
    return lines | {"line7": "FRANCE"} if country else lines


def _contact(prm: EnedisPrm, *, phone: bool = True) -> dict[str, str]:
    # Only the channels the customer gave are present (the captures differ in which).
    channels = {"email": prm.email, "landline": prm.landline}
    if phone:
        channels["phone"] = prm.phone
    return {name: value for name, value in channels.items() if value is not None}


def _person(prm: EnedisPrm) -> dict[str, str]:
    return {"title": prm.title, "lastname": prm.lastname, "firstname": prm.firstname}


def itc_body(api: str, prm: EnedisPrm) -> Any:
    """The body of a 2026 contract ("ITC") API for `prm`."""
    if api == "situation_contrat_auto/v1":
        contracts: list[dict[str, Any]] = []
        if prm.consumption:
            contracts.append(
                {
                    "usage_point_id": prm.prm,
                    "contract_start": bodies.offset_time(prm.commissioned),
                    "contract_type": "Contrat GRD-F",
                    "contractor": "EDF",
                    "distribution_tariff": TARIFF_LABELS[prm.distribution_tariff],
                    "subscribed_power": {
                        "unit": "kVA",
                        "value": str(prm.subscribed_kva),
                    },
                    "segment": "C5",
                    "customer": {"customer": {"adress": _address_lines(prm)}},
                    "contact_data": _contact(prm),
                    "person": _person(prm),
                }
            )
        if prm.production:
            contracts.append(
                {
                    "usage_point_id": prm.prm,
                    "contract_start": bodies.offset_time(prm.commissioned),
                    "contract_type": "Contrat GRD-A",
                    "segment": "P4",
                    "customer": {
                        "customer": {"adress": _address_lines(prm, country=False)}
                    },
                    "contact_data": _contact(prm, phone=False),
                    "person": _person(prm),
                }
            )
        return contracts
    if api == "synth_contrat_auto/v1":
        synth: dict[str, Any] = {
            "segments": [{"segment": "C5"}] * prm.consumption
            + [{"segment": "P4"}] * prm.production
        }
        if prm.production:
            synth["generation_last_activation_date"] = bodies.offset_time(
                prm.commissioned
            )
        if prm.consumption:
            synth["consumption_last_activation_date"] = bodies.offset_time(
                prm.commissioned
            )
        if prm.power_changed is not None:
            synth["last_subscribed_power_change_date"] = bodies.offset_time(
                prm.power_changed
            )
        synth["services_level"] = "Communicant (ouvert aux services)"
        return synth
    if api == "comptage_auto/v1":
        relais = (
            {}
            if prm.offpeak_hours is None
            else {"plageHeuresCreuses": prm.offpeak_hours}
        )
        return {"relais": relais}
    return {
        "address": {
            "number_street_name": prm.street,
            "postal_code_city": f"{prm.postal_code} {prm.city}",
            "insee_code": prm.insee_code,
        }
    }


def services_of(prm: EnedisPrm, number: int) -> list[dict[str, Any]]:
    """`serviceSouscrit` items of one PRM under consent `number` (the mock fixture's keys)."""
    state = ("TERMINE", "Terminé") if prm.revoked else ("ACTIF", "Actif")
    kinds: list[tuple[bool, str, str]] = []
    for injection, present in ((False, prm.consumption), (True, prm.production)):
        if not present:
            continue
        if prm.curve:
            kinds.append((injection, "CDC", "PT30M"))
        if not injection:
            kinds.append((injection, "PMAX", "P1D"))
        kinds += [(injection, "IDX", "P1D"), (injection, "ENERGIE", "P1D")]
    kinds.append((False, "ITC", "NA"))
    return [
        {
            "injection": injection,
            "soutirage": not injection,
            "serviceCode": "ACCES",
            "dateDebut": prm.commissioned.isoformat(),
            "dateFin": (prm.commissioned + timedelta(days=3 * 365)).isoformat(),
            "etatCode": state[0],
            "etatLibelle": state[1],
            "pointId": prm.prm,
            "mesuresTypeCode": code,
            "mesuresPas": step,
            "mesuresCorrigees": False,
            "espaceDynamique": True,
            "publicationDonnees": False,
            "autorisation": {
                "autorisationId": number,
                "autorisationLibelle": "DATACONNECT_C5_ACTIF",
                "autorisationType": "EXPLICITE",
                "autorisationStatut": "REVOQUEE" if prm.revoked else "ACTIVE",
            },
        }
        for injection, code, step in kinds
    ]


def med_customer_body(service: str, prm: EnedisPrm) -> dict[str, Any]:
    """MyElectricalData's v5 customers bodies (`med_v1_contracts.json`, `…_addresses.json`)."""
    customer_id = str(int(prm.prm[-9:]))
    usage_point = {
        "usage_point_id": prm.prm,
        "usage_point_status": "com",
        "meter_type": "AMM",
    }
    if service == "contracts":
        contracts: dict[str, Any] = {
            "segment": "C5",
            "subscribed_power": f"{prm.subscribed_kva} kVA",
            "last_activation_date": bodies.v5_date(prm.commissioned),
            "distribution_tariff": prm.distribution_tariff,
        }
        if prm.offpeak_hours is not None:
            contracts["offpeak_hours"] = prm.offpeak_hours
        contracts |= {
            "contract_status": "SERVC",
            "last_distribution_tariff_change_date": bodies.v5_date(prm.commissioned),
        }
        entry = {"usage_point": usage_point, "contracts": contracts}
        return {"customer": {"customer_id": customer_id, "usage_points": [entry]}}
    if service == "addresses":
        addresses: dict[str, Any] = {
            "street": prm.street,
            "locality": None,
            "postal_code": prm.postal_code,
            "insee_code": prm.insee_code,
            "city": prm.city,
            "country": "France",
            "geo_points": {},
        }
        entry = {"usage_point": usage_point | {"usage_point_addresses": addresses}}
        return {"customer": {"customer_id": customer_id, "usage_points": [entry]}}
    if service == "identity":
        person = {
            "title": prm.title,
            "firstname": prm.firstname,
            "lastname": prm.lastname,
        }
        return {
            "customer": {
                "customer_id": customer_id,
                "identity": {"natural_person": person},
            }
        }
    return {
        "customer": {
            "customer_id": customer_id,
            "contact_data": {"phone": prm.phone, "email": prm.email},
        }
    }
