"""The generic number platform: bounds from the description, writes read back."""

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .common import async_setup_entry, only_platform
from .fake_provider import FakeApi

NUMBER = "number.fake_plug_limit"


async def test_numbers(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    fake_entry: MockConfigEntry,
) -> None:
    """One number per device, its maximum from the data (`max_fn`)."""
    with only_platform(Platform.NUMBER):
        assert await async_setup_entry(hass, fake_entry)
    await snapshot_platform(hass, entity_registry, snapshot, fake_entry.entry_id)


async def test_set_value(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """The value goes to the provider, then the state is read back from it."""
    assert await async_setup_entry(hass, fake_entry)
    reads = fake_api.reads
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: NUMBER, ATTR_VALUE: 24},
        blocking=True,
    )
    assert fake_api.writes == [("fake_plug", {"limit": 24.0})]
    assert fake_api.reads == reads + 1
    assert hass.states.get(NUMBER).state == "24.0"
