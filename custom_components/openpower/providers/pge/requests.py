"""Asking PG&E for data, and what becomes of the feeds it notifies.

Data reaches us in three steps: we ask (`Batch/Bulk`, answered 202), PG&E POSTs a notification to
our webhook (`webhook.py`, queued by `inbox.py`), we fetch the listed feeds. `PgeRequests` owns
the asking and the answers, beside the small `PgeUsageCoordinator` that only holds the result for
the sensors (core's monzo shape: a manager owns the push side):

- **asking**: after setup (unless asked within `MIN_REQUEST_GAP`), every day at 18:17 UTC from
  `DAILY_OVERLAP` before the newest data, and on the `pge_request_data` action (`async_request`);
- **what answers what**: every accepted request waits (`Asked`, `asked.py`) until the
  notification answering it comes, recognised by PG&E's transaction label (`claim`) or, without
  one, by PG&E serving its feeds for the days asked (`match`); `inbox.py` says why nothing else
  can tell a forged notification from PG&E's;
- **the daily request** starts `DAILY_OVERLAP` before each usage point's own newest data; a point
  without data for `DORMANT_AFTER` although PG&E answered for those days (a closed service) no
  longer widens it (`daily_start`);
- **the backfill** of the first setup: the whole history, `backfill_window` at a time, oldest
  first, each window waiting for the answer to its own request (`_async_backfill`): a window
  whose feeds could not all be stored is asked again (`BACKFILL_TRIES` tries, `retry_delays`
  apart), and only its own answer moves the backfill on; a window whose notification does not
  come, or that fails every try, pauses the backfill until the next daily run;
- **a notification that does not come**: a repair issue after `NOTIFICATION_TIMEOUT`, cleared
  only by the answer to a request of ours (`_answered`);
- **each fetched feed**: parsed (`history.py`), imported into the statistics (`statistics.py`),
  summarized for the sensors (`async_process_feed`).

What the sensors show and what was asked are kept in the entry's store (`UsageStore`), so a
restart shows the last data at once and asks PG&E again only if the last request is old.
"""

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any, Final

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_utc_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.errors import ApiError
from ...api.pge import BulkResource, PgeClient, Scope, parse_customer_feed
from ...const import DOMAIN, LOGGER
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from . import const
from .asked import Asked, Why
from .coordinator import FeedInfo, PgeUsage, PgeUsageCoordinator
from .customer import (
    MAX_MISSES,
    InfoRequest,
    Refusal,
    async_read_info,
    customer_info,
    programs_of,
)
from .history import PointSummary, async_read_feed, summarize
from .inbox import Notice, NotificationInbox, NotificationInfo
from .statistics import PgeCost, async_import_feed
from .webhook import async_notification_url

_STORE_VERSION: Final = 1
_RECENT_FEEDS: Final = 4
_REFUSALS: Final = {
    Refusal.FORBIDDEN: "PG&E refused it (403)",
    Refusal.NO_DATA: "PG&E has none for this registration (204)",
    Refusal.NOT_IN_SCOPE: "the authorization does not include it",
    Refusal.NO_ANSWER: f"PG&E accepted {MAX_MISSES} requests and notified none",
}


