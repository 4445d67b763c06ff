"""Enedis measures: every captured measure payload, both shapes, DST days, the v5/2026 pair."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from custom_components.openpower.api.enedis import (
    DailyReading,
    Direction,
    LoadCurvePoint,
    MaxPower,
)
from custom_components.openpower.api.enedis.measures import (
    parse_daily,
    parse_duration,
    parse_load_curve,
    parse_max_power,
)
from custom_components.openpower.api.errors import ApiResponseError

from .common import load_fixture

CONS = Direction.CONSUMPTION
PROD = Direction.PRODUCTION
HALF_HOUR = timedelta(minutes=30)


def _energy_by_local_day(points: list[LoadCurvePoint]) -> dict[str, float]:
    """Sum a curve by the Paris day of each interval's start (offsets written out by hand)."""
    days: dict[str, float] = {}
    for point in points:
        # Both captured curves lie in summer time (UTC+2).
        day = (point.start + timedelta(hours=2)).date().isoformat()
        days[day] = days.get(day, 0.0) + point.energy_wh
    return days


# ---- daily ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "direction", "expected"),
    [
        (
            "conso_api_daily_consumption_2023-04-01_2023-04-04.json",
            CONS,
            [("2023-04-01", 11776), ("2023-04-02", 14401), ("2023-04-03", 12820)],
        ),
        (
            "conso_api_daily_consumption_2023-04-01_2023-04-02.json",
            CONS,
            [("2023-04-01", 11776)],
        ),
        (
            "conso_api_daily_production_2023-04-01_2023-04-04.json",
            PROD,
            [("2023-04-01", 643), ("2023-04-02", 6), ("2023-04-03", 15411)],
        ),
        (
            "conso_api_daily_production_2023-04-01_2023-04-02.json",
            PROD,
            [("2023-04-01", 643)],
        ),
        (
            "dc2026_mesure_consommation_quotidienne_med.json",
            CONS,
            [("2026-09-29", 33495), ("2026-09-30", 38022)],
        ),
        (
            "dc2026_mesure_production_quotidienne_med.json",
            PROD,
            [("2026-09-29", 8263), ("2026-09-30", 941)],
        ),
        (
            "v5_sandbox_daily_consumption_22516914714270_wrapped.json",
            CONS,
            [
                ("2021-09-14", 49171),
                ("2021-09-15", 44101),
                ("2021-09-16", 38218),
                ("2021-09-17", 39894),
                ("2021-09-18", 34943),
                ("2021-09-19", 26429),
                ("2021-09-20", 38000),
                ("2021-09-21", 34589),
            ],
        ),
    ],
)
def test_daily_fixtures(
    fixture: str, direction: Direction, expected: list[tuple[str, int]]
) -> None:
    """Daily energies in Wh, by local date, in the direction asked."""
    assert parse_daily(load_fixture(fixture), direction) == [
        DailyReading(date.fromisoformat(day), float(wh), direction)
        for day, wh in expected
    ]


def test_med_daily_year() -> None:
    """MyElectricalData's year of daily values (v5 shape under `meter_reading`)."""
    readings = parse_daily(load_fixture("med_v1_daily_consumption.json"), CONS)
    assert len(readings) == 365
    assert readings[0] == DailyReading(date(2022, 3, 8), 42045.0, CONS)
    assert readings[-1] == DailyReading(date(2023, 3, 7), 53021.0, CONS)
    assert sum(r.energy_wh for r in readings) == 12089386.0


def test_2026_series_of_the_other_direction_is_refused() -> None:
    """A PROD series is not read as consumption."""
    with pytest.raises(ApiResponseError, match="no CONS EA series"):
        parse_daily(load_fixture("dc2026_mesure_production_quotidienne_med.json"), CONS)


def test_daily_reading_spans_its_local_day() -> None:
    """A day starts at Paris midnight and lasts 23 or 25 hours on DST days."""
    autumn = DailyReading(date(2026, 10, 25), 1.0, CONS)
    assert autumn.start.astimezone(UTC) == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert autumn.duration == timedelta(hours=25)
    spring = DailyReading(date(2026, 3, 29), 1.0, CONS)
    assert spring.start.astimezone(UTC) == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert spring.duration == timedelta(hours=23)
    assert DailyReading(date(2026, 6, 1), 1.0, CONS).duration == timedelta(hours=24)


# ---- load curves -------------------------------------------------------------------------------


