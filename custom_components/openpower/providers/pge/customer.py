"""What PG&E's customer and demand-response answers leave on the usage points, and when to ask.

`Batch/BulkRetailCustomerInfo/{BulkID}` and `Batch/BulkRetailDRPrgInfo/{BulkID}` take the client
access token, answer 202 and are notified like the usage data (`requests.py`); whether PG&E serves
them to a Self Access registration is unconfirmed (`reference/apis-pge-enedis.md` §1.14.4–1.14.5).
What is kept of an answer is what a user sees: per usage point the service address (the device's
name suffix), the meter's serial and type (device info), the agreement's status and class, and
the demand-response programs (`ProgramInfo`). The customer's name and account number are never
kept: only whether PG&E sent them, for diagnostics. Nothing here is logged.

`InfoRequest` records each resource's asking: the customer information is asked at setup and
then every `CUSTOMER_REFRESH`; the DR enrollment once. A refusal (403), an empty answer (204), a
scope without customer information, or `MAX_MISSES` requests that no notification answered are
remembered with the scope they were met under: the resource is not asked again until PG&E's
authorization says something else (`scope_key`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
import re
from typing import Any, Final

from ...api.errors import ApiResponseError
from ...api.pge import BulkResource, CustomerFeed, EnrollmentStatus, PgeClient, Scope
from .history import from_iso, to_iso

CUSTOMER_REFRESH: Final = timedelta(days=30)
"""Service addresses and meters change rarely: the customer information is read monthly."""
RETRY_AFTER: Final = timedelta(days=1)
"""An asked resource whose answer did not come is asked again after this (at the daily run)."""
MAX_MISSES: Final = 3
"""Requests in a row that no notification answered before the resource is no longer asked."""
MAX_INFO_BYTES: Final = 2 * 1024 * 1024
"""A customer feed is ~10 kB per service agreement: anything larger is refused unparsed."""
_SLUG: Final = re.compile(r"[^a-z0-9]+")
_ENDING: Final = re.compile(r"DE[_\s-]?ENROLL|UNENROLL|TERM")
"""A program date's description (upper case) that says the enrollment ends."""


class Refusal(StrEnum):
    """Why a resource is no longer asked (until the authorization's scope changes)."""

    FORBIDDEN = "forbidden"
    """PG&E answered 403 with a fresh token."""
    NO_DATA = "no_data"
    """PG&E answered 204."""
    NOT_IN_SCOPE = "not_in_scope"
    """The authorization's scope has no customer information (FB 46/47, 51–70)."""
    NO_ANSWER = "no_answer"
    """PG&E accepted `MAX_MISSES` requests in a row and notified none."""


def scope_key(scope: Scope | None) -> str | None:
    """Return what a refusal is remembered with: the scope's function blocks and extras."""
    if scope is None:
        return None
    blocks = "_".join(str(block) for block in sorted(scope.function_blocks))
    extras = "_".join(sorted(scope.additional_scope))
    return f"FB={blocks};AdditionalScope={extras}"


