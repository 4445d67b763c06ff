"""AlphaESS on the Energy dashboard: each system's grid, solar and battery, with live power."""

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
)
from tests.common import async_setup_entry
from tests.simulator import ALPHAESS_LEGACY_SYSTEM, ALPHAESS_SYSTEM

pytestmark = pytest.mark.freeze_time("2026-08-04T10:09:30+00:00")


def _sources(serial: str, *, priced: bool) -> list[dict[str, Any]]:
    """The three sources of one system, written out."""
    stat = f"openpower:alphaess_{serial.lower()}"
    sensor = f"sensor.alphaess_{serial.lower()}"
    return [
        {
            "type": "grid",
            "stat_energy_from": f"{stat}_grid_import",
            "stat_cost": f"{stat}_grid_import_cost" if priced else None,
            "entity_energy_price": None,
            "number_energy_price": None,
            "stat_energy_to": f"{stat}_grid_export",
            "stat_compensation": f"{stat}_grid_export_compensation" if priced else None,
            "entity_energy_price_export": None,
            "number_energy_price_export": None,
            "cost_adjustment_day": 0.0,
            "stat_rate": f"{sensor}_grid_power",
            "power_config": {"stat_rate": f"{sensor}_grid_power"},
        },
        {
            "type": "solar",
            "stat_energy_from": f"{stat}_pv",
            "config_entry_solar_forecast": None,
            "stat_rate": f"{sensor}_solar_power",
        },
        {
            "type": "battery",
            "stat_energy_from": f"{stat}_battery_discharge",
            "stat_energy_to": f"{stat}_battery_charge",
            "stat_rate": f"{sensor}_battery_power",
            "power_config": {"stat_rate": f"{sensor}_battery_power"},
            "stat_soc": f"{sensor}_battery_state_of_charge",
        },
    ]


async def _configure(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )


async def test_systems(hass: HomeAssistant, alphaess_entry: MockConfigEntry) -> None:
    """Both systems, unpriced: no cost statistics."""
    assert await async_setup_entry(hass, alphaess_entry)
    response = await _configure(hass, alphaess_entry)
    # Grids first, then solar, then batteries (each kind in the systems' order).
    smile5, storion = (
        _sources(ALPHAESS_SYSTEM, priced=False),
        _sources(ALPHAESS_LEGACY_SYSTEM, priced=False),
    )
    assert response["energy_sources"] == [
        item for pair in zip(smile5, storion, strict=True) for item in pair
    ]
    assert response["device_consumption"] == []
    assert (await _configure(hass, alphaess_entry))["energy_sources"] == []


async def test_priced_systems(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry
) -> None:
    """With a price source, the cost and compensation statistics beside grid import/export."""
    hass.config_entries.async_update_entry(
        alphaess_entry,
        options={
            **alphaess_entry.options,
            "cost": {"source": "fixed", "import_price": 0.3, "export_price": 0.05},
        },
    )
    assert await async_setup_entry(hass, alphaess_entry)
    await _store_costs(hass)
    response = await _configure(hass, alphaess_entry)
    # Grids first, then solar, then batteries (each kind in the systems' order).
    smile5, storion = (
        _sources(ALPHAESS_SYSTEM, priced=True),
        _sources(ALPHAESS_LEGACY_SYSTEM, priced=True),
    )
    assert response["energy_sources"] == [
        item for pair in zip(smile5, storion, strict=True) for item in pair
    ]


async def _store_costs(hass: HomeAssistant) -> None:
    """Make sure every system's cost and compensation statistics exist (an old hour of each)."""
    hour = datetime(2020, 1, 1, tzinfo=UTC)
    for serial in (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM):
        for quantity in ("grid_import_cost", "grid_export_compensation"):
            spec = StatisticSpec(
                provider="alphaess",
                point=serial.lower(),
                quantity=quantity,
                name=quantity,
                unit=None,
                unit_class=None,
            )
            reading = IntervalReading(
                start=hour, duration=timedelta(hours=1), value=0.1
            )
            await async_import(hass, spec, [reading])
    await async_wait_recording_done(hass)
