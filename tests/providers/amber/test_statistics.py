"""Amber usage and cost in long-term statistics: backfill, corrections, restarts, outages, Energy."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
import logging
import re
from typing import Any

import aiohttp
from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy.validate import async_validate
from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.api.amber import AmberClient, ChannelType
from custom_components.openpower.providers.amber.runtime import SETTINGS, AmberSettings
from custom_components.openpower.statistics import async_last_hour
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.simulator import DEMO_SITE_5MIN, DEMO_TOKEN, Simulator
from tests.simulator.common import json_response

PREFIX = f"openpower:amber_{DEMO_SITE_5MIN.lower()}"
IDS = {
    f"{PREFIX}_e1_energy_consumption",
    f"{PREFIX}_e1_energy_cost",
    f"{PREFIX}_e2_energy_consumption",
    f"{PREFIX}_e2_energy_cost",
    f"{PREFIX}_b1_energy_return",
    f"{PREFIX}_b1_energy_compensation",
}
pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")


@pytest.fixture
def amber_history_days() -> int:
    """Three weeks of backfill: enough for corrections and outages, quick to write.

    (The recorder writes about 2,000 statistic rows a second; 90 days of six statistics is
    13,000 rows. The first test backfills the real 90 days.)
    """
    return 21


async def _rows(hass: HomeAssistant) -> dict[str, list[dict[str, Any]]]:
    await async_wait_recording_done(hass)
    return await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        IDS,
        "hour",
        None,
        {"state", "sum"},
    )


async def _api_days(
    simulator: Simulator, start: date, end: date
) -> dict[str, dict[date, float]]:
    """What Amber's /usage says now, per statistic and NEM date (export and credit positive)."""
    days: dict[str, dict[date, float]] = {statistic_id: {} for statistic_id in IDS}
    async with aiohttp.ClientSession() as session:
        client = AmberClient(session, DEMO_TOKEN, api_url=simulator.base_url("amber"))
        day = start
        while day <= end:
            last = min(day + timedelta(days=6), end)
            for item in await client.async_get_usage(DEMO_SITE_5MIN, day, last):
                ident = item.channel_identifier.lower()
                nem_date = (item.start + timedelta(hours=10)).date()
                if item.channel is ChannelType.FEED_IN:
                    amounts = {
                        "energy_return": -item.kwh,
                        "energy_compensation": -item.cost,
                    }
                else:
                    amounts = {"energy_consumption": item.kwh, "energy_cost": item.cost}
                for quantity, amount in amounts.items():
                    per_day = days[f"{PREFIX}_{ident}_{quantity}"]
                    per_day[nem_date] = per_day.get(nem_date, 0.0) + amount
            day = last + timedelta(days=1)
    return days


def _stored_days(rows: dict[str, list[dict[str, Any]]]) -> dict[str, dict[date, float]]:
    """The stored hourly states, per statistic and NEM date."""
    days: dict[str, dict[date, float]] = {}
    for statistic_id, statistic_rows in rows.items():
        per_day = days.setdefault(statistic_id, {})
        for row in statistic_rows:
            nem_date = (
                dt_util.utc_from_timestamp(row["start"]) + timedelta(hours=10)
            ).date()
            per_day[nem_date] = per_day.get(nem_date, 0.0) + row["state"]
    return days


def _assert_consistent(rows: dict[str, list[dict[str, Any]]]) -> None:
    """Hourly rows without a hole, each sum the previous sum plus the state (no double count)."""
    for statistic_rows in rows.values():
        for before, after in zip(statistic_rows, statistic_rows[1:], strict=False):
            assert after["start"] - before["start"] == 3600
            assert after["sum"] == pytest.approx(
                before["sum"] + after["state"], abs=1e-6
            )


