"""Emporia Energy (Vue monitors, smart plugs, EV chargers): three real hosts under `/emporia`.

| real host | simulator path |
|---|---|
| `https://cognito-idp.us-east-2.amazonaws.com/` (AWS Cognito user pool) | `POST /emporia/cognito` (and `/emporia/cognito/`) |
| `https://api.emporiaenergy.com/` (the "legacy" API) | `/emporia/api/…` |
| `https://s3.amazonaws.com/com.emporiaenergy.manual.ota/maintenance/maintenance.json` | `GET /emporia/maintenance/maintenance.json` |

`Simulator.urls("emporia")` returns them as `api_url`, `auth_url` and `maintenance_url`. Shapes follow
`shared/fixtures/emporia/` and `shared/reference/apis-emporia-alphaess-amber.md` §1. Below, [real]
marks what the references show the real service doing, [decided] what is decided here because
they are silent (a client must not depend on a [decided] detail).

Cognito (`POST`, body JSON with content type `application/x-amz-json-1.1`, `X-Amz-Target:
AWSCognitoIdentityProviderService.<Operation>`; answers `application/x-amz-json-1.1` with an
`x-amzn-RequestId` header):

- Errors are HTTP 400 `{"__type": "<Name>", "message": "…"}` [real], also throttling
  (`TooManyRequestsException`) [real]. Another content type or target → 400
  `UnknownOperationException`; a body that is not a JSON object → 400 `SerializationException`;
  a missing parameter → 400 `InvalidParameterException` "Missing required parameter X" [decided].
- `ClientId` must be `4qte47jbstod8apnfic0bunmrq` (pool `us-east-2_ghlOXVLi1`), else
  `ResourceNotFoundException` "User pool client … does not exist." [real client id; message decided].
- Usernames: the pool is case-sensitive and stores e-mails lower-case, so `Demo@…` is an unknown
  user (the client lowercases, as PyEmVue does) [decided]. A user is found by e-mail or by its
  `sub` (`USER_ID_FOR_SRP`). Unknown → `UserNotFoundException` "User does not exist." [real].
- `InitiateAuth` `USER_PASSWORD_AUTH` → `{"AuthenticationResult": {AccessToken, ExpiresIn, IdToken,
  RefreshToken, TokenType: "Bearer"}, "ChallengeParameters": {}}` [real]; wrong password →
  `NotAuthorizedException` "Incorrect username or password." [real]. With
  `password_auth_enabled = False` → `InvalidParameterException` "USER_PASSWORD_AUTH flow not enabled
  for this client" (how Cognito answers a disabled flow) [real].
- `InitiateAuth` `USER_SRP_AUTH` (USERNAME, SRP_A) → `{"ChallengeName": "PASSWORD_VERIFIER",
  "ChallengeParameters": {SALT, SECRET_BLOCK, SRP_B, USERNAME, USER_ID_FOR_SRP}}` with real server
  SRP-6a math (`custom_components.openpower.api.emporia.srp` primitives): per user a fixed salt and a
  UUID-like `sub` (USERNAME and USER_ID_FOR_SRP are that `sub`), verifier v = g^x mod N; per attempt
  a random b, B = (k·v + g^b) mod N and a random SECRET_BLOCK. No `Session` is returned [decided].
  SRP_A that is not hex or is 0 mod N → `InvalidParameterException` [decided].
- `RespondToAuthChallenge` (ChallengeName PASSWORD_VERIFIER; ChallengeResponses TIMESTAMP, USERNAME,
  PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE): u = H(A|B), S = (A·v^u)^b mod N, key =
  HKDF(S, u), the signature must equal HMAC(key, pool name | sub | block | TIMESTAMP) → tokens
  (with a RefreshToken). Otherwise `NotAuthorizedException` "Incorrect username or password.":
  wrong signature, unknown or already used SECRET_BLOCK (each is good for one answer), USERNAME that
  is not the challenged user, TIMESTAMP not in Cognito's format (`Mon Jan 5 03:04:05 UTC 2026`, day
  not zero-padded; not compared with the clock) [decided]. A challenge older than 180 s →
  `NotAuthorizedException` "Invalid session for the user, session is expired." [decided]. Another
  ChallengeName → `InvalidParameterException` [decided]. `Session` is accepted and ignored.
- `InitiateAuth` `REFRESH_TOKEN_AUTH` (or `REFRESH_TOKEN`) → AuthenticationResult WITHOUT a
  RefreshToken [real]; unknown → `NotAuthorizedException` "Invalid Refresh Token"; revoked
  (`revoke_refresh_tokens`) → "Refresh Token has been revoked"; older than
  `refresh_token_lifetime` seconds (None, the default: never) → "Refresh Token has expired"
  [messages real, lifetime decided].
- Tokens: id and access tokens are JWT-shaped (`base64url(header).base64url(payload).base64url(random
  signature)`, no padding) with `sub`, `email`, `token_use` ("id"/"access"), `iat`, `exp` (simulator
  clock; `exp = iat + token_lifetime`, default 3600 = `ExpiresIn`) and Cognito's other claims.
  Refresh tokens are opaque (JWE-shaped random strings). The API accepts an id token while the
  simulator clock is before its `exp`; `expire_tokens()` makes every issued id/access token expire
  now (their payload still shows the old `exp`: the client only learns it from a 401) [decided].
  Revoking refresh tokens leaves issued id tokens valid until they expire [decided].
- Federated (Google) user `google.user@openpower.invalid`, pool username
  `Google_108234567890123456789`: password and SRP sign-in answer `UserNotFoundException` (whichever
  name is used) [real]. `issue_tokens(email)` returns fresh `{"id_token", "access_token",
  "refresh_token"}` for any user, as a user would paste them from the web app.

Legacy API (`authtoken: <IdToken>` header, not Bearer) [real]:

- Missing, unknown (an access token too), expired token → 401 `{"message": "Unauthorized"}` [real].
  Other errors: `{"message": "…"}` JSON [real]; the 400s of the PUTs name the caller (e-mail and
  source address), as the real host's 4xx messages do [real, wording decided].
- `GET customers` (an `email` query parameter is ignored) → `{customerGid, email, firstName,
  lastName, createdAt}`. `GET customers/devices` → the customer plus `devices[]`, every field of
  the 2026 fixture (locationProperties inline; a nested device inside its parent's `devices[]`,
  not at top level). `GET devices/{gid}/locationProperties` → 400 always (broken since 2025-12).
- `GET customers/devices/status` → `{devicesConnected[] (every device, nested too), evChargers[],
  outlets[{deviceGid, outletOn, loadGid}], batteries[], loads[]}` (`loads[]`: one per charger and
  outlet, everything off/null as in the fixture).
- `PUT devices/outlet` `{"deviceGid", "outletOn", "loadGid"}` → the updated outlet. 400: not the
  customer's plug, loadGid missing or wrong, outletOn not a boolean.
- `PUT devices/evcharger` `{"deviceGid", "loadGid", "chargerOn", "chargingRate", "maxChargingRate"}`
  (+ `"breakerPIN"` when the charger has one) → the full updated charger (as in status). 400: not
  the customer's charger, loadGid wrong, PIN missing or wrong, chargerOn not a boolean,
  chargingRate not an integer in 6..maxChargingRate, maxChargingRate not the charger's. With
  `reject_charger_writes = True` every charger PUT → 400 `{"message": "Charger is offline"}`.
- A write changes the status at once and the usage from the next minute boundary [decided].
- Charger status [decided, texts from the fixtures]: the car is plugged in 18:00-07:00 local time.
  On and plugged: status "Charging", icon "CarConnected", iconLabel "On"; on, not plugged:
  "Standby", "CarNotConnected", "Ready" with the fixture's detail text; off and plugged: "Standby",
  "CarConnected", "Pausing", "Please wait a moment."; off, not plugged: "Standby",
  "CarNotConnected", "Off". Power while charging = chargingRate × 240 V.
- `GET AppAPI?apiMethod=getDeviceListUsages&deviceGids=g1+g2&instant=…&scale=…&energyUnit=…`:
  `usage` is energy in kWh over the scale's window [real]. Windows [decided]: 1S and 1MIN = the
  last complete second/minute ending at or before `instant`; 15MIN and 1H = the UTC-aligned window
  containing `instant`; 1D, 1W (Monday to Monday), 1MON and 1Y = the calendar window containing
  `instant` in the device's time zone. Every window is truncated at the simulator's "now" (and at
  `offlineSince` while a device is offline); a window that has not started → `usage` null. The
  response `instant` is the window start (of the first listed device) [decided; the captured
  fixtures echo the request's instant instead: set `echo_instant = True` for that]. Gids are
  separated by `+` (a literal `+` in a query decodes to a space: both work); gids that are not the
  customer's are left out; devices come in request order. A monitor's usages are Main (name
  "Main"), its circuits in channel order, then `Balance` (mains minus the circuits). A nested device
  requested with its parent appears only in the parent's Main `nestedDevices` [real shape];
  requested without its parent it is listed at top level [decided]. `percentage` = 100 × usage /
  the top-level device's mains (0.0 when the mains are not positive or usage is null) [decided].
  energyUnit WATTS (any unknown unit) → 400 with the real message; a valid unit other than
  KilowattHours → 400 "… is not simulated"; unknown scale or bad instant → 400.
- `GET AppAPI?apiMethod=getChartUsage&deviceGid=&channel=&start=&end=&scale=&energyUnit=` →
  `{"usageList": [...], "firstUsageInstant": "…Z"}`: one float per window of the scale (1MIN, 15MIN,
  1H UTC-aligned; 1D local calendar days) from the window containing `start` while windows start
  before `end`; null for windows after now [decided]. `channel` is one channel number ("1,2,3",
  "1", …, "Balance"). More than 10,000 points → 400; end not after start, other scales → 400.
- Unknown paths → 404 `{"message": "Not Found"}`.

Maintenance flag: normally 403 with S3's `AccessDenied` XML (`application/xml`) [real], as is every
other key under `/emporia/maintenance/` (a private bucket) [real]. With `maintenance = True`: 200
`{"msg":"down"}` [real] and every legacy API request → 503 text/plain "Service Unavailable"
[decided]; Cognito keeps working.

Knobs (attributes of `Simulator.emporia`): `password_auth_enabled` (True), `token_lifetime` (3600 s),
`refresh_token_lifetime` (None), `maintenance` (False), `reject_charger_writes` (False),
`echo_instant` (False), `fault_targets` ({"api", "cognito"}); `writes` lists the (path, JSON body)
of every PUT whose body was read, for tests. Methods: `issue_tokens(email)`,
`revoke_refresh_tokens(email)`, `expire_tokens()`, `add_account(...)`, `add_device(device,
customer=…)` (`EmporiaDevice.monitor/plug/ev_charger` build one), `remove_device(gid)` (with the
devices nested in it), `set_connected(gid, connected)`, `set_outlet(gid, on)`, `set_charger(gid,
on=…, rate=…)` (what the app would do), `energy(gid, channel, start, end)` and `power(gid,
channel, moment)` (the model, for tests). `clear_model_cache()` forgets the memoized model, which
every simulator in the process shares.

Usage model [decided]: every circuit has a power in W that is piecewise constant per minute: a
daily shape in the device's local time (linear within each UTC hour, or one level per hour for
appliances that switch) plus a hash-based jitter, deterministic per (device, channel, minute).
Energies add up exactly (to float rounding): 60 1MIN values make the 1H value; a monitor's mains =
its circuits + an unmonitored base load (≥ 0, served as `Balance`); Solar (bidirectional) is
negative in daylight, so the mains go negative (export) around solar noon; the Vue 2's "EV charger"
circuit equals the charger's power; its "Sub-panel" circuit equals the Vue 3's mains. The reported
value already includes `channelMultiplier`. The smart plug's power is its own (not part of any
circuit) and 0 while it is off. Values do not depend on when they are asked for, only on the state
history (charger and outlet writes).

Faults (`Simulator.fault_next("emporia", …)`): they apply to requests of the hosts in
`fault_targets` (default `{"api", "cognito"}`; add `"maintenance"` to fault the S3 flag too; other
requests neither take nor consume a queued fault) [decided].

- Legacy API: `http_400` 400 `{"message":"Bad Request"}` (the 2026-09-16 `/customers` outage),
  `http_401` 401 Unauthorized, `http_403` 403 `{"message":"Forbidden"}`, `http_429` API Gateway's
  429 `{"message":"Too Many Requests"}` without Retry-After, `http_500`/`http_502`
  `{"message": "Internal server error"}`, `not_found` 404 `{"message":"Not Found"}`.
- Cognito (its `{"__type","message"}` bodies): `http_400` InvalidParameterException, `http_401` →
  400 NotAuthorizedException (Cognito never answers 401), `http_403` 403 ForbiddenException,
  `http_429` → 400 TooManyRequestsException (as Cognito throttles), `http_500`/`http_502`
  InternalErrorException with that status, `not_found` → 400 ResourceNotFoundException.
- S3: S3 error XML; `http_401` → 403 AccessDenied, `http_429` → 503 SlowDown, others keep their
  status.
- `null_usage`: every `usage` of getDeviceListUsages and every getChartUsage value is null.
  `stale_instant`: getDeviceListUsages answers the window before the requested one (its `instant`
  and its usages). Other requests that take a data fault are served normally.
- `timeout`, `malformed`: the application's (see `app.py`).
"""

