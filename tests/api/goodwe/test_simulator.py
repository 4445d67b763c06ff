"""The simulator's GoodWe part: SEMS+ login, signature, gateway, shapes, values, faults.

Plain aiohttp over 127.0.0.1, no Home Assistant and not the project's client. The password hash
and `X-Signature` are computed here from the reference's formulas (apis-goodwe.md §2.2–2.3) and
checked against its test vectors; shapes are compared with the copied fixtures key by key.
"""

import asyncio
import base64
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
import hashlib
import json
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from tests.simulator import (
    GOODWE_BATTERY_SN,
    GOODWE_BATTERY_SYS_SN,
    GOODWE_DONGLE_SN,
    GOODWE_EMAIL,
    GOODWE_INSTALLER_EMAIL,
    GOODWE_INSTALLER_PASSWORD,
    GOODWE_INVERTER_SN,
    GOODWE_METER_SN,
    GOODWE_PASSWORD,
    GOODWE_PV_EMAIL,
    GOODWE_PV_INVERTER_SN,
    GOODWE_PV_PASSWORD,
    GOODWE_PV_STATION,
    GOODWE_STATION,
    FakeClock,
    GoodWeSimulator,
    Simulator,
    goodwe_password_hash,
    goodwe_signature,
)

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "goodwe"
# Thursday 24 September 2026, 14:00 in Amsterdam (CEST).
NOW = datetime(2026, 9, 24, 12, 0, tzinfo=UTC)
LOGIN = "/goodwe/semsplus/web/sems"
GATEWAY = "/goodwe/eu-gateway/web/sems"
PLANT = f"{GATEWAY}/sems-plant/api"
LOGIN_TOKEN = {"uid": "", "timestamp": 0, "token": "", "client": "semsPlusWeb", "version": "",
               "language": "en"}  # fmt: skip
FULL_BODY = {"agreement": 1, "isChinese": False, "isLocal": False}

type Client = TestClient[web.Request, web.Application]


def md5_base64(password: str) -> str:
    """§2.2: base64 of the lowercase MD5 hex digest."""
    hex_digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return base64.b64encode(hex_digest.encode()).decode()


def sign(ms: int, uid: str, token: str) -> str:
    """§2.3: base64(sha256_hex("ms@uid@token") + "@" + ms)."""
    digest = hashlib.sha256(f"{ms}@{uid}@{token}".encode()).hexdigest()
    return base64.b64encode(f"{digest}@{ms}".encode()).decode()


