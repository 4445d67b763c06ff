"""Client-side request budget shared by every caller of one provider account.

Each limit is "at most `count` requests in any `period` seconds", enforced with a sliding log of
request times. A token bucket of capacity N refilled at N per period lets up to 2N requests through
in one period (a full bucket, then its refill); the sliding log never does, which is what "never
more than 50 requests per 5 minutes" means. Callers are given send times in arrival order: a caller
reserves the earliest time that keeps every limit, then sleeps until then without holding the lock.

Background requests (history backfills) may only fill `background_share` of each limit, and only
take a send time when it is due, so that the requests a user is waiting for (current prices) always
find room and never queue behind a backfill.

The budget also follows what the server says (`RateLimit-Remaining`/`RateLimit-Reset`, a 429):
`pause_for` holds every caller until the server's window reopens, never longer than `MAX_PAUSE`
(the budget outlives a reload: a pause of years would outlive the entry), and remembers why for
diagnostics.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
import time
from typing import Any

from .errors import ApiRateLimitedError

MAX_PAUSE = 3600.0
"""Longest a server can hold an account's requests, in seconds."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` requests in any window of `period` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        """Reject limits that could never let a request through."""
        if self.count < 1 or self.period <= 0:
            raise ValueError(f"invalid rate limit {self.count}/{self.period}s")


class RequestBudget:
    """Paces requests so that every configured limit holds, under any number of concurrent callers."""

    def __init__(
        self,
        limits: tuple[RateLimit, ...],
        *,
        background_share: float = 0.8,
        clock: Callable[[], float] = lambda: time.monotonic(),  # noqa: PLW0108
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """Create an empty budget; `clock` and `sleep` are injectable for tests and benchmarks."""
        self.limits = limits
        self._background_caps = tuple(
            max(1, int(limit.count * background_share)) for limit in limits
        )
        self._clock = clock
        self._sleep = sleep
        self._sent: tuple[deque[float], ...] = tuple(deque() for _ in limits)
        self._paused_until = 0.0
        self._pause_reason: str | None = None
        self._lock = asyncio.Lock()
        self.requests = 0

    def _prune(self, now: float) -> None:
        for limit, sent in zip(self.limits, self._sent, strict=True):
            while sent and sent[0] <= now - limit.period:
                sent.popleft()

    def _earliest_slot(self, now: float, background: bool) -> float:
        """Return the earliest time, after every reservation, at which each limit holds."""
        caps = (
            self._background_caps
            if background
            else tuple(limit.count for limit in self.limits)
        )
        slot = max(now, self._paused_until, *(s[-1] for s in self._sent if s))
        moved = True
        while moved:
            moved = False
            for limit, cap, sent in zip(self.limits, caps, self._sent, strict=True):
                # The window (slot - period, slot] already holds `cap` requests when the
                # cap-th most recent one is inside it: wait until that one leaves. Compared
                # as `sent + period > slot`: `slot - period` can round below `sent` right
                # after `slot = sent + period`, and the loop would never end.
                if len(sent) >= cap and sent[-cap] + limit.period > slot:
                    slot = sent[-cap] + limit.period
                    moved = True
        return slot

    async def acquire(
        self, max_wait: float | None = None, *, background: bool = False
    ) -> None:
        """Wait for a send time that keeps every limit, then count the request.

        Raises ApiRateLimitedError, without using the budget, when that time is more than
        `max_wait` seconds away, or when the server paused the account meanwhile. A
        `background` request waits without reserving, then tries again.
        """
        while True:
            async with self._lock:
                now = self._clock()
                self._prune(now)
                slot = self._earliest_slot(now, background)
                wait = slot - now
                if max_wait is not None and wait > max_wait:
                    raise ApiRateLimitedError(
                        f"request budget exhausted for {wait:.0f} s", retry_after=wait
                    )
                if not background or wait <= 0:
                    for sent in self._sent:
                        sent.append(slot)
                    self.requests += 1
                    break
            await self._sleep(wait)
        if wait > 0:
            await self._sleep(wait)
        if (paused := self._paused_until - self._clock()) > 0:
            raise ApiRateLimitedError(
                f"rate limited by the server for {paused:.0f} s", retry_after=paused
            )

    def pause_for(self, seconds: float, reason: str) -> None:
        """Hold every caller for `seconds` from now (at most `MAX_PAUSE`), saying why."""
        if not math.isfinite(seconds) or seconds <= 0:
            return
        until = self._clock() + min(seconds, MAX_PAUSE)
        if until > self._paused_until:
            self._paused_until = until
            self._pause_reason = reason

    def remaining(self) -> int:
        """How many more requests the tightest limit allows in its current window."""
        now = self._clock()
        if self._paused_until > now:
            return 0
        self._prune(now)
        return min(
            limit.count - len(sent)
            for limit, sent in zip(self.limits, self._sent, strict=True)
        )

    def used(self) -> tuple[int, ...]:
        """How many requests each limit's current window holds (in the order of `limits`)."""
        self._prune(self._clock())
        return tuple(len(sent) for sent in self._sent)

    def paused_for(self) -> float:
        """Seconds left in a server-imposed pause (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    def diagnostics(self) -> dict[str, Any]:
        """Return what the budget holds: each limit's use, and a pause in force (until, why)."""
        paused = self.paused_for()
        return {
            "limits": [
                {"count": limit.count, "period": limit.period, "used": used}
                for limit, used in zip(self.limits, self.used(), strict=True)
            ],
            "requests": self.requests,
            "paused_until": (
                (datetime.now(UTC) + timedelta(seconds=paused)).isoformat()
                if paused
                else None
            ),
            "pause_reason": self._pause_reason if paused else None,
        }
