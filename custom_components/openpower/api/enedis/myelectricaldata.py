"""MyElectricalData v1 gateway (`https://myelectricaldata.fr`, reference §2.12).

`GET /{service}/{prm}/start/{YYYY-MM-DD}/end/{YYYY-MM-DD}` with the token in `Authorization`
as is (no "Bearer"). Answers pass Enedis' v5 shapes through. Its quota is per day (50 calls):
409 (or 429 with a `detail`) when it is used up; `valid_access` tells the consent's expiry and
the calls left, and answers even when the quota is reached.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..http import HttpClient
from .access import parse_med_access
from .client import (
    MAX_DAILY_DAYS,
    USER_AGENT,
    Backend,
    MeasuresByResource,
    check_range,
    get_json,
    reserved_budget,
)
from .contract import parse_v5_addresses, parse_v5_contract
from .measures import parse_max_power
from .models import Contract, Customer, Direction, MaxPower, MedAccess

DEFAULT_API_URL: Final = "https://myelectricaldata.fr"
DAILY_QUOTA: Final = 50
MED_LIMITS: Final = (RateLimit(count=DAILY_QUOTA - 5, period=86400.0),)
"""A sliding day holds any calendar day's quota; 5 calls stay for the user's other tools."""
DAILY_SERVICES: Final = {
    Direction.CONSUMPTION: "daily_consumption",
    Direction.PRODUCTION: "daily_production",
}
CURVE_SERVICES: Final = {
    Direction.CONSUMPTION: "consumption_load_curve",
    Direction.PRODUCTION: "production_load_curve",
}
MAX_POWER_SERVICE: Final = "daily_consumption_max_power"


def med_budget(
    *, reserve: int = 10, limits: tuple[RateLimit, ...] = MED_LIMITS
) -> RequestBudget:
    """Return a token's budget whose backfill leaves `reserve` calls a day to the daily polls."""
    return reserved_budget(limits, reserve)


class MyElectricalDataClient(MeasuresByResource):
    """One meter reached through MyElectricalData with its token."""

    daily_resources = DAILY_SERVICES
    curve_resources = CURVE_SERVICES

    backend = Backend.MYELECTRICALDATA
    serves_contract = True

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        prm: str,
        *,
        api_url: str = DEFAULT_API_URL,
        budget: RequestBudget | None = None,
        use_cache: bool = False,
        user_agent: str = USER_AGENT,
        timeout: float = 30.0,
        backoff: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a client; `use_cache` asks MyElectricalData's cache (`…/cache`) for measures."""
        self.prm = prm
        self._use_cache = use_cache
        self._now = now
        self._http = HttpClient(
            session,
            api_url,
            provider="enedis myelectricaldata",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
            now=now,
        )
        self._headers = {
            "Authorization": token,
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    def __repr__(self) -> str:
        """Name the client without its token."""
        return f"MyElectricalDataClient(prm=…{self.prm[-3:]})"

    @property
    def budget(self) -> RequestBudget | None:
        """The token's request budget."""
        return self._http.budget

    async def _get(self, path: str, patient: bool = False) -> Any:
        return await get_json(
            self._http, path, headers=self._headers, patient=patient, now=self._now()
        )

    async def _measures(
        self, service: str, start: date, end: date, patient: bool
    ) -> Any:
        path = f"{service}/{self.prm}/start/{start.isoformat()}/end/{end.isoformat()}"
        return await self._get(f"{path}/cache" if self._use_cache else path, patient)

    async def async_access(self) -> MedAccess:
        """Return the consent's validity and expiry, and today's quota."""
        return parse_med_access(await self._get(f"valid_access/{self.prm}"))

    async def async_max_power(
        self, start: date, end: date, *, patient: bool = False
    ) -> list[MaxPower]:
        """Return the daily maximum power of [start, end)."""
        check_range(start, end, MAX_DAILY_DAYS)
        return parse_max_power(
            await self._measures(MAX_POWER_SERVICE, start, end, patient)
        )

    async def async_contract(self) -> Contract:
        """Return the contract (v5 `contracts`, passed through)."""
        return parse_v5_contract(await self._get(f"contracts/{self.prm}"), self.prm)

    async def async_customer(self) -> Customer:
        """Return the meter's address (v5 `addresses`)."""
        return parse_v5_addresses(await self._get(f"addresses/{self.prm}"), self.prm)

    def diagnostics(self) -> dict[str, Any]:
        """Return the budget's state."""
        return {"budget": self.budget.diagnostics() if self.budget else None}
