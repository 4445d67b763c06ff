"""The simulator's Amber part speaks Amber: the fixtures' shapes, its rules, limits and faults.

Plain aiohttp, no Home Assistant. What the application does for every part is in
`tests/test_simulator.py`.
"""

from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    EMPTY_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    AmberChannel,
    AmberSite,
    FakeClock,
    Simulator,
)

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "amber"
NEM = timedelta(hours=10)
# Thursday 15 January 2026, 13:02:10 in NEM time (UTC+10), 14:02:10 in Sydney (AEDT).
NOW = datetime(2026, 1, 15, 3, 2, 10, tzinfo=UTC)
TODAY = date(2026, 1, 15)
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
EXTRA_SITE = "01J" + "Z" * 23
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
SITES = "/amber/v1/sites"
PRICES_5 = f"/amber/v1/sites/{DEMO_SITE_5MIN}/prices"
PRICES_30 = f"/amber/v1/sites/{DEMO_SITE_30MIN}/prices"
USAGE_5 = f"/amber/v1/sites/{DEMO_SITE_5MIN}/usage"
USAGE_30 = f"/amber/v1/sites/{DEMO_SITE_30MIN}/usage"

type Client = TestClient[web.Request, web.Application]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture(autouse=True)
def amber_settings() -> None:
    """Replace the provider's autouse fixture: no Home Assistant to give settings to."""


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """Return a simulator on the fake clock."""
    return Simulator(clock=clock)


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """Serve the simulator's app on 127.0.0.1 and return a client for it."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


async def _json(client: Client, path: str, **params: object) -> Any:
    response = await client.get(
        path, headers=AUTH, params={k: str(v) for k, v in params.items()}
    )
    assert response.status == 200, await response.text()
    return await response.json()


def _assert_shape(
    item: dict[str, Any], model: dict[str, Any], optional: set[str]
) -> None:
    """Check: same keys as the real payload (plus documented optional ones), same value types."""
    assert set(model) - optional <= set(item), set(model) - set(item)
    assert set(item) - set(model) <= optional, set(item) - set(model)
    for key, value in model.items():
        if key in item and value is not None:
            assert type(item[key]) is type(value), (key, item[key], value)


def _assert_times(item: dict[str, Any]) -> None:
    assert item["startTime"].endswith(":01Z")
    assert item["endTime"].endswith(":00Z")
    start = datetime.fromisoformat(item["startTime"]) - timedelta(seconds=1)
    end = datetime.fromisoformat(item["endTime"])
    assert end - start == timedelta(minutes=item["duration"])
    nem_end = datetime.fromisoformat(item["nemTime"])
    assert item["nemTime"].endswith("+10:00")
    assert nem_end == end
    assert item["date"] == (start + NEM).date().isoformat()


# --------------------------------------------------------------------------------------------
# Sites and auth


async def test_sites(client: Client, simulator: Simulator) -> None:
    """The demo accounts list their sites with the real field names."""
    sites = await _json(client, SITES)
    assert [s["id"] for s in sites] == [
        DEMO_SITE_CLOSED,
        DEMO_SITE_30MIN,
        DEMO_SITE_5MIN,
    ]
    by_id = {s["id"]: s for s in sites}
    closed, half_hour, five = (
        by_id[DEMO_SITE_CLOSED],
        by_id[DEMO_SITE_30MIN],
        by_id[DEMO_SITE_5MIN],
    )
    assert list(five) == [
        "id",
        "nmi",
        "channels",
        "network",
        "status",
        "activeFrom",
        "intervalLength",
    ]
    assert five["channels"] == [
        {"identifier": "E1", "type": "general", "tariff": "EA116"},
        {"identifier": "E2", "type": "controlledLoad", "tariff": "EA030"},
        {"identifier": "B1", "type": "feedIn", "tariff": "EA116"},
    ]
    assert (five["nmi"], five["network"], five["status"], five["intervalLength"]) == (
        "4102345678",
        "Ausgrid",
        "active",
        5,
    )
    assert (half_hour["nmi"], half_hour["network"], half_hour["intervalLength"]) == (
        "6305432109",
        "Jemena",
        30,
    )
    assert [c["type"] for c in half_hour["channels"]] == ["general"]
    assert closed["status"] == "closed"
    assert closed["nmi"] == five["nmi"]
    assert date.fromisoformat(closed["closedOn"]) < TODAY
    assert all(ULID.fullmatch(s["id"]) for s in sites)
    assert all(len(t) == 36 and t.startswith("psk_") for t in (DEMO_TOKEN, MULTI_TOKEN))

    multi = await client.get(SITES, headers={"Authorization": f"Bearer {MULTI_TOKEN}"})
    multi_sites = await multi.json()
    assert [s["id"] for s in multi_sites] == list(MULTI_SITES)
    assert all(
        s["status"] == "active" and s["intervalLength"] == 5 for s in multi_sites
    )
    assert all(
        [c["type"] for c in s["channels"]] == ["general", "feedIn"] for s in multi_sites
    )
    empty = await client.get(SITES, headers={"Authorization": f"Bearer {EMPTY_TOKEN}"})
    assert await empty.json() == []
    assert [r.account for r in simulator.requests] == ["demo", "multi", "empty"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Token {DEMO_TOKEN}"},
        {"Authorization": "Bearer psk_unknown000000000000000000000000"},
    ],
)
async def test_unauthorized(client: Client, headers: dict[str, str]) -> None:
    """A missing or unknown key gets API Gateway's 401."""
    response = await client.get(SITES, headers=headers)
    assert response.status == 401
    assert await response.read() == b'{"message":"Unauthorized"}'
    assert response.headers["Content-Type"] == "application/json"
    assert "RateLimit-Remaining" not in response.headers


