"""Enedis (Linky): the Conso API, MyElectricalData and Data Connect 2026, under `/enedis`.

| real host | simulator path | `Simulator.urls("enedis")` key |
|---|---|---|
| `https://conso.boris.sh/api/…` (Conso API) | `/enedis/conso/api/…` | `api_url`, `conso_api_url` |
| `https://myelectricaldata.fr/…` (MyElectricalData v1) | `/enedis/med/…` | `myelectricaldata_url` |
| `https://gw.ext.prod.api.enedis.fr/…` (Data Connect) | `/enedis/dc/…` | `data_connect_url` |

Facts: `shared/reference/apis-pge-enedis.md` §2 and the payloads of `shared/fixtures/enedis/`
(copied to `fixtures/enedis/`; error bodies and shapes are checked against them in
`tests/test_simulator_enedis.py`). [decided] marks what the references do not show.

Meters (`EnedisPrm`, one registry shared by the three backends) and measures:

- Data (`enedis_model.py`): 30-minute load curve in W (even numbers), daily energy = Σ W × 0.5 h
  over the Paris day exactly, daily maximum power (VA) with its time, production for producer
  PRMs; curve timestamps are the interval END, naive Europe/Paris time (46 points on 2026-03-29,
  50 on 2026-10-25, the repeated hour in order).
- Publication: a day's data appears at `publication_time` (08:00 Paris) the next day, a day later
  for days in `late_days`. Days on `gap_weekdays` / in `gap_days` have no data at all.
- Request rules of Enedis, in this order: `pointId` not 14 digits or a date not `YYYY-MM-DD` →
  400 `Invalid_request` [decided texts]; `dateDebut` ≥ `dateFin` → 400 "Start date should be
  before end date."; `dateFin` after today (Paris) → 400 `Invalid_request` [decided]; PRM not
  covered by the credentials or `revoked` → 403 ADAM-DC-0008; `holder` False → 400 ADAM-DC-0007
  (2026's status); asking a direction the PRM does not have → 400 ADAM-ERR0069; a curve longer
  than 7 days → 400 ADAM-DC-0015, another range longer than 365 days → 400 `Invalid_request`
  [decided]; `dateDebut` before the history limit (today − 24 months − 15 days for curves,
  − 36 months − 15 days otherwise) → 400 ADAM-ERR0125; before `commissioned` → 400 ADAM-ERR0123;
  a curve of a PRM with `curve` False (hourly collection off) → 404 `no_data_found`; no point in
  the range (not yet published, gaps) → 404 `no_data_found`.
- `puissance_conso_max_quotidienne` takes `mesuresPas` (`P1D`, or `P1M`: one point per calendar
  month, its largest daily peak) and `grandeurPhysique` (`PMA`, or `TOUT`, served as PMA: the
  simulated meters are single-phase [decided]). Data Connect requires both; the Conso API
  defaults them. `index_consommation` / `index_production`: [decided shape] see
  `enedis_bodies.index_body`.

Conso API (`/enedis/conso/api/{type}`): routes with the 2026 names (`consommation_quotidienne`,
`courbe_de_charge_consommation`, `puissance_conso_max_quotidienne`, `production_quotidienne`,
`courbe_de_charge_production`, `index_consommation`, `index_production`), query `pointId`,
`dateDebut`, `dateFin` (aliases `prm`, `start`, `end`). Body: the bare 2026 body. Order: the
client's IP banned → Cloudflare's 403 HTML block page [decided: the reference only says the
IP goes on a Cloudflare blacklist]; OPTIONS → 200; another method than GET → 405
`{"status":405,"message":"Seule la méthode GET est autorisée"}`; no `Authorization` with a
second word → 400 "Le header 'Authorization' est manquant ou invalide"; an unknown type (the v5
names included) or bad parameters → 400 "Paramètres invalides" with a zod-like `error`
[decided]; a token that is not an HS256 JWT signed with `CONSO_SECRET`, is past its `exp`, or
whose `sub` lacks the PRM → 401 "Votre token est invalide ou ne permet pas d'accéder à ce PRM";
Enedis errors → Enedis's status, `{"status","message":"The Enedis API returned an error",
"error": <Enedis body>}`. IP ban: every request reaching the gateway counts; once an IP has 100
(`conso_ban_threshold`) in the trailing 12 h (`conso_ban_window`), its next requests are blocked
until `unban()` (Cloudflare's list has no expiry; `conso_ban_duration` seconds if set).
`user_agents` records each request's `User-Agent` (the API asks clients to identify).

MyElectricalData v1 (`/enedis/med/{service}/{pdl}[/start/{d}/end/{d}][/cache]`): header
`Authorization: <token>` with no "Bearer" (a "Bearer …" header is an unknown token) → else 401
`{"detail":"Not authorized"}` [decided]. `valid_access` (not counted) → the fixture's keys,
`valid` False with `information` when the quota is reached or the consent expired. Measures
(`daily_consumption`, `consumption_load_curve`, `daily_consumption_max_power`,
`daily_production`, `production_load_curve`) pass the v5 `{"meter_reading":…}` through;
`contracts`, `addresses`, `identity`, `contact` the v5 customers shapes. Each non-`/cache` data
call counts against `med_daily_quota` (50) per account and Paris day: beyond it → 409
`{"detail":"Vous avez dépassé votre quota journalier (50)"}` (with `med_quota_status = 429`: 429
`{"detail":"Daily API limit exceeded (50/50 without cache)"}` and `X-RateLimit-*` headers, the
newer documented variant). Enedis errors → Enedis's status with `{"detail": <Enedis body>}`
[decided]; past `MedAccount.consent_expires` every data call gets ADAM-DC-0008 that way.
Unknown service → 404 `{"detail":"Not Found"}`.

Data Connect 2026 (`/enedis/dc/…`): `POST /oauth2/v3/token` (form body or query string,
`grant_type=client_credentials`, `client_id`, `client_secret`) → `{"access_token": <HS256 JWT>,
"scope":"am_application_scope default","token_type":"Bearer","expires_in":12600}`; a wrong
grant → 400 `unsupported_grant_type`, a missing parameter → 400 `invalid_request`, unknown client
or secret → 401 `invalid_client` [decided texts]. Every other route: missing, unknown or expired
Bearer token (`expire_dc_tokens()`) → 401 WSO2 900901; an API the client did not subscribe →
403 900908; then WSO2 throttling per client and API: more than `dc_rate_per_second` (5) in any
second of `monotonic` time (real time: the limit is about request spacing, whatever the
simulator clock says) → 429 nested 900807; more than `dc_rate_per_hour` (1000) in a clock hour of
the simulator → 429 flat 900804 with `nextAccessTime` at the next hour (refused requests do not
count; `reset_rate_limits()` forgets them). APIs: `mesure_synchrone_auto/v2/{resource}` (the
measure rules above); `situation_contrat_auto/v1/{prm}`, `synth_contrat_auto/v1/{prm}`,
`comptage_auto/v1/{prm}` (`relais.plageHeuresCreuses`), `donnees_generales_auto/v1/{prm}`, the PRM
in the path (as a query parameter: 500 `technical_error`, as Enedis answers off-swagger calls);
`POST subscribed_services/v1` `{"autorisationId", "comptage"}`; `alimentation_auto/v1` exists
but no client subscribes it (no capture shows its body: always 900908). Unknown path → WSO2 404.

Credentials (`add_demo_data`): the demo Linky consumer `ENEDIS_PRM` (commissioned 900 days
before the clock: two years of curves, then ADAM-ERR0125; daily history ends on ADAM-ERR0123)
and the producer+consumer `ENEDIS_PROSUMER_PRM` (self-consumption with surplus injection), both
in `ENEDIS_CONSO_TOKEN`, `ENEDIS_MED_TOKEN` and the production-like Data Connect client
`ENEDIS_DC_CLIENT_ID`. The v5 sandbox clients (§2.9) are Data Connect clients
`sandbox_client_id(n)` / `sandbox_client_secret(n)`, n = 0–8, with their PRMs and behaviours
(`SANDBOX_PRMS`), plus client 9 [decided] whose PRM `ENEDIS_NOT_HOLDER_PRM` answers ADAM-DC-0007;
sandbox clients have not subscribed `comptage_auto` (→ 900908). `ENEDIS_CONSO_SANDBOX_TOKEN`
reaches every sandbox PRM through the Conso API; `conso_token(prms)` mints others.

Faults (`fault_next("enedis", …)`), for data requests only (not the token endpoint, not OPTIONS;
`timeout` and `malformed` apply to everything): HTTP faults answer each host's own body
(Conso: the relayed fixtures — 400 start-after-end, its own 401, 403 ADAM-DC-0008, 429 900807,
500 technical_error, `not_found` 404 no_data_found, 502 Cloudflare HTML; MyElectricalData:
`{"detail"}` bodies; Data Connect: 400 Invalid_request, 401 900901, 403 900908, 429 900807, 500
technical_error, 404 no_data_found, 502 text). Enedis faults, relayed per host as above:
`not_holder` (ADAM-DC-0007), `no_consent` (ADAM-DC-0008), `no_data` (no_data_found),
`spike_arrest` (900807), `quota_exceeded` (900804), `technical_error`, `plain_500` (a plain-text
Enedis 500); `token_refresh` (Conso API only: 500 "Impossible de rafraîchir le token…");
`daily_quota` (MyElectricalData data calls only: the quota answer).
"""

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
import itertools
import re
import time as time_module
from typing import Any, ClassVar, Final, Literal, TypedDict

