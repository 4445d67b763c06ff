"""An Amber site's prices as a price table (providers/amber/price_book.py), against the simulator.

Expected prices come from the simulator's model (`simulator.amber.price`, in c/kWh with Amber's
sign): the book holds what the user pays for general and is paid for feed-in, in AUD/kWh.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.amber import ChannelType
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.pricing import Direction, PriceSpan
from custom_components.openpower.providers.amber.price_book import (
    REFETCH_AFTER,
    AmberPriceBook,
)
from tests.common import async_move_to, async_setup_entry
from tests.simulator import DEMO_SITE_5MIN, DEMO_SITE_30MIN, Simulator
from tests.simulator.amber import AmberSimulator

from .conftest import amber_entry_data

pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:10+00:00")

NOW = datetime(2026, 11, 23, 2, 0, 10, tzinfo=UTC)  # NEM 12:00:10 on 23 November
CURRENT = datetime(2026, 11, 23, 2, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def nem_midnight(day: int) -> datetime:
    """Start of a NEM date of November 2026 (UTC+10), in UTC."""
    return datetime(2026, 11, day, tzinfo=UTC) - timedelta(hours=10)


def price_book(entry: MockConfigEntry) -> AmberPriceBook:
    book: AmberPriceBook = entry.runtime_data.runtime.price_book
    return book


def price_reads(simulator: Simulator) -> list[tuple[str, str, str]]:
    """(startDate, endDate, resolution) of every `/prices` request."""
    return [
        (r.query["startDate"], r.query["endDate"], r.query["resolution"])
        for r in simulator.requests
        if r.path.endswith("/prices")
    ]


def user_price(
    simulator: Simulator,
    start: datetime,
    channel: str = "general",
    *,
    estimated: bool = False,
    site: str = DEMO_SITE_5MIN,
) -> float:
    """AUD/kWh paid (general) or earned (feed-in) for the interval, from the model."""
    amber = cast("AmberSimulator", simulator.amber)
    cents = amber.price(site, channel, start, estimated=estimated).per_kwh
    return (-cents if channel == "feedIn" else cents) / 100


def expected_spans(
    simulator: Simulator,
    first: datetime,
    count: int,
    channel: str = "general",
    *,
    estimated: bool = False,
) -> list[PriceSpan]:
    return [
        PriceSpan(
            first + n * FIVE,
            first + (n + 1) * FIVE,
            user_price(simulator, first + n * FIVE, channel, estimated=estimated),
            estimated,
        )
        for n in range(count)
    ]


def assert_spans(found: list[PriceSpan], expected: list[PriceSpan]) -> None:
    assert [(s.start, s.end, s.estimate) for s in found] == [
        (s.start, s.end, s.estimate) for s in expected
    ]
    assert [s.price for s in found] == pytest.approx([s.price for s in expected])


async def test_records_the_coordinators_prices(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The current interval and the forecast come from `/prices/current`, no `/prices` read."""
    assert await async_setup_entry(hass, amber_entry)
    book = price_book(amber_entry)
    hour_ahead = (CURRENT + FIVE, CURRENT + 13 * FIVE)
    assert_spans(
        await book.async_prices(Direction.IMPORT, *hour_ahead),
        expected_spans(simulator, CURRENT + FIVE, 12, estimated=True),
    )
    assert_spans(
        await book.async_prices(Direction.EXPORT, *hour_ahead),
        expected_spans(simulator, CURRENT + FIVE, 12, "feedIn", estimated=True),
    )
    assert price_reads(simulator) == []

    # The current interval (still an estimate 10 s in): `/prices` fails, the book answers.
    simulator.fault_next("amber", "not_found")
    assert_spans(
        await book.async_prices(Direction.IMPORT, CURRENT, CURRENT + FIVE),
        expected_spans(simulator, CURRENT, 1, estimated=True),
    )


