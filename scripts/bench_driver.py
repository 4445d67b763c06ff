"""The benchmarks' one driver: a test Home Assistant, the simulator, a virtual clock, probes.

The real integration in the pytest harness's `async_test_home_assistant`, patched as the harness
patches it (the recorder on a temporary SQLite file), against the simulator on 127.0.0.1.
Provider settings go in `hass.data`, as in the tests. Time is frozen as the harness freezes it and
moved as tests move it (`frozen.tick`, `async_fire_time_changed_exact`): `Bench` jumps it to the
loop's earliest timer once all work is done. Tasks sleeping in `asyncio.sleep` (the budget, a
back-off) would hold that wait forever: when some sleep and none waits on an HTTP exchange of
the integration's client (`asyncio.capture_call_graph` says), the clock jumps too. Probes use
public hooks: the simulator's request log and a middleware on its application (`Traffic`),
state events (`EntityLog`), coordinator listeners (`Updates`). Import this module first.
"""

# ruff: noqa: E402
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_homeassistant_custom_component import plugins  # isort:skip

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
import json
import logging
import math
import sqlite3
import subprocess
import tempfile
import time
from typing import Any
from unittest.mock import patch
import warnings

from aiohttp import ThreadedResolver, web
import freezegun
import freezegun.api
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import (
    aiohttp_client,
    entity_registry as er,
    recorder as recorder_helper,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
    async_test_home_assistant,
    mock_storage,
)
import pytest_socket

import custom_components.openpower  # noqa: F401  (ours before the harness's testing_config)
from custom_components.openpower.api import http as api_http
from custom_components.openpower.const import DOMAIN
from tests.simulator import RequestRecord, Simulator

STALL = 0.05  # real seconds a wait may last before the clock looks for sleeping tasks
GIVE_UP = 300.0  # real seconds of work in flight without an end before a scenario fails
real_sleep = time.sleep  # freezegun leaves time.sleep alone
logging.getLogger().setLevel(logging.WARNING)  # the harness's plugin says INFO
# It refuses what is not 127.0.0.1: Home Assistant's source-IP probes (a UDP connect to 8.8.8.8
# or 224.0.0.251, which sends nothing) fail quietly.
warnings.filterwarnings("ignore", module="pytest_socket")
for quiet in ("sqlalchemy.engine", "homeassistant.loader", "aiohttp_fast_zlib"):
    logging.getLogger(quiet).setLevel(logging.ERROR)


def perf_counter() -> float:
    """Real time, whatever freezegun does (it patches every module attribute that is a clock)."""
    return freezegun.api.real_perf_counter()


def _resolver(_hass: HomeAssistant) -> ThreadedResolver:
    # Not the mDNS one: its zeroconf would reach the network.
    resolver = ThreadedResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]  # what HA closes
    return resolver


def _waits_on_http(task: asyncio.Task[Any]) -> bool | None:
    """Whether the task waits on our HTTP client (None: it sleeps in `asyncio.sleep`)."""
    frames = [entry.frame for entry in asyncio.capture_call_graph(task).call_stack]
    if frames and frames[0].f_code is asyncio.sleep.__code__:
        return None
    modules = [frame.f_globals.get("__name__", "") for frame in frames] or [""]
    return modules[0].startswith("aiohttp.") and api_http.__name__ in modules


class Traffic:
    """Every request the simulator answers: (its log record, its name); hooks on answers."""

    def __init__(self, simulator: Simulator, name: Any) -> None:
        """Listen to `simulator` (before it starts); `name` names a request (async)."""
        self.exchanges: list[tuple[RequestRecord, str]] = []
        self.on_answer: list[Callable[[web.Request, str], None]] = []
        self.bodies: dict[str, bytes] = {}  # the last 200 answer of each name
        self.codes: Counter[int] = (
            Counter()
        )  # `code` of JSON answers that carry one (AlphaESS)
        self._name, self._last = name, ""
        simulator.app.middlewares.append(web.middleware(partial(Traffic._named, self)))
        simulator.request_listeners.append(self._log)

    async def _named(self, request: web.Request, handler: Any) -> web.StreamResponse:
        name = await self._name(request)
        try:
            response: web.StreamResponse = await handler(request)
            if response.status == 200 and isinstance(response, web.Response):
                body = self.bodies[name] = bytes(response.body)  # type: ignore[arg-type]
                if body.startswith(b'{"code":'):
                    self.codes[json.loads(body)["code"]] += 1
            return response
        finally:  # the simulator logs the exchange next, with no await between
            self._last = name
            for hook in self.on_answer:
                hook(request, name)

    def _log(self, record: RequestRecord) -> None:
        self.exchanges.append((record, self._last or record.path))
        self._last = ""


