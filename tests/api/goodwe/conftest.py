"""A canned SEMS+ on 127.0.0.1: a login host (`/login/web/sems`) and a gateway (`/gw/web/sems`).

The server records each request with its headers and decoded body, answers per path from a queue
(the last answer repeats; an answer may be a function of the request), and counts how many
requests it is serving at once.
"""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict
import pytest

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.goodwe import GOODWE_LIMITS, GoodWeClient

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_MS = 1767225600000
USERNAME = "visitor@example.com"
PASSWORD = "sems_test_password"
PASSWORD_HASH = "ZTJmYTRkNDJhZTk4Y2NiMTFkYzg0NWJhYWY1YWUxYzc="
UID = "00000000-0000-4000-8000-00000000000a"
LOGIN_PATH = "/login/web/sems/sems-user/api/v1/auth/cross-login"
GATEWAY_PREFIX = "/gw/web/sems"
FLOW_PATH = f"{GATEWAY_PREFIX}/sems-plant/api/stations/flow"

type Answer = tuple[int, Any] | Callable[[Received], tuple[int, Any]]


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str]
    body: Any


def ok(data: Any) -> dict[str, Any]:
    """A SEMS+ success envelope."""
    return {"code": "00000", "description": "成功", "traceId": "t", "data": data}


def fail(code: str) -> dict[str, Any]:
    """A SEMS+ error envelope."""
    return {"code": code, "description": "x", "traceId": "t", "data": None}


@dataclass
class Sems:
    """What the server answers and what it was asked."""

    base: str = ""
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    tokens: int = 0

    def set(self, path: str, *answers: Answer) -> None:
        """Answer `path` with these, in order (the last one repeats)."""
        self.answers[path] = list(answers)

    def login_data(self, token: str, *, api: bool = True) -> dict[str, Any]:
        """A login's `data`, naming this server's gateway."""
        data: dict[str, Any] = {
            "uid": UID,
            "timestamp": str(NOW_MS),
            "token": token,
            "client": "semsPlusWeb",
            "version": "",
            "language": "en",
            "region": "eu",
            "uuid": "u-1",
        }
        if api:
            data["api"] = f"{self.base}{GATEWAY_PREFIX}"
        return data

    def login_ok(self, received: Received) -> tuple[int, Any]:
        """A successful login with a new token each time (`secret-token-1`, `-2`, …)."""
        self.tokens += 1
        return 200, ok(self.login_data(f"secret-token-{self.tokens}"))

    def paths(self) -> list[str]:
        """The paths asked, in order."""
        return [r.path for r in self.received]

    def count(self, path: str) -> int:
        """How many times `path` was asked."""
        return self.paths().count(path)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request and give the next answer for its path (404 when none)."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            raw = await request.read()
            received = Received(
                request.method,
                request.raw_path.split("?")[0],  # as sent: a quoted serial stays quoted
                dict(request.query),
                CIMultiDict(request.headers),
                json.loads(raw) if raw else None,
            )
            self.received.append(received)
            if self.delay:
                await asyncio.sleep(self.delay)
            queue = self.answers.get(received.path)
            if not queue:
                return web.Response(status=404)
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            status, body = answer(received) if callable(answer) else answer
            text = body if isinstance(body, str) else json.dumps(body)
            return web.Response(
                status=status, text=text, content_type="application/json"
            )
        finally:
            self.in_flight -= 1


@pytest.fixture
def sems() -> Sems:
    """The canned SEMS+, logging in successfully by default."""
    canned = Sems()
    canned.set(LOGIN_PATH, canned.login_ok)
    return canned


@pytest.fixture
async def server(socket_enabled: None, sems: Sems) -> AsyncGenerator[TestServer]:
    """The server on 127.0.0.1."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", sems.handle)
    running = TestServer(app, host="127.0.0.1")
    async with running:
        sems.base = str(running.make_url("")).rstrip("/")
        yield running


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def budget() -> RequestBudget:
    """The account's budget, to count requests."""
    return RequestBudget(GOODWE_LIMITS)


type MakeClient = Callable[..., Awaitable[GoodWeClient]]


@pytest.fixture
def make_client(
    server: TestServer,
    sems: Sems,
    session: aiohttp.ClientSession,
    budget: RequestBudget,
) -> MakeClient:
    """Build a client on the canned login host, its clock frozen at NOW."""

    async def make(**kwargs: Any) -> GoodWeClient:
        options: dict[str, Any] = {
            "username": USERNAME,
            "password": PASSWORD,
            "api_url": f"{sems.base}/login/web/sems",
            "budget": budget,
            "backoff": 0.0,
            "timeout": 5.0,
            "now": lambda: NOW,
        }
        options.update(kwargs)
        return GoodWeClient(session, **options)

    return make
