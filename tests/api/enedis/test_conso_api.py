"""ConsoApiClient against a local server: the routes, parameters and headers Conso API wants."""

from datetime import UTC, date, datetime

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.api.enedis import (
    ConsoApiClient,
    DailyReading,
    Direction,
    EnedisBackend,
    EnedisConsentError,
    EnedisQuotaError,
    conso_api_budget,
)
from custom_components.openpower.api.errors import ApiRateLimitedError

from .common import load_fixture
from .conftest import Answers
from .test_access import jwt

PRM = "99999999999991"
TOKEN = jwt({"sub": [PRM, "99999999999992"], "exp": 1900000000})
AGENT = (
    "OpenPower Home Assistant integration (+https://github.com/openpower-ha/openpower)"
)
START, END = date(2026, 9, 29), date(2026, 10, 1)
DATES = {"pointId": PRM, "dateDebut": "2026-09-29", "dateFin": "2026-10-01"}


def make_client(
    session: aiohttp.ClientSession, server: TestServer, **kwargs: object
) -> ConsoApiClient:
    """A client of the server's `/api` (the real API's base path), without retry delays."""
    return ConsoApiClient(
        session,
        TOKEN,
        PRM,
        api_url=str(server.make_url("/api")),
        backoff=0,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_daily_request(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """2026 route and parameters, Bearer token, identifying User-Agent."""
    answers.set(
        "/api/consommation_quotidienne",
        (200, load_fixture("dc2026_mesure_consommation_quotidienne_med.json")),
    )
    readings = await make_client(session, server).async_daily(
        Direction.CONSUMPTION, START, END
    )
    assert readings == [
        DailyReading(date(2026, 9, 29), 33495.0, Direction.CONSUMPTION),
        DailyReading(date(2026, 9, 30), 38022.0, Direction.CONSUMPTION),
    ]
    (request,) = answers.received
    assert (request.method, request.path, request.query) == (
        "GET",
        "/api/consommation_quotidienne",
        DATES,
    )
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"] == AGENT
    assert request.headers["Accept"] == "application/json"


async def test_every_route(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """Production, both curves and max power; the older bare `meter_reading` still parses."""
    answers.set(
        "/api/production_quotidienne",
        (200, load_fixture("dc2026_mesure_production_quotidienne_med.json")),
    )
    answers.set(
        "/api/courbe_de_charge_consommation",
        (200, load_fixture("dc2026_mesure_courbe_de_charge_consommation_med.json")),
    )
    answers.set(
        "/api/courbe_de_charge_production",
        (
            200,
            load_fixture("conso_api_production_load_curve_2023-04-01_2023-04-02.json"),
        ),
    )
    answers.set(
        "/api/puissance_conso_max_quotidienne",
        (200, load_fixture("dc2026_mesure_puissance_conso_max_quotidienne_med.json")),
    )
    client = make_client(session, server)
    production = await client.async_daily(Direction.PRODUCTION, START, END)
    assert [r.energy_wh for r in production] == [8263.0, 941.0]
    curve = await client.async_load_curve(Direction.CONSUMPTION, START, END)
    assert len(curve) == 96
    produced = await client.async_load_curve(
        Direction.PRODUCTION, date(2023, 4, 1), date(2023, 4, 2)
    )
    assert sum(p.energy_wh for p in produced) == 643.0
    maxima = await client.async_max_power(START, END)
    assert [m.power_va for m in maxima] == [4680.0, 6510.0]
    assert answers.paths() == [
        "/api/production_quotidienne",
        "/api/courbe_de_charge_consommation",
        "/api/courbe_de_charge_production",
        "/api/puissance_conso_max_quotidienne",
    ]
    assert answers.received[2].query == {
        "pointId": PRM,
        "dateDebut": "2023-04-01",
        "dateFin": "2023-04-02",
    }
    assert answers.received[3].query == DATES | {
        "mesuresPas": "P1D",
        "grandeurPhysique": "PMA",
    }


async def test_no_contract_route(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """The capability flag says so; nothing is asked."""
    client: EnedisBackend = make_client(session, server)
    assert client.serves_contract is False
    assert await client.async_contract() is None
    assert await client.async_customer() is None
    assert answers.received == []


def test_token_meters() -> None:
    """The token's `sub` offers the PRMs."""
    client = ConsoApiClient(None, TOKEN, PRM)  # type: ignore[arg-type]
    assert client.token_info().prms == (PRM, "99999999999992")
    assert "eyJ" not in repr(client)


async def test_ranges_are_checked_before_asking(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """A curve spans at most 7 days, a daily request 365; empty ranges are refused."""
    client = make_client(session, server)
    with pytest.raises(ValueError, match="1 to 7 days"):
        await client.async_load_curve(
            Direction.CONSUMPTION, date(2026, 9, 1), date(2026, 9, 9)
        )
    with pytest.raises(ValueError, match="1 to 365 days"):
        await client.async_daily(
            Direction.CONSUMPTION, date(2025, 1, 1), date(2026, 1, 2)
        )
    with pytest.raises(ValueError):
        await client.async_max_power(START, START)
    assert answers.received == []


async def test_errors_pass_through(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """Enedis' error relayed in the envelope; a quota pauses the shared budget."""
    answers.set(
        "/api/consommation_quotidienne",
        (403, load_fixture("conso_api_error_403_enedis_adam_dc_0008.json")),
    )
    budget = conso_api_budget()
    client = make_client(session, server, budget=budget)
    with pytest.raises(EnedisConsentError):
        await client.async_daily(Direction.CONSUMPTION, START, END)
    answers.set(
        "/api/consommation_quotidienne",
        (
            429,
            load_fixture("conso_api_error_429_enedis_wso2_900804_nextAccessTime.json"),
        ),
    )
    client = make_client(
        session,
        server,
        budget=budget,
        now=lambda: datetime(2026, 7, 17, 4, 30, tzinfo=UTC),
    )
    with pytest.raises(EnedisQuotaError) as caught:
        await client.async_daily(Direction.CONSUMPTION, START, END)
    assert caught.value.retry_after == 1800.0
    assert budget.paused_for() > 1700
    assert len(answers.received) == 2  # a 4xx is not retried


async def test_budget_keeps_a_reserve() -> None:
    """90 requests per 12 h; backfill stops 10 short of it, for the daily requests."""
    assert conso_api_budget().limits == (RateLimit(count=90, period=43200.0),)
    budget = conso_api_budget(reserve=10)
    for _ in range(80):
        await budget.acquire(max_wait=0, background=True)
    with pytest.raises(ApiRateLimitedError):
        await budget.acquire(max_wait=0, background=True)
    for _ in range(10):
        await budget.acquire(max_wait=0)
    with pytest.raises(ApiRateLimitedError):
        await budget.acquire(max_wait=0)
    with pytest.raises(ValueError, match="no backfill"):
        conso_api_budget(reserve=90)
