"""Enedis contract facts and the customer's identity, from the 2026 ITC APIs and the v5 shapes.

2026 (reference §2.11): `situation_contrat_auto/v1/{prm}` is a LIST of contracts ("Contrat
GRD-F" = drawing, "Contrat GRD-A" = injection) that also carries the person, contact data and
address; `synth_contrat_auto/v1/{prm}` adds activation dates and the service level;
`comptage_auto/v1/{prm}` holds the off-peak hours (`relais.plageHeuresCreuses`);
`donnees_generales_auto/v1/{prm}` the meter's address. v5 (§2.6, MyElectricalData's `contracts`
and `addresses`): `{"customer": {"customer_id", "usage_points": [{"usage_point": {…},
"contracts": {…}}]}}`, with `subscribed_power` as text ("9 kVA") and `offpeak_hours` as
"HC (22H30-6H30;…)".
"""

from collections.abc import Mapping
from datetime import date, time
import re
from typing import Any

from ..errors import ApiResponseError
from ..parse import obj, objects
from .models import Contract, Customer, OffPeakRange, TariffOption

_RANGE = re.compile(
    r"(\d{1,2})\s*[hH:]\s*(\d{2})?\s*-\s*(\d{1,2})\s*[hH:]\s*(\d{2})?", re.ASCII
)
_TURPE_CODE = re.compile(r"BTINF(?:CU|MU|LU)(ST|DT|4)?")
_POWER = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(k?VA)?\s*", re.IGNORECASE)
_DRAWING = "Contrat GRD-F"
_INJECTION = "Contrat GRD-A"


def parse_offpeak_hours(text: str | None) -> tuple[OffPeakRange, ...]:
    """Return the local ranges of an "HC (22H30-6H30;12H00-14H00)" text (empty if none).

    "24H00" is midnight. A range Enedis writes in a way this does not read is left out.
    """
    ranges: list[OffPeakRange] = []
    for match in _RANGE.finditer(text or ""):
        start = _clock(match.group(1), match.group(2))
        end = _clock(match.group(3), match.group(4))
        if start is not None and end is not None and start != end:
            ranges.append((start, end))
    return tuple(ranges)


def _clock(hours: str, minutes: str | None) -> time | None:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        return time()
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def tariff_option(distribution_tariff: str | None) -> TariffOption | None:
    """Read the time structure of a TURPE code (v5) or label (2026); None when it does not say."""
    if not distribution_tariff:
        return None
    if match := _TURPE_CODE.fullmatch(distribution_tariff.strip().upper()):
        return {
            "DT": TariffOption.OFF_PEAK,
            "4": TariffOption.OFF_PEAK_SEASONAL,
        }.get(match.group(1) or "", TariffOption.BASE)
    label = distribution_tariff.casefold()
    if "heures creuses" in label or "heures pleines" in label:
        if "saison" in label or "postes" in label:
            return TariffOption.OFF_PEAK_SEASONAL
        return TariffOption.OFF_PEAK
    if "sans différenciation" in label or "longue utilisation" in label:
        return TariffOption.BASE
    return None


def _text(item: Mapping[str, Any], key: str) -> str | None:
    """Return an optional text field; a number is read as its text, anything else is an error."""
    value = item.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ApiResponseError(f"{key} is not a text")
    return str(value)


def _date(item: Mapping[str, Any], key: str) -> date | None:
    """Return a date given with or without a time or offset ("2013-08-14+01:00")."""
    if (value := _text(item, key)) is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ApiResponseError(f"{key} is not a date") from None


def _kva(value: Any) -> float | None:
    """Return a subscribed power: "9 kVA" (v5) or {"unit": "kVA", "value": "12"} (2026)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        amount, unit = value.get("value"), value.get("unit")
        value = f"{amount} {unit or 'kVA'}"
    if not isinstance(value, str) or not (match := _POWER.fullmatch(value)):
        raise ApiResponseError("subscribed_power is not a power")
    number = float(match.group(1).replace(",", "."))
    return number / 1000 if (match.group(2) or "kVA").upper() == "VA" else number


def _v5_usage_point(payload: Any, prm: str | None) -> Mapping[str, Any]:
    customer = obj(obj(payload, "enedis customer").get("customer"), "customer")
    points = objects(customer.get("usage_points"), "usage_points")
    if not points:
        raise ApiResponseError("enedis customer: no usage point")
    for point in points:
        usage_point = obj(point.get("usage_point") or {}, "usage_point")
        if prm is not None and usage_point.get("usage_point_id") == prm:
            return point
    return points[0]


def parse_v5_contract(payload: Any, prm: str | None = None) -> Contract:
    """Return the contract of `prm` (else the first one) in a v5 `usage_points/contracts` answer."""
    point = _v5_usage_point(payload, prm)
    usage_point = obj(point.get("usage_point") or {}, "usage_point")
    contracts = obj(point.get("contracts") or {}, "contracts")
    tariff = _text(contracts, "distribution_tariff")
    offpeak = _text(contracts, "offpeak_hours")
    segment = _text(contracts, "segment")
    return Contract(
        subscribed_power_kva=_kva(contracts.get("subscribed_power")),
        distribution_tariff=tariff,
        tariff_option=tariff_option(tariff),
        offpeak_hours=parse_offpeak_hours(offpeak),
        offpeak_hours_text=offpeak,
        contract_status=_text(contracts, "contract_status"),
        contract_type=_text(contracts, "contract_type"),
        segment=segment,
        meter_type=_text(usage_point, "meter_type"),
        usage_point_status=_text(usage_point, "usage_point_status"),
        services_level=None,
        last_activation=_date(contracts, "last_activation_date"),
        last_tariff_change=_date(contracts, "last_distribution_tariff_change_date"),
        producer=segment is not None and segment.startswith("P"),
    )


def parse_v5_addresses(payload: Any, prm: str | None = None) -> Customer:
    """Return the meter's address from a v5 `usage_points/addresses` answer."""
    customer = obj(obj(payload, "enedis customer").get("customer"), "customer")
    point = _v5_usage_point(payload, prm)
    usage_point = obj(point.get("usage_point") or {}, "usage_point")
    address = obj(usage_point.get("usage_point_addresses") or {}, "addresses")
    lines = (_text(address, "street"), _text(address, "locality"))
    return Customer(
        customer_id=_text(customer, "customer_id"),
        title=None,
        firstname=None,
        lastname=None,
        email=None,
        phone=None,
        landline=None,
        address=tuple(line for line in lines if line),
        postal_code=_text(address, "postal_code"),
        city=_text(address, "city"),
        insee_code=_text(address, "insee_code"),
    )


