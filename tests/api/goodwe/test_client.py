"""GoodWeClient against a canned SEMS+: login, gateway, signed calls, envelope codes, concurrency."""

import asyncio
from datetime import date
import json
import logging
from typing import Any

import pytest

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from custom_components.openpower.api.goodwe import (
    GOODWE_LIMITS,
    DeviceKind,
    Dimension,
    GoodWeSessionError,
    StationAccessError,
    signature,
)

from .common import load_fixture
from .conftest import (
    FLOW_PATH,
    GATEWAY_PREFIX,
    LOGIN_PATH,
    NOW_MS,
    PASSWORD,
    PASSWORD_HASH,
    UID,
    USERNAME,
    MakeClient,
    Received,
    Sems,
    fail,
    ok,
)

STATION = "00000000-0000-4000-8000-000000000001"
PLANT = f"{GATEWAY_PREFIX}/sems-plant/api"
HYBRID_FLOW = load_fixture("semsplus_hybrid_station_flow.json")
LOGIN_SIGNATURE = (
    "MjZlMTMxYzZkMjBjNjE4NmE0MDE2NDdhNTJkNDRmOTg4YzFjODYwOTYzNzg2NmYxNWQxMzRmYjNiNWU4"
    "YTcyMEAxNzY3MjI1NjAwMDAw"
)


def gateway_calls(sems: Sems) -> list[Received]:
    """The requests that went to the gateway."""
    return [r for r in sems.received if r.path.startswith(GATEWAY_PREFIX)]


async def test_login_then_signed_calls_on_the_gateway(
    sems: Sems, make_client: MakeClient
) -> None:
    """The login as the web app sends it; every later call on the gateway it names, signed."""
    sems.set(FLOW_PATH, (200, HYBRID_FLOW))
    client = await make_client()
    assert client.gateway is None

    flow = await client.async_flow(STATION)
    await client.async_flow(STATION)

    assert flow.battery_w == 762.45
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH, FLOW_PATH]
    assert client.gateway == f"{sems.base}{GATEWAY_PREFIX}"
    login = sems.received[0]
    assert login.method == "POST"
    assert login.body == {
        "account": USERNAME,
        "pwd": PASSWORD_HASH,
        "agreement": 1,
        "isChinese": False,
        "isLocal": False,
    }
    assert json.loads(login.headers["Token"]) == {
        "uid": "",
        "timestamp": 0,
        "token": "",
        "client": "semsPlusWeb",
        "version": "",
        "language": "en",
    }
    assert login.headers["X-Signature"] == LOGIN_SIGNATURE
    assert login.headers["Origin"] == sems.base
    assert login.headers["Referer"] == f"{sems.base}/"
    assert login.headers["User-Agent"].startswith("Mozilla/5.0")
    for call in gateway_calls(sems):
        assert call.method == "GET"
        assert call.query == {"stationId": STATION}
        assert json.loads(call.headers["token"]) == sems.login_data("secret-token-1")
        assert call.headers["X-Signature"] == signature(NOW_MS, UID, "secret-token-1")


async def test_gateway_from_the_envelope_then_the_stored_one(
    sems: Sems, make_client: MakeClient
) -> None:
    """No `data.api`: the envelope's `api`, else the gateway given, else the region's."""
    envelope = ok(sems.login_data("t1", api=False)) | {
        "api": f"{sems.base}{GATEWAY_PREFIX}/"
    }
    sems.set(LOGIN_PATH, (200, envelope))
    client = await make_client(gateway="https://stored.example/web/sems")
    await client.async_login()
    assert client.gateway == f"{sems.base}{GATEWAY_PREFIX}"

    sems.set(LOGIN_PATH, (200, ok(sems.login_data("t2", api=False))))
    client = await make_client(gateway="https://stored.example/web/sems/")
    assert client.gateway == "https://stored.example/web/sems"
    await client.async_login()
    assert client.gateway == "https://stored.example/web/sems"

    data = sems.login_data("t3", api=False) | {"region": "au"}
    sems.set(LOGIN_PATH, (200, ok(data)))
    client = await make_client()
    await client.async_login()
    assert client.gateway == "https://au-gateway.semsportal.com/web/sems"

    sems.set(LOGIN_PATH, (200, ok(data | {"region": "x/y", "api": "ftp://x"})))
    client = await make_client()
    await client.async_login()
    assert client.gateway == "https://eu-gateway.semsportal.com/web/sems"


