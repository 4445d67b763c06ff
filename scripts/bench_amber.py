"""Benchmark Amber polling: simulated days of the real integration against the simulator.

Run from the repository root: `.venv/bin/python scripts/bench_amber.py [--all | --quick]
[--hours N] [--scenario KEY ...] [--jobs N]`. Nothing but the in-process simulator on 127.0.0.1
is reached. About 3 minutes on 2 cores (`--all`: 5 to 6, `--quick`: 1).

Scenarios (each in its own process, `--jobs` of them at a time, 2 by default):
  single     one 5-minute site (account "demo"), Amber confirming prices 25 s into the interval
  multi      three 5-minute sites on one account ("multi"), set up together as at a start-up
  confirm45  as single, Amber confirming 45 s in (backfill cut to 7 days to save time)
  confirm10  as single, Amber confirming 10 s in (backfill cut to 7 days to save time)
Default: single and multi, 24 simulated hours. `--all`: the four. `--quick`: single and multi,
6 simulated hours.

Each scenario starts a test Home Assistant with the recorder on a temporary sqlite file, serves
the provider simulator on 127.0.0.1, adds the Amber config entries and sets them up through Home
Assistant: real coordinators, real HTTP, real entities and state writes, the real shared request
budget. Time is frozen and jumped from timer to timer (`scripts/bench_common.py` says how, and
what is patched as in the test harness). The simulator's price model is memoized (a pure
function; its answers are unchanged) because its time, in-process, is part of every request's.

Figures, after a warm-up (the first hour, which includes the history backfill): requests per
simulated day per endpoint, `/prices/current` requests per interval per site in steady state
(mean, max, distribution, when in the interval they go), the most requests of the account in any
300 s sliding window (limit 50), 429 answers, the wall-clock time of the simulation, and the
real time of one price coordinator update end to end (request + parse + selection + state writes
of every entity of the entry; under freezegun, with the simulator in-process), median over the
day. It also shows how far each price poll is from the time the integration planned for it, how
long the price sensors were unavailable, and the CPU cost of decoding + parsing + selecting one
real answer of the day outside freezegun (which slows every datetime operation down).
"""

# bench_common must come before any Home Assistant import (E402), and the benchmark reads private
# state: the confirmation clock (SLF001).
# ruff: noqa: E402, SLF001

from bench_common import (  # isort:skip
    bench_home_assistant,
    fmt as _fmt,
    max_in_window,
    ms as _ms,
    perf_counter,
    run_frozen,
    run_worker,
    worker_logging,
)

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import math
import os
import statistics
import sys
from typing import Any
from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.amber import AmberClient
from custom_components.openpower.api.amber.models import parse_prices
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.const import HISTORY_DAYS, PricingMode
from custom_components.openpower.providers.amber.coordinator import (
    AmberPriceCoordinator,
    select_prices,
)
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    AmberSimulator,
    Simulator,
)

START = datetime(2026, 11, 23, 0, 3, 17, tzinfo=UTC)  # 11:03:17 in Sydney, mid-interval
WARMUP = timedelta(hours=1)
WINDOW = timedelta(seconds=300)
ACCOUNT_LIMIT = 50
TARGET_PER_INTERVAL = 2
ENDPOINTS = ("prices/current", "sites", "usage")


# --------------------------------------------------------------------------------------------
# The simulator's price model, memoized


@contextmanager
def _memoized_simulator() -> Iterator[None]:
    """Memoize the simulator's intervals within one interval (its prices it caches itself).

    An interval is a pure function of the site, channel, start and current interval, and for
    the current one whether it is still estimated, so the answers do not change; it only spends
    less of each request's time in the in-process simulator.
    """
    original_interval = AmberSimulator._interval
    intervals: dict[str, tuple[datetime, dict[tuple[Any, ...], Any]]] = {}

    def interval(
        self: AmberSimulator,
        site: Any,
        channel_type: str,
        start: datetime,
        duration: int,
        *,
        current: datetime,
        now: datetime,
    ) -> dict[str, Any]:
        estimated = (
            (now - start).total_seconds() < self.confirmation_delay
            if start == current
            else None
        )
        held = intervals.get(site.id)
        if held is None or held[0] != current:
            held = intervals[site.id] = (current, {})
        key = (channel_type, start.timestamp(), duration, estimated)
        if (found := held[1].get(key)) is None:
            found = held[1][key] = original_interval(
                self, site, channel_type, start, duration, current=current, now=now
            )
        return found

    with patch.object(AmberSimulator, "_interval", interval):
        yield


