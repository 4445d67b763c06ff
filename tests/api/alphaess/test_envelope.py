"""The client on the wire against captured answers (a canned server on 127.0.0.1).

The simulator speaks the protocol; these tests replay what AlphaESS really sent, byte for byte,
so that the envelope and error handling are pinned to the captured payloads themselves.
"""

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import time
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.alphaess import (
    AlphaEssClient,
    AlphaEssClockError,
    AlphaEssNoDataError,
    AlphaEssNotBoundError,
    AlphaEssOfflineError,
    AlphaEssPermissionError,
    AlphaEssRefusedError,
    AlphaEssServerError,
    LegacyCharge,
)
from custom_components.openpower.api.budget import RateLimit, RequestBudget
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)

from .common import FIXTURES

# The reference's worked example (§2.1): sent at that second, the request carries its signature.
APP_ID = "alphaef7900ee81dbbce9"
APP_SECRET = "c2d2ef6c047c49678e2c332fb2d74c3c"
TIMESTAMP = 1676353875
SIGN = (
    "0f023c2287b8f6b21b0994947465f8e9de0e1542567b1735bdc6c427336b9b64"
    "06285cd94f9215c3e9af958df37fb11c2c9fe792713d8afbdb8c463359a1add8"
)
SERIAL = "AL70110230306xx"


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Canned:
    """Answers every request with one captured body; records what it received."""

    body: bytes = b""
    status: int = 200
    received: list[Received] = field(default_factory=list)

    def answer(self, name: str, status: int = 200) -> None:
        self.body = (FIXTURES / name).read_bytes()
        self.status = status

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            Received(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                await request.read(),
            )
        )
        return web.Response(
            status=self.status, body=self.body, content_type="application/json"
        )


@pytest.fixture
def canned() -> Canned:
    """The server's answer."""
    return Canned()


@pytest.fixture
async def client(
    socket_enabled: None, canned: Canned
) -> AsyncGenerator[AlphaEssClient]:
    """A client of the worked example's AppID, on a frozen clock, with a budget."""
    app = web.Application()
    app.router.add_route("*", "/api/{tail:.*}", canned.handle)
    budget = RequestBudget((RateLimit(10, 60),), clock=lambda: 0.0)
    async with (
        TestServer(app, host="127.0.0.1") as server,
        aiohttp.ClientSession() as session,
    ):
        yield AlphaEssClient(
            session,
            APP_ID,
            APP_SECRET,
            api_url=str(server.make_url("/api")),
            budget=budget,
            backoff=0,
            clock=lambda: TIMESTAMP + 0.9,
        )


async def test_get_is_signed_with_query_parameters(
    client: AlphaEssClient, canned: Canned
) -> None:
    """A GET: parameters in the query, the worked example's signature, no body nor content type."""
    canned.answer("getLastPowerData.json")
    power = await client.async_get_live_power(SERIAL)
    assert power.load == 1275.0
    (request,) = canned.received
    assert (request.method, request.path, request.query, request.body) == (
        "GET",
        "/api/getLastPowerData",
        {"sysSn": SERIAL},
        b"",
    )
    assert request.headers["appId"] == APP_ID
    assert request.headers["timeStamp"] == "1676353875"
    assert request.headers["sign"] == SIGN
    assert "Content-Type" not in request.headers


async def test_post_is_signed_with_a_json_body(
    client: AlphaEssClient, canned: Canned
) -> None:
    """A POST: the same signature headers, `Content-Type: application/json`, the full body."""
    canned.answer("getEvChargerConfigList_no_charger.json")
    settings = LegacyCharge(
        grid_charge=True,
        windows=((time(1), time(5)), (time(0), time(0))),
        stop_level=100.0,
    )
    await client.async_set_legacy_charge(SERIAL, settings)
    (request,) = canned.received
    assert (request.method, request.path, request.query) == (
        "POST",
        "/api/updateChargeConfigInfo",
        {},
    )
    assert request.headers["appId"] == APP_ID
    assert request.headers["timeStamp"] == "1676353875"
    assert request.headers["sign"] == SIGN
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == json.loads(
        (FIXTURES / "request_updateChargeConfigInfo.json").read_bytes()
    )


