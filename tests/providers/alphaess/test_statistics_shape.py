"""AlphaESS hourly statistics: the samples' shape scaled to the exact daily totals (pure)."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
import math
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from custom_components.openpower.api.alphaess import DailyEnergy, PowerSample
from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.pricing import Direction, Pricer
from custom_components.openpower.providers.alphaess import statistics
from custom_components.openpower.providers.alphaess.statistics import (
    QUANTITIES,
    async_import_batch,
    async_import_day,
    day_readings,
    hourly_readings,
    sample_pieces,
    statistic_spec,
)
from custom_components.openpower.statistics import IntervalReading, StatisticSpec

SYDNEY = ZoneInfo("Australia/Sydney")
PARIS = ZoneInfo("Europe/Paris")
ADELAIDE = ZoneInfo("Australia/Adelaide")
DAY = date(2026, 8, 4)
HOUR = timedelta(hours=1)

# Power (W) at a local time: PV, load, battery (+ discharge / − charge).
type Profile = Callable[[datetime], tuple[float, float, float]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration-wide fixture: no recorder, no Home Assistant here."""


def _daily(day: date = DAY, /, **values: Any) -> DailyEnergy:
    """Return the fixture's day (getOneDateEnergyBySn.json), with `values` replaced."""
    fixture = DailyEnergy(
        day=day,
        pv=10.6,
        battery_charge=12.2,
        battery_discharge=7.1,
        grid_charge=9.1,
        grid_import=14.41,
        grid_export=0.42,
        ev=0.0,
    )
    return replace(fixture, **values)


def _sample(
    moment: datetime, pv: float | None, load: float | None, battery: float = 0.0
) -> PowerSample:
    """Return a sample at a naive local time whose grid balances PV, load and battery."""
    grid = (load or 0.0) - (pv or 0.0) - battery
    return PowerSample(
        time=moment,
        pv=pv,
        load=load,
        soc=50.0,
        grid_import=max(grid, 0.0),
        grid_export=max(-grid, 0.0),
        ev=0.0,
    )


def _winter_day(local: datetime) -> tuple[float, float, float]:
    """Sydney in August: grid charging at night, midday PV export, evening discharge."""
    hour = local.hour + local.minute / 60
    pv = 3000 * math.sin(math.pi * (hour - 7) / 10) if 7 <= hour < 17 else 0.0
    load = 1500.0 if 17 <= hour < 22 else 800.0 if 7 <= hour < 9 else 400.0
    if 1 <= hour < 4:
        battery = -3000.0
    elif 17 <= hour < 23:
        battery = min(load, 1300.0)
    elif pv > load:
        battery = -min(pv - load, 1500.0)
    else:
        battery = 0.0
    return pv, load, battery


def _summer_day(local: datetime) -> tuple[float, float, float]:
    """Paris in June: long PV day, battery full by noon, export all afternoon."""
    hour = local.hour + local.minute / 60
    pv = 5200 * math.sin(math.pi * (hour - 5.5) / 16) if 5.5 <= hour < 21.5 else 0.0
    load = 2200.0 if 19 <= hour < 23 else 350.0
    if 8 <= hour < 12:
        battery = -min(max(pv - load, 0.0), 2500.0)
    elif hour >= 20 or hour < 2:
        battery = min(load, 1800.0)
    else:
        battery = 0.0
    return pv, load, battery


def _day_samples(
    day: date, zone: ZoneInfo, profile: Profile = _winter_day
) -> list[PowerSample]:
    """Every 5 minutes of the local day, at naive wall-clock times as AlphaESS sends them."""
    moment = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    samples = []
    while moment < end:
        local = moment.astimezone(zone)
        samples.append(_sample(local.replace(tzinfo=None, fold=0), *profile(local)))
        moment += timedelta(minutes=5)
    return samples


def _values(readings: Sequence[IntervalReading]) -> list[float]:
    return [reading.value for reading in readings]


def _starts(readings: Sequence[IntervalReading]) -> list[str]:
    return [reading.start.isoformat() for reading in readings]


