"""Amber polling: simulated hours of the real integration against the simulator.

`.venv/bin/python scripts/bench_amber.py [--quick | --all] [--hours N] [--scenario KEY ...]`,
run by `scripts/bench`; each scenario a process of its own, two at a time, on the driver of
`scripts/bench_driver.py`. Default: single and multi over 24 simulated hours; --quick: 6 hours;
--all: the four. The first hour (with the 90-day history backfill) is the warm-up.
"""

from bench_driver import (  # isort:skip
    Updates,
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
import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from functools import partial
import json
from statistics import median
from typing import Any

from aiohttp import web
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.runtime import SETTINGS, AmberSettings
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
)

START = datetime(2026, 11, 23, 0, 3, 17, tzinfo=UTC)  # 11:03:17 in Sydney, mid-interval
WARMUP = timedelta(hours=1)
INTERVAL = 300
ENDPOINTS = ("prices/current", "sites", "usage")
SCENARIOS = {  # label, token, sites, Amber's confirmation delay, days of history (None: 90)
    "single": ("1 site", DEMO_TOKEN, (DEMO_SITE_5MIN,), 25.0, None),
    "multi": ("3 sites, 1 account", MULTI_TOKEN, MULTI_SITES, 25.0, None),
    "confirm45": ("1 site, confirm 45 s", DEMO_TOKEN, (DEMO_SITE_5MIN,), 45.0, 7),
    "confirm10": ("1 site, confirm 10 s", DEMO_TOKEN, (DEMO_SITE_5MIN,), 10.0, 7),
}
DEMO_ACCOUNT = (DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED)


async def _endpoint(request: web.Request) -> str:
    return next((e for e in ENDPOINTS if request.path.endswith(f"/{e}")), request.path)


def _site(path: str) -> str:
    parts = path.split("/")
    return parts[parts.index("sites") + 1] if "sites" in parts[:-1] else ""


