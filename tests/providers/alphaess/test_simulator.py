"""The simulator's AlphaESS part speaks AlphaESS: the fixtures' shapes, its rules, limits and faults.

Plain aiohttp, no Home Assistant. What the application does for every part is in
`tests/test_simulator.py`.
"""

from collections.abc import AsyncGenerator
import copy
from datetime import UTC, date, datetime, timedelta
import hashlib
import json
from pathlib import Path
import re
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHARGER,
    ALPHAESS_CHECK_CODE,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_OTHER_APP_ID,
    ALPHAESS_OTHER_APP_SECRET,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    AlphaEssSimulator,
    AlphaEssSystem,
    FakeClock,
    Simulator,
)
from tests.simulator.alphaess import sign

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "alphaess"
# Wednesday 14 January 2026, 14:02:10 in Sydney (AEDT, UTC+11).
NOW = datetime(2026, 1, 14, 3, 2, 10, tzinfo=UTC)
TODAY = date(2026, 1, 14)
API = "/alphaess/api"
ENVELOPE_KEYS = {"code", "msg", "expMsg", "data", "extra"}
# The worked example of the portal (reference §2.1).
EXAMPLE_APP_ID = "alphaef7900ee81dbbce9"
EXAMPLE_SECRET = "c2d2ef6c047c49678e2c332fb2d74c3c"
EXAMPLE_TIMESTAMP = 1676353875
EXAMPLE_SIGN = (
    "0f023c2287b8f6b21b0994947465f8e9de0e1542567b1735bdc6c427336b9b64"
    "06285cd94f9215c3e9af958df37fb11c2c9fe792713d8afbdb8c463359a1add8"
)
STALE = "The request timestamp is not within the validity period"
SPRING_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00")

type Client = TestClient[web.Request, web.Application]


def _sign(app_id: str, secret: str, timestamp: int) -> str:
    return hashlib.sha512(f"{app_id}{secret}{timestamp}".encode()).hexdigest()


NOW_SIGN = _sign(ALPHAESS_APP_ID, ALPHAESS_APP_SECRET, int(NOW.timestamp()))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture(autouse=True)
def alphaess_settings() -> None:
    """Replace the provider's autouse fixture: no Home Assistant to give settings to."""


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """Return a simulator on the fake clock."""
    return Simulator(clock=clock)


@pytest.fixture
def alphaess(simulator: Simulator) -> AlphaEssSimulator:
    """The AlphaESS part, its rate limit lifted (the rate-limit tests set it again)."""
    part = simulator.part("alphaess")
    assert isinstance(part, AlphaEssSimulator)
    part.rate_limit = 10_000
    return part


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """Serve the simulator's app on 127.0.0.1 and return a client for it."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


class Api:
    """Signed requests to the AlphaESS part, stamped with the simulator clock."""

    def __init__(
        self,
        client: Client,
        clock: FakeClock,
        app_id: str = ALPHAESS_APP_ID,
        secret: str = ALPHAESS_APP_SECRET,
    ) -> None:
        self.client = client
        self.clock = clock
        self.app_id = app_id
        self.secret = secret

    def headers(self) -> dict[str, str]:
        stamp = int(self.clock.now.timestamp())
        return {
            "appId": self.app_id,
            "timeStamp": str(stamp),
            "sign": _sign(self.app_id, self.secret, stamp),
        }

    async def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        """GET an endpoint: HTTP 200 and the envelope, whatever the code."""
        response = await self.client.get(
            f"{API}/{endpoint}", headers=self.headers(), params=params
        )
        assert response.status == 200, await response.text()
        assert response.headers["Content-Type"] == "application/json"
        envelope: dict[str, Any] = await response.json()
        assert set(envelope) == ENVELOPE_KEYS
        return envelope

    async def post(self, endpoint: str, body: object) -> dict[str, Any]:
        """POST a JSON body: HTTP 200 and the envelope, whatever the code."""
        response = await self.client.post(
            f"{API}/{endpoint}", headers=self.headers(), json=body
        )
        assert response.status == 200, await response.text()
        envelope: dict[str, Any] = await response.json()
        assert set(envelope) == ENVELOPE_KEYS
        return envelope

    async def data(self, endpoint: str, **params: str) -> Any:
        """GET an endpoint that must succeed; return its data."""
        envelope = await self.get(endpoint, **params)
        assert envelope["code"] == 200, envelope
        assert (envelope["msg"], envelope["expMsg"], envelope["extra"]) == (
            "Success",
            None,
            None,
        )
        return envelope["data"]

    async def write(self, endpoint: str, body: object) -> None:
        """POST a write that must succeed (code 200, data null)."""
        assert await self.post(endpoint, body) == _ok()


@pytest.fixture
def api(client: Client, clock: FakeClock, alphaess: AlphaEssSimulator) -> Api:
    """The demo appId (both demo systems)."""
    return Api(client, clock)


@pytest.fixture
def other(client: Client, clock: FakeClock, alphaess: AlphaEssSimulator) -> Api:
    """The second appId (no system)."""
    return Api(client, clock, ALPHAESS_OTHER_APP_ID, ALPHAESS_OTHER_APP_SECRET)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _ok() -> dict[str, Any]:
    return {"code": 200, "msg": "Success", "expMsg": None, "data": None, "extra": None}


def _error(code: int, msg: str, exp_msg: str | None = None) -> dict[str, Any]:
    return {"code": code, "msg": msg, "expMsg": exp_msg, "data": None, "extra": None}


def _assert_shape(item: dict[str, Any], model: dict[str, Any]) -> None:
    """Same keys as the real payload, same value types where the real one is not null."""
    assert set(item) == set(model), set(item) ^ set(model)
    for key, value in model.items():
        if value is None:
            continue
        if isinstance(value, dict):
            _assert_shape(item[key], value)
        else:
            assert type(item[key]) is type(value), (key, item[key], value)


# --------------------------------------------------------------------------------------------
# Signature, envelope, Spring errors


def test_sign_worked_example() -> None:
    """The simulator signs as the portal's worked example does."""
    assert _sign(EXAMPLE_APP_ID, EXAMPLE_SECRET, EXAMPLE_TIMESTAMP) == EXAMPLE_SIGN
    assert sign(EXAMPLE_APP_ID, EXAMPLE_SECRET, str(EXAMPLE_TIMESTAMP)) == EXAMPLE_SIGN


async def test_worked_example_request(
    client: Client, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """The worked example's exact headers are accepted at their time (and 301 s later refused)."""
    alphaess.add_account("example", EXAMPLE_APP_ID, EXAMPLE_SECRET)
    clock.now = datetime.fromtimestamp(EXAMPLE_TIMESTAMP, UTC)
    headers = {
        "appId": EXAMPLE_APP_ID,
        "timeStamp": str(EXAMPLE_TIMESTAMP),
        "sign": EXAMPLE_SIGN,
    }
    response = await client.get(f"{API}/getEssList", headers=headers)
    assert await response.json() == {
        "code": 200,
        "msg": "Success",
        "expMsg": None,
        "data": [],
        "extra": None,
    }
    clock.advance(301)
    response = await client.get(f"{API}/getEssList", headers=headers)
    assert await response.json() == _error(6009, STALE)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"appId": None}, _error(6012, "AppId is empty")),
        ({"timeStamp": None}, _error(6011, "timestamp is empty")),
        ({"sign": None}, _error(6010, "Sign is empty")),
        ({"appId": None, "sign": None}, _error(6012, "AppId is empty")),
        ({"timeStamp": None, "sign": None}, _error(6011, "timestamp is empty")),
        ({"sign": " "}, _error(6010, "Sign is empty")),
        ({"appId": "alpha0000000000000000"}, _error(6007, "Sign check error")),
        ({"sign": "0" * 128}, _error(6007, "Sign check error")),
        ({"sign": NOW_SIGN.upper()}, _error(6007, "Sign check error")),
        ({"timeStamp": "1768359730000"}, _error(6009, STALE)),  # milliseconds
        ({"timeStamp": "17683597x0"}, _error(6006, "Timestamp error")),
        ({"skew": 301}, _error(6009, STALE)),
        ({"skew": -301}, _error(6009, STALE)),
        ({"skew": 300}, None),
        ({"skew": -300}, None),
    ],
)
async def test_signature(
    client: Client,
    clock: FakeClock,
    alphaess: AlphaEssSimulator,
    change: dict[str, Any],
    expected: dict[str, Any] | None,
) -> None:
    """Missing headers, unknown appId, wrong sign, stale time: each its code, in order."""
    stamp = int(clock.now.timestamp()) + change.get("skew", 0)
    headers: dict[str, str | None] = {
        "appId": ALPHAESS_APP_ID,
        "timeStamp": str(stamp),
        "sign": _sign(ALPHAESS_APP_ID, ALPHAESS_APP_SECRET, stamp),
    }
    headers.update({k: v for k, v in change.items() if k != "skew"})
    response = await client.get(
        f"{API}/getEssList", headers={k: v for k, v in headers.items() if v is not None}
    )
    assert response.status == 200
    body = await response.json()
    if expected is None:
        assert body["code"] == 200
    else:
        assert body == expected
    # Refused requests do not count against the rate limit.
    counted = list(alphaess.accounts[ALPHAESS_APP_ID].request_times)
    assert counted == ([] if expected is not None else [clock.now])


