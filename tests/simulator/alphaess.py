"""AlphaESS Open API (`https://openapi.alphaess.com/api`), mirrored under `/alphaess/api`.

Shapes follow the captured payloads in `shared/fixtures/alphaess/` field for field (reference
apis-emporia-alphaess-amber.md §2). The 19 endpoints of §2.2, with their verbs: GET with query
parameters (`getLastPowerData`, `getEssList`, `getOneDayPowerBySn`, `getOneDateEnergyBySn`,
`getChargeConfigInfo`, `getDisChargeConfigInfo`, `getVerificationCode`, `getSumDataForCustomer`,
`getEvChargerConfigList`, `getEvChargerCurrentsBySn`, `getEvChargerStatusBySn`,
`getTimeChargeBySn`), POST with a JSON body (`updateChargeConfigInfo`,
`updateDisChargeConfigInfo`, `bindSn`, `unBindSn`, `setEvChargerCurrentsBySn`,
`remoteControlEvCharger`, `setTimeChargeBySn`).

Rules, as the real API or as decided here where the reference is silent:

- Answers: HTTP 200 with `{"code","msg","expMsg","data","extra"}` (`expMsg` and `extra` null,
  `data` null on every error and on every write), whatever went wrong. `msg` is the portal's
  English text (6007 and 6046 as seen live; 6016 "Data does not exist or has been deleted").
  `expMsg` names the offending parameter on a 6001 (decided), "time list is null" for an empty
  period list (live).
- Spring answers instead, with no `code` (the body `{"timestamp","status","error","path"}`,
  `path` as the real server sees it: `/api/<endpoint>`): a known endpoint with the wrong verb →
  405 (and `Allow`), an unknown path → 404; neither needs a signature nor counts.
  Decided: a POST whose Content-Type is not `application/json` → Spring 415 (after the signature
  and rate limit, as Spring resolves the body after the interceptors).
- Signature (§2.1), headers `appId`, `timeStamp`, `sign`, checked in this order: missing or blank
  appId → 6012, timeStamp → 6011, sign → 6010; a timeStamp that is not whole seconds → 6006
  (decided); more than `signature_validity` (300 s) from the simulator clock → 6009 "The request
  timestamp is not within the validity period" (decided: before the sign); unknown appId or
  `sign` ≠ lower-hex SHA-512(appId + appSecret + timeStamp) → 6007 "Sign check error".
- Rate limit per appId: more than `rate_limit` (10) accepted requests in any `rate_window` (60 s)
  sliding window of the simulator clock → 6053 "The request was too fast, please try again
  later". Requests refused by the signature, and 6053s, do not count; every later answer does
  (6005, 6001… included). `reset_rate_limits()` forgets them.
- Per-system endpoints (all but `getEssList` and the binding ones), in this order: `sysSn`
  missing → 6001 on a GET, 10001 in a POST body (decided); a system not bound to the appId
  (unknown serials too) → 6005; a system in `offline` → 6042 (`getEssList` still lists it); then
  the endpoint's own checks. A write is validated before the entitlement check (RETURN_CODES.md:
  a bad body gives 6001/10001 even where 6017 would follow).
- Models (`AlphaEssSystem`): `last_power` False (the legacy Storion-S5) → `getLastPowerData`
  6016 (decided: the reference says it is not served, not with what code); `periodic` False →
  `getTimeChargeBySn`/`setTimeChargeBySn` 6017 "No operation permissions".
- Energy (`solar_model.py`, household in `alphaess_model.py`: PV bell 06–18 local, household
  load, a 5 kW battery within 10–100 % SOC that charges from the PV surplus only, grid for the
  rest; from serial and local time; controls do not change it):
  - `getOneDayPowerBySn(sysSn, queryDate)`: the local date's 5-minute samples, NEWEST FIRST,
    `uploadTime` local `yyyy-MM-dd HH:mm:ss` 4 min + a per-system number of seconds after the
    step starts; `ppv`, `load`, `feedIn`, `gridCharge` (grid import) in W as floats, `cbat`
    the SOC (%, 1 decimal), `pchargingPile` 0. Today: samples uploaded by now. A date before
    the system's `installed_on`, a future date, or a `(serial, date)` in `gaps` → `[]`.
    `queryDate` missing or not `yyyy-MM-dd` → 6001.
  - `getOneDateEnergyBySn`: the same samples' totals in kWh rounded to 2 decimals (`epv`,
    `eInput` import, `eOutput` feed-in, `eCharge`, `eDischarge`; `eGridCharge` and
    `eChargingPile` 0.0: the model never charges from the grid, its charger draws nothing);
    today up to now; also served for `gaps`. Before `installed_on` or in the future: code 200
    with `data: null` (decided).
  - `getLastPowerData`: the step containing now: `ppvDetail` ppv1 60 % / ppv2 40 %, `pgrid` =
    import − feed-in + `pev` (the EV charges from the grid, decided) with `pgridDetail.pmeterL1`
    = `pgrid`, `pbat` = discharge − charge, `prealL1` = `ppv + pbat`, so `pgrid + ppv + pbat =
    pload + pev`; `pev` = `currentsetting` × 230 W while the charger is Charging (3), else 0;
    `pevDetail.ev1Power` = `pev` with a charger, all four null without one.
  - `getSumDataForCustomer`: today's `epvtoday`, `eload`, `eoutput`, `einput`, `echarge`,
    `edischarge`; `epvtotal` since `installed_on`; decided: `eselfConsumption` (1 − feed-in/PV)
    and `eselfSufficiency` (1 − import/load) as fractions 0–1 rounded to 4 decimals (0.0 with
    nothing to divide by), `carbonNum` 0.997 kg/kWh of `epvtotal`, `treeNum` = carbon / 18.3;
    `todayIncome`/`totalIncome` feed-in × the system's `feed_in_tariff` (0.05; None → null, as
    the legacy demo system); `moneyType` null (§2.5).
- Legacy store (`alphaess_schedules.py` has every validation rule): `get/updateChargeConfigInfo`,
  `get/updateDisChargeConfigInfo`, starting from the fixtures' values; an update is a full
  replace. On a `periodic` system a valid legacy write answers 200 and changes nothing (the newer
  backends of §2.5); its legacy reads keep serving the legacy state.
- Periodic store: `getTimeChargeBySn`/`setTimeChargeBySn`, starting from the charge period
  01:00–05:00 (limit 90) and the discharge period 17:00–21:00 (limit 20) of
  `request_setTimeChargeBySn.json`, on all seven days (decided: the fixture's Monday–Friday
  would leave weekends empty). A read carries `strategyType`, `sort` and `executeCycleType` per period
  (API.md's element table), none at the top level.
- `writes`: every write answered 200 (`AlphaEssWrite`: time, appId, endpoint, body, applied).
- EV charger (one per system at most): `getEvChargerConfigList` → `[{evchargerSn,
  evchargerModel}]` or `[]`; `get/setEvChargerCurrentsBySn` (`currentsetting`, all lower case,
  6–32 A else 6001); `getEvChargerStatusBySn(sysSn, evchargerSn)` → `{"evchargerStatus": n}`,
  `AlphaEssCharger.status` (default 2 Preparing); `remoteControlEvCharger` `controlMode` 1 from
  2, 4 or 5 → 3 Charging, 0 from 3 → 4 SuspendedEVSE, any other transition 6029 "operation
  failed", another mode 6001. Decided: the other charger endpoints on a system without a
  charger, or with another `evchargerSn`, → 6016.
- Binding (§2.2 rows 9–11): `getVerificationCode` (GET `sysSn`, `checkCode`): unknown serial →
  6038, wrong CheckCode → 6004, else a deterministic 6-digit code is "emailed":
  `sent_codes[serial]`, valid for `code_validity` (600 s, decided) and for one bind. `bindSn`
  (POST `{sysSn, code}`): already bound to this appId → 6003 (whatever the code), else a wrong or
  expired code → 6046 "The verification code is incorrect or expired", else the system joins the
  appId's list (a system may be bound to several appIds, decided). `unBindSn` (POST `{sysSn}`):
  not bound to this appId → 6005 (API.md and RETURN_CODES.md saw 6005 live from `unBindSn`),
  else the system leaves the list.

Faults (on top of the application's `timeout` and `malformed`): `http_500` and `not_found`
answer the backend's Spring body (500 "Internal Server Error", 404 "Not Found"); `http_502` the
Spring Cloud Gateway's (`{"timestamp","path","status":502,"error":"Bad Gateway","requestId"}`).
Code faults `code_<n>` (`CODE_FAULTS`: 6005, 6007, 6009, 6016, 6017, 6026, 6042, 6053, 10001)
answer that code's envelope to the next request of a known endpoint with its verb, before the
signature and without counting against the rate limit (a real 6053 has `fault=None` in the
request log). They and `null_values` are this part's own names, kept here like PG&E's
(`ProviderPart.supported_faults` may list names outside `common.FAULTS`). `null_values` waits for a
`getLastPowerData` or `getOneDateEnergyBySn` request and nulls every number in its `data`
(nested ones too; `sysSn` and `theDate` stay). Not simulated (`fault_next` refuses them):
`http_400`, `http_401`, `http_403`, `http_429` (AlphaESS answers errors as codes in a 200),
`unknown_enum`, `missing_field`, `null_usage`, `stale_instant`.
"""