# --------------------------------------------------------------------------------------------
# What is measured inside Home Assistant


@dataclass
class Probe:
    """Price coordinator refreshes: real time, writes, failures, poll timing; sensor outages."""

    refresh_s: list[float] = field(default_factory=list)
    request_s: list[float] = field(default_factory=list)
    server_s: list[float] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    poll_error_s: list[float] = field(default_factory=list)
    unavailable_s: float = 0.0
    unavailable_periods: list[tuple[str, str, float]] = field(default_factory=list)
    sample_body: bytes | None = None
    _writes: int = 0
    _changes: int = 0
    _plans: dict[int, datetime] = field(default_factory=dict)
    _down: dict[str, datetime] = field(default_factory=dict)

    @contextmanager
    def installed(self, hass: HomeAssistant) -> Iterator[None]:
        """Wrap the price coordinator, the client, the simulator and entity writes."""
        refresh = DataUpdateCoordinator._async_refresh
        fetch = AmberPriceCoordinator._async_fetch
        get_prices = AmberClient.async_get_current_prices
        handle = Simulator.handle
        write = Entity.async_write_ha_state
        registry = er.async_get(hass)
        probe = self

        async def timed_refresh(self: Any, *args: Any, **kwargs: Any) -> None:
            writes, changes, began = probe._writes, probe._changes, perf_counter()
            try:
                await refresh(self, *args, **kwargs)
            finally:
                probe.refresh_s.append(perf_counter() - began)
                probe.writes.append(probe._writes - writes)
                probe.changes.append(probe._changes - changes)
                if not self.last_update_success:
                    probe.failures[str(self.last_exception)[:90]] += 1

        async def planned_fetch(self: Any) -> Any:
            now = dt_util.utcnow()
            if (plan := probe._plans.pop(id(self), None)) is not None:
                probe.poll_error_s.append((now - plan).total_seconds())
            result = await fetch(
                self
            )  # after a failure, HA's retry timing applies instead
            probe._plans[id(self)] = now + self.update_interval
            return result

        async def timed_prices(self: Any, *args: Any, **kwargs: Any) -> Any:
            began = perf_counter()
            try:
                return await get_prices(self, *args, **kwargs)
            finally:
                probe.request_s.append(perf_counter() - began)

        async def timed_handle(self: Any, request: Any, handler: Any) -> Any:
            began = perf_counter()
            response = None
            try:
                response = await handle(self, request, handler)
                return response
            finally:
                if request.path.endswith("/prices/current"):
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
            entity_id = event.data["entity_id"]
            entry = registry.async_get(entity_id)
            if entry is None or entry.platform != DOMAIN:
                return
            probe._changes += 1
            if not entity_id.endswith("_general_price"):
                return
            new = event.data["new_state"]
            down = new is not None and new.state == STATE_UNAVAILABLE
            now = dt_util.utcnow()
            if down and entity_id not in probe._down:
                probe._down[entity_id] = now
            elif not down and (since := probe._down.pop(entity_id, None)):
                probe._close_outage(entity_id, since, now)

        unsub = hass.bus.async_listen("state_changed", state_changed)
        with (
            patch.object(AmberPriceCoordinator, "_async_refresh", timed_refresh),
            patch.object(AmberPriceCoordinator, "_async_fetch", planned_fetch),
            patch.object(AmberClient, "async_get_current_prices", timed_prices),
            patch.object(Simulator, "handle", timed_handle),
            patch.object(Entity, "async_write_ha_state", counted_write),
        ):
            yield
        unsub()
        for entity_id, since in list(self._down.items()):
            self._close_outage(entity_id, since, dt_util.utcnow())

    def _close_outage(self, entity_id: str, since: datetime, until: datetime) -> None:
        seconds = (until - since).total_seconds()
        self.unavailable_s += seconds
        self.unavailable_periods.append(
            (entity_id.split(".")[1], since.strftime("%H:%M:%S"), round(seconds, 1))
        )


# --------------------------------------------------------------------------------------------
# Scenarios


@dataclass(frozen=True)
class Scenario:
    """Sites of one account, and how late Amber confirms a price."""

    key: str
    label: str
    account: str
    token: str
    sites: tuple[str, ...]
    confirmation_delay: float = 25.0
    history_days: int | None = None
    """Backfill this many days instead of 90."""


