"""Async client for the Amber Electric public API v1 (`https://api.amber.com.au/v1`)."""

from datetime import date
import logging
from typing import Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..http import HttpClient, RateLimitState
from .models import (
    PriceInterval,
    Site,
    UsageInterval,
    parse_prices,
    parse_sites,
    parse_usage,
)

_LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://api.amber.com.au/v1"
# Amber allows 50 requests per 5 minutes per account (public-api discussion #146).
AMBER_LIMITS: Final = (RateLimit(count=50, period=300),)
# `next + previous` may not exceed 2048 intervals; `/usage` spans at most 7 days.
MAX_INTERVALS: Final = 2048
MAX_USAGE_DAYS: Final = 7


class AmberClient:
    """One Amber account, reached with its API token."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        budget: RequestBudget | None = None,
        timeout: float = 30.0,
        backoff: float = 1.0,
    ) -> None:
        """Create a client; several clients of one account should share `budget`."""
        self._http = HttpClient(
            session,
            api_url,
            provider="amber",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
        )
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
        }
        self._unknown_seen: set[tuple[str, str]] = set()

    @property
    def rate_limit(self) -> RateLimitState | None:
        """What Amber said about the account's limit in its last answer."""
        return self._http.rate_limit

    @property
    def budget(self) -> RequestBudget | None:
        """The account's client-side request budget."""
        return self._http.budget

    def _report_unknown(self, field: str, value: str) -> None:
        # One line per new value, however often Amber repeats it.
        if (field, value) not in self._unknown_seen:
            self._unknown_seen.add((field, value))
            _LOGGER.warning(
                "Amber sent an unknown %s %r; it is shown as unknown", field, value
            )

    async def async_get_sites(self) -> list[Site]:
        """Return every site of the account, closed ones included."""
        response = await self._http.request("GET", "sites", headers=self._headers)
        return parse_sites(response.json(), self._report_unknown)

    async def async_get_current_prices(
        self,
        site_id: str,
        *,
        next_intervals: int,
        previous_intervals: int = 0,
        resolution: int | None = None,
    ) -> list[PriceInterval]:
        """Return the current interval of each channel and the forecast after it."""
        next_intervals = max(0, min(next_intervals, MAX_INTERVALS - previous_intervals))
        params: dict[str, str | int] = {
            "next": next_intervals,
            "previous": previous_intervals,
        }
        if resolution is not None:
            params["resolution"] = resolution
        response = await self._http.request(
            "GET",
            f"sites/{site_id}/prices/current",
            headers=self._headers,
            params=params,
        )
        return parse_prices(response.json(), self._report_unknown)

    async def async_get_prices(
        self, site_id: str, start: date, end: date, *, resolution: int
    ) -> list[PriceInterval]:
        """Return every interval of the NEM dates `start`..`end` (inclusive, ≤ 7 days).

        Patient, as history requests are: it waits for the account's budget rather than fail.
        """
        if not 0 <= (end - start).days < MAX_USAGE_DAYS:
            raise ValueError("a price request spans 1 to 7 days")
        response = await self._http.request(
            "GET",
            f"sites/{site_id}/prices",
            headers=self._headers,
            params={
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "resolution": resolution,
            },
            patient=True,
        )
        return parse_prices(response.json(), self._report_unknown)

    async def async_get_usage(
        self, site_id: str, start: date, end: date
    ) -> list[UsageInterval]:
        """Return metered usage for the NEM dates `start`..`end` (inclusive, ≤ 7 days).

        History requests are patient: they wait for the account's budget rather than fail.
        """
        if not 0 <= (end - start).days < MAX_USAGE_DAYS:
            raise ValueError("a usage request spans 1 to 7 days")
        response = await self._http.request(
            "GET",
            f"sites/{site_id}/usage",
            headers=self._headers,
            params={"startDate": start.isoformat(), "endDate": end.isoformat()},
            patient=True,
        )
        return parse_usage(response.json(), self._report_unknown)
