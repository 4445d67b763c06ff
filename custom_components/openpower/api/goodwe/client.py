"""Async client for the GoodWe SEMS+ Web API (reference apis-goodwe.md §2.2–§4, §8, §12).

The account logs in at the login host (`api_url`, default `https://semsplus.goodwe.com/web/sems`);
the login's answer names the regional gateway (`client.gateway`) that serves every later call,
each signed when it is sent (`auth.py`, `signature.py`). The envelope is read in one place
(`_data`): a refused session (100001/100002/C0602, or HTTP 401/403) logs in again once and repeats
the call, then raises `GoodWeSessionError` (an `ApiAuthError`); 100005 is `ApiAuthError`; 100025
`StationAccessError`; `GY0429` pauses the account's budget for 300 s, doubled for each `GY0429`
with no success since the last one up to an hour, and raises `ApiRateLimitedError` with that
pause as `retry_after`; an empty `data` is `ApiResponseError`.

At most 2 requests are in flight per client (an `asyncio.Semaphore` around each HTTP exchange,
the login included, as TS does, §8); the request budget paces them (2,000 a day, 30 a minute).
The password, its hash, the uid and the token are never logged nor shown in `repr`.
"""

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
import logging
from typing import Any, Final
from urllib.parse import quote, urlsplit

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..errors import ApiAuthError, ApiResponseError
from ..http import HttpClient, mask_identifiers
from ..parse import obj
from .auth import (
    DEFAULT_LOGIN_URL,
    LOGIN_PATH,
    WebSession,
    gateway_headers,
    login_body,
    login_headers,
    login_signature,
    parse_login,
)
from .devices import parse_devices
from .errors import (
    RATE_LIMIT_WAIT,
    RATE_LIMITED,
    SUCCESS_CODES,
    code_error,
    envelope_code,
    rate_limit_wait,
)
from .factors import parse_counters, parse_telemetry
from .flow import parse_flow
from .models import (
    Counters,
    Device,
    Dimension,
    Flow,
    Station,
    StatisticsBucket,
    Telemetry,
)
from .signature import epoch_ms
from .stations import parse_station_page
from .statistics import parse_statistics, statistics_body

_LOGGER = logging.getLogger(__package__)

GOODWE_LIMITS: Final = (
    RateLimit(count=2000, period=86400),
    RateLimit(count=30, period=60),
)
"""No published limit (§8): the issue's ceiling of 2,000 a day, and no burst over 30 a minute."""
MAX_IN_FLIGHT: Final = 2
PAGE_SIZE: Final = 100
MAX_PAGES: Final = 50
_PLANT: Final = "sems-plant/api"


def _describe(method: str, path: str) -> str:
    """Name a request without its serial (the path segment after `equipments/`)."""
    parts = urlsplit(path).path.split("/")
    masked = [
        f"…{part[-3:]}"
        if i and parts[i - 1] == "equipments"
        else mask_identifiers(part)
        for i, part in enumerate(parts)
    ]
    return f"goodwe {method} {'/'.join(masked)}"


