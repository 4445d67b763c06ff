"""Async client for the AlphaESS Open API (`https://openapi.alphaess.com/api`, reference §2).

Every request is signed at the moment it is sent (`signature.py`), with the verb the live API
enforces (a wrong one is a bare 405): GET with query parameters, POST with a JSON body. The
envelope `{code, msg, data}` is decided on `code` only (`errors.py`).

A 6053 ("too fast") pauses the AppID's whole budget: 60 s, doubling with each 6053 in a row up
to 15 minutes, back to 60 s after an accepted request.
"""

from collections.abc import Callable
from datetime import date
import time
from typing import Any, Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..errors import ApiResponseError
from ..http import HttpClient
from ..parse import obj
from .errors import ALREADY_BOUND, TOO_FAST, code_error
from .models import (
    Charger,
    DailyEnergy,
    EnergySummary,
    LegacyCharge,
    LegacyDischarge,
    LivePower,
    PeriodicSchedule,
    PowerSample,
    System,
    parse_charger_current,
    parse_charger_status,
    parse_chargers,
    parse_day_energy,
    parse_day_power,
    parse_legacy_charge,
    parse_legacy_discharge,
    parse_live_power,
    parse_periodic,
    parse_summary,
    parse_systems,
)
from .signature import signed_headers

DEFAULT_API_URL: Final = "https://openapi.alphaess.com/api"
ALPHAESS_LIMITS: Final = (RateLimit(count=10, period=61),)
"""AlphaESS advise 10 s between calls (§2.4); a sliding 10 per minute keeps that on average,
with a second to spare for the difference between our clock and theirs."""
MAX_BUDGET_WAIT: Final = 180.0
"""How long a request may wait for the budget: at start-up every data kind of every system
is asked at once (16 requests for two systems), more than one minute's worth."""
FIRST_BACKOFF: Final = 60.0
MAX_BACKOFF: Final = 900.0