async def test_state_changes(client: Client, simulator: Simulator) -> None:
    """Revoked tokens, other accounts' sites, closed and removed sites."""
    other = await client.get(
        f"/amber/v1/sites/{DEMO_SITE_5MIN}/prices/current",
        headers={"Authorization": f"Bearer {MULTI_TOKEN}"},
    )
    assert other.status == 404
    assert await other.json() == {"message": "Site not found"}

    closed = await client.get(
        f"/amber/v1/sites/{DEMO_SITE_CLOSED}/prices/current", headers=AUTH
    )
    assert closed.status == 404

    simulator.amber.close_site(DEMO_SITE_30MIN)
    site = next(s for s in await _json(client, SITES) if s["id"] == DEMO_SITE_30MIN)
    assert (site["status"], site["closedOn"]) == ("closed", TODAY.isoformat())
    assert (await client.get(f"{PRICES_30}/current", headers=AUTH)).status == 404
    usage = await _json(client, USAGE_30, startDate="2026-01-14", endDate="2026-01-14")
    assert len(usage) == 48

    simulator.amber.remove_site(DEMO_SITE_30MIN)
    assert DEMO_SITE_30MIN not in [s["id"] for s in await _json(client, SITES)]
    gone = await client.get(USAGE_30, headers=AUTH, params={"startDate": "2026-01-14"})
    assert gone.status == 404

    simulator.amber.add_account(
        "extra",
        ["psk_extra000000000000000000000000000"],
        [
            AmberSite(
                id=EXTRA_SITE,
                nmi="3000000001",
                channels=[AmberChannel("E1", "general", "A100")],
                network="Citipower",
                interval_length=30,
                time_zone="Australia/Melbourne",
                tariff_information="none",
            )
        ],
    )
    extra = await client.get(
        f"/amber/v1/sites/{EXTRA_SITE}/prices/current",
        headers={"Authorization": "Bearer psk_extra000000000000000000000000000"},
    )
    assert "tariffInformation" not in (await extra.json())[0]

    simulator.amber.revoke_token(DEMO_TOKEN)
    revoked = await client.get(SITES, headers=AUTH)
    assert revoked.status == 401


# --------------------------------------------------------------------------------------------
# Prices


