"""Amber config-flow steps: API token → site → entry; reauth, reconfigure, options, cheap windows."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import CONF_API_TOKEN, CONF_NAME, UnitOfTime
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TimeSelector,
)
import probatio

from ...api.amber import DEFAULT_API_URL, Site, SiteStatus
from ...const import CONF_ACCOUNT_ID, CONF_ADVANCED, CONF_API_URL
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, endpoint_errors
from .const import (
    CONF_CONTIGUOUS,
    CONF_DURATION,
    CONF_FORECAST_HOURS,
    CONF_LATEST_END,
    CONF_PRICING_MODE,
    CONF_SITE_ID,
    CONF_SITE_NAME,
    MAX_FORECAST_HOURS,
    MAX_WINDOW_MINUTES,
    PROVIDER,
    TOKEN_URL,
    PricingMode,
)
from .runtime import build_client, settings

PLACEHOLDERS = {"token_url": TOKEN_URL}


def selectable_sites(sites: list[Site]) -> list[Site]:
    """Sites worth offering: closed ones only when the account has no active site."""
    if any(site.status is SiteStatus.ACTIVE for site in sites):
        return [site for site in sites if site.status is not SiteStatus.CLOSED]
    return sites


def site_label(site: Site) -> str:
    """Describe a site in the picker: NMI, network, status."""
    parts = [site.nmi]
    if site.network:
        parts.append(site.network)
    status = site.status.value
    if site.closed_on:
        status = f"{status} {site.closed_on.isoformat()}"
    return f"{' · '.join(parts)} ({status})"


class AmberFlow(ProviderFlow):
    """Amber Electric steps of the config flow."""

    provider = PROVIDER

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for new credentials of the entry's account."""
        return await self.async_step_amber_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's connection settings."""
        return await self.async_step_amber_reconfigure()

    _amber_input: dict[str, Any]
    _amber_sites: list[Site]

    async def _async_amber_sites(
        self, user_input: Mapping[str, Any], token: str
    ) -> tuple[list[Site] | None, dict[str, str]]:
        client = build_client(self.hass, user_input, token)
        sites, errors = await async_probe(PROVIDER, client.async_get_sites())
        if sites is not None and not sites:
            errors = {"base": "amber_no_site"}
        return sites, errors

    def _amber_schema(self, *, reconfigure: bool = False) -> probatio.Schema:
        token = probatio.Optional if reconfigure else probatio.Required
        return probatio.Schema(
            {
                token(CONF_API_TOKEN): SECRET_SELECTOR,
                **advanced_section({CONF_API_URL: DEFAULT_API_URL}),
            }
        )

    async def async_step_amber(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the API token (and, collapsed, the API URL)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors({}, user_input, CONF_API_TOKEN)
        if user_input is not None and not errors:
            sites, errors = await self._async_amber_sites(
                user_input, user_input[CONF_API_TOKEN]
            )
            if sites:
                self._amber_input = user_input
                self._amber_sites = sites
                return await self.async_step_amber_site()
        schema = self._amber_schema()
        if user_input is not None:
            schema = self.flow.add_suggested_values_to_schema(
                schema, {CONF_ADVANCED: user_input.get(CONF_ADVANCED, {})}
            )
        return self.flow.async_show_form(
            step_id="amber",
            data_schema=schema,
            errors=errors,
            description_placeholders=PLACEHOLDERS,
        )

    async def async_step_amber_site(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the site this entry follows."""
        sites = selectable_sites(self._amber_sites)
        if user_input is not None:
            site = next(s for s in sites if s.id == user_input[CONF_SITE_ID])
            return await self.async_finish(
                site.id,
                user_input.get(CONF_SITE_NAME) or site.nmi,
                {
                    CONF_API_TOKEN: self._amber_input[CONF_API_TOKEN],
                    CONF_SITE_ID: site.id,
                    # Several tokens of one account share its rate limit: the account is
                    # known by its oldest site id, which every token of it sees.
                    CONF_ACCOUNT_ID: min(s.id for s in self._amber_sites),
                    CONF_ADVANCED: self._amber_input[CONF_ADVANCED],
                },
            )
        return self.flow.async_show_form(
            step_id="amber_site",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_SITE_ID, default=sites[0].id
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=s.id, label=site_label(s))
                                for s in sites
                            ],
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                    probatio.Optional(CONF_SITE_NAME): TextSelector(),
                }
            ),
        )

    async def async_step_amber_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API token of the same account."""
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            sites, errors = await self._async_amber_sites(
                entry.data, user_input[CONF_API_TOKEN]
            )
            if sites:
                return await self._async_amber_update(
                    entry.data[CONF_SITE_ID], sites, user_input
                )
        return self.flow.async_show_form(
            step_id="amber_reauth",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_API_TOKEN): SECRET_SELECTOR}
            ),
            errors=errors,
            description_placeholders={**PLACEHOLDERS, "name": entry.title},
        )

    async def async_step_amber_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the API token or the API URL of the entry's site."""
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            # The stored token goes only where it went before (or the user gives it again).
            errors = endpoint_errors(entry.data, user_input, CONF_API_TOKEN)
        if user_input is not None and not errors:
            token = user_input.get(CONF_API_TOKEN) or entry.data[CONF_API_TOKEN]
            sites, errors = await self._async_amber_sites(user_input, token)
            if sites:
                return await self._async_amber_update(
                    entry.data[CONF_SITE_ID],
                    sites,
                    {CONF_API_TOKEN: token, CONF_ADVANCED: user_input[CONF_ADVANCED]},
                )
        return self.flow.async_show_form(
            step_id="amber_reconfigure",
            data_schema=self.flow.add_suggested_values_to_schema(
                self._amber_schema(reconfigure=True),
                {CONF_ADVANCED: entry.data.get(CONF_ADVANCED, {})},
            ),
            errors=errors,
            description_placeholders={**PLACEHOLDERS, "name": entry.title},
        )

    async def _async_amber_update(
        self, site_id: str, sites: list[Site], data: dict[str, Any]
    ) -> ConfigFlowResult:
        # Same account when the token still sees the entry's site; otherwise the unique id
        # differs and async_finish refuses with wrong_account.
        seen = site_id if any(s.id == site_id for s in sites) else sites[0].id
        return await self.async_finish(seen, "", data)


