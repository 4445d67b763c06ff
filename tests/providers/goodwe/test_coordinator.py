"""Cadences and the failure policy against the simulator's SEMS+ faults.

Sessions (100002 once: one new login, no reauth; a password changed meanwhile: reauth), GY0429
(back off, values kept), an empty `data` (kept while fresh, then unavailable, logged once), 100025
(a repair, cleared when access is back; on one device, only that device), the midnight counter
replay (never backwards), and two stations of one account on one session.
"""

from datetime import datetime, timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.goodwe.const import (
    DEVICES_INTERVAL,
    FLOW_INTERVAL,
    SLOW_DOWN_FOR,
    STALE_AFTER,
)
from tests.common import async_move_to, async_setup_entry
from tests.simulator import Simulator
from tests.simulator.goodwe import (
    GOODWE_BATTERY_SN,
    GOODWE_EMAIL,
    GOODWE_INSTALLER_EMAIL,
    GOODWE_INSTALLER_PASSWORD,
    GOODWE_PV_STATION,
    GOODWE_STATION,
)

from .conftest import goodwe, goodwe_entry_data

NOW = datetime.fromisoformat("2026-06-15T10:30:00+00:00")  # 12:30 in Amsterdam
PV = "sensor.goodwe_home_hybrid_solar_power"
PV_TOTAL = "sensor.goodwe_inverter_0017_solar_energy_total"
AC = "sensor.goodwe_inverter_0017_ac_power"
BATTERY_SOC = "sensor.goodwe_battery_0231_battery_state_of_charge"
KEPT = "keeping the previous data"


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return the state of an entity that must exist."""
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


def logins(simulator: Simulator) -> int:
    """Logins the simulator answered."""
    return sum(1 for r in simulator.requests if r.path.endswith("/cross-login"))


def gateway_calls(simulator: Simulator, since: datetime) -> list[str]:
    """Paths of the gateway calls received from `since` on."""
    return [
        r.path.rsplit("/sems-plant/api/", 1)[-1]
        for r in simulator.requests
        if "/sems-plant/api/" in r.path and r.time >= since
    ]


def kept_lines(caplog: pytest.LogCaptureFixture, coordinator: str) -> list[str]:
    """Warnings of one coordinator that it keeps its previous data."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
        and KEPT in r.getMessage()
        and f" {coordinator}:" in r.getMessage()
    ]