async def test_prices_current_shapes(client: Client) -> None:
    """Items have the fixtures' keys and types, ordered by time then channel."""
    items = await _json(client, f"{PRICES_5}/current", next=3, previous=2)
    assert len(items) == 6 * 3
    assert [i["type"] for i in items[::3]] == ["ActualInterval"] * 2 + [
        "CurrentInterval"
    ] + ["ForecastInterval"] * 3
    assert [i["channelType"] for i in items[:3]] == [
        "general",
        "controlledLoad",
        "feedIn",
    ]
    starts = [i["startTime"] for i in items[::3]]
    assert starts == sorted(starts)
    assert items[6]["startTime"] == "2026-01-15T03:00:01Z"

    current_model, forecast_model = _fixture(
        "issue247_prices_current_next3_previous2_TRUNCATED.json"
    )
    actual_model = {k: v for k, v in current_model.items() if k != "estimate"}
    actual_model["type"] = "ActualInterval"
    models = {
        "ActualInterval": (actual_model, set()),
        "CurrentInterval": (current_model, {"range", "advancedPrice"}),
        "ForecastInterval": (forecast_model, {"range"}),
    }
    for item in items:
        model, optional = models[item["type"]]
        _assert_shape(item, model, optional)
        _assert_times(item)
        assert item["duration"] == 5
        assert set(item["tariffInformation"]) == {"period", "season", "demandWindow"}
    current = items[6]
    _assert_shape(
        current,
        _fixture("issue222_current_interval_5min.json"),
        {"range", "advancedPrice"},
    )
    assert set(current["range"]) == {"min", "max"}
    assert set(current["advancedPrice"]) == {"low", "predicted", "high"}
    assert current["advancedPrice"]["low"] <= current["advancedPrice"]["predicted"]
    assert current["advancedPrice"]["predicted"] <= current["advancedPrice"]["high"]


async def test_prices_current_30_minute_site(client: Client) -> None:
    """A 30-minute site defaults to 30-minute intervals; limits are enforced."""
    items = await _json(client, f"{PRICES_30}/current")
    assert len(items) == 1
    _assert_shape(
        items[0],
        _fixture("issue168_prices_current_general_only_30min.json")[0],
        {"tariffInformation", "range", "advancedPrice"},
    )
    assert items[0]["tariffInformation"] == {"demandWindow": False}
    assert items[0]["startTime"] == "2026-01-15T03:00:01Z"
    assert items[0]["nemTime"] == "2026-01-15T13:30:00+10:00"

    five = await _json(client, f"{PRICES_30}/current", resolution=5, next=1)
    assert [i["duration"] for i in five] == [5, 5]

    longest = await _json(client, f"{PRICES_30}/current", next=2048)
    assert len(longest) == 2049
    assert longest[1]["advancedPrice"] is not None
    assert longest[-1]["advancedPrice"] is None
    assert longest[-1]["range"] is None

    for params, status in (
        ({"next": 2000, "previous": 49}, 422),
        ({"resolution": 15}, 400),
        ({"next": "-1"}, 400),
        ({"previous": "x"}, 400),
    ):
        response = await client.get(f"{PRICES_30}/current", headers=AUTH, params=params)
        assert response.status == status, params
        assert "message" in await response.json()


async def test_estimate_then_confirmed(socket_enabled: None) -> None:
    """The current price is an estimate until start + delay, then confirmed (and different)."""
    clock = FakeClock(datetime(2026, 1, 15, 2, 55, 30, tzinfo=UTC))
    simulator = Simulator(clock=clock)
    simulator.amber.confirmation_delay = 25
    async with TestClient(TestServer(simulator.app)) as client:
        forecast = (await _json(client, f"{PRICES_5}/current", next=1))[3]
        assert forecast["type"] == "ForecastInterval"
        clock.now = datetime(2026, 1, 15, 3, 0, 10, tzinfo=UTC)
        estimated = (await _json(client, f"{PRICES_5}/current"))[0]
        assert estimated["estimate"] is True
        assert estimated["perKwh"] == forecast["perKwh"]
        clock.advance(14)  # 24 s after the start
        assert (await _json(client, f"{PRICES_5}/current"))[0]["estimate"] is True
        clock.advance(1)
        confirmed = (await _json(client, f"{PRICES_5}/current"))[0]
        assert confirmed["estimate"] is False
        assert confirmed["perKwh"] != estimated["perKwh"]
        assert confirmed["spotPerKwh"] != estimated["spotPerKwh"]
        clock.advance(300)
        actual = (await _json(client, f"{PRICES_5}/current", previous=1))[0]
        assert actual["type"] == "ActualInterval"
        assert actual["startTime"] == confirmed["startTime"]
        assert actual["perKwh"] == confirmed["perKwh"]

    price = simulator.amber.price(
        DEMO_SITE_5MIN, "general", datetime(2026, 1, 15, 3, tzinfo=UTC)
    )
    assert price.per_kwh == confirmed["perKwh"]