from collections import deque
from collections.abc import Callable, Iterable, Mapping
import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import hashlib
import hmac
from http import HTTPStatus
import json
import re
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.typedefs import Handler

from .alphaess_model import ALPHAESS_DAYS, upload_offset
from .alphaess_schedules import (
    CHARGE_FIELDS,
    DISCHARGE_FIELDS,
    CodeError,
    LegacyConfig,
    LegacyFields,
    PeriodicSchedule,
    default_charge_config,
    default_discharge_config,
    default_periodic_schedule,
    flag,
    number,
    parse_legacy,
    parse_periodic,
)
from .common import CONTEXT, ProviderPart, RequestContext, json_response
from .solar_model import (
    Site,
    Step,
    Totals,
    day_steps,
    local_date,
    step_at,
    totals_between,
    unit,
)

# Demo data (deterministic): appIds are "alpha" + 16 hex digits, secrets 32, like the portal's.
ALPHAESS_APP_ID: Final = "alpha0d3f5a2b9c1e7a46"
ALPHAESS_APP_SECRET: Final = "5b8e2f0c7a1d4e6f9b3c8a2d7e1f4c60"
ALPHAESS_OTHER_APP_ID: Final = "alpha7c41e9b2d05f3a18"
ALPHAESS_OTHER_APP_SECRET: Final = "e04b7d9a2c6f1e8b3a5d0c7f9e2b4a61"
ALPHAESS_SYSTEM: Final = "AL7011023030601"
ALPHAESS_LEGACY_SYSTEM: Final = "AL7011023030202"
ALPHAESS_UNBOUND_SYSTEM: Final = "AL7011025010003"
ALPHAESS_CHECK_CODE: Final = "K7Q2M9"
ALPHAESS_CHARGER: Final = "AE1020231015007"