async def test_error_fixtures_match(api: Api, clock: FakeClock) -> None:
    """Our code/msg of 6007, 6009 and 6017 are the captured ones, in the full envelope."""
    wrong = Api(api.client, clock, ALPHAESS_APP_ID, ALPHAESS_OTHER_APP_SECRET)
    assert (await wrong.get("getEssList")).items() >= _fixture(
        "error_6007_sign_check.json"
    ).items()
    stale = Api(api.client, FakeClock(NOW - timedelta(minutes=10)))
    assert (await stale.get("getEssList")).items() >= _fixture(
        "error_6009_timestamp_validity_from_pyrepr.json"
    ).items()
    assert await api.get("getTimeChargeBySn", sysSn=ALPHAESS_LEGACY_SYSTEM) == _fixture(
        "error_6017_no_permission_from_pyrepr.json"
    )


async def test_wrong_verb_and_unknown_path(
    client: Client, simulator: Simulator, alphaess: AlphaEssSimulator, api: Api
) -> None:
    """Spring's 405 (the fixture's keys, Allow) and 404: unsigned, uncounted, no `code`."""
    model = _fixture("error_405_wrong_method.json")
    for method, endpoint, allow in (
        ("POST", "getVerificationCode", "GET"),
        ("GET", "bindSn", "POST"),
        ("PUT", "getEssList", "GET"),
    ):
        response = await client.request(method, f"{API}/{endpoint}")
        assert response.status == 405
        assert response.headers["Allow"] == allow
        assert response.headers["Content-Type"] == "application/json"
        body = await response.json()
        assert set(body) == set(model)
        assert body == {
            "timestamp": "2026-01-14T03:02:10.000+00:00",
            "status": 405,
            "error": "Method Not Allowed",
            "path": f"/api/{endpoint}",
        }
        assert SPRING_TIME.fullmatch(model["timestamp"])
    for path, reported in (
        (f"{API}/getMeterOffsetConfigInfo", "/api/getMeterOffsetConfigInfo"),
        (f"{API}/getEssList/extra", "/api/getEssList/extra"),
        (API, "/api"),
    ):
        response = await client.get(path, headers=api.headers())
        assert response.status == 404
        assert await response.json() == {
            "timestamp": "2026-01-14T03:02:10.000+00:00",
            "status": 404,
            "error": "Not Found",
            "path": reported,
        }
    assert not alphaess.accounts[ALPHAESS_APP_ID].request_times
    assert [(r.provider, r.status, r.account) for r in simulator.requests] == [
        ("alphaess", 405, None)
    ] * 3 + [("alphaess", 404, None)] * 3


async def test_post_needs_json(client: Client, api: Api) -> None:
    """A POST without `Content-Type: application/json` gets Spring's 415; a bad body 10001."""
    response = await client.post(
        f"{API}/unBindSn", headers=api.headers(), data=b'{"sysSn":"x"}'
    )
    assert response.status == 415
    body = await response.json()
    assert (body["status"], body["error"], body["path"]) == (
        415,
        "Unsupported Media Type",
        "/api/unBindSn",
    )
    for raw in (b"", b"{", b"[]", b'"sysSn"'):
        response = await client.post(
            f"{API}/unBindSn",
            headers={**api.headers(), "Content-Type": "application/json"},
            data=raw,
        )
        assert await response.json() == _error(10001, "Parameter Error"), raw


def test_base_url(simulator: Simulator) -> None:
    """The part mirrors `https://openapi.alphaess.com/api`."""
    assert simulator.base_url("alphaess", root="http://127.0.0.1:9/") == (
        "http://127.0.0.1:9/alphaess/api"
    )


# --------------------------------------------------------------------------------------------
# Rate limit


async def test_rate_limit(
    api: Api,
    other: Api,
    clock: FakeClock,
    simulator: Simulator,
    alphaess: AlphaEssSimulator,
) -> None:
    """More than 10 accepted requests in any 60 s → 6053; refusals do not count; per appId."""
    assert AlphaEssSimulator(lambda: NOW).rate_limit == 10
    assert AlphaEssSimulator(lambda: NOW).rate_window == 60
    alphaess.rate_limit = 10
    too_fast = _error(6053, "The request was too fast, please try again later")
    for _ in range(10):
        assert (await api.get("getEssList"))["code"] == 200
        clock.advance(5)  # the 10th at +45 s
    clock.now -= timedelta(seconds=5)
    assert await api.get("getEssList") == too_fast
    assert await api.get("getLastPowerData", sysSn=ALPHAESS_SYSTEM) == too_fast
    wrong = Api(api.client, clock, ALPHAESS_APP_ID, ALPHAESS_OTHER_APP_SECRET)
    assert (await wrong.get("getEssList"))["code"] == 6007
    # Another appId has its own budget.
    assert (await other.get("getEssList"))["code"] == 200

    clock.now = NOW + timedelta(seconds=60)  # the first request leaves the window
    assert (await api.get("getEssList"))["code"] == 200
    assert await api.get("getEssList") == too_fast
    clock.advance(5)
    # A code answered after the rate limit (6005) counts like a success.
    assert (await api.get("getLastPowerData", sysSn=ALPHAESS_UNBOUND_SYSTEM))[
        "code"
    ] == 6005
    assert await api.get("getEssList") == too_fast

    alphaess.reset_rate_limits()
    for _ in range(10):
        assert (await api.get("getEssList"))["code"] == 200
    assert await api.get("getEssList") == too_fast
    statuses = {r.status for r in simulator.requests}
    assert statuses == {200}
    accounts = [r.account for r in simulator.requests]
    assert (accounts.count("demo"), accounts.count("other"), accounts.count(None)) == (
        27,
        1,
        1,
    )


# --------------------------------------------------------------------------------------------
# Systems and demo data


async def test_ess_list(api: Api, other: Api, alphaess: AlphaEssSimulator) -> None:
    """The demo appId lists both demo systems, with the fixture's keys and types."""
    systems = await api.data("getEssList")
    model = _fixture("getEssList.json")["data"][0]
    for item in systems:
        _assert_shape(item, model)
    assert systems == [
        {
            "sysSn": ALPHAESS_SYSTEM,
            "popv": 9.0,
            "minv": "SMILE5-INV",
            "poinv": 5.0,
            "cobat": 13.34,
            "mbat": "SMILE-BAT-13.3P",
            "surplusCobat": 13.34,
            "usCapacity": 100.0,
            "emsStatus": "Normal",
        },
        {
            "sysSn": ALPHAESS_LEGACY_SYSTEM,
            "popv": 5.0,
            "minv": "Storion-S5",
            "poinv": 5.0,
            "cobat": 10.1,
            "mbat": "S5-BAT-10.1",
            "surplusCobat": 9.09,
            "usCapacity": 90.0,
            "emsStatus": "Normal",
        },
    ]
    assert await other.data("getEssList") == []
    assert re.fullmatch(r"alpha[0-9a-f]{16}", ALPHAESS_APP_ID)
    assert re.fullmatch(r"alpha[0-9a-f]{16}", ALPHAESS_OTHER_APP_ID)
    assert re.fullmatch(r"[0-9a-f]{32}", ALPHAESS_APP_SECRET)
    assert re.fullmatch(r"[0-9a-f]{32}", ALPHAESS_OTHER_APP_SECRET)


def test_demo_systems(alphaess: AlphaEssSimulator) -> None:
    """Installation dates count back from the clock's date; zones, chargers, stores."""
    periodic = alphaess.systems[ALPHAESS_SYSTEM]
    legacy = alphaess.systems[ALPHAESS_LEGACY_SYSTEM]
    assert periodic.installed_on == TODAY - timedelta(days=400)
    assert legacy.installed_on == TODAY - timedelta(days=120)
    assert periodic.time_zone == legacy.time_zone == "Australia/Sydney"
    assert periodic.charger is not None
    assert (periodic.charger.sn, periodic.charger.model) == (
        ALPHAESS_CHARGER,
        "SMILE-EVCT11",
    )
    assert (periodic.periodic, periodic.last_power) == (True, True)
    assert (legacy.periodic, legacy.last_power, legacy.charger) == (False, False, None)
    unbound = alphaess.systems[ALPHAESS_UNBOUND_SYSTEM]
    assert unbound.check_code == ALPHAESS_CHECK_CODE
    assert not any(
        ALPHAESS_UNBOUND_SYSTEM in account.systems
        for account in alphaess.accounts.values()
    )


