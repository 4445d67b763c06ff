"""The one table from API errors to Home Assistant errors and translation keys.

Every provider client raises the `api.errors` hierarchy; nothing else in the integration inspects
an API error. The config flow (form errors), coordinators (`UpdateFailed`), entity writes and
actions (`HomeAssistantError`) and entry setup (`ConfigEntry*` exceptions) all go through this
module, so an error reads the same wherever it surfaces:

| API error                | translation key       | setup                | coordinator / write / action |
|--------------------------|-----------------------|----------------------|------------------------------|
| `ApiAuthError`           | `invalid_auth`        | reauth               | reauth                       |
| `ApiCertificateError`    | its `reason`          | reauth when expired, else failed for good | – |
| `ApiRateLimitedError`    | `rate_limited`        | retried later        | waits `retry_after`          |
| `ApiMaintenanceError`    | `maintenance`         | retried later        | unavailable                  |
| `ApiConnectionError`     | `cannot_connect`      | retried later        | unavailable                  |
| `ApiNotFoundError`       | `not_found`           | retried later        | unavailable                  |
| `ApiRejectedError`       | `rejected`            | retried later        | the write fails, state kept  |
| `ApiResponseError`       | `invalid_response`    | retried later        | previous data kept (see `coordinator.py`) |
"""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
)

from .api.errors import (
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiError,
    ApiMaintenanceError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from .const import DOMAIN, LOGGER


def error_key(err: ApiError) -> str:
    """Return the translation key of an API error (form errors and exceptions share them)."""
    match err:
        case ApiCertificateError():
            return err.reason
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


def setup_error(err: ApiError) -> HomeAssistantError:
    """Return what an API error raised while setting an entry up means for the entry."""
    if isinstance(err, ApiAuthError) or (
        isinstance(err, ApiCertificateError) and err.expired
    ):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key=error_key(err)
        )
    if isinstance(err, ApiCertificateError):
        # A stored certificate that was never usable: only removing the entry helps.
        return ConfigEntryError(
            translation_domain=DOMAIN, translation_key="invalid_certificate"
        )
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key=error_key(err),
        translation_placeholders={"error": str(err)},
    )


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
    except Exception:  # noqa: BLE001 — a flow is a boundary: the user gets a form, never a crash
        LOGGER.exception("Unexpected error while validating %s", what)
        return None, {"base": "unknown"}
