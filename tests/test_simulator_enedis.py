"""The simulator's Enedis part: the three backends' protocols, fixtures' shapes, rules and limits.

Plain aiohttp, no Home Assistant. Expected values are computed here from the UTC clock and from
other routes' answers (a day's energy from the load curve the API serves), never by calling the
simulator's own code paths for the same answer.
"""

from collections.abc import AsyncGenerator, Mapping
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from tests.simulator import (
    ENEDIS_CONSO_SANDBOX_TOKEN,
    ENEDIS_CONSO_TOKEN,
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_MED_TOKEN,
    ENEDIS_NOT_HOLDER_PRM,
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
    SANDBOX_PRMS,
    EnedisPrm,
    EnedisSimulator,
    FakeClock,
    Simulator,
    sandbox_client_id,
    sandbox_client_secret,
)
from tests.simulator.enedis_bodies import read_jwt
from tests.simulator.enedis_model import MeterProfile, day_measures, interval_starts

FIXTURES = Path(__file__).parent / "simulator" / "fixtures" / "enedis"
PARIS = ZoneInfo("Europe/Paris")
# Sunday 6 December 2026, 11:00 in Paris: Saturday's data is out (published from 08:00).
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 6)
CONSO = "/enedis/conso/api"
MED = "/enedis/med"
DC = "/enedis/dc"
MEASURES = f"{DC}/mesure_synchrone_auto/v2"
BEARER = {"Authorization": f"Bearer {ENEDIS_CONSO_TOKEN}"}
SANDBOX = {"Authorization": f"Bearer {ENEDIS_CONSO_SANDBOX_TOKEN}"}
MED_AUTH = {"Authorization": ENEDIS_MED_TOKEN}

type Client = TestClient[web.Request, web.Application]


def _fixture(name: str) -> Any:
    content = json.loads((FIXTURES / name).read_text())
    if isinstance(content, dict) and set(content) == {"status_code", "content"}:
        return content["content"]
    return content


