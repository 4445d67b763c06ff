"""The one mapping from API errors to Home Assistant errors and form/translation keys.

The config flow, coordinators, entity writes and actions all use it, so an error reads the same
wherever it surfaces.
"""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiMaintenanceError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


def error_key(err: ApiError) -> str:
    """Return the translation key of an API error (form errors and exceptions share them)."""
    match err:
        case ApiAuthError():
            return "invalid_auth"
        case ApiRateLimitedError():
            return "rate_limited"
        case ApiMaintenanceError():
            return "maintenance"
        case ApiConnectionError():
            return "cannot_connect"
        case ApiNotFoundError():
            return "not_found"
        case ApiRejectedError():
            return "rejected"
        case ApiResponseError():
            return "invalid_response"
    return "unknown"


@asynccontextmanager
async def api_errors_as_ha(
    hass: HomeAssistant, entry: ConfigEntry
) -> AsyncIterator[None]:
    """Turn API errors raised inside into translated `HomeAssistantError`s.

    Rejected credentials also start the reauth flow.
    """
    try:
        yield
    except ApiAuthError as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except ApiError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=error_key(err),
            translation_placeholders={"error": str(err)},
        ) from err


async def async_probe[T](
    what: str, call: Awaitable[T]
) -> tuple[T | None, dict[str, str]]:
    """Run a config-flow validation call; return its result or the form errors."""
    try:
        return await call, {}
    except ApiError as err:
        return None, {"base": error_key(err)}
    except Exception:  # noqa: BLE001 — the one broad except: a flow must never crash
        LOGGER.exception("Unexpected error while validating %s", what)
        return None, {"base": "unknown"}