ENDPOINTS: Final = {
    "getLastPowerData": "GET",
    "getEssList": "GET",
    "getOneDayPowerBySn": "GET",
    "getOneDateEnergyBySn": "GET",
    "getChargeConfigInfo": "GET",
    "updateChargeConfigInfo": "POST",
    "getDisChargeConfigInfo": "GET",
    "updateDisChargeConfigInfo": "POST",
    "getVerificationCode": "GET",
    "bindSn": "POST",
    "unBindSn": "POST",
    "getSumDataForCustomer": "GET",
    "getEvChargerConfigList": "GET",
    "getEvChargerCurrentsBySn": "GET",
    "setEvChargerCurrentsBySn": "POST",
    "getEvChargerStatusBySn": "GET",
    "remoteControlEvCharger": "POST",
    "getTimeChargeBySn": "GET",
    "setTimeChargeBySn": "POST",
}
"""Every endpoint of the standard developer account (§2.2 rows 1–19) and its only verb."""

MESSAGES: Final = {
    200: "Success",
    6001: "Parameter error",
    6002: "The SN is not bound to the user",
    6003: "You have bound this SN",
    6004: "CheckCode error",
    6005: "This appId is not bound to the SN",
    6006: "Timestamp error",
    6007: "Sign check error",
    6008: "Set failed",
    6009: "The request timestamp is not within the validity period",
    6010: "Sign is empty",
    6011: "timestamp is empty",
    6012: "AppId is empty",
    6016: "Data does not exist or has been deleted",
    6017: "No operation permissions",
    6026: "internal error",
    6029: "operation failed",
    6038: "system sn does not exist",
    6042: "system offline",
    6046: "The verification code is incorrect or expired",
    6053: "The request was too fast, please try again later",
    10001: "Parameter Error",
}
"""`msg` of each return code (RETURN_CODES.md; 6007, 6009, 6046 and 6053 as seen live)."""

CODE_FAULTS: Final = frozenset(
    {
        "code_6005",
        "code_6007",
        "code_6009",
        "code_6016",
        "code_6017",
        "code_6026",
        "code_6042",
        "code_6053",
        "code_10001",
    }
)
NULL_VALUES: Final = "null_values"
NULLABLE_ENDPOINTS: Final = frozenset({"getLastPowerData", "getOneDateEnergyBySn"})

CHARGING: Final = 3
SUSPENDED_EVSE: Final = 4
STARTABLE: Final = frozenset({2, 4, 5})
EV_VOLTS: Final = 230
EV_CURRENT_RANGE: Final = (6.0, 32.0)
FEED_IN_TARIFF: Final = 0.05
CARBON_KG_PER_KWH: Final = 0.997
CARBON_KG_PER_TREE: Final = 18.3

_QUERY_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSON: Final = "application/json"


def sign(app_id: str, app_secret: str, timestamp: str) -> str:
    """The `sign` header the server expects: lower-hex SHA-512 of appId + secret + timeStamp."""
    return hashlib.sha512(f"{app_id}{app_secret}{timestamp}".encode()).hexdigest()


@dataclass(slots=True)
class AlphaEssCharger:
    """An AlphaESS EV charger attached to a system."""

    sn: str
    model: str
    status: int = 2
    """evchargerStatus: 1 Available, 2 Preparing, 3 Charging, 4 SuspendedEVSE, 5 SuspendedEV,
    6 Finishing, 9 Faulted. Settable by tests."""
    current_setting: float = 32.0
    """A, the household current setting."""