class EntityLog:
    """Writes of the integration's entities (`state_changed` and `state_reported` events)."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen on `hass`'s bus."""
        self.writes: Counter[str | None] = Counter()  # by config entry id
        self.listeners: list[Callable[[Event[Any], er.RegistryEntry], None]] = []
        registry, ours = er.async_get(hass), {}

        @callback
        def mine(data: Mapping[str, Any]) -> bool:
            found = ours[data["entity_id"]] = registry.async_get(data["entity_id"])
            return found is not None and found.platform == DOMAIN

        @callback
        def written(event: Event[Any]) -> None:
            entity = ours[event.data["entity_id"]]
            self.writes[entity.config_entry_id] += 1
            for listener in self.listeners:
                listener(event, entity)

        for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
            hass.bus.async_listen(event_type, written, event_filter=mine)


@dataclass
class Updates:
    """A coordinator's updates: real seconds and entity writes from `start` to its listeners.

    A scenario calls `start` as the simulator answers the update's request (the in-process
    simulator's own time would count against the integration otherwise).
    """

    coordinator: DataUpdateCoordinator[Any]
    entities: EntityLog
    seconds: list[float] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    done: list[tuple[datetime, bool]] = field(default_factory=list)  # (when, success)
    _began: tuple[float, int] | None = None

    def __post_init__(self) -> None:
        """Listen to the coordinator (after its entities: heard last)."""
        self.coordinator.async_add_listener(self._heard)

    def start(self) -> None:
        """Mark the start of an update."""
        entry_id = self.coordinator.config_entry.entry_id
        self._began = (perf_counter(), self.entities.writes[entry_id])

    @callback
    def _heard(self) -> None:
        self.done.append((dt_util.utcnow(), self.coordinator.last_update_success))
        if self._began is not None:
            self.seconds.append(perf_counter() - self._began[0])
            writes = self.entities.writes[self.coordinator.config_entry.entry_id]
            self.writes.append(writes - self._began[1])
            self._began = None


class Bench:
    """A test Home Assistant, the simulator, the probes, and the clock jumping timer to timer."""

    def __init__(self, hass: HomeAssistant, frozen: Any, tmp: Path, name: Any) -> None:
        """Drive `hass`'s loop with freezegun's frozen-time factory `frozen`."""
        self.hass, self.frozen = hass, frozen
        self.simulator = Simulator(clock=dt_util.utcnow)
        self.traffic = Traffic(self.simulator, name)
        self.entities = EntityLog(hass)
        self.database = tmp / "home-assistant_v2.db"
        self.watch = ThreadPoolExecutor(
            1, thread_name_prefix="bench-clock"
        )  # real time

    def next_timer(self) -> float | None:
        """Return the loop time of the earliest pending timer."""
        handles = get_scheduled_timer_handles(self.hass.loop)
        return min((h.when() for h in handles if not h.cancelled()), default=None)

    def _jump(self, when: float) -> None:
        # A timer is due once `when < time() + resolution`; at 1.8e9 s a float has no room for
        # the loop's 1 ns resolution: go just past `when`.
        ahead = math.ceil((when - self.hass.loop.time()) * 1e6) + 1
        self.frozen.tick(timedelta(microseconds=max(ahead, 0)))
        async_fire_time_changed_exact(self.hass)

    async def settle(self, until: float | None = None) -> None:
        """Wait for all work; jump over the timers tasks sleep on when nothing else moves.

        With `until` (a loop time), never jump to a timer at or after it: tasks still sleeping
        then are left as they are (a request the budget holds back past the end of the run).
        """
        loop, hass = self.hass.loop, self.hass
        done = loop.create_task(hass.async_block_till_done(wait_background_tasks=True))
        busy_since = perf_counter()
        while not done.done():
            tick = loop.run_in_executor(self.watch, real_sleep, STALL)
            await asyncio.wait({done, tick}, return_when=asyncio.FIRST_COMPLETED)
            tick.cancel()  # a check left queued would delay the next ones
            if done.done():
                break
            waits = {_waits_on_http(task) for task in asyncio.all_tasks(loop)}
            if True in waits or None not in waits:
                if perf_counter() - busy_since > GIVE_UP:
                    raise RuntimeError(f"no progress in {GIVE_UP:.0f} s")
                continue
            busy_since = perf_counter()
            when = self.next_timer()
            if when is None or (until is not None and when >= until):
                done.cancel()
                return
            self._jump(when)
        done.result()

    async def run_until(self, end: datetime) -> None:
        """Fire every timer due before `end`, in order, waiting for all work after each."""
        while True:
            await self.settle(end.timestamp())
            if (when := self.next_timer()) is None or when >= end.timestamp():
                return
            self._jump(when)
            await asyncio.sleep(0)

    async def drive[T](self, job: Awaitable[T]) -> T:
        """Run `job` as a Home Assistant task, the clock jumping over its sleeps."""
        task = self.hass.async_create_task(job)
        await self.settle()
        return task.result()


def coordinator(entry: MockConfigEntry, name: str) -> DataUpdateCoordinator[Any]:
    """Return an entry's coordinator by the name its provider gives it (as in diagnostics)."""
    data = entry.runtime_data
    return data.provider.coordinators(data.runtime)[name]  # type: ignore[no-any-return]


async def _path(request: web.Request) -> str:
    return request.path


