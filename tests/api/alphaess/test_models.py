"""AlphaESS payloads parse exactly: real captured payloads (shared/fixtures/alphaess, copied here)."""

from datetime import date, datetime, time
from typing import Any

import pytest

from custom_components.openpower.api.alphaess.models import (
    Charger,
    ChargerStatus,
    DailyEnergy,
    EnergySummary,
    LegacyCharge,
    LegacyDischarge,
    LivePower,
    Period,
    PowerSample,
    System,
    format_time_of_day,
    on_grid,
    parse_charger_current,
    parse_charger_status,
    parse_chargers,
    parse_day_energy,
    parse_day_power,
    parse_legacy_charge,
    parse_legacy_discharge,
    parse_live_power,
    parse_periodic,
    parse_summary,
    parse_systems,
)
from custom_components.openpower.api.errors import ApiResponseError

from .common import fixture_data, load_fixture

SERIAL = "AL70110230306xx"
MIDNIGHT = time(0, 0)


def test_systems() -> None:
    """getEssList: two SMILE5 systems, every field in its unit."""
    assert parse_systems(fixture_data("getEssList.json")) == [
        System(
            serial="AL70110230306xx",
            inverter_model="SMILE5-INV",
            battery_model="SMILE-BAT-13.3P",
            battery_capacity=13.34,
            battery_remaining_capacity=13.34,
            battery_health=100.0,
            inverter_power=5.0,
            pv_capacity=9.0,
            ems_status="Normal",
        ),
        System(
            serial="AL70110230302xx",
            inverter_model="SMILE5-INV",
            battery_model="SMILE-BAT-10.1P",
            battery_capacity=10.1,
            battery_remaining_capacity=9.09,
            battery_health=90.0,
            inverter_power=5.0,
            pv_capacity=5.0,
            ems_status="Normal",
        ),
    ]


def test_system_capacity_alias_and_nulls() -> None:
    """`cbat` stands in for a missing `cobat`; null fields stay None."""
    item = {"sysSn": "AL1", "cbat": 5.5, "minv": None, "popv": None}
    (system,) = parse_systems([item])
    assert system == System(
        serial="AL1",
        inverter_model=None,
        battery_model=None,
        battery_capacity=5.5,
        battery_remaining_capacity=None,
        battery_health=None,
        inverter_power=None,
        pv_capacity=None,
        ems_status=None,
    )


def test_live_power() -> None:
    """getLastPowerData: every field; the EV chargers' nulls stay None."""
    assert parse_live_power(fixture_data("getLastPowerData.json")) == LivePower(
        pv=0.0,
        pv_strings=(0.0, 0.0, 0.0, 0.0),
        pv_meter_dc=0.0,
        load=1275.0,
        grid=11.0,
        grid_phases=(11.0, 0.0, 0.0),
        battery=1264.0,
        inverter_phases=(1159.0, 0.0, 0.0),
        ev=0.0,
        ev_chargers=(None, None, None, None),
        soc=56.0,
    )


def test_live_power_signs_on_the_fixture() -> None:
    """Evening, no PV: 11 W imported, 1264 W discharged, and they balance the 1275 W load."""
    power = parse_live_power(fixture_data("getLastPowerData.json"))
    assert (power.grid_import, power.grid_export) == (11.0, 0.0)
    assert (power.battery_discharge, power.battery_charge) == (1264.0, 0.0)
    assert power.grid + power.battery + power.pv == power.load  # type: ignore[operator]


def test_live_power_export_and_charge() -> None:
    """A negative `pgrid` is export, a negative `pbat` is charging: both as positive powers."""
    payload = {
        **fixture_data("getLastPowerData.json"),
        "pgrid": -2500.0,
        "pbat": -3000.0,
    }
    power = parse_live_power(payload)
    assert (power.grid_import, power.grid_export) == (0.0, 2500.0)
    assert (power.battery_discharge, power.battery_charge) == (0.0, 3000.0)


