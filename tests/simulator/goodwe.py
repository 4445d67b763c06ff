"""GoodWe SEMS+ Web, mirrored under `/goodwe` with its two hosts (reference apis-goodwe.md).

- Login host (`https://semsplus.goodwe.com/web/sems`, §1) → `/goodwe/semsplus/web/sems`: only
  `POST /sems-user/api/v1/auth/cross-login` (§2.2). The client is configured with this base
  (`urls()["api_url"]`).
- Regional gateway (`https://eu-gateway.semsportal.com/web/sems`) → `/goodwe/eu-gateway/web/sems`,
  given as `data.api` by the login (built from the request's own origin), serving the §3.1 reads:
  `POST /sems-plant/api/portal/stations/page`, `GET /sems-plant/api/stations/flow`,
  `GET /sems-plant/api/stations/device/all-status`,
  `GET /sems-plant/api/equipments/{sn}/telemetry`, `…/telecounting`, `…/relatedDevices`,
  `POST /sems-plant/api/stations/statistics` (§6.1). Any other path on either host, data asked
  of the login host, or a login sent to the gateway → HTTP 404 `{"error_msg":"404 Route Not
  Found"}` (§1: the gateway's answer to a path it does not route); a known path with another
  method → 405 in the same shape (decided).

Protocol (every answer HTTP 200 with the SEMS+ envelope `{code, description, traceId, data}`,
§4, unless said otherwise):

- Login: the `Token` header must be JSON with `client` `semsPlusWeb`, else `C0602`
  (`account_login_abnormal`: wrong client identity, §2.2); `X-Signature` must be the §2.3
  signature with empty uid and token, else `100004` "parameter error." (the reference's one
  captured refusal of a request that broke the browser contract, fixture from TS#216; decided
  for the signature). `pwd` must be `base64(md5_hex(password))` of the account's password; an
  unknown account or another hash → `100005` "Email or password error.". A body with neither
  `agreement` nor `client` (the minimal `{account, pwd}`) → `00000` with data only
  `{"agreement": true, "api": …}` and no token (PR #193). Otherwise `data` = `{uid, timestamp
  (issue time, ms, a string), token, client, version, language, api, region, uuid}` (fixture
  `semsplus_web_cross_login.json`). A login ends the account's previous session (§2.4, as the
  app's login does to the integration's).
- Gateway calls: the `token` header (the login `data`, JSON) must name a token this part issued,
  else `100001` "No access, please log in."; `X-Signature` must verify with that session's uid
  and token (the `ms` inside is not checked against the clock unless `signature_max_age` is
  set; decided), else `100004`; a replaced session → `C0602`; an expired one (`token_lifetime`
  after login, default 4 h: rainbowghost's estimate, §2.4) → `100002`. Then a station the
  account has no access to (unknown ids too), a serial not in the `pwId` station, or one in the
  account's `refused_devices` (a visitor not shown every device) → `100025`.
  A missing parameter or a `deviceType` that is not the device's → `100004` (decided).
  Error bodies: `{code, translationCode, description, errorMsg, traceId}` as fixture #216 for
  `100004`; the same keys without `translationCode` for 100001/100002/100005/100025 (only their
  text is known); `C0602` as TS's test `{code, description, data: null}`; `GY0429` as TS's mock
  `{code, msg}`; `S0327` as its fixture.
- Data (model in `solar_model.py`, station-local time zone): flow in kW with `pGrid` + export /
  − import and `pBat` + discharge / − charge and `flows` {source: [targets]} (§5.1, issue #234
  samples); a PV-only station answers the PV-only fixture's keys. Telemetry factor groups (§5.2)
  and telecounting groups (§5.3) with every number a string; counters count finished 5-minute
  steps since `installed_on`, so they only grow. Statistics (§6.1): one bucket per local day
  (`day`), month (`month`) or year (`year`), days before `installed_on` and after today left out,
  today up to now; any other dimension → `S0327`. A station without a meter reports 0 for
  consumption, import, export and self-consumption, one without a battery 0 for charge and
  discharge (decided: SEMS has nothing to measure them with).

Faults (besides the application's `timeout` and `malformed`, and the HTTP faults: `http_400`,
`http_401`, `http_403`, `http_429` (with `Retry-After: 300` and the GY0429 body), `http_500`,
`http_502`, `not_found`, bodies `{"error_msg": "<status> <reason>"}`, decided):
- `session_expired`: the next gateway call answers `100002` and its session ends (expired).
- `session_replaced`: the next gateway call answers `C0602` and its session ends (replaced).
- `rate_limited`: the next gateway call answers `GY0429`.
- `empty_data`: the next gateway call answers code `00000` with `data: {}` (the 2026-09-23 break).
- `counter_midnight_drop`: the next telecounting call replays stale counters (§9.1–2): the
  today/week/month/year counters as of the end of the previous local day, the lifetime ones as of
  its start (so they drop by that day's energy); the next call recovers. `midnight_replay` (a
  duration, default 0) does the same on its own for calls in that long after local midnight.

Every call that gets past the session checks, and every login to a known account, is logged in
`calls` with the number of that account's calls in flight when it arrived (`GoodWeCall.in_flight`, itself included);
`peak_in_flight(account)` is the largest. `latency` (s, real time, default 0) makes each call
take that long so overlaps can be seen; `concurrency_limit` (default None) answers `GY0429` to a
call above it (decided: no limit is published, §8).
"""

import asyncio
import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import hashlib
import hmac
import json
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

from aiohttp import web

from .common import (
    CONTEXT,
    HTTP_FAULTS,
    ProviderPart,
    Reply,
    RequestContext,
    json_response,
)
from .goodwe_model import GOODWE_DAYS
from .solar_model import (
    BATTERY_POWER_W,
    Site,
    Step,
    Totals,
    day_totals,
    local_date,
    local_midnight,
    step_at,
    totals_between,
)

GOODWE_EMAIL: Final = "visitor@example.com"
GOODWE_PASSWORD: Final = "Visitor-Sun-2026"
GOODWE_STATION: Final = "6f1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70"
GOODWE_INVERTER_SN: Final = "9010KETU24A00017"
GOODWE_BATTERY_SN: Final = "96LXF10K24B00231"
GOODWE_BATTERY_SYS_SN: Final = "9010KETU24A00017-BAT1"
GOODWE_METER_SN: Final = "93000GMK24C00412"
GOODWE_DONGLE_SN: Final = "53WFL24D00098"
GOODWE_PV_EMAIL: Final = "pv-owner@example.com"
GOODWE_PV_PASSWORD: Final = "Panels-Only-2026"
GOODWE_PV_STATION: Final = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
GOODWE_PV_INVERTER_SN: Final = "5048DNSX23A00764"
GOODWE_INSTALLER_EMAIL: Final = "installer@example.com"
GOODWE_INSTALLER_PASSWORD: Final = "Both-Stations-2026"

