"""AlphaESS actions: `openpower.alphaess_unbind_system`."""

from collections.abc import Mapping
from typing import Any

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio

from ...const import ATTR_DEVICE_UID, DOMAIN
from ...provider import ServiceSpec
from .devices import serial_of
from .runtime import AlphaEssRuntime


async def async_unbind_system(
    runtime: AlphaEssRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Unbind a system from the AppID; its device and the subentry that added it go."""
    serial = serial_of(data[ATTR_DEVICE_UID])
    systems = runtime.systems
    if serial not in systems.data.systems:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="alphaess_not_a_system"
        )
    await runtime.client.async_unbind(serial)
    entry = systems.config_entry
    hass = systems.hass
    for subentry in list(entry.subentries.values()):
        if subentry.unique_id == serial:
            hass.config_entries.async_remove_subentry(entry, subentry.subentry_id)
    # The system list without it removes the device and its entities.
    await systems.async_refresh()
    return None


SERVICES: tuple[ServiceSpec[AlphaEssRuntime], ...] = (
    ServiceSpec(
        name="alphaess_unbind_system",
        schema=probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string}),
        handler=async_unbind_system,
        admin=True,
    ),
)
