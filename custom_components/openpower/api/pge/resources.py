"""The small ESPI resources PG&E answers whole (not streamed): ReadServiceStatus and Authorization.

Both are parsed with defusedxml (no DTD, no entity), by namespace URI. An Authorization says which
Bulk ID the registration has (`…/Batch/Bulk/{BulkID}` in its `resourceURI`), whether PG&E still
honours it (`status`, `authorizedPeriod`), which data it covers (`publishedPeriod`) and what the
customer consented to (the `scope` string, decoded by `Scope`). Field meanings:
`reference/apis-pge-enedis.md` §1.14.6 (Authorization) and §1.14.8 (scope strings).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import re
from typing import Final
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from ..errors import ApiResponseError
from .espi import ATOM_NS, ESPI_NS
from .safe_xml import read_xml

BULK_MARKER: Final = "/Batch/Bulk/"
BULK_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a Bulk ID may be (PG&E's are 5 digits)."""
MILLISECONDS_ABOVE: Final = 10**11
"""An epoch value above this is in milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.

PG&E sent the Authorization periods in milliseconds in 2015 while `expires_at` was in seconds, and
other code reads the same periods as seconds (§1.14.6), so each value is judged by its size."""
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MAX_HISTORY_SECONDS: Final = 999_999_999 * 86400
"""The longest `HistoryLength` a timedelta holds (PG&E's are a few years)."""
_A: Final = f"{{{ATOM_NS}}}"
_E: Final = f"{{{ESPI_NS}}}"


class AuthorizationStatus(StrEnum):
    """What an Authorization's ESPI `status` code says (0 revoked, 1 active, 2 denied; §1.14.6).

    `EXPIRED` is no ESPI code: `Authorization.status_at` reports it for an active authorization
    whose authorized period has ended. `UNKNOWN` is a missing or undocumented code.
    """

    ACTIVE = "active"
    REVOKED = "revoked"
    DENIED = "denied"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


_STATUS_CODES: Final = {
    0: AuthorizationStatus.REVOKED,
    1: AuthorizationStatus.ACTIVE,
    2: AuthorizationStatus.DENIED,
}

# Function blocks (§1.14.8). PG&E uses the old ESPI numbers (46/47 for RetailCustomer); the Green
# Button Alliance's current catalogue numbers the Retail Customer blocks 51-70: both are read.
FB_USAGE: Final = frozenset({4, 5, 10, 15, 16})
"""Interval electricity (4, 5), gas (10), usage summary (15) and summary with cost (16)."""
FB_USAGE_SUMMARY: Final = frozenset({15, 16})
FB_BILLING: Final = frozenset({16})
"""Usage Summary with Cost: what PG&E grants for "Billing Information" (§1.14.7)."""
FB_CUSTOMER: Final = frozenset({46, 47, *range(51, 71)})
"""RetailCustomer: 46 core, 47 REST for the Bulk form (PG&E); 51-70 in the GBA catalogue."""


