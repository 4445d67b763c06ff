"""Amber runtime data of one entry (one site), and the one way to build its client."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.amber import DEFAULT_API_URL, AmberClient
from ...api.budget import RequestBudget
from ...flow import api_url
from .const import REQUEST_TIMEOUT, RETRY_BACKOFF
from .coordinator import (
    AmberHistoryCoordinator,
    AmberPriceCoordinator,
    AmberSiteCoordinator,
)


def build_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    token: str,
    budget: RequestBudget | None = None,
) -> AmberClient:
    """Return a client for `token` on the API URL of `data` (flow input or entry data)."""
    return AmberClient(
        async_get_clientsession(hass),
        token,
        api_url=api_url(data, DEFAULT_API_URL),
        budget=budget,
        timeout=REQUEST_TIMEOUT,
        backoff=RETRY_BACKOFF,
    )


@dataclass(kw_only=True, slots=True)
class AmberRuntime:
    """Client and coordinators of one Amber site."""

    client: AmberClient
    site: AmberSiteCoordinator
    prices: AmberPriceCoordinator
    history: AmberHistoryCoordinator