class AlphaEssClient:
    """One AlphaESS developer account (AppID), reached with its AppSecret."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        app_id: str,
        app_secret: str,
        *,
        api_url: str = DEFAULT_API_URL,
        budget: RequestBudget | None = None,
        timeout: float = 30.0,
        backoff: float = 1.0,
        clock: Callable[[], float] = lambda: time.time(),  # noqa: PLW0108 — frozen in tests
    ) -> None:
        """Create a client; everything of one AppID (entry, flows) should share `budget`."""
        self.app_id = app_id
        self._secret = app_secret
        self._clock = clock
        self._http = HttpClient(
            session,
            api_url,
            provider="alphaess",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
            max_budget_wait=MAX_BUDGET_WAIT,
            signer=self._sign,
        )
        self._too_fast = 0

    def __repr__(self) -> str:
        """Name the client without its secret."""
        return f"AlphaEssClient(app_id=…{self.app_id[-3:]})"

    @property
    def budget(self) -> RequestBudget | None:
        """The AppID's client-side request budget."""
        return self._http.budget

    def _sign(self, method: str) -> dict[str, str]:
        return signed_headers(
            self.app_id, self._secret, int(self._clock()), json_body=method == "POST"
        )

    async def _call(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        patient: bool = False,
        accept: frozenset[int] = frozenset(),
    ) -> Any:
        """Send one request and return its `data`; a code other than 200 (or `accept`) raises."""
        response = await self._http.request(
            method, endpoint, params=params, json_body=body, patient=patient
        )
        envelope = obj(response.json(), endpoint)
        code = envelope.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            raise ApiResponseError(f"alphaess {endpoint}: the answer has no code")
        if code == TOO_FAST:
            wait = min(FIRST_BACKOFF * 2**self._too_fast, MAX_BACKOFF)
            self._too_fast += 1
            if self.budget is not None:
                self.budget.pause_for(wait, "AlphaESS answered 6053 (too fast)")
            raise code_error(code, f"alphaess {endpoint}", wait)
        self._too_fast = 0
        if code != 200 and code not in accept:
            raise code_error(code, f"alphaess {endpoint}", 0.0)
        return envelope.get("data")

    async def _get(self, endpoint: str, *, patient: bool = False, **params: str) -> Any:
        return await self._call("GET", endpoint, params=params, patient=patient)

    async def _post(
        self, endpoint: str, body: dict[str, Any], accept: frozenset[int] = frozenset()
    ) -> None:
        await self._call("POST", endpoint, body=body, accept=accept)

    async def async_get_systems(self) -> list[System]:
        """Return every system bound to the AppID."""
        return parse_systems(await self._get("getEssList"))

    async def async_get_live_power(self, serial: str) -> LivePower:
        """Return a system's instantaneous power (some models answer an error code)."""
        return parse_live_power(await self._get("getLastPowerData", sysSn=serial))

    async def async_get_day_power(
        self, serial: str, day: date, *, patient: bool = False
    ) -> list[PowerSample]:
        """Return a local day's 5-minute samples, oldest first (`[]` when there are none)."""
        return parse_day_power(
            await self._get(
                "getOneDayPowerBySn",
                sysSn=serial,
                queryDate=day.isoformat(),
                patient=patient,
            )
        )

    async def async_get_day_energy(
        self, serial: str, day: date, *, patient: bool = False
    ) -> DailyEnergy | None:
        """Return a local day's energy; None when AlphaESS has nothing for that day."""
        return parse_day_energy(
            await self._get(
                "getOneDateEnergyBySn",
                sysSn=serial,
                queryDate=day.isoformat(),
                patient=patient,
            ),
            day,
        )

    async def async_get_summary(self, serial: str) -> EnergySummary:
        """Return today's and lifetime totals."""
        return parse_summary(await self._get("getSumDataForCustomer", sysSn=serial))

    async def async_get_legacy_charge(self, serial: str) -> LegacyCharge:
        """Return the legacy grid-charging settings."""
        return parse_legacy_charge(await self._get("getChargeConfigInfo", sysSn=serial))

    async def async_set_legacy_charge(
        self, serial: str, settings: LegacyCharge
    ) -> None:
        """Replace the legacy grid-charging settings (every field is sent)."""
        await self._post("updateChargeConfigInfo", settings.body(serial))

    async def async_get_legacy_discharge(self, serial: str) -> LegacyDischarge:
        """Return the legacy discharge settings."""
        return parse_legacy_discharge(
            await self._get("getDisChargeConfigInfo", sysSn=serial)
        )

    async def async_set_legacy_discharge(
        self, serial: str, settings: LegacyDischarge
    ) -> None:
        """Replace the legacy discharge settings (every field is sent)."""
        await self._post("updateDisChargeConfigInfo", settings.body(serial))

    async def async_get_periodic(self, serial: str) -> PeriodicSchedule:
        """Return the periodic schedule; an AppID without the permission gets 6017."""
        return parse_periodic(await self._get("getTimeChargeBySn", sysSn=serial))

    async def async_set_periodic(self, serial: str, schedule: PeriodicSchedule) -> None:
        """Replace the periodic schedule (everything read is sent back but read-only keys)."""
        await self._post("setTimeChargeBySn", schedule.body(serial))

    async def async_get_chargers(self, serial: str) -> list[Charger]:
        """Return the EV chargers attached to a system."""
        return parse_chargers(await self._get("getEvChargerConfigList", sysSn=serial))

    async def async_get_charger_current(self, serial: str) -> float | None:
        """Return the household current limit of a system's chargers, A."""
        return parse_charger_current(
            await self._get("getEvChargerCurrentsBySn", sysSn=serial)
        )

    async def async_set_charger_current(self, serial: str, amps: int) -> None:
        """Set the household current limit, A (the body key is all lower case)."""
        await self._post(
            "setEvChargerCurrentsBySn", {"sysSn": serial, "currentsetting": amps}
        )

    async def async_get_charger_status(self, serial: str, charger: str) -> int | None:
        """Return a charger's status code (`models.ChargerStatus` when known)."""
        return parse_charger_status(
            await self._get("getEvChargerStatusBySn", sysSn=serial, evchargerSn=charger)
        )

    async def async_control_charger(
        self, serial: str, charger: str, start: bool
    ) -> None:
        """Start (True) or stop charging."""
        await self._post(
            "remoteControlEvCharger",
            {"sysSn": serial, "evchargerSn": charger, "controlMode": int(start)},
        )

    async def async_request_verification_code(
        self, serial: str, check_code: str
    ) -> None:
        """Have AlphaESS e-mail the system's owner a code for binding it (GET, not POST)."""
        await self._get("getVerificationCode", sysSn=serial, checkCode=check_code)

    async def async_bind(self, serial: str, code: str) -> None:
        """Bind a system with the e-mailed code; one already bound (6003) is fine."""
        await self._post(
            "bindSn", {"sysSn": serial, "code": code}, frozenset({ALREADY_BOUND})
        )

    async def async_unbind(self, serial: str) -> None:
        """Unbind a system from the AppID."""
        await self._post("unBindSn", {"sysSn": serial})