LOGIN_HOST: Final = "/semsplus/web/sems"
GATEWAY_HOST: Final = "/eu-gateway/web/sems"
LOGIN_PATH: Final = "/sems-user/api/v1/auth/cross-login"
PLANT: Final = "/sems-plant/api"
REGION: Final = "eu"
CLIENT: Final = "semsPlusWeb"

SESSION_EXPIRED: Final = "session_expired"
SESSION_REPLACED: Final = "session_replaced"
RATE_LIMITED: Final = "rate_limited"
EMPTY_DATA: Final = "empty_data"
COUNTER_MIDNIGHT_DROP: Final = "counter_midnight_drop"
GATEWAY_FAULTS: Final = frozenset(
    {SESSION_EXPIRED, SESSION_REPLACED, RATE_LIMITED, EMPTY_DATA}
)

ITEMS: Final = (
    "proSystemTotalStats",
    "proConsumStats",
    "proCharStats",
    "proDischarStats",
    "proGridStats",
    "proPurchaseStats",
    "proSelfConsumStats",
)
"""Statistics items (§6.1), in the captures' order."""

_MESSAGES: Final = {
    "100001": "No access, please log in.",
    "100002": "The authorization has expired, please log in again.",
    "100004": "parameter error.",
    "100005": "Email or password error.",
    "100025": "You do not have access or operation rights",
}
_HTTP_REASONS: Final = {
    "http_400": (400, "Bad Request"),
    "http_401": (401, "Unauthorized"),
    "http_403": (403, "Forbidden"),
    "http_429": (429, "Too Many Requests"),
    "http_500": (500, "Internal Server Error"),
    "http_502": (502, "Bad Gateway"),
    "not_found": (404, "Route Not Found"),
}
_NO_TELECOUNTING: Final = frozenset({"BATTERY_RACK", "BAT_SYS", "DONGLE"})


def password_hash(password: str) -> str:
    """The `pwd` of a SEMS+ login: base64 of the lowercase MD5 hex digest (§2.2)."""
    digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def signature(ms: int | str, uid: str, token: str) -> str:
    """`X-Signature`: base64(sha256_hex(f"{ms}@{uid}@{token}") + "@" + ms) (§2.3)."""
    digest = hashlib.sha256(f"{ms}@{uid}@{token}".encode()).hexdigest()
    return base64.b64encode(f"{digest}@{ms}".encode()).decode()


def _signature_ms(value: str) -> int | None:
    """The `ms` a signature carries, or None when it is not `base64(hex@digits)`."""
    try:
        text = base64.b64decode(value, validate=True).decode()
    except ValueError:
        return None
    _, sep, ms = text.rpartition("@")
    return int(ms) if sep and ms.isdigit() else None


def _num(value: float, digits: int = 2) -> str:
    """A factor's `data`: a number as a string (`"31.4"`, `"0"`)."""
    rounded = round(value, digits) + 0.0
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def _kw(watts: float) -> float:
    return round(watts / 1000, 5) + 0.0


def _kwh(value: float) -> float:
    return round(value, 2) + 0.0


@dataclass(slots=True, kw_only=True)
class GoodWeStation:
    """A SEMS+ station and its devices (serials empty: no such device)."""

    station_id: str
    name: str
    time_zone: str
    pv_kw: float
    battery_kwh: float = 0.0
    inverter_sn: str
    battery_sn: str = ""
    battery_sys_sn: str = ""
    meter_sn: str = ""
    dongle_sn: str = ""
    installed_on: date = date(2026, 1, 1)
    address: str = "1 Example Street, Amsterdam"

    @property
    def profile(self) -> Site:
        """The model's view of the station."""
        return Site(
            self.station_id, self.time_zone, self.pv_kw, self.battery_kwh, GOODWE_DAYS
        )

    @property
    def hybrid(self) -> bool:
        """Whether the station has a battery."""
        return self.battery_kwh > 0

    def devices(self) -> dict[str, str]:
        """Serial → deviceType, as all-status lists them (BAT_SYS only via relatedDevices)."""
        others = (
            (self.battery_sn, "BATTERY_RACK"),
            (self.meter_sn, "SMART_METER"),
            (self.dongle_sn, "DONGLE"),
        )
        return {self.inverter_sn: "INVERTER"} | {
            serial: kind for serial, kind in others if serial
        }

    def device_type(self, serial: str) -> str | None:
        """The deviceType of one of the station's serials (BAT_SYS included)."""
        if serial and serial == self.battery_sys_sn:
            return "BAT_SYS"
        return self.devices().get(serial)

    @property
    def added_ms(self) -> str:
        """`addTime` of its devices: local midnight of `installed_on`, epoch ms as a string."""
        return str(
            int(local_midnight(self.installed_on, self.time_zone).timestamp() * 1000)
        )


@dataclass(slots=True)
class GoodWeAccount:
    """A SEMS+ account: e-mail, password, the stations it sees."""

    key: str
    """What the request log shows (`"demo"`)."""
    email: str
    password: str
    stations: list[str] = field(default_factory=list)
    token: str | None = None
    """The current session's token (a later login replaces it)."""
    in_flight: int = 0
    refused_devices: set[str] = field(default_factory=set)
    """Serials of its stations whose data this account may not read (→ `100025`)."""


@dataclass(slots=True)
class GoodWeSession:
    """One login's session."""

    account: GoodWeAccount
    uid: str
    token: str
    issued: datetime
    state: str = "active"
    """`active`, `expired` (100002) or `replaced` (C0602)."""


@dataclass(frozen=True, slots=True)
class GoodWeCall:
    """One call to an account as this part saw it (the concurrency log)."""

    time: datetime
    account: str
    endpoint: str
    in_flight: int
    """The account's calls in flight when this one arrived, itself included."""


