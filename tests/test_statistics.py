"""Tests for the shared statistics import (custom_components/openpower/statistics.py)."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
import random
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    get_metadata,
    statistic_during_period,
    statistics_during_period,
    valid_statistic_id,
)
from homeassistant.components.recorder.tasks import SynchronizeTask
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util.unit_conversion import EnergyConverter
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_block_recorder,
    async_wait_recording_done,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower import statistics as statistics_module
from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.statistics import (
    ImportResult,
    IntervalReading,
    RecorderStalledError,
    StatisticSpec,
    async_import,
    async_last_hour,
    consecutive,
    hourly,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T0 = datetime(2024, 6, 1, tzinfo=UTC)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
ADELAIDE = ZoneInfo("Australia/Adelaide")
SITE = "01F5A5CRKMZ5BCX9P1S4V990AM"

ENERGY = StatisticSpec(
    "amber", SITE, "energy_consumption", "Amber consumption", "kWh", "energy"
)
COST = StatisticSpec("amber", SITE, "energy_cost", "Amber cost", None, None)
ENERGY_ID = "openpower:amber_01f5a5crkmz5bcx9p1s4v990am_energy_consumption"
COST_ID = "openpower:amber_01f5a5crkmz5bcx9p1s4v990am_energy_cost"

type Row = tuple[datetime, float | None, float | None]


def series(
    start: datetime,
    values: Sequence[float],
    step: timedelta = HOUR,
    costs: Sequence[float | None] | None = None,
) -> list[IntervalReading]:
    """Return consecutive readings of `step` from `start`, with costs when given."""
    return [
        IntervalReading(
            start + index * step, step, value, None if costs is None else costs[index]
        )
        for index, value in enumerate(values)
    ]


def local_series(
    zone: ZoneInfo, first_utc: datetime, end_utc: datetime, step: timedelta
) -> list[IntervalReading]:
    """Return readings of 1.0 every `step`, with starts in `zone` as a provider reports them."""
    readings = []
    start = first_utc
    while start < end_utc:
        readings.append(IntervalReading(start.astimezone(zone), step, 1.0))
        start += step
    return readings


def rows(start: datetime, states: Sequence[float], base: float = 0.0) -> list[Row]:
    """Return the hourly rows a correct import of `states` from `start` stores (sums from `base`)."""
    sums = list(accumulate(states, initial=base))[1:]
    return [
        (start + index * HOUR, state, total)
        for index, (state, total) in enumerate(zip(states, sums, strict=True))
    ]


async def stored(hass: HomeAssistant, statistic_id: str) -> list[Row]:
    """Return every stored hour of the statistic as (start, state, sum), once committed."""
    await async_wait_recording_done(hass)
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        EPOCH,
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return [
        (datetime.fromtimestamp(row["start"], UTC), row["state"], row["sum"])
        for row in result.get(statistic_id, [])
    ]


async def full_rows(hass: HomeAssistant) -> dict[str, Any]:
    """Return every stored hourly row of the energy and cost statistics with every column."""
    await async_wait_recording_done(hass)
    return await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        EPOCH,
        None,
        {ENERGY_ID, COST_ID},
        "hour",
        None,
        {"last_reset", "max", "mean", "min", "state", "sum"},
    )


# --- hourly(): pure aggregation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "per_hour"),
    [
        (timedelta(minutes=5), 3.0),
        (timedelta(minutes=15), 1.0),
        (timedelta(minutes=30), 0.5),
        (HOUR, 0.25),
    ],
)
def test_hourly_sums_sub_hour_readings_into_their_utc_hour(
    step: timedelta, per_hour: float
) -> None:
    """Every reading of 0.25 lands in the UTC hour containing its start."""
    count = 3 * (HOUR // step)
    readings = series(T0.astimezone(PARIS), [0.25] * count, step)
    assert hourly(readings) == {
        T0: per_hour,
        T0 + HOUR: per_hour,
        T0 + 2 * HOUR: per_hour,
    }


def test_hourly_keys_are_utc_top_of_hour_and_sorted() -> None:
    """Keys are UTC datetimes on the hour, oldest first, whatever the readings' order and zone."""
    readings = series(T0.astimezone(LOS_ANGELES), [0.5] * 36, timedelta(minutes=5))
    readings += [IntervalReading(T0 + timedelta(minutes=59, seconds=59.5), HOUR, 1.0)]
    random.Random(7).shuffle(readings)
    result = hourly(readings)
    assert list(result) == [T0, T0 + HOUR, T0 + 2 * HOUR]
    assert all(key.tzinfo is UTC for key in result)
    assert result == {T0: 7.0, T0 + HOUR: 6.0, T0 + 2 * HOUR: 6.0}


def test_hourly_of_nothing_is_empty() -> None:
    """No readings, no hours."""
    assert hourly([]) == {}


