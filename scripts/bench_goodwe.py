"""GoodWe (SEMS+): a simulated day of polling a hybrid station, and the time of one update.

`.venv/bin/python scripts/bench_goodwe.py [--quick]`, run by `scripts/bench`; the scenario a
process of its own, on the driver of `scripts/bench_driver.py`, against the simulator's visitor
account: the hybrid station *Home (hybrid)* (Europe/Amsterdam) with an inverter, a battery, a
smart meter and a dongle (no device of its own), at the integration's production settings (its
request budget of 2,000 a day and 30 a minute included), except the history: yesterday only, so
the day counts the steady polling, not a backfill.

- `day`: a warm-up hour (setup, first reads), then 24 simulated hours at the cadences of
  `providers/goodwe/const.py`: the requests counted by endpoint, set beside what the cadences
  alone would ask (`expected`) and the share of the flow's reads that the budget let through,
  the most in flight at once (the simulator's log), `GY0429` answers, the budget's waits; and,
  in the warm-up, one full update (flow, devices, statistics, back to back), three times.
`--quick`: 6 hours instead of 24.
"""

from bench_driver import (  # isort:skip
    coordinator,
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
import logging
from typing import Any

from aiohttp import web
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.goodwe.const import (
    DEVICES_INTERVAL,
    FLOW_INTERVAL,
    STATION_INTERVAL,
    STATISTICS_INTERVAL,
)
from custom_components.openpower.providers.goodwe.runtime import (
    SETTINGS,
    GoodWeSettings,
)
from tests.simulator import GOODWE_EMAIL, GOODWE_PASSWORD, GOODWE_STATION
from tests.simulator.goodwe import GATEWAY_HOST, GoodWeSimulator

START = datetime(2026, 11, 23, 9, 3, 17, tzinfo=UTC)  # 10:03:17 in Amsterdam
WARMUP = timedelta(hours=1)
RATE_LIMITED = "GY0429"
TARGET = 2000
DAY = timedelta(days=1)
# Per devices read (every `DEVICES_INTERVAL`): the device list, then telemetry of the inverter,
# the battery and the meter, and counters of the inverter and the meter (none for a battery).
DEVICE_READS = 1 + 3 + 2
UPDATES = ("flow", "devices", "statistics")


def expected_per_day() -> dict[str, int]:
    """Return what the cadences alone ask a day (no retry, no login)."""
    return {
        "flow": DAY // FLOW_INTERVAL,
        "devices": DAY // DEVICES_INTERVAL * DEVICE_READS,
        "statistics": DAY // STATISTICS_INTERVAL,
        "station list": DAY // STATION_INTERVAL,
    }


async def _endpoint(request: web.Request) -> str:
    return request.path.rsplit("/", 1)[-1]


async def _entry(bench: Any) -> MockConfigEntry:
    url = bench.simulator.urls("goodwe")["api_url"]
    data = {
        "provider": "goodwe",
        "username": GOODWE_EMAIL,
        "password": GOODWE_PASSWORD,
        "advanced": {"api_url": url},
        "gateway": bench.simulator.base_url("goodwe") + GATEWAY_HOST,
        "station_id": GOODWE_STATION,
    }
    entry = MockConfigEntry(
        domain=DOMAIN, title="Home (hybrid)", unique_id=GOODWE_STATION, data=data
    )
    entry.add_to_hass(bench.hass)
    return entry


class _Counted(logging.Handler):
    """Counts the integration's warnings that the request budget is exhausted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "request budget exhausted" in record.getMessage():
            self.count += 1


async def _day(frozen: Any, hours: float) -> dict[str, Any]:
    budget_waits = _Counted()
    logging.getLogger("custom_components.openpower").addHandler(budget_waits)
    settings = {SETTINGS: GoodWeSettings(history_days=1)}
    end, warm = START + WARMUP + timedelta(hours=hours), START + WARMUP
    async with home_assistant(frozen, "Europe/Amsterdam", settings, _endpoint) as bench:
        part = bench.simulator.part("goodwe")
        assert isinstance(part, GoodWeSimulator)
        entry = await _entry(bench)
        began = perf_counter()
        await bench.hass.config_entries.async_setup(entry.entry_id)
        await bench.settle()
        setup_s = perf_counter() - began
        # One full update: the three cadences, back to back, in the warm-up (the budget idle;
        # its 24 requests are not counted in the day, but the budget's day holds them).
        await bench.run_until(START + WARMUP / 2)
        update: list[float] = []
        for _ in range(3):
            began = perf_counter()
            for name in UPDATES:
                await bench.drive(coordinator(entry, name).async_refresh())
            update.append(perf_counter() - began)
        await bench.run_until(end)
        rate_limited = bench.traffic.codes[RATE_LIMITED]
        peak = part.peak_in_flight("demo")
        states = {
            state.entity_id: state.state
            for state in bench.hass.states.async_all("sensor")
        }
        await bench.hass.config_entries.async_unload(entry.entry_id)
        await bench.settle()
    records = [(r, n) for r, n in bench.traffic.exchanges if warm <= r.time < end]
    per_day = round(len(records) * 24 / hours)
    window = max_in_window([r.time for r, _ in records], timedelta(seconds=60))
    names = Counter(name for _, name in records)
    unknown = sorted(e for e, s in states.items() if s in ("unknown", "unavailable"))
    flow_kept = round(names["flow"] * 24 / hours) / expected_per_day()["flow"]
    return {
        "": f"day ({hours:g} h)",
        "requests a day": per_day,
        "  by endpoint, a day": {
            n: round(c * 24 / hours) for n, c in names.most_common()
        },
        "  expected from the cadences": sum(expected_per_day().values()),
        "  expected, by cadence": expected_per_day(),
        "flow reads kept, of the cadence's": f"{flow_kept:.0%}",
        "most requests in any 60 s, from": list(window),
        "most in flight at once": peak,
        "GY0429 answers": rate_limited,
        "sensors / unknown or unavailable": [len(states), len(unknown)],
        "one full update (flow, devices, statistics), median ms": ms(update),
        "wall clock: setup, s": round(setup_s, 2),
        "budget waits (warnings logged)": budget_waits.count,
        "targets met": per_day <= TARGET
        and flow_kept >= 0.99
        and not rate_limited
        and peak <= 2,
    }


def main() -> None:
    """Run the scenario and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="6 hours")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # day:HOURS, this process
    args = parser.parse_args()
    if args.worker:
        key, size = args.worker.split(":")
        simulate = partial(_day, hours=float(size))
        worker(key, lambda: run_frozen(START, simulate))
        return
    began = perf_counter()
    (result,) = in_processes(__file__, [f"day:{6 if args.quick else 24}"])
    print(
        f"GoodWe: the visitor account's hybrid station, from {START}: "
        f"{perf_counter() - began:.0f} s"
    )
    rows = [[label, result[label]] for label in list(result)[1:]]
    print(table(["", result[""]], rows))
    print(
        f"Targets: ≤ {TARGET:,} requests a day with the cadences kept (the budget caps the "
        "requests at 2,000 in any 24 h: a cadence above it is starved); at most 2 in flight; "
        "no GY0429."
    )
    print(json.dumps(result, separators=(",", ":")))


if __name__ == "__main__":
    main()
