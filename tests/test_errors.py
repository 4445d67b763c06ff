"""The one table from API errors to Home Assistant errors and translation keys."""

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.errors import (
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
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.errors import (
    api_errors_as_ha,
    async_probe,
    error_key,
    setup_error,
)


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (ApiAuthError("x"), "invalid_auth"),
        (ApiRateLimitedError("x", 10), "rate_limited"),
        (ApiConnectionError("x"), "cannot_connect"),
        (ApiNotFoundError("x"), "not_found"),
        (ApiResponseError("x"), "invalid_response"),
        (ApiRejectedError("x"), "rejected"),
        (ApiMaintenanceError("x"), "maintenance"),
        (ApiCertificateError("key_mismatch", "x"), "key_mismatch"),
        (ApiCertificateError("certificate_expired", "x"), "certificate_expired"),
        (ApiError("x"), "unknown"),
    ],
)
def test_error_keys(error: ApiError, key: str) -> None:
    """Every API error has one translation key, shared by forms, exceptions and repairs."""
    assert error_key(error) == key


@pytest.mark.parametrize(
    ("error", "raised", "key"),
    [
        (ApiAuthError("x"), ConfigEntryAuthFailed, "invalid_auth"),
        (
            ApiCertificateError("certificate_expired", "x"),
            ConfigEntryAuthFailed,
            "certificate_expired",
        ),
        (
            ApiCertificateError("invalid_key", "x"),
            ConfigEntryError,
            "invalid_certificate",
        ),
        (ApiConnectionError("x"), ConfigEntryNotReady, "cannot_connect"),
        (ApiRateLimitedError("x", 5), ConfigEntryNotReady, "rate_limited"),
        (ApiResponseError("x"), ConfigEntryNotReady, "invalid_response"),
    ],
)
def test_setup_errors(
    error: ApiError, raised: type[HomeAssistantError], key: str
) -> None:
    """At setup: reauth, failed for good (an unusable certificate), or retried later."""
    err = setup_error(error)
    assert type(err) is raised
    assert err.translation_key == key


async def test_api_errors_as_ha(hass: HomeAssistant) -> None:
    """Writes and actions: translated errors; rejected credentials start reauth."""
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "amber"})
    entry.add_to_hass(hass)
    with pytest.raises(HomeAssistantError) as err:
        async with api_errors_as_ha(hass, entry):
            raise ApiConnectionError("amber GET sites: timed out")
    assert err.value.translation_key == "cannot_connect"
    assert err.value.translation_placeholders == {"error": "amber GET sites: timed out"}
    with pytest.raises(HomeAssistantError) as err:
        async with api_errors_as_ha(hass, entry):
            raise ApiAuthError("rejected")
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    async with api_errors_as_ha(hass, entry):
        pass  # nothing raised, nothing done


async def test_probe(caplog: pytest.LogCaptureFixture) -> None:
    """A flow's validation: the result, a form error, or `unknown` with the traceback logged."""

    async def ok() -> int:
        return 1

    async def refused() -> int:
        raise ApiAuthError("no")

    async def bug() -> int:
        raise RuntimeError("bug")

    assert await async_probe("fake", ok()) == (1, {})
    assert await async_probe("fake", refused()) == (None, {"base": "invalid_auth"})
    assert await async_probe("fake", bug()) == (None, {"base": "unknown"})
    assert "Unexpected error while validating fake" in caplog.text
