"""Amber sensors: every one pinned by snapshots, only the site's channels, forecasts not recorded."""

from datetime import timedelta

from homeassistant.components.recorder import get_instance, history
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import async_setup_entry, only_platform
from tests.simulator import DEMO_SITE_30MIN, Simulator

pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")


@pytest.mark.usefixtures(
    "entity_registry_enabled_by_default", "amber_one_hour_forecast"
)
async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The 5-minute demo site: three channels, tariff periods, a confirmed price."""
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, amber_entry)
    await snapshot_platform(hass, entity_registry, snapshot, amber_entry.entry_id)


async def test_general_only_site(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A 30-minute site with only the general channel gets no other channel's entities."""
    hass.config_entries.async_update_entry(
        amber_entry,
        data={**amber_entry.data, "site_id": DEMO_SITE_30MIN},
        unique_id=f"amber_{DEMO_SITE_30MIN}",
    )
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, amber_entry)
    ids = sorted(hass.states.async_entity_ids("sensor"))
    assert ids == [
        "sensor.home_general_forecast",
        "sensor.home_general_price",
        "sensor.home_general_price_descriptor",
        "sensor.home_general_spot_price",
        "sensor.home_renewables",
    ]
    forecasts = hass.states.get("sensor.home_general_forecast").attributes["forecasts"]
    assert forecasts[0]["duration"] == 30
    assert len(forecasts) == 48


async def test_forecast_list_is_not_recorded(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The `forecasts` attribute is for the live state only (recorder's 16 kB limit)."""
    assert await async_setup_entry(hass, amber_entry)
    entity_id = "sensor.home_general_forecast"
    assert hass.states.get(entity_id).attributes["forecasts"]
    await async_wait_recording_done(hass)
    states = await get_instance(hass).async_add_executor_job(
        history.state_changes_during_period,
        hass,
        dt_util.utcnow() - timedelta(hours=1),
        None,
        entity_id,
    )
    recorded = states[entity_id]
    assert recorded
    assert "forecasts" not in recorded[-1].attributes
    assert recorded[-1].attributes["channel_type"] == "general"
