"""PG&E's Authorization of this registration: read daily, shown, and a repair before it ends.

A Self Access user authorizes their own data on pge.com (Share My Data: service IDs and a date
range); PG&E lists that authorization in the `Authorization` feed as the entry whose
`resourceURI` is `…/Batch/Bulk/{BulkID}` (`reference/apis-pge-enedis.md` §1.14.6). Its
`status` (0 revoked, 1 active, 2 denied), `authorizedPeriod` (until when PG&E serves new data),
`publishedPeriod` (which data it covers) and `scope` (what kinds of data, §1.14.8) are what this
module reads:

- **which entry**: the feed can list several (customer subscriptions, ApplicationInformation
  entries, an old Bulk authorization beside its renewal; §1.14.6 "never assume one entry"). The
  entry's own is one on `…/Batch/Bulk/{the entry's Bulk ID}`; of several, the active one, then
  the one authorized longest (`bulk_authorization`).
- **its status now**: the ESPI code, `expired` once an active authorization's period has ended
  (`Authorization.status_at`), and `missing` when PG&E no longer lists the Bulk ID at all — what
  a deleted authorization looks like from here; it is treated as ended, like a revoked one.
  `unknown` (an undocumented code) raises nothing: there is no telling what it means.
- **repairs**: `pge_authorization_expiring` from `AUTHORIZATION_WARNING` before the authorized
  end, `pge_authorization_ended` once it is revoked, denied, expired or missing; both go once the
  authorization is active and far from its end (renewed on pge.com: nothing changes in Home
  Assistant, the same Bulk ID is listed again).
- **when**: once a day (`AUTHORIZATION_INTERVAL`, one request), and on `async_recheck` when PG&E
  refuses a feed with 403; a failed read keeps the last data, never changes the status.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, override

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ...api.pge import Authorization, AuthorizationStatus, PgeClient, Scope
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from . import const
from .application import async_check_notification_uri
from .const import CONF_BULK_ID
from .webhook import async_notification_url

MISSING: Final = "missing"
"""The status when the feed no longer lists the entry's Bulk ID."""

type AuthorizationState = AuthorizationStatus | Literal["missing"]

AUTHORIZATION_STATES: Final = [
    *(status.value for status in AuthorizationStatus),
    MISSING,
]
"""The status sensor's options."""

ENDED: Final[frozenset[str]] = frozenset(
    {
        AuthorizationStatus.REVOKED,
        AuthorizationStatus.DENIED,
        AuthorizationStatus.EXPIRED,
        MISSING,
    }
)
"""Statuses under which PG&E serves no new data until the user authorizes again."""

_OPEN_ENDED: Final = datetime.max.replace(tzinfo=UTC)


def bulk_authorization(
    authorizations: list[Authorization], bulk_id: str, now: datetime
) -> Authorization | None:
    """Return the authorization of `bulk_id`: the active one, then the one authorized longest."""
    return max(
        (item for item in authorizations if item.bulk_id == bulk_id),
        key=lambda item: (
            item.status_at(now) is AuthorizationStatus.ACTIVE,
            item.authorized_end or _OPEN_ENDED,
        ),
        default=None,
    )


