"""Feeds into series: meters added up, the shortest readings where lengths overlap, no registers.

Built from the captured one-day hourly feed (`espi_pge_electric_hourly_1day_2019-10-03.xml`) with
entries added the way PG&E writes them: a daily MeterReading of the same quantity, a second meter
with the same reading type, a cumulative (register) reading type.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
from typing import Any

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.providers.pge.history import Series, async_read_feed
from custom_components.openpower.providers.pge.statistics import async_import_feed
from tests.simulator import PGE_ELECTRIC_USAGE_POINT

from .common import ELECTRIC

FIXTURE = (
    Path(__file__).parents[2]
    / "simulator/fixtures/pge/espi_pge_electric_hourly_1day_2019-10-03.xml"
)
METER_READING = "TnpJNmJuVnNiRG96TmpBd09qRT06MQ=="
READING_TYPE = "NzI6bnVsbDozNjAwOjE="
DAY_START = datetime(2019, 10, 3, 7, tzinfo=UTC)  # Pacific midnight (PDT)
_READINGS = re.compile(r"(<ns0:IntervalReading>.*</ns0:IntervalReading>)", re.DOTALL)


def entries() -> tuple[str, list[str]]:
    """The fixture's head and entries (LocalTimeParameters, ReadingType, UsagePoint, …)."""
    head, *rest = FIXTURE.read_text().split("<ns1:entry")
    return head, ["<ns1:entry" + entry for entry in rest]


def feed(*added: str) -> bytes:
    """The fixture with `added` entries before its last one (ProgramIdMappings)."""
    head, items = entries()
    return (head + "".join(items[:-1]) + "".join(added) + items[-1]).encode()


def meter(
    name: str, *, interval: int = 3600, accumulation: int = 4, reading: str = ""
) -> list[str]:
    """A second MeterReading of the usage point: its ReadingType, itself, its one day block.

    `reading` replaces the block's hourly readings (a daily value); by default it repeats them.
    """
    _, items = entries()
    reading_type, meter_reading, block = items[1], items[3], items[4]
    type_id = READING_TYPE if interval == 3600 and accumulation == 4 else f"RT{name}"
    added = []
    if type_id != READING_TYPE:
        added.append(
            reading_type.replace(READING_TYPE, type_id)
            .replace("<ns0:intervalLength>3600<", f"<ns0:intervalLength>{interval}<")
            .replace(
                "<ns0:accumulationBehaviour>4<",
                f"<ns0:accumulationBehaviour>{accumulation}<",
            )
        )
    added.append(
        meter_reading.replace(METER_READING, f"MR{name}").replace(READING_TYPE, type_id)
    )
    block = block.replace(METER_READING, f"MR{name}")
    if reading:
        block = _READINGS.sub(reading, block)
    added.append(block)
    return added


def daily_reading(value_mwh: int) -> str:
    """One reading over the whole day (86400 s), as a daily MeterReading sends it."""
    return (
        "<ns0:IntervalReading><ns0:timePeriod><ns0:duration>86400</ns0:duration>"
        f"<ns0:start>{int(DAY_START.timestamp())}</ns0:start></ns0:timePeriod>"
        f"<ns0:value>{value_mwh}</ns0:value></ns0:IntervalReading>"
    )


class FakeClient:
    """Serves one body to `async_read_feed`, in two chunks."""

    def __init__(self, body: bytes) -> None:
        """Serve `body`."""
        self.body = body

    async def async_fetch(
        self, _url: str, consume: Callable[[bytes], Awaitable[None]], **_: Any
    ) -> None:
        """Hand the body over as a stream would."""
        half = len(self.body) // 2
        await consume(self.body[:half])
        await consume(self.body[half:])


async def hourly(hass: HomeAssistant) -> dict[datetime, float]:
    """The stored hourly electricity of the fixture's day."""
    await async_wait_recording_done(hass)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        DAY_START - timedelta(days=1),
        DAY_START + timedelta(days=2),
        {ELECTRIC},
        "hour",
        None,
        {"state"},
    )
    return {
        datetime.fromtimestamp(row["start"], UTC): row["state"] or 0.0
        for row in rows.get(ELECTRIC, [])
    }


async def stored_day(hass: HomeAssistant, body: bytes) -> dict[datetime, float]:
    """Read, import and read back the day's hourly electricity statistics."""
    read = await async_read_feed(hass, FakeClient(body), "https://api.pge.com/x")  # type: ignore[arg-type]
    await async_import_feed(hass, read.collector, read.feed)
    return await hourly(hass)


async def test_hourly_wins_over_a_daily_total_of_the_same_day(
    hass: HomeAssistant,
) -> None:
    """A daily MeterReading beside the hourly one: the day is its hours, not twice its total."""
    alone = await stored_day(hass, feed())
    total = sum(alone.values())
    assert len(alone) == 24
    assert total > 0
    both = await stored_day(
        hass, feed(*meter("DAY", interval=86400, reading=daily_reading(123_456_789)))
    )
    assert sum(both.values()) == pytest.approx(total)
    assert both == pytest.approx(alone)


async def test_two_meters_of_one_reading_type_add_up(hass: HomeAssistant) -> None:
    """A second meter with the same reading type: both count, neither overwrites the other."""
    alone = await stored_day(hass, feed())
    both = await stored_day(hass, feed(*meter("TWO")))
    assert both == pytest.approx({hour: 2 * value for hour, value in alone.items()})


async def test_cumulative_readings_are_not_intervals(hass: HomeAssistant) -> None:
    """Register values (accumulationBehaviour 9, summation) are skipped, not added."""
    alone = await stored_day(hass, feed())
    read = await async_read_feed(
        hass,
        FakeClient(
            feed(*meter("REG", accumulation=9, reading=daily_reading(987_654_321)))
        ),
        "https://api.pge.com/x",  # type: ignore[arg-type]
    )
    assert read.collector.skipped_blocks == 1
    assert set(read.collector.series) == {
        (PGE_ELECTRIC_USAGE_POINT, Series.CONSUMPTION)
    }
    await async_import_feed(hass, read.collector, read.feed)
    assert await hourly(hass) == pytest.approx(alone)