@dataclass(slots=True, kw_only=True)
class AlphaEssSystem:
    """An AlphaESS system (inverter + battery) as `getEssList` lists it, with its state."""

    sys_sn: str
    minv: str
    mbat: str
    cobat: float
    """kWh."""
    popv: float
    """kW of PV."""
    poinv: float
    """kW of inverter."""
    us_capacity: float
    """% of the battery available (`usCapacity`); `surplusCobat` = cobat × it."""
    installed_on: date
    """Local date of the first data: earlier dates have no samples and no energy."""
    time_zone: str = "Australia/Sydney"
    ems_status: str = "Normal"
    check_code: str = ""
    """The CheckCode on the label (`getVerificationCode`)."""
    periodic: bool = True
    """Entitled to the periodic store; False → 6017 there, and legacy writes apply."""
    last_power: bool = True
    """Serves `getLastPowerData` (False: the Storion-S5, 6016)."""
    feed_in_tariff: float | None = FEED_IN_TARIFF
    """Currency per kWh fed in, for the income fields; None → null (no tariff configured)."""
    charger: AlphaEssCharger | None = None
    charge_config: LegacyConfig = field(default_factory=default_charge_config)
    discharge_config: LegacyConfig = field(default_factory=default_discharge_config)
    time_charge: PeriodicSchedule = field(default_factory=default_periodic_schedule)

    @property
    def site(self) -> Site:
        """The energy model's view of the system."""
        return Site(self.sys_sn, self.time_zone, self.popv, self.cobat, ALPHAESS_DAYS)

    @property
    def surplus_cobat(self) -> float:
        """Battery energy available (`surplusCobat`), in kWh."""
        return round(self.cobat * self.us_capacity / 100, 2)

    def to_json(self) -> dict[str, Any]:
        """Return the system as `getEssList` lists it (the fixture's order)."""
        return {
            "sysSn": self.sys_sn,
            "popv": float(self.popv),
            "minv": self.minv,
            "poinv": float(self.poinv),
            "cobat": float(self.cobat),
            "mbat": self.mbat,
            "surplusCobat": self.surplus_cobat,
            "usCapacity": float(self.us_capacity),
            "emsStatus": self.ems_status,
        }


@dataclass(slots=True)
class AlphaEssAccount:
    """A developer account: appId, secret, the systems bound to it, its recent requests."""

    key: str
    """What the request log shows (`"demo"`)."""
    app_id: str
    app_secret: str
    systems: list[str] = field(default_factory=list)
    request_times: deque[datetime] = field(default_factory=deque)


@dataclass(frozen=True, slots=True)
class AlphaEssWrite:
    """A write the API answered with code 200."""

    time: datetime
    app_id: str
    endpoint: str
    body: dict[str, Any]
    applied: bool
    """False for a legacy write on a periodic system (answered 200, changed nothing)."""


@dataclass(frozen=True, slots=True)
class _Call:
    """One authenticated request, as an endpoint's logic sees it."""

    account: AlphaEssAccount
    params: Mapping[str, Any]
    time: datetime
    endpoint: str

    @property
    def is_post(self) -> bool:
        return ENDPOINTS[self.endpoint] == "POST"

    def require(self, key: str) -> Any:
        """A parameter's value; missing → 10001 in a POST body, 6001 in a GET query."""
        value = self.params.get(key)
        if value is None or value == "":
            raise CodeError(10001) if self.is_post else CodeError(6001, key)
        return value

    def serial(self, key: str = "sysSn") -> str:
        """A required serial number: a string, else 6001."""
        value = self.require(key)
        if not isinstance(value, str):
            raise CodeError(6001, key)
        return value


type _Logic = Callable[[_Call], Any]


