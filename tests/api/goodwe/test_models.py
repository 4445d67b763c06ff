"""Every SEMS+ fixture parsed, values read by hand: W from kW, signs, None for what is missing."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.goodwe import (
    Counters,
    Device,
    DeviceKind,
    Dimension,
    Flow,
    PvString,
    Station,
    StatisticsBucket,
    Telemetry,
    utc_offset,
)
from custom_components.openpower.api.goodwe.devices import parse_devices
from custom_components.openpower.api.goodwe.factors import (
    parse_counters,
    parse_telemetry,
)
from custom_components.openpower.api.goodwe.flow import parse_flow
from custom_components.openpower.api.goodwe.stations import (
    StationPage,
    parse_station_page,
)
from custom_components.openpower.api.goodwe.statistics import parse_statistics

from .common import fixture_data, load_fixture

NO_TELEMETRY: dict[str, Any] = {
    "ac_power_w": None,
    "ac_voltage_v": None,
    "ac_current_a": None,
    "ac_frequency_hz": None,
    "pv_power_w": None,
    "pv_strings": (),
    "temperature_c": None,
    "battery_power_w": None,
    "battery_voltage_v": None,
    "battery_current_a": None,
    "battery_soc": None,
    "battery_soh": None,
}


def flow(**values: Any) -> Flow:
    """A Flow with everything unknown but `values`."""
    fields: dict[str, Any] = dict.fromkeys(Flow.__slots__, None)
    return Flow(**(fields | values))


def test_flow_pv_only() -> None:
    """No grid, battery or load in the answer: unknown, not 0."""
    assert parse_flow(fixture_data("semsplus_station_flow_pv_only.json")) == flow(
        pv_w=2280.0, status="1", refreshed_at=datetime(2026, 9, 23, 13, 56)
    )


def test_flow_grid_import() -> None:
    """`{"pGrid": ["pConsum"]}` with pGrid −1.351 kW: importing 1351 W; no PV field: unknown."""
    assert parse_flow(fixture_data("semsplus_station_flow_grid_import.json")) == flow(
        load_w=1351.0,
        grid_w=1351.0,
        grid_import_w=1351.0,
        grid_export_w=0.0,
        status="0",
        refreshed_at=datetime(2026, 9, 24, 21, 19),
    )


def test_flow_hybrid_discharging() -> None:
    """The AU hybrid: battery → load (+ discharge), grid → load (import 1 W)."""
    assert parse_flow(fixture_data("semsplus_hybrid_station_flow.json")) == flow(
        pv_w=77.72,
        load_w=841.17,
        grid_w=1.0,
        grid_import_w=1.0,
        grid_export_w=0.0,
        battery_w=762.45,
        battery_charge_w=0.0,
        battery_discharge_w=762.45,
        soc=99.0,
        status="1",
        refreshed_at=datetime(2026, 9, 24, 18, 2),
    )


ISSUE_234 = [
    # Battery discharging into the load and the grid: + discharge, − export.
    flow(
        pv_w=0.0,
        load_w=1030.3,
        grid_w=-149.0,
        grid_import_w=0.0,
        grid_export_w=149.0,
        battery_w=1179.3,
        battery_charge_w=0.0,
        battery_discharge_w=1179.3,
        soc=42.0,
        refreshed_at=datetime(2026, 9, 27, 19, 32),
    ),
    # Battery and grid both feeding the load.
    flow(
        load_w=539.94,
        grid_w=28.0,
        grid_import_w=28.0,
        grid_export_w=0.0,
        battery_w=511.94,
        battery_charge_w=0.0,
        battery_discharge_w=511.94,
        soc=41.0,
        refreshed_at=datetime(2026, 9, 27, 19, 35),
    ),
    # Battery idle (0, not named in flows), importing.
    flow(
        load_w=111.0,
        grid_w=111.0,
        grid_import_w=111.0,
        grid_export_w=0.0,
        battery_w=0.0,
        battery_charge_w=0.0,
        battery_discharge_w=0.0,
        soc=41.0,
        refreshed_at=datetime(2026, 9, 27, 19, 36),
    ),
    # PV charging the battery and exporting a little.
    flow(
        pv_w=3736.61,
        load_w=421.27,
        grid_w=-5.0,
        grid_import_w=0.0,
        grid_export_w=5.0,
        battery_w=-3310.34,
        battery_charge_w=3310.34,
        battery_discharge_w=0.0,
        soc=51.0,
        refreshed_at=datetime(2026, 9, 30, 10, 15),
    ),
]


@pytest.mark.parametrize(("index", "expected"), enumerate(ISSUE_234))
def test_flow_battery_directions_issue234(index: int, expected: Flow) -> None:
    """The four EU hybrid samples of TS#234."""
    sample = load_fixture("semsplus_station_flow_battery_directions_issue234.json")
    assert parse_flow(sample["samples"][index]["flow"]) == expected