def test_hourly_stores_long_readings_whole_at_their_start_hour() -> None:
    """Daily values and billing periods are not spread over the hours they cover."""
    day = IntervalReading(datetime(2024, 10, 27, tzinfo=PARIS), DAY, 12.5)
    bill = IntervalReading(
        datetime(2024, 5, 15, 7, 30, tzinfo=LOS_ANGELES), timedelta(days=30), 410.0
    )
    assert hourly([day, bill]) == {
        datetime(2024, 5, 15, 14, tzinfo=UTC): 410.0,
        datetime(2024, 10, 26, 22, tzinfo=UTC): 12.5,
    }


@pytest.mark.parametrize(
    ("zone", "days", "expected_hours"),
    [
        # Enedis daily values: local midnight is 22:00 UTC in summer, 23:00 UTC in winter.
        (
            PARIS,
            [datetime(2024, 10, 26), datetime(2024, 10, 27), datetime(2024, 10, 28)],
            [
                datetime(2024, 10, 25, 22, tzinfo=UTC),
                datetime(2024, 10, 26, 22, tzinfo=UTC),
                datetime(2024, 10, 27, 23, tzinfo=UTC),
            ],
        ),
        # Adelaide: local midnight is 13:30 UTC under +10:30 and 14:30 UTC under +09:30.
        (
            ADELAIDE,
            [datetime(2024, 4, 6), datetime(2024, 4, 7), datetime(2024, 4, 8)],
            [
                datetime(2024, 4, 5, 13, tzinfo=UTC),
                datetime(2024, 4, 6, 13, tzinfo=UTC),
                datetime(2024, 4, 7, 14, tzinfo=UTC),
            ],
        ),
    ],
)
def test_hourly_daily_readings_across_dst(
    zone: ZoneInfo, days: list[datetime], expected_hours: list[datetime]
) -> None:
    """A daily value is stored at the UTC hour containing its local midnight."""
    readings = [
        IntervalReading(day.replace(tzinfo=zone), DAY, float(index + 1))
        for index, day in enumerate(days)
    ]
    assert hourly(readings) == {
        hour: float(index + 1) for index, hour in enumerate(expected_hours)
    }


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (LOS_ANGELES, datetime(2024, 3, 10), 23),  # spring forward
        (LOS_ANGELES, datetime(2024, 11, 3), 25),  # fall back
        (PARIS, datetime(2024, 3, 31), 23),
        (PARIS, datetime(2024, 10, 27), 25),
        (PARIS, datetime(2024, 6, 1), 24),
    ],
)
def test_hourly_dst_days_have_23_or_25_hours(
    zone: ZoneInfo, day: datetime, hours: int
) -> None:
    """A local day of 15-minute readings gives one full UTC hour per elapsed hour."""
    first = day.replace(tzinfo=zone).astimezone(UTC)
    end = (day + DAY).replace(tzinfo=zone).astimezone(UTC)
    result = hourly(local_series(zone, first, end, timedelta(minutes=15)))
    assert result == {first + index * HOUR: 4.0 for index in range(hours)}


def test_hourly_los_angeles_wall_clock_readings() -> None:
    """Hourly readings stamped in local wall-clock time, the repeated 01:00 told apart by fold."""
    fall_back = [datetime(2024, 11, 3, 0, tzinfo=LOS_ANGELES)]
    fall_back += [
        datetime(2024, 11, 3, 1, tzinfo=LOS_ANGELES, fold=fold) for fold in (0, 1)
    ]
    fall_back += [
        datetime(2024, 11, 3, hour, tzinfo=LOS_ANGELES) for hour in range(2, 24)
    ]
    readings = [
        IntervalReading(start, HOUR, float(index))
        for index, start in enumerate(fall_back)
    ]
    first = datetime(2024, 11, 3, 7, tzinfo=UTC)
    assert hourly(readings) == {
        first + index * HOUR: float(index) for index in range(25)
    }

    # 02:00 does not exist on 10 March: 23 readings, 23 consecutive UTC hours.
    spring = [
        datetime(2024, 3, 10, hour, tzinfo=LOS_ANGELES)
        for hour in range(24)
        if hour != 2
    ]
    readings = [
        IntervalReading(start, HOUR, float(index)) for index, start in enumerate(spring)
    ]
    first = datetime(2024, 3, 10, 8, tzinfo=UTC)
    assert hourly(readings) == {
        first + index * HOUR: float(index) for index in range(23)
    }


@pytest.mark.parametrize(
    ("day", "middle_hours"),
    [
        (datetime(2024, 4, 7), 24),  # +10:30 -> +09:30, a 25-hour local day
        (datetime(2024, 10, 6), 22),  # +09:30 -> +10:30, a 23-hour local day
        (datetime(2024, 6, 1), 23),
    ],
)
def test_hourly_adelaide_half_hour_offset(day: datetime, middle_hours: int) -> None:
    """Half-hourly local readings start at :30 UTC; each UTC hour takes the two it contains."""
    first = day.replace(tzinfo=ADELAIDE).astimezone(UTC)
    end = (day + DAY).replace(tzinfo=ADELAIDE).astimezone(UTC)
    assert first.minute == 30
    result = hourly(local_series(ADELAIDE, first, end, timedelta(minutes=30)))
    top = first.replace(minute=0)
    expected = {top: 1.0}
    expected |= {top + index * HOUR: 2.0 for index in range(1, middle_hours + 1)}
    expected[top + (middle_hours + 1) * HOUR] = 1.0
    assert result == expected


