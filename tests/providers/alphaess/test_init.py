"""Setting the demo AppID up, failing to, unloading it; systems bound and unbound later."""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from tests.common import async_move_to, async_setup_entry
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_CHARGER,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    Simulator,
)

# 20:09:30 in Sydney, where the simulator's systems are.
NOW = datetime.fromisoformat("2026-08-04T10:09:30+00:00")
pytestmark = pytest.mark.freeze_time(NOW)
SOLAR_POWER = "sensor.alphaess_al7011023030601_solar_power"


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Run Home Assistant where the systems are: AlphaESS dates are the systems' local ones."""
    await hass.config.async_set_time_zone("Australia/Sydney")


def _state(hass: HomeAssistant, entity_id: str) -> State:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current


def _device(
    registry: dr.DeviceRegistry, entry: MockConfigEntry, serial: str
) -> dr.DeviceEntry | None:
    return registry.async_get_device_by_identifier(
        (DOMAIN, f"alphaess_{serial}"), entry.entry_id
    )


async def test_devices(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Both systems are devices with serial and model; the charger hangs under its system."""
    assert await async_setup_entry(hass, alphaess_entry)
    assert alphaess_entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(
        device_registry, alphaess_entry.entry_id
    )
    assert sorted(
        (d.name, d.manufacturer, d.model, d.serial_number) for d in devices
    ) == [
        ("AlphaESS AL7011023030202", "AlphaESS", "Storion-S5", ALPHAESS_LEGACY_SYSTEM),
        ("AlphaESS AL7011023030601", "AlphaESS", "SMILE5-INV", ALPHAESS_SYSTEM),
        (
            "AlphaESS EV charger AE1020231015007",
            "AlphaESS",
            "SMILE-EVCT11",
            ALPHAESS_CHARGER,
        ),
    ]
    system = _device(device_registry, alphaess_entry, ALPHAESS_SYSTEM)
    legacy = _device(device_registry, alphaess_entry, ALPHAESS_LEGACY_SYSTEM)
    charger = _device(device_registry, alphaess_entry, ALPHAESS_CHARGER)
    assert system is not None
    assert legacy is not None
    assert charger is not None
    assert charger.via_device_id == system.id
    assert system.via_device_id is None
    assert legacy.via_device_id is None
    assert system.configuration_url == "https://cloud.alphaess.com"


async def test_unload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """An unloaded entry asks AlphaESS nothing more, whatever the time."""
    assert await async_setup_entry(hass, alphaess_entry)
    assert await hass.config_entries.async_unload(alphaess_entry.entry_id)
    assert alphaess_entry.state is ConfigEntryState.NOT_LOADED
    simulator.requests.clear()
    await async_move_to(hass, freezer, NOW + timedelta(hours=9))
    assert simulator.requests == []


async def test_refused_secret_starts_reauth(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A 6007 (sign check error: the AppSecret changed) asks the user for the new secret."""
    simulator.fault_next("alphaess", "code_6007")
    assert not await async_setup_entry(hass, alphaess_entry)
    assert alphaess_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == alphaess_entry.entry_id


@pytest.mark.parametrize(
    ("fault", "count", "reason"),
    [
        ("http_500", 4, "cannot_connect"),
        ("http_502", 4, "cannot_connect"),
        ("code_6026", 1, "cannot_connect"),
        ("code_6042", 1, "cannot_connect"),
        ("malformed", 1, "invalid_response"),
        ("code_6053", 1, "rate_limited"),
    ],
)
async def test_setup_retries_later(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    fault: str,
    count: int,
    reason: str,
) -> None:
    """AlphaESS unreachable, failing or too busy at setup: retried later, saying why."""
    simulator.fault_next("alphaess", fault, count)
    assert not await async_setup_entry(hass, alphaess_entry)
    assert alphaess_entry.state is ConfigEntryState.SETUP_RETRY
    assert alphaess_entry.error_reason_translation_key == reason
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_refused_clock_raises_a_repair(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A 6009 (timestamp out of validity) is retried later with a repair about the clock.

    The repair goes once AlphaESS accepts the requests again.
    """
    issue_id = f"{alphaess_entry.entry_id}_alphaess_clock"
    simulator.fault_always("alphaess", "code_6009")
    assert not await async_setup_entry(hass, alphaess_entry)
    assert alphaess_entry.state is ConfigEntryState.SETUP_RETRY
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "alphaess_clock"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable

    simulator.fault_always("alphaess", None)
    await async_move_to(hass, freezer, NOW + timedelta(minutes=2))
    assert alphaess_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_clock_refused_while_running(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A clock that drifts off later raises the repair too; it goes with the next answer."""
    issue_id = f"{alphaess_entry.entry_id}_alphaess_clock"
    assert await async_setup_entry(hass, alphaess_entry)
    simulator.fault_next("alphaess", "code_6009")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=1))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert _state(hass, SOLAR_POWER).state == STATE_UNAVAILABLE
    await async_move_to(hass, freezer, NOW + timedelta(minutes=2))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert _state(hass, SOLAR_POWER).state == "0.0"


