"""The streaming ESPI parser on every PG&E fixture (shared/fixtures/pge, copied here).

Expected figures come from outside the parser: the oracle of `espi_samples.full_tree`, and numbers
read from the files by hand.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
import re

from defusedxml import ElementTree as SafeTree
import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    FLOW_DELIVERED,
    FLOW_RECEIVED,
    SERVICE_ELECTRICITY,
    SERVICE_GAS,
    IntervalBlock,
    IntervalReading,
    LocalTimeParameters,
    UsagePoint,
    parse_espi,
)

from .espi_samples import (
    ESPI,
    FEEDS,
    FIXTURES,
    NOT_FEEDS,
    full_tree,
    read_fixture,
    series_of,
    split_entries,
    utc,
)

READING_TYPES = "espi_pge_readingtype_feed_all_supported_2015_verdigris.xml"
RESOURCE = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource"


def test_every_fixture_is_covered() -> None:
    """Each file of the fixture folder is exercised by one of the tables below."""
    on_disk = {path.name for path in FIXTURES.glob("*.xml")}
    assert on_disk == set(FEEDS) | set(NOT_FEEDS) | {
        # Authorizations: tests/api/pge/test_authorization.py
        "espi_gba_authorization_entry_anonymized.xml",
        "espi_gba_authorization_feed_multiple_anonymized_2025.xml",
        "espi_pge_authorization_entry_2015_verdigris.xml",
        # ApplicationInformation: tests/api/pge/test_application.py
        "espi_pge_applicationinformation_entry_2015_verdigris.xml",
        # Not in FEEDS: its 48 entries share 3 self links, so their order matters (below).
        READING_TYPES,
    }


@pytest.mark.parametrize("name", FEEDS)
def test_totals_match_a_full_tree(name: str) -> None:
    """Per usage point and direction: counts, totals, costs, first/last start, qualities, TOU."""
    data = read_fixture(name)
    expected = full_tree(data)
    document = parse_espi(data)
    got = series_of(document.blocks)
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
    # 2 blocks a direction: 19663000 + 26250000 mWh delivered, 2186000 + 2930000 mWh received.
    "espi_pge_qa_batch_subscription_usagepoint_sync_2021_nem_usagesummary_scwadd_trimmed.xml": {
        ("4038320268", 1): (48, "kWh", 45.913, 1618815600, 1618984800),
        ("4038320268", 19): (48, "kWh", 5.116, 1618815600, 1618984800),
    },
    "espi_pge_usagesummary_feed_cost_lineitems_2015-2018_verdigris.xml": {},
    "espi_pge_localtimeparameters_entry_2015_verdigris.xml": {},
    "espi_pge_usagepoint_feed_2015_verdigris.xml": {},
}


@pytest.mark.parametrize("name", FEEDS)
def test_totals_read_from_the_files(name: str) -> None:
    """The same, against figures written down from the files."""
    got = series_of(parse_espi(read_fixture(name)).blocks)
    assert set(got) == set(TOTALS[name])
    for key, (count, unit, total, first, last) in TOTALS[name].items():
        one = got[key]
        assert (one.count, one.unit) == (count, unit)
        assert float(one.total) == pytest.approx(total, abs=1e-9)
        assert (min(one.starts), max(one.starts)) == (first, last)


def test_hourly_day_reading_and_resources() -> None:
    """The STYLE.md example: 1067300 mWh at 2019-10-03 07:00Z is 1.0673 kWh over an hour."""
    document = parse_espi(read_fixture("espi_pge_electric_hourly_1day_2019-10-03.xml"))
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
    assert (block.start, block.duration) == (utc(1570086000), timedelta(days=1))
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
        read_fixture("espi_pge_electric_hourly_1day_programidmappings_2019-10-17.xml")
    ).blocks
    assert {reading.quality for reading in block.readings} == {19}
    assert block.reading_type.default_quality == 17


def test_dst_fall_back_as_one_25_hour_block() -> None:
    """2019-11-03: one block of 90000 s with 25 contiguous hourly readings."""
    document = parse_espi(
        read_fixture("espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml")
    )
    normal, fall_back = document.blocks
    assert (normal.start, normal.duration, len(normal.readings)) == (
        utc(1572678000),
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
        if utc(first) <= reading.start < utc(last)
    )


def test_dst_days_as_two_blocks() -> None:
    """2015/2016: DST days come as 2 + 23 and 2 + 21 readings; together they are the day."""
    document = parse_espi(
        read_fixture(
            "espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml"
        )
    )
    delivered = [b for b in document.blocks if not b.received]
    by_start = {int(block.start.timestamp()): block for block in delivered}
    # 2015-11-01 (fall back), local midnight = 07:00Z: 2 h then 23 h.
    first, rest = by_start[1446361200], by_start[1446368400]
    assert (first.duration, len(first.readings)) == (timedelta(hours=2), 2)
    assert (rest.duration, len(rest.readings)) == (timedelta(hours=23), 23)
    assert first.start + first.duration == rest.start
    hours = _day(delivered, 1446361200, 1446361200 + 25 * 3600)
    assert hours == [utc(1446361200 + h * 3600) for h in range(25)]
    # 2016-03-13 (spring forward), local midnight = 08:00Z: 2 h then 21 h.
    first, rest = by_start[1457856000], by_start[1457863200]
    assert (first.duration, len(first.readings)) == (timedelta(hours=2), 2)
    assert (rest.duration, len(rest.readings)) == (timedelta(hours=21), 21)
    hours = _day(delivered, 1457856000, 1457856000 + 23 * 3600)
    assert hours == [utc(1457856000 + h * 3600) for h in range(23)]
    # The export series holds only one half of each DST day (in the file, not our doing).
    received = [b for b in document.blocks if b.received]
    assert len(_day(received, 1457856000, 1457856000 + 23 * 3600)) == 2
    assert len(_day(received, 1446361200, 1446361200 + 25 * 3600)) == 23


def test_net_metering_two_meter_readings() -> None:
    """15-min net metering: flow 1 and flow 19, each with its own ReadingType."""
    document = parse_espi(
        read_fixture("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
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
        read_fixture(
            "espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml"
        )
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
    document = parse_espi(
        read_fixture("espi_pge_gas_daily_usagesummary_2016_eemeter.xml")
    )
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
    assert summary.billing_period_start == utc(1346396400)
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
    (block,) = parse_espi(read_fixture("espi_pge_gas_daily_2020-05-09_oev.xml")).blocks
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
    document = parse_espi(
        read_fixture("espi_gba_sample_hourly_9days_usagesummary_cost.xml")
    )
    first = document.blocks[0].readings[0]
    assert (first.value, first.cost) == (0.273, 0.00819)
    assert first.start == datetime(2014, 1, 1, 5, tzinfo=UTC)
    assert document.blocks[0].reading_type.currency_code == "USD"
    assert len(document.blocks) == 9
    (summary,) = document.feed.usage_summaries
    assert summary.bill_last_period == 22.08
    assert (summary.bill_to_date, summary.cost_additional_last_period) == (0.0, 0.0)
    assert summary.status_time == utc(1389330000)
    assert summary.quality_of_reading == 14
    assert summary.consumption_last_period is not None
    assert summary.consumption_last_period.value == 199.563
    current = summary.consumption_current_period
    assert current is not None
    assert (current.value, current.time) == (0.0, utc(1389330000))
    assert summary.usage_point == document.feed.usage_points[0].href
    (local_time,) = document.feed.local_time_parameters
    assert local_time.tz_offset == timedelta(hours=-5)


def test_openespi_qualities_and_costs() -> None:
    """OpenESPI sample: qualities on a few readings only, costs, bill to date."""
    document = parse_espi(read_fixture("espi_gba_openespi_15min_qualities_cost.xml"))
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
    document = parse_espi(
        read_fixture("espi_opower_gas_billing_periods_therm_cost.xml")
    )
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
    document = parse_espi(read_fixture("espi_gba_authorization_entry_anonymized.xml"))
    assert document.blocks == ()
    assert document.feed.usage_points == ()
    assert document.feed.reading_count == 0


@pytest.mark.parametrize(("name", "message"), NOT_FEEDS.items())
def test_documents_that_are_not_feeds(name: str, message: str) -> None:
    """Notifications (one of them not well-formed) and ServiceStatus are refused, briefly."""
    with pytest.raises(ApiResponseError, match=re.escape(message)) as err:
        parse_espi(read_fixture(name))
    assert len(str(err.value)) < 120


def test_local_time_parameters_entry() -> None:
    """`GET …/LocalTimeParameters/1`: one Atom entry, PG&E's Pacific rules (as in Bulk feeds)."""
    document = parse_espi(
        read_fixture("espi_pge_localtimeparameters_entry_2015_verdigris.xml")
    )
    assert document.blocks == ()
    assert document.feed.local_time_parameters == (
        LocalTimeParameters(
            href=f"{RESOURCE}/LocalTimeParameters/1",
            tz_offset=timedelta(seconds=-28800),
            dst_offset=timedelta(seconds=3600),
            dst_start_rule="360E2000",
            dst_end_rule="B40E2000",
        ),
    )
    assert document.feed.usage_points == document.feed.reading_types == ()


