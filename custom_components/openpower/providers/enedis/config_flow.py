"""Enedis config-flow steps: backend → credentials and meter (PRM) → entry; reauth, reconfigure.

One entry per meter, whichever backend reaches it. The credentials are checked by asking for
yesterday's daily consumption: one request, because the Conso API bans an address at 100
requests in 12 hours and MyElectricalData allows 50 a day. A Conso API token names its meters
(its JWT `sub`), read here without checking the signature (only Conso API can) and never logged.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final, override

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
import probatio

from ...api.enedis import (
    PARIS,
    Backend,
    Direction,
    EnedisBackend,
    EnedisConsentError,
    EnedisHistoryLimitError,
    EnedisNoDataError,
    EnedisNotHolderError,
    EnedisNotSubscribedError,
    EnedisQuotaError,
    EnedisWrongDirectionError,
    is_prm,
    read_conso_api_token,
)
from ...api.errors import ApiAuthError
from ...const import CONF_ADVANCED, CONF_API_URL, DOMAIN
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, endpoint_errors
from .const import (
    CONF_BACKEND,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PRM,
    CONF_TOKEN,
    PROVIDER,
)
from .runtime import DEFAULT_URLS, build_client

PLACEHOLDERS: Final = {
    "conso_url": "https://conso.boris.sh",
    "med_url": "https://www.myelectricaldata.fr",
    "datahub_url": "https://datahub-enedis.fr",
}
NAMES: Final = {
    Backend.CONSO_API: "Conso API",
    Backend.MYELECTRICALDATA: "MyElectricalData",
    Backend.DATA_CONNECT: "Enedis Data Connect",
}
SECRETS: Final = {
    Backend.CONSO_API: CONF_TOKEN,
    Backend.MYELECTRICALDATA: CONF_TOKEN,
    Backend.DATA_CONNECT: CONF_CLIENT_SECRET,
}
"""The credential a backend is refused for, asked again in reauth (and optional in reconfigure)."""
PRM_SELECTOR: Final = TextSelector()


def typed_prm(value: str | None) -> str | None:
    """Return a typed PRM without its spaces (bills group the digits); None unless 14 digits."""
    prm = "".join((value or "").split())
    return prm if is_prm(prm) else None


def token_prms(token: str) -> tuple[str, ...]:
    """Return the meters a Conso API token names; none when it is not such a token."""
    try:
        return read_conso_api_token(token).prms
    except ApiAuthError:
        return ()


def prm_not_in_token(backend: Backend, token: str, prm: str) -> dict[str, str]:
    """Refuse, before any request, a Conso API token that names other meters than `prm`."""
    prms = token_prms(token) if backend is Backend.CONSO_API else ()
    if prms and prm not in prms:
        return {"base": "enedis_prm_not_in_token"}
    return {}


def conso_api_prm(token: str, typed: str) -> tuple[str | None, dict[str, str]]:
    """Return the PRM typed with a Conso API token, or the form errors.

    None without errors: nothing typed, the token's meters are offered. A token that names no
    meter (not a readable JWT) needs the PRM typed.
    """
    prm = typed_prm(typed)
    if (typed.strip() and prm is None) or (prm is None and not token_prms(token)):
        return None, {CONF_PRM: "invalid_prm"}
    if prm is None:
        return None, {}
    return prm, prm_not_in_token(Backend.CONSO_API, token, prm)


def advanced(backend: Backend) -> dict[probatio.Marker, Any]:
    """Return the collapsed section holding the backend's API URL."""
    return advanced_section({CONF_API_URL: DEFAULT_URLS[backend]})


async def _async_ask_yesterday(client: EnedisBackend) -> dict[str, str]:
    """Ask for yesterday's consumption; return the form errors of Enedis' answer."""
    today = dt_util.now(PARIS).date()
    try:
        await client.async_daily(
            Direction.CONSUMPTION, today - timedelta(days=1), today
        )
    except EnedisWrongDirectionError, EnedisNoDataError, EnedisHistoryLimitError:
        # Enedis answered about this very meter, so the credentials reach it: a meter that
        # only produces, or has nothing published yet (new, or asked before 08:00) is fine.
        return {}
    except EnedisConsentError:
        return {"base": "enedis_consent"}
    except EnedisNotHolderError:
        return {"base": "enedis_not_holder"}
    except EnedisNotSubscribedError:
        return {"base": "enedis_not_subscribed"}
    except EnedisQuotaError:
        return {"base": "enedis_quota"}
    return {}


