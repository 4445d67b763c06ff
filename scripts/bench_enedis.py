"""Enedis (Linky): a first setup's backfill per backend, then days of the daily schedule.

`.venv/bin/python scripts/bench_enedis.py [--quick] [--days N]`, run by `scripts/bench`; each
scenario a process of its own, two at a time, on the driver of `scripts/bench_driver.py`, with
the settings production runs with (`EnedisSettings()`): the real budgets, jitter and depth. One
entry, one PRM, per scenario: the simulator's demo consumer (`ENEDIS_PRM`) or its producer and
consumer (`ENEDIS_PROSUMER_PRM`), both commissioned in 2015 so that Enedis serves the whole
depth (daily values 36 months back, load curves 24 months), through each backend: the Conso API
(the simulator bans at 100 requests in 12 hours), MyElectricalData (50 calls a Paris day) and
Data Connect (5 a second and 1000 an hour per API, counted on the virtual clock).

- Backfill: from the setup until every direction's history is complete (simulated and wall-clock
  time, requests by kind, the most in any 12 hours / Paris day / second, rows handed to the
  recorder and committed).
- Steady state: N whole Paris days (default 7) of the daily schedule after the first midnight
  following the backfill: requests per day, by kind (measures, maximum power, contract, token).
- Check, on the committed SQLite rows at the end: every day from the daily reach to yesterday is
  stored and its energy equals the simulator's day (its half-hours' sum), curve days hour by
  hour (23, 24 or 25 rows), daily days as one value; the running sums continue row to row; the
  DST days' hourly rows against their 46 / 50 half-hours. Exit status 1 when a check fails.
`--quick`: the consumer only (three scenarios, one per backend).
"""

from bench_driver import (  # isort:skip
    committed_statistics,
    home_assistant,
    in_processes,
    max_in_window,
    perf_counter,
    run_frozen,
    table,
    worker,
)

import argparse
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import partial
import json
import sys
from typing import Any

from aiohttp import web
from homeassistant.helpers.recorder import get_instance
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.enedis import PARIS, Backend, Direction
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.enedis.const import (
    CONTRACT_INTERVAL,
    MAX_JITTER,
)
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_CONSO_TOKEN,
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_MED_TOKEN,
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
)
from tests.simulator.enedis_model import local_midnight

START = datetime(
    2026, 11, 16, 9, 17, 23, tzinfo=UTC
)  # 10:17:23 in Paris: yesterday is out
COMMISSIONED = date(2015, 3, 2)
"""Before every history limit: Enedis serves the whole depth."""
GIVE_UP = timedelta(days=14)
"""Simulated time the backfill may take before the scenario reports it incomplete."""
STEP = timedelta(minutes=30)
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
DST_DAYS = (
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2026, 3, 29),
    date(2026, 10, 25),
)
METERS = {"consumer": ENEDIS_PRM, "prosumer": ENEDIS_PROSUMER_PRM}
BACKENDS = {
    "conso": Backend.CONSO_API,
    "med": Backend.MYELECTRICALDATA,
    "dc": Backend.DATA_CONNECT,
}
LABELS = {"conso": "Conso API", "med": "MyElectricalData", "dc": "Data Connect"}
KINDS = {
    "consommation_quotidienne": "daily",
    "production_quotidienne": "daily",
    "daily_consumption": "daily",
    "daily_production": "daily",
    "courbe_de_charge_consommation": "curve",
    "courbe_de_charge_production": "curve",
    "consumption_load_curve": "curve",
    "production_load_curve": "curve",
    "puissance_conso_max_quotidienne": "max power",
    "daily_consumption_max_power": "max power",
    "token": "token",
}
"""Request names (`_name`) by kind; every other name is a contract or customer read."""
ORDER = ("daily", "curve", "max power", "contract", "token")