def _round(kwh: float) -> float:
    return round(kwh, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def _nulled(value: Any) -> Any:
    """Replace every number (nested too) by None."""
    if isinstance(value, dict):
        return {key: _nulled(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nulled(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    return value


def _spring_time(moment: datetime) -> str:
    """`2026-08-04T10:43:44.424+00:00`, as Spring Boot writes its error timestamps."""
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+00:00"
    )


class AlphaEssSimulator(ProviderPart):
    """AlphaESS developer accounts, systems and chargers, and the `/alphaess/api` handlers."""

    name: ClassVar[str] = "alphaess"
    prefix: ClassVar[str] = "/alphaess/api"
    supported_faults: ClassVar[frozenset[str]] = frozenset(
        {"http_500", "http_502", "not_found", "timeout", "malformed", NULL_VALUES}
        | CODE_FAULTS
    )

    def __init__(self, clock: Callable[[], datetime], *, demo: bool = True) -> None:
        """Create the AlphaESS part; `demo` adds the built-in accounts (see `add_demo_data`)."""
        self.clock = clock
        self.rate_limit = 10
        self.rate_window = 60.0
        self.signature_validity = 300.0
        self.code_validity = 600.0
        self.accounts: dict[str, AlphaEssAccount] = {}
        """By appId."""
        self.systems: dict[str, AlphaEssSystem] = {}
        self.offline: set[str] = set()
        self.gaps: set[tuple[str, date]] = set()
        self.sent_codes: dict[str, str] = {}
        self.writes: list[AlphaEssWrite] = []
        self._code_times: dict[str, datetime] = {}
        self._gateway_requests = 0
        if demo:
            self.add_demo_data()

    # ----------------------------------------------------------------------------------------
    # State

    def add_account(
        self, key: str, app_id: str, app_secret: str, systems: Iterable[str] = ()
    ) -> AlphaEssAccount:
        """Add a developer account, bound to `systems` (serials of added systems)."""
        if app_id in self.accounts:
            raise ValueError(f"appId {app_id!r} exists")
        account = AlphaEssAccount(key, app_id, app_secret)
        self.accounts[app_id] = account
        for serial in systems:
            self.bind(app_id, serial)
        return account

    def add_system(
        self, system: AlphaEssSystem, bound_to: Iterable[str] = ()
    ) -> AlphaEssSystem:
        """Add a system, bound to the appIds in `bound_to` (none: only a CheckCode binds it)."""
        if system.sys_sn in self.systems:
            raise ValueError(f"system {system.sys_sn} exists")
        ZoneInfo(system.time_zone)  # an unknown zone fails here, not in a handler
        self.systems[system.sys_sn] = system
        for app_id in bound_to:
            self.bind(app_id, system.sys_sn)
        return system

    def set_time_zone(self, time_zone: str) -> None:
        """Move every system to another zone: its local days, and when its sun shines.

        `scripts/develop` puts the demo systems in Home Assistant's zone (tests keep the
        default, Sydney).
        """
        ZoneInfo(time_zone)  # an unknown zone fails here, not in a handler
        for system in self.systems.values():
            system.time_zone = time_zone

    def bind(self, app_id: str, serial: str) -> None:
        """Bind a system to an account, as a completed `bindSn` would."""
        if serial not in self.systems:
            raise KeyError(serial)
        systems = self.accounts[app_id].systems
        if serial not in systems:
            systems.append(serial)

    def reset_rate_limits(self) -> None:
        """Forget every account's recent requests."""
        for account in self.accounts.values():
            account.request_times.clear()

    def add_demo_data(self) -> None:
        """Add the demo systems and the accounts `demo` (both systems) and `other` (none)."""
        now = self.clock()
        periodic_today = local_date(now, "Australia/Sydney")
        self.add_system(
            AlphaEssSystem(
                sys_sn=ALPHAESS_SYSTEM,
                minv="SMILE5-INV",
                mbat="SMILE-BAT-13.3P",
                cobat=13.34,
                popv=9.0,
                poinv=5.0,
                us_capacity=100.0,
                installed_on=periodic_today - timedelta(days=400),
                check_code="H4T8N2",
                charger=AlphaEssCharger(ALPHAESS_CHARGER, "SMILE-EVCT11"),
            )
        )
        self.add_system(
            AlphaEssSystem(
                sys_sn=ALPHAESS_LEGACY_SYSTEM,
                minv="Storion-S5",
                mbat="S5-BAT-10.1",
                cobat=10.1,
                popv=5.0,
                poinv=5.0,
                us_capacity=90.0,
                installed_on=periodic_today - timedelta(days=120),
                check_code="P3W6C5",
                periodic=False,
                last_power=False,
                feed_in_tariff=None,
            )
        )
        self.add_system(
            AlphaEssSystem(
                sys_sn=ALPHAESS_UNBOUND_SYSTEM,
                minv="SMILE-G3-S5",
                mbat="SMILE-G3-BAT-10.1P",
                cobat=10.1,
                popv=6.6,
                poinv=5.0,
                us_capacity=100.0,
                installed_on=periodic_today - timedelta(days=30),
                check_code=ALPHAESS_CHECK_CODE,
            )
        )
        self.add_account(
            "demo",
            ALPHAESS_APP_ID,
            ALPHAESS_APP_SECRET,
            [ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM],
        )
        self.add_account("other", ALPHAESS_OTHER_APP_ID, ALPHAESS_OTHER_APP_SECRET)

    # ----------------------------------------------------------------------------------------
    # Energy model

    def _steps(self, system: AlphaEssSystem, day: date) -> tuple[Step, ...]:
        return day_steps(system.site, day)

    def _served_steps(
        self, system: AlphaEssSystem, day: date, now: datetime
    ) -> list[Step] | None:
        """The steps whose samples exist by `now`; None before installation or in the future."""
        if day < system.installed_on or day > local_date(now, system.time_zone):
            return None
        offset = upload_offset(system.sys_sn)
        return [step for step in self._steps(system, day) if step.start + offset <= now]

    def _lifetime(self, system: AlphaEssSystem, now: datetime) -> Totals:
        return totals_between(
            system.site, system.installed_on, now, upload_offset(system.sys_sn)
        )

    def _sample(self, system: AlphaEssSystem, step: Step) -> dict[str, Any]:
        uploaded = (step.start + upload_offset(system.sys_sn)).astimezone(
            ZoneInfo(system.time_zone)
        )
        return {
            "sysSn": system.sys_sn,
            "uploadTime": uploaded.strftime("%Y-%m-%d %H:%M:%S"),
            "ppv": float(step.pv),
            "load": float(step.load),
            "cbat": round(step.soc, 1),
            "feedIn": float(step.export),
            "gridCharge": float(step.grid_import),
            "pchargingPile": 0,
        }

    # ----------------------------------------------------------------------------------------
    # HTTP

    def routes(self) -> list[web.RouteDef]:
        """Return one route per endpoint and verb, then Spring's 404/405 for everything else."""
        logic: dict[str, _Logic] = {
            "getLastPowerData": self._last_power,
            "getEssList": self._ess_list,
            "getOneDayPowerBySn": self._day_power,
            "getOneDateEnergyBySn": self._day_energy,
            "getChargeConfigInfo": self._charge_config,
            "updateChargeConfigInfo": self._update_charge_config,
            "getDisChargeConfigInfo": self._discharge_config,
            "updateDisChargeConfigInfo": self._update_discharge_config,
            "getVerificationCode": self._verification_code,
            "bindSn": self._bind,
            "unBindSn": self._unbind,
            "getSumDataForCustomer": self._sum_data,
            "getEvChargerConfigList": self._ev_list,
            "getEvChargerCurrentsBySn": self._ev_current,
            "setEvChargerCurrentsBySn": self._set_ev_current,
            "getEvChargerStatusBySn": self._ev_status,
            "remoteControlEvCharger": self._ev_control,
            "getTimeChargeBySn": self._time_charge,
            "setTimeChargeBySn": self._set_time_charge,
        }
        routes = [
            web.route(
                method,
                f"{self.prefix}/{endpoint}",
                self._handler(endpoint, logic[endpoint]),
            )
            for endpoint, method in ENDPOINTS.items()
        ]
        routes += [
            web.route("*", self.prefix, self._unrouted),
            web.route("*", f"{self.prefix}/{{tail:.*}}", self._unrouted),
        ]
        return routes

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer a routing error with Spring's body (no request here: path `/api`)."""
        return self._spring(status, "/api", error=message)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault (no request here: path `/api`)."""
        return self._http_fault(fault, "/api")

    def request_fault_response(self, request: web.Request, fault: str) -> web.Response:
        """Answer an injected HTTP fault with the request's path, as Spring does."""
        return self._http_fault(fault, self._server_path(request))

    def takes_fault(self, request: web.Request, fault: str) -> bool:
        """Code faults need a known endpoint with its verb; `null_values` one of its two."""
        endpoint = self._endpoint(request)
        if fault == NULL_VALUES:
            return endpoint in NULLABLE_ENDPOINTS
        if fault in CODE_FAULTS:
            return endpoint is not None
        return True

    def _endpoint(self, request: web.Request) -> str | None:
        name = request.path.removeprefix(self.prefix + "/")
        method = "GET" if request.method == "HEAD" else request.method
        return name if ENDPOINTS.get(name) == method else None

    def _server_path(self, request: web.Request) -> str:
        return "/api" + request.path.removeprefix(self.prefix)

    def _http_fault(self, fault: str, path: str) -> web.Response:
        if fault == "http_500":
            return self._spring(500, path)
        if fault == "not_found":
            return self._spring(404, path)
        if fault == "http_502":
            self._gateway_requests += 1
            body = {
                "timestamp": _spring_time(self.clock()),
                "path": path,
                "status": 502,
                "error": HTTPStatus.BAD_GATEWAY.phrase,
                "requestId": f"{self._gateway_requests:08x}-1",
            }
            return json_response(body, status=502)
        raise ValueError(fault)

    def _spring(
        self,
        status: int,
        path: str,
        *,
        error: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        body = {
            "timestamp": _spring_time(self.clock()),
            "status": status,
            "error": error or HTTPStatus(status).phrase,
            "path": path,
        }
        return json_response(body, status=status, headers=headers)

    async def _unrouted(self, request: web.Request) -> web.Response:
        name = request.path.removeprefix(self.prefix + "/")
        if name in ENDPOINTS:
            return self._spring(
                405, self._server_path(request), headers={"Allow": ENDPOINTS[name]}
            )
        return self._spring(404, self._server_path(request))

    @staticmethod
    def _envelope(
        code: int, data: Any = None, exp_msg: str | None = None
    ) -> web.Response:
        return json_response(
            {
                "code": code,
                "msg": MESSAGES[code],
                "expMsg": exp_msg,
                "data": data,
                "extra": None,
            }
        )

    def _handler(self, endpoint: str, logic: _Logic) -> Handler:
        async def handle(request: web.Request) -> web.Response:
            return await self._serve(request, endpoint, logic)

        return handle

    async def _serve(
        self, request: web.Request, endpoint: str, logic: _Logic
    ) -> web.Response:
        context: RequestContext = request[CONTEXT]
        fault = context.fault
        if fault is not None and fault in CODE_FAULTS:
            return self._envelope(int(fault.removeprefix("code_")))
        try:
            account = self._authenticate(request, context)
            self._count_request(account, context.time)
            if ENDPOINTS[endpoint] == "POST" and request.content_type != _JSON:
                return self._spring(415, self._server_path(request))
            params = await self._params(request, endpoint)
            data = logic(_Call(account, params, context.time, endpoint))
        except CodeError as error:
            return self._envelope(error.code, exp_msg=error.exp_msg)
        if fault == NULL_VALUES:
            data = _nulled(data)
        return self._envelope(200, data)

    def _authenticate(
        self, request: web.Request, context: RequestContext
    ) -> AlphaEssAccount:
        headers = request.headers
        app_id = headers.get("appId", "").strip()
        stamp = headers.get("timeStamp", "").strip()
        signature = headers.get("sign", "").strip()
        for value, code in ((app_id, 6012), (stamp, 6011), (signature, 6010)):
            if not value:
                raise CodeError(code)
        if not (stamp.isascii() and stamp.isdigit()):
            raise CodeError(6006)
        if abs(int(stamp) - context.time.timestamp()) > self.signature_validity:
            raise CodeError(6009)
        account = self.accounts.get(app_id)
        if account is None or not hmac.compare_digest(
            signature.encode(), sign(app_id, account.app_secret, stamp).encode()
        ):
            raise CodeError(6007)
        context.account = account.key
        return account

    def _count_request(self, account: AlphaEssAccount, now: datetime) -> None:
        times = account.request_times
        while times and (now - times[0]).total_seconds() >= self.rate_window:
            times.popleft()
        if len(times) >= self.rate_limit:
            raise CodeError(6053)
        times.append(now)

    @staticmethod
    async def _params(request: web.Request, endpoint: str) -> Mapping[str, Any]:
        if ENDPOINTS[endpoint] == "GET":
            return dict(request.query)
        try:
            body = json.loads(await request.read())
        except ValueError:
            raise CodeError(10001) from None
        if not isinstance(body, dict):
            raise CodeError(10001)
        return body

    # ----------------------------------------------------------------------------------------
    # Endpoint logic: each returns `data` or raises CodeError

    def _system(self, call: _Call) -> AlphaEssSystem:
        serial = call.serial()
        if serial not in call.account.systems:
            raise CodeError(6005)
        if serial in self.offline:
            raise CodeError(6042)
        return self.systems[serial]

    def _log_write(self, call: _Call, *, applied: bool = True) -> None:
        self.writes.append(
            AlphaEssWrite(
                call.time,
                call.account.app_id,
                call.endpoint,
                dict(call.params),
                applied,
            )
        )

    @staticmethod
    def _query_date(call: _Call) -> date:
        raw = call.require("queryDate")
        if isinstance(raw, str) and _QUERY_DATE.fullmatch(raw):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(raw)
        raise CodeError(6001, "queryDate")

    def _ess_list(self, call: _Call) -> list[dict[str, Any]]:
        return [self.systems[serial].to_json() for serial in call.account.systems]

    def _last_power(self, call: _Call) -> dict[str, Any]:
        system = self._system(call)
        if not system.last_power:
            raise CodeError(6016)
        step = step_at(system.site, call.time)
        charger = system.charger
        pev = 0
        if charger is not None and charger.status == CHARGING:
            pev = round(charger.current_setting * EV_VOLTS)
        pgrid = step.grid_import - step.export + pev
        pbat = step.discharge - step.charge
        ppv1 = round(step.pv * 0.6)
        return {
            "ppv": float(step.pv),
            "ppvDetail": {
                "ppv1": float(ppv1),
                "ppv2": float(step.pv - ppv1),
                "ppv3": 0.0,
                "ppv4": 0.0,
                "pmeterDc": 0.0,
            },
            "soc": round(step.soc, 1),
            "pev": pev,
            "pevDetail": {
                "ev1Power": pev if charger is not None else None,
                "ev2Power": None,
                "ev3Power": None,
                "ev4Power": None,
            },
            "prealL1": float(step.pv + pbat),
            "prealL2": 0.0,
            "prealL3": 0.0,
            "pgrid": float(pgrid),
            "pgridDetail": {"pmeterL1": float(pgrid), "pmeterL2": 0.0, "pmeterL3": 0.0},
            "pload": float(step.load),
            "pbat": float(pbat),
        }

    def _day_power(self, call: _Call) -> list[dict[str, Any]]:
        system = self._system(call)
        day = self._query_date(call)
        steps = self._served_steps(system, day, call.time)
        if steps is None or (system.sys_sn, day) in self.gaps:
            return []
        return [self._sample(system, step) for step in reversed(steps)]

    def _day_energy(self, call: _Call) -> dict[str, Any] | None:
        system = self._system(call)
        day = self._query_date(call)
        steps = self._served_steps(system, day, call.time)
        if steps is None:
            return None
        totals = Totals.of(steps)
        return {
            "sysSn": system.sys_sn,
            "theDate": day.isoformat(),
            "eCharge": _round(totals.charge),
            "epv": _round(totals.pv),
            "eOutput": _round(totals.export),
            "eInput": _round(totals.grid_import),
            "eGridCharge": 0.0,
            "eDischarge": _round(totals.discharge),
            "eChargingPile": 0.0,
        }

    def _sum_data(self, call: _Call) -> dict[str, Any]:
        system = self._system(call)
        today_steps = self._served_steps(
            system, local_date(call.time, system.time_zone), call.time
        )
        today = Totals.of(today_steps or ())
        lifetime = self._lifetime(system, call.time)
        tariff = system.feed_in_tariff
        carbon = lifetime.pv * CARBON_KG_PER_KWH
        return {
            "epvtoday": _round(today.pv),
            "epvtotal": _round(lifetime.pv),
            "eload": _round(today.load),
            "eoutput": _round(today.export),
            "einput": _round(today.grid_import),
            "echarge": _round(today.charge),
            "edischarge": _round(today.discharge),
            "todayIncome": None if tariff is None else _round(today.export * tariff),
            "totalIncome": None if tariff is None else _round(lifetime.export * tariff),
            "eselfConsumption": (
                round(1 - today.export / today.pv, 4) if today.pv else 0.0
            ),
            "eselfSufficiency": (
                round(1 - today.grid_import / today.load, 4) if today.load else 0.0
            ),
            "treeNum": _round(carbon / CARBON_KG_PER_TREE),
            "carbonNum": _round(carbon),
            "moneyType": None,
        }

    def _legacy_read(self, call: _Call, fields: LegacyFields) -> dict[str, Any]:
        system = self._system(call)
        config = (
            system.charge_config if fields is CHARGE_FIELDS else system.discharge_config
        )
        return config.to_json(fields)

    def _legacy_write(self, call: _Call, fields: LegacyFields) -> None:
        system = self._system(call)
        config = parse_legacy(call.params, fields)
        applied = not system.periodic
        if applied and fields is CHARGE_FIELDS:
            system.charge_config = config
        elif applied:
            system.discharge_config = config
        self._log_write(call, applied=applied)

    def _charge_config(self, call: _Call) -> dict[str, Any]:
        return self._legacy_read(call, CHARGE_FIELDS)

    def _update_charge_config(self, call: _Call) -> None:
        self._legacy_write(call, CHARGE_FIELDS)

    def _discharge_config(self, call: _Call) -> dict[str, Any]:
        return self._legacy_read(call, DISCHARGE_FIELDS)

    def _update_discharge_config(self, call: _Call) -> None:
        self._legacy_write(call, DISCHARGE_FIELDS)

    def _time_charge(self, call: _Call) -> dict[str, Any]:
        system = self._system(call)
        if not system.periodic:
            raise CodeError(6017)
        return system.time_charge.to_json(system.sys_sn)

    def _set_time_charge(self, call: _Call) -> None:
        system = self._system(call)
        schedule = parse_periodic(call.params, system.time_charge, system.poinv * 1000)
        if not system.periodic:
            raise CodeError(6017)
        system.time_charge = schedule
        self._log_write(call)

    def _verification_code(self, call: _Call) -> None:
        serial = call.serial()
        check_code = call.require("checkCode")
        system = self.systems.get(serial)
        if system is None:
            raise CodeError(6038)
        if check_code != system.check_code:
            raise CodeError(6004)
        draw = unit(serial, call.account.app_id, call.time.timestamp())
        self.sent_codes[serial] = f"{int(draw * 1_000_000):06d}"
        self._code_times[serial] = call.time

    def _bind(self, call: _Call) -> None:
        serial = call.serial()
        code = call.require("code")
        if serial in call.account.systems:
            raise CodeError(6003)
        sent = self.sent_codes.get(serial)
        if (
            sent is None
            or str(code) != sent
            or (call.time - self._code_times[serial]).total_seconds()
            > self.code_validity
        ):
            raise CodeError(6046)
        del self.sent_codes[serial]
        call.account.systems.append(serial)
        self._log_write(call)

    def _unbind(self, call: _Call) -> None:
        serial = call.serial()
        if serial not in call.account.systems:
            raise CodeError(6005)
        call.account.systems.remove(serial)
        self._log_write(call)

    def _charger(
        self, system: AlphaEssSystem, serial: str | None = None
    ) -> AlphaEssCharger:
        """The system's charger (the one named `serial`, if given), else 6016."""
        charger = system.charger
        if charger is None or (serial is not None and serial != charger.sn):
            raise CodeError(6016)
        return charger

    def _ev_list(self, call: _Call) -> list[dict[str, str]]:
        charger = self._system(call).charger
        if charger is None:
            return []
        return [{"evchargerSn": charger.sn, "evchargerModel": charger.model}]

    def _ev_current(self, call: _Call) -> dict[str, float]:
        return {"currentsetting": self._charger(self._system(call)).current_setting}

    def _set_ev_current(self, call: _Call) -> None:
        system = self._system(call)
        current = number(call.require("currentsetting"))
        low, high = EV_CURRENT_RANGE
        if current is None or not low <= current <= high:
            raise CodeError(6001, "currentsetting")
        self._charger(system).current_setting = current
        self._log_write(call)

    def _ev_status(self, call: _Call) -> dict[str, int]:
        system = self._system(call)
        charger = self._charger(system, call.serial("evchargerSn"))
        return {"evchargerStatus": charger.status}

    def _ev_control(self, call: _Call) -> None:
        system = self._system(call)
        serial = call.serial("evchargerSn")
        mode = flag(call.require("controlMode"))
        if mode is None:
            raise CodeError(6001, "controlMode")
        charger = self._charger(system, serial)
        if mode == 1 and charger.status in STARTABLE:
            charger.status = CHARGING
        elif mode == 0 and charger.status == CHARGING:
            charger.status = SUSPENDED_EVSE
        else:
            raise CodeError(6029)
        self._log_write(call)
