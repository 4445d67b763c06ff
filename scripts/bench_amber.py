"""Benchmark Amber polling: 24 simulated hours of the real integration against the simulator.

Run from the repository root: `.venv/bin/python scripts/bench_amber.py [--quick] [--hours N]`.

Each scenario starts a test Home Assistant (the pytest harness's `async_test_home_assistant`, the
recorder on a temporary sqlite file, registries in memory), serves the provider simulator on
127.0.0.1 (nothing else is reached), adds Amber config entries and sets them up through Home
Assistant: real coordinators, real HTTP, real entities and state writes, the real request budget.

Time is frozen with freezegun (the harness's patched freezegun, as under pytest). Instead of
ticking every second, the driver jumps the frozen clock straight to the earliest pending timer of
the event loop (coordinator refreshes, keep-alive timers, ...), lets the loop run it, and waits for
everything (`hass.async_block_till_done(wait_background_tasks=True)`), until the simulated hours
have passed. A task that sleeps on a timer (the request budget holding a request back, a retry
back-off) would keep `async_block_till_done` waiting forever under a frozen clock: when nothing
has moved for a moment of real time and no HTTP request is in flight (no aiohttp timeout timer is
pending), the driver jumps to the earliest timer then too. Real retry delays and timeouts are kept.

Like the test harness (its defaults), the recorder's nightly purge and 5-minute statistics
compilation are switched off; the recorder still writes every state change.

Figures, after a warm-up (the first hour, which includes the 90-day history backfill):
requests per simulated day per endpoint, `/prices/current` requests per interval per site
(mean, max, distribution, where in the interval they go), the most requests of the account in
any 300 s sliding window (the limit is 50), 429 answers, the wall-clock time of the simulation,
and the real time of one price coordinator update end to end (request + parse + selection +
state writes of every entity of the entry), median over the day.
"""

# ruff: noqa: E402, I001 — the harness's time patching must come before any other Home Assistant
# import, and the repository root must be on sys.path first.

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_homeassistant_custom_component import patch_time  # isort:skip

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import logging
import math
import sqlite3
import statistics
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
import freezegun
import freezegun.api

import custom_components.openpower  # noqa: F401  (ours before the harness's testing_config)
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber import coordinator as amber_coordinator
from custom_components.openpower.providers.amber.coordinator import (
    AmberPriceCoordinator,
)
from custom_components.openpower.api.amber import AmberClient
from homeassistant import loader
from homeassistant.components import recorder
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, recorder as recorder_helper
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
    mock_storage,
)

from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    Simulator,
)



def perf_counter() -> float:
    """Real time, whatever freezegun does (it patches every module attribute that is a clock)."""
    return freezegun.api.real_perf_counter()


real_sleep = time.sleep  # freezegun leaves time.sleep alone

START = datetime(2026, 11, 23, 0, 3, 17, tzinfo=UTC)  # 11:03:17 in Sydney, mid-interval
WARMUP = timedelta(hours=1)
WINDOW = timedelta(seconds=300)
ACCOUNT_LIMIT = 50
TARGET_PER_INTERVAL = 2.0
# Real seconds without progress before the driver jumps over a timer something sleeps on.
STALL_CHECK = 0.05
STALL_GIVE_UP = 300.0
FAST_FREEZEGUN = bool(__import__("os").environ.get("BENCH_FAST"))
DEBUG_TIMERS = bool(__import__("os").environ.get("BENCH_DEBUG_TIMERS"))

ENDPOINTS = ("prices/current", "sites", "usage")


def _endpoint(path: str) -> str:
    for name in ENDPOINTS:
        if path.endswith("/" + name):
            return name
    return "other"


def _site_of(path: str) -> str | None:
    parts = path.split("/")
    return parts[parts.index("sites") + 1] if "sites" in parts[:-1] else None


# --------------------------------------------------------------------------------------------
# Frozen time, as under pytest (plugins.pytest_runtest_setup)


