"""PG&E's BatchList notification: the captured bodies, junk around them, and hostile bodies."""

from pathlib import Path
import re

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    MAX_NOTIFICATION_BYTES,
    correlation_id,
    parse_batch_list,
)
from tests.simulator import batch_list

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
BASE = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
ONE = f"{BASE}/50916?correlationID=0b2479f3-eec7-4a15-b46b-8f90c647e21e"
BODY = (
    DECLARATION
    + b'\n<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>'
    + ONE.encode()
    + b"</ns0:resources></ns0:BatchList>"
)


@pytest.mark.parametrize(
    ("fixture", "bulk_id", "ids"),
    [
        (
            "notification_batchlist_mcolyer.xml",
            "50952",
            [
                "e043071d-d93d-4876-8907-c501e622a825",
                "170c96ec-33b9-4cc1-9f6d-35f90472770d",
            ],
        ),
        (
            "notification_batchlist_example_pge_post_oev.xml",
            "50916",
            [
                "fffa5bc1-81f7-4239-b244-b462762f7724",
                "eea0dbcb-98eb-43c9-ba4e-9eeccc40c967",
            ],
        ),
        (  # a literal backslash-n between the declaration and the root
            "notification_batchlist_2020-05-10_oev.xml",
            "50916",
            [
                "0b2479f3-eec7-4a15-b46b-8f90c647e21e",
                "20e3358c-457c-4cb3-ba99-57819d2145af",
            ],
        ),
    ],
)
def test_captured_bodies(fixture: str, bulk_id: str, ids: list[str]) -> None:
    """Every captured BatchList gives its two URLs, in order, stripped."""
    body = (FIXTURES / fixture).read_bytes()
    urls = parse_batch_list(body)
    assert urls == [f"{BASE}/{bulk_id}?correlationID={value}" for value in ids]
    assert [correlation_id(url) for url in urls] == ids


def test_the_2020_capture_really_has_the_junk() -> None:
    """The fixture this module tolerates is what the test above feeds it."""
    body = (FIXTURES / "notification_batchlist_2020-05-10_oev.xml").read_bytes()
    assert body.startswith(DECLARATION + b"\\n<ns0:BatchList")


def test_simulator_body() -> None:
    """The simulator's form (no trailing newline) parses the same way."""
    urls = [ONE, ONE.replace("0b2479f3", "11111111")]
    assert parse_batch_list(batch_list(urls)) == urls


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + BODY,
        b" \r\n\t" + BODY,
        b"\xef\xbb\xbf\n  " + BODY,
        BODY.replace(b"?>\n", b"?>garbage \\r\\n text"),
        BODY.replace(b"?>\n", b"?>"),
        BODY.replace(DECLARATION + b"\n", b""),
        BODY.replace(b"<ns0:resources>", b"<ns0:resources>\n   ").replace(
            b"</ns0:resources>", b"  \n</ns0:resources>"
        ),
        BODY.replace(b"ns0:", b"espi:").replace(b"xmlns:ns0", b"xmlns:espi"),
        BODY.replace(b"ns0:", b"").replace(b"xmlns:ns0", b"xmlns"),
        BODY.replace(b"</ns0:BatchList>", b"<!-- end --></ns0:BatchList>\n"),
    ],
    ids=[
        "bom",
        "whitespace",
        "bom-whitespace",
        "junk",
        "no-newline",
        "no-declaration",
        "spaces",
        "prefix",
        "default-ns",
        "comment",
    ],
)
def test_tolerated_variations(body: bytes) -> None:
    """BOM, whitespace, junk after the declaration, any prefix: the same one URL."""
    assert parse_batch_list(body) == [ONE]


