"""The streaming ESPI parser on every PG&E fixture (shared/fixtures/pge, copied here).

Expected figures come from outside the parser: a naive full-tree pass over each file with
`defusedxml.ElementTree` (`_full_tree`, which links blocks by cutting hrefs, the simplest rule that
holds for these files), and numbers read from the files by hand.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import FrozenInstanceError, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
import re

from defusedxml import ElementTree as SafeTree
import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    FLOW_DELIVERED,
    FLOW_RECEIVED,
    SERVICE_ELECTRICITY,
    SERVICE_GAS,
    EspiDocument,
    EspiParser,
    IntervalBlock,
    IntervalReading,
    parse_espi,
)

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
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
]
NOT_FEEDS = {
    "notification_batchlist_2020-05-10_oev.xml": "not well-formed",
    "notification_batchlist_example_pge_post_oev.xml": "got <BatchList>",
    "notification_batchlist_mcolyer.xml": "got <BatchList>",
    "readservicestatus_response_example.xml": "got <ServiceStatus>",
}


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_every_fixture_is_covered() -> None:
    """Each file of the fixture folder is exercised by one of the tables below."""
    on_disk = {path.name for path in FIXTURES.glob("*.xml")}
    assert on_disk == set(FEEDS) | set(NOT_FEEDS) | {
        "espi_gba_authorization_entry_anonymized.xml"
    }


# ---- the independent oracle ----------------------------------------------------------------------


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


def _full_tree(data: bytes) -> dict[tuple[str, int | None], Series]:
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


def _series(blocks: Iterable[IntervalBlock]) -> dict[tuple[str, int | None], Series]:
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


@pytest.mark.parametrize("name", FEEDS)
def test_totals_match_a_full_tree(name: str) -> None:
    """Per usage point and direction: counts, totals, costs, first/last start, qualities, TOU."""
    data = _read(name)
    expected = _full_tree(data)
    document = parse_espi(data)
    got = _series(document.blocks)
    assert got.keys() == expected.keys()
    for key, want in expected.items():
        one = got[key]
        assert one.unit == want.unit, key
        assert one.count == want.count, key
        assert one.blocks == want.blocks, key
        assert float(one.total) == pytest.approx(float(want.total), rel=1e-12, abs=1e-9)
        assert one.costs == want.costs, key
        assert float(one.cost) == pytest.approx(float(want.cost), rel=1e-12, abs=1e-9)
        assert sorted(one.starts) == sorted(want.starts), key
        assert one.durations == want.durations, key
        assert one.qualities == want.qualities, key
        assert one.tous == want.tous, key
    assert document.feed.reading_count == sum(s.count for s in expected.values())
    assert document.feed.block_count == sum(s.blocks for s in expected.values())


# Read from the files (values summed by hand per MeterReading): (point id, flow) → (readings,
# total in the unit, first start, last start).
TOTALS: dict[str, dict[tuple[str, int | None], tuple[int, str, float, int, int]]] = {
    "espi_pge_electric_hourly_1day_2019-10-03.xml": {
        ("5391320451", 1): (24, "kWh", 50.663298, 1570086000, 1570168800),
    },
    "espi_pge_electric_hourly_1day_programidmappings_2019-10-17.xml": {
        ("5391320451", 1): (24, "kWh", 29.8346, 1571295600, 1571378400),
    },
    "espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml": {
        ("5391320451", 1): (49, "kWh", 60.657299, 1572678000, 1572850800),
    },
    "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml": {
        ("6774520887", 1): (96, "kWh", 13.106, 1575705600, 1575791100),
        ("6774520887", 19): (96, "kWh", 1.918, 1575705600, 1575791100),
    },
    "espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml": {
        ("6345172663", 1): (313, "kWh", 114.721197, 1335942000, 1462168800),
        ("6345172663", 19): (123, "kWh", 34.243198, 1425715200, 1462168800),
    },
    "espi_pge_gas_daily_2020-05-09_oev.xml": {
        ("7170720474", 1): (1, "thm", 0.0, 1589007601, 1589007601),
    },
    "espi_pge_gas_daily_usagesummary_2016_eemeter.xml": {
        ("7541002993", 1): (2, "thm", 1.03513077, 1335942001, 1336028401),
    },
    "espi_gba_sample_hourly_9days_usagesummary_cost.xml": {
        ("2", 1): (216, "kWh", 199.563, 1388552400, 1389326400),
    },
    "espi_gba_openespi_15min_qualities_cost.xml": {
        ("5446AF3F", 1): (96, "kWh", 93.846, 1330578000, 1330663500),
    },
    "espi_opower_gas_billing_periods_therm_cost.xml": {
        ("NET_USAGE", None): (35, "thm", 3484.0, 1621987200, 1711497600),
    },
}


@pytest.mark.parametrize("name", FEEDS)
def test_totals_read_from_the_files(name: str) -> None:
    """The same, against figures written down from the files."""
    got = _series(parse_espi(_read(name)).blocks)
    assert set(got) == set(TOTALS[name])
    for key, (count, unit, total, first, last) in TOTALS[name].items():
        one = got[key]
        assert (one.count, one.unit) == (count, unit)
        assert float(one.total) == pytest.approx(total, abs=1e-9)
        assert (min(one.starts), max(one.starts)) == (first, last)


# ---- what each file is there for -----------------------------------------------------------------


def test_hourly_day_reading_and_resources() -> None:
    """The STYLE.md example: 1067300 mWh at 2019-10-03 07:00Z is 1.0673 kWh over an hour."""
    document = parse_espi(_read("espi_pge_electric_hourly_1day_2019-10-03.xml"))
    (block,) = document.blocks
    base = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource"
    point = f"{base}/Subscription/4095251/UsagePoint/5391320451"
    assert block.href == (
        f"{point}/MeterReading/TnpJNmJuVnNiRG96TmpBd09qRT06MQ==/IntervalBlock/1570086000"
    )
    assert block.usage_point == point
    assert (
        block.meter_reading == f"{point}/MeterReading/TnpJNmJuVnNiRG96TmpBd09qRT06MQ=="
    )
    assert (block.start, block.duration) == (_utc(1570086000), timedelta(days=1))
    assert block.readings[0] == IntervalReading(
        start=datetime(2019, 10, 3, 7, tzinfo=UTC),
        duration=timedelta(hours=1),
        value=1.0673,
        cost=None,
        quality=17,
        tou=6,
    )
    assert block.readings[-1].start == datetime(2019, 10, 4, 6, tzinfo=UTC)
    assert block.readings[-1].value == 4.148399  # 4148399 mWh
    assert not block.received
    reading_type = block.reading_type
    assert reading_type.href == f"{base}/ReadingType/NzI6bnVsbDozNjAwOjE="
    assert (reading_type.uom, reading_type.power_of_ten_multiplier) == (72, -3)
    assert reading_type.unit == "kWh"
    assert reading_type.interval_length == timedelta(hours=1)
    assert reading_type.flow_direction == FLOW_DELIVERED
    assert (reading_type.commodity, reading_type.accumulation_behaviour) == (1, 4)
    assert (reading_type.kind, reading_type.default_quality) == (12, 17)
    assert (reading_type.data_qualifier, reading_type.measuring_period) == (12, 7)
    assert (reading_type.time_attribute, reading_type.currency) == (0, None)
    feed = document.feed
    (usage_point,) = feed.usage_points
    assert usage_point.href == point
    assert usage_point.id == "5391320451"
    assert usage_point.service_kind == SERVICE_ELECTRICITY
    assert usage_point.local_time_parameters == f"{base}/LocalTimeParameters/1"
    (local_time,) = feed.local_time_parameters
    assert local_time.href == f"{base}/LocalTimeParameters/1"
    assert local_time.tz_offset == timedelta(hours=-8)
    assert local_time.dst_offset == timedelta(hours=1)
    assert (local_time.dst_start_rule, local_time.dst_end_rule) == (
        "360E2000",
        "B40E2000",
    )
    (meter_reading,) = feed.meter_readings
    assert meter_reading.usage_point == point
    assert meter_reading.reading_type == reading_type.href
    assert feed.reading_types == (reading_type,)
    assert feed.usage_summaries == ()


def test_revenue_quality_day() -> None:
    """2019-10-17: every reading is revenue-quality (19) while the default says 17."""
    (block,) = parse_espi(
        _read("espi_pge_electric_hourly_1day_programidmappings_2019-10-17.xml")
    ).blocks
    assert {reading.quality for reading in block.readings} == {19}
    assert block.reading_type.default_quality == 17


def test_dst_fall_back_as_one_25_hour_block() -> None:
    """2019-11-03: one block of 90000 s with 25 contiguous hourly readings."""
    document = parse_espi(
        _read("espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml")
    )
    normal, fall_back = document.blocks
    assert (normal.start, normal.duration, len(normal.readings)) == (
        _utc(1572678000),
        timedelta(hours=24),
        24,
    )
    assert (fall_back.start, fall_back.duration, len(fall_back.readings)) == (
        datetime(2019, 11, 3, 7, tzinfo=UTC),
        timedelta(hours=25),
        25,
    )
    starts = [reading.start for reading in fall_back.readings]
    assert starts == [fall_back.start + timedelta(hours=h) for h in range(25)]
    assert normal.readings[-1].start + timedelta(hours=1) == fall_back.start


def _day(blocks: Iterable[IntervalBlock], first: int, last: int) -> list[datetime]:
    return sorted(
        reading.start
        for block in blocks
        for reading in block.readings
        if _utc(first) <= reading.start < _utc(last)
    )


def test_dst_days_as_two_blocks() -> None:
    """2015/2016: DST days come as 2 + 23 and 2 + 21 readings; together they are the day."""
    document = parse_espi(
        _read("espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml")
    )
    delivered = [b for b in document.blocks if not b.received]
    by_start = {int(block.start.timestamp()): block for block in delivered}
    # 2015-11-01 (fall back), local midnight = 07:00Z: 2 h then 23 h.
    first, rest = by_start[1446361200], by_start[1446368400]
    assert (first.duration, len(first.readings)) == (timedelta(hours=2), 2)
    assert (rest.duration, len(rest.readings)) == (timedelta(hours=23), 23)
    assert first.start + first.duration == rest.start
    hours = _day(delivered, 1446361200, 1446361200 + 25 * 3600)
    assert hours == [_utc(1446361200 + h * 3600) for h in range(25)]
    # 2016-03-13 (spring forward), local midnight = 08:00Z: 2 h then 21 h.
    first, rest = by_start[1457856000], by_start[1457863200]
    assert (first.duration, len(first.readings)) == (timedelta(hours=2), 2)
    assert (rest.duration, len(rest.readings)) == (timedelta(hours=21), 21)
    hours = _day(delivered, 1457856000, 1457856000 + 23 * 3600)
    assert hours == [_utc(1457856000 + h * 3600) for h in range(23)]
    # The export series holds only one half of each DST day (in the file, not our doing).
    received = [b for b in document.blocks if b.received]
    assert len(_day(received, 1457856000, 1457856000 + 23 * 3600)) == 2
    assert len(_day(received, 1446361200, 1446361200 + 25 * 3600)) == 23


def test_net_metering_two_meter_readings() -> None:
    """15-min net metering: flow 1 and flow 19, each with its own ReadingType."""
    document = parse_espi(
        _read("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    )
    delivered, received = document.blocks
    assert delivered.reading_type.flow_direction == FLOW_DELIVERED
    assert received.reading_type.flow_direction == FLOW_RECEIVED
    assert received.received
    assert delivered.reading_type.href.endswith("/ReadingType/NzI6bnVsbDo5MDA6MQ==")
    assert received.reading_type.href.endswith("/ReadingType/NzI6bnVsbDo5MDA6MTk=")
    assert delivered.usage_point == received.usage_point
    assert delivered.meter_reading != received.meter_reading
    assert {r.duration for b in document.blocks for r in b.readings} == {
        timedelta(minutes=15)
    }
    assert delivered.readings[0].value == 0.06  # 60000 mWh
    assert len(document.feed.meter_readings) == 2


def test_eemeter_feed_duplicates_and_summaries() -> None:
    """Repeated UsagePoint/MeterReading entries; 49 summaries with tiers, bills, ms stamps."""
    document = parse_espi(
        _read("espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml")
    )
    feed = document.feed
    assert [point.id for point in feed.usage_points] == ["6345172663"]
    assert sorted(mr.href.rsplit("/", 1)[1] for mr in feed.meter_readings) == [
        "ABC",
        "DEF",
    ]
    assert len(feed.reading_types) == 4
    assert sorted(rt.flow_direction or 0 for rt in feed.reading_types) == [1, 4, 4, 19]
    summaries = feed.usage_summaries
    assert len(summaries) == 49
    assert sum(s.bill_last_period or 0 for s in summaries) == pytest.approx(1851.49)
    assert Counter(s.tariff_profile for s in summaries) == {"E1": 35, "HE6N": 14}
    assert {s.usage_point for s in summaries} == {feed.usage_points[0].href}
    assert {s.currency_code for s in summaries} == {"USD"}
    first = summaries[0]
    assert first.href is not None
    assert first.href.endswith("/UsageSummary/1,361,433,600")
    assert first.bill_last_period == 58.33
    assert first.status_time == datetime(2016, 5, 3, 8, 29, 14, 238000, tzinfo=UTC)
    assert first.consumption_last_period is not None
    assert first.consumption_last_period.value == 403.0  # 403000000 mWh
    assert first.consumption_last_period.unit == "kWh"
    assert first.consumption_last_period.reading_type is not None
    assert first.consumption_last_period.reading_type.endswith(
        "/ReadingType/NgR4fkdsSer5fddzMwu="
    )
    assert (first.commodity, first.read_cycle) == (1, "X")
    assert sum(len(s.cost_details) for s in summaries) == 465
    notes = [detail.note for detail in first.cost_details]
    assert "Winter Tier 3 Usage" in notes
    tier = first.cost_details[notes.index("Winter Tier 3 Usage")]
    assert tier.quantity is not None
    assert (tier.quantity.value, tier.quantity.unit) == (12.61, "kWh")  # 12610000 mWh
    assert (tier.item_kind, tier.amount) == (3, None)
    assert sum(d.quantity.value for d in first.cost_details if d.quantity) == 403.0
    # Two summaries share one self link (a tariff change within the period): both are kept.
    same = [s for s in summaries if s.href and s.href.endswith("/1,427,094,000")]
    assert sorted((s.tariff_profile, s.bill_last_period) for s in same) == [
        ("E1", 20.61),
        ("HE6N", 1.96),
    ]


def test_gas_daily_therms_and_summary() -> None:
    """Gas: therm × 1e-8, +1 s block starts, a $27.58 bill, statusTimeStamp in milliseconds."""
    document = parse_espi(_read("espi_pge_gas_daily_usagesummary_2016_eemeter.xml"))
    assert [r.value for b in document.blocks for r in b.readings] == [0.0, 1.03513077]
    block = document.blocks[0]
    assert block.start == datetime(2012, 5, 2, 7, 0, 1, tzinfo=UTC)
    assert block.unit == "thm"
    assert block.reading_type.commodity == 7
    assert block.reading_type.interval_length == timedelta(days=1)
    assert block.reading_type.time_attribute == 11
    (point,) = document.feed.usage_points
    assert point.service_kind == SERVICE_GAS
    (summary,) = document.feed.usage_summaries
    assert summary.href is not None
    assert summary.href.endswith("/UsageSummary/1,349,247,600")
    assert summary.usage_point == point.href
    assert summary.bill_last_period == 27.58
    assert (summary.currency, summary.currency_code) == (840, "USD")
    assert summary.billing_period_start == _utc(1346396400)
    assert summary.billing_period_duration == timedelta(seconds=2764800)
    assert summary.status_time == datetime(2016, 5, 3, 8, 17, 27, 267000, tzinfo=UTC)
    assert summary.consumption_last_period is not None
    assert summary.consumption_last_period.value == 24.0
    assert summary.consumption_last_period.unit == "thm"
    assert (summary.tariff_profile, summary.read_cycle) == ("G1", "J")
    assert (summary.commodity, summary.cost_details) == (7, ())
    assert summary.bill_to_date is None


def test_gas_daily_zero_reading() -> None:
    """The 2020 gas Bulk feed: one reading of 0 therm starting 1 s after local midnight."""
    (block,) = parse_espi(_read("espi_pge_gas_daily_2020-05-09_oev.xml")).blocks
    (reading,) = block.readings
    assert reading == IntervalReading(
        start=datetime(2020, 5, 9, 7, 0, 1, tzinfo=UTC),
        duration=timedelta(days=1),
        value=0.0,
        cost=None,
        quality=17,
        tou=None,
    )
    assert block.reading_type.power_of_ten_multiplier == -8


def test_green_button_hourly_cost_and_summary() -> None:
    """GBA sample: Wh with p10 0, a cost per reading, ElectricPowerUsageSummary in seconds."""
    document = parse_espi(_read("espi_gba_sample_hourly_9days_usagesummary_cost.xml"))
    first = document.blocks[0].readings[0]
    assert (first.value, first.cost) == (0.273, 0.00819)
    assert first.start == datetime(2014, 1, 1, 5, tzinfo=UTC)
    assert document.blocks[0].reading_type.currency_code == "USD"
    assert len(document.blocks) == 9
    (summary,) = document.feed.usage_summaries
    assert summary.bill_last_period == 22.08
    assert (summary.bill_to_date, summary.cost_additional_last_period) == (0.0, 0.0)
    assert summary.status_time == _utc(1389330000)
    assert summary.quality_of_reading == 14
    assert summary.consumption_last_period is not None
    assert summary.consumption_last_period.value == 199.563
    current = summary.consumption_current_period
    assert current is not None
    assert (current.value, current.time) == (0.0, _utc(1389330000))
    assert summary.usage_point == document.feed.usage_points[0].href
    (local_time,) = document.feed.local_time_parameters
    assert local_time.tz_offset == timedelta(hours=-5)


def test_openespi_qualities_and_costs() -> None:
    """OpenESPI sample: qualities on a few readings only, costs, bill to date."""
    document = parse_espi(_read("espi_gba_openespi_15min_qualities_cost.xml"))
    (block,) = document.blocks
    assert [r.quality for r in block.readings[:3]] == [8, 7, None]
    assert [r.cost for r in block.readings[:3]] == [0.00974, 0.00965, 0.00884]
    assert Counter(r.quality for r in block.readings) == {None: 94, 8: 1, 7: 1}
    (summary,) = document.feed.usage_summaries
    assert (summary.bill_last_period, summary.bill_to_date) == (152.52, 11.49)
    assert summary.cost_additional_last_period == 13.46
    assert summary.billing_period_duration == timedelta(seconds=1119600)


def test_opower_gas_links_usage_point_by_related_link() -> None:
    """Opower: the UsagePoint lives under another path than its MeterReading."""
    document = parse_espi(_read("espi_opower_gas_billing_periods_therm_cost.xml"))
    (block,) = document.blocks
    assert block.usage_point == "/v1/BillingAccount/1234567890/UsagePoint/NET_USAGE"
    assert (
        block.meter_reading == "/v1/User/1234567890/UsagePoint/NET_USAGE/MeterReading/1"
    )
    assert block.reading_type.href == "/v1/ReadingType/0"
    first = block.readings[0]
    assert (first.value, first.cost) == (37.0, 51.0)
    assert first.duration == timedelta(days=35)
    assert first.start < block.start  # the first period starts before the block
    assert sum(r.cost or 0 for r in block.readings) == pytest.approx(7207.11)
    (point,) = document.feed.usage_points
    assert point.service_kind == SERVICE_GAS
    (meter_reading,) = document.feed.meter_readings
    assert meter_reading.usage_point == point.href


def test_authorization_entry_has_no_data() -> None:
    """A lone Atom entry of an unknown resource parses to nothing."""
    document = parse_espi(_read("espi_gba_authorization_entry_anonymized.xml"))
    assert document.blocks == ()
    assert document.feed.usage_points == ()
    assert document.feed.reading_count == 0


@pytest.mark.parametrize(("name", "message"), NOT_FEEDS.items())
def test_documents_that_are_not_feeds(name: str, message: str) -> None:
    """Notifications (one of them not well-formed) and ServiceStatus are refused, briefly."""
    with pytest.raises(ApiResponseError, match=re.escape(message)) as err:
        parse_espi(_read(name))
    assert len(str(err.value)) < 120


# ---- streaming -----------------------------------------------------------------------------------


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [5, 4099, 1 << 20])
@pytest.mark.parametrize("name", FEEDS)
def test_any_chunking_gives_the_same_result(name: str, size: int) -> None:
    """Chunk boundaries anywhere (inside names, numbers, tags) change nothing."""
    data = _read(name)
    assert parse_espi(_chunks(data, size)) == parse_espi(data)


def test_one_byte_chunks() -> None:
    """Even one byte at a time."""
    data = _read("espi_pge_electric_hourly_1day_2019-10-03.xml")
    assert parse_espi(_chunks(data, 1)) == parse_espi(data)


def _entries(data: bytes) -> tuple[bytes, list[bytes], bytes]:
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


def _same(one: EspiDocument, other: EspiDocument) -> None:
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


@pytest.mark.parametrize("name", FEEDS)
def test_entry_order_does_not_matter(name: str) -> None:
    """Reversed feeds: ReadingTypes, MeterReadings and UsagePoints after their blocks."""
    data = _read(name)
    head, entries, tail = _entries(data)
    reversed_feed = head + b"".join(reversed(entries)) + tail
    _same(parse_espi(reversed_feed), parse_espi(data))


def test_held_back_blocks_are_handed_over_when_their_reading_type_arrives() -> None:
    """Blocks before their ReadingType wait (compactly) for it, not for the end of the feed."""
    data = _read("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    head, entries, tail = _entries(data)
    kinds = [re.findall(rb"<ns0:(\w+)", entry)[0].decode() for entry in entries]
    assert kinds == [
        "LocalTimeParameters",
        "ReadingType",
        "UsagePoint",
        "MeterReading",
        "IntervalBlock",
        "ReadingType",
        "MeterReading",
        "IntervalBlock",
        "ProgramIdMappings",
    ]
    # Both ReadingTypes move to the end, after everything else.
    order = [0, 2, 3, 4, 6, 7, 8, 1, 5]
    got: list[IntervalBlock] = []
    parser = EspiParser(got.append)
    parser.feed(head)
    seen = []
    for index in order:
        parser.feed(entries[index])
        seen.append(len(got))
    parser.feed(tail)
    feed = parser.close()
    # Nothing before the first ReadingType; the flow-1 block with it; the flow-19 with the 2nd.
    assert seen == [0, 0, 0, 0, 0, 0, 0, 1, 2]
    assert [block.reading_type.flow_direction for block in got] == [1, 19]
    _same(EspiDocument(feed, tuple(got)), parse_espi(data))


def test_blocks_are_handed_over_while_feeding() -> None:
    """A block reaches the callback as soon as its entry is read, long before close()."""
    data = _read("espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml")
    head, entries, tail = _entries(data)
    got: list[IntervalBlock] = []
    parser = EspiParser(got.append)
    parser.feed(head + b"".join(entries[:5]))
    assert len(got) == 1
    parser.feed(entries[5])
    assert len(got) == 2
    parser.feed(b"".join(entries[6:]) + tail)
    assert parser.close().block_count == 2


def test_several_usage_points_and_service_agreements_in_one_feed() -> None:
    """Electric (two subscriptions, net metering) and gas entries mixed in one shuffled feed."""
    names = [
        "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml",
        "espi_pge_gas_daily_2020-05-09_oev.xml",
        "espi_pge_electric_hourly_1day_2019-10-03.xml",
    ]
    head, _, tail = _entries(_read(names[0]))
    entries = [entry for name in names for entry in _entries(_read(name))[1]]
    mixed = entries[1::2] + entries[::2]  # interleaved: blocks before their resources
    document = parse_espi(head + b"".join(mixed) + tail)
    expected: dict[tuple[str, int | None], Series] = {}
    for name in names:
        expected |= _series(parse_espi(_read(name)).blocks)
    got = _series(document.blocks)
    assert (
        got.keys()
        == expected.keys()
        == {
            ("6774520887", 1),
            ("6774520887", 19),
            ("7170720474", 1),
            ("5391320451", 1),
        }
    )
    for key, want in expected.items():
        assert (got[key].count, got[key].total, got[key].unit) == (
            want.count,
            want.total,
            want.unit,
        )
    points = {point.id: point for point in document.feed.usage_points}
    assert {k: p.service_kind for k, p in points.items()} == {
        "6774520887": SERVICE_ELECTRICITY,
        "7170720474": SERVICE_GAS,
        "5391320451": SERVICE_ELECTRICITY,
    }
    assert {"/Subscription/4267109/", "/Subscription/4095251/"} == {
        re.findall(r"/Subscription/\d+/", p.href)[0] for p in points.values()
    }


# ---- namespaces, junk ----------------------------------------------------------------------------


def test_namespaces_by_uri_not_prefix() -> None:
    """PG&E's prefixes swapped (ESPI as ns1, Atom as ns0): same result."""
    data = _read("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    swapped = data.replace(b"ns0", b"@@").replace(b"ns1", b"ns0").replace(b"@@", b"ns1")
    assert b'xmlns:ns1="http://naesb.org/espi"' in swapped
    assert parse_espi(swapped) == parse_espi(data)


def test_same_prefix_other_namespace_is_ignored() -> None:
    """An element named like an ESPI one but in another namespace is not ESPI."""
    data = _read("espi_pge_electric_hourly_1day_2019-10-03.xml")
    decoy = b'<ns0:value xmlns:ns0="urn:not-espi">999999</ns0:value>'
    doctored = data.replace(b"<ns0:tou>", decoy + b"<ns0:tou>").replace(
        b"<ns0:IntervalReading>", b"<ns0:IntervalReading>" + decoy
    )
    assert doctored.count(b"urn:not-espi") == 48
    assert parse_espi(doctored) == parse_espi(data)


def test_junk_whitespace_and_unknown_elements_are_tolerated() -> None:
    """Comments, PIs, whitespace, unknown ESPI and foreign elements inside and between readings."""
    data = _read("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    junk = (
        b"\n  <!-- a comment --><?pi data?>\n\t"
        b"<ns0:consumptionTier>2</ns0:consumptionTier>"
        b'<x:junk xmlns:x="urn:junk" a="1"><x:start>5</x:start>text</x:junk>\n '
    )
    doctored = (
        data.replace(b"<ns0:IntervalReading>", b"<ns0:IntervalReading>" + junk)
        .replace(b"</ns0:timePeriod>", b"\n</ns0:timePeriod>" + junk)
        .replace(b"</ns0:IntervalReading>", junk + b"</ns0:IntervalReading>\n")
        .replace(b"<ns0:value>", b"<ns0:value>  ")
        .replace(b"</ns1:entry>", b"</ns1:entry>\\n  junk text between entries ")
    )
    assert parse_espi(doctored) == parse_espi(data)


def test_text_between_elements_inside_a_block_is_refused() -> None:
    """Stray text inside a block cannot be told from a number's: an error, never a wrong value."""
    data = _read("espi_pge_electric_hourly_1day_2019-10-03.xml")
    doctored = data.replace(b"<ns0:timePeriod>", b"\\n<ns0:timePeriod>", 1)
    with pytest.raises(ApiResponseError, match="a number is malformed"):
        parse_espi(doctored)


# ---- malformed input -----------------------------------------------------------------------------

_HEAD = (
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
_READING = (
    "<IntervalReading><timePeriod><duration>3600</duration><start>1570086000</start>"
    "</timePeriod><value>2500000</value></IntervalReading>"
)


def _block(readings: str = _READING, *, interval: bool = True, n: int = 1) -> str:
    period = "<interval><duration>86400</duration><start>1570086000</start></interval>"
    return (
        f'<entry><link rel="self" href="/up/1/MeterReading/1/IntervalBlock/{n}"/>'
        f'<content><IntervalBlock xmlns="{ESPI}">{period if interval else ""}'
        f"{readings}</IntervalBlock></content></entry>"
    )


def _mini(*blocks: str, head: str = _HEAD, summary: str = "") -> bytes:
    return (head + "".join(blocks or [_block()]) + summary + "</feed>").encode()


def test_minimal_feed() -> None:
    """The hand-written feed the malformed cases start from is fine."""
    document = parse_espi(_mini())
    (block,) = document.blocks
    assert block.readings[0].value == 2.5  # 2500000 mWh
    assert block.usage_point == "/up/1"


def _bomb() -> bytes:
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY lol0 "lol">{lols}]>'
        f'<feed xmlns="{ATOM}"><title>&lol9;</title></feed>'
    ).encode()


