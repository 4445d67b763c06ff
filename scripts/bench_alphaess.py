"""AlphaESS: a simulated day of polling, one full update, and a year's backfill.

`.venv/bin/python scripts/bench_alphaess.py [--quick]`, run by `scripts/bench`; each scenario a
process of its own, on the driver of `scripts/bench_driver.py`, against the simulator's demo
AppID (two systems: one with live power, the periodic store and an EV charger, one on the
5-minute fallback and the legacy store), with AlphaESS's 10 requests a minute enforced by the
simulator and kept by the integration's budget.

- `day`: a warm-up hour, then 24 simulated hours at the default cadence (history: yesterday).
- `year`: the first backfill of a year of both systems, live polling going on meanwhile: until
  the history is complete (simulated and wall-clock time, requests, committed hours).
`--quick`: 6 hours instead of 24, and 30 days instead of a year.
"""

from bench_driver import (  # isort:skip
    coordinator,
    committed_statistics,
    home_assistant,
    in_processes,
    max_in_window,
    ms,
    perf_counter,
    run_frozen,
    table,
    worker,
)

import argparse
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
import json
from typing import Any

from aiohttp import web
from homeassistant.helpers.recorder import get_instance
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssSettings,
)
from tests.simulator import ALPHAESS_APP_ID, ALPHAESS_APP_SECRET

START = datetime(2026, 11, 23, 0, 3, 17, tzinfo=UTC)  # 11:03:17 in Sydney
WARMUP = timedelta(hours=1)
TOO_FAST = 6053
KINDS = ("live", "energy", "summary", "control", "systems")


async def _endpoint(request: web.Request) -> str:
    return request.path.rsplit("/", 1)[-1]


async def _entry(bench: Any, history_days: int) -> MockConfigEntry:
    url = bench.simulator.base_url("alphaess")
    data = {"provider": "alphaess", "app_id": ALPHAESS_APP_ID}
    data |= {"app_secret": ALPHAESS_APP_SECRET, "advanced": {"api_url": url}}
    unique_id = f"alphaess_{ALPHAESS_APP_ID}"
    entry = MockConfigEntry(
        domain=DOMAIN, title="AlphaESS", unique_id=unique_id, data=data
    )
    entry.add_to_hass(bench.hass)
    return entry


async def _day(frozen: Any, hours: float) -> dict[str, Any]:
    settings = {SETTINGS: AlphaEssSettings(history_days=1)}
    end, warm = START + WARMUP + timedelta(hours=hours), START + WARMUP
    async with home_assistant(frozen, "Australia/Sydney", settings, _endpoint) as bench:
        entry = await _entry(bench, 1)
        began = perf_counter()
        await bench.hass.config_entries.async_setup(entry.entry_id)
        await bench.settle()
        setup_s = perf_counter() - began
        await bench.run_until(end)
        too_fast = bench.traffic.codes[TOO_FAST]
        # One full update: every data kind of both systems, back to back, the budget idle.
        await bench.run_until(end + timedelta(minutes=2))
        update: list[float] = []
        for _ in range(3):
            began = perf_counter()
            for kind in KINDS:
                await bench.drive(coordinator(entry, kind).async_refresh())
            update.append(perf_counter() - began)
        await bench.hass.config_entries.async_unload(entry.entry_id)
        await bench.settle()
    records = [(r, n) for r, n in bench.traffic.exchanges if warm <= r.time < end]
    per_day = round(len(records) * 24 / hours)
    window = max_in_window([r.time for r, _ in records], timedelta(seconds=60))
    names = Counter(name for _, name in records)
    return {
        "": f"day ({hours:g} h)",
        "requests a day": per_day,
        "  by endpoint, a day": {
            n: round(c * 24 / hours) for n, c in names.most_common()
        },
        "most requests in any 60 s, from": list(window),
        "6053 answers": too_fast,
        "one full update (5 kinds, 2 systems), median ms": ms(update),
        "wall clock: setup, s": round(setup_s, 2),
        "targets met": per_day <= 3000 and not too_fast,
    }


async def _year(frozen: Any, days: int) -> dict[str, Any]:
    settings = {SETTINGS: AlphaEssSettings(history_days=days)}
    async with home_assistant(frozen, "Australia/Sydney", settings, _endpoint) as bench:
        entry = await _entry(bench, days)
        began = perf_counter()
        await bench.hass.config_entries.async_setup(entry.entry_id)
        history = coordinator(entry, "history")
        limit = START + timedelta(days=2)
        step = START
        while not all(s.complete for s in history.data.systems.values()) or not (
            history.data.systems
        ):
            step += timedelta(minutes=30)
            if step > limit:
                break
            await bench.run_until(step)
        done_at = step
        await get_instance(bench.hass).async_block_till_done()
        wall_s = perf_counter() - began  # until the last row is committed
        await bench.hass.config_entries.async_unload(entry.entry_id)
        await bench.settle()
        rows = committed_statistics(bench.database, "openpower:alphaess_%")
    names = Counter(name for _, name in bench.traffic.exchanges)
    history_requests = names["getOneDayPowerBySn"] + names["getOneDateEnergyBySn"]
    hours = {statistic: len(found) for statistic, found in rows.items()}
    return {
        "": f"backfill ({days} days)",
        "simulated time to complete, h": round(
            (done_at - START) / timedelta(hours=1), 1
        ),
        "history requests (day power + energy)": history_requests,
        "all requests meanwhile": len(bench.traffic.exchanges),
        "6053 answers": bench.traffic.codes[TOO_FAST],
        "committed hours per statistic, min / max": [
            min(hours.values(), default=0),
            max(hours.values(), default=0),
        ],
        "statistics": len(hours),
        "wall clock, setup to last row committed, s": round(wall_s, 1),
    }


SCENARIOS = {"day": _day, "year": _year}


def main() -> None:
    """Run the two scenarios and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="6 hours, 30 days")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # KEY:SIZE, this process
    args = parser.parse_args()
    if args.worker:
        key, size = args.worker.split(":")
        simulate = partial(
            SCENARIOS[key],
            **({"hours": float(size)} if key == "day" else {"days": int(size)}),
        )
        worker(key, lambda: run_frozen(START, simulate))
        return
    sizes = {"day": 6 if args.quick else 24, "year": 30 if args.quick else 365}
    began = perf_counter()
    results = in_processes(__file__, [f"{k}:{v}" for k, v in sizes.items()], 2)
    print(
        f"AlphaESS: the demo AppID's two systems, from {START}: {perf_counter() - began:.0f} s"
    )
    for result in results:
        rows = [[label, result[label]] for label in list(result)[1:]]
        print(table(["", result[""]], rows))
    print("Targets: ≤ 3,000 requests a day at the default cadence; no 6053.")
    print(json.dumps(results, separators=(",", ":")))


if __name__ == "__main__":
    main()