async def test_not_bound_and_offline(
    api: Api, other: Api, alphaess: AlphaEssSimulator
) -> None:
    """6005 for a system of another appId or an unknown one; 6042 for an offline one."""
    not_bound = _error(6005, "This appId is not bound to the SN")
    offline = _error(6042, "system offline")
    for serial in (ALPHAESS_SYSTEM, "AL0000000000000"):
        assert await other.get("getLastPowerData", sysSn=serial) == not_bound
    assert (
        await other.post(
            "setEvChargerCurrentsBySn", {"sysSn": ALPHAESS_SYSTEM, "currentsetting": 16}
        )
        == not_bound
    )
    assert await api.get("getLastPowerData") == _error(6001, "Parameter error", "sysSn")
    assert await api.post("unBindSn", {}) == _error(10001, "Parameter Error")

    alphaess.offline.add(ALPHAESS_SYSTEM)
    day = {"sysSn": ALPHAESS_SYSTEM, "queryDate": TODAY.isoformat()}
    system = {"sysSn": ALPHAESS_SYSTEM}
    charger = {**system, "evchargerSn": ALPHAESS_CHARGER}
    for endpoint, params in (
        ("getLastPowerData", system),
        ("getOneDayPowerBySn", day),
        ("getOneDateEnergyBySn", day),
        ("getChargeConfigInfo", system),
        ("getDisChargeConfigInfo", system),
        ("getSumDataForCustomer", system),
        ("getEvChargerConfigList", system),
        ("getEvChargerCurrentsBySn", system),
        ("getEvChargerStatusBySn", charger),
        ("getTimeChargeBySn", system),
    ):
        assert await api.get(endpoint, **params) == offline, endpoint
    writes: list[tuple[str, dict[str, Any]]] = [
        ("updateChargeConfigInfo", _fixture("request_updateChargeConfigInfo.json")),
        ("setTimeChargeBySn", _fixture("request_setTimeChargeBySn.json")),
        ("setEvChargerCurrentsBySn", {"currentsetting": 16}),
        ("remoteControlEvCharger", {"evchargerSn": ALPHAESS_CHARGER, "controlMode": 1}),
    ]
    for endpoint, body in writes:
        assert await api.post(endpoint, {**body, **system}) == offline, endpoint
    assert [s["sysSn"] for s in await api.data("getEssList")] == [
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
    ]
    assert await other.get("getLastPowerData", sysSn=ALPHAESS_SYSTEM) == not_bound
    alphaess.offline.clear()
    assert (await api.get("getLastPowerData", sysSn=ALPHAESS_SYSTEM))["code"] == 200


async def test_add_account_and_system(
    client: Client, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """A system added in another zone, bound to a new appId, serves its local day."""
    system = alphaess.add_system(
        AlphaEssSystem(
            sys_sn="AL9000000000001",
            minv="SMILE-T10-HV-INV",
            mbat="SMILE-T10-BAT",
            cobat=20.0,
            popv=12.0,
            poinv=10.0,
            us_capacity=95.0,
            installed_on=date(2025, 6, 1),
            time_zone="Australia/Perth",
        )
    )
    alphaess.add_account("perth", "alpha00000000000000ff", "f" * 32, [system.sys_sn])
    perth = Api(client, clock, "alpha00000000000000ff", "f" * 32)
    listed = await perth.data("getEssList")
    assert listed == [
        {
            "sysSn": "AL9000000000001",
            "popv": 12.0,
            "minv": "SMILE-T10-HV-INV",
            "poinv": 10.0,
            "cobat": 20.0,
            "mbat": "SMILE-T10-BAT",
            "surplusCobat": 19.0,
            "usCapacity": 95.0,
            "emsStatus": "Normal",
        }
    ]
    # 03:02:10 UTC is 11:02:10 in Perth: the 11:00 step is not uploaded yet.
    samples = await perth.data(
        "getOneDayPowerBySn", sysSn=system.sys_sn, queryDate=TODAY.isoformat()
    )
    assert len(samples) == 132
    assert samples[0]["uploadTime"].startswith("2026-01-14 10:59:")
    with pytest.raises(ValueError):
        alphaess.add_system(system)
    with pytest.raises(ValueError):
        alphaess.add_account("again", "alpha00000000000000ff", "0" * 32)


# --------------------------------------------------------------------------------------------
# Energy: samples, daily totals, live power, summary


def _kwh(samples: list[dict[str, Any]], key: str) -> float:
    """A sample field's energy over the day: W × 5 min each."""
    return float(sum(sample[key] for sample in samples)) / 12 / 1000


async def _day(api: Api, serial: str, day: date) -> tuple[list[dict[str, Any]], Any]:
    params = {"sysSn": serial, "queryDate": day.isoformat()}
    return (
        await api.data("getOneDayPowerBySn", **params),
        await api.data("getOneDateEnergyBySn", **params),
    )


async def test_day_power_samples(api: Api) -> None:
    """Newest first, 5 minutes apart, local upload times, the fixture's keys and types."""
    model = _fixture("getOneDayPowerBySn_first_record.json")["data"][0]
    day = TODAY - timedelta(days=1)
    samples, _ = await _day(api, ALPHAESS_SYSTEM, day)
    assert len(samples) == 288
    for sample in samples:
        _assert_shape(sample, model)
        assert sample["sysSn"] == ALPHAESS_SYSTEM
        assert sample["pchargingPile"] == 0
        assert 10 <= sample["cbat"] <= 100
        assert sample["feedIn"] == 0 or sample["gridCharge"] == 0
    times = [datetime.fromisoformat(s["uploadTime"]) for s in samples]
    assert times == sorted(times, reverse=True)
    assert {a - b for a, b in zip(times, times[1:], strict=False)} == {
        timedelta(minutes=5)
    }
    assert samples[0]["uploadTime"] == "2026-01-13 23:59:22"
    assert samples[-1]["uploadTime"] == "2026-01-13 00:04:22"
    assert all(t.minute % 5 == 4 and t.second == 22 for t in times)
    # Night: no PV; midday: PV, a full battery, feed-in.
    night = next(s for s in samples if s["uploadTime"] == "2026-01-13 02:04:22")
    noon = next(s for s in samples if s["uploadTime"] == "2026-01-13 12:04:22")
    assert night["ppv"] == 0.0
    assert noon["ppv"] > 3000
    assert noon["feedIn"] > 0
    # Each system uploads at its own second; the legacy one's day has the same length.
    legacy, _ = await _day(api, ALPHAESS_LEGACY_SYSTEM, day)
    assert len(legacy) == 288
    assert legacy[0]["uploadTime"] == "2026-01-13 23:59:13"
    assert (
        legacy[0]["ppv"] != samples[0]["ppv"] or legacy[0]["load"] != samples[0]["load"]
    )


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (TODAY - timedelta(days=1), 288),
        (TODAY - timedelta(days=30), 288),
        (TODAY - timedelta(days=180), 288),
        (date(2025, 4, 6), 300),  # daylight saving ends: 25 hours
        (date(2025, 10, 5), 276),  # daylight saving starts: 23 hours
        (TODAY - timedelta(days=400), 288),  # the installation date
    ],
)
async def test_daily_energy_is_the_samples_integral(
    api: Api, day: date, count: int
) -> None:
    """Each daily total is its samples' sum within rounding, and the day balances."""
    samples, energy = await _day(api, ALPHAESS_SYSTEM, day)
    assert len(samples) == count
    assert {s["uploadTime"][:10] for s in samples} == {day.isoformat()}
    _assert_shape(energy, _fixture("getOneDateEnergyBySn.json")["data"])
    assert (energy["sysSn"], energy["theDate"]) == (ALPHAESS_SYSTEM, day.isoformat())
    assert energy["epv"] == pytest.approx(_kwh(samples, "ppv"), abs=0.005 + 1e-9)
    assert energy["eInput"] == pytest.approx(
        _kwh(samples, "gridCharge"), abs=0.005 + 1e-9
    )
    assert energy["eOutput"] == pytest.approx(_kwh(samples, "feedIn"), abs=0.005 + 1e-9)
    assert (energy["eGridCharge"], energy["eChargingPile"]) == (0.0, 0.0)
    assert energy["epv"] > 0
    assert energy["eCharge"] > 0
    assert energy["eDischarge"] > 0
    # PV + import + discharge = load + feed-in + charge (five values rounded to 0.01).
    supplied = energy["epv"] + energy["eInput"] + energy["eDischarge"]
    used = _kwh(samples, "load") + energy["eOutput"] + energy["eCharge"]
    assert supplied == pytest.approx(used, abs=0.026)