def test_blank_resources_are_dropped() -> None:
    """An empty `resources` next to a real one is ignored; unknown children too."""
    body = BODY.replace(
        b"</ns0:BatchList>",
        b"<ns0:resources>  </ns0:resources><ns0:other>x</ns0:other></ns0:BatchList>",
    )
    assert parse_batch_list(body) == [ONE]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>&lol4;</ns0:resources></ns0:BatchList>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE b [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>&xxe;</ns0:resources></ns0:BatchList>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE BatchList SYSTEM "http://evil.example/batch.dtd">
<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>x</ns0:resources></ns0:BatchList>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BILLION_LAUGHS, "DTDs and entities are refused"),
        (EXTERNAL_ENTITY, "DTDs and entities are refused"),
        (EXTERNAL_DTD, "DTDs and entities are refused"),
        (
            BODY.replace(b"?>\n", b"?>\n<!DOCTYPE x>"),
            "DTDs and entities are refused",
        ),
        (b"", "not well-formed"),
        (b"   \n", "not well-formed"),
        (DECLARATION, "not well-formed"),
        (BODY[:-10], "not well-formed"),
        (b"not xml at all", "not well-formed"),
        (b'{"resources": []}', "not well-formed"),
        (BODY.replace(b"</ns0:resources>", b""), "not well-formed"),
        (b"\xff\xfe" + BODY, "not well-formed"),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>',
            "not an ESPI BatchList",
        ),
        (BODY.replace(b"http://naesb.org/espi", b"http://evil.example/espi"), "not an"),
        (
            BODY.replace(b"ns0:", b"").replace(
                b' xmlns:ns0="http://naesb.org/espi"', b""
            ),
            "not an",
        ),
        (BODY.replace(b"BatchList", b"BatchLists"), "not an ESPI BatchList"),
        (
            DECLARATION + b'<ns0:BatchList xmlns:ns0="http://naesb.org/espi"/>',
            "lists no resource",
        ),
        (
            DECLARATION
            + b'<ns0:BatchList xmlns:ns0="http://naesb.org/espi">'
            + b"<ns0:resources> </ns0:resources></ns0:BatchList>",
            "lists no resource",
        ),
        (  # resources must be direct children of the root
            DECLARATION
            + b'<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:x><ns0:resources>'
            + ONE.encode()
            + b"</ns0:resources></ns0:x></ns0:BatchList>",
            "lists no resource",
        ),
    ],
)
def test_refused_bodies(body: bytes, message: str) -> None:
    """Hostile or broken bodies raise ApiResponseError with a short message."""
    with pytest.raises(ApiResponseError, match=message) as err:
        parse_batch_list(body)
    assert len(str(err.value)) < 80
    assert "passwd" not in str(err.value)


def test_size_cap() -> None:
    """A body over 64 KiB is refused before parsing; one at the cap is read."""
    padding = MAX_NOTIFICATION_BYTES - len(BODY)
    at_cap = BODY.replace(b"?>\n", b"?>\n" + b" " * padding)
    assert len(at_cap) == MAX_NOTIFICATION_BYTES == 65536
    assert parse_batch_list(at_cap) == [ONE]
    with pytest.raises(ApiResponseError, match="larger than 65536 bytes"):
        parse_batch_list(at_cap + b" ")


def test_many_resources_in_order() -> None:
    """Order is kept (electricity first, as PG&E lists them)."""
    urls = [f"{BASE}/50916?correlationID=id-{index:03d}" for index in range(50)]
    assert parse_batch_list(batch_list(urls)) == urls


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ONE, "0b2479f3-eec7-4a15-b46b-8f90c647e21e"),
        (f"{BASE}/50916?a=1&correlationID=abc", "abc"),
        (f"{BASE}/50916?correlationID=", None),
        (f"{BASE}/50916", None),
        ("not a url", None),
    ],
)
def test_correlation_id(url: str, expected: str | None) -> None:
    """The correlationID query value, or None."""
    assert correlation_id(url) == expected


def test_fixture_urls_match_a_plain_regex() -> None:
    """Cross-check: the parser finds what a regex over the text finds (fixtures only)."""
    for path in sorted(FIXTURES.glob("notification_batchlist_*.xml")):
        text = path.read_text()
        expected = re.findall(r"<(?:\w+:)?resources>\s*([^<\s]+)\s*<", text)
        assert parse_batch_list(path.read_bytes()) == expected, path.name
