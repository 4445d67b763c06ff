"""Benchmark PG&E end to end: a notified year of 15-minute data, from the webhook to the recorder.

Run from the repository root: `.venv/bin/python scripts/bench_pge.py [--runs N]
[--second-every-run]`. About 2.5 to 3 minutes with the default 3 runs on 2 cores; nothing but
127.0.0.1 is reached. Exits with status 1 when a check fails.

Each run is a fresh process: a test Home Assistant as in the other benchmarks
(`scripts/bench_common.py`: the harness's `async_test_home_assistant`, the recorder on a temporary
sqlite file, no default_config, a frozen clock jumped from timer to timer), its HTTP application
served on 127.0.0.1 by aiohttp's test server (Home Assistant's own server does not bind in the
harness). PG&E is the simulator run by its own command line (`python -m tests.simulator`, as
`scripts/develop` runs it) in a process of its own on its real clock, over HTTPS with mutual TLS
(certificates of `tests/simulator/pki.py`, made for the run): like PG&E, it builds and encrypts
its 19 MB answers elsewhere than in Home Assistant's process, whose memory and CPU are then the
integration's alone. It POSTs its BatchList notifications to the entry's webhook itself.

The entry is the simulator's 15-minute demo registration (`PGE_15MIN_CLIENT_ID`, BulkID 50952:
15-minute electricity with net metering, i.e. a delivered and a received MeterReading, and daily
gas), added with the entry data the config flow stores. Its store is written before the setup as
a long-running installation leaves it (history backfill done: `backfill_next` null; last request
just now), so the setup asks PG&E for nothing and no backfill competes with the measured feeds;
nothing of the integration is patched. The real client, request budget (1 request/s, 2,000/h,
20,000/day; its waits are jumped over by the virtual clock), webhook, inbox, parser and statistics
import run unchanged; the benchmark only wraps a few functions to take timestamps (the webhook
handler, `PgeClient.async_fetch`, `EspiParser.feed`/`close`, `async_import_feed`).

The year is the last whole year of 365 days before today (2023 in 2025: the simulator serves four
years back from its clock), asked with the `openpower.pge_request_data` action. Measured:

(a) the year: from the BatchList reaching the webhook (two resources: electricity, 70,080
    readings (35,040 intervals × 2 flows) in 19.1 MB; gas, 365 readings) until the recorder has
    committed every statistic row of both feeds. The split: the webhook's answer; fetch + parse
    (streamed over mutual TLS, each chunk parsed in the executor as it arrives; the wait for the
    simulator's first byte shown apart); statistics import until committed. Bytes, readings,
    rows. The peak RSS increase of Home Assistant's process (VmHWM reset through
    /proc/self/clear_refs just before asking), also as it stood when the first import began;
(b) the same BatchList POSTed again (PG&E's duplicate: its correlationIDs are known, nothing may
    be fetched: the simulator's request log must show no download), then, in the first run only
    unless `--second-every-run` (it takes 30 s), a second request of the same year (new
    correlationIDs: fetched and imported again; every committed row must come out identical,
    same states and same sums).

The last sum of each interval statistic is checked against the simulator's model (the year's
total). The same feed parsed once outside Home Assistant and freezegun gives the parser's own
time, and, under tracemalloc, what the collector holds.
"""

# bench_common must come before any Home Assistant import (E402).
# ruff: noqa: E402

from bench_common import (  # isort:skip
    bench_home_assistant,
    committed_statistics,
    fmt,
    median,
    perf_counter,
    run_frozen,
    run_worker,
    worker_logging,
)

import argparse
import asyncio
import calendar
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
import gc
import json
import math
from pathlib import Path
import re
import resource
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.components.webhook import async_generate_path
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.pge import EspiParser, PgeClient
from custom_components.openpower.api.pge.notification import parse_batch_list
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.history import (
    FeedCollector,
    async_import_feed,
    contiguous_runs,
)
from custom_components.openpower.providers.pge.webhook import (
    _async_handle as webhook_handle,
)
from tests.simulator import (
    PGE_15MIN_BULK_ID,
    PGE_15MIN_CLIENT_ID,
    PGE_15MIN_CLIENT_SECRET,
    PGE_15MIN_ELECTRIC_USAGE_POINT,
    PGE_15MIN_GAS_USAGE_POINT,
)
from tests.simulator.pge import demo_accounts
from tests.simulator.pge_feed import FLOW_DELIVERED, FLOW_RECEIVED, build_feed, readings
from tests.simulator.pki import use_directory