async def _name(request: web.Request) -> str:
    """Name a request by the resource, service or API it asks (`/enedis/<host>/…`)."""
    parts = request.path.split("/")
    if parts[2] == "conso":  # /enedis/conso/api/{resource}
        return parts[4]
    if parts[2] == "med":  # /enedis/med/{service}/{prm}/…
        return parts[3]
    if parts[3] == "oauth2":  # /enedis/dc/oauth2/v3/token
        return "token"
    if (
        parts[3] == "mesure_synchrone_auto"
    ):  # /enedis/dc/mesure_synchrone_auto/v2/{resource}
        return parts[5]
    return parts[3]  # /enedis/dc/{contract api}/v1/{prm}


def _kind(name: str) -> str:
    return KINDS.get(name, "contract")


def _api(name: str) -> str:
    return "measures" if _kind(name) in {"daily", "curve", "max power"} else name


def _by_kind(names: list[str]) -> dict[str, int]:
    found = Counter(_kind(name) for name in names)
    return {kind: found[kind] for kind in ORDER if found[kind]}


def _entry(simulator: Simulator, backend: Backend, prm: str) -> MockConfigEntry:
    """Return the entry the config flow stores for the demo credentials of `backend`."""
    urls = simulator.urls("enedis")
    credentials: dict[str, str] = {
        Backend.CONSO_API: {"token": ENEDIS_CONSO_TOKEN},
        Backend.MYELECTRICALDATA: {"token": ENEDIS_MED_TOKEN},
        Backend.DATA_CONNECT: {
            "client_id": ENEDIS_DC_CLIENT_ID,
            "client_secret": ENEDIS_DC_CLIENT_SECRET,
        },
    }[backend]
    url = urls[f"{backend.value}_url"]
    data = {"provider": "enedis", "backend": backend.value, **credentials, "prm": prm}
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Linky {prm}",
        unique_id=f"enedis_{prm}",
        entry_id=f"01KBENCHENEDIS{prm}",  # a fixed id: the same jitter every run
        data=data | {"advanced": {"api_url": url}},
    )


def _paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


def _check(
    simulator: Simulator,
    prm: str,
    rows: dict[str, list[tuple[Any, ...]]],
    reach: dict[Direction, tuple[date, date]],
    last: date,
) -> tuple[list[str], list[str], dict[str, int]]:
    """Compare the committed rows with the simulator's days: (problems, DST lines, days checked).

    `reach` is each direction's (daily reach, curve reach); every day from the daily reach to
    `last` must be stored: from its curve (each hour a row) from the curve reach on, else as one
    value at its first hour. Expected energies are the simulator's (its half-hours' sum).
    """
    meters = simulator.enedis.meters
    meter = meters.prms[prm]
    problems: list[str] = []
    dst: list[str] = []
    checked = {"curve days": 0, "daily days": 0, "hours": 0}
    for direction, (daily_from, curve_from) in reach.items():
        code = "CONS" if direction is Direction.CONSUMPTION else "PROD"
        statistic = f"openpower:enedis_{prm}_energy_{direction.value}"
        found = rows.get(statistic, [])
        running = 0.0
        for start_ts, state, total in found:
            running += state
            if abs(running - total) > 1e-6:
                problems.append(f"{statistic}: sum breaks at {start_ts}")
                break
        hours: dict[date, list[tuple[datetime, float]]] = {}
        for start_ts, state, _total in found:
            start = datetime.fromtimestamp(start_ts, UTC)
            hours.setdefault(_paris_day(start), []).append((start, state))
        for day in _days(daily_from, last + timedelta(days=1)):
            stored = hours.get(day, [])
            expected_kwh = meters.daily_energy(prm, day, code) / 1000
            got_kwh = sum(state for _start, state in stored)
            if abs(got_kwh - expected_kwh) > 1e-6:
                problems.append(
                    f"{statistic} {day}: {got_kwh:.3f} ≠ {expected_kwh:.3f}"
                )
            midnight = local_midnight(day)
            if day >= curve_from:
                every = {midnight + timedelta(hours=n) for n in range(25)}
                every = {h for h in every if _paris_day(h) == day}
                if {start for start, _state in stored} != every:
                    problems.append(
                        f"{statistic} {day}: {len(stored)} of {len(every)} hours"
                    )
                checked["curve days"] += 1
                checked["hours"] += len(stored)
            else:
                if [start for start, state in stored if state] not in ([midnight], []):
                    problems.append(
                        f"{statistic} {day}: the daily value is not at 00:00"
                    )
                checked["daily days"] += 1
            if day in DST_DAYS:
                half_hours = meters.half_hours(meter, day, code)
                wh = sum(half_hour.wh for half_hour in half_hours)
                same = abs(got_kwh - wh / 1000) <= 1e-6
                dst.append(
                    f"{direction.value} {day}: {len(stored)} hourly rows, sum {got_kwh:.3f} "
                    f"kWh; {len(half_hours)} half-hours, sum {wh / 1000:.3f} kWh: "
                    + ("equal" if same else "DIFFERENT")
                )
    return problems, dst, checked


