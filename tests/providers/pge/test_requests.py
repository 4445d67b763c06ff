"""Asking PG&E for data: the backfill in windows, the daily request, restarts.

Also a notification that does not come (the repair issue) and a replayed one (settles nothing).
"""

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge import const as pge_const
from custom_components.openpower.providers.pge.runtime import SETTINGS, PgeSettings
from tests.simulator import Simulator

from .common import (
    ELECTRIC,
    GAS,
    NOW,
    RETURN,
    Post,
    bulk_requests,
    feed_fetches,
    hourly,
    request_latest,
    set_up,
    settle,
)

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def next_daily_requests(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> list[Any]:
    """Run the next day's 18:17 UTC request; return the Bulk requests it made."""
    requests = len(bulk_requests(simulator))
    freezer.move_to(datetime(2025, 11, 21, 18, 17, tzinfo=UTC))
    async_fire_time_changed(hass, datetime(2025, 11, 21, 18, 17, tzinfo=UTC))
    await settle(hass, entry, simulator)
    return bulk_requests(simulator)[requests:]


async def test_setup_backfills_history_through_the_webhook(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The first setup asks the history in windows; every pushed feed lands in statistics."""
    await set_up(hass, pge_entry, pushed)
    # Six days (the test's history) in windows of four, oldest first.
    windows = [
        (r.query["published-min"], r.query["published-max"])
        for r in bulk_requests(pushed)
    ]
    assert len(windows) == 2
    assert windows[0] < windows[1]
    # Two resources (electricity, gas) per notification, each fetched once.
    assert len(feed_fetches(pushed)) == 4
    electric = await hourly(hass, ELECTRIC)
    returned = await hourly(hass, RETURN)
    gas = await hourly(hass, GAS)
    # The 14th to the 19th (Pacific days: 08:00 UTC in PST), every hour.
    assert min(electric) == datetime(2025, 11, 14, 8, tzinfo=UTC)
    assert max(electric) == datetime(2025, 11, 20, 7, tzinfo=UTC)
    assert len(electric) == 6 * 24
    assert all(value >= 0 for value in electric.values())
    assert sum(returned.values()) > 0
    # Daily gas: one row per day at the day's first hour, zeros between.
    assert len([v for v in gas.values() if v]) == 6
    latest = hass.states.get("sensor.pg_e_electricity_latest_day_consumption")
    assert latest is not None
    assert latest.attributes["day"] == "2025-11-19"
    day_start = datetime(2025, 11, 19, 8, tzinfo=UTC)
    expected = sum(
        v for h, v in electric.items() if day_start <= h < day_start + timedelta(days=1)
    )
    assert float(latest.state) == pytest.approx(expected)
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_returned_to_grid").state
        != "unknown"
    )
    assert float(hass.states.get("sensor.pg_e_gas_latest_day_gas").state) > 0
    newest = hass.states.get("sensor.pg_e_electricity_newest_data")
    assert newest.state == "2025-11-20T08:00:00+00:00"
    assert (
        hass.states.get("sensor.pg_e_share_my_data_50916_service_status").state
        == "online"
    )
    assert pge_entry.runtime_data.runtime.usage.data.backfill_next is None


async def test_daily_request_asks_from_three_days_before_the_newest_data(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """At 18:17 UTC the day's request starts 3 days before the newest interval."""
    await set_up(hass, pge_entry, pushed)
    daily = await next_daily_requests(hass, pge_entry, pushed, freezer)
    assert len(daily) == 1
    newest = datetime(2025, 11, 20, 8, tzinfo=UTC)
    assert int(daily[0].query["published-min"]) == int(
        (newest - timedelta(days=3)).timestamp()
    )
    assert "published-max" not in daily[0].query


async def test_missing_notification_raises_a_repair_until_data_arrives(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No notification within the timeout → a repair issue with the URL; cleared by data."""
    issue_id = f"{pge_entry.entry_id}_pge_notification_missing"
    pushed.fault_next("pge", "no_notification")
    with patch.object(pge_const, "NOTIFICATION_TIMEOUT", timedelta(seconds=0.2)):
        assert await hass.config_entries.async_setup(pge_entry.entry_id)
        await hass.async_block_till_done()
        for _ in range(100):
            await asyncio.sleep(0.02)
            await hass.async_block_till_done()
            if issue_registry.async_get_issue(DOMAIN, issue_id):
                break
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["minutes"] == "0"
    runtime = pge_entry.runtime_data.runtime
    await settle(hass, pge_entry, pushed)
    # The backfill paused at its first window; asked again, it resumes and completes.
    assert runtime.usage.data.backfill_next is not None
    assert not await hourly(hass, ELECTRIC)
    await runtime.requests.async_run_requests()
    await settle(hass, pge_entry, pushed)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert runtime.usage.data.backfill_next is None
    assert await hourly(hass, ELECTRIC)


async def test_replayed_notification_does_not_settle_a_waiting_request(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry, post: Post
) -> None:
    """A notification with nothing new is noted, but the request it cannot answer still waits."""
    await set_up(hass, pge_entry, pushed)
    usage = pge_entry.runtime_data.runtime.usage
    pushed.fault_next("pge", "no_notification")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    waiting = usage.data.awaiting_since
    assert waiting is not None
    # The last usage notification (the customer information's came after it).
    body = next(
        n.body for n in reversed(pushed.pge.notifications) if b"/Batch/Bulk/" in n.body
    )
    assert await post(body) == 200
    await settle(hass, pge_entry, pushed)
    assert usage.data.last_notification.duplicates == 2
    assert usage.data.awaiting_since == waiting


async def test_restart_shows_stored_data_and_does_not_ask_again(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """After a reload the sensors show the last data at once; no new request within 12 h."""
    await set_up(hass, pge_entry, pushed)
    shown = hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state
    requests = len(bulk_requests(pushed))
    assert await hass.config_entries.async_reload(pge_entry.entry_id)
    await settle(hass, pge_entry, pushed)
    assert len(bulk_requests(pushed)) == requests
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state == shown
    )


async def test_a_backfill_window_whose_fetch_fails_is_asked_again(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The connection dropped mid-body in window 2: the window is asked again, nothing lost."""
    # Window 2 (the 18th and 19th): its first feed holding the 19th breaks halfway once.
    pushed.pge.drop_body_days = {date(2025, 11, 19)}
    await set_up(hass, pge_entry, pushed)
    assert not pushed.pge.drop_body_days  # the fault happened
    windows = [
        (r.query["published-min"], r.query["published-max"])
        for r in bulk_requests(pushed)
    ]
    assert len(windows) == 3
    assert windows[1] == windows[2]
    electric = await hourly(hass, ELECTRIC)
    day_start = datetime(2025, 11, 18, 8, tzinfo=UTC)
    window_two = [day_start + timedelta(hours=hour) for hour in range(48)]
    assert all(hour in electric for hour in window_two)
    assert len(electric) == 6 * 24
    assert pge_entry.runtime_data.runtime.usage.data.backfill_next is None


async def test_other_answers_do_not_move_the_backfill_on(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """An action's answer arriving while a window waits does not count as the window's."""
    pushed.pge.link_notifications = False
    pushed.fault_next("pge", "no_notification")
    # Long enough for the action's answer to be fetched while window 1 still waits.
    with patch.object(pge_const, "NOTIFICATION_TIMEOUT", timedelta(seconds=2)):
        assert await hass.config_entries.async_setup(pge_entry.entry_id)
        await hass.async_block_till_done()
        # Window 1 waits (its notification never comes); the latest day is asked meanwhile.
        await request_latest(hass, pge_entry)
        await settle(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    assert runtime.usage.data.backfill_next is not None
    # Only the latest day arrived (the action's answer), not window 1's days.
    electric = await hourly(hass, ELECTRIC)
    assert min(electric) == datetime(2025, 11, 19, 8, tzinfo=UTC)


async def test_a_closed_service_does_not_widen_the_daily_request(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    pge_settings: PgeSettings,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Gas closed a month ago: the daily request starts 3 days before the electricity's data."""
    hass.data[SETTINGS] = replace(
        pge_settings, history_days=60, backfill_window=timedelta(days=30)
    )
    account = pushed.pge.account("demo")
    gas = account.usage_points[1]
    account.usage_points[1] = replace(gas, last_day=date(2025, 10, 15))
    await set_up(hass, pge_entry, pushed)
    points = {p.kind: p for p in pge_entry.runtime_data.runtime.usage.data.points}
    assert points["gas"].newest_interval_end < datetime(2025, 10, 17, tzinfo=UTC)
    daily = await next_daily_requests(hass, pge_entry, pushed, freezer)
    assert len(daily) == 1
    electricity_newest = points["electricity"].newest_interval_end
    assert int(daily[0].query["published-min"]) == int(
        (electricity_newest - timedelta(days=3)).timestamp()
    )
