"""Benchmark Emporia polling: a simulated day of the real integration against the simulator.

Run from the repository root: `.venv/bin/python scripts/bench_emporia.py [--quick] [--hours N]
[--seed N]`.
Nothing but the in-process simulator on 127.0.0.1 is reached. About 2 minutes on 2 cores
(`--quick`: under 1).

The simulator's demo account (Vue 2 with 16 circuits and mains, a Vue 3 nested under it, a smart
plug, an EV charger) is added through the real config flow (e-mail and password), in a test Home
Assistant (`scripts/bench_common.py`: the harness's `async_test_home_assistant`, the recorder on a
temporary sqlite file, a frozen clock jumped from timer to timer). The entry then runs as it would:
real coordinators, real HTTP, real entities and state writes, the real 30-day history backfill
and the real request budget (`EMPORIA_LIMITS`: 1,900 a day and 30 a minute per account).

Default: 25 simulated hours, the first one a warm-up (the config flow, the setup and the history
backfill), then a day measured on its own. `--quick`: 6 hours (a 5-hour "day", per-day figures
scaled to 24 h). `--hours N`: N hours in all, warm-up included. `--seed N` seeds the timer
offsets of the coordinators (Home Assistant staggers refreshes by a random 0.05-0.5 s), so that a
run can be repeated exactly (default 2).

Figures: requests per endpoint in the warm-up and in the day after it (target ≤ 1,900 per account
per day), the most requests of the account in any 60 s and in any 24 h (the budget's windows),
429 answers and budget refusals (target 0), how long the budget held requests back; the first
setup's backfill (getChartUsage requests, statistic rows, wall time from the start of the config
flow until every row is committed to the sqlite file); and the real time of one power coordinator
update end to end (request + parse + state writes of every entity; under freezegun, with the
simulator in-process), median over the day, with the CPU cost of decoding and parsing one real
1-minute answer outside freezegun.
"""

# bench_common must come before any Home Assistant import (E402); the benchmark reads private
# state: the coordinators' timer offsets (SLF001).
# ruff: noqa: E402, SLF001

from bench_common import (  # isort:skip
    bench_home_assistant,
    committed_statistics,
    fmt,
    max_in_window,
    median,
    ms,
    perf_counter,
    run_frozen,
    worker_logging,
)

import argparse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import itertools
import json
from pathlib import Path
import random
import statistics
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.emporia import EMPORIA_LIMITS, EmporiaClient
from custom_components.openpower.api.emporia.models import parse_usages
from custom_components.openpower.api.errors import ApiRateLimitedError
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.emporia.const import HISTORY_DAYS
from custom_components.openpower.providers.emporia.coordinator import (
    EmporiaHistoryCoordinator,
    EmporiaPowerCoordinator,
    measured_channels,
)
from tests.simulator import EMPORIA_EMAIL, EMPORIA_PASSWORD, Simulator

START = datetime(2026, 11, 23, 0, 21, 17, tzinfo=UTC)  # 16:21:17 in Los Angeles
TIME_ZONE = "America/Los_Angeles"  # the demo devices'
WARMUP = timedelta(hours=1)
SEED = 2
DAY_LIMIT = EMPORIA_LIMITS[0].count
MINUTE_LIMIT = EMPORIA_LIMITS[1].count
MINUTE = timedelta(seconds=EMPORIA_LIMITS[1].period)
DAY = timedelta(seconds=EMPORIA_LIMITS[0].period)
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
MAINTENANCE = "maintenance flag"  # S3, asked only after a failure; outside the budget


# --------------------------------------------------------------------------------------------
# What is measured inside Home Assistant