def test_flow_direction_from_flows_over_sign() -> None:
    """AU magnitudes: positive values whose direction only `flows` gives."""
    parsed = parse_flow(
        {
            "flows": {"pSystem": ["pBat", "pGrid"]},
            "pSystem": "3",
            "pBat": "1.5",
            "pGrid": "1.5",
        }
    )
    assert (parsed.pv_w, parsed.battery_w, parsed.grid_w) == (3000.0, -1500.0, -1500.0)
    assert (parsed.battery_charge_w, parsed.grid_export_w) == (1500.0, 1500.0)


def test_flow_sign_when_flows_say_nothing() -> None:
    """Without `flows`, SEMS+'s sign: pGrid + export, pBat + discharge."""
    parsed = parse_flow({"pGrid": 0.5, "pBat": -0.25})
    assert (parsed.grid_w, parsed.battery_w) == (-500.0, -250.0)
    parsed = parse_flow({"pGrid": -0.5, "pBat": 0.25})
    assert (parsed.grid_w, parsed.battery_w) == (500.0, 250.0)


@pytest.mark.parametrize(
    "data",
    [
        {"id": "x", "name": "y", "status": "1"},
        {"pGrid": "abc"},
        {"pGrid": True},
        {"pGrid": "NaN"},
        {"pGrid": "1e999"},
        {"pGrid": [1]},
        {"pGrid": 1, "flows": ["pGrid"]},
        {"pGrid": 1, "flows": {"pGrid": "pConsum"}},
        {"pGrid": 1, "refreshTime": "yesterday"},
        [],
    ],
)
def test_flow_invalid(data: Any) -> None:
    """No power at all, garbage numbers, a malformed `flows`: an invalid response, not zeros."""
    with pytest.raises(ApiResponseError):
        parse_flow(data)


def test_station_page() -> None:
    """The one station of the captured page."""
    assert parse_station_page(
        fixture_data("semsplus_station_list_page.json")
    ) == StationPage(
        stations=(
            Station(
                id="<station_id>",
                name="<station_name>",
                timezone="Europe/Amsterdam",
                capacity_kw=3.0,
                status="1",
            ),
        ),
        total=1,
    )


@pytest.mark.parametrize(
    "data", [{}, {"dataList": None}, {"dataList": [{"name": "x"}]}, {"dataList": [1]}]
)
def test_station_page_invalid(data: Any) -> None:
    """No list, or a station without an id."""
    with pytest.raises(ApiResponseError):
        parse_station_page(data)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UTC+00:00", UTC),
        ("UTC-03:30", timezone(-timedelta(hours=3, minutes=30))),
        ("UTC+10:00", timezone(timedelta(hours=10))),
        ("Europe/Amsterdam", None),
        (None, None),
        ("UTC+25:00", None),
    ],
)
def test_utc_offset(name: str | None, expected: timezone | None) -> None:
    """SEMS+'s `UTC+hh:mm` zones; IANA names are left to the caller."""
    assert utc_offset(name) == expected


