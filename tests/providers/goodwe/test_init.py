"""Setup, unload, setup failures and the devices of the visitor's hybrid station."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.const import DOMAIN
from tests.common import async_setup_entry
from tests.simulator import Simulator
from tests.simulator.goodwe import (
    GOODWE_BATTERY_SN,
    GOODWE_INVERTER_SN,
    GOODWE_METER_SN,
    GOODWE_PV_STATION,
    GOODWE_STATION,
)

from .conftest import goodwe_entry_data

NOW = "2026-06-15T10:30:00+00:00"  # 12:30 in Amsterdam


@pytest.mark.freeze_time(NOW)
async def test_setup_and_unload(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The station (a service) and its inverter, battery and meter under it; unload stops."""
    assert await async_setup_entry(hass, goodwe_entry)
    assert goodwe_entry.state is ConfigEntryState.LOADED
    station = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"goodwe_{GOODWE_STATION}"), goodwe_entry.entry_id
    )
    assert station is not None
    assert station.entry_type is dr.DeviceEntryType.SERVICE
    children = {
        serial: device_registry.async_get_device_by_identifier(
            (DOMAIN, f"goodwe_{serial}"), goodwe_entry.entry_id
        )
        for serial in (GOODWE_INVERTER_SN, GOODWE_BATTERY_SN, GOODWE_METER_SN)
    }
    for serial, device in children.items():
        assert device is not None, serial
        assert device.via_device_id == station.id
        assert device.serial_number == serial
    devices = dr.async_entries_for_config_entry(device_registry, goodwe_entry.entry_id)
    assert len(devices) == 4  # the dongle has no device
    assert sorted((d.name, d.model) for d in devices) == snapshot
    assert await hass.config_entries.async_unload(goodwe_entry.entry_id)
    assert goodwe_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.freeze_time(NOW)
async def test_wrong_password_starts_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A password SEMS+ rejects (100005) fails setup into reauth."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home (hybrid)",
        unique_id=f"goodwe_{GOODWE_STATION}",
        data=goodwe_entry_data(simulator, password="wrong"),
    )
    entry.add_to_hass(hass)
    assert not await async_setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


@pytest.mark.freeze_time(NOW)
async def test_station_not_visible_raises_the_repair(
    hass: HomeAssistant, simulator: Simulator, issue_registry: ir.IssueRegistry
) -> None:
    """A station the account no longer sees: setup is retried, and a repair says why."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Barn roof",
        unique_id=f"goodwe_{GOODWE_PV_STATION}",
        data=goodwe_entry_data(simulator, station=GOODWE_PV_STATION),
    )
    entry.add_to_hass(hass)
    assert not await async_setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{entry.entry_id}_goodwe_station_access"
    )
    assert issue is not None
    assert issue.translation_key == "goodwe_station_access"
    assert issue.translation_placeholders == {"entry": "Barn roof"}


@pytest.mark.freeze_time(NOW)
async def test_a_new_gateway_is_stored(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An entry whose stored gateway is gone logs in, and stores the gateway SEMS+ names."""
    moved = simulator.base_url("goodwe") + "/old-gateway/web/sems"
    stale = goodwe_entry_data(simulator) | {"gateway": moved}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home (hybrid)",
        unique_id=f"goodwe_{GOODWE_STATION}",
        data=stale,
    )
    entry.add_to_hass(hass)
    assert await async_setup_entry(hass, entry)
    assert entry.data["gateway"] == goodwe_entry_data(simulator)["gateway"]