@dataclass
class Probe:
    """Power refreshes, the first history run, the budget's waits and refusals, sign-ins."""

    refresh_s: list[float] = field(default_factory=list)
    refresh_at: list[datetime] = field(default_factory=list)
    refresh_ok: list[bool] = field(default_factory=list)
    request_s: list[float] = field(default_factory=list)
    server_s: list[float] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    unavailable: Counter[str] = field(default_factory=Counter)
    holds: list[tuple[datetime, bool, float]] = field(default_factory=list)
    """(when asked, background, seconds held) of every budget acquisition."""
    refusals: list[tuple[datetime, str]] = field(default_factory=list)
    cognito: dict[int, str] = field(default_factory=dict)
    """Index in the simulator's request log → the Cognito operation (and auth flow)."""
    history_runs: list[tuple[datetime, datetime, float]] = field(default_factory=list)
    """(simulated start, simulated end, real seconds) of every history coordinator run."""
    sample_body: bytes | None = None
    budget: RequestBudget | None = None
    """The account's budget (the first one asked)."""
    _writes: int = 0
    _changes: int = 0

    @contextmanager
    def installed(self, hass: HomeAssistant) -> Iterator[None]:
        """Wrap the coordinators, the client, the budget, the simulator and entity writes."""
        refresh = DataUpdateCoordinator._async_refresh
        history_fetch = EmporiaHistoryCoordinator._async_fetch
        get_usages = EmporiaClient.async_get_usages
        acquire = RequestBudget.acquire
        handle = Simulator.handle
        write = Entity.async_write_ha_state
        registry = er.async_get(hass)
        probe = self

        async def timed_refresh(self: Any, *args: Any, **kwargs: Any) -> None:
            writes, changes, began = probe._writes, probe._changes, perf_counter()
            now = dt_util.utcnow()
            try:
                await refresh(self, *args, **kwargs)
            finally:
                probe.refresh_s.append(perf_counter() - began)
                probe.refresh_at.append(now)
                probe.writes.append(probe._writes - writes)
                probe.changes.append(probe._changes - changes)
                probe.refresh_ok.append(self.last_update_success)
                if not self.last_update_success:
                    probe.failures[str(self.last_exception)[:90]] += 1

        async def timed_history(self: Any) -> Any:
            began, real = dt_util.utcnow(), perf_counter()
            try:
                return await history_fetch(self)
            finally:
                probe.history_runs.append(
                    (began, dt_util.utcnow(), perf_counter() - real)
                )

        async def timed_usages(
            self: Any, gids: Any, instant: datetime, scale: str
        ) -> Any:
            began = perf_counter()
            try:
                return await get_usages(self, gids, instant, scale)
            finally:
                if scale == "1MIN":
                    probe.request_s.append(perf_counter() - began)

        async def watched_acquire(
            self: RequestBudget,
            max_wait: float | None = None,
            *,
            background: bool = False,
        ) -> None:
            probe.budget = probe.budget or self
            asked = dt_util.utcnow()
            try:
                await acquire(self, max_wait, background=background)
            except ApiRateLimitedError as err:
                probe.refusals.append((asked, str(err)))
                raise
            finally:
                held = (dt_util.utcnow() - asked).total_seconds()
                probe.holds.append((asked, background, held))

        async def timed_handle(self: Simulator, request: Any, handler: Any) -> Any:
            operation = None
            if "/cognito" in request.path:
                # One path for every operation: name it from the target and the body.
                target = request.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
                try:
                    flow = json.loads(await request.read()).get("AuthFlow")
                except ValueError, AttributeError:
                    flow = None
                operation = f"{target} {flow}" if flow else target
            began = perf_counter()
            response = None
            try:
                response = await handle(self, request, handler)
                return response
            finally:
                if operation is not None:
                    # The simulator logged the exchange just now, with no await in between.
                    probe.cognito[len(self.requests) - 1] = operation
                if request.query.get("scale") == "1MIN":
                    probe.server_s.append(perf_counter() - began)
                    if (
                        probe.sample_body is None
                        and dt_util.utcnow() >= START + WARMUP
                        and getattr(response, "status", None) == 200
                    ):
                        probe.sample_body = getattr(response, "body", None)

        def counted_write(self: Entity) -> None:
            if self.platform is not None and self.platform.platform_name == DOMAIN:
                probe._writes += 1
            write(self)

        @callback
        def state_changed(event: Event) -> None:
            entry = registry.async_get(event.data["entity_id"])
            if entry is None or entry.platform != DOMAIN:
                return
            probe._changes += 1
            new = event.data["new_state"]
            if new is not None and new.state == STATE_UNAVAILABLE:
                probe.unavailable[event.data["entity_id"]] += 1

        unsub = hass.bus.async_listen("state_changed", state_changed)
        with (
            patch.object(EmporiaPowerCoordinator, "_async_refresh", timed_refresh),
            patch.object(EmporiaHistoryCoordinator, "_async_fetch", timed_history),
            patch.object(EmporiaClient, "async_get_usages", timed_usages),
            patch.object(RequestBudget, "acquire", watched_acquire),
            patch.object(Simulator, "handle", timed_handle),
            patch.object(Entity, "async_write_ha_state", counted_write),
        ):
            yield
        unsub()


