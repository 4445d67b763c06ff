"""PG&E end to end: a notified year of 15-minute data, from the webhook to the recorder.

`.venv/bin/python scripts/bench_pge.py [--runs N]`, run by `scripts/bench` (3 runs, each a fresh
process; exit status 1 when a check fails). The driver's Home Assistant, its HTTP application
served on 127.0.0.1; PG&E is the simulator's own command line in a process of its own, over
HTTPS with mutual TLS, notifying the webhook at once. The entry (the 15-minute demo registration:
electricity with net metering, daily gas) has no history depth (`PgeSettings`), so that nothing
competes with the measured feeds. (a) the last whole year of 365 days, asked with the
`pge_request_data` action, from the BatchList at the webhook until every row is committed;
(b) the same BatchList again (nothing may be downloaded), then (first run) the year asked again:
every row must stay the same. Timed by a middleware on the HTTP application, wrappers of
`PgeClient.async_fetch` and `EspiParser.feed`/`close`, the rows handed to the recorder.
"""

from bench_driver import (  # isort:skip
    ROOT,
    committed_statistics,
    home_assistant,
    in_processes,
    perf_counter,
    real_sleep,
    run_frozen,
    table,
    worker,
)

import argparse
import calendar
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, date, datetime, time
from functools import partial
import gc
from pathlib import Path
import re
from statistics import median
import subprocess
import sys
import tempfile
import tracemalloc
from typing import Any
from unittest.mock import patch

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.components.webhook import async_generate_path
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.pge import EspiParser, PgeClient
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.runtime import SETTINGS, PgeSettings
import tests.simulator as sim

WEBHOOK = async_generate_path("be0c4b3f5a6e4d7c8b9a0f1e2d3c4b5a")
TODAY = datetime.now(UTC).date()  # the simulator's clock: the real one
YEAR = next(y for y in range(TODAY.year - 1, 0, -1) if not calendar.isleap(y))
DAYS = {"start": str(date(YEAR, 1, 1)), "end": str(date(YEAR, 12, 31))}
NOW = datetime.combine(TODAY, time(19, 30), UTC)  # the daily request (18:17) is far


def _kib(name: str) -> int:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(re.findall(rf"^{name}:\s+(\d+) kB", status, re.MULTILINE)[0])


class Simulator:
    """`python -m tests.simulator` on free ports, notifying at once, its log in a file."""

    def __init__(self, folder: Path) -> None:
        """Start it, its certificates and log in `folder`."""
        self.log = folder / "simulator.log"
        options = f"--port 0 --tls-port 0 --pge-notification-delay 0 --pki-dir {folder}"
        with self.log.open("w") as out:
            command = [sys.executable, "-m", "tests.simulator", *options.split()]
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=out)
        for _ in range(600):  # ready once its banner ends
            if "notifications →" in self.log.read_text() or self.process.poll():
                break
            real_sleep(0.1)

    def url(self, label: str) -> str:
        """Return the URL its banner prints after `label`."""
        return re.findall(rf"{re.escape(label)}\s+(\S+)", self.log.read_text())[0]

    def downloads(self) -> int:
        """Count the feeds it served: GETs with a correlationID in its log."""
        lines = self.log.read_text().splitlines()
        return sum(1 for line in lines if " GET " in line and "correlationID=" in line)


class Probe:
    """Real time around the webhook, each fetch and the parser; rows handed to the recorder."""

    def __init__(self, hass: Any) -> None:
        """Wrap `hass`'s HTTP application (before it is served) and its recorder."""
        self.webhooks: list[tuple[float, float]] = []  # (entered, left)
        self.fetches: list[dict[str, Any]] = []
        self.parse_s, self.rows, self.handed, self.peak = 0.0, 0, 0.0, 0
        hass.http.app.middlewares.append(web.middleware(partial(Probe._webhook, self)))
        recorder = get_instance(hass)
        send = recorder.async_import_statistics

        def count(metadata: Any, rows: Any, table_: Any) -> None:
            rows = list(rows)
            self.rows, self.handed = self.rows + len(rows), perf_counter()
            send(metadata, rows, table_)

        recorder.async_import_statistics = count

    async def _webhook(self, request: web.Request, handler: Any) -> web.StreamResponse:
        entered = perf_counter()
        try:
            return await handler(request)  # type: ignore[no-any-return]
        finally:
            if request.path == WEBHOOK:
                self.webhooks.append((entered, perf_counter()))

    def wrapped(self) -> ExitStack:
        """Patch the client's fetch and the parser (public names of `api.pge`) to time them."""
        fetch, feed, close = PgeClient.async_fetch, EspiParser.feed, EspiParser.close

        async def timed_fetch(client: Any, url: str, consume: Any, **kw: Any) -> None:
            record = {"url": url, "began": perf_counter(), "bytes": 0}
            self.fetches.append(record)

            async def counted(chunk: bytes) -> None:
                record.setdefault("first_byte", perf_counter())
                record["bytes"] += len(chunk)
                await consume(chunk)

            await fetch(client, url, counted, **kw)

        def timed_feed(parser: EspiParser, data: bytes) -> None:
            began = perf_counter()
            feed(parser, data)
            self.parse_s += perf_counter() - began  # one executor job at a time

        def timed_close(parser: EspiParser) -> Any:
            result = close(parser)
            self.fetches[-1].update(ended=perf_counter(), readings=result.reading_count)
            self.peak = self.peak or _kib("VmHWM")
            return result

        stack = ExitStack()
        for owner, name, value in (
            (PgeClient, "async_fetch", timed_fetch),
            (EspiParser, "feed", timed_feed),
            (EspiParser, "close", timed_close),
        ):
            stack.enter_context(patch.object(owner, name, value))
        return stack


