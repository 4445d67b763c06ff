"""GoodWe (SEMS+) config-flow steps: e-mail and password → station → entry; reauth, reconfigure.

One entry per SEMS+ station (unique id: the station id; title: its name). The flow logs in once
at the login host (`advanced.api_url`) and lists the account's stations on the regional gateway
the login names (reference apis-goodwe.md §1, §2.2, §3.1); that gateway is stored with the entry
(`CONF_GATEWAY`), never assumed. An account with several stations chooses one; stations that
already have an entry are not offered again.
"""

from collections.abc import Mapping
from typing import Any, Final, override

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from ...api.goodwe import DEFAULT_LOGIN_URL, GoodWeClient, Station, StationAccessError
from ...const import CONF_ADVANCED, CONF_API_URL, DOMAIN
from ...errors import async_probe
from ...flow import SECRET_SELECTOR, ProviderFlow, advanced_section, endpoint_errors
from .const import CONF_GATEWAY, CONF_STATION_ID, PORTAL_URL, PROVIDER
from .runtime import build_client

PLACEHOLDERS: Final = {"portal_url": PORTAL_URL}
ADVANCED: Final = advanced_section({CONF_API_URL: DEFAULT_LOGIN_URL})
EMAIL_SELECTOR: Final = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
NO_ACCESS: Final = {"base": "goodwe_no_access"}
"""The account does not see the station (100025, or the station is not in its list)."""


async def _async_stations(client: GoodWeClient) -> tuple[list[Station], str] | None:
    """Log in once and list the account's stations; return them and the login's gateway.

    None when GoodWe denies the account access (100025); other errors propagate to
    `async_probe`, which maps them like every provider's.
    """
    try:
        await client.async_login()
        stations = await client.async_stations()
    except StationAccessError:
        return None
    gateway = client.gateway
    assert gateway is not None  # a successful login always names one (auth.parse_login)
    return stations, gateway


def station_label(station: Station) -> str:
    """Describe a station in the picker: its name (or id) and its PV capacity when known."""
    name = station.name or station.id
    if station.capacity_kw is None:
        return name
    return f"{name} ({station.capacity_kw:g} kWp)"


