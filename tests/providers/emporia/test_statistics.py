"""History into statistics: the backfill, the hourly runs, gaps filled, energy today after a restart."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import logging
import re
from typing import Any

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.statistics import (
    async_list_statistic_ids,
    statistics_during_period,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.api.emporia import Channel, Device, EmporiaClient
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.pricing import Pricer
from custom_components.openpower.providers.emporia.statistics import async_import_hours
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.simulator import (
    EMPORIA_CHARGER_GID,
    EMPORIA_PLUG_GID,
    EMPORIA_VUE2_GID,
    EMPORIA_VUE3_GID,
    Simulator,
)
from tests.simulator.common import json_response

NOW = "2026-11-23T20:00:30+00:00"
MAINS_POWER = "sensor.home_mains_power"
MAINS_TODAY = "sensor.home_mains_energy_today"
MAINS_ID = f"openpower:emporia_{EMPORIA_VUE2_GID}_mains_energy_consumption"
RETURN_ID = f"openpower:emporia_{EMPORIA_VUE2_GID}_mains_energy_return"


async def _rows(hass: HomeAssistant, *ids: str) -> dict[str, list[dict[str, Any]]]:
    await async_wait_recording_done(hass)
    return await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        set(ids),
        "hour",
        None,
        {"state", "sum"},
    )


def _assert_consistent(rows: list[dict[str, Any]]) -> None:
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["start"] - before["start"] == 3600
        assert after["sum"] == pytest.approx(before["sum"] + after["state"], abs=1e-6)


@pytest.mark.freeze_time(NOW)
async def test_what_is_imported(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Every measured channel's consumption; returned energy of the top monitor; solar's production."""
    assert await async_setup_entry(hass, emporia_entry)
    await async_wait_recording_done(hass)
    found = {
        meta["statistic_id"]: meta
        for meta in await async_list_statistic_ids(hass, statistic_type="sum")
        if meta["statistic_id"].startswith("openpower:emporia_")
    }
    vue2, vue3 = (
        f"openpower:emporia_{EMPORIA_VUE2_GID}",
        f"openpower:emporia_{EMPORIA_VUE3_GID}",
    )
    consumption = {
        *(f"{vue2}_circuit_{n}_energy_consumption" for n in range(1, 17)),
        *(f"{vue3}_circuit_{n}_energy_consumption" for n in range(1, 5)),
        f"{vue2}_mains_energy_consumption",
        f"{vue3}_mains_energy_consumption",
        f"openpower:emporia_{EMPORIA_PLUG_GID}_mains_energy_consumption",
        f"openpower:emporia_{EMPORIA_CHARGER_GID}_mains_energy_consumption",
    }
    # Solar is the Vue 2's circuit 6; the Vue 3 on the sub-panel returns nothing to the grid.
    assert set(found) == consumption | {
        RETURN_ID,
        f"{vue2}_circuit_6_energy_production",
    }
    assert {key: found[key]["name"] for key in (MAINS_ID, RETURN_ID)} == {
        MAINS_ID: "Home consumption",
        RETURN_ID: "Home returned to grid",
    }
    assert (
        found[f"{vue2}_circuit_6_energy_production"]["name"] == "Home Solar production"
    )
    assert {meta["statistics_unit_of_measurement"] for meta in found.values()} == {
        "kWh"
    }


async def test_hours_without_a_value_are_not_stored(hass: HomeAssistant) -> None:
    """An hour Emporia has no value for is no reading: no row, but the one carrying the sum.

    The 0 row right before the next value keeps the sum of any period starting there exact
    (statistics.py); a value Emporia delivers later for that hour replaces it.
    """
    device = Device(
        gid=7,
        serial=None,
        model="VUE002",
        firmware=None,
        name="Home",
        time_zone=None,
        parent_gid=None,
        parent_channel=None,
        channels=(),
        outlet=None,
        charger=None,
        connected=True,
    )
    kitchen = Channel(
        device_gid=7,
        number="1",
        name="Kitchen",
        multiplier=1.0,
        type_gid=None,
        kind="FiftyAmp",
    )
    start = datetime(2026, 11, 23, tzinfo=UTC)
    hour = timedelta(hours=1)
    # A circuit's reading counts by its magnitude (a clamp fitted backwards).
    hours = {start: 1.0, start + hour: -2.0, start + 3 * hour: 4.0}
    pricer = Pricer(hass, MockConfigEntry(domain=DOMAIN))
    assert await async_import_hours(pricer, device, kitchen, hours) == start + 4 * hour
    statistic_id = "openpower:emporia_7_circuit_1_energy_consumption"
    rows = (await _rows(hass, statistic_id))[statistic_id]
    assert [(row["start"], row["state"], row["sum"]) for row in rows] == [
        (start.timestamp(), 1.0, 1.0),
        ((start + hour).timestamp(), 2.0, 3.0),
        ((start + 2 * hour).timestamp(), 0.0, 3.0),
        ((start + 3 * hour).timestamp(), 4.0, 7.0),
    ]


