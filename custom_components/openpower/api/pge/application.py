"""PG&E's ApplicationInformation: what the registration says about itself.

`GET …/resource/ApplicationInformation/{id}` answers one Atom entry holding an
`espi:ApplicationInformation` (fixture `espi_pge_applicationinformation_entry_2015_verdigris.xml`;
`reference/apis-pge-enedis.md` §1.14.1–1.14.2). It needs a `registration_access_token`, which
PG&E's client_credentials answer normally does not carry, so the client reads it only when PG&E
hands one over (`PgeClient.async_application_information`).

The entry also holds `client_secret` and `registration_access_token`: neither is kept here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from ..errors import ApiResponseError
from .espi import ATOM_NS, ESPI_NS
from .resources import BULK_ID, BULK_MARKER, EPOCH, MILLISECONDS_ABOVE, Scope
from .safe_xml import read_xml

_A: Final = f"{{{ATOM_NS}}}"
_E: Final = f"{{{ESPI_NS}}}"
_WHAT: Final = "pge ApplicationInformation"


class ApplicationStatus(StrEnum):
    """`dataCustodianApplicationStatus` (1 Review, 2 Production, 3 On hold, 4 Revoked; §1.14.2).

    `UNKNOWN` is a missing or undocumented code.
    """

    REVIEW = "review"
    PRODUCTION = "production"
    ON_HOLD = "on_hold"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


_STATUS_CODES: Final = {
    1: ApplicationStatus.REVIEW,
    2: ApplicationStatus.PRODUCTION,
    3: ApplicationStatus.ON_HOLD,
    4: ApplicationStatus.REVOKED,
}


@dataclass(frozen=True, slots=True)
class ApplicationInformation:
    """The registration as PG&E holds it (no secret: client_secret and tokens are dropped)."""

    href: str | None
    """The entry's `self` link."""
    data_custodian_id: str | None
    """`PGE` at PG&E."""
    status: ApplicationStatus
    third_party_notify_uri: str | None
    """Where PG&E posts its BatchList notifications (the registration's notification URL)."""
    bulk_request_uri: str | None
    """`dataCustodianBulkRequestURI`: `…/Batch/Bulk/{BulkID}`."""
    resource_endpoint: str | None
    """`dataCustodianResourceEndpoint`: `…/GreenButtonConnect/espi/1_1/resource`."""
    scopes: tuple[str, ...]
    """Every `scope` string, as sent (`decoded_scopes` decodes them)."""
    client_id_issued_at: datetime | None
    """PG&E sends milliseconds (seconds, as RFC 7591 says, are read too)."""
    registration_client_uri: str | None
    """`…/ApplicationInformation/{id}`: where this resource is read."""

    @property
    def bulk_id(self) -> str | None:
        """The BulkID at the end of `bulk_request_uri` (None when there is none)."""
        if not self.bulk_request_uri:
            return None
        try:
            path = urlsplit(self.bulk_request_uri).path
        except ValueError:
            return None
        _, marker, rest = path.partition(BULK_MARKER)
        bulk_id = rest.strip("/") if marker else ""
        return bulk_id if BULK_ID.fullmatch(bulk_id) else None

    @property
    def decoded_scopes(self) -> tuple[Scope, ...]:
        """The scope strings decoded."""
        return tuple(Scope.parse(scope) for scope in self.scopes)


def parse_application_information(body: bytes) -> ApplicationInformation:
    """Read an ApplicationInformation: an Atom entry, a feed's first one, or the bare element."""
    root = read_xml(body, _WHAT)
    href: str | None = None
    element: Element | None = None
    if root.tag == f"{_E}ApplicationInformation":
        element = root
    elif root.tag in (f"{_A}entry", f"{_A}feed"):
        entries = [root] if root.tag == f"{_A}entry" else root.findall(f"{_A}entry")
        for entry in entries:
            element = entry.find(f"{_A}content/{_E}ApplicationInformation")
            if element is not None:
                href = next(
                    (
                        link.get("href")
                        for link in entry.findall(f"{_A}link")
                        if link.get("rel") == "self"
                    ),
                    None,
                )
                break
    if element is None:
        raise ApiResponseError(f"{_WHAT}: no ApplicationInformation")
    status = _int(_text(element, "dataCustodianApplicationStatus"))
    issued = _int(_text(element, "client_id_issued_at"))
    return ApplicationInformation(
        href=href,
        data_custodian_id=_text(element, "dataCustodianId"),
        status=(
            _STATUS_CODES.get(status, ApplicationStatus.UNKNOWN)
            if status is not None
            else ApplicationStatus.UNKNOWN
        ),
        third_party_notify_uri=_text(element, "thirdPartyNotifyUri"),
        bulk_request_uri=_text(element, "dataCustodianBulkRequestURI"),
        resource_endpoint=_text(element, "dataCustodianResourceEndpoint"),
        scopes=tuple(
            text
            for child in element.findall(f"{_E}scope")
            if (text := (child.text or "").strip())
        ),
        client_id_issued_at=_issued_at(issued),
        registration_client_uri=_text(element, "registration_client_uri"),
    )


def _text(element: Element, name: str) -> str | None:
    child = element.find(f"{_E}{name}")
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _issued_at(value: int | None) -> datetime | None:
    """Epoch milliseconds (PG&E) or seconds (RFC 7591), judged by size as in `resources.py`."""
    if value is None or value < 0:
        return None
    milliseconds = value if value > MILLISECONDS_ABOVE else value * 1000
    try:
        return EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return None
