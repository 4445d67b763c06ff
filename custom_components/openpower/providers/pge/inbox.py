"""The notified URLs between PG&E's notifications and their fetches: which answer us, which wait.

PG&E does not sign its notifications, and everything in one can be forged by anyone who knows the
webhook URL: the Bulk resource URL is public knowledge (`https://api.pge.com/…/Batch/Bulk/` and a
five-digit Bulk ID), a `correlationID` is any fresh UUID, and the time a notification arrives
says nothing (a forger posting all day is also posting while a request of ours waits). So the
body of a notification never decides whether it answers a request of ours. Two things do:

- **PG&E's transaction label.** PG&E's Release 4.0 links its answer to one asynchronous call with
  an `x-transaction` header label. The 202 of each request of ours gives a label (`x-transaction-
  id`, `PgeClient.async_bulk_request`); a notification posted with the label of a request still
  waiting answers it (`Handler.claim`). A label is PG&E's, sent to us alone over mutual TLS and
  used once: a forger cannot know one. These notifications are **solicited**: always taken, in
  their own lane, fetched before any other, never counted against anything.
- **PG&E serving the URL.** PG&E serves a `correlationID` only to the registration it made it
  for (another one gets 404): a URL PG&E answers 200 was notified by PG&E. So a notification
  without a label is **unproven** until its first URL is fetched: served, it is PG&E's (an
  answer to a request of ours when its days are what that request asked, `Handler.match`, else
  PG&E's daily push); refused, it was forged, and its other URLs are dropped unfetched.

Unproven notifications cost fetches before they are known, so they are rationed: at most
`UNSOLICITED_PER_DAY` of them are open or counted at any time over 24 hours, and one is counted
unless it turns out to answer a request of ours. Forged ones therefore cost at most that many
fetches a day (one each) and never take a solicited one's room. Where PG&E gives no label (its
exact form is unconfirmed), every answer is unproven: it still gets through at any rate as long as
nobody forges, and a forger can then delay data (never double it, spend more, clear a repair or
move the backfill on). Only the answer to a request settles it (`asked.py`): a notification
that answered nothing never clears a request's "notification missing" repair.

The rest keeps the webhook's answer immediate and the work bounded whatever arrives:

- a URL PG&E already notified (same `correlationID`, remembered for the last `_REMEMBERED`) is not
  fetched again (unless its fetch failed);
- one worker (started when URLs arrive, ending when none is left) fetches one URL at a time,
  solicited ones first, so a burst never opens parallel downloads;
- logs are bounded: a notification writes at most one record at info level or above, each kind of
  problem is logged once at warning level and then at debug level, and what the request sent
  (a host) is logged cut short and without control characters.
"""

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ...api.errors import ApiAuthError, ApiError
from ...api.pge import BulkResource, PgeClient, correlation_id
from ...const import LOGGER
from ...data import OpenPowerConfigEntry
from .asked import Asked

UNSOLICITED_PER_DAY: Final = 2
"""Unproven notifications fetched in any 24 hours (PG&E's daily push is one a day)."""
MAX_URLS: Final = 8
"""URLs taken from one notification (PG&E lists one per usage point)."""
_DAY: Final = timedelta(days=1)
_REMEMBERED: Final = 256
_LOGGED_CHARS: Final = 80


def printable(text: str) -> str:
    """Return `text` fit for a log line: control characters dropped, cut short."""
    kept = "".join(character for character in text[:1000] if character.isprintable())
    return kept if len(kept) <= _LOGGED_CHARS else f"{kept[:_LOGGED_CHARS]}…"


def origin_of(url: str) -> str:
    """Return the scheme and host of `url` for a log line (never its path or query)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "(malformed URL)"
    return printable(f"{parts.scheme}://{host or ''}")


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    """What the last notification listed and what became of its URLs."""

    received: datetime
    resources: int
    accepted: int
    duplicates: int
    refused: int
    """URLs that are not this entry's Bulk resource on the configured host."""
    dropped: int
    """URLs left out: over the limit of one notification, or of unproven ones a day."""
    solicited: bool = False
    """Whether it carried the label of a request of ours (it answers it)."""


