"""The BatchList PG&E POSTs to the notification URI once requested data is ready.

Captured form (`reference/apis-pge-enedis.md` §1.7, fixtures `notification_batchlist_*.xml`):

    <?xml version="1.0" encoding="UTF-8"?>
    <ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>https://api.pge.com/
    GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50952?correlationID=<uuid></ns0:resources>
    …</ns0:BatchList>

The body arrives from the internet, unauthenticated (there is no signature): it is size-capped and
parsed with defusedxml (no DTD, no entity, no external reference), and the URLs it lists are only
data here: `PgeClient.is_notified_resource` decides whether one may be fetched. One saved body has
a literal backslash-n between the declaration and the root: junk there is skipped.
"""

from typing import Final
from urllib.parse import parse_qs, urlsplit

from ..errors import ApiResponseError
from .espi import ESPI_NS
from .safe_xml import read_xml

MAX_NOTIFICATION_BYTES: Final = 64 * 1024
"""Largest body accepted (a real one is ~400 bytes a resource)."""

_BATCH_LIST: Final = f"{{{ESPI_NS}}}BatchList"
_RESOURCES: Final = f"{{{ESPI_NS}}}resources"
_BOM: Final = b"\xef\xbb\xbf"


def parse_batch_list(body: bytes) -> list[str]:
    """Return the resource URLs of a BatchList, in order (stripped; blank ones dropped).

    Raises ApiResponseError when the body is too large, not well-formed XML, holds a DTD or
    entities, is not an ESPI BatchList or lists no resource.
    """
    if len(body) > MAX_NOTIFICATION_BYTES:
        raise ApiResponseError(
            f"PG&E notification larger than {MAX_NOTIFICATION_BYTES} bytes"
        )
    root = read_xml(_skip_junk(body), "PG&E notification")
    if root.tag != _BATCH_LIST:
        raise ApiResponseError("PG&E notification is not an ESPI BatchList")
    urls = [
        text
        for child in root
        if child.tag == _RESOURCES and (text := "".join(child.itertext()).strip())
    ]
    if not urls:
        raise ApiResponseError("PG&E notification lists no resource")
    return urls


def correlation_id(url: str) -> str | None:
    """Return the `correlationID` of a notified resource URL (None when absent or malformed)."""
    try:
        query = urlsplit(url).query
    except ValueError:  # `https://[`: not a URL at all
        return None
    values = parse_qs(query, keep_blank_values=True).get("correlationID")
    return values[0] if values and values[0] else None


def _skip_junk(body: bytes) -> bytes:
    """Drop a BOM and leading whitespace, and anything between the declaration and a tag."""
    data = body.removeprefix(_BOM).lstrip()
    if not data.startswith(b"<?xml"):
        return data
    end = data.find(b"?>")
    if end < 0:
        return data
    declaration, rest = data[: end + 2], data[end + 2 :]
    start = rest.find(b"<")
    return declaration + b"\n" + (rest[start:] if start >= 0 else rest)
