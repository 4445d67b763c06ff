"""AmberClient against the simulator (no Home Assistant): requests as Amber wants them."""

from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime

import aiohttp
import pytest

from custom_components.openpower.api.amber import AmberClient, ChannelType
from custom_components.openpower.api.errors import ApiAuthError, ApiNotFoundError
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    FakeClock,
    Simulator,
)

NOW = datetime(2026, 1, 15, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """The simulator on 127.0.0.1, on a fake clock."""
    simulator = Simulator(clock=FakeClock(NOW))
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def client(simulator: Simulator) -> AsyncGenerator[AmberClient]:
    """A client of the demo account, without retry delays."""
    async with aiohttp.ClientSession() as session:
        yield AmberClient(
            session, DEMO_TOKEN, api_url=simulator.base_url("amber"), backoff=0
        )


async def test_prices_request(client: AmberClient, simulator: Simulator) -> None:
    """`next` is capped so that `next + previous` stays within Amber's 2048 intervals."""
    intervals = await client.async_get_current_prices(
        DEMO_SITE_5MIN, next_intervals=5000, previous_intervals=48, resolution=5
    )
    assert simulator.requests[-1].query == {
        "next": "2000",
        "previous": "48",
        "resolution": "5",
    }
    assert len(intervals) == 3 * 2049
    rate = client.rate_limit
    assert rate is not None
    assert (rate.limit, rate.remaining) == (50, 49)


async def test_usage_request(client: AmberClient, simulator: Simulator) -> None:
    """Usage is asked for by NEM date, both ends included."""
    usage = await client.async_get_usage(
        DEMO_SITE_5MIN, date(2026, 1, 13), date(2026, 1, 14)
    )
    assert simulator.requests[-1].query == {
        "startDate": "2026-01-13",
        "endDate": "2026-01-14",
    }
    assert len(usage) == 2 * 288 * 3
    assert {item.channel for item in usage} == set(ChannelType)


async def test_errors(client: AmberClient, simulator: Simulator) -> None:
    """A closed site's prices are not found; a revoked token is an authentication error."""
    with pytest.raises(ApiNotFoundError):
        await client.async_get_current_prices(DEMO_SITE_CLOSED, next_intervals=1)
    simulator.amber.revoke_token(DEMO_TOKEN)
    with pytest.raises(ApiAuthError):
        await client.async_get_sites()


async def test_usage_span_is_checked_before_asking() -> None:
    """More than 7 days per request is refused locally (Amber answers 422)."""
    client = AmberClient(None, "psk_x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 to 7 days"):
        await client.async_get_usage("X", date(2026, 1, 1), date(2026, 1, 8))
    with pytest.raises(ValueError, match="1 to 7 days"):
        await client.async_get_usage("X", date(2026, 1, 2), date(2026, 1, 1))
