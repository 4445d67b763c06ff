"""Choose the cheapest intervals of an Amber forecast to run something in (pure, no Home Assistant).

The intervals are one import channel's, the current one first and then its forecasts, all of the
site's interval length. Prices are the user's (`price`: what they pay per kWh, AUD/kWh).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil, fsum
from typing import Protocol


class PricedInterval(Protocol):
    """What the choice reads of an interval (an `AmberPricePoint` is one)."""

    @property
    def start(self) -> datetime:
        """When the interval starts."""
        ...

    @property
    def end(self) -> datetime:
        """When the interval ends."""
        ...

    @property
    def price(self) -> float:
        """What the user pays per kWh in the interval."""
        ...


@dataclass(frozen=True, slots=True)
class CheapestChoice[P: PricedInterval]:
    """The chosen intervals, in time order; empty (and `found` False) when no choice fits.

    `started`: the first chosen interval is the one under way (see `cheapest_intervals`).
    `covers_deadline`: the forecast reaches the latest end, so no cheaper interval can be missing.
    """

    intervals: tuple[P, ...]
    covers_deadline: bool
    started: bool

    @property
    def found(self) -> bool:
        """Whether enough intervals were eligible."""
        return bool(self.intervals)

    @property
    def total_price(self) -> float:
        """The sum of the chosen intervals' prices (the cost of 1 kWh drawn in each)."""
        return fsum(interval.price for interval in self.intervals)

    @property
    def average_price(self) -> float | None:
        """The mean price per kWh, each interval weighing the same; None when nothing is chosen."""
        if not self.intervals:
            return None
        return self.total_price / len(self.intervals)


def intervals_needed(duration: timedelta, interval_length: timedelta) -> int:
    """Return how many whole intervals cover `duration` (rounded up)."""
    return max(1, ceil(duration / interval_length))


def cheapest_intervals[P: PricedInterval](
    intervals: Sequence[P],
    *,
    now: datetime,
    duration: timedelta,
    latest_end: datetime | None = None,
    contiguous: bool = True,
    max_price: float | None = None,
) -> CheapestChoice[P]:
    """Choose where to spend `duration` among `intervals`, ending by `latest_end`.

    `duration` is rounded up to whole intervals (N). Contiguous: the N consecutive intervals with
    the lowest total price; otherwise the N cheapest intervals, returned in time order. Ties go to
    the earliest. Only intervals ending by `latest_end` (default: the end of the forecast) and, with
    `max_price`, priced at most that are eligible; a contiguous window must be eligible throughout.
    Fewer eligible intervals than N choose nothing: a partial set would not run the device for long
    enough.

    The interval under way counts as a whole interval and is chosen like any other (flagged by
    `started`): a device started now still uses the rest of it, at that interval's price. Intervals
    that have already ended are ignored.
    """
    upcoming = [interval for interval in intervals if interval.end > now]
    if not upcoming:
        return CheapestChoice(intervals=(), covers_deadline=False, started=False)
    deadline = upcoming[-1].end if latest_end is None else latest_end
    covers_deadline = upcoming[-1].end >= deadline
    needed = intervals_needed(duration, upcoming[0].end - upcoming[0].start)
    eligible = [
        interval
        for interval in upcoming
        if interval.end <= deadline
        and (max_price is None or interval.price <= max_price)
    ]
    chosen = (
        _cheapest_window(eligible, needed)
        if contiguous
        else _cheapest_set(eligible, needed)
    )
    return CheapestChoice(
        intervals=chosen,
        covers_deadline=covers_deadline,
        started=bool(chosen) and chosen[0].start < now,
    )


def _cheapest_window[P: PricedInterval](
    eligible: list[P], needed: int
) -> tuple[P, ...]:
    best: tuple[P, ...] = ()
    best_total = 0.0
    for first in range(len(eligible) - needed + 1):
        window = eligible[first : first + needed]
        # A gap (an interval left out by the maximum price) breaks the window.
        if any(a.end != b.start for a, b in zip(window, window[1:], strict=False)):
            continue
        # fsum is exact, so windows of equal prices tie exactly and the earliest stays.
        total = fsum(interval.price for interval in window)
        if not best or total < best_total:
            best, best_total = tuple(window), total
    return best


def _cheapest_set[P: PricedInterval](eligible: list[P], needed: int) -> tuple[P, ...]:
    if len(eligible) < needed:
        return ()
    by_price = sorted(eligible, key=lambda interval: (interval.price, interval.start))
    return tuple(sorted(by_price[:needed], key=lambda interval: interval.start))