async def _assert_matches_amber(
    simulator: Simulator, rows: dict[str, list[dict[str, Any]]], start: date, end: date
) -> None:
    """Every NEM date Amber serves in [start, end] is stored exactly as Amber says now."""
    api = await _api_days(simulator, start, end)
    stored = _stored_days(rows)
    for statistic_id in IDS:
        assert api[statistic_id]
        for nem_date, total in api[statistic_id].items():
            assert stored[statistic_id][nem_date] == pytest.approx(total, abs=1e-6), (
                statistic_id,
                nem_date,
            )


def _usage_requests(simulator: Simulator) -> list[tuple[str, str]]:
    return [
        (r.query["startDate"], r.query["endDate"])
        for r in simulator.requests
        if r.path.endswith("/usage") and r.status == 200
    ]


async def test_first_setup_backfills_90_days(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    amber_settings: AmberSettings,
) -> None:
    """90 days in 7-day requests, hourly in UTC, export and credit positive, exact values."""
    hass.data[SETTINGS] = replace(amber_settings, history_days=90)
    assert await async_setup_entry(hass, amber_entry)
    requests = _usage_requests(simulator)
    assert requests[0] == ("2026-08-25", "2026-08-31")
    assert requests[-1] == ("2026-11-17", "2026-11-22")
    assert len(requests) == 13
    rows = await _rows(hass)
    assert set(rows) == IDS
    consumption = rows[f"{PREFIX}_e1_energy_consumption"]
    # NEM midnight (UTC+10) 90 days ago, to the last hour of yesterday (NEM).
    assert consumption[0]["start"] == datetime(2026, 8, 24, 14, tzinfo=UTC).timestamp()
    assert (
        consumption[-1]["start"] == datetime(2026, 11, 22, 13, tzinfo=UTC).timestamp()
    )
    assert len(consumption) == 90 * 24
    hour = datetime(2026, 11, 20, 9, tzinfo=UTC)
    expected = sum(
        simulator.amber.usage_kwh(
            DEMO_SITE_5MIN, "E1", hour + timedelta(minutes=5 * i), billable=True
        )
        for i in range(12)
    )
    state = next(r["state"] for r in consumption if r["start"] == hour.timestamp())
    assert state == pytest.approx(expected, abs=1e-6)
    assert state > 0
    _assert_consistent(rows)
    await _assert_matches_amber(simulator, rows, date(2026, 8, 25), date(2026, 11, 22))
    for quantity in ("b1_energy_return", "b1_energy_compensation"):
        assert rows[f"{PREFIX}_{quantity}"][-1]["sum"] > 0


