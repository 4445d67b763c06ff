"""The one interface every Enedis backend offers, and what their requests share.

Three backends reach the same meters: the Conso API and MyElectricalData (gateways for
individuals, who cannot get Data Connect credentials) and Data Connect 2026 itself. Each maps
its answers into `models`, so a provider works with any of them. Dates are local (Paris)
calendar days, ranges are [start, end) as Enedis takes them.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
import math
from typing import Any, Final, Protocol

from ..budget import RateLimit, RequestBudget
from ..errors import ApiRateLimitedError
from ..http import HttpClient, HttpResponse, mask_identifiers
from .errors import enedis_error
from .measures import parse_daily, parse_load_curve
from .models import (
    Contract,
    Customer,
    DailyReading,
    Direction,
    LoadCurvePoint,
    MaxPower,
)

USER_AGENT: Final = (
    "OpenPower Home Assistant integration (+https://github.com/openpower-ha/openpower)"
)
"""Who is asking: the Conso API asks every client to identify itself."""

MAX_DAILY_DAYS: Final = 365
"""Days one daily (or max power) request may span (reference §2.5)."""
MAX_CURVE_DAYS: Final = 7
"""Days one load-curve request may span (ADAM-DC-0015 beyond)."""

ACCEPTED: Final = frozenset({400, 401, 403, 404, 409, 429})
"""Answers whose body says what went wrong: read here rather than by HttpClient's generic
mapping (5xx stay HttpClient's: retried, then a connection error)."""


class Backend(StrEnum):
    """Which service a client talks to (the config flow's option ids, without `enedis_`)."""

    CONSO_API = "conso_api"
    MYELECTRICALDATA = "myelectricaldata"
    DATA_CONNECT = "data_connect"


class EnedisBackend(Protocol):
    """One meter (PRM) reached through one backend."""

    backend: Backend
    prm: str
    serves_contract: bool
    """Whether `async_contract` and `async_customer` can return anything (not on Conso API)."""

    async def async_daily(
        self, direction: Direction, start: date, end: date, *, patient: bool = False
    ) -> list[DailyReading]:
        """Return the daily energies of the local days [start, end) (≤ 365 days)."""
        ...

    async def async_load_curve(
        self, direction: Direction, start: date, end: date, *, patient: bool = False
    ) -> list[LoadCurvePoint]:
        """Return the load curve of the local days [start, end) (≤ 7 days)."""
        ...

    async def async_max_power(
        self, start: date, end: date, *, patient: bool = False
    ) -> list[MaxPower]:
        """Return the daily maximum power of the local days [start, end) (≤ 365 days)."""
        ...

    async def async_contract(self) -> Contract | None:
        """Return the contract; None when the backend has no contract route."""
        ...

    async def async_customer(self) -> Customer | None:
        """Return the holder and address (diagnostics only); None when not served."""
        ...

    def diagnostics(self) -> dict[str, Any]:
        """Return the state of the budget(s) this client spends."""
        ...


class MeasuresByResource:
    """Daily values and load curves, asked the same way by every backend.

    A backend names its resources per direction and says how one is asked (`_measures`); the
    range checks and the parsing are the same for all.
    """

    daily_resources: Mapping[Direction, str]
    curve_resources: Mapping[Direction, str]

    async def _measures(
        self, resource: str, start: date, end: date, patient: bool
    ) -> Any:
        raise NotImplementedError

    async def async_daily(
        self, direction: Direction, start: date, end: date, *, patient: bool = False
    ) -> list[DailyReading]:
        """Return the daily energies of [start, end)."""
        check_range(start, end, MAX_DAILY_DAYS)
        payload = await self._measures(
            self.daily_resources[direction], start, end, patient
        )
        return parse_daily(payload, direction)

    async def async_load_curve(
        self, direction: Direction, start: date, end: date, *, patient: bool = False
    ) -> list[LoadCurvePoint]:
        """Return the load curve of [start, end)."""
        check_range(start, end, MAX_CURVE_DAYS)
        payload = await self._measures(
            self.curve_resources[direction], start, end, patient
        )
        return parse_load_curve(payload, direction)


def reserved_budget(limits: tuple[RateLimit, ...], reserve: int) -> RequestBudget:
    """Return a budget whose background requests leave `reserve` of every window.

    What is left is for the requests a user or the daily poll is waiting for.
    """
    count = min(limit.count for limit in limits)
    if not 0 <= reserve < count:
        raise ValueError(f"a reserve of {reserve} leaves no backfill in {count}")
    # +0.5: the budget floors count × share, which must land exactly on count - reserve.
    return RequestBudget(limits, background_share=(count - reserve + 0.5) / count)


def check_range(start: date, end: date, max_days: int) -> None:
    """Refuse, before asking, a range Enedis would refuse: empty, reversed or too long."""
    if not 0 < (end - start).days <= max_days:
        raise ValueError(f"an Enedis request spans 1 to {max_days} days")


def describe(http: HttpClient, method: str, path: str) -> str:
    """Name a request in errors and logs, its identifiers (the PRM in a path) masked."""
    return f"{http.provider} {method} {mask_identifiers(path)}"


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def raise_for_answer(
    http: HttpClient, response: HttpResponse, what: str, now: datetime | None = None
) -> None:
    """Raise what an accepted error answer means; a quota also holds the budget until it reopens."""
    if response.status < 300:
        return
    error = enedis_error(
        response.status,
        response.body,
        what=what,
        now=now or datetime.now(UTC),
        retry_after=_retry_after(response.headers),
    )
    if isinstance(error, ApiRateLimitedError) and http.budget is not None:
        http.budget.pause_for(error.retry_after, f"{http.provider}: {error}")
    raise error


async def get_json(
    http: HttpClient,
    path: str,
    *,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None = None,
    patient: bool = False,
    now: datetime | None = None,
) -> Any:
    """GET a JSON document, raising the Enedis error an error answer means."""
    response = await http.request(
        "GET", path, headers=headers, params=params, patient=patient, accept=ACCEPTED
    )
    raise_for_answer(http, response, describe(http, "GET", path), now)
    return response.json()
