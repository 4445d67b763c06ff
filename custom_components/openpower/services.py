"""Actions of every provider, registered once in `async_setup` (`openpower.<provider>_<action>`)."""

from functools import partial
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import service

from .const import DOMAIN
from .data import OpenPowerConfigEntry
from .errors import api_errors_as_ha
from .provider import ProviderSpec, ServiceSpec
from .providers import PROVIDERS


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every provider's actions."""
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
    """Resolve the target entry (loaded, of this provider), then run the action."""
    entry: OpenPowerConfigEntry = service.async_get_config_entry(
        hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    if entry.runtime_data.provider is not spec:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="wrong_provider",
            translation_placeholders={"entry": entry.title, "action": action.name},
        )
    async with api_errors_as_ha(hass, entry):
        return await action.handler(entry.runtime_data.runtime, call.data)
