"""Sensors: every one of the demo account (snapshot), and power as Emporia measures it."""

from datetime import datetime

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.emporia import EmporiaClient
from tests.common import async_setup_entry, only_platform
from tests.simulator import EMPORIA_VUE2_GID, Simulator

NOW = "2026-11-23T20:00:30+00:00"


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Every sensor of the demo account (Vue 2 + nested Vue 3, plug, charger)."""
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, emporia_entry)
    await snapshot_platform(hass, entity_registry, snapshot, emporia_entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_power_as_emporia_says(
    hass: HomeAssistant,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    emporia_client: EmporiaClient,
) -> None:
    """Mains power is the last minute's energy as a mean; solar keeps its sign."""
    assert await async_setup_entry(hass, emporia_entry)
    usages = await emporia_client.async_get_usages(
        [EMPORIA_VUE2_GID], datetime.fromisoformat(NOW), "1MIN"
    )
    mains = usages.values[EMPORIA_VUE2_GID, "1,2,3"]
    assert mains is not None
    assert float(hass.states.get("sensor.home_mains_power").state) == pytest.approx(
        mains * 60_000
    )
    # Solar produces at noon in Los Angeles: negative, as Emporia sends it.
    assert float(hass.states.get("sensor.solar_power").state) < 0
    assert float(hass.states.get("sensor.kitchen_power").state) >= 0