async def test_prices_by_date(client: Client) -> None:
    """`/prices` covers whole NEM dates: actual, current, forecast."""
    items = await _json(client, PRICES_30)
    assert len(items) == 48
    assert items[0]["startTime"] == "2026-01-14T14:00:01Z"
    assert items[-1]["nemTime"] == "2026-01-16T00:00:00+10:00"
    assert items[-1]["date"] == "2026-01-15"
    kinds = [i["type"] for i in items]
    assert (
        kinds
        == ["ActualInterval"] * 26 + ["CurrentInterval"] + ["ForecastInterval"] * 21
    )

    week = await _json(
        client, PRICES_5, startDate="2026-01-09", endDate="2026-01-15", resolution=30
    )
    assert len(week) == 7 * 48 * 3
    for params, status in (
        ({"startDate": "2026-01-08", "endDate": "2026-01-15"}, 422),
        ({"startDate": "2026-01-15", "endDate": "2026-01-14"}, 400),
        ({"startDate": "15/01/2026"}, 400),
    ):
        response = await client.get(PRICES_5, headers=AUTH, params=params)
        assert response.status == status, params


def test_price_model(simulator: Simulator) -> None:
    """Daily shape, negative middays, spikes, channel relations, tariff periods."""
    amber = simulator.amber
    start = datetime(2026, 1, 4, 14, tzinfo=UTC)  # midnight NEM, Monday 5 January
    general, controlled, feed_in = [], [], []
    for index in range(7 * 288):
        moment = start + timedelta(minutes=5 * index)
        general.append(amber.price(DEMO_SITE_5MIN, "general", moment))
        controlled.append(amber.price(DEMO_SITE_5MIN, "controlledLoad", moment).per_kwh)
        feed_in.append(amber.price(DEMO_SITE_5MIN, "feedIn", moment))
    assert any(p.per_kwh < 0 for p in general)
    spikes = [p for p in general if p.spike_status == "spike"]
    assert 0 < len(spikes) < 7 * 288 / 10
    assert all(p.descriptor == "spike" for p in spikes)
    assert any(p.spike_status == "potential" for p in general)
    assert sum(controlled) < sum(p.per_kwh for p in general)
    assert sum(p.per_kwh < 0 for p in feed_in) > 0.7 * len(feed_in)
    for buy, sell in zip(general, feed_in, strict=True):
        assert buy.spot_per_kwh == sell.spot_per_kwh
        assert sell.per_kwh == pytest.approx(-buy.spot_per_kwh + 0.8, abs=1e-4)
    descriptors = {p.descriptor for p in general}
    assert {"extremelyLow", "veryLow", "low", "neutral", "spike"} <= descriptors
    # Monday 16:00 in Sydney (AEDT, UTC+11) is peak and in the demand window; Saturday is not.
    monday = amber.price(DEMO_SITE_5MIN, "general", datetime(2026, 1, 5, 5, tzinfo=UTC))
    saturday = amber.price(
        DEMO_SITE_5MIN, "general", datetime(2026, 1, 10, 5, tzinfo=UTC)
    )
    assert monday.tariff_information == {
        "period": "peak",
        "season": "summer",
        "demandWindow": True,
    }
    assert saturday.tariff_information == {
        "period": "shoulder",
        "season": "summer",
        "demandWindow": False,
    }


# --------------------------------------------------------------------------------------------
# Usage


async def test_usage_rules(client: Client, clock: FakeClock) -> None:
    """Shape, today empty, estimated then billable, feed-in sign, cost in cents."""
    items = await _json(client, USAGE_30, startDate="2026-01-12", endDate="2026-01-15")
    assert len(items) == 3 * 48
    quality = {i["date"]: i["quality"] for i in items}
    assert quality == {
        "2026-01-12": "billable",
        "2026-01-13": "estimated",
        "2026-01-14": "estimated",
    }
    model = _fixture("issue256_usage_5min_TRUNCATED.json")[0]
    for item in items:
        _assert_shape(item, model, set())
        _assert_times(item)
        assert item["duration"] == 30
    assert (
        await _json(client, USAGE_5, startDate="2026-01-15", endDate="2026-01-15") == []
    )

    day = await _json(client, USAGE_5, startDate="2026-01-14", endDate="2026-01-14")
    assert len(day) == 288 * 3
    assert [i["channelIdentifier"] for i in day[:3]] == ["E1", "E2", "B1"]
    for item in day:
        _assert_shape(item, model, set())
        if item["channelType"] == "feedIn":
            assert item["kwh"] <= 0
            assert item["cost"] == round(-item["kwh"] * item["perKwh"], 4)
            if item["kwh"] < 0 and item["perKwh"] < 0:
                assert item["cost"] < 0
        else:
            assert item["kwh"] >= 0
            assert item["cost"] == round(item["kwh"] * item["perKwh"], 4)
    assert any(i["channelType"] == "feedIn" and i["kwh"] < 0 for i in day)
    assert any(i["channelType"] == "controlledLoad" and i["kwh"] > 0 for i in day)

    clock.advance(3 * 86400)  # 14 January becomes billable
    settled = await _json(client, USAGE_5, startDate="2026-01-14", endDate="2026-01-14")
    assert {i["quality"] for i in settled} == {"billable"}
    assert [i["perKwh"] for i in settled] == [i["perKwh"] for i in day]
    changed = [
        (a["kwh"], b["kwh"]) for a, b in zip(day, settled, strict=True) if a["kwh"]
    ]
    assert changed
    assert all(e != b for e, b in changed)
    assert all(
        b / e == pytest.approx(1.02, rel=0.02) for e, b in changed if abs(e) > 0.01
    )