async def test_today_is_partial(api: Api, clock: FakeClock) -> None:
    """Today: only the samples uploaded by now; the totals grow with them."""
    samples, energy = await _day(api, ALPHAESS_SYSTEM, TODAY)
    assert len(samples) == 168  # 00:00 … 13:55; the 14:00 step uploads at 14:04:22
    assert samples[0]["uploadTime"] == "2026-01-14 13:59:22"
    assert energy["epv"] == pytest.approx(_kwh(samples, "ppv"), abs=0.005 + 1e-9)
    clock.advance(131)  # 14:04:21
    assert len((await _day(api, ALPHAESS_SYSTEM, TODAY))[0]) == 168
    clock.advance(1)
    later, later_energy = await _day(api, ALPHAESS_SYSTEM, TODAY)
    assert len(later) == 169
    assert later[1:] == samples
    assert later_energy["epv"] == pytest.approx(_kwh(later, "ppv"), abs=0.005 + 1e-9)
    assert later_energy["epv"] > energy["epv"]


async def test_no_data_before_installation_or_in_the_future(
    api: Api, alphaess: AlphaEssSimulator
) -> None:
    """Before `installed_on` and after today: `[]` samples and null energy (code 200)."""
    legacy = alphaess.systems[ALPHAESS_LEGACY_SYSTEM]
    for day in (legacy.installed_on - timedelta(days=1), TODAY + timedelta(days=1)):
        assert await _day(api, ALPHAESS_LEGACY_SYSTEM, day) == ([], None)
    samples, energy = await _day(api, ALPHAESS_LEGACY_SYSTEM, legacy.installed_on)
    assert len(samples) == 288
    assert energy is not None
    legacy.installed_on = TODAY
    assert await _day(api, ALPHAESS_LEGACY_SYSTEM, TODAY - timedelta(days=1)) == (
        [],
        None,
    )
    for raw in ("2026-1-14", "14/01/2026", "2026-02-30", ""):
        assert await api.get(
            "getOneDayPowerBySn", sysSn=ALPHAESS_SYSTEM, queryDate=raw
        ) == _error(6001, "Parameter error", "queryDate"), raw
    assert await api.get("getOneDateEnergyBySn", sysSn=ALPHAESS_SYSTEM) == _error(
        6001, "Parameter error", "queryDate"
    )


async def test_gaps(api: Api, alphaess: AlphaEssSimulator) -> None:
    """A gap day has no samples but keeps its daily energy."""
    day = TODAY - timedelta(days=2)
    samples, energy = await _day(api, ALPHAESS_SYSTEM, day)
    alphaess.gaps.add((ALPHAESS_SYSTEM, day))
    assert await _day(api, ALPHAESS_SYSTEM, day) == ([], energy)
    assert len(samples) == 288
    assert len((await _day(api, ALPHAESS_LEGACY_SYSTEM, day))[0]) == 288


async def test_time_zone_is_settable(api: Api, alphaess: AlphaEssSimulator) -> None:
    """A system's zone moves its local day (and so what "today" holds)."""
    alphaess.systems[ALPHAESS_LEGACY_SYSTEM].time_zone = "Australia/Perth"
    samples, _ = await _day(api, ALPHAESS_LEGACY_SYSTEM, TODAY)
    assert len(samples) == 132  # 11:02:10 in Perth
    assert samples[0]["uploadTime"] == "2026-01-14 10:59:13"


async def test_last_power(api: Api, clock: FakeClock) -> None:
    """The current step, the fixture's keys; balanced; detail fields; no charger on the legacy."""
    clock.advance(150)  # 14:04:40: the 14:00 step is uploaded
    data = await api.data("getLastPowerData", sysSn=ALPHAESS_SYSTEM)
    _assert_shape(data, _fixture("getLastPowerData.json")["data"])
    samples, _ = await _day(api, ALPHAESS_SYSTEM, TODAY)
    current = samples[0]
    assert current["uploadTime"] == "2026-01-14 14:04:22"
    assert (data["ppv"], data["pload"], data["soc"]) == (
        current["ppv"],
        current["load"],
        current["cbat"],
    )
    assert data["pgrid"] == current["gridCharge"] - current["feedIn"]
    assert data["pgrid"] + data["ppv"] + data["pbat"] == data["pload"] + data["pev"]
    assert data["ppvDetail"]["ppv1"] == round(data["ppv"] * 0.6)
    assert data["ppvDetail"]["ppv1"] + data["ppvDetail"]["ppv2"] == data["ppv"]
    assert (
        data["ppvDetail"]["ppv3"],
        data["ppvDetail"]["ppv4"],
        data["ppvDetail"]["pmeterDc"],
    ) == (0.0, 0.0, 0.0)
    assert data["pgridDetail"] == {
        "pmeterL1": data["pgrid"],
        "pmeterL2": 0.0,
        "pmeterL3": 0.0,
    }
    assert data["prealL1"] == data["ppv"] + data["pbat"]
    assert (data["prealL2"], data["prealL3"]) == (0.0, 0.0)
    assert (data["pev"], data["pevDetail"]) == (
        0,
        {"ev1Power": 0, "ev2Power": None, "ev3Power": None, "ev4Power": None},
    )
    # Mid-afternoon in January: PV exceeds the load, the full battery idles, we export.
    assert data["ppv"] > data["pload"]
    assert data["pgrid"] < 0
    # Evening: the battery discharges (+).
    clock.now = datetime(2026, 1, 14, 8, 30, tzinfo=UTC)  # 19:30 in Sydney
    evening = await api.data("getLastPowerData", sysSn=ALPHAESS_SYSTEM)
    assert evening["ppv"] == 0.0
    assert evening["pbat"] > 0
    assert evening["pgrid"] + evening["pbat"] == evening["pload"]
    assert await api.get("getLastPowerData", sysSn=ALPHAESS_LEGACY_SYSTEM) == _error(
        6016, "Data does not exist or has been deleted"
    )


async def test_summary(api: Api, alphaess: AlphaEssSimulator) -> None:
    """Today's totals, lifetime PV since installation, fractions, income where a tariff is."""
    model = _fixture("getSumDataForCustomer.json")["data"]
    summary = await api.data("getSumDataForCustomer", sysSn=ALPHAESS_SYSTEM)
    _assert_shape(summary, model)
    samples, energy = await _day(api, ALPHAESS_SYSTEM, TODAY)
    assert (
        summary["epvtoday"],
        summary["eoutput"],
        summary["einput"],
        summary["echarge"],
        summary["edischarge"],
    ) == (
        energy["epv"],
        energy["eOutput"],
        energy["eInput"],
        energy["eCharge"],
        energy["eDischarge"],
    )
    assert summary["eload"] == round(_kwh(samples, "load"), 2)
    assert summary["todayIncome"] == pytest.approx(energy["eOutput"] * 0.05, abs=0.006)
    assert summary["eselfConsumption"] == pytest.approx(
        1 - energy["eOutput"] / energy["epv"], abs=0.001
    )
    assert summary["eselfSufficiency"] == pytest.approx(
        1 - energy["eInput"] / summary["eload"], abs=0.001
    )
    assert 0 <= summary["eselfConsumption"] <= 1
    assert 0 <= summary["eselfSufficiency"] <= 1
    assert summary["moneyType"] is None
    assert summary["totalIncome"] > summary["todayIncome"] > 0
    # Both rounded to 0.01 from the exact lifetime PV.
    assert summary["carbonNum"] == pytest.approx(summary["epvtotal"] * 0.997, abs=0.011)
    assert summary["treeNum"] == pytest.approx(summary["carbonNum"] / 18.3, abs=0.006)

    # Lifetime PV: every day since installation (made recent to keep the test short).
    installed = TODAY - timedelta(days=20)
    alphaess.systems[ALPHAESS_LEGACY_SYSTEM].installed_on = installed
    legacy = await api.data("getSumDataForCustomer", sysSn=ALPHAESS_LEGACY_SYSTEM)
    _assert_shape(legacy, model)
    assert (legacy["todayIncome"], legacy["totalIncome"], legacy["moneyType"]) == (
        None,
        None,
        None,
    )
    daily = [
        (
            await api.data(
                "getOneDateEnergyBySn",
                sysSn=ALPHAESS_LEGACY_SYSTEM,
                queryDate=(installed + timedelta(days=n)).isoformat(),
            )
        )["epv"]
        for n in range(21)
    ]
    assert legacy["epvtotal"] == pytest.approx(sum(daily), abs=21 * 0.005)
    assert legacy["epvtotal"] > 20 * 5  # not just today
    assert legacy["epvtoday"] == daily[-1]


# --------------------------------------------------------------------------------------------
# Legacy schedule store


def _legacy_charge(serial: str, **changes: Any) -> dict[str, Any]:
    body = {**_fixture("request_updateChargeConfigInfo.json"), "sysSn": serial}
    return {k: v for k, v in {**body, **changes}.items() if v is not DROP}