def _situation(payload: Any) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
    """Return the drawing contract (else the first one) and every contract of a situation."""
    contracts = objects(payload, "situation_contrat")
    if not contracts:
        raise ApiResponseError("situation_contrat: no contract")
    drawing = [c for c in contracts if c.get("contract_type") == _DRAWING]
    return (drawing or contracts)[0], contracts


def _offpeak_text(payload: Any) -> str | None:
    """Find `plageHeuresCreuses` in a `comptage_auto` answer, wherever it nests it."""
    if isinstance(payload, dict):
        value = payload.get("plageHeuresCreuses")
        if isinstance(value, str) and value:
            return value
        for nested in payload.values():
            if (found := _offpeak_text(nested)) is not None:
                return found
    elif isinstance(payload, list):
        for nested in payload:
            if (found := _offpeak_text(nested)) is not None:
                return found
    return None


def parse_2026_contract(
    situation: Any, synthesis: Any | None = None, metering: Any | None = None
) -> Contract:
    """Return the contract from the 2026 contract APIs' answers.

    `synthesis` (`synth_contrat_auto`) and `metering` (`comptage_auto`, which needs its own
    subscription, often missing) are optional.
    """
    contract, contracts = _situation(situation)
    synth = obj(synthesis, "synth_contrat") if synthesis is not None else {}
    segments = {
        s.get("segment") for s in objects(synth.get("segments") or [], "segments")
    }
    tariff = _text(contract, "distribution_tariff")
    offpeak = _offpeak_text(metering)
    return Contract(
        subscribed_power_kva=_kva(contract.get("subscribed_power")),
        distribution_tariff=tariff,
        tariff_option=tariff_option(tariff),
        offpeak_hours=parse_offpeak_hours(offpeak),
        offpeak_hours_text=offpeak,
        contract_status=None,
        contract_type=_text(contract, "contract_type"),
        segment=_text(contract, "segment"),
        meter_type=None,
        usage_point_status=None,
        services_level=_text(synth, "services_level"),
        last_activation=(
            _date(synth, "consumption_last_activation_date")
            or _date(contract, "contract_start")
        ),
        last_tariff_change=None,
        producer=(
            any(c.get("contract_type") == _INJECTION for c in contracts)
            or synth.get("generation_last_activation_date") is not None
            or any(isinstance(s, str) and s.startswith("P") for s in segments)
        ),
    )


def parse_2026_customer(situation: Any, general: Any | None = None) -> Customer:
    """Return the holder from `situation_contrat_auto`.

    The meter's address comes from `donnees_generales_auto` when given, else the contract's
    postal address lines are kept.
    """
    contract, _contracts = _situation(situation)
    person = obj(contract.get("person") or {}, "person")
    contact = obj(contract.get("contact_data") or {}, "contact_data")
    holder = obj(
        obj(contract.get("customer") or {}, "customer").get("customer") or {},
        "customer",
    )
    postal = obj(holder.get("adress") or {}, "adress")
    lines = tuple(
        line for key in sorted(postal) if (line := _text(postal, key)) is not None
    )
    postal_code_city = insee = postal_code = city = None
    if general is not None:
        address = obj(obj(general, "donnees_generales").get("address") or {}, "address")
        street = _text(address, "number_street_name")
        postal_code_city = _text(address, "postal_code_city")
        insee = _text(address, "insee_code")
        lines = tuple(line for line in (street, postal_code_city) if line) or lines
        if postal_code_city is not None:
            code, _space, rest = postal_code_city.strip().partition(" ")
            if code.isdigit():
                postal_code, city = code, rest.strip() or None
            else:
                city = postal_code_city
    return Customer(
        customer_id=_text(contract, "contractor"),
        title=_text(person, "title"),
        firstname=_text(person, "firstname"),
        lastname=_text(person, "lastname"),
        email=_text(contact, "email"),
        phone=_text(contact, "phone"),
        landline=_text(contact, "landline"),
        address=lines,
        postal_code=postal_code,
        city=city,
        insee_code=insee,
    )
