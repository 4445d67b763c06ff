"""PG&E on the Energy dashboard: electricity as the grid (import and export), gas as gas."""

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from tests.simulator import PGE_ELECTRIC_USAGE_POINT, PGE_GAS_USAGE_POINT, Simulator

from .common import NOW, set_up

pytestmark = pytest.mark.freeze_time(NOW, tick=True)

ELECTRIC = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}"
GAS = f"openpower:pge_{PGE_GAS_USAGE_POINT}"


async def test_electricity_and_gas(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The demo's feeds carry no cost: no cost statistic is named (none is stored)."""
    await set_up(hass, pge_entry, pushed)
    response = await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        {"config_entry_id": pge_entry.entry_id, "dry_run": True},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "dry_run": True,
        "energy_sources": [
            {
                "type": "grid",
                "stat_energy_from": f"{ELECTRIC}_energy_consumption",
                "stat_cost": None,
                "entity_energy_price": None,
                "number_energy_price": None,
                "stat_energy_to": f"{ELECTRIC}_energy_return",
                "stat_compensation": None,
                "entity_energy_price_export": None,
                "number_energy_price_export": None,
                "cost_adjustment_day": 0.0,
            },
            {
                "type": "gas",
                "stat_energy_from": f"{GAS}_gas_consumption",
                "stat_cost": None,
                "entity_energy_price": None,
                "number_energy_price": None,
            },
        ],
        "device_consumption": [],
        "costs_added": [],
    }