def _patch_freezegun() -> None:
    """Apply the harness's freezegun fixes (fold support, thread-safe stop, lazy modules)."""
    freezegun.api.FakeDate = patch_time.HAFakeDate  # type: ignore[attr-defined]
    freezegun.api.datetime_to_fakedatetime = patch_time.ha_datetime_to_fakedatetime  # type: ignore[attr-defined]
    freezegun.api.FakeDatetime = patch_time.HAFakeDatetime  # type: ignore[attr-defined]
    freezegun.api._get_module_attributes = patch_time.ha_get_module_attributes  # type: ignore[attr-defined]  # noqa: SLF001
    freezegun.api._get_module_attributes_hash = patch_time.ha_get_module_attributes_hash  # type: ignore[attr-defined]  # noqa: SLF001
    freezegun.api._should_use_real_time = patch_time.ha_should_use_real_time  # type: ignore[attr-defined]  # noqa: SLF001
    freezegun.api.get_current_time = patch_time.ha_get_current_time
    if FAST_FREEZEGUN:
        freezegun.api.call_stack_inspection_limit = 0
    sqlite3.register_adapter(patch_time.HAFakeDatetime, lambda val: val.isoformat(" "))


def _resolver(_hass: HomeAssistant) -> ThreadedResolver:
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]  # what HA closes
    return resolver


@contextmanager
def _like_the_harness() -> Iterator[None]:
    """What the harness patches by default.

    The HTTP server (a dependency of the integration) neither binds nor starts; the recorder runs
    no nightly purge, no periodic statistics compilation, no missing-statistics compile.
    """
    with (
        patch("homeassistant.components.http.HomeAssistantHTTP.async_bind"),
        patch("homeassistant.components.http.HomeAssistantHTTP.start"),
        # No mDNS resolver (it starts zeroconf, and a cache-cleanup timer every 10 s).
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            side_effect=_resolver,
        ),
        patch(
            "homeassistant.components.recorder.Recorder.async_nightly_tasks",
            autospec=True,
        ),
        patch(
            "homeassistant.components.recorder.Recorder.async_periodic_statistics",
            autospec=True,
        ),
        patch(
            "homeassistant.components.recorder.Recorder._schedule_compile_missing_statistics",
            autospec=True,
        ),
    ):
        yield


# --------------------------------------------------------------------------------------------
# The virtual-time driver


def _is_sleep(handle: asyncio.TimerHandle) -> bool:
    """True for the timer of an `asyncio.sleep` (the budget holding a request, a back-off)."""
    return getattr(handle._callback, "__name__", "") == "_set_result_unless_cancelled"  # noqa: SLF001


def _is_timeout(handle: asyncio.TimerHandle) -> bool:
    """True for the timer of a timeout guarding something in flight (an HTTP request, a wait)."""
    callback = handle._callback  # noqa: SLF001
    owner = getattr(callback, "__self__", None)
    names = (
        getattr(callback, "__qualname__", "") or "",
        type(owner).__qualname__ if owner is not None else "",
    )
    return any("timeout" in name.lower() for name in names)


def _pending(loop: asyncio.AbstractEventLoop) -> list[asyncio.TimerHandle]:
    return [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]  # noqa: SLF001


class VirtualClock:
    """Jumps freezegun's clock from timer to timer."""

    def __init__(self, hass: HomeAssistant, frozen: Any) -> None:
        """Drive `hass`'s loop with the frozen-time factory `frozen`."""
        self.hass = hass
        self.loop = hass.loop
        self.frozen = frozen
        self.steps = 0
        self.stall_jumps = 0
        self.fired: Counter[str] = Counter()
        self._watch = ThreadPoolExecutor(1, thread_name_prefix="bench-watchdog")

    def close(self) -> None:
        """Stop the watchdog thread."""
        self._watch.shutdown(wait=False)

    def _jump_to(self, when: float) -> None:
        """Move the frozen clock just past `when` (a loop time), whole microseconds."""
        ahead = when - self.loop.time()
        if ahead > 0:
            self.frozen.tick(timedelta(microseconds=math.ceil(ahead * 1e6) + 1))

    async def settle(self) -> None:
        """Wait for every task, jumping over the timers tasks sleep on when nothing else moves."""
        done = self.loop.create_task(
            self.hass.async_block_till_done(wait_background_tasks=True)
        )
        stalled_since: float | None = None
        while not done.done():
            tick = self.loop.run_in_executor(self._watch, real_sleep, STALL_CHECK)
            await asyncio.wait({done, tick}, return_when=asyncio.FIRST_COMPLETED)
            if done.done():
                break
            pending = _pending(self.loop)
            if not any(_is_sleep(h) for h in pending) or any(
                _is_timeout(h) for h in pending
            ):
                # Real work in flight (an HTTP exchange, a recorder job): give it real time.
                stalled_since = stalled_since or perf_counter()
                if perf_counter() - stalled_since > STALL_GIVE_UP:
                    raise RuntimeError(f"stuck: {done!r}, timers {pending}")
                continue
            stalled_since = None
            self.stall_jumps += 1
            self._jump_to(min(h.when() for h in pending))
        done.result()

    async def run_until(self, end: datetime) -> None:
        """Fire every timer due before `end`, in order, waiting for all work after each."""
        end_ts = end.timestamp()
        while True:
            await self.settle()
            pending = _pending(self.loop)
            if not pending:
                return
            when = min(h.when() for h in pending)
            if when >= end_ts:
                return
            self.steps += 1
            if DEBUG_TIMERS:
                first = min(pending, key=lambda h: h.when())
                self.fired[repr(first._callback)[:90]] += 1  # noqa: SLF001
            self._jump_to(when)
            await asyncio.sleep(0)  # the loop now runs every timer that is due


