"""Enedis Data Connect 2026 with the application's own client credentials (reference §2.4, §2.11).

- Token: `POST oauth2/v3/token`, form `grant_type=client_credentials&client_id&client_secret`;
  cached until shortly before `expires_in` (a number or a text), renewed once on a 401.
- Measures: `GET mesure_synchrone_auto/v2/{resource}?pointId&dateDebut&dateFin`.
- Contract APIs take the PRM in the path (as a query parameter Enedis answers 500):
  `situation_contrat_auto/v1/{prm}`, `synth_contrat_auto/v1/{prm}`, `comptage_auto/v1/{prm}`,
  `donnees_generales_auto/v1/{prm}`. Each API needs its own DataHub subscription (else 403
  900908); the optional ones are skipped when not subscribed.
- Subscribed services: `POST subscribed_services/v1` `{"autorisationId", "comptage": false}`.

Enedis allows 5 calls in any second and 1000 in any hour, per API: `DataConnectBudgets` keeps
one budget per API for one application, shared by all its meters.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
import logging
from typing import Any, Final

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..errors import ApiAuthError
from ..http import HttpClient, HttpResponse
from .access import parse_subscribed_services, read_data_connect_token
from .client import (
    ACCEPTED,
    MAX_DAILY_DAYS,
    Backend,
    MeasuresByResource,
    check_range,
    describe,
    raise_for_answer,
)
from .contract import parse_2026_contract, parse_2026_customer
from .errors import EnedisNotSubscribedError
from .measures import parse_max_power
from .models import Contract, Customer, Direction, MaxPower, SubscribedService

_LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://gw.ext.prod.api.enedis.fr"
DATA_CONNECT_LIMITS: Final = (
    RateLimit(count=5, period=1.0),
    RateLimit(count=1000, period=3600.0),
)
TOKEN_PATH: Final = "oauth2/v3/token"
TOKEN_MARGIN: Final = 60.0
"""A token is renewed this many seconds before Enedis says it expires."""
MEASURES: Final = "mesure_synchrone_auto/v2"
DAILY_RESOURCES: Final = {
    Direction.CONSUMPTION: "consommation_quotidienne",
    Direction.PRODUCTION: "production_quotidienne",
}
CURVE_RESOURCES: Final = {
    Direction.CONSUMPTION: "courbe_de_charge_consommation",
    Direction.PRODUCTION: "courbe_de_charge_production",
}
MAX_POWER_RESOURCE: Final = "puissance_conso_max_quotidienne"


class DataConnectBudgets:
    """One application's budgets, one per API (Enedis counts each API on its own)."""

    def __init__(
        self,
        limits: tuple[RateLimit, ...] = DATA_CONNECT_LIMITS,
        *,
        budget_for: Callable[[str], RequestBudget] | None = None,
        **options: Any,
    ) -> None:
        """`options` go to each `RequestBudget` (clock, sleep, background share).

        `budget_for` supplies an API's budget instead (Home Assistant keeps one per
        application and API, shared by every meter and reload): `limits` and `options` are
        then unused.
        """
        self._limits = limits
        self._options = options
        self._budget_for = budget_for
        self._budgets: dict[str, RequestBudget] = {}

    def for_api(self, api: str) -> RequestBudget:
        """Return the budget of one API (its path's first segment)."""
        if api not in self._budgets:
            self._budgets[api] = (
                self._budget_for(api)
                if self._budget_for is not None
                else RequestBudget(self._limits, **self._options)
            )
        return self._budgets[api]

    def diagnostics(self) -> dict[str, Any]:
        """Return every API's budget state."""
        return {api: budget.diagnostics() for api, budget in self._budgets.items()}


