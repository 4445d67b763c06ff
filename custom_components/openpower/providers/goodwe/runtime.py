"""GoodWe runtime data of one entry (one SEMS+ station): settings, the client, setting up.

Every entry of one account (an installer's stations) shares one logged-in client
(`provider.AccountShared`): a SEMS+ login ends the account's previous session (§2.4), so two
clients of one account would log each other out at every poll. The client is on the account's
request budget (`provider.account_budget`, which the config flow's client shares too): SEMS+
publishes no limit, and peers were blocked for an hour after bursts (§8). The client logs in at
the entry's login host and then talks to the regional gateway stored with the entry; a login
that names another gateway updates the entry (`coordinator.follow_gateway`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ...api.budget import RateLimit, RequestBudget
from ...api.goodwe import (
    DEFAULT_LOGIN_URL,
    GOODWE_LIMITS,
    GoodWeClient,
    Station,
    utc_offset,
)
from ...api.http import mask_identifiers
from ...const import DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import api_url
from ...pricing import Pricer
from ...provider import AccountShared, account_budget
from .const import CONF_GATEWAY, HISTORY_WINDOW_DAYS, PROVIDER
from .coordinator import (
    GoodWeDevicesCoordinator,
    GoodWeFlowCoordinator,
    GoodWeStationCoordinator,
)
from .history import GoodWeHistoryCoordinator
from .statistics import DIRECTIONS, statistic_spec, stored_readings


@dataclass(frozen=True, kw_only=True, slots=True)
class GoodWeSettings:
    """How SEMS+ is asked: timeout, retry delay, history depth, windows, budget.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a real retry delay or a budget's pacing never ends.
    """

    request_timeout: float = 30.0
    retry_backoff: float = 1.0
    history_days: int = 3650
    """How far back the backfill goes at most (it stops earlier where the account does)."""
    window_days: int = HISTORY_WINDOW_DAYS
    windows_per_run: int = 12
    """Backfill windows per hourly run: a year of days, then the rest an hour later."""
    limits: tuple[RateLimit, ...] = GOODWE_LIMITS


SETTINGS: HassKey[GoodWeSettings] = HassKey(f"{DOMAIN}_goodwe_settings")


def settings(hass: HomeAssistant) -> GoodWeSettings:
    """Return the settings GoodWe runs with."""
    return hass.data.get(SETTINGS) or GoodWeSettings()


def login_budget(hass: HomeAssistant, username: str) -> RequestBudget:
    """Return the budget every request of one SEMS+ account shares (entries, flows)."""
    return account_budget(hass, PROVIDER, username.lower(), settings(hass).limits)


def build_client(hass: HomeAssistant, data: Mapping[str, Any]) -> GoodWeClient:
    """Return a client for the e-mail, password, login host and gateway of `data`.

    `data` is flow input or entry data; the gateway is the one a previous login gave (absent
    before the first login).
    """
    tuning = settings(hass)
    return GoodWeClient(
        async_get_clientsession(hass),
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        api_url=api_url(data, DEFAULT_LOGIN_URL),
        gateway=data.get(CONF_GATEWAY),
        budget=login_budget(hass, data[CONF_USERNAME]),
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
    )


_CLIENTS: AccountShared[GoodWeClient] = AccountShared("goodwe_clients")


def account_client(hass: HomeAssistant, data: Mapping[str, Any]) -> GoodWeClient:
    """Return the client every entry of the account in `data` shares.

    The password is part of the key: after a reauth the entry gets a client with the new one,
    while an entry still holding the old password goes on failing into its own reauth.
    """
    account = (
        api_url(data, DEFAULT_LOGIN_URL),
        data[CONF_USERNAME].lower(),
        data[CONF_PASSWORD],
    )
    return _CLIENTS.get(hass, account, lambda: build_client(hass, data))


async def async_station_zone(hass: HomeAssistant, station: Station) -> tzinfo:
    """Return the station's time zone (its dates are local there); Home Assistant's if unknown."""
    if (fixed := utc_offset(station.timezone)) is not None:
        return fixed
    if station.timezone and (
        zone := await dt_util.async_get_time_zone(station.timezone)
    ):
        return zone
    return dt_util.get_default_time_zone()


@dataclass(kw_only=True, slots=True)
class GoodWeRuntime:
    """The client and coordinators of one station."""

    client: GoodWeClient
    station: GoodWeStationCoordinator
    flow: GoodWeFlowCoordinator
    devices: GoodWeDevicesCoordinator
    history: GoodWeHistoryCoordinator
    pricer: Pricer
    """The entry's price source: grid import's cost and grid export's compensation."""


async def async_setup(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> GoodWeRuntime:
    """Build the client and coordinators; fail setup if SEMS+ does not answer the station."""
    tuning = settings(hass)
    client = account_client(hass, entry.data)
    station = GoodWeStationCoordinator(hass, entry, client)
    await station.async_config_entry_first_refresh()
    flow = GoodWeFlowCoordinator(hass, entry, client, station)
    devices = GoodWeDevicesCoordinator(hass, entry, client, station)
    await devices.async_load_stored()
    await flow.async_config_entry_first_refresh()
    await devices.async_config_entry_first_refresh()
    zone = await async_station_zone(hass, station.data)
    pricer = Pricer(hass, entry, stored_readings=partial(stored_readings, zone))
    history = GoodWeHistoryCoordinator(
        hass,
        entry,
        client,
        station=station,
        devices=devices,
        pricer=pricer,
        zone=zone,
        history_days=tuning.history_days,
        window_days=tuning.window_days,
        windows_per_run=tuning.windows_per_run,
    )
    await history.async_load_stored()
    history.async_keep_polling()
    # Imports wait for Home Assistant to have started (statistics.py): in the background.
    entry.async_create_background_task(
        hass,
        history.async_refresh(),
        f"{mask_identifiers(entry.title)} goodwe statistics",
    )
    entry.async_create_background_task(
        hass,
        pricer.async_price_stored(
            (statistic_spec(station.data, quantity), direction)
            for quantity, direction in DIRECTIONS.items()
        ),
        f"{mask_identifiers(entry.title)} goodwe pricing",
    )
    return GoodWeRuntime(
        client=client,
        station=station,
        flow=flow,
        devices=devices,
        history=history,
        pricer=pricer,
    )
