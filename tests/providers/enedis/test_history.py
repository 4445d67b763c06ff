"""The Enedis schedule and backfill against the simulator.

Budgets, history ends, kinds of data, late data, a restart, an outage.
"""

from datetime import date, datetime, timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.openpower.api.enedis import Backend, Direction
from custom_components.openpower.providers.enedis import history as history_module
from custom_components.openpower.providers.enedis.history import (
    EnedisHistoryCoordinator,
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
from tests.simulator.enedis_model import local_midnight

from .conftest import EntryFactory, async_setup, use_full_depth, without_data

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
) -> None:
    """ADAM-ERR0123 ends the daily backfill at the commissioning day, without a warning.

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
    with caplog.at_level(logging.WARNING, logger="custom_components.openpower"):
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
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components")
    ]
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