def test_usage_point_feed() -> None:
    """`GET …/Subscription/0/UsagePoint`: one electric UsagePoint, no data."""
    document = parse_espi(read_fixture("espi_pge_usagepoint_feed_2015_verdigris.xml"))
    point = f"{RESOURCE}/Subscription/0/UsagePoint/1"
    assert document.feed.usage_points == (
        UsagePoint(
            href=point,
            service_kind=SERVICE_ELECTRICITY,
            local_time_parameters=f"{RESOURCE}/LocalTimeParameters/1",
        ),
    )
    assert document.feed.usage_points[0].id == "1"
    assert document.blocks == ()
    assert document.feed.meter_readings == document.feed.usage_summaries == ()
    assert document.feed.reading_count == 0


def test_reading_type_feed_file() -> None:
    """The file itself (read whole, not parsed): 48 ReadingTypes, powerOfTenMultiplier +3.

    Each uom 72/73 × 300/900/3600 s × flow 1/19 × phase 224/769 comes twice.
    """
    root = SafeTree.fromstring(read_fixture(READING_TYPES))
    e = "{" + ESPI + "}"
    types = list(root.iter(e + "ReadingType"))
    assert len(types) == 48

    def numbers(*names: str) -> Counter[tuple[int, ...]]:
        return Counter(
            tuple(int(t.findtext(e + name) or "") for name in names) for t in types
        )

    assert numbers("uom", "intervalLength", "flowDirection", "phase") == {
        (uom, interval, flow, phase): 2
        for uom in (72, 73)
        for interval in (300, 900, 3600)
        for flow in (1, 19)
        for phase in (224, 769)
    }
    assert numbers("powerOfTenMultiplier", "commodity", "kind") == {(3, 1, 12): 48}
    assert numbers("intervalLength", "measuringPeriod") == {
        (300, 6): 16,
        (900, 2): 16,
        (3600, 7): 16,
    }