@asynccontextmanager
async def home_assistant(
    frozen: Any,
    time_zone: str,
    settings: Mapping[Any, Any] | None = None,
    name: Callable[[web.Request], Awaitable[str]] = _path,
) -> AsyncIterator[Bench]:
    """Start a test Home Assistant with the recorder, and the simulator on its clock.

    `settings` go in `hass.data`; `name` names the simulator's requests. The caller unloads its
    entries before leaving; Home Assistant and the simulator stop here.
    """
    recorder = "homeassistant.components.recorder.Recorder."
    resolver = f"{aiohttp_client.__name__}._async_make_resolver"
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for patched in (
            mock_storage(),
            patch("homeassistant.components.http.HomeAssistantHTTP.async_bind"),
            patch("homeassistant.components.http.HomeAssistantHTTP.start"),
            patch(resolver, side_effect=_resolver),
            patch(recorder + "async_nightly_tasks", autospec=True),
            patch(recorder + "async_periodic_statistics", autospec=True),
            patch(recorder + "_schedule_compile_missing_statistics", autospec=True),
        ):
            stack.enter_context(patched)
        async with async_test_home_assistant(config_dir=str(tmp)) as hass:
            bench = Bench(hass, frozen, tmp, name)
            try:
                await hass.config.async_set_time_zone(time_zone)
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # custom integrations on
                hass.data.update(settings or {})
                recorder_helper.async_initialize_recorder(hass)
                db = {"db_url": f"sqlite:///{bench.database}", "commit_interval": 0}
                if not await async_setup_component(hass, "recorder", {"recorder": db}):
                    raise RuntimeError("the recorder did not start")
                await hass.async_block_till_done()
                await bench.simulator.start()
                yield bench
            finally:
                bench.watch.shutdown(wait=False, cancel_futures=True)
                await bench.simulator.stop()
                await hass.async_stop(force=True)


def committed_statistics(database: Path, like: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every hourly row `(start_ts, state, sum)` of the statistics whose id is LIKE `like`.

    Read through a read-only connection of its own: only what the recorder committed is seen.
    """
    found: dict[str, list[tuple[Any, ...]]] = {}
    query = """SELECT m.statistic_id, s.start_ts, s.state, s.sum FROM statistics_meta m
        LEFT JOIN statistics s ON s.metadata_id = m.id WHERE m.statistic_id LIKE ?
        ORDER BY s.start_ts"""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        for statistic_id, *row in db.execute(query, (like,)):
            found.setdefault(statistic_id, []).extend([tuple(row)] if row[0] else [])
    return found


def run_frozen[T](
    start: datetime, simulate: Callable[[Any], Coroutine[Any, Any, T]]
) -> T:
    """Run `simulate(frozen)` in a new event loop, time frozen at `start` as the harness does."""
    plugins.pytest_runtest_setup()  # its freezegun fixes; names resolve to IP addresses only
    pytest_socket.enable_socket()  # but sockets are open (to 127.0.0.1 only)
    with freezegun.freeze_time(start) as frozen:
        return asyncio.run(simulate(frozen))


def log_as(tag: str) -> None:
    """Log warnings and errors only, tagged with the scenario."""
    form = f"[{tag}] %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.WARNING, format=form, force=True)


def worker(tag: str, figures: Callable[[], Any]) -> None:
    """Be one scenario's process: log as `tag`, print the figures as one JSON line."""
    log_as(tag)
    print(json.dumps(figures(), separators=(",", ":"), default=str))


def in_processes(script: str, keys: list[str], jobs: int = 1) -> list[dict[str, Any]]:
    """Run `script --worker KEY` for each key, `jobs` at a time; return their JSON lines."""

    def run(key: str) -> dict[str, Any]:
        command = [sys.executable, script, "--worker", key]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode or not done.stdout.strip():
            raise RuntimeError(f"{' '.join(command[1:])}: exit code {done.returncode}")
        print(f"{Path(script).stem} {key}: done", file=sys.stderr, flush=True)
        return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        return list(pool.map(run, keys))


def max_in_window(times: list[datetime], window: timedelta) -> tuple[int, str | None]:
    """Return the most events in any [t, t + window), and when that window starts."""
    times, best, at, j = sorted(times), 0, None, 0
    for i, first in enumerate(times):
        while j < len(times) and times[j] < first + window:
            j += 1
        if j - i > best:
            best, at = j - i, f"{first:%H:%M:%S}"
    return best, at


def ms(values: list[float], q: float = 0.5) -> float | None:
    """Return the q-quantile of durations in seconds, in milliseconds (None when empty)."""
    if not values:
        return None
    return round(sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000, 1)


def fmt(value: Any) -> str:
    """Format a figure for a table cell."""
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, dict):
        return " ".join(f"{k}:{fmt(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " / ".join(map(fmt, value))
    return (
        f"{value:,}" if isinstance(value, int) else "-" if value is None else str(value)
    )


def table(head: list[str], rows: list[list[Any]]) -> str:
    """Return rows of figures under `head`, the first column left-aligned."""
    cells = [head, *([row[0], *map(fmt, row[1:])] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = [
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines = [
        row[0].ljust(widths[0]) + line[widths[0] :]
        for row, line in zip(cells, lines, strict=True)
    ]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])
