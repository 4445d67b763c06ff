"""How the parser links resources: by href, in any entry order, late ones held in columns."""

import re

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    SERVICE_ELECTRICITY,
    SERVICE_GAS,
    EspiDocument,
    EspiParser,
    IntervalBlock,
    parse_espi,
)
from custom_components.openpower.api.pge.espi.links import cut

from .espi_samples import (
    ATOM,
    ESPI,
    FEEDS,
    HEAD,
    READING,
    Series,
    assert_same,
    block_entry,
    mini_feed,
    read_fixture,
    series_of,
    split_entries,
)


@pytest.mark.parametrize("name", FEEDS)
def test_entry_order_does_not_matter(name: str) -> None:
    """Reversed feeds: ReadingTypes, MeterReadings and UsagePoints after their blocks."""
    data = read_fixture(name)
    head, entries, tail = split_entries(data)
    reversed_feed = head + b"".join(reversed(entries)) + tail
    assert_same(parse_espi(reversed_feed), parse_espi(data))


def test_held_back_blocks_are_handed_over_when_their_reading_type_arrives() -> None:
    """Blocks before their ReadingType wait (compactly) for it, not for the end of the feed."""
    data = read_fixture("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    head, entries, tail = split_entries(data)
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
    assert_same(EspiDocument(feed, tuple(got)), parse_espi(data))


def test_held_back_numbers_beyond_64_bits() -> None:
    """A held-back block whose numbers do not fit in int64 is kept as it is."""
    huge = block_entry(READING.replace("2500000", str(1 << 70)))
    root = f'<feed xmlns="{ATOM}">'
    data = (HEAD.replace(root, root + huge) + "</feed>").encode()  # block first
    (block,) = parse_espi(data).blocks
    assert block.readings[0].value == (1 << 70) / 10**6


def test_several_usage_points_and_service_agreements_in_one_feed() -> None:
    """Electric (two subscriptions, net metering) and gas entries mixed in one shuffled feed."""
    names = [
        "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml",
        "espi_pge_gas_daily_2020-05-09_oev.xml",
        "espi_pge_electric_hourly_1day_2019-10-03.xml",
    ]
    head, _, tail = split_entries(read_fixture(names[0]))
    entries = [
        entry for name in names for entry in split_entries(read_fixture(name))[1]
    ]
    mixed = entries[1::2] + entries[::2]  # interleaved: blocks before their resources
    document = parse_espi(head + b"".join(mixed) + tail)
    expected: dict[tuple[str, int | None], Series] = {}
    for name in names:
        expected |= series_of(parse_espi(read_fixture(name)).blocks)
    got = series_of(document.blocks)
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


def test_links_after_content_and_a_root_entry() -> None:
    """Atom allows links after the content; a document can be a single entry."""
    block = block_entry().replace(
        '<link rel="self" href="/up/1/MeterReading/1/IntervalBlock/1"/>', ""
    )
    block = block.replace(
        "</content></entry>",
        '</content><link rel="self" href="/up/1/MeterReading/1/IntervalBlock/1"/></entry>',
    )
    assert parse_espi(mini_feed(block)).blocks == parse_espi(mini_feed()).blocks
    lone = block_entry().replace("<entry>", f'<entry xmlns="{ATOM}">', 1).encode()
    with pytest.raises(
        ApiResponseError, match="MeterReading or ReadingType is missing"
    ):
        parse_espi(lone)


def test_links_are_followed_by_href_not_by_path() -> None:
    """A MeterReading may link blocks that live under an unrelated path (as Opower does)."""
    head = HEAD.replace(
        '<link rel="related" href="/up/1/MeterReading/1/IntervalBlock"/>',
        '<link rel="related" href="/blocks/42"/>',
    )
    block = block_entry().replace("/up/1/MeterReading/1/IntervalBlock/1", "/blocks/42")
    (got,) = parse_espi(mini_feed(block, head=head)).blocks
    assert (got.href, got.meter_reading) == ("/blocks/42", "/up/1/MeterReading/1")
    assert got.readings == parse_espi(mini_feed()).blocks[0].readings


def test_a_feed_without_usage_points() -> None:
    """Without UsagePoint entries the usage point is the MeterReading's parent href (at close)."""
    head = HEAD[: HEAD.index('<entry><link rel="self" href="/up/1"/>')]
    head += HEAD[HEAD.index('<entry><link rel="self" href="/up/1/MeterReading/1"/>') :]
    summary = (
        f'<entry><link rel="self" href="/up/1/UsageSummary/7"/><content>'
        f'<UsageSummary xmlns="{ESPI}"><billLastPeriod>100</billLastPeriod></UsageSummary>'
        f'</content></entry><entry><content><UsageSummary xmlns="{ESPI}"/></content></entry>'
    )
    got: list[IntervalBlock] = []
    parser = EspiParser(got.append)
    parser.feed(mini_feed(head=head, summary=summary))
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
    head = HEAD.replace(
        "<uom>72</uom>",
        '<uom>72</uom><x:uom xmlns:x="urn:x"><x:deep>1</x:deep></x:uom><x:y xmlns:x="urn:x"/>',
    ).replace(
        '<entry><link rel="self" href="/rt/1"/>',
        '<entry><link rel="self" href="/rt/1"/><link rel="alternate"/>',
    )
    stray = f'<entry><content><ReadingType xmlns="{ESPI}"><uom>169</uom></ReadingType></content></entry>'
    document = parse_espi(mini_feed(head=head + stray))
    assert document.blocks == parse_espi(mini_feed()).blocks
    assert [rt.href for rt in document.feed.reading_types] == ["/rt/1"]


def test_cut_only_at_a_whole_path_segment() -> None:
    """`…/IntervalBlocks/1` is not under `…/IntervalBlock`."""
    assert (
        cut("/a/MeterReading/1/IntervalBlock/9", "/IntervalBlock")
        == "/a/MeterReading/1"
    )
    assert (
        cut("/a/MeterReading/1/IntervalBlock", "/IntervalBlock") == "/a/MeterReading/1"
    )
    assert cut("/a/MeterReading/1/IntervalBlocks/9", "/IntervalBlock") is None
    assert cut("/IntervalBlock/9", "/IntervalBlock") is None
    assert cut(None, "/IntervalBlock") is None
