"""Actions: registered once for every provider, dispatched to the target entry's provider."""

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN

from .common import async_setup_entry
from .fake_provider import FakeApi, FakeDevice


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


async def _device_echo(hass: HomeAssistant, device_id: str) -> ServiceResponse:
    return await hass.services.async_call(
        DOMAIN,
        "fake_device_echo",
        {"device_id": device_id},
        blocking=True,
        return_response=True,
    )


def _device_id(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, uid: str
) -> str:
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, uid), entry.entry_id
    )
    assert device is not None
    return device.id


async def test_device_action(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
) -> None:
    """An action on a device runs on the device's entry and gets the device's OpenPower uid."""
    assert await async_setup_entry(hass, fake_entry)
    # A second account, whose cloud holds another device (one uid, one entry).
    fake_api.devices = {"meter": FakeDevice()}
    other = MockConfigEntry(
        domain=DOMAIN, title="Fake b", data={"provider": "fake", "account": "b"}
    )
    other.add_to_hass(hass)
    assert await async_setup_entry(hass, other)
    for entry, uid in (
        (fake_entry, "fake_hub"),
        (fake_entry, "fake_plug"),
        (other, "fake_meter"),
    ):
        response = await _device_echo(hass, _device_id(device_registry, entry, uid))
        assert response == {"device_uid": uid, "entry_id": entry.entry_id}


async def test_device_action_uses_no_deprecated_registry_api(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    fake_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Resolving the device reads its one config entry, not the deprecated set of them."""
    assert await async_setup_entry(hass, fake_entry)
    await _device_echo(hass, _device_id(device_registry, fake_entry, "fake_hub"))
    # Home Assistant reports a deprecated call through this logger.
    reports = [
        r.getMessage()
        for r in caplog.records
        if r.name == "homeassistant.helpers.frame"
    ]
    assert reports == []


async def test_device_action_on_an_unknown_device(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """A device id the registry does not know is refused, with a translated error."""
    assert await async_setup_entry(hass, fake_entry)
    with pytest.raises(ServiceValidationError) as err:
        await _device_echo(hass, "0123456789abcdef")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "device_not_found"
    assert err.value.translation_placeholders == {"device_id": "0123456789abcdef"}


async def test_device_action_on_another_integrations_device(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    fake_entry: MockConfigEntry,
) -> None:
    """A device of another integration is refused, with a translated error."""
    assert await async_setup_entry(hass, fake_entry)
    foreign = MockConfigEntry(domain="other", title="Other")
    foreign.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=foreign.entry_id, identifiers={("other", "meter")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _device_echo(hass, device.id)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "device_not_found"
    assert err.value.translation_placeholders == {"device_id": device.id}


async def test_device_action_on_another_providers_device(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    fake_entry: MockConfigEntry,
) -> None:
    """A provider's device action refuses a device of another provider's entry."""
    assert await async_setup_entry(hass, fake_entry)
    # As if the device's entry were another provider's.
    fake_entry.runtime_data.provider = object()
    with pytest.raises(ServiceValidationError) as err:
        await _device_echo(hass, _device_id(device_registry, fake_entry, "fake_hub"))
    assert err.value.translation_key == "wrong_provider"
    assert err.value.translation_placeholders == {
        "entry": "Fake a",
        "action": "fake_device_echo",
    }