class GoodWeFlow(ProviderFlow):
    """GoodWe (SEMS+) steps of the config flow."""

    provider = PROVIDER

    _goodwe_data: dict[str, Any]
    _goodwe_stations: list[Station]

    @override
    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for the password of the entry's account again."""
        return await self.async_step_goodwe_reauth()

    @override
    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Change the entry's account, password or login host."""
        return await self.async_step_goodwe_reconfigure()

    async def _async_goodwe_login(
        self, data: Mapping[str, Any]
    ) -> tuple[list[Station] | None, dict[str, Any], dict[str, str]]:
        """Log in with `data` and list its stations.

        Return the stations, `data` completed with the gateway the login named, and the form
        errors (none: it worked).
        """
        answer, errors = await async_probe(
            PROVIDER, _async_stations(build_client(self.hass, data))
        )
        if errors:
            return None, dict(data), errors
        if answer is None:
            return None, dict(data), dict(NO_ACCESS)
        stations, gateway = answer
        return stations, {**data, CONF_GATEWAY: gateway}, {}

    def _configured_stations(self) -> set[str]:
        """Return the unique ids of the entries the integration already has."""
        return {
            entry.unique_id
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            if entry.unique_id is not None
        }

    async def async_step_goodwe(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the SEMS+ account's e-mail and password (and, collapsed, the login host)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors({}, user_input, CONF_PASSWORD)
        if user_input is not None and not errors:
            stations, data, errors = await self._async_goodwe_login(
                {
                    CONF_USERNAME: user_input[CONF_USERNAME].strip(),
                    CONF_PASSWORD: user_input[CONF_PASSWORD],
                    CONF_ADVANCED: user_input[CONF_ADVANCED],
                }
            )
            if stations is not None and not stations:
                errors = {"base": "goodwe_no_station"}
            elif stations is not None:
                configured = self._configured_stations()
                self._goodwe_data = data
                self._goodwe_stations = [
                    station
                    for station in stations
                    if f"{PROVIDER}_{station.id}" not in configured
                ]
                if not self._goodwe_stations:
                    return self.flow.async_abort(reason="already_configured")
                if len(self._goodwe_stations) == 1:
                    return await self._async_goodwe_create(self._goodwe_stations[0])
                return await self.async_step_goodwe_station()
        schema = probatio.Schema(
            {
                probatio.Required(CONF_USERNAME): EMAIL_SELECTOR,
                probatio.Required(CONF_PASSWORD): SECRET_SELECTOR,
                **ADVANCED,
            }
        )
        if user_input is not None:
            # Shown again after an error: everything but the password comes back.
            schema = self.flow.add_suggested_values_to_schema(
                schema,
                {
                    CONF_USERNAME: user_input[CONF_USERNAME],
                    CONF_ADVANCED: user_input[CONF_ADVANCED],
                },
            )
        return self.flow.async_show_form(
            step_id="goodwe",
            data_schema=schema,
            errors=errors,
            description_placeholders=PLACEHOLDERS,
        )

    async def async_step_goodwe_station(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose which of the account's stations this entry follows."""
        stations = self._goodwe_stations
        if user_input is not None:
            chosen = next(s for s in stations if s.id == user_input[CONF_STATION_ID])
            return await self._async_goodwe_create(chosen)
        return self.flow.async_show_form(
            step_id="goodwe_station",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_STATION_ID, default=stations[0].id
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=s.id, label=station_label(s))
                                for s in stations
                            ],
                            mode=SelectSelectorMode.LIST,
                        )
                    ),
                }
            ),
            description_placeholders={"username": self._goodwe_data[CONF_USERNAME]},
        )

    async def _async_goodwe_create(self, station: Station) -> ConfigFlowResult:
        """Create the entry of `station` (aborts if an entry took it meanwhile)."""
        return await self.async_finish(
            station.id,
            station.name or station.id,
            {**self._goodwe_data, CONF_STATION_ID: station.id},
        )

    async def _async_goodwe_update(
        self, entry: ConfigEntry, data: dict[str, Any]
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Log in with `data` and update `entry` when the account still sees its station."""
        stations, data, errors = await self._async_goodwe_login(data)
        if stations is None:
            return None, errors
        station_id = entry.data[CONF_STATION_ID]
        if not any(station.id == station_id for station in stations):
            return None, dict(NO_ACCESS)
        return await self.async_finish(station_id, "", data), {}

    async def async_step_goodwe_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the current password of the same account."""
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._async_goodwe_update(
                entry, {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            )
            if result is not None:
                return result
        return self.flow.async_show_form(
            step_id="goodwe_reauth",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_PASSWORD): SECRET_SELECTOR}
            ),
            errors=errors,
            description_placeholders={
                **PLACEHOLDERS,
                "name": entry.title,
                "username": entry.data[CONF_USERNAME],
            },
        )

    async def async_step_goodwe_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account (e.g. to a visitor account), its password or the login host.

        The password may be left empty to keep the stored one, except for a login host on
        another server: a stored password only goes to the host it was given for.
        """
        entry = self.entry_to_update()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = endpoint_errors(entry.data, user_input, CONF_PASSWORD)
        if user_input is not None and not errors:
            result, errors = await self._async_goodwe_update(
                entry,
                {
                    **entry.data,
                    CONF_USERNAME: user_input[CONF_USERNAME].strip(),
                    CONF_PASSWORD: user_input.get(CONF_PASSWORD)
                    or entry.data[CONF_PASSWORD],
                    CONF_ADVANCED: user_input[CONF_ADVANCED],
                },
            )
            if result is not None:
                return result
        shown = user_input or entry.data
        return self.flow.async_show_form(
            step_id="goodwe_reconfigure",
            data_schema=self.flow.add_suggested_values_to_schema(
                probatio.Schema(
                    {
                        probatio.Required(CONF_USERNAME): EMAIL_SELECTOR,
                        probatio.Optional(CONF_PASSWORD): SECRET_SELECTOR,
                        **ADVANCED,
                    }
                ),
                {
                    CONF_USERNAME: shown[CONF_USERNAME],
                    CONF_ADVANCED: shown.get(CONF_ADVANCED, {}),
                },
            ),
            errors=errors,
            description_placeholders={**PLACEHOLDERS, "name": entry.title},
        )