def test_conso_api_load_curve() -> None:
    """The Conso API's v5 curve: dates are interval ends in Paris summer time (UTC+2)."""
    points = parse_load_curve(
        load_fixture("conso_api_consumption_load_curve_2023-04-01_2023-04-02.json"),
        CONS,
    )
    assert len(points) == 48
    assert points[0] == LoadCurvePoint(
        datetime(2023, 3, 31, 22, 0, tzinfo=UTC), HALF_HOUR, 752.0, CONS
    )
    assert points[0].energy_wh == 376.0
    assert points[-1].power_w == 88.0
    assert points[-1].end == datetime(2023, 4, 1, 22, 0, tzinfo=UTC)
    # The same meter's daily value for that day (conso_api_daily_consumption_…json).
    assert _energy_by_local_day(points) == {"2023-04-01": 11776.0}


def test_conso_api_production_curve_matches_its_daily_value() -> None:
    """The production curve adds up to the daily production fixture's 643 Wh."""
    points = parse_load_curve(
        load_fixture("conso_api_production_load_curve_2023-04-01_2023-04-02.json"),
        PROD,
    )
    assert len(points) == 48
    assert {p.direction for p in points} == {PROD}
    assert _energy_by_local_day(points) == {"2023-04-01": 643.0}


def test_2026_curve_matches_the_daily_values() -> None:
    """96 half-hours whose energy per day equals the 2026 daily fixture (33495, 38022 Wh)."""
    points = parse_load_curve(
        load_fixture("dc2026_mesure_courbe_de_charge_consommation_med.json"), CONS
    )
    assert len(points) == 96
    assert points[0] == LoadCurvePoint(
        datetime(2026, 9, 28, 22, 0, tzinfo=UTC), HALF_HOUR, 4078.0, CONS
    )
    assert points[-1] == LoadCurvePoint(
        datetime(2026, 9, 30, 21, 30, tzinfo=UTC), HALF_HOUR, 3974.0, CONS
    )
    assert _energy_by_local_day(points) == {
        "2026-09-29": 33495.0,
        "2026-09-30": 38022.0,
    }


def test_v5_and_2026_pair_give_identical_readings() -> None:
    """The same meter and days in both shapes (fixtures README) parse to the same readings."""
    v5 = parse_load_curve(
        load_fixture("dc2026_companion_v5_consumption_load_curve_same_days_med.json"),
        CONS,
    )
    new = parse_load_curve(
        load_fixture("dc2026_mesure_courbe_de_charge_consommation_med.json"), CONS
    )
    assert len(v5) == 96
    assert v5 == new


def test_med_curve_matches_med_daily_values() -> None:
    """MyElectricalData's curve (3 days) equals its daily values of the same days."""
    points = parse_load_curve(load_fixture("med_v1_consumption_load_curve.json"), CONS)
    assert len(points) == 144
    by_day: dict[str, float] = {}
    for point in points:
        # March 2023 is winter time (UTC+1).
        day = (point.start + timedelta(hours=1)).date().isoformat()
        by_day[day] = by_day.get(day, 0.0) + point.energy_wh
    assert by_day == {
        "2023-03-01": 77559.0,
        "2023-03-02": 68680.0,
        "2023-03-03": 81972.0,
    }


def test_sandbox_curve() -> None:
    """The v5 sandbox capture: 48 points of one September 2021 day."""
    points = parse_load_curve(
        load_fixture("v5_sandbox_consumption_load_curve_22516914714270_wrapped.json"),
        CONS,
    )
    assert len(points) == 48
    assert points[0].start == datetime(2021, 9, 13, 22, 0, tzinfo=UTC)
    assert points[0].power_w == 2249.0
    assert sum(p.energy_wh for p in points) == 35617.5


