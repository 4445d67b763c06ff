"""A small server on 127.0.0.1 that records requests and answers per path."""

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict
import pytest


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str]
    body: bytes


@dataclass
class Answers:
    """Per path, the answers (status, body) to give in order; the last one repeats."""

    by_path: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def set(self, path: str, *answers: tuple[int, Any]) -> None:
        """Answer `path` with these, in order."""
        self.by_path[path] = list(answers)

    def paths(self) -> list[str]:
        """The paths asked, in order."""
        return [r.path for r in self.received]

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request and give the next answer for its path (404 when none)."""
        self.received.append(
            Received(
                request.method,
                request.path,
                dict(request.query),
                CIMultiDict(request.headers),
                await request.read(),
            )
        )
        queue = self.by_path.get(request.path)
        if not queue:
            return web.Response(status=404)
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=status, text=text, content_type="application/json")


@pytest.fixture
def answers() -> Answers:
    """What the server answers."""
    return Answers()


@pytest.fixture
async def server(socket_enabled: None, answers: Answers) -> AsyncGenerator[TestServer]:
    """The server on 127.0.0.1."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answers.handle)
    running = TestServer(app, host="127.0.0.1")
    async with running:
        yield running


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session
