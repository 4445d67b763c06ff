"""Samples the ESPI parser tests share: the fixtures, an independent oracle, a hand-written feed.

The oracle (`full_tree`) is a naive full-tree pass over a file with `defusedxml.ElementTree`,
linking blocks by cutting hrefs, the simplest rule that holds for these files. `mini_feed` builds
the small feed the malformed and link cases start from.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
import re

from defusedxml import ElementTree as SafeTree

from custom_components.openpower.api.pge import EspiDocument, IntervalBlock

from .common import FIXTURES

ATOM = "http://www.w3.org/2005/Atom"
ESPI = "http://naesb.org/espi"
A = "{" + ATOM + "}"
E = "{" + ESPI + "}"

FEEDS = [
    "espi_gba_openespi_15min_qualities_cost.xml",
    "espi_gba_sample_hourly_9days_usagesummary_cost.xml",
    "espi_opower_gas_billing_periods_therm_cost.xml",
    "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml",
    "espi_pge_electric_hourly_1day_2019-10-03.xml",
    "espi_pge_electric_hourly_1day_programidmappings_2019-10-17.xml",
    "espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml",
    "espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml",
    "espi_pge_gas_daily_2020-05-09_oev.xml",
    "espi_pge_gas_daily_usagesummary_2016_eemeter.xml",
    "espi_pge_qa_batch_subscription_usagepoint_sync_2021_nem_usagesummary_scwadd_trimmed.xml",
    "espi_pge_usagesummary_feed_cost_lineitems_2015-2018_verdigris.xml",
    "espi_pge_localtimeparameters_entry_2015_verdigris.xml",
    "espi_pge_usagepoint_feed_2015_verdigris.xml",
]
NOT_FEEDS = {
    "notification_batchlist_2020-05-10_oev.xml": "not well-formed",
    "notification_batchlist_example_pge_post_oev.xml": "got <BatchList>",
    "notification_batchlist_mcolyer.xml": "got <BatchList>",
    "readservicestatus_response_example.xml": "got <ServiceStatus>",
}


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class Series:
    """What one (usage point id, flow direction) holds."""

    unit: str
    count: int = 0
    total: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    costs: int = 0
    starts: list[int] = field(default_factory=list)
    durations: Counter[int] = field(default_factory=Counter)
    qualities: Counter[int | None] = field(default_factory=Counter)
    tous: Counter[int | None] = field(default_factory=Counter)
    blocks: int = 0


def full_tree(data: bytes) -> dict[tuple[str, int | None], Series]:
    """Totals per (usage point id, flowDirection), from a whole tree and naive href cutting."""
    root = SafeTree.fromstring(data)
    entries = [root] if root.tag == A + "entry" else root.findall(A + "entry")
    reading_types: dict[str, tuple[int, int, int | None]] = {}
    meter_readings: dict[str, str] = {}
    blocks = []
    for entry in entries:
        self_href = next(
            (
                x.get("href")
                for x in entry.findall(A + "link")
                if x.get("rel") == "self"
            ),
            None,
        )
        related = [
            x.get("href")
            for x in entry.findall(A + "link")
            if x.get("rel") == "related"
        ]
        content = entry.find(A + "content")
        resource = content[0] if content is not None and len(content) else None
        if resource is None or self_href is None:
            continue
        if resource.tag == E + "ReadingType":
            flow = resource.findtext(E + "flowDirection")
            reading_types[self_href] = (
                int(resource.findtext(E + "uom")),
                int(resource.findtext(E + "powerOfTenMultiplier") or 0),
                int(flow) if flow else None,
            )
        elif resource.tag == E + "MeterReading":
            meter_readings[self_href] = next(h for h in related if "/ReadingType/" in h)
        elif resource.tag == E + "IntervalBlock":
            blocks.append((self_href, resource))
    series: dict[tuple[str, int | None], Series] = {}
    for self_href, block in blocks:
        meter_reading = self_href[: self_href.rindex("/IntervalBlock/")]
        uom, power, flow = reading_types[meter_readings[meter_reading]]
        point = meter_reading[: meter_reading.rindex("/MeterReading/")].rsplit("/", 1)[
            1
        ]
        scale = Decimal(10) ** (power - 3 if uom == 72 else power)
        one = series.setdefault((point, flow), Series({72: "kWh", 169: "thm"}[uom]))
        one.blocks += 1
        for reading in block.findall(E + "IntervalReading"):
            period = reading.find(E + "timePeriod")
            one.count += 1
            one.total += int(reading.findtext(E + "value")) * scale
            one.starts.append(int(period.findtext(E + "start")))
            one.durations[int(period.findtext(E + "duration"))] += 1
            quality = reading.findtext(E + "ReadingQuality/" + E + "quality")
            one.qualities[int(quality) if quality else None] += 1
            tou = reading.findtext(E + "tou")
            one.tous[int(tou) if tou else None] += 1
            if (cost := reading.findtext(E + "cost")) is not None:
                one.costs += 1
                one.cost += Decimal(int(cost)) / 100000
    return series


def series_of(blocks: Iterable[IntervalBlock]) -> dict[tuple[str, int | None], Series]:
    """The same figures, from the parser's blocks."""
    series: dict[tuple[str, int | None], Series] = {}
    for block in blocks:
        point = block.usage_point.rsplit("/", 1)[1]
        key = (point, block.reading_type.flow_direction)
        assert block.unit is not None
        one = series.setdefault(key, Series(block.unit))
        assert one.unit == block.unit
        one.blocks += 1
        for reading in block.readings:
            one.count += 1
            one.total += Decimal(repr(reading.value))
            one.starts.append(int(reading.start.timestamp()))
            one.durations[int(reading.duration.total_seconds())] += 1
            one.qualities[reading.quality] += 1
            one.tous[reading.tou] += 1
            if reading.cost is not None:
                one.costs += 1
                one.cost += Decimal(repr(reading.cost))
    return series


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def split_entries(data: bytes) -> tuple[bytes, list[bytes], bytes]:
    """(head, entries, tail) of a feed, entries found by their Atom tags."""
    spans = [
        m.span()
        for m in re.finditer(
            rb"<(?:ns1:)?entry[\s>].*?</(?:ns1:)?entry>", data, re.DOTALL
        )
    ]
    return (
        data[: spans[0][0]],
        [data[a:b] for a, b in spans],
        data[spans[-1][1] :],
    )


