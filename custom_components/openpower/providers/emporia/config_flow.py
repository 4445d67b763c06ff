"""Emporia config-flow steps: email + password, or pasted tokens (Google/Apple accounts).

Either path ends with one entry per Emporia account (unique id: the customer gid). The refresh
token is stored so that a restart does not sign in again.
"""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_ACCESS_TOKEN, CONF_EMAIL, CONF_PASSWORD
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from ...api.emporia import (
    DEFAULT_API_URL,
    DEFAULT_AUTH_URL,
    DEFAULT_MAINTENANCE_URL,
    Customer,
    EmporiaClient,
)
from ...const import CONF_ADVANCED, CONF_API_URL
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, endpoint_errors
from ...pricing_flow import PricedOptionsFlow
from .const import (
    APP_URL,
    CONF_AUTH_URL,
    CONF_ID_TOKEN,
    CONF_MAINTENANCE_URL,
    CONF_REFRESH_TOKEN,
    CONF_SENSORS,
    PROVIDER,
    SensorSet,
)
from .runtime import build_client

PLACEHOLDERS = {"app_url": APP_URL}
EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
ADVANCED = advanced_section(
    {
        CONF_API_URL: DEFAULT_API_URL,
        CONF_AUTH_URL: DEFAULT_AUTH_URL,
        CONF_MAINTENANCE_URL: DEFAULT_MAINTENANCE_URL,
    }
)
TOKEN_FIELDS = (CONF_ID_TOKEN, CONF_ACCESS_TOKEN, CONF_REFRESH_TOKEN)
# Fields whose value is never suggested back into a form: a stored secret (or one just typed)
# must not travel back to the browser.
SECRET_FIELDS = (CONF_PASSWORD, *TOKEN_FIELDS)


async def _signed_in(client: EmporiaClient) -> Customer:
    if client.auth.tokens is None:
        await client.auth.async_sign_in()
    return await client.async_get_customer()


class EmporiaFlow(ProviderFlow):
    """Emporia steps of the config flow."""

    provider = PROVIDER

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for new credentials of the entry's account."""
        return await self.async_step_emporia_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's connection settings."""
        return await self.async_step_emporia_reconfigure()

    async def _async_emporia_validate(
        self, data: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, Customer | None, dict[str, str]]:
        """Sign in (or refresh the pasted tokens) and read the account; return entry data."""
        client = build_client(self.hass, data)
        customer, errors = await async_probe(PROVIDER, _signed_in(client))
        if customer is None:
            return None, None, errors
        tokens = client.auth.tokens
        assert tokens is not None
        entry_data = {
            **{key: data[key] for key in (CONF_EMAIL, CONF_PASSWORD) if data.get(key)},
            CONF_REFRESH_TOKEN: tokens.refresh_token,
            CONF_ADVANCED: data[CONF_ADVANCED],
        }
        if client.auth.email:
            entry_data[CONF_EMAIL] = client.auth.email
        return entry_data, customer, {}

    async def _async_emporia_form(
        self,
        step_id: str,
        schema: probatio.Schema,
        user_input: dict[str, Any] | None,
        defaults: Mapping[str, Any],
        *,
        secret: str = CONF_PASSWORD,
    ) -> ConfigFlowResult:
        """Validate `user_input` over `defaults` (the entry's data) and finish, or show the form.

        `secret` is the field a stored secret is re-entered in when the endpoints move to
        another host (reconfigure).
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors(defaults, user_input, secret)
        if user_input is not None and not errors:
            data = {**defaults, **{k: v for k, v in user_input.items() if v}}
            if any(user_input.get(key) for key in TOKEN_FIELDS):
                data.pop(CONF_PASSWORD, None)
            elif user_input.get(CONF_PASSWORD):
                # A new password is checked by signing in with it, not by the old token.
                data.pop(CONF_REFRESH_TOKEN, None)
            entry_data, customer, errors = await self._async_emporia_validate(data)
            if entry_data is not None and customer is not None:
                title = customer.email or entry_data.get(CONF_EMAIL) or "Emporia"
                return await self.async_finish(str(customer.gid), title, entry_data)
        entry = self.entry_in_flow()
        suggested = {
            key: value
            for key, value in {**defaults, **(user_input or {})}.items()
            if key not in SECRET_FIELDS
        }
        return self.flow.async_show_form(
            step_id=step_id,
            data_schema=self.flow.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders={
                **PLACEHOLDERS,
                "name": entry.title if entry else "",
            },
        )

    async def async_step_emporia(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose how you sign in to Emporia."""
        return self.flow.async_show_menu(
            step_id="emporia", menu_options=["emporia_password", "emporia_tokens"]
        )

    async def async_step_emporia_password(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in with the Emporia app's email and password."""
        schema = probatio.Schema(
            {
                probatio.Required(CONF_EMAIL): EMAIL_SELECTOR,
                probatio.Required(CONF_PASSWORD): SECRET_SELECTOR,
                **ADVANCED,
            }
        )
        return await self._async_emporia_form(
            "emporia_password", schema, user_input, {}
        )

    async def async_step_emporia_tokens(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Paste the tokens of a Google or Apple account from the Emporia web app."""
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_ID_TOKEN): SECRET_SELECTOR,
                probatio.Optional(CONF_ACCESS_TOKEN): SECRET_SELECTOR,
                probatio.Required(CONF_REFRESH_TOKEN): SECRET_SELECTOR,
                **ADVANCED,
            }
        )
        return await self._async_emporia_form("emporia_tokens", schema, user_input, {})

    async def async_step_emporia_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask again for the password, or for new tokens when the account has none."""
        entry = self.entry_to_update()
        if CONF_PASSWORD in entry.data:
            schema = probatio.Schema(
                {probatio.Required(CONF_PASSWORD): SECRET_SELECTOR}
            )
        else:
            schema = probatio.Schema(
                {
                    probatio.Optional(CONF_ID_TOKEN): SECRET_SELECTOR,
                    probatio.Optional(CONF_ACCESS_TOKEN): SECRET_SELECTOR,
                    probatio.Required(CONF_REFRESH_TOKEN): SECRET_SELECTOR,
                }
            )
        defaults = {
            key: value
            for key, value in entry.data.items()
            if key not in (CONF_REFRESH_TOKEN, CONF_PASSWORD)
        }
        return await self._async_emporia_form(
            "emporia_reauth", schema, user_input, defaults
        )

    async def async_step_emporia_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the password or the endpoints of the entry's account."""
        entry = self.entry_to_update()
        secret = CONF_PASSWORD if CONF_PASSWORD in entry.data else CONF_REFRESH_TOKEN
        schema = probatio.Schema(
            {probatio.Optional(secret): SECRET_SELECTOR, **ADVANCED}
        )
        return await self._async_emporia_form(
            "emporia_reconfigure", schema, user_input, dict(entry.data), secret=secret
        )


class EmporiaOptionsFlow(PricedOptionsFlow):
    """Which optional sensors to create, then where the prices of the energy come from."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Open the sensors step (the step id says whose options these are)."""
        return await self.async_step_emporia_sensors(user_input)

    async def async_step_emporia_sensors(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the sensors, then go on to the price source."""
        if user_input is not None:
            return await self.async_step_cost(user_input)
        return self.async_show_form(
            step_id="emporia_sensors",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_SENSORS,
                        default=self.config_entry.options.get(
                            CONF_SENSORS, [s.value for s in SensorSet]
                        ),
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[s.value for s in SensorSet],
                            translation_key="emporia_sensors",
                            multiple=True,
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                }
            ),
        )