from aiohttp import web

from . import enedis_bodies as bodies
from .common import (
    CONTEXT,
    HTTP_FAULTS,
    TRANSPORT_FAULTS,
    ProviderPart,
    RequestContext,
    json_response,
)
from .enedis_bodies import EnedisError
from .enedis_contracts import itc_body, med_customer_body, services_of
from .enedis_meters import RESOURCES, EnedisPrm, Meters
from .enedis_model import PARIS, daily_wh, paris_date

CONSO_SECRET: Final = "openpower-simulator-conso-api-hs256"
"""Key of the Conso API's HS256 tokens (the real one is Conso API's secret)."""
DC_SECRET: Final = "openpower-simulator-data-connect-hs256"

ENEDIS_PRM: Final = "25946599093143"
ENEDIS_PROSUMER_PRM: Final = "25946599093150"
ENEDIS_NOT_HOLDER_PRM: Final = "19845300000007"
ENEDIS_MED_TOKEN: Final = "Hq3vYc7WnX0pT2sKfL9aR4mJdE8uBz6o"
ENEDIS_DC_CLIENT_ID: Final = "c7f3e2a1-4b5d-4e6f-9a8b-0c1d2e3f4a5b"
ENEDIS_DC_CLIENT_SECRET: Final = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"

SANDBOX_PRMS: Final[dict[int, tuple[str, ...]]] = {
    0: ("22516914714270",),
    1: ("11453290002823",),
    2: ("32320647321714",),
    3: ("12345678901234", "10284856584123"),
    4: ("42900589957123",),
    5: ("24880057139941",),
    6: ("12655648759651",),
    7: ("64975835695673", "63695879465986", "22315546958763"),
    8: ("26584978546985",),
    9: (ENEDIS_NOT_HOLDER_PRM,),
}
"""Data Connect sandbox clients (reference §2.9; 9 is the simulator's own) and their PRMs."""