# --------------------------------------------------------------------------------------------
# The simulation


async def _add_account(hass: HomeAssistant, simulator: Simulator) -> Any:
    """Add the demo account through the config flow, as a user would; return its entry."""
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], {"next_step_id": "emporia"})
    result = await flow.async_configure(
        result["flow_id"], {"next_step_id": "emporia_password"}
    )
    result = await flow.async_configure(
        result["flow_id"],
        {
            "email": EMPORIA_EMAIL,
            "password": EMPORIA_PASSWORD,
            "advanced": simulator.urls("emporia"),
        },
    )
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise RuntimeError(f"the config flow did not create an entry: {result}")
    return result["result"]


def _statistic_rows(database: Path) -> tuple[int, int]:
    """Statistic ids and hourly rows of Emporia in the recorder's file, as committed."""
    found = committed_statistics(database, "openpower:emporia%")
    return len(found), sum(len(rows) for rows in found.values())


async def _simulate(frozen: Any, hours: float, seed: int) -> dict[str, Any]:
    """Run the account in a fresh Home Assistant; return the raw material of the figures."""
    probe = Probe()
    began = perf_counter()
    # The coordinators' timer offsets, drawn in the order the setup creates them (seeding the
    # global `random` is not enough: other code draws from it, in no fixed order).
    with patch(
        "homeassistant.helpers.update_coordinator.randint", random.Random(seed).randint
    ):
        async with bench_home_assistant(frozen, time_zone=TIME_ZONE) as bench:
            hass, clock, simulator = bench.hass, bench.clock, bench.simulator
            with probe.installed(hass):
                flow_began = perf_counter()
                entry = await _add_account(hass, simulator)
                setup_done = perf_counter()
                # The setup started the 30-day backfill in the background: wait for it (the
                # budget holding its requests back included), then for the recorder to commit.
                await clock.settle((START + timedelta(hours=hours)).timestamp())
                await get_instance(hass).async_block_till_done()
                committed = perf_counter()
                statistic_ids, rows = await hass.async_add_executor_job(
                    _statistic_rows, bench.database
                )
                runtime = entry.runtime_data.runtime
                # Home Assistant staggers each coordinator's timer by a random 0.05-0.5 s.
                offsets = {
                    name: round(coordinator._microsecond, 6)
                    for name, coordinator in (
                        ("devices", runtime.devices),
                        ("status", runtime.status),
                        ("power", runtime.power),
                        ("history", runtime.history),
                    )
                }
                channels = len(list(measured_channels(runtime.devices.data)))
                devices = len(runtime.devices.data.devices)
                await clock.run_until(START + timedelta(hours=hours))
            simulated = perf_counter()
            budget_counted = probe.budget.requests if probe.budget else None
            entities = sum(
                1
                for ent in er.async_get(hass).entities.values()
                if ent.platform == DOMAIN and ent.config_entry_id == entry.entry_id
            )
            state = entry.state.value
            await hass.config_entries.async_unload(entry.entry_id)
            await clock.settle()
    return {
        "requests": list(bench.simulator.requests),
        "probe": probe,
        "entry_state": state,
        "devices": devices,
        "channels": channels,
        "entities": entities,
        "timer_offsets": offsets,
        "budget_counted": budget_counted,
        "statistic_ids": statistic_ids,
        "statistic_rows": rows,
        "flow_s": setup_done - flow_began,
        "backfill_wall_s": committed - flow_began,
        "wall_s": simulated - began,
        "steps": clock.steps,
        "sleeper_jumps": clock.sleeper_jumps,
    }


# --------------------------------------------------------------------------------------------
# Figures


def _endpoint(record: Any, operation: str | None) -> str:
    path = record.path
    if operation is not None:
        return operation
    if "/maintenance/" in path:
        return MAINTENANCE
    if record.method == "PUT":
        return f"PUT {path.split('/api/', 1)[-1]}"
    if path.endswith("/AppAPI"):
        method = record.query.get("apiMethod", "")
        if method == "getDeviceListUsages":
            return f"getDeviceListUsages {record.query.get('scale')}"
        return method
    return path.split("/api/", 1)[-1]