def test_reading_rejects_naive_start_and_empty_duration() -> None:
    """A naive start has no hour, a reading of no time is a bug."""
    with pytest.raises(ValueError, match="no time zone"):
        IntervalReading(datetime(2024, 6, 1), HOUR, 1.0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="not positive"):
        IntervalReading(T0, timedelta(0), 1.0)


@pytest.mark.parametrize(
    ("value", "cost"),
    [
        (float("nan"), None),
        (float("inf"), None),
        (float("-inf"), 1.0),
        (1.0, float("nan")),
        (1.0, float("inf")),
    ],
)
def test_reading_rejects_numbers_that_are_not_numbers(
    value: float, cost: float | None
) -> None:
    """NaN would be stored as NULL (the sum restarts at 0), infinity would poison every sum."""
    with pytest.raises(ApiResponseError, match="not a finite number"):
        IntervalReading(T0, HOUR, value, cost)


# --- StatisticSpec -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "point", "quantity", "statistic_id"),
    [
        ("amber", SITE, "energy_consumption", ENERGY_ID),
        (
            "amber",
            f"{SITE.lower()}_E1",
            "energy_return",
            "openpower:amber_01f5a5crkmz5bcx9p1s4v990am_e1_energy_return",
        ),
        (
            "enedis",
            "Enédis PRM 09123456789012",
            "energy_consumption",
            "openpower:enedis_enedis_prm_09123456789012_energy_consumption",
        ),
        ("pge", "_1-2.3__", "gas_consumption", "openpower:pge_1_2_3_gas_consumption"),
        (
            "alphaess",
            "AL1002021050001",
            "energy_compensation",
            "openpower:alphaess_al1002021050001_energy_compensation",
        ),
    ],
)
def test_statistic_id_is_a_valid_slug(
    provider: str, point: str, quantity: str, statistic_id: str
) -> None:
    """Ids are lowercase [a-z0-9_] without double or edge underscores, as the recorder requires."""
    spec = StatisticSpec(provider, point, quantity, "name", None, None)
    assert spec.statistic_id == statistic_id
    assert valid_statistic_id(spec.statistic_id)


@pytest.mark.parametrize("point", ["", "!!!", "__"])
def test_spec_rejects_parts_that_vanish(point: str) -> None:
    """A point that slugs to nothing would merge two accounts' statistics."""
    with pytest.raises(ValueError, match="no usable statistic id part"):
        StatisticSpec("amber", point, "energy_cost", "Amber cost", None, None)


@pytest.mark.parametrize(
    ("unit", "unit_class"),
    [("kWh", "volume"), ("m³", "energy"), ("kWh", "money"), (None, "energy")],
)
def test_spec_rejects_a_unit_outside_its_unit_class(
    unit: str | None, unit_class: str
) -> None:
    """The recorder would refuse these at import time; the spec refuses them when defined."""
    with pytest.raises(ValueError, match="is not one of unit class"):
        StatisticSpec("pge", "1234", "gas_consumption", "Gas", unit, unit_class)


def test_metadata_has_core_opower_shape() -> None:
    """Energy in kWh with the energy unit class, money with neither; mean_type always set."""
    assert ENERGY.metadata() == {
        "mean_type": StatisticMeanType.NONE,
        "has_sum": True,
        "name": "Amber consumption",
        "source": "openpower",
        "statistic_id": ENERGY_ID,
        "unit_class": "energy",
        "unit_of_measurement": "kWh",
    }
    assert COST.metadata() == {
        "mean_type": StatisticMeanType.NONE,
        "has_sum": True,
        "name": "Amber cost",
        "source": "openpower",
        "statistic_id": COST_ID,
        "unit_class": None,
        "unit_of_measurement": None,
    }
    assert (
        ENERGY.metadata() is not ENERGY.metadata()
    )  # the recorder may mutate what it gets


# --- async_import against the recorder ---------------------------------------------------------


async def test_first_import_sums_from_zero(hass: HomeAssistant) -> None:
    """Five-minute readings become hourly states with a running sum from 0."""
    readings = series(T0, [0.125] * 24 + [0.25] * 12, timedelta(minutes=5))
    result = await async_import(hass, ENERGY, readings)
    assert result == ImportResult(ENERGY_ID, T0, T0 + 2 * HOUR, 3, 0)
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.5, 1.5, 3.0])


async def test_metadata_is_stored_as_built(hass: HomeAssistant) -> None:
    """What the recorder keeps is exactly the spec's metadata, for energy and for cost."""
    await async_import(hass, ENERGY, series(T0, [1.0], costs=[0.25]), cost_spec=COST)
    await async_wait_recording_done(hass)
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={ENERGY_ID, COST_ID})
    )
    assert {key: value[1] for key, value in metadata.items()} == {
        ENERGY_ID: ENERGY.metadata() | {"has_mean": False},
        COST_ID: COST.metadata() | {"has_mean": False},
    }


