"""The small ESPI resources PG&E answers whole (not streamed): ReadServiceStatus and Authorization.

Both are parsed with defusedxml (no DTD, no entity), by namespace URI. The Authorization resource
says which Bulk ID the registration has (`…/Batch/Bulk/{BulkID}` in its `resourceURI`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
import re
from typing import Final
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
import defusedxml.ElementTree as DefusedET

from ..errors import ApiResponseError
from .espi import ATOM_NS, ESPI_NS

BULK_MARKER: Final = "/Batch/Bulk/"
BULK_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a Bulk ID may be (PG&E's are 5 digits)."""
_A: Final = f"{{{ATOM_NS}}}"
_E: Final = f"{{{ESPI_NS}}}"


@dataclass(frozen=True, slots=True)
class Authorization:
    """One ESPI Authorization (the Self Access Bulk one, or a customer subscription)."""

    href: str | None
    """The entry's `self` link."""
    resource_uri: str | None
    authorization_uri: str | None
    grant_type: str | None
    status: int | None
    scope: str | None
    published_start: datetime | None
    published_end: datetime | None
    authorized_start: datetime | None
    authorized_end: datetime | None

    @property
    def bulk_id(self) -> str | None:
        """The BulkID of a `…/Batch/Bulk/{BulkID}` resource URI (else None)."""
        if not self.resource_uri:
            return None
        path = urlsplit(self.resource_uri).path
        _, marker, rest = path.partition(BULK_MARKER)
        bulk_id = rest.strip("/").split("/", 1)[0] if marker else ""
        return bulk_id if BULK_ID.fullmatch(bulk_id) else None


def parse_authorizations(body: bytes) -> list[Authorization]:
    """Return the Authorizations of an Atom feed, an entry, or a bare ESPI Authorization."""
    root = _xml(body, "pge Authorization")
    found: list[Authorization] = []
    if root.tag == f"{_E}Authorization":
        return [_authorization(None, root)]
    if root.tag == f"{_A}feed":
        entries = root.findall(f"{_A}entry")
    elif root.tag == f"{_A}entry":
        entries = [root]
    else:
        raise ApiResponseError("pge Authorization: not an Atom feed or entry")
    for entry in entries:
        content = entry.find(f"{_A}content/{_E}Authorization")
        if content is None:
            continue
        href = next(
            (
                link.get("href")
                for link in entry.findall(f"{_A}link")
                if link.get("rel") == "self"
            ),
            None,
        )
        found.append(_authorization(href, content))
    return found


def _authorization(href: str | None, element: Element) -> Authorization:
    def text(name: str) -> str | None:
        child = element.find(f"{_E}{name}")
        value = (child.text or "").strip() if child is not None else ""
        return value or None

    def period(name: str) -> tuple[datetime | None, datetime | None]:
        start = _int(element.findtext(f"{_E}{name}/{_E}start"))
        duration = _int(element.findtext(f"{_E}{name}/{_E}duration"))
        begin = _utc(start)
        end = (
            _utc(start + duration)
            if start is not None and duration is not None
            else None
        )
        return begin, end

    published = period("publishedPeriod")
    authorized = period("authorizedPeriod")
    return Authorization(
        href=href,
        resource_uri=text("resourceURI"),
        authorization_uri=text("authorizationURI"),
        grant_type=text("grant_type"),
        status=_int(text("status")),
        scope=text("scope"),
        published_start=published[0],
        published_end=published[1],
        authorized_start=authorized[0],
        authorized_end=authorized[1],
    )


def parse_service_status(body: bytes) -> int:
    """Return ReadServiceStatus's `currentStatus` (1: online)."""
    root = _xml(body, "pge ReadServiceStatus")
    element = next(root.iter(f"{_E}currentStatus"), None)
    value = _int(element.text if element is not None else None)
    if value is None:
        raise ApiResponseError("pge ReadServiceStatus: no currentStatus")
    return value


def first_bulk_id(authorizations: list[Authorization]) -> str:
    """Return the BulkID of the first authorization on a `Batch/Bulk` resource."""
    for authorization in authorizations:
        if (bulk_id := authorization.bulk_id) is not None:
            return bulk_id
    raise ApiResponseError("pge Authorization: no Batch/Bulk authorization")


def _xml(body: bytes, what: str) -> Element:
    try:
        root: Element = DefusedET.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as err:
        raise ApiResponseError(f"{what}: DTDs and entities are refused") from err
    except (ParseError, ValueError) as err:
        raise ApiResponseError(f"{what}: not well-formed XML") from err
    return root


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().replace(",", ""))
    except ValueError:
        return None


def _utc(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except OverflowError, OSError, ValueError:
        return None