ROOT = Path(__file__).resolve().parents[1]
TIME_ZONE = "America/Los_Angeles"
WEBHOOK_ID = "be0c4b3f5a6e4d7c8b9a0f1e2d3c4b5a"
RUNS = 3
CHUNK = 65536
NOTIFICATION_WAIT = 60.0
"""Real seconds the simulator has to notify."""
PGE_WEBHOOK = "custom_components.openpower.providers.pge.webhook"
PGE_COORDINATOR = "custom_components.openpower.providers.pge.coordinator"

ELECTRIC = f"openpower:pge_{PGE_15MIN_ELECTRIC_USAGE_POINT}_energy_consumption"
RETURN = f"openpower:pge_{PGE_15MIN_ELECTRIC_USAGE_POINT}_energy_return"
GAS = f"openpower:pge_{PGE_15MIN_GAS_USAGE_POINT}_gas_consumption"


def _year(today: date) -> int:
    """Return the last year of 365 days (35,040 quarter hours) the simulator has in full.

    Its last day is served from the next day, 8:00 Pacific.
    """
    year = (today - timedelta(days=2)).year - 1
    while calendar.isleap(year):
        year -= 1
    return year


TODAY = datetime.now(UTC).date()  # the simulator's clock is the real one
YEAR = _year(TODAY)
FIRST_DAY, LAST_DAY = date(YEAR, 1, 1), date(YEAR, 12, 31)
# Home Assistant's frozen clock: today, 19:30 UTC; the daily request (18:17 UTC) is hours away.
NOW = datetime.combine(TODAY, time(19, 30), UTC)


# --------------------------------------------------------------------------------------------
# Peak memory


def _status_kib(name: str) -> int:
    """Return a `VmXxx` line of /proc/self/status, in KiB."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        found = re.search(rf"^{name}:\s+(\d+) kB", status.read(), re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {name} in /proc/self/status")
    return int(found.group(1))


def reset_peak_rss() -> int:
    """Set the process's peak RSS (VmHWM) back to its current RSS; return that RSS (KiB)."""
    gc.collect()
    with Path("/proc/self/clear_refs").open("w", encoding="ascii") as clear:
        clear.write("5")
    return _status_kib("VmRSS")


def peak_rss() -> int:
    """Return the process's peak RSS since the last reset, KiB."""
    return _status_kib("VmHWM")


# --------------------------------------------------------------------------------------------
# The simulator, in a process of its own


class SimulatorProcess:
    """`python -m tests.simulator` on free ports, notifying at once, its request log read."""

    def __init__(self, pki_dir: Path) -> None:
        """Start it with the certificates of `pki_dir`; `wait_ready` gives its URLs."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.simulator",
                "--port",
                "0",
                "--tls-port",
                "0",
                "--pki-dir",
                str(pki_dir),
                "--pge-notification-delay",
                "0",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if "notifications →" in line:
                self._ready.set()
        self._ready.set()

    def wait_ready(self) -> dict[str, str]:
        """Return the PG&E HTTPS base and the plain-HTTP one, once it serves."""
        if not self._ready.wait(60) or self.process.poll() is not None:
            raise RuntimeError(f"the simulator did not start: {self.lines}")
        text = "\n".join(self.lines)
        found = {
            name: re.search(pattern, text)
            for name, pattern in (
                ("api_url", r"api_url \(mTLS\)\s+(\S+)"),
                ("http_api_url", r"http \(no cert\)\s+(\S+)"),
            )
        }
        return {name: match.group(1) for name, match in found.items() if match}

    def downloads(self) -> int:
        """Feed downloads it served: `Batch/Bulk` GETs with a correlationID, in its log."""
        return sum(
            1
            for line in list(self.lines)
            if " GET " in line and "correlationID=" in line
        )

    def stop(self) -> None:
        """Stop it (SIGTERM, which it handles)."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------------------------