async def test_stored_gateway_is_replaced_by_the_login(
    sems: Sems, make_client: MakeClient
) -> None:
    """A stored gateway is not called before the login; the login's own wins."""
    sems.set(FLOW_PATH, (200, HYBRID_FLOW))
    client = await make_client(gateway="https://old.example/web/sems")
    await client.async_flow(STATION)
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH]
    assert client.gateway == f"{sems.base}{GATEWAY_PREFIX}"


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (fail("100005"), ApiAuthError, "e-mail or password rejected"),
        (fail("C0602"), GoodWeSessionError, "session refused"),
        (fail("100004"), ApiRejectedError, "GoodWe code 100004"),
        (
            ok(
                {"agreement": True, "api": "https://au-gateway.semsportal.com/web/sems"}
            ),
            ApiResponseError,
            "no token",
        ),
        (ok({}), ApiResponseError, "data is empty"),
        ({"description": "?"}, ApiResponseError, "no code"),
    ],
)
async def test_login_refused(
    sems: Sems,
    make_client: MakeClient,
    answer: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    """Each way a login fails; never a gateway call after it."""
    sems.set(LOGIN_PATH, (200, answer))
    client = await make_client()
    with pytest.raises(error, match=message) as raised:
        await client.async_flow(STATION)
    assert type(raised.value) is error
    assert sems.paths() == [LOGIN_PATH]


@pytest.mark.parametrize(
    "refusal",
    [(200, fail("100002")), (200, fail("C0602")), (200, fail("100001")), (401, "")],
)
async def test_refused_session_logs_in_again_once(
    sems: Sems, make_client: MakeClient, budget: RequestBudget, refusal: tuple[int, Any]
) -> None:
    """Expired, replaced, incomplete or a 401: one new login, then the call again, newly signed."""
    sems.set(FLOW_PATH, refusal, (200, HYBRID_FLOW))
    client = await make_client()
    flow = await client.async_flow(STATION)
    assert flow.soc == 99.0
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH, LOGIN_PATH, FLOW_PATH]
    retried = sems.received[-1]
    assert json.loads(retried.headers["token"])["token"] == "secret-token-2"
    assert retried.headers["X-Signature"] == signature(NOW_MS, UID, "secret-token-2")
    assert budget.requests == 4


@pytest.mark.parametrize("code", ["100002", "C0602"])
async def test_refused_twice_is_an_auth_error(
    sems: Sems, make_client: MakeClient, code: str
) -> None:
    """Still refused after the new login: GoodWeSessionError (an ApiAuthError), no third login."""
    sems.set(FLOW_PATH, (200, fail(code)))
    client = await make_client()
    with pytest.raises(GoodWeSessionError, match=code) as raised:
        await client.async_flow(STATION)
    assert isinstance(raised.value, ApiAuthError)
    assert raised.value.code == code
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH, LOGIN_PATH, FLOW_PATH]


async def test_new_login_refused_is_an_auth_error(
    sems: Sems, make_client: MakeClient
) -> None:
    """The new login after a 100002 says the password changed: ApiAuthError (100005)."""
    sems.set(LOGIN_PATH, sems.login_ok, (200, fail("100005")))
    sems.set(FLOW_PATH, (200, fail("100002")))
    client = await make_client()
    with pytest.raises(ApiAuthError, match="100005"):
        await client.async_flow(STATION)
    # The next update logs in first instead of spending a call on the refused session.
    with pytest.raises(ApiAuthError, match="100005"):
        await client.async_flow(STATION)
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH, LOGIN_PATH, LOGIN_PATH]


async def test_concurrent_refusals_log_in_once(
    sems: Sems, make_client: MakeClient
) -> None:
    """Two calls refused with the same session: one new login serves both."""
    refused: set[str] = set()

    def answer(received: Received) -> tuple[int, Any]:
        token = json.loads(received.headers["token"])["token"]
        if token == "secret-token-1":
            refused.add(received.query["stationId"])
            return 200, fail("100002")
        return 200, HYBRID_FLOW

    sems.set(FLOW_PATH, answer)
    sems.delay = 0.02
    client = await make_client()
    await client.async_login()
    await asyncio.gather(client.async_flow("a"), client.async_flow("b"))
    assert refused == {"a", "b"}
    assert sems.count(LOGIN_PATH) == 2


async def test_no_access_to_the_station(sems: Sems, make_client: MakeClient) -> None:
    """100025: StationAccessError (an ApiRejectedError), no new login."""
    sems.set(f"{PLANT}/equipments/SN1/telemetry", (200, fail("100025")))
    client = await make_client()
    with pytest.raises(StationAccessError, match="100025") as raised:
        await client.async_telemetry(STATION, "SN1", "INVERTER")
    assert isinstance(raised.value, ApiRejectedError)
    assert raised.value.code == "100025"
    assert sems.count(LOGIN_PATH) == 1


