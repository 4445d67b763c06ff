"""A cheap window: the cheapest intervals before a daily deadline, kept once they have started.

A "Cheap window" subentry asks for a duration, a latest end (a time of day, Home Assistant's
local time) and whether the intervals must follow each other. Its binary sensor is on during the
chosen intervals. The choice is made again at every price update, so a better forecast moves a
window that has not started; a started one is kept (a device that was switched on is not switched
off by a new forecast): a contiguous window until its end, a spread one until the interval under
way ends, after which only the duration still missing is chosen again. Once the duration has run,
nothing more is chosen before the deadline; the next day's deadline starts afresh.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .cheapest import (
    CheapestChoice,
    PricedInterval,
    cheapest_intervals,
    intervals_needed,
)
from .const import CONF_CONTIGUOUS, CONF_DURATION, CONF_LATEST_END


@dataclass(frozen=True, slots=True)
class CheapWindowSettings:
    """What a subentry asks for."""

    duration: timedelta
    latest_end: time
    contiguous: bool

    @classmethod
    def from_subentry(cls, data: Mapping[str, Any]) -> CheapWindowSettings:
        """Read a subentry's data (the time selector stores `HH:MM:SS`)."""
        return cls(
            duration=timedelta(minutes=data[CONF_DURATION]),
            latest_end=time.fromisoformat(data[CONF_LATEST_END]),
            contiguous=data[CONF_CONTIGUOUS],
        )


def next_deadline(now: datetime, latest_end: time) -> datetime:
    """Return today's `latest_end` in local time, or tomorrow's if it is not after `now`."""
    zone = dt_util.get_default_time_zone()
    today = now.astimezone(zone).date()
    deadline = datetime.combine(today, latest_end, zone)
    if deadline <= now:
        deadline = datetime.combine(today + timedelta(days=1), latest_end, zone)
    return deadline


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive chosen intervals: one run of the device."""

    start: datetime
    end: datetime
    average_price: float


class CheapWindowPlan[P: PricedInterval]:
    """The current choice of one cheap window, and how much of the duration has run."""

    def __init__(self, settings: CheapWindowSettings) -> None:
        """Start with nothing chosen."""
        self.settings = settings
        self.deadline: datetime | None = None
        self.choice: CheapestChoice[P] = CheapestChoice(
            intervals=(), covers_deadline=False, started=False
        )
        self._ran = 0

    def update(self, intervals: Sequence[P], now: datetime) -> None:
        """Choose again from `intervals` (the current one first), unless a started run is kept."""
        if self._under_way(now):
            return
        self._ran += sum(1 for interval in self.choice.intervals if interval.end <= now)
        deadline = next_deadline(now, self.settings.latest_end)
        if deadline != self.deadline:
            self.deadline = deadline
            self._ran = 0
        upcoming = [interval for interval in intervals if interval.end > now]
        if not upcoming:
            self.choice = CheapestChoice(
                intervals=(), covers_deadline=False, started=False
            )
            return
        length = upcoming[0].end - upcoming[0].start
        missing = intervals_needed(self.settings.duration, length) - self._ran
        if missing <= 0:
            self.choice = CheapestChoice(
                intervals=(),
                covers_deadline=upcoming[-1].end >= deadline,
                started=False,
            )
            return
        self.choice = cheapest_intervals(
            upcoming,
            now=now,
            duration=missing * length,
            latest_end=deadline,
            contiguous=self.settings.contiguous,
        )

    def _under_way(self, now: datetime) -> bool:
        chosen = self.choice.intervals
        if not chosen:
            return False
        if self.settings.contiguous:
            return chosen[0].start <= now < chosen[-1].end
        return self.is_on(now)

    def is_on(self, now: datetime) -> bool:
        """Whether a chosen interval is under way."""
        return any(i.start <= now < i.end for i in self.choice.intervals)

    def windows(self) -> list[Window]:
        """Return the chosen intervals grouped into runs of consecutive intervals."""
        runs: list[list[P]] = []
        for interval in self.choice.intervals:
            if runs and runs[-1][-1].end == interval.start:
                runs[-1].append(interval)
            else:
                runs.append([interval])
        return [
            Window(
                start=run[0].start,
                end=run[-1].end,
                average_price=sum(i.price for i in run) / len(run),
            )
            for run in runs
        ]

    def next_window(self, now: datetime) -> Window | None:
        """Return the window under way, or else the next one; None when nothing is left."""
        return next((w for w in self.windows() if w.end > now), None)

    def next_change(self, now: datetime) -> datetime | None:
        """When the state or the choice can next change without a price update."""
        moments = [
            moment
            for interval in self.choice.intervals
            for moment in (interval.start, interval.end)
            if moment > now
        ]
        if self.deadline is not None and self.deadline > now:
            moments.append(self.deadline)
        return min(moments, default=None)