class EnedisFlow(ProviderFlow):
    """Enedis (Linky) steps of the config flow."""

    provider = PROVIDER

    _enedis_input: dict[str, Any]
    """Backend, token and advanced section of the Conso API step, while a meter is chosen."""
    _enedis_prms: list[str]

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for new credentials of the entry's meter."""
        return await self.async_step_enedis_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's API URL (and, optionally, its secret)."""
        return await self.async_step_enedis_reconfigure()

    async def _async_check(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Check `data`'s credentials and meter with one request: the form errors (none: fine)."""
        outcome, errors = await async_probe(
            PROVIDER, _async_ask_yesterday(build_client(self.hass, data))
        )
        return errors if outcome is None else outcome

    def _configured(self, prm: str) -> bool:
        return (
            self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, f"{PROVIDER}_{prm}"
            )
            is not None
        )

    async def _async_create(
        self, data: dict[str, Any]
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Create the entry of `data`'s meter once checked; else the form errors."""
        prm = data[CONF_PRM]
        # A meter that has its entry is refused before a request is spent on it.
        await self.flow.async_claim_unique_id(PROVIDER, prm)
        if errors := await self._async_check(data):
            return None, errors
        return await self.async_finish(prm, f"Linky {prm}", data), {}

    async def async_step_enedis(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose how the meter's data is reached."""
        return self.flow.async_show_menu(
            step_id="enedis",
            menu_options=[f"{PROVIDER}_{backend.value}" for backend in Backend],
        )

    async def async_step_enedis_conso_api(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Conso API token; the PRM only when the token does not name its meters."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors({}, user_input, CONF_TOKEN)
        if user_input is not None and not errors:
            token = user_input[CONF_TOKEN].strip()
            self._enedis_input = {
                CONF_BACKEND: Backend.CONSO_API.value,
                CONF_TOKEN: token,
                CONF_ADVANCED: user_input[CONF_ADVANCED],
            }
            prm, errors = conso_api_prm(token, user_input.get(CONF_PRM, ""))
            if not errors and prm is None:
                offered = [p for p in token_prms(token) if not self._configured(p)]
                if not offered:
                    return self.flow.async_abort(reason="already_configured")
                if len(offered) > 1:
                    self._enedis_prms = offered
                    return await self.async_step_enedis_prm()
                prm = offered[0]
            if prm is not None and not errors:
                result, errors = await self._async_create(
                    {**self._enedis_input, CONF_PRM: prm}
                )
                if result is not None:
                    return result
        return self._credentials_form(
            Backend.CONSO_API,
            probatio.Schema(
                {
                    probatio.Required(CONF_TOKEN): SECRET_SELECTOR,
                    probatio.Optional(CONF_PRM): PRM_SELECTOR,
                    **advanced(Backend.CONSO_API),
                }
            ),
            user_input,
            errors,
        )

    async def async_step_enedis_prm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick one of the meters the Conso API token names (one entry each)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._async_create(
                {**self._enedis_input, CONF_PRM: user_input[CONF_PRM]}
            )
            if result is not None:
                return result
        return self.flow.async_show_form(
            step_id="enedis_prm",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_PRM, default=self._enedis_prms[0]
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=self._enedis_prms, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
            errors=errors,
        )

    async def async_step_enedis_myelectricaldata(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the MyElectricalData token and the PRM it was given for."""
        return await self._async_enedis_credentials(
            Backend.MYELECTRICALDATA,
            {
                probatio.Required(CONF_TOKEN): SECRET_SELECTOR,
                probatio.Required(CONF_PRM): PRM_SELECTOR,
            },
            (CONF_TOKEN,),
            user_input,
        )

    async def async_step_enedis_data_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Data Connect application's credentials and the consenting PRM."""
        return await self._async_enedis_credentials(
            Backend.DATA_CONNECT,
            {
                probatio.Required(CONF_CLIENT_ID): TextSelector(),
                probatio.Required(CONF_CLIENT_SECRET): SECRET_SELECTOR,
                probatio.Required(CONF_PRM): PRM_SELECTOR,
            },
            (CONF_CLIENT_ID, CONF_CLIENT_SECRET),
            user_input,
        )

    async def _async_enedis_credentials(
        self,
        backend: Backend,
        fields: dict[probatio.Marker, Any],
        credentials: tuple[str, ...],
        user_input: dict[str, Any] | None,
    ) -> ConfigFlowResult:
        """Check the credentials and PRM of a MyElectricalData or Data Connect form."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors({}, user_input, SECRETS[backend])
        if user_input is not None and not errors:
            prm = typed_prm(user_input[CONF_PRM])
            errors = {CONF_PRM: "invalid_prm"} if prm is None else {}
            if prm is not None:
                result, errors = await self._async_create(
                    {
                        CONF_BACKEND: backend.value,
                        **{key: user_input[key].strip() for key in credentials},
                        CONF_PRM: prm,
                        CONF_ADVANCED: user_input[CONF_ADVANCED],
                    }
                )
                if result is not None:
                    return result
        return self._credentials_form(
            backend,
            probatio.Schema({**fields, **advanced(backend)}),
            user_input,
            errors,
        )

    def _credentials_form(
        self,
        backend: Backend,
        schema: probatio.Schema,
        user_input: dict[str, Any] | None,
        errors: dict[str, str],
    ) -> ConfigFlowResult:
        """Show a backend's form again with what was typed, secrets excepted."""
        if user_input is not None:
            kept = {
                key: value
                for key, value in user_input.items()
                if key not in (CONF_TOKEN, CONF_CLIENT_SECRET)
            }
            schema = self.flow.add_suggested_values_to_schema(schema, kept)
        return self.flow.async_show_form(
            step_id=f"{PROVIDER}_{backend.value}",
            data_schema=schema,
            errors=errors,
            description_placeholders=PLACEHOLDERS,
        )

    def _entry_placeholders(self, entry: ConfigEntry) -> dict[str, str]:
        backend = Backend(entry.data[CONF_BACKEND])
        return {
            **PLACEHOLDERS,
            "name": entry.title,
            "backend": NAMES[backend],
            "prm": entry.data[CONF_PRM],
            "client_id": entry.data.get(CONF_CLIENT_ID, "–"),
        }

    async def _async_update(
        self, entry: ConfigEntry, data: dict[str, Any]
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Update the entry with `data` once checked for its meter; else the form errors."""
        backend = Backend(entry.data[CONF_BACKEND])
        secret = data[SECRETS[backend]]
        errors = prm_not_in_token(backend, secret, entry.data[CONF_PRM])
        if not errors:
            errors = await self._async_check({**entry.data, **data})
        if errors:
            return None, errors
        return await self.async_finish(entry.data[CONF_PRM], entry.title, data), {}

    async def async_step_enedis_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new token (or Data Connect client secret) reaching the same meter."""
        entry = self.entry_to_update()
        secret = SECRETS[Backend(entry.data[CONF_BACKEND])]
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._async_update(
                entry, {secret: user_input[secret].strip()}
            )
            if result is not None:
                return result
        return self.flow.async_show_form(
            step_id="enedis_reauth",
            data_schema=probatio.Schema({probatio.Required(secret): SECRET_SELECTOR}),
            errors=errors,
            description_placeholders=self._entry_placeholders(entry),
        )

    async def async_step_enedis_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the API URL; the secret only when given (required for another host)."""
        entry = self.entry_to_update()
        backend = Backend(entry.data[CONF_BACKEND])
        secret = SECRETS[backend]
        errors: dict[str, str] = {}
        if user_input is not None:
            # The stored secret goes only where it went before (or the user gives it again).
            errors = endpoint_errors(entry.data, user_input, secret)
        if user_input is not None and not errors:
            result, errors = await self._async_update(
                entry,
                {
                    secret: (user_input.get(secret) or "").strip()
                    or entry.data[secret],
                    CONF_ADVANCED: user_input[CONF_ADVANCED],
                },
            )
            if result is not None:
                return result
        return self.flow.async_show_form(
            step_id="enedis_reconfigure",
            data_schema=self.flow.add_suggested_values_to_schema(
                probatio.Schema(
                    {probatio.Optional(secret): SECRET_SELECTOR, **advanced(backend)}
                ),
                {CONF_ADVANCED: (user_input or entry.data).get(CONF_ADVANCED, {})},
            ),
            errors=errors,
            description_placeholders=self._entry_placeholders(entry),
        )