# --------------------------------------------------------------------------------------------
# Measuring the price coordinator


@dataclass
class RefreshTimer:
    """Real time of every price coordinator refresh, and of its HTTP request + parse."""

    refresh_s: list[float] = field(default_factory=list)
    request_s: list[float] = field(default_factory=list)
    server_s: list[float] = field(default_factory=list)
    state_writes: list[int] = field(default_factory=list)
    _writes: int = 0

    @contextmanager
    def installed(self, hass: HomeAssistant) -> Iterator[None]:
        """Time `_async_refresh` of price coordinators and the prices request of the client."""
        original_refresh = DataUpdateCoordinator._async_refresh  # noqa: SLF001
        original_prices = AmberClient.async_get_current_prices
        original_handle = Simulator.handle
        timer = self

        async def timed_refresh(self: Any, *args: Any, **kwargs: Any) -> None:
            before, began = timer._writes, perf_counter()
            try:
                await original_refresh(self, *args, **kwargs)
            finally:
                timer.refresh_s.append(perf_counter() - began)
                timer.state_writes.append(timer._writes - before)

        async def timed_prices(self: Any, *args: Any, **kwargs: Any) -> Any:
            began = perf_counter()
            try:
                return await original_prices(self, *args, **kwargs)
            finally:
                timer.request_s.append(perf_counter() - began)

        async def timed_handle(self: Any, request: Any, handler: Any) -> Any:
            began = perf_counter()
            try:
                return await original_handle(self, request, handler)
            finally:
                if request.path.endswith("/prices/current"):
                    timer.server_s.append(perf_counter() - began)

        @callback
        def count_write(event: Any) -> None:
            if event.data["entity_id"].split(".")[1].startswith(("home_", "site_")):
                timer._writes += 1

        unsub = hass.bus.async_listen("state_changed", count_write)
        with (
            patch.object(AmberPriceCoordinator, "_async_refresh", timed_refresh),
            patch.object(AmberClient, "async_get_current_prices", timed_prices),
            patch.object(Simulator, "handle", timed_handle),
        ):
            yield
        unsub()


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
    """Backfill this many days instead of 90 (the confirmation scenarios: it saves time)."""


SCENARIOS = (
    Scenario("single", "1 site (demo)", "demo", DEMO_TOKEN, (DEMO_SITE_5MIN,)),
    Scenario("multi", "3 sites (multi)", "multi", MULTI_TOKEN, tuple(MULTI_SITES)),
    Scenario(
        "confirm45",
        "1 site, confirm 45 s",
        "demo",
        DEMO_TOKEN,
        (DEMO_SITE_5MIN,),
        45.0,
        history_days=7,
    ),
    Scenario(
        "confirm10",
        "1 site, confirm 10 s",
        "demo",
        DEMO_TOKEN,
        (DEMO_SITE_5MIN,),
        10.0,
        history_days=7,
    ),
)


