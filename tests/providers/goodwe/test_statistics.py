"""GoodWe daily statistics: exact days, the backfill in windows, restarts, the next days, cost.

Every test starts at 12:30 in Amsterdam (the demo station's zone) on 2026-06-15 with ten days of
history to backfill in 4-day windows. What a day holds is the simulator's model for that day
(kWh, to SEMS+'s two decimals).
"""

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.providers.goodwe.runtime import (
    SETTINGS,
    GoodWeSettings,
)
from tests.common import async_move_to, async_setup_entry
from tests.simulator import Simulator
from tests.simulator.goodwe import GOODWE_STATION
from tests.simulator.solar_model import Totals, day_totals

from .conftest import HISTORY_DAYS, goodwe

NOW = "2026-06-15T10:30:00+00:00"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 6, 15)
QUANTITIES = {
    "pv": lambda t: t.pv,
    "consumption": lambda t: t.load,
    "grid_import": lambda t: t.grid_import,
    "grid_export": lambda t: t.export,
    "battery_charge": lambda t: t.charge,
    "battery_discharge": lambda t: t.discharge,
}


def statistic_id(quantity: str) -> str:
    """The statistic of one quantity of the demo station."""
    return f"openpower:goodwe_{GOODWE_STATION.replace('-', '_')}_{quantity}"


def midnight(day: date) -> datetime:
    """A local day's first hour."""
    return datetime.combine(day, datetime.min.time(), AMSTERDAM)


def expected(simulator: Simulator, day: date) -> dict[str, float]:
    """Each quantity of a day as SEMS+ rounds it."""
    totals: Totals = day_totals(goodwe(simulator).stations[GOODWE_STATION].profile, day)
    return {q: round(pick(totals), 2) for q, pick in QUANTITIES.items()}


async def stored(hass: HomeAssistant, *quantities: str) -> dict[str, list[Any]]:
    """Every non-zero row of the statistics since 40 days ago: (local start, state, sum)."""
    await async_wait_recording_done(hass)
    ids = {statistic_id(q) for q in quantities or QUANTITIES}
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        midnight(TODAY - timedelta(days=40)),
        None,
        ids,
        "hour",
        None,
        {"state", "sum"},
    )
    return {
        statistic: [
            (
                datetime.fromtimestamp(row["start"], AMSTERDAM),
                round(row["state"], 6),
                round(row["sum"], 6),
            )
            for row in found
            if row["state"]
        ]
        for statistic, found in rows.items()
    }


def statistics_requests(simulator: Simulator) -> int:
    """`stations/statistics` requests received."""
    return sum(1 for r in simulator.requests if r.path.endswith("stations/statistics"))


def days(first: date, last: date) -> list[date]:
    """Local dates from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def check_days(
    rows: dict[str, list[Any]], simulator: Simulator, wanted: list[date]
) -> None:
    """Each quantity has exactly the wanted days, at their first hour, with SEMS+'s values."""
    for quantity in QUANTITIES:
        found = rows.get(statistic_id(quantity), [])
        values = {
            day: expected(simulator, day)[quantity]
            for day in wanted
            if expected(simulator, day)[quantity]
        }
        assert [(start, value) for start, value, _ in found] == [
            (midnight(day), value) for day, value in values.items()
        ], quantity
        # The sum runs over the days: no double counting, no hole.
        assert found[-1][2] == pytest.approx(sum(values.values()), abs=1e-6)