async def test_usage_limits(client: Client) -> None:
    """90 days of history, dates required, at most 7 dates."""
    old = await _json(client, USAGE_30, startDate="2025-10-12", endDate="2025-10-18")
    assert sorted({i["date"] for i in old}) == ["2025-10-17", "2025-10-18"]
    for params, status in (
        ({"startDate": "2026-01-10"}, 400),
        ({"endDate": "2026-01-10"}, 400),
        ({"startDate": "2026-01-11", "endDate": "2026-01-10"}, 400),
        ({"startDate": "2026-01-07", "endDate": "2026-01-14"}, 422),
    ):
        response = await client.get(USAGE_30, headers=AUTH, params=params)
        assert response.status == status, params
    week = await _json(client, USAGE_30, startDate="2026-01-08", endDate="2026-01-14")
    assert len(week) == 7 * 48


# --------------------------------------------------------------------------------------------
# Renewables


async def test_renewables(client: Client) -> None:
    """No auth, Actual/Current/Forecast renewables for a state; unknown state 404."""
    response = await client.get(
        "/amber/v1/state/vic/renewables/current?next=2&previous=1"
    )
    assert response.status == 200
    items = await response.json()
    assert [i["type"] for i in items] == [
        "ActualRenewable",
        "CurrentRenewable",
        "ForecastRenewable",
        "ForecastRenewable",
    ]
    for item in items:
        assert list(item) == [
            "type",
            "duration",
            "date",
            "nemTime",
            "startTime",
            "endTime",
            "renewables",
            "descriptor",
        ]
        _assert_times(item)
        assert item["descriptor"] in {"best", "great", "ok", "notGreat", "worst"}
    assert (await client.get("/amber/v1/state/wa/renewables/current")).status == 404


# --------------------------------------------------------------------------------------------
# Faults


@pytest.mark.parametrize(
    ("fault", "status", "body", "headers"),
    [
        ("http_401", 401, b'{"message":"Unauthorized"}', {}),
        ("http_403", 403, b'{"message":"Forbidden"}', {}),
        (
            "http_429",
            429,
            b'{"message":"Too Many Requests"}',
            {"x-amzn-ErrorType": "TooManyRequestsException"},
        ),
        (
            "http_500",
            500,
            (FIXTURES / "issue131_error_500_body.json").read_bytes().strip(),
            {},
        ),
        (
            "http_502",
            502,
            (FIXTURES / "issue131_error_500_body.json").read_bytes().strip(),
            {},
        ),
        ("not_found", 404, b'{"message":"Site not found"}', {}),
    ],
)
async def test_http_faults(
    client: Client,
    simulator: Simulator,
    *,
    fault: str,
    status: int,
    body: bytes,
    headers: dict[str, str],
) -> None:
    """HTTP faults answer like Amber for the next N requests, then normal service resumes."""
    simulator.fault_next("amber", fault, count=2)
    for _ in range(2):
        response = await client.get(f"{PRICES_5}/current", headers=AUTH)
        assert response.status == status
        assert await response.read() == body
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers.items() >= headers.items()
        assert "RateLimit-Remaining" not in response.headers
        assert "Retry-After" not in response.headers
    assert (await client.get(f"{PRICES_5}/current", headers=AUTH)).status == 200
    assert [r.fault for r in simulator.requests] == [fault, fault, None]
    assert simulator.count_requests("amber", status=status, injected=True) == 2


