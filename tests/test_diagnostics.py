"""Diagnostics for any provider: the entry, each coordinator, the provider's own summary."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .common import async_setup_entry


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Coordinators by key with their data; the provider's redaction applies everywhere."""
    assert await async_setup_entry(hass, fake_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, fake_entry)
    assert diagnostics["provider"] == {"writes": 0, "token": "**REDACTED**"}
    assert diagnostics["entry"]["data"]["account"] == "**REDACTED**"
    assert diagnostics["entry"]["title"] == "**REDACTED**"
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at")
    )


async def test_data_that_says_what_to_show(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_entry: MockConfigEntry,
) -> None:
    """Data with a `diagnostics()` method is shown as it says: devices in order, keys dropped."""
    assert await async_setup_entry(hass, fake_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, fake_entry)
    device = {
        "power": 120.0,
        "on": False,
        "limit": 16.0,
        "start": {"__type": "<class 'datetime.time'>", "isoformat": "22:00:00"},
        "online": True,
        "parent": None,
        "price": 0.25,
        "currency": "EUR",
    }
    assert diagnostics["coordinators"]["fake"]["data"] == {
        "devices": [device, device | {"power": 5.0, "parent": "hub"}]
    }