def _legacy_discharge(serial: str, **changes: Any) -> dict[str, Any]:
    body = {
        **_fixture("request_official_postman_updateDisChargeConfigInfo.json"),
        "sysSn": serial,
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not DROP}


DROP = object()
"""A `changes` value that removes the key from the body."""


async def test_legacy_reads_start_from_the_fixtures(api: Api) -> None:
    """Both systems start with the captured legacy settings."""
    for serial in (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM):
        assert (
            await api.data("getChargeConfigInfo", sysSn=serial)
            == _fixture("getChargeConfigInfo.json")["data"]
        )
        assert (
            await api.data("getDisChargeConfigInfo", sysSn=serial)
            == _fixture("getDisChargeConfigInfo.json")["data"]
        )


async def test_legacy_writes(
    api: Api, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """Full replaces on the legacy system (the official "95" accepted); logged with times."""
    postman = {
        **_fixture("request_official_postman_updateChargeConfigInfo.json"),
        "sysSn": ALPHAESS_LEGACY_SYSTEM,
    }
    await api.write("updateChargeConfigInfo", postman)
    assert await api.data("getChargeConfigInfo", sysSn=ALPHAESS_LEGACY_SYSTEM) == {
        "gridCharge": 1,
        "timeChaf1": "00:00",
        "timeChae1": "22:15",
        "timeChaf2": "01:15",
        "timeChae2": "00:00",
        "batHighCap": 95,
    }
    clock.advance(30)
    discharge = _legacy_discharge(
        ALPHAESS_LEGACY_SYSTEM,
        ctrDis=1,
        timeDisf1="17:00",
        timeDise1="21:30",
        batUseCap=12.5,
    )
    await api.write("updateDisChargeConfigInfo", discharge)
    assert await api.data("getDisChargeConfigInfo", sysSn=ALPHAESS_LEGACY_SYSTEM) == {
        "ctrDis": 1,
        "timeDisf1": "17:00",
        "timeDise1": "21:30",
        "timeDisf2": "00:00",
        "timeDise2": "00:00",
        "batUseCap": 12.5,
    }
    assert [
        (w.time, w.app_id, w.endpoint, w.body, w.applied) for w in alphaess.writes
    ] == [
        (NOW, ALPHAESS_APP_ID, "updateChargeConfigInfo", postman, True),
        (
            NOW + timedelta(seconds=30),
            ALPHAESS_APP_ID,
            "updateDisChargeConfigInfo",
            discharge,
            True,
        ),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"timeChae2": DROP}, _error(10001, "Parameter Error")),
        ({"gridCharge": DROP}, _error(10001, "Parameter Error")),
        ({"batHighCap": DROP}, _error(10001, "Parameter Error")),
        ({"sysSn": DROP}, _error(10001, "Parameter Error")),
        ({"timeChaf1": "01:10"}, _error(6001, "Parameter error", "timeChaf1")),
        ({"timeChae1": "24:00"}, _error(6001, "Parameter error", "timeChae1")),
        ({"timeChaf2": "1:00"}, _error(6001, "Parameter error", "timeChaf2")),
        ({"timeChae2": 0}, _error(6001, "Parameter error", "timeChae2")),
        ({"gridCharge": 2}, _error(6001, "Parameter error", "gridCharge")),
        ({"gridCharge": True}, _error(6001, "Parameter error", "gridCharge")),
        ({"batHighCap": 9}, _error(6001, "Parameter error", "batHighCap")),
        ({"batHighCap": 101}, _error(6001, "Parameter error", "batHighCap")),
        ({"batHighCap": "abc"}, _error(6001, "Parameter error", "batHighCap")),
        ({"batHighCap": "10", "gridCharge": "0"}, _ok()),
    ],
)
async def test_legacy_charge_validation(
    api: Api,
    alphaess: AlphaEssSimulator,
    changes: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """A full replace: every field present, times on the grid, flag 0/1, limit 10–100."""
    before = await api.data("getChargeConfigInfo", sysSn=ALPHAESS_LEGACY_SYSTEM)
    body = _legacy_charge(ALPHAESS_LEGACY_SYSTEM, **changes)
    assert await api.post("updateChargeConfigInfo", body) == expected
    after = await api.data("getChargeConfigInfo", sysSn=ALPHAESS_LEGACY_SYSTEM)
    if expected["code"] == 200:
        assert after == {
            **before,
            "gridCharge": 0,
            "batHighCap": 10,
            "timeChaf1": "01:00",
            "timeChae1": "05:00",
        }
        assert len(alphaess.writes) == 1
    else:
        assert after == before
        assert alphaess.writes == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"batUseCap": DROP}, _error(10001, "Parameter Error")),
        ({"timeDisf2": DROP}, _error(10001, "Parameter Error")),
        ({"batUseCap": 4}, _error(6001, "Parameter error", "batUseCap")),
        ({"batUseCap": 100.5}, _error(6001, "Parameter error", "batUseCap")),
        ({"ctrDis": "x"}, _error(6001, "Parameter error", "ctrDis")),
        ({"timeDise1": "23:59"}, _error(6001, "Parameter error", "timeDise1")),
        ({"batUseCap": 5}, _ok()),
        ({"batUseCap": "100"}, _ok()),
    ],
)
async def test_legacy_discharge_validation(
    api: Api, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    """The discharge store: batUseCap 5–100, ctrDis 0/1, times on the grid, all fields."""
    body = _legacy_discharge(ALPHAESS_LEGACY_SYSTEM, **changes)
    assert await api.post("updateDisChargeConfigInfo", body) == expected


async def test_legacy_writes_on_a_periodic_system_change_nothing(
    api: Api, alphaess: AlphaEssSimulator
) -> None:
    """Newer backends answer 200 to legacy writes and ignore them; invalid ones still fail."""
    await api.write(
        "updateChargeConfigInfo", _legacy_charge(ALPHAESS_SYSTEM, batHighCap=80)
    )
    await api.write(
        "updateDisChargeConfigInfo", _legacy_discharge(ALPHAESS_SYSTEM, ctrDis=1)
    )
    assert (
        await api.data("getChargeConfigInfo", sysSn=ALPHAESS_SYSTEM)
        == _fixture("getChargeConfigInfo.json")["data"]
    )
    assert (
        await api.data("getDisChargeConfigInfo", sysSn=ALPHAESS_SYSTEM)
        == _fixture("getDisChargeConfigInfo.json")["data"]
    )
    assert [(w.endpoint, w.applied) for w in alphaess.writes] == [
        ("updateChargeConfigInfo", False),
        ("updateDisChargeConfigInfo", False),
    ]
    assert await api.post(
        "updateChargeConfigInfo", _legacy_charge(ALPHAESS_SYSTEM, batHighCap=5)
    ) == _error(6001, "Parameter error", "batHighCap")
    assert len(alphaess.writes) == 2


# --------------------------------------------------------------------------------------------
# Periodic schedule store


def _period(begin: str, end: str, weeks: list[int], limit: int = 50) -> dict[str, Any]:
    return {
        "beginTime": begin,
        "endTime": end,
        "weeks": weeks,
        "chargePower": 3000,
        "chargeLimit": limit,
    }


def _periodic(**changes: Any) -> dict[str, Any]:
    body = {**_fixture("request_setTimeChargeBySn.json"), "sysSn": ALPHAESS_SYSTEM}
    return {k: v for k, v in {**body, **changes}.items() if v is not DROP}


EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]
INITIAL_SCHEDULE = {
    "sysSn": ALPHAESS_SYSTEM,
    "executeCycleType": 1,
    "gridChargeCycle": 1,
    "ctrDisCycle": 1,
    "chargeTimeList": [
        {
            "executeCycleType": 1,
            "strategyType": 0,
            "beginTime": "01:00",
            "endTime": "05:00",
            "weeks": EVERY_DAY,
            "sort": 1,
            "chargePower": 5000,
            "chargeLimit": 90,
        }
    ],
    "dischargeTimeList": [
        {
            "executeCycleType": 1,
            "strategyType": 1,
            "beginTime": "17:00",
            "endTime": "21:00",
            "weeks": EVERY_DAY,
            "sort": 1,
            "chargePower": 5000,
            "chargeLimit": 20,
        }
    ],
}


