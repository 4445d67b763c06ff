"""The statistics import: a year of 5-minute readings into a real recorder on a SQLite file.

`.venv/bin/python scripts/bench_statistics.py`, run by `scripts/bench`. On the driver's Home
Assistant (`scripts/bench_driver.py`; real time here, nothing is frozen) it imports 105,120
readings with cost into two statistics and waits for the recorder to commit, re-imports the last
7 days unchanged (the daily re-fetch), imports the year into one statistic alone, and once more
under tracemalloc (which traces every thread: the recorder's work on the rows is included) for
the peak memory. Then it times the pricing of readings (`pricing.price_readings`) on the
shapes Emporia's backfill and AlphaESS's batches hand it, checking one hour's cost. Most of "until committed" is the recorder's own import path, which looks each
hourly row up and writes it one at a time.
"""

from bench_driver import committed_statistics, home_assistant, perf_counter, table  # isort:skip

import asyncio
from datetime import UTC, datetime, time, timedelta
from functools import partial
import math
import random
import tracemalloc
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.helpers.recorder import get_instance

from custom_components.openpower.pricing import (
    LocalTariff,
    PriceSpan,
    TimeOfUsePeriod,
    price_readings,
)
from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
    hourly,
)

SYDNEY = ZoneInfo("Australia/Sydney")
STEP = timedelta(minutes=5)


def readings() -> list[IntervalReading]:
    """Return a deterministic year of 5-minute usage, a daily shape, wholesale-like prices."""
    rng = random.Random(20250101)
    start = datetime(2025, 1, 1, tzinfo=SYDNEY).astimezone(UTC)
    found = []
    for index in range(365 * 288):
        phase = 2 * math.pi * (index % 288) / 288
        kwh = round(max(0.0, 0.04 + 0.03 * math.sin(phase) + rng.gauss(0, 0.01)), 4)
        price = round(rng.uniform(-0.05, 0.45), 4)  # AUD/kWh, sometimes negative
        # Stepped in UTC, stamped in Sydney time as the API reports them (DST included).
        when = (start + index * STEP).astimezone(SYDNEY)
        found.append(IntervalReading(when, STEP, kwh, round(kwh * price, 6)))
    return found


async def measure() -> list[list[Any]]:
    """Run every import; return the rows of the report."""
    year = readings()
    began = perf_counter()
    hours = hourly(year)
    aggregation = round(perf_counter() - began, 3)
    async with home_assistant(None, "Australia/Sydney") as bench:

        async def timed(run: str, readings: list[Any], cost: bool) -> list[float]:
            """Import, wait for the commit; return (import call, until committed) seconds."""
            energy = StatisticSpec(
                "amber", run, "energy_consumption", run, "kWh", "energy"
            )
            costs = StatisticSpec("amber", run, "energy_cost", run, None, None)
            began = perf_counter()
            await async_import(
                bench.hass, energy, readings, cost_spec=costs if cost else None
            )
            called = perf_counter() - began
            await get_instance(bench.hass).async_block_till_done()
            return [round(called, 3), round(perf_counter() - began, 3)]

        stored = partial(
            committed_statistics, bench.database, "%bench_a_energy_consumption"
        )
        both = await timed("bench_a", year, cost=True)
        rows = stored()
        last = next(iter(rows.values()))[-1][2]
        if sum(map(len, rows.values())) != len(hours) or not math.isclose(
            last, math.fsum(r.value for r in year)
        ):
            raise RuntimeError(f"wrong import: {rows}")
        week = await timed("bench_a", year[-7 * 288 :], cost=True)
        if stored() != rows:
            raise RuntimeError("the identical re-fetch changed stored rows")
        single = await timed("bench_c", year, cost=False)
        tracemalloc.start()
        await timed("bench_b", year, cost=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return [
        ["readings / hours per statistic", [len(year), len(hours)]],
        ["aggregation into hours, hourly(), s", aggregation],
        ["one statistic: import call / until committed, s", single],
        ["  readings/s until committed", round(len(year) / single[1])],
        ["energy and cost: import call / until committed, s", both],
        ["  readings/s until committed", round(len(year) / both[1])],
        ["the last 7 days again, unchanged: import call / committed, s", week],
        ["peak memory of an import (tracemalloc), MiB", round(peak / 2**20, 1)],
    ]


def pricing() -> list[list[Any]]:
    """Time `price_readings` (CPU only) on the shapes the providers hand it; check one hour."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rng = random.Random(7)

    def spans(days: int) -> list[PriceSpan]:
        return [
            PriceSpan(start + i * STEP, start + (i + 1) * STEP, rng.uniform(-0.1, 0.6))
            for i in range(days * 288)
        ]

    def series(days: int, step: timedelta) -> list[IntervalReading]:
        count = int(days * timedelta(days=1) / step)
        return [
            IntervalReading(start + i * step, step, rng.uniform(0, 2))
            for i in range(count)
        ]

    rows: list[list[Any]] = []
    for label, days, piece in (
        ("Emporia backfill: 30 days of hours, 15-min pieces, 5-min prices", 30, 15),
        ("AlphaESS batch: 240 days of hours, 5-min pieces, 5-min prices", 240, 5),
    ):
        hours, pieces, prices = (
            series(days, timedelta(hours=1)),
            series(days, timedelta(minutes=piece)),
            spans(days),
        )
        began = perf_counter()
        priced = price_readings(hours, prices, pieces)
        took = perf_counter() - began
        first = hours[0]
        share = [p for p in pieces if p.start < first.start + first.duration]
        whole = math.fsum(p.value for p in share)
        expected = math.fsum(
            first.value * p.value / whole * _mean(prices, p) for p in share
        )
        if not math.isclose(priced.readings[0].cost or 0.0, expected, rel_tol=1e-9):
            raise RuntimeError(f"wrong cost: {priced.readings[0]} != {expected}")
        rows.append([f"{label}, ms", round(took * 1000, 1)])
    tariff = LocalTariff(
        0.25,
        0.05,
        (TimeOfUsePeriod(0.45, time(15), time(21), frozenset(range(5))),),
    )
    year = series(365, timedelta(hours=1))
    began = perf_counter()
    price_readings(
        year, tariff.spans(year[0].start, year[-1].start + timedelta(hours=1))
    )
    rows.append(
        [
            "a year of stored hours by a time-of-use tariff (history pricing), ms",
            round((perf_counter() - began) * 1000, 1),
        ]
    )
    return rows


def _mean(prices: list[PriceSpan], piece: IntervalReading) -> float:
    """Return the time-weighted price over a piece, computed apart from the code measured."""
    end = piece.start + piece.duration
    inside = [
        (min(p.end, end) - max(p.start, piece.start)) / piece.duration * p.price
        for p in prices
        if p.start < end and p.end > piece.start
    ]
    return math.fsum(inside)


def main() -> None:
    """Run the benchmark and print its figures."""
    print(
        table(
            ["statistics import: a year of 5-minute readings", ""],
            asyncio.run(measure()),
        )
    )
    print()
    print(table(["pricing readings (price_readings, CPU only)", ""], pricing()))


if __name__ == "__main__":
    main()