# ---- max power ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "conso_api_consumption_max_power_2023-04-01_2023-04-04.json",
            [
                (date(2023, 4, 1), 4638, datetime(2023, 4, 1, 10, 6, 20, tzinfo=UTC)),
                (date(2023, 4, 2), 4410, datetime(2023, 4, 2, 17, 27, 46, tzinfo=UTC)),
                (date(2023, 4, 3), 3570, datetime(2023, 4, 3, 19, 42, 12, tzinfo=UTC)),
            ],
        ),
        (
            "conso_api_consumption_max_power_2023-04-01_2023-04-02.json",
            [(date(2023, 4, 1), 4638, datetime(2023, 4, 1, 10, 6, 20, tzinfo=UTC))],
        ),
        (
            "dc2026_mesure_puissance_conso_max_quotidienne_med.json",
            [
                (date(2026, 9, 29), 4680, datetime(2026, 9, 29, 11, 3, 35, tzinfo=UTC)),
                (
                    date(2026, 9, 30),
                    6510,
                    datetime(2026, 9, 30, 10, 50, 25, tzinfo=UTC),
                ),
            ],
        ),
        (
            # 2024-03-28 is still winter time (UTC+1).
            "v5_sandbox_daily_consumption_max_power_22516914714270_2024-03-28_wrapped.json",
            [(date(2024, 3, 28), 4287, datetime(2024, 3, 28, 10, 37, 15, tzinfo=UTC))],
        ),
    ],
)
def test_max_power_fixtures(
    fixture: str, expected: list[tuple[date, int, datetime]]
) -> None:
    """VA with the instant of the maximum, in UTC."""
    assert parse_max_power(load_fixture(fixture)) == [
        MaxPower(day, float(va), at) for day, va, at in expected
    ]


def test_sandbox_max_power_week() -> None:
    """The 8-day sandbox capture (shape only: its values look hand-edited)."""
    readings = parse_max_power(
        load_fixture(
            "v5_sandbox_daily_consumption_max_power_22516914714270_wrapped.json"
        )
    )
    assert [r.power_va for r in readings] == [
        4287.0, 1287.0, 7287.0, 5287.0, 5287.0, 1287.0, 2287.0, 3287.0
    ]  # fmt: skip
    assert readings[-1].at == datetime(2021, 9, 21, 9, 0, 14, tzinfo=UTC)


# ---- DST days (built documents: no capture of one exists) --------------------------------------

AUTUMN_ENDS = (
    ["2026-10-25 00:30:00", "2026-10-25 01:00:00", "2026-10-25 01:30:00"]
    + ["2026-10-25 02:00:00", "2026-10-25 02:30:00"]  # summer time
    + ["2026-10-25 02:00:00", "2026-10-25 02:30:00"]  # the same wall clock, winter time
    + [f"2026-10-25 {h:02d}:{m:02d}:00" for h in range(3, 24) for m in (0, 30)]
    + ["2026-10-26 00:00:00"]
)
SPRING_ENDS = (
    ["2026-03-29 00:30:00", "2026-03-29 01:00:00", "2026-03-29 01:30:00"]
    + [f"2026-03-29 {h:02d}:{m:02d}:00" for h in range(3, 24) for m in (0, 30)]
    + ["2026-03-30 00:00:00"]
)


def _document(shape: str, ends: list[str], step: str | None = "PT30M") -> Any:
    values = [str(100 * (i + 1)) for i in range(len(ends))]
    if shape == "2026":
        points: list[dict[str, str]] = [
            {"v": v, "d": d} | ({"p": step} if step else {})
            for v, d in zip(values, ends, strict=True)
        ]
        return {
            "grandeur": [
                {
                    "grandeurMetier": "CONS",
                    "grandeurPhysique": "PA",
                    "unite": "W",
                    "points": points,
                }
            ]
        }
    readings = [
        {"value": v, "date": d} | ({"interval_length": step} if step else {})
        for v, d in zip(values, ends, strict=True)
    ]
    return {
        "meter_reading": {"reading_type": {"unit": "W"}, "interval_reading": readings}
    }


@pytest.mark.parametrize("shape", ["2026", "v5"])
def test_fall_back_day_has_50_half_hours(shape: str) -> None:
    """2026-10-25: the repeated 02:00 and 02:30 are resolved by order, nothing overlaps."""
    assert len(AUTUMN_ENDS) == 50
    points = parse_load_curve(_document(shape, AUTUMN_ENDS), CONS)
    assert len(points) == 50
    first = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # local midnight, summer time
    assert [p.start for p in points] == [first + i * HALF_HOUR for i in range(50)]
    # The first "02:00" ends at 00:00 UTC, the second one at 01:00 UTC.
    assert points[3].end == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert points[5].end == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert points[-1].end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert sum(p.energy_wh for p in points) == sum(100 * (i + 1) for i in range(50)) / 2