SCENARIOS = {
    s.key: s
    for s in (
        Scenario("single", "1 site", "demo", DEMO_TOKEN, (DEMO_SITE_5MIN,)),
        Scenario(
            "multi", "3 sites, 1 account", "multi", MULTI_TOKEN, tuple(MULTI_SITES)
        ),
        Scenario(
            "confirm45",
            "1 site, confirm 45 s",
            "demo",
            DEMO_TOKEN,
            (DEMO_SITE_5MIN,),
            confirmation_delay=45.0,
            history_days=7,
        ),
        Scenario(
            "confirm10",
            "1 site, confirm 10 s",
            "demo",
            DEMO_TOKEN,
            (DEMO_SITE_5MIN,),
            confirmation_delay=10.0,
            history_days=7,
        ),
    )
}
# Longest first, so that parallel jobs end at about the same time.
ORDER = ("multi", "confirm45", "single", "confirm10")


def _entry(
    scenario: Scenario, simulator: Simulator, number: int, site: str
) -> MockConfigEntry:
    account_id = (
        min(DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED)
        if scenario.account == "demo"
        else min(MULTI_SITES)
    )
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home" if len(scenario.sites) == 1 else f"Site {number}",
        unique_id=f"amber_{site}",
        data={
            "provider": "amber",
            "api_token": scenario.token,
            "site_id": site,
            "account_id": account_id,
            "advanced": {"api_url": simulator.base_url("amber")},
        },
    )


async def _simulate(scenario: Scenario, frozen: Any, hours: float) -> dict[str, Any]:
    """Run one scenario in a fresh Home Assistant; return the raw material of its figures."""
    probe = Probe()
    began = perf_counter()
    with ExitStack() as stack:
        stack.enter_context(_memoized_simulator())
        if scenario.history_days:
            stack.enter_context(
                patch(
                    "custom_components.openpower.providers.amber.coordinator.HISTORY_DAYS",
                    scenario.history_days,
                )
            )
        async with bench_home_assistant(
            frozen,
            time_zone="Australia/Sydney",
            amber_confirmation_delay=scenario.confirmation_delay,
        ) as bench:
            hass, clock, simulator = bench.hass, bench.clock, bench.simulator
            with probe.installed(hass):
                entries = [
                    _entry(scenario, simulator, number, site)
                    for number, site in enumerate(scenario.sites, start=1)
                ]
                for entry in entries:
                    entry.add_to_hass(hass)
                # Together, as Home Assistant sets up its entries when it starts.
                results = await asyncio.gather(
                    *(hass.config_entries.async_setup(e.entry_id) for e in entries)
                )
                await clock.settle()
                setup_done = perf_counter()
                states = [e.state.value for e in entries]
                if not all(results):
                    print(f"{scenario.key}: entry states {states}", file=sys.stderr)
                await clock.run_until(START + timedelta(hours=hours))
            simulated = perf_counter()
            offsets = [
                confirmed.total_seconds()
                if (confirmed := e.runtime_data.runtime.prices._confirmation.confirmed)
                else None
                for e in entries
                if e.runtime_data is not None
            ]
            entities = sum(
                1
                for ent in er.async_get(hass).entities.values()
                if ent.platform == DOMAIN
            )
            for entry in entries:
                await hass.config_entries.async_unload(entry.entry_id)
            await clock.settle()
    return {
        "requests": list(simulator.requests),
        "probe": probe,
        "setup_states": states,
        "wall_s": simulated - began,
        "setup_s": setup_done - began,
        "steps": clock.steps,
        "sleeper_jumps": clock.sleeper_jumps,
        "offsets": offsets,
        "entities": entities,
    }


def _parse_cost(body: bytes | None, repeat: int = 30) -> dict[str, Any] | None:
    """Real CPU time to decode, parse and select one prices/current answer, without freezegun."""
    if body is None:
        return None
    report = lambda *_: None  # noqa: E731
    times = []
    for _ in range(repeat):
        began = perf_counter()
        intervals = parse_prices(json.loads(body), report)
        select_prices(intervals, PricingMode.PER_KWH)
        times.append(perf_counter() - began)
    return {
        "bytes": len(body),
        "intervals": len(intervals),
        "median_ms": round(statistics.median(times) * 1000, 1),
    }


# --------------------------------------------------------------------------------------------
# Figures


def _endpoint(path: str) -> str:
    return next((name for name in ENDPOINTS if path.endswith("/" + name)), "other")