@dataclass(frozen=True, slots=True)
class Scope:
    """A decoded ESPI scope string (`FB=1_3_4_5;IntervalDuration=900_3600;…`, §1.14.8).

    `key=value` pieces separated by `;`, keys matched without regard to case. Unknown keys are kept
    in `extra` as sent; a piece without `=`, a value that is not what its key takes, or a bad item
    of a `_` list is dropped and the rest kept. A key given twice keeps its last value.
    """

    function_blocks: frozenset[int] = frozenset()
    interval_durations: frozenset[int] = frozenset()
    """Interval lengths offered, in seconds."""
    block_duration: str | None = None
    """`daily` (lower case; PG&E writes `Daily`)."""
    history_length: timedelta | None = None
    bulk_id: str | None = None
    """`BR`: the third party's Bulk ID."""
    additional_scope: frozenset[str] = frozenset()
    """`AdditionalScope` words (lower case): usage, billing, basic, account, programenrollment."""
    account_collection: int | None = None
    """How many service agreements the customer authorized."""
    data_custodian_id: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    """Keys this class does not decode (e.g. `SubscriptionFrequency`), as sent."""

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Decode a scope string; never raises."""
        values: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        for piece in text.split(";"):
            key, equals, value = piece.partition("=")
            key, value = key.strip(), value.strip()
            if not equals or not key:
                continue
            if key.casefold() in _SCOPE_KEYS:
                values[key.casefold()] = value
            else:
                extra.append((key, value))
        history = _positive(values.get("historylength"))
        if history is not None and history > MAX_HISTORY_SECONDS:
            history = None  # past what timedelta holds: not a length PG&E could mean
        bulk_id = values.get("br")
        return cls(
            function_blocks=_numbers(values.get("fb")),
            interval_durations=_numbers(values.get("intervalduration")),
            block_duration=values.get("blockduration", "").casefold() or None,
            history_length=timedelta(seconds=history) if history else None,
            bulk_id=bulk_id if bulk_id and BULK_ID.fullmatch(bulk_id) else None,
            additional_scope=frozenset(
                word.strip().casefold()
                for word in values.get("additionalscope", "").split("_")
                if word.strip()
            ),
            account_collection=_positive(values.get("accountcollection")),
            data_custodian_id=values.get("datacustodianid") or None,
            extra=tuple(extra),
        )

    @property
    def usage_data(self) -> bool:
        """Whether interval or summary usage data is authorized."""
        return bool(self.function_blocks & FB_USAGE) or "usage" in self.additional_scope

    @property
    def usage_summary(self) -> bool:
        """Whether UsageSummary (bill period totals) is authorized."""
        return bool(self.function_blocks & FB_USAGE_SUMMARY) or self.billing

    @property
    def billing(self) -> bool:
        """Whether billing information (UsageSummary with cost) is authorized."""
        return (
            bool(self.function_blocks & FB_BILLING)
            or "billing" in self.additional_scope
        )

    @property
    def customer_information(self) -> bool:
        """Whether customer information (RetailCustomer: Basic and/or Account) is authorized."""
        return bool(self.function_blocks & FB_CUSTOMER) or bool(
            self.additional_scope & {"basic", "account"}
        )

    @property
    def dr_program_information(self) -> bool:
        """Whether DR program enrollment is authorized (PG&E: no function block, §1.14.5)."""
        return "programenrollment" in self.additional_scope


_SCOPE_KEYS: Final = frozenset(
    {
        "fb",
        "intervalduration",
        "blockduration",
        "historylength",
        "br",
        "additionalscope",
        "accountcollection",
        "datacustodianid",
    }
)


@dataclass(frozen=True, slots=True)
class Authorization:
    """One ESPI Authorization (the Self Access Bulk one, or a customer subscription).

    Periods are aware UTC datetimes, milliseconds normalised; an end is None when the period is
    open-ended (duration 0, or past the year 9999 as PG&E's 8,000-year durations are) or unknown.
    """

    href: str | None
    """The entry's `self` link."""
    resource_uri: str | None
    authorization_uri: str | None
    grant_type: str | None
    status: int | None
    """The ESPI status code as sent (`state` and `status_at` say what it means)."""
    scope: str | None
    """The scope string as sent (`decoded_scope` decodes it)."""
    published_start: datetime | None
    published_end: datetime | None
    authorized_start: datetime | None
    authorized_end: datetime | None
    entry_id: str | None = None
    """The Atom entry's `id`."""
    expires_at: datetime | None = None
    """When the access token issued with it expires (not the authorization itself)."""
    customer_resource_uri: str | None = None
    """`…/Batch/RetailCustomer/{id}`, where the customer information of this authorization is."""

    @property
    def bulk_id(self) -> str | None:
        """The BulkID of a `…/Batch/Bulk/{BulkID}` resource URI (else None)."""
        if not self.resource_uri:
            return None
        path = urlsplit(self.resource_uri).path
        _, marker, rest = path.partition(BULK_MARKER)
        bulk_id = rest.strip("/").split("/", 1)[0] if marker else ""
        return bulk_id if BULK_ID.fullmatch(bulk_id) else None

    @property
    def authorization_id(self) -> str | None:
        """The last segment of `authorizationURI` (else of the `self` link)."""
        for uri in (self.authorization_uri, self.href):
            if uri and (segment := urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1]):
                return segment
        return None

    @property
    def decoded_scope(self) -> Scope | None:
        """The scope string decoded (None without one)."""
        return Scope.parse(self.scope) if self.scope is not None else None

    @property
    def state(self) -> AuthorizationStatus:
        """What the status code says, whatever the date."""
        if self.status is None:
            return AuthorizationStatus.UNKNOWN
        return _STATUS_CODES.get(self.status, AuthorizationStatus.UNKNOWN)

    def status_at(self, now: datetime) -> AuthorizationStatus:
        """Return the status at `now`: EXPIRED when active but its authorized period ended."""
        state = self.state
        if (
            state is AuthorizationStatus.ACTIVE
            and self.authorized_end is not None
            and self.authorized_end <= now
        ):
            return AuthorizationStatus.EXPIRED
        return state