def test_live_power_nulls_are_unknown() -> None:
    """Null or absent fields, details included, are None: never 0."""
    power = parse_live_power(
        {"pgrid": None, "pbat": None, "ppvDetail": None, "pevDetail": None}
    )
    assert power == LivePower(
        pv=None,
        pv_strings=(None, None, None, None),
        pv_meter_dc=None,
        load=None,
        grid=None,
        grid_phases=(None, None, None),
        battery=None,
        inverter_phases=(None, None, None),
        ev=None,
        ev_chargers=(None, None, None, None),
        soc=None,
    )
    assert (power.grid_import, power.grid_export) == (None, None)
    assert (power.battery_charge, power.battery_discharge) == (None, None)


def test_day_power_sample() -> None:
    """getOneDayPowerBySn: `gridCharge` is the grid import, `cbat` the state of charge."""
    assert parse_day_power(fixture_data("getOneDayPowerBySn_first_record.json")) == [
        PowerSample(
            time=datetime(2026, 8, 4, 20, 9, 4),
            pv=0.0,
            load=1218.0,
            soc=56.8,
            grid_import=2.0,
            grid_export=0.0,
            ev=0.0,
        )
    ]


def test_day_power_implied_battery() -> None:
    """The sample carries no battery power: load − PV − import + feed-in = 1216 W discharged."""
    (sample,) = parse_day_power(fixture_data("getOneDayPowerBySn_first_record.json"))
    assert sample.battery == 1216.0
    assert sample.grid == 2.0
    assert sample.as_live_power() == LivePower(
        pv=0.0,
        pv_strings=(None, None, None, None),
        pv_meter_dc=None,
        load=1218.0,
        grid=2.0,
        grid_phases=(None, None, None),
        battery=1216.0,
        inverter_phases=(None, None, None),
        ev=0.0,
        ev_chargers=(None, None, None, None),
        soc=56.8,
    )
    live = sample.as_live_power()
    assert (live.battery_discharge, live.battery_charge) == (1216.0, 0.0)
    assert (live.grid_import, live.grid_export) == (2.0, 0.0)


def test_day_power_sunny_sample_charges_and_exports() -> None:
    """Midday: PV beyond the load charges the battery (negative) and feeds the grid."""
    (sample,) = parse_day_power(
        [
            {
                "sysSn": SERIAL,
                "uploadTime": "2026-08-04 12:00:00",
                "ppv": 6000.0,
                "load": 800.0,
                "cbat": 70.0,
                "feedIn": 1200.0,
                "gridCharge": 0.0,
                "pchargingPile": 0,
            }
        ]
    )
    assert sample.battery == -4000.0
    assert sample.grid == -1200.0
    live = sample.as_live_power()
    assert (live.battery_discharge, live.battery_charge) == (0.0, 4000.0)
    assert (live.grid_import, live.grid_export) == (0.0, 1200.0)


def test_day_power_comes_back_oldest_first() -> None:
    """AlphaESS sends the newest sample first; the parser returns them in time order."""
    (first,) = fixture_data("getOneDayPowerBySn_first_record.json")
    newest_first = [
        {**first, "uploadTime": f"2026-08-04 {moment}"}
        for moment in ("20:09:04", "20:04:04", "19:59:03")
    ]
    assert [sample.time for sample in parse_day_power(newest_first)] == [
        datetime(2026, 8, 4, 19, 59, 3),
        datetime(2026, 8, 4, 20, 4, 4),
        datetime(2026, 8, 4, 20, 9, 4),
    ]


def test_day_power_nulls() -> None:
    """A null feed-in leaves the grid and the implied battery unknown; null data is no sample."""
    (first,) = fixture_data("getOneDayPowerBySn_first_record.json")
    (sample,) = parse_day_power([{**first, "feedIn": None, "cbat": None}])
    assert (sample.grid_export, sample.soc) == (None, None)
    assert (sample.battery, sample.grid) == (None, None)
    assert parse_day_power(None) == []
    assert parse_day_power([]) == []


