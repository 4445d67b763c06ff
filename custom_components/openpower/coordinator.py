"""Coordinator base: every provider's fetch goes through one failure policy.

The failure policy, for every provider and cadence (the error table itself is `errors.py`):

- **credentials rejected** (`ApiAuthError`) → `ConfigEntryAuthFailed`: Home Assistant starts
  reauth; entities go unavailable until the user signs in again.
- **rate limited** (`ApiRateLimitedError`, from the server or our own request budget) → the data
  kept while it is still valid (`_reuse`; by default nothing is), otherwise
  `UpdateFailed(retry_after=…)`: entities unavailable and the next poll waits as the server said.
- **outage** (`ApiConnectionError`, `ApiMaintenanceError`, `ApiNotFoundError`) →
  `UpdateFailed`: entities unavailable. Never a made-up value: no zeros, no stale state.
- **malformed answer** (`ApiResponseError`) → the previous data kept while it still applies
  (`_reuse`; by default all of it), logged once at warning and once more when valid data is
  back; with nothing to keep, `UpdateFailed`.
- the recorder not writing statistics in time (`RecorderStalledError`) → `UpdateFailed`: the
  import is asked again at the next run.
- anything else is a bug: it reaches `DataUpdateCoordinator`, which logs it with its traceback
  and makes the entities unavailable.

A provider coordinator writes `_async_fetch` (fetch and select, nothing else) and, where some of
its data stays true for a while after a failure (Amber's forecast covering the next interval,
Emporia's device tree), overrides `_reuse`. Repair issues a coordinator raises are tied to its
entry and cleared by the coordinator itself (`async_set_issue`).
"""

from datetime import timedelta
from typing import Any, final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api.errors import (
    ApiAuthError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiResponseError,
)
from .api.http import mask_identifiers
from .const import DOMAIN, LOGGER
from .errors import error_key
from .statistics import RecorderStalledError


@callback
def _no_op() -> None:
    """Listen without doing anything."""


def issue_id(entry_id: str, key: str) -> str:
    """Return the repair issue id of one entry's issue."""
    return f"{entry_id}_{key}"


class OpenPowerCoordinator[T](DataUpdateCoordinator[T]):
    """Fetches one cadence of one provider entry.

    `config_entry` is the entry (its `runtime_data` is the shell's `OpenPowerData`, typed where
    it is read: the coordinator itself never reads it).
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        name: str,
        update_interval: timedelta | None,
    ) -> None:
        """Create the coordinator for `entry`."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            # The name is in every log line of the coordinator: a title can be an e-mail
            # address or a meter number.
            name=f"{mask_identifiers(entry.title)} {name}",
            update_interval=update_interval,
        )
        self._kept_previous = False

    async def _async_fetch(self) -> T:
        """Fetch and select this cadence's data (the only method a provider writes)."""
        raise NotImplementedError

    def _reuse(
        self, previous: T, error: ApiResponseError | ApiRateLimitedError
    ) -> T | None:
        """Return what of `previous` may still be shown after `error`; None for nothing.

        By default a malformed answer keeps everything, and a rate limit keeps nothing (the
        entities go unavailable and the next attempt waits as the limit says).
        """
        return previous if isinstance(error, ApiResponseError) else None

    @final
    @override
    async def _async_update_data(self) -> T:
        try:
            data = await self._async_fetch()
        except ApiAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except (ApiResponseError, ApiRateLimitedError) as err:
            if (
                not isinstance(err, ApiNotFoundError)
                and self.data is not None
                and (kept := self._reuse(self.data, err)) is not None
            ):
                if not self._kept_previous:
                    LOGGER.warning("%s: %s; keeping the previous data", self.name, err)
                    self._kept_previous = True
                return kept
            raise self._update_failed(err) from err
        except ApiError as err:
            raise self._update_failed(err) from err
        except RecorderStalledError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=err.translation_key,
                translation_placeholders=err.translation_placeholders,
            ) from err
        if self._kept_previous:
            LOGGER.info("%s: valid data again", self.name)
            self._kept_previous = False
        return data

    @staticmethod
    def _update_failed(err: ApiError) -> UpdateFailed:
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=error_key(err),
            translation_placeholders={"error": str(err)},
            retry_after=err.retry_after
            if isinstance(err, ApiRateLimitedError)
            else None,
        )

    @callback
    def async_keep_polling(self) -> None:
        """Keep polling with no entity listening (statistics-only cadences) until unload."""
        self.config_entry.async_on_unload(self.async_add_listener(_no_op))

    @callback
    def async_set_issue(
        self,
        key: str,
        active: bool,
        *,
        fixable: bool = False,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Raise (or clear) the repair issue `key` for this coordinator's entry.

        `key` is the issue's translation key and starts with the provider key
        (`amber_site_closed`).
        """
        entry = self.config_entry
        ident = issue_id(entry.entry_id, key)
        if not active:
            ir.async_delete_issue(self.hass, DOMAIN, ident)
            return
        data: dict[str, Any] = {"entry_id": entry.entry_id}
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            ident,
            is_fixable=fixable,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders={"entry": entry.title, **(placeholders or {})},
            data=data,
        )