def sandbox_client_id(number: int) -> str:
    """Client id of sandbox client `number`."""
    return f"openpower-sandbox-client-{number}"


def sandbox_client_secret(number: int) -> str:
    """Client secret of sandbox client `number`."""
    return f"openpower-sandbox-secret-{number}"


def conso_token(
    prms: Iterable[str], *, issued: datetime, lifetime_days: int = 1094
) -> str:
    """A Conso API token for `prms`, as its `/api/callback` issues them (HS256, `sub` list)."""
    claims = {
        "sub": list(prms),
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(days=lifetime_days)).timestamp()),
    }
    return bodies.make_jwt(claims, CONSO_SECRET)


_TOKEN_ISSUED: Final = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
ENEDIS_CONSO_TOKEN: Final = conso_token(
    (ENEDIS_PRM, ENEDIS_PROSUMER_PRM), issued=_TOKEN_ISSUED
)
ENEDIS_CONSO_SANDBOX_TOKEN: Final = conso_token(
    itertools.chain.from_iterable(SANDBOX_PRMS.values()), issued=_TOKEN_ISSUED
)

MED_SERVICES: Final[dict[str, str]] = {
    "daily_consumption": "consommation_quotidienne",
    "consumption_load_curve": "courbe_de_charge_consommation",
    "daily_consumption_max_power": "puissance_conso_max_quotidienne",
    "daily_production": "production_quotidienne",
    "production_load_curve": "courbe_de_charge_production",
}
MED_CUSTOMER_SERVICES: Final = frozenset(
    {"contracts", "addresses", "identity", "contact"}
)

MEASURES_API: Final = "mesure_synchrone_auto/v2"
ITC_APIS: Final = (
    "situation_contrat_auto/v1",
    "synth_contrat_auto/v1",
    "comptage_auto/v1",
    "donnees_generales_auto/v1",
    "alimentation_auto/v1",
)
SERVICES_API: Final = "subscribed_services/v1"
ALL_APIS: Final = frozenset({MEASURES_API, SERVICES_API, *ITC_APIS})
SANDBOX_APIS: Final = ALL_APIS - {"comptage_auto/v1", "alimentation_auto/v1"}
PRODUCTION_APIS: Final = ALL_APIS - {"alimentation_auto/v1"}

ENEDIS_FAULTS: Final = frozenset(
    {
        "not_holder",
        "no_consent",
        "no_data",
        "spike_arrest",
        "quota_exceeded",
        "technical_error",
        "plain_500",
        "token_refresh",
        "daily_quota",
    }
)

CONSO_ENEDIS_MESSAGE: Final = "The Enedis API returned an error"
CONSO_BAD_AUTH: Final = "Le header 'Authorization' est manquant ou invalide"
CONSO_BAD_TOKEN: Final = "Votre token est invalide ou ne permet pas d'accéder à ce PRM"
CONSO_BAD_PARAMS: Final = "Paramètres invalides"
CONSO_TOKEN_REFRESH: Final = "Impossible de rafraîchir le token. Réessayez plus tard"
CONSO_GET_ONLY: Final = "Seule la méthode GET est autorisée"
MED_QUOTA_409: Final = "Vous avez dépassé votre quota journalier ({limit})"
MED_QUOTA_429: Final = "Daily API limit exceeded ({limit}/{limit} without cache)"
MED_UNAUTHORIZED: Final = "Not authorized"
CLOUDFLARE_BLOCK: Final = (
    "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body><h1>Sorry, you have been blocked</h1><h2>You are unable to access conso.boris.sh"
    "</h2><p>Error 1020: Access denied</p></body></html>"
)
CLOUDFLARE_502: Final = (
    "<!DOCTYPE html><html><head><title>conso.boris.sh | 502: Bad gateway</title></head>"
    "<body><h1>Bad gateway</h1><p>Error code 502</p></body></html>"
)


class _BaseTariff(TypedDict):
    distribution_tariff: str
    offpeak_hours: str | None
    subscribed_kva: int


_BASE_TARIFF: Final = _BaseTariff(
    distribution_tariff="BTINFCUST", offpeak_hours=None, subscribed_kva=6
)
type Host = Literal["conso", "med", "dc"]
_HOSTS: Final[tuple[Host, ...]] = ("conso", "med", "dc")
_CONSO_DATE: Final = re.compile(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}")


@dataclass(slots=True)
class MedAccount:
    """A MyElectricalData account: its token, its meters, its consent and its daily calls."""

    key: str
    token: str
    prms: list[str]
    consent_expires: datetime
    """Aware."""
    calls: dict[date, int] = field(default_factory=dict)
    """Counted calls per Paris date."""
    last_call: datetime | None = None