async def _simulate(key: str, frozen: Any, days: int) -> dict[str, Any]:
    backend_key, meter_key = key.split("-")
    backend, prm = BACKENDS[backend_key], METERS[meter_key]
    async with home_assistant(frozen, "Europe/Paris", None, _name) as bench:
        hass, simulator = bench.hass, bench.simulator
        for meter in simulator.enedis.meters.prms.values():
            meter.commissioned = min(meter.commissioned, COMMISSIONED)
        handed = [0]
        recorder = get_instance(hass)
        send = recorder.async_import_statistics

        def count(metadata: Any, rows: Any, table_: Any) -> None:
            rows = list(rows)
            handed[0] += len(rows)
            send(metadata, rows, table_)

        recorder.async_import_statistics = count  # type: ignore[method-assign]
        entry = _entry(simulator, backend, prm)
        entry.add_to_hass(hass)
        began = perf_counter()
        await hass.config_entries.async_setup(entry.entry_id)
        history = entry.runtime_data.runtime.history

        def complete() -> bool:
            states = [history.state.direction(d) for d in Direction]
            return any(s.exists for s in states) and all(s.backfilled for s in states)

        step = START
        while not complete() and step < START + GIVE_UP:
            step += STEP
            await bench.run_until(step)
        done_at = step
        await recorder.async_block_till_done()
        wall_s = perf_counter() - began
        backfill_rows = handed[0]
        backfill_records = list(bench.traffic.exchanges)
        # The steady state: whole Paris days from the first midnight after the backfill.
        first_day = _paris_day(done_at) + timedelta(days=1)
        steady_from = local_midnight(first_day)
        steady_to = local_midnight(first_day + timedelta(days=days))
        await bench.run_until(
            steady_to + timedelta(hours=11)
        )  # the last morning's request
        await recorder.async_block_till_done()
        states = {d: history.state.direction(d) for d in Direction}
        await hass.config_entries.async_unload(entry.entry_id)
        await bench.settle()
        rows = committed_statistics(bench.database, "openpower:enedis_%")
    last = _paris_day(steady_to + timedelta(hours=11)) - timedelta(days=1)
    reach = {
        d: (s.daily_oldest, s.curve_oldest if s.curve else last + timedelta(days=1))
        for d, s in states.items()
        if s.exists and s.daily_oldest and s.curve_oldest
    }
    problems, dst, checked = _check(simulator, prm, rows, reach, last)
    newest = {d.value: str(s.newest) for d, s in states.items() if s.exists}
    if any(s.newest != last for s in states.values() if s.exists):
        problems.append(f"newest stored days {newest}, not {last}")
    setup = [(r, n) for r, n in backfill_records if r.provider == "enedis"]
    times = [r.time for r, _ in setup]
    steady = [
        (r, n)
        for r, n in bench.traffic.exchanges
        if r.provider == "enedis" and steady_from <= r.time < steady_to
    ]
    per_day = Counter(_paris_day(r.time) for r, _ in steady)
    daily_counts = [
        per_day[day] for day in _days(first_day, first_day + timedelta(days=days))
    ]
    errors = Counter(r.status for r, _ in (*setup, *steady) if r.status >= 400)
    window_12h = max_in_window(times, timedelta(hours=12))[0]
    calendar = max(Counter(_paris_day(t) for t in times).values(), default=0)
    apis: dict[str, list[datetime]] = {}  # Data Connect counts each API on its own
    for record, name in setup:
        apis.setdefault(_api(name), []).append(record.time)
    per_second = max(max_in_window(t, timedelta(seconds=1))[0] for t in apis.values())
    return {
        "": f"{LABELS[backend_key]}, {meter_key}",
        "backfill: simulated time to complete, h": round(
            (done_at - START) / timedelta(hours=1), 1
        ),
        "  complete": complete_flag(states),
        "  requests": len(setup),
        "    by kind": _by_kind([n for _, n in setup]),
        "  most in any 12 h / Paris day / second (one API)": [
            window_12h,
            calendar,
            per_second,
        ],
        "  error answers (status: count)": dict(sorted(errors.items())) or None,
        "  rows handed to the recorder / committed": [
            backfill_rows,
            sum(len(found) for found in rows.values()),
        ],
        "  wall clock, setup to last row committed, s": round(wall_s, 1),
        "  reach: daily / curve": [
            " ".join(str(day) for day in reach[d]) for d in reach
        ],
        f"steady: requests a day over {days} days": round(len(steady) / days, 2),
        "  each day": daily_counts,
        "  by kind, a day": {
            kind: round(count / days, 2)
            for kind, count in _by_kind([n for _, n in steady]).items()
        },
        "check: days (curve / daily), hours": [
            checked["curve days"],
            checked["daily days"],
            checked["hours"],
        ],
        "check: problems": len(problems),
        "problems": problems[:10],
        "dst": dst,
    }


