"""Asking PG&E for data, and what becomes of the feeds it notifies.

Data reaches us in three steps: we ask (`Batch/Bulk`, answered 202), PG&E POSTs a notification to
our webhook (`webhook.py`, queued by `inbox.py`), we fetch the listed feeds. `PgeRequests` owns
the asking and the answers, beside the small `PgeUsageCoordinator` that only holds the result for
the sensors (core's monzo shape: a manager owns the push side):

- **asking**: after setup (unless asked within `MIN_REQUEST_GAP`), every day at 18:17 UTC from
  `DAILY_OVERLAP` before the newest data, and on the `pge_request_data` action (`async_request`);
- **the backfill** of the first setup: the whole history, `backfill_window` at a time, oldest
  first, each window waiting for its notification (`_async_backfill`); a window whose
  notification does not come pauses the backfill until the next daily run;
- **a notification that does not come**: a repair issue after `NOTIFICATION_TIMEOUT`, cleared by
  the next notification bringing new data (`async_notified`);
- **each fetched feed**: parsed (`history.py`), imported into the statistics (`statistics.py`),
  summarized for the sensors (`async_process_feed`).

What the sensors show and what was asked are kept in the entry's store (`UsageStore`), so a
restart shows the last data at once and asks PG&E again only if the last request is old.
"""

import asyncio
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any, Final

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_utc_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.pge import PgeClient
from ...const import DOMAIN, LOGGER
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from . import const
from .coordinator import FeedInfo, PgeUsage, PgeUsageCoordinator
from .history import async_read_feed, summarize
from .inbox import NotificationInfo
from .statistics import async_import_feed
from .webhook import async_notification_url

_STORE_VERSION: Final = 1
_RECENT_FEEDS: Final = 4


class UsageStore:
    """The entry's stored `PgeUsage`: what the sensors show, what was asked, the backfill's place."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        account: DeviceRef,
        *,
        history_days: int,
    ) -> None:
        """Create the store of one registration; a new one backfills `history_days` days."""
        self._account = account
        self._history_days = history_days
        self._store: Store[dict[str, Any]] = Store(
            hass, _STORE_VERSION, f"{DOMAIN}.pge_{entry.entry_id}"
        )

    async def async_load(self) -> PgeUsage:
        """Return the stored state; a new registration's has its whole history to ask for."""
        stored = await self._store.async_load()
        if stored is None:
            first_day = dt_util.now(const.PACIFIC).date() - timedelta(
                days=self._history_days
            )
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
        *,
        backfill_window: timedelta,
    ) -> None:
        """Create the manager of one registration; `async_start` starts asking."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.bulk_id = bulk_id
        self.usage = usage
        self.backfill_window = backfill_window
        self._store = store
        self._requests = asyncio.Lock()
        self._idle = asyncio.Event()
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

    # ---- asking -------------------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Ask after setup (unless asked recently) and every day; check a pending notification."""
        entry = self.entry
        entry.async_on_unload(self._async_save_now)
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
        if (
            self.data.backfill_next is not None
            or last is None
            or dt_util.utcnow() - last >= const.MIN_REQUEST_GAP
        ):
            entry.async_create_background_task(
                self.hass, self.async_run_requests(), f"{entry.title} PG&E request"
            )

    @callback
    def _async_daily(self, _now: datetime) -> None:
        entry = self.entry
        entry.async_create_background_task(
            self.hass, self.async_run_requests(), f"{entry.title} PG&E daily request"
        )

    @property
    def requesting(self) -> bool:
        """Whether a request (or a backfill waiting for its notifications) is running."""
        return self._requests.locked()

    async def async_run_requests(self) -> None:
        """Continue the backfill if there is one, else ask for the days since the newest data."""
        async with self._requests:
            try:
                if self.data.backfill_next is not None:
                    await self._async_backfill()
                else:
                    await self.async_request(self._daily_start(), None)
            except Exception as err:  # noqa: BLE001 — a background job: log, retry tomorrow
                LOGGER.warning("PG&E data request failed (asked again later): %s", err)

    def _daily_start(self) -> datetime | None:
        ends = [
            point.newest_interval_end
            for point in self.data.points
            if point.newest_interval_end is not None
        ]
        return min(ends) - const.DAILY_OVERLAP if ends else None

    async def _async_backfill(self) -> None:
        """Ask for the history window by window, oldest first, each after the previous came."""
        while (start := self.data.backfill_next) is not None:
            now = dt_util.utcnow()
            end = min(start + self.backfill_window, now)
            self._idle.clear()
            if await self.async_request(start, end):
                try:
                    async with asyncio.timeout(
                        const.NOTIFICATION_TIMEOUT.total_seconds()
                    ):
                        await self._idle.wait()
                except TimeoutError:
                    # The repair issue explains; the next daily run resumes at this window.
                    LOGGER.info("PG&E backfill paused: no notification came")
                    return
            self._set(replace(self.data, backfill_next=None if end >= now else end))

    async def async_request(self, start: datetime | None, end: datetime | None) -> bool:
        """Ask PG&E for [start, end] (None: latest); True when a notification will follow."""
        coming = await self.client.async_request_bulk(self.bulk_id, start, end)
        now = dt_util.utcnow()
        self._set(
            replace(
                self.data,
                last_request=now,
                awaiting_since=(self.data.awaiting_since or now)
                if coming
                else self.data.awaiting_since,
            )
        )
        if coming:
            self._schedule_check(self.data.awaiting_since or now)
        return coming

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
    def async_notified(self, info: NotificationInfo) -> None:
        """Note a notification; one with new data means no request is waiting any more.

        A replayed or duplicated notification (nothing new in it) is recorded but settles
        nothing: the request it would answer may still be waiting.
        """
        if not info.accepted:
            self._set(replace(self.data, last_notification=info))
            return
        self._cancel_check()
        self.usage.async_set_issue(const.ISSUE_NOTIFICATION_MISSING, False)
        self._set(replace(self.data, last_notification=info, awaiting_since=None))

    @callback
    def async_inbox_idle(self) -> None:
        """Note that every notified feed so far has been processed."""
        self._idle.set()

    async def async_process_feed(self, url: str) -> None:
        """Fetch a notified feed, import it into the statistics, update the summary.

        Nothing is imported from a feed that turns out malformed (its blocks are collected and
        imported only after the whole document parsed).
        """
        read = await async_read_feed(self.hass, self.client, url)
        imported = await async_import_feed(self.hass, read.collector, read.feed)
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