class GoodWeSimulator(ProviderPart):
    """SEMS+ accounts, stations and the two hosts' handlers."""

    name: ClassVar[str] = "goodwe"
    prefix: ClassVar[str] = "/goodwe"
    supported_faults: ClassVar[frozenset[str]] = frozenset(
        HTTP_FAULTS | {"timeout", "malformed", COUNTER_MIDNIGHT_DROP} | GATEWAY_FAULTS
    )

    def __init__(self, clock: Callable[[], datetime], *, demo: bool = True) -> None:
        """Create the GoodWe part; `demo` adds the built-in accounts (see `add_demo_data`)."""
        self.clock = clock
        self.token_lifetime = timedelta(hours=4)
        self.signature_max_age: timedelta | None = None
        self.midnight_replay = timedelta(0)
        self.latency = 0.0
        self.concurrency_limit: int | None = None
        self.accounts: dict[str, GoodWeAccount] = {}
        self.stations: dict[str, GoodWeStation] = {}
        self.sessions: dict[str, GoodWeSession] = {}
        self.calls: list[GoodWeCall] = []
        self._logins = 0
        self._traces = 0
        if demo:
            self.add_demo_data()

    # ----------------------------------------------------------------------------------------
    # Data

    def add_station(self, station: GoodWeStation) -> GoodWeStation:
        """Add a station."""
        self.stations[station.station_id] = station
        return station

    def add_account(
        self, key: str, email: str, password: str, stations: list[str]
    ) -> GoodWeAccount:
        """Add an account that sees `stations` (ids of added stations)."""
        account = GoodWeAccount(key, email, password, list(stations))
        self.accounts[email.lower()] = account
        return account

    def add_demo_data(self) -> None:
        """The hybrid station (visitor account), the PV-only one (pv account), both (installer)."""
        self.add_station(
            GoodWeStation(
                station_id=GOODWE_STATION,
                name="Home (hybrid)",
                time_zone="Europe/Amsterdam",
                pv_kw=6.0,
                battery_kwh=10.0,
                inverter_sn=GOODWE_INVERTER_SN,
                battery_sn=GOODWE_BATTERY_SN,
                battery_sys_sn=GOODWE_BATTERY_SYS_SN,
                meter_sn=GOODWE_METER_SN,
                dongle_sn=GOODWE_DONGLE_SN,
            )
        )
        self.add_station(
            GoodWeStation(
                station_id=GOODWE_PV_STATION,
                name="Barn roof",
                time_zone="Europe/Paris",
                pv_kw=3.0,
                inverter_sn=GOODWE_PV_INVERTER_SN,
                installed_on=date(2026, 3, 1),
                address="2 Example Road, Lyon",
            )
        )
        self.add_account("demo", GOODWE_EMAIL, GOODWE_PASSWORD, [GOODWE_STATION])
        self.add_account("pv", GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD, [GOODWE_PV_STATION])
        self.add_account(
            "installer",
            GOODWE_INSTALLER_EMAIL,
            GOODWE_INSTALLER_PASSWORD,
            [GOODWE_STATION, GOODWE_PV_STATION],
        )

    def peak_in_flight(self, account: str) -> int:
        """The most calls of `account` (its key) that were in flight at once."""
        return max((c.in_flight for c in self.calls if c.account == account), default=0)

    def gateway_url(self, origin: str) -> str:
        """The gateway base a login served at `origin` (`http://127.0.0.1:port`) returns."""
        return f"{origin}{self.prefix}{GATEWAY_HOST}"

    # ----------------------------------------------------------------------------------------
    # ProviderPart

    def urls(self, base: str, tls_base: str | None) -> dict[str, str]:
        """Return the login base the client is configured with (the gateway comes from login)."""
        return {"api_url": f"{base}{LOGIN_HOST}"}

    def routes(self) -> list[web.RouteDef]:
        """The login route, the gateway routes, then 404/405 for everything else."""
        login = f"{self.prefix}{LOGIN_HOST}"
        plant = f"{self.prefix}{GATEWAY_HOST}{PLANT}"
        return [
            web.post(f"{login}{LOGIN_PATH}", self._login),
            web.post(
                f"{plant}/portal/stations/page",
                self._gateway("stations", self._stations),
            ),
            web.get(f"{plant}/stations/flow", self._gateway("flow", self._flow)),
            web.get(
                f"{plant}/stations/device/all-status",
                self._gateway("all-status", self._all_status),
            ),
            web.get(
                f"{plant}/equipments/{{sn}}/telemetry",
                self._gateway("telemetry", self._telemetry),
            ),
            web.get(
                f"{plant}/equipments/{{sn}}/telecounting",
                self._gateway("telecounting", self._telecounting),
            ),
            web.get(
                f"{plant}/equipments/{{sn}}/relatedDevices",
                self._gateway("relatedDevices", self._related),
            ),
            web.post(
                f"{plant}/stations/statistics",
                self._gateway("statistics", self._statistics),
            ),
            web.route("*", f"{self.prefix}/{{tail:.*}}", self._unrouted),
        ]

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer a routing error the way the gateway does."""
        return json_response({"error_msg": f"{status} {message}"}, status=status)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault (decided bodies; 429 carries Retry-After and GY0429)."""
        status, reason = _HTTP_REASONS[fault]
        if status == 429:
            return json_response(
                {"code": "GY0429", "msg": "Too many requests"},
                status=429,
                headers={"Retry-After": "300"},
            )
        return self.error_response(status, reason)

    def takes_fault(self, request: web.Request, fault: str) -> bool:
        """Session, rate and data faults wait for a gateway call; the counter drop for counters."""
        if fault in GATEWAY_FAULTS:
            return request.path.startswith(f"{self.prefix}{GATEWAY_HOST}{PLANT}/")
        if fault == COUNTER_MIDNIGHT_DROP:
            return request.path.endswith("/telecounting")
        return True

    # ----------------------------------------------------------------------------------------
    # Envelopes

    def _trace(self) -> str:
        self._traces += 1
        return f"{self._traces:032x}"

    def _ok(self, data: Any) -> web.Response:
        return json_response(
            {
                "code": "00000",
                "description": "success",
                "traceId": self._trace(),
                "data": data,
            }
        )

    def _error(self, code: str) -> Reply:
        body: dict[str, Any]
        if code == "C0602":
            body = {"code": code, "description": "account_login_abnormal", "data": None}
        elif code == "GY0429":
            body = {"code": code, "msg": "Too many requests"}
        elif code == "S0327":
            body = {
                "code": code,
                "description": "Statistical dimension parameters are incorrect",
                "traceId": self._trace(),
            }
        else:
            message = _MESSAGES[code]
            body = {"code": code}
            if code == "100004":
                body["translationCode"] = "parameter_error"
            body |= {
                "description": message,
                "errorMsg": message,
                "traceId": self._trace(),
            }
        return Reply(json_response(body))

    async def _unrouted(self, request: web.Request) -> web.Response:
        path = request.path
        known = {
            f"{self.prefix}{LOGIN_HOST}{LOGIN_PATH}",
            *(
                f"{self.prefix}{GATEWAY_HOST}{PLANT}/{tail}"
                for tail in (
                    "portal/stations/page",
                    "stations/flow",
                    "stations/statistics",
                )
            ),
        }
        if path in known or (
            path.startswith(f"{self.prefix}{GATEWAY_HOST}{PLANT}/equipments/")
            and path.rsplit("/", 1)[-1]
            in {"telemetry", "telecounting", "relatedDevices"}
        ):
            return self.error_response(405, "Method Not Allowed")
        return self.error_response(404, "Route Not Found")

    # ----------------------------------------------------------------------------------------
    # Concurrency

    async def _enter(
        self, account: GoodWeAccount, endpoint: str, now: datetime
    ) -> None:
        account.in_flight += 1
        self.calls.append(GoodWeCall(now, account.key, endpoint, account.in_flight))
        if self.latency:
            await asyncio.sleep(self.latency)
        if (
            self.concurrency_limit is not None
            and account.in_flight > self.concurrency_limit
        ):
            raise self._error("GY0429")

    # ----------------------------------------------------------------------------------------
    # Login

    async def _login(self, request: web.Request) -> web.Response:
        context: RequestContext = request[CONTEXT]
        try:
            body = await request.json()
        except ValueError:
            raise self._error("100004") from None
        if not isinstance(body, dict):
            raise self._error("100004")
        account = self.accounts.get(str(body.get("account", "")).lower())
        if account is None:
            return await self._check_login(request, context, body, None)
        context.account = account.key
        try:
            await self._enter(account, "cross-login", context.time)
            return await self._check_login(request, context, body, account)
        finally:
            account.in_flight -= 1

    async def _check_login(
        self,
        request: web.Request,
        context: RequestContext,
        body: Mapping[str, Any],
        account: GoodWeAccount | None,
    ) -> web.Response:
        header = _token_header(request)
        if header is None or header.get("client") != CLIENT:
            raise self._error("C0602")
        if not self._signed(request, "", "", context.time):
            raise self._error("100004")
        pwd = body.get("pwd")
        if (
            account is None
            or not isinstance(pwd, str)
            or not hmac.compare_digest(
                pwd.encode(), password_hash(account.password).encode()
            )
        ):
            raise self._error("100005")
        gateway = self.gateway_url(str(request.url.origin()))
        if "agreement" not in body and "client" not in body:
            return self._ok({"agreement": True, "api": gateway})
        if account.token is not None and account.token in self.sessions:
            self.sessions[account.token].state = "replaced"
        self._logins += 1
        uid = _uuid(account.email, "uid")
        token = hashlib.sha256(f"{account.email}|{self._logins}".encode()).hexdigest()[
            :40
        ]
        self.sessions[token] = GoodWeSession(account, uid, token, context.time)
        account.token = token
        return self._ok(
            {
                "uid": uid,
                "timestamp": str(int(context.time.timestamp() * 1000)),
                "token": token,
                "client": CLIENT,
                "version": "",
                "language": str(header.get("language") or "en"),
                "api": gateway,
                "region": REGION,
                "uuid": _uuid(token, "session"),
            }
        )

    def _signed(
        self, request: web.Request, uid: str, token: str, now: datetime
    ) -> bool:
        value = request.headers.get("X-Signature", "")
        ms = _signature_ms(value)
        if ms is None:
            return False
        if (
            self.signature_max_age is not None
            and abs(now.timestamp() * 1000 - ms)
            > self.signature_max_age.total_seconds() * 1000
        ):
            return False
        return hmac.compare_digest(value.encode(), signature(ms, uid, token).encode())

    # ----------------------------------------------------------------------------------------
    # Gateway

    def _gateway(
        self, endpoint: str, logic: Callable[[_Call], Any]
    ) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.Response:
            context: RequestContext = request[CONTEXT]
            session = self._session(request, context.time)
            account = session.account
            context.account = account.key
            try:
                await self._enter(account, endpoint, context.time)
                return await self._serve(request, context, session, endpoint, logic)
            finally:
                account.in_flight -= 1

        return handle

    def _session(self, request: web.Request, now: datetime) -> GoodWeSession:
        header = _token_header(request)
        token = header.get("token") if header else None
        session = self.sessions.get(token) if isinstance(token, str) else None
        if session is None:
            raise self._error("100001")
        if not self._signed(request, session.uid, session.token, now):
            raise self._error("100004")
        if session.state == "active" and now >= session.issued + self.token_lifetime:
            session.state = "expired"
        if session.state == "replaced":
            raise self._error("C0602")
        if session.state == "expired":
            raise self._error("100002")
        return session

    async def _serve(
        self,
        request: web.Request,
        context: RequestContext,
        session: GoodWeSession,
        endpoint: str,
        logic: Callable[[_Call], Any],
    ) -> web.Response:
        fault = context.fault
        if fault == SESSION_EXPIRED:
            session.state = "expired"
            raise self._error("100002")
        if fault == SESSION_REPLACED:
            session.state = "replaced"
            raise self._error("C0602")
        if fault == RATE_LIMITED:
            raise self._error("GY0429")
        body: Any = {}
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError:
                raise self._error("100004") from None
            if not isinstance(body, dict):
                raise self._error("100004")
        call = _Call(
            account=session.account,
            query=request.query,
            body=body,
            serial=request.match_info.get("sn", ""),
            time=context.time,
            replay=fault == COUNTER_MIDNIGHT_DROP,
        )
        data = logic(call)
        if fault == EMPTY_DATA:
            data = {}
        return self._ok(data)

    def _station(self, call: _Call, station_id: Any) -> GoodWeStation:
        if not station_id:
            raise self._error("100004")
        if station_id not in call.account.stations or station_id not in self.stations:
            raise self._error("100025")
        return self.stations[station_id]

    def _device(self, call: _Call, *, typed: bool = True) -> tuple[GoodWeStation, str]:
        """The `pwId` station and the serial's type; `typed`: `deviceType` must be that type."""
        station = self._station(call, call.query.get("pwId"))
        kind = station.device_type(call.serial)
        if kind is None or call.serial in call.account.refused_devices:
            raise self._error("100025")
        if typed and call.query.get("deviceType", kind) != kind:
            raise self._error("100004")
        return station, kind

    # ----------------------------------------------------------------------------------------
    # Endpoints

    def _stations(self, call: _Call) -> dict[str, Any]:
        current, size = call.body.get("current", 1), call.body.get("size", 10)
        if (
            not isinstance(current, int)
            or not isinstance(size, int)
            or current < 1
            or size < 1
        ):
            raise self._error("100004")
        ids = [s for s in call.account.stations if s in self.stations]
        page = ids[(current - 1) * size : current * size]
        return {
            "dataList": [self._station_row(self.stations[s], call.time) for s in page],
            "size": size,
            "current": current,
            "total": len(ids),
            "extras": {},
        }

    def _station_row(self, station: GoodWeStation, now: datetime) -> dict[str, Any]:
        step = step_at(station.profile, now)
        today = local_date(now, station.time_zone)
        produced_today = totals_between(station.profile, today, now).pv
        produced = totals_between(station.profile, station.installed_on, now).pv
        return {
            "id": station.station_id,
            "name": station.name,
            "status": _status(step),
            "googleAddress": station.address,
            "installedPower": station.pv_kw,
            "isCollected": False,
            "isShared": True,
            "powerStationTypeWeb": 1,
            "pvInstallP": station.pv_kw,
            "createTime": f"{station.installed_on.isoformat()} 00:00:00",
            "remark": "",
            "productionToday": _kwh(produced_today),
            "productionTotal": round(produced, 3) + 0.0,
            "pSystem": _kw(step.pv),
            "fullHourToday": _kwh(produced_today / station.pv_kw),
            "specificYield": _kwh(produced / station.pv_kw),
            "timeZone": station.time_zone,
        }

    def _flow(self, call: _Call) -> dict[str, Any]:
        station = self._station(call, call.query.get("stationId"))
        step = step_at(station.profile, call.time)
        refreshed = step.start.astimezone(ZoneInfo(station.time_zone)).strftime(
            "%Y-%m-%dT%H:%M:%S"
        )
        head = {
            "id": station.station_id,
            "name": station.name,
            "status": _status(step),
            "isGoodweInverter": True,
        }
        if not station.meter_sn:
            return head | {
                "pSystem": _kw(step.pv),
                "pAc": _kw(step.ac),
                "consumFlag": False,
                "refreshTime": refreshed,
            }
        return head | {
            "flows": _flows(step),
            "pSystem": _kw(step.pv),
            "pAc": _kw(step.ac),
            "pBat": _kw(step.discharge - step.charge),
            "pGrid": _kw(step.export - step.grid_import),
            "soc": round(step.soc),
            "pConsum": _kw(step.load),
            "consumFlag": False,
            "refreshTime": refreshed,
        }

    def _all_status(self, call: _Call) -> dict[str, Any]:
        station = self._station(call, call.query.get("stationId"))
        step = step_at(station.profile, call.time)
        details = []
        for serial, kind in station.devices().items():
            status = _device_status(kind, step, station)
            detail: dict[str, Any] = {
                "sn": serial,
                "name": serial
                if kind in {"BATTERY_RACK", "SMART_METER"}
                else kind.title(),
                "deviceType": kind,
                "status": status,
                "isHems": False,
            }
            if kind == "INVERTER":
                detail["subtype"] = "store" if station.hybrid else "grid"
            elif kind == "SMART_METER":
                detail["subtype"] = "goodwe"
            detail["addTime"] = station.added_ms
            details.append(
                {
                    "deviceType": kind,
                    "total": 1,
                    "statusDetailList": [
                        {
                            "status": status,
                            "total": 1,
                            "snList": [serial],
                            "isHemsMap": {serial: False},
                            "detailMap": {serial: detail},
                        }
                    ],
                }
            )
        return {"total": len(details), "deviceDetailList": details}

    def _related(self, call: _Call) -> list[dict[str, Any]]:
        # deviceType is the cabinet's or BAT_SYS here (§3.1), never the inverter's own.
        station, kind = self._device(call, typed=False)
        if kind != "INVERTER" or not station.battery_sys_sn:
            return []
        step = step_at(station.profile, call.time)
        return [
            {
                "sn": station.battery_sys_sn,
                "no": "1",
                "name": "BAT1",
                "translateCode": "mppt1_battery",
                "type": "BAT_SYS",
                "status": _device_status("BAT_SYS", step, station),
                "soc": round(step.soc),
                "isConnected": True,
                "pbat": _kw(step.discharge - step.charge),
            }
        ]

    def _telemetry(self, call: _Call) -> list[dict[str, Any]]:
        station, kind = self._device(call)
        step = step_at(station.profile, call.time)
        # The epoch second, not the datetime: its repr differs under freezegun (FakeDatetime).
        salt = (call.serial, int(step.start.timestamp()))
        if kind == "INVERTER":
            return _inverter_telemetry(station, step, call.serial, salt)
        if kind == "SMART_METER":
            return _meter_telemetry(step, salt)
        if kind == "BATTERY_RACK":
            return _rack_telemetry(station, step, call.serial, salt)
        if kind == "BAT_SYS":
            return _bat_sys_telemetry(station, step, salt)
        return []

    def _telecounting(self, call: _Call) -> list[dict[str, Any]]:
        station, kind = self._device(call)
        if kind in _NO_TELECOUNTING:
            return []
        now = call.time
        today = local_date(now, station.time_zone)
        replay = call.replay or (
            self.midnight_replay > timedelta(0)
            and now < local_midnight(today, station.time_zone) + self.midnight_replay
        )
        profile = station.profile
        if replay:
            yesterday = today - timedelta(days=1)
            as_of = local_midnight(today, station.time_zone)
            anchor = yesterday
            lifetime = totals_between(
                profile,
                station.installed_on,
                local_midnight(yesterday, station.time_zone),
            )
        else:
            as_of, anchor = now, today
            lifetime = totals_between(profile, station.installed_on, now)
        first = station.installed_on

        def since(day: date) -> Totals:
            return totals_between(profile, max(day, first), as_of)

        periods = {
            "today": since(anchor),
            "week": since(anchor - timedelta(days=anchor.weekday())),
            "month": since(anchor.replace(day=1)),
            "year": since(anchor.replace(month=1, day=1)),
        }
        step = step_at(profile, now)
        if kind == "SMART_METER":
            return _meter_counters(periods, lifetime)
        return _inverter_counters(station, step, periods, lifetime)

    def _statistics(self, call: _Call) -> dict[str, Any]:
        body = call.body
        station = self._station(call, body.get("stationId"))
        dimension = body.get("dimension")
        if dimension not in {"day", "month", "year"}:
            raise self._error("S0327")
        try:
            first = date.fromisoformat(str(body.get("startTime", ""))[:10])
            last = date.fromisoformat(str(body.get("endTime", ""))[:10])
        except ValueError:
            raise self._error("100004") from None
        items = body.get("items") or list(ITEMS)
        if not isinstance(items, list) or not all(i in ITEMS for i in items):
            raise self._error("100004")
        today = local_date(call.time, station.time_zone)
        first, last = max(first, station.installed_on), min(last, today)
        buckets: dict[str, Totals] = {}
        day = first
        while day <= last:
            label = {
                "day": day.isoformat(),
                "month": day.strftime("%Y-%m"),
                "year": str(day.year),
            }[dimension]
            energy = (
                totals_between(station.profile, today, call.time)
                if day == today
                else day_totals(station.profile, day)
            )
            buckets[label] = buckets.get(label, Totals()) + energy
            day += timedelta(days=1)
        total = sum(buckets.values(), Totals())
        data = _summary(station, total, dimension)
        data["dataList"] = [
            {
                "item": item,
                "unit": "kWh",
                "statisticsList": [
                    {"date": label, "val": _item(station, item, energy)}
                    for label, energy in buckets.items()
                ],
            }
            for item in items
        ]
        data["hasProfit"] = False
        return data


