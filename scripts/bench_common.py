"""What the polling benchmarks share: a test Home Assistant, the simulator, a virtual clock.

`scripts/bench_amber.py` and `scripts/bench_emporia.py` run the real integration in the pytest
harness's `async_test_home_assistant` (registries in memory, the recorder on a temporary sqlite
file) against the provider simulator served on 127.0.0.1, with real coordinators, real HTTP, real
entities and state writes, and the real shared request budget. `scripts/bench_pge.py` runs the
same Home Assistant and driver against the simulator in a process of its own.

Time is frozen with freezegun, patched as the harness patches it. Instead of ticking every second,
`VirtualClock` jumps the frozen clock straight to the earliest pending timer of the event loop
(coordinator refreshes, keep-alive timers, ...), lets the loop run what is due, and waits for
everything (`hass.async_block_till_done(wait_background_tasks=True)`). A task sleeping on a timer
(the budget holding a request back, a retry back-off) would keep that wait going forever under a
frozen clock: when only such sleepers are left and no HTTP request is in flight (no aiohttp timeout
timer is pending, but for a read timeout aiohttp left armed on a connection back in Home
Assistant's pool), the driver jumps to the earliest timer as well. Request timeouts and retry
delays are the real ones.

Like the harness by default, the HTTP server does not bind, the aiohttp resolver is not the mDNS
one, and the recorder runs no nightly purge and no periodic statistics compilation; it still
records every state change.

Import this module before any Home Assistant module: the harness's time patching must come first.
"""

# The harness's time patching must come before any other Home Assistant import (E402), and the
# driver reads the loop's private timer list (SLF001).
# ruff: noqa: E402, SLF001

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_homeassistant_custom_component import patch_time  # isort:skip

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import logging
import math
import sqlite3
import statistics
import subprocess
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp import ThreadedResolver
import freezegun
import freezegun.api
from homeassistant import loader
from homeassistant.components.recorder.const import DOMAIN as RECORDER_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import recorder as recorder_helper
from homeassistant.helpers.aiohttp_client import DATA_CONNECTOR
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_test_home_assistant,
    mock_storage,
)

import custom_components.openpower  # noqa: F401  (ours before the harness's testing_config)
from tests.simulator import Simulator

# Real seconds a wait may go without progress before the driver checks for sleepers.
STALL_CHECK = 0.05
# Real seconds of in-flight work without an end before the benchmark gives up.
STALL_GIVE_UP = 300.0


def perf_counter() -> float:
    """Real time, whatever freezegun does (it patches every module attribute that is a clock)."""
    return freezegun.api.real_perf_counter()


real_sleep = time.sleep  # freezegun leaves time.sleep alone


# --------------------------------------------------------------------------------------------
# What the harness patches


def patch_freezegun() -> None:
    """Apply the harness's freezegun fixes (plugins.pytest_runtest_setup)."""
    for name, value in {
        "FakeDate": patch_time.HAFakeDate,
        "datetime_to_fakedatetime": patch_time.ha_datetime_to_fakedatetime,
        "FakeDatetime": patch_time.HAFakeDatetime,
        "_get_module_attributes": patch_time.ha_get_module_attributes,
        "_get_module_attributes_hash": patch_time.ha_get_module_attributes_hash,
        "_should_use_real_time": patch_time.ha_should_use_real_time,
        "get_current_time": patch_time.ha_get_current_time,
    }.items():
        setattr(freezegun.api, name, value)
    sqlite3.register_adapter(patch_time.HAFakeDatetime, lambda val: val.isoformat(" "))


def _resolver(_hass: HomeAssistant) -> ThreadedResolver:
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]  # what HA closes
    return resolver


