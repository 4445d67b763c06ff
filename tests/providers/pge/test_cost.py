"""PG&E electricity's money: PG&E's own cost when its readings carry one, else the price source.

The simulator's feeds carry no cost (as most PG&E accounts' do not): with a fixed price, each
hour's cost is the simulator's own hourly energy (its ESPI value in mWh) times that price, and
the returned energy's compensation likewise. A Green Button feed whose readings carry a cost
keeps PG&E's `energy_cost`, read here from the file itself.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
from typing import Any, cast

from homeassistant.components.recorder.statistics import (
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from tests.simulator import PGE_ELECTRIC_USAGE_POINT, PGE_GAS_USAGE_POINT, Simulator
from tests.simulator.pge_feed import FLOW_DELIVERED, FLOW_RECEIVED, readings

from .common import (
    ELECTRIC,
    NOW,
    RETURN,
    bulk_requests,
    hourly,
    request_latest,
    set_up,
    settle,
)

pytestmark = pytest.mark.freeze_time(NOW, tick=True)

IMPORT_PRICE = 0.3125
EXPORT_PRICE = 0.0625
FIXED = {
    "cost": {
        "source": "fixed",
        "import_price": IMPORT_PRICE,
        "export_price": EXPORT_PRICE,
    }
}
COST = f"{ELECTRIC}_cost"
COMPENSATION = f"{RETURN}_compensation"
OWN_COST = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_energy_cost"
GAS = f"openpower:pge_{PGE_GAS_USAGE_POINT}_gas_consumption"
COST_FEED = "espi_gba_sample_hourly_9days_usagesummary_cost.xml"
COST_FEED_POINT = "2"
"""The usage point of the Green Button sample whose readings carry a cost."""
MONEY_REL = 1e-9


def _model(simulator: Simulator, flow: int) -> dict[datetime, float]:
    """The simulator's hourly electricity (kWh) of the demo meter around NOW."""
    point = simulator.pge.account().usage_points[0]
    first, last = NOW.date() - timedelta(days=30), NOW.date()
    return {
        datetime.fromtimestamp(r.start, UTC): r.value / 1e6
        for r in readings(point, first, last, flow)
    }


def _own_costs() -> dict[datetime, float]:
    """Each reading's cost in the Green Button file (hundred-thousandths of a dollar)."""
    text = (
        Path(__file__).parents[2] / "simulator/fixtures/pge" / COST_FEED
    ).read_text()
    found = re.findall(
        r"<IntervalReading>\s*<cost>(\d+)</cost>\s*<timePeriod>\s*"
        r"<duration>3600</duration>\s*<start>(\d+)</start>",
        text,
    )
    assert len(found) == 216
    return {
        datetime.fromtimestamp(int(start), UTC): int(cost) / 100_000
        for cost, start in found
    }


async def _hourly_2014(hass: HomeAssistant, statistic_id: str) -> dict[datetime, float]:
    """The stored hours of the Green Button sample's days (January 2014)."""
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2014, 1, 1, tzinfo=UTC),
        datetime(2014, 2, 1, tzinfo=UTC),
        {statistic_id},
        "hour",
        None,
        {"state"},
    )
    return {
        datetime.fromtimestamp(row["start"], UTC): row["state"] or 0.0
        for row in rows.get(statistic_id, [])
    }


async def _statistic_ids(hass: HomeAssistant) -> set[str]:
    await async_wait_recording_done(hass)
    found = await get_instance(hass).async_add_executor_job(lambda: get_metadata(hass))
    return {statistic_id for statistic_id in found if statistic_id.startswith(DOMAIN)}


