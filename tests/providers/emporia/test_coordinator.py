"""The cadences, and the failure policy against Emporia's faults: outages, 400 bursts, stale data."""

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.providers.emporia.coordinator import (
    EmporiaHistoryCoordinator,
)
from tests.common import async_move_to, async_setup_entry
from tests.simulator import Simulator

NOW = "2026-11-23T20:00:30+00:00"
MAINS_POWER = "sensor.home_mains_power"
KITCHEN_POWER = "sensor.kitchen_power"
MAINS_TODAY = "sensor.home_mains_energy_today"


def _calls(simulator: Simulator) -> dict[str, int]:
    """How often each cadence's request reached Emporia."""
    calls = {"power": 0, "status": 0, "devices": 0}
    for record in simulator.requests:
        if record.query.get("scale") == "1MIN":
            calls["power"] += 1
        elif record.path.endswith("/customers/devices/status"):
            calls["status"] += 1
        elif record.path.endswith("/customers/devices"):
            calls["devices"] += 1
    return calls


@pytest.mark.freeze_time(NOW)
async def test_cadences(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Power every minute, status every 5 minutes, the device tree every hour."""
    assert await async_setup_entry(hass, emporia_entry)
    assert _calls(simulator) == {"power": 1, "status": 1, "devices": 1}
    simulator.requests.clear()
    now = datetime.fromisoformat(NOW)
    for minute in range(1, 11):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    assert _calls(simulator) == {"power": 10, "status": 2, "devices": 0}
    simulator.requests.clear()
    await async_move_to(hass, freezer, now + timedelta(hours=1))
    assert _calls(simulator) == {"power": 1, "status": 1, "devices": 1}


@pytest.mark.parametrize(
    ("now", "wait"),
    [
        ("2026-11-23T02:02:59.999+00:00", timedelta(hours=1, microseconds=1000)),
        ("2026-11-23T02:03:00.500+00:00", timedelta(minutes=59, seconds=59.5)),
        ("2026-11-23T02:30:00+00:00", timedelta(minutes=33)),
        ("2026-11-23T03:02:30+00:00", timedelta(hours=1, seconds=30)),
        ("2026-11-23T02:40:00+00:00", timedelta(minutes=23)),
    ],
)
def test_history_runs_once_an_hour(now: str, wait: timedelta) -> None:
    """A run fired a moment before hh:03 does not run again a moment later (bench finding)."""
    assert EmporiaHistoryCoordinator.next_run(datetime.fromisoformat(now)) == wait


@pytest.mark.freeze_time(NOW)
async def test_null_usage_is_unknown_and_outage_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A null usage is unknown, never 0; an outage is unavailable, then it recovers."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    simulator.fault_next("emporia", "null_usage")
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    assert hass.states.get(MAINS_POWER).state == STATE_UNKNOWN

    simulator.fault_always("emporia", "http_500")
    await async_move_to(hass, freezer, now + timedelta(minutes=2))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    await async_move_to(hass, freezer, now + timedelta(minutes=3))
    good = hass.states.get(MAINS_POWER).state
    assert float(good) != 0

    # An unreadable answer keeps the last minute (logged once); a run of them does not.
    simulator.fault_always("emporia", "malformed")
    await async_move_to(hass, freezer, now + timedelta(minutes=4))
    assert hass.states.get(MAINS_POWER).state == good
    for minute in range(5, 9):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_expired_id_token_is_renewed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """An id token the API refuses is renewed once, and the update succeeds."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.expire_tokens()
    await async_move_to(
        hass, freezer, datetime.fromisoformat(NOW) + timedelta(minutes=1)
    )
    assert hass.states.get(MAINS_POWER).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    assert emporia_entry.state is ConfigEntryState.LOADED


@pytest.mark.freeze_time(NOW)
async def test_maintenance_makes_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Emporia down for maintenance: unavailable (never zeros), back when it ends."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.maintenance = True
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.emporia.maintenance = False
    await async_move_to(hass, freezer, now + timedelta(minutes=2))
    assert hass.states.get(MAINS_POWER).state != STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_customers_400_burst(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Emporia answering 400 for hours (2026-09-16): the tree is kept, power is not.

    Power goes unavailable after a few minutes (never stale for hours); all comes back after.
    """
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    simulator.fault_always("emporia", "http_400")
    for minute in range(1, 6):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=1))
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(KITCHEN_POWER) is not None
    simulator.clear_faults()
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=2))
    assert hass.states.get(MAINS_POWER).state != STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_energy_today_never_decreases(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Today's energy grows, ignores a stale minute, survives an outage, resets at midnight."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    values = [float(hass.states.get(MAINS_TODAY).state)]
    for minute in range(1, 6):
        if minute == 3:
            simulator.fault_next("emporia", "stale_instant")
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
        values.append(float(hass.states.get(MAINS_TODAY).state))
    assert values == sorted(values)
    assert values[-1] > values[0]
    # Local midnight in Los Angeles: a new day starts from what the new day brought.
    midnight = datetime(2026, 11, 24, 8, 0, 30, tzinfo=UTC)
    await async_move_to(hass, freezer, midnight + timedelta(minutes=1))
    assert float(hass.states.get(MAINS_TODAY).state) < values[-1]