def test_quantities() -> None:
    assert QUANTITIES == (
        "pv",
        "grid_import",
        "grid_export",
        "battery_charge",
        "battery_discharge",
        "load",
    )


@pytest.mark.parametrize(
    ("quantity", "statistic_id", "name"),
    [
        ("pv", "openpower:alphaess_al70110230306xx_pv", "solar production"),
        (
            "grid_import",
            "openpower:alphaess_al70110230306xx_grid_import",
            "grid import",
        ),
        (
            "grid_export",
            "openpower:alphaess_al70110230306xx_grid_export",
            "grid export",
        ),
        (
            "battery_charge",
            "openpower:alphaess_al70110230306xx_battery_charge",
            "battery charge",
        ),
        (
            "battery_discharge",
            "openpower:alphaess_al70110230306xx_battery_discharge",
            "battery discharge",
        ),
        ("load", "openpower:alphaess_al70110230306xx_load", "load"),
    ],
)
def test_statistic_spec(quantity: str, statistic_id: str, name: str) -> None:
    spec = statistic_spec("AL70110230306xx", quantity)
    assert spec == StatisticSpec(
        provider="alphaess",
        point="al70110230306xx",
        quantity=quantity,
        name=f"AlphaESS AL70110230306xx {name}",
        unit="kWh",
        unit_class="energy",
    )
    assert spec.statistic_id == statistic_id


def test_statistic_spec_unknown_quantity() -> None:
    with pytest.raises(ValueError, match="'ev' is not an AlphaESS quantity"):
        statistic_spec("AL70110230306xx", "ev")


@pytest.mark.parametrize(
    ("zone", "day", "profile", "daily", "hours"),
    [
        pytest.param(SYDNEY, DAY, _winter_day, {}, 24, id="sydney-fixture-day"),
        pytest.param(
            SYDNEY,
            date(2026, 4, 5),
            _winter_day,
            {"pv": 13.37, "grid_export": 1.1, "battery_discharge": 6.93},
            25,
            id="sydney-dst-end",
        ),
        pytest.param(
            SYDNEY,
            date(2026, 10, 4),
            _winter_day,
            {"pv": 17.03, "grid_import": 9.99, "battery_charge": 11.7},
            23,
            id="sydney-dst-start",
        ),
        pytest.param(
            PARIS,
            date(2026, 6, 21),
            _summer_day,
            {
                "pv": 41.73,
                "grid_import": 0.3,
                "grid_export": 22.17,
                "battery_charge": 9.81,
                "battery_discharge": 9.2,
                "grid_charge": 0.0,
            },
            24,
            id="paris-summer",
        ),
        pytest.param(
            PARIS,
            date(2026, 3, 29),
            _summer_day,
            {"pv": 0.1, "grid_export": 0.2, "battery_charge": 0.3},
            23,
            id="paris-dst-start",
        ),
        pytest.param(
            PARIS,
            date(2026, 10, 25),
            _summer_day,
            {"pv": 7.77, "grid_import": 3.33, "grid_export": 1e-3},
            25,
            id="paris-dst-end",
        ),
        pytest.param(
            ADELAIDE,
            DAY,
            _winter_day,
            {"pv": 9.87, "grid_import": 15.02},
            24,
            id="adelaide",
        ),
        pytest.param(
            ADELAIDE,
            date(2026, 4, 5),
            _winter_day,
            {"pv": 12.34},
            25,
            id="adelaide-dst-end",
        ),
    ],
)
def test_hours_sum_exactly_to_the_day(
    zone: ZoneInfo,
    day: date,
    profile: Profile,
    daily: dict[str, float],
    hours: int,
) -> None:
    energy = _daily(day, **daily)
    readings = hourly_readings(day, zone, _day_samples(day, zone, profile), energy)
    totals = {
        "pv": energy.pv,
        "grid_import": energy.grid_import,
        "grid_export": energy.grid_export,
        "battery_charge": energy.battery_charge,
        "battery_discharge": energy.battery_discharge,
        "load": energy.load,
    }
    assert list(readings) == list(QUANTITIES)
    for quantity, quantity_readings in readings.items():
        values = _values(quantity_readings)
        assert math.fsum(values) == totals[quantity], quantity
        assert sum(values) == totals[quantity], quantity
        assert min(values) >= 0.0
        assert len(quantity_readings) == hours
        assert quantity_readings[0].start == datetime.combine(day, time(), zone)
        assert all(reading.start.tzinfo is zone for reading in quantity_readings)
        assert sum((r.duration for r in quantity_readings), timedelta()) == timedelta(
            hours=hours
        )