def _shape(value: Any) -> Any:
    """Keys (in order) and value types, recursively; a list by the union of its items' shapes."""
    if isinstance(value, dict):
        return [(key, _shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        shapes: list[Any] = []
        for item in value:
            if _shape(item) not in shapes:
                shapes.append(_shape(item))
        return ["list", *shapes]
    return type(value).__name__


def _q(prm: str, start: date | str, end: date | str, **extra: str) -> dict[str, str]:
    return {"pointId": prm, "dateDebut": str(start), "dateFin": str(end), **extra}


def _ends(first_start_utc: datetime, count: int) -> list[str]:
    """Interval ends as naive Paris wall times, computed from UTC here."""
    return [
        (first_start_utc + (i + 1) * timedelta(minutes=30))
        .astimezone(PARIS)
        .strftime("%Y-%m-%d %H:%M:%S")
        for i in range(count)
    ]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """Return a simulator on the fake clock."""
    return Simulator(clock=clock)


@pytest.fixture
def enedis(simulator: Simulator) -> EnedisSimulator:
    """Return the Enedis part."""
    part = simulator.part("enedis")
    assert isinstance(part, EnedisSimulator)
    return part


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """Serve the simulator's app on 127.0.0.1 and return a client for it."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


async def _get(
    client: Client,
    path: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    status: int = 200,
) -> Any:
    response = await client.get(path, params=params, headers=headers)
    assert response.status == status, await response.text()
    return await response.json()


async def _dc_token(client: Client, client_id: str, secret: str) -> dict[str, str]:
    response = await client.post(
        f"{DC}/oauth2/v3/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert response.status == 200
    return {"Authorization": f"Bearer {(await response.json())['access_token']}"}


async def _curve_sum(
    client: Client, headers: Mapping[str, str], kind: str, prm: str, day: date
) -> int:
    body = await _get(
        client,
        f"{CONSO}/courbe_de_charge_{kind}",
        _q(prm, day, day + timedelta(days=1)),
        headers,
    )
    return sum(int(point["v"]) for point in body["grandeur"][0]["points"]) // 2


# ---------------------------------------------------------------------------------------------
# Energy model


@pytest.mark.parametrize(
    ("day", "count"),
    [(date(2026, 3, 29), 46), (date(2026, 10, 25), 50), (date(2026, 6, 1), 48)],
)
def test_interval_counts(day: date, count: int) -> None:
    """A Paris day has 46, 50 or 48 half-hours; every power is even, so Wh are whole."""
    assert len(interval_starts(day)) == count
    measures = day_measures(MeterProfile("11111111111111", production=True), day)
    assert len(measures.consumption) == len(measures.production) == count
    assert all(hh.watts % 2 == 0 for hh in measures.consumption + measures.production)


def test_model_is_deterministic_and_seasonal() -> None:
    """Same inputs, same data; winter consumption above summer's; PV only in daylight."""
    profile = MeterProfile("11111111111111", production=True)
    winter = day_measures(profile, date(2026, 1, 15))
    summer = day_measures(profile, date(2026, 7, 15))
    day_measures.cache_clear()
    assert day_measures(profile, date(2026, 1, 15)) == winter
    assert sum(h.watts for h in winter.consumption) > sum(
        h.watts for h in summer.consumption
    )
    night = [h.watts for h in summer.production if h.end.hour in (0, 1, 2, 3)]
    assert night and not any(night)
    assert max(h.watts for h in summer.production) > 1000


# ---------------------------------------------------------------------------------------------
# Conso API: shapes and the energy identities


async def test_urls(simulator: Simulator) -> None:
    """The three hosts, each under its own path."""
    urls = simulator.urls("enedis", root="http://127.0.0.1:9")
    assert urls == {
        "api_url": "http://127.0.0.1:9/enedis/conso/api",
        "conso_api_url": "http://127.0.0.1:9/enedis/conso/api",
        "myelectricaldata_url": "http://127.0.0.1:9/enedis/med",
        "data_connect_url": "http://127.0.0.1:9/enedis/dc",
    }


async def test_conso_daily_shape_and_sum(client: Client) -> None:
    """Daily consumption has the 2026 fixture's shape; each day equals Σ of its curve."""
    start, end = date(2026, 11, 2), date(2026, 11, 4)
    body = await _get(
        client, f"{CONSO}/consommation_quotidienne", _q(ENEDIS_PRM, start, end), BEARER
    )
    assert _shape(body) == _shape(
        _fixture("dc2026_mesure_consommation_quotidienne_med.json")
    )
    assert body["idPrm"] == ENEDIS_PRM
    assert body["periode"] == {"dateDebut": "2026-11-02", "dateFin": "2026-11-04"}
    points = body["grandeur"][0]["points"]
    assert [p["d"] for p in points] == ["2026-11-02", "2026-11-03"]
    for point, day in zip(points, (start, start + timedelta(days=1)), strict=True):
        assert int(point["v"]) == await _curve_sum(
            client, BEARER, "consommation", ENEDIS_PRM, day
        )


async def test_conso_curve_shape(client: Client) -> None:
    """Two days of curve: the fixture's shape, 96 points, ends from 00:30 to the next 00:00."""
    body = await _get(
        client,
        f"{CONSO}/courbe_de_charge_consommation",
        _q(ENEDIS_PRM, "2026-09-29", "2026-10-01"),
        BEARER,
    )
    assert _shape(body) == _shape(
        _fixture("dc2026_mesure_courbe_de_charge_consommation_med.json")
    )
    points = body["grandeur"][0]["points"]
    assert len(points) == 96
    assert points[0]["d"] == "2026-09-29 00:30:00"
    assert points[-1]["d"] == "2026-10-01 00:00:00"
    assert {(p["p"], p["n"]) for p in points} == {("PT30M", "B")}


@pytest.mark.parametrize(
    ("day", "count", "around"),
    [
        (
            date(2026, 10, 25),
            50,
            ["01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30"],
        ),
        (date(2026, 3, 29), 46, ["01:00", "01:30", "03:00", "03:30"]),
    ],
)
async def test_dst_days(
    client: Client, day: date, count: int, around: list[str]
) -> None:
    """DST days: 50 or 46 half-hours, repeated hour in order; daily equals Σ exactly."""
    body = await _get(
        client,
        f"{CONSO}/courbe_de_charge_consommation",
        _q(ENEDIS_PRM, day, day + timedelta(days=1)),
        BEARER,
    )
    points = body["grandeur"][0]["points"]
    midnight = datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
    assert [p["d"] for p in points] == _ends(midnight, count)
    times = [p["d"][11:16] for p in points]
    first = times.index(around[0])
    assert times[first : first + len(around)] == around
    daily = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(ENEDIS_PRM, day, day + timedelta(days=1)),
        BEARER,
    )
    total = sum(int(p["v"]) for p in points) // 2
    assert sum(int(p["v"]) for p in points) % 2 == 0
    assert daily["grandeur"][0]["points"] == [{"v": str(total), "d": day.isoformat()}]


async def test_max_power(client: Client) -> None:
    """Max power: the fixture's shape, at a time inside the day, above every half-hour mean."""
    start = date(2026, 11, 10)
    body = await _get(
        client,
        f"{CONSO}/puissance_conso_max_quotidienne",
        _q(ENEDIS_PRM, start, start + timedelta(days=2)),
        BEARER,
    )
    assert _shape(body) == _shape(
        _fixture("dc2026_mesure_puissance_conso_max_quotidienne_med.json")
    )
    assert body["pas"] == "P1D"
    for point, day in zip(
        body["grandeur"][0]["points"], (start, start + timedelta(days=1)), strict=True
    ):
        assert point["d"].startswith(day.isoformat() + " ")
        curve = await _get(
            client,
            f"{CONSO}/courbe_de_charge_consommation",
            _q(ENEDIS_PRM, day, day + timedelta(days=1)),
            BEARER,
        )
        peak = max(int(p["v"]) for p in curve["grandeur"][0]["points"])
        assert peak < int(point["v"]) < 1.5 * peak
    monthly = await _get(
        client,
        f"{CONSO}/puissance_conso_max_quotidienne",
        _q(ENEDIS_PRM, "2026-10-01", "2026-12-01", mesuresPas="P1M"),
        BEARER,
    )
    assert [p["d"][:7] for p in monthly["grandeur"][0]["points"]] == [
        "2026-10",
        "2026-11",
    ]


async def test_prosumer_production_and_self_consumption(client: Client) -> None:
    """The producer+consumer: production body like the fixture; never both flows at once."""
    day = date(2026, 11, 20)
    body = await _get(
        client,
        f"{CONSO}/production_quotidienne",
        _q(ENEDIS_PROSUMER_PRM, day, day + timedelta(days=1)),
        BEARER,
    )
    assert _shape(body) == _shape(
        _fixture("dc2026_mesure_production_quotidienne_med.json")
    )
    assert body["grandeur"][0]["grandeurMetier"] == "PROD"
    produced = await _curve_sum(client, BEARER, "production", ENEDIS_PROSUMER_PRM, day)
    assert body["grandeur"][0]["points"][0]["v"] == str(produced)
    curves = [
        (
            await _get(
                client,
                f"{CONSO}/courbe_de_charge_{kind}",
                _q(ENEDIS_PROSUMER_PRM, "2026-06-01", "2026-06-08"),
                BEARER,
            )
        )["grandeur"][0]["points"]
        for kind in ("consommation", "production")
    ]
    assert len(curves[0]) == len(curves[1]) == 7 * 48
    pairs = [(int(c["v"]), int(p["v"])) for c, p in zip(*curves, strict=True)]
    assert all(c == 0 or p == 0 for c, p in pairs)
    assert any(p > 0 for _, p in pairs) and any(c > 0 for c, _ in pairs)


async def test_conso_aliases_and_index(client: Client) -> None:
    """`prm`/`start`/`end` are accepted; the index grows by each day's energy."""
    day = date(2026, 11, 2)
    old = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        {"prm": ENEDIS_PRM, "start": "2026-11-02", "end": "2026-11-03"},
        BEARER,
    )
    energy = int(old["grandeur"][0]["points"][0]["v"])
    index = await _get(
        client,
        f"{CONSO}/index_consommation",
        _q(ENEDIS_PRM, day - timedelta(days=1), day + timedelta(days=1)),
        BEARER,
    )
    before, after = (int(p["v"]) for p in index["grandeur"][0]["points"])
    assert after - before == energy


