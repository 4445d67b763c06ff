"""Emporia runtime data of one entry (one account), and the one way to build its clients."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_ACCESS_TOKEN, CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.budget import RateLimit, RequestBudget
from ...api.emporia import (
    DEFAULT_API_URL,
    DEFAULT_AUTH_URL,
    DEFAULT_MAINTENANCE_URL,
    EMPORIA_LIMITS,
    CognitoAuth,
    EmporiaClient,
    Tokens,
)
from ...api.http import mask_identifiers
from ...const import DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import advanced_url, api_url
from ...pricing import Pricer
from ...provider import account_budget
from .const import (
    CONF_AUTH_URL,
    CONF_ID_TOKEN,
    CONF_MAINTENANCE_URL,
    CONF_REFRESH_TOKEN,
    PROVIDER,
)
from .coordinator import (
    EmporiaDevicesCoordinator,
    EmporiaHistoryCoordinator,
    EmporiaPowerCoordinator,
    EmporiaStatusCoordinator,
)
from .recent import RecentReadings


@dataclass(frozen=True, kw_only=True, slots=True)
class EmporiaSettings:
    """How Emporia is asked: timeout, first retry delay, history depth, the account's budget.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a real retry delay or a budget's pacing wait never ends.
    """

    request_timeout: float = 15.0
    retry_backoff: float = 1.0
    history_days: int = 30
    limits: tuple[RateLimit, ...] = EMPORIA_LIMITS


SETTINGS: HassKey[EmporiaSettings] = HassKey(f"{DOMAIN}_emporia_settings")


def settings(hass: HomeAssistant) -> EmporiaSettings:
    """Return the settings Emporia runs with."""
    return hass.data.get(SETTINGS) or EmporiaSettings()


def build_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    budget: RequestBudget | None = None,
    on_sign_in: Callable[[Tokens], None] | None = None,
) -> EmporiaClient:
    """Return a client for the credentials and URLs in `data` (flow input or entry data).

    With a refresh token the client starts from it (no sign-in on restart); the password, when
    there is one, is only used if Emporia refuses the refresh token.
    """
    session = async_get_clientsession(hass)
    tuning = settings(hass)
    tokens = (
        Tokens(
            id_token=data.get(CONF_ID_TOKEN),
            access_token=data.get(CONF_ACCESS_TOKEN),
            refresh_token=data[CONF_REFRESH_TOKEN],
            expires_at=None,
        )
        if data.get(CONF_REFRESH_TOKEN)
        else None
    )
    auth = CognitoAuth(
        session,
        auth_url=advanced_url(data, CONF_AUTH_URL, DEFAULT_AUTH_URL),
        email=data.get(CONF_EMAIL),
        password=data.get(CONF_PASSWORD),
        tokens=tokens,
        budget=budget,
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
        on_sign_in=on_sign_in,
    )
    return EmporiaClient(
        session,
        auth,
        api_url=api_url(data, DEFAULT_API_URL),
        maintenance_url=advanced_url(
            data, CONF_MAINTENANCE_URL, DEFAULT_MAINTENANCE_URL
        ),
        budget=budget,
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
    )


@dataclass(kw_only=True, slots=True)
class EmporiaRuntime:
    """Client and coordinators of one Emporia account."""

    client: EmporiaClient
    devices: EmporiaDevicesCoordinator
    status: EmporiaStatusCoordinator
    power: EmporiaPowerCoordinator
    history: EmporiaHistoryCoordinator
    pricer: Pricer


async def async_setup(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> EmporiaRuntime:
    """Build the client and coordinators of one account; fail setup if Emporia is unreachable."""

    @callback
    def keep_refresh_token(tokens: Tokens) -> None:
        # A new sign-in (the old refresh token was refused) gives a new refresh token.
        if tokens.refresh_token != entry.data.get(CONF_REFRESH_TOKEN):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REFRESH_TOKEN: tokens.refresh_token}
            )

    tuning = settings(hass)
    client = build_client(
        hass,
        entry.data,
        budget=account_budget(hass, PROVIDER, entry.unique_id or "", tuning.limits),
        on_sign_in=keep_refresh_token,
    )
    devices = EmporiaDevicesCoordinator(hass, entry, client)
    await devices.async_config_entry_first_refresh()
    status = EmporiaStatusCoordinator(hass, entry, client, devices)
    await status.async_config_entry_first_refresh()
    pricer = Pricer(hass, entry)
    # The minutes power counts are what history prices its hours with.
    recent = RecentReadings()
    history = EmporiaHistoryCoordinator(
        hass,
        entry,
        client,
        devices,
        status,
        pricer=pricer,
        recent=recent,
        history_days=tuning.history_days,
    )
    await history.async_load_stored()
    history.async_keep_polling()
    power = EmporiaPowerCoordinator(hass, entry, client, devices, history, recent)
    await power.async_config_entry_first_refresh()
    # A 30-day backfill must not hold up setup: history arrives in the background.
    entry.async_create_background_task(
        hass,
        history.async_refresh(),
        f"{mask_identifiers(entry.title)} emporia history",
    )
    return EmporiaRuntime(
        client=client,
        devices=devices,
        status=status,
        power=power,
        history=history,
        pricer=pricer,
    )