@dataclass(frozen=True, slots=True)
class _Call:
    """One authenticated gateway call, as an endpoint's logic sees it."""

    account: GoodWeAccount
    query: Mapping[str, str]
    body: Mapping[str, Any]
    serial: str
    time: datetime
    replay: bool


def _token_header(request: web.Request) -> dict[str, Any] | None:
    try:
        value = json.loads(request.headers.get("token", ""))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _uuid(*parts: str) -> str:
    h = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _status(step: Step) -> str:
    """Station status: "1" working (PV or battery active), "0" waiting (§5.1)."""
    return "1" if step.pv > 0 or step.discharge > 0 else "0"


def _device_status(kind: str, step: Step, station: GoodWeStation) -> int:
    """Device status (§9.4): inverter 5 running / 3 standby (a grid one 1 / 0), BAT_SYS 7 discharging."""
    active = step.pv > 0 or step.discharge > 0
    if kind == "INVERTER":
        if station.hybrid:
            return 5 if active else 3
        return 1 if step.pv > 0 else 0
    if kind == "BAT_SYS":
        return 7 if step.discharge > 0 else 5
    if kind == "BATTERY_RACK":
        return 0
    return 1


def _flows(step: Step) -> dict[str, list[str]]:
    """`{source: [targets]}`: every source feeds every sink but itself (issue #234 samples)."""
    sources = [
        key
        for key, watts in (
            ("pSystem", step.pv),
            ("pBat", step.discharge),
            ("pGrid", step.grid_import),
        )
        if watts > 0
    ]
    sinks = [
        key
        for key, watts in (
            ("pConsum", step.load),
            ("pBat", step.charge),
            ("pGrid", step.export),
        )
        if watts > 0
    ]
    return {source: [sink for sink in sinks if sink != source] for source in sources}


