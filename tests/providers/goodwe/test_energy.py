"""Where the station goes in the Energy dashboard: grid with cost, solar, battery, power sensors."""

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.energy import (
    BatterySource,
    EnergySources,
    GridSource,
    SolarSource,
)
from custom_components.openpower.providers.goodwe.energy import energy_sources
from tests.common import async_setup_entry
from tests.simulator import Simulator
from tests.simulator.goodwe import GOODWE_STATION

UID = f"goodwe_{GOODWE_STATION}"
STAT = f"openpower:goodwe_{GOODWE_STATION.replace('-', '_')}"


@pytest.mark.freeze_time("2026-06-15T10:30:00+00:00")
@pytest.mark.parametrize("priced", [False, True])
async def test_energy_sources(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    priced: bool,
) -> None:
    """Grid import/export (their money when priced), solar, battery in and out, power sensors."""
    if priced:
        hass.config_entries.async_update_entry(
            goodwe_entry, options={"cost": {"source": "fixed", "import_price": 0.25}}
        )
    assert await async_setup_entry(hass, goodwe_entry)
    assert energy_sources(goodwe_entry) == EnergySources(
        grid=(
            GridSource(
                energy_from=f"{STAT}_grid_import",
                cost=f"{STAT}_grid_import_cost" if priced else None,
                energy_to=f"{STAT}_grid_export",
                compensation=f"{STAT}_grid_export_compensation" if priced else None,
                power=f"{UID}_grid_power",
            ),
        ),
        solar=(SolarSource(energy_from=f"{STAT}_pv", power=f"{UID}_pv_power"),),
        battery=(
            BatterySource(
                energy_from=f"{STAT}_battery_discharge",
                energy_to=f"{STAT}_battery_charge",
                power=f"{UID}_battery_power",
                state_of_charge=f"{UID}_battery_soc",
            ),
        ),
    )