@pytest.mark.freeze_time(NOW)
async def test_history_backfill_then_hourly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    emporia_client: EmporiaClient,
) -> None:
    """Two days backfilled per channel; then one hour an hour; stored exactly as Emporia says."""
    assert await async_setup_entry(hass, emporia_entry)
    charts = sum(1 for r in simulator.requests if "getChartUsage" in str(r.query))
    assert charts > 0
    rows = await _rows(hass, MAINS_ID, RETURN_ID)
    now = datetime.fromisoformat(NOW)
    last_hour = now.replace(minute=0, second=0) - timedelta(hours=1)
    first = last_hour - timedelta(days=2) + timedelta(hours=1)
    mains = rows[MAINS_ID]
    assert datetime.fromtimestamp(mains[0]["start"], UTC) == first
    assert datetime.fromtimestamp(mains[-1]["start"], UTC) == last_hour
    _assert_consistent(mains)
    _assert_consistent(rows[RETURN_ID])

    chart = await emporia_client.async_get_chart_usage(
        EMPORIA_VUE2_GID, "1,2,3", first, last_hour + timedelta(hours=1)
    )
    for row, kwh in zip(mains, chart.values, strict=True):
        assert kwh is not None
        assert row["state"] == pytest.approx(max(kwh, 0.0), abs=1e-9)
    for row, kwh in zip(rows[RETURN_ID], chart.values, strict=True):
        assert kwh is not None
        assert row["state"] == pytest.approx(max(-kwh, 0.0), abs=1e-9)

    simulator.requests.clear()
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=1))
    rows = await _rows(hass, MAINS_ID)
    assert datetime.fromtimestamp(
        rows[MAINS_ID][-1]["start"], UTC
    ) == last_hour + timedelta(hours=1)
    _assert_consistent(rows[MAINS_ID])
    methods = [r.query.get("apiMethod") for r in simulator.requests]
    assert "getChartUsage" not in methods
    assert methods.count("getDeviceListUsages") >= 2


@pytest.mark.freeze_time(NOW)
async def test_outage_leaves_no_hole_and_no_spike(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Three hours of outage: unavailable meanwhile, then the history gap is filled exactly."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    before = float(hass.states.get(MAINS_TODAY).state)
    simulator.fault_always("emporia", "http_500")
    for hour in range(1, 4):
        await async_move_to(
            hass, freezer, now.replace(minute=3) + timedelta(hours=hour)
        )
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    simulator.requests.clear()
    back = now.replace(minute=3) + timedelta(hours=4)
    await async_move_to(hass, freezer, back)
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    _assert_consistent(rows)
    last_hour = back.replace(minute=0, second=0) - timedelta(hours=1)
    assert datetime.fromtimestamp(rows[-1]["start"], UTC) == last_hour
    assert any(r.query.get("apiMethod") == "getChartUsage" for r in simulator.requests)
    # Today's energy picked the outage's hours up from the history, once, and did not fall.
    after = float(hass.states.get(MAINS_TODAY).state)
    assert after >= before
    stored_today = sum(
        row["state"]
        for row in rows
        if datetime.fromtimestamp(row["start"], UTC)
        >= datetime(2026, 11, 23, 8, tzinfo=UTC)
    )
    assert after == pytest.approx(stored_today, rel=0.05)


@pytest.mark.freeze_time(NOW)
async def test_offline_device_is_filled_when_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A monitor offline for hours is not asked for its gap; once back, it is filled.

    With what the monitor uploaded, the hour it went offline in included.
    """
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(minutes=20))
    simulator.emporia.set_connected(EMPORIA_VUE2_GID, False)
    simulator.requests.clear()
    for hour in range(1, 4):
        await async_move_to(
            hass, freezer, now.replace(minute=3) + timedelta(hours=hour)
        )
    charts = [
        r for r in simulator.requests if r.query.get("apiMethod") == "getChartUsage"
    ]
    assert not [r for r in charts if r.query["deviceGid"] == str(EMPORIA_VUE2_GID)]

    simulator.emporia.set_connected(EMPORIA_VUE2_GID, True)
    back = now.replace(minute=3) + timedelta(hours=4)
    await async_move_to(hass, freezer, back - timedelta(minutes=2))
    await async_move_to(hass, freezer, back)
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    _assert_consistent(rows)
    for row in rows[-5:]:
        start = datetime.fromtimestamp(row["start"], UTC)
        kwh = simulator.emporia.energy(
            EMPORIA_VUE2_GID, "1,2,3", start, start + timedelta(hours=1)
        )
        assert row["state"] == pytest.approx(max(kwh, 0.0), abs=1e-9), start


@pytest.mark.freeze_time(NOW)
async def test_answers_that_echo_the_instant(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The live API echoes the instant asked for (2026 captures): counted once all the same."""
    simulator.emporia.echo_instant = True
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    first = float(hass.states.get(MAINS_TODAY).state)
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    second = float(hass.states.get(MAINS_TODAY).state)
    assert second > first
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=1))
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    assert datetime.fromtimestamp(rows[-1]["start"], UTC) == now.replace(
        minute=0, second=0
    )
    _assert_consistent(rows)


