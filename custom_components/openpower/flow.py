"""Config-flow machinery every provider's steps share.

A provider adds its steps as a mixin of `OpenPowerFlowBase` (step ids start with the provider
key); `providers/__init__.py` composes the mixins and `config_flow.py` turns them into the
integration's one config flow. Every provider ends its steps with `async_finish`, which creates the
entry, or updates it for reauth and reconfigure after checking it is the same account.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .const import CONF_ADVANCED, CONF_API_URL, CONF_PROVIDER

URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
SECRET_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def advanced_section(urls: dict[str, str]) -> dict[probatio.Marker, Any]:
    """Return the collapsed `advanced` section: one URL field per host, official defaults."""
    return {
        probatio.Required(CONF_ADVANCED): section(
            probatio.Schema(
                {
                    probatio.Required(key, default=url): URL_SELECTOR
                    for key, url in urls.items()
                }
            ),
            {"collapsed": True},
        )
    }


def api_url(data: Mapping[str, Any], default: str) -> str:
    """Return the API URL of submitted flow data or of an entry's data."""
    url: str = data.get(CONF_ADVANCED, {}).get(CONF_API_URL, default)
    return url.rstrip("/")


class OpenPowerFlowBase(ConfigFlow):
    """The shell's config flow; providers extend it with their steps."""

    VERSION = 1

    def entry_in_flow(self) -> ConfigEntry | None:
        """Return the entry being reauthenticated or reconfigured, if any."""
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry()
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry()
        return None

    async def async_finish(
        self,
        provider: str,
        unique_id: str,
        title: str,
        data: dict[str, Any],
    ) -> ConfigFlowResult:
        """Create the entry or, in reauth and reconfigure, update it with `data`.

        The unique id is `<provider>_<account or point id>`. Updating an entry with another
        account's credentials is refused (`wrong_account`).
        """
        await self.async_set_unique_id(f"{provider}_{unique_id}")
        if (entry := self.entry_in_flow()) is not None:
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self.async_update_reload_and_abort(entry, data_updates=data)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=title, data={CONF_PROVIDER: provider, **data}
        )
