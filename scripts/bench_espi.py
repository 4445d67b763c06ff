"""The streaming ESPI parser against a full ElementTree parse of the same PG&E feeds.

`.venv/bin/python scripts/bench_espi.py [--years 1 4] [--runs 5] [--strict]`, run by
`scripts/bench`. Feeds in PG&E's exact 15-minute shape from the simulator's generator; on each,
best of `--runs` of CPU time: raw expat with no handler (the ceiling), ElementTree then a walk
reading every reading's fields, our `EspiParser` fed 64 KiB chunks; the tracemalloc peak of a
separate run. `--strict`: exit 1 when slower than ElementTree or above 1/20 of its peak.
"""

import argparse
from collections.abc import Callable
from datetime import date
import gc
import importlib
from pathlib import Path
import sys
import tempfile
import time
import tracemalloc
import types
from typing import Any
import xml.etree.ElementTree as ET  # noqa: ICN001 - the baseline being measured
from xml.parsers import expat

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 65536
E = "{http://naesb.org/espi}"


# `api.pge` as the library it is, and the simulator's feed generator (stdlib only): their
# packages' `__init__` would import Home Assistant and the simulator.
for package, folder in (
    ("custom_components", "custom_components"),
    ("custom_components.openpower", "custom_components/openpower"),
    ("tests", "tests"),
    ("tests.simulator", "tests/simulator"),
):
    sys.modules.setdefault(package, types.ModuleType(package)).__path__ = [
        f"{ROOT}/{folder}"
    ]
EspiParser = importlib.import_module("custom_components.openpower.api.pge").EspiParser
feeds = importlib.import_module("tests.simulator.pge_feed")
POINT = feeds.PgeUsagePoint("6774520887", "4267109", "electric", 900)


def raw_expat(path: Path) -> int:
    """Tokenize only: no handlers at all."""
    parser = expat.ParserCreate(None, " ")
    with path.open("rb") as feed:
        while chunk := feed.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return 0


def element_tree(path: Path) -> int:
    """Parse the whole tree, then read every reading's fields as integers."""
    period, value, quality, tou, cost = (
        E + n for n in ("timePeriod", "value", "ReadingQuality", "tou", "cost")
    )
    readings = 0
    for reading in ET.parse(path).getroot().iter(E + "IntervalReading"):  # noqa: S314
        for child in reading:
            if child.tag == period:
                (
                    int(child.findtext(E + "start") or ""),
                    int(child.findtext(E + "duration") or ""),
                )
            elif child.tag == quality:
                int(child.findtext(E + "quality") or "")
            elif child.tag in (value, tou, cost):
                int(child.text or "")
        readings += 1
    return readings


def espi_parser(path: Path) -> int:
    """Our parser, fed the file in 64 KiB chunks; every reading touched."""
    readings = 0

    def on_block(block: Any) -> None:
        nonlocal readings
        readings += len(block.readings)
        sum(reading.value for reading in block.readings)

    parser = EspiParser(on_block)
    with path.open("rb") as feed:
        while chunk := feed.read(CHUNK):
            parser.feed(chunk)
    parser.close()
    return readings


CONTENDERS: dict[str, Callable[[Path], int]] = {
    "raw expat tokenization (ceiling)": raw_expat,
    "ElementTree parse + walk": element_tree,
    "EspiParser, 64 KiB chunks": espi_parser,
}


def peak(function: Callable[[Path], int], path: Path) -> int:
    """Return the tracemalloc peak (bytes) of one run."""
    gc.collect()
    tracemalloc.start()
    function(path)
    found = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return found


def bench(path: Path, expected: int, runs: int) -> bool:
    """Measure every contender on one feed and print its table; True when the targets are met."""
    best = dict.fromkeys(CONTENDERS, float("inf"))
    for _ in range(runs):
        for name, function in CONTENDERS.items():
            gc.collect()
            began = time.process_time()
            found = function(path)
            best[name] = min(best[name], time.process_time() - began)
            if name != next(iter(CONTENDERS)) and found != expected:
                raise SystemExit(f"{name} found {found} readings, not {expected}")
    rate = {name: expected / seconds for name, seconds in best.items()}
    peaks = {name: peak(function, path) for name, function in CONTENDERS.items()}
    raw, tree, ours = (rate[name] for name in CONTENDERS)
    tree_peak = peaks["ElementTree parse + walk"]
    size = path.stat().st_size / 1e6
    print(f"\n{path.name}: {expected:,} readings, {size:.1f} MB, best of {runs} runs")
    print(
        f"  {'':34} {'readings/s':>11} {'× ET':>6} {'× raw':>6} {'MiB':>6} {'ET ÷':>6}"
    )
    for name, r in rate.items():
        ratios = f"{r / tree:>6.2f} {r / raw:>6.2f} {peaks[name] / 2**20:>6.2f}"
        print(f"  {name:34} {r:>11,.0f} {ratios} {tree_peak / peaks[name]:>6.0f}")
    fast, small = ours >= tree, peaks["EspiParser, 64 KiB chunks"] * 20 <= tree_peak
    print(f"  speed ≥ ElementTree: {fast}; peak ≤ 1/20 of ElementTree's: {small}")
    return fast and small


def main() -> int:
    """Write the feeds, measure, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 on a missed target"
    )
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, expat {expat.EXPAT_VERSION}")
    met = True
    with tempfile.TemporaryDirectory() as folder:
        for years in args.years:
            first, last = date(2024 - years, 1, 1), date(2023, 12, 31)
            path = Path(folder) / f"pge_bulk_15min_{years}y.xml"
            # Without billing summaries, the readings are the whole feed.
            path.write_bytes(feeds.build_feed(POINT, first, last, summaries=False))
            days = feeds.days_between(first, last)
            expected = sum(len(feeds.day_readings(POINT, day)) for day in days)
            met &= bench(path, expected, args.runs)
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
