"""Amber runtime data of one entry (one site): settings, the client, setting the entry up."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.amber import AMBER_LIMITS, DEFAULT_API_URL, AmberClient
from ...api.budget import RequestBudget
from ...api.http import mask_identifiers
from ...const import CONF_ACCOUNT_ID, DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import api_url
from ...provider import account_budget
from .const import CONF_SITE_ID, DEFAULT_FORECAST_HOURS, PROVIDER
from .coordinator import (
    AmberHistoryCoordinator,
    AmberPriceCoordinator,
    AmberSiteCoordinator,
)
from .price_book import AmberPriceBook


@dataclass(frozen=True, kw_only=True, slots=True)
class AmberSettings:
    """How Amber is asked: per-request timeout, first retry delay, how far ahead and back.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a real retry delay never ends, few tests need 90 days of history, and snapshots are
    shorter with an hour of forecast.
    """

    request_timeout: float = 30.0
    retry_backoff: float = 1.0
    history_days: int = 90
    """Amber keeps 90 days of usage."""
    forecast_hours: int = DEFAULT_FORECAST_HOURS
    """The forecast horizon of an entry whose options do not set one."""


SETTINGS: HassKey[AmberSettings] = HassKey(f"{DOMAIN}_amber_settings")


def settings(hass: HomeAssistant) -> AmberSettings:
    """Return the settings Amber runs with."""
    return hass.data.get(SETTINGS) or AmberSettings()


def build_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    token: str,
    budget: RequestBudget | None = None,
) -> AmberClient:
    """Return a client for `token` on the API URL of `data` (flow input or entry data)."""
    tuning = settings(hass)
    return AmberClient(
        async_get_clientsession(hass),
        token,
        api_url=api_url(data, DEFAULT_API_URL),
        budget=budget,
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
    )


@dataclass(kw_only=True, slots=True)
class AmberRuntime:
    """Client and coordinators of one Amber site."""

    client: AmberClient
    site: AmberSiteCoordinator
    prices: AmberPriceCoordinator
    history: AmberHistoryCoordinator
    price_book: AmberPriceBook


async def async_setup(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> AmberRuntime:
    """Build the clients and coordinators of one site; fail setup if prices are unreachable."""
    data = entry.data
    tuning = settings(hass)
    client = build_client(
        hass,
        data,
        data[CONF_API_TOKEN],
        account_budget(hass, PROVIDER, data[CONF_ACCOUNT_ID], AMBER_LIMITS),
    )
    site = AmberSiteCoordinator(hass, entry, client, data[CONF_SITE_ID])
    await site.async_config_entry_first_refresh()
    site.async_keep_polling()
    prices = AmberPriceCoordinator(
        hass, entry, client, site, forecast_hours=tuning.forecast_hours
    )
    await prices.async_config_entry_first_refresh()
    history = AmberHistoryCoordinator(
        hass, entry, client, site, history_days=tuning.history_days
    )
    history.async_keep_polling()
    # A 90-day backfill must not hold up setup: history arrives in the background.
    entry.async_create_background_task(
        hass, history.async_refresh(), f"{mask_identifiers(entry.title)} amber history"
    )
    price_book = AmberPriceBook(client, site)
    price_book.async_record_prices(prices.data)
    entry.async_on_unload(
        prices.async_add_listener(lambda: price_book.async_record_prices(prices.data))
    )
    return AmberRuntime(
        client=client, site=site, prices=prices, history=history, price_book=price_book
    )