def _entry(scenario: Scenario, simulator: Simulator, number: int, site: str) -> MockConfigEntry:
    account_id = (
        min(DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED)
        if scenario.account == "demo"
        else min(MULTI_SITES)
    )
    title = "Home" if len(scenario.sites) == 1 else f"Site {number}"
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
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
    """Run one scenario; return the raw material of its figures."""
    timer = RefreshTimer()
    began = perf_counter()
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock_storage(),
        _like_the_harness(),
        patch.object(
            amber_coordinator,
            "HISTORY_DAYS",
            scenario.history_days or amber_coordinator.HISTORY_DAYS,
        ),
    ):
        async with async_test_home_assistant(config_dir=tmp) as hass:
            clock = VirtualClock(hass, frozen)
            simulator = Simulator(
                clock=dt_util.utcnow,
                amber_confirmation_delay=scenario.confirmation_delay,
            )
            try:
                await hass.config.async_set_time_zone("Australia/Sydney")
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # enable_custom_integrations
                recorder_helper.async_initialize_recorder(hass)
                if not await async_setup_component(
                    hass,
                    recorder.DOMAIN,
                    {
                        recorder.DOMAIN: {
                            "db_url": f"sqlite:///{Path(tmp) / 'home-assistant_v2.db'}",
                            "commit_interval": 0,
                        }
                    },
                ):
                    raise RuntimeError("the recorder did not start")
                await hass.async_block_till_done()
                await simulator.start()
                with timer.installed(hass):
                    entries = []
                    for number, site in enumerate(scenario.sites, start=1):
                        entry = _entry(scenario, simulator, number, site)
                        entry.add_to_hass(hass)
                        if not await hass.config_entries.async_setup(entry.entry_id):
                            raise RuntimeError(f"setup of {entry.title} failed")
                        entries.append(entry)
                        await clock.settle()
                    setup_done = perf_counter()
                    await clock.run_until(START + timedelta(hours=hours))
                simulated = perf_counter()
                offsets = [
                    e.runtime_data.runtime.prices._confirmation.offset.total_seconds()  # noqa: SLF001
                    for e in entries
                ]
                entities = len(
                    [
                        ent
                        for ent in er.async_get(hass).entities.values()
                        if ent.platform == DOMAIN
                    ]
                )
                if DEBUG_TIMERS:
                    print(clock.fired.most_common(20), file=sys.stderr)
                    print(sorted(hass.config.components), file=sys.stderr)
                for entry in entries:
                    await hass.config_entries.async_unload(entry.entry_id)
                await clock.settle()
            finally:
                clock.close()
                await simulator.stop()
                await hass.async_stop(force=True)
    return {
        "requests": list(simulator.requests),
        "timer": timer,
        "wall_s": simulated - began,
        "setup_s": setup_done - began,
        "steps": clock.steps,
        "stall_jumps": clock.stall_jumps,
        "offsets": offsets,
        "entities": entities,
    }


def _max_in_window(times: list[datetime]) -> tuple[int, datetime | None]:
    """The most requests in any [t, t + 300 s) window, and where that window starts."""
    times = sorted(times)
    best, at, j = 0, None, 0
    for i, first in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] < first + WINDOW:
            j += 1
        if j - i > best:
            best, at = j - i, first
    return best, at