# Timestamps around the code under test (the code itself is unchanged)


@dataclass
class Fetch:
    """One notified feed: its fetch (stream + parse), close, import."""

    url: str
    began: float
    first_byte: float = 0.0
    ended: float = 0.0
    bytes: int = 0
    chunks: int = 0
    closed: float = 0.0
    """Seconds of `EspiParser.close` (executor)."""
    readings: int = 0
    import_began: float = 0.0
    import_ended: float = 0.0
    hours_written: dict[str, int] = field(default_factory=dict)
    peak_before_import: int = 0
    """VmHWM (KiB) when its import began: the peak of everything before."""


@dataclass
class Webhook:
    """One call of the entry's webhook handler."""

    entered: float
    left: float = 0.0
    status: int = 0


@dataclass
class Probe:
    """What the wrappers saw, in real seconds (`perf_counter`)."""

    webhooks: list[Webhook] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    """Every BatchList the webhook parsed."""
    fetches: list[Fetch] = field(default_factory=list)
    parse_s: float = 0.0
    """Executor seconds inside `EspiParser.feed` (the collector's callback included)."""
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Wrap the webhook, the fetch, the parser and the import."""
        fetch = PgeClient.async_fetch
        feed = EspiParser.feed
        close = EspiParser.close
        probe = self

        async def timed_webhook(*args: Any) -> web.Response:
            call = Webhook(perf_counter())
            probe.webhooks.append(call)
            try:
                response = await webhook_handle(*args)
                call.status = response.status
                return response
            finally:
                call.left = perf_counter()
                probe.answered.set()

        def captured(body: bytes) -> list[str]:
            probe.bodies.append(body)
            return parse_batch_list(body)

        async def timed_fetch(
            client: PgeClient,
            url: str,
            consume: Callable[[bytes], Awaitable[None]],
            **kwargs: Any,
        ) -> None:
            record = Fetch(url, perf_counter())
            probe.fetches.append(record)

            async def counted(chunk: bytes) -> None:
                record.first_byte = record.first_byte or perf_counter()
                record.bytes += len(chunk)
                record.chunks += 1
                await consume(chunk)

            try:
                await fetch(client, url, counted, **kwargs)
            finally:
                record.ended = perf_counter()

        def timed_feed(parser: EspiParser, data: bytes) -> None:
            began = perf_counter()
            try:
                feed(parser, data)
            finally:
                elapsed = perf_counter() - began
                with probe._lock:
                    probe.parse_s += elapsed

        def timed_close(parser: EspiParser) -> Any:
            began = perf_counter()
            result = close(parser)
            probe.fetches[-1].closed = perf_counter() - began
            probe.fetches[-1].readings = result.reading_count
            return result

        async def timed_import(*args: Any, **kwargs: Any) -> Any:
            record = probe.fetches[-1]
            record.peak_before_import = peak_rss()
            record.import_began = perf_counter()
            result = await async_import_feed(*args, **kwargs)
            record.import_ended = perf_counter()
            record.hours_written = dict(result.statistics)
            return result

        with (
            # Looked up when the entry registers its webhook, and at each notification.
            patch(f"{PGE_WEBHOOK}._async_handle", timed_webhook),
            patch(f"{PGE_WEBHOOK}.parse_batch_list", captured),
            patch.object(PgeClient, "async_fetch", timed_fetch),
            patch.object(EspiParser, "feed", timed_feed),
            patch.object(EspiParser, "close", timed_close),
            patch(f"{PGE_COORDINATOR}.async_import_feed", timed_import),
        ):
            yield

    async def wait_answered(self, calls: int) -> None:
        """Wait (real time: the loop's clock is frozen) until the webhook answered `calls` times."""
        loop = asyncio.get_running_loop()
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            loop.call_soon_threadsafe(self.answered.set)

        timer = threading.Timer(NOTIFICATION_WAIT, expire)
        timer.start()
        try:
            while not (len(self.webhooks) >= calls and self.webhooks[calls - 1].left):
                if expired.is_set():
                    raise RuntimeError(
                        f"no notification within {NOTIFICATION_WAIT:.0f} s"
                    )
                self.answered.clear()
                await self.answered.wait()
        finally:
            timer.cancel()


# --------------------------------------------------------------------------------------------
# The simulation


def _pem(pki_dir: Path, name: str) -> str:
    return (pki_dir / name).read_text(encoding="ascii")


def entry_data(urls: dict[str, str], pki_dir: Path) -> dict[str, Any]:
    """Entry data as the config flow stores it, for the 15-minute demo registration."""
    return {
        "provider": "pge",
        "client_id": PGE_15MIN_CLIENT_ID,
        "client_secret": PGE_15MIN_CLIENT_SECRET,
        "bulk_id": PGE_15MIN_BULK_ID,
        "certificate": _pem(pki_dir, "client.pem"),
        "private_key": _pem(pki_dir, "client.key"),
        "advanced": {
            "api_url": urls["api_url"],
            "ca_certificate": _pem(pki_dir, "ca.pem"),
        },
        "webhook_id": WEBHOOK_ID,
    }


@dataclass
class Run:
    """Home Assistant, its clock and database, the simulator, the entry, the probe."""

    hass: HomeAssistant
    clock: Any
    database: Path
    client: TestClient[Any, Any]
    simulator: SimulatorProcess
    probe: Probe
    entry: MockConfigEntry | None = None

    async def drive[T](self, job: Coroutine[Any, Any, T]) -> T:
        """Run `job` as a Home Assistant task, the clock jumping over the budget's waits."""
        task = self.hass.async_create_task(job)
        await self.clock.settle()
        return task.result()

    async def statistics(self) -> dict[str, list[tuple[float, Any, Any]]]:
        """Every committed row of the PG&E statistics, read from the database file."""
        return await self.hass.async_add_executor_job(
            committed_statistics, self.database, "openpower:pge%"
        )

    async def _ask(self) -> None:
        assert self.entry is not None
        answer = await self.drive(
            self.hass.services.async_call(
                DOMAIN,
                "pge_request_data",
                {
                    "config_entry_id": self.entry.entry_id,
                    "start": FIRST_DAY.isoformat(),
                    "end": LAST_DAY.isoformat(),
                },
                blocking=True,
                return_response=True,
            )
        )
        if answer != {"requested": True}:
            raise RuntimeError(f"the request was not accepted: {answer}")

    async def _replay(self, body: bytes) -> None:
        response = await self.client.post(
            async_generate_path(WEBHOOK_ID),
            data=body,
            headers={"Content-Type": "application/xml"},
        )
        await response.read()

    async def phase(
        self, *, replay: bytes | None = None, memory: bool = False
    ) -> dict[str, Any]:
        """Ask for the year (or POST `replay` to the webhook); wait until all is committed.

        Timed from the webhook handler's start to the recorder's commit of every row.
        """
        probe = self.probe
        downloads = self.simulator.downloads()
        calls, fetches, parse_s = len(probe.webhooks), len(probe.fetches), probe.parse_s
        rss = reset_peak_rss() if memory else 0
        if replay is None:
            await self._ask()  # the simulator notifies at once: often handled in here
        else:
            await self._replay(replay)
        await probe.wait_answered(calls + 1)
        await self.clock.settle()
        await get_instance(self.hass).async_block_till_done()
        committed = perf_counter()
        peak = peak_rss() if memory else 0

        call = probe.webhooks[calls]
        new = probe.fetches[fetches:]
        fetch_s = sum(f.ended - f.began + f.closed for f in new)
        import_s = sum(f.import_ended - f.import_began for f in new)
        last_import = max((f.import_ended for f in new), default=call.left)
        total = committed - call.entered
        assert self.entry is not None
        runtime = self.entry.runtime_data.runtime
        info = runtime.usage.data.last_notification
        last_feed = runtime.usage.data.last_feed
        return {
            "status": call.status,
            "webhook_answer_ms": round((call.left - call.entered) * 1000, 1),
            "total_s": round(total, 2),
            "fetch_parse_s": round(fetch_s, 2),
            "first_byte_s": round(new[0].first_byte - new[0].began, 2) if new else None,
            "parse_executor_s": round(probe.parse_s - parse_s, 2),
            "import_commit_s": round(import_s + committed - last_import, 2),
            "import_call_s": round(import_s, 2),
            "commit_wait_s": round(committed - last_import, 2),
            "other_s": round(total - fetch_s - import_s - (committed - last_import), 2),
            "downloads": self.simulator.downloads() - downloads,
            "feeds": [
                {
                    "bytes": f.bytes,
                    "chunks": f.chunks,
                    "readings": f.readings,
                    "fetch_parse_s": round(f.ended - f.began + f.closed, 2),
                    "import_s": round(f.import_ended - f.import_began, 2),
                    "hours_written": f.hours_written,
                }
                for f in new
            ],
            "notification": {
                "accepted": info.accepted,
                "duplicates": info.duplicates,
                "refused": info.refused,
            }
            if info
            else None,
            "inbox": {"fetched": runtime.inbox.fetched, "failed": runtime.inbox.failed},
            "last_feed": {
                "bytes": last_feed.bytes,
                "readings": last_feed.readings,
                "statistics": last_feed.statistics,
                "hours_written": last_feed.hours_written,
            }
            if last_feed
            else None,
            "rss_before_mib": round(rss / 1024, 1) if memory else None,
            "rss_peak_increase_mib": round((peak - rss) / 1024, 1) if memory else None,
            "rss_peak_increase_before_import_mib": round(
                (new[0].peak_before_import - rss) / 1024, 1
            )
            if memory and new
            else None,
        }


async def _add_entry(run: Run, data: dict[str, Any]) -> MockConfigEntry:
    """Add the registration as the flow would, its store saying the backfill is done."""
    hass = run.hass
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"PG&E Share My Data ({PGE_15MIN_BULK_ID})",
        unique_id=f"pge_{PGE_15MIN_CLIENT_ID}",
        data=data,
    )
    entry.add_to_hass(hass)
    # What PgeUsageCoordinator keeps once the four-year backfill is over (backfill_next null)
    # and a request was made just now: the setup asks for nothing.
    await Store[dict[str, Any]](hass, 1, f"{DOMAIN}.pge_{entry.entry_id}").async_save(
        {
            "points": [],
            "last_notification": None,
            "last_request": NOW.isoformat(),
            "awaiting_since": None,
            "backfill_next": None,
        }
    )
    if not await run.drive(hass.config_entries.async_setup(entry.entry_id)):
        raise RuntimeError("the entry did not set up")
    if entry.state is not ConfigEntryState.LOADED:
        raise RuntimeError(f"the entry is {entry.state}")
    return entry