async def test_periodic_read_and_write(
    api: Api, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """The initial schedule; a write replaces it, read back with the read-only keys."""
    assert (
        await api.data("getTimeChargeBySn", sysSn=ALPHAESS_SYSTEM) == INITIAL_SCHEDULE
    )
    body = _periodic(
        gridChargeCycle=0,
        chargeTimeList=[
            _period("00:00", "06:00", [1, 2, 3, 4, 5], 80),
            _period("22:00", "23:45", [6, 7], 100),
        ],
        dischargeTimeList=[_period("16:00", "20:00", EVERY_DAY, 15)],
    )
    await api.write("setTimeChargeBySn", body)
    read = await api.data("getTimeChargeBySn", sysSn=ALPHAESS_SYSTEM)
    assert (read["executeCycleType"], read["gridChargeCycle"], read["ctrDisCycle"]) == (
        1,
        0,
        1,
    )
    assert read["chargeTimeList"] == [
        {
            **_period("00:00", "06:00", [1, 2, 3, 4, 5], 80),
            "executeCycleType": 1,
            "strategyType": 0,
            "sort": 1,
        },
        {
            **_period("22:00", "23:45", [6, 7], 100),
            "executeCycleType": 1,
            "strategyType": 0,
            "sort": 2,
        },
    ]
    assert read["dischargeTimeList"] == [
        {
            **_period("16:00", "20:00", EVERY_DAY, 15),
            "executeCycleType": 1,
            "strategyType": 1,
            "sort": 1,
        }
    ]
    assert [(w.time, w.endpoint, w.body, w.applied) for w in alphaess.writes] == [
        (NOW, "setTimeChargeBySn", body, True)
    ]
    # Daily, cycles omitted (kept), weeks and power omitted: every day at the rating.
    clock.advance(45)
    daily = {
        "sysSn": ALPHAESS_SYSTEM,
        "executeCycleType": 0,
        "chargeTimeList": [
            {"beginTime": "02:00", "endTime": "04:00", "chargeLimit": "95"}
        ],
        "dischargeTimeList": [
            {"beginTime": "18:00", "endTime": "18:00", "chargeLimit": 10}
        ],
    }
    await api.write("setTimeChargeBySn", daily)
    read = await api.data("getTimeChargeBySn", sysSn=ALPHAESS_SYSTEM)
    assert read == {
        "sysSn": ALPHAESS_SYSTEM,
        "executeCycleType": 0,
        "gridChargeCycle": 0,
        "ctrDisCycle": 1,
        "chargeTimeList": [
            {
                "executeCycleType": 0,
                "strategyType": 0,
                "beginTime": "02:00",
                "endTime": "04:00",
                "weeks": EVERY_DAY,
                "sort": 1,
                "chargePower": 5000,
                "chargeLimit": 95,
            }
        ],
        "dischargeTimeList": [
            {
                "executeCycleType": 0,
                "strategyType": 1,
                "beginTime": "18:00",
                "endTime": "18:00",
                "weeks": EVERY_DAY,
                "sort": 1,
                "chargePower": 5000,
                "chargeLimit": 10,
            }
        ],
    }
    assert alphaess.writes[1].time - alphaess.writes[0].time == timedelta(seconds=45)


def _with(
    items: list[dict[str, Any]], index: int, **changes: Any
) -> list[dict[str, Any]]:
    changed = copy.deepcopy(items)
    changed[index] = {
        k: v for k, v in {**changed[index], **changes}.items() if v is not DROP
    }
    return changed


_CHARGE = _fixture("request_setTimeChargeBySn.json")["chargeTimeList"]
_DISCHARGE = _fixture("request_setTimeChargeBySn.json")["dischargeTimeList"]
_INVALID = _error(6001, "Parameter error")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"strategyType": 0}, {**_INVALID, "expMsg": "strategyType"}),
        ({"sort": 1}, {**_INVALID, "expMsg": "sort"}),
        ({"chargeTimeList": _with(_CHARGE, 0, sort=1)}, {**_INVALID, "expMsg": "sort"}),
        (
            {"dischargeTimeList": _with(_DISCHARGE, 0, executeCycleType=1)},
            {**_INVALID, "expMsg": "executeCycleType"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, strategyType=0)},
            {**_INVALID, "expMsg": "strategyType"},
        ),
        ({"dischargeTimeList": DROP}, _error(10001, "Parameter Error")),
        ({"chargeTimeList": DROP}, _error(10001, "Parameter Error")),
        ({"executeCycleType": DROP}, _error(10001, "Parameter Error")),
        ({"sysSn": DROP}, _error(10001, "Parameter Error")),
        ({"chargeTimeList": {"beginTime": "01:00"}}, _error(10001, "Parameter Error")),
        ({"chargeTimeList": ["01:00-05:00"]}, _error(10001, "Parameter Error")),
        (
            {"chargeTimeList": _with(_CHARGE, 0, weeks=DROP)},
            _error(10001, "Parameter Error"),
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, chargeLimit=DROP)},
            _error(10001, "Parameter Error"),
        ),
        ({"chargeTimeList": []}, {**_INVALID, "expMsg": "time list is null"}),
        ({"dischargeTimeList": []}, {**_INVALID, "expMsg": "time list is null"}),
        ({"executeCycleType": 2}, {**_INVALID, "expMsg": "executeCycleType"}),
        ({"ctrDisCycle": 3}, {**_INVALID, "expMsg": "ctrDisCycle"}),
        (
            {"chargeTimeList": _with(_CHARGE, 0, beginTime="01:10")},
            {**_INVALID, "expMsg": "beginTime"},
        ),
        (
            {"dischargeTimeList": _with(_DISCHARGE, 0, endTime="24:00")},
            {**_INVALID, "expMsg": "endTime"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, chargeLimit=9)},
            {**_INVALID, "expMsg": "chargeLimit"},
        ),
        (
            {"dischargeTimeList": _with(_DISCHARGE, 0, chargeLimit=101)},
            {**_INVALID, "expMsg": "chargeLimit"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, weeks=[0, 1])},
            {**_INVALID, "expMsg": "weeks"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, weeks=[1, 1])},
            {**_INVALID, "expMsg": "weeks"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, weeks=[])},
            {**_INVALID, "expMsg": "weeks"},
        ),
        (
            {"chargeTimeList": _with(_CHARGE, 0, chargePower=5001)},
            {**_INVALID, "expMsg": "chargePower"},
        ),
        # Seven periods on Monday: more than six a day.
        (
            {
                "chargeTimeList": [
                    _period(f"0{hour}:00", f"0{hour}:30", [1]) for hour in range(6)
                ],
                "dischargeTimeList": [_period("12:00", "13:00", [1])],
            },
            _error(6008, "Set failed"),
        ),
        # Five periods every day: 35 period-days, more than 28 a week.
        (
            {
                "chargeTimeList": [
                    _period(f"0{hour}:00", f"0{hour}:30", EVERY_DAY)
                    for hour in range(4)
                ],
                "dischargeTimeList": [_period("12:00", "13:00", EVERY_DAY)],
            },
            _error(6008, "Set failed"),
        ),
        # Overlaps: two charge periods; charge and discharge; across midnight.
        (
            {
                "chargeTimeList": [
                    _period("01:00", "03:00", [1]),
                    _period("02:45", "04:00", [1, 2]),
                ]
            },
            _error(6008, "Set failed"),
        ),
        (
            {"dischargeTimeList": [_period("04:45", "06:00", [3])]},
            _error(6008, "Set failed"),
        ),
        (
            {"dischargeTimeList": [_period("22:00", "01:15", [5])]},
            _error(6008, "Set failed"),
        ),
    ],
)
async def test_periodic_validation(
    api: Api,
    alphaess: AlphaEssSimulator,
    changes: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """Read-only keys, omitted and empty lists, ranges, the grid, counts and overlaps."""
    assert await api.post("setTimeChargeBySn", _periodic(**changes)) == expected
    assert (
        await api.data("getTimeChargeBySn", sysSn=ALPHAESS_SYSTEM) == INITIAL_SCHEDULE
    )
    assert alphaess.writes == []


@pytest.mark.parametrize(
    "changes",
    [
        # Exactly 28 period-days; six periods on one day; adjacent periods.
        {
            "chargeTimeList": [
                _period(f"0{hour}:00", f"0{hour}:30", EVERY_DAY) for hour in range(3)
            ],
            "dischargeTimeList": [_period("12:00", "13:00", EVERY_DAY)],
        },
        {
            "chargeTimeList": [
                _period(f"0{hour}:00", f"0{hour}:30", [2]) for hour in range(5)
            ],
            "dischargeTimeList": [_period("12:00", "13:00", [2])],
        },
        {
            "chargeTimeList": [_period("22:00", "02:00", [1])],
            "dischargeTimeList": [
                _period("02:00", "05:00", [1]),
                _period("01:00", "03:00", [2]),
            ],
        },
    ],
)
async def test_periodic_limits_accept(api: Api, changes: dict[str, Any]) -> None:
    """At the limits, and periods that only touch, are accepted."""
    await api.write("setTimeChargeBySn", _periodic(**changes))


async def test_periodic_store_needs_the_entitlement(api: Api) -> None:
    """The legacy system: 6017 for a valid body, but a bad body is refused first."""
    no_permission = _error(6017, "No operation permissions")
    assert (
        await api.get("getTimeChargeBySn", sysSn=ALPHAESS_LEGACY_SYSTEM)
        == no_permission
    )
    legacy = _periodic(sysSn=ALPHAESS_LEGACY_SYSTEM)
    assert await api.post("setTimeChargeBySn", legacy) == no_permission
    assert await api.post("setTimeChargeBySn", {**legacy, "dischargeTimeList": []}) == {
        **_INVALID,
        "expMsg": "time list is null",
    }
    del legacy["dischargeTimeList"]
    assert await api.post("setTimeChargeBySn", legacy) == _error(
        10001, "Parameter Error"
    )
    # A read fed back unchanged carries the read-only keys.
    read = await api.data("getTimeChargeBySn", sysSn=ALPHAESS_SYSTEM)
    assert await api.post("setTimeChargeBySn", read) == {
        **_INVALID,
        "expMsg": "executeCycleType",
    }


# --------------------------------------------------------------------------------------------
# EV charger


async def test_ev_charger(
    api: Api, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """List, current setting, status transitions, and the charging power in live data."""
    serial = {"sysSn": ALPHAESS_SYSTEM}
    charger = {**serial, "evchargerSn": ALPHAESS_CHARGER}
    assert await api.data("getEvChargerConfigList", **serial) == [
        {"evchargerSn": ALPHAESS_CHARGER, "evchargerModel": "SMILE-EVCT11"}
    ]
    assert await api.get(
        "getEvChargerConfigList", sysSn=ALPHAESS_LEGACY_SYSTEM
    ) == _fixture("getEvChargerConfigList_no_charger.json")
    current = await api.get("getEvChargerCurrentsBySn", **serial)
    _assert_shape(current, _fixture("getEvChargerCurrentsBySn.json"))
    assert current["data"] == {"currentsetting": 32.0}

    invalid = {**_INVALID, "expMsg": "currentsetting"}
    for value in (5, 32.5, "x", None):
        body = {**serial, "currentsetting": value}
        expected = invalid if value is not None else _error(10001, "Parameter Error")
        assert await api.post("setEvChargerCurrentsBySn", body) == expected, value
    assert await api.post(
        "setEvChargerCurrentsBySn", {**serial, "currentSetting": 16}
    ) == _error(10001, "Parameter Error")
    await api.write("setEvChargerCurrentsBySn", {**serial, "currentsetting": 16})
    assert await api.data("getEvChargerCurrentsBySn", **serial) == {
        "currentsetting": 16.0
    }
    await api.write("setEvChargerCurrentsBySn", {**serial, "currentsetting": "6"})
    assert await api.data("getEvChargerCurrentsBySn", **serial) == {
        "currentsetting": 6.0
    }
    await api.write("setEvChargerCurrentsBySn", {**serial, "currentsetting": 16})

    async def status() -> int:
        data = await api.data("getEvChargerStatusBySn", **charger)
        assert list(data) == ["evchargerStatus"]
        result: int = data["evchargerStatus"]
        return result

    async def control(mode: object) -> dict[str, Any]:
        return await api.post(
            "remoteControlEvCharger", {**charger, "controlMode": mode}
        )

    failed = _error(6029, "operation failed")
    assert await status() == 2
    assert await control(0) == failed
    assert await control(1) == _ok()
    assert await status() == 3
    live = await api.data("getLastPowerData", **serial)
    assert live["pev"] == 16 * 230
    assert live["pevDetail"] == {
        "ev1Power": 3680,
        "ev2Power": None,
        "ev3Power": None,
        "ev4Power": None,
    }
    assert live["pgrid"] + live["ppv"] + live["pbat"] == live["pload"] + live["pev"]
    assert await control(1) == failed
    assert await control(0) == _ok()
    assert await status() == 4
    assert (await api.data("getLastPowerData", **serial))["pev"] == 0
    assert await control(1) == _ok()
    assert await status() == 3
    for start_from, expected in ((5, _ok()), (1, failed), (6, failed), (9, failed)):
        assert alphaess.systems[ALPHAESS_SYSTEM].charger is not None
        alphaess.systems[ALPHAESS_SYSTEM].charger.status = start_from
        assert await control(1) == expected, start_from
    assert await control(2) == {**_INVALID, "expMsg": "controlMode"}
    assert await control(None) == _error(10001, "Parameter Error")

    missing = _error(6016, "Data does not exist or has been deleted")
    assert (
        await api.get(
            "getEvChargerStatusBySn",
            sysSn=ALPHAESS_SYSTEM,
            evchargerSn="AE0000000000000",
        )
        == missing
    )
    assert await api.get("getEvChargerStatusBySn", **serial) == {
        **_INVALID,
        "expMsg": "evchargerSn",
    }
    assert (
        await api.get("getEvChargerCurrentsBySn", sysSn=ALPHAESS_LEGACY_SYSTEM)
        == missing
    )
    assert (
        await api.post(
            "remoteControlEvCharger",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "evchargerSn": ALPHAESS_CHARGER,
                "controlMode": 1,
            },
        )
        == missing
    )
    assert [w.endpoint for w in alphaess.writes] == ["setEvChargerCurrentsBySn"] * 3 + [
        "remoteControlEvCharger"
    ] * 4


# --------------------------------------------------------------------------------------------
# Binding


async def test_bind_and_unbind(
    api: Api, other: Api, clock: FakeClock, alphaess: AlphaEssSimulator
) -> None:
    """CheckCode → emailed code → bindSn; 6004, 6038, 6046 (wrong, expired, used), 6003, 6005."""
    assert await other.get(
        "getVerificationCode", sysSn=ALPHAESS_UNBOUND_SYSTEM, checkCode="AAAAAA"
    ) == _error(6004, "CheckCode error")
    assert await other.get(
        "getVerificationCode", sysSn="AL0000000000000", checkCode=ALPHAESS_CHECK_CODE
    ) == _error(6038, "system sn does not exist")
    assert await other.get("getVerificationCode", sysSn=ALPHAESS_UNBOUND_SYSTEM) == {
        **_INVALID,
        "expMsg": "checkCode",
    }
    assert alphaess.sent_codes == {}

    assert (
        await other.get(
            "getVerificationCode",
            sysSn=ALPHAESS_UNBOUND_SYSTEM,
            checkCode=ALPHAESS_CHECK_CODE,
        )
        == _ok()
    )
    code = alphaess.sent_codes[ALPHAESS_UNBOUND_SYSTEM]
    assert re.fullmatch(r"\d{6}", code)
    wrong_code = _error(6046, "The verification code is incorrect or expired")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert (
        await other.post("bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": wrong})
        == wrong_code
    )
    assert await other.post("bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM}) == _error(
        10001, "Parameter Error"
    )
    assert await other.get("getLastPowerData", sysSn=ALPHAESS_UNBOUND_SYSTEM) == _error(
        6005, "This appId is not bound to the SN"
    )
    await other.write("bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": code})
    assert [s["sysSn"] for s in await other.data("getEssList")] == [
        ALPHAESS_UNBOUND_SYSTEM
    ]
    assert (await other.get("getLastPowerData", sysSn=ALPHAESS_UNBOUND_SYSTEM))[
        "code"
    ] == 200
    assert ALPHAESS_UNBOUND_SYSTEM not in alphaess.sent_codes
    assert await other.post(
        "bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": code}
    ) == _error(6003, "You have bound this SN")

    # The demo appId: a code expires after 600 s and is good for one bind only.
    await api.get(
        "getVerificationCode",
        sysSn=ALPHAESS_UNBOUND_SYSTEM,
        checkCode=ALPHAESS_CHECK_CODE,
    )
    clock.advance(601)
    expired = alphaess.sent_codes[ALPHAESS_UNBOUND_SYSTEM]
    assert (
        await api.post("bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": expired})
        == wrong_code
    )
    await api.get(
        "getVerificationCode",
        sysSn=ALPHAESS_UNBOUND_SYSTEM,
        checkCode=ALPHAESS_CHECK_CODE,
    )
    fresh = alphaess.sent_codes[ALPHAESS_UNBOUND_SYSTEM]
    assert fresh != expired
    clock.advance(600)
    await api.write("bindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": fresh})
    assert [s["sysSn"] for s in await api.data("getEssList")] == [
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
        ALPHAESS_UNBOUND_SYSTEM,
    ]

    await other.write("unBindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM})
    assert await other.data("getEssList") == []
    assert await other.post("unBindSn", {"sysSn": ALPHAESS_UNBOUND_SYSTEM}) == _error(
        6005, "This appId is not bound to the SN"
    )
    assert await other.get("getLastPowerData", sysSn=ALPHAESS_UNBOUND_SYSTEM) == _error(
        6005, "This appId is not bound to the SN"
    )
    assert (await api.get("getLastPowerData", sysSn=ALPHAESS_UNBOUND_SYSTEM))[
        "code"
    ] == 200
    assert [(w.app_id, w.endpoint) for w in alphaess.writes] == [
        (ALPHAESS_OTHER_APP_ID, "bindSn"),
        (ALPHAESS_APP_ID, "bindSn"),
        (ALPHAESS_OTHER_APP_ID, "unBindSn"),
    ]


# --------------------------------------------------------------------------------------------
# Faults


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("code_6005", _error(6005, "This appId is not bound to the SN")),
        ("code_6007", _error(6007, "Sign check error")),
        ("code_6009", _error(6009, STALE)),
        ("code_6016", _error(6016, "Data does not exist or has been deleted")),
        ("code_6017", _error(6017, "No operation permissions")),
        ("code_6026", _error(6026, "internal error")),
        ("code_6042", _error(6042, "system offline")),
        ("code_6053", _error(6053, "The request was too fast, please try again later")),
        ("code_10001", _error(10001, "Parameter Error")),
    ],
)
async def test_code_faults(
    client: Client,
    api: Api,
    simulator: Simulator,
    alphaess: AlphaEssSimulator,
    fault: str,
    expected: dict[str, Any],
) -> None:
    """A code fault answers its envelope to the next request of an endpoint, uncounted."""
    simulator.fault_next("alphaess", fault, count=2)
    assert (await client.get(f"{API}/nope", headers=api.headers())).status == 404
    assert (await client.post(f"{API}/getEssList", headers=api.headers())).status == 405
    assert await api.get("getEssList") == expected
    assert await api.post("unBindSn", {"sysSn": "x"}) == expected
    assert (await api.get("getEssList"))["code"] == 200
    assert [r.fault for r in simulator.requests] == [None, None, fault, fault, None]
    assert len(alphaess.accounts[ALPHAESS_APP_ID].request_times) == 1