MALFORMED: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "is empty"),
    "whitespace only": (lambda: b"  \n", "not well-formed"),
    "truncated": (lambda: _mini()[:-40], "not well-formed"),
    "mismatched tag": (
        lambda: _mini().replace(b"</value>", b"</valeur>"),
        "mismatched",
    ),
    "junk after the feed": (lambda: _mini() + b"<feed/>", "junk after document"),
    "undefined entity": (
        lambda: _mini().replace(b"2500000", b"&x;"),
        "undefined entity",
    ),
    "billion laughs": (_bomb, "refused a DTD"),
    "external entity": (
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + _mini().replace(b"2500000", b"&xxe;")
        ),
        "refused a DTD",
    ),
    "external DTD": (
        lambda: b'<!DOCTYPE feed SYSTEM "http://example.com/x.dtd">' + _mini(),
        "refused a DTD",
    ),
    "bare DOCTYPE": (lambda: b"<!DOCTYPE feed>" + _mini(), "refused a DTD"),
    "not an Atom document": (lambda: b"<feed/>", "expected an Atom feed"),
    "word for a value": (
        lambda: _mini().replace(b"2500000", b"abc"),
        "number is malformed",
    ),
    "decimal value": (
        lambda: _mini().replace(b"2500000", b"1.5"),
        "number is malformed",
    ),
    "empty start": (
        lambda: _mini().replace(
            b"<start>1570086000</start></timePeriod>", b"<start/></timePeriod>"
        ),
        "number is malformed",
    ),
    "no value": (
        lambda: _mini().replace(b"<value>2500000</value>", b""),
        "lacks its timePeriod or value",
    ),
    "no timePeriod": (
        lambda: _mini(_block("<IntervalReading><value>1</value></IntervalReading>")),
        "lacks its timePeriod or value",
    ),
    "a later reading without start": (
        lambda: _mini(
            _block(
                _READING
                + _READING.replace("<start>1570086000</start>", "").replace(
                    "<duration>3600", "<duration>900"
                )
            )
        ),
        "lacks its timePeriod or value",
    ),
    "zero duration": (
        lambda: _mini().replace(b"<duration>3600", b"<duration>0"),
        "duration is not positive",
    ),
    "start out of range": (
        lambda: _mini().replace(
            b"<start>1570086000</start></timePeriod>",
            b"<start>99999999999999999</start></timePeriod>",
        ),
        "out of range",
    ),
    "block start out of range": (
        lambda: _mini().replace(
            b"<start>1570086000</start></interval>",
            b"<start>-99999999999999999</start></interval>",
        ),
        "out of range",
    ),
    "no interval": (lambda: _mini(_block(interval=False)), "has no interval"),
    "zero block duration": (
        lambda: _mini().replace(b"<duration>86400", b"<duration>0"),
        "duration is not positive",
    ),
    "huge block duration": (
        lambda: _mini().replace(b"<duration>86400", b"<duration>99999999999999999"),
        "duration is out of range",
    ),
    "resource too large": (
        lambda: _mini(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}">{"<note/>" * 10_001}</UsageSummary>'
                "</content></entry>"
            )
        ),
        "too many elements",
    ),
    "resource with too much text": (
        lambda: _mini(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}"><note>{"x" * (1 << 20)}y</note>'
                "</UsageSummary></content></entry>"
            )
        ),
        "too much text",
    ),
    "summary power of ten": (
        lambda: _mini(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}"><overallConsumptionLastPeriod>'
                "<powerOfTenMultiplier>40</powerOfTenMultiplier><value>1</value>"
                "</overallConsumptionLastPeriod></UsageSummary></content></entry>"
            )
        ),
        "powerOfTenMultiplier is out of range",
    ),
    "uom not a number": (
        lambda: _mini().replace(b"<uom>72", b"<uom>Wh"),
        "uom is not an integer",
    ),
    "huge power of ten": (
        lambda: _mini().replace(b">-3<", b">-99<"),
        "powerOfTenMultiplier is out of range",
    ),
    "missing MeterReading": (
        lambda: _mini().replace(
            b"/up/1/MeterReading/1/IntervalBlock/1",
            b"/up/9/MeterReading/9/IntervalBlock/1",
        ),
        "MeterReading or ReadingType is missing",
    ),
    "missing ReadingType": (
        lambda: _mini().replace(
            b'<link rel="related" href="/rt/1"/>', b'<link rel="related" href="/rt/2"/>'
        ),
        "MeterReading or ReadingType is missing",
    ),
    "bad bill": (
        lambda: _mini(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}"><billLastPeriod>12.3</billLastPeriod>'
                "</UsageSummary></content></entry>"
            )
        ),
        "billLastPeriod is not an integer",
    ),
    "time parameters without offset": (
        lambda: _mini(
            summary=(
                f'<entry><link rel="self" href="/ltp/1"/><content>'
                f'<LocalTimeParameters xmlns="{ESPI}"><dstOffset>3600</dstOffset>'
                "</LocalTimeParameters></content></entry>"
            )
        ),
        "without tzOffset",
    ),
}