async def test_no_row_for_an_hour_without_a_reading(hass: HomeAssistant) -> None:
    """Hours without a reading get no row, but the one before a value carries the sum."""
    result = await async_import(
        hass, ENERGY, series(T0, [1.0]) + series(T0 + 3 * HOUR, [2.0])
    )
    assert result == ImportResult(ENERGY_ID, T0, T0 + 3 * HOUR, 3, 0)
    assert await stored(hass, ENERGY_ID) == [
        (T0, 1.0, 1.0),  # the first value: nothing before it to carry
        (T0 + 2 * HOUR, 0.0, 1.0),
        (T0 + 3 * HOUR, 2.0, 3.0),
    ]


async def test_a_stored_hour_no_longer_reported_becomes_zero(
    hass: HomeAssistant,
) -> None:
    """A re-fetch that drops an hour of its range overwrites it with 0 (there is no delete)."""
    await async_import(hass, ENERGY, series(T0, [1.0, 2.0, 3.0]))
    await async_import(hass, ENERGY, series(T0 + 5 * HOUR, [4.0]))
    result = await async_import(
        hass, ENERGY, series(T0, [1.0]) + series(T0 + 2 * HOUR, [3.0])
    )
    # Hour 1 is overwritten with 0, hour 2 moves down, the hours after the range are rebased.
    assert result == ImportResult(ENERGY_ID, T0, T0 + 2 * HOUR, 2, 2)
    assert await stored(hass, ENERGY_ID) == [
        (T0, 1.0, 1.0),
        (T0 + HOUR, 0.0, 1.0),
        (T0 + 2 * HOUR, 3.0, 4.0),
        (T0 + 4 * HOUR, 0.0, 4.0),
        (T0 + 5 * HOUR, 4.0, 8.0),
    ]


async def test_cost_goes_into_cost_statistic(hass: HomeAssistant) -> None:
    """Costs sum per hour into cost_spec; a reading without cost adds nothing; negatives stay."""
    readings = series(
        T0,
        [0.5, 0.5, 0.25, 0.25, 1.0, 1.0],
        timedelta(minutes=30),
        costs=[0.125, 0.25, None, None, -0.5, 0.125],
    )
    result = await async_import(hass, ENERGY, readings, cost_spec=COST)
    assert result == ImportResult(ENERGY_ID, T0, T0 + 2 * HOUR, 3, 0)
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 0.5, 2.0])
    # The hour whose readings carry no cost gets only the row carrying the sum.
    assert await stored(hass, COST_ID) == [
        (T0, 0.375, 0.375),
        (T0 + HOUR, 0.0, 0.375),
        (T0 + 2 * HOUR, -0.375, 0.0),
    ]


async def test_cost_range_is_that_of_readings_with_cost(hass: HomeAssistant) -> None:
    """Trailing readings whose cost is not known yet leave the cost statistic alone there."""
    readings = series(T0, [1.0, 2.0, 3.0], costs=[0.5, None, None])
    await async_import(hass, ENERGY, readings, cost_spec=COST)
    assert await stored(hass, COST_ID) == rows(T0, [0.5])
    other = StatisticSpec("amber", "site2", "energy_cost", "Site 2 cost", None, None)
    await async_import(hass, ENERGY, series(T0, [1.0]), cost_spec=other)
    assert await stored(hass, other.statistic_id) == []
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 2.0, 3.0])


async def test_negative_values_stay_negative(hass: HomeAssistant) -> None:
    """A negative-price hour's cost (and any negative value) is stored as it is."""
    result = await async_import(hass, COST, series(T0, [0.25, -1.5, 0.5]))
    assert result.hours_written == 3
    assert await stored(hass, COST_ID) == rows(T0, [0.25, -1.5, 0.5])


async def test_identical_reimport_changes_nothing(hass: HomeAssistant) -> None:
    """Importing the same data again, whole or in part, leaves every row as it was."""
    rng = random.Random(42)
    values = [round(rng.uniform(0, 2), 3) for _ in range(72 * 4)]
    costs = [round(value * rng.uniform(-0.1, 0.6), 5) for value in values]
    readings = series(T0, values, timedelta(minutes=15), costs=costs)
    await async_import(hass, ENERGY, readings, cost_spec=COST)
    before = await full_rows(hass)
    assert [len(before[ENERGY_ID]), len(before[COST_ID])] == [72, 72]

    again = await async_import(hass, ENERGY, readings, cost_spec=COST)
    middle = await async_import(hass, ENERGY, readings[96:192], cost_spec=COST)

    # Nothing is sent to the recorder again: every hour is already stored so.
    assert again == ImportResult(ENERGY_ID, T0, T0 + 71 * HOUR, 0, 0)
    assert middle == ImportResult(ENERGY_ID, T0 + 24 * HOUR, T0 + 47 * HOUR, 0, 0)
    assert await full_rows(hass) == before


