"""When to ask Enedis for yesterday.

After publication (~08:00 Paris) with a per-meter jitter, and again in the afternoon and the
evening while it is not out; never twice for one asking time.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
import hashlib

from ...api.enedis import PARIS
from .const import MAX_JITTER, PUBLICATION, RETRIES


def jitter(seed: str, maximum: timedelta = MAX_JITTER) -> timedelta:
    """Return a stable offset in [0, maximum) for one meter (the same after every restart)."""
    if maximum <= timedelta(0):
        return timedelta(0)
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return timedelta(seconds=digest % int(maximum.total_seconds()))


def _slots(day: date, offset: timedelta) -> Iterable[datetime]:
    for moment in (PUBLICATION, *RETRIES):
        yield datetime.combine(day, moment, PARIS) + offset


def last_slot(now: datetime, offset: timedelta) -> datetime:
    """Return the latest asking time at or before `now` (yesterday's last one before 08:00)."""
    today = now.astimezone(PARIS).date()
    passed = [
        slot
        for day in (today - timedelta(days=1), today)
        for slot in _slots(day, offset)
        if slot <= now
    ]
    return max(passed)


def due(now: datetime, last_attempt: datetime | None, offset: timedelta) -> bool:
    """Whether an asking time has come since the last attempt."""
    return last_attempt is None or last_attempt < last_slot(now, offset)