def test_shape_of_a_realistic_day() -> None:
    readings = hourly_readings(DAY, SYDNEY, _day_samples(DAY, SYDNEY), _daily())
    pv = _values(readings["pv"])
    assert pv[:7] == [0.0] * 7
    assert pv[17:] == [0.0] * 7
    # Hour 12's share of the day's PV is its share of the samples' energy.
    sample_pv = [
        sum(
            _winter_day(datetime(2026, 8, 4, hour, minute))[0]
            for minute in range(0, 60, 5)
        )
        for hour in range(24)
    ]
    assert pv[12] == pytest.approx(10.6 * sample_pv[12] / sum(sample_pv), rel=1e-12)
    export = _values(readings["grid_export"])
    assert [hour for hour, value in enumerate(export) if value] == list(range(9, 15))
    discharge = _values(readings["battery_discharge"])
    assert [hour for hour, value in enumerate(discharge) if value] == list(
        range(17, 23)
    )
    # The battery gives 1300 W from 17:00 to 22:00, then the 400 W load until 23:00.
    assert discharge[17:23] == pytest.approx(
        [7.1 * 1300 / 6900] * 5 + [7.1 * 400 / 6900], rel=1e-12
    )
    charge = _values(readings["battery_charge"])
    # From the grid at night, then the PV above the load (samples 07:55 to 16:30).
    charged = [1, 2, 3, *range(7, 17)]
    assert [hour for hour, value in enumerate(charge) if value] == charged
    # Load is never 0: every hour has a reading and a value.
    assert all(_values(readings["load"]))


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        pytest.param(
            SYDNEY,
            date(2026, 4, 5),
            [
                "2026-04-05T00:00:00+11:00",
                "2026-04-05T01:00:00+11:00",
                "2026-04-05T02:00:00+11:00",
                "2026-04-05T02:00:00+10:00",
                "2026-04-05T03:00:00+10:00",
            ],
            id="sydney-25",
        ),
        pytest.param(
            SYDNEY,
            date(2026, 10, 4),
            [
                "2026-10-04T00:00:00+10:00",
                "2026-10-04T01:00:00+10:00",
                "2026-10-04T03:00:00+11:00",
                "2026-10-04T04:00:00+11:00",
                "2026-10-04T05:00:00+11:00",
            ],
            id="sydney-23",
        ),
        pytest.param(
            PARIS,
            date(2026, 3, 29),
            [
                "2026-03-29T00:00:00+01:00",
                "2026-03-29T01:00:00+01:00",
                "2026-03-29T03:00:00+02:00",
                "2026-03-29T04:00:00+02:00",
                "2026-03-29T05:00:00+02:00",
            ],
            id="paris-23",
        ),
        pytest.param(
            PARIS,
            date(2026, 10, 25),
            [
                "2026-10-25T00:00:00+02:00",
                "2026-10-25T01:00:00+02:00",
                "2026-10-25T02:00:00+02:00",
                "2026-10-25T02:00:00+01:00",
                "2026-10-25T03:00:00+01:00",
            ],
            id="paris-25",
        ),
        pytest.param(
            ADELAIDE,
            date(2026, 4, 5),
            [
                "2026-04-05T00:00:00+10:30",
                "2026-04-05T01:00:00+10:30",
                "2026-04-05T02:00:00+10:30",
                "2026-04-05T02:00:00+09:30",
                "2026-04-05T03:00:00+09:30",
            ],
            id="adelaide-25",
        ),
    ],
)
def test_dst_day_hours(zone: ZoneInfo, day: date, expected: list[str]) -> None:
    # A steady 1200 W load: each real hour has 12 samples, so every hour gets the same share,
    # the repeated hour's second occurrence included.
    samples = _day_samples(day, zone, lambda _local: (0.0, 1200.0, 0.0))
    energy = _daily(
        day,
        pv=0.0,
        grid_import=26.4,
        grid_export=0.0,
        battery_charge=0.0,
        battery_discharge=0.0,
    )
    load = hourly_readings(day, zone, samples, energy)["load"]
    assert _starts(load)[:5] == expected
    assert _values(load) == pytest.approx([26.4 / len(load)] * len(load), rel=1e-12)
    assert [reading.duration for reading in load] == [HOUR] * len(load)