async def test_data_faults(client: Client, simulator: Simulator) -> None:
    """malformed, unknown_enum and missing_field damage a 200 answer."""
    simulator.fault_next("amber", "malformed")
    response = await client.get(
        f"{PRICES_5}/current", headers=AUTH, params={"next": "2"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        json.loads(await response.read())

    simulator.fault_next("amber", "unknown_enum")
    items = await _json(client, f"{PRICES_5}/current")
    assert {i["descriptor"] for i in items} == {"superLow"}
    assert {i["spikeStatus"] for i in items} == {"mega"}
    assert [i["channelType"] for i in items] == [
        "general",
        "controlledLoad",
        "feedIn",
        "battery",
    ]
    simulator.fault_next("amber", "unknown_enum")
    usage = await _json(client, USAGE_30, startDate="2026-01-14", endDate="2026-01-14")
    assert usage[-1]["channelType"] == "battery"
    assert usage[-1]["channelIdentifier"] == "X1"
    simulator.fault_next("amber", "unknown_enum")
    sites = await _json(client, SITES)
    assert all(s["channels"][-1]["type"] == "battery" for s in sites)

    simulator.fault_next("amber", "missing_field")
    items = await _json(client, f"{PRICES_5}/current", next=1)
    assert len(items) == 6
    assert not any("perKwh" in i for i in items)
    assert all("spotPerKwh" in i for i in items)
    simulator.fault_next("amber", "missing_field", count=2)
    assert not any(
        "perKwh" in i
        for i in await _json(
            client, USAGE_30, startDate="2026-01-14", endDate="2026-01-14"
        )
    )
    assert not any("channels" in s for s in await _json(client, SITES))


# --------------------------------------------------------------------------------------------
# Rate limit


async def test_rate_limit(
    client: Client, simulator: Simulator, clock: FakeClock
) -> None:
    """50 requests per 300 s per account, RateLimit-* headers, the real 429 on the 51st."""
    simulator.amber.add_token("demo", "psk_second00000000000000000000000000")
    second = {"Authorization": "Bearer psk_second00000000000000000000000000"}
    first = await client.get(SITES, headers=AUTH)
    assert first.headers["RateLimit-Limit"] == "50"
    assert first.headers["RateLimit-Remaining"] == "49"
    assert first.headers["RateLimit-Reset"] == "300"
    assert first.headers["RateLimit-Policy"] == "50;w=300"
    clock.advance(100)
    for index in range(49):
        response = await client.get(SITES, headers=second if index % 2 else AUTH)
        assert response.status == 200
        assert response.headers["RateLimit-Remaining"] == str(48 - index)
        assert response.headers["RateLimit-Reset"] == "200"

    limited = await client.get(SITES, headers=second)
    assert limited.status == 429
    assert await limited.read() == b'{"message":"Too Many Requests"}'
    assert limited.headers["Content-Length"] == "31"
    assert limited.headers["Content-Type"] == "application/json"
    assert limited.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert not [
        h for h in limited.headers if h.lower().startswith(("ratelimit", "retry"))
    ]
    other = await client.get(SITES, headers={"Authorization": f"Bearer {MULTI_TOKEN}"})
    assert other.status == 200

    clock.advance(200)  # the first request leaves the window
    freed = await client.get(SITES, headers=AUTH)
    assert freed.status == 200
    assert freed.headers["RateLimit-Remaining"] == "0"
    assert (await client.get(SITES, headers=AUTH)).status == 429
    assert simulator.count_requests("amber", status=429, injected=False) == 2
    assert simulator.count_requests(status=200) == 52


# --------------------------------------------------------------------------------------------
# Determinism


async def test_deterministic(socket_enabled: None) -> None:
    """Same clock, same bytes; another site, other values."""
    bodies: list[list[bytes]] = []
    for _ in range(2):
        simulator = Simulator(clock=FakeClock(NOW))
        async with TestClient(TestServer(simulator.app)) as client:
            paths = [
                (f"{PRICES_5}/current", {"next": "288", "previous": "12"}),
                (USAGE_5, {"startDate": "2026-01-08", "endDate": "2026-01-14"}),
                (f"{PRICES_30}/current", {"next": "48"}),
            ]
            bodies.append(
                [
                    await (await client.get(path, headers=AUTH, params=params)).read()
                    for path, params in paths
                ]
            )
    assert bodies[0] == bodies[1]
    assert len(json.loads(bodies[0][1])) == 7 * 288 * 3
    five = json.loads(bodies[0][0])
    half = json.loads(bodies[0][2])
    assert five[36]["perKwh"] != half[0]["perKwh"]
