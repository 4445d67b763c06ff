"""Enedis runtime data of one entry (one meter): settings, the backend's client, setting up.

The budgets belong to what the backend counts, never to the entry: the Conso API bans an IP
address, so every Conso API entry of this Home Assistant shares one budget; MyElectricalData
counts a token's calls; Data Connect an application's calls per API.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
import hashlib
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.budget import RateLimit, RequestBudget
from ...api.enedis import (
    CONSO_API_LIMITS,
    DATA_CONNECT_LIMITS,
    MED_LIMITS,
    Backend,
    ConsoApiClient,
    DataConnectBudgets,
    DataConnectClient,
    Direction,
    EnedisBackend,
    MyElectricalDataClient,
)
from ...api.enedis.conso_api import DEFAULT_API_URL as CONSO_API_URL
from ...api.enedis.data_connect import DEFAULT_API_URL as DATA_CONNECT_URL, MEASURES
from ...api.enedis.myelectricaldata import DEFAULT_API_URL as MED_URL
from ...const import DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import api_url
from ...pricing import Pricer
from ...provider import account_budget
from .const import (
    CONF_BACKEND,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PRM,
    CONF_TOKEN,
    CURVE_HISTORY_MONTHS,
    DAILY_HISTORY_MONTHS,
    MAX_JITTER,
    PROVIDER,
)
from .contract import EnedisContractCoordinator
from .history import BackfillTuning, EnedisHistoryCoordinator
from .schedule import jitter
from .statistics import MONEY, statistic_spec, stored_readings

DEFAULT_URLS: dict[Backend, str] = {
    Backend.CONSO_API: CONSO_API_URL,
    Backend.MYELECTRICALDATA: MED_URL,
    Backend.DATA_CONNECT: DATA_CONNECT_URL,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class EnedisSettings:
    """How Enedis is asked: timeouts, budgets and the backfill's reserves, the jitter.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a retry delay or a budget's pacing never ends.
    """

    request_timeout: float = 30.0
    retry_backoff: float = 1.0
    limits: Mapping[Backend, tuple[RateLimit, ...]] | None = None
    """Per backend; None: each backend's own (`CONSO_API_LIMITS`, …)."""
    reserves: Mapping[Backend, int] | None = None
    """Requests of the longest budget window the backfill leaves to the daily requests."""
    max_jitter: timedelta = MAX_JITTER
    daily_history_months: int = DAILY_HISTORY_MONTHS
    """How far back the backfill asks daily values (tests: less, each day is a recorder row)."""
    curve_history_months: int = CURVE_HISTORY_MONTHS
    """How far back the backfill asks load curves."""

    def limits_of(self, backend: Backend) -> tuple[RateLimit, ...]:
        """Return the limits one backend is held to."""
        if self.limits is not None and backend in self.limits:
            return self.limits[backend]
        return {
            Backend.CONSO_API: CONSO_API_LIMITS,
            Backend.MYELECTRICALDATA: MED_LIMITS,
            Backend.DATA_CONNECT: DATA_CONNECT_LIMITS,
        }[backend]

    def reserve_of(self, backend: Backend) -> int:
        """Return the backfill's reserve for one backend."""
        if self.reserves is not None and backend in self.reserves:
            return self.reserves[backend]
        # Conso API: 90 of the 100 that ban, 20 left to a day's requests of several meters
        # (≤ 5 each) and their retries. MyElectricalData: 45 a day, 10 kept. Data Connect:
        # 1000 an hour per API, 100 kept.
        return {
            Backend.CONSO_API: 20,
            Backend.MYELECTRICALDATA: 10,
            Backend.DATA_CONNECT: 100,
        }[backend]


SETTINGS: HassKey[EnedisSettings] = HassKey(f"{DOMAIN}_enedis_settings")


def settings(hass: HomeAssistant) -> EnedisSettings:
    """Return the settings Enedis runs with."""
    return hass.data.get(SETTINGS) or EnedisSettings()


def _secret_key(secret: str) -> str:
    """Return the account key of a secret: budgets are kept by it, never by the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def measures_budget(hass: HomeAssistant, data: Mapping[str, Any]) -> RequestBudget:
    """Return the budget the measures of `data`'s meter are asked under."""
    backend = Backend(data[CONF_BACKEND])
    limits = settings(hass).limits_of(backend)
    if backend is Backend.CONSO_API:
        return account_budget(hass, PROVIDER, "conso_api", limits)
    if backend is Backend.MYELECTRICALDATA:
        account = f"med_{_secret_key(data[CONF_TOKEN])}"
        return account_budget(hass, PROVIDER, account, limits)
    return _data_connect_budget(hass, data[CONF_CLIENT_ID], MEASURES.split("/")[0])


