"""AlphaESS config-flow steps: AppID and AppSecret → entry; reauth, reconfigure, options.

The options are the live power interval, then where grid energy's prices come from (the shared
cost steps of `PricedOptionsFlow`).

One entry per developer account (AppID), whose systems are all devices of it. A system not yet
on the account is bound from Home Assistant through the entry's "Add system" subentry flow: its
serial number and CheckCode make AlphaESS e-mail a verification code to the system's owner, and
that code binds it to the AppID.
"""

from collections.abc import Awaitable, Mapping
from typing import Any, Final, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import UnitOfTime
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import probatio

from ...api.alphaess import (
    DEFAULT_API_URL,
    AlphaEssClient,
    AlphaEssClockError,
    AlphaEssNotBoundError,
    AlphaEssRefusedError,
    System,
)
from ...const import CONF_ADVANCED, CONF_API_URL
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, endpoint_errors
from ...pricing_flow import PricedOptionsFlow
from .const import (
    CONF_APP_ID,
    CONF_APP_SECRET,
    CONF_CHECK_CODE,
    CONF_LIVE_INTERVAL,
    CONF_SERIAL,
    CONF_VERIFICATION_CODE,
    LIVE_INTERVAL,
    MAX_LIVE_INTERVAL,
    MIN_LIVE_INTERVAL,
    PORTAL_URL,
    PROVIDER,
)
from .runtime import AlphaEssRuntime, build_client

PLACEHOLDERS: Final = {"portal_url": PORTAL_URL}
ADVANCED: Final = advanced_section({CONF_API_URL: DEFAULT_API_URL})
REFUSALS: Final = {
    6004: (CONF_CHECK_CODE, "alphaess_check_code"),
    6038: (CONF_SERIAL, "alphaess_unknown_system"),
    6046: (CONF_VERIFICATION_CODE, "alphaess_wrong_code"),
}
"""Codes a user fixes by correcting one field: the field and its form error."""


async def _async_answer[T](call: Awaitable[T]) -> tuple[T | None, dict[str, str]]:
    """Return the answer of `call`, or the form errors of the AlphaESS codes a user can act on.

    Other errors propagate to `async_probe`, which maps them like every provider's.
    """
    try:
        return await call, {}
    except AlphaEssClockError:
        return None, {"base": "alphaess_clock"}
    except (AlphaEssRefusedError, AlphaEssNotBoundError) as err:
        if err.code not in REFUSALS:
            raise
        field, error = REFUSALS[err.code]
        return None, {field: error}


async def _async_attempt[T](call: Awaitable[T]) -> tuple[T | None, dict[str, str]]:
    """Run one request of a flow; return its answer and the form errors (none: it worked)."""
    outcome, errors = await async_probe(PROVIDER, _async_answer(call))
    if outcome is None:
        return None, errors
    return outcome


def entry_title(systems: list[System]) -> str:
    """Title an account by its first system (the end of its serial), or by the brand alone."""
    if not systems:
        return "AlphaESS"
    return f"AlphaESS …{systems[0].serial[-4:]}"


class AlphaEssFlow(ProviderFlow):
    """AlphaESS steps of the config flow."""

    provider = PROVIDER

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for a new AppSecret of the entry's AppID."""
        return await self.async_step_alphaess_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's API URL (and, optionally, its AppSecret)."""
        return await self.async_step_alphaess_reconfigure()

    async def _async_alphaess_systems(
        self, data: Mapping[str, Any]
    ) -> tuple[list[System] | None, dict[str, str]]:
        """Read the account's systems with the credentials of `data`.

        An AppID without any system is valid: systems are bound later ("Add system").
        """
        systems, errors = await _async_attempt(
            build_client(self.hass, data).async_get_systems()
        )
        return (None, errors) if errors else (systems, {})

    async def async_step_alphaess(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the AppID and AppSecret of the developer portal (and, collapsed, the URL)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors({}, user_input, CONF_APP_SECRET)
        if user_input is not None and not errors:
            app_id = user_input[CONF_APP_ID].strip()
            # One entry per AppID: a second one is refused before any request is spent.
            await self.flow.async_claim_unique_id(PROVIDER, app_id)
            data = {
                CONF_APP_ID: app_id,
                CONF_APP_SECRET: user_input[CONF_APP_SECRET].strip(),
                CONF_ADVANCED: user_input[CONF_ADVANCED],
            }
            systems, errors = await self._async_alphaess_systems(data)
            if systems is not None:
                return await self.async_finish(app_id, entry_title(systems), data)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_APP_ID): TextSelector(),
                probatio.Required(CONF_APP_SECRET): SECRET_SELECTOR,
                **ADVANCED,
            }
        )
        if user_input is not None:
            schema = self.flow.add_suggested_values_to_schema(
                schema,
                {
                    CONF_APP_ID: user_input[CONF_APP_ID],
                    CONF_ADVANCED: user_input[CONF_ADVANCED],
                },
            )
        return self.flow.async_show_form(
            step_id="alphaess",
            data_schema=schema,
            errors=errors,
            description_placeholders=PLACEHOLDERS,
        )

    async def async_step_alphaess_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new AppSecret of the same AppID (shown, not editable)."""
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_APP_SECRET: user_input[CONF_APP_SECRET].strip()}
            systems, errors = await self._async_alphaess_systems({**entry.data, **data})
            if systems is not None:
                return await self.async_finish(entry.data[CONF_APP_ID], "", data)
        return self.flow.async_show_form(
            step_id="alphaess_reauth",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_APP_SECRET): SECRET_SELECTOR}
            ),
            errors=errors,
            description_placeholders={
                **PLACEHOLDERS,
                "name": entry.title,
                "app_id": entry.data[CONF_APP_ID],
            },
        )

    async def async_step_alphaess_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the API URL; the AppSecret only when given (required for another host)."""
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            # The stored secret goes only where it went before (or the user gives it again).
            errors = endpoint_errors(entry.data, user_input, CONF_APP_SECRET)
        if user_input is not None and not errors:
            data = {
                CONF_APP_SECRET: (user_input.get(CONF_APP_SECRET) or "").strip()
                or entry.data[CONF_APP_SECRET],
                CONF_ADVANCED: user_input[CONF_ADVANCED],
            }
            systems, errors = await self._async_alphaess_systems({**entry.data, **data})
            if systems is not None:
                return await self.async_finish(entry.data[CONF_APP_ID], "", data)
        advanced = (user_input or entry.data).get(CONF_ADVANCED, {})
        return self.flow.async_show_form(
            step_id="alphaess_reconfigure",
            data_schema=self.flow.add_suggested_values_to_schema(
                probatio.Schema(
                    {probatio.Optional(CONF_APP_SECRET): SECRET_SELECTOR, **ADVANCED}
                ),
                {CONF_ADVANCED: advanced},
            ),
            errors=errors,
            description_placeholders={
                **PLACEHOLDERS,
                "name": entry.title,
                "app_id": entry.data[CONF_APP_ID],
            },
        )


