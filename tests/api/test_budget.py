"""The request budget: a sliding window per limit, shared by concurrent callers."""

import asyncio
from datetime import UTC, datetime

import pytest

from custom_components.openpower.api.budget import RateLimit, RequestBudget
from custom_components.openpower.api.errors import ApiRateLimitedError


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Sleepers wake in time order, like the event loop's timers.
        target = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, target)


def _max_in_window(times: list[float], period: float) -> int:
    times = sorted(times)
    return max(
        sum(1 for t in times[i:] if t < first + period) for i, first in enumerate(times)
    )


async def test_200_concurrent_requests_never_exceed_the_limit() -> None:
    """50 per 300 s, 200 callers at once: no window ever holds more than 50."""
    clock = FakeClock()
    budget = RequestBudget((RateLimit(50, 300),), clock=clock, sleep=clock.sleep)
    sent: list[float] = []

    async def request() -> None:
        await budget.acquire()
        sent.append(clock())

    await asyncio.gather(*(request() for _ in range(200)))
    assert len(sent) == 200
    assert _max_in_window(sent, 300) == 50
    # The fourth batch goes out exactly when the first batch leaves the window, not later.
    assert max(sent) - min(sent) == pytest.approx(900)
    assert budget.requests == 200


async def test_several_limits_hold_together() -> None:
    """Enedis-style 5 per second and 20 per minute (scaled down): both hold."""
    clock = FakeClock()
    budget = RequestBudget(
        (RateLimit(5, 1), RateLimit(20, 60)), clock=clock, sleep=clock.sleep
    )
    sent: list[float] = []

    async def request() -> None:
        await budget.acquire()
        sent.append(clock())

    await asyncio.gather(*(request() for _ in range(45)))
    assert _max_in_window(sent, 1) <= 5
    assert _max_in_window(sent, 60) <= 20
    assert len(sent) == 45


async def test_a_token_bucket_would_let_twice_the_limit_through() -> None:
    """The window is sliding: after a full burst, nothing more until the burst ages out."""
    clock = FakeClock()
    budget = RequestBudget((RateLimit(3, 10),), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await budget.acquire()
    assert budget.remaining() == 0
    clock.now += 9.9
    with pytest.raises(ApiRateLimitedError) as err:
        await budget.acquire(max_wait=0)
    assert err.value.retry_after == pytest.approx(0.1)
    clock.now += 0.1
    assert budget.remaining() == 3
    await budget.acquire(max_wait=0)


async def test_max_wait_refuses_without_using_the_budget() -> None:
    """A caller that will not wait gets the time to wait, and uses nothing."""
    clock = FakeClock()
    budget = RequestBudget((RateLimit(1, 60),), clock=clock, sleep=clock.sleep)
    await budget.acquire()
    with pytest.raises(ApiRateLimitedError) as err:
        await budget.acquire(max_wait=30)
    assert err.value.retry_after == pytest.approx(60)
    clock.now += 60
    await budget.acquire(max_wait=0)
    assert budget.requests == 2


async def test_server_pause_holds_everyone() -> None:
    """A 429 pause applies to every caller, including those already waiting for a slot."""
    clock = FakeClock()
    budget = RequestBudget((RateLimit(1, 10),), clock=clock, sleep=clock.sleep)
    await budget.acquire()
    waiting = asyncio.ensure_future(budget.acquire())
    await asyncio.sleep(0)
    budget.pause_for(300, "the server answered 429")
    with pytest.raises(ApiRateLimitedError) as err:
        await waiting
    assert err.value.retry_after == pytest.approx(290)
    assert budget.remaining() == 0
    assert budget.paused_for() == pytest.approx(290)
    with pytest.raises(ApiRateLimitedError):
        await budget.acquire(max_wait=60)
    clock.now += 290
    assert budget.paused_for() == 0
    await budget.acquire(max_wait=0)


def test_invalid_limit() -> None:
    """A limit that lets nothing through is a programming error."""
    with pytest.raises(ValueError):
        RateLimit(0, 10)
    with pytest.raises(ValueError):
        RateLimit(1, 0)


class ManualClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for when, future in list(self._sleepers):
            if when <= self.now:
                self._sleepers.remove((when, future))
                future.set_result(None)
        for _ in range(10):
            await asyncio.sleep(0)


async def test_background_requests_leave_room_for_the_rest() -> None:
    """A backfill fills 80 % of the window; a price request still goes out at once."""
    clock = ManualClock()
    budget = RequestBudget((RateLimit(50, 300),), clock=clock, sleep=clock.sleep)
    sent: list[float] = []

    async def backfill() -> None:
        await budget.acquire(background=True)
        sent.append(clock())

    backfills = [asyncio.ensure_future(backfill()) for _ in range(60)]
    await clock.advance(0)
    assert len(sent) == 40
    await budget.acquire(max_wait=0)  # the user's request goes out at once
    assert budget.remaining() == 9
    await clock.advance(299)
    assert len(sent) == 40
    await clock.advance(1)
    assert len(sent) == 60
    await asyncio.gather(*backfills)
    assert _max_in_window(sent, 300) == 40


@pytest.mark.parametrize(
    ("seconds", "paused"),
    [(1e999, 0.0), (float("nan"), 0.0), (-5, 0.0), (0, 0.0), (86_400 * 365, 3600.0)],
)
def test_pause_is_bounded(seconds: float, paused: float) -> None:
    """A pause is finite, positive and at most an hour (the budget outlives a reload)."""
    clock = FakeClock()
    budget = RequestBudget((RateLimit(1, 10),), clock=clock, sleep=clock.sleep)
    budget.pause_for(seconds, "told so")
    assert budget.paused_for() == paused


def test_diagnostics_show_a_pause_in_force() -> None:
    """Each limit's use, and a pause: until when and why; nothing once it is over."""
    clock = FakeClock()
    budget = RequestBudget(
        (RateLimit(50, 300), RateLimit(1000, 3600)), clock=clock, sleep=clock.sleep
    )
    budget.pause_for(120, "amber answered 429")
    diagnostics = budget.diagnostics()
    assert diagnostics["limits"] == [
        {"count": 50, "period": 300, "used": 0},
        {"count": 1000, "period": 3600, "used": 0},
    ]
    assert diagnostics["pause_reason"] == "amber answered 429"
    until = datetime.fromisoformat(diagnostics["paused_until"])
    assert (until - datetime.now(UTC)).total_seconds() == pytest.approx(120, abs=5)
    clock.now += 121
    assert budget.diagnostics()["paused_until"] is None
    assert budget.diagnostics()["pause_reason"] is None


@pytest.mark.timeout(10)  # the old comparison looped forever, holding the event loop
async def test_a_full_window_ends_whatever_the_rounding() -> None:
    """(13436.424 + 43200) - 43200 rounds below 13436.424: the wait is still found."""
    budget = RequestBudget((RateLimit(1, 43200.0),), clock=lambda: 13436.424)
    await budget.acquire(max_wait=0)
    with pytest.raises(ApiRateLimitedError) as caught:
        await budget.acquire(max_wait=0)
    assert caught.value.retry_after == pytest.approx(43200.0)