def test_day_energy() -> None:
    """getOneDateEnergyBySn, kWh; the load is the balance of the day."""
    energy = parse_day_energy(
        fixture_data("getOneDateEnergyBySn.json"), date(2026, 8, 4)
    )
    assert energy == DailyEnergy(
        day=date(2026, 8, 4),
        pv=10.6,
        battery_charge=12.2,
        battery_discharge=7.1,
        grid_charge=9.1,
        grid_import=14.41,
        grid_export=0.42,
        ev=0.0,
    )
    assert energy.load == 19.49


def test_day_energy_load_matches_the_summary() -> None:
    """The same day's getSumDataForCustomer says `eload` 19.49: the balance agrees exactly."""
    energy = parse_day_energy(
        fixture_data("getOneDateEnergyBySn.json"), date(2026, 8, 4)
    )
    summary = parse_summary(fixture_data("getSumDataForCustomer.json"))
    assert energy is not None
    assert energy.load == summary.load_today == 19.49


def test_day_energy_nulls_and_other_day() -> None:
    """No data is None; a null part makes the load unknown; an answer for another day is refused."""
    payload = fixture_data("getOneDateEnergyBySn.json")
    assert parse_day_energy(None, date(2026, 8, 4)) is None
    energy = parse_day_energy({**payload, "eInput": None}, date(2026, 8, 4))
    assert energy is not None
    assert (energy.grid_import, energy.load) == (None, None)
    with pytest.raises(ApiResponseError, match="another day"):
        parse_day_energy(payload, date(2026, 8, 5))


def test_summary() -> None:
    """getSumDataForCustomer: every field; those null without a tariff stay None."""
    assert parse_summary(fixture_data("getSumDataForCustomer.json")) == EnergySummary(
        pv_today=10.6,
        pv_total=None,
        load_today=19.49,
        grid_export_today=0.42,
        grid_import_today=14.41,
        battery_charge_today=12.2,
        battery_discharge_today=7.1,
        income_today=None,
        income_total=None,
        self_consumption=None,
        self_sufficiency=None,
        trees=None,
        carbon=None,
        currency=None,
    )


def test_legacy_charge() -> None:
    """getChargeConfigInfo: grid charging off, one window 11:00–14:00, stop at 100 %."""
    assert parse_legacy_charge(
        fixture_data("getChargeConfigInfo.json")
    ) == LegacyCharge(
        grid_charge=False,
        windows=((time(11), time(14)), (MIDNIGHT, MIDNIGHT)),
        stop_level=100.0,
    )


def test_legacy_discharge() -> None:
    """getDisChargeConfigInfo: no discharge control, no window, stop at 5 %."""
    assert parse_legacy_discharge(
        fixture_data("getDisChargeConfigInfo.json")
    ) == LegacyDischarge(
        control=False,
        windows=((MIDNIGHT, MIDNIGHT), (MIDNIGHT, MIDNIGHT)),
        stop_level=5.0,
    )


def test_legacy_charge_body_is_the_documented_request() -> None:
    """The updateChargeConfigInfo example body, read and written back, is the same document."""
    request = load_fixture("request_updateChargeConfigInfo.json")
    settings = parse_legacy_charge(request)
    assert settings == LegacyCharge(
        grid_charge=True,
        windows=((time(1), time(5)), (MIDNIGHT, MIDNIGHT)),
        stop_level=100.0,
    )
    body = settings.body(SERIAL)
    assert body == request
    assert list(body) == [
        "sysSn",
        "batHighCap",
        "gridCharge",
        "timeChaf1",
        "timeChae1",
        "timeChaf2",
        "timeChae2",
    ]
    assert [type(value) for value in body.values()] == [str, int, int] + [str] * 4


