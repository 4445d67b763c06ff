"""Amber actions: `openpower.amber_get_forecasts`, `openpower.amber_cheapest_intervals`."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from ...api.amber import ChannelType
from ...const import DOMAIN
from ...provider import ServiceSpec
from .cheapest import cheapest_intervals
from .const import ATTR_FORECASTS
from .coordinator import AmberChannelPrices
from .runtime import AmberRuntime
from .sensor import forecast_list

ATTR_CHANNEL_TYPE: Final = "channel_type"
ATTR_DURATION: Final = "duration"
ATTR_LATEST_END: Final = "latest_end"
ATTR_CONTIGUOUS: Final = "contiguous"
ATTR_MAX_PRICE: Final = "max_price"

# "Cheapest" is about what you pay: feed-in is what you are paid, so it has no cheapest window.
IMPORT_CHANNELS: Final = (ChannelType.GENERAL, ChannelType.CONTROLLED_LOAD)


def _channel_prices(runtime: AmberRuntime, channel: ChannelType) -> AmberChannelPrices:
    """Return a channel's current prices; refuse stale prices and absent channels."""
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
    return found


async def async_get_forecasts(
    runtime: AmberRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Return every forecast interval of one channel, as the forecast sensor holds it."""
    found = _channel_prices(runtime, ChannelType(data[ATTR_CHANNEL_TYPE]))
    forecasts: list[Any] = forecast_list(found)
    return {ATTR_FORECASTS: forecasts}


async def async_cheapest_intervals(
    runtime: AmberRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Return the cheapest intervals of one import channel to run something in."""
    found = _channel_prices(runtime, ChannelType(data[ATTR_CHANNEL_TYPE]))
    now = dt_util.utcnow()
    duration = timedelta(minutes=data[ATTR_DURATION])
    latest_end: datetime | None = None
    if (raw_end := data.get(ATTR_LATEST_END)) is not None:
        # A naive time (the UI's datetime selector) is Home Assistant's local time.
        latest_end = dt_util.as_utc(raw_end)
        if latest_end < now + duration:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="amber_deadline_too_soon",
                translation_placeholders={
                    "latest_end": dt_util.as_local(latest_end).isoformat(),
                    "duration": str(data[ATTR_DURATION]),
                },
            )
    choice = cheapest_intervals(
        (found.current, *found.forecasts),
        now=now,
        duration=duration,
        latest_end=latest_end,
        contiguous=data[ATTR_CONTIGUOUS],
        max_price=data.get(ATTR_MAX_PRICE),
    )
    average = choice.average_price
    return {
        "found": choice.found,
        "covers_deadline": choice.covers_deadline,
        "intervals": [
            {
                "start": interval.start.isoformat(),
                "end": interval.end.isoformat(),
                "price": round(interval.price, 5),
            }
            for interval in choice.intervals
        ],
        "average_price": None if average is None else round(average, 5),
        "total_price": round(choice.total_price, 5),
        "start": choice.intervals[0].start.isoformat() if choice.found else None,
        "end": choice.intervals[-1].end.isoformat() if choice.found else None,
    }


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
    ServiceSpec(
        name="amber_cheapest_intervals",
        schema=probatio.Schema(
            {
                probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
                probatio.Optional(
                    ATTR_CHANNEL_TYPE, default=ChannelType.GENERAL.value
                ): probatio.In([c.value for c in IMPORT_CHANNELS]),
                probatio.Required(ATTR_DURATION): probatio.All(
                    probatio.Coerce(int), probatio.Range(min=5, max=1440)
                ),
                probatio.Optional(ATTR_LATEST_END): cv.datetime,
                probatio.Optional(ATTR_CONTIGUOUS, default=True): cv.boolean,
                probatio.Optional(ATTR_MAX_PRICE): probatio.Coerce(float),
            }
        ),
        handler=async_cheapest_intervals,
        response=SupportsResponse.ONLY,
    ),
)