async def test_system_bound_later_appears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A system bound elsewhere (the AlphaESS app) appears at the next system list, 8 h on."""
    assert await async_setup_entry(hass, alphaess_entry)
    simulator.alphaess.bind(ALPHAESS_APP_ID, ALPHAESS_UNBOUND_SYSTEM)
    await async_move_to(hass, freezer, NOW + timedelta(hours=7, minutes=59))
    assert _device(device_registry, alphaess_entry, ALPHAESS_UNBOUND_SYSTEM) is None

    await async_move_to(hass, freezer, NOW + timedelta(hours=8))
    await async_move_to(hass, freezer, NOW + timedelta(hours=8, minutes=1))
    device = _device(device_registry, alphaess_entry, ALPHAESS_UNBOUND_SYSTEM)
    assert device is not None
    assert (device.name, device.model, device.serial_number) == (
        "AlphaESS AL7011025010003",
        "SMILE-G3-S5",
        ALPHAESS_UNBOUND_SYSTEM,
    )
    soc = _state(hass, "sensor.alphaess_al7011025010003_battery_state_of_charge")
    assert soc.attributes["source"] == "live"
    assert 10 <= float(soc.state) <= 100


async def test_system_unbound_elsewhere_goes_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A system no longer bound to the AppID loses its device at the next system list."""
    assert await async_setup_entry(hass, alphaess_entry)
    assert _device(device_registry, alphaess_entry, ALPHAESS_LEGACY_SYSTEM) is not None
    simulator.alphaess.accounts[ALPHAESS_APP_ID].systems.remove(ALPHAESS_LEGACY_SYSTEM)
    await async_move_to(hass, freezer, NOW + timedelta(hours=8))
    await async_move_to(hass, freezer, NOW + timedelta(hours=8, minutes=1))
    assert _device(device_registry, alphaess_entry, ALPHAESS_LEGACY_SYSTEM) is None
    assert hass.states.get("sensor.alphaess_al7011023030202_load_power") is None
    assert _device(device_registry, alphaess_entry, ALPHAESS_SYSTEM) is not None
    assert _device(device_registry, alphaess_entry, ALPHAESS_CHARGER) is not None
    load = _state(hass, "sensor.alphaess_al7011023030601_load_power")
    assert float(load.state) > 0


async def test_removing_the_entry_forgets_its_backfill(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Where the backfill was is stored per entry, and goes with it (the statistics stay)."""
    key = f"{DOMAIN}.alphaess_{alphaess_entry.entry_id}"
    assert await async_setup_entry(hass, alphaess_entry)
    assert set(hass_storage[key]["data"]) == {ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM}
    await hass.config_entries.async_remove(alphaess_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
