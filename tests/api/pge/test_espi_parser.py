"""The ESPI parser's input: any chunking, namespaces and junk, and every malformed document."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import EspiParser, IntervalBlock, parse_espi

from .espi_samples import (
    ATOM,
    ESPI,
    FEEDS,
    READING,
    block_entry,
    chunked,
    mini_feed,
    read_fixture,
    split_entries,
    utc,
)


@pytest.mark.parametrize("size", [5, 4099, 1 << 20])
@pytest.mark.parametrize("name", FEEDS)
def test_any_chunking_gives_the_same_result(name: str, size: int) -> None:
    """Chunk boundaries anywhere (inside names, numbers, tags) change nothing."""
    data = read_fixture(name)
    assert parse_espi(chunked(data, size)) == parse_espi(data)


def test_one_byte_chunks() -> None:
    """Even one byte at a time."""
    data = read_fixture("espi_pge_electric_hourly_1day_2019-10-03.xml")
    assert parse_espi(chunked(data, 1)) == parse_espi(data)


def test_blocks_are_handed_over_while_feeding() -> None:
    """A block reaches the callback as soon as its entry is read, long before close()."""
    data = read_fixture("espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml")
    head, entries, tail = split_entries(data)
    got: list[IntervalBlock] = []
    parser = EspiParser(got.append)
    parser.feed(head + b"".join(entries[:5]))
    assert len(got) == 1
    parser.feed(entries[5])
    assert len(got) == 2
    parser.feed(b"".join(entries[6:]) + tail)
    assert parser.close().block_count == 2


def test_several_blocks_in_one_entry() -> None:
    """Some Green Button files put many IntervalBlocks in one entry's content."""
    one = block_entry()
    two = one.replace(
        "</IntervalBlock>",
        f'</IntervalBlock><IntervalBlock xmlns="{ESPI}">'
        "<interval><duration>86400</duration><start>1570172400</start></interval>"
        + READING.replace("1570086000", "1570172400")
        + "</IntervalBlock>",
    )
    document = parse_espi(mini_feed(two))
    assert [b.start for b in document.blocks] == [utc(1570086000), utc(1570172400)]


def test_empty_block_and_many_distinct_intervals() -> None:
    """A block without readings; thousands of distinct offsets and durations (cache resets)."""
    (empty,) = parse_espi(mini_feed(block_entry(""))).blocks
    assert (empty.readings, empty.duration) == ((), timedelta(days=1))
    start, readings = 1570086000, []
    for length in range(1, 5001):
        readings.append(
            f"<IntervalReading><timePeriod><duration>{length}</duration><start>{start}</start>"
            f"</timePeriod><value>{length}</value></IntervalReading>"
        )
        start += length + 1  # never contiguous
    block, after = parse_espi(
        mini_feed(block_entry("".join(readings)), block_entry(n=2))
    ).blocks
    assert after.readings == parse_espi(mini_feed()).blocks[0].readings
    assert len(block.readings) == 5000
    assert [int(r.duration.total_seconds()) for r in block.readings] == list(
        range(1, 5001)
    )
    assert block.readings[-1].start == utc(start - 5001)
    assert sum(r.value for r in block.readings) == pytest.approx(
        5000 * 5001 / 2 / 10**6
    )


