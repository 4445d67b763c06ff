"""An Amber site's prices as a price table for other entries' cost statistics.

What the site charged (general channel) and paid (feed-in) per interval, as the user counts them
(`user_per_kwh`). The price coordinator records every answer; a range it did not see is read
from `/prices` (whole NEM dates, up to 7 per request, patient), and kept while it is in use. An
interval known only as an estimate or a forecast is replaced by its confirmed price when one
arrives, and then the listeners (the pricers waiting to price those hours again) are called.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from ...api.amber import AmberClient, ChannelType, IntervalKind, PriceInterval
from ...api.errors import ApiError
from ...const import LOGGER
from ...pricing import Direction, PriceSpan
from .coordinator import NEM_OFFSET, AmberPrices, AmberSiteCoordinator, nem_today

_CHANNELS: Final = {
    Direction.IMPORT: ChannelType.GENERAL,
    Direction.EXPORT: ChannelType.FEED_IN,
}
_MAX_DATES: Final = 7
REFETCH_AFTER: Final = timedelta(minutes=5)
"""A date not over yet is read again at most this often."""
KEEP: Final = timedelta(days=2)
"""Intervals older than this are dropped once no import has asked for them for an hour."""
_IN_USE: Final = timedelta(hours=1)


def _nem_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - NEM_OFFSET


class AmberPriceBook:
    """The prices of one Amber site, by channel and interval start."""

    def __init__(self, client: AmberClient, site: AmberSiteCoordinator) -> None:
        """Start empty; the price coordinator and `/prices` fill it."""
        self.client = client
        self.site = site
        self._spans: dict[ChannelType, dict[datetime, PriceSpan]] = {}
        self._read_at: dict[date, datetime] = {}
        self._failed_at: datetime | None = None
        self._listeners: list[Callable[[], None]] = []

    def prices_direction(self, direction: Direction) -> bool:
        """Whether the site has the channel that prices energy going that way."""
        wanted = _CHANNELS[direction]
        return any(channel.type is wanted for channel in self.site.data.channels)

    @callback
    def async_listen(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` whenever a confirmed price replaces an estimate."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_record_prices(self, prices: AmberPrices | None) -> None:
        """Keep what the price coordinator holds: the current interval and the forecast."""
        if prices is None:
            return
        self._record(
            (
                channel,
                point.start,
                point.end,
                point.per_kwh,
                point.estimate is not False,
            )
            for channel, found in prices.channels.items()
            for point in (found.current, *found.forecasts)
        )

    @callback
    def _record_intervals(self, intervals: Iterable[PriceInterval]) -> None:
        self._record(
            (
                interval.channel,
                interval.start,
                interval.end,
                interval.user_per_kwh,
                interval.kind is not IntervalKind.ACTUAL
                and interval.estimate is not False,
            )
            for interval in intervals
        )

    @callback
    def _record(
        self, items: Iterable[tuple[ChannelType, datetime, datetime, float, bool]]
    ) -> None:
        """Keep prices; a confirmed one replaces an estimate, never the reverse."""
        settled = False
        for channel, start, end, price, estimate in items:
            if channel not in _CHANNELS.values():
                continue
            spans = self._spans.setdefault(channel, {})
            old = spans.get(start)
            if old is not None and not old.estimate and estimate:
                continue
            settled = settled or bool(old is not None and old.estimate and not estimate)
            spans[start] = PriceSpan(start, end, price, estimate)
        self._prune(dt_util.utcnow())
        if settled:
            for listener in list(self._listeners):
                listener()

    async def async_prices(
        self, direction: Direction, start: datetime, end: datetime
    ) -> list[PriceSpan]:
        """Return the spans of [start, end) on the direction's channel, read when missing."""
        channel = _CHANNELS[direction]
        now = dt_util.utcnow()
        # After a failed read, every pricer's import would ask again at once (each one a
        # patient request, retried): wait as for a date not over yet.
        failed = self._failed_at is not None and now - self._failed_at < REFETCH_AFTER
        missing = [
            day
            for day in ([] if failed else self._dates(start, min(end, now)))
            if not self._covered(channel, day, now)
            and (
                (read := self._read_at.get(day)) is None
                or (
                    _nem_start(day + timedelta(days=1)) > read
                    and now - read >= REFETCH_AFTER
                )
            )
        ]
        for first, last in _date_runs(missing):
            try:
                intervals = await self.client.async_get_prices(
                    self.site.data.id,
                    first,
                    last,
                    resolution=self.site.data.interval_minutes,
                )
            except ApiError as err:
                # The hours stay unpriced and are priced when the pricer tries again.
                LOGGER.debug("Amber prices of %s to %s not read: %s", first, last, err)
                self._failed_at = now
                break
            self._failed_at = None
            for day in _days(first, last):
                self._read_at[day] = now
            self._record_intervals(intervals)
        spans = self._spans.get(channel, {})
        return sorted(
            (span for span in spans.values() if span.start < end and span.end > start),
            key=lambda span: span.start,
        )

    def _covered(self, channel: ChannelType, day: date, now: datetime) -> bool:
        """Whether every interval of a NEM date up to now is known with a confirmed price."""
        step = timedelta(minutes=self.site.data.interval_minutes)
        spans = self._spans.get(channel, {})
        moment = _nem_start(day)
        end = min(_nem_start(day + timedelta(days=1)), now)
        while moment + step <= end:
            if (span := spans.get(moment)) is None or span.estimate:
                return False
            moment += step
        return True

    @staticmethod
    def _dates(start: datetime, end: datetime) -> list[date]:
        if end <= start:
            return []
        return _days(nem_today(start), nem_today(end - timedelta(microseconds=1)))

    def _prune(self, now: datetime) -> None:
        """Drop old intervals no import asked for in the last hour."""
        if any(now - read < _IN_USE for read in self._read_at.values()):
            return
        self._read_at.clear()
        for spans in self._spans.values():
            for start in [
                start for start, span in spans.items() if span.end < now - KEEP
            ]:
                del spans[start]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _date_runs(days: list[date]) -> list[tuple[date, date]]:
    """Group dates into runs of consecutive dates, at most 7 per run."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if (
            runs
            and (day - runs[-1][1]).days == 1
            and (day - runs[-1][0]).days < _MAX_DATES
        ):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
