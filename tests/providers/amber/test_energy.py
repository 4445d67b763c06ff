"""Amber on the Energy dashboard: the site's channels as grid connections, with Amber's money."""

from homeassistant.components.energy.validate import async_validate
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from tests.common import async_setup_entry, energy_grid
from tests.simulator import DEMO_SITE_5MIN

PREFIX = f"openpower:amber_{DEMO_SITE_5MIN.lower()}"
pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")


@pytest.fixture
def amber_history_days() -> int:
    """Three days of usage: every channel's statistics exist, quickly."""
    return 3


async def test_channels_as_grid_with_cost(
    hass: HomeAssistant, amber_entry: MockConfigEntry
) -> None:
    """General with feed-in as one connection, the controlled load as another; all priced."""
    hass.config.currency = "AUD"
    assert await async_setup_component(hass, "energy", {})
    assert await async_setup_entry(hass, amber_entry)
    await async_wait_recording_done(hass)
    response = await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        {"config_entry_id": amber_entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "dry_run": False,
        "energy_sources": [
            energy_grid(
                stat_energy_from=f"{PREFIX}_e1_energy_consumption",
                stat_cost=f"{PREFIX}_e1_energy_cost",
                stat_energy_to=f"{PREFIX}_b1_energy_return",
                stat_compensation=f"{PREFIX}_b1_energy_compensation",
            ),
            energy_grid(
                stat_energy_from=f"{PREFIX}_e2_energy_consumption",
                stat_cost=f"{PREFIX}_e2_energy_cost",
            ),
        ],
        "device_consumption": [],
        "costs_added": [],
    }
    # Home Assistant's own validation finds nothing wrong with what was added.
    validation = (await async_validate(hass)).as_dict()
    assert validation["energy_sources"] == [[], []]