async def test_daily_refetch_picks_up_settled_corrections(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The last 7 days are fetched again; settled values replace estimates, no double count."""
    assert await async_setup_entry(hass, amber_entry)
    before = _stored_days(await _rows(hass))
    await async_move_to(hass, freezer, "2026-11-25T02:30:00+00:00")
    await async_move_to(hass, freezer, "2026-11-25T08:31:00+00:00")
    # Two days later: the two new days and the five before the last stored one; then,
    # six hours later, the usual last seven days.
    assert _usage_requests(simulator)[3:] == [
        ("2026-11-17", "2026-11-23"),
        ("2026-11-24", "2026-11-24"),
        ("2026-11-18", "2026-11-24"),
    ]
    rows = await _rows(hass)
    after = _stored_days(rows)
    # 2026-11-22 was an estimate at the first run and is settled (+2 %) now.
    consumption = f"{PREFIX}_e1_energy_consumption"
    assert (
        after[consumption][date(2026, 11, 22)] > before[consumption][date(2026, 11, 22)]
    )
    assert (
        after[consumption][date(2026, 11, 15)]
        == before[consumption][date(2026, 11, 15)]
    )
    _assert_consistent(rows)
    await _assert_matches_amber(simulator, rows, date(2026, 11, 2), date(2026, 11, 24))


async def test_restart_imports_incrementally(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """After a restart only the last 7 days are fetched again, and nothing changes."""
    assert await async_setup_entry(hass, amber_entry)
    before = await _rows(hass)
    assert await hass.config_entries.async_reload(amber_entry.entry_id)
    await async_settle(hass)
    assert _usage_requests(simulator)[3:] == [("2026-11-16", "2026-11-22")]
    assert await _rows(hass) == before


async def test_outage_longer_than_a_week_leaves_no_hole(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ten days without Amber: the next run catches up from the last stored hour."""
    assert await async_setup_entry(hass, amber_entry)
    simulator.fault_always("amber", "http_502")
    for day in range(24, 31):
        await async_move_to(hass, freezer, f"2026-11-{day}T03:00:00+00:00")
    for day in range(1, 4):
        await async_move_to(hass, freezer, f"2026-12-{day:02d}T03:00:00+00:00")
    simulator.fault_always("amber", None)
    await async_move_to(hass, freezer, "2026-12-03T09:01:00+00:00")
    # From five days before the last stored day, so that its estimates get settled too.
    assert _usage_requests(simulator)[3:] == [
        ("2026-11-17", "2026-11-23"),
        ("2026-11-24", "2026-11-30"),
        ("2026-12-01", "2026-12-02"),
    ]
    assert await async_last_hour(hass, f"{PREFIX}_e1_energy_consumption") == datetime(
        2026, 12, 2, 13, tzinfo=UTC
    )
    rows = await _rows(hass)
    _assert_consistent(rows)
    await _assert_matches_amber(simulator, rows, date(2026, 11, 12), date(2026, 12, 2))


async def test_energy_dashboard_accepts_statistics_and_prices(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Imported consumption, cost, return and compensation, and the live price entities."""
    hass.config.currency = "AUD"
    assert await async_setup_component(hass, "energy", {})
    assert await async_setup_entry(hass, amber_entry)
    await async_wait_recording_done(hass)
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": f"{PREFIX}_e1_energy_consumption",
                    "stat_energy_to": f"{PREFIX}_b1_energy_return",
                    "stat_cost": f"{PREFIX}_e1_energy_cost",
                    "entity_energy_price": None,
                    "number_energy_price": None,
                    "stat_compensation": f"{PREFIX}_b1_energy_compensation",
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
                {
                    "type": "grid",
                    "stat_energy_from": f"{PREFIX}_e2_energy_consumption",
                    "stat_energy_to": None,
                    "stat_cost": None,
                    "entity_energy_price": "sensor.home_controlled_load_price",
                    "number_energy_price": None,
                    "stat_compensation": None,
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
            ]
        }
    )
    validation = await async_validate(hass)
    assert validation.as_dict()["energy_sources"] == [[], []]


def _with_nan_kwh(payload: object, **kwargs: Any) -> web.Response:
    """The simulator's answer, with the first usage item's `kwh` replaced by `NaN`."""
    response = json_response(payload, **kwargs)
    if isinstance(payload, list) and payload and "kwh" in payload[0]:
        body = re.sub(r'"kwh":[-0-9.eE]+', '"kwh":NaN', response.text, count=1)
        response.body = body.encode()
    return response


async def test_non_finite_usage_is_refused(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A usage answer with `"kwh": NaN`: nothing stored, one log line, the sums intact."""
    assert await async_setup_entry(hass, amber_entry)
    before = await _rows(hass)
    monkeypatch.setattr("tests.simulator.amber.json_response", _with_nan_kwh)
    caplog.clear()
    asked = len(_usage_requests(simulator))
    # A day later: the new day and the settled corrections would be stored.
    await async_move_to(hass, freezer, "2026-11-24T02:01:00+00:00")
    assert len(_usage_requests(simulator)) > asked
    assert await _rows(hass) == before
    logged = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.openpower")
        and record.levelno >= logging.INFO
    ]
    assert [record.getMessage() for record in logged] == [
        "Home history: the response is not valid JSON; keeping the previous data"
    ]
    # Amber answering right again: the day is stored, the sums run on.
    monkeypatch.undo()
    await async_move_to(hass, freezer, "2026-11-24T08:02:00+00:00")
    rows = await _rows(hass)
    _assert_consistent(rows)
    await _assert_matches_amber(simulator, rows, date(2026, 11, 3), date(2026, 11, 23))
