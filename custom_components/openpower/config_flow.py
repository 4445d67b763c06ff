"""The integration's config flow: a menu of providers, each provider's steps, reauth, reconfigure."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .const import CONF_PROVIDER, DOMAIN
from .providers import PROVIDERS, ProviderFlows


class OpenPowerConfigFlow(ProviderFlows, domain=DOMAIN):
    """Choose a provider, then follow its steps (their ids start with the provider key)."""

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the providers."""
        return self.async_show_menu(step_id="user", menu_options=list(PROVIDERS))

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask the entry's provider for new credentials."""
        step = PROVIDERS[entry_data[CONF_PROVIDER]].reauth_step
        result: ConfigFlowResult = await getattr(self, f"async_step_{step}")()
        return result

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the entry's provider change its connection settings."""
        entry = self._get_reconfigure_entry()
        step = PROVIDERS[entry.data[CONF_PROVIDER]].reconfigure_step
        result: ConfigFlowResult = await getattr(self, f"async_step_{step}")()
        return result

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow of the entry's provider."""
        factory = PROVIDERS[config_entry.data[CONF_PROVIDER]].options_flow
        assert factory is not None
        return factory()

    @classmethod
    @callback
    @override
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Whether the entry's provider has options."""
        return PROVIDERS[config_entry.data[CONF_PROVIDER]].options_flow is not None
