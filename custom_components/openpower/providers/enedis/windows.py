"""Request windows of the backfill: history limits, and finding where a meter's history starts.

Enedis refuses a whole request whose start is before the meter's commissioning (ADAM-ERR0123)
or its history depth (ADAM-ERR0125): the window that straddles that day would lose the days
after it. `async_from_limit` narrows such a window by halves to the earliest start Enedis
accepts (at most log2(365) ≈ 9 more requests, once per meter and kind).
"""

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from ...api.enedis import EnedisHistoryLimitError, EnedisNoDataError


def months_before(day: date, months: int) -> date:
    """Return the same day `months` earlier (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def window(end: date, days: int, limit: date) -> date | None:
    """Return the start of the window of `days` ending at `end`, not before `limit`; None if empty."""
    start = max(end - timedelta(days=days), limit)
    return start if start < end else None


async def async_from_limit[T](
    fetch: Callable[[date, date], Awaitable[list[T]]], start: date, end: date
) -> tuple[list[T], date, bool]:
    """Fetch [start, end); on a history limit, the part of it Enedis serves.

    Returns (readings, the start actually covered, whether the history's start was met).
    A range with nothing measured gives no readings (not an error).
    """
    try:
        return await fetch(start, end), start, False
    except EnedisNoDataError:
        return [], start, False
    except EnedisHistoryLimitError:
        pass
    refused, accepted = start, end
    found: list[T] = []
    while (accepted - refused).days > 1:
        middle = refused + (accepted - refused) // 2
        try:
            found = await fetch(middle, end)
        except EnedisHistoryLimitError:
            refused = middle
            continue
        except EnedisNoDataError:
            found = []
        accepted = middle
    return found, accepted, True