@dataclass(frozen=True, slots=True)
class InfoRequest:
    """How one of the two resources was asked and answered."""

    resource: BulkResource
    asked: datetime | None = None
    answered: datetime | None = None
    """When its answer was stored."""
    misses: int = 0
    """Requests in a row whose notification did not come."""
    refused: Refusal | None = None
    refused_scope: str | None = None
    """`scope_key` of the authorization when refused."""

    def due(self, now: datetime, scope: Scope | None) -> bool:
        """Whether to ask now (at setup or the daily run)."""
        # A scope not known (the Authorization read failed) changes nothing either.
        if self.refused is not None and (
            scope is None or self.refused_scope == scope_key(scope)
        ):
            return False
        if self.asked is not None and now - self.asked < RETRY_AFTER:
            return False
        if self.answered is None:
            return True
        return (
            self.resource is BulkResource.CUSTOMER
            and now - self.answered >= CUSTOMER_REFRESH
        )

    def asking(self, now: datetime) -> InfoRequest:
        """Return the record of a new request (a previous one unanswered is a miss)."""
        unanswered = self.asked is not None and (
            self.answered is None or self.answered < self.asked
        )
        return replace(
            self,
            asked=now,
            misses=self.misses + 1 if unanswered else 0,
            refused=None,
            refused_scope=None,
        )

    def refusing(self, why: Refusal, scope: Scope | None) -> InfoRequest:
        """Return the record of a refusal met under `scope`."""
        return replace(self, refused=why, refused_scope=scope_key(scope))

    def as_dict(self) -> dict[str, Any]:
        """Return the record as stored (and in diagnostics)."""
        return {
            "resource": self.resource.value,
            "asked": to_iso(self.asked),
            "answered": to_iso(self.answered),
            "misses": self.misses,
            "refused": self.refused.value if self.refused else None,
            "refused_scope": self.refused_scope,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InfoRequest:
        """Return a stored record."""
        refused = data.get("refused")
        return cls(
            resource=BulkResource(data["resource"]),
            asked=from_iso(data.get("asked")),
            answered=from_iso(data.get("answered")),
            misses=int(data.get("misses") or 0),
            refused=Refusal(refused) if refused in set(Refusal) else None,
            refused_scope=data.get("refused_scope"),
        )


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What the customer information says of one usage point."""

    point: str
    street: str | None = None
    town: str | None = None
    zip_code: str | None = None
    state: str | None = None
    meter_serial: str | None = None
    meter_type: str | None = None
    agreement_status: str | None = None
    customer_class: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the service as stored."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServiceInfo:
        """Return a stored service."""
        text = {
            field.name: str(value)
            for field in fields(cls)
            if field.name != "point" and (value := data.get(field.name)) is not None
        }
        return cls(str(data["point"]), **text)


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """One demand-response program of a usage point (PG&E's schema; unverified against PG&E)."""

    point: str
    name: str
    status: EnrollmentStatus | None
    dates: tuple[tuple[str | None, datetime], ...] = ()
    """(`programDateDescription`, date) as sent."""

    @property
    def key(self) -> str:
        """The program's stable part of its device uid: its name, lowercase, `_`-joined."""
        return _SLUG.sub("_", self.name.lower()).strip("_") or "program"

    @property
    def enrolled_on(self) -> datetime | None:
        """The enrollment date (`CUST_DR_PROGRAM_ENROLLMENT_DATE`, or a description like it)."""
        return self._date(lambda text: "ENROLL" in text and not _ENDING.search(text))

    @property
    def ends_on(self) -> datetime | None:
        """The de-enrollment or termination date (`…_DE_ENROLLMENT_DATE`, `…_TERM_DATE_…`)."""
        return self._date(lambda text: _ENDING.search(text) is not None)

    def _date(self, kind: Callable[[str], bool]) -> datetime | None:
        return next(
            (moment for text, moment in self.dates if kind((text or "").upper())), None
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the program as stored."""
        return {
            "point": self.point,
            "name": self.name,
            "status": self.status.value if self.status else None,
            "dates": [
                [description, to_iso(moment)] for description, moment in self.dates
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProgramInfo:
        """Return a stored program."""
        status = data.get("status")
        return cls(
            point=str(data["point"]),
            name=str(data["name"]),
            status=EnrollmentStatus(status)
            if status in set(EnrollmentStatus)
            else None,
            dates=tuple(
                (description, moment)
                for description, stamp in data.get("dates", [])
                if (moment := from_iso(stamp)) is not None
            ),
        )


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """The customer information kept: services by usage point; of the person, only presence."""

    received: datetime
    services: tuple[ServiceInfo, ...] = ()
    personal: tuple[str, ...] = ()
    """Which personal fields PG&E sent (`customer_name`, `account_number`): never their value."""

    def service(self, point: str) -> ServiceInfo | None:
        """Return what is known of one usage point."""
        return next((item for item in self.services if item.point == point), None)

    def as_dict(self) -> dict[str, Any]:
        """Return the information as stored."""
        return {
            "received": self.received.isoformat(),
            "services": [service.as_dict() for service in self.services],
            "personal": list(self.personal),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomerInfo | None:
        """Return stored information (None: unreadable)."""
        received = from_iso(data.get("received"))
        if received is None:
            return None
        return cls(
            received=received,
            services=tuple(ServiceInfo.from_dict(item) for item in data["services"]),
            personal=tuple(str(field) for field in data.get("personal", [])),
        )


def customer_info(
    feed: CustomerFeed, points: Iterable[str], received: datetime
) -> CustomerInfo:
    """Return what `feed` says of each of `points` (the usage points PG&E sends data for).

    An agreement, location or meter of another usage point (one not authorized for data) is
    left out: only devices that exist get a name or a serial.
    """
    services = []
    for point in sorted(set(points)):
        agreement = feed.agreement_of(point)
        location = feed.location_of(point)
        meters = feed.meters_of(point)
        if agreement is None and location is None and not meters:
            continue
        meter = meters[0] if meters else None
        services.append(
            ServiceInfo(
                point=point,
                street=location.street if location else None,
                town=location.town if location else None,
                zip_code=location.zip_code if location else None,
                state=location.state if location else None,
                meter_serial=meter.serial_number if meter else None,
                meter_type=meter.meter_type if meter else None,
                agreement_status=agreement.status if agreement else None,
                customer_class=agreement.customer_class if agreement else None,
            )
        )
    personal = []
    if any(customer.name for customer in feed.customers):
        personal.append("customer_name")
    if any(account.account_id for account in feed.accounts):
        personal.append("account_number")
    return CustomerInfo(received, tuple(services), tuple(personal))


def programs_of(feed: CustomerFeed, points: Iterable[str]) -> tuple[ProgramInfo, ...]:
    """Return the named programs of `points` in `feed` (one per point and name, first kept)."""
    wanted = set(points)
    found: dict[tuple[str, str], ProgramInfo] = {}
    for program in feed.programs:
        point, name = program.usage_point_id, (program.name or "").strip()
        if point not in wanted or not name or point is None:
            continue
        info = ProgramInfo(
            point=point,
            name=name,
            status=program.status,
            dates=tuple(
                (date.description, date.date)
                for date in program.dates
                if date.date is not None
            ),
        )
        found.setdefault((point, info.key), info)
    return tuple(found.values())


async def async_read_info(
    client: PgeClient, url: str, on_served: Callable[[], None] | None = None
) -> bytes:
    """Fetch a notified customer or DR answer whole (at most `MAX_INFO_BYTES`).

    `on_served` is called with the first chunk (PG&E knows the URL: `inbox.py`).
    """
    chunks: list[bytes] = []
    size = 0

    async def consume(chunk: bytes) -> None:
        nonlocal size
        if not size and on_served is not None:
            on_served()
        size += len(chunk)
        if size > MAX_INFO_BYTES:
            raise ApiResponseError("pge customer information: answer too large")
        chunks.append(chunk)

    await client.async_fetch(url, consume)
    return b"".join(chunks)
