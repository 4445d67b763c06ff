"""Each channel's recent readings as Emporia gave them: signed kWh, kept three hours.

The power coordinator adds every minute it counts toward today (and, after a restart, the `1H`
windows it counts once); today's totals are summed from them, and the history coordinator prices
an hour whose 60 minutes are all here minute by minute.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from ...statistics import IntervalReading
from .devices import ChannelId

KEEP: Final = timedelta(hours=3)
"""Long enough for the two hours each history run reads, from minute 3 of the next hour."""

_MINUTE: Final = timedelta(minutes=1)
_MINUTES_PER_HOUR: Final = 60


class RecentReadings:
    """Signed readings (kWh) by channel and window start."""

    def __init__(self) -> None:
        """Start with none."""
        self._readings: dict[ChannelId, dict[datetime, IntervalReading]] = {}

    def add(self, key: ChannelId, reading: IntervalReading) -> None:
        """Keep a reading; one per window start (a stale answer repeats the same one)."""
        self._readings.setdefault(key, {})[reading.start] = reading

    def since(self, key: ChannelId, start: datetime) -> list[IntervalReading]:
        """Return a channel's readings that start at or after `start`."""
        return [r for r in self._readings.get(key, {}).values() if r.start >= start]

    def full_hours(
        self, key: ChannelId, hours: Iterable[datetime]
    ) -> list[IntervalReading]:
        """Return the one-minute readings of each of `hours` whose 60 minutes are all known."""
        readings = self._readings.get(key, {})
        found: list[IntervalReading] = []
        for hour in hours:
            minutes = [
                reading
                for offset in range(_MINUTES_PER_HOUR)
                if (reading := readings.get(hour + offset * _MINUTE)) is not None
                and reading.duration == _MINUTE
            ]
            if len(minutes) == _MINUTES_PER_HOUR:
                found += minutes
        return found

    def prune(self, now: datetime) -> None:
        """Forget readings that started more than `KEEP` before `now`."""
        for readings in self._readings.values():
            for start in [start for start in readings if start < now - KEEP]:
                del readings[start]
