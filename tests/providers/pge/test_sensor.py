"""Every PG&E entity and device of the demo account, pinned by snapshots."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import only_platform
from tests.simulator import Simulator

from .common import NOW, set_up


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity and device of the demo account (electricity with solar, gas)."""
    with only_platform(Platform.SENSOR):
        await set_up(hass, pge_entry, pushed)
        await snapshot_platform(hass, entity_registry, snapshot, pge_entry.entry_id)
    devices = dr.async_entries_for_config_entry(device_registry, pge_entry.entry_id)
    assert sorted(d.name for d in devices) == [
        "PG&E Share My Data (50916)",
        "PG&E electricity · 2417 Grant St",
        "PG&E gas · 2417 Grant St",
    ]
    assert all(
        d.via_device_id is not None
        for d in devices
        if d.name.startswith("PG&E ") and "Share" not in d.name
    )
