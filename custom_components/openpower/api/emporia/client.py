"""Async client for Emporia's legacy cloud API (`https://api.emporiaenergy.com`).

Every request carries the Cognito id token in an `authtoken` header (not `Authorization`). A 401
renews the token once and repeats the request. When Emporia cannot be reached, the maintenance flag
on S3 says whether it is down on purpose (`{"msg": "down"}`; normally S3 answers 403).

Paths, parameters and bodies are PyEmVue's (`pyemvue.py`), checked against the captured payloads
in shared/fixtures/emporia.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
import logging
from typing import Any, Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiMaintenanceError,
    ApiResponseError,
)
from ..http import HttpClient, HttpResponse
from .auth import CognitoAuth
from .models import (
    Charger,
    ChartUsage,
    Customer,
    DeviceStatus,
    Outlet,
    Usages,
    charger_update,
    parse_charger,
    parse_chart_usage,
    parse_customer_devices,
    parse_outlet,
    parse_status,
    parse_usages,
)

_LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://api.emporiaenergy.com"
DEFAULT_MAINTENANCE_URL: Final = (
    "https://s3.amazonaws.com/com.emporiaenergy.manual.ota/maintenance/maintenance.json"
)
# Emporia asks integrations to stay under about 2,000 requests a day (PyEmVue#59); we keep 100
# in reserve for writes and retries, and never burst more than 30 in a minute.
EMPORIA_LIMITS: Final = (
    RateLimit(count=1900, period=86400),
    RateLimit(count=30, period=60),
)


def _instant(when: datetime) -> str:
    """Emporia's instant format: UTC with microseconds and a `Z`."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EmporiaClient:
    """One Emporia account."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: CognitoAuth,
        *,
        api_url: str = DEFAULT_API_URL,
        maintenance_url: str = DEFAULT_MAINTENANCE_URL,
        budget: RequestBudget | None = None,
        timeout: float = 15.0,
        backoff: float = 1.0,
    ) -> None:
        """Create a client; `auth` keeps the account's tokens."""
        self.auth = auth
        self._http = HttpClient(
            session,
            api_url,
            provider="emporia",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
        )
        self._maintenance = HttpClient(
            session, maintenance_url, provider="emporia", timeout=timeout, retries=0
        )

    @property
    def budget(self) -> RequestBudget | None:
        """The account's request budget."""
        return self._http.budget

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        patient: bool = False,
    ) -> HttpResponse:
        token = await self.auth.async_id_token()
        try:
            return await self._send(method, path, token, json_body, patient)
        except ApiAuthError:
            # An id token can be revoked before it expires: renew it once.
            token = await self.auth.async_id_token(rejected=token)
            return await self._send(method, path, token, json_body, patient)

    async def _send(
        self,
        method: str,
        path: str,
        token: str,
        json_body: Any,
        patient: bool,
    ) -> HttpResponse:
        try:
            return await self._http.request(
                method,
                path,
                headers={"authtoken": token, "Accept": "application/json"},
                json_body=json_body,
                patient=patient,
            )
        except ApiConnectionError as err:
            if await self.async_down_for_maintenance():
                raise ApiMaintenanceError(
                    "emporia: the service is down for maintenance"
                ) from err
            raise

    async def async_down_for_maintenance(self) -> bool:
        """Whether Emporia's maintenance flag says the service is down."""
        try:
            response = await self._maintenance.request(
                "GET", self._maintenance.base_url, accept=(403, 404)
            )
        except ApiConnectionError:
            return False
        if response.status != 200:
            return False
        try:
            payload = response.json()
        except ApiResponseError:
            return False
        return isinstance(payload, dict) and payload.get("msg") == "down"

    async def async_get_customer(self) -> Customer:
        """Return the account with its whole device tree (names from the inline location)."""
        response = await self._request("GET", "customers/devices")
        return parse_customer_devices(response.json())

    async def async_get_status(self) -> DeviceStatus:
        """Return connection, outlet and charger state of every device."""
        response = await self._request("GET", "customers/devices/status")
        return parse_status(response.json())

    async def async_get_usages(
        self, device_gids: Iterable[int], instant: datetime, scale: str
    ) -> Usages:
        """Return every channel's energy (kWh) of the devices over the window at `instant`.

        One request for all devices (the gids go in one `+`-separated parameter, as the app
        sends them).
        """
        gids = "+".join(str(gid) for gid in sorted(set(device_gids)))
        response = await self._request(
            "GET",
            f"AppAPI?apiMethod=getDeviceListUsages&deviceGids={gids}"
            f"&instant={_instant(instant)}&scale={scale}&energyUnit=KilowattHours",
        )
        return parse_usages(response.json())

    async def async_get_chart_usage(
        self,
        device_gid: int,
        channel: str,
        start: datetime,
        end: datetime,
        scale: str = "1H",
    ) -> ChartUsage:
        """Return one channel's energy (kWh) per `scale` window over [start, end).

        History requests are patient: they wait for the account's budget rather than fail.
        """
        response = await self._request(
            "GET",
            f"AppAPI?apiMethod=getChartUsage&deviceGid={device_gid}&channel={channel}"
            f"&start={_instant(start)}&end={_instant(end)}&scale={scale}"
            "&energyUnit=KilowattHours",
            patient=True,
        )
        return parse_chart_usage(response.json())

    async def async_set_outlet(self, outlet: Outlet, on: bool) -> Outlet:
        """Switch a smart plug; return its state as Emporia answers."""
        response = await self._request(
            "PUT",
            "devices/outlet",
            json_body={
                "deviceGid": outlet.device_gid,
                "outletOn": on,
                "loadGid": outlet.load_gid,
            },
        )
        return parse_outlet(response.json())

    async def async_set_charger(
        self, charger: Charger, *, on: bool | None = None, rate: int | None = None
    ) -> Charger:
        """Start/stop a charger or change its current; return its state as Emporia answers."""
        response = await self._request(
            "PUT",
            "devices/evcharger",
            json_body=charger_update(charger, on=on, rate=rate),
        )
        return parse_charger(response.json())