# ---------------------------------------------------------------------------------------------
# Conso API: its own answers and the Enedis errors it relays


async def test_conso_auth(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """Header rules, token signature, PRM list and expiry; each answer's exact body."""
    path = f"{CONSO}/consommation_quotidienne"
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    missing = {
        "status": 400,
        "message": "Le header 'Authorization' est manquant ou invalide",
    }
    assert await _get(client, path, query, {}, 400) == missing
    assert (
        await _get(client, path, query, {"Authorization": ENEDIS_CONSO_TOKEN}, 400)
        == missing
    )
    refused = _fixture("conso_api_error_401_token_prm.json")
    assert (
        await _get(client, path, query, {"Authorization": "Bearer abc.def.ghi"}, 401)
        == refused
    )
    other = enedis.conso_token(["22516914714270"])
    assert (
        await _get(client, path, query, {"Authorization": f"Bearer {other}"}, 401)
        == refused
    )
    forged = ENEDIS_CONSO_TOKEN[:-2] + (
        "AA" if not ENEDIS_CONSO_TOKEN.endswith("AA") else "BB"
    )
    assert (
        await _get(client, path, query, {"Authorization": f"Bearer {forged}"}, 401)
        == refused
    )
    short = enedis.conso_token([ENEDIS_PRM], lifetime_days=1)
    await _get(client, path, query, {"Authorization": f"Bearer {short}"})
    clock.advance(86400)
    assert (
        await _get(client, path, query, {"Authorization": f"Bearer {short}"}, 401)
        == refused
    )
    claims = read_jwt(ENEDIS_CONSO_TOKEN, "openpower-simulator-conso-api-hs256")
    assert claims is not None and claims["sub"] == [ENEDIS_PRM, ENEDIS_PROSUMER_PRM]


async def test_conso_method_and_params(client: Client, enedis: EnedisSimulator) -> None:
    """Only GET (OPTIONS is fine); v5 names and bad parameters are 400 Paramètres invalides."""
    path = f"{CONSO}/consommation_quotidienne"
    response = await client.post(path, headers=BEARER)
    assert response.status == 405
    assert await response.json() == {
        "status": 405,
        "message": "Seule la méthode GET est autorisée",
    }
    assert (await client.options(path)).status == 200
    for bad_path, query in (
        (f"{CONSO}/daily_consumption", _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")),
        (path, _q("123", "2026-11-02", "2026-11-03")),
        (path, _q(ENEDIS_PRM, "02/11/2026", "2026-11-03")),
    ):
        body = await _get(client, bad_path, query, BEARER, 400)
        assert body["status"] == 400
        assert body["message"] == "Paramètres invalides"
        assert body["error"]["issues"]
    agent = {"User-Agent": "github.com/openpower/openpower", **BEARER}
    await _get(client, path, _q(ENEDIS_PRM, "2026-11-02", "2026-11-03"), agent)
    assert enedis.user_agents[-1] == "github.com/openpower/openpower"


@pytest.mark.parametrize(
    ("resource", "prm", "start", "end", "fixture"),
    [
        (
            "consommation_quotidienne",
            "22516914714270",
            "2026-11-03",
            "2026-11-02",
            "conso_api_error_400_daily_consumption_start_after_end.json",
        ),
        (
            "consommation_quotidienne",
            "26584978546985",
            "2026-11-02",
            "2026-11-03",
            "conso_api_error_403_enedis_adam_dc_0008.json",
        ),
        (
            "consommation_quotidienne",
            ENEDIS_NOT_HOLDER_PRM,
            "2026-11-02",
            "2026-11-03",
            "conso_api_error_400_enedis_adam_dc_0007.json",
        ),
        (
            "courbe_de_charge_consommation",
            "32320647321714",
            "2026-11-02",
            "2026-11-03",
            "conso_api_error_404_enedis_no_data_found.json",
        ),
    ],
)
async def test_conso_relayed_errors(
    client: Client, resource: str, prm: str, start: str, end: str, fixture: str
) -> None:
    """Revoked consent, not the holder, start after end, curve off: the fixtures, exactly."""
    expected = _fixture(fixture)
    body = await _get(
        client, f"{CONSO}/{resource}", _q(prm, start, end), SANDBOX, expected["status"]
    )
    assert body == expected


async def test_curve_off_keeps_daily(client: Client) -> None:
    """Hourly collection off: the daily data still exists."""
    body = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q("32320647321714", "2026-11-02", "2026-11-03"),
        SANDBOX,
    )
    assert len(body["grandeur"][0]["points"]) == 1


async def _enedis_error(
    client: Client,
    resource: str,
    prm: str,
    start: date | str,
    end: date | str,
    status: int,
) -> dict[str, Any]:
    headers = BEARER if prm in (ENEDIS_PRM, ENEDIS_PROSUMER_PRM) else SANDBOX
    body = await _get(
        client, f"{CONSO}/{resource}", _q(prm, start, end), headers, status
    )
    assert body["status"] == status
    assert body["message"] == "The Enedis API returned an error"
    error: dict[str, Any] = body["error"]
    return error


async def test_history_and_request_limits(client: Client) -> None:
    """Commissioning, history depth, direction, ranges, future end: Enedis's codes."""
    commissioned = TODAY - timedelta(days=900)
    error = await _enedis_error(
        client,
        "consommation_quotidienne",
        ENEDIS_PRM,
        commissioned - timedelta(days=1),
        commissioned + timedelta(days=5),
        400,
    )
    assert error == _fixture("dc2026_error_400_adam_err0123_mock_esthesis.json")
    await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(ENEDIS_PRM, commissioned, commissioned + timedelta(days=5)),
        BEARER,
    )
    # Curves: 24 months + 15 days back from 2026-12-06 is 2024-11-21.
    error = await _enedis_error(
        client,
        "courbe_de_charge_consommation",
        ENEDIS_PRM,
        "2024-11-20",
        "2024-11-22",
        400,
    )
    assert error["error"] == "ADAM-ERR0125"
    await _get(
        client,
        f"{CONSO}/courbe_de_charge_consommation",
        _q(ENEDIS_PRM, "2024-11-21", "2024-11-22"),
        BEARER,
    )
    # Daily: 36 months + 15 days back is 2023-11-21.
    old = "22516914714270"
    error = await _enedis_error(
        client, "consommation_quotidienne", old, "2023-11-20", "2023-11-22", 400
    )
    assert error["error"] == "ADAM-ERR0125"
    await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(old, "2023-11-21", "2023-11-22"),
        SANDBOX,
    )
    error = await _enedis_error(
        client,
        "consommation_quotidienne",
        "24880057139941",
        "2026-11-02",
        "2026-11-03",
        400,
    )
    assert error["error"] == "ADAM-ERR0069"
    error = await _enedis_error(
        client,
        "courbe_de_charge_production",
        "22516914714270",
        "2026-11-02",
        "2026-11-03",
        400,
    )
    assert error["error"] == "ADAM-ERR0069"
    error = await _enedis_error(
        client, "courbe_de_charge_consommation", old, "2026-11-01", "2026-11-09", 400
    )
    assert error["error"] == "ADAM-DC-0015"
    await _get(
        client,
        f"{CONSO}/courbe_de_charge_consommation",
        _q(old, "2026-11-01", "2026-11-08"),
        SANDBOX,
    )
    error = await _enedis_error(
        client, "consommation_quotidienne", old, "2025-11-01", "2026-11-02", 400
    )
    assert error["error"] == "Invalid_request"
    error = await _enedis_error(
        client, "consommation_quotidienne", old, "2026-12-05", "2026-12-07", 400
    )
    assert error["error"] == "Invalid_request"