async def test_reimport_sends_only_the_hours_that_change(hass: HomeAssistant) -> None:
    """A correction late in a re-fetched range re-sends that hour and those after it only."""
    await async_import(hass, ENERGY, series(T0, [1.0] * 6))
    corrected = series(T0, [1.0, 1.0, 1.0, 1.0, 2.0, 1.0])
    result = await async_import(hass, ENERGY, corrected)
    assert result == ImportResult(ENERGY_ID, T0, T0 + 5 * HOUR, 2, 0)
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 1.0, 1.0, 1.0, 2.0, 1.0])


async def test_overlapping_reimport_rewrites_range_and_rebases_later_sums(
    hass: HomeAssistant,
) -> None:
    """Corrected values replace the overlap; every later sum moves by the correction."""
    await async_import(hass, ENERGY, series(T0, [1.0] * 6))
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0] * 6)

    # Hours 2-4 re-fetched: hour 2 was 1.0 and is now 3.0, hour 3 is now missing, hour 4 is 0.5.
    corrected = series(T0 + 2 * HOUR, [3.0]) + series(T0 + 4 * HOUR, [0.5])
    result = await async_import(hass, ENERGY, corrected)

    assert result == ImportResult(ENERGY_ID, T0 + 2 * HOUR, T0 + 4 * HOUR, 3, 1)
    assert await stored(hass, ENERGY_ID) == [
        (T0, 1.0, 1.0),
        (T0 + HOUR, 1.0, 2.0),
        (T0 + 2 * HOUR, 3.0, 5.0),
        (T0 + 3 * HOUR, 0.0, 5.0),
        (T0 + 4 * HOUR, 0.5, 5.5),
        (T0 + 5 * HOUR, 1.0, 6.5),
    ]


async def test_gaps_between_imports_carry_the_sum(hass: HomeAssistant) -> None:
    """After an outage the sum continues; filling the gap or the past later rebases what follows."""
    await async_import(hass, ENERGY, series(T0, [1.0, 2.0, 3.0]))
    later = await async_import(hass, ENERGY, series(T0 + 10 * HOUR, [0.5, 0.25]))
    # After a gap, the empty hour before the first new value carries the sum.
    assert later == ImportResult(ENERGY_ID, T0 + 10 * HOUR, T0 + 11 * HOUR, 3, 0)
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 2.0, 3.0]) + rows(
        T0 + 9 * HOUR, [0.0, 0.5, 0.25], base=6.0
    )

    # Part of the outage arrives: it continues from hour 2 and the hours after it move up.
    filled = await async_import(hass, ENERGY, series(T0 + 5 * HOUR, [1.0, 0.0, 0.5]))
    assert filled == ImportResult(ENERGY_ID, T0 + 5 * HOUR, T0 + 7 * HOUR, 4, 3)
    assert await stored(hass, ENERGY_ID) == (
        rows(T0, [1.0, 2.0, 3.0])
        + rows(T0 + 4 * HOUR, [0.0, 1.0, 0.0, 0.5], base=6.0)
        + rows(T0 + 9 * HOUR, [0.0, 0.5, 0.25], base=7.5)
    )

    # Older history is backfilled: it sums from 0, every stored hour moves up by 4, and the
    # first stored hour, until now the first of all, gets the hour that carries the sum.
    backfill = await async_import(hass, ENERGY, series(T0 - 5 * HOUR, [4.0]))
    assert backfill == ImportResult(ENERGY_ID, T0 - 5 * HOUR, T0 - 5 * HOUR, 2, 10)
    assert await stored(hass, ENERGY_ID) == (
        rows(T0 - 5 * HOUR, [4.0])
        + rows(T0 - HOUR, [0.0, 1.0, 2.0, 3.0], base=4.0)
        + rows(T0 + 4 * HOUR, [0.0, 1.0, 0.0, 0.5], base=10.0)
        + rows(T0 + 9 * HOUR, [0.0, 0.5, 0.25], base=11.5)
    )


async def test_reimport_overlapping_the_start_of_stored_history(
    hass: HomeAssistant,
) -> None:
    """A range that starts before everything stored and ends inside it sums from 0."""
    await async_import(hass, ENERGY, series(T0, [1.0, 1.0, 1.0, 1.0]))
    result = await async_import(
        hass, ENERGY, series(T0 - 2 * HOUR, [2.0, 2.0, 2.0, 2.0])
    )
    assert result == ImportResult(ENERGY_ID, T0 - 2 * HOUR, T0 + HOUR, 4, 2)
    assert await stored(hass, ENERGY_ID) == rows(
        T0 - 2 * HOUR, [2.0, 2.0, 2.0, 2.0, 1.0, 1.0]
    )