@dataclass(eq=False, slots=True)
class Notice:
    """One accepted notification, until its URLs are fetched."""

    received: datetime
    urls: deque[str]
    answers: Asked | None
    """The request it answers: known on arrival (labelled) or once PG&E served it."""
    solicited: bool
    resource: BulkResource = BulkResource.USAGE
    """What its URLs answer (the path of its first URL, or the labelled request's resource)."""
    served: bool = False
    """PG&E answered 200 to one of its URLs: the notification is PG&E's."""
    failed: bool = False
    readings: list[datetime] = field(default_factory=list)
    """First and last reading start of each feed stored."""


class Handler(Protocol):
    """What the inbox asks of the requests' manager (`requests.PgeRequests`)."""

    def claim(self, label: str | None) -> Asked | None:
        """Return the waiting request `label` answers (it waits no more), None for none."""

    def match(self, notice: Notice) -> Asked | None:
        """Return the waiting request a served, unlabelled notification answers, if any."""

    def notified(self, info: NotificationInfo) -> None:
        """Note a notification."""

    def settled(self, notice: Notice) -> None:
        """Note that every URL of a notification was fetched (or dropped)."""

    async def async_process_feed(
        self, url: str, on_served: Callable[[], None]
    ) -> tuple[datetime, datetime] | None:
        """Fetch, store and summarize one feed; return its first and last reading start."""

    async def async_process_info(
        self, url: str, resource: BulkResource, on_served: Callable[[], None]
    ) -> None:
        """Fetch and keep a customer-information or DR-enrollment answer."""

    def fetch_refused(self) -> None:
        """PG&E refused a fetch with 403 (its authorization is read again)."""