def test_devices_single_inverter() -> None:
    """An ISO `addTime`; the status of the device."""
    assert parse_devices(fixture_data("semsplus_device_all_status_inverter.json")) == [
        Device(
            sn="<inverter_serial>",
            kind=DeviceKind.INVERTER,
            device_type="INVERTER",
            name="<inverter_name>",
            model=None,
            subtype="<inverter_subtype>",
            status=1,
            added=date(2026, 1, 1),
        )
    ]


def test_devices_inverter_and_meter() -> None:
    """An unreadable `addTime` (the author's placeholder) is None."""
    assert parse_devices(
        fixture_data("semsplus_device_all_status_inverter_smart_meter.json")
    ) == [
        Device(
            sn="<INVERTER_SN>",
            kind=DeviceKind.INVERTER,
            device_type="INVERTER",
            name="<INVERTER_SN>",
            model=None,
            subtype="grid",
            status=0,
            added=None,
        ),
        Device(
            sn="<METER_SN>",
            kind=DeviceKind.METER,
            device_type="SMART_METER",
            name="<METER_SN>",
            model=None,
            subtype="goodwe",
            status=1,
            added=None,
        ),
    ]


def test_devices_hybrid() -> None:
    """Hybrid inverter, battery rack, dongle; `addTime` in epoch milliseconds."""
    assert parse_devices(fixture_data("semsplus_hybrid_all_status.json")) == [
        Device(
            sn="<inverter_serial>",
            kind=DeviceKind.INVERTER,
            device_type="INVERTER",
            name="Inverter",
            model=None,
            subtype="store",
            status=5,
            added=date(2026, 1, 1),
        ),
        Device(
            sn="<battery_rack_serial>",
            kind=DeviceKind.BATTERY,
            device_type="BATTERY_RACK",
            name="<battery_rack_serial>",
            model=None,
            subtype=None,
            status=0,
            added=date(2026, 1, 1),
        ),
        Device(
            sn="<dongle_serial>",
            kind=DeviceKind.OTHER,
            device_type="DONGLE",
            name="Dongle 1",
            model=None,
            subtype=None,
            status=1,
            added=date(2026, 1, 1),
        ),
    ]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"deviceDetailList": [{"total": 1}]},
        {
            "deviceDetailList": [
                {"deviceType": "INVERTER", "statusDetailList": [{"snList": [1]}]}
            ]
        },
        {
            "deviceDetailList": [
                {"deviceType": "INVERTER", "statusDetailList": [{"status": "on"}]}
            ]
        },
    ],
)
def test_devices_invalid(data: Any) -> None:
    """No device list, a group without a type, a serial that is not text, a garbage status."""
    with pytest.raises(ApiResponseError):
        parse_devices(data)


def test_telemetry_grid_inverter() -> None:
    """A grid inverter: pAc 1.064 kW, one MPPT; `ISOLimit` without data is simply unused."""
    assert parse_telemetry(
        fixture_data("semsplus_telemetry_inverter.json")
    ) == Telemetry(
        **NO_TELEMETRY
        | {
            "ac_power_w": 1064.0,
            "ac_voltage_v": 233.3,
            "ac_current_a": 4.3,
            "ac_frequency_hz": 49.95,
            "pv_strings": (
                PvString(1, voltage_v=319.8, current_a=3.1, power_w=991.38),
            ),
            "temperature_c": 29.2,
        }
    )


def test_telemetry_hybrid_inverter() -> None:
    """Two MPPTs and `pDc`; no `Fac` in this capture: unknown."""
    assert parse_telemetry(
        fixture_data("semsplus_hybrid_inverter_telemetry.json")
    ) == Telemetry(
        **NO_TELEMETRY
        | {
            "ac_power_w": 897.0,
            "ac_voltage_v": 244.1,
            "ac_current_a": 6.0,
            "pv_power_w": 77.6,
            "pv_strings": (
                PvString(1, voltage_v=131.7, current_a=0.0, power_w=0.0),
                PvString(2, voltage_v=194.0, current_a=0.4, power_w=77.6),
            ),
            "temperature_c": 53.7,
        }
    )