def _parse_cost(body: bytes | None, repeat: int = 30) -> dict[str, Any] | None:
    """Real CPU time to decode and parse one 1MIN getDeviceListUsages answer, no freezegun."""
    if body is None:
        return None
    times = []
    for _ in range(repeat):
        began = perf_counter()
        usages = parse_usages(json.loads(body))
        times.append(perf_counter() - began)
    return {
        "bytes": len(body),
        "channels": len(usages.values),
        "median_ms": round(statistics.median(times) * 1000, 2),
    }


def _count(names: list[str]) -> dict[str, int]:
    found = Counter(names)
    return (
        {name: found.pop(name, 0) for name in ENDPOINTS}
        | dict(sorted(found.items()))
        | {"total": len(names)}
    )


def _figures(raw: dict[str, Any], hours: float) -> dict[str, Any]:
    end = START + timedelta(hours=hours)
    warm = START + WARMUP
    probe: Probe = raw["probe"]
    records = [
        (r, _endpoint(r, probe.cognito.get(i)))
        for i, r in enumerate(raw["requests"])
        if r.provider == "emporia" and START <= r.time < end
    ]
    # What the budget counts: Cognito and the API, not the maintenance flag on S3.
    account = [(r, name) for r, name in records if name != MAINTENANCE]
    day_hours = (end - warm).total_seconds() / 3600
    in_day = _count([name for r, name in records if r.time >= warm])
    in_warmup = _count([name for r, name in records if r.time < warm])
    day_account = sum(1 for r, _ in account if r.time >= warm)
    minute_max, minute_at = max_in_window([r.time for r, _ in account], MINUTE)
    day_max, day_at = max_in_window([r.time for r, _ in account], DAY)
    total_429 = sum(1 for r, _ in records if r.status == 429)
    errors = Counter(
        f"{name} {r.status}"
        for r, name in records
        if r.status >= 400 and not (name == MAINTENANCE and r.status == 403)
    )

    # The first history run is the backfill.
    first = probe.history_runs[0] if probe.history_runs else None
    charts = [
        r
        for r, name in records
        if name == "getChartUsage" and first and first[0] <= r.time <= first[1]
    ]
    held_backfill = [
        h for t, bg, h in probe.holds if bg and first and first[0] <= t <= first[1]
    ]
    held_other = [h for t, bg, h in probe.holds if h > 0 and not bg and t < end]
    steady = [
        (s, w, c)
        for s, w, c, at in zip(
            probe.refresh_s, probe.writes, probe.changes, probe.refresh_at, strict=True
        )
        if warm <= at < end
    ]
    refresh_s = [s for s, _, _ in steady]
    fresh = [
        warm,
        *(
            at
            for at, ok in zip(probe.refresh_at, probe.refresh_ok, strict=True)
            if ok and warm <= at < end
        ),
        end,
    ]
    stale = max((b - a).total_seconds() for a, b in itertools.pairwise(fresh))
    refusals = [(t, e) for t, e in probe.refusals if t < end]
    return {
        "simulated_hours": hours,
        "day_hours": day_hours,
        "entry_state": raw["entry_state"],
        "devices": raw["devices"],
        "channels": raw["channels"],
        "entities": raw["entities"],
        "timer_offsets_s": raw["timer_offsets"],
        "requests_warmup": in_warmup,
        "requests_day": in_day,
        "requests_per_day": round(day_account * 24 / day_hours),
        "budget_counted": raw["budget_counted"],
        "account_requests": len(account),
        "window_60s_max": minute_max,
        "window_60s_max_at": minute_at.strftime("%H:%M:%S") if minute_at else None,
        "window_24h_max": day_max,
        "window_24h_max_from": day_at.strftime("%H:%M:%S") if day_at else None,
        "http_429": total_429,
        "http_errors": dict(errors),
        "budget_refusals": len(refusals),
        "budget_refusals_first": [(t.strftime("%H:%M:%S"), e) for t, e in refusals[:5]],
        "held_foreground": {
            "requests": len(held_other),
            "total_s": round(sum(held_other), 1),
            "max_s": round(max(held_other, default=0.0), 1),
        },
        "power_refreshes": len(refresh_s),
        "power_longest_gap_s": round(stale),
        "power_failures": dict(probe.failures),
        "unavailable_writes": sum(probe.unavailable.values()),
        "power_update_median_ms": ms(refresh_s),
        "power_update_p95_ms": ms(refresh_s, 0.95),
        "power_request_median_ms": ms(probe.request_s),
        "simulator_handler_median_ms": ms(probe.server_s),
        "writes_per_update_median": median([w for _, w, _ in steady]),
        "changes_per_update_median": median([c for _, _, c in steady]),
        "parse_no_freezegun": _parse_cost(probe.sample_body),
        "history_days": HISTORY_DAYS,
        "history_runs": len(probe.history_runs),
        "history_runs_day": sum(
            1 for run in probe.history_runs if warm <= run[0] < end
        ),
        "backfill_chart_requests": len(charts),
        "backfill_statistic_ids": raw["statistic_ids"],
        "backfill_statistic_rows": raw["statistic_rows"],
        "backfill_simulated_s": round((first[1] - START).total_seconds(), 1)
        if first
        else None,
        "backfill_run_real_s": round(first[2], 1) if first else None,
        "backfill_held": {
            "requests": sum(1 for h in held_backfill if h > 0),
            "total_s": round(sum(held_backfill), 1),
            "max_s": round(max(held_backfill, default=0.0), 1),
        },
        "flow_and_setup_s": round(raw["flow_s"], 2),
        "backfill_wall_s": round(raw["backfill_wall_s"], 1),
        "timers_fired": raw["steps"],
        "sleeper_jumps": raw["sleeper_jumps"],
        "wall_s": round(raw["wall_s"], 1),
        "meets_target": max(day_max, round(day_account * 24 / day_hours)) <= DAY_LIMIT
        and minute_max <= MINUTE_LIMIT
        and total_429 == 0
        and not refusals,
    }