class UsageStore:
    """The entry's stored `PgeUsage`: what the sensors show, what was asked, the backfill's place."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        account: DeviceRef,
        *,
        history_days: int,
        published_start: datetime | None = None,
    ) -> None:
        """Create the store of one registration.

        A new one backfills `history_days` days, or from the day `published_start` (where the
        authorization's `publishedPeriod` starts, §1.14.6) when that is later: PG&E has
        nothing older to give this registration. A stored one goes on where it was.
        """
        self._account = account
        self._history_days = history_days
        self._published_start = published_start
        self._store: Store[dict[str, Any]] = Store(
            hass, _STORE_VERSION, f"{DOMAIN}.pge_{entry.entry_id}"
        )

    async def async_load(self) -> PgeUsage:
        """Return the stored state; a new registration's has its whole history to ask for."""
        stored = await self._store.async_load()
        if stored is None:
            today = dt_util.now(const.PACIFIC).date()
            first_day = today - timedelta(days=self._history_days)
            if self._published_start is not None:
                published = self._published_start.astimezone(const.PACIFIC).date()
                # Not past today: a start in the future still asks for the latest day.
                first_day = min(max(first_day, published), today)
            start = datetime.combine(first_day, time(), const.PACIFIC)
            return PgeUsage(account=self._account, points=(), backfill_next=start)
        return PgeUsage.from_dict(self._account, stored)

    @callback
    def async_save_later(self, data: PgeUsage) -> None:
        """Write `data` soon (changes in a burst are written once)."""
        self._store.async_delay_save(data.as_dict, 1)

    async def async_save(self, data: PgeUsage) -> None:
        """Write `data` now."""
        await self._store.async_save(data.as_dict())


def daily_start(
    points: Iterable[PointSummary], answered_through: datetime | None
) -> datetime | None:
    """Return where the daily request starts: `DAILY_OVERLAP` before each point's newest data.

    A point whose newest data is older than `DORMANT_AFTER` before the last day PG&E answered for
    (a closed service) has nothing more to come: it no longer decides the start (when every
    point is quiet, the start still stays within that much of PG&E's last answer).
    """
    ends = [point.newest_interval_end for point in points if point.newest_interval_end]
    if not ends:
        return None
    if answered_through is not None:
        quiet_before = answered_through - const.DORMANT_AFTER
        ends = [end for end in ends if end >= quiet_before] or [
            max(*ends, quiet_before)
        ]
    return min(ends) - const.DAILY_OVERLAP


class PgeRequests:
    """Asks PG&E for data and turns the feeds it notifies into statistics and sensor values."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: PgeClient,
        bulk_id: str,
        usage: PgeUsageCoordinator,
        store: UsageStore,
        cost: PgeCost,
        *,
        backfill_window: timedelta,
        retry_delays: tuple[float, ...],
        scope: Callable[[], Scope | None] = lambda: None,
        on_fetch_refused: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        """Create the manager of one registration (and its inbox); `async_start` starts asking.

        `scope` returns what PG&E's authorization lets this registration see (None: unknown);
        `on_fetch_refused` is called when PG&E refuses a notified fetch (403).
        """
        self.hass = hass
        self.entry = entry
        self.client = client
        self.bulk_id = bulk_id
        self.usage = usage
        self.cost = cost
        self.backfill_window = backfill_window
        self.retry_delays = retry_delays
        self._scope = scope
        self._on_fetch_refused = on_fetch_refused
        self.waiting: list[Asked] = []
        """Accepted requests whose notification has not come, oldest first."""
        self.inbox = NotificationInbox(hass, entry, client, bulk_id, self)
        self._store = store
        self._requests = asyncio.Lock()
        self._check_timer: CALLBACK_TYPE | None = None

    @property
    def data(self) -> PgeUsage:
        """The current state (the usage coordinator's data)."""
        return self.usage.data

    @callback
    def _set(self, data: PgeUsage) -> None:
        self.usage.async_set_updated_data(data)
        self._store.async_save_later(data)

    async def _async_save_now(self) -> None:
        """Write the state now: a reload must find the last request and the backfill's place."""
        await self._store.async_save(self.data)

    def diagnostics(self) -> dict[str, Any]:
        """Return the requests waiting for their notification (no label, no URL).

        The customer information, programs and info requests are in the usage data's dump.
        """
        return {"waiting": [asked.as_dict() for asked in self.waiting]}

    # ---- asking -------------------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Ask after setup (unless asked recently and answered) and every day."""
        entry = self.entry
        entry.async_on_unload(self._async_save_now)
        entry.async_on_unload(self.inbox.close)
        entry.async_on_unload(
            async_track_utc_time_change(
                self.hass,
                self._async_daily,
                hour=const.DAILY_REQUEST_HOUR_UTC,
                minute=const.DAILY_REQUEST_MINUTE_UTC,
                second=0,
            )
        )
        entry.async_on_unload(self._cancel_check)
        if self.data.awaiting_since is not None:
            self._schedule_check(self.data.awaiting_since)
        last = self.data.last_request
        # A request that waited before the restart cannot be recognised any more (what answers
        # it lived in memory): ask again rather than wait for an answer nobody would match.
        if (
            self.data.backfill_next is not None
            or self.data.awaiting_since is not None
            or last is None
            or dt_util.utcnow() - last >= const.MIN_REQUEST_GAP
        ):
            entry.async_create_background_task(
                self.hass, self.async_run_requests(), "openpower pge request"
            )

    @callback
    def _async_daily(self, _now: datetime) -> None:
        self.entry.async_create_background_task(
            self.hass, self.async_run_requests(), "openpower pge daily request"
        )

    @property
    def requesting(self) -> bool:
        """Whether a request (or a backfill waiting for its notifications) is running."""
        return self._requests.locked()

    async def async_run_requests(self) -> None:
        """Ask for the data, then for what is due of the customer information and DR enrollment.

        The data: the backfill if there is one, else the days since the newest data. The
        customer information comes after, so a first setup's devices (and their entity ids)
        are named before an address is known, whatever order the answers arrive in.
        """
        async with self._requests:
            try:
                if self.data.backfill_next is not None:
                    await self._async_backfill()
                else:
                    start = daily_start(self.data.points, self.data.answered_through)
                    await self._async_ask(start, None, Why.DAILY)
            except Exception as err:  # noqa: BLE001 — a background job: log, retry tomorrow
                LOGGER.warning("PG&E data request failed (asked again later): %s", err)
            for why in (Why.CUSTOMER, Why.PROGRAMS):
                try:
                    await self._async_ask_info(why)
                except ApiError as err:
                    LOGGER.warning(
                        "PG&E %s request failed (asked again later): %s", why.value, err
                    )

    async def _async_backfill(self) -> None:
        """Ask for the history window by window, oldest first, each once the previous is stored."""
        while (start := self.data.backfill_next) is not None:
            now = dt_util.utcnow()
            end = min(start + self.backfill_window, now)
            if not await self._async_backfill_window(start, end):
                return
            self._set(replace(self.data, backfill_next=None if end >= now else end))

    async def _async_backfill_window(self, start: datetime, end: datetime) -> bool:
        """Ask for one window until its feeds are stored; False: the backfill pauses here."""
        for attempt in range(const.BACKFILL_TRIES):
            if attempt:
                delays = self.retry_delays
                await asyncio.sleep(
                    delays[min(attempt, len(delays)) - 1] if delays else 0
                )
            asked = await self._async_ask(start, end, Why.BACKFILL)
            if asked is None:
                return True  # PG&E has nothing in the window (204)
            outcome = await self._async_outcome(asked)
            if outcome is None:
                # The repair issue explains; the next daily run resumes at this window.
                LOGGER.info("PG&E backfill paused: no notification came")
                return False
            if outcome:
                return True
            LOGGER.info(
                "PG&E backfill: the window from %s is asked again (try %d of %d)",
                start.date().isoformat(),
                attempt + 2,
                const.BACKFILL_TRIES,
            )
        LOGGER.warning(
            "PG&E backfill paused: the window from %s could not be stored after %d tries "
            "(asked again with the next daily request)",
            start.date().isoformat(),
            const.BACKFILL_TRIES,
        )
        return False

    async def _async_outcome(self, asked: Asked) -> bool | None:
        """Wait for the answer to `asked` to be stored: True, False (a feed failed), None (none)."""
        for _ in range(2):
            try:
                async with asyncio.timeout(const.NOTIFICATION_TIMEOUT.total_seconds()):
                    return await asyncio.shield(asked.outcome)
            except TimeoutError:
                if asked.answered is not None:
                    return await asked.outcome  # its feeds are being fetched
                if not self.inbox.busy:
                    return None
        return None

    async def async_request(self, start: datetime | None, end: datetime | None) -> bool:
        """Ask PG&E for [start, end] (None: latest) for the action; True when data will come."""
        return await self._async_ask(start, end, Why.ACTION) is not None

    async def _async_ask(
        self, start: datetime | None, end: datetime | None, why: Why
    ) -> Asked | None:
        """Ask PG&E for [start, end]; the request waiting for its notification, None for 204."""
        answer = await self.client.async_bulk_request(self.bulk_id, start, end)
        now = dt_util.utcnow()
        asked = None
        if answer.accepted:
            asked = Asked(why, start, end, now, answer.transaction)
            self.waiting.append(asked)
        self._set(
            replace(self.data, last_request=now, awaiting_since=self._oldest_waiting())
        )
        if asked is not None and self._check_timer is None:
            self._schedule_check(self.data.awaiting_since or now)
        return asked

    def _oldest_waiting(self) -> datetime | None:
        """When the oldest usage request still waiting was made.

        Only usage requests raise the "notification missing" repair: whether PG&E notifies
        the customer and DR answers at all for Self Access is unknown (`customer.py` stops
        asking after `MAX_MISSES` silent requests instead).
        """
        times = [
            asked.asked
            for asked in self.waiting
            if asked.why.resource is BulkResource.USAGE
        ]
        return min(times, default=None)

    # ---- customer information and DR enrollment ----------------------------------------------

    async def _async_ask_info(self, why: Why) -> None:
        """Ask for `why`'s resource when due (`InfoRequest.due`); remember a refusal."""
        resource = why.resource
        record = self.data.info_request(resource)
        scope = self._scope()
        now = dt_util.utcnow()
        if not record.due(now, scope):
            return
        if (
            resource is BulkResource.CUSTOMER
            and scope is not None
            and not scope.customer_information
        ):
            self._refuse(record, Refusal.NOT_IN_SCOPE, scope)
            return
        record = record.asking(now)
        if record.misses >= MAX_MISSES:
            self._refuse(record, Refusal.NO_ANSWER, scope)
            return
        self._set(self.data.with_info_request(record))
        answer = await self.client.async_bulk_request(self.bulk_id, resource=resource)
        if answer.accepted:
            self.waiting.append(Asked(why, None, None, now, answer.transaction))
            return
        self._refuse(
            record, Refusal.FORBIDDEN if answer.refused else Refusal.NO_DATA, scope
        )

    @callback
    def _refuse(self, record: InfoRequest, why: Refusal, scope: Scope | None) -> None:
        """Remember that `record`'s resource is not asked again until the scope changes."""
        LOGGER.info(
            "PG&E %s: %s; not asked again until the authorization changes",
            "customer information"
            if record.resource is BulkResource.CUSTOMER
            else "demand-response enrollment",
            _REFUSALS[why],
        )
        self._set(self.data.with_info_request(record.refusing(why, scope)))

    async def async_process_info(
        self,
        url: str,
        resource: BulkResource,
        on_served: Callable[[], None] | None = None,
    ) -> None:
        """Fetch a notified customer or DR answer and keep what the devices and sensors show.

        A malformed answer raises (the inbox logs it once) and the previous information stays.
        """
        body = await async_read_info(self.client, url, on_served)
        feed = await self.hass.async_add_executor_job(parse_customer_feed, body)
        now = dt_util.utcnow()
        points = {
            point
            for found in (feed.agreements, feed.locations, feed.meters, feed.programs)
            for point in (item.usage_point_id for item in found)
            if point
        }
        data = self.data
        if resource is BulkResource.CUSTOMER:
            data = replace(data, customer=customer_info(feed, points, now))
        else:
            data = replace(data, programs=programs_of(feed, points))
        record = data.info_request(resource)
        self._set(data.with_info_request(replace(record, answered=now, misses=0)))

    @callback
    def fetch_refused(self) -> None:
        """PG&E refused a notified fetch: its authorization is read again."""
        if self._on_fetch_refused is not None:
            self.entry.async_create_background_task(
                self.hass, self._on_fetch_refused(), "openpower pge authorization check"
            )

    # ---- a notification that does not come ----------------------------------------------------

    @callback
    def _schedule_check(self, since: datetime) -> None:
        self._cancel_check()
        due = since + const.NOTIFICATION_TIMEOUT - dt_util.utcnow()
        self._check_timer = async_call_later(
            self.hass, max(due.total_seconds(), 0), self._async_check_notification
        )

    @callback
    def _cancel_check(self) -> None:
        if self._check_timer is not None:
            self._check_timer()
            self._check_timer = None

    async def _async_check_notification(self, _now: datetime) -> None:
        self._check_timer = None
        if self.data.awaiting_since is None:
            return
        url = await async_notification_url(self.hass, self.entry.data[CONF_WEBHOOK_ID])
        self.usage.async_set_issue(
            const.ISSUE_NOTIFICATION_MISSING,
            True,
            placeholders={
                "url": url or "-",
                "minutes": str(int(const.NOTIFICATION_TIMEOUT.total_seconds() // 60)),
            },
        )

    # ---- what the inbox reports -----------------------------------------------------------------

    @callback
    def claim(self, label: str | None) -> Asked | None:
        """Return the waiting request whose transaction label a notification carries."""
        if label is None:
            return None
        for asked in self.waiting:
            if asked.transaction == label:
                self._answered(asked)
                return asked
        return None

    @callback
    def match(self, notice: Notice) -> Asked | None:
        """Return the waiting request a served notification's readings answer, newest first.

        Only requests made before the notification came, and (when it stored readings) whose
        days hold them: PG&E's daily push of the latest day does not answer a backfill window.
        """
        now = dt_util.utcnow()
        first = min(notice.readings, default=None)
        last = max(notice.readings, default=None)
        for asked in reversed(self.waiting):
            if (
                asked.why.resource is notice.resource
                and asked.asked <= notice.received
                and asked.covers(first, last, now)
            ):
                self._answered(asked)
                return asked
        return None

    @callback
    def _answered(self, asked: Asked) -> None:
        """`asked` has its answer: it waits no more, nor do those it makes moot.

        The notification came, so the URL works: the repair is cleared. A request made before
        it for the same purpose (asked again) or past the timeout is lost: it waits no more
        (the next request asks again).
        """
        now = dt_util.utcnow()
        asked.answered = now
        overdue = now - const.NOTIFICATION_TIMEOUT
        lost = [
            other
            for other in self.waiting
            if other is not asked
            and other.asked <= asked.asked
            and (other.why is asked.why or other.asked <= overdue)
        ]
        for other in lost:
            other.settle(False)
        self.waiting = [
            other for other in self.waiting if other is not asked and other not in lost
        ]
        self._cancel_check()
        self.usage.async_set_issue(const.ISSUE_NOTIFICATION_MISSING, False)
        if (oldest := self._oldest_waiting()) is not None:
            self._schedule_check(oldest)
        self._set(replace(self.data, awaiting_since=oldest))

    @callback
    def notified(self, info: NotificationInfo) -> None:
        """Note the last notification (what answers a request is `claim` and `match`'s)."""
        self._set(replace(self.data, last_notification=info))

    @callback
    def settled(self, notice: Notice) -> None:
        """Note that a notification's feeds were fetched: its request has its outcome."""
        asked = notice.answers
        if asked is None:
            return
        ok = not notice.failed
        asked.settle(ok)
        if ok and asked.why.resource is BulkResource.USAGE:
            through = min(asked.end or asked.asked, asked.asked)
            known = self.data.answered_through
            if known is None or through > known:
                self._set(replace(self.data, answered_through=through))

    async def async_process_feed(
        self, url: str, on_served: Callable[[], None] | None = None
    ) -> tuple[datetime, datetime] | None:
        """Fetch a notified feed, import it into the statistics, update the summary.

        Nothing is imported from a feed that turns out malformed (its blocks are collected and
        imported only after the whole document parsed). Returns the first and last reading
        start imported (None: no reading).
        """
        read = await async_read_feed(self.hass, self.client, url, on_served)
        imported = await async_import_feed(
            self.hass, read.collector, read.feed, self.cost
        )
        # Summing the newest day walks every reading of the feed: in the executor too.
        # (One feed at a time: nothing else changes the points meanwhile.)
        points = await self.hass.async_add_executor_job(
            summarize,
            read.collector,
            read.feed,
            {point.point: point for point in self.data.points},
        )
        self._set(
            replace(
                self.data,
                points=tuple(points.values()),
                recent_feeds=(
                    *self.data.recent_feeds[-(_RECENT_FEEDS - 1) :],
                    FeedInfo(
                        fetched=dt_util.utcnow(),
                        bytes=read.size,
                        blocks=read.feed.block_count,
                        readings=read.feed.reading_count,
                        usage_points=len(read.feed.usage_points),
                        bills=len(read.feed.usage_summaries),
                        skipped_blocks=read.collector.skipped_blocks,
                        statistics=len(imported.statistics),
                        hours_written=sum(imported.statistics.values()),
                        first=imported.first,
                        last=imported.last,
                    ),
                ),
            )
        )
        if imported.first is None or imported.last is None:
            return None
        return imported.first, imported.last
