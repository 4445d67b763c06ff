"""Amber actions: `openpower.amber_get_forecasts`."""

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio

from ...api.amber import ChannelType
from ...const import DOMAIN
from ...provider import ServiceSpec
from .const import ATTR_FORECASTS
from .runtime import AmberRuntime
from .sensor import forecast_list

ATTR_CHANNEL_TYPE: Final = "channel_type"


async def async_get_forecasts(
    runtime: AmberRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Return every forecast interval of one channel, as the forecast sensor holds it."""
    channel = ChannelType(data[ATTR_CHANNEL_TYPE])
    coordinator = runtime.prices
    if not coordinator.last_update_success:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="amber_prices_unavailable"
        )
    if (found := coordinator.data.channels.get(channel)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="amber_channel_not_found",
            translation_placeholders={"channel_type": channel.value},
        )
    forecasts: list[Any] = forecast_list(found)
    return {ATTR_FORECASTS: forecasts}


SERVICES: tuple[ServiceSpec[AmberRuntime], ...] = (
    ServiceSpec(
        name="amber_get_forecasts",
        schema=probatio.Schema(
            {
                probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
                probatio.Required(ATTR_CHANNEL_TYPE): probatio.In(
                    [c.value for c in ChannelType]
                ),
            }
        ),
        handler=async_get_forecasts,
        response=SupportsResponse.ONLY,
    ),
)
