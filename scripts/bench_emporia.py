"""Emporia polling and backfill: a simulated day of the real integration against the simulator.

`.venv/bin/python scripts/bench_emporia.py [--quick] [--hours N] [--seed N]`, run by
`scripts/bench`, on the driver of `scripts/bench_driver.py`. The simulator's demo account is
added through the real config flow (email and password), then runs as it would: real
coordinators, the 30-day backfill, the real request budget (1,900 a day, 30 a minute). Default:
25 simulated hours, the first a warm-up (flow, setup, backfill), then a day; --quick: 6 hours (a
5-hour "day", per-day figures scaled). `--seed` seeds the coordinators' timer offsets (Home
Assistant staggers refreshes by a random 0.05-0.5 s) so that a run repeats exactly (default 2).
"""

from bench_driver import (  # isort:skip
    Updates,
    committed_statistics,
    coordinator,
    home_assistant,
    max_in_window,
    ms,
    perf_counter,
    run_frozen,
    table,
    log_as,
)

import argparse
from datetime import UTC, datetime, timedelta
from functools import partial
import itertools
import json
import random
import statistics
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    update_coordinator,
)
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.emporia import EMPORIA_LIMITS, EmporiaClient
from custom_components.openpower.api.emporia.models import parse_usages
from custom_components.openpower.api.errors import ApiRateLimitedError
from custom_components.openpower.const import DOMAIN
from tests.simulator import EMPORIA_EMAIL, EMPORIA_PASSWORD

START = datetime(2026, 11, 23, 0, 21, 17, tzinfo=UTC)  # 16:21:17 in Los Angeles
WARMUP = timedelta(hours=1)
DAY_LIMIT, MINUTE_LIMIT = (limit.count for limit in EMPORIA_LIMITS)
ENDPOINTS = (
    "InitiateAuth USER_PASSWORD_AUTH",
    "InitiateAuth REFRESH_TOKEN_AUTH",
    "customers/devices",
    "customers/devices/status",
    "getDeviceListUsages 1MIN",
    "getDeviceListUsages 1H",
    "getChartUsage",
    "PUT devices/outlet",
    "PUT devices/evcharger",
)
MAINTENANCE = "maintenance flag"  # on S3, asked only after a failure: no budget


async def _endpoint(request: web.Request) -> str:
    if "/cognito" in request.path:  # one path for every operation: its target and flow
        target = request.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        flow = json.loads(await request.read() or b"{}").get("AuthFlow")
        return f"{target} {flow}" if flow else target
    if "/maintenance/" in request.path:
        return MAINTENANCE
    path = request.path.split("/api/", 1)[-1]
    if request.method == "PUT":
        return f"PUT {path}"
    if path.endswith("AppAPI"):
        method = request.query.get("apiMethod", "")
        return f"{method} {request.query['scale']}" if "Usages" in method else method
    return path