async def test_publication_time(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """Yesterday's data appears at 08:00 Paris; a late day one day later."""
    yesterday = TODAY - timedelta(days=1)
    query = _q(ENEDIS_PRM, yesterday, TODAY)
    path = f"{CONSO}/consommation_quotidienne"
    clock.now = datetime(2026, 12, 6, 6, 59, tzinfo=UTC)  # 07:59 Paris
    body = await _get(client, path, query, BEARER, 404)
    assert body["error"]["error"] == "no_data_found"
    two_days = await _get(
        client, path, _q(ENEDIS_PRM, yesterday - timedelta(days=1), TODAY), BEARER
    )
    assert [p["d"] for p in two_days["grandeur"][0]["points"]] == ["2026-12-04"]
    clock.now = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)  # 08:00 Paris
    assert len((await _get(client, path, query, BEARER))["grandeur"][0]["points"]) == 1
    enedis.meters.late_days.add(yesterday)
    await _get(client, path, query, BEARER, 404)
    clock.now = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    await _get(client, path, query, BEARER)


async def test_gaps_on_tuesdays_and_wednesdays(client: Client) -> None:
    """Sandbox client 4: no data on Tuesdays and Wednesdays, curve and daily alike."""
    body = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q("42900589957123", "2026-11-02", "2026-11-09"),
        SANDBOX,
    )
    days = [date.fromisoformat(p["d"]) for p in body["grandeur"][0]["points"]]
    assert [d.isoformat() for d in days] == [
        "2026-11-02",
        "2026-11-05",
        "2026-11-06",
        "2026-11-07",
        "2026-11-08",
    ]
    curve = await _get(
        client,
        f"{CONSO}/courbe_de_charge_consommation",
        _q("42900589957123", "2026-11-02", "2026-11-09"),
        SANDBOX,
    )
    assert len(curve["grandeur"][0]["points"]) == 5 * 48
    tuesday = _q("42900589957123", "2026-11-03", "2026-11-05")
    assert (
        await _get(client, f"{CONSO}/consommation_quotidienne", tuesday, SANDBOX, 404)
    )["status"] == 404


@pytest.mark.parametrize(
    ("fault", "fixture"),
    [
        ("plain_500", "conso_api_error_500_enedis_plain_text.json"),
        ("technical_error", "conso_api_error_500_enedis_technical_error.json"),
        ("token_refresh", "conso_api_error_500_token_refresh.json"),
        ("spike_arrest", "conso_api_error_429_enedis_wso2_fault_900807.json"),
        ("no_consent", "conso_api_error_403_enedis_adam_dc_0008.json"),
        ("not_holder", "conso_api_error_400_enedis_adam_dc_0007.json"),
        ("no_data", "conso_api_error_404_enedis_no_data_found.json"),
        ("http_401", "conso_api_error_401_token_prm.json"),
        ("http_403", "conso_api_error_403_enedis_adam_dc_0008.json"),
        ("http_429", "conso_api_error_429_enedis_wso2_fault_900807.json"),
        ("http_500", "conso_api_error_500_enedis_technical_error.json"),
        ("not_found", "conso_api_error_404_enedis_no_data_found.json"),
    ],
)
async def test_conso_faults(
    client: Client, simulator: Simulator, fault: str, fixture: str
) -> None:
    """Injected faults answer the captured bodies once, then the API is normal again."""
    simulator.fault_next("enedis", fault)
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    path = f"{CONSO}/consommation_quotidienne"
    expected = _fixture(fixture)
    assert await _get(client, path, query, BEARER, expected["status"]) == expected
    await _get(client, path, query, BEARER)