class AmberOptionsFlow(OptionsFlowWithReload):
    """Forecast horizon and which price the sensors show."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_FORECAST_HOURS: int(user_input[CONF_FORECAST_HOURS]),
                    CONF_PRICING_MODE: user_input[CONF_PRICING_MODE],
                }
            )
        options = self.config_entry.options
        return self.async_show_form(
            step_id="init",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_FORECAST_HOURS,
                        default=options.get(
                            CONF_FORECAST_HOURS, settings(self.hass).forecast_hours
                        ),
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=1,
                            max=MAX_FORECAST_HOURS,
                            step=1,
                            mode=NumberSelectorMode.BOX,
                            unit_of_measurement="h",
                        )
                    ),
                    probatio.Required(
                        CONF_PRICING_MODE,
                        default=options.get(CONF_PRICING_MODE, PricingMode.PER_KWH),
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[mode.value for mode in PricingMode],
                            translation_key="amber_pricing_mode",
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                }
            ),
        )


class AmberCheapWindowFlow(ConfigSubentryFlow):
    """Add a cheap window: a binary sensor on while the cheapest intervals before a time run."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the name, how long, by when and whether in one go."""
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            # Names are unique per site regardless of case: they name the entities.
            unique_id = name.casefold()
            if any(
                subentry.unique_id == unique_id
                for subentry in self._get_entry().subentries.values()
            ):
                return self.async_abort(reason="already_configured")
            return self.async_create_entry(
                title=name,
                data={
                    CONF_DURATION: int(user_input[CONF_DURATION]),
                    CONF_LATEST_END: user_input[CONF_LATEST_END],
                    CONF_CONTIGUOUS: user_input[CONF_CONTIGUOUS],
                },
                unique_id=unique_id,
            )
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_NAME): TextSelector(),
                    probatio.Required(CONF_DURATION, default=60): NumberSelector(
                        NumberSelectorConfig(
                            min=5,
                            max=MAX_WINDOW_MINUTES,
                            step=5,
                            mode=NumberSelectorMode.BOX,
                            unit_of_measurement=UnitOfTime.MINUTES,
                        )
                    ),
                    probatio.Required(
                        CONF_LATEST_END, default="07:00:00"
                    ): TimeSelector(),
                    probatio.Required(CONF_CONTIGUOUS, default=True): BooleanSelector(),
                }
            ),
        )