def _site_of(path: str) -> str:
    parts = path.split("/")
    return parts[parts.index("sites") + 1] if "sites" in parts[:-1] else ""


def _figures(scenario: Scenario, raw: dict[str, Any], hours: float) -> dict[str, Any]:
    end = START + timedelta(hours=hours)
    warm = START + WARMUP
    records = [
        r for r in raw["requests"] if r.provider == "amber" and START <= r.time < end
    ]
    steady_hours = (end - warm).total_seconds() / 3600
    in_day = Counter(_endpoint(r.path) for r in records)
    in_warmup = Counter(_endpoint(r.path) for r in records if r.time < warm)
    steady_per_day = {
        name: round((in_day[name] - in_warmup[name]) * 24 / steady_hours, 1)
        for name in ENDPOINTS
    }

    # Price requests of each site in each 5-minute interval wholly after the warm-up.
    first = datetime.fromtimestamp(math.ceil(warm.timestamp() / 300) * 300, UTC)
    intervals = [
        first + timedelta(minutes=5 * n)
        for n in range(int((end - first).total_seconds() // 300))
    ]
    seconds: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    for r in records:
        if _endpoint(r.path) == "prices/current" and r.time >= first:
            start = datetime.fromtimestamp(r.time.timestamp() // 300 * 300, UTC)
            seconds[(_site_of(r.path), start)].append(
                int((r.time - start).total_seconds())
            )
    per_interval = [len(seconds[(s, i)]) for s in scenario.sites for i in intervals]
    patterns = Counter(
        " ".join(f"+{x}" for x in seconds[(s, i)])
        for s in scenario.sites
        for i in intervals
    )
    over = Counter(
        " ".join(f"+{x}" for x in seconds[(s, i)])
        for s in scenario.sites
        for i in intervals
        if len(seconds[(s, i)]) > TARGET_PER_INTERVAL
    )
    into = Counter(x for v in seconds.values() for x in v)
    window_max, window_at = max_in_window(
        [r.time for r in records if r.status != 429], WINDOW
    )
    probe: Probe = raw["probe"]
    errors = probe.poll_error_s
    total_429 = sum(1 for r in records if r.status == 429)
    return {
        "scenario": scenario.key,
        "label": scenario.label,
        "sites": len(scenario.sites),
        "confirmation_delay_s": scenario.confirmation_delay,
        "history_days": scenario.history_days or HISTORY_DAYS,
        "simulated_hours": hours,
        "setup_states": raw["setup_states"],
        "requests_day": {name: in_day[name] for name in ENDPOINTS}
        | {"total": len(records)},
        "requests_warmup": {name: in_warmup[name] for name in ENDPOINTS}
        | {"total": sum(in_warmup.values())},
        "requests_steady_per_day": steady_per_day
        | {"total": round(sum(steady_per_day.values()), 1)},
        "steady_intervals": len(intervals),
        "price_per_interval_mean": round(statistics.fmean(per_interval), 3)
        if per_interval
        else None,
        "price_per_interval_max": max(per_interval, default=None),
        "price_per_interval_hist": {
            str(k): v for k, v in sorted(Counter(per_interval).items())
        },
        "price_patterns_top": dict(patterns.most_common(5)),
        "price_patterns_over_target": dict(over.most_common(5)),
        "price_seconds_into_interval": {str(k): v for k, v in sorted(into.items())},
        "window_300s_max": window_max,
        "window_300s_max_at": window_at.strftime("%H:%M:%S") if window_at else None,
        "http_429": total_429,
        "http_errors_other": sum(1 for r in records if r.status >= 400) - total_429,
        "price_refresh_failures": dict(probe.failures),
        "price_sensor_unavailable_s": round(probe.unavailable_s, 1),
        "price_sensor_outages": probe.unavailable_periods[:10],
        "poll_vs_plan_s": {
            "min": round(min(errors), 3),
            "median": round(statistics.median(errors), 3),
            "max": round(max(errors), 3),
            "early_over_50ms": sum(1 for e in errors if e < -0.05),
            "polls": len(errors),
        }
        if errors
        else None,
        "learned_confirm_offset_s": raw["offsets"],
        "entities": raw["entities"],
        "price_refreshes": len(probe.refresh_s),
        "price_update_median_ms": _ms(probe.refresh_s),
        "price_update_p95_ms": _ms(probe.refresh_s, 0.95),
        "price_request_median_ms": _ms(probe.request_s),
        "parse_select_no_freezegun": _parse_cost(probe.sample_body),
        "simulator_handler_median_ms": _ms(probe.server_s),
        "entity_writes_per_update_median": statistics.median(probe.writes)
        if probe.writes
        else None,
        "state_changes_per_update_median": statistics.median(probe.changes)
        if probe.changes
        else None,
        "timers_fired": raw["steps"],
        "sleeper_jumps": raw["sleeper_jumps"],
        "setup_wall_s": round(raw["setup_s"], 1),
        "wall_s": round(raw["wall_s"], 1),
        "meets_target": bool(per_interval)
        and max(per_interval) <= TARGET_PER_INTERVAL
        and window_max <= ACCOUNT_LIMIT
        and total_429 == 0,
    }


# --------------------------------------------------------------------------------------------
# Report


ROWS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("confirmation delay, s", lambda r: r["confirmation_delay_s"]),
    ("history backfill, days", lambda r: r["history_days"]),
    ("prices/current requests / day", lambda r: r["requests_day"]["prices/current"]),
    ("sites requests / day", lambda r: r["requests_day"]["sites"]),
    ("usage requests / day", lambda r: r["requests_day"]["usage"]),
    ("all requests / day", lambda r: r["requests_day"]["total"]),
    ("  in the warm-up hour", lambda r: r["requests_warmup"]["total"]),
    ("  steady rate, per day", lambda r: r["requests_steady_per_day"]["total"]),
    ("price req/interval/site, mean", lambda r: r["price_per_interval_mean"]),
    ("price req/interval/site, max", lambda r: r["price_per_interval_max"]),
    ("  site-intervals by count", lambda r: r["price_per_interval_hist"]),
    ("max requests in any 300 s", lambda r: r["window_300s_max"]),
    ("429 answers", lambda r: r["http_429"]),
    ("failed price refreshes", lambda r: sum(r["price_refresh_failures"].values())),
    ("price sensor unavailable, s", lambda r: r["price_sensor_unavailable_s"]),
    (
        "poll vs plan, s (min/med/max)",
        lambda r: (
            "/".join(_fmt(r["poll_vs_plan_s"][k]) for k in ("min", "median", "max"))
            if r["poll_vs_plan_s"]
            else None
        ),
    ),
    ("learned confirmation time, s", lambda r: r["learned_confirm_offset_s"]),
    ("price update, median ms", lambda r: r["price_update_median_ms"]),
    ("price update, p95 ms", lambda r: r["price_update_p95_ms"]),
    ("  request + parse, median ms", lambda r: r["price_request_median_ms"]),
    ("  simulator handler, median ms", lambda r: r["simulator_handler_median_ms"]),
    (
        "  answer size, kB / intervals",
        lambda r: (
            f"{r['parse_select_no_freezegun']['bytes'] / 1000:.0f} / {r['parse_select_no_freezegun']['intervals']}"
            if r["parse_select_no_freezegun"]
            else None
        ),
    ),
    (
        "  decode+parse+select, no fzg, ms",
        lambda r: (
            r["parse_select_no_freezegun"]["median_ms"]
            if r["parse_select_no_freezegun"]
            else None
        ),
    ),
    ("  entity writes per update", lambda r: r["entity_writes_per_update_median"]),
    ("timers fired", lambda r: r["timers_fired"]),
    ("wall clock, setup+backfill, s", lambda r: r["setup_wall_s"]),
    ("wall clock, whole run, s", lambda r: r["wall_s"]),
    ("targets met", lambda r: "yes" if r["meets_target"] else "NO"),
)


def _table(results: list[dict[str, Any]]) -> str:
    width = max(14, *(len(r["label"]) + 2 for r in results))
    head = f"{'':<31}" + "".join(f"{r['label']:>{width}}" for r in results)
    lines = [head, "-" * len(head)]
    lines += [
        f"{label:<31}" + "".join(f"{_fmt(get(r)):>{width}}" for r in results)
        for label, get in ROWS
    ]
    return "\n".join(lines)


def _explain(result: dict[str, Any]) -> list[str]:
    """Say which target is missed and what in the data is behind it."""
    label = result["label"]
    notes = []
    top = result["price_per_interval_max"]
    if top is not None and top > TARGET_PER_INTERVAL:
        hist = result["price_per_interval_hist"]
        over = sum(n for k, n in hist.items() if int(k) > TARGET_PER_INTERVAL)
        notes.append(
            f"{label}: MISSED ≤ {TARGET_PER_INTERVAL} price requests per interval per site: "
            f"{over} of {sum(hist.values())} site-intervals took more (mean "
            f"{result['price_per_interval_mean']}, max {top}). Seconds into the interval of "
            f"the requests in those intervals (count): "
            f"{_fmt(result['price_patterns_over_target'])}; usual pattern: "
            f"{_fmt(result['price_patterns_top'])}. Learned confirmation offset "
            f"{_fmt(result['learned_confirm_offset_s'])} s, Amber confirming "
            f"{result['confirmation_delay_s']:g} s in; polls vs the planned time "
            f"{_fmt(result['poll_vs_plan_s'])}."
        )
    if result["window_300s_max"] > ACCOUNT_LIMIT:
        notes.append(
            f"{label}: MISSED the budget: {result['window_300s_max']} requests in the 300 s "
            f"from {result['window_300s_max_at']}."
        )
    if result["http_429"]:
        notes.append(f"{label}: MISSED: {result['http_429']} answers were 429.")
    if result["price_refresh_failures"]:
        notes.append(
            f"{label}: {sum(result['price_refresh_failures'].values())} price refreshes "
            f"failed ({_fmt(result['price_refresh_failures'])}); the busiest 300 s held "
            f"{result['window_300s_max']} requests from {result['window_300s_max_at']} "
            f"(warm-up: {_fmt(result['requests_warmup'])}); price sensors unavailable "
            f"{result['price_sensor_unavailable_s']:g} s: {result['price_sensor_outages']}."
        )
    return notes


# --------------------------------------------------------------------------------------------
# Processes: one per scenario


def _worker(key: str, hours: float) -> None:
    """Run one scenario in this process and print its figures as one JSON line."""
    worker_logging(key)
    scenario = SCENARIOS[key]
    raw = run_frozen(START, lambda frozen: _simulate(scenario, frozen, hours))
    # Out of freezegun now: the parse benchmark in _figures runs on real datetimes.
    print(json.dumps(_figures(scenario, raw, hours), separators=(",", ":")))


def _run_worker(key: str, hours: float) -> dict[str, Any]:
    result = run_worker(__file__, key, hours)
    print(
        f"{result['label']}: {hours:g} h simulated in {result['wall_s']:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return result


def main() -> None:
    """Run the scenarios and print the table, the notes and one JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2].split("\n\n", 1)[0],
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--all",
        action="store_true",
        help="all four scenarios (default: single and multi)",
    )
    which.add_argument(
        "--quick", action="store_true", help="6 simulated hours, single and multi"
    )
    parser.add_argument("--hours", type=float, help="simulated hours (default 24)")
    parser.add_argument(
        "--scenario", action="append", choices=ORDER, help="only these (repeatable)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="scenarios run at a time (default 2)",
    )
    parser.add_argument("--worker", choices=ORDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    hours = args.hours or (6.0 if args.quick else 24.0)
    if hours <= WARMUP.total_seconds() / 3600:
        parser.error("simulate more than the 1-hour warm-up")
    if args.worker:
        _worker(args.worker, hours)
        return

    wanted = set(args.scenario or (ORDER if args.all else ("single", "multi")))
    keys = [k for k in ORDER if k in wanted]
    began = perf_counter()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        done = dict(
            zip(keys, pool.map(lambda k: _run_worker(k, hours), keys), strict=True)
        )
    results = [done[k] for k in sorted(keys, key=list(SCENARIOS).index)]
    total = perf_counter() - began

    print(
        f"Amber polling: {hours:g} simulated hours from {START:%Y-%m-%d %H:%M:%S} UTC; "
        f"steady state after the first {WARMUP.total_seconds() / 3600:g} h; "
        f"{len(keys)} scenarios, {args.jobs} at a time, {total:.0f} s"
    )
    print(_table(results))
    print()
    print(
        "Targets: ≤ 2 price requests per interval per site in steady state; ≤ 50 requests "
        "of an account in any 300 s; no 429."
    )
    notes = [note for r in results for note in _explain(r)]
    print("\n".join(notes) if notes else "All targets met.")
    print(
        json.dumps(
            {
                "hours": hours,
                "jobs": args.jobs,
                "wall_s": round(total, 1),
                "scenarios": results,
            },
            separators=(",", ":"),
        )
    )


if __name__ == "__main__":
    main()