def parse_authorizations(body: bytes) -> list[Authorization]:
    """Return the Authorizations of an Atom feed, an entry, or a bare ESPI Authorization."""
    root = read_xml(body, "pge Authorization")
    found: list[Authorization] = []
    if root.tag == f"{_E}Authorization":
        return [_authorization(None, None, root)]
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
        found.append(_authorization(href, _text(entry, f"{_A}id"), content))
    return found


def _authorization(
    href: str | None, entry_id: str | None, element: Element
) -> Authorization:
    def period(name: str) -> tuple[datetime | None, datetime | None]:
        start = _int(element.findtext(f"{_E}{name}/{_E}start"))
        duration = _int(element.findtext(f"{_E}{name}/{_E}duration"))
        if start is None:
            return None, None
        # The start's size says the unit of both: a duration of a year is 3.2e10 ms, below
        # the threshold, so it could not tell by itself.
        unit = _unit(start)
        begin = _instant(start * unit)
        if begin is None or duration is None or duration <= 0:
            return begin, None  # duration 0: open-ended (espiDerived XSD)
        return begin, _instant((start + duration) * unit)

    published = period("publishedPeriod")
    authorized = period("authorizedPeriod")
    expires_at = _int(_text(element, f"{_E}expires_at"))
    return Authorization(
        href=href,
        resource_uri=_text(element, f"{_E}resourceURI"),
        authorization_uri=_text(element, f"{_E}authorizationURI"),
        grant_type=_text(element, f"{_E}grant_type"),
        status=_int(_text(element, f"{_E}status")),
        scope=_text(element, f"{_E}scope"),
        published_start=published[0],
        published_end=published[1],
        authorized_start=authorized[0],
        authorized_end=authorized[1],
        entry_id=entry_id,
        expires_at=(
            _instant(expires_at * _unit(expires_at)) if expires_at is not None else None
        ),
        customer_resource_uri=_text(element, f"{_E}customerResourceURI"),
    )


def parse_service_status(body: bytes) -> int:
    """Return ReadServiceStatus's `currentStatus` (1: online)."""
    root = read_xml(body, "pge ReadServiceStatus")
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


def _text(element: Element, path: str) -> str | None:
    child = element.find(path)
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().replace(",", ""))
    except ValueError:
        return None


def _positive(value: str | None) -> int | None:
    number = _int(value)
    return number if number is not None and number > 0 else None


def _numbers(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    numbers = (_int(item) for item in value.split("_") if item.strip())
    return frozenset(n for n in numbers if n is not None and n > 0)


def _unit(value: int) -> int:
    """Milliseconds per unit of an epoch value: 1 when in ms, 1000 when in seconds."""
    return 1 if abs(value) > MILLISECONDS_ABOVE else 1000


def _instant(milliseconds: int) -> datetime | None:
    try:
        return EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return None