class NotificationInbox:
    """Accepts notified URLs (validated, deduplicated, rationed) and fetches them one by one."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: PgeClient,
        bulk_id: str,
        handler: Handler,
    ) -> None:
        """Create the inbox of one entry; its worker starts when URLs arrive."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._bulk_id = bulk_id
        self._handler = handler
        self._solicited: deque[Notice] = deque()
        self._unproven: deque[Notice] = deque()
        self._current: Notice | None = None
        self._counted: deque[datetime] = deque()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._worker: asyncio.Task[None] | None = None
        self._logged: set[str] = set()
        self.closed = False
        self.fetched = 0
        self.failed = 0
        self.unsolicited_dropped = 0

    def log_once(self, key: str, level: int, message: str, *args: Any) -> None:
        """Log a problem at `level` the first time, at debug level afterwards.

        `key` names a kind of problem (a fixed word, never something from a request).
        """
        if key in self._logged:
            level = logging.DEBUG
        self._logged.add(key)
        LOGGER.log(level, message, *args)

    @callback
    def close(self) -> None:
        """Stop taking notifications (the entry unloads): nothing new starts."""
        self.closed = True
        self._solicited.clear()
        self._unproven.clear()

    def offer(
        self, urls: list[str], label: str | None = None
    ) -> NotificationInfo | None:
        """Take a notification's URLs (`label`: its transaction header); None once closed."""
        if self.closed:
            return None
        kept, refused, duplicates = self._screen(urls)
        now = dt_util.utcnow()
        dropped = max(len(kept) - MAX_URLS, 0)
        kept = kept[:MAX_URLS]
        asked = self._handler.claim(label) if kept else None
        if kept and asked is None and not self._room(now):
            dropped += len(kept)
            self.unsolicited_dropped += 1
            self.log_once(
                "unsolicited",
                logging.WARNING,
                "Ignored a PG&E notification that answers no request of ours: at most %d "
                "such notifications are fetched a day (the next request asks again)",
                UNSOLICITED_PER_DAY,
            )
            kept = []
        for url in kept:
            self._remember(url)
        if kept:
            notice = Notice(
                now,
                deque(kept),
                asked,
                solicited=asked is not None,
                resource=self._resource_of(kept[0], asked),
            )
            (self._solicited if asked is not None else self._unproven).append(notice)
        info = NotificationInfo(
            received=now,
            resources=len(urls),
            accepted=len(kept),
            duplicates=duplicates,
            refused=refused,
            dropped=dropped,
            solicited=asked is not None,
        )
        if kept or duplicates:
            self._handler.notified(info)
        if kept and (self._worker is None or self._worker.done()):
            self._worker = self._entry.async_create_background_task(
                self._hass, self._async_drain(), "openpower pge fetch"
            )
        return info

    def _screen(self, urls: Iterable[str]) -> tuple[list[str], int, int]:
        """Return the URLs worth fetching, and how many were refused or already notified."""
        kept: list[str] = []
        keys: set[str] = set()
        refused = duplicates = 0
        first_refused: str | None = None
        for url in urls:
            if not self._client.is_notified_resource(url, self._bulk_id):
                refused += 1
                first_refused = first_refused or url
                LOGGER.debug("Refused a notified resource on %s", origin_of(url))
            elif (key := correlation_id(url) or url) in self._seen or key in keys:
                duplicates += 1
            else:
                keys.add(key)
                kept.append(url)
        if first_refused is not None:
            self.log_once(
                "refused",
                logging.WARNING,
                "Ignored %d notified resources that are not this registration's data on the "
                "configured PG&E host (the first on %s)",
                refused,
                origin_of(first_refused),
            )
        return kept, refused, duplicates

    def _resource_of(self, url: str, asked: Asked | None) -> BulkResource:
        """Return what `url` answers: the labelled request's resource, else its path's."""
        if asked is not None:
            return asked.why.resource
        return self._client.notified_resource(url, self._bulk_id) or BulkResource.USAGE

    def _room(self, now: datetime) -> bool:
        """Whether one more unproven notification may be fetched (`UNSOLICITED_PER_DAY`)."""
        while self._counted and now - self._counted[0] >= _DAY:
            self._counted.popleft()
        current = self._current
        open_unproven = len(self._unproven) + (
            current is not None and not current.solicited
        )
        return len(self._counted) + open_unproven < UNSOLICITED_PER_DAY

    def _remember(self, url: str) -> None:
        self._seen[correlation_id(url) or url] = None
        while len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)

    @property
    def pending(self) -> int:
        """How many URLs wait to be fetched."""
        return sum(len(notice.urls) for notice in (*self._solicited, *self._unproven))

    @property
    def busy(self) -> bool:
        """Whether a fetch is running or waiting."""
        return bool(self._solicited or self._unproven) or (
            self._worker is not None and not self._worker.done()
        )

    def diagnostics(self) -> dict[str, Any]:
        """Return the counters and the unproven notifications counted today (never a URL)."""
        return {
            "pending": self.pending,
            "fetched": self.fetched,
            "failed": self.failed,
            "unsolicited_counted": len(self._counted),
            "unsolicited_dropped": self.unsolicited_dropped,
        }

    async def _async_drain(self) -> None:
        """Fetch until nothing is pending (the one worker; the entry's unload cancels it)."""
        while not self.closed and (self._solicited or self._unproven):
            lane = self._solicited or self._unproven
            notice = self._current = lane[0]
            await self._async_fetch_one(notice, notice.urls.popleft())
            if not notice.served and not notice.solicited and notice.failed:
                # Refused by PG&E: forged (or gone). Its other URLs cost nothing.
                notice.urls.clear()
            if not notice.urls:
                lane.popleft()
                self._settle(notice)
            self._current = None

    def _settle(self, notice: Notice) -> None:
        if notice.answers is None and notice.served:
            notice.answers = self._handler.match(notice)
        if notice.answers is None:
            self._counted.append(notice.received)
        self._handler.settled(notice)

    async def _async_fetch_one(self, notice: Notice, url: str) -> None:
        def on_served() -> None:
            notice.served = True

        found = None
        # A labelled answer is what its request asked, whatever PG&E's URL looks like.
        resource = self._resource_of(url, notice.answers if notice.solicited else None)
        try:
            if resource is BulkResource.USAGE:
                found = await self._handler.async_process_feed(url, on_served)
            else:
                await self._handler.async_process_info(url, resource, on_served)
        except ApiAuthError as err:
            self.failed += 1
            notice.failed = True
            # Its authorization is read again: revoked or expired, a repair says so; the
            # credentials refused, reauth starts.
            self.log_once(
                "fetch refused",
                logging.WARNING,
                "PG&E refused to serve notified data (its authorization is checked): %s",
                err,
            )
            self._handler.fetch_refused()
        except ApiError as err:
            self.failed += 1
            notice.failed = True
            # Not "seen" any more: PG&E notifying it again gets it fetched again.
            self._seen.pop(correlation_id(url) or url, None)
            self.log_once(
                f"fetch {type(err).__name__}",
                logging.WARNING,
                "Could not fetch notified PG&E data (it is asked again): %s",
                err,
            )
        except Exception:  # noqa: BLE001 — the worker must outlive any one feed
            self.failed += 1
            notice.failed = True
            LOGGER.exception("Unexpected error while processing PG&E data")
        else:
            self.fetched += 1
            notice.served = True
            if found is not None:
                notice.readings.extend(found)