def test_telemetry_smart_meter() -> None:
    """`totalPac` −1.154 kW, with SEMS+'s sign."""
    assert parse_telemetry(
        fixture_data("semsplus_telemetry_smart_meter.json")
    ) == Telemetry(**NO_TELEMETRY | {"ac_power_w": -1154.0})


def test_telemetry_battery_system() -> None:
    """BAT_SYS: soc, soh, pBat, voltage, current `a`, `batSysTemp`."""
    assert parse_telemetry(
        fixture_data("semsplus_hybrid_bat_sys_telemetry.json")
    ) == Telemetry(
        **NO_TELEMETRY
        | {
            "temperature_c": 23.9,
            "battery_power_w": 796.08,
            "battery_voltage_v": 331.7,
            "battery_current_a": 2.4,
            "battery_soc": 99.0,
            "battery_soh": 100.0,
        }
    )


def test_telemetry_battery_rack() -> None:
    """BATTERY_RACK (data only): no current nor temperature factor: unknown."""
    assert parse_telemetry(
        load_fixture("semsplus_DATAONLY_telemetry_battery_rack_tgxn.json")
    ) == Telemetry(
        **NO_TELEMETRY
        | {
            "battery_power_w": 250.0,
            "battery_voltage_v": 380.0,
            "battery_soc": 50.0,
            "battery_soh": 100.0,
        }
    )


def _factors(*factors: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"code": "ac", "factors": list(factors)}]


def test_telemetry_units_and_missing() -> None:
    """A power in W is taken as is; `null` and `""` are unknown."""
    parsed = parse_telemetry(
        _factors(
            {"code": "pAc", "data": "850", "unit": "W"},
            {"code": "Vac", "data": None, "unit": "V"},
            {"code": "Iac", "data": "", "unit": "A"},
        )
    )
    assert (parsed.ac_power_w, parsed.ac_voltage_v, parsed.ac_current_a) == (
        850.0,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "no factor group"),
        ({}, "expected a JSON array"),
        (_factors({"code": "pAc", "data": "1", "unit": "MW"}), "pAc is in 'MW'"),
        (_factors({"code": "pAc", "data": "on", "unit": "kW"}), "pAc is not a number"),
        (_factors({"data": "1"}), "a factor has no code"),
    ],
)
def test_telemetry_invalid(payload: Any, message: str) -> None:
    """An empty answer, a changed unit, garbage: an invalid response naming what changed."""
    with pytest.raises(ApiResponseError, match=message):
        parse_telemetry(payload)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "semsplus_telecounting_inverter.json",
            Counters(12345.67, None, None, None, None),
        ),
        (
            "semsplus_hybrid_inverter_telecounting.json",
            Counters(7492.4, 7587.8, 7309.0, None, None),
        ),
        (
            "semsplus_telecounting_smart_meter.json",
            Counters(None, None, None, 20314.77, 38846.49),
        ),
    ],
)
def test_counters(name: str, expected: Counters) -> None:
    """Lifetime kWh; the meter's `proPurchaseStatsTotal` is import, `proGridStatsTotal` export."""
    assert parse_counters(fixture_data(name)) == expected


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            [
                {
                    "code": "telecounting_today",
                    "factors": [{"code": "proPvStatsToday", "data": "1"}],
                }
            ],
            "none of proPvStatsTotal",
        ),
        (
            [
                {
                    "code": "x",
                    "factors": [{"code": "proPvStatsTotal", "data": "1", "unit": "Wh"}],
                }
            ],
            "proPvStatsTotal is in 'Wh'",
        ),
    ],
)
def test_counters_invalid(payload: Any, message: str) -> None:
    """No lifetime counter, or a counter in another unit."""
    with pytest.raises(ApiResponseError, match=message):
        parse_counters(payload)


