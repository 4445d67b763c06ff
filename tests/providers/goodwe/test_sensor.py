"""Sensors: every one of the visitor's hybrid station (snapshot), and values against SEMS+."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.const import DOMAIN
from tests.common import async_setup_entry, only_platform
from tests.simulator import Simulator
from tests.simulator.goodwe import (
    GOODWE_PV_EMAIL,
    GOODWE_PV_PASSWORD,
    GOODWE_PV_STATION,
)

from .conftest import goodwe_entry_data

NOW = "2026-06-15T10:30:00+00:00"  # 12:30 in Amsterdam: sun, the battery charging


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return the state of an entity that must exist."""
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_goodwe_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Every sensor of the station, the inverter, the battery and the meter."""
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, goodwe_entry)
    await snapshot_platform(hass, entity_registry, snapshot, goodwe_entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_goodwe_signs_and_splits(
    hass: HomeAssistant, goodwe_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Grid + import / − export and battery + discharge / − charge, with their positive parts."""
    assert await async_setup_entry(hass, goodwe_entry)
    station = "sensor.goodwe_home_hybrid"
    grid = float(state(hass, f"{station}_grid_power"))
    battery = float(state(hass, f"{station}_battery_power"))
    assert float(state(hass, f"{station}_grid_import_power")) == max(grid, 0)
    assert float(state(hass, f"{station}_grid_export_power")) == max(-grid, 0)
    assert float(state(hass, f"{station}_battery_discharge_power")) == max(battery, 0)
    assert float(state(hass, f"{station}_battery_charge_power")) == max(-battery, 0)
    pv = float(state(hass, f"{station}_solar_power"))
    load = float(state(hass, f"{station}_load_power"))
    # The flow balances: what comes in (PV, grid, battery) is what the house uses.
    assert pv + grid + battery == pytest.approx(load, abs=1)
    assert state(hass, f"{station}_station_status") == "working"


@pytest.mark.freeze_time(NOW)
async def test_pv_only_station_has_no_battery_nor_grid(
    hass: HomeAssistant, simulator: Simulator, entity_registry: er.EntityRegistry
) -> None:
    """A station without battery or meter: PV, status and energy; no made-up zeros."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Barn roof",
        unique_id=GOODWE_PV_STATION,
        data=goodwe_entry_data(
            simulator,
            username=GOODWE_PV_EMAIL,
            password=GOODWE_PV_PASSWORD,
            station=GOODWE_PV_STATION,
        ),
    )
    entry.add_to_hass(hass)
    assert await async_setup_entry(hass, entry)
    keys = sorted(
        e.unique_id.rsplit(f"{GOODWE_PV_STATION}_", 1)[-1]
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if GOODWE_PV_STATION in e.unique_id
    )
    assert keys == [
        "battery_charge_energy_today",
        "battery_discharge_energy_today",
        "grid_export_energy_today",
        "grid_import_energy_today",
        "load_energy_today",
        "pv_energy_today",
        "pv_power",
        "station_status",
    ]