def test_half_hour_zone_counts_local_hours() -> None:
    # 10:55 and 11:05 in Adelaide are 01:25Z and 01:35Z: one UTC hour, two local ones.
    samples = [
        _sample(datetime(2026, 8, 4, 10, 55), pv=1000.0, load=0.0),
        _sample(datetime(2026, 8, 4, 11, 5), pv=1000.0, load=0.0),
    ]
    pv = hourly_readings(DAY, ADELAIDE, samples, _daily())["pv"]
    assert _starts(pv)[10:12] == [
        "2026-08-04T10:00:00+09:30",
        "2026-08-04T11:00:00+09:30",
    ]
    values = _values(pv)
    assert values[10:12] == pytest.approx([5.3, 5.3], rel=1e-12)
    assert values[:10] + values[12:] == [0.0] * 22
    assert math.fsum(values) == 10.6


@pytest.mark.parametrize(
    "samples",
    [
        pytest.param([], id="no-samples"),
        pytest.param(
            [
                _sample(datetime(2026, 8, 4, hour), pv=0.0, load=0.0)
                for hour in range(24)
            ],
            id="all-zero",
        ),
        pytest.param(
            [
                _sample(datetime(2026, 8, 4, 0, minute), pv=0.0, load=300.0)
                for minute in (0, 5)
            ],
            id="gap",
        ),
    ],
)
def test_no_shape_puts_the_day_in_its_first_hour(samples: list[PowerSample]) -> None:
    readings = hourly_readings(DAY, SYDNEY, samples, _daily())
    # The day at its first hour and 0 in every other one: read again without its samples,
    # the day replaces every hour stored for it (one reading would leave them, and count twice).
    assert readings["pv"] == [
        IntervalReading(
            start=datetime(2026, 8, 4, hour, tzinfo=SYDNEY),
            duration=HOUR,
            value=10.6 if hour == 0 else 0.0,
        )
        for hour in range(24)
    ]
    assert readings["grid_export"] == [
        IntervalReading(
            start=datetime(2026, 8, 4, hour, tzinfo=SYDNEY),
            duration=HOUR,
            value=0.42 if hour == 0 else 0.0,
        )
        for hour in range(24)
    ]


def test_no_shape_on_a_25_hour_day_covers_it() -> None:
    day = date(2026, 4, 5)
    readings = hourly_readings(day, SYDNEY, [], _daily(day))
    # Sydney's 2026-04-05 starts at 13:00Z the day before and has 25 real hours. (Compared
    # in UTC: Python never finds the repeated hour equal across zones, PEP 495.)
    first = datetime(2026, 4, 4, 13, tzinfo=UTC)
    assert [
        (reading.start.astimezone(UTC), reading.duration, reading.value)
        for reading in readings["load"]
    ] == [
        (first + hour * HOUR, HOUR, 19.49 if hour == 0 else 0.0) for hour in range(25)
    ]
    assert _starts(readings["load"])[2:4] == [
        "2026-04-05T02:00:00+11:00",
        "2026-04-05T02:00:00+10:00",
    ]


def test_zero_day_without_samples_is_zero_every_hour() -> None:
    readings = hourly_readings(DAY, SYDNEY, [], _daily(grid_export=0.0))
    assert readings["grid_export"] == [
        IntervalReading(
            start=datetime(2026, 8, 4, hour, tzinfo=SYDNEY), duration=HOUR, value=0.0
        )
        for hour in range(24)
    ]