def test_legacy_charge_level_sent_as_a_string() -> None:
    """The official Postman body sends `batHighCap` as "95": read, then written as a number."""
    request = load_fixture("request_official_postman_updateChargeConfigInfo.json")
    settings = parse_legacy_charge(request)
    assert settings == LegacyCharge(
        grid_charge=True,
        windows=((MIDNIGHT, time(22, 15)), (time(1, 15), MIDNIGHT)),
        stop_level=95.0,
    )
    assert settings.body("AL20020171xxxxx") == {**request, "batHighCap": 95}


def test_legacy_discharge_body_is_the_official_request() -> None:
    """An updateDisChargeConfigInfo body carries every field with its type (10001 otherwise)."""
    request = load_fixture("request_official_postman_updateDisChargeConfigInfo.json")
    settings = parse_legacy_discharge(request)
    assert settings == LegacyDischarge(
        control=False,
        windows=((MIDNIGHT, MIDNIGHT), (MIDNIGHT, MIDNIGHT)),
        stop_level=10.0,
    )
    body = settings.body("AL20020171xxxxx")
    assert body == request
    assert [type(value) for value in body.values()] == [str, int, int] + [str] * 4


def test_legacy_bodies_round_levels() -> None:
    """A fractional level is sent as a whole percentage."""
    charge = LegacyCharge(
        grid_charge=False,
        windows=((time(23, 45), MIDNIGHT), (MIDNIGHT, MIDNIGHT)),
        stop_level=79.6,
    )
    assert charge.body(SERIAL) == {
        "sysSn": SERIAL,
        "batHighCap": 80,
        "gridCharge": 0,
        "timeChaf1": "23:45",
        "timeChae1": "00:00",
        "timeChaf2": "00:00",
        "timeChae2": "00:00",
    }
    discharge = LegacyDischarge(
        control=True,
        windows=((time(17), time(21)), (time(6, 30), time(7))),
        stop_level=10.4,
    )
    assert discharge.body(SERIAL) == {
        "sysSn": SERIAL,
        "batUseCap": 10,
        "ctrDis": 1,
        "timeDisf1": "17:00",
        "timeDise1": "21:00",
        "timeDisf2": "06:30",
        "timeDise2": "07:00",
    }


def test_periodic_request_round_trip() -> None:
    """The setTimeChargeBySn example body, read and written back, is the same document."""
    request = load_fixture("request_setTimeChargeBySn.json")
    schedule = parse_periodic(request)
    assert schedule.grid_charge is True
    assert schedule.discharge_control is True
    assert schedule.charge == (
        Period(
            begin=time(1),
            end=time(5),
            limit=90.0,
            extra={"weeks": [1, 2, 3, 4, 5], "chargePower": 5000},
        ),
    )
    assert schedule.discharge == (
        Period(
            begin=time(17),
            end=time(21),
            limit=20.0,
            extra={"weeks": [1, 2, 3, 4, 5], "chargePower": 5000},
        ),
    )
    assert schedule.extra == {"executeCycleType": 1}
    assert schedule.body(SERIAL) == request


# What getTimeChargeBySn returns: the writable fields plus read-only ones (reference §2.5) and a
# field this client does not know.
PERIODIC_READ = {
    "sysSn": SERIAL,
    "executeCycleType": 1,
    "strategyType": 2,
    "gridChargeCycle": 1,
    "ctrDisCycle": 0,
    "sort": 3,
    "newTopLevel": "kept",
    "chargeTimeList": [
        {
            "beginTime": "01:00",
            "endTime": "05:00",
            "weeks": [1, 2, 3, 4, 5],
            "chargePower": 5000,
            "chargeLimit": 90,
            "executeCycleType": 1,
            "sort": 1,
            "strategyType": 2,
            "newInPeriod": True,
        }
    ],
    "dischargeTimeList": [
        {
            "beginTime": "17:00",
            "endTime": "21:00",
            "weeks": [6, 7],
            "chargePower": 3000,
            "chargeLimit": 20,
            "executeCycleType": 1,
            "sort": 2,
        }
    ],
}


