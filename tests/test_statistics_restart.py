"""Statistics import across a Home Assistant restart on a database file (testing-notes §4)."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
import random
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import async_test_home_assistant
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_block_recorder,
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import RecorderInstanceContextManager

from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
    async_last_hour,
    hourly,
)

HOUR = timedelta(hours=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# Four local days of PG&E-like 15-minute readings around the November fall-back (97 hours).
FIRST = datetime(2024, 11, 2, tzinfo=LOS_ANGELES)
DAYS = [FIRST.replace(day=day) for day in (2, 3, 4, 5, 6)]

ENERGY = StatisticSpec(
    "pge", "1234567890", "energy_consumption", "PG&E", "kWh", "energy"
)
COST = StatisticSpec("pge", "1234567890", "energy_cost", "PG&E cost", None, None)
CLEAN = StatisticSpec("pge", "clean", "energy_consumption", "Clean", "kWh", "energy")
CLEAN_COST = StatisticSpec("pge", "clean", "energy_cost", "Clean cost", None, None)

type Row = tuple[datetime, float | None, float | None]
type Stop = Callable[[HomeAssistant, list[IntervalReading]], Awaitable[None]]


@pytest.fixture(name="auto_enable_custom_integrations")
def no_auto_hass_fixture() -> None:
    """Replace conftest's autouse fixture for this module.

    That fixture requests `recorder_mock`, which sets up the `hass` fixture with an in-memory
    database; here each test starts and stops its own Home Assistant instances on one database
    file (`recorder_db_url` refuses to run once the `hass` fixture is set up). statistics.py needs
    only the recorder, not our integration loaded.
    """


@pytest.fixture
def recorder_db_url(tmp_path: Path) -> str:
    """Keep the database in a file that outlives one Home Assistant instance."""
    return f"sqlite:///{tmp_path / 'home-assistant_v2.db'}"


def readings() -> list[IntervalReading]:
    """Return the whole series: deterministic, not binary-exact values, with costs."""
    rng = random.Random(2024)
    start = DAYS[0].astimezone(UTC)
    end = DAYS[-1].astimezone(UTC)
    result = []
    while start < end:
        kwh = round(rng.uniform(0.0, 0.9), 3)
        result.append(
            IntervalReading(
                start.astimezone(LOS_ANGELES),
                timedelta(minutes=15),
                kwh,
                round(kwh * rng.choice((0.31, 0.42, 0.55)), 5),
            )
        )
        start += timedelta(minutes=15)
    return result


def between(
    series: list[IntervalReading], first: datetime, end: datetime
) -> list[IntervalReading]:
    """Return the readings starting in [first, end)."""
    return [reading for reading in series if first <= reading.start < end]


def expected(series: list[IntervalReading], cost: bool) -> list[Row]:
    """Return the rows one correct import of the contiguous series stores."""
    hours = hourly(
        IntervalReading(reading.start, reading.duration, reading.cost or 0.0)
        if cost
        else reading
        for reading in series
    )
    states = list(hours.values())
    sums = list(accumulate(states))
    return list(zip(hours, states, sums, strict=True))


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


async def stop_after_queueing(
    hass: HomeAssistant, chunk: list[IntervalReading]
) -> None:
    """Stop once the import has returned, its rows still queued (the recorder is busy)."""
    await async_block_recorder(hass, 0.3)
    await async_import(hass, ENERGY, chunk, cost_spec=COST)
    await hass.async_stop()


async def stop_while_importing(
    hass: HomeAssistant, chunk: list[IntervalReading]
) -> None:
    """Stop as the import starts reading what is stored.

    Once Home Assistant is stopping the import no longer reads (a read racing the recorder's
    shutdown crashed inside sqlite in most runs): it stores nothing, and is done again later.
    """
    task = hass.async_create_task(async_import(hass, ENERGY, chunk, cost_spec=COST))
    await hass.async_stop()
    await asyncio.gather(task, return_exceptions=True)


async def stop_cancelling_the_import(
    hass: HomeAssistant, chunk: list[IntervalReading]
) -> None:
    """Stop while the import runs as a background task, which the stop cancels."""
    task = hass.async_create_background_task(
        async_import(hass, ENERGY, chunk, cost_spec=COST), "openpower import"
    )
    await hass.async_stop()
    await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize(
    ("stop", "second_day_kept"),
    [
        (stop_after_queueing, True),
        (stop_while_importing, None),  # flushed or lost, whichever the timing gives
        (stop_cancelling_the_import, None),
    ],
)
async def test_restart_in_the_middle_of_an_import(
    async_test_recorder: RecorderInstanceContextManager,
    stop: Stop,
    second_day_kept: bool | None,
) -> None:
    """Import, stop mid-import, restart on the same file, finish: as one clean import."""
    series = readings()
    day = [between(series, DAYS[index], DAYS[index + 1]) for index in range(4)]

    async with async_test_home_assistant() as hass, async_test_recorder(hass):
        try:
            await async_import(hass, ENERGY, day[0], cost_spec=COST)
        finally:
            await stop(hass, day[1])

    async with async_test_home_assistant() as hass, async_test_recorder(hass):
        # Stopped even when an assertion fails, so the failure is not buried under teardown ones.
        try:
            await resume_and_compare(hass, series, day, second_day_kept)
        finally:
            await hass.async_stop()


async def resume_and_compare(
    hass: HomeAssistant,
    series: list[IntervalReading],
    day: list[list[IntervalReading]],
    second_day_kept: bool | None,
) -> None:
    """Check what survived, finish the import as a provider would, compare to a clean import."""
    # What survived is the first day, or the first two: both statistics alike.
    energy, cost = (
        await stored(hass, ENERGY.statistic_id),
        await stored(hass, COST.statistic_id),
    )
    kept = day[0] + day[1] if len(energy) > len(expected(day[0], False)) else day[0]
    assert energy == expected(kept, cost=False)
    assert cost == expected(kept, cost=True)
    if second_day_kept is not None:
        assert (kept != day[0]) is second_day_kept

    # The provider resumes from the last stored hour, re-fetching six hours before it.
    last = await async_last_hour(hass, ENERGY.statistic_id)
    assert last == energy[-1][0]
    await async_import(
        hass, ENERGY, between(series, last - 6 * HOUR, DAYS[3]), cost_spec=COST
    )
    await async_import(hass, ENERGY, day[3], cost_spec=COST)
    # The daily re-fetch overlaps what is stored.
    overlap = between(series, DAYS[1] + 12 * HOUR, DAYS[2] + 12 * HOUR)
    result = await async_import(hass, ENERGY, overlap, cost_spec=COST)
    assert result.hours_written == 0  # identical data is not written again
    assert result.rows_rebased == 0  # and moves nothing

    await async_import(hass, CLEAN, series, cost_spec=CLEAN_COST)
    clean = await stored(hass, CLEAN.statistic_id)
    assert len(clean) == 97  # 4 local days, one of 25 hours
    assert clean == expected(series, cost=False)
    assert await stored(hass, ENERGY.statistic_id) == clean
    assert await stored(hass, COST.statistic_id) == await stored(
        hass, CLEAN_COST.statistic_id
    )