@dataclass(slots=True)
class DcClient:
    """A Data Connect application: credentials, consents (autorisationId → PRMs), APIs."""

    key: str
    client_id: str
    client_secret: str
    authorizations: dict[int, list[str]]
    apis: frozenset[str]
    keytype: str = "PRODUCTION"
    recent: dict[str, deque[float]] = field(default_factory=dict)
    """Per API: monotonic times of the requests of the last second."""
    hourly: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    """Per API: the current clock hour and its request count."""

    @property
    def prms(self) -> set[str]:
        """Every PRM some consent of this client covers."""
        return {prm for prms in self.authorizations.values() for prm in prms}


class EnedisSimulator(ProviderPart):
    """Meters, gateway accounts and Data Connect clients, and the `/enedis` handlers."""

    name: ClassVar[str] = "enedis"
    prefix: ClassVar[str] = "/enedis"
    supported_faults: ClassVar[frozenset[str]] = (
        HTTP_FAULTS | TRANSPORT_FAULTS | ENEDIS_FAULTS
    )

    def __init__(self, clock: Callable[[], datetime], *, demo: bool = True) -> None:
        """Create the Enedis part; `demo` adds the built-in meters and credentials."""
        self.clock = clock
        self.monotonic: Callable[[], float] = time_module.monotonic
        self.meters = Meters()
        """The PRMs (`meters.prms`), `meters.publication_time` (08:00), `meters.late_days`."""
        self.conso_ban_threshold = 100
        self.conso_ban_window = 12 * 3600.0
        self.conso_ban_duration: float | None = None
        self.med_daily_quota = 50
        self.med_quota_status = 409
        self.dc_rate_per_second = 5
        self.dc_rate_per_hour = 1000
        self.dc_token_lifetime = 12600
        self.med_accounts: dict[str, MedAccount] = {}
        """By token."""
        self.dc_clients: dict[str, DcClient] = {}
        """By client id."""
        self.banned: dict[str, datetime] = {}
        """IP → when the Conso API banned it."""
        self.user_agents: list[str | None] = []
        self._conso_requests: dict[str, deque[datetime]] = {}
        self._dc_tokens: dict[str, tuple[DcClient, datetime]] = {}
        self._token_serial = itertools.count(1)
        if demo:
            self.add_demo_data()

    # ----------------------------------------------------------------------------------------
    # State

    def add_prm(self, prm: EnedisPrm) -> EnedisPrm:
        """Add a meter (any backend's credentials may then cover it)."""
        return self.meters.add(prm)

    def add_med_account(
        self, key: str, token: str, prms: Iterable[str], consent_expires: datetime
    ) -> MedAccount:
        """Add a MyElectricalData account reaching `prms` with `token`."""
        account = MedAccount(key, token, list(prms), consent_expires)
        self.med_accounts[token] = account
        return account

    def add_dc_client(
        self,
        key: str,
        client_id: str,
        client_secret: str,
        authorizations: Mapping[int, Iterable[str]],
        *,
        apis: frozenset[str] = PRODUCTION_APIS,
        keytype: str = "PRODUCTION",
    ) -> DcClient:
        """Add a Data Connect application with its consents (autorisationId → PRMs)."""
        client = DcClient(
            key,
            client_id,
            client_secret,
            {number: list(prms) for number, prms in authorizations.items()},
            apis,
            keytype,
        )
        self.dc_clients[client_id] = client
        return client

    def conso_token(self, prms: Iterable[str], *, lifetime_days: int = 1094) -> str:
        """Mint a Conso API token for `prms`, issued now on the simulator clock."""
        return conso_token(prms, issued=self.clock(), lifetime_days=lifetime_days)

    def unban(self, ip: str | None = None) -> None:
        """Lift the Conso API's IP ban (of one IP, or all) and forget the counted requests."""
        for table in (self.banned, self._conso_requests):
            if ip is None:
                table.clear()
            else:
                table.pop(ip, None)

    def reset_rate_limits(self) -> None:
        """Forget Data Connect's throttling windows and MyElectricalData's daily calls."""
        for client in self.dc_clients.values():
            client.recent.clear()
            client.hourly.clear()
        for account in self.med_accounts.values():
            account.calls.clear()

    def expire_dc_tokens(self) -> None:
        """Make every issued Data Connect token invalid (the next call gets 900901)."""
        self._dc_tokens.clear()

    def add_demo_data(self) -> None:
        """Add the demo meters, the sandbox clients' meters and every credential to reach them."""
        today = paris_date(self.clock())
        self.add_prm(
            EnedisPrm(
                ENEDIS_PRM,
                commissioned=today - timedelta(days=900),
                power_changed=today - timedelta(days=300),
                email=None,
                landline="0478000000",
            )
        )
        self.add_prm(
            EnedisPrm(
                ENEDIS_PROSUMER_PRM,
                commissioned=today - timedelta(days=500),
                production=True,
                self_consumption=True,
                pv_peak_w=4200,
                scale=1.1,
                subscribed_kva=12,
                distribution_tariff="BTINFMU4",
                offpeak_hours="HC (23H00-7H00)",
                firstname="Marie",
                lastname="Martin",
                street="3 CHEMIN DU MOULIN",
                postal_code="84000",
                city="AVIGNON",
                insee_code="84007",
                email="marie.martin@example.invalid",
                landline="0490000000",
                phone="0611223344",
            )
        )
        old = date(2015, 3, 2)
        sandbox = [
            EnedisPrm("22516914714270", old, offpeak_hours="HC (22H00-6H00)"),
            EnedisPrm("11453290002823", date(2019, 8, 27)),
            EnedisPrm("32320647321714", old, curve=False, **_BASE_TARIFF),
            EnedisPrm("12345678901234", old),
            EnedisPrm("10284856584123", old, consumption=False, production=True),
            EnedisPrm("42900589957123", old, gap_weekdays=frozenset({1, 2})),
            EnedisPrm("24880057139941", old, consumption=False, production=True),
            EnedisPrm("12655648759651", old, production=True, self_consumption=True),
            EnedisPrm("64975835695673", old, **_BASE_TARIFF),
            EnedisPrm("63695879465986", old, scale=0.7),
            EnedisPrm("22315546958763", old, scale=1.4),
            EnedisPrm("26584978546985", old, revoked=True),
            EnedisPrm(ENEDIS_NOT_HOLDER_PRM, old, holder=False),
        ]
        for prm in sandbox:
            self.add_prm(prm)
        self.add_med_account(
            "med-demo",
            ENEDIS_MED_TOKEN,
            [ENEDIS_PRM, ENEDIS_PROSUMER_PRM],
            self.clock().replace(microsecond=0) + timedelta(days=3 * 365),
        )
        self.add_dc_client(
            "dc-demo",
            ENEDIS_DC_CLIENT_ID,
            ENEDIS_DC_CLIENT_SECRET,
            {1001: [ENEDIS_PRM], 1002: [ENEDIS_PROSUMER_PRM]},
        )
        for number, prms in SANDBOX_PRMS.items():
            self.add_dc_client(
                f"sandbox-{number}",
                sandbox_client_id(number),
                sandbox_client_secret(number),
                {100 + number: list(prms)},
                apis=SANDBOX_APIS,
                keytype="SANDBOX",
            )

    # ----------------------------------------------------------------------------------------
    # HTTP plumbing

    def urls(self, base: str, tls_base: str | None) -> dict[str, str]:
        """Return the three hosts; `api_url` is the Conso API (the backend most users have)."""
        return {
            "api_url": f"{base}/conso/api",
            "conso_api_url": f"{base}/conso/api",
            "myelectricaldata_url": f"{base}/med",
            "data_connect_url": f"{base}/dc",
        }

    def routes(self) -> list[web.RouteDef]:
        """Return the three hosts' routes (catch-alls: each host answers its own 404/405)."""
        p = self.prefix
        return [
            web.route("*", f"{p}/conso/api/{{kind}}", self._conso),
            web.route("*", f"{p}/med/{{tail:.*}}", self._med),
            web.post(f"{p}/dc/oauth2/v3/token", self._dc_token),
            web.route("*", f"{p}/dc/{{tail:.*}}", self._dc),
            web.route("*", f"{p}/{{tail:.*}}", self._unrouted),
        ]

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer a routing error (never reached through the catch-alls; JSON `message`)."""
        return json_response({"message": message}, status=status)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault as Data Connect does (no request known)."""
        if fault == "http_502":
            return web.Response(
                status=502, text="Bad Gateway", content_type="text/plain"
            )
        return self._dc_error(_HTTP_FAULT_ERRORS[fault])

    def request_fault_response(self, request: web.Request, fault: str) -> web.Response:
        """Answer an injected HTTP fault as the request's host does."""
        host = self._host(request.path)
        if host == "conso":
            return self._conso_fault(fault)
        if host == "med":
            return self._med_fault(fault)
        return self.fault_response(fault)

    def takes_fault(self, request: web.Request, fault: str) -> bool:
        """Faults concern data requests of the host they make sense for (see module doc)."""
        if fault in TRANSPORT_FAULTS:
            return True
        host = self._host(request.path)
        if host is None or request.method == "OPTIONS":
            return False
        if fault == "token_refresh":
            return host == "conso"
        if host == "med":
            service = request.path.removeprefix(f"{self.prefix}/med/").split("/")[0]
            return service != "valid_access" or fault in HTTP_FAULTS
        if fault == "daily_quota":
            return False
        return host == "conso" or not request.path.startswith(
            f"{self.prefix}/dc/oauth2/"
        )

    def _host(self, path: str) -> Host | None:
        rest = path.removeprefix(self.prefix)
        for host in _HOSTS:
            if rest.startswith(f"/{host}/"):
                return host
        return None

    async def _unrouted(self, request: web.Request) -> web.Response:
        return json_response({"message": "Not Found"}, status=404)

    @staticmethod
    def _fault_error(fault: str | None, now: datetime) -> EnedisError | None:
        if fault == "quota_exceeded":
            hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            return bodies.quota_exceeded(hour + timedelta(hours=1))
        if fault == "spike_arrest":
            return bodies.spike_arrest()
        return _FAULT_ERRORS.get(fault) if fault else None

    # ----------------------------------------------------------------------------------------
    # Conso API

    def _conso_error(self, error: EnedisError) -> web.Response:
        return json_response(
            {
                "status": error.status,
                "message": CONSO_ENEDIS_MESSAGE,
                "error": error.relayed_body,
            },
            status=error.status,
        )

    def _conso_fault(self, fault: str) -> web.Response:
        if fault == "http_401":
            return _conso_envelope(401, CONSO_BAD_TOKEN)
        if fault == "http_502":
            return web.Response(
                status=502, text=CLOUDFLARE_502, content_type="text/html"
            )
        if fault == "http_403":
            return self._conso_error(bodies.NO_CONSENT)
        return self._conso_error(_HTTP_FAULT_ERRORS[fault])

    def _conso_banned(self, ip: str, now: datetime) -> bool:
        since = self.banned.get(ip)
        if since is not None:
            if self.conso_ban_duration is None or (now - since).total_seconds() < (
                self.conso_ban_duration
            ):
                return True
            self.unban(ip)
        times = self._conso_requests.setdefault(ip, deque())
        while times and (now - times[0]).total_seconds() >= self.conso_ban_window:
            times.popleft()
        if len(times) >= self.conso_ban_threshold:
            self.banned[ip] = now
            return True
        times.append(now)
        return False

    async def _conso(self, request: web.Request) -> web.Response:
        context: RequestContext = request[CONTEXT]
        now = context.time
        if self._conso_banned(request.remote or "", now):
            return web.Response(
                status=403, text=CLOUDFLARE_BLOCK, content_type="text/html"
            )
        self.user_agents.append(request.headers.get("User-Agent"))
        if request.method == "OPTIONS":
            return web.Response(status=200)
        if request.method != "GET":
            return _conso_envelope(405, CONSO_GET_ONLY)
        if context.fault == "token_refresh":
            return _conso_envelope(500, CONSO_TOKEN_REFRESH)
        words = request.headers.get("Authorization", "").split(" ")
        if len(words) < 2 or not words[1]:
            return _conso_envelope(400, CONSO_BAD_AUTH)
        kind = request.match_info["kind"]
        params = request.query
        prm_id = params.get("pointId", params.get("prm"))
        start = params.get("dateDebut", params.get("start"))
        end = params.get("dateFin", params.get("end"))
        issues = _conso_issues(kind, prm_id, start, end)
        if issues:
            return json_response(
                {
                    "status": 400,
                    "message": CONSO_BAD_PARAMS,
                    "error": {"issues": issues, "name": "ZodError"},
                },
                status=400,
            )
        claims = bodies.read_jwt(words[1], CONSO_SECRET)
        subjects = claims.get("sub") if claims else None
        expires = claims.get("exp") if claims else None
        if (
            not isinstance(subjects, list)
            or not isinstance(expires, int)
            or expires <= now.timestamp()
            or prm_id not in subjects
        ):
            return _conso_envelope(401, CONSO_BAD_TOKEN)
        context.account = ",".join(str(subject) for subject in subjects)
        try:
            fault_error = self._fault_error(context.fault, now)
            if fault_error is not None:
                raise fault_error
            resource = RESOURCES[kind]
            if resource.kind == "max":
                self.meters.max_power_params(params, required=False)
            query = self.meters.check(subjects, prm_id, resource, start, end, now)
            return json_response(self.meters.mesure(query, now, params))
        except EnedisError as error:
            return self._conso_error(error)

    # ----------------------------------------------------------------------------------------
    # MyElectricalData

    def _med_error(self, error: EnedisError) -> web.Response:
        return json_response({"detail": error.relayed_body}, status=error.status)

    def _med_fault(self, fault: str) -> web.Response:
        own = _MED_HTTP_FAULTS.get(fault)
        if own is not None:
            return json_response({"detail": own[1]}, status=own[0])
        if fault == "http_429":
            return self._med_quota_response()
        if fault == "http_502":
            return web.Response(
                status=502, text="Bad Gateway", content_type="text/plain"
            )
        if fault == "http_403":
            return self._med_error(bodies.NO_CONSENT)
        return self._med_error(_HTTP_FAULT_ERRORS[fault])

    def _med_quota_response(self) -> web.Response:
        limit = self.med_daily_quota
        if self.med_quota_status == 429:
            return json_response(
                {"detail": MED_QUOTA_429.format(limit=limit)},
                status=429,
                headers=self._med_rate_headers(limit, self.clock()),
            )
        return json_response({"detail": MED_QUOTA_409.format(limit=limit)}, status=409)

    def _med_rate_headers(self, used: int, now: datetime) -> dict[str, str]:
        reset = datetime.combine(paris_date(now) + timedelta(days=1), time(), PARIS)
        return {
            "X-RateLimit-Limit": str(self.med_daily_quota),
            "X-RateLimit-Remaining": str(max(self.med_daily_quota - used, 0)),
            "X-RateLimit-Reset": str(int(reset.timestamp())),
        }

    async def _med(self, request: web.Request) -> web.Response:
        context: RequestContext = request[CONTEXT]
        now = context.time
        parts = request.match_info["tail"].split("/")
        cached = parts[-1] == "cache"
        if cached:
            parts = parts[:-1]
        service = parts[0]
        known = service in MED_SERVICES or service in MED_CUSTOMER_SERVICES
        shape_ok = (len(parts) == 2 and service not in MED_SERVICES) or (
            len(parts) == 6 and parts[2] == "start" and parts[4] == "end"
        )
        if (
            request.method != "GET"
            or not (known or service == "valid_access")
            or not shape_ok
        ):
            return json_response({"detail": "Not Found"}, status=404)
        pdl = parts[1]
        account = self.med_accounts.get(request.headers.get("Authorization", ""))
        if account is None or pdl not in account.prms:
            return json_response({"detail": MED_UNAUTHORIZED}, status=401)
        context.account = account.key
        today = paris_date(now)
        used = account.calls.get(today, 0)
        if service == "valid_access":
            return json_response(self._valid_access(account, now))
        if not cached:
            if context.fault == "daily_quota" or used >= self.med_daily_quota:
                return self._med_quota_response()
            account.calls[today] = used + 1
        account.last_call = now
        headers = (
            self._med_rate_headers(used + 1, now)
            if self.med_quota_status == 429
            else None
        )
        try:
            fault_error = self._fault_error(context.fault, now)
            if fault_error is not None:
                raise fault_error
            if account.consent_expires <= now:
                raise bodies.NO_CONSENT
            if service in MED_CUSTOMER_SERVICES:
                prm = self.meters.consented(account.prms, pdl)
                return json_response(med_customer_body(service, prm), headers=headers)
            body = self._med_measure(account, service, pdl, parts[3], parts[5], now)
            return json_response(body, headers=headers)
        except EnedisError as error:
            return self._med_error(error)

    def _med_measure(
        self,
        account: MedAccount,
        service: str,
        pdl: str,
        start: str,
        end: str,
        now: datetime,
    ) -> dict[str, Any]:
        resource = RESOURCES[MED_SERVICES[service]]
        query = self.meters.check(account.prms, pdl, resource, start, end, now)
        days = self.meters.days(query, now)
        prm, (kind, direction) = query.prm, resource
        if kind == "curve":
            points = [
                hh for day in days for hh in self.meters.half_hours(prm, day, direction)
            ]
            return bodies.meter_reading(
                pdl, query.start, query.end, "curve", bodies.v5_curve_readings(points)
            )
        if kind == "max":
            readings = [
                {"value": str(va), "date": f"{when:%Y-%m-%d %H:%M:%S}"}
                for va, when in self.meters.peaks(query, days, "P1D")
            ]
            return bodies.meter_reading(
                pdl, query.start, query.end, "max_power", readings
            )
        readings = [
            {
                "value": str(daily_wh(self.meters.half_hours(prm, day, direction))),
                "date": day.isoformat(),
            }
            for day in days
        ]
        return bodies.meter_reading(pdl, query.start, query.end, "energy", readings)

    def _valid_access(self, account: MedAccount, now: datetime) -> dict[str, Any]:
        today = paris_date(now)
        calls = account.calls.get(today, 0)
        quota_reached = calls >= self.med_daily_quota
        consent_ok = account.consent_expires > now
        body: dict[str, Any] = {"valid": consent_ok and not quota_reached}
        if quota_reached:
            body["information"] = MED_QUOTA_409.format(limit=self.med_daily_quota)
        elif not consent_ok:
            body["information"] = "Le consentement a expiré."  # [decided]
        body |= {
            "consent_expiration_date": account.consent_expires.astimezone(PARIS)
            .replace(tzinfo=None)
            .strftime("%Y-%m-%dT%H:%M:%S"),
            "call_number": calls,
            "quota_reached": quota_reached,
            "quota_limit": self.med_daily_quota,
            "quota_reset_at": f"{today.isoformat()}T23:59:59.999999",
            "last_call": (
                account.last_call.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M:%S.%f")
                if account.last_call
                else None
            ),
            "ban": False,
        }
        return body

    # ----------------------------------------------------------------------------------------
    # Data Connect

    def _dc_error(self, error: EnedisError) -> web.Response:
        if isinstance(error.body, str):
            return web.Response(
                status=error.status, text=error.body, content_type="text/plain"
            )
        return json_response(error.body, status=error.status, headers=error.headers)

    async def _dc_token(self, request: web.Request) -> web.Response:
        context: RequestContext = request[CONTEXT]
        form: dict[str, str] = dict(request.query)
        if request.content_type == "application/x-www-form-urlencoded":
            form |= {key: str(value) for key, value in (await request.post()).items()}
        if form.get("grant_type") != "client_credentials":
            return json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Unsupported grant_type value",
                },
                status=400,
            )
        missing = [
            name for name in ("client_id", "client_secret") if not form.get(name)
        ]
        if missing:
            return json_response(
                {
                    "error": "invalid_request",
                    "error_description": f"Missing parameters: {', '.join(missing)}",
                },
                status=400,
            )
        client = self.dc_clients.get(form["client_id"])
        if client is None or client.client_secret != form["client_secret"]:
            return json_response(
                {
                    "error": "invalid_client",
                    "error_description": "Client Authentication failed.",
                },
                status=401,
            )
        context.account = client.key
        now = context.time
        token = self._dc_jwt(client, now)
        self._dc_tokens[token] = (
            client,
            now + timedelta(seconds=self.dc_token_lifetime),
        )
        return json_response(
            {
                "access_token": token,
                "scope": "am_application_scope default",
                "token_type": "Bearer",
                "expires_in": self.dc_token_lifetime,
            }
        )

    def _dc_jwt(self, client: DcClient, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "sub": f"{client.key}@carbon.super",
            "iss": "https://gw.ext.prod.api.enedis.fr/oauth2/token",
            "keytype": client.keytype,
            "application": {"name": client.key, "tier": "Unlimited"},
            "tierInfo": {
                "Bronze": {
                    "stopOnQuotaReach": True,
                    "spikeArrestLimit": self.dc_rate_per_second,
                    "spikeArrestUnit": "sec",
                }
            },
            "subscribedAPIs": [
                {"context": f"/{api}", "subscriptionTier": "Bronze"}
                for api in sorted(client.apis)
            ],
            "iat": issued,
            "exp": issued + self.dc_token_lifetime,
            "jti": f"{next(self._token_serial):08d}",
        }
        return bodies.make_jwt(claims, DC_SECRET)

    def _dc_client(self, request: web.Request, now: datetime) -> DcClient:
        words = request.headers.get("Authorization", "").split(" ")
        entry = (
            self._dc_tokens.get(words[1])
            if len(words) == 2 and words[0] == "Bearer"
            else None
        )
        if entry is None or entry[1] <= now:
            raise bodies.INVALID_CREDENTIALS
        return entry[0]

    def _throttle(self, client: DcClient, api: str, now: datetime) -> None:
        tick = self.monotonic()
        recent = client.recent.setdefault(api, deque())
        while recent and tick - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.dc_rate_per_second:
            raise bodies.spike_arrest()
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        start, count = client.hourly.get(api, (hour, 0))
        if start != hour:
            count = 0
        if count >= self.dc_rate_per_hour:
            raise bodies.quota_exceeded(hour + timedelta(hours=1))
        recent.append(tick)
        client.hourly[api] = (hour, count + 1)

    async def _dc(self, request: web.Request) -> web.Response:
        context: RequestContext = request[CONTEXT]
        now = context.time
        tail = request.match_info["tail"]
        api, rest = _split_api(tail)
        post = api == SERVICES_API
        if api not in ALL_APIS or request.method != ("POST" if post else "GET"):
            return self._dc_error(bodies.NO_RESOURCE)
        try:
            client = self._dc_client(request, now)
            context.account = client.key
            if api not in client.apis:
                raise bodies.NOT_SUBSCRIBED
            self._throttle(client, api, now)
            fault_error = self._fault_error(context.fault, now)
            if fault_error is not None:
                raise fault_error
            if api == MEASURES_API:
                return json_response(self._dc_measure(client, rest, request.query, now))
            if post:
                return json_response(await self._subscribed_services(client, request))
            if not rest or "/" in rest:
                raise bodies.TECHNICAL_ERROR  # off-swagger (PRM as a query parameter)
            prm = self.meters.consented(client.prms, rest)
            return json_response(itc_body(api, prm))
        except EnedisError as error:
            return self._dc_error(error)

    def _dc_measure(
        self,
        client: DcClient,
        resource_name: str,
        params: Mapping[str, str],
        now: datetime,
    ) -> dict[str, Any]:
        resource = RESOURCES.get(resource_name)
        if resource is None:
            raise bodies.NO_RESOURCE
        if resource.kind == "max":
            self.meters.max_power_params(params, required=True)
        query = self.meters.check(
            client.prms,
            params.get("pointId"),
            resource,
            params.get("dateDebut"),
            params.get("dateFin"),
            now,
        )
        return self.meters.mesure(query, now, params)

    async def _subscribed_services(
        self, client: DcClient, request: web.Request
    ) -> dict[str, Any]:
        try:
            payload = await request.json()
        except ValueError:
            raise bodies.invalid_request("The body must be JSON.") from None
        number = payload.get("autorisationId") if isinstance(payload, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise bodies.invalid_request("autorisationId is required.")
        if number not in client.authorizations:
            raise bodies.NO_CONSENT
        items = (
            service
            for prm_id in client.authorizations[number]
            for service in services_of(self.meters.prms[prm_id], number)
        )
        services = [
            {"id": f"{80000000 + number * 100 + serial}", **service}
            for serial, service in enumerate(items, start=1)
        ]
        if payload.get("comptage") is True:
            return {"nbTotalServices": len(services)}
        return {"nbTotalServices": len(services), "serviceSouscrit": services}


# ---------------------------------------------------------------------------------------------
# Helpers without state

_FAULT_ERRORS: Final[dict[str, EnedisError]] = {
    "not_holder": bodies.NOT_HOLDER,
    "no_consent": bodies.NO_CONSENT,
    "no_data": bodies.NO_DATA,
    "technical_error": bodies.TECHNICAL_ERROR,
    "plain_500": bodies.PLAIN_500,
}
_HTTP_FAULT_ERRORS: Final[dict[str, EnedisError]] = {
    "http_400": bodies.START_AFTER_END,
    "http_401": bodies.INVALID_CREDENTIALS,
    "http_403": bodies.NOT_SUBSCRIBED,
    "http_429": bodies.spike_arrest(),
    "http_500": bodies.TECHNICAL_ERROR,
    "not_found": bodies.NO_DATA,
}
_MED_HTTP_FAULTS: Final[dict[str, tuple[int, str]]] = {
    "http_400": (400, "Bad Request"),
    "http_401": (401, MED_UNAUTHORIZED),
    "http_500": (500, "Internal Server Error"),
}


def _conso_envelope(status: int, message: str) -> web.Response:
    return json_response({"status": status, "message": message}, status=status)


def _conso_issues(
    kind: str, prm_id: str | None, start: str | None, end: str | None
) -> list[dict[str, Any]]:
    """Zod-like issues of a Conso API request [decided shape]."""
    issues: list[dict[str, Any]] = []
    if kind not in RESOURCES:
        issues.append(
            {"code": "invalid_enum_value", "path": ["type"], "message": "Invalid type"}
        )
    if prm_id is None or len(prm_id) != 14:
        issues.append(
            {
                "code": "invalid_string",
                "path": ["pointId"],
                "message": "Must be 14 characters",
            }
        )
    for name, value in (("dateDebut", start), ("dateFin", end)):
        if value is None or not _CONSO_DATE.search(value):
            issues.append(
                {"code": "invalid_string", "path": [name], "message": "Invalid date"}
            )
    return issues


def _split_api(tail: str) -> tuple[str, str]:
    """`situation_contrat_auto/v1/123` → (`situation_contrat_auto/v1`, `123`)."""
    parts = tail.split("/", 2)
    return "/".join(parts[:2]), parts[2] if len(parts) > 2 else ""