def test_zero_day_with_samples_is_zero_every_hour() -> None:
    samples = _day_samples(DAY, SYDNEY)
    readings = hourly_readings(DAY, SYDNEY, samples, _daily(grid_export=0.0, pv=0.0))
    # The samples show export and PV, but the day's totals win: every hour 0.
    assert _values(readings["grid_export"]) == [0.0] * 24
    assert _values(readings["pv"]) == [0.0] * 24
    assert _starts(readings["pv"])[0] == "2026-08-04T00:00:00+10:00"


def test_unknown_daily_values_are_left_out() -> None:
    readings = hourly_readings(
        DAY, SYDNEY, _day_samples(DAY, SYDNEY), _daily(grid_export=None, pv=None)
    )
    # Load is the balance of the others: unknown with them.
    assert list(readings) == ["grid_import", "battery_charge", "battery_discharge"]


def test_samples_outside_the_day_are_ignored() -> None:
    samples = _day_samples(DAY, SYDNEY)
    outside = [
        _sample(datetime(2026, 8, 3, 23, 55), pv=9000.0, load=9000.0, battery=-4000.0),
        _sample(datetime(2026, 8, 5, 0, 0), pv=9000.0, load=9000.0, battery=4000.0),
        _sample(datetime(2026, 8, 5, 12, 0), pv=9000.0, load=100.0),
    ]
    assert hourly_readings(DAY, SYDNEY, outside + samples + outside, _daily()) == (
        hourly_readings(DAY, SYDNEY, samples, _daily())
    )


def test_unknown_sample_fields_count_as_nothing() -> None:
    samples = [
        _sample(datetime(2026, 8, 4, 10), pv=None, load=600.0, battery=-300.0),
        _sample(datetime(2026, 8, 4, 11), pv=1000.0, load=600.0, battery=-300.0),
    ]
    readings = hourly_readings(DAY, SYDNEY, samples, _daily())
    pv = _values(readings["pv"])
    assert pv[11] == 10.6
    assert pv[:11] + pv[12:] == [0.0] * 23
    # Without PV the first sample implies no battery power either.
    charge = _values(readings["battery_charge"])
    assert charge[11] == 12.2
    assert charge[:11] + charge[12:] == [0.0] * 23
    assert _values(readings["load"])[10:12] == pytest.approx([19.49 / 2] * 2, rel=1e-12)


def test_battery_splits_into_charge_and_discharge() -> None:
    samples = [
        _sample(datetime(2026, 8, 4, 12), pv=3000.0, load=500.0, battery=-2000.0),
        _sample(datetime(2026, 8, 4, 19), pv=0.0, load=1500.0, battery=1000.0),
        _sample(datetime(2026, 8, 4, 20), pv=0.0, load=1500.0, battery=3000.0),
    ]
    readings = hourly_readings(DAY, SYDNEY, samples, _daily())
    charge = _values(readings["battery_charge"])
    assert charge[12] == 12.2
    assert charge[:12] + charge[13:] == [0.0] * 23
    discharge = _values(readings["battery_discharge"])
    assert discharge[19:21] == pytest.approx([7.1 / 4, 7.1 * 3 / 4], rel=1e-12)
    assert discharge[:19] + discharge[21:] == [0.0] * 22
    assert math.fsum(discharge) == 7.1


def test_negative_sample_power_counts_as_nothing() -> None:
    # Inverters report a few watts of standby draw as negative PV at night.
    samples = [
        _sample(datetime(2026, 8, 4, 2), pv=-8.0, load=400.0),
        _sample(datetime(2026, 8, 4, 13), pv=2000.0, load=400.0),
    ]
    pv = _values(hourly_readings(DAY, SYDNEY, samples, _daily())["pv"])
    assert pv[13] == 10.6
    assert pv[2] == 0.0