def _noise(salt: tuple[object, ...], name: str, low: float, high: float) -> float:
    digest = hashlib.blake2b(f"{salt}|{name}".encode(), digest_size=8).digest()
    return low + (high - low) * int.from_bytes(digest) / 2**64


def _factor(
    code: str,
    data: str | None,
    unit: str | None,
    alias: str,
    *,
    kind: str = "NUMERIC",
    verbose: bool = False,
    default: bool = False,
) -> dict[str, Any]:
    """A telemetry factor; `verbose` adds the grid inverter's and meter's extra flags."""
    factor: dict[str, Any] = {"code": code}
    if data is not None or not verbose:
        factor["data"] = data
    factor["dataType"] = kind
    if verbose:
        factor |= {"defaultFlag": default, "hiddenInMore": False}
    if unit is not None or not verbose:
        factor["unit"] = unit
    factor["alias"] = alias
    if verbose:
        factor["supportCurve"] = default
    return factor


def _inverter_telemetry(
    station: GoodWeStation, step: Step, serial: str, salt: tuple[object, ...]
) -> list[dict[str, Any]]:
    volts = _noise(salt, "vac", 228, 242)
    ac_kw = step.ac / 1000
    temperature = 22 + 25 * step.pv / (station.pv_kw * 1000) + _noise(salt, "t", 0, 3)
    hours = (
        step.start - local_midnight(station.installed_on, station.time_zone)
    ) / timedelta(hours=2)
    mppt = [0.55, 0.45] if station.hybrid else [1.0]
    pv_volts = [
        (
            _noise(salt, f"vpv{i}", 280, 340)
            if step.pv > 0
            else _noise(salt, f"vpv{i}", 0, 40)
        )
        for i in range(len(mppt))
    ]
    strings = [
        (share * step.pv / 1000, v) for share, v in zip(mppt, pv_volts, strict=True)
    ]
    if not station.hybrid:
        verbose = True
        return [
            {
                "code": "system",
                "alias": "system_parameters",
                "factors": [
                    _factor(
                        "sn",
                        serial,
                        None,
                        "serial_number_1",
                        kind="STRING",
                        verbose=True,
                    ),
                    _factor(
                        "hTotal", _num(hours, 0), "H", "total_worke_time", verbose=True
                    ),
                    _factor(
                        "Temperature",
                        _num(temperature, 1),
                        "\u2103",
                        "chamber_temperature",
                        verbose=True,
                    ),
                ],
            },
            {
                "code": "ac",
                "alias": "ac_parameters",
                "factors": [
                    _factor(
                        "pAc",
                        _num(ac_kw, 3),
                        "kW",
                        "active_power",
                        verbose=verbose,
                        default=True,
                    ),
                    _factor(
                        "qAc", "0", "kVar", "reactive_power", verbose=True, default=True
                    ),
                    _factor(
                        "gridPF", "1", None, "power_factor", verbose=True, default=True
                    ),
                    _factor(
                        "Vac", _num(volts, 1), "V", "single_phase_volt", verbose=True
                    ),
                    _factor(
                        "Iac",
                        _num(step.ac / volts, 1),
                        "A",
                        "single_phase_current",
                        verbose=True,
                    ),
                    _factor(
                        "Fac",
                        _num(_noise(salt, "fac", 49.95, 50.05), 2),
                        "Hz",
                        "grid_freq",
                        verbose=True,
                        default=True,
                    ),
                ],
            },
            {
                "code": "pv",
                "alias": "pv_parameters",
                "factors": [
                    _factor(
                        "ISOLimit", None, "kOhm", "insulation_resistance", verbose=True
                    ),
                    _factor("LeakageCurrent", None, "A", "leakage_cur", verbose=True),
                    _factor(
                        "MPPT-1:Ppv",
                        _num(strings[0][0], 5),
                        "kW",
                        "power",
                        verbose=True,
                    ),
                    _factor(
                        "MPPT-1:Vpv", _num(strings[0][1], 1), "V", "volt", verbose=True
                    ),
                    _factor(
                        "MPPT-1:Ipv",
                        _num(strings[0][0] * 1000 / strings[0][1], 1),
                        "A",
                        "cur",
                        verbose=True,
                    ),
                ],
            },
        ]
    pv_factors = [
        _factor("pDc", _num(step.pv / 1000, 4), "kW", "dc_input_total_power"),
        _factor("ISOLimit", None, "k\u03a9", "insulation_resistance"),
    ]
    pv_factors += [
        _factor(f"MPPT-{i + 1}:Ppv", _num(p, 4), "kW", "power")
        for i, (p, _) in enumerate(strings)
    ]
    pv_factors += [
        _factor(f"MPPT-{i + 1}:Vpv", _num(v, 1), "V", "volt")
        for i, (_, v) in enumerate(strings)
    ]
    pv_factors += [
        _factor(f"MPPT-{i + 1}:Ipv", _num(p * 1000 / v, 1), "A", "cur")
        for i, (p, v) in enumerate(strings)
    ]
    backup_volts = volts - _noise(salt, "vbk", 0, 1)
    return [
        {
            "code": "system",
            "alias": "system_parameters",
            "factors": [
                _factor("sn", serial, None, "serial_number_1", kind="STRING"),
                _factor(
                    "Temperature", _num(temperature, 1), "\u2103", "chamber_temperature"
                ),
                _factor("hTotal", _num(hours, 0), "H", "total_worke_time"),
            ],
        },
        {
            "code": "ac",
            "alias": "ac_parameters",
            "factors": [
                _factor("pAc", _num(ac_kw, 3), "kW", "active_power"),
                _factor(
                    "qAc", _num(_noise(salt, "q", 0, 0.2), 3), "kVar", "reactive_power"
                ),
                _factor(
                    "storagePF",
                    _num(_noise(salt, "pf", 0.9, 1), 2),
                    None,
                    "power_factor",
                ),
                _factor("Vac", _num(volts, 1), "V", "single_phase_volt"),
                _factor(
                    "Iac", _num(abs(step.ac) / volts, 1), "A", "single_phase_current"
                ),
            ],
        },
        {
            "code": "backup",
            "alias": "backup_parameters",
            "factors": [
                _factor("pBackup", "0", "kW", "power"),
                _factor("vBackupPhA", _num(backup_volts, 1), "V", "volt"),
                _factor("aBackupPhA", "0", "A", "cur"),
            ],
        },
        {"code": "pv", "alias": "pv_parameters", "factors": pv_factors},
    ]