def _changes(
    before: dict[str, list[tuple[float, Any, Any]]],
    after: dict[str, list[tuple[float, Any, Any]]],
) -> dict[str, Any]:
    """Compare two snapshots of the committed rows."""
    largest = max(
        (
            abs((b[2] or 0.0) - (a[2] or 0.0))
            for statistic_id, rows in before.items()
            for a, b in zip(rows, after.get(statistic_id, []), strict=False)
        ),
        default=0.0,
    )
    return {"identical": after == before, "largest_sum_change": largest}


async def _simulate(
    frozen: Any, simulator: SimulatorProcess, data: dict[str, Any], second: bool
) -> dict[str, Any]:
    """One run: set up, then (a) the year, (b) its duplicate and (if asked) a second request."""
    probe = Probe()
    result: dict[str, Any] = {}
    # bench_home_assistant also starts the in-process simulator, which is not used here.
    async with bench_home_assistant(frozen, time_zone=TIME_ZONE) as bench:
        hass = bench.hass
        # Our dependencies register their views first: serving the application freezes its router.
        for component in ("webhook", "file_upload"):
            if not await async_setup_component(hass, component, {}):
                raise RuntimeError(f"{component} did not set up")
        server = TestServer(hass.http.app, host="127.0.0.1", access_log=None)
        client = TestClient(server)
        await client.start_server()
        run = Run(hass, bench.clock, bench.database, client, simulator, probe)
        urls = simulator.wait_ready()
        # Where the simulator posts its notifications: the entry's webhook (its control
        # endpoint, as scripts/develop sets it).
        async with client.session.post(
            f"{urls['http_api_url']}/_simulator/notification-uri",
            data=str(server.make_url(async_generate_path(WEBHOOK_ID))),
        ) as response:
            if response.status != 204:
                raise RuntimeError(f"notification URL refused: {response.status}")
        try:
            with probe.installed():
                run.entry = await _add_entry(run, data)
                result["year"] = await run.phase(memory=True)
                rows = result["rows"] = await run.statistics()
                body = probe.bodies[-1]
                result["notification_bytes"] = len(body)

                result["duplicate"] = await run.phase(replay=body)
                result["after_duplicate"] = _changes(rows, await run.statistics())

                if second:
                    result["second"] = await run.phase()
                    result["after_second"] = _changes(rows, await run.statistics())
        finally:
            if run.entry is not None:
                await hass.config_entries.async_unload(run.entry.entry_id)
                await run.clock.settle()
            await client.close()
    return result


