"""The Enedis schedule and backfill against the simulator.

Budgets, history ends, kinds of data, late data, a restart, an outage.
"""

from datetime import date, datetime, timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.openpower.api.enedis import Backend, Direction
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.enedis import history as history_module
from custom_components.openpower.providers.enedis.const import CONF_DATA, DataKind
from custom_components.openpower.providers.enedis.history import (
    EnedisHistoryCoordinator,
)
from custom_components.openpower.providers.enedis.state import (
    DirectionState,
    MeterState,
    chosen_kinds,
    detected_kinds,
)
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
    SANDBOX_PRMS,
    sandbox_client_id,
    sandbox_client_secret,
)
from tests.simulator.enedis_model import day_measures, local_midnight

from .conftest import (
    EntryFactory,
    async_setup,
    day_rows,
    expected_hours,
    use_full_depth,
    without_data,
)

TODAY = date(2026, 10, 27)
CONSO_BUDGET = 90
CONSO_RESERVE = 20
CONSO_BAN = 100
FULL_DAILY_LIMIT = date(2023, 10, 27)
"""36 months before TODAY: how far back Enedis serves daily values."""
FULL_CURVE_LIMIT = date(2024, 10, 27)
"""24 months before TODAY: how far back Enedis serves load curves."""
LONG_AGO = date(2020, 1, 1)


def history(entry) -> EnedisHistoryCoordinator:  # noqa: ANN001
    """The entry's history coordinator."""
    return entry.runtime_data.runtime.history


def conso_times(simulator: Simulator) -> list[datetime]:
    """When each Conso API request reached the simulator."""
    return [
        r.time
        for r in simulator.requests
        if r.provider == "enedis" and r.path.startswith("/enedis/conso/")
    ]