async def test_empty_import_is_a_no_op(hass: HomeAssistant) -> None:
    """No readings: nothing written, nothing changed, for the value and the cost statistic."""
    assert await async_import(hass, ENERGY, [], cost_spec=COST) == ImportResult(
        ENERGY_ID, None, None, 0, 0
    )
    assert await stored(hass, ENERGY_ID) == []
    await async_import(
        hass, ENERGY, series(T0, [1.0, 2.0], costs=[0.5, 0.5]), cost_spec=COST
    )
    energy, cost = await stored(hass, ENERGY_ID), await stored(hass, COST_ID)
    assert await async_import(hass, ENERGY, (), cost_spec=COST) == ImportResult(
        ENERGY_ID, None, None, 0, 0
    )
    assert await stored(hass, ENERGY_ID) == energy == rows(T0, [1.0, 2.0])
    assert await stored(hass, COST_ID) == cost == rows(T0, [0.5, 0.5])


async def test_cost_spec_must_be_another_statistic(hass: HomeAssistant) -> None:
    """Values and costs summed into one statistic would be meaningless."""
    with pytest.raises(ValueError, match="share the statistic"):
        await async_import(hass, COST, series(T0, [1.0], costs=[1.0]), cost_spec=COST)
    assert await stored(hass, COST_ID) == []


async def test_daily_readings_are_one_row_a_day(hass: HomeAssistant) -> None:
    """Daily values (here Enedis, Paris, over the October DST change) sit at their start hour."""
    readings = [
        IntervalReading(datetime(2024, 10, day, tzinfo=PARIS), DAY, float(day))
        for day in (26, 27, 28)
    ]
    result = await async_import(hass, ENERGY, readings)
    first = datetime(2024, 10, 25, 22, tzinfo=UTC)
    assert result == ImportResult(ENERGY_ID, first, first + 49 * HOUR, 5, 0)
    assert await stored(hass, ENERGY_ID) == [
        (first, 26.0, 26.0),
        (first + 23 * HOUR, 0.0, 26.0),
        (first + 24 * HOUR, 27.0, 53.0),
        (first + 48 * HOUR, 0.0, 53.0),
        (first + 49 * HOUR, 28.0, 81.0),
    ]


async def _change(
    hass: HomeAssistant, start: datetime, end: datetime, period: str
) -> list[tuple[datetime, float]]:
    """Return what the Energy dashboard shows: the change per `period` bucket."""
    await async_wait_recording_done(hass)
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        end,
        {ENERGY_ID},
        period,
        None,
        {"change"},
    )
    return [
        (datetime.fromtimestamp(row["start"], UTC), round(row["change"], 6))
        for row in result.get(ENERGY_ID, [])
    ]


async def _total(hass: HomeAssistant, start: datetime, end: datetime) -> float:
    """Return the change over one period, as the dashboard's totals read it."""
    await async_wait_recording_done(hass)
    result = await get_instance(hass).async_add_executor_job(
        statistic_during_period,
        hass,
        start,
        end,
        ENERGY_ID,
        {"change"},
        None,
    )
    return round(result["change"], 6)


async def test_energy_dashboard_views_of_a_sparse_statistic(
    hass: HomeAssistant,
) -> None:
    """Hour, day and month views of daily values and a few hours, with gaps between.

    Then a re-fetch moves one daily value to another hour: every view follows, nothing is
    counted twice and the sums stay continuous.
    """
    june = datetime(2024, 6, 1, tzinfo=UTC)
    days = [
        IntervalReading(june + day * DAY + 7 * HOUR, DAY, float(day + 1))
        for day in range(40)  # 1 June to 10 July, one value a day at 07:00 UTC
    ]
    await async_import(hass, ENERGY, days)
    await async_import(hass, ENERGY, series(june + 45 * DAY, [0.5, 0.25]))
    # One row per reading, and one carrying the sum before each value after a gap.
    assert len(await stored(hass, ENERGY_ID)) == 42 + 40

    # Hour view of 2 June: the value at 07:00, after the hour carrying the sum.
    assert await _change(hass, june + DAY, june + 2 * DAY, "hour") == [
        (june + DAY + 6 * HOUR, 0.0),
        (june + DAY + 7 * HOUR, 2.0),
    ]
    # Day view of the first week (the tests' Home Assistant is on Pacific time, whose days
    # start at 07:00 UTC in summer), month view of the summer.
    assert await _change(hass, june, june + 7 * DAY, "day") == [
        (june + day * DAY + 7 * HOUR, float(day + 1)) for day in range(7)
    ]
    june_total = sum(range(1, 31))
    july_total = sum(range(31, 41)) + 0.75
    month_rows = await _change(hass, june, june + 90 * DAY, "month")
    assert [change for _start, change in month_rows] == [june_total, july_total]
    assert await _total(hass, june, june + 90 * DAY) == june_total + july_total
    assert await _total(hass, june + 9 * DAY, june + 12 * DAY) == 10.0 + 11.0 + 12.0

    # 2 to 4 June fetched again, the provider having corrected 3 June: 30 instead of 3, at
    # 09:00 instead of 07:00. The old 07:00 row is inside the range: overwritten with 0.
    await async_import(
        hass,
        ENERGY,
        [
            IntervalReading(june + DAY + 7 * HOUR, DAY, 2.0),
            IntervalReading(june + 2 * DAY + 9 * HOUR, DAY, 30.0),
            IntervalReading(june + 3 * DAY + 7 * HOUR, DAY, 4.0),
        ],
    )
    assert await _change(hass, june + 2 * DAY, june + 3 * DAY, "hour") == [
        (june + 2 * DAY + 6 * HOUR, 0.0),
        (june + 2 * DAY + 7 * HOUR, 0.0),
        (june + 2 * DAY + 8 * HOUR, 0.0),
        (june + 2 * DAY + 9 * HOUR, 30.0),
    ]
    assert await _change(hass, june, june + 4 * DAY, "day") == [
        (june + 7 * HOUR, 1.0),
        (june + DAY + 7 * HOUR, 2.0),
        (june + 2 * DAY + 7 * HOUR, 30.0),
        (june + 3 * DAY + 7 * HOUR, 4.0),
    ]
    assert await _total(hass, june, june + 90 * DAY) == june_total + july_total + 27
    sums = [total for _start, _state, total in await stored(hass, ENERGY_ID)]
    assert sums == sorted(sums)  # continuous, never restarting
    assert sums[-1] == june_total + july_total + 27