# --------------------------------------------------------------------------------------------
# Checks and the parser alone


def _model_totals() -> dict[str, float]:
    """Return the year's totals of the interval statistics, from the simulator's model."""
    account = next(a for a in demo_accounts() if a.key == "fifteen")
    electric, gas = account.usage_points

    def total(point: Any, flow: int, scale: float) -> float:
        return (
            math.fsum(r.value for r in readings(point, FIRST_DAY, LAST_DAY, flow))
            * scale
        )

    return {
        ELECTRIC: total(electric, FLOW_DELIVERED, 1e-6),  # mWh → kWh
        RETURN: total(electric, FLOW_RECEIVED, 1e-6),
        GAS: total(gas, FLOW_DELIVERED, 1e-8),  # 1e-8 therm → therm
    }


def _parse_alone() -> dict[str, Any]:
    """Parse and collect the electricity feed in 64 KiB chunks, without Home Assistant or freezegun.

    Best of 3 for the time; then under tracemalloc: what the collector holds once the feed is
    parsed, and what one series' readings take as the `IntervalReading`s the import is given.
    """
    account = next(a for a in demo_accounts() if a.key == "fifteen")
    body = build_feed(
        account.usage_points[0], FIRST_DAY, LAST_DAY, bulk_id=account.bulk_id
    )

    def parse() -> tuple[FeedCollector, Any]:
        collector = FeedCollector()
        parser = EspiParser(collector.on_block)
        for offset in range(0, len(body), CHUNK):
            parser.feed(body[offset : offset + CHUNK])
        return collector, parser.close()

    best = math.inf
    for _ in range(3):
        gc.collect()
        began = perf_counter()
        _, feed = parse()
        best = min(best, perf_counter() - began)
    gc.collect()
    tracemalloc.start()
    collector, feed = parse()
    held = tracemalloc.get_traced_memory()[0]
    series = max(collector.series.values(), key=lambda values: len(values.readings))
    runs = contiguous_runs(series.readings)
    as_readings = tracemalloc.get_traced_memory()[0] - held
    tracemalloc.stop()
    return {
        "bytes": len(body),
        "readings": feed.reading_count,
        "seconds": round(best, 2),
        "collector_mib": round(held / 2**20, 1),
        "series_readings": sum(len(run) for run in runs),
        "series_as_interval_readings_mib": round(as_readings / 2**20, 1),
    }


