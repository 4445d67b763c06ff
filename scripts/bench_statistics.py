"""Benchmark statistics.async_import: one year of 5-minute readings into a real sqlite recorder.

Run from the repository root: `.venv/bin/python scripts/bench_statistics.py`. It starts a test
Home Assistant (the pytest harness's `async_test_home_assistant`) with the recorder on a temporary
database file, imports 105,120 readings with cost, waits for the recorder to commit, then times
the daily re-fetch (an identical re-import of the last 7 days) and the same year into a single
statistic. No network socket is opened. Most of "until committed" is the recorder's own import
path, which looks each hourly row up and inserts it one at a time (about 0.5 ms a row here).

Timings come from a first run without tracemalloc (it slows Python down); memory from a second,
identical import into fresh statistics under tracemalloc, which traces every thread, so the
recorder's own work on the rows is included.
"""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from zoneinfo import ZoneInfo

# The script runs as a file, so the repository root is not on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeassistant.components import recorder  # noqa: E402
from homeassistant.components.recorder.statistics import statistics_during_period  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import recorder as recorder_helper  # noqa: E402
from homeassistant.helpers.recorder import get_instance  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from pytest_homeassistant_custom_component.common import async_test_home_assistant  # noqa: E402
from pytest_homeassistant_custom_component.components.recorder.common import (  # noqa: E402
    async_wait_recording_done,
)

from custom_components.openpower.statistics import (  # noqa: E402
    IntervalReading,
    StatisticSpec,
    async_import,
    hourly,
)

STEP = timedelta(minutes=5)
SYDNEY = ZoneInfo("Australia/Sydney")
START = datetime(2025, 1, 1, tzinfo=SYDNEY)
START_UTC = START.astimezone(UTC)
COUNT = 365 * 288  # one year of 5-minute intervals


def spec(run: str, quantity: str, unit: str | None) -> StatisticSpec:
    """Return the statistic of one benchmark run (fresh ids per run)."""
    return StatisticSpec(
        "amber",
        f"bench_{run}",
        quantity,
        f"Bench {run} {quantity}",
        unit,
        "energy" if unit else None,
    )


def build_readings() -> list[IntervalReading]:
    """Return a deterministic year of 5-minute usage with a daily shape and wholesale-like prices."""
    rng = random.Random(20250101)
    readings = []
    for index in range(COUNT):
        # Stepped in UTC, stamped in Sydney time as the API reports them (DST included).
        start = (START_UTC + index * STEP).astimezone(SYDNEY)
        phase = 2 * math.pi * (index % 288) / 288
        kwh = round(max(0.0, 0.04 + 0.03 * math.sin(phase) + rng.gauss(0, 0.01)), 4)
        price = round(rng.uniform(-0.05, 0.45), 4)  # AUD/kWh, sometimes negative
        readings.append(IntervalReading(start, STEP, kwh, round(kwh * price, 6)))
    return readings


async def stored_rows(hass: HomeAssistant, statistic_id: str) -> list[Any]:
    """Return every stored hourly row of the statistic."""
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(1970, 1, 1, tzinfo=UTC),
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return list(result.get(statistic_id, []))


async def timed_import(
    hass: HomeAssistant,
    readings: Sequence[IntervalReading],
    energy: StatisticSpec,
    cost: StatisticSpec | None,
) -> dict[str, Any]:
    """Import and wait for the commit; return the timings and what was written."""
    began = time.perf_counter()
    result = await async_import(hass, energy, readings, cost_spec=cost)
    returned = time.perf_counter()
    await async_wait_recording_done(hass)
    committed = time.perf_counter()
    return {
        "import_call_s": round(returned - began, 3),
        "until_committed_s": round(committed - began, 3),
        "hours_written": result.hours_written,
        "rows_rebased": result.rows_rebased,
    }