async def test_a_refetch_that_moves_a_daily_value(hass: HomeAssistant) -> None:
    """A daily value re-fetched at another hour of the same range: the old hour becomes 0."""
    day = datetime(2024, 6, 1, 7, tzinfo=UTC)
    await async_import(hass, ENERGY, [IntervalReading(day, DAY, 5.0)])
    await async_import(hass, ENERGY, [IntervalReading(day + DAY, DAY, 6.0)])
    # The same two days, now reported at 08:00. 07:00 of day 1 is before the range: kept.
    # The old rows inside the range (06:00 and 07:00 of day 2) are overwritten with 0.
    moved = [
        IntervalReading(day + HOUR, DAY, 5.0),
        IntervalReading(day + DAY + HOUR, DAY, 6.0),
    ]
    result = await async_import(hass, ENERGY, moved)
    assert result == ImportResult(ENERGY_ID, day + HOUR, day + DAY + HOUR, 4, 0)
    assert await stored(hass, ENERGY_ID) == [
        (day, 5.0, 5.0),
        (day + HOUR, 5.0, 10.0),
        (day + DAY - HOUR, 0.0, 10.0),
        (day + DAY, 0.0, 10.0),
        (day + DAY + HOUR, 6.0, 16.0),
    ]


async def test_gas_in_therms(hass: HomeAssistant) -> None:
    """A gas statistic in therms is accepted by the recorder with the energy unit class."""
    gas = StatisticSpec(
        "pge",
        "1234567890",
        "gas_consumption",
        "PG&E gas",
        UnitOfEnergy.THERM,
        EnergyConverter.UNIT_CLASS,
    )
    days = [datetime(2024, 11, day, tzinfo=LOS_ANGELES) for day in (2, 3, 4)]
    await async_import(hass, gas, [IntervalReading(day, DAY, 0.5) for day in days])
    # A row a day at the UTC hour of local midnight (the fall-back day has 25 hours), each
    # after the hour carrying the sum.
    assert await stored(hass, "openpower:pge_1234567890_gas_consumption") == [
        (datetime(2024, 11, 2, 7, tzinfo=UTC), 0.5, 0.5),
        (datetime(2024, 11, 3, 6, tzinfo=UTC), 0.0, 0.5),
        (datetime(2024, 11, 3, 7, tzinfo=UTC), 0.5, 1.0),
        (datetime(2024, 11, 4, 7, tzinfo=UTC), 0.0, 1.0),
        (datetime(2024, 11, 4, 8, tzinfo=UTC), 0.5, 1.5),
    ]


async def test_concurrent_imports_of_one_statistic(hass: HomeAssistant) -> None:
    """Imports started together run one after the other, in whatever order, with exact sums."""
    days = [series(T0 + index * DAY, [float(index + 1)] * 24) for index in range(3)]
    results = await asyncio.gather(*(async_import(hass, ENERGY, day) for day in days))
    # The third day, when it comes before the second, also carries the sum into the hour
    # before it (a row the second day then replaces).
    assert sorted(result.hours_written for result in results) in (
        [24, 24, 24],
        [24, 24, 25],
    )
    assert await stored(hass, ENERGY_ID) == rows(
        T0, [1.0] * 24 + [2.0] * 24 + [3.0] * 24
    )


async def test_import_sees_the_previous_import_before_it_is_written(
    hass: HomeAssistant,
) -> None:
    """While the recorder is busy, a second import still continues the first one's sums."""
    await async_block_recorder(hass, 0.5)
    await async_import(hass, ENERGY, series(T0, [1.0, 2.0]))
    await async_import(hass, ENERGY, series(T0 + 2 * HOUR, [3.0]))
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 2.0, 3.0])


async def test_last_hour_sees_an_import_not_yet_written(hass: HomeAssistant) -> None:
    """While the recorder is busy, async_last_hour already reports the queued hours."""
    await async_block_recorder(hass, 0.5)
    await async_import(hass, ENERGY, series(T0, [1.0, 2.0]))
    assert await async_last_hour(hass, ENERGY_ID) == T0 + HOUR


