"""Cost beside Emporia's energy: an Amber site's prices interval by interval, tariffs, corrections.

Expected costs are computed from the simulators' own models: Emporia's energy over each interval
(`EmporiaSimulator.energy`) times Amber's price of that interval (`AmberSimulator.price`, c/kWh,
so AUD/kWh is that / 100), never from what the integration stored.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.statistics import (
    async_list_statistic_ids,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.runtime import (
    SETTINGS as AMBER_SETTINGS,
    AmberSettings,
)
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.providers.amber.conftest import amber_entry_data
from tests.simulator import (
    DEMO_SITE_5MIN,
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_VUE2_GID,
    Simulator,
)

from .conftest import emporia_entry_data

HOUR = timedelta(hours=1)
FIVE = timedelta(minutes=5)
QUARTER = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)
VUE2 = f"openpower:emporia_{EMPORIA_VUE2_GID}"
KITCHEN = "1"
MAINS = "1,2,3"
KITCHEN_ID = f"{VUE2}_circuit_1_energy_consumption"
KITCHEN_COST = f"{KITCHEN_ID}_cost"
MAINS_ID = f"{VUE2}_mains_energy_consumption"
MAINS_COST = f"{MAINS_ID}_cost"
RETURN_ID = f"{VUE2}_mains_energy_return"
RETURN_COMPENSATION = f"{RETURN_ID}_compensation"
SOLAR_ID = f"{VUE2}_circuit_6_energy_production"


# --------------------------------------------------------------------------------------------
# Set-up


@pytest.fixture
def amber_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo 5-minute Amber site, added to Home Assistant (not set up), short timeouts."""
    hass.data[AMBER_SETTINGS] = AmberSettings(
        request_timeout=0.5, retry_backoff=0, history_days=1, forecast_hours=1
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


def _priced_emporia(
    hass: HomeAssistant, simulator: Simulator, cost: dict[str, Any] | None
) -> MockConfigEntry:
    """The demo Emporia account with the price source `cost` (None: no price)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMPORIA_EMAIL,
        unique_id=f"emporia_{EMPORIA_CUSTOMER_GID}",
        data=emporia_entry_data(simulator),
        options={"cost": cost} if cost else {},
    )
    entry.add_to_hass(hass)
    return entry


def _amber_source(amber: MockConfigEntry) -> dict[str, Any]:
    return {"source": "entry", "price_entry_id": amber.entry_id}


# --------------------------------------------------------------------------------------------
# What is stored


async def _ids(hass: HomeAssistant) -> set[str]:
    await async_wait_recording_done(hass)
    return {
        meta["statistic_id"]
        for meta in await async_list_statistic_ids(hass, statistic_type="sum")
        if meta["statistic_id"].startswith("openpower:emporia_")
    }


async def _hours(hass: HomeAssistant, statistic_id: str) -> dict[datetime, float]:
    """A statistic's stored hours (start → state), after checking its running sum."""
    await async_wait_recording_done(hass)
    rows = (
        await get_instance(hass).async_add_executor_job(
            statistics_during_period,
            hass,
            datetime(2026, 1, 1, tzinfo=UTC),
            None,
            {statistic_id},
            "hour",
            None,
            {"state", "sum"},
        )
    ).get(statistic_id, [])
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["sum"] == pytest.approx(before["sum"] + after["state"], abs=1e-9)
    return {datetime.fromtimestamp(row["start"], UTC): row["state"] for row in rows}


async def _rows(hass: HomeAssistant, statistic_id: str) -> list[dict[str, Any]]:
    await async_wait_recording_done(hass)
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return list(found.get(statistic_id, []))


# --------------------------------------------------------------------------------------------
# What it should cost, from the simulators' models


def _steps(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    moment = start
    while moment < end:
        yield moment
        moment += step


def _price(
    simulator: Simulator, channel: str, start: datetime, *, estimated: bool = False
) -> float:
    """What the user pays (import) or is paid (feed-in) per kWh in AUD, one 5-minute interval."""
    cents = simulator.amber.price(
        DEMO_SITE_5MIN, channel, start, estimated=estimated
    ).per_kwh
    return (-cents if channel == "feedIn" else cents) / 100


def _energy(
    simulator: Simulator, channel: str, start: datetime, end: datetime
) -> float:
    return float(simulator.emporia.energy(EMPORIA_VUE2_GID, channel, start, end))


def _by_interval(
    simulator: Simulator,
    hour: datetime,
    energy: Callable[[datetime, datetime], float],
    price: Callable[[datetime], float],
) -> float:
    """Σ energy × price over the hour's 5-minute intervals (an hour priced by its minutes)."""
    return sum(energy(s, s + FIVE) * price(s) for s in _steps(hour, hour + HOUR, FIVE))


def _by_quarter(
    simulator: Simulator,
    hour: datetime,
    energy: Callable[[datetime, datetime], float],
    price: Callable[[datetime], float],
) -> float:
    """Σ energy × mean price over the hour's quarter hours (a backfilled hour)."""
    return sum(
        energy(q, q + QUARTER) * sum(price(s) for s in _steps(q, q + QUARTER, FIVE)) / 3
        for q in _steps(hour, hour + HOUR, QUARTER)
    )


def _by_hour(
    simulator: Simulator,
    hour: datetime,
    energy: Callable[[datetime, datetime], float],
    price: Callable[[datetime], float],
) -> float:
    """The hour's energy × its mean price (an hour with no finer readings)."""
    return (
        energy(hour, hour + HOUR)
        * sum(price(s) for s in _steps(hour, hour + HOUR, FIVE))
        / 12
    )


def _kitchen(simulator: Simulator) -> Callable[[datetime, datetime], float]:
    return lambda start, end: _energy(simulator, KITCHEN, start, end)


def _returned(simulator: Simulator) -> Callable[[datetime, datetime], float]:
    return lambda start, end: max(-_energy(simulator, MAINS, start, end), 0.0)


def _general(
    simulator: Simulator, *, estimated: bool = False
) -> Callable[[datetime], float]:
    return lambda start: _price(simulator, "general", start, estimated=estimated)


async def _walk_minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, start: datetime, end: datetime
) -> None:
    """Move the clock a minute at a time (power counts every minute), firing what is due."""
    for moment in _steps(start, end + timedelta(seconds=1), MINUTE):
        await async_move_to(hass, freezer, moment)


# --------------------------------------------------------------------------------------------
# An Amber site's prices


@pytest.mark.freeze_time("2026-11-23T19:59:30+00:00")
async def test_circuit_priced_by_amber_interval_by_interval(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    amber_entry: MockConfigEntry,
) -> None:
    """Σ(energy × price) per 5-minute interval for an hour of minutes; per quarter for backfill.

    The kitchen circuit gets its own cost; the mains' returned energy its compensation at the
    feed-in price. The energy stored stays Emporia's hourly value.
    """
    assert await async_setup_entry(hass, amber_entry)
    entry = _priced_emporia(hass, simulator, _amber_source(amber_entry))
    assert await async_setup_entry(hass, entry)
    charts = [
        r for r in simulator.requests if r.query.get("apiMethod") == "getChartUsage"
    ]
    hourly = [r for r in charts if r.query["scale"] == "1H"]
    quarterly = [r for r in charts if r.query["scale"] == "15MIN"]
    # One more request per channel backfilled, over the same range.
    assert len(hourly) == 24
    assert sorted(
        (r.query["deviceGid"], r.query["channel"], r.query["start"], r.query["end"])
        for r in quarterly
    ) == sorted(
        (r.query["deviceGid"], r.query["channel"], r.query["start"], r.query["end"])
        for r in hourly
    )
    # Minutes are counted from 20:00 on: the hour 20:00 is priced minute by minute at 21:03.
    now = datetime(2026, 11, 23, 19, 59, 30, tzinfo=UTC)
    await _walk_minutes(hass, freezer, now + MINUTE, now + 61 * MINUTE)
    await async_move_to(hass, freezer, datetime(2026, 11, 23, 21, 3, 30, tzinfo=UTC))

    hour = datetime(2026, 11, 23, 20, tzinfo=UTC)
    energy = await _hours(hass, KITCHEN_ID)
    cost = await _hours(hass, KITCHEN_COST)
    assert energy[hour] == pytest.approx(
        _energy(simulator, KITCHEN, hour, hour + HOUR), rel=1e-9
    )
    assert cost[hour] == pytest.approx(
        _by_interval(simulator, hour, _kitchen(simulator), _general(simulator)),
        rel=1e-9,
    )
    # Backfilled hours: priced by Emporia's quarter hours; the two each hourly run read again
    # (18:00 and 19:00), whose minutes were not all counted, by the hour.
    backfilled = [h for h in cost if h < datetime(2026, 11, 23, 18, tzinfo=UTC)]
    assert len(backfilled) == 47
    for start in backfilled:
        assert cost[start] == pytest.approx(
            _by_quarter(simulator, start, _kitchen(simulator), _general(simulator)),
            rel=1e-9,
        ), start
    for start in (hour - 2 * HOUR, hour - HOUR):
        assert cost[start] == pytest.approx(
            _by_hour(simulator, start, _kitchen(simulator), _general(simulator)),
            rel=1e-9,
        ), start
    # Exported all through the hour (solar noon in Los Angeles): paid at the feed-in price.
    assert all(
        _energy(simulator, MAINS, m, m + MINUTE) < 0
        for m in _steps(hour, hour + HOUR, MINUTE)
    )
    compensation = await _hours(hass, RETURN_COMPENSATION)
    assert compensation[hour] == pytest.approx(
        _by_interval(
            simulator,
            hour,
            _returned(simulator),
            lambda start: _price(simulator, "feedIn", start),
        ),
        rel=1e-9,
    )
    # Nothing bought while exporting: a cost of 0, not a missing row.
    assert (await _hours(hass, MAINS_COST))[hour] == 0.0
    ids = await _ids(hass)
    assert SOLAR_ID in ids
    assert f"{SOLAR_ID}_cost" not in ids
    assert f"{SOLAR_ID}_compensation" not in ids


@pytest.mark.freeze_time("2026-11-23T19:59:30+00:00")
async def test_settled_prices_rewrite_the_estimated_hours_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    amber_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hours priced with Amber's estimates get the confirmed prices; no other row changes.

    Amber confirms nothing while the test runs, and its `/prices` fails when the hours 19:00
    and 20:00 are imported: the price book knows only the estimates the price coordinator saw
    (and, for 19:00, the confirmed prices read at setup up to the interval then current).
    """
    simulator.amber.confirmation_delay = 6 * 3600
    assert await async_setup_entry(hass, amber_entry)
    entry = _priced_emporia(hass, simulator, _amber_source(amber_entry))
    assert await async_setup_entry(hass, entry)
    now = datetime(2026, 11, 23, 19, 59, 30, tzinfo=UTC)
    await _walk_minutes(hass, freezer, now + MINUTE, now + 61 * MINUTE)
    before = {
        statistic_id: await _rows(hass, statistic_id)
        for statistic_id in (KITCHEN_ID, KITCHEN_COST, RETURN_COMPENSATION)
    }
    monkeypatch.setattr(
        simulator.amber,
        "takes_fault",
        lambda request, fault: request.path.endswith("/prices"),
    )
    simulator.fault_always("amber", "http_500")
    await async_move_to(hass, freezer, datetime(2026, 11, 23, 21, 3, 30, tzinfo=UTC))
    assert any(
        r.path.endswith("/prices") and r.status == 500 for r in simulator.requests
    )

    seven, eight = (datetime(2026, 11, 23, h, tzinfo=UTC) for h in (19, 20))
    estimate = _general(simulator, estimated=True)
    confirmed = _general(simulator)
    # 19:55 was the current interval at setup: only its estimate is known.
    at_setup = now.replace(minute=55, second=0)

    def setup_view(start: datetime) -> float:
        return estimate(start) if start >= at_setup else confirmed(start)

    kitchen = _kitchen(simulator)
    cost = await _hours(hass, KITCHEN_COST)
    assert cost[seven] == pytest.approx(
        _by_hour(simulator, seven, kitchen, setup_view), rel=1e-9
    )
    assert cost[eight] == pytest.approx(
        _by_interval(simulator, eight, kitchen, estimate), rel=1e-9
    )
    assert estimate(eight) != confirmed(eight)
    estimated_energy = await _rows(hass, KITCHEN_ID)

    # Amber answers again: the next hourly run (20:00 and 21:00) reads the confirmed prices,
    # and the hour 19:00, which no run reads again, is priced again.
    simulator.clear_faults("amber")
    await async_move_to(hass, freezer, datetime(2026, 11, 23, 22, 3, 30, tzinfo=UTC))
    cost = await _hours(hass, KITCHEN_COST)
    assert cost[seven] == pytest.approx(
        _by_hour(simulator, seven, kitchen, confirmed), rel=1e-9
    )
    assert cost[eight] == pytest.approx(
        _by_interval(simulator, eight, kitchen, confirmed), rel=1e-9
    )
    after = {
        statistic_id: await _rows(hass, statistic_id)
        for statistic_id in (KITCHEN_ID, KITCHEN_COST, RETURN_COMPENSATION)
    }
    # Before 19:00 nothing moved, energy and money alike; the energy of 19:00 and 20:00 neither.
    for statistic_id, rows in before.items():
        earlier = [row for row in rows if row["start"] < seven.timestamp()]
        assert earlier
        assert after[statistic_id][: len(earlier)] == earlier
    assert after[KITCHEN_ID][: len(estimated_energy)] == estimated_energy


# --------------------------------------------------------------------------------------------
# The entry's own tariff, and no price


NOW = "2026-11-23T20:00:30+00:00"
FIRST = datetime(2026, 11, 21, 20, tzinfo=UTC)
"""The first backfilled hour (2 days before the last complete hour, 19:00)."""


def _quarter_requests(simulator: Simulator) -> int:
    return sum(
        1
        for r in simulator.requests
        if r.query.get("apiMethod") == "getChartUsage"
        and r.query.get("scale") == "15MIN"
    )


@pytest.mark.freeze_time(NOW)
async def test_fixed_price(hass: HomeAssistant, simulator: Simulator) -> None:
    """Every consumption costs the import price, returned energy earns the export price."""
    cost = {"source": "fixed", "import_price": 0.3, "export_price": 0.08}
    assert await async_setup_entry(hass, _priced_emporia(hass, simulator, cost))
    ids = await _ids(hass)
    consumption = {i for i in ids if i.endswith("_energy_consumption")}
    assert len(consumption) == 24
    assert ids == (
        consumption
        | {f"{i}_cost" for i in consumption}
        | {RETURN_ID, RETURN_COMPENSATION, SOLAR_ID}
    )
    for energy_id, money_id, price in (
        (KITCHEN_ID, KITCHEN_COST, 0.3),
        (MAINS_ID, MAINS_COST, 0.3),
        (RETURN_ID, RETURN_COMPENSATION, 0.08),
    ):
        energy = await _hours(hass, energy_id)
        money = await _hours(hass, money_id)
        assert len(energy) == 48
        assert min(energy) == FIRST
        assert money == pytest.approx(
            {start: kwh * price for start, kwh in energy.items()}, rel=1e-9
        )
    assert sum((await _hours(hass, RETURN_COMPENSATION)).values()) > 0
    # A price that never changes needs no finer readings: no extra request.
    assert _quarter_requests(simulator) == 0


@pytest.mark.freeze_time(NOW)
async def test_time_of_use(hass: HomeAssistant, simulator: Simulator) -> None:
    """Local-time periods (weekdays only, and one across midnight) priced by quarter hour."""
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    cost = {
        "source": "time_of_use",
        "import_price": 0.2,
        "export_price": 0.05,
        "periods": [
            {
                "price": 0.45,
                "start": "06:30:00",
                "end": "10:00:00",
                "days": every_day[:5],
            },
            {"price": 0.1, "start": "23:00:00", "end": "06:15:00", "days": every_day},
        ],
    }
    assert await async_setup_entry(hass, _priced_emporia(hass, simulator, cost))
    assert _quarter_requests(simulator) == 24
    zone = dt_util.get_default_time_zone()

    def tariff(start: datetime) -> float:
        local = start.astimezone(zone)
        if local.weekday() < 5 and time(6, 30) <= local.time() < time(10):
            return 0.45
        if local.time() >= time(23) or local.time() < time(6, 15):
            return 0.1
        return 0.2

    kitchen = _kitchen(simulator)
    money = await _hours(hass, KITCHEN_COST)
    assert len(money) == 48
    for start, value in money.items():
        expected = sum(
            kitchen(q, q + QUARTER) * tariff(q)
            for q in _steps(start, start + HOUR, QUARTER)
        )
        assert value == pytest.approx(expected, rel=1e-9), start
    # The weekend (21 and 22 November) has no peak; the Monday does, from 06:30 local.
    quarters = [q for start in money for q in _steps(start, start + HOUR, QUARTER)]
    assert {tariff(q) for q in quarters} == {0.1, 0.2, 0.45}
    assert {q.astimezone(zone).weekday() for q in quarters if tariff(q) == 0.45} == {0}
    returned = await _hours(hass, RETURN_ID)
    assert await _hours(hass, RETURN_COMPENSATION) == pytest.approx(
        {start: kwh * 0.05 for start, kwh in returned.items()}, rel=1e-9
    )


@pytest.mark.freeze_time(NOW)
async def test_no_price_no_cost(hass: HomeAssistant, simulator: Simulator) -> None:
    """Without a price source there is no cost statistic, and no extra request."""
    assert await async_setup_entry(hass, _priced_emporia(hass, simulator, None))
    ids = await _ids(hass)
    assert KITCHEN_ID in ids
    assert not [i for i in ids if i.endswith(("_cost", "_compensation"))]
    assert _quarter_requests(simulator) == 0


@pytest.mark.freeze_time(NOW)
async def test_price_entry_not_loaded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    amber_entry: MockConfigEntry,
) -> None:
    """Amber not loaded: energy without cost (never 0); loaded, the cost follows, every hour."""
    # Setting the integration up sets every entry up: Amber is set up, then unloaded.
    assert await async_setup_entry(hass, amber_entry)
    assert await hass.config_entries.async_unload(amber_entry.entry_id)
    entry = _priced_emporia(hass, simulator, _amber_source(amber_entry))
    assert await async_setup_entry(hass, entry)
    ids = await _ids(hass)
    assert KITCHEN_ID in ids
    assert not [i for i in ids if i.endswith(("_cost", "_compensation"))]
    assert len(await _hours(hass, KITCHEN_ID)) == 48

    assert await async_setup_entry(hass, amber_entry)
    # The next hourly run prices what it reads (19:00 and 20:00, no finer readings) ...
    await async_move_to(hass, freezer, datetime(2026, 11, 23, 21, 3, 30, tzinfo=UTC))
    kitchen = _kitchen(simulator)
    general = _general(simulator)
    money = await _hours(hass, KITCHEN_COST)
    for start in (datetime(2026, 11, 23, h, tzinfo=UTC) for h in (19, 20)):
        assert money[start] == pytest.approx(
            _by_hour(simulator, start, kitchen, general), rel=1e-9
        )
    # ... and the hours waiting since the backfill are priced (by their quarter hours) once
    # Amber's prices move, at its next confirmed price.
    start = datetime(2026, 11, 23, 21, 4, 30, tzinfo=UTC)
    await _walk_minutes(hass, freezer, start, start + 6 * MINUTE)
    money = await _hours(hass, KITCHEN_COST)
    assert sorted(money) == sorted(await _hours(hass, KITCHEN_ID))
    backfilled = [h for h in money if h < datetime(2026, 11, 23, 19, tzinfo=UTC)]
    assert len(backfilled) == 47
    for start in backfilled:
        assert money[start] == pytest.approx(
            _by_quarter(simulator, start, kitchen, general), rel=1e-9
        ), start


@pytest.mark.freeze_time(NOW)
async def test_options_amber_site(
    hass: HomeAssistant, simulator: Simulator, amber_entry: MockConfigEntry
) -> None:
    """A loaded Amber site is offered as the price source; the entry reloads priced by it."""
    assert await async_setup_entry(hass, amber_entry)
    entry = _priced_emporia(hass, simulator, None)
    assert await async_setup_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"sensors": ["power", "energy_today"]}
    )
    assert result["step_id"] == "cost_source"
    options = result["data_schema"].schema["source"].config["options"]
    assert options == ["none", "fixed", "time_of_use", "entry"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "entry"}
    )
    assert result["step_id"] == "cost_entry"
    choices = result["data_schema"].schema["price_entry_id"].config["options"]
    assert choices == [{"value": amber_entry.entry_id, "label": "Home"}]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_entry_id": amber_entry.entry_id}
    )
    assert entry.options == {
        "sensors": ["power", "energy_today"],
        "cost": {"source": "entry", "price_entry_id": amber_entry.entry_id},
    }
    await async_settle(hass)
    assert entry.runtime_data.runtime.pricer.diagnostics() == {
        "source": "entry",
        "hours_to_price_again": 0,
    }