def _figures(scenario: Scenario, raw: dict[str, Any], hours: float) -> dict[str, Any]:
    end = START + timedelta(hours=hours)
    warm = START + WARMUP
    records = [
        r for r in raw["requests"] if r.provider == "amber" and START <= r.time < end
    ]
    steady_hours = (end - warm).total_seconds() / 3600
    per_day: dict[str, int] = Counter(_endpoint(r.path) for r in records)
    steady_per_day = {
        name: round(
            sum(1 for r in records if r.time >= warm and _endpoint(r.path) == name)
            * 24
            / steady_hours,
            1,
        )
        for name in ENDPOINTS
    }
    warmup_counts = Counter(_endpoint(r.path) for r in records if r.time < warm)

    # Price requests per interval per site, intervals wholly after the warm-up.
    step = timedelta(minutes=5)
    first = datetime.fromtimestamp(math.ceil(warm.timestamp() / 300) * 300, UTC)
    intervals = []
    moment = first
    while moment + step <= end:
        intervals.append(moment)
        moment += step
    counts: dict[tuple[str, datetime], int] = defaultdict(int)
    into: Counter[int] = Counter()
    for r in records:
        if _endpoint(r.path) != "prices/current" or r.time < first:
            continue
        start = datetime.fromtimestamp(r.time.timestamp() // 300 * 300, UTC)
        counts[(_site_of(r.path) or "", start)] += 1
        into[int((r.time - start).total_seconds())] += 1
    per_interval = [counts[(s, i)] for s in scenario.sites for i in intervals]
    accepted = [r.time for r in records if r.status != 429]
    window_max, window_at = _max_in_window(accepted)
    timer: RefreshTimer = raw["timer"]
    refresh = timer.refresh_s
    return {
        "scenario": scenario.key,
        "label": scenario.label,
        "sites": len(scenario.sites),
        "confirmation_delay_s": scenario.confirmation_delay,
        "simulated_hours": hours,
        "requests_day": {name: per_day.get(name, 0) for name in ENDPOINTS}
        | {"total": len(records)},
        "requests_warmup": {name: warmup_counts.get(name, 0) for name in ENDPOINTS},
        "requests_steady_per_day": steady_per_day
        | {"total": round(sum(steady_per_day.values()), 1)},
        "price_per_interval_mean": round(statistics.fmean(per_interval), 3)
        if per_interval
        else None,
        "price_per_interval_max": max(per_interval, default=None),
        "price_per_interval_hist": dict(sorted(Counter(per_interval).items())),
        "price_seconds_into_interval": dict(sorted(into.items())),
        "intervals": len(intervals),
        "window_300s_max": window_max,
        "window_300s_max_at": window_at.isoformat() if window_at else None,
        "http_429": sum(1 for r in records if r.status == 429),
        "other_errors": sum(1 for r in records if r.status >= 400 and r.status != 429),
        "learned_confirm_offset_s": raw["offsets"],
        "entities": raw["entities"],
        "price_refreshes": len(refresh),
        "price_refresh_median_ms": round(statistics.median(refresh) * 1000, 2)
        if refresh
        else None,
        "price_refresh_p95_ms": round(
            statistics.quantiles(refresh, n=20)[-1] * 1000, 2
        )
        if len(refresh) >= 20
        else None,
        "price_request_median_ms": round(statistics.median(timer.request_s) * 1000, 2)
        if timer.request_s
        else None,
        "simulator_handler_median_ms": round(statistics.median(timer.server_s) * 1000, 2)
        if timer.server_s
        else None,
        "state_writes_per_refresh_median": statistics.median(timer.state_writes)
        if timer.state_writes
        else None,
        "timer_steps": raw["steps"],
        "stall_jumps": raw["stall_jumps"],
        "setup_wall_s": round(raw["setup_s"], 2),
        "wall_s": round(raw["wall_s"], 2),
        "meets_target": bool(per_interval)
        and max(per_interval) <= TARGET_PER_INTERVAL
        and window_max <= ACCOUNT_LIMIT
        and not any(r.status == 429 for r in records),
    }


# --------------------------------------------------------------------------------------------
# Report


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, dict):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(_fmt(v) for v in value)
    return str(value)


def _table(results: list[dict[str, Any]], hours: float) -> str:
    day = "day" if hours == 24 else f"{hours:g} h"
    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("sites / confirmation delay", lambda r: f"{r['sites']} / {r['confirmation_delay_s']:g} s"),
        (f"prices/current per {day}", lambda r: r["requests_day"]["prices/current"]),
        (f"sites per {day}", lambda r: r["requests_day"]["sites"]),
        (f"usage per {day}", lambda r: r["requests_day"]["usage"]),
        (f"all requests per {day}", lambda r: r["requests_day"]["total"]),
        ("  of which in warm-up hour", lambda r: sum(r["requests_warmup"].values())),
        ("steady rate, requests/day", lambda r: r["requests_steady_per_day"]["total"]),
        ("price req/interval/site mean", lambda r: r["price_per_interval_mean"]),
        ("price req/interval/site max", lambda r: r["price_per_interval_max"]),
        ("  intervals with n requests", lambda r: r["price_per_interval_hist"]),
        ("max requests in 300 s (≤50)", lambda r: r["window_300s_max"]),
        ("429 answers (must be 0)", lambda r: r["http_429"]),
        ("learned confirm offset, s", lambda r: r["learned_confirm_offset_s"]),
        ("price update median, ms", lambda r: r["price_refresh_median_ms"]),
        ("price update p95, ms", lambda r: r["price_refresh_p95_ms"]),
        ("  request+parse, ms", lambda r: r["price_request_median_ms"]),
        ("  in-process simulator, ms", lambda r: r["simulator_handler_median_ms"]),
        ("  state writes per update", lambda r: r["state_writes_per_refresh_median"]),
        ("timers fired", lambda r: r["timer_steps"]),
        ("wall clock, setup+backfill, s", lambda r: r["setup_wall_s"]),
        ("wall clock, simulation, s", lambda r: r["wall_s"]),
        ("target met", lambda r: "yes" if r["meets_target"] else "NO"),
    ]
    width = max(22, *(len(r["label"]) + 2 for r in results))
    lines = [f"{'':<32}" + "".join(f"{r['label']:>{width}}" for r in results)]
    lines += [
        f"{label:<32}" + "".join(f"{_fmt(get(r)):>{width}}" for r in results)
        for label, get in rows
    ]
    return "\n".join(lines)