def fixture(name: str) -> Any:
    """A copied fixture, decoded."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """Keys and value kinds, recursively; a list by the set of its items' shapes."""
    if isinstance(value, dict):
        return tuple(sorted((key, shape(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", frozenset(shape(item) for item in value))
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def by_serial(data: dict[str, Any]) -> dict[str, Any]:
    """All-status with serial-keyed maps keyed `<sn>` (their keys are data, not shape)."""
    text = json.dumps(data)
    for group in data["deviceDetailList"]:
        for detail in group["statusDetailList"]:
            for serial in detail["snList"]:
                text = text.replace(f'"{serial}"', '"<sn>"')
    return json.loads(text)


def factors(data: list[dict[str, Any]]) -> dict[str, str | None]:
    """Telemetry or telecounting groups → {factor code: data}."""
    return {f["code"]: f.get("data") for group in data for f in group["factors"]}


class Sems:
    """A minimal SEMS+ web client written from the reference (not the project's)."""

    def __init__(self, client: Client, clock: FakeClock) -> None:
        self.client = client
        self.clock = clock
        self.session: dict[str, Any] | None = None
        self.gateway = ""

    def ms(self) -> int:
        return int(self.clock.now.timestamp() * 1000)

    async def login(
        self,
        email: str = GOODWE_EMAIL,
        password: str = GOODWE_PASSWORD,
        *,
        body: dict[str, Any] | None = None,
        token: dict[str, Any] | None = None,
        signature: str | None = None,
    ) -> dict[str, Any]:
        ms = self.ms()
        headers = {
            "Token": json.dumps(LOGIN_TOKEN if token is None else token),
            "X-Signature": sign(ms, "", "") if signature is None else signature,
            "Origin": "https://semsplus.goodwe.com",
        }
        payload = {"account": email, "pwd": md5_base64(password)}
        payload |= FULL_BODY if body is None else body
        response = await self.client.post(
            f"{LOGIN}/sems-user/api/v1/auth/cross-login", json=payload, headers=headers
        )
        assert response.status == 200
        reply: dict[str, Any] = await response.json()
        if reply["code"] == "00000" and "token" in reply["data"]:
            self.session = reply["data"]
            self.gateway = reply["data"]["api"]
        return reply

    def headers(self, *, signature: str | None = None) -> dict[str, str]:
        assert self.session is not None
        ms = self.ms()
        return {
            "token": json.dumps(self.session),
            "X-Signature": signature
            or sign(ms, self.session["uid"], self.session["token"]),
        }

    async def get(self, path: str, **query: str) -> dict[str, Any]:
        response = await self.client.get(
            f"{PLANT}{path}", params=query, headers=self.headers()
        )
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            f"{PLANT}{path}", json=body, headers=self.headers()
        )
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]

    async def flow(self, station: str = GOODWE_STATION) -> dict[str, Any]:
        return await self.get("/stations/flow", stationId=station)

    async def telemetry(
        self, sn: str, kind: str, station: str = GOODWE_STATION
    ) -> dict[str, Any]:
        return await self.get(
            f"/equipments/{sn}/telemetry", deviceType=kind, pwId=station
        )

    async def counters(
        self, sn: str, kind: str, station: str = GOODWE_STATION
    ) -> dict[str, Any]:
        return await self.get(
            f"/equipments/{sn}/telecounting", deviceType=kind, pwId=station
        )

    async def statistics(
        self,
        first: str,
        last: str,
        dimension: str = "day",
        station: str = GOODWE_STATION,
    ) -> dict[str, Any]:
        body = {
            "stationId": station,
            "isReport": False,
            "items": [
                "proSystemTotalStats",
                "proConsumStats",
                "proCharStats",
                "proDischarStats",
                "proGridStats",
                "proPurchaseStats",
                "proSelfConsumStats",
            ],
            "dimension": dimension,
            "startTime": f"{first} 00:00:00",
            "endTime": f"{last} 23:59:59",
        }
        return await self.post("/stations/statistics", body)


def items(reply: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Statistics `dataList` → {item: {date: val}}."""
    return {
        entry["item"]: {s["date"]: s["val"] for s in entry["statisticsList"]}
        for entry in reply["data"]["dataList"]
    }


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture
def clock() -> FakeClock:
    """The simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """A simulator on the fake clock."""
    return Simulator(clock=clock)


@pytest.fixture
def goodwe(simulator: Simulator) -> GoodWeSimulator:
    """The GoodWe part."""
    part = simulator.part("goodwe")
    assert isinstance(part, GoodWeSimulator)
    return part


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """The simulator's app on 127.0.0.1."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


@pytest.fixture
async def sems(client: Client, clock: FakeClock) -> Sems:
    """A client logged in to the demo (visitor) account."""
    api = Sems(client, clock)
    assert (await api.login())["code"] == "00000"
    return api


# ------------------------------------------------------------------------------------------
# Reference vectors, login, gateway


def test_reference_vectors() -> None:
    """§2.2 and §2.3 test vectors, by the formulas here and by the simulator."""
    assert (
        md5_base64("sems_test_password")
        == "ZTJmYTRkNDJhZTk4Y2NiMTFkYzg0NWJhYWY1YWUxYzc="
    )
    assert goodwe_password_hash("sems_test_password") == md5_base64(
        "sems_test_password"
    )
    vector = ("NzkzNGY2OWQ4MDEyZTNjZGUzZjNkMzcxZDk3MWU3YWFmMmNjODdiNzJhNDkzMDdiNmFjNGMyOTAx"
              "M2NjZjhlYkAxNzY3MjI1NjAwMDAw")  # fmt: skip
    empty = ("MjZlMTMxYzZkMjBjNjE4NmE0MDE2NDdhNTJkNDRmOTg4YzFjODYwOTYzNzg2NmYxNWQxMzRmYjNi"
             "NWU4YTcyMEAxNzY3MjI1NjAwMDAw")  # fmt: skip
    uid = "00000000-0000-4000-8000-00000000000a"
    assert sign(1767225600000, uid, "example-token") == vector
    assert goodwe_signature(1767225600000, uid, "example-token") == vector
    assert sign(1767225600000, "", "") == empty
    assert goodwe_signature(1767225600000, "", "") == empty


async def test_urls(simulator: Simulator) -> None:
    """The client is configured with the login host only."""
    assert simulator.urls("goodwe", "http://127.0.0.1:9") == {
        "api_url": "http://127.0.0.1:9/goodwe/semsplus/web/sems"
    }


async def test_login_gives_the_gateway_and_data_is_served_only_there(
    client: Client, clock: FakeClock
) -> None:
    """The login answers the fixture's keys and a gateway; the login host serves no data."""
    api = Sems(client, clock)
    reply = await api.login()
    expected = fixture("semsplus_web_cross_login.json")["response"]
    del expected["httpStatus"]
    assert shape(reply) == shape(expected)
    data = reply["data"]
    origin = str(client.make_url("/")).rstrip("/")
    assert data["api"] == f"{origin}/goodwe/eu-gateway/web/sems"
    assert (data["client"], data["region"], data["timestamp"]) == (
        "semsPlusWeb",
        "eu",
        str(int(NOW.timestamp() * 1000)),
    )
    on_login_host = await client.get(
        f"{LOGIN}/sems-plant/api/stations/flow",
        params={"stationId": GOODWE_STATION},
        headers=api.headers(),
    )
    assert on_login_host.status == 404
    assert await on_login_host.json() == {"error_msg": "404 Route Not Found"}
    login_on_gateway = await client.post(
        f"{GATEWAY}/sems-user/api/v1/auth/cross-login", json={}
    )
    assert login_on_gateway.status == 404
    assert (await api.flow())["code"] == "00000"


@pytest.mark.parametrize(
    ("email", "password", "kwargs", "code"),
    [
        (GOODWE_EMAIL, "wrong", {}, "100005"),
        ("nobody@example.com", GOODWE_PASSWORD, {}, "100005"),
        (GOODWE_EMAIL, GOODWE_PASSWORD, {"signature": sign(1, "x", "y")}, "100004"),
        (GOODWE_EMAIL, GOODWE_PASSWORD, {"signature": ""}, "100004"),
        (
            GOODWE_EMAIL,
            GOODWE_PASSWORD,
            {"token": LOGIN_TOKEN | {"client": "ios"}},
            "C0602",
        ),
    ],
)
async def test_login_refusals(
    client: Client,
    clock: FakeClock,
    email: str,
    password: str,
    kwargs: dict[str, Any],
    code: str,
) -> None:
    """Wrong hash or account → 100005; a bad signature → 100004; another client → C0602."""
    reply = await Sems(client, clock).login(email, password, **kwargs)
    assert reply["code"] == code
    if code == "100004":
        assert shape(reply) == shape(
            fixture("errors_and_envelopes_from_issues.json")[0]["response"]
        )
        assert reply["description"] == "parameter error."
    if code == "C0602":
        assert reply == {
            "code": "C0602",
            "description": "account_login_abnormal",
            "data": None,
        }
    if code == "100005":
        assert reply["description"] == "Email or password error."


async def test_login_plain_password_refused(client: Client) -> None:
    """The password itself (not its hash) is refused."""
    response = await client.post(
        f"{LOGIN}/sems-user/api/v1/auth/cross-login",
        json={"account": GOODWE_EMAIL, "pwd": GOODWE_PASSWORD} | FULL_BODY,
        headers={"Token": json.dumps(LOGIN_TOKEN), "X-Signature": sign(5, "", "")},
    )
    assert (await response.json())["code"] == "100005"


async def test_minimal_login_gives_no_token(client: Client, clock: FakeClock) -> None:
    """`{account, pwd}` only: success without a token (PR #193); a call without one → 100001."""
    api = Sems(client, clock)
    reply = await api.login(body={})
    assert set(reply["data"]) == {"agreement", "api"}
    assert api.session is None
    api.session = {"uid": "", "token": "", "client": "semsPlusWeb"}
    assert (await api.flow())["code"] == "100001"


async def test_signature_checked_on_every_gateway_call(
    sems: Sems, client: Client
) -> None:
    """A signature made with another token, an old-style one or none → 100004."""
    assert sems.session is not None
    for bad in (
        sign(sems.ms(), sems.session["uid"], "other"),
        "bm90LWEtc2lnbmF0dXJl",
        "",
    ):
        response = await client.get(
            f"{PLANT}/stations/flow",
            params={"stationId": GOODWE_STATION},
            headers=sems.headers(signature=bad)
            if bad
            else {"token": json.dumps(sems.session)},
        )
        assert (await response.json())["code"] == "100004"
    assert (await sems.flow())["code"] == "00000"


async def test_no_token_header(client: Client) -> None:
    """A gateway call without the token header → 100001."""
    response = await client.get(
        f"{PLANT}/stations/flow", params={"stationId": GOODWE_STATION}
    )
    assert await response.json() == {
        "code": "100001",
        "description": "No access, please log in.",
        "errorMsg": "No access, please log in.",
        "traceId": (await response.json())["traceId"],
    }


async def test_second_login_replaces_the_first(
    client: Client, clock: FakeClock
) -> None:
    """The old token gets C0602, the new one works; another account is untouched."""
    first, second, other = Sems(client, clock), Sems(client, clock), Sems(client, clock)
    await first.login()
    await other.login(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    await second.login()
    assert first.session is not None and second.session is not None
    assert first.session["token"] != second.session["token"]
    assert (await first.flow())["code"] == "C0602"
    assert (await second.flow())["code"] == "00000"
    assert (await other.flow(GOODWE_PV_STATION))["code"] == "00000"


async def test_token_expires(
    sems: Sems, goodwe: GoodWeSimulator, clock: FakeClock
) -> None:
    """After `token_lifetime` → 100002, until a new login."""
    clock.advance(goodwe.token_lifetime.total_seconds() - 1)
    assert (await sems.flow())["code"] == "00000"
    clock.advance(1)
    reply = await sems.flow()
    assert reply["code"] == "100002"
    assert reply["description"] == "The authorization has expired, please log in again."
    await sems.login()
    assert (await sems.flow())["code"] == "00000"


@pytest.mark.parametrize(
    ("email", "password"),
    [(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD), (GOODWE_EMAIL, GOODWE_PASSWORD)],
)
async def test_no_access_100025(
    client: Client, clock: FakeClock, email: str, password: str
) -> None:
    """Another account's station, a serial of another station: 100025 on every call."""
    api = Sems(client, clock)
    await api.login(email, password)
    theirs = GOODWE_STATION if email == GOODWE_PV_EMAIL else GOODWE_PV_STATION
    mine = GOODWE_PV_STATION if email == GOODWE_PV_EMAIL else GOODWE_STATION
    their_sn = GOODWE_INVERTER_SN if email == GOODWE_PV_EMAIL else GOODWE_PV_INVERTER_SN
    replies = [
        await api.flow(theirs),
        await api.get("/stations/device/all-status", stationId=theirs),
        await api.telemetry(their_sn, "INVERTER", theirs),
        await api.counters(their_sn, "INVERTER", theirs),
        await api.telemetry(their_sn, "INVERTER", mine),
        await api.statistics("2026-09-20", "2026-09-21", station=theirs),
        await api.flow("00000000-0000-0000-0000-000000000000"),
    ]
    assert [r["code"] for r in replies] == ["100025"] * len(replies)
    assert replies[0]["description"] == "You do not have access or operation rights"


# ------------------------------------------------------------------------------------------
# Shapes


async def test_station_list_shape_and_paging(client: Client, clock: FakeClock) -> None:
    """The station list has the fixture's keys; the installer sees both stations, by page."""
    api = Sems(client, clock)
    await api.login(GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD)
    reply = await api.post("/portal/stations/page", {"current": 1, "size": 1})
    assert shape(reply) == shape(fixture("semsplus_station_list_page.json"))
    assert (reply["data"]["total"], reply["data"]["dataList"][0]["id"]) == (
        2,
        GOODWE_STATION,
    )
    second = await api.post("/portal/stations/page", {"current": 2, "size": 1})
    assert [s["id"] for s in second["data"]["dataList"]] == [GOODWE_PV_STATION]
    assert second["data"]["dataList"][0]["timeZone"] == "Europe/Paris"
    third = await api.post("/portal/stations/page", {"current": 3, "size": 1})
    assert third["data"]["dataList"] == []


async def test_flow_shapes(sems: Sems, client: Client, clock: FakeClock) -> None:
    """Hybrid flow: the hybrid capture's keys; PV-only: the PV-only capture's."""
    reply = await sems.flow()
    hybrid = fixture("semsplus_hybrid_station_flow.json")
    assert shape(reply | {"data": reply["data"] | {"flows": {}}}) == shape(
        hybrid | {"data": hybrid["data"] | {"flows": {}}}
    )
    assert all(isinstance(targets, list) for targets in reply["data"]["flows"].values())
    pv = Sems(client, clock)
    await pv.login(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    assert shape(await pv.flow(GOODWE_PV_STATION)) == shape(
        fixture("semsplus_station_flow_pv_only.json")
    )


async def test_all_status_shape(sems: Sems, client: Client, clock: FakeClock) -> None:
    """All-status lists the inverter, battery rack, meter and dongle like the captures."""
    reply = await sems.get("/stations/device/all-status", stationId=GOODWE_STATION)
    hybrid = by_serial(fixture("semsplus_hybrid_all_status.json")["data"])
    meter = by_serial(
        fixture("semsplus_device_all_status_inverter_smart_meter.json")["data"]
    )
    expected = hybrid["deviceDetailList"] + meter["deviceDetailList"][1:]
    assert shape(by_serial(reply["data"])["deviceDetailList"]) == shape(expected)
    kinds = {
        g["deviceType"]: g["statusDetailList"][0]["snList"]
        for g in reply["data"]["deviceDetailList"]
    }
    assert kinds == {
        "INVERTER": [GOODWE_INVERTER_SN],
        "BATTERY_RACK": [GOODWE_BATTERY_SN],
        "SMART_METER": [GOODWE_METER_SN],
        "DONGLE": [GOODWE_DONGLE_SN],
    }
    assert reply["data"]["total"] == 4
    pv = Sems(client, clock)
    await pv.login(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    pv_reply = await pv.get("/stations/device/all-status", stationId=GOODWE_PV_STATION)
    assert shape(by_serial(pv_reply["data"])) == shape(
        by_serial(fixture("semsplus_device_all_status_inverter.json")["data"])
    )


@pytest.mark.parametrize(
    ("sn", "kind", "name"),
    [
        (GOODWE_INVERTER_SN, "INVERTER", "semsplus_hybrid_inverter_telemetry.json"),
        (GOODWE_METER_SN, "SMART_METER", "semsplus_telemetry_smart_meter.json"),
        (
            GOODWE_BATTERY_SN,
            "BATTERY_RACK",
            "semsplus_DATAONLY_telemetry_battery_rack_tgxn.json",
        ),
        (GOODWE_BATTERY_SYS_SN, "BAT_SYS", "semsplus_hybrid_bat_sys_telemetry.json"),
    ],
)
async def test_telemetry_shapes(sems: Sems, sn: str, kind: str, name: str) -> None:
    """Each device's telemetry has its capture's groups and factors."""
    reply = await sems.telemetry(sn, kind)
    expected = fixture(name)
    if "DATAONLY" in name:
        assert shape(reply["data"]) == shape(expected)
        assert list(factors(reply["data"])) == list(factors(expected))
    else:
        assert shape(reply) == shape(expected)
        assert list(factors(reply["data"])) == list(factors(expected["data"]))


async def test_pv_inverter_shapes(client: Client, clock: FakeClock) -> None:
    """The grid inverter's telemetry and counters have the single-inverter captures' shapes."""
    api = Sems(client, clock)
    await api.login(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    telemetry = await api.telemetry(
        GOODWE_PV_INVERTER_SN, "INVERTER", GOODWE_PV_STATION
    )
    expected = fixture("semsplus_telemetry_inverter.json")
    assert shape(telemetry) == shape(expected)
    assert list(factors(telemetry["data"])) == list(factors(expected["data"]))
    counters = await api.counters(GOODWE_PV_INVERTER_SN, "INVERTER", GOODWE_PV_STATION)
    assert shape(counters) == shape(fixture("semsplus_telecounting_inverter.json"))


async def test_counter_and_related_shapes(sems: Sems) -> None:
    """Hybrid inverter and meter counters, relatedDevices: the captures' shapes; a dongle: []."""
    inverter = await sems.counters(GOODWE_INVERTER_SN, "INVERTER")
    assert shape(inverter) == shape(
        fixture("semsplus_hybrid_inverter_telecounting.json")
    )
    meter = await sems.counters(GOODWE_METER_SN, "SMART_METER")
    assert shape(meter) == shape(fixture("semsplus_telecounting_smart_meter.json"))
    related = await sems.get(
        f"/equipments/{GOODWE_INVERTER_SN}/relatedDevices",
        sn=GOODWE_INVERTER_SN,
        deviceType="ENERGY_STORAGE_INTEGRATED_CABINET",
        pwId=GOODWE_STATION,
    )
    assert shape(related) == shape(
        fixture("semsplus_hybrid_related_devices_storage_cabinet.json")
    )
    assert related["data"][0]["sn"] == GOODWE_BATTERY_SYS_SN
    assert (await sems.telemetry(GOODWE_DONGLE_SN, "DONGLE"))["data"] == []
    assert (await sems.telemetry(GOODWE_METER_SN, "INVERTER"))["code"] == "100004"


async def test_statistics_shapes(sems: Sems) -> None:
    """Day and year statistics: the captures' keys; `total` → S0327 as captured."""
    day = await sems.statistics("2026-09-23", "2026-09-23")
    assert shape(day) == shape(fixture("semsplus_hybrid_statistics_day.json"))
    year = await sems.statistics("2026-01-01", "2026-12-31", "year")
    assert shape(year) == shape(fixture("semsplus_hybrid_statistics_year_2026.json"))
    assert [s["date"] for s in year["data"]["dataList"][0]["statisticsList"]] == [
        "2026"
    ]
    total = await sems.statistics("2026-01-01", "2026-12-31", "total")
    expected = fixture("semsplus_error_S0327_statistics_dimension_total.json")
    assert total == expected | {"traceId": total["traceId"]}


# ------------------------------------------------------------------------------------------
# Values


async def test_flow_balances_and_signs(sems: Sems, clock: FakeClock) -> None:
    """Every 30 min of a day: pv + battery − grid = load, pAc = pv + battery, signs as `flows`."""
    seen = set()
    clock.now = datetime(2026, 9, 23, 22, 0, tzinfo=UTC)  # local midnight
    for _ in range(48):
        await sems.login()
        data = (await sems.flow())["data"]
        pv, bat, grid, load = (
            data["pSystem"],
            data["pBat"],
            data["pGrid"],
            data["pConsum"],
        )
        assert pv + bat - grid == pytest.approx(load, abs=2e-5)
        assert data["pAc"] == pytest.approx(pv + bat, abs=2e-5)
        assert 10 <= data["soc"] <= 100
        flows = data["flows"]
        assert ("pGrid" in flows) == (grid < 0)
        assert ("pBat" in flows) == (bat > 0)
        assert ("pSystem" in flows) == (pv > 0)
        assert ("pGrid" in flows.get("pSystem", [])) == (grid > 0 and pv > 0)
        assert data["refreshTime"].startswith(("2026-09-24T", "2026-09-25T00:00"))
        seen.add(
            ("charge" if bat < 0 else "discharge" if bat > 0 else "idle", grid > 0)
        )
        clock.advance(1800)
    assert {"charge", "discharge"} <= {mode for mode, _ in seen}


async def test_counters_grow(sems: Sems, clock: FakeClock) -> None:
    """Lifetime counters only grow through a sunny hour; today's equal today's statistics."""
    before = factors((await sems.counters(GOODWE_INVERTER_SN, "INVERTER"))["data"])
    meter_before = factors(
        (await sems.counters(GOODWE_METER_SN, "SMART_METER"))["data"]
    )
    clock.advance(3600)
    after = factors((await sems.counters(GOODWE_INVERTER_SN, "INVERTER"))["data"])
    meter_after = factors((await sems.counters(GOODWE_METER_SN, "SMART_METER"))["data"])
    assert float(after["proPvStatsTotal"] or 0) > float(before["proPvStatsTotal"] or 0)
    for code in ("proCharStatsTotal", "proDischarStatsTotal"):
        assert float(after[code] or 0) >= float(before[code] or 0)
    for code in ("proGridStatsTotal", "proPurchaseStatsTotal"):
        assert float(meter_after[code] or 0) >= float(meter_before[code] or 0)
    today = items(await sems.statistics("2026-09-24", "2026-09-24"))
    assert (
        float(after["proPvStatsToday"] or 0)
        == today["proSystemTotalStats"]["2026-09-24"]
    )
    assert float(after["proCharStatsToday"] or 0) == today["proCharStats"]["2026-09-24"]
    assert (
        float(meter_after["proPurchaseStatsToday"] or 0)
        == (today["proPurchaseStats"]["2026-09-24"])
    )
    year = float(after["proPvStatsYear"] or 0)
    assert float(after["proPvStatsTotal"] or 0) == pytest.approx(year, abs=0.01)


async def test_statistics_match_the_integral_of_the_flow(
    sems: Sems, goodwe: GoodWeSimulator, clock: FakeClock
) -> None:
    """A day's statistics = the flow's 5-minute powers integrated over that local day."""
    goodwe.token_lifetime = timedelta(days=3)
    start = datetime(2026, 9, 22, 22, 0, tzinfo=UTC)  # 2026-09-23 00:00 in Amsterdam
    sums = dict.fromkeys(("pv", "load", "import", "export", "charge", "discharge"), 0.0)
    for index in range(288):
        clock.now = start + timedelta(minutes=5 * index, seconds=30)
        d = (await sems.flow())["data"]
        for key, kw in (
            ("pv", d["pSystem"]),
            ("load", d["pConsum"]),
            ("import", max(-d["pGrid"], 0)),
            ("export", max(d["pGrid"], 0)),
            ("charge", max(-d["pBat"], 0)),
            ("discharge", max(d["pBat"], 0)),
        ):
            sums[key] += kw / 12
    clock.now = NOW
    stats = {
        k: v["2026-09-23"]
        for k, v in items(await sems.statistics("2026-09-23", "2026-09-23")).items()
    }
    assert stats["proSystemTotalStats"] == pytest.approx(sums["pv"], abs=0.01)
    assert stats["proConsumStats"] == pytest.approx(sums["load"], abs=0.01)
    assert stats["proPurchaseStats"] == pytest.approx(sums["import"], abs=0.01)
    assert stats["proGridStats"] == pytest.approx(sums["export"], abs=0.01)
    assert stats["proCharStats"] == pytest.approx(sums["charge"], abs=0.01)
    assert stats["proDischarStats"] == pytest.approx(sums["discharge"], abs=0.01)
    assert sums["pv"] > 5 and sums["charge"] > 1 and sums["discharge"] > 1


async def test_statistics_buckets(sems: Sems) -> None:
    """Days before installation and after today are left out; a month sums its days."""
    days = items(await sems.statistics("2025-12-30", "2026-09-30"))[
        "proSystemTotalStats"
    ]
    assert next(iter(days)) == "2026-01-01"
    assert list(days)[-1] == "2026-09-24"
    assert len(days) == 267
    months = items(await sems.statistics("2026-08-01", "2026-09-30", "month"))
    august = sum(v for d, v in days.items() if d.startswith("2026-08"))
    assert list(months["proSystemTotalStats"]) == ["2026-08", "2026-09"]
    assert months["proSystemTotalStats"]["2026-08"] == pytest.approx(august, abs=0.2)


async def test_pv_only_statistics(client: Client, clock: FakeClock) -> None:
    """A station without meter or battery: PV only, the rest 0."""
    api = Sems(client, clock)
    await api.login(GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    day = items(
        await api.statistics("2026-09-23", "2026-09-23", station=GOODWE_PV_STATION)
    )
    assert day["proSystemTotalStats"]["2026-09-23"] > 1
    assert {
        k: v["2026-09-23"] for k, v in day.items() if k != "proSystemTotalStats"
    } == dict.fromkeys(
        (
            "proConsumStats",
            "proCharStats",
            "proDischarStats",
            "proGridStats",
            "proPurchaseStats",
            "proSelfConsumStats",
        ),
        0.0,
    )


# ------------------------------------------------------------------------------------------
# Faults and concurrency


async def test_fault_session_expired(sems: Sems, simulator: Simulator) -> None:
    """100002 mid-session, and the session stays ended until a new login."""
    simulator.fault_next("goodwe", "session_expired")
    assert (await sems.flow())["code"] == "100002"
    assert (await sems.flow())["code"] == "100002"
    await sems.login()
    assert (await sems.flow())["code"] == "00000"


async def test_fault_session_replaced(sems: Sems, simulator: Simulator) -> None:
    """C0602 mid-session, and the session stays ended until a new login."""
    simulator.fault_next("goodwe", "session_replaced")
    assert (await sems.flow())["code"] == "C0602"
    assert (await sems.flow())["code"] == "C0602"
    await sems.login()
    assert (await sems.flow())["code"] == "00000"


async def test_fault_rate_limited(sems: Sems, simulator: Simulator) -> None:
    """GY0429 as mocked by TS, once; the login host does not take it."""
    simulator.fault_next("goodwe", "rate_limited")
    await sems.login()
    assert await sems.flow() == {"code": "GY0429", "msg": "Too many requests"}
    assert (await sems.flow())["code"] == "00000"


async def test_fault_empty_data(sems: Sems, simulator: Simulator) -> None:
    """The 2026-09-23 break: code 00000 with `data: {}`, for any endpoint."""
    simulator.fault_always("goodwe", "empty_data")
    flow = await sems.flow()
    assert (flow["code"], flow["data"]) == ("00000", {})
    telemetry = await sems.telemetry(GOODWE_INVERTER_SN, "INVERTER")
    assert (telemetry["code"], telemetry["data"]) == ("00000", {})
    simulator.fault_always("goodwe", None)
    assert (await sems.flow())["data"]["id"] == GOODWE_STATION


async def test_fault_counter_midnight_drop(
    sems: Sems, simulator: Simulator, goodwe: GoodWeSimulator, clock: FakeClock
) -> None:
    """Just after local midnight the lifetime counter drops by a day, then recovers."""
    goodwe.token_lifetime = timedelta(days=1)

    async def lifetime() -> tuple[float, float]:
        got = factors((await sems.counters(GOODWE_INVERTER_SN, "INVERTER"))["data"])
        return float(got["proPvStatsTotal"] or 0), float(got["proPvStatsToday"] or 0)

    clock.now = datetime(2026, 9, 24, 21, 55, tzinfo=UTC)  # 23:55 local
    before, today_before = await lifetime()
    clock.now = datetime(2026, 9, 24, 22, 5, tzinfo=UTC)  # 00:05 local
    simulator.fault_next("goodwe", "counter_midnight_drop")
    await sems.flow()  # other calls leave the fault queued
    dropped, replayed_today = await lifetime()
    recovered, today_after = await lifetime()
    assert dropped == pytest.approx(before - today_before, abs=0.02)
    assert replayed_today == pytest.approx(today_before, abs=0.01)
    assert recovered == pytest.approx(before, abs=0.02)
    assert today_after == 0.0
    goodwe.midnight_replay = timedelta(minutes=20)
    assert (await lifetime())[0] == dropped
    clock.now = datetime(2026, 9, 24, 22, 20, tzinfo=UTC)
    assert (await lifetime())[0] == recovered


@pytest.mark.parametrize(
    ("fault", "status", "body"),
    [
        ("http_429", 429, {"code": "GY0429", "msg": "Too many requests"}),
        ("http_500", 500, {"error_msg": "500 Internal Server Error"}),
        ("http_502", 502, {"error_msg": "502 Bad Gateway"}),
        ("not_found", 404, {"error_msg": "404 Route Not Found"}),
        ("http_401", 401, {"error_msg": "401 Unauthorized"}),
    ],
)
async def test_http_faults(
    sems: Sems, client: Client, simulator: Simulator, fault: str, status: int, body: Any
) -> None:
    """The shared HTTP faults, on the login host too."""
    simulator.fault_next("goodwe", fault, 2)
    response = await client.get(
        f"{PLANT}/stations/flow",
        params={"stationId": GOODWE_STATION},
        headers=sems.headers(),
    )
    assert (response.status, await response.json()) == (status, body)
    if status == 429:
        assert response.headers["Retry-After"] == "300"
    login = await client.post(f"{LOGIN}/sems-user/api/v1/auth/cross-login", json={})
    assert login.status == status


async def test_fault_names(simulator: Simulator) -> None:
    """The part's own fault names are accepted, the other providers' data faults refused."""
    for fault in (
        "session_expired",
        "session_replaced",
        "rate_limited",
        "empty_data",
        "counter_midnight_drop",
        "timeout",
        "malformed",
    ):
        simulator.fault_next("goodwe", fault)
    with pytest.raises(ValueError, match="does not simulate"):
        simulator.fault_next("goodwe", "null_usage")


async def test_concurrency_logged_and_limited(
    sems: Sems, goodwe: GoodWeSimulator, simulator: Simulator
) -> None:
    """Calls in flight per account are logged; `concurrency_limit` answers GY0429 above it."""
    assert goodwe.peak_in_flight("demo") == 1
    goodwe.latency = 0.05
    replies = await asyncio.gather(*(sems.flow() for _ in range(3)))
    assert [r["code"] for r in replies] == ["00000"] * 3
    assert goodwe.peak_in_flight("demo") == 3
    assert sorted(c.in_flight for c in goodwe.calls[-3:]) == [1, 2, 3]
    assert {c.endpoint for c in goodwe.calls} == {"cross-login", "flow"}
    goodwe.concurrency_limit = 2
    replies = await asyncio.gather(*(sems.flow() for _ in range(3)))
    assert sorted(r["code"] for r in replies) == ["00000", "00000", "GY0429"]
    await sems.flow()
    assert goodwe.calls[-1].in_flight == 1
    assert simulator.requests[-1].account == "demo"