@pytest.mark.parametrize(
    ("fault", "status", "keys", "error"),
    [
        (
            "http_500",
            500,
            {"timestamp", "status", "error", "path"},
            "Internal Server Error",
        ),
        (
            "http_502",
            502,
            {"timestamp", "path", "status", "error", "requestId"},
            "Bad Gateway",
        ),
        ("not_found", 404, {"timestamp", "status", "error", "path"}, "Not Found"),
    ],
)
async def test_http_faults(
    client: Client,
    api: Api,
    simulator: Simulator,
    fault: str,
    status: int,
    keys: set[str],
    error: str,
) -> None:
    """HTTP faults answer Spring's (or its gateway's) body, then normal service resumes."""
    simulator.fault_next("alphaess", fault, count=2)
    for _ in range(2):
        response = await client.get(
            f"{API}/getLastPowerData",
            headers=api.headers(),
            params={"sysSn": ALPHAESS_SYSTEM},
        )
        assert response.status == status
        assert response.headers["Content-Type"] == "application/json"
        body = await response.json()
        assert set(body) == keys
        assert (body["status"], body["error"], body["path"]) == (
            status,
            error,
            "/api/getLastPowerData",
        )
        assert body["timestamp"] == "2026-01-14T03:02:10.000+00:00"
    assert (await api.get("getLastPowerData", sysSn=ALPHAESS_SYSTEM))["code"] == 200
    assert simulator.count_requests("alphaess", status=status, injected=True) == 2