import base64
import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
import hashlib
import hmac
import json
import math
import re
import secrets
from typing import Any, ClassVar, Final, Protocol
import uuid
from zoneinfo import ZoneInfo

from aiohttp import web

from custom_components.openpower.api.emporia.srp import (
    G,
    K,
    N,
    claim_signature,
    derive_key,
    password_exponent,
    scrambler,
)

from .common import (
    CONTEXT,
    HTTP_FAULTS,
    TRANSPORT_FAULTS,
    ProviderPart,
    Reply,
    json_bytes,
    json_response,
)
from .solar_model import bump as _bump, local_midnight as _local_midnight, unit as _unit

CLIENT_ID: Final = "4qte47jbstod8apnfic0bunmrq"
POOL_ID: Final = "us-east-2_ghlOXVLi1"
POOL_NAME: Final = POOL_ID.split("_", 1)[1]
ISSUER: Final = f"https://cognito-idp.us-east-2.amazonaws.com/{POOL_ID}"
AMZ_JSON: Final = "application/x-amz-json-1.1"
TARGET_PREFIX: Final = "AWSCognitoIdentityProviderService."
SRP_CHALLENGE_LIFETIME: Final = 180.0
VOLTS: Final = 240
MIN_CHARGING_RATE: Final = 6
MAX_CHART_POINTS: Final = 10_000
MAINS: Final = "1,2,3"
BALANCE: Final = "Balance"
SCALES: Final = ("1S", "1MIN", "15MIN", "1H", "1D", "1W", "1MON", "1Y")
CHART_SCALES: Final = ("1MIN", "15MIN", "1H", "1D")
ENERGY_UNITS: Final = (
    "KilowattHours",
    "Dollars",
    "AmpHours",
    "Trees",
    "GallonsOfGas",
    "MilesDriven",
    "Carbon",
    "Voltage",
)
EMPORIA_DATA_FAULTS: Final = frozenset({"null_usage", "stale_instant"})

# Demo data.
EMPORIA_EMAIL: Final = "demo@openpower.invalid"
EMPORIA_PASSWORD: Final = "openpower-demo"
EMPORIA_CUSTOMER_GID: Final = 1000001
EMPORIA_FEDERATED_EMAIL: Final = "google.user@openpower.invalid"
EMPORIA_FEDERATED_USERNAME: Final = "Google_108234567890123456789"
EMPORIA_FEDERATED_CUSTOMER_GID: Final = 1000002
EMPORIA_VUE2_GID: Final = 2000001
EMPORIA_VUE3_GID: Final = 2000002
EMPORIA_PLUG_GID: Final = 2000003
EMPORIA_CHARGER_GID: Final = 2000004
EMPORIA_FEDERATED_PLUG_GID: Final = 2000005
EMPORIA_PLUG_LOAD_GID: Final = 3000003
EMPORIA_CHARGER_LOAD_GID: Final = 3000004
EMPORIA_BREAKER_PIN: Final = "5426"
DEMO_TIME_ZONE: Final = "America/Los_Angeles"

_HISTORY_START: Final = -(1 << 40)
_UNAUTHORIZED: Final = b'{"message":"Unauthorized"}'
_TIMESTAMP: Final = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[1-9]\d? \d\d:\d\d:\d\d UTC \d{4}"
)
_BAD_UNIT: Final = (
    "unit '{unit}' is not a valid EnergyUnit; defined EnergyUnit are ["
    + ", ".join(ENERGY_UNITS)
    + "]"
)
_S3_ERROR: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>{code}</Code><Message>{message}</Message>"
    "<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
)
_CHARGER_TEXTS: Final = {
    # (on, plugged): message, status, icon, iconLabel, iconDetailText, debugCode
    (True, True): ("Charging", "Charging", "CarConnected", "On", None, "411"),
    (True, False): (
        "Ready",
        "Standby",
        "CarNotConnected",
        "Ready",
        "Charger will start charging when connected to a vehicle.",
        "011",
    ),
    (False, True): (
        "Check your EV",
        "Standby",
        "CarConnected",
        "Pausing",
        "Please wait a moment.",
        "011",
    ),
    (False, False): ("Ready", "Standby", "CarNotConnected", "Off", None, "011"),
}


# --------------------------------------------------------------------------------------------
# Accounts and devices