class GoodWeClient:
    """One SEMS+ account (a dedicated visitor account is advised: a second login can end ours)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        username: str,
        password: str,
        api_url: str = DEFAULT_LOGIN_URL,
        gateway: str | None = None,
        budget: RequestBudget | None = None,
        timeout: float = 30.0,
        backoff: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a client; `gateway` is the one a previous login returned (stored with the entry).

        Without `budget` the client makes its own (GOODWE_LIMITS); everything of one account
        should share one.
        """
        self._username = username
        self._password = password
        self._api_url = api_url.rstrip("/")
        self._known_gateway = gateway.rstrip("/") if gateway else None
        self._now = now
        self.budget = budget if budget is not None else RequestBudget(GOODWE_LIMITS)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._login_lock = asyncio.Lock()
        self._session: WebSession | None = None
        self._generation = 0
        self._throttled = 0
        """`GY0429` answers since the last success (each doubles the pause)."""
        self._login_http = HttpClient(
            session,
            self._api_url,
            provider="goodwe",
            budget=self.budget,
            timeout=timeout,
            backoff=backoff,
            describe=_describe,
            signer=self._sign_login,
        )
        self._http = HttpClient(
            session,
            self._known_gateway or self._api_url,
            provider="goodwe",
            budget=self.budget,
            timeout=timeout,
            backoff=backoff,
            describe=_describe,
            signer=self._sign_call,
        )

    def __repr__(self) -> str:
        """Name the client without its credentials or session."""
        return (
            f"GoodWeClient(account={mask_identifiers(self._username)!r}, "
            f"gateway={self.gateway!r})"
        )

    @property
    def gateway(self) -> str | None:
        """The regional gateway in use: the last login's, else the one given; None before both."""
        return self._session.gateway if self._session else self._known_gateway

    def _ms(self) -> int:
        return epoch_ms(self._now())

    def _sign_login(self, _method: str) -> dict[str, str]:
        return login_signature(self._ms())

    def _sign_call(self, _method: str) -> dict[str, str]:
        # Token and signature from the same session, at send time (after any budget wait).
        session = self._session
        return {} if session is None else gateway_headers(session, self._ms())

    def _data(self, payload: Any, what: str) -> Any:
        """Return a successful envelope's `data`, or raise what its code means."""
        code = envelope_code(payload)
        if code is None:
            raise ApiResponseError(f"{what}: the answer has no code")
        if code not in SUCCESS_CODES:
            wait = RATE_LIMIT_WAIT
            if code == RATE_LIMITED:
                self._throttled += 1
                wait = rate_limit_wait(self._throttled)
                self.budget.pause_for(wait, f"GoodWe answered {code}")
            raise code_error(code, what, retry_after=wait)
        self._throttled = 0
        data = payload.get("data")
        if data is None or data == {}:
            raise ApiResponseError(f"{what}: the answer's data is empty")
        return data

    async def async_login(self) -> None:
        """Log in (again), opening a new session on the gateway the answer names."""
        async with self._login_lock:
            await self._login()

    async def _login(self) -> None:
        async with self._in_flight:
            response = await self._login_http.request(
                "POST",
                LOGIN_PATH,
                headers=login_headers(self._api_url),
                json_body=login_body(self._username, self._password),
            )
        payload = response.json()
        data = self._data(payload, "goodwe login")
        self._generation += 1
        self._session = parse_login(
            obj(payload, "goodwe login"),
            data,
            self._known_gateway,
            self._generation,
        )
        self._known_gateway = self._session.gateway
        self._http.base_url = self._session.gateway
        _LOGGER.debug(
            "goodwe: logged in (session %d); gateway %s",
            self._generation,
            self._session.gateway,
        )

    async def _current_session(self) -> WebSession:
        if (session := self._session) is not None:
            return session
        async with self._login_lock:
            if self._session is None:
                await self._login()
            assert self._session is not None
            return self._session

    async def _renew(self, refused: WebSession, err: ApiAuthError) -> None:
        """Log in again, unless another call already did since `refused` was used."""
        async with self._login_lock:
            if self._session is None or self._session.generation == refused.generation:
                _LOGGER.debug(
                    "goodwe: session refused (%s); logging in again", err.code
                )
                self._session = None
                await self._login()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        patient: bool = False,
    ) -> Any:
        """Send one gateway call and return its `data` (one new login if the session is refused)."""
        what = _describe(method, path)
        renewed = False
        while True:
            session = await self._current_session()
            try:
                async with self._in_flight:
                    response = await self._http.request(
                        method, path, params=params, json_body=body, patient=patient
                    )
                return self._data(response.json(), what)
            except ApiAuthError as err:
                # 100001/100002/C0602 and HTTP 401/403 alike: a stale or replaced session.
                if renewed:
                    raise
                renewed = True
                await self._renew(session, err)

    async def async_stations(self) -> list[Station]:
        """Return every station of the account (all pages)."""
        stations: dict[str, Station] = {}
        for page in range(1, MAX_PAGES + 1):
            parsed = parse_station_page(
                await self._call(
                    "POST",
                    f"{_PLANT}/portal/stations/page",
                    body={"current": page, "size": PAGE_SIZE},
                )
            )
            for station in parsed.stations:
                stations.setdefault(station.id, station)
            if not parsed.stations or len(stations) >= parsed.total:
                break
        return list(stations.values())

    async def async_flow(self, station_id: str) -> Flow:
        """Return a station's power flow now."""
        return parse_flow(
            await self._call(
                "GET", f"{_PLANT}/stations/flow", params={"stationId": station_id}
            )
        )

    async def async_devices(self, station_id: str) -> list[Device]:
        """Return a station's devices (inverters, batteries, meters, dongles)."""
        return parse_devices(
            await self._call(
                "GET",
                f"{_PLANT}/stations/device/all-status",
                params={"stationId": station_id},
            )
        )

    async def _equipment(
        self, station_id: str, sn: str, device_type: str, what: str
    ) -> Any:
        return await self._call(
            "GET",
            f"{_PLANT}/equipments/{quote(sn, safe='')}/{what}",
            params={"deviceType": device_type, "pwId": station_id},
        )

    async def async_telemetry(
        self, station_id: str, sn: str, device_type: str
    ) -> Telemetry:
        """Return a device's live values (`device_type` as `Device.device_type` says)."""
        return parse_telemetry(
            await self._equipment(station_id, sn, device_type, "telemetry")
        )

    async def async_counters(
        self, station_id: str, sn: str, device_type: str
    ) -> Counters:
        """Return a device's lifetime energy counters."""
        return parse_counters(
            await self._equipment(station_id, sn, device_type, "telecounting")
        )

    async def async_statistics(
        self,
        station_id: str,
        dimension: Dimension,
        start: date,
        end: date | None = None,
        *,
        patient: bool = False,
    ) -> list[StatisticsBucket]:
        """Return the station's energy per bucket over local days `start`..`end` (included).

        A `patient` request (history backfill) waits for the budget as long as it takes.
        """
        return parse_statistics(
            await self._call(
                "POST",
                f"{_PLANT}/stations/statistics",
                body=statistics_body(station_id, dimension, start, end or start),
                patient=patient,
            ),
            dimension,
        )