@pytest.mark.parametrize(
    "fault",
    [
        "http_400",
        "http_401",
        "http_403",
        "http_429",
        "unknown_enum",
        "missing_field",
        "null_usage",
        "stale_instant",
        "code_6001",
    ],
)
def test_unsupported_faults(simulator: Simulator, fault: str) -> None:
    """Faults AlphaESS cannot produce are refused."""
    with pytest.raises(ValueError):
        simulator.fault_next("alphaess", fault)


async def test_null_values(api: Api, simulator: Simulator) -> None:
    """`null_values` waits for live power or daily energy, then nulls every number."""
    simulator.fault_next("alphaess", "null_values", count=2)
    assert (await api.data("getEssList"))[0]["cobat"] == 13.34
    samples = await api.data(
        "getOneDayPowerBySn", sysSn=ALPHAESS_SYSTEM, queryDate=TODAY.isoformat()
    )
    assert samples[0]["ppv"] is not None
    live = await api.data("getLastPowerData", sysSn=ALPHAESS_SYSTEM)
    assert live == {
        "ppv": None,
        "ppvDetail": {
            "ppv1": None,
            "ppv2": None,
            "ppv3": None,
            "ppv4": None,
            "pmeterDc": None,
        },
        "soc": None,
        "pev": None,
        "pevDetail": {
            "ev1Power": None,
            "ev2Power": None,
            "ev3Power": None,
            "ev4Power": None,
        },
        "prealL1": None,
        "prealL2": None,
        "prealL3": None,
        "pgrid": None,
        "pgridDetail": {"pmeterL1": None, "pmeterL2": None, "pmeterL3": None},
        "pload": None,
        "pbat": None,
    }
    energy = await api.data(
        "getOneDateEnergyBySn", sysSn=ALPHAESS_SYSTEM, queryDate="2026-01-13"
    )
    assert energy == {
        "sysSn": ALPHAESS_SYSTEM,
        "theDate": "2026-01-13",
        "eCharge": None,
        "epv": None,
        "eOutput": None,
        "eInput": None,
        "eGridCharge": None,
        "eDischarge": None,
        "eChargingPile": None,
    }
    assert (await api.data("getLastPowerData", sysSn=ALPHAESS_SYSTEM))[
        "ppv"
    ] is not None
    assert [r.fault for r in simulator.requests] == [
        None,
        None,
        "null_values",
        "null_values",
        None,
    ]


async def test_transport_faults(client: Client, api: Api, simulator: Simulator) -> None:
    """`malformed` cuts the body; `timeout` stalls the answer."""
    simulator.fault_next("alphaess", "malformed")
    response = await client.get(f"{API}/getEssList", headers=api.headers())
    assert response.status == 200
    with pytest.raises(ValueError):
        json.loads(await response.read())
    simulator.timeout_seconds = 0.3
    simulator.fault_next("alphaess", "timeout")
    with pytest.raises(TimeoutError):
        await client.get(
            f"{API}/getEssList",
            headers=api.headers(),
            timeout=aiohttp.ClientTimeout(total=0.05),
        )
    assert (await api.get("getEssList"))["code"] == 200


# --------------------------------------------------------------------------------------------
# Clocks and determinism


async def test_deterministic(socket_enabled: None) -> None:
    """Same clock, same bytes."""
    bodies: list[list[bytes]] = []
    for _ in range(2):
        clock = FakeClock(NOW)
        simulator = Simulator(clock=clock)
        async with TestClient(TestServer(simulator.app)) as client:
            api = Api(client, clock)
            requests = [
                (
                    "getOneDayPowerBySn",
                    {"sysSn": ALPHAESS_SYSTEM, "queryDate": "2026-01-10"},
                ),
                (
                    "getOneDateEnergyBySn",
                    {"sysSn": ALPHAESS_LEGACY_SYSTEM, "queryDate": "2026-01-10"},
                ),
                ("getLastPowerData", {"sysSn": ALPHAESS_SYSTEM}),
                ("getSumDataForCustomer", {"sysSn": ALPHAESS_SYSTEM}),
            ]
            bodies.append(
                [
                    await (
                        await client.get(
                            f"{API}/{path}", headers=api.headers(), params=params
                        )
                    ).read()
                    for path, params in requests
                ]
            )
    assert bodies[0] == bodies[1]
    assert len(json.loads(bodies[0][0])["data"]) == 288


async def test_real_clock(socket_enabled: None) -> None:
    """On the real clock (the dev server): signed now, served now; installed 400 days ago."""
    simulator = Simulator()
    part = simulator.part("alphaess")
    assert isinstance(part, AlphaEssSimulator)
    system = part.systems[ALPHAESS_SYSTEM]
    today = datetime.now(UTC).date()
    assert (today - system.installed_on).days in {399, 400, 401}
    async with TestClient(TestServer(simulator.app)) as client:
        stamp = int(time.time())
        headers = {
            "appId": ALPHAESS_APP_ID,
            "timeStamp": str(stamp),
            "sign": _sign(ALPHAESS_APP_ID, ALPHAESS_APP_SECRET, stamp),
        }
        response = await client.get(
            f"{API}/getLastPowerData",
            headers=headers,
            params={"sysSn": ALPHAESS_SYSTEM},
        )
        assert (await response.json())["code"] == 200
        stale = {**headers, "timeStamp": str(stamp - 400)}
        response = await client.get(f"{API}/getEssList", headers=stale)
        assert (await response.json())["code"] == 6009