def complete_flag(states: dict[Direction, Any]) -> bool:
    """Whether every direction's history is complete."""
    return all(s.backfilled for s in states.values())


def main() -> None:
    """Run the scenarios and print their figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="the consumer meter only")
    parser.add_argument("--days", type=int, default=7, help="steady days (default 7)")
    parser.add_argument(
        "--scenario", action="append", help="BACKEND-METER, e.g. conso-consumer"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # KEY:DAYS, this process
    args = parser.parse_args()
    if args.worker:
        key, days = args.worker.split(":")
        simulate = partial(_simulate, key, days=int(days))
        worker(key, lambda: run_frozen(START, simulate))
        return
    meters = ["consumer"] if args.quick else list(METERS)
    keys = args.scenario or [
        f"{b}-{m}" for m in reversed(meters) for b in ("med", "conso", "dc")
    ]
    began = perf_counter()
    done = in_processes(__file__, [f"{k}:{args.days}" for k in keys], 2)
    print(
        f"Enedis: one PRM per scenario from {START} (Paris time zone), production settings "
        f"(jitter up to {MAX_JITTER / MINUTE:g} min, contract every "
        f"{CONTRACT_INTERVAL / DAY:g} days); {len(keys)} scenarios, two at a time: "
        f"{perf_counter() - began:.0f} s"
    )
    shown = [label for label in done[0] if label not in {"", "problems", "dst"}]
    rows = [[label, *(r[label] for r in done)] for label in shown]
    print(table(["", *(r[""] for r in done)], rows))
    for result in done:
        for line in result["problems"]:
            print(f"PROBLEM {result['']}: {line}")
    for line in done[0]["dst"]:
        print(f"DST, {done[0]['']}: {line}")
    print(
        "Targets: Conso API < 100 in any 12 h (the ban); MyElectricalData ≤ 50 a Paris day;"
    )
    print("≤ 5 requests per PRM per day in steady state.")
    print(json.dumps(done, separators=(",", ":"), default=str))
    if any(r["check: problems"] or not r["  complete"] for r in done):
        sys.exit(1)


if __name__ == "__main__":
    main()
