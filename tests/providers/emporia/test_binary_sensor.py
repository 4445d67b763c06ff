"""Binary sensors: every one of the demo account (snapshot)."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import async_setup_entry, only_platform
from tests.simulator import Simulator


@pytest.mark.freeze_time("2026-11-23T20:00:30+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_binary_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Connectivity of every device, and whether the car is plugged in."""
    with only_platform(Platform.BINARY_SENSOR):
        assert await async_setup_entry(hass, emporia_entry)
    await snapshot_platform(hass, entity_registry, snapshot, emporia_entry.entry_id)