def _data_connect_budget(
    hass: HomeAssistant, client_id: str, api: str
) -> RequestBudget:
    limits = settings(hass).limits_of(Backend.DATA_CONNECT)
    account = f"dc_{_secret_key(client_id)}_{api}"
    return account_budget(hass, PROVIDER, account, limits)


def build_client(hass: HomeAssistant, data: Mapping[str, Any]) -> EnedisBackend:
    """Return the client of `data`'s backend and meter (flow input or entry data)."""
    tuning = settings(hass)
    backend = Backend(data[CONF_BACKEND])
    session = async_get_clientsession(hass)
    url = api_url(data, DEFAULT_URLS[backend])
    common: dict[str, Any] = {
        "api_url": url,
        "timeout": tuning.request_timeout,
        "backoff": tuning.retry_backoff,
    }
    if backend is Backend.CONSO_API:
        return ConsoApiClient(
            session,
            data[CONF_TOKEN],
            data[CONF_PRM],
            budget=measures_budget(hass, data),
            **common,
        )
    if backend is Backend.MYELECTRICALDATA:
        return MyElectricalDataClient(
            session,
            data[CONF_TOKEN],
            data[CONF_PRM],
            budget=measures_budget(hass, data),
            **common,
        )
    client_id = data[CONF_CLIENT_ID]
    return DataConnectClient(
        session,
        client_id,
        data[CONF_CLIENT_SECRET],
        data[CONF_PRM],
        budgets=DataConnectBudgets(
            budget_for=lambda api: _data_connect_budget(hass, client_id, api)
        ),
        **common,
    )


_TURNS: HassKey[dict[int, asyncio.Lock]] = HassKey(f"{DOMAIN}_enedis_backfill_turns")


def backfill_turn(hass: HomeAssistant, budget: RequestBudget) -> asyncio.Lock:
    """Return the lock the backfills of every meter on one budget take turns with."""
    # Budgets live as long as Home Assistant (provider.account_budget): their id is stable.
    return hass.data.setdefault(_TURNS, {}).setdefault(id(budget), asyncio.Lock())


def spare(budget: RequestBudget) -> int:
    """Return what the budget's longest window has left (none while the server holds it)."""
    if budget.paused_for() > 0:
        return 0
    longest = max(range(len(budget.limits)), key=lambda i: budget.limits[i].period)
    return budget.limits[longest].count - budget.used()[longest]


@dataclass(kw_only=True, slots=True)
class EnedisRuntime:
    """The client and coordinators of one meter."""

    client: EnedisBackend
    budget: RequestBudget
    history: EnedisHistoryCoordinator
    contract: EnedisContractCoordinator
    pricer: Pricer

    @property
    def prm(self) -> str:
        """The meter."""
        return self.client.prm


async def async_setup(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> EnedisRuntime:
    """Build the client and coordinators; the first requests run in the background."""
    tuning = settings(hass)
    client = build_client(hass, entry.data)
    backend = Backend(entry.data[CONF_BACKEND])
    budget = measures_budget(hass, entry.data)
    pricer = Pricer(hass, entry, stored_readings=stored_readings)
    history = EnedisHistoryCoordinator(
        hass,
        entry,
        client,
        tuning=BackfillTuning(
            room=lambda: spare(budget),
            turn=backfill_turn(hass, budget),
            reserve=tuning.reserve_of(backend),
            daily_months=tuning.daily_history_months,
            curve_months=tuning.curve_history_months,
        ),
        offset=jitter(entry.entry_id, tuning.max_jitter),
        pricer=pricer,
    )
    await history.async_load_stored()
    history.async_keep_polling()
    contract = EnedisContractCoordinator(hass, entry, client)
    # In the background: a first refresh imports statistics, and a second import of one
    # statistic waits for Home Assistant to have started (statistics.py), which waits for us.
    for coordinator in (history, contract):
        entry.async_create_background_task(
            hass, coordinator.async_refresh(), coordinator.name
        )
    # A tariff chosen or changed in the options prices the history already imported now,
    # not at the next day's import.
    entry.async_create_background_task(
        hass,
        pricer.async_price_stored(
            (statistic_spec(client.prm, direction), MONEY[direction])
            for direction in Direction
        ),
        f"{history.name} pricing",
    )
    return EnedisRuntime(
        client=client,
        budget=budget,
        history=history,
        contract=contract,
        pricer=pricer,
    )
