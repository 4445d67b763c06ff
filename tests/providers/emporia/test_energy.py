"""Emporia on the Energy dashboard: the Vue 2's mains as grid, solar, every other load a device."""

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
from tests.simulator import (
    EMPORIA_CHARGER_GID,
    EMPORIA_PLUG_GID,
    EMPORIA_VUE2_GID,
    EMPORIA_VUE3_GID,
)

NOW = "2026-11-23T20:00:30+00:00"
VUE2 = f"openpower:emporia_{EMPORIA_VUE2_GID}"
VUE3 = f"openpower:emporia_{EMPORIA_VUE3_GID}"
SOLAR_CIRCUIT = 6  # "Solar", bidirectional
SUB_PANEL_CIRCUIT = 16  # where the Vue 3 hangs


async def _configure(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        data,
        blocking=True,
        return_response=True,
    )


@pytest.fixture
async def loaded(
    hass: HomeAssistant, emporia_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo account, set up with its history imported."""
    assert await async_setup_entry(hass, emporia_entry)
    await async_wait_recording_done(hass)
    return emporia_entry


@pytest.mark.freeze_time(NOW)
async def test_what_is_added(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    """Grid with the mains' power sensor, the solar circuit, the loads with sub-panel links."""
    response = await _configure(hass, config_entry_id=loaded.entry_id)
    grid, solar = response["energy_sources"]
    assert grid == {
        "type": "grid",
        "stat_energy_from": f"{VUE2}_mains_energy_consumption",
        "stat_cost": None,
        "entity_energy_price": None,
        "number_energy_price": None,
        "stat_energy_to": f"{VUE2}_mains_energy_return",
        "stat_compensation": None,
        "entity_energy_price_export": None,
        "number_energy_price_export": None,
        "cost_adjustment_day": 0.0,
        "stat_rate": "sensor.home_mains_power",
        "power_config": {"stat_rate": "sensor.home_mains_power"},
    }
    assert solar == {
        "type": "solar",
        "stat_energy_from": f"{VUE2}_circuit_{SOLAR_CIRCUIT}_energy_production",
        "config_entry_solar_forecast": None,
    }
    devices = {d["stat_consumption"]: d for d in response["device_consumption"]}
    vue2_circuits = {
        f"{VUE2}_circuit_{n}_energy_consumption"
        for n in range(1, 17)
        if n != SOLAR_CIRCUIT
    }
    vue3_mains = f"{VUE3}_mains_energy_consumption"
    vue3_circuits = {f"{VUE3}_circuit_{n}_energy_consumption" for n in range(1, 5)}
    plug = f"openpower:emporia_{EMPORIA_PLUG_GID}_mains_energy_consumption"
    charger = f"openpower:emporia_{EMPORIA_CHARGER_GID}_mains_energy_consumption"
    assert set(devices) == vue2_circuits | {vue3_mains} | vue3_circuits | {
        plug,
        charger,
    }
    sub_panel = f"{VUE2}_circuit_{SUB_PANEL_CIRCUIT}_energy_consumption"
    assert devices[vue3_mains]["included_in_stat"] == sub_panel
    assert all(devices[c]["included_in_stat"] == vue3_mains for c in vue3_circuits)
    assert not any("included_in_stat" in devices[c] for c in vue2_circuits)
    kitchen = f"{VUE2}_circuit_1_energy_consumption"
    assert devices[kitchen]["stat_rate"] == "sensor.kitchen_power"
    assert devices[plug]["stat_rate"] == "sensor.coffee_maker_power"
    # Every device has a power sensor of its own: none is shared.
    rates = [d["stat_rate"] for d in devices.values()]
    assert len(rates) == len(set(rates)) == len(devices)
    assert "sensor.home_mains_power" not in rates


@pytest.mark.freeze_time(NOW)
async def test_priced_entry_names_its_costs(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """With a price source and the cost statistics stored, the grid carries them."""
    cost = f"{VUE2}_mains_energy_consumption_cost"
    compensation = f"{VUE2}_mains_energy_return_compensation"
    await _store_money(hass, cost, compensation)
    hass.config_entries.async_update_entry(
        loaded,
        options={**loaded.options, "cost": {"source": "fixed", "import_price": 0.3}},
    )
    response = await _configure(hass, config_entry_id=loaded.entry_id, dry_run=True)
    grid = response["energy_sources"][0]
    assert (grid["stat_cost"], grid["stat_compensation"]) == (cost, compensation)


@pytest.mark.freeze_time(NOW)
async def test_unpriced_entry_has_no_cost(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """Without a price source, stored cost statistics are not Emporia's to add."""
    await _store_money(
        hass,
        f"{VUE2}_mains_energy_consumption_cost",
        f"{VUE2}_mains_energy_return_compensation",
    )
    response = await _configure(hass, config_entry_id=loaded.entry_id, dry_run=True)
    grid = response["energy_sources"][0]
    assert (grid["stat_cost"], grid["stat_compensation"]) == (None, None)


@pytest.mark.freeze_time(NOW)
async def test_home_meter_where_supported(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """On Home Assistant 2026.11+, the Vue 2's mains is also the home meter."""
    with pytest.MonkeyPatch.context() as patches:
        patches.setattr(
            "custom_components.openpower.energy_dashboard.home_source_supported",
            lambda: True,
        )
        patches.setattr(
            "custom_components.openpower.energy_dashboard._validated",
            lambda sources, devices: {
                "energy_sources": sources,
                "device_consumption": devices,
            },
        )
        response = await _configure(hass, config_entry_id=loaded.entry_id)
    assert response["energy_sources"][-1] == {
        "type": "home",
        "stat_energy_to": f"{VUE2}_mains_energy_consumption",
        "stat_rate": "sensor.home_mains_power",
    }


async def _store_money(hass: HomeAssistant, *statistic_ids: str) -> None:
    """Store an hour of each money statistic of the Vue 2's mains, as a price source would."""
    for statistic_id in statistic_ids:
        spec = StatisticSpec(
            provider="emporia",
            point=f"{EMPORIA_VUE2_GID}_mains",
            quantity=statistic_id.removeprefix(f"{VUE2}_mains_"),
            name=statistic_id,
            unit=None,
            unit_class=None,
        )
        assert spec.statistic_id == statistic_id
        hour = datetime(2026, 11, 1, tzinfo=UTC)
        reading = IntervalReading(start=hour, duration=timedelta(hours=1), value=0.5)
        await async_import(hass, spec, [reading])
    await async_wait_recording_done(hass)
