"""PG&E client fixtures: the simulator over HTTPS with mutual TLS, clients of it, a canned server."""

from collections.abc import AsyncGenerator, Mapping
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.pge import PgeClient
from tests.simulator import PGE_CLIENT_ID, PGE_CLIENT_SECRET, FakeClock, Simulator

from .common import NOW, Canned, Factory, client_context


@pytest.fixture
def clock() -> FakeClock:
    """The simulator's clock (the client's too)."""
    return FakeClock(NOW)


@pytest.fixture
async def simulator(
    socket_enabled: None, clock: FakeClock
) -> AsyncGenerator[Simulator]:
    """The simulator on 127.0.0.1, HTTP and HTTPS (mutual TLS), notifying within 50 ms."""
    simulator = Simulator(clock=clock)
    simulator.pge.notification_delay = 0.05
    await simulator.start(tls=True)
    yield simulator
    await simulator.stop()


@pytest.fixture
def inbox(simulator: Simulator) -> list[bytes]:
    """The BatchList bodies the simulator POSTs."""
    bodies: list[bytes] = []

    async def receive(body: bytes, _headers: Mapping[str, str]) -> None:
        bodies.append(body)

    simulator.pge.notification_target = receive
    return bodies


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make(
    simulator: Simulator, session: aiohttp.ClientSession, clock: FakeClock
) -> Factory:
    """Build clients on the HTTPS base, with the valid certificate unless told."""
    api_url = simulator.urls("pge")["api_url"]

    def build(certificate: str = "client", **kwargs: Any) -> PgeClient:
        options: dict[str, Any] = {
            "client_id": PGE_CLIENT_ID,
            "client_secret": PGE_CLIENT_SECRET,
            "api_url": api_url,
            "ssl_context": client_context(certificate),
            "backoff": 0.001,
            "now": clock,
        }
        options.update(kwargs)
        return PgeClient(session, **options)

    return build


@pytest.fixture
def client(make: Factory) -> PgeClient:
    """A client with the valid certificate."""
    return make()


@pytest.fixture
async def canned(
    socket_enabled: None, session: aiohttp.ClientSession
) -> AsyncGenerator[tuple[Canned, PgeClient]]:
    """A canned server and a client of it."""
    script = Canned()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        client = PgeClient(
            session,
            client_id=PGE_CLIENT_ID,
            client_secret=PGE_CLIENT_SECRET,
            api_url=str(server.make_url("/pge")),
            backoff=0.001,
            now=lambda: NOW,
        )
        yield script, client