def test_statistics_day() -> None:
    """PV is proSystemTotalStats (31.4), not the summary's AC `production` (27.0)."""
    assert parse_statistics(
        fixture_data("semsplus_hybrid_statistics_day.json"), Dimension.DAY
    ) == [
        StatisticsBucket(
            start=date(2026, 9, 24),
            dimension=Dimension.DAY,
            pv_kwh=31.4,
            consumption_kwh=29.01,
            grid_import_kwh=17.57,
            grid_export_kwh=9.76,
            battery_charge_kwh=20.3,
            battery_discharge_kwh=12.8,
        )
    ]


def test_statistics_year() -> None:
    """A `year` bucket starts on 1 January."""
    assert parse_statistics(
        fixture_data("semsplus_hybrid_statistics_year_2026.json"), Dimension.YEAR
    ) == [
        StatisticsBucket(
            start=date(2026, 1, 1),
            dimension=Dimension.YEAR,
            pv_kwh=6791.0,
            consumption_kwh=14537.51,
            grid_import_kwh=9216.08,
            grid_export_kwh=388.67,
            battery_charge_kwh=7587.8,
            battery_discharge_kwh=7309.0,
        )
    ]


def test_statistics_several_days_and_a_missing_item() -> None:
    """Buckets sorted by day; an item absent for one day is None there, not 0."""
    data = {
        "dataList": [
            {
                "item": "proSystemTotalStats",
                "unit": "kWh",
                "statisticsList": [
                    {"date": "2026-09-02", "val": "2.5"},
                    {"date": "2026-09-01", "val": 1},
                ],
            },
            {
                "item": "proGridStats",
                "unit": "kWh",
                "statisticsList": [{"date": "2026-09-01", "val": 0.5}],
            },
            {"item": "proSelfConsumStats", "unit": "kWh", "statisticsList": []},
        ]
    }
    buckets = parse_statistics(data, Dimension.DAY)
    assert [(b.start, b.pv_kwh, b.grid_export_kwh) for b in buckets] == [
        (date(2026, 9, 1), 1.0, 0.5),
        (date(2026, 9, 2), 2.5, None),
    ]
    month = parse_statistics(
        {
            "dataList": [
                {
                    "item": "proConsumStats",
                    "statisticsList": [{"date": "2026-09", "val": 3}],
                }
            ]
        },
        Dimension.MONTH,
    )
    assert [(b.start, b.consumption_kwh) for b in month] == [(date(2026, 9, 1), 3.0)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "no dataList"),
        ({"dataList": []}, "dataList is empty"),
        ({"dataList": [{"item": "proFoo", "statisticsList": []}]}, "holds none of"),
        (
            {
                "dataList": [
                    {"item": "proGridStats", "unit": "MWh", "statisticsList": []}
                ]
            },
            "is in 'MWh'",
        ),
        (
            {
                "dataList": [
                    {
                        "item": "proGridStats",
                        "statisticsList": [{"date": "2026", "val": 1}],
                    }
                ]
            },
            "not a day bucket",
        ),
        (
            {
                "dataList": [
                    {
                        "item": "proGridStats",
                        "statisticsList": [{"date": "2026-02-30", "val": 1}],
                    }
                ]
            },
            "not a day bucket",
        ),
        (
            {
                "dataList": [
                    {
                        "item": "proGridStats",
                        "statisticsList": [{"date": "2026-02-03", "val": "x"}],
                    }
                ]
            },
            "proGridStats is not a number",
        ),
    ],
)
def test_statistics_invalid(data: Any, message: str) -> None:
    """Nothing usable, a changed unit or date format, garbage: invalid, naming it."""
    with pytest.raises(ApiResponseError, match=message):
        parse_statistics(data, Dimension.DAY)
