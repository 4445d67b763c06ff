"""Actions: registered once for every provider, dispatched to the target entry's provider."""

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN

from .common import async_setup_entry


async def test_provider_action(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """`openpower.<provider>_<action>` runs on the entry's runtime and answers."""
    assert await async_setup_entry(hass, fake_entry)
    assert hass.services.has_service(DOMAIN, "fake_echo")
    response = await hass.services.async_call(
        DOMAIN,
        "fake_echo",
        {"config_entry_id": fake_entry.entry_id, "text": "hello"},
        blocking=True,
        return_response=True,
    )
    assert response == {"text": "hello", "reads": 1}


async def test_action_on_another_providers_entry(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """A provider's action refuses an entry of another provider, with a translated error."""
    assert await async_setup_entry(hass, fake_entry)
    other = MockConfigEntry(
        domain=DOMAIN, title="Other", data={"provider": "fake", "account": "b"}
    )
    other.add_to_hass(hass)
    assert await async_setup_entry(hass, other)
    other.runtime_data.provider = object()  # as if it were another provider's entry
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "fake_echo",
            {"config_entry_id": other.entry_id, "text": "hello"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "wrong_provider"
    assert err.value.translation_placeholders == {
        "entry": "Other",
        "action": "fake_echo",
    }


async def test_action_on_an_unloaded_entry(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """An entry that is not loaded is refused before the provider is asked."""
    assert await async_setup_entry(hass, fake_entry)
    await hass.config_entries.async_unload(fake_entry.entry_id)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "fake_echo",
            {"config_entry_id": fake_entry.entry_id, "text": "hello"},
            blocking=True,
            return_response=True,
        )


async def test_admin_action(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    hass_admin_user: User,
    hass_read_only_user: User,
) -> None:
    """An action that spends the provider's quota is for administrators only."""
    assert await async_setup_entry(hass, fake_entry)
    data = {"config_entry_id": fake_entry.entry_id, "text": "hello"}
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "fake_admin_echo",
            data,
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    response = await hass.services.async_call(
        DOMAIN,
        "fake_admin_echo",
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert response == {"text": "hello", "reads": 1}
