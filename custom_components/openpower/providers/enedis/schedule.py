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


def due(
    now: datetime,
    last_attempt: datetime | None,
    offset: timedelta,
    *,
    behind: bool = False,
) -> bool:
    """Whether an asking time has come since the last attempt.

    Today's asking times; yesterday's too when `behind` (a day before yesterday is missing:
    out long ago, it is worth asking at once). Otherwise, after midnight, yesterday's evening
    retry would ask for the day that has just ended, which Enedis publishes at 08:00 at the
    earliest. The first attempt is at once.
    """
    if last_attempt is None:
        return True
    today = now.astimezone(PARIS).date()
    days = (today - timedelta(days=1), today) if behind else (today,)
    passed = [slot for day in days for slot in _slots(day, offset) if slot <= now]
    return bool(passed) and last_attempt < max(passed)
