"""The generic switch platform: writes go to the provider, the state is read back after each."""

from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiRejectedError,
)

from .common import async_setup_entry, only_platform
from .fake_provider import FakeApi

SWITCH = "switch.fake_hub_on"


async def _turn(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )


async def test_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    fake_entry: MockConfigEntry,
) -> None:
    """One switch per device."""
    with only_platform(Platform.SWITCH):
        assert await async_setup_entry(hass, fake_entry)
    await snapshot_platform(hass, entity_registry, snapshot, fake_entry.entry_id)


async def test_turn_on_and_off(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """Each change goes to the provider, then the state is read back from it."""
    assert await async_setup_entry(hass, fake_entry)
    reads = fake_api.reads
    await _turn(hass, SERVICE_TURN_ON)
    assert fake_api.writes == [("fake_hub", {"on": True})]
    assert fake_api.reads == reads + 1
    assert hass.states.get(SWITCH).state == STATE_ON
    await _turn(hass, SERVICE_TURN_OFF)
    assert fake_api.writes[-1] == ("fake_hub", {"on": False})
    assert hass.states.get(SWITCH).state == STATE_OFF


async def test_refused_change(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """A change the provider refuses: a translated error, the state as the provider has it."""
    assert await async_setup_entry(hass, fake_entry)
    fake_api.write_fail = ApiRejectedError("no")
    with pytest.raises(HomeAssistantError) as err:
        await _turn(hass, SERVICE_TURN_ON)
    assert err.value.translation_key == "rejected"
    assert hass.states.get(SWITCH).state == STATE_OFF


async def test_timed_out_change_is_read_back(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """A change that timed out may still have been made: the state is read back anyway."""
    assert await async_setup_entry(hass, fake_entry)
    reads = fake_api.reads
    fake_api.write_lost = ApiConnectionError("timed out")
    with pytest.raises(HomeAssistantError) as err:
        await _turn(hass, SERVICE_TURN_ON)
    assert err.value.translation_key == "cannot_connect"
    assert fake_api.reads == reads + 1
    assert hass.states.get(SWITCH).state == STATE_ON


async def test_rejected_credentials_on_a_change(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """Credentials refused while writing: a translated error and a reauth flow."""
    assert await async_setup_entry(hass, fake_entry)
    fake_api.write_fail = ApiAuthError("revoked")
    with pytest.raises(HomeAssistantError) as err:
        await _turn(hass, SERVICE_TURN_ON)
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