@pytest.mark.freeze_time(NOW)
async def test_cadences(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Flow every 90 s; devices, telemetry and counters every 10 minutes; no second login."""
    assert await async_setup_entry(hass, goodwe_entry)
    start = NOW + timedelta(seconds=1)
    for step in range(1, 8):
        await async_move_to(hass, freezer, NOW + timedelta(seconds=90 * step))
    await async_move_to(hass, freezer, NOW + timedelta(minutes=10, seconds=30))
    calls = gateway_calls(simulator, start)
    assert calls.count("stations/flow") == 7
    assert calls.count("stations/device/all-status") == 1
    assert sorted(
        c.rsplit("/", 1)[-1] for c in calls if c.startswith("equipments")
    ) == [
        "telecounting",
        "telecounting",
        "telemetry",
        "telemetry",
        "telemetry",
    ]
    assert logins(simulator) == 1


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("fault", ["session_expired", "session_replaced"])
async def test_refused_session_logs_in_once(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    fault: str,
) -> None:
    """100002 or C0602: one new login, the call repeated, the values fresh; no reauth."""
    assert await async_setup_entry(hass, goodwe_entry)
    simulator.fault_next("goodwe", fault)
    await async_move_to(hass, freezer, NOW + FLOW_INTERVAL)
    assert logins(simulator) == 2
    assert state(hass, PV) not in (STATE_UNAVAILABLE, "unknown")
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


@pytest.mark.freeze_time(NOW)
async def test_password_changed_starts_reauth(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The session ends and the new login is refused (100005): reauth, entities unavailable."""
    assert await async_setup_entry(hass, goodwe_entry)
    goodwe(simulator).accounts[GOODWE_EMAIL].password = "changed-by-the-owner"
    simulator.fault_next("goodwe", "session_expired")
    await async_move_to(hass, freezer, NOW + FLOW_INTERVAL)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert state(hass, PV) == STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_rate_limited_backs_off_and_keeps_values(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """GY0429: the values stay, nothing is asked for 300 s, then the flow is read again.

    (At the slowed pace: every 180 s from the GY0429 on.)
    """
    assert await async_setup_entry(hass, goodwe_entry)
    before = state(hass, PV)
    simulator.fault_next("goodwe", "rate_limited")
    limited_at = NOW + FLOW_INTERVAL
    await async_move_to(hass, freezer, limited_at)
    assert state(hass, PV) == before
    # (Not in the last minute of the pause: a request then waits for its end, which a frozen
    # clock never reaches.)
    for step in range(2, 4):
        await async_move_to(hass, freezer, NOW + step * FLOW_INTERVAL)
        assert state(hass, PV) == before
    # The refused call, and nothing else while the account is paused (300 s).
    assert gateway_calls(simulator, limited_at) == ["stations/flow"]
    resumed = limited_at + timedelta(seconds=330)
    await async_move_to(hass, freezer, resumed)
    await async_move_to(
        hass, freezer, limited_at + 4 * FLOW_INTERVAL + timedelta(seconds=5)
    )
    assert "stations/flow" in gateway_calls(simulator, resumed)
    assert state(hass, PV) not in (before, STATE_UNAVAILABLE)


def flow_gaps(simulator: Simulator, since: datetime, until: datetime) -> list[float]:
    """Seconds between successive flow reads from `since` to `until`."""
    times = [
        r.time
        for r in simulator.requests
        if r.path.endswith("/stations/flow") and since <= r.time < until
    ]
    return [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]


@pytest.mark.freeze_time(NOW)
async def test_throttled_slows_down_for_an_hour(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a GY0429 the flow is read every 180 s for an hour, then every 90 s again."""
    assert await async_setup_entry(hass, goodwe_entry)
    simulator.fault_next("goodwe", "rate_limited")
    limited_at = NOW + FLOW_INTERVAL
    await async_move_to(hass, freezer, limited_at)
    # Past the 300 s pause at once: a read in its last minute would wait for its end.
    moment = limited_at + timedelta(seconds=330)
    await async_move_to(hass, freezer, moment)
    end = limited_at + timedelta(hours=1, minutes=30)
    while moment < end:
        moment += timedelta(seconds=30)
        await async_move_to(hass, freezer, moment)
    slow = flow_gaps(
        simulator, limited_at + timedelta(seconds=300), limited_at + SLOW_DOWN_FOR
    )
    assert len(slow) >= 15
    assert all(gap >= 2 * FLOW_INTERVAL.total_seconds() for gap in slow)
    fast = flow_gaps(simulator, limited_at + SLOW_DOWN_FOR + 2 * FLOW_INTERVAL, end)
    assert len(fast) >= 8
    assert all(gap < 2 * FLOW_INTERVAL.total_seconds() for gap in fast)


@pytest.mark.freeze_time(NOW)
async def test_empty_data_kept_then_unavailable(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An empty `data` (the 2026-09-23 break): kept `STALE_AFTER`, then unavailable; one line."""
    assert await async_setup_entry(hass, goodwe_entry)
    before = state(hass, PV)
    simulator.fault_always("goodwe", "empty_data")
    step = 1
    while step * FLOW_INTERVAL < STALE_AFTER:
        await async_move_to(hass, freezer, NOW + step * FLOW_INTERVAL)
        assert state(hass, PV) == before, step
        step += 1
    await async_move_to(hass, freezer, NOW + (step + 1) * FLOW_INTERVAL)
    assert state(hass, PV) == STATE_UNAVAILABLE
    lines = kept_lines(caplog, "flow")
    assert len(lines) == 1
    assert "the answer's data is empty" in lines[0]
    simulator.fault_always("goodwe", None)
    await async_move_to(hass, freezer, NOW + (step + 2) * FLOW_INTERVAL)
    assert state(hass, PV) not in (STATE_UNAVAILABLE, "unknown")


@pytest.mark.freeze_time(NOW)
async def test_no_access_raises_a_repair(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """100025: a repair and unavailable entities; access given back clears both."""
    assert await async_setup_entry(hass, goodwe_entry)
    issue_id = f"{goodwe_entry.entry_id}_goodwe_station_access"
    account = goodwe(simulator).accounts[GOODWE_EMAIL]
    account.stations.remove(GOODWE_STATION)
    await async_move_to(hass, freezer, NOW + FLOW_INTERVAL)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "goodwe_station_access"
    assert state(hass, PV) == STATE_UNAVAILABLE
    account.stations.append(GOODWE_STATION)
    await async_move_to(hass, freezer, NOW + 2 * FLOW_INTERVAL)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert state(hass, PV) not in (STATE_UNAVAILABLE, "unknown")


@pytest.mark.freeze_time(NOW)
async def test_no_access_to_one_device_leaves_the_others(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """100025 on the battery alone: its entities unavailable, logged once; the rest read on."""
    assert await async_setup_entry(hass, goodwe_entry)
    account = goodwe(simulator).accounts[GOODWE_EMAIL]
    account.refused_devices.add(GOODWE_BATTERY_SN)
    for poll in (1, 2):
        await async_move_to(hass, freezer, NOW + poll * DEVICES_INTERVAL)
        assert state(hass, BATTERY_SOC) == STATE_UNAVAILABLE
        assert state(hass, AC) not in (STATE_UNAVAILABLE, "unknown")
        assert state(hass, PV) not in (STATE_UNAVAILABLE, "unknown")
    refusals = [r for r in caplog.records if "refuses this account" in r.getMessage()]
    assert len(refusals) == 1
    assert GOODWE_BATTERY_SN not in refusals[0].getMessage()
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"{goodwe_entry.entry_id}_goodwe_station_access"
        )
        is None
    )
    # The device stays, with its entities and their history.
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, f"goodwe_{GOODWE_BATTERY_SN}"), goodwe_entry.entry_id
    )
    account.refused_devices.clear()
    await async_move_to(hass, freezer, NOW + 3 * DEVICES_INTERVAL)
    assert state(hass, BATTERY_SOC) not in (STATE_UNAVAILABLE, "unknown")
    assert any("answers the battery" in r.getMessage() for r in caplog.records)


@pytest.mark.freeze_time(NOW)
async def test_stations_of_one_account_share_its_session(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An installer's two stations: one login, never a session ended by the other entry."""
    entries = [
        MockConfigEntry(
            domain=DOMAIN,
            title=title,
            unique_id=f"goodwe_{station}",
            data=goodwe_entry_data(
                simulator,
                username=GOODWE_INSTALLER_EMAIL,
                password=GOODWE_INSTALLER_PASSWORD,
                station=station,
            ),
        )
        for title, station in (("Home", GOODWE_STATION), ("Cabin", GOODWE_PV_STATION))
    ]
    for entry in entries:
        entry.add_to_hass(hass)
        assert await async_setup_entry(hass, entry)
    for step in range(1, 5):
        await async_move_to(hass, freezer, NOW + step * FLOW_INTERVAL)
    # Apart, each entry's login would end the other's session: a login at every poll.
    assert logins(simulator) == 1
    assert state(hass, PV) not in (STATE_UNAVAILABLE, "unknown")
    assert (
        entries[0].runtime_data.runtime.client is entries[1].runtime_data.runtime.client
    )


# 23:50 in Amsterdam; the first device poll after setup is at local midnight.
SETUP_BEFORE_MIDNIGHT = datetime.fromisoformat("2026-06-15T21:50:00+00:00")
MIDNIGHT_POLL = SETUP_BEFORE_MIDNIGHT + DEVICES_INTERVAL


@pytest.mark.freeze_time("2026-06-15T21:50:00+00:00")
async def test_lifetime_counter_never_goes_backwards(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The midnight replay (counters as of the day's start): ignored, with a debug line."""
    caplog.set_level(logging.DEBUG, "custom_components.openpower")
    assert await async_setup_entry(hass, goodwe_entry)
    before = float(state(hass, PV_TOTAL))
    simulator.fault_next("goodwe", "counter_midnight_drop")
    await async_move_to(hass, freezer, MIDNIGHT_POLL)
    replays = [r for r in simulator.requests if r.fault == "counter_midnight_drop"]
    assert len(replays) == 1
    assert float(state(hass, PV_TOTAL)) == before
    assert any("went back" in r.getMessage() for r in caplog.records)
    # And it moves on when SEMS+ sends the true value again.
    await async_move_to(hass, freezer, MIDNIGHT_POLL + DEVICES_INTERVAL)
    assert float(state(hass, PV_TOTAL)) >= before


@pytest.mark.freeze_time("2026-06-15T21:50:00+00:00")  # 23:50 in Amsterdam
async def test_counters_survive_a_restart(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restart whose first counters are a midnight replay still does not go backwards."""
    assert await async_setup_entry(hass, goodwe_entry)
    before = float(state(hass, PV_TOTAL))
    await async_move_to(hass, freezer, MIDNIGHT_POLL)
    simulator.fault_next("goodwe", "counter_midnight_drop")
    assert await hass.config_entries.async_reload(goodwe_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [r for r in simulator.requests if r.fault == "counter_midnight_drop"]
    assert float(state(hass, PV_TOTAL)) == before