def _meter_telemetry(step: Step, salt: tuple[object, ...]) -> list[dict[str, Any]]:
    grid_kw = (step.export - step.grid_import) / 1000
    shares = {"A": 0.45, "B": 0.35, "C": 0.20}
    volts = {phase: _noise(salt, f"v{phase}", 229, 241) for phase in shares}

    def f(code: str, data: str, unit: str, alias: str) -> dict[str, Any]:
        return _factor(code, data, unit, alias, verbose=True, default=True)

    factors = [f("totalPac", _num(grid_kw, 3), "kW", "total_active_power_1")]
    factors += [
        f(f"PHASE-{p}:pAc", _num(grid_kw * s, 3), "kW", "power")
        for p, s in shares.items()
    ]
    factors += [f(f"PHASE-{p}:voltage", _num(volts[p], 1), "V", "volt") for p in shares]
    factors += [
        f(f"PHASE-{p}:current", _num(abs(grid_kw * s) * 1000 / volts[p], 2), "A", "cur")
        for p, s in shares.items()
    ]
    return [{"code": "runtime", "alias": "operating_param", "factors": factors}]


def _battery_volts(step: Step, salt: tuple[object, ...]) -> float:
    return 320 + 0.4 * step.soc + _noise(salt, "vbat", 0, 1)