def test_namespaces_by_uri_not_prefix() -> None:
    """PG&E's prefixes swapped (ESPI as ns1, Atom as ns0): same result."""
    data = read_fixture("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
    swapped = data.replace(b"ns0", b"@@").replace(b"ns1", b"ns0").replace(b"@@", b"ns1")
    assert b'xmlns:ns1="http://naesb.org/espi"' in swapped
    assert parse_espi(swapped) == parse_espi(data)


def test_same_prefix_other_namespace_is_ignored() -> None:
    """An element named like an ESPI one but in another namespace is not ESPI."""
    data = read_fixture("espi_pge_electric_hourly_1day_2019-10-03.xml")
    decoy = b'<ns0:value xmlns:ns0="urn:not-espi">999999</ns0:value>'
    doctored = data.replace(b"<ns0:tou>", decoy + b"<ns0:tou>").replace(
        b"<ns0:IntervalReading>", b"<ns0:IntervalReading>" + decoy
    )
    assert doctored.count(b"urn:not-espi") == 48
    assert parse_espi(doctored) == parse_espi(data)


def test_junk_whitespace_and_unknown_elements_are_tolerated() -> None:
    """Comments, PIs, whitespace, unknown ESPI and foreign elements inside and between readings."""
    data = read_fixture("espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml")
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
    data = read_fixture("espi_pge_electric_hourly_1day_2019-10-03.xml")
    doctored = data.replace(b"<ns0:timePeriod>", b"\\n<ns0:timePeriod>", 1)
    with pytest.raises(ApiResponseError, match="a number is malformed"):
        parse_espi(doctored)


def test_minimal_feed() -> None:
    """The hand-written feed the malformed cases start from is fine."""
    document = parse_espi(mini_feed())
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
    "truncated": (lambda: mini_feed()[:-40], "not well-formed"),
    "mismatched tag": (
        lambda: mini_feed().replace(b"</value>", b"</valeur>"),
        "mismatched",
    ),
    "junk after the feed": (lambda: mini_feed() + b"<feed/>", "junk after document"),
    "undefined entity": (
        lambda: mini_feed().replace(b"2500000", b"&x;"),
        "undefined entity",
    ),
    "billion laughs": (_bomb, "refused a DTD"),
    "external entity": (
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + mini_feed().replace(b"2500000", b"&xxe;")
        ),
        "refused a DTD",
    ),
    "external DTD": (
        lambda: b'<!DOCTYPE feed SYSTEM "http://example.com/x.dtd">' + mini_feed(),
        "refused a DTD",
    ),
    "bare DOCTYPE": (lambda: b"<!DOCTYPE feed>" + mini_feed(), "refused a DTD"),
    "not an Atom document": (lambda: b"<feed/>", "expected an Atom feed"),
    "word for a value": (
        lambda: mini_feed().replace(b"2500000", b"abc"),
        "number is malformed",
    ),
    "decimal value": (
        lambda: mini_feed().replace(b"2500000", b"1.5"),
        "number is malformed",
    ),
    "empty start": (
        lambda: mini_feed().replace(
            b"<start>1570086000</start></timePeriod>", b"<start/></timePeriod>"
        ),
        "number is malformed",
    ),
    "no value": (
        lambda: mini_feed().replace(b"<value>2500000</value>", b""),
        "lacks its timePeriod or value",
    ),
    "no timePeriod": (
        lambda: mini_feed(
            block_entry("<IntervalReading><value>1</value></IntervalReading>")
        ),
        "lacks its timePeriod or value",
    ),
    "a later reading without start": (
        lambda: mini_feed(
            block_entry(
                READING
                + READING.replace("<start>1570086000</start>", "").replace(
                    "<duration>3600", "<duration>900"
                )
            )
        ),
        "lacks its timePeriod or value",
    ),
    "zero duration": (
        lambda: mini_feed().replace(b"<duration>3600", b"<duration>0"),
        "duration is not positive",
    ),
    "start out of range": (
        lambda: mini_feed().replace(
            b"<start>1570086000</start></timePeriod>",
            b"<start>99999999999999999</start></timePeriod>",
        ),
        "out of range",
    ),
    "block start out of range": (
        lambda: mini_feed().replace(
            b"<start>1570086000</start></interval>",
            b"<start>-99999999999999999</start></interval>",
        ),
        "out of range",
    ),
    "no interval": (lambda: mini_feed(block_entry(interval=False)), "has no interval"),
    "zero block duration": (
        lambda: mini_feed().replace(b"<duration>86400", b"<duration>0"),
        "duration is not positive",
    ),
    "huge block duration": (
        lambda: mini_feed().replace(b"<duration>86400", b"<duration>99999999999999999"),
        "duration is out of range",
    ),
    "resource too large": (
        lambda: mini_feed(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}">{"<note/>" * 10_001}</UsageSummary>'
                "</content></entry>"
            )
        ),
        "too many elements",
    ),
    "resource with too much text": (
        lambda: mini_feed(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}"><note>{"x" * (1 << 20)}y</note>'
                "</UsageSummary></content></entry>"
            )
        ),
        "too much text",
    ),
    "summary power of ten": (
        lambda: mini_feed(
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
        lambda: mini_feed().replace(b"<uom>72", b"<uom>Wh"),
        "uom is not an integer",
    ),
    "huge power of ten": (
        lambda: mini_feed().replace(b">-3<", b">-99<"),
        "powerOfTenMultiplier is out of range",
    ),
    "missing MeterReading": (
        lambda: mini_feed().replace(
            b"/up/1/MeterReading/1/IntervalBlock/1",
            b"/up/9/MeterReading/9/IntervalBlock/1",
        ),
        "MeterReading or ReadingType is missing",
    ),
    "missing ReadingType": (
        lambda: mini_feed().replace(
            b'<link rel="related" href="/rt/1"/>', b'<link rel="related" href="/rt/2"/>'
        ),
        "MeterReading or ReadingType is missing",
    ),
    "bad bill": (
        lambda: mini_feed(
            summary=(
                f'<entry><link rel="self" href="/up/1/UsageSummary/1"/><content>'
                f'<UsageSummary xmlns="{ESPI}"><billLastPeriod>12.3</billLastPeriod>'
                "</UsageSummary></content></entry>"
            )
        ),
        "billLastPeriod is not an integer",
    ),
    "time parameters without offset": (
        lambda: mini_feed(
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
    for chunks in ([data], chunked(data, 3 if len(data) < 100_000 else 4099)):
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
    parser.feed(mini_feed())
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
        parser.feed(mini_feed())
    with pytest.raises(ApiResponseError, match="already failed"):
        parser.feed(b"")