class DataConnectClient(MeasuresByResource):
    """One meter reached through Data Connect 2026 with the application's credentials."""

    daily_resources = DAILY_RESOURCES
    curve_resources = CURVE_RESOURCES

    backend = Backend.DATA_CONNECT
    serves_contract = True

    def __init__(
        self,
        session: aiohttp.ClientSession,
        client_id: str,
        client_secret: str,
        prm: str,
        *,
        api_url: str = DEFAULT_API_URL,
        budgets: DataConnectBudgets | None = None,
        timeout: float = 30.0,
        backoff: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a client; every meter of one application should share `budgets`."""
        self.prm = prm
        self._session = session
        self._api_url = api_url
        self._client_id = client_id
        self._client_secret = client_secret
        self.budgets = budgets if budgets is not None else DataConnectBudgets()
        self._timeout = timeout
        self._backoff = backoff
        self._now = now
        self._http: dict[str, HttpClient] = {}
        self._token: str | None = None
        self._renew_at: datetime | None = None
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:
        """Name the client without its credentials."""
        return f"DataConnectClient(prm=…{self.prm[-3:]})"

    def _client(self, path: str) -> HttpClient:
        api = path.split("/", 1)[0]
        if api not in self._http:
            self._http[api] = HttpClient(
                self._session,
                self._api_url,
                provider="enedis data connect",
                budget=self.budgets.for_api(api),
                timeout=self._timeout,
                backoff=self._backoff,
                now=self._now,
            )
        return self._http[api]

    # ---- token -------------------------------------------------------------------------------

    async def _access_token(self, rejected: str | None = None) -> str:
        async with self._token_lock:
            if self._token is not None:
                if rejected is not None and rejected != self._token:
                    return self._token  # another caller renewed it meanwhile
                if (
                    rejected is None
                    and self._renew_at is not None
                    and self._now() < self._renew_at
                ):
                    return self._token
            self._token = None
            http = self._client(TOKEN_PATH)
            response = await http.request(
                "POST",
                TOKEN_PATH,
                headers={"Accept": "application/json"},
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret,
                },
                accept=ACCEPTED,
            )
            if response.status in (400, 401, 403):
                # invalid_client / invalid_grant / a gateway fault: the credentials are wrong.
                raise ApiAuthError(
                    f"{describe(http, 'POST', TOKEN_PATH)}: client credentials rejected"
                    f" ({response.status})"
                )
            raise_for_answer(
                http, response, describe(http, "POST", TOKEN_PATH), self._now()
            )
            token, lifetime = read_data_connect_token(response.json())
            self._token = token
            self._renew_at = self._now() + timedelta(
                seconds=lifetime - min(TOKEN_MARGIN, lifetime / 2)
            )
            return token

    # ---- requests ----------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        patient: bool = False,
    ) -> Any:
        """Send with the access token; a 401 renews it and repeats the request once."""
        http = self._client(path)
        token = await self._access_token()
        response = await self._send(
            http, method, path, token, params, json_body, patient
        )
        if response.status == 401:
            _LOGGER.debug(
                "%s: token refused, renewing it", describe(http, method, path)
            )
            token = await self._access_token(rejected=token)
            response = await self._send(
                http, method, path, token, params, json_body, patient
            )
        raise_for_answer(http, response, describe(http, method, path), self._now())
        return response.json()

    @staticmethod
    async def _send(
        http: HttpClient,
        method: str,
        path: str,
        token: str,
        params: dict[str, str] | None,
        json_body: Any,
        patient: bool,
    ) -> HttpResponse:
        return await http.request(
            method,
            path,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            params=params,
            json_body=json_body,
            patient=patient,
            accept=ACCEPTED,
        )

    async def _measures(
        self, resource: str, start: date, end: date, patient: bool, **extra: str
    ) -> Any:
        params = {
            "pointId": self.prm,
            "dateDebut": start.isoformat(),
            "dateFin": end.isoformat(),
            **extra,
        }
        return await self._call(
            "GET", f"{MEASURES}/{resource}", params=params, patient=patient
        )

    async def _optional(self, path: str) -> Any | None:
        """GET an API the application may not be subscribed to: None when it is not."""
        try:
            return await self._call("GET", path)
        except EnedisNotSubscribedError:
            _LOGGER.debug(
                "%s is not subscribed; going without it", path.split("/", 1)[0]
            )
            return None

    # ---- the backend interface ---------------------------------------------------------------

    async def async_max_power(
        self, start: date, end: date, *, patient: bool = False
    ) -> list[MaxPower]:
        """Return the daily maximum power of [start, end).

        `mesuresPas` and `grandeurPhysique` are required by Enedis.
        """
        check_range(start, end, MAX_DAILY_DAYS)
        payload = await self._measures(
            MAX_POWER_RESOURCE,
            start,
            end,
            patient,
            mesuresPas="P1D",
            grandeurPhysique="PMA",
        )
        return parse_max_power(payload)

    async def async_contract(self) -> Contract:
        """Return the contract; the synthesis and off-peak hours when those APIs are subscribed."""
        situation = await self._call("GET", f"situation_contrat_auto/v1/{self.prm}")
        synthesis = await self._optional(f"synth_contrat_auto/v1/{self.prm}")
        metering = await self._optional(f"comptage_auto/v1/{self.prm}")
        return parse_2026_contract(situation, synthesis, metering)

    async def async_customer(self) -> Customer:
        """Return the holder, with the meter's address when `donnees_generales_auto` is subscribed."""
        situation = await self._call("GET", f"situation_contrat_auto/v1/{self.prm}")
        general = await self._optional(f"donnees_generales_auto/v1/{self.prm}")
        return parse_2026_customer(situation, general)

    async def async_subscribed_services(
        self, authorization_id: int
    ) -> list[SubscribedService]:
        """Return the services a consent (`autorisation_id` of its callback) subscribed."""
        payload = await self._call(
            "POST",
            "subscribed_services/v1",
            json_body={"autorisationId": authorization_id, "comptage": False},
        )
        return parse_subscribed_services(payload)

    def diagnostics(self) -> dict[str, Any]:
        """Return every API's budget state."""
        return {"budgets": self.budgets.diagnostics()}