async def test_rate_limited_pauses_the_account(
    sems: Sems, make_client: MakeClient, budget: RequestBudget
) -> None:
    """GY0429: retry_after 300 s, and the account's budget holds every call meanwhile."""
    sems.set(FLOW_PATH, (200, {"code": "GY0429", "msg": "Too many requests"}))
    client = await make_client()
    with pytest.raises(ApiRateLimitedError) as raised:
        await client.async_flow(STATION)
    assert raised.value.retry_after == 300
    assert raised.value.code == "GY0429"
    assert 299 < budget.paused_for() <= 300
    with pytest.raises(ApiRateLimitedError):
        await client.async_devices(STATION)
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH]


async def test_rate_limited_without_a_budget_given(
    sems: Sems, make_client: MakeClient
) -> None:
    """A client without a shared budget pauses its own."""
    sems.set(FLOW_PATH, (200, fail("GY0429")))
    client = await make_client(budget=None)
    with pytest.raises(ApiRateLimitedError):
        await client.async_flow(STATION)
    with pytest.raises(ApiRateLimitedError):
        await client.async_flow(STATION)
    assert sems.paths() == [LOGIN_PATH, FLOW_PATH]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        # The 2026-09-23 break: success with nothing in it.
        (ok({}), "data is empty"),
        (ok(None), "data is empty"),
        ({"code": "00000"}, "data is empty"),
        (ok([1, 2]), "expected a JSON object"),
        (ok({"id": "x", "name": "y", "status": "1"}), "holds none of pSystem"),
        ({"data": HYBRID_FLOW["data"]}, "no code"),
        ("not json", "not valid JSON"),
    ],
)
async def test_unusable_answers(
    sems: Sems, make_client: MakeClient, answer: Any, message: str
) -> None:
    """Empty `data` or an unknown shape: ApiResponseError naming it, never zeros."""
    sems.set(FLOW_PATH, (200, answer))
    client = await make_client()
    with pytest.raises(ApiResponseError, match=message):
        await client.async_flow(STATION)


async def test_other_code_is_rejected(sems: Sems, make_client: MakeClient) -> None:
    """S0327 (a dimension SEMS+ refuses) is a rejected request keeping its code."""
    sems.set(
        f"{PLANT}/stations/statistics",
        (200, load_fixture("semsplus_error_S0327_statistics_dimension_total.json")),
    )
    client = await make_client()
    with pytest.raises(ApiRejectedError) as raised:
        await client.async_statistics(STATION, Dimension.DAY, date(2026, 9, 24))
    assert raised.value.code == "S0327"


async def test_at_most_two_requests_in_flight(
    sems: Sems, make_client: MakeClient
) -> None:
    """Eight calls at once: the server never serves more than two at a time."""
    sems.set(FLOW_PATH, (200, HYBRID_FLOW))
    sems.delay = 0.05
    client = await make_client()
    await asyncio.gather(*(client.async_flow(STATION) for _ in range(8)))
    assert sems.count(FLOW_PATH) == 8
    assert sems.count(LOGIN_PATH) == 1
    assert sems.max_in_flight == 2


async def test_stations_every_page(sems: Sems, make_client: MakeClient) -> None:
    """Pages are asked until `total` stations were read."""
    page = load_fixture("semsplus_station_list_page.json")["data"]
    first = page | {
        "dataList": [page["dataList"][0], page["dataList"][0] | {"id": "s2"}],
        "total": 3,
    }
    second = page | {"dataList": [page["dataList"][0] | {"id": "s3"}], "total": 3}
    path = f"{PLANT}/portal/stations/page"
    sems.set(
        path, (200, ok(first)), (200, ok(second)), (200, ok(page | {"dataList": []}))
    )
    client = await make_client()
    stations = await client.async_stations()
    assert [s.id for s in stations] == ["<station_id>", "s2", "s3"]
    calls = gateway_calls(sems)
    assert [(c.method, c.body) for c in calls] == [
        ("POST", {"current": 1, "size": 100}),
        ("POST", {"current": 2, "size": 100}),
    ]


