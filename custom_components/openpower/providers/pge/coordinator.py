"""PG&E coordinators: the service status (polled hourly) and what the usage sensors show (pushed).

PG&E pushes its data: asking for it, the notifications and turning feeds into statistics belong
to `requests.PgeRequests`, which publishes each change to `PgeUsageCoordinator`. The usage
coordinator only holds that state for the sensors; its one fetch is the first refresh, reading
the state the entry's store kept, so a restart shows the last data at once.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ...api.pge import BulkResource, ClientCertificate, PgeClient
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from . import const
from .const import CONF_BULK_ID
from .customer import CustomerInfo, InfoRequest, ProgramInfo
from .history import PointSummary, from_iso, to_iso
from .inbox import NotificationInfo


@dataclass(frozen=True, slots=True)
class PgeStatus:
    """The hourly check: PG&E's service status and our certificate's remaining life."""

    account: DeviceRef
    service_status: int
    """`ReadServiceStatus` `currentStatus`: 1 online."""
    certificate_expires: datetime
    requests_24h: int | None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the last fetched feed held (diagnostics)."""

    fetched: datetime
    bytes: int
    blocks: int
    readings: int
    usage_points: int
    bills: int
    skipped_blocks: int
    statistics: int
    hours_written: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True, slots=True)
class PgeUsage:
    """Everything the usage sensors and diagnostics show, as stored."""

    account: DeviceRef
    points: tuple[PointSummary, ...]
    """One per usage point, by id (a tuple: ids are not diagnostics keys)."""
    last_notification: NotificationInfo | None = None
    recent_feeds: tuple[FeedInfo, ...] = ()
    """The last few feeds fetched, newest last (a notification lists one per usage point)."""
    last_request: datetime | None = None
    awaiting_since: datetime | None = None
    """When the oldest request still waiting for its notification was made."""
    backfill_next: datetime | None = None
    """Start of the next backfill window; None once the history is complete."""
    answered_through: datetime | None = None
    """The newest time PG&E's answers to our requests covered, all their feeds stored."""
    customer: CustomerInfo | None = None
    """The last customer information PG&E sent (`customer.py`)."""
    programs: tuple[ProgramInfo, ...] = ()
    """The demand-response programs of the last enrollment answer."""
    info_requests: tuple[InfoRequest, ...] = ()
    """How the customer information and the DR enrollment were asked (one record each)."""

    @property
    def last_feed(self) -> FeedInfo | None:
        """The newest feed fetched."""
        return self.recent_feeds[-1] if self.recent_feeds else None

    def point(self, point: str) -> PointSummary | None:
        """Return the summary of one usage point."""
        return next(
            (summary for summary in self.points if summary.point == point), None
        )

    def info_request(self, resource: BulkResource) -> InfoRequest:
        """Return how `resource` was asked (a blank record when never)."""
        return next(
            (item for item in self.info_requests if item.resource is resource),
            InfoRequest(resource),
        )

    def with_info_request(self, record: InfoRequest) -> PgeUsage:
        """Return the state with `record` replacing its resource's."""
        others = [i for i in self.info_requests if i.resource is not record.resource]
        return replace(self, info_requests=(*others, record))

    def as_dict(self) -> dict[str, Any]:
        """Return what is stored."""
        notification = self.last_notification
        return {
            "points": [point.as_dict() for point in self.points],
            "last_notification": notification.received.isoformat()
            if notification
            else None,
            "last_request": to_iso(self.last_request),
            "awaiting_since": to_iso(self.awaiting_since),
            "backfill_next": to_iso(self.backfill_next),
            "answered_through": to_iso(self.answered_through),
            "customer": self.customer.as_dict() if self.customer else None,
            "programs": [program.as_dict() for program in self.programs],
            "info_requests": [record.as_dict() for record in self.info_requests],
        }

    @classmethod
    def from_dict(cls, account: DeviceRef, data: dict[str, Any]) -> PgeUsage:
        """Return the stored state."""
        points = [PointSummary.from_dict(point) for point in data.get("points", [])]
        received = from_iso(data.get("last_notification"))
        return cls(
            account=account,
            points=tuple(points),
            last_notification=NotificationInfo(received, 0, 0, 0, 0, 0)
            if received
            else None,
            last_request=from_iso(data.get("last_request")),
            awaiting_since=from_iso(data.get("awaiting_since")),
            backfill_next=from_iso(data.get("backfill_next")),
            answered_through=from_iso(data.get("answered_through")),
            customer=CustomerInfo.from_dict(customer)
            if (customer := data.get("customer"))
            else None,
            programs=tuple(ProgramInfo.from_dict(p) for p in data.get("programs", [])),
            info_requests=tuple(
                InfoRequest.from_dict(record)
                for record in data.get("info_requests", [])
            ),
        )


def _without_bulk_id(name: str, entry: OpenPowerConfigEntry) -> str:
    """Return a coordinator name (in its every log line) without the entry's Bulk ID.

    The title the flow gives holds it, and five digits are too short for `mask_identifiers`.
    """
    bulk_id: str = entry.data[CONF_BULK_ID]
    return name.replace(bulk_id, "…")


class PgeStatusCoordinator(OpenPowerCoordinator[PgeStatus]):
    """Reads PG&E's service status hourly; warns before the certificate expires."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: PgeClient,
        certificate: ClientCertificate,
        account: DeviceRef,
    ) -> None:
        """Create the coordinator of one registration."""
        super().__init__(
            hass, entry, name="pge status", update_interval=const.STATUS_INTERVAL
        )
        self.name = _without_bulk_id(self.name, entry)
        self.client = client
        self.certificate = certificate
        self.account = account

    @override
    async def _async_fetch(self) -> PgeStatus:
        self._check_certificate()
        status = await self.client.async_service_status()
        budget = self.client.budget
        return PgeStatus(
            account=self.account,
            service_status=status,
            certificate_expires=self.certificate.not_valid_after,
            requests_24h=budget.used()[-1] if budget is not None else None,
        )

    @callback
    def _check_certificate(self) -> None:
        expires = self.certificate.not_valid_after
        left = expires - dt_util.utcnow()
        self.async_set_issue(
            const.ISSUE_CERTIFICATE_EXPIRING,
            left <= const.CERTIFICATE_WARNING,
            placeholders={
                "expires": expires.date().isoformat(),
                "days": str(max(0, left.days)),
            },
        )


class PgeUsageCoordinator(OpenPowerCoordinator[PgeUsage]):
    """Holds what the usage sensors show; never polls (PG&E pushes)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        load: Callable[[], Awaitable[PgeUsage]],
    ) -> None:
        """Create the coordinator of one registration; `load` reads the stored state."""
        super().__init__(hass, entry, name="pge usage", update_interval=None)
        self.name = _without_bulk_id(self.name, entry)
        self._load = load
        self._loaded = False

    @override
    async def _async_fetch(self) -> PgeUsage:
        """Return the stored state (the first refresh); later data comes pushed."""
        if self._loaded:
            return self.data
        self._loaded = True
        return await self._load()
