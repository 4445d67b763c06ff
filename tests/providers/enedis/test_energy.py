"""A Linky on the Energy dashboard: one grid connection, its production as the return."""

from typing import Any

from homeassistant.components.energy.validate import async_validate
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.api.enedis import Backend
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.enedis.tariff import tariff_cost
from tests.common import energy_grid
from tests.simulator.enedis import ENEDIS_PRM, ENEDIS_PROSUMER_PRM

from .conftest import EntryFactory, async_setup

pytestmark = pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")


async def _configure(hass: HomeAssistant, entry_id: str) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        {"config_entry_id": entry_id},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def test_prosumer_priced(hass: HomeAssistant, enedis_entry: EntryFactory) -> None:
    """Consumption with its cost, production with its compensation, as one connection."""
    hass.config.currency = "EUR"
    assert await async_setup_component(hass, "energy", {})
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PROSUMER_PRM)
    options = {"tariff": "base", "base_price": 0.2516, "production_price": 0.1269}
    hass.config_entries.async_update_entry(
        entry, options={**options, "cost": tariff_cost(options)}
    )
    await async_setup(hass, entry)
    await async_wait_recording_done(hass)
    prefix = f"openpower:enedis_{ENEDIS_PROSUMER_PRM}"
    assert (await _configure(hass, entry.entry_id))["energy_sources"] == [
        energy_grid(
            stat_energy_from=f"{prefix}_energy_consumption",
            stat_cost=f"{prefix}_energy_consumption_cost",
            stat_energy_to=f"{prefix}_energy_production",
            stat_compensation=f"{prefix}_energy_production_compensation",
        )
    ]
    validation = (await async_validate(hass)).as_dict()
    assert validation["energy_sources"] == [[]]


async def test_consumer_without_tariff(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """A meter that only draws, with no tariff: its energy alone."""
    assert await async_setup_component(hass, "energy", {})
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    await async_setup(hass, entry)
    await async_wait_recording_done(hass)
    assert (await _configure(hass, entry.entry_id))["energy_sources"] == [
        energy_grid(
            stat_energy_from=f"openpower:enedis_{ENEDIS_PRM}_energy_consumption"
        )
    ]