@pytest.mark.freeze_time(NOW)
async def test_backfill_imports_every_day(
    hass: HomeAssistant, goodwe_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Yesterday, then the ten days before in 4-day windows, each at its local first hour."""
    assert await async_setup_entry(hass, goodwe_entry)
    check_days(
        await stored(hass),
        simulator,
        days(TODAY - timedelta(days=HISTORY_DAYS), TODAY - timedelta(days=1)),
    )
    # One request for yesterday and today, then windows of 4, 4 and 1 days.
    assert statistics_requests(simulator) == 4
    assert goodwe_entry.runtime_data.runtime.history.reach.complete
    # Today's energy so far is the day's bucket, not imported.
    today = hass.states.get("sensor.goodwe_home_hybrid_solar_energy_today")
    assert today is not None
    assert float(today.state) > 0


@pytest.mark.freeze_time(NOW)
async def test_restart_asks_nothing_again_and_changes_nothing(
    hass: HomeAssistant, goodwe_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A reload resumes from the stored reach: yesterday and today only, the same rows."""
    assert await async_setup_entry(hass, goodwe_entry)
    before = await stored(hass)
    asked = statistics_requests(simulator)
    assert await hass.config_entries.async_reload(goodwe_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert statistics_requests(simulator) == asked + 1
    assert await stored(hass) == before


@pytest.mark.freeze_time(NOW)
async def test_backfill_is_paced_and_resumes_after_a_restart(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    goodwe_settings: GoodWeSettings,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One window per run: the next hour (or a restart) goes on where the last one stopped."""
    hass.data[SETTINGS] = replace(goodwe_settings, windows_per_run=1)
    assert await async_setup_entry(hass, goodwe_entry)
    check_days(
        await stored(hass),
        simulator,
        days(TODAY - timedelta(days=5), TODAY - timedelta(days=1)),
    )
    assert await hass.config_entries.async_reload(goodwe_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    check_days(
        await stored(hass),
        simulator,
        days(TODAY - timedelta(days=9), TODAY - timedelta(days=1)),
    )
    await async_move_to(hass, freezer, "2026-06-15T11:30:30+00:00")
    check_days(
        await stored(hass),
        simulator,
        days(TODAY - timedelta(days=10), TODAY - timedelta(days=1)),
    )
    assert goodwe_entry.runtime_data.runtime.history.reach.complete


@pytest.mark.freeze_time(NOW)
async def test_the_next_days_and_an_outage(
    hass: HomeAssistant,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After midnight today is imported; days missed during an outage come with the next run."""
    assert await async_setup_entry(hass, goodwe_entry)
    # Midnight and one o'clock: SEMS+ is down; nothing imported, nothing zeroed.
    simulator.fault_always("goodwe", "http_502")
    await async_move_to(hass, freezer, "2026-06-15T22:30:30+00:00")
    await async_move_to(hass, freezer, "2026-06-16T23:30:30+00:00")
    simulator.fault_always("goodwe", None)
    await async_move_to(hass, freezer, "2026-06-17T00:30:30+00:00")
    check_days(
        await stored(hass),
        simulator,
        days(TODAY - timedelta(days=HISTORY_DAYS), TODAY + timedelta(days=1)),
    )


FIXED = {"cost": {"source": "fixed", "import_price": 0.25, "export_price": 0.05}}
PRICED = (
    ("grid_import", "grid_import_cost", 0.25),
    ("grid_export", "grid_export_compensation", 0.05),
)
"""Each priced quantity, its money statistic and its price in `FIXED`."""


async def check_priced(hass: HomeAssistant) -> None:
    """Every stored day of grid import and export has its money at the `FIXED` price."""
    rows = await stored(hass, "grid_import", "grid_export")
    money = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        midnight(TODAY - timedelta(days=40)),
        None,
        {statistic_id(money_id) for _, money_id, _ in PRICED},
        "hour",
        None,
        {"state"},
    )
    for quantity, money_id, price in PRICED:
        energy = {start: value for start, value, _ in rows[statistic_id(quantity)]}
        assert energy  # days SEMS+ had (export: the sunny ones)
        cost = {
            datetime.fromtimestamp(r["start"], AMSTERDAM): r["state"]
            for r in money[statistic_id(money_id)]
            if r["state"]
        }
        assert cost == pytest.approx({s: v * price for s, v in energy.items()})


@pytest.mark.freeze_time(NOW)
async def test_grid_is_priced(
    hass: HomeAssistant, goodwe_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """With a fixed price, grid import has a cost and export a compensation, day by day."""
    hass.config_entries.async_update_entry(goodwe_entry, options=FIXED)
    assert await async_setup_entry(hass, goodwe_entry)
    await check_priced(hass)


@pytest.mark.freeze_time(NOW)
async def test_price_chosen_later_prices_the_stored_days(
    hass: HomeAssistant, goodwe_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A price source chosen in the options prices the stored days, asking SEMS+ no history."""
    assert await async_setup_entry(hass, goodwe_entry)
    asked = statistics_requests(simulator)
    result = await hass.config_entries.options.async_init(goodwe_entry.entry_id)
    assert result["step_id"] == "cost_source"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "fixed"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.25, "export_price": 0.05}
    )
    assert goodwe_entry.options == FIXED
    await hass.async_block_till_done(wait_background_tasks=True)  # the reload
    # The reload's run asks yesterday and today only, as after any restart.
    assert statistics_requests(simulator) == asked + 1
    await check_priced(hass)
