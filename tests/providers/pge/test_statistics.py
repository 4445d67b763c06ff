"""Notified feeds into statistics: re-delivered data, malformed feeds, an expired token."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulator import Simulator

from .common import (
    ELECTRIC,
    GAS,
    NOW,
    RETURN,
    Post,
    call,
    feed_fetches,
    hourly,
    request_latest,
    set_up,
    settle,
)

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def test_redelivered_and_corrected_data_never_double_counts(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Asking the same days again (a new correlationID) leaves every statistic as it was."""
    await set_up(hass, pge_entry, pushed)
    before = {sid: await hourly(hass, sid) for sid in (ELECTRIC, RETURN, GAS)}
    response = await call(
        hass, pge_entry, "pge_request_data", start="2025-11-14", end="2025-11-19"
    )
    assert response == {"requested": True}
    await settle(hass, pge_entry, pushed)
    after = {sid: await hourly(hass, sid) for sid in (ELECTRIC, RETURN, GAS)}
    assert after == before


async def test_malformed_feed_keeps_the_previous_data(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A truncated feed imports nothing and is logged; what was shown stays."""
    await set_up(hass, pge_entry, pushed)
    before = await hourly(hass, ELECTRIC)
    shown = hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state
    pushed.fault_next("pge", "malformed")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert "Could not fetch notified PG&E data" in caplog.text
    assert await hourly(hass, ELECTRIC) == before
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state == shown
    )
    assert pge_entry.runtime_data.runtime.inbox.failed == 1
    # The failed resource, notified again, is fetched again (the other one is a duplicate).
    fetched = len(feed_fetches(pushed))
    assert await post(pushed.pge.notifications[-1].body) == 200
    await settle(hass, pge_entry, pushed)
    assert len(feed_fetches(pushed)) == fetched + 1
    assert pge_entry.runtime_data.runtime.inbox.failed == 1


async def test_feed_without_reading_types_imports_nothing(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """MeterReadings linking to no ReadingType: the feed is refused whole, data kept."""
    await set_up(hass, pge_entry, pushed)
    before = await hourly(hass, ELECTRIC)
    pushed.fault_next("pge", "missing_field")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert pge_entry.runtime_data.runtime.inbox.failed == 1
    assert await hourly(hass, ELECTRIC) == before


async def test_expired_token_while_fetching_is_renewed(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E answering 403 (token expired) to a feed fetch: a new token, the same fetch again."""
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    fetched = runtime.inbox.fetched
    await request_latest(hass, pge_entry)
    pushed.pge.expire_tokens()
    await settle(hass, pge_entry, pushed)
    assert runtime.inbox.fetched == fetched + 2
    assert runtime.inbox.failed == 0
    assert [r.status for r in feed_fetches(pushed)[-3:]].count(403) == 1
    assert pge_entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress()
