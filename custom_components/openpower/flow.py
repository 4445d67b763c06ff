"""Config-flow machinery every provider's steps share.

Home Assistant runs one config flow per integration. Ours (`config_flow.OpenPowerConfigFlow`) is
a menu of providers; each provider registers a `ProviderFlow` in its spec, whose steps the host
flow serves. A provider flow ends its steps with `async_finish`, which creates the entry, or
updates it for reauth and reconfigure after checking it is the same account.
"""

from collections.abc import Awaitable, Callable, Mapping
from ipaddress import ip_address
from typing import Any, ClassVar
from urllib.parse import urlsplit

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
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

type FlowStep = Callable[[dict[str, Any] | None], Awaitable[ConfigFlowResult]]


def advanced_section(
    urls: dict[str, str], extra: Mapping[probatio.Marker, Any] | None = None
) -> dict[probatio.Marker, Any]:
    """Return the collapsed `advanced` section: one URL field per host, official defaults.

    `extra` adds fields after the URLs (PG&E's optional CA certificate).
    """
    return {
        probatio.Required(CONF_ADVANCED): section(
            probatio.Schema(
                {
                    **{
                        probatio.Required(key, default=url): URL_SELECTOR
                        for key, url in urls.items()
                    },
                    **(extra or {}),
                }
            ),
            {"collapsed": True},
        )
    }


def advanced_url(data: Mapping[str, Any], key: str, default: str) -> str:
    """Return one URL of the `advanced` section of flow input or entry data."""
    url: str = data.get(CONF_ADVANCED, {}).get(key, default)
    return url.rstrip("/")


def api_url(data: Mapping[str, Any], default: str) -> str:
    """Return the API URL of submitted flow data or of an entry's data."""
    return advanced_url(data, CONF_API_URL, default)


def endpoint_errors(
    stored: Mapping[str, Any], user_input: Mapping[str, Any], secret: str
) -> dict[str, str]:
    """Return the form errors of the submitted endpoints (none: a secret may go there).

    A secret is sent in clear only to this machine (plain `http://` to localhost), and a stored
    one only to the hosts it was given for: endpoints moved to another host need it re-entered.
    """
    old = stored.get(CONF_ADVANCED, {})
    for key, url in user_input.get(CONF_ADVANCED, {}).items():
        if (origin := url_origin(url)) is None:
            return {"base": "url_not_https"}
        if key in old and origin != url_origin(old[key]) and not user_input.get(secret):
            return {secret: "secret_for_new_host"}
    return {}


def url_origin(url: str) -> tuple[str, int] | None:
    """Return the host and port a secret sent to `url` reaches; None when it may not go there."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if not host or parts.scheme not in ("https", "http"):
        return None
    if parts.scheme == "http" and not _loopback(host):
        return None
    return host, port or (443 if parts.scheme == "https" else 80)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class OpenPowerFlowBase(ConfigFlow):
    """What the integration's config flow offers the provider flows running in it."""

    VERSION = 1

    def entry_in_flow(self) -> ConfigEntry | None:
        """Return the entry being reauthenticated or reconfigured, if any."""
        if self.source == SOURCE_REAUTH:
            return self._get_reauth_entry()
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry()
        return None

    async def async_claim_unique_id(self, provider: str, unique_id: str) -> None:
        """Take a new entry's unique id before its last step; abort if an entry has it."""
        await self.async_set_unique_id(f"{provider}_{unique_id}")
        self._abort_if_unique_id_configured()

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


class ProviderFlow:
    """One provider's config-flow steps, served by the integration's config flow.

    A subclass names each step `async_step_<step id>`; step ids start with the provider key,
    and the first step's id is the key itself (the provider's entry in the menu). Reauth and
    reconfigure start at `async_reauth` and `async_reconfigure`. Forms, menus and unique ids
    go through `flow`, the running config flow.
    """

    provider: ClassVar[str]

    def __init__(self, flow: OpenPowerFlowBase) -> None:
        """Run inside `flow`."""
        self.flow = flow

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant instance of the flow."""
        return self.flow.hass

    def steps(self) -> dict[str, FlowStep]:
        """Return this provider's steps by step id."""
        prefix = "async_step_"
        steps: dict[str, FlowStep] = {
            name.removeprefix(prefix): getattr(self, name)
            for name in dir(type(self))
            if name.startswith(prefix)
        }
        for step_id in steps:
            if step_id != self.provider and not step_id.startswith(f"{self.provider}_"):
                raise ValueError(f"step {step_id} does not belong to {self.provider}")
        return steps

    def entry_in_flow(self) -> ConfigEntry | None:
        """Return the entry being reauthenticated or reconfigured, if any."""
        return self.flow.entry_in_flow()

    def entry_to_update(self) -> ConfigEntry:
        """Return the entry being reauthenticated or reconfigured (in those steps only)."""
        if (entry := self.flow.entry_in_flow()) is None:
            raise RuntimeError("no entry is being reauthenticated or reconfigured")
        return entry

    async def async_finish(
        self, unique_id: str, title: str, data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Create this provider's entry, or update the one in reauth or reconfigure."""
        return await self.flow.async_finish(self.provider, unique_id, title, data)

    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Start reauthenticating `entry` (its credentials were rejected)."""
        raise NotImplementedError

    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Start reconfiguring `entry`."""
        raise NotImplementedError