def most_in_12_hours(times: list[datetime]) -> int:
    """The most requests in any 12-hour window."""
    return max(
        sum(1 for other in times if start <= other < start + timedelta(hours=12))
        for start in times
    )


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: str) -> None:
    """Move the clock, let the due refresh and its backfill run."""
    freezer.move_to(to)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_conso_api_backfill_stays_under_the_ban(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Two meters share the Conso API budget: 90 less the reserve, and more 12 hours later.

    At production's depth, with data on the last two weeks only: the budget counts requests,
    and the old windows' 404s cost the recorder nothing.
    """
    use_full_depth(hass)
    for prm in (ENEDIS_PRM, ENEDIS_PROSUMER_PRM):
        without_data(simulator, prm, LONG_AGO, TODAY - timedelta(days=14))
    first = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    second = enedis_entry(Backend.CONSO_API, ENEDIS_PROSUMER_PRM)
    await async_setup(hass, first)  # sets every entry up
    assert history(second).state.direction(Direction.CONSUMPTION).newest is not None
    assert len(conso_times(simulator)) == CONSO_BUDGET - CONSO_RESERVE
    assert not simulator.enedis.banned
    reach = history(first).state.direction(Direction.CONSUMPTION).curve_oldest
    assert reach is not None
    assert reach > FULL_CURVE_LIMIT  # not finished: it continues later

    await advance(hass, freezer, "2026-10-27T22:01:00+00:00")
    later = len(conso_times(simulator))
    assert later > CONSO_BUDGET - CONSO_RESERVE
    assert history(first).state.direction(Direction.CONSUMPTION).curve_oldest < reach
    assert most_in_12_hours(conso_times(simulator)) <= CONSO_BUDGET - CONSO_RESERVE + 10
    assert most_in_12_hours(conso_times(simulator)) < CONSO_BAN
    assert simulator.count_requests("enedis", status=403) == 0


def measure_requests(simulator: Simulator, resource: str) -> list[tuple[date, date]]:
    """The (start, end) of each Data Connect request of one measure resource."""
    return [
        (
            date.fromisoformat(r.query["dateDebut"]),
            date.fromisoformat(r.query["dateFin"]),
        )
        for r in simulator.requests
        if r.path.endswith(f"/{resource}")
    ]


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_full_depth_backfill(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Production's depth: daily values back 36 months, curves 24, never before them.

    A meter of 2015 with data on the newest 5 weeks and the oldest week asked (the days
    between answer 404, cheaply). Imports of 2 weeks (production: 26, which would take the
    recorder ~15 s here) split the 5 weeks in parts; every day of them ends hourly.
    """
    use_full_depth(hass)
    monkeypatch.setattr(history_module, "CURVE_WINDOWS_PER_IMPORT", 2)
    prm = SANDBOX_PRMS[0][0]
    data_from = TODAY - timedelta(weeks=5)
    without_data(simulator, prm, FULL_DAILY_LIMIT + timedelta(days=7), data_from)
    entry = enedis_entry(
        Backend.DATA_CONNECT,
        prm,
        client_id=sandbox_client_id(0),
        client_secret=sandbox_client_secret(0),
    )
    await async_setup(hass, entry)

    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert (state.daily_done, state.daily_oldest) == (True, FULL_DAILY_LIMIT)
    assert (state.curve_done, state.curve_oldest) == (True, FULL_CURVE_LIMIT)
    daily = measure_requests(simulator, "consommation_quotidienne")
    curves = measure_requests(simulator, "courbe_de_charge_consommation")
    assert min(start for start, _end in daily) == FULL_DAILY_LIMIT
    assert min(start for start, _end in curves) == FULL_CURVE_LIMIT
    # 24 months of 7-day windows: 104 weeks and 3 days, the recent request's week included.
    assert len(curves) == 105
    stored = await async_stored_hours(
        hass, f"openpower:enedis_{prm}_energy_consumption"
    )
    assert stored[0][0] == local_midnight(FULL_DAILY_LIMIT)  # its daily value
    recent = [hour for hour, _value in stored if hour >= local_midnight(data_from)]
    # 35 days through yesterday, hour by hour; 2026-10-25 has 25 hours.
    assert len(recent) == 35 * 24 + 1


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_tests_run_a_short_depth(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """The tests' depth (conftest: 3 and 1 months) holds for both backfills."""
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)
    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert (state.daily_done, state.daily_oldest) == (True, date(2026, 7, 27))
    assert (state.curve_done, state.curve_oldest) == (True, date(2026, 9, 27))
    assert min(
        s for s, _e in measure_requests(simulator, "consommation_quotidienne")
    ) == (date(2026, 7, 27))


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_backfill_ends_at_commissioning_silently(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    caplog: pytest.LogCaptureFixture,
    issue_registry: ir.IssueRegistry,
) -> None:
    """ADAM-ERR0123 ends the daily backfill at the commissioning day: no warning, no repair.

    Production's depth; data on the commissioning week and the last weeks only (the curve's
    24 months of rows would cost the recorder ~40 s and show nothing more here).
    """
    use_full_depth(hass)
    commissioned = simulator.enedis.meters.prms[ENEDIS_PRM].commissioned
    assert commissioned == TODAY - timedelta(days=900)
    without_data(
        simulator,
        ENEDIS_PRM,
        commissioned + timedelta(days=7),
        TODAY - timedelta(days=14),
    )
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    with caplog.at_level(logging.INFO, logger="custom_components.openpower"):
        await async_setup(hass, entry)
    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert state.daily_done
    assert state.daily_oldest == commissioned
    assert state.curve_done
    assert state.curve_oldest == FULL_CURVE_LIMIT
    assert history(entry).state.direction(Direction.PRODUCTION).exists is False
    assert simulator.count_requests("enedis", status=400) > 0  # 0123 and 0069 were met
    assert not [
        r
        for r in caplog.records
        if r.name.startswith("custom_components")
        and (r.levelno >= logging.WARNING or "backfill paused" in r.getMessage())
    ]
    assert [i for i in issue_registry.issues.values() if i.domain == DOMAIN] == []
    stored = await async_stored_hours(
        hass, f"openpower:enedis_{ENEDIS_PRM}_energy_consumption"
    )
    # The commissioning day is stored (its daily value at its first hour), nothing before.
    assert stored[0][0] == local_midnight(commissioned)


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_curve_off_gives_daily_values(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """A curve 404 while daily values exist: daily rows only, and no curve backfill."""
    prm = "32320647321714"  # sandbox client 2: hourly collection off
    entry = enedis_entry(
        Backend.DATA_CONNECT,
        prm,
        client_id=sandbox_client_id(2),
        client_secret=sandbox_client_secret(2),
    )
    await async_setup(hass, entry)
    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert state.curve is False
    yesterday = TODAY - timedelta(days=1)
    stored = [
        hour
        for hour, _value in await async_stored_hours(
            hass, f"openpower:enedis_{prm}_energy_consumption"
        )
        if local_midnight(yesterday) <= hour < local_midnight(TODAY)
    ]
    assert stored == [local_midnight(yesterday)]
    curve_requests = [r for r in simulator.requests if "courbe_de_charge" in r.path]
    assert len(curve_requests) == 1


@pytest.mark.freeze_time("2026-10-27T08:30:00+00:00")
async def test_late_day_is_asked_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Yesterday not out in the morning: asked at 13:00 and 18:00, then the next morning."""
    simulator.enedis.meters.late_days.add(TODAY - timedelta(days=1))
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)
    sensor = "sensor.linky_25946599093143_consumption_yesterday"
    assert hass.states.get(sensor).state == STATE_UNKNOWN
    assert history(entry).state.direction(
        Direction.CONSUMPTION
    ).newest == TODAY - timedelta(days=2)

    def daily_requests() -> int:
        return sum(
            1 for r in simulator.requests if "consommation_quotidienne" in r.path
        )

    asked = daily_requests()
    await advance(hass, freezer, "2026-10-27T11:40:00+00:00")  # 12:40 Paris: not due
    assert daily_requests() == asked
    await advance(hass, freezer, "2026-10-27T12:15:00+00:00")  # 13:15 Paris
    assert daily_requests() == asked + 1
    await advance(hass, freezer, "2026-10-27T17:15:00+00:00")  # 18:15 Paris
    assert daily_requests() == asked + 2
    assert hass.states.get(sensor).state == STATE_UNKNOWN
    await advance(hass, freezer, "2026-10-28T07:15:00+00:00")  # 08:15 Paris: out now
    assert daily_requests() == asked + 3
    assert history(entry).state.direction(Direction.CONSUMPTION).newest == TODAY
    await advance(hass, freezer, "2026-10-28T12:15:00+00:00")  # complete: nothing asked
    assert daily_requests() == asked + 3


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_restart_resumes_the_backfill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """A reload reads where the backfill was; the next window starts there.

    Production's depth, so that the Conso API budget's window ends the backfill first (old
    windows without data: only the requests matter here).
    """
    use_full_depth(hass)
    without_data(simulator, ENEDIS_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    await async_setup(hass, entry)
    reach = history(entry).state.direction(Direction.CONSUMPTION).curve_oldest
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    before = len(simulator.requests)
    await async_setup(hass, entry)
    assert history(entry).state.direction(Direction.CONSUMPTION).curve_oldest == reach
    assert (
        len(simulator.requests) == before
    )  # nothing due, the budget's window still full

    await advance(hass, freezer, "2026-10-27T22:01:00+00:00")
    curves = [r for r in simulator.requests[before:] if "courbe_de_charge" in r.path]
    assert curves[0].query["dateFin"] == reach.isoformat()


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_outage_makes_sensors_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """A failed daily request: unavailable, never zeros; back with the data."""
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)
    sensor = "sensor.linky_25946599093143_consumption_yesterday"
    assert float(hass.states.get(sensor).state) > 0
    simulator.fault_always("enedis", "http_500")
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")
    assert hass.states.get(sensor).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    await advance(hass, freezer, "2026-10-28T07:40:00+00:00")
    assert float(hass.states.get(sensor).state) > 0


def resources_asked(simulator: Simulator, since: int = 0) -> dict[str, int]:
    """How many Data Connect measure requests each resource got after `since`."""
    counts: dict[str, int] = {}
    for r in simulator.requests[since:]:
        if "/mesure_synchrone_auto/v2/" in r.path:
            resource = r.path.rsplit("/", 1)[-1]
            counts[resource] = counts.get(resource, 0) + 1
    return counts


async def with_kinds(
    hass: HomeAssistant, entry: MockConfigEntry, kinds: list[DataKind]
) -> None:
    """Give the entry the data kinds option, as the options flow stores it."""
    hass.config_entries.async_update_entry(
        entry, options={CONF_DATA: [kind.value for kind in kinds]}
    )


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_all_kinds_cost_five_requests_a_day(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Without the option, a prosumer's day: both dailies, both curves, the maximum power."""
    without_data(simulator, ENEDIS_PROSUMER_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PROSUMER_PRM)
    await async_setup(hass, entry)
    before = len(simulator.requests)
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")
    await advance(hass, freezer, "2026-10-28T12:15:00+00:00")
    assert resources_asked(simulator, before) == {
        "consommation_quotidienne": 1,
        "courbe_de_charge_consommation": 1,
        "production_quotidienne": 1,
        "courbe_de_charge_production": 1,
        "puissance_conso_max_quotidienne": 1,
    }


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_consumption_daily_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Only consumption chosen: no production, no curve, no maximum power, ever.

    Neither at setup (recent days and backfill) nor the next day; yesterday stored from its
    daily value; the production sensor and the maximum power stay out of the data.
    """
    without_data(simulator, ENEDIS_PROSUMER_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PROSUMER_PRM)
    await with_kinds(hass, entry, [DataKind.CONSUMPTION])
    await async_setup(hass, entry)
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")
    asked = resources_asked(simulator)
    assert set(asked) == {"consommation_quotidienne"}
    # The recent days, the 3-month backfill (one window) and the next day.
    assert asked["consommation_quotidienne"] == 3
    coordinator = history(entry)
    state = coordinator.state.direction(Direction.CONSUMPTION)
    assert (state.daily_done, state.curve_done, state.curve) == (True, False, None)
    assert coordinator.state.direction(Direction.PRODUCTION) == DirectionState()
    assert coordinator.data.directions == {Direction.CONSUMPTION}
    assert coordinator.data.max_power is None
    yesterday = date(2026, 10, 27)
    stored = [
        hour
        for hour, _value in await async_stored_hours(
            hass, f"openpower:enedis_{ENEDIS_PROSUMER_PRM}_energy_consumption"
        )
        if local_midnight(yesterday) <= hour < local_midnight(yesterday + timedelta(1))
    ]
    assert stored == [local_midnight(yesterday)]
    assert not await async_stored_hours(
        hass, f"openpower:enedis_{ENEDIS_PROSUMER_PRM}_energy_production"
    )


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_production_with_curve_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Production and the load curve chosen: consumption and maximum power never asked."""
    without_data(simulator, ENEDIS_PROSUMER_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PROSUMER_PRM)
    await with_kinds(hass, entry, [DataKind.PRODUCTION, DataKind.LOAD_CURVE])
    await async_setup(hass, entry)
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")
    asked = resources_asked(simulator)
    assert set(asked) == {"production_quotidienne", "courbe_de_charge_production"}
    state = history(entry).state.direction(Direction.PRODUCTION)
    assert (state.daily_done, state.curve_done, state.curve) == (True, True, True)
    # One month of curve in 7-day windows back from the recent week, and the next day's.
    assert asked["courbe_de_charge_production"] == 1 + 4 + 1
    assert history(entry).state.direction(Direction.CONSUMPTION) == DirectionState()


def test_detected_kinds() -> None:
    """What the options offer, from the stored answers."""
    fresh = MeterState()
    assert detected_kinds(fresh) == set(DataKind)
    consumer = MeterState(
        directions={
            Direction.CONSUMPTION: DirectionState(exists=True, curve=True),
            Direction.PRODUCTION: DirectionState(exists=False),
        }
    )
    assert detected_kinds(consumer) == {
        DataKind.CONSUMPTION,
        DataKind.LOAD_CURVE,
        DataKind.MAX_POWER,
    }
    curve_off = consumer.with_direction(
        Direction.CONSUMPTION, DirectionState(exists=True, curve=False)
    )
    assert detected_kinds(curve_off) == {DataKind.CONSUMPTION, DataKind.MAX_POWER}
    producer = MeterState(
        directions={
            Direction.CONSUMPTION: DirectionState(exists=False),
            Direction.PRODUCTION: DirectionState(exists=True, curve=True),
        }
    )
    assert detected_kinds(producer) == {DataKind.PRODUCTION, DataKind.LOAD_CURVE}
    # One direction's curve off, the other's on: the curve is still there.
    prosumer = MeterState(
        directions={
            Direction.CONSUMPTION: DirectionState(exists=True, curve=False),
            Direction.PRODUCTION: DirectionState(exists=True, curve=True),
        }
    )
    assert detected_kinds(prosumer) == set(DataKind)


def test_chosen_kinds() -> None:
    """Absent option: every kind; otherwise the values given (unknown ones ignored)."""
    assert chosen_kinds({}) == set(DataKind)
    assert chosen_kinds({CONF_DATA: []}) == frozenset()
    assert chosen_kinds({CONF_DATA: ["production", "load_curve", "gas"]}) == {
        DataKind.PRODUCTION,
        DataKind.LOAD_CURVE,
    }


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_late_curve_replaces_the_daily_value(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """Yesterday's daily value out before its curve: stored daily, the curve asked again.

    Late, not off: no repair. Asked at 13:00 and 18:00, then the next morning with the new day,
    when it is out: yesterday's row becomes its hours.
    """
    yesterday = TODAY - timedelta(days=1)
    simulator.enedis.meters.late_curve_days.add(yesterday)
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)
    statistic = f"openpower:enedis_{ENEDIS_PRM}_energy_consumption"
    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert (state.curve, state.newest, state.curve_newest) == (
        True,
        yesterday,
        yesterday - timedelta(days=1),
    )
    model = day_measures(simulator.enedis.meters.prms[ENEDIS_PRM].profile, yesterday)
    daily_kwh = sum(h.wh for h in model.consumption) / 1000
    assert await day_rows(hass, statistic, yesterday) == pytest.approx(
        {local_midnight(yesterday): daily_kwh}
    )
    collection_off = f"{entry.entry_id}_enedis_collection_off"
    assert ir.async_get(hass).async_get_issue(DOMAIN, collection_off) is None

    def curve_requests() -> list[str]:
        return [r.path for r in simulator.requests if "courbe_de_charge" in r.path]

    asked = len(curve_requests())
    await advance(hass, freezer, "2026-10-27T12:15:00+00:00")  # 13:15 Paris
    await advance(hass, freezer, "2026-10-27T17:15:00+00:00")  # 18:15 Paris
    assert len(curve_requests()) == asked + 2
    assert history(entry).state.direction(Direction.CONSUMPTION).curve is True
    assert ir.async_get(hass).async_get_issue(DOMAIN, collection_off) is None

    await advance(hass, freezer, "2026-10-28T07:15:00+00:00")  # 08:15 Paris: out now
    assert len(curve_requests()) == asked + 3
    state = history(entry).state.direction(Direction.CONSUMPTION)
    assert (state.newest, state.curve_newest) == (TODAY, TODAY)
    stored = await day_rows(hass, statistic, yesterday)
    assert len(stored) == 24
    assert stored == pytest.approx(expected_hours(model.consumption), abs=1e-9)
    await advance(hass, freezer, "2026-10-28T12:15:00+00:00")  # complete: nothing asked
    assert len(curve_requests()) == asked + 3


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_nothing_asked_between_midnight_and_publication(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
) -> None:
    """The day that has just ended is asked after 08:00, not at the first poll after midnight."""
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)

    def measures() -> int:
        return sum(1 for r in simulator.requests if "mesure_synchrone" in r.path)

    asked = measures()
    for moment in (
        "2026-10-27T17:15:00+00:00",  # 18:15 Paris: complete, nothing to ask
        "2026-10-27T23:15:00+00:00",  # 00:15 Paris: yesterday is the 27th, not out
        "2026-10-28T06:45:00+00:00",  # 07:45 Paris
    ):
        await advance(hass, freezer, moment)
        assert measures() == asked, moment
    await advance(hass, freezer, "2026-10-28T07:15:00+00:00")  # 08:15 Paris
    # Consumption: daily, curve, maximum power (the meter does not produce).
    assert measures() == asked + 3
    assert history(entry).state.direction(Direction.CONSUMPTION).newest == TODAY
