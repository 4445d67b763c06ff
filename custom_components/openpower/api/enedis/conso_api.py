"""Conso API (`https://conso.boris.sh/api`), the free gateway most individuals use (§2.10, §2.10b).

Since Enedis' 2026 migration its routes carry the 2026 resource names and parameters
(`/consommation_quotidienne?pointId=…&dateDebut=…&dateFin=…`); the body is the 2026 shape,
though the parsers still take the older bare `meter_reading`. The token is a JWT per consent
whose `sub` lists its meters; Conso API asks each client for an identifying User-Agent.

It bans an IP address automatically at 100 requests in 12 hours, whatever the token: every
Conso API entry of one Home Assistant must share one budget (`conso_api_budget`).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..http import HttpClient
from .access import read_conso_api_token
from .client import (
    MAX_DAILY_DAYS,
    USER_AGENT,
    Backend,
    MeasuresByResource,
    check_range,
    get_json,
    reserved_budget,
)
from .measures import parse_max_power
from .models import ConsoApiToken, Contract, Customer, Direction, MaxPower

DEFAULT_API_URL: Final = "https://conso.boris.sh/api"
BAN_THRESHOLD: Final = 100
"""Requests in 12 hours at which Conso API bans the address (its `ipban.mjs`)."""
CONSO_API_LIMITS: Final = (RateLimit(count=90, period=12 * 3600.0),)
"""Far enough under the ban that a clock drift or a retry never reaches it."""
DAILY_RESOURCES: Final = {
    Direction.CONSUMPTION: "consommation_quotidienne",
    Direction.PRODUCTION: "production_quotidienne",
}
CURVE_RESOURCES: Final = {
    Direction.CONSUMPTION: "courbe_de_charge_consommation",
    Direction.PRODUCTION: "courbe_de_charge_production",
}
MAX_POWER_RESOURCE: Final = "puissance_conso_max_quotidienne"


def conso_api_budget(
    *, reserve: int = 10, limits: tuple[RateLimit, ...] = CONSO_API_LIMITS
) -> RequestBudget:
    """Return the budget all Conso API clients of one Home Assistant share.

    Background (backfill) requests leave `reserve` requests of every window to the requests a
    user or the daily poll is waiting for.
    """
    return reserved_budget(limits, reserve)


class ConsoApiClient(MeasuresByResource):
    """One meter reached through the Conso API with a consent's token."""

    daily_resources = DAILY_RESOURCES
    curve_resources = CURVE_RESOURCES

    backend = Backend.CONSO_API
    serves_contract = False

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        prm: str,
        *,
        api_url: str = DEFAULT_API_URL,
        budget: RequestBudget | None = None,
        user_agent: str = USER_AGENT,
        timeout: float = 30.0,
        backoff: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a client; every Conso API client of the instance should share `budget`."""
        self.prm = prm
        self._token = token
        self._now = now
        self._http = HttpClient(
            session,
            api_url,
            provider="enedis conso api",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
            now=now,
        )
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    def __repr__(self) -> str:
        """Name the client without its token."""
        return f"ConsoApiClient(prm=…{self.prm[-3:]})"

    @property
    def budget(self) -> RequestBudget | None:
        """The (instance-wide) request budget."""
        return self._http.budget

    def token_info(self) -> ConsoApiToken:
        """Return the meters and expiry the token names (ApiAuthError if it is no such token)."""
        return read_conso_api_token(self._token)

    async def _measures(
        self, resource: str, start: date, end: date, patient: bool, **extra: str
    ) -> Any:
        return await get_json(
            self._http,
            resource,
            headers=self._headers,
            params={
                "pointId": self.prm,
                "dateDebut": start.isoformat(),
                "dateFin": end.isoformat(),
                **extra,
            },
            patient=patient,
            now=self._now(),
        )

    async def async_max_power(
        self, start: date, end: date, *, patient: bool = False
    ) -> list[MaxPower]:
        """Return the daily maximum power of [start, end)."""
        check_range(start, end, MAX_DAILY_DAYS)
        # Optional at Conso API (these are its defaults) but required by Enedis: say them.
        payload = await self._measures(
            MAX_POWER_RESOURCE,
            start,
            end,
            patient,
            mesuresPas="P1D",
            grandeurPhysique="PMA",
        )
        return parse_max_power(payload)

    async def async_contract(self) -> Contract | None:
        """Conso API has no contract route."""
        return None

    async def async_customer(self) -> Customer | None:
        """Conso API has no customer route."""
        return None

    def diagnostics(self) -> dict[str, Any]:
        """Return the budget's state."""
        return {"budget": self.budget.diagnostics() if self.budget else None}