def test_periodic_body_strips_read_only_keys() -> None:
    """`strategyType`, `sort` and per-period `executeCycleType` go; everything else stays."""
    assert parse_periodic(PERIODIC_READ).body(SERIAL) == {
        "sysSn": SERIAL,
        "executeCycleType": 1,
        "gridChargeCycle": 1,
        "ctrDisCycle": 0,
        "newTopLevel": "kept",
        "chargeTimeList": [
            {
                "beginTime": "01:00",
                "endTime": "05:00",
                "weeks": [1, 2, 3, 4, 5],
                "chargePower": 5000,
                "chargeLimit": 90,
                "newInPeriod": True,
            }
        ],
        "dischargeTimeList": [
            {
                "beginTime": "17:00",
                "endTime": "21:00",
                "weeks": [6, 7],
                "chargePower": 3000,
                "chargeLimit": 20,
            }
        ],
    }


def test_periodic_empty_lists_and_null_limit() -> None:
    """Null lists are no period; a period without a limit keeps it null."""
    schedule = parse_periodic(
        {
            "executeCycleType": 0,
            "gridChargeCycle": 0,
            "ctrDisCycle": 1,
            "chargeTimeList": None,
            "dischargeTimeList": [
                {"beginTime": "17:00", "endTime": "21:00", "chargeLimit": None}
            ],
        }
    )
    assert schedule.charge == ()
    assert schedule.discharge == (
        Period(begin=time(17), end=time(21), limit=None, extra={}),
    )
    assert schedule.body(SERIAL) == {
        "executeCycleType": 0,
        "sysSn": SERIAL,
        "gridChargeCycle": 0,
        "ctrDisCycle": 1,
        "chargeTimeList": [],
        "dischargeTimeList": [
            {"beginTime": "17:00", "endTime": "21:00", "chargeLimit": None}
        ],
    }


def test_chargers() -> None:
    """getEvChargerConfigList: none on the fixture's system; a charger's serial and model."""
    assert parse_chargers(fixture_data("getEvChargerConfigList_no_charger.json")) == []
    assert parse_chargers(None) == []
    assert parse_chargers(
        [{"evchargerSn": "EV1234567890", "evchargerModel": None}]
    ) == [Charger(serial="EV1234567890", model=None)]


def test_charger_current() -> None:
    """getEvChargerCurrentsBySn: the household limit in A."""
    assert parse_charger_current(fixture_data("getEvChargerCurrentsBySn.json")) == 32.0
    assert parse_charger_current(None) is None
    assert parse_charger_current({"currentsetting": None}) is None


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"evchargerStatus": 3}, 3),
        ([{"evchargerStatus": 5}], 5),
        ([], None),
        (None, None),
        ({"evchargerStatus": None}, None),
        ({"evchargerStatus": 7}, 7),
    ],
)
def test_charger_status(payload: Any, status: int | None) -> None:
    """An object or (as the portal says) a list; a code this client does not name is kept."""
    assert parse_charger_status(payload) == status


def test_charger_status_names() -> None:
    """OCPP's states; charging can be started with a car connected and not charging."""
    assert ChargerStatus(3) is ChargerStatus.CHARGING
    assert ChargerStatus(9) is ChargerStatus.FAULTED
    assert [status.name for status in ChargerStatus if status.can_start] == [
        "PREPARING",
        "SUSPENDED_EVSE",
        "SUSPENDED_EV",
    ]


def test_time_of_day() -> None:
    """Times are written `HH:mm`; only whole quarter hours are on the inverter's grid."""
    assert format_time_of_day(time(7, 5)) == "07:05"
    assert on_grid(time(23, 45)) is True
    assert on_grid(time(0)) is True
    assert on_grid(time(7, 5)) is False
    assert on_grid(time(7, 15, 30)) is False


def _with(name: str, **changes: Any) -> Any:
    return {**fixture_data(name), **changes}