@pytest.mark.parametrize("shape", ["2026", "v5"])
def test_spring_forward_day_has_46_half_hours(shape: str) -> None:
    """2026-03-29: no 02:xx wall-clock times; 46 consecutive half-hours."""
    assert len(SPRING_ENDS) == 46
    points = parse_load_curve(_document(shape, SPRING_ENDS), CONS)
    first = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # local midnight, winter time
    assert [p.start for p in points] == [first + i * HALF_HOUR for i in range(46)]
    assert points[-1].end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_an_interval_repeated_a_third_time_is_dropped() -> None:
    """A third "02:00" can only be the same interval again: it is not counted twice."""
    ends = [*AUTUMN_ENDS[:7], "2026-10-25 02:00:00", *AUTUMN_ENDS[7:]]
    points = parse_load_curve(_document("2026", ends), CONS)
    assert len(points) == 50
    # 700 W ends at the second 02:30; the extra 02:00 (800 W) is gone; 03:00 follows.
    assert [p.power_w for p in points[5:8]] == [600.0, 700.0, 900.0]
    assert 800.0 not in {p.power_w for p in points}


# ---- steps, units, missing values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT30M", timedelta(minutes=30)),
        ("PT10M", timedelta(minutes=10)),
        ("PT15M", timedelta(minutes=15)),
        ("PT60M", timedelta(hours=1)),
        ("PT1H", timedelta(hours=1)),
        ("P1D", timedelta(days=1)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    """ISO 8601 steps as Enedis writes them."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "PT0M", "30", "PT30X"])
def test_bad_durations(text: str) -> None:
    """Anything else is an invalid response."""
    with pytest.raises(ApiResponseError):
        parse_duration(text)


def test_step_from_the_points() -> None:
    """A 10-minute curve: each point's `p` gives its length (energy = W × 1/6 h)."""
    ends = ["2026-06-01 00:10:00", "2026-06-01 00:20:00"]
    points = parse_load_curve(_document("2026", ends, step="PT10M"), CONS)
    assert [p.start for p in points] == [
        datetime(2026, 5, 31, 22, 0, tzinfo=UTC),
        datetime(2026, 5, 31, 22, 10, tzinfo=UTC),
    ]
    assert [p.energy_wh for p in points] == [100 / 6, 200 / 6]


def test_step_inferred_without_one() -> None:
    """No step anywhere: the spacing of the points (15 minutes here) is used."""
    ends = ["2026-06-01 00:15:00", "2026-06-01 00:30:00", "2026-06-01 01:30:00"]
    points = parse_load_curve(_document("v5", ends, step=None), CONS)
    assert {p.duration for p in points} == {timedelta(minutes=15)}
    assert points[2].start == datetime(2026, 5, 31, 23, 15, tzinfo=UTC)


def test_single_point_without_step_is_a_half_hour() -> None:
    """One point and no step: a Linky's 30 minutes."""
    points = parse_load_curve(_document("v5", ["2026-06-01 00:30:00"], None), CONS)
    assert points[0].duration == HALF_HOUR


def test_missing_values_are_skipped_and_units_scaled() -> None:
    """A null value is no reading (never a zero); kWh are turned into Wh."""
    payload = {
        "grandeur": [
            {
                "grandeurMetier": "CONS",
                "grandeurPhysique": "EA",
                "unite": "kWh",
                "points": [
                    {"v": "1.5", "d": "2026-09-29"},
                    {"v": None, "d": "2026-09-30"},
                    {"v": "", "d": "2026-10-01"},
                ],
            }
        ]
    }
    assert parse_daily(payload, CONS) == [DailyReading(date(2026, 9, 29), 1500.0, CONS)]


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"unexpected": 1},
        {"grandeur": [{"unite": "MWh", "points": [{"v": "1", "d": "2026-09-29"}]}]},
        {"grandeur": [{"unite": "Wh", "points": [{"v": "x", "d": "2026-09-29"}]}]},
        {"grandeur": [{"unite": "Wh", "points": [{"v": "1e999", "d": "2026-09-29"}]}]},
        {"grandeur": [{"unite": "Wh", "points": [{"v": "1", "d": "29/09/2026"}]}]},
        {"grandeur": [{"unite": "Wh", "points": [{"v": True, "d": "2026-09-29"}]}]},
        {"interval_reading": [{"value": "1", "date": 20260929}]},
    ],
)
def test_malformed_measures(payload: Any) -> None:
    """A changed shape is an invalid response, not a crash."""
    with pytest.raises(ApiResponseError):
        parse_daily(payload, CONS)


def test_empty_answers() -> None:
    """No series or no points: no readings."""
    assert parse_daily({"grandeur": []}, CONS) == []
    assert parse_load_curve({"meter_reading": {"interval_reading": []}}, CONS) == []
