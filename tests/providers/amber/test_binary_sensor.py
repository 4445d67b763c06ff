"""Amber binary sensors (price spike, demand window), pinned by snapshots."""

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


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
@pytest.mark.usefixtures(
    "entity_registry_enabled_by_default", "amber_one_hour_forecast"
)
async def test_binary_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The 5-minute demo site's general channel: no spike, outside the demand window."""
    with only_platform(Platform.BINARY_SENSOR):
        assert await async_setup_entry(hass, amber_entry)
    await snapshot_platform(hass, entity_registry, snapshot, amber_entry.entry_id)