def assert_same(one: EspiDocument, other: EspiDocument) -> None:
    """Equal documents, whatever the order of blocks and resources."""

    def key(block: IntervalBlock) -> tuple[str, datetime]:
        return (block.meter_reading, block.start)

    assert sorted(one.blocks, key=key) == sorted(other.blocks, key=key)
    for name in (
        "usage_points",
        "meter_readings",
        "reading_types",
        "local_time_parameters",
        "usage_summaries",
    ):
        assert Counter(getattr(one.feed, name)) == Counter(getattr(other.feed, name))
    assert one.feed.reading_count == other.feed.reading_count


HEAD = (
    f'<feed xmlns="{ATOM}"><entry><link rel="self" href="/rt/1"/><content>'
    f'<ReadingType xmlns="{ESPI}"><uom>72</uom><powerOfTenMultiplier>-3</powerOfTenMultiplier>'
    "<flowDirection>1</flowDirection></ReadingType></content></entry>"
    '<entry><link rel="self" href="/up/1"/>'
    '<link rel="related" href="/up/1/MeterReading"/>'
    f'<content><UsagePoint xmlns="{ESPI}"><ServiceCategory><kind>0</kind></ServiceCategory>'
    "</UsagePoint></content></entry>"
    '<entry><link rel="self" href="/up/1/MeterReading/1"/>'
    '<link rel="up" href="/up/1/MeterReading"/>'
    '<link rel="related" href="/up/1/MeterReading/1/IntervalBlock"/>'
    '<link rel="related" href="/rt/1"/>'
    f'<content><MeterReading xmlns="{ESPI}"/></content></entry>'
)
READING = (
    "<IntervalReading><timePeriod><duration>3600</duration><start>1570086000</start>"
    "</timePeriod><value>2500000</value></IntervalReading>"
)


def block_entry(readings: str = READING, *, interval: bool = True, n: int = 1) -> str:
    period = "<interval><duration>86400</duration><start>1570086000</start></interval>"
    return (
        f'<entry><link rel="self" href="/up/1/MeterReading/1/IntervalBlock/{n}"/>'
        f'<content><IntervalBlock xmlns="{ESPI}">{period if interval else ""}'
        f"{readings}</IntervalBlock></content></entry>"
    )


def mini_feed(*blocks: str, head: str = HEAD, summary: str = "") -> bytes:
    return (head + "".join(blocks or [block_entry()]) + summary + "</feed>").encode()