def _checks(raw: dict[str, Any], totals: dict[str, float]) -> list[str]:
    """Return what is wrong with a run (empty: nothing)."""
    problems = []
    rows = raw["rows"]
    for statistic_id, expected in totals.items():
        stored = rows.get(statistic_id) or []
        last = stored[-1][2] if stored else None
        if last is None or not math.isclose(last, expected, rel_tol=1e-9, abs_tol=1e-6):
            problems.append(
                f"{statistic_id}: last sum {last}, the year's total {expected}"
            )
    year, duplicate = raw["year"], raw["duplicate"]
    if year["downloads"] != 2 or year["inbox"]["failed"]:
        problems.append(f"the year: {year['downloads']} downloads, {year['inbox']}")
    if (
        duplicate["downloads"]
        or duplicate["feeds"]
        or duplicate["notification"]["accepted"]
    ):
        problems.append(
            f"the duplicate was fetched: {duplicate['downloads']} downloads, "
            f"{duplicate['notification']}"
        )
    if not raw["after_duplicate"]["identical"]:
        problems.append(f"rows changed after the duplicate: {raw['after_duplicate']}")
    if "second" in raw:
        if raw["second"]["downloads"] != 2:
            problems.append(
                f"the second request: {raw['second']['downloads']} downloads"
            )
        if not raw["after_second"]["identical"]:
            problems.append(
                f"rows changed after the second import: {raw['after_second']}"
            )
    return problems