@pytest.mark.parametrize(
    ("fixture", "status", "error", "code"),
    [
        ("error_6007_sign_check.json", 200, ApiAuthError, None),
        (
            "error_6009_timestamp_validity_from_pyrepr.json",
            200,
            AlphaEssClockError,
            6009,
        ),
        (
            "error_6017_no_permission_from_pyrepr.json",
            200,
            AlphaEssPermissionError,
            6017,
        ),
        ("error_405_wrong_method.json", 405, ApiRejectedError, None),
    ],
)
async def test_captured_errors(
    client: AlphaEssClient,
    canned: Canned,
    fixture: str,
    status: int,
    error: type[ApiError],
    code: int | None,
) -> None:
    """Each captured error answer raises its class; the message holds no secret nor serial."""
    canned.answer(fixture, status)
    with pytest.raises(ApiError) as caught:
        await client.async_get_periodic(SERIAL)
    assert type(caught.value) is error
    assert getattr(caught.value, "code", None) == code
    assert APP_SECRET not in str(caught.value)
    assert SERIAL not in str(caught.value)
    assert len(canned.received) == 1


async def test_captured_too_fast(client: AlphaEssClient, canned: Canned) -> None:
    """The captured 6053 says wait a minute, and the whole AppID's budget waits."""
    canned.answer("error_6053_max_requests_from_pyrepr.json")
    with pytest.raises(ApiRateLimitedError) as caught:
        await client.async_get_legacy_discharge(SERIAL)
    assert caught.value.retry_after == 60.0
    assert client.budget is not None
    assert client.budget.paused_for() == 60.0


@pytest.mark.parametrize(
    "body",
    [
        b'{"msg":"Success","data":null}',
        b'{"code":"200","msg":"Success","data":null}',
        b'{"code":true,"msg":"Success","data":null}',
        b'{"code":200.0,"msg":"Success","data":null}',
        b'[{"code":200}]',
        b'{"code":200,"msg":"Success","data":{"ppv":',
        b"<html>gateway</html>",
    ],
)
async def test_malformed_envelope(
    client: AlphaEssClient, canned: Canned, body: bytes
) -> None:
    """An answer without an integer `code` is an invalid response, never a success."""
    canned.body = body
    with pytest.raises(ApiResponseError) as caught:
        await client.async_get_live_power(SERIAL)
    assert type(caught.value) is ApiResponseError


async def test_success_whatever_the_message_says(
    client: AlphaEssClient, canned: Canned
) -> None:
    """Only `code` decides: a localised `msg` does not matter."""
    canned.body = '{"code":200,"msg":"操作成功","data":{"currentsetting":16}}'.encode()
    assert await client.async_get_charger_current(SERIAL) == 16.0


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (6001, AlphaEssRefusedError),
        (6002, AlphaEssNotBoundError),
        (6004, AlphaEssRefusedError),
        (6005, AlphaEssNotBoundError),
        (6006, AlphaEssClockError),
        (6008, AlphaEssRefusedError),
        (6009, AlphaEssClockError),
        (6010, AlphaEssClockError),
        (6011, AlphaEssClockError),
        (6012, AlphaEssClockError),
        (6016, AlphaEssNoDataError),
        (6017, AlphaEssPermissionError),
        (6026, AlphaEssServerError),
        (6029, AlphaEssRefusedError),
        (6038, AlphaEssNotBoundError),
        (6042, AlphaEssOfflineError),
        (6046, AlphaEssRefusedError),
        (10001, AlphaEssRefusedError),
    ],
)
async def test_every_documented_code(
    client: AlphaEssClient, canned: Canned, code: int, error: type[ApiError]
) -> None:
    """Every return code of reference §2.3 raises its class, which keeps the code."""
    canned.body = json.dumps(
        {"code": code, "msg": "…", "expMsg": None, "data": None, "extra": None}
    ).encode()
    with pytest.raises(ApiError) as caught:
        await client.async_get_summary(SERIAL)
    assert type(caught.value) is error
    assert getattr(caught.value, "code", None) == code
    assert str(caught.value) == f"alphaess getSumDataForCustomer: AlphaESS code {code}"