@pytest.mark.parametrize(
    ("parse", "payload"),
    [
        (parse_systems, {"sysSn": SERIAL}),
        (parse_systems, [[]]),
        (parse_systems, [{"cobat": 1.0}]),
        (parse_systems, [{"sysSn": 123}]),
        (parse_systems, [{"sysSn": SERIAL, "cobat": "13.34"}]),
        (parse_live_power, []),
        (parse_live_power, None),
        (parse_live_power, _with("getLastPowerData.json", pgrid="11")),
        (parse_live_power, _with("getLastPowerData.json", pbat=True)),
        (parse_live_power, _with("getLastPowerData.json", ppv=float("inf"))),
        (parse_live_power, _with("getLastPowerData.json", ppvDetail=[1])),
        (parse_day_power, {"uploadTime": "2026-08-04 20:09:04"}),
        (parse_day_power, [{"uploadTime": "2026-08-04T20:09:04"}]),
        (parse_day_power, [{"load": 1.0}]),
        (parse_day_power, [{"uploadTime": "2026-08-04 20:09:04", "load": "1"}]),
        (parse_summary, [fixture_data("getSumDataForCustomer.json")]),
        (parse_summary, _with("getSumDataForCustomer.json", eload="19.49")),
        (parse_summary, _with("getSumDataForCustomer.json", moneyType=1)),
        (parse_legacy_charge, None),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", gridCharge=2)),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", gridCharge=None)),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", timeChaf1="25:00")),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", timeChae2=None)),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", batHighCap="high")),
        (parse_legacy_charge, _with("getChargeConfigInfo.json", batHighCap=None)),
        (parse_legacy_discharge, _with("getDisChargeConfigInfo.json", ctrDis="1")),
        (parse_legacy_discharge, _with("getDisChargeConfigInfo.json", timeDisf2=900)),
        (parse_legacy_discharge, _with("getDisChargeConfigInfo.json", batUseCap=[])),
        (parse_periodic, []),
        (parse_periodic, {**PERIODIC_READ, "gridChargeCycle": None}),
        (parse_periodic, {**PERIODIC_READ, "ctrDisCycle": 3}),
        (parse_periodic, {**PERIODIC_READ, "chargeTimeList": {"beginTime": "01:00"}}),
        (parse_periodic, {**PERIODIC_READ, "chargeTimeList": ["01:00"]}),
        (
            parse_periodic,
            {**PERIODIC_READ, "dischargeTimeList": [{"endTime": "21:00"}]},
        ),
        (
            parse_periodic,
            {
                **PERIODIC_READ,
                "chargeTimeList": [
                    {"beginTime": "1h", "endTime": "05:00", "chargeLimit": 90}
                ],
            },
        ),
        (
            parse_periodic,
            {
                **PERIODIC_READ,
                "chargeTimeList": [
                    {"beginTime": "01:00", "endTime": "05:00", "chargeLimit": "90"}
                ],
            },
        ),
        (parse_chargers, {"evchargerSn": "EV1"}),
        (parse_chargers, [{"evchargerModel": "X"}]),
        (parse_charger_current, [32.0]),
        (parse_charger_current, {"currentsetting": "32"}),
        (parse_charger_status, "3"),
        (parse_charger_status, {"evchargerStatus": "3"}),
    ],
)
def test_malformed_payloads(parse: Any, payload: Any) -> None:
    """A payload of the wrong shape is an invalid response, never a crash."""
    with pytest.raises(ApiResponseError):
        parse(payload)


@pytest.mark.parametrize(
    "payload",
    [
        [],
        _with("getOneDateEnergyBySn.json", epv="10.6"),
        _with("getOneDateEnergyBySn.json", eCharge=False),
        _with("getOneDateEnergyBySn.json", eOutput=float("nan")),
    ],
)
def test_malformed_day_energy(payload: Any) -> None:
    """A getOneDateEnergyBySn answer of the wrong shape is an invalid response."""
    with pytest.raises(ApiResponseError):
        parse_day_energy(payload, date(2026, 8, 4))