def test_a_repeated_sample_counts_once() -> None:
    sample = _sample(datetime(2026, 8, 4, 10), pv=1000.0, load=0.0)
    samples = [sample, sample, _sample(datetime(2026, 8, 4, 11), pv=1000.0, load=0.0)]
    pv = _values(hourly_readings(DAY, SYDNEY, samples, _daily())["pv"])
    assert pv[10:12] == pytest.approx([5.3, 5.3], rel=1e-12)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pv", -0.1),
        ("grid_import", -2.0),
        ("grid_export", -0.01),
        ("battery_charge", -1.0),
        ("battery_discharge", -7.1),
        ("pv", math.nan),
    ],
)
def test_negative_daily_value_is_malformed(field: str, value: float) -> None:
    with pytest.raises(ApiResponseError, match="not an energy"):
        hourly_readings(
            DAY, SYDNEY, _day_samples(DAY, SYDNEY), _daily(**{field: value})
        )


def test_daily_energy_of_another_day_is_refused() -> None:
    with pytest.raises(ValueError, match="energy of 2026-08-03 given for 2026-08-04"):
        hourly_readings(DAY, SYDNEY, [], _daily(date(2026, 8, 3)))


def _grid(local: datetime, profile: Profile = _winter_day) -> tuple[float, float]:
    """Grid import and export power (W) of a sample of `_day_samples` at a local time."""
    pv, load, battery = profile(local)
    grid = load - pv - battery
    return max(grid, 0.0), max(-grid, 0.0)


def _by_hour(
    pieces: Sequence[IntervalReading],
) -> dict[datetime, list[IntervalReading]]:
    hours: dict[datetime, list[IntervalReading]] = {}
    for piece in pieces:
        hour = piece.start.astimezone(SYDNEY).replace(minute=0)
        hours.setdefault(hour, []).append(piece)
    return hours


def test_pieces_spread_each_hour_over_its_samples() -> None:
    samples = _day_samples(DAY, SYDNEY)
    readings = day_readings(DAY, SYDNEY, samples, _daily())
    assert list(readings.pieces) == ["grid_import", "grid_export"]
    for index, quantity in enumerate(("grid_import", "grid_export")):
        hours = {r.start: r.value for r in readings.hours[quantity]}
        by_hour = _by_hour(readings.pieces[quantity])
        # Only hours with energy have pieces.
        assert sorted(by_hour) == sorted(
            start for start, value in hours.items() if value
        )
        for hour, pieces in by_hour.items():
            assert [piece.start for piece in pieces] == [
                hour + timedelta(minutes=minute) for minute in range(0, 60, 5)
            ]
            assert {piece.duration for piece in pieces} == {timedelta(minutes=5)}
            power = [
                _grid(hour.replace(minute=minute))[index] for minute in range(0, 60, 5)
            ]
            assert [piece.value for piece in pieces] == pytest.approx(
                [hours[hour] * watts / sum(power) for watts in power], rel=1e-12
            )
            assert math.fsum(p.value for p in pieces) == pytest.approx(
                hours[hour], rel=1e-12
            )
    # 01:00–04:00 the battery charges from the grid at 3000 W over a 400 W load.
    night = _by_hour(readings.pieces["grid_import"])[
        datetime(2026, 8, 4, 2, tzinfo=SYDNEY)
    ]
    assert [piece.value for piece in night] == pytest.approx(
        [readings.hours["grid_import"][2].value / 12] * 12, rel=1e-12
    )


def test_pieces_follow_the_samples_5_minutes() -> None:
    """A sample uploaded 4 min 17 s into its 5 minutes is a piece of those 5 minutes.

    The hour's last sample (…:59:17) stays in its hour, as it does for the hourly energy; a
    missing sample leaves its 5 minutes a piece of nothing.
    """
    samples = [
        _sample(datetime(2026, 8, 4, 2, minute, 17), pv=0.0, load=100.0 * (minute + 1))
        for minute in range(4, 60, 5)
        if minute != 24
    ]
    readings = day_readings(DAY, SYDNEY, samples, _daily())
    hour = readings.hours["grid_import"][2]
    assert hour.value == 14.41
    pieces = readings.pieces["grid_import"]
    assert [piece.start for piece in pieces] == [
        datetime(2026, 8, 4, 2, minute, tzinfo=SYDNEY) for minute in range(0, 60, 5)
    ]
    weights = [0.0 if minute == 24 else minute + 1.0 for minute in range(4, 60, 5)]
    assert [piece.value for piece in pieces] == pytest.approx(
        [14.41 * weight / sum(weights) for weight in weights], rel=1e-12
    )
    assert pieces[4].value == 0.0
    # No export in any sample: the day has no shape for it, and no pieces.
    assert "grid_export" not in readings.pieces


