"""`openpower.configure_energy_dashboard`, on the fake provider: what it adds, and what it keeps."""

from collections.abc import Generator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy.data import async_get_manager
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.energy import (
    BatterySource,
    DeviceConsumption,
    EnergySources,
    GasSource,
    GridSource,
    HomeSource,
    SolarSource,
)
from custom_components.openpower.energy_dashboard import home_source_supported
from custom_components.openpower.providers import PROVIDERS
from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
)

from .common import async_setup_entry
from .fake_provider import FAKE, FakeApi

ACTION = "configure_energy_dashboard"


def _offer(_entry: ConfigEntry) -> EnergySources:
    return EnergySources(
        grid=(
            GridSource(
                energy_from="openpower:fake_a_import",
                cost="openpower:fake_a_import_cost",
                energy_to="openpower:fake_a_export",
                compensation="openpower:fake_a_export_compensation",
                power="fake_hub_power",
            ),
        ),
        solar=(SolarSource(energy_from="openpower:fake_a_solar"),),
        battery=(
            BatterySource(
                energy_from="openpower:fake_a_discharge",
                energy_to="openpower:fake_a_charge",
                power="fake_plug_power",
                state_of_charge="fake_plug_no_such_sensor",
            ),
        ),
        gas=(
            GasSource(
                energy_from="openpower:fake_a_gas", cost="openpower:fake_a_gas_cost"
            ),
        ),
        devices=(
            DeviceConsumption(
                consumption="openpower:fake_a_hub", power="fake_hub_power"
            ),
            DeviceConsumption(
                consumption="openpower:fake_a_plug",
                included_in="openpower:fake_a_hub",
            ),
        ),
        home=HomeSource(energy="openpower:fake_a_import", power="fake_hub_power"),
    )


GRID = {
    "type": "grid",
    "stat_energy_from": "openpower:fake_a_import",
    "stat_cost": None,
    "entity_energy_price": None,
    "number_energy_price": None,
    "stat_energy_to": "openpower:fake_a_export",
    "stat_compensation": None,
    "entity_energy_price_export": None,
    "number_energy_price_export": None,
    "cost_adjustment_day": 0.0,
    "stat_rate": "sensor.fake_hub_power",
    "power_config": {"stat_rate": "sensor.fake_hub_power"},
}
SOLAR = {
    "type": "solar",
    "stat_energy_from": "openpower:fake_a_solar",
    "config_entry_solar_forecast": None,
}
BATTERY = {
    "type": "battery",
    "stat_energy_from": "openpower:fake_a_discharge",
    "stat_energy_to": "openpower:fake_a_charge",
    "stat_rate": "sensor.fake_plug_power",
    "power_config": {"stat_rate": "sensor.fake_plug_power"},
}
GAS = {
    "type": "gas",
    "stat_energy_from": "openpower:fake_a_gas",
    "stat_cost": None,
    "entity_energy_price": None,
    "number_energy_price": None,
}
# The hub's power sensor is the grid's already: the device gets none.
DEVICES = [
    {"stat_consumption": "openpower:fake_a_hub"},
    {
        "stat_consumption": "openpower:fake_a_plug",
        "included_in_stat": "openpower:fake_a_hub",
    },
]


@pytest.fixture
def energy_provider(fake_api: FakeApi) -> Generator[None]:
    """The fake provider, offering `_offer` to the Energy dashboard."""
    with patch.dict(PROVIDERS, {FAKE.key: replace(FAKE, energy_sources=_offer)}):
        yield