class AlphaEssOptionsFlow(PricedOptionsFlow):
    """How often live power is read, then the price source of grid import and export."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Open the cadence step (the step id says whose options these are)."""
        return await self.async_step_alphaess_cadence(user_input)

    async def async_step_alphaess_cadence(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the live power interval, then go on to the price source."""
        if user_input is not None:
            return await self.async_step_cost(
                {CONF_LIVE_INTERVAL: int(user_input[CONF_LIVE_INTERVAL])}
            )
        default = self.config_entry.options.get(
            CONF_LIVE_INTERVAL, int(LIVE_INTERVAL.total_seconds())
        )
        return self.async_show_form(
            step_id="alphaess_cadence",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_LIVE_INTERVAL, default=default
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=MIN_LIVE_INTERVAL,
                            max=MAX_LIVE_INTERVAL,
                            step=1,
                            mode=NumberSelectorMode.BOX,
                            unit_of_measurement=UnitOfTime.SECONDS,
                        )
                    )
                }
            ),
        )


class AlphaEssSystemFlow(ConfigSubentryFlow):
    """Bind a system to the entry's AppID: serial and CheckCode, then the e-mailed code."""

    _serial: str

    def _client(self) -> AlphaEssClient:
        """Return a client of the parent entry's account (sharing its AppID's budget)."""
        return build_client(self.hass, self._get_entry().data)

    def _runtime(self) -> AlphaEssRuntime | None:
        """Return the parent entry's runtime, when it is loaded."""
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return None
        runtime: AlphaEssRuntime = entry.runtime_data.runtime
        return runtime

    async def _async_known_serials(self) -> tuple[set[str], dict[str, str]]:
        """Return the serials already on the account (or added here), and asking's errors.

        A loaded entry knows its systems; an entry that is not loaded asks AlphaESS.
        """
        known = {
            subentry.unique_id
            for subentry in self._get_entry().subentries.values()
            if subentry.unique_id is not None
        }
        if (runtime := self._runtime()) is not None:
            return known | set(runtime.systems.data.systems), {}
        systems, errors = await _async_attempt(self._client().async_get_systems())
        return known | {system.serial for system in systems or ()}, errors

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the serial number and the CheckCode, then have the code e-mailed."""
        errors: dict[str, str] = {}
        if user_input is not None:
            serial = user_input[CONF_SERIAL].strip().upper()
            known, errors = await self._async_known_serials()
            if not errors and serial in known:
                return self.async_abort(reason="already_configured")
            if not errors:
                _, errors = await _async_attempt(
                    self._client().async_request_verification_code(
                        serial, user_input[CONF_CHECK_CODE].strip()
                    )
                )
            if not errors:
                self._serial = serial
                return await self.async_step_verify()
        schema = probatio.Schema(
            {
                probatio.Required(CONF_SERIAL): TextSelector(),
                probatio.Required(CONF_CHECK_CODE): TextSelector(),
            }
        )
        if user_input is not None:
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id="user",
            data_schema=schema,
            errors=errors,
            description_placeholders=PLACEHOLDERS,
        )

    async def async_step_verify(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the code AlphaESS e-mailed to the owner, and bind the system with it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            _, errors = await _async_attempt(
                self._client().async_bind(
                    self._serial, user_input[CONF_VERIFICATION_CODE].strip()
                )
            )
            if not errors:
                if (runtime := self._runtime()) is not None:
                    # The account now lists the system: its device appears with this refresh,
                    # which may wait for the AppID's budget (the dialog does not).
                    self._get_entry().async_create_background_task(
                        self.hass,
                        runtime.systems.async_request_refresh(),
                        "alphaess systems after binding",
                    )
                return self.async_create_entry(
                    title=self._serial,
                    data={CONF_SERIAL: self._serial},
                    unique_id=self._serial,
                )
        return self.async_show_form(
            step_id="verify",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_VERIFICATION_CODE): TextSelector()}
            ),
            errors=errors,
            description_placeholders={"serial": self._serial},
        )