def _worker(key: str) -> None:
    """One run in this process; print its figures as one JSON line.

    `key` is `<run>` or `<run>+` (with the second request of the year).
    """
    worker_logging(f"pge {key.rstrip('+')}")
    with tempfile.TemporaryDirectory() as temporary:
        pki_dir = Path(temporary)
        use_directory(
            pki_dir
        )  # made here, not frozen: cryptography refuses frozen datetimes
        simulator = SimulatorProcess(pki_dir)
        try:
            data = entry_data(simulator.wait_ready(), pki_dir)
            began = perf_counter()
            raw = run_frozen(
                NOW,
                lambda frozen: _simulate(frozen, simulator, data, key.endswith("+")),
            )
            wall = perf_counter() - began
        finally:
            simulator.stop()
    totals = _model_totals()
    rows = raw.pop("rows")
    raw["problems"] = _checks({**raw, "rows": rows}, totals)
    raw["rows"] = {k: len(v) for k, v in rows.items()}
    raw["last_sums"] = {k: round(v[-1][2], 3) for k, v in rows.items() if v}
    raw["model_totals"] = {k: round(v, 3) for k, v in totals.items()}
    raw["ru_maxrss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    raw["wall_s"] = round(wall, 1)
    print(json.dumps(raw, separators=(",", ":"), default=str))


# --------------------------------------------------------------------------------------------
# Report

type Cell = float | int | str | tuple[float | int, ...] | None


def _cell(value: Cell) -> str:
    if isinstance(value, tuple):
        return " / ".join(fmt(v) for v in value)
    return fmt(value)


def _median(values: list[Cell]) -> Cell:
    """Return the median of numbers, element by element of tuples; a string if all agree."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    if all(isinstance(v, tuple) for v in known):
        return tuple(_median(list(column)) for column in zip(*known, strict=True))
    if all(isinstance(v, int | float) for v in known):
        middle = median(known)
        return round(middle, 2) if isinstance(middle, float) else middle
    return known[0] if len(set(map(str, known))) == 1 else "-"


def _feed(run: dict[str, Any], phase: str, index: int, name: str) -> Any:
    return run[phase]["feeds"][index][name]


def _identical(run: dict[str, Any], after: str) -> str | None:
    if after not in run:
        return None
    return "yes" if run[after]["identical"] else "NO"


ROWS: tuple[tuple[str, Callable[[dict[str, Any]], Cell]], ...] = (
    ("(a) the year, webhook to every row committed, s", lambda r: r["year"]["total_s"]),
    ("  webhook answer, ms", lambda r: r["year"]["webhook_answer_ms"]),
    ("  fetch + parse, both feeds, s", lambda r: r["year"]["fetch_parse_s"]),
    ("    until the simulator's first byte, s", lambda r: r["year"]["first_byte_s"]),
    ("    parse + collect (executor), s", lambda r: r["year"]["parse_executor_s"]),
    ("  statistics import until committed, s", lambda r: r["year"]["import_commit_s"]),
    (
        "    import calls / then the recorder, s",
        lambda r: (r["year"]["import_call_s"], r["year"]["commit_wait_s"]),
    ),
    ("  the rest (inbox, budget, summary), s", lambda r: r["year"]["other_s"]),
    (
        "  electricity feed: MB / chunks",
        lambda r: (
            round(_feed(r, "year", 0, "bytes") / 1e6, 2),
            _feed(r, "year", 0, "chunks"),
        ),
    ),
    (
        "  readings: electricity / gas",
        lambda r: (_feed(r, "year", 0, "readings"), _feed(r, "year", 1, "readings")),
    ),
    ("  hourly rows committed, 5 statistics", lambda r: sum(r["rows"].values())),
    ("  peak RSS increase, MiB", lambda r: r["year"]["rss_peak_increase_mib"]),
    (
        "    by the first import (fetch + parse), MiB",
        lambda r: r["year"]["rss_peak_increase_before_import_mib"],
    ),
    (
        "(b) duplicate: webhook answer, ms",
        lambda r: r["duplicate"]["webhook_answer_ms"],
    ),
    (
        "  downloads / duplicates noted",
        lambda r: (
            r["duplicate"]["downloads"],
            r["duplicate"]["notification"]["duplicates"],
        ),
    ),
    (
        "  second request: webhook to committed, s",
        lambda r: r["second"]["total_s"] if "second" in r else None,
    ),
    (
        "    fetch + parse / import + commit, s",
        lambda r: (
            (r["second"]["fetch_parse_s"], r["second"]["import_commit_s"])
            if "second" in r
            else None
        ),
    ),
    (
        "  every row identical after the duplicate",
        lambda r: _identical(r, "after_duplicate"),
    ),
    ("  every row identical after the second", lambda r: _identical(r, "after_second")),
    ("process: frozen part, wall s", lambda r: r["wall_s"]),
)


def _table(runs: list[dict[str, Any]]) -> str:
    cells = [
        [
            label,
            *(_cell(get(run)) for run in runs),
            _cell(_median([get(run) for run in runs])),
        ]
        for label, get in ROWS
    ]
    head = ["", *(f"run {i + 1}" for i in range(len(runs))), "median"]
    widths = [max(len(row[i]) for row in [head, *cells]) for i in range(len(head))]
    lines = [
        "  ".join(
            cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        )
        for row in [head, *cells]
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark `--runs` times, each in a fresh process; print the table and JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs (default {RUNS})")
    parser.add_argument(
        "--second-every-run",
        action="store_true",
        help="ask for the year a second time in every run, not only the first (+30 s each)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        _worker(args.worker)
        return 0
    began = perf_counter()
    runs = []
    for index in range(args.runs):
        second = index == 0 or args.second_every_run
        runs.append(run_worker(__file__, f"{index + 1}{'+' if second else ''}"))
        print(
            f"run {index + 1}: {runs[-1]['year']['total_s']} s end to end",
            file=sys.stderr,
        )
    alone = _parse_alone()
    print(
        f"PG&E end to end: the 15-minute demo registration, {YEAR} (Pacific days "
        f"{FIRST_DAY} to {LAST_DAY}); {args.runs} runs, each a fresh process; "
        f"{perf_counter() - began:.0f} s"
    )
    print(_table(runs))
    first = runs[0]
    print(
        "\nStatistics (hourly rows; last sum, the model's total): "
        + "; ".join(
            f"{statistic_id.split(':', 1)[1]} {fmt(count)}"
            + (
                f" ({fmt(first['last_sums'][statistic_id])},"
                f" {fmt(first['model_totals'][statistic_id])})"
                if statistic_id in first["model_totals"]
                else ""
            )
            for statistic_id, count in first["rows"].items()
        )
    )
    print(
        "The electricity feed parsed alone (no Home Assistant, no freezegun, 64 KiB "
        f"chunks): {fmt(alone['seconds'])} s for {fmt(alone['readings'])} readings; the "
        f"collector then holds {fmt(alone['collector_mib'])} MiB, one series as "
        f"IntervalReadings {fmt(alone['series_as_interval_readings_mib'])} MiB (tracemalloc)."
    )
    problems = [
        f"run {i + 1}: {p}" for i, run in enumerate(runs) for p in run["problems"]
    ]
    print("\n".join(problems) if problems else "All checks passed.")
    print(
        json.dumps(
            {"runs": runs, "parse_alone": alone}, separators=(",", ":"), default=str
        )
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
