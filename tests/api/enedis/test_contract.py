"""Enedis contract facts and customer identity, from the v5 and 2026 captures."""

from datetime import date, time
from typing import Any

import pytest

from custom_components.openpower.api.enedis import (
    Contract,
    Customer,
    TariffOption,
    parse_offpeak_hours,
    tariff_option,
)
from custom_components.openpower.api.enedis.contract import (
    parse_2026_contract,
    parse_2026_customer,
    parse_v5_addresses,
    parse_v5_contract,
)
from custom_components.openpower.api.errors import ApiResponseError

from .common import load_fixture

MASKED = "<masque>"
TWO_SEASONS = (
    "Tarif BT<=36kVA Moyenne Utilisation heures pleines heures creuses associées à deux"
    " saisons"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HC (22H30-6H30)", ((time(22, 30), time(6, 30)),)),
        ("HC (23h00-7h30)", ((time(23, 0), time(7, 30)),)),
        (
            "HC (1H30-8H00;12H30-14H00)",
            ((time(1, 30), time(8, 0)), (time(12, 30), time(14, 0))),
        ),
        ("HC (22H00-24H00)", ((time(22, 0), time(0, 0)),)),
        ("HC (2H-7H)", ((time(2, 0), time(7, 0)),)),
        ("HC (25H00-7H00)", ()),
        ("pas d'heures creuses", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_offpeak_hours(text: str | None, expected: tuple[Any, ...]) -> None:
    """Enedis' free-text off-peak hours as (start, end) local ranges."""
    assert parse_offpeak_hours(text) == expected


@pytest.mark.parametrize(
    ("tariff", "expected"),
    [
        ("BTINFCUST", TariffOption.BASE),
        ("BTINFMUST", TariffOption.BASE),
        ("BTINFLU", TariffOption.BASE),
        ("BTINFMUDT", TariffOption.OFF_PEAK),
        ("BTINFCU4", TariffOption.OFF_PEAK_SEASONAL),
        ("BTINFMU4", TariffOption.OFF_PEAK_SEASONAL),
        (TWO_SEASONS, TariffOption.OFF_PEAK_SEASONAL),
        (
            "Tarif BT<=36kVA Moyenne Utilisation heures pleines heures creuses",
            TariffOption.OFF_PEAK,
        ),
        (
            "Tarif BT<=36kVA Courte Utilisation sans différenciation temporelle",
            TariffOption.BASE,
        ),
        ("HTA5", None),
        (None, None),
    ],
)
def test_tariff_option(tariff: str | None, expected: TariffOption | None) -> None:
    """TURPE codes (v5) and labels (2026) say whether off-peak hours exist."""
    assert tariff_option(tariff) == expected


def test_med_contract() -> None:
    """MyElectricalData's `contracts` (v5 shape passed through)."""
    assert parse_v5_contract(load_fixture("med_v1_contracts.json")) == Contract(
        subscribed_power_kva=9.0,
        distribution_tariff="BTINFMUDT",
        tariff_option=TariffOption.OFF_PEAK,
        offpeak_hours=((time(1, 30), time(8, 0)), (time(12, 30), time(14, 0))),
        offpeak_hours_text="HC (1H30-8H00;12H30-14H00)",
        contract_status="SERVC",
        contract_type=None,
        segment="C5",
        meter_type="AMM",
        usage_point_status="com",
        services_level=None,
        last_activation=date(2006, 5, 24),
        last_tariff_change=date(2019, 9, 13),
        producer=False,
    )


def test_v5_doc_contract() -> None:
    """The v5 documentation's example: a base tariff that still lists off-peak hours."""
    contract = parse_v5_contract(
        load_fixture("v5_doc_example_customers_usage_points_contracts.json"),
        "12345678910123",
    )
    assert contract.tariff_option is TariffOption.BASE
    assert contract.offpeak_hours == ((time(23, 0), time(7, 30)),)
    assert contract.contract_type == "CRAE"
    assert contract.last_activation == date(2013, 8, 14)
    assert contract.last_tariff_change == date(2017, 5, 25)


def test_2026_consumer_contract() -> None:
    """One GRD-F contract and its synthesis; without `comptage_auto` no off-peak hours."""
    contract = parse_2026_contract(
        load_fixture("dc2026_situation_contrat_consommateur_med.json"),
        load_fixture("dc2026_synth_contrat_consommateur_med.json"),
    )
    assert contract == Contract(
        subscribed_power_kva=12.0,
        distribution_tariff=TWO_SEASONS,
        tariff_option=TariffOption.OFF_PEAK_SEASONAL,
        offpeak_hours=(),
        offpeak_hours_text=None,
        contract_status=None,
        contract_type="Contrat GRD-F",
        segment="C5",
        meter_type=None,
        usage_point_status=None,
        services_level="Communicant (ouvert aux services)",
        last_activation=date(2018, 8, 31),
        last_tariff_change=None,
        producer=False,
    )


def test_2026_contract_with_offpeak_hours() -> None:
    """`comptage_auto`'s `relais.plageHeuresCreuses` (no capture: built as §2.11 describes)."""
    contract = parse_2026_contract(
        load_fixture("dc2026_situation_contrat_consommateur_med.json"),
        None,
        {"relais": {"plageHeuresCreuses": "HC (22H30-6H30)"}},
    )
    assert contract.offpeak_hours == ((time(22, 30), time(6, 30)),)
    assert contract.offpeak_hours_text == "HC (22H30-6H30)"
    # Without the synthesis, the contract's start stands for the activation.
    assert contract.last_activation == date(2026, 2, 11)
    assert contract.services_level is None


def test_2026_self_consumption_contract() -> None:
    """GRD-F and GRD-A: the drawing contract is described, the point is a producer."""
    contract = parse_2026_contract(
        load_fixture("dc2026_situation_contrat_auto_autoconsommation_med.json"),
        load_fixture("dc2026_synth_contrat_auto_autoconsommation_med.json"),
    )
    assert contract.contract_type == "Contrat GRD-F"
    assert contract.subscribed_power_kva == 12.0
    assert contract.segment == "C5"
    assert contract.producer is True
    assert contract.last_activation == date(2014, 1, 22)


@pytest.mark.parametrize(
    "payload",
    [[], {"contract_type": "x"}, [{"subscribed_power": {"unit": "kVA", "value": "x"}}]],
)
def test_malformed_2026_contract(payload: Any) -> None:
    """An empty or changed situation is an invalid response."""
    with pytest.raises(ApiResponseError):
        parse_2026_contract(payload)


def test_med_addresses() -> None:
    """MyElectricalData's `addresses`: a null locality is no line."""
    assert parse_v5_addresses(load_fixture("med_v1_addresses.json")) == Customer(
        customer_id="-123456789",
        title=None,
        firstname=None,
        lastname=None,
        email=None,
        phone=None,
        landline=None,
        address=("1 rue paul bismuth",),
        postal_code="00666",
        city="XX YY",
        insee_code="12345",
    )


def test_v5_doc_addresses() -> None:
    """The documentation's address, street and locality."""
    customer = parse_v5_addresses(
        load_fixture("v5_doc_example_customers_usage_points_addresses.json")
    )
    assert customer.address == ("2 bis rue du capitaine Flam", "lieudit Tourtouze")
    assert (customer.postal_code, customer.city) == ("32400", "Maulichères")


def test_2026_customer() -> None:
    """The holder from the situation; no e-mail in this capture's contact data."""
    customer = parse_2026_customer(
        load_fixture("dc2026_situation_contrat_consommateur_med.json")
    )
    assert customer == Customer(
        customer_id=MASKED,
        title=MASKED,
        firstname=MASKED,
        lastname=MASKED,
        email=None,
        phone=MASKED,
        landline=MASKED,
        address=(MASKED,) * 4,
        postal_code=None,
        city=None,
        insee_code=None,
    )


def test_2026_customer_with_the_meter_address() -> None:
    """`donnees_generales_auto` gives the meter's address (masked capture, then a built one)."""
    situation = load_fixture("dc2026_situation_contrat_consommateur_med.json")
    masked = parse_2026_customer(
        situation, load_fixture("dc2026_donnees_generales_auto_med.json")
    )
    assert masked.address == (MASKED, MASKED)
    assert masked.insee_code == MASKED
    built = parse_2026_customer(
        situation,
        {
            "address": {
                "number_street_name": "1 RUE DE LA PAIX",
                "postal_code_city": "75002 PARIS",
                "insee_code": "75102",
            }
        },
    )
    assert built.address == ("1 RUE DE LA PAIX", "75002 PARIS")
    assert (built.postal_code, built.city, built.insee_code) == (
        "75002",
        "PARIS",
        "75102",
    )
