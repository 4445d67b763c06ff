"""The simulator application itself, whatever the provider (plain aiohttp, no Home Assistant).

Provider parts have their own tests beside their provider's (`tests/providers/<p>/test_simulator.py`);
these use the Amber part as the example: its paths, its demo token.
"""

import asyncio
from collections.abc import AsyncGenerator
import contextlib
from datetime import UTC, datetime
import re

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from tests.simulator import DEMO_TOKEN, FAULTS, FakeClock, Simulator

AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
SITES = "/amber/v1/sites"

type Client = TestClient[web.Request, web.Application]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture
def simulator() -> Simulator:
    """Return a simulator on a fake clock."""
    return Simulator(clock=FakeClock(datetime(2026, 1, 15, 3, 2, 10, tzinfo=UTC)))


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """Serve the simulator's app on 127.0.0.1 and return a client for it."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


async def test_unknown_paths(client: Client, simulator: Simulator) -> None:
    """Unknown paths answer 404 and are logged (outside a provider: provider None)."""
    for path in ("/amber/v1/nope", "/elsewhere"):
        response = await client.get(path, headers=AUTH)
        assert response.status == 404
        assert (await response.json())["message"] == "Not Found"
    assert (await client.post(SITES, headers=AUTH)).status == 405
    assert [(r.provider, r.status) for r in simulator.requests] == [
        ("amber", 404),
        (None, 404),
        ("amber", 405),
    ]


async def test_fault_always(client: Client, simulator: Simulator) -> None:
    """A persistent fault lasts until cleared; invalid names are refused."""
    simulator.fault_always("amber", "http_500")
    for _ in range(3):
        assert (await client.get(SITES, headers=AUTH)).status == 500
    simulator.fault_next("amber", "http_401")
    assert (await client.get(SITES, headers=AUTH)).status == 401
    assert (await client.get(SITES, headers=AUTH)).status == 500
    simulator.fault_always("amber", None)
    assert (await client.get(SITES, headers=AUTH)).status == 200
    with pytest.raises(ValueError):
        simulator.fault_next("amber", "http_418")
    with pytest.raises(ValueError):
        simulator.fault_always("nobody", "http_500")
    assert "timeout" in FAULTS


async def test_timeout_fault(client: Client, simulator: Simulator) -> None:
    """A `timeout` request waits `timeout_seconds`, then answers normally."""
    simulator.timeout_seconds = 0.3
    simulator.fault_next("amber", "timeout", count=2)
    with pytest.raises(TimeoutError):
        await client.get(SITES, headers=AUTH, timeout=aiohttp.ClientTimeout(total=0.05))
    loop = asyncio.get_running_loop()
    began = loop.time()
    response = await client.get(SITES, headers=AUTH)
    assert response.status == 200
    assert loop.time() - began >= 0.25
    assert [(r.fault, r.status) for r in simulator.requests] == [
        ("timeout", 499),
        ("timeout", 200),
    ]


async def test_start_stop(socket_enabled: None) -> None:
    """`start` serves on 127.0.0.1 with a free port; `base_url` points at the API."""
    simulator = Simulator()
    with pytest.raises(RuntimeError):
        simulator.base_url("amber")
    assert simulator.base_url("amber", root="http://127.0.0.1:1234/") == (
        "http://127.0.0.1:1234/amber/v1"
    )
    await simulator.start()
    try:
        url = simulator.base_url("amber")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/amber/v1", url)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/sites", headers=AUTH) as response,
        ):
            assert response.status == 200
            assert len(await response.json()) == 3
        simulator.timeout_seconds = 30
        simulator.fault_next("amber", "timeout")
        async with aiohttp.ClientSession() as session:
            stalled = asyncio.ensure_future(session.get(f"{url}/sites", headers=AUTH))
            await asyncio.sleep(0.05)
            stopping = asyncio.get_running_loop().time()
            await simulator.stop()
            assert asyncio.get_running_loop().time() - stopping < 5
            stalled.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                (await stalled).release()
    finally:
        await simulator.stop()
    simulator.set_root("http://localhost:9/")
    assert simulator.base_url("amber") == "http://localhost:9/amber/v1"
