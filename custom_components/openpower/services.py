"""Actions of every provider, registered once in `async_setup` (`openpower.<provider>_<action>`)."""

from functools import partial
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, service

from .const import ATTR_DEVICE_UID, DOMAIN
from .data import OpenPowerConfigEntry
from .energy_dashboard import async_setup_energy_dashboard
from .errors import api_errors_as_ha
from .provider import ProviderSpec, ServiceSpec
from .providers import PROVIDERS


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every provider's actions, and the shell's own."""
    async_setup_energy_dashboard(hass)
    for spec in PROVIDERS.values():
        for action in spec.services:
            handler = partial(_async_dispatch, hass, spec, action)
            if action.admin:
                service.async_register_admin_service(
                    hass, DOMAIN, action.name, handler, action.schema, action.response
                )
            else:
                hass.services.async_register(
                    DOMAIN,
                    action.name,
                    handler,
                    schema=action.schema,
                    supports_response=action.response,
                )


async def _async_dispatch(
    hass: HomeAssistant,
    spec: ProviderSpec[Any],
    action: ServiceSpec[Any],
    call: ServiceCall,
) -> ServiceResponse:
    """Resolve the target entry (loaded, of this provider), then run the action.

    An action on a device (`device_id`) runs on the device's entry, and its handler finds the
    device's OpenPower uid under `ATTR_DEVICE_UID`.
    """
    data = dict(call.data)
    if ATTR_DEVICE_ID in data:
        entry_id, data[ATTR_DEVICE_UID] = _device_target(hass, data[ATTR_DEVICE_ID])
    else:
        entry_id = data[ATTR_CONFIG_ENTRY_ID]
    entry: OpenPowerConfigEntry = service.async_get_config_entry(hass, DOMAIN, entry_id)
    if entry.runtime_data.provider is not spec:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="wrong_provider",
            translation_placeholders={"entry": entry.title, "action": action.name},
        )
    async with api_errors_as_ha(hass, entry):
        return await action.handler(entry.runtime_data.runtime, data)


def _device_target(hass: HomeAssistant, device_id: str) -> tuple[str, str]:
    """Return the entry id and OpenPower uid of a device; refuse any other device."""
    device = dr.async_get(hass).async_get(device_id)
    entry = (
        hass.config_entries.async_get_entry(device.config_entry_id)
        if device is not None
        else None
    )
    uid = (
        next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)
        if device is not None
        else None
    )
    if entry is None or entry.domain != DOMAIN or uid is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": device_id},
        )
    return entry.entry_id, uid