def _rack_telemetry(
    station: GoodWeStation, step: Step, serial: str, salt: tuple[object, ...]
) -> list[dict[str, Any]]:
    def f(
        code: str,
        data: str,
        unit: str | None,
        alias: str,
        *,
        curve: bool = True,
        kind: str = "NUMERIC",
        default: bool = True,
    ) -> dict[str, Any]:
        factor = _factor(
            code, data, unit, alias, kind=kind, verbose=True, default=default
        )
        factor["supportCurve"] = curve
        return factor

    cell_mv = 3200 + 2 * step.soc
    cell_temp = 24 + 6 * (step.charge + step.discharge) / BATTERY_POWER_W
    return [
        {
            "code": "system",
            "alias": "system_parameters",
            "factors": [
                f(
                    "sn",
                    serial,
                    None,
                    "serial_number_1",
                    kind="STRING",
                    curve=False,
                    default=False,
                ),
                f(
                    "serCellTotal",
                    "100",
                    None,
                    "total_cells_in_series",
                    kind="STRING",
                    curve=False,
                    default=False,
                ),
                f(
                    "version",
                    "2.1",
                    None,
                    "bms_ver",
                    kind="STRING",
                    curve=False,
                    default=False,
                ),
                f(
                    "dcdcVersion",
                    "1.3",
                    None,
                    "dcdc_ver",
                    kind="STRING",
                    curve=False,
                    default=False,
                ),
            ],
        },
        {
            "code": "runtime",
            "alias": "operating_param",
            "factors": [
                f("soc", _num(step.soc, 0), "%", "soc"),
                f("soh", "99", "%", "soh", curve=False),
                f(
                    "pBat",
                    _num((step.discharge - step.charge) / 1000, 3),
                    "kW",
                    "power",
                ),
                f("voltage", _num(_battery_volts(step, salt), 1), "V", "volt"),
                f("pMaxChar", _num(BATTERY_POWER_W / 1000, 1), "kW", "pw_limit"),
                f(
                    "pMaxDischar",
                    _num(BATTERY_POWER_W / 1000, 1),
                    "kW",
                    "discharge_limit_pw",
                ),
                f(
                    "tempMaxCell",
                    _num(cell_temp + 1, 1),
                    "\u2103",
                    "max_cell_temperature",
                    default=False,
                ),
                f(
                    "tempMinCell",
                    _num(cell_temp - 1, 1),
                    "\u2103",
                    "min_cell_temperature",
                    default=False,
                ),
                f(
                    "vMaxCell",
                    _num(cell_mv + 5, 0),
                    "mV",
                    "max_cell_voltage",
                    default=False,
                ),
                f(
                    "vMinCell",
                    _num(cell_mv - 5, 0),
                    "mV",
                    "min_cell_voltage",
                    default=False,
                ),
            ],
        },
    ]