def test_pieces_of_a_half_hour_zone_start_at_its_local_hours() -> None:
    samples = [
        _sample(datetime(2026, 8, 4, 10, minute), pv=0.0, load=500.0)
        for minute in range(0, 60, 5)
    ]
    pieces = sample_pieces(
        DAY, ADELAIDE, samples, hourly_readings(DAY, ADELAIDE, samples, _daily())
    )["grid_import"]
    assert pieces[0].start.astimezone(UTC) == datetime(2026, 8, 4, 0, 30, tzinfo=UTC)
    assert pieces[-1].start.astimezone(UTC) == datetime(2026, 8, 4, 1, 25, tzinfo=UTC)
    assert [piece.value for piece in pieces] == pytest.approx([14.41 / 12] * 12)


def test_pieces_of_a_dst_day() -> None:
    """Sydney's 23-hour day: every hour with energy is cut in its twelve 5 minutes."""
    day = date(2026, 10, 4)
    readings = day_readings(day, SYDNEY, _day_samples(day, SYDNEY), _daily(day))
    assert len(readings.hours["grid_import"]) == 23
    for quantity in ("grid_import", "grid_export"):
        hours = {r.start: r for r in readings.hours[quantity] if r.value}
        pieces = readings.pieces[quantity]
        assert len(pieces) == 12 * len(hours)
        for start, reading in hours.items():
            inside = [p for p in pieces if start <= p.start < start + reading.duration]
            assert len(inside) == 12
            assert math.fsum(p.value for p in inside) == pytest.approx(
                reading.value, rel=1e-12
            )


def test_unknown_priced_quantity_has_no_pieces() -> None:
    readings = day_readings(
        DAY, SYDNEY, _day_samples(DAY, SYDNEY), _daily(grid_export=None)
    )
    assert list(readings.pieces) == ["grid_import"]


class RecordingPricer:
    """A pricer that records what it is asked to import (no recorder, no prices)."""

    hass: Any = None

    def __init__(self, calls: list[tuple[str, list[IntervalReading]]]) -> None:
        """Record into the same list as the unpriced imports."""
        self.calls = calls
        self.priced: list[tuple[str, Direction, list[IntervalReading]]] = []

    async def async_import(
        self,
        spec: StatisticSpec,
        readings: Any,
        *,
        direction: Direction,
        profile: Any = (),
    ) -> None:
        """Record the import, its direction and its profile."""
        self.calls.append((spec.statistic_id, list(readings)))
        self.priced.append((spec.statistic_id, direction, list(profile)))


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[IntervalReading]]]:
    """Record `statistics.async_import` calls instead of touching a recorder."""
    calls: list[tuple[str, list[IntervalReading]]] = []

    async def _record(_hass: Any, spec: StatisticSpec, readings: Any) -> None:
        calls.append((spec.statistic_id, list(readings)))

    monkeypatch.setattr(statistics, "async_import", _record)
    return calls


@pytest.fixture
def pricer(imports: list[tuple[str, list[IntervalReading]]]) -> RecordingPricer:
    """The pricer the batch hands grid import and export to, recording with `imports`."""
    return RecordingPricer(imports)


def _as_pricer(pricer: RecordingPricer) -> Pricer:
    return cast("Pricer", pricer)