def test_reading_type_feed_parsed() -> None:
    """Parsed: one ReadingType per self link, the last entry of each (upstream IDs collide)."""
    document = parse_espi(read_fixture(READING_TYPES))
    assert document.blocks == ()
    base = f"{RESOURCE}/ReadingType/pDwBygAR3L8fGZCq"
    got = [
        (
            t.href,
            t.uom,
            t.interval_length,
            t.flow_direction,
            t.power_of_ten_multiplier,
            t.measuring_period,
            t.unit,
        )
        for t in document.feed.reading_types
    ]
    hour, five = timedelta(hours=1), timedelta(minutes=5)
    assert got == [
        (base, 72, five, FLOW_DELIVERED, 3, 6, "kWh"),  # entry …002e, the 45th
        (f"{base}==", 72, hour, FLOW_DELIVERED, 3, 7, "kWh"),  # …0030, 47th
        (f"{base}=", 72, hour, FLOW_RECEIVED, 3, 7, "kWh"),  # …0031, 48th
    ]
    for t in document.feed.reading_types:
        assert (t.commodity, t.kind, t.accumulation_behaviour) == (1, 12, 4)
        assert (t.data_qualifier, t.default_quality, t.time_attribute) == (12, 17, 0)
        assert t.currency is None


def test_reading_type_in_varh_has_no_unit() -> None:
    """The 2nd entry alone (uom 73, VArh, 5 min, phase 224): read, but no unit of ours."""
    head, entries, tail = split_entries(read_fixture(READING_TYPES))
    (reading_type,) = parse_espi(head + entries[1] + tail).feed.reading_types
    assert (reading_type.uom, reading_type.unit) == (73, None)
    assert reading_type.interval_length == timedelta(minutes=5)
    assert (reading_type.power_of_ten_multiplier, reading_type.measuring_period) == (
        3,
        6,
    )
    assert reading_type.flow_direction == FLOW_DELIVERED