@contextmanager
def like_the_harness() -> Iterator[None]:
    """Patch what the harness patches by default.

    The HTTP server (a dependency of the integration) neither binds nor starts, no mDNS resolver
    (it starts zeroconf), and the recorder runs no nightly purge, no periodic statistics, no
    missing-statistics compile.
    """
    with (
        patch("homeassistant.components.http.HomeAssistantHTTP.async_bind"),
        patch("homeassistant.components.http.HomeAssistantHTTP.start"),
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


def _pending(loop: asyncio.AbstractEventLoop) -> list[asyncio.TimerHandle]:
    return [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]


def _is_sleep(handle: asyncio.TimerHandle) -> bool:
    """Tell the timer of an `asyncio.sleep` (the budget holding a request back, a back-off)."""
    callback_ = handle._callback  # type: ignore[attr-defined]
    return getattr(callback_, "__name__", "") == "_set_result_unless_cancelled"


def _pooled(hass: HomeAssistant) -> set[int]:
    """Ids of the connections resting in Home Assistant's HTTP pools (no request on them)."""
    return {
        id(protocol)
        for connector in hass.data.get(DATA_CONNECTOR, {}).values()
        for idle in getattr(connector, "_conns", {}).values()
        for protocol, _ in idle
    }


def _is_timeout(handle: asyncio.TimerHandle, pooled: set[int]) -> bool:
    """Tell the timer of a timeout guarding something in flight (an HTTP request).

    aiohttp can leave a connection's read timeout armed once it is back in the pool (a streamed
    body whose reading was paused, then resumed after its end): that guards nothing.
    """
    callback_ = handle._callback  # type: ignore[attr-defined]
    owner = getattr(callback_, "__self__", None)
    if owner is not None and id(owner) in pooled:
        return False
    names = (
        getattr(callback_, "__qualname__", "") or "",
        type(owner).__qualname__ if owner is not None else "",
    )
    return any("timeout" in name.lower() for name in names)


class VirtualClock:
    """Jumps freezegun's clock from timer to timer."""

    def __init__(self, hass: HomeAssistant, frozen: Any) -> None:
        """Drive `hass`'s loop with the frozen-time factory `frozen`."""
        self.hass = hass
        self.loop = hass.loop
        self.frozen = frozen
        self.steps = 0
        self.sleeper_jumps = 0
        self._watch = ThreadPoolExecutor(1, thread_name_prefix="bench-watch")

    def close(self) -> None:
        """Stop the watch thread."""
        self._watch.shutdown(wait=False, cancel_futures=True)

    def _jump_to(self, when: float) -> None:
        """Move the frozen clock just past `when` (a loop time), in whole microseconds."""
        ahead = when - self.loop.time()
        if ahead >= 0:
            # The loop runs a timer once `when < time() + resolution`; at 1.8e9 s a float has no
            # room for the 1 ns resolution, so `when == time()` is never due: go past it.
            self.frozen.tick(timedelta(microseconds=math.ceil(ahead * 1e6) + 1))

    async def settle(self, until: float | None = None) -> None:
        """Wait for every task; jump over the timers tasks sleep on when nothing else moves.

        With `until` (a loop time), never jump to a timer at or after it: tasks still sleeping
        then are left as they are (a request the budget holds back past the end of the run).
        """
        done = self.loop.create_task(
            self.hass.async_block_till_done(wait_background_tasks=True)
        )
        busy_since: float | None = None
        while not done.done():
            tick = self.loop.run_in_executor(self._watch, real_sleep, STALL_CHECK)
            await asyncio.wait({done, tick}, return_when=asyncio.FIRST_COMPLETED)
            if done.done():
                # Unqueue the check: checks left queued would delay the next ones (and the
                # end of the process) by STALL_CHECK each.
                tick.cancel()
                break
            pending = _pending(self.loop)
            pooled = _pooled(self.hass)
            if not any(_is_sleep(h) for h in pending) or any(
                _is_timeout(h, pooled) for h in pending
            ):
                # Real work in flight (an HTTP exchange, a recorder job): give it real time.
                busy_since = busy_since or perf_counter()
                if perf_counter() - busy_since > STALL_GIVE_UP:
                    raise RuntimeError(
                        f"no progress in {STALL_GIVE_UP:.0f} s: {pending}"
                    )
                continue
            busy_since = None
            when = min(h.when() for h in pending)
            if until is not None and when >= until:
                done.cancel()
                return
            self.sleeper_jumps += 1
            self._jump_to(when)
        done.result()

    async def run_until(self, end: datetime) -> None:
        """Fire every timer due before `end`, in order, waiting for all work after each."""
        end_ts = end.timestamp()
        while True:
            await self.settle(end_ts)
            pending = _pending(self.loop)
            if not pending:
                return
            when = min(h.when() for h in pending)
            if when >= end_ts:
                return
            self.steps += 1
            self._jump_to(when)
            await asyncio.sleep(0)  # the loop now runs every timer that is due


# --------------------------------------------------------------------------------------------
# A test Home Assistant with the recorder on a file, and the simulator


@dataclass(frozen=True)
class Bench:
    """What `bench_home_assistant` gives: Home Assistant, its clock, the simulator, the db."""

    hass: HomeAssistant
    clock: VirtualClock
    simulator: Simulator
    database: Path


@asynccontextmanager
async def bench_home_assistant(
    frozen: Any, *, time_zone: str, **simulator_options: Any
) -> AsyncIterator[Bench]:
    """Start a test Home Assistant with the recorder, and the simulator on its frozen clock.

    Custom integrations are enabled; the caller adds and sets up its config entries, then unloads
    them before leaving (Home Assistant and the simulator stop here).
    """
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(mock_storage())
        stack.enter_context(like_the_harness())
        async with async_test_home_assistant(config_dir=str(tmp)) as hass:
            clock = VirtualClock(hass, frozen)
            simulator = Simulator(clock=dt_util.utcnow, **simulator_options)
            try:
                await hass.config.async_set_time_zone(time_zone)
                hass.data.pop(
                    loader.DATA_CUSTOM_COMPONENTS
                )  # enable_custom_integrations
                recorder_helper.async_initialize_recorder(hass)
                database = tmp / "home-assistant_v2.db"
                if not await async_setup_component(
                    hass,
                    RECORDER_DOMAIN,
                    {
                        RECORDER_DOMAIN: {
                            "db_url": f"sqlite:///{database}",
                            "commit_interval": 0,
                        }
                    },
                ):
                    raise RuntimeError("the recorder did not start")
                await hass.async_block_till_done()
                await simulator.start()
                yield Bench(hass, clock, simulator, database)
            finally:
                clock.close()
                await simulator.stop()
                await hass.async_stop(force=True)


def committed_statistics(
    database: Path, statistic_id_like: str
) -> dict[str, list[tuple[float, float | None, float | None]]]:
    """Every hourly row of the statistics whose id is LIKE the pattern, as committed to the file.

    Read through a read-only connection of its own (only what the recorder committed is seen):
    statistic id → its rows `(start_ts, state, sum)` by start; a statistic without rows maps to
    an empty list.
    """
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        found: dict[str, list[tuple[float, float | None, float | None]]] = {
            statistic_id: []
            for (statistic_id,) in db.execute(
                "SELECT statistic_id FROM statistics_meta WHERE statistic_id LIKE ?"
                " ORDER BY statistic_id",
                (statistic_id_like,),
            )
        }
        for statistic_id, start, state, total in db.execute(
            "SELECT m.statistic_id, s.start_ts, s.state, s.sum FROM statistics s"
            " JOIN statistics_meta m ON s.metadata_id = m.id"
            " WHERE m.statistic_id LIKE ? ORDER BY m.statistic_id, s.start_ts",
            (statistic_id_like,),
        ):
            found[statistic_id].append((start, state, total))
    return found


# --------------------------------------------------------------------------------------------
# Processes: one per scenario


def run_frozen[T](start: datetime, simulate: Callable[[Any], Awaitable[T]]) -> T:
    """Run `simulate(frozen)` in a new event loop, time frozen at `start` as the harness does."""
    patch_freezegun()
    with freezegun.freeze_time(start) as frozen:
        return asyncio.run(simulate(frozen))


def worker_logging(key: str) -> None:
    """Log warnings and errors of a scenario's process, tagged with its key."""
    logging.basicConfig(
        level=logging.WARNING, format=f"[{key}] %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("homeassistant.loader").setLevel(
        logging.ERROR
    )  # "not tested by HA"
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)


def run_worker(script: str, key: str, hours: float | None = None) -> dict[str, Any]:
    """Run `script --worker key [--hours hours]` and return the JSON of its last line."""
    command = [sys.executable, script, "--worker", key]
    if hours is not None:
        command += ["--hours", str(hours)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        raise RuntimeError(f"scenario {key} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# --------------------------------------------------------------------------------------------
# Figures


def max_in_window(
    times: list[datetime], window: timedelta
) -> tuple[int, datetime | None]:
    """Return the most requests in any [t, t + window) window, and where it starts."""
    times = sorted(times)
    best, at, j = 0, None, 0
    for i, first in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] < first + window:
            j += 1
        if j - i > best:
            best, at = j - i, first
    return best, at


def ms(values: list[float], q: float = 0.5) -> float | None:
    """Return the q-quantile of durations in seconds, in milliseconds (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def median(values: list[float]) -> float | None:
    """Return the median, None when empty."""
    return statistics.median(values) if values else None


def fmt(value: Any) -> str:
    """Format a figure for a table cell."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return " ".join(f"{k}:{fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(fmt(v) for v in value)
    return str(value)