async def test_batch_imports_each_quantity_once(
    imports: list[tuple[str, list[IntervalReading]]], pricer: RecordingPricer
) -> None:
    days = [date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)]
    by_day = {
        day: day_readings(day, SYDNEY, _day_samples(day, SYDNEY), _daily(day))
        for day in reversed(days)
    }
    await async_import_batch(_as_pricer(pricer), "AL70110230306xx", by_day)
    assert [statistic_id for statistic_id, _ in imports] == [
        f"openpower:alphaess_al70110230306xx_{quantity}" for quantity in QUANTITIES
    ]
    for _, readings in imports:
        assert len(readings) == 72
        assert readings[0].start == datetime(2026, 8, 3, tzinfo=SYDNEY)
        assert readings[-1].start == datetime(2026, 8, 5, 23, tzinfo=SYDNEY)
    # Grid import and export go through the pricer, with the pieces of their three days.
    assert [
        (statistic_id, direction) for statistic_id, direction, _ in pricer.priced
    ] == [
        ("openpower:alphaess_al70110230306xx_grid_import", Direction.IMPORT),
        ("openpower:alphaess_al70110230306xx_grid_export", Direction.EXPORT),
    ]
    for (statistic_id, _, profile), quantity in zip(
        pricer.priced, ("grid_import", "grid_export"), strict=True
    ):
        expected = [piece for day in days for piece in by_day[day].pieces[quantity]]
        assert profile == expected, statistic_id
        assert {piece.start.date() for piece in profile} >= {days[0], days[-1]}


async def test_batch_leaves_unknown_days_alone(
    imports: list[tuple[str, list[IntervalReading]]], pricer: RecordingPricer
) -> None:
    by_day = {
        date(2026, 8, 3): day_readings(
            date(2026, 8, 3), SYDNEY, [], _daily(date(2026, 8, 3))
        ),
        date(2026, 8, 4): day_readings(DAY, SYDNEY, [], _daily(pv=None)),
        date(2026, 8, 5): day_readings(
            date(2026, 8, 5), SYDNEY, [], _daily(date(2026, 8, 5))
        ),
        # 2026-08-06 was not read: the run breaks there too.
        date(2026, 8, 7): day_readings(
            date(2026, 8, 7), SYDNEY, [], _daily(date(2026, 8, 7))
        ),
    }
    await async_import_batch(_as_pricer(pricer), "AL70110230306xx", by_day)

    def hours_of(*days: int) -> list[str]:
        return [
            datetime(2026, 8, day, hour, tzinfo=SYDNEY).isoformat()
            for day in days
            for hour in range(24)
        ]

    pv = [
        readings for statistic_id, readings in imports if statistic_id.endswith("_pv")
    ]
    assert [_starts(readings) for readings in pv] == [
        hours_of(3),
        hours_of(5),
        hours_of(7),
    ]
    assert [_values(readings) for readings in pv] == [[10.6] + [0.0] * 23] * 3
    grid_import = [
        readings
        for statistic_id, readings in imports
        if statistic_id.endswith("_grid_import")
    ]
    assert [_starts(readings) for readings in grid_import] == [
        hours_of(3, 4, 5),
        hours_of(7),
    ]
    assert [_values(readings) for readings in grid_import] == [
        ([14.41] + [0.0] * 23) * 3,
        [14.41] + [0.0] * 23,
    ]
    # PV and load (the balance of PV) in three runs, the four others in two.
    assert len(imports) == 3 + 3 + 4 * 2
    # Days without samples have no shape: no pieces, each day priced at its first hour.
    assert [profile for _, _, profile in pricer.priced] == [[]] * 4


async def test_import_day(
    imports: list[tuple[str, list[IntervalReading]]], pricer: RecordingPricer
) -> None:
    await async_import_day(
        _as_pricer(pricer),
        "AL70110230306xx",
        DAY,
        SYDNEY,
        _day_samples(DAY, SYDNEY),
        _daily(grid_export=None),
    )
    assert [(statistic_id, len(readings)) for statistic_id, readings in imports] == [
        ("openpower:alphaess_al70110230306xx_pv", 24),
        ("openpower:alphaess_al70110230306xx_grid_import", 24),
        ("openpower:alphaess_al70110230306xx_battery_charge", 24),
        ("openpower:alphaess_al70110230306xx_battery_discharge", 24),
    ]
    assert [
        (statistic_id, direction) for statistic_id, direction, _ in pricer.priced
    ] == [("openpower:alphaess_al70110230306xx_grid_import", Direction.IMPORT)]