async def test_devices_telemetry_counters_requests(
    sems: Sems, make_client: MakeClient
) -> None:
    """Paths and parameters of the device calls (the serial is quoted into the path)."""
    sems.set(
        f"{PLANT}/stations/device/all-status",
        (200, load_fixture("semsplus_hybrid_all_status.json")),
    )
    sems.set(
        f"{PLANT}/equipments/SN%2F1/telemetry",
        (200, load_fixture("semsplus_hybrid_inverter_telemetry.json")),
    )
    sems.set(
        f"{PLANT}/equipments/SN%2F1/telecounting",
        (200, load_fixture("semsplus_hybrid_inverter_telecounting.json")),
    )
    client = await make_client()
    devices = await client.async_devices(STATION)
    telemetry = await client.async_telemetry(STATION, "SN/1", "INVERTER")
    counters = await client.async_counters(STATION, "SN/1", "INVERTER")
    assert [d.kind for d in devices] == [
        DeviceKind.INVERTER,
        DeviceKind.BATTERY,
        DeviceKind.OTHER,
    ]
    assert telemetry.ac_power_w == 897.0
    assert counters.battery_charge_kwh == 7587.8
    assert [(c.method, c.query) for c in gateway_calls(sems)] == [
        ("GET", {"stationId": STATION}),
        ("GET", {"deviceType": "INVERTER", "pwId": STATION}),
        ("GET", {"deviceType": "INVERTER", "pwId": STATION}),
    ]


async def test_statistics_request(sems: Sems, make_client: MakeClient) -> None:
    """The body asks the six items over local days, both ends included."""
    path = f"{PLANT}/stations/statistics"
    sems.set(path, (200, load_fixture("semsplus_hybrid_statistics_day.json")))
    client = await make_client()
    buckets = await client.async_statistics(
        STATION, Dimension.DAY, date(2026, 9, 1), date(2026, 9, 24), patient=True
    )
    assert [b.pv_kwh for b in buckets] == [31.4]
    [call] = gateway_calls(sems)
    assert (call.method, call.path) == ("POST", path)
    assert call.body == {
        "stationId": STATION,
        "isReport": False,
        "items": [
            "proSystemTotalStats",
            "proConsumStats",
            "proPurchaseStats",
            "proGridStats",
            "proCharStats",
            "proDischarStats",
        ],
        "dimension": "day",
        "startTime": "2026-09-01 00:00:00",
        "endTime": "2026-09-24 23:59:59",
    }
    await client.async_statistics(STATION, Dimension.DAY, date(2026, 1, 1))
    assert gateway_calls(sems)[-1].body["endTime"] == "2026-01-01 23:59:59"


async def test_secrets_never_logged_nor_shown(
    sems: Sems, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Password, its hash, uid and tokens: in no log line (DEBUG) and not in repr."""
    caplog.set_level(logging.DEBUG)
    sems.set(FLOW_PATH, (200, fail("100002")), (500, ""), (200, HYBRID_FLOW))
    client = await make_client()
    await client.async_flow(STATION)
    assert sems.count(LOGIN_PATH) == 2
    assert "logged in" in caplog.text
    shown = caplog.text + repr(client)
    for secret in (PASSWORD, PASSWORD_HASH, UID, "secret-token", USERNAME):
        assert secret not in shown
    assert repr(client) == (
        f"GoodWeClient(account='…@…', gateway='{sems.base}{GATEWAY_PREFIX}')"
    )


async def test_budget_counts_every_request(
    sems: Sems, make_client: MakeClient, budget: RequestBudget
) -> None:
    """Logins and calls alike go through the account's budget."""
    sems.set(FLOW_PATH, (200, HYBRID_FLOW))
    client = await make_client()
    assert client.budget is budget
    await client.async_flow(STATION)
    await client.async_flow(STATION)
    assert budget.requests == 3


async def test_rate_limited_again_doubles_the_pause(
    sems: Sems, make_client: MakeClient
) -> None:
    """Each GY0429 with no success since the last doubles the pause, up to an hour."""
    clock = [0.0]
    budget = RequestBudget(GOODWE_LIMITS, clock=lambda: clock[0])
    client = await make_client(budget=budget)
    waits: list[float | None] = []
    paused: list[float] = []
    for answer in [fail("GY0429")] * 6 + [HYBRID_FLOW, fail("GY0429")]:
        sems.set(FLOW_PATH, (200, answer))
        clock[0] += 3601  # past any pause
        if answer is HYBRID_FLOW:
            await client.async_flow(STATION)
            continue
        with pytest.raises(ApiRateLimitedError) as raised:
            await client.async_flow(STATION)
        waits.append(raised.value.retry_after)
        paused.append(budget.paused_for())
    # A success in between starts again from 300 s.
    assert waits == [300, 600, 1200, 2400, 3600, 3600, 300]
    assert paused == waits