# --------------------------------------------------------------------------------------------
# Report


def _pair(a: Any, b: Any) -> str:
    return f"{fmt(a)} / {fmt(b)}"


ROWS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    (
        "devices / measured channels / entities",
        lambda r: f"{r['devices']} / {r['channels']} / {r['entities']}",
    ),
    ("requests per day (target ≤ 1,900)", lambda r: r["requests_per_day"]),
    (
        "most in any 60 s (limit 30)",
        lambda r: f"{r['window_60s_max']} at {r['window_60s_max_at']}",
    ),
    ("most in any 24 h (limit 1,900)", lambda r: r["window_24h_max"]),
    (
        "429 answers / budget refusals",
        lambda r: _pair(r["http_429"], r["budget_refusals"]),
    ),
    ("other error answers", lambda r: r["http_errors"] or 0),
    (
        "other requests held: n / s",
        lambda r: _pair(
            r["held_foreground"]["requests"], r["held_foreground"]["total_s"]
        ),
    ),
    ("history runs (one an hour)", lambda r: r["history_runs_day"]),
    (
        "power updates / failed",
        lambda r: _pair(r["power_refreshes"], sum(r["power_failures"].values())),
    ),
    ("  longest without a power update, s", lambda r: r["power_longest_gap_s"]),
    (
        "power update, median / p95 ms",
        lambda r: _pair(r["power_update_median_ms"], r["power_update_p95_ms"]),
    ),
    ("  request + parse, median ms", lambda r: r["power_request_median_ms"]),
    ("  simulator handler, median ms", lambda r: r["simulator_handler_median_ms"]),
    (
        "  decode + parse, no freezegun, ms",
        lambda r: (
            f"{r['parse_no_freezegun']['median_ms']:g} "
            f"({r['parse_no_freezegun']['bytes'] / 1000:.0f} kB)"
            if r["parse_no_freezegun"]
            else None
        ),
    ),
    (
        "  entity writes / state changes",
        lambda r: _pair(r["writes_per_update_median"], r["changes_per_update_median"]),
    ),
    (
        "backfill: days × channels",
        lambda r: f"{r['history_days']} × {r['channels']}",
    ),
    ("  getChartUsage requests", lambda r: r["backfill_chart_requests"]),
    (
        "  statistics / hourly rows",
        lambda r: _pair(r["backfill_statistic_ids"], r["backfill_statistic_rows"]),
    ),
    (
        "  held by the budget: n / s (max)",
        lambda r: (
            f"{r['backfill_held']['requests']} / {fmt(r['backfill_held']['total_s'])} "
            f"({fmt(r['backfill_held']['max_s'])})"
        ),
    ),
    ("  simulated s to the last row", lambda r: r["backfill_simulated_s"]),
    ("  wall clock s, flow to committed", lambda r: r["backfill_wall_s"]),
    ("wall clock, whole run, s", lambda r: r["wall_s"]),
    ("targets met", lambda r: "yes" if r["meets_target"] else "NO"),
)