@dataclass(frozen=True, slots=True)
class PgeAuthorization:
    """The entry's Bulk authorization as last read, and what it means at `read`."""

    account: DeviceRef
    """The service device, which shows it."""
    read: datetime
    status: AuthorizationState
    authorization: Authorization | None
    """The entry's Bulk authorization; None when PG&E no longer lists it (`MISSING`)."""

    @property
    def ends(self) -> datetime | None:
        """The authorized period's end; None when open-ended, unknown or missing."""
        return self.authorization.authorized_end if self.authorization else None

    @property
    def published_start(self) -> datetime | None:
        """Where the data it covers starts (`publishedPeriod`)."""
        return self.authorization.published_start if self.authorization else None

    @property
    def scope(self) -> Scope | None:
        """What the user authorized (function blocks, intervals, history, customer data)."""
        return self.authorization.decoded_scope if self.authorization else None

    def diagnostics(self) -> dict[str, Any]:
        """Return what may be shown: periods, status and the decoded scope, no raw scope string.

        Identifiers (the Bulk ID, resource URIs, authorization ids) are under keys the
        provider's REDACT lists; the raw scope string holds `BR=<Bulk ID>` and is left out.
        """
        item = self.authorization
        return {
            "status": str(self.status),
            "read": self.read.isoformat(),
            "bulk_authorization": None
            if item is None
            else {
                "status_code": item.status,
                "grant_type": item.grant_type,
                "authorized_period": _period(
                    item.authorized_start, item.authorized_end
                ),
                "published_period": _period(item.published_start, item.published_end),
                "expires_at": _iso(item.expires_at),
                "authorization_id": item.authorization_id,
                "resource_uri": item.resource_uri,
                "authorization_uri": item.authorization_uri,
                "customer_resource_uri": item.customer_resource_uri,
                "scope": _scope(item.decoded_scope),
            },
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _period(start: datetime | None, end: datetime | None) -> dict[str, str | None]:
    return {"start": _iso(start), "end": _iso(end)}


def _scope(scope: Scope | None) -> dict[str, Any] | None:
    if scope is None:
        return None
    history = scope.history_length
    return {
        "function_blocks": sorted(scope.function_blocks),
        "interval_durations": sorted(scope.interval_durations),
        "block_duration": scope.block_duration,
        "history_length_days": history.days if history is not None else None,
        "additional_scope": sorted(scope.additional_scope),
        "account_collection": scope.account_collection,
        "data_custodian_id": scope.data_custodian_id,
        "bulk_id": scope.bulk_id,
        # Only the names: an unknown key's value could be any identifier.
        "other_keys": sorted(key for key, _ in scope.extra),
        "usage_data": scope.usage_data,
        "usage_summary": scope.usage_summary,
        "billing": scope.billing,
        "customer_information": scope.customer_information,
        "dr_program_information": scope.dr_program_information,
    }


class PgeAuthorizationCoordinator(OpenPowerCoordinator[PgeAuthorization]):
    """Reads the Authorization feed daily (one request); raises and clears its repairs."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: PgeClient,
        account: DeviceRef,
    ) -> None:
        """Create the coordinator of one registration."""
        super().__init__(
            hass,
            entry,
            name="pge authorization",
            update_interval=const.AUTHORIZATION_INTERVAL,
        )
        self.bulk_id: str = entry.data[CONF_BULK_ID]
        # The title the flow gives holds the Bulk ID; the name is in every log line.
        self.name = self.name.replace(self.bulk_id, "…")
        self.client = client
        self.account = account
        # A requested refresh waits out the cooldown: a burst of 403s (one per feed of a
        # notification) then costs one request, not one now and one after the cooldown.
        self._debounced_refresh.immediate = False

    async def async_recheck(self) -> None:
        """Read the authorization again soon (PG&E refused a feed with 403).

        Debounced: calls within the cooldown make one request, after it.
        """
        await self.async_request_refresh()

    @override
    async def _async_fetch(self) -> PgeAuthorization:
        authorizations = await self.client.async_authorizations()
        now = dt_util.utcnow()
        authorization = bulk_authorization(authorizations, self.bulk_id, now)
        data = PgeAuthorization(
            account=self.account,
            read=now,
            status=authorization.status_at(now) if authorization else MISSING,
            authorization=authorization,
        )
        self._set_issues(data, now)
        await self._async_check_notification_uri()
        return data

    async def _async_check_notification_uri(self) -> None:
        """Compare PG&E's registered notification URL with ours, when PG&E lets us read it.

        Only with a registration access token (`application.py`), which PG&E's Self Access
        token answer normally lacks: unknown leaves the repair as it is.
        """
        url = await async_notification_url(
            self.hass, self.config_entry.data[CONF_WEBHOOK_ID]
        )
        check = await async_check_notification_uri(self.client, url)
        if check is not None:
            self.async_set_issue(
                const.ISSUE_NOTIFY_URI_DIFFERS,
                check.differs,
                placeholders={"registered": check.registered, "expected": url or "-"},
            )

    @callback
    def _set_issues(self, data: PgeAuthorization, now: datetime) -> None:
        ends = data.ends
        expiring = (
            data.status is AuthorizationStatus.ACTIVE
            and ends is not None
            and ends - now <= const.AUTHORIZATION_WARNING
        )
        placeholders = None
        if expiring and ends is not None:
            placeholders = {
                "date": ends.astimezone(const.PACIFIC).date().isoformat(),
                "days": str(max(0, (ends - now).days)),
            }
        self.async_set_issue(
            const.ISSUE_AUTHORIZATION_EXPIRING, expiring, placeholders=placeholders
        )
        self.async_set_issue(
            const.ISSUE_AUTHORIZATION_ENDED,
            data.status in ENDED,
            placeholders={"status": str(data.status)},
        )