async def _simulate(key: str, frozen: Any, hours: float) -> dict[str, Any]:
    label, token, sites, delay, days = SCENARIOS[key]
    settings = {SETTINGS: AmberSettings(history_days=days)} if days else None
    end, warm = START + timedelta(hours=hours), START + WARMUP
    async with home_assistant(frozen, "Australia/Sydney", settings, _endpoint) as bench:
        hass = bench.hass
        bench.simulator.amber.confirmation_delay = delay
        url = bench.simulator.base_url("amber")
        data = {"provider": "amber", "api_token": token, "advanced": {"api_url": url}}
        data["account_id"] = min(DEMO_ACCOUNT if token == DEMO_TOKEN else sites)
        entries = {}  # as the config flow makes them
        for number, site in enumerate(sites, start=1):
            title = "Home" if len(sites) == 1 else f"Site {number}"
            entry = {"title": title, "unique_id": f"amber_{site}", "domain": DOMAIN}
            entries[site] = MockConfigEntry(data=data | {"site_id": site}, **entry)
            entries[site].add_to_hass(hass)
        began = perf_counter()
        # Together, as Home Assistant sets its entries up when it starts.
        setups = (hass.config_entries.async_setup(e.entry_id) for e in entries.values())
        await asyncio.gather(*setups)
        await bench.settle()
        setup_s = perf_counter() - began
        prices = {site: coordinator(e, "prices") for site, e in entries.items()}
        updates = {site: Updates(c, bench.entities) for site, c in prices.items()}
        site_of = {e.entry_id: site for site, e in entries.items()}

        def on_answer(request: web.Request, name: str) -> None:
            if name == ENDPOINTS[0]:
                updates[_site(request.path)].start()

        bench.traffic.on_answer.append(on_answer)
        confirmed: dict[str, list[float]] = defaultdict(list)  # s into the interval
        down: dict[str, datetime] = {}
        unavailable = [0.0]

        def on_write(event: Event[Any], entity: er.RegistryEntry) -> None:
            price = entity.unique_id.endswith("_general_price")
            if event.event_type != EVENT_STATE_CHANGED or not price:
                return
            state = event.data
            old, new, now = state["old_state"], state["new_state"], dt_util.utcnow()
            was = old and old.attributes.get("estimate")
            confirmed_now = new.attributes.get("estimate") is False
            if now >= warm and confirmed_now and was is not False:
                into = now.timestamp() % INTERVAL  # the confirmed price, seen
                confirmed[site_of[entity.config_entry_id]].append(into)
            if new.state == STATE_UNAVAILABLE:
                down.setdefault(entity.entity_id, now)
            elif since := down.pop(entity.entity_id, None):
                unavailable[0] += (now - since).total_seconds()

        bench.entities.listeners.append(on_write)
        await bench.run_until(end)
        wall_s = perf_counter() - began
        unavailable[0] += sum((end - since).total_seconds() for since in down.values())
        for entry in entries.values():
            await hass.config_entries.async_unload(entry.entry_id)
        await bench.settle()

    records = [(r, n) for r, n in bench.traffic.exchanges if START <= r.time < end]
    in_run = Counter(name for _, name in records)
    warmup = sum(1 for r, _ in records if r.time < warm)
    # When in the interval each price request went, per site and interval after the warm-up.
    first = int(-(-warm.timestamp() // INTERVAL))
    last = int(end.timestamp() // INTERVAL)
    seconds: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r, name in records:
        interval, into = divmod(int(r.time.timestamp()), INTERVAL)
        if name == ENDPOINTS[0] and interval >= first:
            seconds[_site(r.path), interval].append(into)
    intervals = [(site, i) for site in sites for i in range(first, last)]
    per_interval = Counter(len(seconds[i]) for i in intervals)
    patterns = Counter(" ".join(f"+{s}" for s in seconds[i]) for i in intervals)
    answered = [r.time for r, _ in records if r.status != 429]
    window = max_in_window(answered, timedelta(seconds=INTERVAL))
    times = [s for u in updates.values() for s in u.seconds]
    writes = [w for u in updates.values() for w in u.writes] or [0]
    http_429 = len(records) - len(answered)
    seen = [round(median(confirmed[s]), 1) if confirmed[s] else None for s in sites]
    steady = round((len(records) - warmup) * 24 / (hours - 1))
    counts = [in_run[endpoint] for endpoint in ENDPOINTS]
    return {
        "": label,
        "confirmation delay, s / history, days": [delay, days or 90],
        "requests: all / prices / sites / usage": [len(records), *counts],
        "  in the warm-up hour / steady, a day": [warmup, steady],
        "price requests per interval per site": dict(sorted(per_interval.items())),
        "  seconds into the interval": dict(patterns.most_common(3)),
        "most requests in any 300 s, from": list(window),
        "429 answers / price unavailable, s": [http_429, round(unavailable[0], 1)],
        "confirmed price seen, s into interval": seen,
        "price update, median / p95 ms": [ms(times), ms(times, 0.95)],
        "  entity writes per update": median(writes),
        "wall clock: setup / whole run, s": [round(setup_s, 1), round(wall_s, 1)],
        "targets met": max(per_interval) <= 2 and window[0] <= 50 and not http_429,
    }


def main() -> None:
    """Run the scenarios and print their figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="the four scenarios")
    which.add_argument("--quick", action="store_true", help="6 simulated hours")
    parser.add_argument("--hours", type=float, help="simulated hours (default 24)")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # KEY:HOURS, this process
    args = parser.parse_args()
    if args.worker:
        key, hours = args.worker.split(":")
        simulate = partial(_simulate, key, hours=float(hours))
        worker(key, lambda: run_frozen(START, simulate))
        return
    hours = args.hours or (6.0 if args.quick else 24.0)
    keys = args.scenario or (list(SCENARIOS) if args.all else ["single", "multi"])
    began = perf_counter()
    # Longest first, so that the two processes end at about the same time.
    order = sorted(keys, key=lambda k: -len(SCENARIOS[k][2]))
    done = in_processes(__file__, [f"{k}:{hours:g}" for k in order], 2)
    results = [done[order.index(k)] for k in keys]
    print(
        f"Amber polling: {hours:g} hours simulated from {START} (warm-up: the first);"
    )
    print(f"{len(keys)} scenarios, two at a time: {perf_counter() - began:.0f} s")
    rows = [[label, *(r[label] for r in results)] for label in list(results[0])[1:]]
    print(table(["", *(r[""] for r in results)], rows))
    print("Targets: ≤ 2 price requests per interval per site in steady state;")
    print("≤ 50 requests of an account in any 300 s; no 429.")
    print(json.dumps(results, separators=(",", ":")))


if __name__ == "__main__":
    main()