async def _dashboard(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "configure_energy_dashboard",
        {"config_entry_id": entry.entry_id, "dry_run": True},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return cast("list[Any]", response["energy_sources"])


def _priced(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Give the entry a fixed price (as the options flow stores it)."""
    hass.config_entries.async_update_entry(entry, options=FIXED)


async def test_feed_without_cost_is_priced(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Every hour bought costs its energy × the import price; returned, × the export price."""
    _priced(hass, pge_entry)
    await set_up(hass, pge_entry, pushed)
    bought = _model(pushed, FLOW_DELIVERED)
    sold = _model(pushed, FLOW_RECEIVED)
    energy = await hourly(hass, ELECTRIC)
    returned = await hourly(hass, RETURN)
    # Six days of hours, each as the simulator served it.
    assert len(energy) >= 24 * 5
    assert energy == pytest.approx({hour: bought[hour] for hour in energy})
    assert returned == pytest.approx({hour: sold[hour] for hour in returned})
    assert any(returned.values())
    assert await hourly(hass, COST) == pytest.approx(
        {hour: bought[hour] * IMPORT_PRICE for hour in energy}, rel=MONEY_REL
    )
    assert await hourly(hass, COMPENSATION) == pytest.approx(
        {hour: sold[hour] * EXPORT_PRICE for hour in returned}, rel=MONEY_REL
    )
    ids = await _statistic_ids(hass)
    assert OWN_COST not in ids
    # Gas is not a grid statistic: it is not priced.
    assert {i for i in ids if i.startswith(GAS)} == {GAS}
    grid, gas = await _dashboard(hass, pge_entry)
    assert (grid["stat_cost"], grid["stat_compensation"]) == (COST, COMPENSATION)
    assert gas["stat_cost"] is None
    diagnostics = pge_entry.runtime_data.runtime.cost.pricer.diagnostics()
    assert diagnostics == {"source": "fixed", "hours_to_price_again": 0}


async def test_feed_with_cost_keeps_its_own(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Readings with a cost: PG&E's `energy_cost` as it sent it, no priced statistic."""
    _priced(hass, pge_entry)
    await set_up(hass, pge_entry, pushed)
    pushed.pge.queue_fixture_batch(COST_FEED)
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    point = f"openpower:pge_{COST_FEED_POINT}"
    assert await _hourly_2014(hass, f"{point}_energy_cost") == pytest.approx(
        _own_costs(), rel=MONEY_REL
    )
    ids = await _statistic_ids(hass)
    assert f"{point}_energy_consumption" in ids
    assert f"{point}_energy_consumption_cost" not in ids
    sources = await _dashboard(hass, pge_entry)
    grids = {s["stat_energy_from"]: s for s in sources if s["type"] == "grid"}
    assert grids[f"{point}_energy_consumption"]["stat_cost"] == f"{point}_energy_cost"
    assert grids[f"{point}_energy_consumption"]["stat_compensation"] is None
    # The demo meter, without a cost, is still priced beside it.
    assert grids[ELECTRIC]["stat_cost"] == COST
    # After a restart, the recorder says whose cost PG&E sent.
    assert await hass.config_entries.async_reload(pge_entry.entry_id)
    await settle(hass, pge_entry, pushed)
    sources = await _dashboard(hass, pge_entry)
    grids = {s["stat_energy_from"]: s for s in sources if s["type"] == "grid"}
    assert grids[f"{point}_energy_consumption"]["stat_cost"] == f"{point}_energy_cost"
    assert f"{point}_energy_consumption_cost" not in await _statistic_ids(hass)


async def test_no_price_source_adds_no_statistic(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Without a price source: the energy, the bills, and nothing priced."""
    await set_up(hass, pge_entry, pushed)
    assert {
        i for i in await _statistic_ids(hass) if i.endswith(("_cost", "compensation"))
    } == set()
    grid, _gas = await _dashboard(hass, pge_entry)
    assert (grid["stat_cost"], grid["stat_compensation"]) == (None, None)


async def test_price_chosen_later_prices_the_stored_hours(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """A price source chosen in the options prices the history at once, asking PG&E nothing."""
    await set_up(hass, pge_entry, pushed)
    asked = len(bulk_requests(pushed))
    result = await hass.config_entries.options.async_init(pge_entry.entry_id)
    assert result["step_id"] == "cost_source"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "fixed"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"import_price": IMPORT_PRICE, "export_price": EXPORT_PRICE},
    )
    assert pge_entry.options == FIXED
    await hass.async_block_till_done()  # the reload
    await settle(hass, pge_entry, pushed)
    assert len(bulk_requests(pushed)) == asked
    energy = await hourly(hass, ELECTRIC)
    returned = await hourly(hass, RETURN)
    assert await hourly(hass, COST) == pytest.approx(
        {hour: value * IMPORT_PRICE for hour, value in energy.items()}, rel=MONEY_REL
    )
    assert await hourly(hass, COMPENSATION) == pytest.approx(
        {hour: value * EXPORT_PRICE for hour, value in returned.items()},
        rel=MONEY_REL,
    )