@pytest.fixture
async def entry(hass: HomeAssistant, energy_provider: None) -> MockConfigEntry:
    """A loaded entry of the fake provider."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Fake a",
        unique_id="fake_a",
        data={"provider": "fake", "account": "a"},
    )
    entry.add_to_hass(hass)
    assert await async_setup_entry(hass, entry)
    return entry


async def _configure(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, ACTION, data, blocking=True, return_response=True
    )


async def _prefs(hass: HomeAssistant) -> Any:
    return (await async_get_manager(hass)).data


async def _store_money(hass: HomeAssistant, quantity: str) -> None:
    """Store one hour of a money statistic of the fake provider."""
    spec = StatisticSpec(
        provider="fake",
        point="a",
        quantity=quantity,
        name=f"Fake {quantity}",
        unit=None,
        unit_class=None,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await async_import(
        hass,
        spec,
        [IntervalReading(start=start, duration=timedelta(hours=1), value=1.5)],
    )
    await async_wait_recording_done(hass)


@pytest.mark.usefixtures("entry")
async def test_adds_every_source(hass: HomeAssistant) -> None:
    """Grid with its power sensor, solar, battery, gas and devices, in the offer's order."""
    response = await _configure(hass)
    assert response == {
        "dry_run": False,
        "energy_sources": [GRID, SOLAR, BATTERY, GAS],
        "device_consumption": DEVICES,
        "costs_added": [],
    }
    prefs = await _prefs(hass)
    assert prefs["energy_sources"] == [GRID, SOLAR, BATTERY, GAS]
    assert prefs["device_consumption"] == DEVICES


@pytest.mark.usefixtures("entry")
async def test_dry_run_changes_nothing(hass: HomeAssistant) -> None:
    """A dry run answers what a run would add, and leaves the preferences alone."""
    before = await _prefs(hass)
    response = await _configure(hass, dry_run=True)
    assert response["dry_run"] is True
    assert response["energy_sources"] == [GRID, SOLAR, BATTERY, GAS]
    assert response["device_consumption"] == DEVICES
    assert await _prefs(hass) == before


@pytest.mark.usefixtures("entry")
async def test_second_run_adds_nothing(hass: HomeAssistant) -> None:
    """Idempotent: the second run finds everything there and adds nothing."""
    await _configure(hass)
    first = await _prefs(hass)
    response = await _configure(hass)
    assert response == {
        "dry_run": False,
        "energy_sources": [],
        "device_consumption": [],
        "costs_added": [],
    }
    assert await _prefs(hass) == first


@pytest.mark.usefixtures("entry")
async def test_keeps_user_configuration(hass: HomeAssistant) -> None:
    """What the user set stays first and unchanged; a source whose statistic is used is skipped."""
    user_solar = {
        "type": "solar",
        "stat_energy_from": "openpower:fake_a_discharge",  # the battery's: battery skipped
        "config_entry_solar_forecast": None,
    }
    user_device = {"stat_consumption": "openpower:fake_a_gas", "name": "Mine"}
    manager = await async_get_manager(hass)
    await manager.async_update(
        {"energy_sources": [user_solar], "device_consumption": [user_device]}
    )
    response = await _configure(hass)
    # Gas is the user's device already; the battery's discharge the user's solar.
    assert response["energy_sources"] == [GRID, SOLAR]
    prefs = await _prefs(hass)
    assert prefs["energy_sources"] == [user_solar, GRID, SOLAR]
    assert prefs["device_consumption"] == [user_device, *DEVICES]


@pytest.mark.usefixtures("entry")
async def test_power_sensor_used_elsewhere(hass: HomeAssistant) -> None:
    """A power sensor a user's source has is not given to a new one (grid power is unique)."""
    manager = await async_get_manager(hass)
    user_device = {
        "stat_consumption": "sensor.kettle_energy",
        "stat_rate": "sensor.fake_hub_power",
    }
    await manager.async_update({"device_consumption": [user_device]})
    response = await _configure(hass)
    grid = {k: v for k, v in GRID.items() if k not in ("stat_rate", "power_config")}
    assert response["energy_sources"][0] == grid


@pytest.mark.usefixtures("entry")
async def test_costs_once_stored(hass: HomeAssistant) -> None:
    """Cost and compensation statistics are added once the recorder has them, not before."""
    await _store_money(hass, "import_cost")
    await _store_money(hass, "export_compensation")
    response = await _configure(hass, dry_run=True)
    grid = response["energy_sources"][0]
    assert grid["stat_cost"] == "openpower:fake_a_import_cost"
    assert grid["stat_compensation"] == "openpower:fake_a_export_compensation"
    # Never stored: the gas's cost.
    assert response["energy_sources"][3]["stat_cost"] is None