@pytest.mark.parametrize(("make", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_is_an_api_response_error(
    make: Callable[[], bytes], message: str
) -> None:
    """Every bad document is one short ApiResponseError, whatever the chunking."""
    data = make()
    for chunks in ([data], _chunks(data, 3 if len(data) < 100_000 else 4099)):
        with pytest.raises(ApiResponseError, match=message) as err:
            parse_espi(chunks)
        assert len(str(err.value)) < 120
        assert err.value.__cause__ is None


def test_a_failed_parser_refuses_more_input() -> None:
    """After an error the parser stays failed; after close() it is closed."""
    parser = EspiParser(lambda block: None)
    with pytest.raises(ApiResponseError):
        parser.feed(b"<feed/>")
    with pytest.raises(ApiResponseError, match="already failed"):
        parser.feed(b"x")
    with pytest.raises(ApiResponseError, match="already failed"):
        parser.close()
    parser = EspiParser(lambda block: None)
    parser.feed(_mini())
    parser.close()
    with pytest.raises(ApiResponseError, match="closed"):
        parser.feed(b"")
    with pytest.raises(ApiResponseError, match="closed"):
        parser.close()


def test_callback_errors_propagate_unchanged() -> None:
    """The callback runs outside expat: its own exception comes out as it is."""

    class Stop(Exception):
        pass

    def on_block(block: IntervalBlock) -> None:
        raise Stop

    parser = EspiParser(on_block)
    with pytest.raises(Stop):
        parser.feed(_mini())
    with pytest.raises(ApiResponseError, match="already failed"):
        parser.feed(b"")


# ---- values --------------------------------------------------------------------------------------


def test_units_powers_of_ten_and_optional_fields() -> None:
    """p10 > 0, an unknown uom, negative values, gaps between readings, all optional fields."""
    head = _HEAD.replace("<uom>72</uom>", "<uom>132</uom>").replace(
        "<powerOfTenMultiplier>-3", "<powerOfTenMultiplier>2"
    )
    readings = (
        "<IntervalReading><cost>-250000</cost><ReadingQuality><quality>8</quality>"
        "</ReadingQuality><timePeriod><duration>900</duration><start>1570086000</start>"
        "</timePeriod><value>-7</value><tou>3</tou></IntervalReading>"
        "<IntervalReading><timePeriod><duration>1800</duration><start>1570089600</start>"
        "</timePeriod><value>5</value></IntervalReading>"
    )
    (block,) = parse_espi(_mini(_block(readings), head=head)).blocks
    assert block.unit is None
    assert block.readings == (
        IntervalReading(_utc(1570086000), timedelta(minutes=15), -700.0, -2.5, 8, 3),
        IntervalReading(
            _utc(1570089600), timedelta(minutes=30), 500.0, None, None, None
        ),
    )


def test_parser_readings_are_ordinary_frozen_dataclasses() -> None:
    """The parser builds readings without __init__: they must be the same objects in every way."""
    assert [f.name for f in fields(IntervalReading)] == [
        "start",
        "duration",
        "value",
        "cost",
        "quality",
        "tou",
    ]
    (block,) = parse_espi(_mini()).blocks
    (reading,) = block.readings
    made = IntervalReading(_utc(1570086000), timedelta(hours=1), 2.5, None, None, None)
    assert reading == made
    assert hash(reading) == hash(made)
    assert repr(reading) == repr(made)
    with pytest.raises(FrozenInstanceError):
        reading.value = 2.0  # type: ignore[misc]


def test_links_after_content_and_a_root_entry() -> None:
    """Atom allows links after the content; a document can be a single entry."""
    block = _block().replace(
        '<link rel="self" href="/up/1/MeterReading/1/IntervalBlock/1"/>', ""
    )
    block = block.replace(
        "</content></entry>",
        '</content><link rel="self" href="/up/1/MeterReading/1/IntervalBlock/1"/></entry>',
    )
    assert parse_espi(_mini(block)).blocks == parse_espi(_mini()).blocks
    lone = _block().replace("<entry>", f'<entry xmlns="{ATOM}">', 1).encode()
    with pytest.raises(
        ApiResponseError, match="MeterReading or ReadingType is missing"
    ):
        parse_espi(lone)


def test_several_blocks_in_one_entry() -> None:
    """Some Green Button files put many IntervalBlocks in one entry's content."""
    one = _block()
    two = one.replace(
        "</IntervalBlock>",
        f'</IntervalBlock><IntervalBlock xmlns="{ESPI}">'
        "<interval><duration>86400</duration><start>1570172400</start></interval>"
        + _READING.replace("1570086000", "1570172400")
        + "</IntervalBlock>",
    )
    document = parse_espi(_mini(two))
    assert [b.start for b in document.blocks] == [_utc(1570086000), _utc(1570172400)]


def test_links_are_followed_by_href_not_by_path() -> None:
    """A MeterReading may link blocks that live under an unrelated path (as Opower does)."""
    head = _HEAD.replace(
        '<link rel="related" href="/up/1/MeterReading/1/IntervalBlock"/>',
        '<link rel="related" href="/blocks/42"/>',
    )
    block = _block().replace("/up/1/MeterReading/1/IntervalBlock/1", "/blocks/42")
    (got,) = parse_espi(_mini(block, head=head)).blocks
    assert (got.href, got.meter_reading) == ("/blocks/42", "/up/1/MeterReading/1")
    assert got.readings == parse_espi(_mini()).blocks[0].readings


def test_a_feed_without_usage_points() -> None:
    """Without UsagePoint entries the usage point is the MeterReading's parent href (at close)."""
    head = _HEAD[: _HEAD.index('<entry><link rel="self" href="/up/1"/>')]
    head += _HEAD[
        _HEAD.index('<entry><link rel="self" href="/up/1/MeterReading/1"/>') :
    ]
    summary = (
        f'<entry><link rel="self" href="/up/1/UsageSummary/7"/><content>'
        f'<UsageSummary xmlns="{ESPI}"><billLastPeriod>100</billLastPeriod></UsageSummary>'
        f'</content></entry><entry><content><UsageSummary xmlns="{ESPI}"/></content></entry>'
    )
    got: list[IntervalBlock] = []
    parser = EspiParser(got.append)
    parser.feed(_mini(head=head, summary=summary))
    assert got == []  # the usage point might still come
    feed = parser.close()
    (block,) = got
    assert block.usage_point == "/up/1"
    assert feed.usage_points == ()
    assert [m.usage_point for m in feed.meter_readings] == ["/up/1"]
    assert [(s.usage_point, s.bill_last_period) for s in feed.usage_summaries] == [
        ("/up/1", 0.001),
        (None, None),
    ]


def test_foreign_and_unlinked_content_is_ignored() -> None:
    """Foreign elements in resources, links without href, resources without self link."""
    head = _HEAD.replace(
        "<uom>72</uom>",
        '<uom>72</uom><x:uom xmlns:x="urn:x"><x:deep>1</x:deep></x:uom><x:y xmlns:x="urn:x"/>',
    ).replace(
        '<entry><link rel="self" href="/rt/1"/>',
        '<entry><link rel="self" href="/rt/1"/><link rel="alternate"/>',
    )
    stray = f'<entry><content><ReadingType xmlns="{ESPI}"><uom>169</uom></ReadingType></content></entry>'
    document = parse_espi(_mini(head=head + stray))
    assert document.blocks == parse_espi(_mini()).blocks
    assert [rt.href for rt in document.feed.reading_types] == ["/rt/1"]


def test_empty_block_and_many_distinct_intervals() -> None:
    """A block without readings; thousands of distinct offsets and durations (cache resets)."""
    (empty,) = parse_espi(_mini(_block(""))).blocks
    assert (empty.readings, empty.duration) == ((), timedelta(days=1))
    start, readings = 1570086000, []
    for length in range(1, 5001):
        readings.append(
            f"<IntervalReading><timePeriod><duration>{length}</duration><start>{start}</start>"
            f"</timePeriod><value>{length}</value></IntervalReading>"
        )
        start += length + 1  # never contiguous
    block, after = parse_espi(_mini(_block("".join(readings)), _block(n=2))).blocks
    assert after.readings == parse_espi(_mini()).blocks[0].readings
    assert len(block.readings) == 5000
    assert [int(r.duration.total_seconds()) for r in block.readings] == list(
        range(1, 5001)
    )
    assert block.readings[-1].start == _utc(start - 5001)
    assert sum(r.value for r in block.readings) == pytest.approx(
        5000 * 5001 / 2 / 10**6
    )


def test_held_back_numbers_beyond_64_bits() -> None:
    """A held-back block whose numbers do not fit in int64 is kept as it is."""
    huge = _block(_READING.replace("2500000", str(1 << 70)))
    root = f'<feed xmlns="{ATOM}">'
    data = (_HEAD.replace(root, root + huge) + "</feed>").encode()  # block first
    (block,) = parse_espi(data).blocks
    assert block.readings[0].value == (1 << 70) / 10**6


def test_cut_only_at_a_whole_path_segment() -> None:
    """`…/IntervalBlocks/1` is not under `…/IntervalBlock`."""
    from custom_components.openpower.api.pge.espi import _cut  # noqa: PLC0415

    assert (
        _cut("/a/MeterReading/1/IntervalBlock/9", "/IntervalBlock")
        == "/a/MeterReading/1"
    )
    assert (
        _cut("/a/MeterReading/1/IntervalBlock", "/IntervalBlock") == "/a/MeterReading/1"
    )
    assert _cut("/a/MeterReading/1/IntervalBlocks/9", "/IntervalBlock") is None
    assert _cut("/IntervalBlock/9", "/IntervalBlock") is None
    assert _cut(None, "/IntervalBlock") is None