@dataclass(slots=True)
class EmporiaAccount:
    """A Cognito user and its Emporia customer."""

    email: str
    """Lower-case e-mail: the name password and SRP sign-in use."""
    password: str | None
    """None for a federated (Google) user: it cannot sign in with a password."""
    customer_gid: int
    first_name: str
    last_name: str
    created_at: str = "2022-03-14T17:05:09Z"
    federated_username: str | None = None
    """Pool username of a federated user (`Google_<id>`)."""
    user_id: str = ""
    """The user's `sub` (UUID-like), also `USER_ID_FOR_SRP`; derived from the e-mail."""
    salt: str = ""
    verifier: int = 0
    device_gids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Derive the user id, the SRP salt and the verifier from the e-mail and password."""
        digest = hashlib.blake2b(self.email.encode(), digest_size=16).hexdigest()
        if not self.user_id:
            self.user_id = str(uuid.UUID(hex=digest, version=4))
        if not self.salt:
            self.salt = hashlib.blake2b(
                f"salt:{self.email}".encode(), digest_size=16
            ).hexdigest()
        if self.password is not None:
            x = password_exponent(POOL_NAME, self.user_id, self.password, self.salt)
            self.verifier = pow(G, x, N)

    @property
    def username(self) -> str:
        """The pool username (`cognito:username`)."""
        return self.federated_username or self.user_id


@dataclass(slots=True)
class EmporiaChannel:
    """A channel of a device, with the usage profile that drives its power."""

    num: str
    """channelNum: "1,2,3" for the mains, "1".."16" for circuits."""
    name: str | None
    type: str = "FiftyAmp"
    """"Main", "FiftyAmp" or "FiftyAmpBidirectional"."""
    channel_type_gid: int | None = None
    channel_id: str = ""
    multiplier: float = 1.0
    profile: str = "generic"
    """Key of the daily shape (`PROFILES`)."""
    source_gid: int | None = None
    """A device whose Main power this circuit carries (the Vue 2's EV charger circuit)."""
    parent_channel_num: str | None = None

    @classmethod
    def mains(
        cls, *, channel_type_gid: int | None = None, profile: str = "generic"
    ) -> EmporiaChannel:
        """The "1,2,3" Main channel."""
        return cls(MAINS, None, "Main", channel_type_gid, "Mains", profile=profile)

    @classmethod
    def circuit(
        cls,
        number: int,
        name: str | None,
        *,
        channel_type_gid: int | None = None,
        type: str = "FiftyAmp",  # noqa: A002 - the API's field name
        multiplier: float = 1.0,
        profile: str = "generic",
        source_gid: int | None = None,
    ) -> EmporiaChannel:
        """Circuit `number` ("Branch_<number>")."""
        return cls(
            str(number),
            name,
            type,
            channel_type_gid,
            f"Branch_{number}",
            multiplier,
            profile,
            source_gid,
        )


@dataclass(slots=True)
class EmporiaOutlet:
    """A smart plug's switch; `history` is (effective epoch, on), for the usage model."""

    load_gid: int
    on: bool = True
    history: list[tuple[int, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start the history with the initial state."""
        if not self.history:
            self.history.append((_HISTORY_START, self.on))


@dataclass(slots=True)
class EmporiaCharger:
    """An EV charger's settings; `history` is (effective epoch, on, rate), for the usage model."""

    load_gid: int
    on: bool = True
    rate: int = 32
    max_rate: int = 40
    breaker_pin: str | None = None
    history: list[tuple[int, bool, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start the history with the initial state."""
        if not self.history:
            self.history.append((_HISTORY_START, self.on, self.rate))


@dataclass(slots=True)
class EmporiaDevice:
    """A device of a customer (monitor, plug or charger)."""

    gid: int
    serial: str
    model: str
    firmware: str
    name: str
    channels: list[EmporiaChannel]
    time_zone: str = DEMO_TIME_ZONE
    parent_gid: int | None = None
    parent_channel_num: str | None = None
    outlet: EmporiaOutlet | None = None
    charger: EmporiaCharger | None = None
    base_profile: str = "base"
    """Profile of a monitor's unmonitored load (its Balance)."""
    location_information: dict[str, str] | None = None
    zip_code: str = "94607"
    connected: bool = True
    offline_since: datetime | None = None

    @classmethod
    def monitor(
        cls,
        gid: int,
        serial: str,
        name: str,
        circuits: Iterable[EmporiaChannel | str],
        *,
        model: str = "VUE002",
        firmware: str = "Vue2-1655931262",
        parent_gid: int | None = None,
        parent_channel_num: str | None = None,
        time_zone: str = DEMO_TIME_ZONE,
    ) -> EmporiaDevice:
        """A Vue with mains and circuits (names become generic circuits "1", "2", …)."""
        channels = [EmporiaChannel.mains()]
        for number, circuit in enumerate(circuits, start=1):
            channels.append(
                circuit
                if isinstance(circuit, EmporiaChannel)
                else EmporiaChannel.circuit(number, circuit)
            )
        return cls(
            gid,
            serial,
            model,
            firmware,
            name,
            channels,
            time_zone,
            parent_gid,
            parent_channel_num,
        )

    @classmethod
    def plug(
        cls,
        gid: int,
        serial: str,
        name: str,
        load_gid: int,
        *,
        profile: str = "generic",
        on: bool = True,
        time_zone: str = DEMO_TIME_ZONE,
    ) -> EmporiaDevice:
        """A smart plug (SSO001)."""
        return cls(
            gid,
            serial,
            "SSO001",
            "Outlet-1594685591",
            name,
            [EmporiaChannel.mains(channel_type_gid=23, profile=profile)],
            time_zone,
            outlet=EmporiaOutlet(load_gid, on),
        )

    @classmethod
    def ev_charger(
        cls,
        gid: int,
        serial: str,
        name: str,
        load_gid: int,
        *,
        breaker_pin: str | None = None,
        max_rate: int = 40,
        rate: int = 32,
        on: bool = True,
        time_zone: str = DEMO_TIME_ZONE,
    ) -> EmporiaDevice:
        """An EV charger (VVDN01)."""
        return cls(
            gid,
            serial,
            "VVDN01",
            "EVCharger-812",
            name,
            [EmporiaChannel.mains(channel_type_gid=25)],
            time_zone,
            charger=EmporiaCharger(load_gid, on, rate, max_rate, breaker_pin),
        )

    def channel(self, num: str) -> EmporiaChannel | None:
        """Return the channel with this channelNum."""
        return next((c for c in self.channels if c.num == num), None)

    @property
    def circuits(self) -> list[EmporiaChannel]:
        """Every channel but the mains."""
        return [c for c in self.channels if c.type != "Main"]


# --------------------------------------------------------------------------------------------
# Deterministic usage model


@lru_cache(maxsize=1 << 17)
def _local(time_zone: str, epoch: int) -> tuple[float, str, int, int]:
    """Local hour (fractional), local date, weekday and month of an instant."""
    local = datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(time_zone))
    return (
        local.hour + local.minute / 60,
        local.date().isoformat(),
        local.weekday(),
        local.month,
    )


_COOLING: Final = (0.1, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.0, 0.9, 0.6, 0.2, 0.1)
_HEATING: Final = (1.0, 0.9, 0.6, 0.3, 0.1, 0.0, 0.0, 0.0, 0.0, 0.2, 0.6, 1.0)
_DAY_LENGTH: Final = (
    9.8,
    10.8,
    12.0,
    13.2,
    14.2,
    14.7,
    14.5,
    13.6,
    12.4,
    11.2,
    10.1,
    9.5,
)

type _Level = Callable[[str, float, str, int, int, int], float]
"""(key, local hour, local date, weekday, month, hour epoch) → W."""


def _kitchen(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    size = 0.7 + 0.6 * _unit(key, "day", day)
    return 60 + size * (
        650 * _bump(hour, 7.5, 0.9)
        + 250 * _bump(hour, 12.5, 0.8)
        + 1500 * _bump(hour, 18.5, 1.1)
    )


def _dryer(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    runs = _unit(key, "runs", day) < 0.45
    at = 18 + int(3 * _unit(key, "at", day))
    return 4300 * (0.6 + 0.4 * _unit(key, slot)) if runs and int(hour) == at else 2.0


def _hvac(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    cooling = _COOLING[month - 1] * 2600 * _bump(hour, 16, 3.2)
    heating = _HEATING[month - 1] * 1800 * (_bump(hour, 7, 2) + _bump(hour, 21, 2.5))
    return 120 + cooling * (0.6 + 0.8 * _unit(key, "day", day)) + heating


def _water_heater(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    local = int(hour)
    chance = 0.65 if 6 <= local < 9 else 0.5 if 18 <= local < 22 else 0.07
    if _unit(key, "on", slot) < chance:
        return 4500 * (0.25 + 0.75 * _unit(key, "length", slot))
    return 0.5


def _fridge(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 70 + 90 * _unit(key, slot)


def _solar(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    length = _DAY_LENGTH[month - 1]
    sunrise = 13.0 - length / 2
    if not sunrise < hour < sunrise + length:
        return 0.0
    daylight = math.sin(math.pi * (hour - sunrise) / length)
    return -6500 * daylight * (0.75 + 0.25 * _unit(key, "sun", day))


def _office(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 35 + (250 * _bump(hour, 13, 3.5) if wd < 5 else 40 * _bump(hour, 14, 3))


def _lights(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 20 + 380 * _bump(hour, 20.5, 1.8) + 110 * _bump(hour, 6.8, 0.8)


def _dishwasher(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    runs = _unit(key, "runs", day) < 0.6
    at = 20 + (_unit(key, "at", day) < 0.5)
    return 1300 * (0.7 + 0.3 * _unit(key, slot)) if runs and int(hour) == at else 1.0


def _washer(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    runs = _unit(key, "runs", day) < 0.35
    return 480.0 if runs and int(hour) in {9, 10} else 1.0


def _microwave(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    if int(hour) in {7, 12, 18} and _unit(key, "on", slot) < 0.7:
        return 1100 * (0.05 + 0.1 * _unit(key, slot))
    return 2.5


def _garage(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 15 + 70 * _bump(hour, 18, 1.2)


def _living_room(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    return 55 + 240 * _bump(hour, 20, 2.2)


def _bedrooms(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 35 + 140 * _bump(hour, 22, 1.5) + 80 * _bump(hour, 7, 1)


def _base(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 110 + 60 * _unit(key, "day", day) + 45 * _bump(hour, 19, 3)


def _small_base(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    return 18 + 10 * _unit(key, "day", day)


def _compressor(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    if 9 <= int(hour) < 17 and wd < 6 and _unit(key, "on", slot) < 0.35:
        return 1500 * (0.3 + 0.7 * _unit(key, slot))
    return 0.0


def _lathe(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    if 10 <= int(hour) < 16 and wd < 5 and _unit(key, "on", slot) < 0.25:
        return 850 * (0.4 + 0.6 * _unit(key, slot))
    return 0.0


def _heater(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    return 3 + _HEATING[month - 1] * 1400 * _bump(hour, 8, 2.5)


def _workshop_lights(
    key: str, hour: float, day: str, wd: int, month: int, slot: int
) -> float:
    return 120.0 if 9 <= int(hour) < 18 else 1.5


def _coffee(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    if 6 <= int(hour) < 8:
        return 700 * (0.4 + 0.6 * _unit(key, "brew", day))
    return 1.2


def _generic(key: str, hour: float, day: str, wd: int, month: int, slot: int) -> float:
    size = 20 + 180 * _unit(key, "size")
    return size * (0.4 + 0.9 * _bump(hour, 19, 3) + 0.4 * _bump(hour, 8, 1.5))


PROFILES: Final[dict[str, tuple[bool, _Level]]] = {
    # name: (switches per hour (one level per hour) or smooth (linear within the hour), shape)
    "kitchen": (False, _kitchen),
    "dryer": (True, _dryer),
    "hvac": (False, _hvac),
    "water_heater": (True, _water_heater),
    "fridge": (True, _fridge),
    "solar": (False, _solar),
    "office": (False, _office),
    "lights": (False, _lights),
    "dishwasher": (True, _dishwasher),
    "washer": (True, _washer),
    "microwave": (True, _microwave),
    "garage": (False, _garage),
    "living_room": (False, _living_room),
    "bedrooms": (False, _bedrooms),
    "base": (False, _base),
    "small_base": (False, _small_base),
    "compressor": (True, _compressor),
    "lathe": (True, _lathe),
    "heater": (False, _heater),
    "workshop_lights": (True, _workshop_lights),
    "coffee": (True, _coffee),
    "generic": (False, _generic),
}
"""Daily shapes, in W, by profile name (`EmporiaChannel.profile`)."""


def _jitter(profile: str, key: str, start: int) -> bytes:
    """60 pseudo-random bytes (one per minute) of one UTC hour of a channel."""
    text = f"{profile}|{key}|{start}".encode()
    return hashlib.blake2b(text, digest_size=64).digest()[:60]


@lru_cache(maxsize=1 << 17)
def _shape_hour(
    profile: str, key: str, time_zone: str, start: int
) -> tuple[float, float, float, float]:
    """One UTC hour of a shape: levels at its start and end, jitter amplitude, kWh.

    Minute m (0..59) draws `l0 + (l1 - l0)·(m + ½)/60 + amp·(byte_m - 127.5)/127.5` W; the jitter
    never changes the sign (amp is a fraction of the smaller level), so the hour's energy has a
    closed form.
    """
    stepped, level = PROFILES[profile]
    if stepped:
        l0 = l1 = level(key, *_local(time_zone, start + 1800), start)
        share = 0.1
    else:
        l0 = level(key, *_local(time_zone, start), start)
        l1 = level(key, *_local(time_zone, start + 3600), start + 3600)
        share = 0.25
    amp = share * min(abs(l0), abs(l1))
    watts = 30 * (l0 + l1) + amp * (sum(_jitter(profile, key, start)) - 7650) / 127.5
    return l0, l1, amp, watts / 60_000


@lru_cache(maxsize=1 << 15)
def _shape_day(profile: str, key: str, time_zone: str, start: int) -> float:
    """KWh of one UTC day of a shape (the sum of its 24 hours)."""
    return sum(
        _shape_hour(profile, key, time_zone, hour)[3]
        for hour in range(start, start + 86400, 3600)
    )


def clear_model_cache() -> None:
    """Forget the memoized model (it is shared by every simulator in the process)."""
    for cached in (_local, _shape_hour, _shape_day, _charging_hour):
        cached.cache_clear()


def _plugged(time_zone: str, minute: int) -> bool:
    """The demo car is plugged in from 18:00 to 07:00 local time."""
    hour = _local(time_zone, minute)[0]
    return hour >= 18 or hour < 7


def _state[T: tuple[Any, ...]](history: tuple[T, ...] | list[T], moment: int) -> T:
    """The history entry in effect at `moment` (entries start with their effective epoch)."""
    index = bisect.bisect_right(history, moment, key=lambda entry: entry[0]) - 1
    return history[max(index, 0)]


def _changes_within(history: tuple[tuple[Any, ...], ...], start: int, end: int) -> bool:
    return any(start < entry[0] < end for entry in history)


@lru_cache(maxsize=1 << 16)
def _charging_hour(
    time_zone: str, history: tuple[tuple[int, bool, int], ...], start: int
) -> float:
    """Energy (kWh) a charger draws in one UTC hour."""
    if not _changes_within(history, start, start + 3600) and _plugged(
        time_zone, start
    ) == _plugged(time_zone, start + 3540):
        return _charging_watts(time_zone, history, start) / 1000
    return (
        sum(_charging_watts(time_zone, history, start + 60 * m) for m in range(60))
        / 60_000
    )


def _charging_watts(
    time_zone: str, history: tuple[tuple[int, bool, int], ...], minute: int
) -> float:
    _, on, rate = _state(history, minute)
    return float(rate * VOLTS) if on and _plugged(time_zone, minute) else 0.0


class _Source(Protocol):
    """Something with a power per minute and an energy per UTC hour and day."""

    def day(self, start: int) -> float:
        """KWh of the UTC day starting at `start`."""
        ...

    def hour(self, start: int) -> float:
        """KWh of the UTC hour starting at `start`."""
        ...

    def watts(self, minute: int) -> float:
        """W during the minute starting at `minute`."""
        ...


@dataclass(frozen=True, slots=True)
class _Shape:
    profile: str
    key: str
    time_zone: str

    def day(self, start: int) -> float:
        return _shape_day(self.profile, self.key, self.time_zone, start)

    def hour(self, start: int) -> float:
        return _shape_hour(self.profile, self.key, self.time_zone, start)[3]

    def watts(self, minute: int) -> float:
        start = minute - minute % 3600
        l0, l1, amp, _ = _shape_hour(self.profile, self.key, self.time_zone, start)
        index = (minute - start) // 60
        jitter = _jitter(self.profile, self.key, start)[index] if amp else 127.5
        return l0 + (l1 - l0) * (index + 0.5) / 60 + amp * (jitter - 127.5) / 127.5


@dataclass(frozen=True, slots=True)
class _Sum:
    parts: tuple[_Source, ...]

    def day(self, start: int) -> float:
        return sum(part.day(start) for part in self.parts)

    def hour(self, start: int) -> float:
        return sum(part.hour(start) for part in self.parts)

    def watts(self, minute: int) -> float:
        return sum(part.watts(minute) for part in self.parts)


@dataclass(frozen=True, slots=True)
class _Switched:
    inner: _Shape
    history: tuple[tuple[int, bool], ...]

    def day(self, start: int) -> float:
        if not _changes_within(self.history, start, start + 86400):
            return self.inner.day(start) if _state(self.history, start)[1] else 0.0
        return sum(self.hour(hour) for hour in range(start, start + 86400, 3600))

    def hour(self, start: int) -> float:
        if not _changes_within(self.history, start, start + 3600):
            return self.inner.hour(start) if _state(self.history, start)[1] else 0.0
        return sum(self.watts(start + 60 * m) for m in range(60)) / 60_000

    def watts(self, minute: int) -> float:
        return self.inner.watts(minute) if _state(self.history, minute)[1] else 0.0


@dataclass(frozen=True, slots=True)
class _Charging:
    time_zone: str
    history: tuple[tuple[int, bool, int], ...]

    def day(self, start: int) -> float:
        return sum(self.hour(hour) for hour in range(start, start + 86400, 3600))

    def hour(self, start: int) -> float:
        return _charging_hour(self.time_zone, self.history, start)

    def watts(self, minute: int) -> float:
        return _charging_watts(self.time_zone, self.history, minute)


class _Zero:
    def day(self, start: int) -> float:
        return 0.0

    def hour(self, start: int) -> float:
        return 0.0

    def watts(self, minute: int) -> float:
        return 0.0


def _energy(source: _Source, start: int, end: int) -> float:
    """KWh of `source` over [start, end) (epoch seconds): whole UTC days and hours from caches."""
    total = 0.0
    if start % 60:
        minute = start - start % 60
        cut = min(end, minute + 60)
        total += source.watts(minute) * (cut - start) / 3_600_000
        start = cut
    while start % 3600 and end - start >= 60:
        total += source.watts(start) / 60_000
        start += 60
    while start % 86400 and end - start >= 3600:
        total += source.hour(start)
        start += 3600
    while end - start >= 86400:
        total += source.day(start)
        start += 86400
    while end - start >= 3600:
        total += source.hour(start)
        start += 3600
    while end - start >= 60:
        total += source.watts(start) / 60_000
        start += 60
    if start < end:
        total += source.watts(start) * (end - start) / 3_600_000
    return total + 0.0


# --------------------------------------------------------------------------------------------
# Time helpers


def _epoch(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _calendar(scale: str, day: date) -> tuple[date, date]:
    """First day of the calendar window containing `day`, and of the next one."""
    if scale == "1D":
        return day, day + timedelta(days=1)
    if scale == "1W":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=7)
    if scale == "1MON":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)
    return date(day.year, 1, 1), date(day.year + 1, 1, 1)


def usage_window(scale: str, instant: datetime, time_zone: str) -> tuple[int, int]:
    """The [start, end) epochs getDeviceListUsages serves for `instant` (see the module doc)."""
    moment = _epoch(instant)
    if scale in {"1S", "1MIN"}:
        step = 1 if scale == "1S" else 60
        end = moment - moment % step
        return end - step, end
    if scale in {"15MIN", "1H"}:
        step = 900 if scale == "15MIN" else 3600
        start = moment - moment % step
        return start, start + step
    day = instant.astimezone(ZoneInfo(time_zone)).date()
    first, following = _calendar(scale, day)
    return (
        _epoch(_local_midnight(first, time_zone)),
        _epoch(_local_midnight(following, time_zone)),
    )


def previous_window(scale: str, start: int, time_zone: str) -> tuple[int, int]:
    """The window before the one starting at `start`."""
    if scale in {"1S", "1MIN"}:
        return usage_window(scale, _utc(start), time_zone)
    return usage_window(scale, _utc(start - 1), time_zone)


def chart_windows(
    scale: str, start: datetime, end: datetime, time_zone: str
) -> list[tuple[int, int]]:
    """The windows of getChartUsage: from the one containing `start`, while they start before `end`.

    Raises ValueError beyond `MAX_CHART_POINTS` windows.
    """
    first, stop = _epoch(start), _epoch(end)
    step = {"1MIN": 60, "15MIN": 900, "1H": 3600, "1D": 86400}[scale]
    if (stop - first) // step > MAX_CHART_POINTS + 1:
        raise ValueError("too many windows")
    if scale == "1D":
        day = start.astimezone(ZoneInfo(time_zone)).date()
        windows = []
        begin = _epoch(_local_midnight(day, time_zone))
        while begin < stop:
            day += timedelta(days=1)
            following = _epoch(_local_midnight(day, time_zone))
            windows.append((begin, following))
            begin = following
    else:
        begin = first - first % step
        count = -(-(stop - begin) // step)
        windows = [(begin + step * i, begin + step * (i + 1)) for i in range(count)]
    if len(windows) > MAX_CHART_POINTS:
        raise ValueError("too many windows")
    return windows


def _parse_instant(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


# --------------------------------------------------------------------------------------------
# Tokens


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(payload: dict[str, Any]) -> str:
    header = {"kid": "openpower-simulator-key-1", "alg": "RS256"}
    return ".".join(
        (
            _b64url(json_bytes(header)),
            _b64url(json_bytes(payload)),
            _b64url(secrets.token_bytes(256)),
        )
    )


def _opaque_refresh_token() -> str:
    header = {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}
    return ".".join(
        [_b64url(json_bytes(header))]
        + [_b64url(secrets.token_bytes(size)) for size in (64, 12, 96, 16)]
    )


@dataclass(slots=True)
class _Token:
    email: str
    use: str
    expires: float


@dataclass(slots=True)
class _RefreshToken:
    email: str
    issued: datetime
    revoked: bool = False


@dataclass(slots=True)
class _Challenge:
    email: str
    big_a: int
    big_b: int
    small_b: int
    issued: datetime


# --------------------------------------------------------------------------------------------
# The provider part


class EmporiaSimulator(ProviderPart):
    """Emporia's Cognito pool, legacy API and maintenance flag, under `/emporia`."""

    name: ClassVar[str] = "emporia"
    prefix: ClassVar[str] = "/emporia"
    supported_faults: ClassVar[frozenset[str]] = (
        HTTP_FAULTS | TRANSPORT_FAULTS | EMPORIA_DATA_FAULTS
    )

    def __init__(self, clock: Callable[[], datetime], *, demo: bool = True) -> None:
        """Create the Emporia part; `demo` adds the demo accounts and devices."""
        self.clock = clock
        self.password_auth_enabled = True
        self.token_lifetime = 3600
        self.refresh_token_lifetime: float | None = None
        self.maintenance = False
        self.reject_charger_writes = False
        self.echo_instant = False
        self.fault_targets: set[str] = {"api", "cognito"}
        self.writes: list[tuple[str, dict[str, Any]]] = []
        self.accounts: dict[str, EmporiaAccount] = {}
        self.devices: dict[int, EmporiaDevice] = {}
        self._tokens: dict[str, _Token] = {}
        self._refresh_tokens: dict[str, _RefreshToken] = {}
        self._challenges: dict[str, _Challenge] = {}
        if demo:
            self.add_demo_data()

    # ----------------------------------------------------------------------------------------
    # Accounts and tokens

    def add_account(
        self,
        email: str,
        password: str | None,
        *,
        customer_gid: int,
        first_name: str = "Demo",
        last_name: str = "User",
        federated_username: str | None = None,
    ) -> EmporiaAccount:
        """Add a user (`password` None and a `federated_username` for a Google user)."""
        if email != email.lower() or email in self.accounts:
            raise ValueError(f"invalid or existing e-mail {email!r}")
        account = EmporiaAccount(
            email,
            password,
            customer_gid,
            first_name,
            last_name,
            federated_username=federated_username,
        )
        self.accounts[email] = account
        return account

    def issue_tokens(self, email: str) -> dict[str, str]:
        """Fresh id, access and refresh tokens for any user (what the web app holds)."""
        result = self._issue(self.accounts[email], refresh=True)
        return {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "refresh_token": result["RefreshToken"],
        }

    def revoke_refresh_tokens(self, email: str) -> None:
        """Revoke every refresh token of the user (issued id tokens stay valid until exp)."""
        for token in self._refresh_tokens.values():
            if token.email == email:
                token.revoked = True

    def expire_tokens(self) -> None:
        """Make every issued id and access token expire now (the next API call answers 401)."""
        now = self.clock().timestamp()
        for token in self._tokens.values():
            token.expires = min(token.expires, now)

    def _issue(self, account: EmporiaAccount, *, refresh: bool) -> dict[str, Any]:
        now = self.clock()
        issued_at = _epoch(now)
        expires = issued_at + int(self.token_lifetime)
        common = {
            "sub": account.user_id,
            "iss": ISSUER,
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "auth_time": issued_at,
            "exp": expires,
            "iat": issued_at,
            "jti": str(uuid.uuid4()),
        }
        id_claims: dict[str, Any] = {
            "sub": account.user_id,
            "email_verified": True,
            "cognito:username": account.username,
            "aud": CLIENT_ID,
            "token_use": "id",
            "email": account.email,
        }
        if account.federated_username:
            id_claims["identities"] = [
                {
                    "userId": account.federated_username.split("_", 1)[1],
                    "providerName": "Google",
                    "providerType": "Google",
                    "primary": "true",
                    "dateCreated": "1650000000000",
                }
            ]
        id_token = _jwt(common | id_claims)
        access_token = _jwt(
            common
            | {
                "client_id": CLIENT_ID,
                "token_use": "access",
                "scope": "aws.cognito.signin.user.admin",
                "username": account.username,
                "email": account.email,
            }
        )
        self._tokens[id_token] = _Token(account.email, "id", expires)
        self._tokens[access_token] = _Token(account.email, "access", expires)
        result: dict[str, Any] = {
            "AccessToken": access_token,
            "ExpiresIn": int(self.token_lifetime),
            "IdToken": id_token,
        }
        if refresh:
            refresh_token = _opaque_refresh_token()
            self._refresh_tokens[refresh_token] = _RefreshToken(account.email, now)
            result["RefreshToken"] = refresh_token
        result["TokenType"] = "Bearer"
        return result

    # ----------------------------------------------------------------------------------------
    # Devices

    def add_device(
        self, device: EmporiaDevice, *, customer: str = EMPORIA_EMAIL
    ) -> EmporiaDevice:
        """Add a device to a customer (nested when `parent_gid` is one of its devices)."""
        if device.gid in self.devices:
            raise ValueError(f"device {device.gid} exists")
        account = self.accounts[customer]
        if (
            device.parent_gid is not None
            and device.parent_gid not in account.device_gids
        ):
            raise ValueError(
                f"parent {device.parent_gid} is not a device of {customer}"
            )
        unknown = {c.profile for c in device.channels} - PROFILES.keys()
        if unknown or device.base_profile not in PROFILES:
            raise ValueError(f"unknown profile in {device.gid}")
        self.devices[device.gid] = device
        account.device_gids.append(device.gid)
        return device

    def set_time_zone(self, time_zone: str) -> None:
        """Move every device to another zone: its days, and when its loads and solar peak.

        `scripts/develop` puts the demo account in Home Assistant's zone, so that the Energy
        dashboard's day is the account's day (tests keep the default, Los Angeles).
        """
        ZoneInfo(time_zone)  # an unknown zone fails here, not in a handler
        for device in self.devices.values():
            device.time_zone = time_zone

    def remove_device(self, gid: int) -> None:
        """Remove a device and the devices nested in it."""
        for child in [d.gid for d in self.devices.values() if d.parent_gid == gid]:
            self.remove_device(child)
        self.devices.pop(gid, None)
        for account in self.accounts.values():
            if gid in account.device_gids:
                account.device_gids.remove(gid)

    def set_connected(self, gid: int, connected: bool) -> None:
        """Take a device offline (offlineSince = now; its usage stops there) or back online."""
        device = self.devices[gid]
        if connected:
            device.offline_since = None
        elif device.connected:
            device.offline_since = self.clock().replace(microsecond=0)
        device.connected = connected

    def set_outlet(self, gid: int, on: bool) -> None:
        """Switch a plug as the app would (usage follows from the next minute)."""
        outlet = self.devices[gid].outlet
        if outlet is None:
            raise ValueError(f"device {gid} is not a smart plug")
        outlet.on = on
        self._record(outlet.history, (self._effective(), on))

    def set_charger(
        self, gid: int, *, on: bool | None = None, rate: int | None = None
    ) -> None:
        """Change a charger as the app would (usage follows from the next minute)."""
        charger = self.devices[gid].charger
        if charger is None:
            raise ValueError(f"device {gid} is not an EV charger")
        charger.on = charger.on if on is None else on
        charger.rate = charger.rate if rate is None else rate
        self._record(charger.history, (self._effective(), charger.on, charger.rate))

    def _effective(self) -> int:
        """The next minute boundary (now, if now is one): when a change reaches the usage."""
        now = self.clock().timestamp()
        return math.ceil(now / 60) * 60

    @staticmethod
    def _record[T: tuple[Any, ...]](history: list[T], entry: T) -> None:
        if history[-1][0] == entry[0]:
            history[-1] = entry
        else:
            history.append(entry)

    def add_demo_data(self) -> None:
        """Add the demo and federated users, the Vue 2 + Vue 3, the plug and the charger."""
        self.add_account(
            EMPORIA_EMAIL, EMPORIA_PASSWORD, customer_gid=EMPORIA_CUSTOMER_GID
        )
        self.add_account(
            EMPORIA_FEDERATED_EMAIL,
            None,
            customer_gid=EMPORIA_FEDERATED_CUSTOMER_GID,
            first_name="Google",
            federated_username=EMPORIA_FEDERATED_USERNAME,
        )
        circuits = [
            EmporiaChannel.circuit(
                number,
                name,
                channel_type_gid=type_gid,
                type="FiftyAmpBidirectional" if profile == "solar" else "FiftyAmp",
                multiplier=2.0 if profile == "hvac" else 1.0,
                profile=profile,
                source_gid=EMPORIA_CHARGER_GID if type_gid == 25 else None,
            )
            for number, (name, type_gid, profile) in enumerate(_VUE2_CIRCUITS, start=1)
        ]
        vue2 = EmporiaDevice.monitor(EMPORIA_VUE2_GID, "A2107A0001", "Home", circuits)
        vue2.location_information = {
            "airConditioning": "true",
            "heatSource": "heatPump",
            "locationSqFt": "1850",
            "numElectricCars": "1",
            "locationType": "houseSingleLevel",
            "numPeople": "3",
            "swimmingPool": "false",
            "hotTub": "false",
            "primaryVehicleBrand": "Hyundai",
        }
        vue3 = EmporiaDevice.monitor(
            EMPORIA_VUE3_GID,
            "F3000A0002",
            "Workshop",
            [
                EmporiaChannel.circuit(
                    number, name, channel_type_gid=type_gid, profile=profile
                )
                for number, (name, type_gid, profile) in enumerate(
                    _VUE3_CIRCUITS, start=1
                )
            ],
            model="VUE003",
            firmware="Vue3-1716316799",
            parent_gid=EMPORIA_VUE2_GID,
            parent_channel_num="16",
        )
        vue3.base_profile = "small_base"
        plug = EmporiaDevice.plug(
            EMPORIA_PLUG_GID,
            "B1000A0003",
            "Coffee maker",
            EMPORIA_PLUG_LOAD_GID,
            profile="coffee",
        )
        charger = EmporiaDevice.ev_charger(
            EMPORIA_CHARGER_GID,
            "D1000A0004",
            "Garage charger",
            EMPORIA_CHARGER_LOAD_GID,
            breaker_pin=EMPORIA_BREAKER_PIN,
        )
        charger.location_information = {"primaryVehicleBrand": "Hyundai"}
        for device in (vue2, vue3, plug, charger):
            self.add_device(device)
        self.add_device(
            EmporiaDevice.plug(
                EMPORIA_FEDERATED_PLUG_GID, "B1000A0005", "Desk lamp", 3000005
            ),
            customer=EMPORIA_FEDERATED_EMAIL,
        )

    # ----------------------------------------------------------------------------------------
    # Model (public so that tests can compute what an entity should show)

    def energy(
        self, gid: int, channel_num: str, start: datetime, end: datetime
    ) -> float:
        """KWh of a channel ("1,2,3", "1"…, "Balance") over [start, end), ignoring "now"."""
        return _energy(
            self._source(self.devices[gid], channel_num), _epoch(start), _epoch(end)
        )

    def power(self, gid: int, channel_num: str, moment: datetime) -> float:
        """W of a channel during the minute containing `moment`."""
        epoch = _epoch(moment)
        return self._source(self.devices[gid], channel_num).watts(epoch - epoch % 60)

    def _children(self, device: EmporiaDevice) -> list[EmporiaDevice]:
        return [d for d in self.devices.values() if d.parent_gid == device.gid]

    def _source(self, device: EmporiaDevice, channel_num: str) -> _Source:
        key = f"{device.gid}:{channel_num}"
        if channel_num == BALANCE:
            return _Shape(device.base_profile, key, device.time_zone)
        channel = device.channel(channel_num)
        if channel is None:
            return _Zero()
        if channel.type == "Main":
            return self._mains(device, channel, key)
        fed = next(
            (d for d in self._children(device) if d.parent_channel_num == channel_num),
            None,
        )
        if fed is None and channel.source_gid is not None:
            fed = self.devices.get(channel.source_gid)
        if fed is not None:
            return self._source(fed, MAINS)
        return _Shape(channel.profile, key, device.time_zone)

    def _mains(
        self, device: EmporiaDevice, channel: EmporiaChannel, key: str
    ) -> _Source:
        if device.charger is not None:
            return _Charging(device.time_zone, tuple(device.charger.history))
        shape = _Shape(channel.profile, key, device.time_zone)
        if device.outlet is not None:
            return _Switched(shape, tuple(device.outlet.history))
        if not device.circuits:
            return shape
        parts = [self._source(device, c.num) for c in device.circuits]
        parts.append(self._source(device, BALANCE))
        return _Sum(tuple(parts))

    # ----------------------------------------------------------------------------------------
    # Faults

    def _host(self, path: str) -> str:
        rest = path.removeprefix(self.prefix)
        for host in ("cognito", "maintenance"):
            if rest == f"/{host}" or rest.startswith(f"/{host}/"):
                return host
        return "api"

    def takes_faults(self, request: web.Request) -> bool:
        """Faults apply to the hosts in `fault_targets` only."""
        return self._host(request.path) in self.fault_targets

    def request_fault_response(self, request: web.Request, fault: str) -> web.Response:
        """Answer an injected HTTP fault the way the request's host does."""
        host = self._host(request.path)
        if host == "cognito":
            return self._cognito_fault(fault)
        if host == "maintenance":
            return self._s3_fault(fault)
        return self.fault_response(fault)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault as the legacy API (API Gateway) does."""
        if fault == "http_401":
            return self._unauthorized()
        answers = {
            "http_400": (400, "Bad Request", None),
            "http_403": (403, "Forbidden", "ForbiddenException"),
            "http_429": (429, "Too Many Requests", "TooManyRequestsException"),
            "http_500": (500, "Internal server error", None),
            "http_502": (502, "Internal server error", None),
            "not_found": (404, "Not Found", None),
        }
        status, message, error_type = answers[fault]
        headers = {"x-amzn-ErrorType": error_type} if error_type else None
        return json_response({"message": message}, status=status, headers=headers)

    def _cognito_fault(self, fault: str) -> web.Response:
        answers = {
            "http_400": (400, "InvalidParameterException", "Invalid request."),
            "http_401": (
                400,
                "NotAuthorizedException",
                "Incorrect username or password.",
            ),
            "http_403": (403, "ForbiddenException", "Request not allowed."),
            "http_429": (400, "TooManyRequestsException", "Rate exceeded"),
            "http_500": (500, "InternalErrorException", "Internal server error."),
            "http_502": (502, "InternalErrorException", "Internal server error."),
            "not_found": (
                400,
                "ResourceNotFoundException",
                f"User pool client {CLIENT_ID} does not exist.",
            ),
        }
        status, error_type, message = answers[fault]
        return self._cognito_response(
            {"__type": error_type, "message": message}, status=status
        )

    def _s3_fault(self, fault: str) -> web.Response:
        answers = {
            "http_400": (400, "InvalidRequest", "Invalid Request"),
            "http_401": (403, "AccessDenied", "Access Denied"),
            "http_403": (403, "AccessDenied", "Access Denied"),
            "http_429": (503, "SlowDown", "Please reduce your request rate."),
            "http_500": (500, "InternalError", "We encountered an internal error."),
            "http_502": (502, "InternalError", "We encountered an internal error."),
            "not_found": (404, "NoSuchKey", "The specified key does not exist."),
        }
        return self._s3_error(*answers[fault])

    # ----------------------------------------------------------------------------------------
    # HTTP

    def urls(self, base: str, tls_base: str | None) -> dict[str, str]:
        """Return Emporia's three hosts: `api_url`, `auth_url` (Cognito), `maintenance_url`."""
        return {
            "api_url": base + "/api",
            "auth_url": base + "/cognito",
            "maintenance_url": base + "/maintenance/maintenance.json",
        }

    def routes(self) -> list[web.RouteDef]:
        """Return the `/emporia` routes."""
        p = self.prefix
        api = f"{p}/api"
        return [
            web.post(f"{p}/cognito", self._cognito),
            web.post(f"{p}/cognito/", self._cognito),
            web.get(f"{p}/maintenance/{{key:.*}}", self._maintenance),
            web.get(f"{api}/customers", self._customers),
            web.get(f"{api}/customers/devices", self._customer_devices),
            web.get(f"{api}/customers/devices/status", self._status),
            web.get(f"{api}/devices/{{gid}}/locationProperties", self._location),
            web.put(f"{api}/devices/outlet", self._put_outlet),
            web.put(f"{api}/devices/evcharger", self._put_charger),
            web.get(f"{api}/AppAPI", self._app_api),
            web.route("*", f"{api}/{{tail:.*}}", self._unknown),
        ]

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer `{"message": …}` like API Gateway."""
        return json_response({"message": message}, status=status)

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.Response(
            status=401,
            body=_UNAUTHORIZED,
            content_type="application/json",
            headers={"x-amzn-ErrorType": "UnauthorizedException"},
        )

    @staticmethod
    def _s3_error(status: int, code: str, message: str) -> web.Response:
        request_id = secrets.token_hex(8).upper()
        host_id = base64.b64encode(secrets.token_bytes(48)).decode()
        body = _S3_ERROR.format(
            code=code, message=message, request_id=request_id, host_id=host_id
        )
        return web.Response(
            status=status,
            text=body,
            content_type="application/xml",
            headers={"x-amz-request-id": request_id, "x-amz-id-2": host_id},
        )

    # Maintenance (S3) -------------------------------------------------------------------------

    async def _maintenance(self, request: web.Request) -> web.Response:
        if request.match_info["key"] == "maintenance.json" and self.maintenance:
            return json_response({"msg": "down"})
        return self._s3_error(403, "AccessDenied", "Access Denied")

    # Cognito ----------------------------------------------------------------------------------

    @staticmethod
    def _cognito_response(payload: object, *, status: int = 200) -> web.Response:
        return web.Response(
            status=status,
            body=json_bytes(payload),
            content_type=AMZ_JSON,
            headers={"x-amzn-RequestId": str(uuid.uuid4())},
        )

    def _cognito_error(self, error_type: str, message: str) -> Reply:
        return Reply(
            self._cognito_response(
                {"__type": error_type, "message": message}, status=400
            )
        )

    def _not_authorized(
        self, message: str = "Incorrect username or password."
    ) -> Reply:
        return self._cognito_error("NotAuthorizedException", message)

    async def _cognito(self, request: web.Request) -> web.Response:
        operation = request.headers.get("X-Amz-Target", "").removeprefix(TARGET_PREFIX)
        if request.content_type != AMZ_JSON or operation not in {
            "InitiateAuth",
            "RespondToAuthChallenge",
        }:
            raise self._cognito_error(
                "UnknownOperationException", "The operation is not supported."
            )
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._cognito_error(
                "SerializationException",
                "Start of structure or map found where not expected.",
            )
        client_id = body.get("ClientId")
        if client_id != CLIENT_ID:
            raise self._cognito_error(
                "ResourceNotFoundException",
                f"User pool client {client_id} does not exist.",
            )
        if operation == "InitiateAuth":
            payload = self._initiate_auth(request, body)
        else:
            payload = self._respond_to_challenge(request, body)
        return self._cognito_response(payload)

    def _parameters(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        parameters = body.get(key)
        if not isinstance(parameters, dict):
            raise self._cognito_error(
                "InvalidParameterException", f"Missing required parameter {key}"
            )
        return parameters

    def _required(self, parameters: dict[str, Any], name: str) -> str:
        value = parameters.get(name)
        if not isinstance(value, str) or not value:
            raise self._cognito_error(
                "InvalidParameterException", f"Missing required parameter {name}"
            )
        return value

    def _user(self, request: web.Request, username: str) -> EmporiaAccount:
        """A password user by e-mail or sub; federated users are not found (as at Cognito)."""
        account = self.accounts.get(username) or next(
            (a for a in self.accounts.values() if a.user_id == username), None
        )
        if account is None or account.password is None:
            raise self._cognito_error("UserNotFoundException", "User does not exist.")
        request[CONTEXT].account = account.email
        return account

    def _initiate_auth(
        self, request: web.Request, body: dict[str, Any]
    ) -> dict[str, Any]:
        flow = body.get("AuthFlow")
        parameters = self._parameters(body, "AuthParameters")
        if flow == "USER_PASSWORD_AUTH":
            if not self.password_auth_enabled:
                raise self._cognito_error(
                    "InvalidParameterException",
                    "USER_PASSWORD_AUTH flow not enabled for this client",
                )
            username = self._required(parameters, "USERNAME")
            password = self._required(parameters, "PASSWORD")
            account = self._user(request, username)
            if not hmac.compare_digest(password, account.password or ""):
                raise self._not_authorized()
            return {
                "AuthenticationResult": self._issue(account, refresh=True),
                "ChallengeParameters": {},
            }
        if flow == "USER_SRP_AUTH":
            return self._srp_challenge(request, parameters)
        if flow in {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}:
            return self._refresh(request, parameters)
        raise self._cognito_error(
            "InvalidParameterException",
            f"1 validation error detected: Value '{flow}' at 'authFlow' failed to satisfy "
            "constraint: Member must satisfy enum value set: [USER_SRP_AUTH, "
            "REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, "
            "USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
        )

    def _refresh(
        self, request: web.Request, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        token = self._refresh_tokens.get(self._required(parameters, "REFRESH_TOKEN"))
        if token is None or token.email not in self.accounts:
            raise self._not_authorized("Invalid Refresh Token")
        if token.revoked:
            raise self._not_authorized("Refresh Token has been revoked")
        age = (self.clock() - token.issued).total_seconds()
        if (
            self.refresh_token_lifetime is not None
            and age >= self.refresh_token_lifetime
        ):
            raise self._not_authorized("Refresh Token has expired")
        request[CONTEXT].account = token.email
        return {
            "AuthenticationResult": self._issue(
                self.accounts[token.email], refresh=False
            ),
            "ChallengeParameters": {},
        }

    def _srp_challenge(
        self, request: web.Request, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        username = self._required(parameters, "USERNAME")
        srp_a = self._required(parameters, "SRP_A")
        account = self._user(request, username)
        try:
            big_a = int(srp_a, 16)
        except ValueError:
            big_a = 0
        if big_a % N == 0:
            raise self._cognito_error("InvalidParameterException", "SRP_A is invalid.")
        small_b = int.from_bytes(secrets.token_bytes(128)) % N
        big_b = (K * account.verifier + pow(G, small_b, N)) % N
        secret_block = base64.standard_b64encode(secrets.token_bytes(384)).decode()
        self._challenges[secret_block] = _Challenge(
            account.email, big_a, big_b, small_b, self.clock()
        )
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": account.salt,
                "SECRET_BLOCK": secret_block,
                "SRP_B": f"{big_b:x}",
                "USERNAME": account.user_id,
                "USER_ID_FOR_SRP": account.user_id,
            },
        }

    def _respond_to_challenge(
        self, request: web.Request, body: dict[str, Any]
    ) -> dict[str, Any]:
        if body.get("ChallengeName") != "PASSWORD_VERIFIER":
            raise self._cognito_error(
                "InvalidParameterException",
                f"Invalid challenge name {body.get('ChallengeName')!r}.",
            )
        responses = self._parameters(body, "ChallengeResponses")
        username = self._required(responses, "USERNAME")
        block = self._required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
        signature = self._required(responses, "PASSWORD_CLAIM_SIGNATURE")
        timestamp = self._required(responses, "TIMESTAMP")
        challenge = self._challenges.pop(block, None)
        account = self.accounts.get(challenge.email) if challenge else None
        if challenge is None or account is None:
            raise self._not_authorized()
        request[CONTEXT].account = account.email
        if (self.clock() - challenge.issued).total_seconds() > SRP_CHALLENGE_LIFETIME:
            raise self._not_authorized(
                "Invalid session for the user, session is expired."
            )
        if username not in {account.user_id, account.email} or not _TIMESTAMP.fullmatch(
            timestamp
        ):
            raise self._not_authorized()
        u = scrambler(challenge.big_a, challenge.big_b)
        shared = pow(
            challenge.big_a * pow(account.verifier, u, N) % N, challenge.small_b, N
        )
        expected = claim_signature(
            derive_key(shared, u), POOL_NAME, account.user_id, block, timestamp
        )
        if not hmac.compare_digest(expected, signature):
            raise self._not_authorized()
        return {
            "AuthenticationResult": self._issue(account, refresh=True),
            "ChallengeParameters": {},
        }

    # Legacy API -------------------------------------------------------------------------------

    def _check_maintenance(self) -> None:
        if self.maintenance:
            raise Reply(
                web.Response(
                    status=503, text="Service Unavailable", content_type="text/plain"
                )
            )

    def _authenticate(self, request: web.Request) -> EmporiaAccount:
        """Maintenance first, then the `authtoken` id token."""
        self._check_maintenance()
        token = self._tokens.get(request.headers.get("authtoken", ""))
        now = self.clock().timestamp()
        if token is None or token.use != "id" or now >= token.expires:
            raise Reply(self._unauthorized())
        account = self.accounts.get(token.email)
        if account is None:
            raise Reply(self._unauthorized())
        request[CONTEXT].account = account.email
        return account

    def _bad_request(
        self, request: web.Request, account: EmporiaAccount, text: str
    ) -> Reply:
        """A 400 whose message names the caller, like the real host's."""
        message = f"{text} (customer {account.email}, source {request.remote})"
        return Reply(self.error_response(400, message))

    def _customer_json(self, account: EmporiaAccount) -> dict[str, Any]:
        return {
            "customerGid": account.customer_gid,
            "email": account.email,
            "firstName": account.first_name,
            "lastName": account.last_name,
            "createdAt": account.created_at,
        }

    def _owned(self, account: EmporiaAccount) -> list[EmporiaDevice]:
        return [self.devices[gid] for gid in account.device_gids]

    async def _unknown(self, request: web.Request) -> web.Response:
        self._check_maintenance()
        return self.error_response(404, "Not Found")

    async def _customers(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        return json_response(self._customer_json(account))

    async def _customer_devices(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        owned = set(account.device_gids)
        payload = self._customer_json(account)
        payload["devices"] = [
            self._device_json(device, owned)
            for device in self._owned(account)
            if device.parent_gid not in owned
        ]
        return json_response(payload)

    async def _location(self, request: web.Request) -> web.Response:
        self._authenticate(request)
        return self.error_response(
            400,
            f"Unable to get location properties for device {request.match_info['gid']}",
        )

    async def _status(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        devices = self._owned(account)
        loads = [
            load
            for device in devices
            for load in (device.charger, device.outlet)
            if load is not None
        ]
        return json_response(
            {
                "devicesConnected": [self._connected_json(d) for d in devices],
                "evChargers": [self._charger_json(d) for d in devices if d.charger],
                "outlets": [self._outlet_json(d) for d in devices if d.outlet],
                "batteries": [],
                "loads": [
                    {
                        "loadGid": load.load_gid,
                        "schedulesEnabled": False,
                        "nextScheduledEventText": None,
                        "peakDemandEnabled": False,
                        "excessGenerationEnabled": False,
                        "energyManagementText": None,
                        "energyManagementOverridden": False,
                        "warningText": None,
                    }
                    for load in loads
                ],
            }
        )

    def _device_json(self, device: EmporiaDevice, owned: set[int]) -> dict[str, Any]:
        return {
            "deviceGid": device.gid,
            "manufacturerDeviceId": device.serial,
            "model": device.model,
            "firmware": device.firmware,
            "parentDeviceGid": device.parent_gid,
            "parentChannelNum": device.parent_channel_num,
            "locationProperties": {
                "deviceGid": device.gid,
                "deviceName": device.name,
                "displayName": device.name,
                "zipCode": device.zip_code,
                "timeZone": device.time_zone,
                "billingCycleStartDay": 1,
                "usageCentPerKwHour": 13.2,
                "peakDemandDollarPerKw": None,
                "utilityRateGid": 90000001,
                "utilityRateMods": None,
                "locationInformation": device.location_information,
                "latitudeLongitude": {"latitude": 37.8044, "longitude": -122.2712},
            },
            "outlet": self._outlet_json(device) if device.outlet else None,
            "evCharger": self._charger_json(device) if device.charger else None,
            "battery": None,
            "deviceConnected": self._connected_json(device),
            "devices": [
                self._device_json(child, owned)
                for child in self._children(device)
                if child.gid in owned
            ],
            "channels": [
                {
                    "deviceGid": device.gid,
                    "name": channel.name,
                    "channelNum": channel.num,
                    "channelMultiplier": channel.multiplier,
                    "channelTypeGid": channel.channel_type_gid,
                    "type": channel.type,
                    "parentChannelNum": channel.parent_channel_num,
                    "channelId": channel.channel_id,
                    "mergedChannelId": None,
                }
                for channel in device.channels
            ],
            "combinedVue": None,
            "primaryVueGid": None,
        }

    @staticmethod
    def _connected_json(device: EmporiaDevice) -> dict[str, Any]:
        return {
            "deviceGid": device.gid,
            "connected": device.connected,
            "offlineSince": _zulu(device.offline_since)
            if device.offline_since
            else None,
        }

    @staticmethod
    def _outlet_json(device: EmporiaDevice) -> dict[str, Any]:
        assert device.outlet is not None
        return {
            "deviceGid": device.gid,
            "outletOn": device.outlet.on,
            "loadGid": device.outlet.load_gid,
        }

    def _charger_json(self, device: EmporiaDevice) -> dict[str, Any]:
        charger = device.charger
        assert charger is not None
        plugged = _plugged(device.time_zone, _epoch(self.clock()))
        message, status, icon, label, detail, debug = _CHARGER_TEXTS[
            charger.on, plugged
        ]
        return {
            "deviceGid": device.gid,
            "loadGid": charger.load_gid,
            "message": message,
            "status": status,
            "icon": icon,
            "iconLabel": label,
            "debugCode": debug,
            "iconDetailText": detail,
            "faultText": None,
            "proControlCode": None,
            "breakerPIN": charger.breaker_pin,
            "chargerOn": charger.on,
            "chargingRate": charger.rate,
            "maxChargingRate": charger.max_rate,
            "loadManagementEnabled": False,
            "hideChargeRateSliderText": None,
        }

    async def _json_body(
        self, request: web.Request, account: EmporiaAccount
    ) -> dict[str, Any]:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._bad_request(request, account, "The body must be a JSON object")
        self.writes.append((request.path, body))
        return body

    def _owned_device(
        self,
        request: web.Request,
        account: EmporiaAccount,
        body: dict[str, Any],
        kind: str,
    ) -> EmporiaDevice:
        gid = body.get("deviceGid")
        device = self.devices.get(gid) if type(gid) is int else None
        if (
            device is None
            or gid not in account.device_gids
            or getattr(device, kind) is None
        ):
            raise self._bad_request(
                request, account, f"Device {gid} is not your {kind}"
            )
        return device

    async def _put_outlet(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        body = await self._json_body(request, account)
        device = self._owned_device(request, account, body, "outlet")
        assert device.outlet is not None
        if (
            body.get("loadGid") != device.outlet.load_gid
            or type(body["loadGid"]) is not int
        ):
            raise self._bad_request(request, account, "Invalid or missing loadGid")
        on = body.get("outletOn")
        if not isinstance(on, bool):
            raise self._bad_request(request, account, "outletOn must be a boolean")
        self.set_outlet(device.gid, on)
        return json_response(self._outlet_json(device))

    async def _put_charger(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        if self.reject_charger_writes:
            raise Reply(self.error_response(400, "Charger is offline"))
        body = await self._json_body(request, account)
        device = self._owned_device(request, account, body, "charger")
        charger = device.charger
        assert charger is not None
        problem = _charger_problem(charger, body)
        if problem:
            raise self._bad_request(request, account, problem)
        self.set_charger(device.gid, on=body["chargerOn"], rate=body["chargingRate"])
        return json_response(self._charger_json(device))

    # AppAPI -----------------------------------------------------------------------------------

    async def _app_api(self, request: web.Request) -> web.Response:
        account = self._authenticate(request)
        method = request.query.get("apiMethod", "")
        if method == "getDeviceListUsages":
            return self._device_list_usages(request, account)
        if method == "getChartUsage":
            return self._chart_usage(request, account)
        raise Reply(self.error_response(400, f"Unknown apiMethod '{method}'"))

    def _check_unit(self, request: web.Request) -> None:
        unit = request.query.get("energyUnit", "")
        if unit not in ENERGY_UNITS:
            raise Reply(self.error_response(400, _BAD_UNIT.format(unit=unit)))
        if unit != "KilowattHours":
            raise Reply(self.error_response(400, f"energyUnit {unit} is not simulated"))

    def _scale(self, request: web.Request, allowed: tuple[str, ...]) -> str:
        scale = request.query.get("scale", "")
        if scale not in SCALES:
            raise Reply(
                self.error_response(
                    400,
                    f"scale '{scale}' is not a valid Scale; defined Scale are "
                    f"[{', '.join(SCALES)}]",
                )
            )
        if scale not in allowed:
            raise Reply(self.error_response(400, f"scale {scale} is not simulated"))
        return scale

    def _instant(self, request: web.Request, name: str) -> datetime:
        moment = _parse_instant(request.query.get(name, ""))
        if moment is None:
            raise Reply(self.error_response(400, f"{name} must be an ISO 8601 instant"))
        return moment

    def _available_until(self, device: EmporiaDevice, now: int) -> int:
        if device.offline_since is not None:
            return min(now, _epoch(device.offline_since))
        return now

    def _device_list_usages(
        self, request: web.Request, account: EmporiaAccount
    ) -> web.Response:
        self._check_unit(request)
        scale = self._scale(request, SCALES)
        instant = self._instant(request, "instant")
        gids: list[int] = []
        for raw in re.split(r"[+ ,]", request.query.get("deviceGids", "")):
            if not raw.strip().isdigit():
                raise Reply(self.error_response(400, "deviceGids must be device ids"))
            if int(raw) not in gids:
                gids.append(int(raw))
        fault = request[CONTEXT].fault
        requested = [
            self.devices[g]
            for g in gids
            if g in account.device_gids and g in self.devices
        ]

        def window(device: EmporiaDevice) -> tuple[int, int]:
            served = usage_window(scale, instant, device.time_zone)
            if fault == "stale_instant":
                served = previous_window(scale, served[0], device.time_zone)
            return served

        now = _epoch(self.clock())
        entries = [
            self._usage_entry(device, set(gids), window, now, None, fault=fault)
            for device in requested
            if device.parent_gid not in gids
        ]
        zone = requested[0].time_zone if requested else "UTC"
        start = (
            window(requested[0])[0]
            if requested
            else usage_window(scale, instant, zone)[0]
        )
        shown = _utc(start)
        if self.echo_instant:
            asked = usage_window(scale, instant, zone)[0]
            shown = instant.replace(microsecond=0) - timedelta(seconds=asked - start)
        return json_response(
            {
                "deviceListUsages": {
                    "instant": _zulu(shown),
                    "scale": scale,
                    "devices": entries,
                    "energyUnit": "KilowattHours",
                }
            }
        )

    def _usage_entry(
        self,
        device: EmporiaDevice,
        requested: set[int],
        window: Callable[[EmporiaDevice], tuple[int, int]],
        now: int,
        reference: float | None,
        *,
        fault: str | None,
    ) -> dict[str, Any]:
        start, end = window(device)
        stop = min(end, self._available_until(device, now))

        def usage(num: str) -> float | None:
            if fault == "null_usage" or start >= stop:
                return None
            return _energy(self._source(device, num), start, stop)

        mains = usage(MAINS)
        if reference is None:
            reference = mains
        nested = [
            self._usage_entry(child, requested, window, now, reference, fault=fault)
            for child in self._children(device)
            if child.gid in requested
        ]
        channels = [("Main", MAINS, mains, nested)]
        channels.extend((c.name, c.num, usage(c.num), []) for c in device.circuits)
        if device.circuits:
            channels.append((BALANCE, BALANCE, usage(BALANCE), []))
        return {
            "deviceGid": device.gid,
            "channelUsages": [
                {
                    "name": name,
                    "usage": value,
                    "deviceGid": device.gid,
                    "channelNum": num,
                    "percentage": _percentage(value, reference),
                    "nestedDevices": children,
                }
                for name, num, value, children in channels
            ],
        }

    def _chart_usage(
        self, request: web.Request, account: EmporiaAccount
    ) -> web.Response:
        self._check_unit(request)
        scale = self._scale(request, CHART_SCALES)
        raw_gid = request.query.get("deviceGid", "")
        device = self.devices.get(int(raw_gid)) if raw_gid.isdigit() else None
        if device is None or device.gid not in account.device_gids:
            raise Reply(self.error_response(400, f"Unknown deviceGid '{raw_gid}'"))
        channel = request.query.get("channel", "")
        if channel != BALANCE or not device.circuits:
            if device.channel(channel) is None:
                raise Reply(self.error_response(400, f"Unknown channel '{channel}'"))
        start = self._instant(request, "start")
        end = self._instant(request, "end")
        if end <= start:
            raise Reply(self.error_response(400, "end must be after start"))
        try:
            windows = chart_windows(scale, start, end, device.time_zone)
        except ValueError:
            raise Reply(
                self.error_response(
                    400,
                    f"Too many data points requested (more than {MAX_CHART_POINTS})",
                )
            ) from None
        stop = self._available_until(device, _epoch(self.clock()))
        source = self._source(device, channel)
        null = request[CONTEXT].fault == "null_usage"
        values = [
            None if null or begin >= stop else _energy(source, begin, min(finish, stop))
            for begin, finish in windows
        ]
        return json_response(
            {"usageList": values, "firstUsageInstant": _zulu(_utc(windows[0][0]))}
        )


_VUE2_CIRCUITS: Final = (
    # name, channelTypeGid, profile
    ("Kitchen", 16, "kitchen"),
    ("Dryer", 4, "dryer"),
    ("HVAC", 1, "hvac"),
    ("Water heater", 22, "water_heater"),
    ("Fridge", 10, "fridge"),
    ("Solar", 13, "solar"),
    ("EV charger", 25, "generic"),
    ("Office", 6, "office"),
    ("Lights", 26, "lights"),
    ("Dishwasher", 8, "dishwasher"),
    ("Washer", 5, "washer"),
    ("Microwave", 17, "microwave"),
    ("Garage", 20, "garage"),
    ("Living room", 20, "living_room"),
    ("Bedrooms", 20, "bedrooms"),
    ("Sub-panel", None, "generic"),
)
_VUE3_CIRCUITS: Final = (
    ("Compressor", 19, "compressor"),
    ("Lathe", 20, "lathe"),
    ("Heater", 11, "heater"),
    ("Lights", 26, "workshop_lights"),
)


def _percentage(value: float | None, reference: float | None) -> float:
    if value is None or reference is None or reference <= 0:
        return 0.0
    return 100.0 * value / reference + 0.0


def _charger_problem(charger: EmporiaCharger, body: dict[str, Any]) -> str | None:
    """Why a charger PUT body is refused, or None."""
    if body.get("loadGid") != charger.load_gid or type(body.get("loadGid")) is not int:
        return "Invalid or missing loadGid"
    if (
        charger.breaker_pin is not None
        and body.get("breakerPIN") != charger.breaker_pin
    ):
        return "Invalid or missing breakerPIN"
    if not isinstance(body.get("chargerOn"), bool):
        return "chargerOn must be a boolean"
    if type(body.get("maxChargingRate")) is not int or (
        body["maxChargingRate"] != charger.max_rate
    ):
        return f"maxChargingRate must be {charger.max_rate}"
    rate = body.get("chargingRate")
    if type(rate) is not int or not MIN_CHARGING_RATE <= rate <= charger.max_rate:
        return (
            f"chargingRate must be between {MIN_CHARGING_RATE} and {charger.max_rate}"
        )
    return None