@pytest.mark.usefixtures("entry")
async def test_cost_stored_later_fills_an_unpriced_grid(hass: HomeAssistant) -> None:
    """A grid added before its cost existed gets it on a later run; a user's price is kept."""
    await _configure(hass)
    manager = await async_get_manager(hass)
    sources = [dict(s) for s in (await _prefs(hass))["energy_sources"]]
    sources[0]["stat_compensation"] = "sensor.my_export_compensation"  # the user's own
    await manager.async_update({"energy_sources": sources})
    await _store_money(hass, "import_cost")
    await _store_money(hass, "export_compensation")
    await _store_money(hass, "gas_cost")
    dry = await _configure(hass, dry_run=True)
    assert dry["costs_added"] == [
        "openpower:fake_a_import_cost",
        "openpower:fake_a_gas_cost",
    ]
    assert (await _prefs(hass))["energy_sources"][0]["stat_cost"] is None
    response = await _configure(hass)
    assert response["energy_sources"] == []
    assert response["costs_added"] == dry["costs_added"]
    grid, gas = (
        (await _prefs(hass))["energy_sources"][0],
        (await _prefs(hass))["energy_sources"][3],
    )
    assert grid["stat_cost"] == "openpower:fake_a_import_cost"
    assert grid["stat_compensation"] == "sensor.my_export_compensation"
    assert gas["stat_cost"] == "openpower:fake_a_gas_cost"
    assert (await _configure(hass))["costs_added"] == []


async def test_home_source_support_follows_the_schema() -> None:
    """The home meter is offered exactly where Home Assistant's schema has it (2026.11+)."""
    assert home_source_supported() is hasattr(energy_data, "HOME_SOURCE_SCHEMA")


@pytest.mark.usefixtures("entry")
async def test_home_source_where_supported(hass: HomeAssistant) -> None:
    """Where supported, the home meter is added once, even reading the grid's statistic."""
    home = {
        "type": "home",
        "stat_energy_to": "openpower:fake_a_import",
        "stat_rate": "sensor.fake_hub_power",
    }
    with (
        patch(
            "custom_components.openpower.energy_dashboard.home_source_supported",
            return_value=True,
        ),
        patch(
            "custom_components.openpower.energy_dashboard._validated",
            side_effect=lambda sources, devices: {
                "energy_sources": sources,
                "device_consumption": devices,
            },
        ),
    ):
        response = await _configure(hass)
        assert response["energy_sources"] == [GRID, SOLAR, BATTERY, GAS, home]
        assert (await _configure(hass))["energy_sources"] == []


@pytest.mark.usefixtures("entry")
async def test_no_home_source_where_unsupported(hass: HomeAssistant) -> None:
    """Before 2026.11 there is no home meter to add."""
    with patch(
        "custom_components.openpower.energy_dashboard.home_source_supported",
        return_value=False,
    ):
        response = await _configure(hass)
    assert all(s["type"] != "home" for s in response["energy_sources"])


async def test_one_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """`config_entry_id` limits the action to that entry."""
    response = await _configure(hass, config_entry_id=entry.entry_id, dry_run=True)
    assert response["energy_sources"] == [GRID, SOLAR, BATTERY, GAS]


async def test_entry_not_loaded(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """An unloaded entry is refused with Home Assistant's translated error."""
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _configure(hass, config_entry_id=entry.entry_id)
    assert err.value.translation_key == "service_config_entry_not_loaded"


async def test_no_loaded_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Without any loaded entry, the action says so (translated)."""
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _configure(hass)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "no_loaded_entries"


@pytest.mark.usefixtures("entry")
async def test_administrators_only(
    hass: HomeAssistant, hass_admin_user: User, hass_read_only_user: User
) -> None:
    """It changes Home Assistant's settings: administrators only."""
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            ACTION,
            {"dry_run": True},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    response = await hass.services.async_call(
        DOMAIN,
        ACTION,
        {"dry_run": True},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert response is not None
