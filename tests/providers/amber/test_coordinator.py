"""Amber prices against the simulator: interval-aligned polling, limits and bad input."""

from datetime import UTC, datetime, timedelta
import logging
import random
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    get_scheduled_timer_handles,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.coordinator import (
    AmberPricePoint,
    ConfirmationClock,
    next_boundary,
)
from tests.common import async_move_to, async_setup_entry, price_requests
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    Simulator,
)

from .conftest import amber_entry_data, english

PRICE = "sensor.home_general_price"
pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:10+00:00")


def _estimate(hass: HomeAssistant) -> bool:
    return bool(hass.states.get(PRICE).attributes["estimate"])


async def test_polls_after_each_boundary_until_confirmed(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Just after each boundary, then 15-30 s apart until confirmed; 2 per interval once learned."""
    assert await async_setup_entry(hass, amber_entry)
    assert price_requests(simulator) == ["02:00:10"]
    assert _estimate(hass)  # the simulator confirms 25 s into the interval
    first = datetime(2026, 11, 23, 2, tzinfo=UTC)
    for interval in range(8):
        start = first + timedelta(minutes=5 * interval)
        for second in range(1 if interval else 11, 46):
            await async_move_to(hass, freezer, start + timedelta(seconds=second))
        # The price of the interval, confirmed, within 45 s.
        assert hass.states.get(PRICE).attributes["start_time"] == start.isoformat()
        assert not _estimate(hass)
    confirmed = simulator.amber.price(
        DEMO_SITE_5MIN, "general", first + timedelta(minutes=35)
    )
    assert float(hass.states.get(PRICE).state) == pytest.approx(confirmed.per_kwh / 100)

    seconds = [(int(t[3:5]) % 5) * 60 + int(t[6:8]) for t in price_requests(simulator)]
    per_interval: list[list[int]] = []
    for offset in seconds:
        if offset < 5 and per_interval:
            per_interval.append([offset])
        elif per_interval:
            per_interval[-1].append(offset)
        else:
            per_interval.append([offset])
    for polls in per_interval[1:]:
        assert 1 <= polls[0] <= 3  # just after the boundary
        gaps = [b - a for a, b in zip(polls, polls[1:], strict=False)]
        assert all(15 <= gap <= 31 for gap in gaps), polls
    # Learned: two requests, the second just after Amber confirms (25 s in).
    for polls in per_interval[-3:]:
        assert len(polls) == 2
        assert 25 <= polls[1] <= 27
    assert simulator.count_requests("amber", status=429) == 0


async def test_estimate_polling_stops_after_two_minutes(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A price Amber never confirms is asked for 15-30 s apart, for at most 2 minutes."""
    simulator.amber.confirmation_delay = 3600
    assert await async_setup_entry(hass, amber_entry)
    moment = datetime(2026, 11, 23, 2, 0, 10, tzinfo=UTC)
    while moment < datetime(2026, 11, 23, 2, 5, 10, tzinfo=UTC):
        moment += timedelta(seconds=5)
        await async_move_to(hass, freezer, moment)
    times = price_requests(simulator)
    in_first = [t for t in times if t < "02:05:00"]
    assert in_first[-1] <= "02:02:00"
    seconds = [int(t[3:5]) * 60 + int(t[6:8]) for t in in_first]
    gaps = [b - a for a, b in zip(seconds, seconds[1:], strict=False)]
    assert all(15 <= gap <= 30 for gap in gaps), gaps
    assert "02:05:05" in times  # back on the boundary schedule


def _point(start: datetime, *, estimate: bool) -> AmberPricePoint:
    return AmberPricePoint(
        start=start,
        end=start + timedelta(minutes=5),
        duration_minutes=5,
        nem_date=start.date(),
        nem_time=start + timedelta(minutes=5),
        price=0.1,
        per_kwh=0.1,
        spot_per_kwh=0.05,
        descriptor=None,
        spike_status=None,
        renewables=50,
        estimate=estimate,
        range_min=None,
        range_max=None,
        advanced_low=None,
        advanced_predicted=None,
        advanced_high=None,
        tariff_period=None,
        tariff_season=None,
        demand_window=None,
    )


@pytest.mark.parametrize(
    ("delay", "expected", "seen_at"),
    [(25, 2, 28), (45, 3, 51), (8, 2, 19)],
)
def test_confirmation_clock_learns_the_delay(
    delay: int, expected: int, seen_at: float
) -> None:
    """After the first hour, every interval takes the fewest requests the delay allows.

    Polls land up to 1.5 s after the time asked (Home Assistant's scheduling). A re-poll is
    never closer than 15 s to the previous one, nor further than 30 s: a 45 s delay needs
    three requests (+2, +32, +47), and the learning must not run away.
    """
    jitter = random.Random(delay)
    clock = ConfirmationClock()
    start = datetime(2026, 11, 23, tzinfo=UTC)
    counts = []
    confirmed_after = []
    for _ in range(288):
        now = start + timedelta(seconds=1 + jitter.uniform(0, 1.5))
        polls = 0
        while True:
            polls += 1
            when = clock.next_poll(
                _point(start, estimate=(now - start).total_seconds() < delay), now
            )
            if when is None:
                break
            assert timedelta(seconds=15) <= when - now <= timedelta(seconds=30)
            now = when + timedelta(seconds=jitter.uniform(0, 1.5))
        counts.append(polls)
        confirmed_after.append((now - start).total_seconds())
        start += timedelta(minutes=5)
    steady = counts[12:]
    assert set(steady) == {expected}
    assert max(confirmed_after[12:]) <= seen_at


def test_confirmation_clock_follows_a_changing_delay() -> None:
    """Amber slower: the search reopens above. Faster: the learned time stays (no extra probe)."""
    clock = ConfirmationClock()
    start = datetime(2026, 11, 23, tzinfo=UTC)

    def interval(delay: int) -> list[int]:
        nonlocal start
        now = start + timedelta(seconds=2)
        seen = []
        while True:
            seen.append(int((now - start).total_seconds()))
            when = clock.next_poll(
                _point(start, estimate=(now - start).total_seconds() < delay), now
            )
            if when is None:
                break
            now = when
        start += timedelta(minutes=5)
        return seen

    for _ in range(12):
        interval(20)
    assert interval(20) == [2, 20]
    slower = [interval(28) for _ in range(12)]
    assert slower[-1] == [2, 28]
    faster = [interval(12) for _ in range(12)]
    assert faster[-1] == [
        2,
        28,
    ]  # still two requests; the price shows confirmed 16 s late
    # Confirmed already at the boundary poll: one request per interval, the search reset.
    assert interval(1) == [2]
    assert clock.early == timedelta(0)
    assert interval(1) == [2]
    relearned = [interval(20) for _ in range(12)]
    assert relearned[-1] == [2, 20]


def test_next_boundary() -> None:
    """Boundaries are whole multiples of the interval length in UTC."""
    now = datetime(2026, 11, 23, 2, 4, 59, tzinfo=UTC)
    assert next_boundary(now, 5) == datetime(2026, 11, 23, 2, 5, tzinfo=UTC)
    assert next_boundary(now, 30) == datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert next_boundary(datetime(2026, 11, 23, 2, 5, tzinfo=UTC), 5) == datetime(
        2026, 11, 23, 2, 10, tzinfo=UTC
    )


async def test_rate_limited_waits_as_told(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Amber's 429 has no header: nothing is sent for 300 s; the forecast carries on meanwhile."""
    assert await async_setup_entry(hass, amber_entry)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    forecast = hass.states.get("sensor.home_general_forecast").attributes["forecasts"]
    simulator.fault_next("amber", "http_429")
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    state = hass.states.get(PRICE)
    assert state.attributes["start_time"] == "2026-11-23T02:05:00+00:00"
    assert state.attributes["estimate"] is True
    assert float(state.state) == pytest.approx(forecast[0]["price"], abs=1e-5)
    before = len(simulator.requests)
    for moment in ("02:05:40", "02:07:00", "02:10:01"):
        await async_move_to(hass, freezer, f"2026-11-23T{moment}+00:00")
    assert len(simulator.requests) == before  # nothing reaches Amber during the pause
    assert caplog.text.count("keeping the previous data") == 1
    # The pause is over: the next poll goes out, and the data is fresh again. (Not a step
    # inside the last second of the pause: the poll would wait for it on the frozen clock.)
    await async_move_to(hass, freezer, "2026-11-23T02:10:35+00:00")
    assert price_requests(simulator)[-1] == "02:10:35"
    state = hass.states.get(PRICE)
    assert state.attributes["start_time"] == "2026-11-23T02:10:00+00:00"
    assert state.attributes["estimate"] is False


async def test_rate_limited_without_previous_data(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """With nothing to carry on, a rate limit leaves the prices unavailable."""
    assert await async_setup_entry(hass, amber_entry)
    coordinator = amber_entry.runtime_data.runtime.prices
    simulator.fault_next("amber", "http_429")
    coordinator.data = None
    await coordinator.async_refresh()
    assert not coordinator.last_update_success


async def test_budget_and_pause_are_shared_by_the_account(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """Three sites of one account: never over 50 requests per 5 minutes, one pause for all."""
    entries = []
    for number, site_id in enumerate(MULTI_SITES):
        data = amber_entry_data(simulator, site_id) | {
            "api_token": MULTI_TOKEN,
            "account_id": min(MULTI_SITES),
        }
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Site {number}",
            unique_id=f"amber_{site_id}",
            data=data,
        )
        entry.add_to_hass(hass)
        entries.append(entry)
        assert await async_setup_entry(hass, entry)
    moment = datetime(2026, 11, 23, 2, 0, 10, tzinfo=UTC)
    while moment < datetime(2026, 11, 23, 2, 30, 10, tzinfo=UTC):
        moment += timedelta(seconds=5)
        await async_move_to(hass, freezer, moment)
    assert simulator.count_requests("amber", status=429) == 0
    for site_id in MULTI_SITES:
        # Two per interval from 02:00 to 02:25, and the 02:30 boundary poll.
        assert len(price_requests(simulator, site_id)) == 2 * 6 + 1
    times = sorted(r.time for r in simulator.requests if r.account == "multi")
    for index, first in enumerate(times):
        assert sum(1 for t in times[index:] if t < first + timedelta(seconds=300)) <= 50

    # One 429 pauses every site of the account: the three boundary polls were already on
    # their way, then nothing (no confirmation re-poll either) until the pause ends.
    simulator.fault_next("amber", "http_429")
    before = len(simulator.requests)
    await async_move_to(hass, freezer, "2026-11-23T02:35:03+00:00")
    assert len(simulator.requests) == before + 3
    for moment_text in ("02:35:33", "02:37:00", "02:40:01"):
        await async_move_to(hass, freezer, f"2026-11-23T{moment_text}+00:00")
    assert len(simulator.requests) == before + 3
    await async_move_to(hass, freezer, "2026-11-23T02:40:05+00:00")
    assert len(simulator.requests) == before + 6


async def test_server_errors_unavailable_then_recovered(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """5xx: three retries, then unavailable (never zero); back at the next interval."""
    assert await async_setup_entry(hass, amber_entry)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    simulator.fault_next("amber", "http_500", 4)
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    assert price_requests(simulator)[-4:] == ["02:05:03"] * 4
    assert hass.states.get(PRICE).state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.home_price_spike").state == STATE_UNAVAILABLE
    await async_move_to(hass, freezer, "2026-11-23T02:10:03+00:00")
    state = hass.states.get(PRICE)
    assert state.state != STATE_UNAVAILABLE
    assert state.attributes["start_time"] == "2026-11-23T02:10:00+00:00"
    assert "server error (500)" in caplog.text


@pytest.mark.parametrize("fault", ["malformed", "missing_field"])
async def test_malformed_answer_keeps_previous_data(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """Garbage from Amber: one log line, the last good forecast carries on, no crash."""
    assert await async_setup_entry(hass, amber_entry)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    forecast = hass.states.get("sensor.home_general_forecast").attributes["forecasts"]
    simulator.fault_always("amber", fault)
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    state = hass.states.get(PRICE)
    # The previous answer's forecast for 02:05 is now shown as the (estimated) current price.
    assert state.attributes["start_time"] == "2026-11-23T02:05:00+00:00"
    assert state.attributes["estimate"] is True
    assert float(state.state) == pytest.approx(forecast[0]["price"], abs=1e-5)
    await async_move_to(hass, freezer, "2026-11-23T02:10:03+00:00")
    assert (
        hass.states.get(PRICE).attributes["start_time"] == "2026-11-23T02:10:00+00:00"
    )
    assert caplog.text.count("keeping the previous data") == 1

    simulator.fault_always("amber", None)
    await async_move_to(hass, freezer, "2026-11-23T02:15:03+00:00")
    state = hass.states.get(PRICE)
    assert state.attributes["start_time"] == "2026-11-23T02:15:00+00:00"
    assert "valid data again" in caplog.text


async def test_malformed_answer_after_the_forecast_runs_out(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kept data is only shown for the intervals it covers, then unavailable."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
        options={"forecast_hours": 1, "pricing_mode": "per_kwh"},
    )
    entry.add_to_hass(hass)
    assert await async_setup_entry(hass, entry)
    simulator.fault_always("amber", "malformed")
    await async_move_to(hass, freezer, "2026-11-23T02:55:03+00:00")
    assert hass.states.get(PRICE).state != STATE_UNAVAILABLE
    await async_move_to(hass, freezer, "2026-11-23T03:05:03+00:00")
    assert hass.states.get(PRICE).state == STATE_UNAVAILABLE


async def test_unknown_enum_values(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """New enum values: those fields unknown, one warning each, the prices keep flowing."""
    simulator.fault_always("amber", "unknown_enum")
    assert await async_setup_entry(hass, amber_entry)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    assert (
        hass.states.get("sensor.home_general_price_descriptor").state == STATE_UNKNOWN
    )
    assert hass.states.get("binary_sensor.home_price_spike").state == STATE_UNKNOWN
    price = hass.states.get(PRICE)
    assert price.attributes["start_time"] == "2026-11-23T02:05:00+00:00"
    assert float(price.state) != 0
    assert caplog.text.count("unknown descriptor 'superLow'") == 1
    assert caplog.text.count("unknown channel type 'battery'") == 1
    assert not hass.states.async_entity_ids("sensor.home_battery")


async def test_revoked_token_starts_reauth(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """401 while running: entities unavailable and a reauth flow for the entry."""
    assert await async_setup_entry(hass, amber_entry)
    simulator.amber.revoke_token(DEMO_TOKEN)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    assert hass.states.get(PRICE).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [(f["context"]["source"], f["step_id"]) for f in flows] == [
        (SOURCE_REAUTH, "amber_reauth")
    ]
    assert flows[0]["context"]["entry_id"] == amber_entry.entry_id


async def test_closed_site_raises_repair(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A closed site: prices answer 404, the site check finds it closed, a repair says so."""
    assert await async_setup_entry(hass, amber_entry)
    simulator.amber.close_site(DEMO_SITE_5MIN)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    assert hass.states.get(PRICE).state == STATE_UNAVAILABLE
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{amber_entry.entry_id}_amber_site_closed"
    )
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "amber_site_closed"
    assert english("issues", issue.translation_key, "title")
    assert issue.translation_placeholders == {"entry": "Home"}
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"{amber_entry.entry_id}_amber_site_gone"
        )
        is None
    )


async def test_removed_site_raises_repair_cleared_when_back(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A site gone from the account: repair; it clears itself if the site comes back."""
    assert await async_setup_entry(hass, amber_entry)
    site = simulator.amber.site(DEMO_SITE_5MIN)
    simulator.amber.remove_site(DEMO_SITE_5MIN)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    issue_id = f"{amber_entry.entry_id}_amber_site_gone"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    simulator.amber.add_site("demo", site)
    await async_move_to(hass, freezer, "2026-11-23T08:01:00+00:00")
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(PRICE).state != STATE_UNAVAILABLE


async def test_pricing_mode_advanced_predicted(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The advanced predicted price, with Amber's feed-in sign turned into what you are paid."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
        options={"forecast_hours": 2, "pricing_mode": "advanced_predicted"},
    )
    entry.add_to_hass(hass)
    assert await async_setup_entry(hass, entry)
    general = hass.states.get(PRICE)
    assert float(general.state) == pytest.approx(
        general.attributes["advanced_price_predicted"], abs=1e-5
    )
    assert general.attributes["price"] != general.attributes["per_kwh"]
    feed_in = hass.states.get("sensor.home_feed_in_price")
    start = datetime(2026, 11, 23, 2, tzinfo=UTC)
    raw = simulator.amber.price(DEMO_SITE_5MIN, "feedIn", start, estimated=True)
    assert feed_in.attributes["per_kwh"] == pytest.approx(-raw.per_kwh / 100, abs=1e-5)
    assert float(feed_in.state) == pytest.approx(
        feed_in.attributes["advanced_price_predicted"], abs=1e-5
    )
    forecasts = hass.states.get("sensor.home_general_forecast").attributes["forecasts"]
    assert len(forecasts) == 24  # 2 hours of 5-minute intervals


async def test_unload_stops_polling(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading cancels every timer: no request afterwards."""
    assert await async_setup_entry(hass, amber_entry)
    assert await hass.config_entries.async_unload(amber_entry.entry_id)
    assert amber_entry.state is ConfigEntryState.NOT_LOADED
    assert not [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled() and "DataUpdateCoordinator" in repr(handle)
    ]
    before = len(simulator.requests)
    await async_move_to(hass, freezer, "2026-11-23T09:00:00+00:00")
    assert len(simulator.requests) == before


async def test_no_debug_secret_in_logs(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even at debug level, and through failures, no token or full site id is logged."""
    caplog.set_level(logging.DEBUG, logger="custom_components.openpower")
    assert await async_setup_entry(hass, amber_entry)
    simulator.fault_next("amber", "http_500", 2)
    simulator.fault_next("amber", "http_401")
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    assert "…V81" in caplog.text  # the logs do name the request, masked
    assert DEMO_TOKEN not in caplog.text
    assert DEMO_SITE_5MIN not in caplog.text


async def test_answer_without_current_price_keeps_previous_data(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An empty price list is garbage too: the last forecast carries on."""
    assert await async_setup_entry(hass, amber_entry)
    with patch(
        "custom_components.openpower.api.amber.client.AmberClient.async_get_current_prices",
        return_value=[],
    ):
        await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    state = hass.states.get(PRICE)
    assert state.attributes["start_time"] == "2026-11-23T02:05:00+00:00"
    assert state.attributes["estimate"] is True


async def test_channels_that_appear_later_get_entities(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A feed-in channel added to the site (new solar) brings its entities; none before."""
    site = simulator.amber.site(DEMO_SITE_5MIN)
    feed_in = next(c for c in site.channels if c.type == "feedIn")
    site.channels.remove(feed_in)
    assert await async_setup_entry(hass, amber_entry)
    assert hass.states.get("sensor.home_feed_in_price") is None
    site.channels.append(feed_in)
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")
    assert hass.states.get("sensor.home_feed_in_price").state != STATE_UNAVAILABLE
    # And a channel that goes away leaves its entities unavailable, not frozen.
    site.channels.remove(feed_in)
    await async_move_to(hass, freezer, "2026-11-23T02:10:03+00:00")
    assert hass.states.get("sensor.home_feed_in_price").state == STATE_UNAVAILABLE
    assert hass.states.get(PRICE).state != STATE_UNAVAILABLE
