"""The integration's config flow: a menu of providers, then the chosen provider's steps."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import callback

from .const import CONF_PROVIDER, DOMAIN
from .flow import OpenPowerFlowBase, ProviderFlow
from .providers import PROVIDERS


class OpenPowerConfigFlow(OpenPowerFlowBase, domain=DOMAIN):
    """Choose a provider, then follow its steps; reauth and reconfigure go to the entry's."""

    def __init__(self) -> None:
        """Serve every registered provider's steps (as Home Assistant's schema flows do)."""
        self._provider_flows: dict[str, ProviderFlow] = {}
        for key, spec in PROVIDERS.items():
            provider_flow = self._provider_flows[key] = spec.config_flow(self)
            for step_id, step in provider_flow.steps().items():
                setattr(self, f"async_step_{step_id}", step)

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
        entry = self._get_reauth_entry()
        return await self._provider_flows[entry.data[CONF_PROVIDER]].async_reauth(entry)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the entry's provider change its connection settings."""
        entry = self._get_reconfigure_entry()
        provider_flow = self._provider_flows[entry.data[CONF_PROVIDER]]
        return await provider_flow.async_reconfigure(entry)

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

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Return the sub-items the entry's provider lets the user add."""
        return dict(PROVIDERS[config_entry.data[CONF_PROVIDER]].subentry_flows)
