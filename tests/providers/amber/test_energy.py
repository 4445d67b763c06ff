"""What we give the Energy dashboard passes its own validation; forecasts stay out of history."""

from datetime import timedelta

from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy.validate import async_validate
from homeassistant.components.recorder import get_instance, history
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from tests.common import async_setup_entry
from tests.simulator import DEMO_SITE_5MIN, Simulator

PREFIX = f"openpower:amber_{DEMO_SITE_5MIN.lower()}"


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_energy_dashboard_accepts_statistics_and_prices(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Imported consumption, cost, return and compensation, and the live price entities."""
    hass.config.currency = "AUD"
    assert await async_setup_component(hass, "energy", {})
    assert await async_setup_entry(hass, amber_entry)
    await async_wait_recording_done(hass)
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": f"{PREFIX}_e1_energy_consumption",
                    "stat_energy_to": f"{PREFIX}_b1_energy_return",
                    "stat_cost": f"{PREFIX}_e1_energy_cost",
                    "entity_energy_price": None,
                    "number_energy_price": None,
                    "stat_compensation": f"{PREFIX}_b1_energy_compensation",
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
                {
                    "type": "grid",
                    "stat_energy_from": f"{PREFIX}_e2_energy_consumption",
                    "stat_energy_to": None,
                    "stat_cost": None,
                    "entity_energy_price": "sensor.home_controlled_load_price",
                    "number_energy_price": None,
                    "stat_compensation": None,
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
            ]
        }
    )
    validation = await async_validate(hass)
    assert validation.as_dict()["energy_sources"] == [[], []]


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
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
