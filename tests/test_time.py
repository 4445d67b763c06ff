"""The generic time platform (charge windows): writes read back."""

from datetime import time

from homeassistant.components.time import (
    ATTR_TIME,
    DOMAIN as TIME_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.errors import ApiRateLimitedError

from .common import async_setup_entry, only_platform
from .fake_provider import FakeApi

START = "time.fake_hub_start"


async def _set(hass: HomeAssistant, value: str) -> None:
    await hass.services.async_call(
        TIME_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: START, ATTR_TIME: value},
        blocking=True,
    )


async def test_times(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    fake_entry: MockConfigEntry,
) -> None:
    """One time per device."""
    with only_platform(Platform.TIME):
        assert await async_setup_entry(hass, fake_entry)
    await snapshot_platform(hass, entity_registry, snapshot, fake_entry.entry_id)


async def test_set_time(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """The time goes to the provider, then the state is read back from it."""
    assert await async_setup_entry(hass, fake_entry)
    await _set(hass, "06:30:00")
    assert fake_api.writes == [("fake_hub", {"start": time(6, 30)})]
    assert hass.states.get(START).state == "06:30:00"


async def test_write_too_soon(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """A write the provider's pacing holds back: a translated error, the state unchanged."""
    assert await async_setup_entry(hass, fake_entry)
    fake_api.write_fail = ApiRateLimitedError("writes 30 s apart", 30)
    with pytest.raises(HomeAssistantError) as err:
        await _set(hass, "06:30:00")
    assert err.value.translation_key == "rate_limited"
    assert hass.states.get(START).state == "22:00:00"