def _explain(result: dict[str, Any]) -> list[str]:
    """Say which target is missed and what the data shows is behind it."""
    notes = []
    mean, top = result["price_per_interval_mean"], result["price_per_interval_max"]
    if top is not None and top > TARGET_PER_INTERVAL:
        hist = result["price_per_interval_hist"]
        over = sum(n for k, n in hist.items() if k > TARGET_PER_INTERVAL)
        into = result["price_seconds_into_interval"]
        notes.append(
            f"{result['label']}: MISSED ≤ {TARGET_PER_INTERVAL:g} price requests per interval: "
            f"mean {mean}, max {top}; {over} of {sum(hist.values())} site-intervals needed more. "
            f"Seconds into the interval of the steady-state price requests: {_fmt(into)}. "
            f"Learned confirmation offset {result['learned_confirm_offset_s']} s against "
            f"Amber confirming {result['confirmation_delay_s']:g} s in."
        )
    if result["window_300s_max"] > ACCOUNT_LIMIT:
        notes.append(
            f"{result['label']}: MISSED the budget: {result['window_300s_max']} requests in the "
            f"300 s from {result['window_300s_max_at']}."
        )
    if result["http_429"]:
        notes.append(f"{result['label']}: {result['http_429']} answers were 429.")
    return notes


def main() -> None:
    """Run the scenarios and print the table, the notes and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help="6 simulated hours, scenarios 1 and 2 only"
    )
    parser.add_argument("--hours", type=float, help="simulated hours (default 24)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=[s.key for s in SCENARIOS],
        help="run only these scenarios (repeatable)",
    )
    args = parser.parse_args()
    hours = args.hours or (6.0 if args.quick else 24.0)
    if hours <= WARMUP.total_seconds() / 3600:
        parser.error("simulate more than the 1-hour warm-up")
    chosen = [
        s
        for s in SCENARIOS
        if (s.key in args.scenario if args.scenario else not args.quick or s.key in ("single", "multi"))
    ]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    _patch_freezegun()
    results = []
    total_began = perf_counter()
    with freezegun.freeze_time(START) as frozen:
        for scenario in chosen:
            frozen.move_to(START)
            raw = asyncio.run(_simulate(scenario, frozen, hours))
            result = _figures(scenario, raw, hours)
            results.append(result)
            print(
                f"{scenario.label}: simulated {hours:g} h in {result['wall_s']:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    print(
        f"Amber polling, {hours:g} simulated hours from {START.isoformat()} "
        f"(steady state after the first {WARMUP.total_seconds() / 3600:g} h)"
    )
    print(_table(results, hours))
    notes = [note for r in results for note in _explain(r)]
    print()
    print(
        "Targets: ≤ 2 price requests per interval per site in steady state, "
        "≤ 50 requests per 300 s per account, no 429."
    )
    print("\n".join(notes) if notes else "All targets met.")
    print(
        json.dumps(
            {
                "hours": hours,
                "total_wall_s": round(perf_counter() - total_began, 2),
                "scenarios": results,
            },
            separators=(",", ":"),
            default=str,
        )
    )


if __name__ == "__main__":
    main()
