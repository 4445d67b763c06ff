"""MyElectricalDataClient against a local server: v1 paths, the bare token, the daily quota."""

from datetime import UTC, date, datetime, time

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.api.enedis import (
    Backend,
    Direction,
    EnedisBackend,
    EnedisQuotaError,
    MyElectricalDataClient,
    TariffOption,
    med_budget,
)
from custom_components.openpower.api.errors import ApiRateLimitedError

from .common import load_fixture
from .conftest import Answers

PRM = "01234567890123"
TOKEN = "med-token-0123456789abcdef"


def make_client(
    session: aiohttp.ClientSession, server: TestServer, **kwargs: object
) -> MyElectricalDataClient:
    """A client of the server's root (the real API has no base path), without retry delays."""
    return MyElectricalDataClient(
        session,
        TOKEN,
        PRM,
        api_url=str(server.make_url("/")),
        backoff=0,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_measure_paths_and_token(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """`/{service}/{prm}/start/{d}/end/{d}`, the token as is (no "Bearer")."""
    answers.set(
        f"/daily_consumption/{PRM}/start/2022-03-08/end/2023-03-08",
        (200, load_fixture("med_v1_daily_consumption.json")),
    )
    answers.set(
        f"/consumption_load_curve/{PRM}/start/2023-03-01/end/2023-03-04",
        (200, load_fixture("med_v1_consumption_load_curve.json")),
    )
    answers.set(
        f"/daily_consumption_max_power/{PRM}/start/2023-04-01/end/2023-04-04",
        (
            200,
            load_fixture("conso_api_consumption_max_power_2023-04-01_2023-04-04.json"),
        ),
    )
    client = make_client(session, server)
    daily = await client.async_daily(
        Direction.CONSUMPTION, date(2022, 3, 8), date(2023, 3, 8)
    )
    assert len(daily) == 365
    curve = await client.async_load_curve(
        Direction.CONSUMPTION, date(2023, 3, 1), date(2023, 3, 4)
    )
    assert sum(p.energy_wh for p in curve) == 77559.0 + 68680.0 + 81972.0
    maxima = await client.async_max_power(date(2023, 4, 1), date(2023, 4, 4))
    assert [m.power_va for m in maxima] == [4638.0, 4410.0, 3570.0]
    for request in answers.received:
        assert request.method == "GET"
        assert request.headers["Authorization"] == TOKEN
        assert request.query == {}


async def test_cache_and_production_paths(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """`use_cache` asks `…/cache`; production has its own services."""
    answers.set(
        f"/daily_production/{PRM}/start/2023-04-01/end/2023-04-04/cache",
        (200, load_fixture("conso_api_daily_production_2023-04-01_2023-04-04.json")),
    )
    answers.set(
        f"/production_load_curve/{PRM}/start/2023-04-01/end/2023-04-02/cache",
        (
            200,
            load_fixture("conso_api_production_load_curve_2023-04-01_2023-04-02.json"),
        ),
    )
    client = make_client(session, server, use_cache=True)
    daily = await client.async_daily(
        Direction.PRODUCTION, date(2023, 4, 1), date(2023, 4, 4)
    )
    assert [r.energy_wh for r in daily] == [643.0, 6.0, 15411.0]
    curve = await client.async_load_curve(
        Direction.PRODUCTION, date(2023, 4, 1), date(2023, 4, 2)
    )
    assert len(curve) == 48


async def test_contract_customer_and_access(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """`contracts`, `addresses` and `valid_access`, each with the PRM in the path."""
    answers.set(f"/contracts/{PRM}", (200, load_fixture("med_v1_contracts.json")))
    answers.set(f"/addresses/{PRM}", (200, load_fixture("med_v1_addresses.json")))
    answers.set(f"/valid_access/{PRM}", (200, load_fixture("med_v1_valid_access.json")))
    client = make_client(session, server)
    backend: EnedisBackend = client  # the shared interface, checked by mypy
    assert (backend.serves_contract, backend.backend) == (
        True,
        Backend.MYELECTRICALDATA,
    )
    contract = await client.async_contract()
    assert contract.tariff_option is TariffOption.OFF_PEAK
    assert contract.offpeak_hours[0] == (time(1, 30), time(8, 0))
    customer = await client.async_customer()
    assert customer.city == "XX YY"
    access = await client.async_access()
    assert access.quota_left == 43
    assert access.consent_expires_at == datetime(2026, 1, 14, 14, 32, 38, tzinfo=UTC)
    assert answers.paths() == [
        f"/contracts/{PRM}",
        f"/addresses/{PRM}",
        f"/valid_access/{PRM}",
    ]


async def test_quota_answer(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """409 with MyElectricalData's `detail`: the quota, until Paris midnight; the budget waits."""
    answers.set(
        f"/daily_consumption/{PRM}/start/2026-12-05/end/2026-12-06",
        (409, load_fixture("med_v1_error_quota_daily_50.json")),
    )
    budget = med_budget()
    client = make_client(
        session,
        server,
        budget=budget,
        now=lambda: datetime(2026, 12, 6, 7, 0, tzinfo=UTC),  # 08:00 in Paris
    )
    with pytest.raises(EnedisQuotaError) as caught:
        await client.async_daily(
            Direction.CONSUMPTION, date(2026, 12, 5), date(2026, 12, 6)
        )
    assert caught.value.retry_after == 16 * 3600.0
    assert budget.paused_for() > 0
    assert len(answers.received) == 1


async def test_budget() -> None:
    """45 calls in any day (50 less a margin), 10 of them kept from backfill."""
    assert med_budget().limits == (RateLimit(count=45, period=86400.0),)
    budget = med_budget(reserve=10)
    for _ in range(35):
        await budget.acquire(max_wait=0, background=True)
    with pytest.raises(ApiRateLimitedError):
        await budget.acquire(max_wait=0, background=True)