def _bat_sys_telemetry(
    station: GoodWeStation, step: Step, salt: tuple[object, ...]
) -> list[dict[str, Any]]:
    volts = _battery_volts(step, salt)
    watts = step.discharge - step.charge
    room = step.soc < 100
    return [
        {
            "code": "runtime",
            "factors": [
                _factor("soh", "99", "%", "soh"),
                _factor("soc", _num(step.soc, 0), "%", "soc"),
                _factor("pBat", _num(watts / 1000, 5), "kW", "power"),
                _factor("voltage", _num(volts, 1), "V", "volt"),
                _factor("a", _num(watts / volts, 1), "A", "cur"),
                _factor(
                    "batSysTemp",
                    _num(22 + 4 * abs(watts) / BATTERY_POWER_W, 1),
                    "\u2103",
                    "batt_temp",
                ),
                _factor("aMaxChar", "25" if room else "0", "A", "chargecur_limit"),
                _factor("aMaxDischar", "50", "A", "discharge_current_limit"),
            ],
        }
    ]


_PERIODS: Final = (
    ("today", "Today"),
    ("week", "Week"),
    ("month", "Month"),
    ("year", "Year"),
)


def _inverter_counters(
    station: GoodWeStation, step: Step, periods: Mapping[str, Totals], lifetime: Totals
) -> list[dict[str, Any]]:
    """Hybrid: the richaaldo capture's groups (PV, charge, discharge); grid: PV only."""
    hybrid = station.hybrid
    verbose = not hybrid

    def counters(group: str, suffix: str, energy: Totals) -> dict[str, Any]:
        factors = [
            _factor(
                f"proPvStats{suffix}",
                _num(energy.pv),
                "kWh",
                "power_generation" if hybrid else f"{group}_pv_generation",
                verbose=verbose,
                default=True,
            )
        ]
        if hybrid:
            factors += [
                _factor(
                    f"proCharStats{suffix}",
                    _num(energy.charge),
                    "kWh",
                    "charge_quantity",
                ),
                _factor(
                    f"proDischarStats{suffix}",
                    _num(energy.discharge),
                    "kWh",
                    "energy_discharged",
                ),
            ]
        entry: dict[str, Any] = {"code": f"telecounting_{group}"}
        if verbose:
            entry["alias"] = {"today": "day", "lifetime": "total"}.get(group, group)
        entry["factors"] = factors
        return entry

    real = {"code": "telecounting_real"}
    if verbose:
        real["alias"] = "realtime_data"
    groups: list[dict[str, Any]] = [
        real
        | {
            "factors": [
                _factor(
                    "pAc",
                    _num(step.ac / 1000, 3),
                    "kW",
                    "active_power" if verbose else "cur_power",
                    verbose=verbose,
                    default=True,
                ),
                _factor(
                    "ratedPower",
                    _num(station.pv_kw, 1),
                    "kW",
                    "rated_power",
                    verbose=verbose,
                ),
            ]
        }
    ]
    if verbose:
        groups[0]["factors"][1]["frontendConfig"] = {}
    groups += [counters(group, suffix, periods[group]) for group, suffix in _PERIODS]
    groups.append(counters("lifetime", "Total", lifetime))
    return groups


def _meter_counters(
    periods: Mapping[str, Totals], lifetime: Totals
) -> list[dict[str, Any]]:
    """`proGridStats*` export, `proPurchaseStats*` import (§5.3)."""
    groups = []
    for group, suffix, alias, energy in (
        *((g, s, {"today": "day"}.get(g, g), periods[g]) for g, s in _PERIODS),
        ("lifetime", "Total", "total", lifetime),
    ):
        groups.append(
            {
                "code": f"telecounting_{group}",
                "alias": alias,
                "factors": [
                    _factor(
                        f"proGridStats{suffix}",
                        _num(energy.export),
                        "kWh",
                        "grid_energy_1",
                        verbose=True,
                    ),
                    _factor(
                        f"proPurchaseStats{suffix}",
                        _num(energy.grid_import),
                        "kWh",
                        "purchased_electricity",
                        verbose=True,
                    ),
                ],
            }
        )
    return groups


def _item(station: GoodWeStation, item: str, energy: Totals) -> float:
    """One statistics item of a bucket (kWh, 2 decimals); unmeasured ones 0 (decided)."""
    metered = bool(station.meter_sn)
    value = {
        "proSystemTotalStats": energy.pv,
        "proConsumStats": energy.load if metered else 0.0,
        "proCharStats": energy.charge,
        "proDischarStats": energy.discharge,
        "proGridStats": energy.export if metered else 0.0,
        "proPurchaseStats": energy.grid_import if metered else 0.0,
        "proSelfConsumStats": energy.ac - energy.export if metered else 0.0,
    }[item]
    return _kwh(value)


def _rate(part: float, whole: float) -> float:
    return round(100 * part / whole, 2) + 0.0 if whole > 0 else 0.0


def _summary(station: GoodWeStation, total: Totals, dimension: str) -> dict[str, Any]:
    """The summary fields: the day capture's for `day`, the year capture's otherwise."""
    metered = bool(station.meter_sn)
    production = total.ac
    grid = total.export if metered else 0.0
    purchase = total.grid_import if metered else 0.0
    consum = total.load if metered else 0.0
    self_use = production - grid if metered else 0.0
    data: dict[str, Any] = {
        "proSelfConsum": _kwh(self_use),
        "proSelfConsumRate": _rate(self_use, production),
        "production": _kwh(production),
        "proGrid": _kwh(grid),
    }
    if dimension == "day":
        data["proGridRate"] = _rate(grid, production)
    data |= {
        "proConsum": _kwh(consum),
        "contributionRate": _rate(self_use, consum),
        "proPurchase": _kwh(purchase),
    }
    if dimension == "day":
        data |= {
            "proPurchaseRate": _rate(purchase, consum),
            "proPvStoreContribution": _kwh(self_use),
            "proAcTotal": _kwh(production),
        }
    return data
