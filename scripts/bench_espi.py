"""Benchmark the streaming ESPI parser against a full ElementTree parse of the same PG&E feeds.

Run from the repository root: `.venv/bin/python scripts/bench_espi.py [--years 1 4] [--runs 5]
[--keep DIR] [--strict]`. About a minute; nothing is reached over the network.

It writes, into a temporary directory, Bulk feeds in PG&E's exact shape, with the simulator's own
generator (tests/simulator/pge_feed.py, the serialisation of the captured
`espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml`: `ns0`/`ns1` prefixes redeclared on
every entry, `xsi:type` attributes, LocalTimeParameters, ReadingType, UsagePoint and MeterReading
entries linked by href, one IntervalBlock entry per local day of America/Los_Angeles with
92/96/100 readings of 15 minutes): one year (2023, 35,040 readings, ~9.6 MB) and four years
(2020-2023, 140,256 readings, ~38 MB).

On each feed, in the same process and interleaved run by run (best of `--runs`):

- raw expat: `pyexpat` with no handler at all, fed 64 KiB chunks: the tokenizer alone, the ceiling
  any expat-based parser can reach;
- ElementTree: `xml.etree.ElementTree.parse` (the C accelerator) of the file, then a walk over
  every IntervalReading reading the fields our parser reads (start, duration, value, quality,
  tou, cost) as integers;
- EspiParser: the file read and fed in 64 KiB chunks, every IntervalBlock handed to a callback
  that counts the readings and sums their values (so each reading object is built and touched).

Speed is readings per second of the process's CPU time (`time.process_time`: other work on a
shared machine inflates wall time, which is shown too); memory is the tracemalloc peak of a
separate run of each (tracemalloc slows everything, so it is never on during timing). Targets (the issue): the
parser at least as fast as ElementTree, and its peak at most 1/20 of ElementTree's. `--strict`
makes a missed target exit with status 1 (timings on a busy machine vary by a few percent).
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
import gc
import importlib
import importlib.util
from pathlib import Path
import sys
import tempfile
import time
import tracemalloc
import types
from typing import TYPE_CHECKING
import xml.etree.ElementTree as ET  # noqa: ICN001 - the baseline being measured
from xml.parsers import expat

if TYPE_CHECKING:
    from custom_components.openpower.api.pge import IntervalBlock


def _load_api() -> types.ModuleType:
    """Import `api.pge` as the library it is, without the integration (Home Assistant) around it.

    The parent packages are registered with their paths but without running their `__init__`,
    which would import Home Assistant (5 s, and a 200,000-object heap the timings would carry).
    """
    root = Path(__file__).resolve().parents[1] / "custom_components"
    for name, path in (
        ("custom_components", root),
        ("custom_components.openpower", root / "openpower"),
    ):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    return importlib.import_module("custom_components.openpower.api.pge")


EspiParser = _load_api().EspiParser

CHUNK = 65536
E = "{http://naesb.org/espi}"


# ---- the feeds -----------------------------------------------------------------------------------


def _load_feed_generator() -> types.ModuleType:
    """Import the simulator's feed generator (stdlib only) without the simulator package."""
    path = Path(__file__).resolve().parents[1] / "tests" / "simulator" / "pge_feed.py"
    spec = importlib.util.spec_from_file_location("openpower_bench_pge_feed", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pge_feed = _load_feed_generator()
POINT = pge_feed.PgeUsagePoint(
    usage_point_id="6774520887",
    subscription_id="4267109",
    service="electric",
    interval_length=900,
)


def write_feed(path: Path, first: date, days: int) -> int:
    """Write the simulator's PG&E Bulk feed of 15-minute delivered energy; return its readings.

    The same generator the simulator serves (tests/simulator/pge_feed.py, shaped like the
    captured 15-minute feed), without billing summaries so that the readings are the whole feed.
    """
    last = first + timedelta(days=days - 1)
    with path.open("wb") as out:
        for chunk in pge_feed.iter_feed(POINT, first, last, summaries=False):
            out.write(chunk)
    return sum(
        len(pge_feed.day_readings(POINT, day))
        for day in pge_feed.days_between(first, last)
    )


@dataclass
class Outcome:
    """What a run found: readings and the sum of their raw values (to check all agree)."""

    readings: int
    check: float


def raw_expat(path: Path) -> Outcome:
    """Tokenize only: no handlers at all."""
    parser = expat.ParserCreate(None, " ")
    with path.open("rb") as feed:
        while chunk := feed.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return Outcome(0, 0.0)


def element_tree(path: Path) -> Outcome:
    """Full tree, then every reading's fields as integers."""
    time_period, value, quality_wrapper, tou, cost = (
        E + "timePeriod",
        E + "value",
        E + "ReadingQuality",
        E + "tou",
        E + "cost",
    )
    start, duration, quality = E + "start", E + "duration", E + "quality"
    root = ET.parse(path).getroot()  # noqa: S314 - the baseline, on a file we just wrote
    readings, total = 0, 0
    for reading in root.iter(E + "IntervalReading"):
        fields: list[int | None] = [None] * 6
        for child in reading:
            tag = child.tag
            if tag == time_period:
                fields[0] = int(child.findtext(start) or "")
                fields[1] = int(child.findtext(duration) or "")
            elif tag == value:
                fields[2] = int(child.text or "")
            elif tag == quality_wrapper:
                fields[3] = int(child.findtext(quality) or "")
            elif tag == tou:
                fields[4] = int(child.text or "")
            elif tag == cost:
                fields[5] = int(child.text or "")
        readings += 1
        total += fields[2] or 0
    return Outcome(readings, total / 10**6)


def espi_parser(path: Path) -> Outcome:
    """Our parser, fed the file in 64 KiB chunks."""
    readings, total = 0, 0.0

    def on_block(block: IntervalBlock) -> None:
        nonlocal readings, total
        readings += len(block.readings)
        total += sum(reading.value for reading in block.readings)

    parser = EspiParser(on_block)
    with path.open("rb") as feed:
        while chunk := feed.read(CHUNK):
            parser.feed(chunk)
    parser.close()
    return Outcome(readings, total)


CONTENDERS: dict[str, Callable[[Path], Outcome]] = {
    "raw expat tokenization (ceiling)": raw_expat,
    "ElementTree parse + walk": element_tree,
    "EspiParser, 64 KiB chunks": espi_parser,
}


def timed(
    function: Callable[[Path], Outcome], path: Path
) -> tuple[float, float, Outcome]:
    """CPU and wall seconds of one run, the garbage collector on (as in production)."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = function(path)
    return time.process_time() - cpu, time.perf_counter() - wall, outcome


def peak(function: Callable[[Path], Outcome], path: Path) -> int:
    """Peak of traced memory (bytes) during one run."""
    gc.collect()
    tracemalloc.start()
    try:
        function(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench(path: Path, expected: int, runs: int) -> bool:
    """Measure every contender on one feed, print the table; True when the targets are met."""
    best = dict.fromkeys(CONTENDERS, float("inf"))
    wall = dict.fromkeys(CONTENDERS, float("inf"))
    outcomes: dict[str, Outcome] = {}
    for _ in range(runs):
        for name, function in CONTENDERS.items():
            seconds, elapsed, outcomes[name] = timed(function, path)
            best[name] = min(best[name], seconds)
            wall[name] = min(wall[name], elapsed)
    peaks = {name: peak(function, path) for name, function in CONTENDERS.items()}
    tree, ours = (
        outcomes["ElementTree parse + walk"],
        outcomes["EspiParser, 64 KiB chunks"],
    )
    if (
        not tree.readings == ours.readings == expected
        or abs(tree.check - ours.check) > 1e-6
    ):
        raise SystemExit(
            f"the parsers disagree: {tree} {ours} (expected {expected} readings)"
        )

    rate = {name: expected / seconds for name, seconds in best.items()}
    et_rate, raw_rate = (
        rate["ElementTree parse + walk"],
        rate["raw expat tokenization (ceiling)"],
    )
    et_peak = peaks["ElementTree parse + walk"]
    print(
        f"\n{path.name}: {expected:,} readings, {path.stat().st_size / 1e6:.1f} MB, "
        f"best of {runs} runs"
    )
    print(
        f"  {'':34} {'readings/s':>11} {'× ET':>6} {'× raw':>6} "
        f"{'peak MiB':>9} {'ET peak ÷':>10} {'CPU s':>6} {'wall s':>6}"
    )
    for name in CONTENDERS:
        print(
            f"  {name:34} {rate[name]:>11,.0f} {rate[name] / et_rate:>6.2f} "
            f"{rate[name] / raw_rate:>6.2f} {peaks[name] / 2**20:>9.2f} "
            f"{et_peak / peaks[name]:>10.1f} {best[name]:>6.3f} {wall[name]:>6.3f}"
        )
    ours_name = "EspiParser, 64 KiB chunks"
    fast = rate[ours_name] >= et_rate
    small = peaks[ours_name] * 20 <= et_peak
    print(
        f"  target speed ≥ ElementTree: {'met' if fast else 'MISSED'} "
        f"({rate[ours_name] / et_rate:.2f}×); "
        f"target peak ≤ 1/20 of ElementTree's: {'met' if small else 'MISSED'} "
        f"(1/{et_peak / peaks[ours_name]:.0f})"
    )
    return fast and small


def main() -> int:
    """Write the feeds, run the benchmark, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the feeds here and keep them")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if a target is missed"
    )
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, expat {expat.EXPAT_VERSION}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        met = True
        for years in args.years:
            first = date(2024 - years, 1, 1)
            days = (date(2024, 1, 1) - first).days
            path = folder / f"pge_bulk_15min_{years}y.xml"
            began = time.perf_counter()
            readings = write_feed(path, first, days)
            print(
                f"wrote {path.name} ({days} days) in {time.perf_counter() - began:.1f} s"
            )
            met &= bench(path, readings, args.runs)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