async def measure(
    hass: HomeAssistant, db_file: Path, readings: list[IntervalReading], hours: int
) -> tuple[
    dict[str, Any],
    dict[str, Any],
    dict[str, Any],
    dict[str, Any],
    int,
    list[IntervalReading],
]:
    """Start the recorder, import the year, re-fetch a week, then import again under tracemalloc."""
    recorder_helper.async_initialize_recorder(hass)
    if not await async_setup_component(
        hass,
        recorder.DOMAIN,
        {recorder.DOMAIN: {"db_url": f"sqlite:///{db_file}", "commit_interval": 0}},
    ):
        raise RuntimeError("the recorder did not start")
    await hass.async_block_till_done()

    energy = spec("a", "energy_consumption", "kWh")
    cost = spec("a", "energy_cost", None)
    year = await timed_import(hass, readings, energy, cost)
    rows = await stored_rows(hass, energy.statistic_id)
    expected_total = sum(reading.value for reading in readings)
    if len(rows) != hours or not math.isclose(
        rows[-1]["sum"], expected_total, rel_tol=1e-9
    ):
        raise RuntimeError(f"wrong import: {len(rows)} rows, last {rows[-1]}")

    week = readings[-7 * 288 :]
    refetch = await timed_import(hass, week, energy, cost)
    if refetch["rows_rebased"] or await stored_rows(hass, energy.statistic_id) != rows:
        raise RuntimeError("the identical re-fetch changed stored rows")

    # The same year into a single statistic (no cost): the per-statistic figure.
    single = await timed_import(
        hass, readings, spec("c", "energy_consumption", "kWh"), None
    )

    tracemalloc.start()
    memory_run = await timed_import(
        hass,
        readings,
        spec("b", "energy_consumption", "kWh"),
        spec("b", "energy_cost", None),
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return year, refetch, single, memory_run, peak, week


async def run(db_file: Path) -> dict[str, Any]:
    """Run the benchmark against a recorder on `db_file`."""
    began = time.perf_counter()
    readings = build_readings()
    built = time.perf_counter() - began

    began = time.perf_counter()
    hours = hourly(readings)
    aggregation = time.perf_counter() - began

    async with async_test_home_assistant() as hass:
        # Stopped whatever happens: a running recorder thread would keep the process alive.
        try:
            measured = await measure(hass, db_file, readings, len(hours))
        finally:
            await hass.async_stop()
    year, refetch, single, memory_run, peak, week = measured

    return {
        "readings": len(readings),
        "hours": len(hours),
        "build_readings_s": round(built, 3),
        "aggregation_s": round(aggregation, 3),
        "import_call_s": year["import_call_s"],
        "until_committed_s": year["until_committed_s"],
        "readings_per_s": round(len(readings) / year["until_committed_s"]),
        "single_statistic_import_call_s": single["import_call_s"],
        "single_statistic_until_committed_s": single["until_committed_s"],
        "refetch_7d_readings": len(week),
        "refetch_7d_import_call_s": refetch["import_call_s"],
        "refetch_7d_until_committed_s": refetch["until_committed_s"],
        "tracemalloc_peak_mib": round(peak / 2**20, 1),
        "traced_run_until_committed_s": memory_run["until_committed_s"],
        "ru_maxrss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "db_file_mib": round(db_file.stat().st_size / 2**20, 2),
    }


def main() -> None:
    """Run the benchmark on a temporary database file and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(run(Path(tmp) / "home-assistant_v2.db"))
    for label, key, unit in (
        ("readings", "readings", ""),
        ("hours per statistic", "hours", ""),
        ("aggregation, hourly()", "aggregation_s", "s"),
        ("import call, value + cost", "import_call_s", "s"),
        ("until committed, value + cost", "until_committed_s", "s"),
        ("readings/s to committed", "readings_per_s", ""),
        ("import call, one statistic", "single_statistic_import_call_s", "s"),
        ("until committed, one statistic", "single_statistic_until_committed_s", "s"),
        ("re-fetch 7 days, import call", "refetch_7d_import_call_s", "s"),
        ("re-fetch 7 days, until committed", "refetch_7d_until_committed_s", "s"),
        ("tracemalloc peak during import", "tracemalloc_peak_mib", "MiB"),
        ("ru_maxrss of the process", "ru_maxrss_mib", "MiB"),
        ("database file", "db_file_mib", "MiB"),
    ):
        print(f"{label:<34}{figures[key]:>12,} {unit}")
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