async def test_reads_missing_dates_once_and_today_again_later(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await async_setup_entry(hass, amber_entry)
    book = price_book(amber_entry)
    calls: list[datetime] = []
    book.async_listen(lambda: calls.append(dt_util.utcnow()))

    # 13 to 23 November (NEM): eleven dates, 7 + 4.
    start = NOW - timedelta(days=10)
    spans = await book.async_prices(Direction.IMPORT, start, NOW)
    assert price_reads(simulator) == [
        ("2026-11-13", "2026-11-19", "5"),
        ("2026-11-20", "2026-11-23", "5"),
    ]
    # From 02:00 on the 13th to the current interval, every 5 minutes: 10 days and one.
    past = expected_spans(simulator, CURRENT - timedelta(days=10), 10 * 288)
    assert_spans(spans, [*past, *expected_spans(simulator, CURRENT, 1, estimated=True)])

    # Again at once: past dates are complete, today was just read.
    freezer.tick(REFETCH_AFTER - timedelta(seconds=1))
    assert_spans(
        await book.async_prices(Direction.IMPORT, start, NOW),
        [*past, *expected_spans(simulator, CURRENT, 1, estimated=True)],
    )
    assert len(price_reads(simulator)) == 2
    assert calls == []

    # REFETCH_AFTER later only today is read again; 02:00 is confirmed now (and 02:05 current).
    freezer.tick(timedelta(seconds=1))
    spans = await book.async_prices(Direction.IMPORT, start, NOW + REFETCH_AFTER)
    assert price_reads(simulator)[2:] == [("2026-11-23", "2026-11-23", "5")]
    assert_spans(
        spans,
        [
            *past,
            *expected_spans(simulator, CURRENT, 1),
            *expected_spans(simulator, CURRENT + FIVE, 1, estimated=True),
        ],
    )
    assert len(calls) == 1


async def test_a_confirmed_price_calls_the_listeners_once(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The coordinator confirming 02:00 (25 s in) and then 02:05: one call each."""
    assert await async_setup_entry(hass, amber_entry)
    book = price_book(amber_entry)
    calls: list[datetime] = []
    unsubscribe = book.async_listen(lambda: calls.append(dt_util.utcnow()))
    for second in range(15, 60, 5):
        await async_move_to(hass, freezer, CURRENT + timedelta(seconds=second))
    assert len(calls) == 1
    assert (
        CURRENT + timedelta(seconds=25) <= calls[0] <= CURRENT + timedelta(seconds=45)
    )
    await async_move_to(hass, freezer, CURRENT + timedelta(minutes=4, seconds=50))
    assert len(calls) == 1
    for second in range(0, 60, 5):
        await async_move_to(hass, freezer, CURRENT + FIVE + timedelta(seconds=second))
    assert len(calls) == 2

    # Unsubscribed: 02:10's confirmation calls nobody.
    unsubscribe()
    for second in range(0, 60, 5):
        await async_move_to(
            hass, freezer, CURRENT + 2 * FIVE + timedelta(seconds=second)
        )
    assert len(calls) == 2
    assert price_reads(simulator) == []
    simulator.fault_next("amber", "not_found")
    assert_spans(
        await book.async_prices(Direction.IMPORT, CURRENT, CURRENT + 3 * FIVE),
        expected_spans(simulator, CURRENT, 3),
    )


async def test_a_confirmed_price_is_never_replaced_by_an_estimate(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await async_setup_entry(hass, amber_entry)
    for second in range(15, 60, 5):
        await async_move_to(hass, freezer, CURRENT + timedelta(seconds=second))
    book = price_book(amber_entry)
    calls: list[datetime] = []
    book.async_listen(lambda: calls.append(dt_util.utcnow()))
    prices = amber_entry.runtime_data.runtime.prices.data
    general = prices.channels[ChannelType.GENERAL]
    assert general.current.start == CURRENT
    assert general.current.estimate is False
    stale = replace(
        general, current=replace(general.current, per_kwh=9.99, estimate=True)
    )
    book.async_record_prices(
        replace(prices, channels={**prices.channels, ChannelType.GENERAL: stale})
    )
    assert calls == []
    simulator.fault_next("amber", "not_found")
    assert_spans(
        await book.async_prices(Direction.IMPORT, CURRENT, CURRENT + FIVE),
        expected_spans(simulator, CURRENT, 1),
    )


async def test_prices_direction_follows_the_channels(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The 5-minute demo site has feed-in; the 30-minute one has only general."""
    general_only = MockConfigEntry(
        domain=DOMAIN,
        title="Flat",
        unique_id=f"amber_{DEMO_SITE_30MIN}",
        data=amber_entry_data(simulator, DEMO_SITE_30MIN),
    )
    general_only.add_to_hass(hass)
    # Setting up the integration sets up both entries.
    assert await async_setup_entry(hass, amber_entry)
    assert general_only.state is ConfigEntryState.LOADED
    with_feed_in = price_book(amber_entry)
    assert with_feed_in.prices_direction(Direction.IMPORT)
    assert with_feed_in.prices_direction(Direction.EXPORT)
    book = price_book(general_only)
    assert book.prices_direction(Direction.IMPORT)
    assert not book.prices_direction(Direction.EXPORT)

    # Its history is read at its own resolution: half-hours.
    half = timedelta(minutes=30)
    first = nem_midnight(22)
    spans = await book.async_prices(Direction.IMPORT, first, first + 4 * half)
    assert price_reads(simulator) == [("2026-11-22", "2026-11-22", "30")]
    expected = [
        PriceSpan(
            first + n * half,
            first + (n + 1) * half,
            user_price(simulator, first + n * half, site=DEMO_SITE_30MIN),
        )
        for n in range(4)
    ]
    assert_spans(spans, expected)


async def test_old_prices_are_pruned_when_unused(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An hour after the last read, intervals that ended over 2 days ago are dropped."""
    assert await async_setup_entry(hass, amber_entry)
    book = price_book(amber_entry)
    await book.async_prices(Direction.IMPORT, nem_midnight(19), NOW)
    assert price_reads(simulator) == [("2026-11-19", "2026-11-23", "5")]

    freezer.tick(
        timedelta(minutes=61)
    )  # 03:01:10; kept: what ended after 21 Nov 03:01:10
    book.async_record_prices(amber_entry.runtime_data.runtime.prices.data)
    spans = await book.async_prices(
        Direction.IMPORT, nem_midnight(19), nem_midnight(23)
    )
    # The 19th and 20th were dropped, the 21st in part: read again; the 22nd was kept.
    assert price_reads(simulator)[1:] == [("2026-11-19", "2026-11-21", "5")]
    assert_spans(spans, expected_spans(simulator, nem_midnight(19), 4 * 288))
