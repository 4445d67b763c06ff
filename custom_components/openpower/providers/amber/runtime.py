"""Amber runtime data of one entry (one site), and the one way to build its client."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.amber import DEFAULT_API_URL, AmberClient
from ...api.budget import RequestBudget
from ...const import DOMAIN
from ...flow import api_url
from .coordinator import (
    AmberHistoryCoordinator,
    AmberPriceCoordinator,
    AmberSiteCoordinator,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class AmberSettings:
    """How Amber is asked: per-request timeout, first retry delay, days of usage history.

    Production runs on the defaults. Tests put shorter ones in `hass.data[SETTINGS]`: under a
    frozen clock a real retry delay never ends, and few tests need 90 days of history.
    """

    request_timeout: float = 30.0
    retry_backoff: float = 1.0
    history_days: int = 90
    """Amber keeps 90 days of usage."""


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