async def _simulate(frozen: Any, hours: float, seed: int) -> dict[str, Any]:
    end = START + timedelta(hours=hours)
    holds: list[tuple[datetime, bool, float]] = []  # (asked, background, seconds held)
    refusals: list[datetime] = []
    request_s: list[float] = []
    acquire, get_usages = RequestBudget.acquire, EmporiaClient.async_get_usages

    async def watched_acquire(budget: RequestBudget, *args: Any, **kwargs: Any) -> None:
        asked = dt_util.utcnow()
        try:
            await acquire(budget, *args, **kwargs)
        except ApiRateLimitedError:
            refusals.append(asked)
            raise
        held = (dt_util.utcnow() - asked).total_seconds()
        holds.append((asked, kwargs.get("background", False), held))

    async def timed_usages(client: EmporiaClient, *args: Any, **kwargs: Any) -> Any:
        began = perf_counter()
        try:
            return await get_usages(client, *args, **kwargs)
        finally:
            if "1MIN" in (*args, *kwargs.values()):
                request_s.append(perf_counter() - began)

    with (
        # The coordinators' timer offsets, drawn in the order the setup creates them.
        patch(f"{update_coordinator.__name__}.randint", random.Random(seed).randint),
        patch.object(RequestBudget, "acquire", watched_acquire),
        patch.object(EmporiaClient, "async_get_usages", timed_usages),
    ):
        zone = "America/Los_Angeles"
        async with home_assistant(frozen, zone, name=_endpoint) as bench:
            hass, began = bench.hass, perf_counter()
            flow = hass.config_entries.flow
            result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
            form = {"email": EMPORIA_EMAIL, "password": EMPORIA_PASSWORD}
            form["advanced"] = bench.simulator.urls("emporia")
            for step in (
                {"next_step_id": "emporia"},
                {"next_step_id": "emporia_password"},
                form,
            ):
                result = await flow.async_configure(result["flow_id"], step)
            entry = result["result"]
            power = Updates(coordinator(entry, "power"), bench.entities)
            bench.traffic.on_answer.append(
                lambda _, n: n == ENDPOINTS[4] and power.start()
            )
            # The setup started the backfill in the background: wait for it (the budget holding
            # its requests back included), then for the recorder to commit.
            await bench.settle(end.timestamp())
            await get_instance(hass).async_block_till_done()
            backfill_s = perf_counter() - began
            query = partial(committed_statistics, bench.database, "openpower:emporia%")
            rows = await hass.async_add_executor_job(query)
            await bench.run_until(end)
            wall_s, ids = perf_counter() - began, entry.entry_id
            devices = len(dr.async_entries_for_config_entry(dr.async_get(hass), ids))
            entities = len(er.async_entries_for_config_entry(er.async_get(hass), ids))
            await hass.config_entries.async_unload(ids)
            await bench.settle()

    warm = START + WARMUP
    records = [(r, n) for r, n in bench.traffic.exchanges if START <= r.time < end]
    account = [r.time for r, name in records if name != MAINTENANCE]
    day_account = sum(1 for t in account if t >= warm)
    requests = {name: [0, 0] for name in (*ENDPOINTS, "all")}
    for r, name in records:
        for key in (name, "all"):
            requests.setdefault(key, [0, 0])[r.time >= warm] += 1
    # Only the backfill asks for charts; simulated time does not move while rows are imported.
    charts = [r.time for r, n in records if n == "getChartUsage"] or [START]
    held = [h for t, background, h in holds if background and t <= charts[-1] and h > 0]
    fresh = [warm, *(at for at, ok in power.done if ok and warm <= at < end), end]
    minute = max_in_window(account, timedelta(minutes=1))
    day = max_in_window(account, timedelta(days=1))[0]
    sample = bench.traffic.bodies.get(ENDPOINTS[4], b"{}")
    parse_s = []
    for _ in range(30):  # outside freezegun, which slows every datetime down
        parse_began = perf_counter()
        usages = parse_usages(json.loads(sample))
        parse_s.append(perf_counter() - parse_began)
    http_429 = sum(1 for r, _ in records if r.status == 429)
    per_day = round(day_account * 24 / (hours - 1))
    consumption = sum(1 for s in rows if s.endswith("_energy_consumption"))
    backfill = [len(charts), len(rows), sum(map(len, rows.values()))]
    gap = max(map(_seconds, itertools.pairwise(fresh)))
    parsed = [ms(parse_s), len(sample) // 100 / 10, len(usages.values)]
    backfill_s = [round(backfill_s, 1), _seconds((START, charts[-1]))]
    met = max(day, per_day) <= DAY_LIMIT and minute[0] <= MINUTE_LIMIT
    return {
        "requests: warm-up / day": requests,
        "devices / measured channels / entities": [devices, consumption, entities],
        f"requests a day (target ≤ {DAY_LIMIT:,})": per_day,
        f"most in any 60 s (limit {MINUTE_LIMIT}), from": list(minute),
        f"most in any 24 h (limit {DAY_LIMIT:,})": day,
        "429 answers / budget refusals": [http_429, len(refusals)],
        "requests the budget counted / received": [len(holds), len(account)],
        "longest without a power update, s": gap,
        "power update, median / p95 ms": [ms(power.seconds), ms(power.seconds, 0.95)],
        "  entity writes per update": statistics.median(power.writes or [0]),
        "  the request (and the simulator), ms": ms(request_s),
        "  decode + parse: ms / kB / channels": parsed,
        "backfill: getChartUsage / statistics / rows": backfill,
        "  held by the budget: requests / s": [len(held), round(sum(held), 1)],
        "  flow to last row committed: wall / sim. s": backfill_s,
        "wall clock, whole run, s": round(wall_s, 1),
        "targets met": met and not http_429 + len(refusals),
    }


def _seconds(span: tuple[datetime, datetime]) -> float:
    return (span[1] - span[0]).total_seconds()


def main() -> None:
    """Run the day and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="6 simulated hours")
    parser.add_argument("--hours", type=float, help="with the warm-up (default 25)")
    parser.add_argument("--seed", type=int, default=2, help="timer offsets' seed (2)")
    args = parser.parse_args()
    hours, began = args.hours or (6.0 if args.quick else 25.0), perf_counter()
    log_as("emporia")
    result = run_frozen(START, partial(_simulate, hours=hours, seed=args.seed))
    print(f"Emporia polling: the demo account, {hours:g} simulated hours from {START},")
    print(
        f"the first a warm-up (flow, setup, backfill); {perf_counter() - began:.0f} s"
    )
    day = "day" if hours == 25 else f"{hours - 1:g} h"
    requests = [
        [name, *counts] for name, counts in result["requests: warm-up / day"].items()
    ]
    print(table(["requests", "warm-up", day], requests))
    print(
        table(["", ""], [[label, value] for label, value in list(result.items())[1:]])
    )
    print(f"Targets: ≤ {DAY_LIMIT:,} requests of the account a day, ≤ {MINUTE_LIMIT} a")
    print("minute, no 429, no request refused by the budget.")
    print(json.dumps(result, separators=(",", ":")))


if __name__ == "__main__":
    main()