async def test_conso_quota_fault_next_access_time(
    client: Client, simulator: Simulator
) -> None:
    """`quota_exceeded`: the flat 900804 body, next access at the next UTC hour."""
    simulator.fault_next("enedis", "quota_exceeded")
    body = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(ENEDIS_PRM, "2026-11-02", "2026-11-03"),
        BEARER,
        429,
    )
    expected = _fixture("conso_api_error_429_enedis_wso2_900804_nextAccessTime.json")
    assert _shape(body) == _shape(expected)
    assert body["error"]["nextAccessTime"] == "2026-Dec-06 11:00:00+0000 UTC"
    assert body["error"]["description"] == (
        "You have exceeded your quota .You can access API after 2026-Dec-06 11:00:00+0000 UTC"
    )


async def test_conso_ip_ban(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """100 requests in 12 h are served, whatever they answer; then the IP is blocked."""
    path = f"{CONSO}/consommation_quotidienne"
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    for _ in range(60):
        assert (await client.get(path, params=query, headers=BEARER)).status == 200
    clock.advance(6 * 3600)
    for _ in range(39):
        assert (await client.get(path, params=query)).status == 400
    clock.advance(6 * 3600)  # the first 60 leave the 12-hour window
    for _ in range(61):
        assert (await client.get(path, params=query, headers=BEARER)).status == 200
    response = await client.get(path, params=query, headers=BEARER)
    assert response.status == 403
    assert response.content_type == "text/html"
    assert "Sorry, you have been blocked" in await response.text()
    clock.advance(30 * 86400)
    assert (await client.get(path, params=query, headers=BEARER)).status == 403
    enedis.unban()
    assert (await client.get(path, params=query, headers=BEARER)).status == 200


async def test_conso_ban_duration(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """With `conso_ban_duration`, the ban ends by itself."""
    enedis.conso_ban_threshold = 3
    enedis.conso_ban_duration = 3600
    path = f"{CONSO}/consommation_quotidienne"
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    statuses = [
        (await client.get(path, params=query, headers=BEARER)).status for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 403]
    clock.advance(3600)
    assert (await client.get(path, params=query, headers=BEARER)).status == 200


# ---------------------------------------------------------------------------------------------
# MyElectricalData


async def test_med_shapes(client: Client) -> None:
    """valid_access, measures and customers: the fixtures' shapes (v5 passed through)."""
    daily = await _get(
        client,
        f"{MED}/daily_consumption/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-04",
        headers=MED_AUTH,
    )
    access = await _get(client, f"{MED}/valid_access/{ENEDIS_PRM}", headers=MED_AUTH)
    assert _shape(access) == _shape(_fixture("med_v1_valid_access.json"))
    assert access["valid"] is True
    assert access["call_number"] == 1
    assert access["quota_limit"] == 50
    assert access["quota_reset_at"] == "2026-12-06T23:59:59.999999"
    assert access["last_call"] == "2026-12-06T11:00:00.000000"
    assert access["consent_expiration_date"] == "2029-12-05T11:00:00"
    assert _shape(daily["meter_reading"]) == _shape(
        _fixture("conso_api_daily_consumption_2023-04-01_2023-04-04.json")
    )
    assert list(daily) == ["meter_reading"]
    curve = await _get(
        client,
        f"{MED}/consumption_load_curve/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03",
        headers=MED_AUTH,
    )
    assert _shape(curve["meter_reading"]) == _shape(
        _fixture("conso_api_consumption_load_curve_2023-04-01_2023-04-02.json")
    )
    values = [int(r["value"]) for r in curve["meter_reading"]["interval_reading"]]
    assert daily["meter_reading"]["interval_reading"][0] == {
        "value": str(sum(values) // 2),
        "date": "2026-11-02",
    }
    peak = await _get(
        client,
        f"{MED}/daily_consumption_max_power/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03",
        headers=MED_AUTH,
    )
    assert _shape(peak["meter_reading"]) == _shape(
        _fixture("conso_api_consumption_max_power_2023-04-01_2023-04-02.json")
    )
    contracts = await _get(client, f"{MED}/contracts/{ENEDIS_PRM}", headers=MED_AUTH)
    assert _shape(contracts) == _shape(_fixture("med_v1_contracts.json"))
    assert (
        contracts["customer"]["usage_points"][0]["contracts"]["offpeak_hours"]
        == "HC (22H30-6H30)"
    )
    addresses = await _get(client, f"{MED}/addresses/{ENEDIS_PRM}", headers=MED_AUTH)
    fixture = _fixture("med_v1_addresses.json")
    assert [key for key, _ in _shape(addresses)] == list(fixture)
    assert list(
        addresses["customer"]["usage_points"][0]["usage_point"]["usage_point_addresses"]
    ) == list(
        fixture["customer"]["usage_points"][0]["usage_point"]["usage_point_addresses"]
    )
    identity = await _get(client, f"{MED}/identity/{ENEDIS_PRM}", headers=MED_AUTH)
    assert identity["customer"]["identity"]["natural_person"]["lastname"] == "Dupont"
    production = await _get(
        client,
        f"{MED}/daily_production/{ENEDIS_PROSUMER_PRM}/start/2026-11-02/end/2026-11-03/cache",
        headers=MED_AUTH,
    )
    assert production["meter_reading"]["usage_point_id"] == ENEDIS_PROSUMER_PRM


async def test_med_auth_and_errors(client: Client) -> None:
    """No "Bearer": the raw token only; unknown service 404; Enedis errors as `detail`."""
    path = f"{MED}/daily_consumption/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03"
    await _get(
        client,
        path,
        headers={"Authorization": f"Bearer {ENEDIS_MED_TOKEN}"},
        status=401,
    )
    await _get(client, path, headers={}, status=401)
    await _get(
        client,
        f"{MED}/daily_consumption/22516914714270/start/2026-11-02/end/2026-11-03",
        headers=MED_AUTH,
        status=401,
    )
    assert await _get(
        client, f"{MED}/nothing/{ENEDIS_PRM}", headers=MED_AUTH, status=404
    ) == {"detail": "Not Found"}
    body = await _get(
        client,
        f"{MED}/daily_production/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03",
        headers=MED_AUTH,
        status=400,
    )
    assert body["detail"]["error"] == "ADAM-ERR0069"


async def test_med_consent_expiry_and_faults(
    client: Client, simulator: Simulator, enedis: EnedisSimulator
) -> None:
    """An expired consent answers ADAM-DC-0008 as `detail`; HTTP faults use MED's bodies."""
    path = f"{MED}/daily_consumption/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03"
    simulator.fault_next("enedis", "http_500")
    assert await _get(client, path, headers=MED_AUTH, status=500) == {
        "detail": "Internal Server Error"
    }
    enedis.med_accounts[ENEDIS_MED_TOKEN].consent_expires = NOW
    body = await _get(client, path, headers=MED_AUTH, status=403)
    assert body == {
        "detail": _fixture("conso_api_error_403_enedis_adam_dc_0008.json")["error"]
    }
    access = await _get(client, f"{MED}/valid_access/{ENEDIS_PRM}", headers=MED_AUTH)
    assert (access["valid"], access["quota_reached"]) == (False, False)
    assert "information" in access


async def test_med_daily_quota(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """50 data calls a Paris day; the 51st is 409; `/cache` and valid_access do not count."""
    path = f"{MED}/daily_consumption/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03"
    for _ in range(50):
        await _get(client, path, headers=MED_AUTH)
    await _get(client, path + "/cache", headers=MED_AUTH)
    assert await _get(client, path, headers=MED_AUTH, status=409) == _fixture(
        "med_v1_error_quota_daily_50.json"
    )
    access = await _get(client, f"{MED}/valid_access/{ENEDIS_PRM}", headers=MED_AUTH)
    reached = _fixture("med_v1_valid_access_quota_reached.json")
    assert list(access) == list(reached)
    assert (access["valid"], access["quota_reached"], access["call_number"]) == (
        False,
        True,
        50,
    )
    assert access["information"] == reached["information"]
    enedis.med_quota_status = 429
    response = await client.get(path, headers=MED_AUTH)
    assert response.status == 429
    assert (await response.json())["detail"].startswith(
        "Daily API limit exceeded (50/50"
    )
    assert response.headers["X-RateLimit-Remaining"] == "0"
    clock.now = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # midnight in Paris
    await _get(client, path, headers=MED_AUTH)


# ---------------------------------------------------------------------------------------------
# Data Connect


async def test_dc_token(client: Client) -> None:
    """client_credentials as a form or as a query string; the sandbox fixture's keys."""
    response = await client.post(
        f"{DC}/oauth2/v3/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ENEDIS_DC_CLIENT_ID,
            "client_secret": ENEDIS_DC_CLIENT_SECRET,
        },
    )
    body = await response.json()
    assert _shape(body) == _shape(
        _fixture("v3_sandbox_token_client_credentials_wrapped.json")
    )
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 12600)
    response = await client.post(
        f"{DC}/oauth2/v3/token",
        params={
            "grant_type": "client_credentials",
            "client_id": sandbox_client_id(0),
            "client_secret": sandbox_client_secret(0),
        },
    )
    token = (await response.json())["access_token"]
    claims = read_jwt(token, "openpower-simulator-data-connect-hs256")
    assert claims is not None and claims["keytype"] == "SANDBOX"
    assert claims["exp"] - claims["iat"] == 12600
    for data, status, error in (
        (
            {
                "grant_type": "password",
                "client_id": ENEDIS_DC_CLIENT_ID,
                "client_secret": "x",
            },
            400,
            "unsupported_grant_type",
        ),
        (
            {"grant_type": "client_credentials", "client_id": ENEDIS_DC_CLIENT_ID},
            400,
            "invalid_request",
        ),
        (
            {
                "grant_type": "client_credentials",
                "client_id": ENEDIS_DC_CLIENT_ID,
                "client_secret": "x",
            },
            401,
            "invalid_client",
        ),
    ):
        response = await client.post(f"{DC}/oauth2/v3/token", data=data)
        assert response.status == status
        assert (await response.json())["error"] == error


async def test_dc_auth_failures(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """No token, a wrong one, an expired one: WSO2's 900901 fixture."""
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    invalid = _fixture("v5_error_401_invalid_jwt_wso2_fault_wrapped.json")
    path = f"{MEASURES}/consommation_quotidienne"
    assert await _get(client, path, query, {}, 401) == invalid
    assert (
        await _get(
            client, path, query, {"Authorization": f"Bearer {ENEDIS_CONSO_TOKEN}"}, 401
        )
        == invalid
    )
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    await _get(client, path, query, auth)
    clock.advance(12600)
    assert await _get(client, path, query, auth, 401) == invalid
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    enedis.expire_dc_tokens()
    assert await _get(client, path, query, auth, 401) == invalid


async def test_dc_measures(client: Client) -> None:
    """The four measures with their fixtures' shapes; max power needs its two parameters."""
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    for resource, prm, fixture, extra in (
        (
            "consommation_quotidienne",
            ENEDIS_PRM,
            "dc2026_mesure_consommation_quotidienne_med.json",
            {},
        ),
        (
            "courbe_de_charge_consommation",
            ENEDIS_PRM,
            "dc2026_mesure_courbe_de_charge_consommation_med.json",
            {},
        ),
        (
            "production_quotidienne",
            ENEDIS_PROSUMER_PRM,
            "dc2026_mesure_production_quotidienne_med.json",
            {},
        ),
        (
            "puissance_conso_max_quotidienne",
            ENEDIS_PRM,
            "dc2026_mesure_puissance_conso_max_quotidienne_med.json",
            {"mesuresPas": "P1D", "grandeurPhysique": "PMA"},
        ),
    ):
        body = await _get(
            client,
            f"{MEASURES}/{resource}",
            _q(prm, "2026-09-29", "2026-10-01", **extra),
            auth,
        )
        assert _shape(body) == _shape(_fixture(fixture)), resource
    body = await _get(
        client,
        f"{MEASURES}/puissance_conso_max_quotidienne",
        _q(ENEDIS_PRM, "2026-09-29", "2026-10-01"),
        auth,
        400,
    )
    assert body["error"] == "Invalid_request"


async def test_dc_contracts(client: Client) -> None:
    """The 2026 contract APIs: fixtures' shapes, the PRM in the path, subscriptions."""
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    for api, prm, fixture in (
        (
            "situation_contrat_auto/v1",
            ENEDIS_PRM,
            "dc2026_situation_contrat_consommateur_med.json",
        ),
        (
            "situation_contrat_auto/v1",
            ENEDIS_PROSUMER_PRM,
            "dc2026_situation_contrat_auto_autoconsommation_med.json",
        ),
        (
            "synth_contrat_auto/v1",
            ENEDIS_PRM,
            "dc2026_synth_contrat_consommateur_med.json",
        ),
        (
            "synth_contrat_auto/v1",
            ENEDIS_PROSUMER_PRM,
            "dc2026_synth_contrat_auto_autoconsommation_med.json",
        ),
        (
            "donnees_generales_auto/v1",
            ENEDIS_PRM,
            "dc2026_donnees_generales_auto_med.json",
        ),
    ):
        body = await _get(client, f"{DC}/{api}/{prm}", headers=auth)
        assert _shape(body) == _shape(_fixture(fixture)), (api, prm)
    situation = await _get(
        client, f"{DC}/situation_contrat_auto/v1/{ENEDIS_PRM}", headers=auth
    )
    assert situation[0]["subscribed_power"] == {"unit": "kVA", "value": "9"}
    assert situation[0]["person"] == {
        "title": "M.",
        "lastname": "Dupont",
        "firstname": "Jean",
    }
    counting = await _get(client, f"{DC}/comptage_auto/v1/{ENEDIS_PRM}", headers=auth)
    assert counting == {"relais": {"plageHeuresCreuses": "HC (22H30-6H30)"}}
    body = await _get(
        client, f"{DC}/situation_contrat_auto/v1", {"pointId": ENEDIS_PRM}, auth, 500
    )
    assert body["error"] == "technical_error"
    sandbox = await _dc_token(client, sandbox_client_id(0), sandbox_client_secret(0))
    assert await _get(
        client, f"{DC}/comptage_auto/v1/22516914714270", headers=sandbox, status=403
    ) == _fixture("dc2026_error_403_900908_api_not_subscribed_med.json")
    body = await _get(
        client,
        f"{DC}/situation_contrat_auto/v1/{ENEDIS_PRM}",
        headers=sandbox,
        status=403,
    )
    assert body["error"] == "ADAM-DC-0008"
    body = await _get(
        client, f"{DC}/nowhere/v1/{ENEDIS_PRM}", headers=sandbox, status=404
    )
    assert body["description"] == "No matching resource found for given API Request"


async def test_dc_subscribed_services(client: Client) -> None:
    """Client 7's consent covers three PRMs; the items have the mock fixture's keys."""
    auth = await _dc_token(client, sandbox_client_id(7), sandbox_client_secret(7))
    response = await client.post(
        f"{DC}/subscribed_services/v1",
        json={"autorisationId": 107, "comptage": False},
        headers=auth,
    )
    body = await response.json()
    assert _shape(body) == _shape(
        _fixture("dc2026_subscribed_services_response_mock_esthesis.json")
    )
    assert {s["pointId"] for s in body["serviceSouscrit"]} == set(SANDBOX_PRMS[7])
    assert body["nbTotalServices"] == len(body["serviceSouscrit"]) == 3 * 5
    response = await client.post(
        f"{DC}/subscribed_services/v1",
        json={"autorisationId": 107, "comptage": True},
        headers=auth,
    )
    assert await response.json() == {"nbTotalServices": 15}
    response = await client.post(
        f"{DC}/subscribed_services/v1", json={"autorisationId": 101}, headers=auth
    )
    assert response.status == 403
    for prm in SANDBOX_PRMS[7]:
        await _get(
            client,
            f"{MEASURES}/consommation_quotidienne",
            _q(prm, "2026-11-02", "2026-11-03"),
            auth,
        )


@pytest.mark.parametrize(
    ("number", "resource", "status", "code"),
    [
        (8, "consommation_quotidienne", 403, "ADAM-DC-0008"),
        (9, "consommation_quotidienne", 400, "ADAM-DC-0007"),
        (5, "consommation_quotidienne", 400, "ADAM-ERR0069"),
        (2, "courbe_de_charge_consommation", 404, "no_data_found"),
        (1, "consommation_quotidienne", 400, "ADAM-ERR0125"),
    ],
)
async def test_dc_sandbox_errors(
    client: Client, number: int, resource: str, status: int, code: str
) -> None:
    """The sandbox clients' behaviours through Data Connect (direct Enedis bodies)."""
    auth = await _dc_token(
        client, sandbox_client_id(number), sandbox_client_secret(number)
    )
    start, end = (
        ("2023-01-01", "2023-06-01")
        if code == "ADAM-ERR0125"
        else ("2026-11-02", "2026-11-03")
    )
    body = await _get(
        client,
        f"{MEASURES}/{resource}",
        _q(SANDBOX_PRMS[number][0], start, end),
        auth,
        status,
    )
    assert body["error"] == code
    if code == "no_data_found":
        assert body == _fixture("v5_error_404_no_data_found_direct.json")


async def test_dc_commissioning(client: Client, enedis: EnedisSimulator) -> None:
    """A meter commissioned inside the history window answers ADAM-ERR0123 before it."""
    enedis.add_prm(EnedisPrm("30000000000001", commissioned=date(2026, 6, 15)))
    enedis.dc_clients[ENEDIS_DC_CLIENT_ID].authorizations[1003] = ["30000000000001"]
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    body = await _get(
        client,
        f"{MEASURES}/consommation_quotidienne",
        _q("30000000000001", "2026-06-14", "2026-06-20"),
        auth,
        400,
    )
    assert body == _fixture("dc2026_error_400_adam_err0123_mock_esthesis.json")
    body = await _get(
        client,
        f"{MEASURES}/consommation_quotidienne",
        _q("30000000000001", "2026-06-15", "2026-06-20"),
        auth,
    )
    assert len(body["grandeur"][0]["points"]) == 5


async def test_dc_throttling(
    client: Client, enedis: EnedisSimulator, clock: FakeClock
) -> None:
    """5 per second and 1000 per hour per API: WSO2's two 429 bodies; other APIs unaffected."""
    tick = [100.0]
    enedis.monotonic = lambda: tick[0]
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    path = f"{MEASURES}/consommation_quotidienne"
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    for _ in range(5):
        await _get(client, path, query, auth)
    body = await _get(client, path, query, auth, 429)
    assert body == {
        "fault": {
            "code": 900807,
            "message": "Message throttled out",
            "description": "You have exceeded your quota",
        }
    }
    await _get(client, f"{DC}/synth_contrat_auto/v1/{ENEDIS_PRM}", headers=auth)
    tick[0] += 1.0
    await _get(client, path, query, auth)
    enedis.dc_rate_per_hour = 8
    for _ in range(2):
        tick[0] += 1.0
        await _get(client, path, query, auth)
    tick[0] += 1.0
    body = await _get(client, path, query, auth, 429)
    assert _shape(body) == _shape(
        _fixture("conso_api_error_429_enedis_wso2_900804_nextAccessTime.json")["error"]
    )
    assert body["nextAccessTime"] == "2026-Dec-06 11:00:00+0000 UTC"
    clock.advance(3600)
    await _get(client, path, query, auth)


@pytest.mark.parametrize(
    ("fault", "status", "fixture"),
    [
        ("http_401", 401, "v5_error_401_invalid_jwt_wso2_fault_wrapped.json"),
        ("http_403", 403, "dc2026_error_403_900908_api_not_subscribed_med.json"),
        ("not_found", 404, "v5_error_404_no_data_found_direct.json"),
        ("no_data", 404, "v5_error_404_no_data_found_direct.json"),
    ],
)
async def test_dc_faults(
    client: Client, simulator: Simulator, fault: str, status: int, fixture: str
) -> None:
    """Faults wait for a data request (the token request does not take them)."""
    simulator.fault_next("enedis", fault)
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    query = _q(ENEDIS_PRM, "2026-11-02", "2026-11-03")
    path = f"{MEASURES}/consommation_quotidienne"
    assert await _get(client, path, query, auth, status) == _fixture(fixture)
    await _get(client, path, query, auth)


async def test_fault_scopes(client: Client, simulator: Simulator) -> None:
    """`token_refresh` waits for a Conso API request; `daily_quota` for a MED data call."""
    simulator.fault_next("enedis", "daily_quota")
    await _get(client, f"{MED}/valid_access/{ENEDIS_PRM}", headers=MED_AUTH)
    await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(ENEDIS_PRM, "2026-11-02", "2026-11-03"),
        BEARER,
    )
    auth = await _dc_token(client, ENEDIS_DC_CLIENT_ID, ENEDIS_DC_CLIENT_SECRET)
    await _get(client, f"{DC}/synth_contrat_auto/v1/{ENEDIS_PRM}", headers=auth)
    body = await _get(
        client,
        f"{MED}/daily_consumption/{ENEDIS_PRM}/start/2026-11-02/end/2026-11-03",
        headers=MED_AUTH,
        status=409,
    )
    assert body == _fixture("med_v1_error_quota_daily_50.json")
    simulator.fault_next("enedis", "token_refresh")
    await _get(client, f"{DC}/synth_contrat_auto/v1/{ENEDIS_PRM}", headers=auth)
    await _get(client, f"{MED}/contracts/{ENEDIS_PRM}", headers=MED_AUTH)
    body = await _get(
        client,
        f"{CONSO}/consommation_quotidienne",
        _q(ENEDIS_PRM, "2026-11-02", "2026-11-03"),
        BEARER,
        500,
    )
    assert body == _fixture("conso_api_error_500_token_refresh.json")
    simulator.fault_next("enedis", "http_500")
    response = await client.post(
        f"{DC}/oauth2/v3/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ENEDIS_DC_CLIENT_ID,
            "client_secret": ENEDIS_DC_CLIENT_SECRET,
        },
    )
    assert response.status == 200
    body = await _get(
        client, f"{DC}/synth_contrat_auto/v1/{ENEDIS_PRM}", headers=auth, status=500
    )
    assert body == _fixture("conso_api_error_500_enedis_technical_error.json")["error"]
    with pytest.raises(ValueError):
        simulator.fault_next("enedis", "unknown_enum")