@pytest.mark.freeze_time(NOW)
async def test_energy_today_survives_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Reloaded mid-hour, today's energy starts where it was, not from the stored hours."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    for minute in range(1, 20):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    before = float(hass.states.get(MAINS_TODAY).state)
    assert await hass.config_entries.async_reload(emporia_entry.entry_id)
    await async_settle(hass)
    after = float(hass.states.get(MAINS_TODAY).state)
    # At most the part of one minute is not counted again.
    assert before - 0.05 <= after <= before + 0.05
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    hours = [start + timedelta(hours=n) for n in range(13)]
    expected = sum(
        max(
            simulator.emporia.energy(
                EMPORIA_VUE2_GID, "1,2,3", h, h + timedelta(hours=1)
            ),
            0,
        )
        for h in hours[:-1]
    ) + max(
        simulator.emporia.energy(
            EMPORIA_VUE2_GID, "1,2,3", hours[-1], now + timedelta(minutes=19)
        ),
        0,
    )
    assert after == pytest.approx(expected, abs=0.05)


def _with_huge_usage(scales: set[str]) -> Callable[..., web.Response]:
    """The simulator's answers, with a first usage of `1e999` in hourly and chart answers.

    `1e999` is valid JSON; Python decodes it to infinity.
    """

    def respond(payload: Any, **kwargs: Any) -> web.Response:
        response = json_response(payload, **kwargs)
        if "usageList" in payload and "chart" in scales:
            body = re.sub(
                r'"usageList":\[[-0-9.eE]+', '"usageList":[1e999', response.text
            )
            response.body = body.encode()
        elif payload.get("deviceListUsages", {}).get("scale") in scales:
            body = re.sub(
                r'"usage":[-0-9.eE]+', '"usage":1e999', response.text, count=1
            )
            response.body = body.encode()
        return response

    return respond


async def _all_rows(hass: HomeAssistant) -> dict[str, list[dict[str, Any]]]:
    await async_wait_recording_done(hass)
    ids = [
        meta["statistic_id"]
        for meta in await async_list_statistic_ids(hass, statistic_type="sum")
        if meta["statistic_id"].startswith("openpower:emporia_")
    ]
    return await _rows(hass, *ids)


@pytest.mark.freeze_time(NOW)
async def test_non_finite_usage_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hourly and chart answers with a usage of `1e999`: nothing stored, one log line, sums intact."""
    assert await async_setup_entry(hass, emporia_entry)
    before = await _all_rows(hass)
    assert len(before) == 26
    caplog.clear()
    now = datetime.fromisoformat(NOW)
    # Two hourly runs refused; the third, behind, asks the chart, refused too.
    monkeypatch.setattr(
        "tests.simulator.emporia.json_response", _with_huge_usage({"1H"})
    )
    for hour in (1, 2):
        await async_move_to(
            hass, freezer, now.replace(minute=3) + timedelta(hours=hour)
        )
    monkeypatch.setattr(
        "tests.simulator.emporia.json_response", _with_huge_usage({"chart"})
    )
    simulator.requests.clear()
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=3))
    assert any(r.query.get("apiMethod") == "getChartUsage" for r in simulator.requests)
    assert await _all_rows(hass) == before
    logged = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.openpower")
        and record.levelno >= logging.INFO
    ]
    assert len(logged) == 1, logged
    assert "history" in logged[0]
    # Emporia answering right again: the hours are filled, the sums run on.
    monkeypatch.undo()
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=4))
    rows = await _rows(hass, MAINS_ID)
    assert datetime.fromtimestamp(rows[MAINS_ID][-1]["start"], UTC) == now.replace(
        minute=0, second=0
    ) + timedelta(hours=3)
    _assert_consistent(rows[MAINS_ID])