def _table(result: dict[str, Any]) -> str:
    width = 38
    day = "day" if result["day_hours"] == 24 else f"{result['day_hours']:g} h"
    head = f"{'requests':<{width}}{'warm-up':>10}{day:>10}"
    lines = [head, "-" * len(head)]
    names = [n for n in result["requests_day"] if n != "total"]
    names += [n for n in result["requests_warmup"] if n not in names and n != "total"]
    lines += [
        f"  {name:<{width - 2}}{fmt(result['requests_warmup'].get(name, 0)):>10}"
        f"{fmt(result['requests_day'].get(name, 0)):>10}"
        for name in [*names, "total"]
    ]
    lines.append("")
    lines += [f"{label:<{width}}{fmt(get(result)):>20}" for label, get in ROWS]
    return "\n".join(lines)


def _explain(result: dict[str, Any]) -> list[str]:
    """Say which target is missed and what in the data is behind it."""
    notes = []
    if max(result["window_24h_max"], result["requests_per_day"]) > DAY_LIMIT:
        busy = {k: v for k, v in result["requests_day"].items() if v}
        notes.append(
            f"MISSED ≤ {DAY_LIMIT} a day: {result['requests_per_day']} per day, "
            f"{result['window_24h_max']} in the busiest 24 h: {fmt(busy)}."
        )
    if result["window_60s_max"] > MINUTE_LIMIT:
        notes.append(
            f"MISSED ≤ {MINUTE_LIMIT} a minute: {result['window_60s_max']} from "
            f"{result['window_60s_max_at']}."
        )
    if result["http_429"] or result["budget_refusals"]:
        notes.append(
            f"MISSED: {result['http_429']} answers 429, {result['budget_refusals']} requests "
            f"refused by the budget (first: {result['budget_refusals_first']})."
        )
    if result["power_failures"]:
        notes.append(f"Failed power updates: {fmt(result['power_failures'])}.")
    if result["budget_counted"] != result["account_requests"]:
        notes.append(
            f"The budget counted {result['budget_counted']} requests; Emporia received "
            f"{result['account_requests']} (Cognito and API, without the maintenance flag): "
            "the config flow's own requests do not go through the account's budget."
        )
    return notes


def main() -> None:
    """Run the day and print the table, the notes and one JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 3)[3].split("\n\n", 1)[0],
    )
    parser.add_argument(
        "--quick", action="store_true", help="6 simulated hours (a 5-hour day)"
    )
    parser.add_argument(
        "--hours", type=float, help="simulated hours, warm-up included (default 25)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help=f"seed of the coordinators' timer offsets (default {SEED})",
    )
    args = parser.parse_args()
    hours = args.hours or (6.0 if args.quick else 25.0)
    if hours <= WARMUP.total_seconds() / 3600:
        parser.error("simulate more than the 1-hour warm-up")
    worker_logging("emporia")
    began = perf_counter()
    raw = run_frozen(START, lambda frozen: _simulate(frozen, hours, args.seed))
    # Out of freezegun now: the parse benchmark runs on real datetimes.
    result = _figures(raw, hours)
    print(
        f"Emporia polling: demo account, {hours:g} simulated hours from "
        f"{START:%Y-%m-%d %H:%M:%S} UTC, the first {WARMUP.total_seconds() / 3600:g} h a "
        f"warm-up (config flow, setup, {HISTORY_DAYS}-day backfill); "
        f"{perf_counter() - began:.0f} s"
    )
    print(_table(result))
    print()
    print(
        f"Targets: ≤ {DAY_LIMIT} requests of the account a day, ≤ {MINUTE_LIMIT} in any "
        "minute; no 429, no request refused by the budget."
    )
    notes = _explain(result)
    print("\n".join(notes) if notes else "All targets met.")
    print(json.dumps(result, separators=(",", ":"), default=str))


if __name__ == "__main__":
    main()