async def _simulate(frozen: Any, simulator: Simulator, pki: Path, again: bool) -> Any:
    """One run: set up, then (a) the year, (b) its duplicate and (if asked) the year again."""
    settings = {SETTINGS: PgeSettings(history_days=0)}
    async with home_assistant(frozen, "America/Los_Angeles", settings) as bench:
        hass = bench.hass
        # The integration and its dependencies register their views before the application
        # is served (serving freezes its router).
        if not await async_setup_component(hass, DOMAIN, {}):
            raise RuntimeError("the integration did not set up")
        probe = Probe(hass)
        client = TestClient(TestServer(hass.http.app, host="127.0.0.1"))
        await client.start_server()
        control = f"{simulator.url('http (no cert)')}/_simulator/notification-uri"
        await client.session.post(control, data=str(client.make_url(WEBHOOK)))
        pem = {name: (pki / name).read_text() for name in ("client.pem", "client.key")}
        data = {"client_id": sim.PGE_15MIN_CLIENT_ID, "bulk_id": sim.PGE_15MIN_BULK_ID}
        data |= {"client_secret": sim.PGE_15MIN_CLIENT_SECRET, "provider": "pge"}
        data |= {"certificate": pem["client.pem"], "private_key": pem["client.key"]}
        data |= {"webhook_id": WEBHOOK.rpartition("/")[2]}  # as the config flow stores
        api = {"api_url": simulator.url("api_url (mTLS)")}
        api["ca_certificate"] = (pki / "ca.pem").read_text()
        entry = MockConfigEntry(domain=DOMAIN, data=data | {"advanced": api})
        entry.add_to_hass(hass)  # (title and unique id: unused)
        if not await bench.drive(hass.config_entries.async_setup(entry.entry_id)):
            raise RuntimeError(f"the entry did not set up: {entry.state}")
        ask = {"config_entry_id": entry.entry_id, **DAYS}

        async def phase(replay: bytes | None = None, rss: bool = False) -> Any:
            """Ask for the year (or POST `replay`); from the webhook to every row committed."""
            calls, fetches = len(probe.webhooks), len(probe.fetches)
            parse_s, downloads, rows = probe.parse_s, simulator.downloads(), probe.rows
            probe.peak = 0
            gc.collect()
            if rss:  # peak RSS (VmHWM) := RSS
                Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
            before = _kib("VmRSS")
            if replay is None:
                call = hass.services.async_call(DOMAIN, "pge_request_data", ask, True)
                await bench.drive(call)
            else:
                await client.post(WEBHOOK, data=replay)
            for _ in range(1200):  # real time: another process notifies
                if len(probe.webhooks) > calls:
                    break
                await hass.async_add_executor_job(real_sleep, 0.05)
            else:
                raise RuntimeError("no notification within 60 s")
            await bench.settle()
            await get_instance(hass).async_block_till_done()
            committed, (entered, left) = perf_counter(), probe.webhooks[calls]
            new = probe.fetches[fetches:] or [dict.fromkeys(("began", "ended"), left)]
            # A feed is imported after its fetch, before the next fetch (one worker).
            handed = max(probe.handed, new[-1]["ended"])
            gaps = [b["began"] - a["ended"] for a, b in zip(new, new[1:], strict=False)]
            calls_s = handed - new[-1]["ended"] + sum(gaps)
            fetch_s = sum(f["ended"] - f["began"] for f in new)
            first_byte = new[0].get("first_byte", left) - new[0]["began"]
            fetch = [fetch_s, first_byte, probe.parse_s - parse_s]
            fetched = [f for f in new if "url" in f]
            peaks = (_kib("VmHWM"), probe.peak)
            return {
                "total": round(committed - entered, 2),
                "webhook": round((left - entered) * 1000, 1),
                "fetch": [round(seconds, 2) for seconds in fetch],
                "import": [round(committed - handed + calls_s, 2), round(calls_s, 2)],
                "feeds": [[f["bytes"] // 10**4 / 100, f["readings"]] for f in fetched],
                "rss": [round((kib - before) / 1024, 1) for kib in peaks]
                if rss
                else None,
                "checks": [simulator.downloads() - downloads, probe.rows - rows],
            }

        query = partial(committed_statistics, bench.database, "openpower:pge%")
        try:
            with probe.wrapped():
                year = await phase(rss=True)
                rows = await hass.async_add_executor_job(query)
                result = {"year": year, "rows": rows}
                # PG&E's duplicate: the same resources (correlationIDs) notified again.
                replay = sim.batch_list(str(f["url"]) for f in probe.fetches[-2:])
                for name in ("duplicate", "again")[: 1 + again]:
                    result[name] = await phase(replay if name == "duplicate" else None)
                    rows = await hass.async_add_executor_job(query)
                    result[name]["checks"].append(rows == result["rows"])
        finally:
            await hass.config_entries.async_unload(entry.entry_id)
            await bench.settle()
            await client.close()
    result["rows"] = [sum(map(len, result["rows"].values())), len(result["rows"])]
    return result


def _run(key: str) -> dict[str, Any]:
    began = perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        simulator = Simulator(Path(folder))
        try:
            simulate = partial(_simulate, simulator=simulator, pki=Path(folder))
            result = run_frozen(NOW, partial(simulate, again=key.endswith("+")))
        finally:
            simulator.process.terminate()
            simulator.process.wait(10)
    return result | {"wall": round(perf_counter() - began, 1)}


def held_by_a_parsed_year() -> float:
    """Return the MiB the parsed electricity year holds (its blocks kept), by tracemalloc."""
    # As the demo registration's: 15 minutes, net metering.
    point = sim.PgeUsagePoint(sim.PGE_15MIN_ELECTRIC_USAGE_POINT, "", "electric", 900)
    point = replace(point, net_metering=True)
    body, blocks = sim.build_feed(point, date(YEAR, 1, 1), date(YEAR, 12, 31)), []
    tracemalloc.start()
    parser = EspiParser(blocks.append)
    for offset in range(0, len(body), 65536):
        parser.feed(body[offset : offset + 65536])
    parser.close()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return round(held / 2**20, 1)


ROWS = (  # label, phase, key (None: the phase's value itself)
    ("(a) the year, webhook to every row committed, s", "year", "total"),
    ("  webhook answer, ms", "year", "webhook"),
    ("  fetch + parse / to the first byte / parsing, s", "year", "fetch"),
    ("  statistics import until committed / our import calls, s", "year", "import"),
    ("  feeds: MB / readings (electricity, gas)", "year", "feeds"),
    ("  hourly rows committed / statistics", "rows", None),
    ("  peak RSS increase / at the end of fetch + parse, MiB", "year", "rss"),
    ("(b) duplicate: webhook answer, ms", "duplicate", "webhook"),
    ("  downloads / rows handed to the recorder / all the same", "duplicate", "checks"),
    ("the year again: webhook to committed, s", "again", "total"),
    ("  downloads / rows handed to the recorder / all the same", "again", "checks"),
    ("process wall clock, s", "wall", None),
)


def _median(values: list[Any]) -> Any:
    known = [v for v in values if v is not None]
    if known and all(isinstance(v, list) for v in known):
        return [_median(list(column)) for column in zip(*known, strict=False)]
    if known and all(type(v) in (int, float) for v in known):
        return round(median(known), 2)
    return known[0] if known and known.count(known[0]) == len(known) else None


def main() -> int:
    """Run the benchmark `--runs` times, each a fresh process; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(f"pge {args.worker}", lambda: _run(args.worker))
        return 0
    began = perf_counter()
    keys = [f"{n}{'+' * (n == 1)}" for n in range(1, args.runs + 1)]
    runs = [in_processes(__file__, [key])[0] for key in keys]  # one after the other
    print(f"PG&E end to end: the demo registration of 15 minutes, {YEAR};")
    print(f"{args.runs} runs, each a fresh process; {perf_counter() - began:.0f} s")
    head = ["", *(f"run {i + 1}" for i in range(args.runs)), "median"]
    rows = []
    for label, phase, key in ROWS:
        row = [(r.get(phase) or {}).get(key) if key else r.get(phase) for r in runs]
        rows.append([label, *row, _median(row)])
    print(table(head, rows))
    print(f"A parsed year of electricity holds {held_by_a_parsed_year()} MiB.")
    problems = []
    for number, run in enumerate(runs, start=1):
        if run["year"]["checks"][0] != 2:
            problems.append(f"run {number}: the year was not downloaded once per feed")
        if run["duplicate"]["checks"] != [0, 0, True]:
            problems.append(f"run {number}: the duplicate was fetched or changed rows")
        if not run.get("again", {"checks": [True]})["checks"][-1]:
            problems.append(f"run {number}: the year asked again changed rows")
    print("\n".join(problems) or "All checks passed.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