async def test_cancelled_import_does_not_break_the_next(hass: HomeAssistant) -> None:
    """An import cancelled while it waits for the recorder leaves the statistic usable."""
    await async_block_recorder(hass, 0.5)
    await async_import(hass, ENERGY, series(T0, [1.0]))
    waiting = asyncio.create_task(async_import(hass, ENERGY, series(T0 + HOUR, [5.0])))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await async_import(hass, ENERGY, series(T0 + HOUR, [2.0]))
    assert await stored(hass, ENERGY_ID) == rows(T0, [1.0, 2.0])


async def test_a_stalled_recorder_releases_the_statistic(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recorder that never writes: later imports fail after the bound instead of hanging."""
    monkeypatch.setattr(statistics_module, "WRITE_TIMEOUT", 0.2)
    recorder = get_instance(hass)
    queue_task = recorder.queue_task

    def drop_receipts(task: Any) -> None:
        if isinstance(task, SynchronizeTask):
            return  # the recorder never gets to it
        queue_task(task)

    monkeypatch.setattr(recorder, "queue_task", drop_receipts)
    await async_import(hass, ENERGY, series(T0, [1.0]))
    for _ in range(2):  # the lock is released each time: no call waits forever
        async with asyncio.timeout(5):
            with pytest.raises(RecorderStalledError) as err:
                await async_import(hass, ENERGY, series(T0 + HOUR, [2.0]))
        assert err.value.translation_key == "recorder_stalled"
        # The id holds the site id: masked, as in every message.
        assert err.value.translation_placeholders == {
            "statistic_id": "openpower:amber_…0am_energy_consumption",
            "seconds": "0",
        }
    async with asyncio.timeout(5):
        with pytest.raises(RecorderStalledError):
            await async_last_hour(hass, ENERGY_ID)


async def test_async_last_hour(hass: HomeAssistant) -> None:
    """The newest stored hour, None before anything is stored, unchanged by a backfill."""
    assert await async_last_hour(hass, ENERGY_ID) is None
    await async_import(hass, ENERGY, series(T0.astimezone(ADELAIDE), [1.0] * 5))
    assert await async_last_hour(hass, ENERGY_ID) == T0 + 4 * HOUR
    await async_import(hass, ENERGY, series(T0 - DAY, [1.0] * 3))
    last = await async_last_hour(hass, ENERGY_ID)
    assert last == T0 + 4 * HOUR
    assert last.tzinfo == UTC
    assert await async_last_hour(hass, COST_ID) is None


async def test_amber_day_snapshot(
    hass: HomeAssistant, snapshot: SnapshotAssertion
) -> None:
    """A realistic Amber day: 5-minute usage and cost in Adelaide, with negative prices at noon."""
    first = datetime(2024, 10, 12, tzinfo=ADELAIDE)
    readings = []
    for index in range(288):
        start = first + index * timedelta(minutes=5)
        kwh = round(
            0.02 + 0.01 * (index % 7) + (0.15 if 204 <= index < 216 else 0.0), 3
        )
        price = -0.0412 if 132 <= index < 168 else round(0.18 + 0.002 * (index % 11), 4)
        readings.append(
            IntervalReading(start, timedelta(minutes=5), kwh, round(kwh * price, 6))
        )
    result = await async_import(hass, ENERGY, readings, cost_spec=COST)
    assert result == ImportResult(
        ENERGY_ID,
        datetime(2024, 10, 11, 13, tzinfo=UTC),
        datetime(2024, 10, 12, 13, tzinfo=UTC),
        25,
        0,
    )
    energy, cost = await stored(hass, ENERGY_ID), await stored(hass, COST_ID)
    assert energy[-1][2] == pytest.approx(sum(reading.value for reading in readings))
    assert cost[-1][2] == pytest.approx(
        sum(reading.cost or 0.0 for reading in readings)
    )
    assert min(row[1] or 0.0 for row in cost) < 0
    assert {
        name: [
            (start.isoformat(), round(state or 0.0, 6), round(total or 0.0, 6))
            for start, state, total in stored_rows
        ]
        for name, stored_rows in (("energy", energy), ("cost", cost))
    } == snapshot


def test_consecutive_runs() -> None:
    """Sorted, split wherever the step is not kept: days, and hours across a UTC day."""
    day = date(2026, 3, 28)
    days = [day + timedelta(days=n) for n in (3, 0, 1, 5, 4, 8)]
    assert list(consecutive(days, DAY)) == [
        [day, day + DAY],
        [day + 3 * DAY, day + 4 * DAY, day + 5 * DAY],
        [day + 8 * DAY],
    ]
    hours = [T0 + n * HOUR for n in (23, 24, 26, 25, 27, 30)]
    assert list(consecutive(hours, HOUR)) == [
        [T0 + n * HOUR for n in (23, 24, 25, 26, 27)],
        [T0 + 30 * HOUR],
    ]
    assert list(consecutive([], DAY)) == []
