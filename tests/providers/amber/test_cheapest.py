"""Choosing the cheapest intervals of a forecast (pure)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.openpower.providers.amber.cheapest import (
    cheapest_intervals,
    intervals_needed,
)

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


@dataclass(frozen=True)
class Interval:
    """A hand-made priced interval."""

    start: datetime
    end: datetime
    price: float


def _intervals(*prices: float, length: timedelta = FIVE) -> list[Interval]:
    return [
        Interval(START + i * length, START + (i + 1) * length, price)
        for i, price in enumerate(prices)
    ]


def _minutes(chosen: tuple[Interval, ...]) -> list[int]:
    """Each chosen interval's start, in minutes after START."""
    return [int((i.start - START) / timedelta(minutes=1)) for i in chosen]


NOW = START + timedelta(seconds=40)


def test_contiguous_window_with_the_lowest_total() -> None:
    """Three consecutive intervals whose sum is lowest, not the single cheapest interval."""
    intervals = _intervals(0.30, 0.05, 0.40, 0.40, 0.12, 0.11, 0.10, 0.30)
    choice = cheapest_intervals(intervals, now=NOW, duration=timedelta(minutes=15))
    assert _minutes(choice.intervals) == [20, 25, 30]
    assert choice.found
    assert choice.total_price == pytest.approx(0.33)
    assert choice.average_price == pytest.approx(0.11)
    assert choice.covers_deadline
    assert not choice.started


def test_not_contiguous_takes_the_cheapest_in_time_order() -> None:
    """The three cheapest intervals anywhere, returned in time order."""
    intervals = _intervals(0.30, 0.05, 0.40, 0.40, 0.12, 0.11, 0.10, 0.30)
    choice = cheapest_intervals(
        intervals, now=NOW, duration=timedelta(minutes=15), contiguous=False
    )
    assert _minutes(choice.intervals) == [5, 25, 30]
    assert choice.total_price == pytest.approx(0.26)
    assert choice.average_price == pytest.approx(0.26 / 3)


def test_ties_go_to_the_earliest() -> None:
    """Equal totals (or equal prices) choose the earliest."""
    intervals = _intervals(0.2, 0.1, 0.1, 0.3, 0.1, 0.1, 0.2)
    window = cheapest_intervals(intervals, now=NOW, duration=timedelta(minutes=10))
    assert _minutes(window.intervals) == [5, 10]
    spread = cheapest_intervals(
        _intervals(0.2, 0.1, 0.3, 0.1, 0.1),
        now=NOW,
        duration=timedelta(minutes=10),
        contiguous=False,
    )
    assert _minutes(spread.intervals) == [5, 15]


def test_ties_of_inexact_sums_go_to_the_earliest() -> None:
    """Windows of the same prices in another order tie exactly, whatever floats do."""
    intervals = _intervals(0.9, 0.1, 0.2, 0.3, 0.9, 0.3, 0.2, 0.1, 0.9)
    choice = cheapest_intervals(intervals, now=NOW, duration=timedelta(minutes=15))
    assert _minutes(choice.intervals) == [5, 10, 15]


def test_negative_prices_are_chosen_first() -> None:
    """Being paid to consume beats any positive price."""
    intervals = _intervals(0.01, 0.02, -0.05, -0.10, 0.00, 0.03)
    choice = cheapest_intervals(
        intervals, now=NOW, duration=timedelta(minutes=10), contiguous=False
    )
    assert _minutes(choice.intervals) == [10, 15]
    assert choice.total_price == pytest.approx(-0.15)
    window = cheapest_intervals(intervals, now=NOW, duration=timedelta(minutes=15))
    assert _minutes(window.intervals) == [10, 15, 20]
    assert window.average_price == pytest.approx(-0.05)


def test_max_price_excludes_intervals() -> None:
    """Only intervals at or below the maximum are eligible; a window may not span a gap."""
    intervals = _intervals(0.10, 0.25, 0.10, 0.12, 0.30, 0.05)
    choice = cheapest_intervals(
        intervals, now=NOW, duration=timedelta(minutes=10), max_price=0.12
    )
    assert _minutes(choice.intervals) == [10, 15]
    spread = cheapest_intervals(
        intervals,
        now=NOW,
        duration=timedelta(minutes=20),
        contiguous=False,
        max_price=0.12,
    )
    assert _minutes(spread.intervals) == [0, 10, 15, 25]


def test_too_few_eligible_intervals_find_nothing() -> None:
    """No partial set: the device would not run long enough."""
    intervals = _intervals(0.10, 0.25, 0.10, 0.30, 0.05)
    for contiguous in (True, False):
        choice = cheapest_intervals(
            intervals,
            now=NOW,
            duration=timedelta(minutes=10 if contiguous else 20),
            contiguous=contiguous,
            max_price=0.12,
        )
        assert not choice.found
        assert choice.intervals == ()
        assert choice.average_price is None
        assert choice.total_price == 0.0


def test_latest_end_limits_the_choice() -> None:
    """Only intervals ending by the latest end count."""
    intervals = _intervals(0.20, 0.15, 0.30, 0.10, 0.01)
    choice = cheapest_intervals(
        intervals,
        now=NOW,
        duration=timedelta(minutes=5),
        latest_end=START + timedelta(minutes=20),
    )
    assert _minutes(choice.intervals) == [15]
    assert choice.covers_deadline
    earlier = cheapest_intervals(
        intervals,
        now=NOW,
        duration=timedelta(minutes=5),
        latest_end=START + timedelta(minutes=18),
    )
    assert _minutes(earlier.intervals) == [5]


def test_deadline_beyond_the_forecast() -> None:
    """The choice is made on what the forecast has, and says it does not reach the deadline."""
    intervals = _intervals(0.20, 0.15, 0.30)
    choice = cheapest_intervals(
        intervals,
        now=NOW,
        duration=timedelta(minutes=5),
        latest_end=START + timedelta(hours=2),
    )
    assert _minutes(choice.intervals) == [5]
    assert not choice.covers_deadline


def test_duration_rounds_up_to_whole_intervals() -> None:
    """31 minutes of 30-minute intervals take two intervals; 5 minutes take one."""
    half_hour = timedelta(minutes=30)
    assert intervals_needed(timedelta(minutes=31), half_hour) == 2
    assert intervals_needed(timedelta(minutes=60), half_hour) == 2
    assert intervals_needed(timedelta(minutes=5), half_hour) == 1
    assert intervals_needed(timedelta(minutes=11), FIVE) == 3
    intervals = _intervals(0.3, 0.1, 0.1, 0.2, length=half_hour)
    choice = cheapest_intervals(intervals, now=NOW, duration=timedelta(minutes=31))
    assert _minutes(choice.intervals) == [30, 60]


def test_the_interval_under_way_counts_whole_and_is_flagged() -> None:
    """A started interval can be chosen; an ended one never is."""
    intervals = _intervals(0.01, 0.02, 0.30, 0.40)
    now = START + timedelta(minutes=5, seconds=40)
    choice = cheapest_intervals(intervals, now=now, duration=timedelta(minutes=5))
    assert _minutes(choice.intervals) == [5]
    assert choice.started
    assert choice.total_price == pytest.approx(0.02)


def test_nothing_upcoming() -> None:
    """A forecast that has entirely passed chooses nothing."""
    intervals = _intervals(0.1, 0.2)
    choice = cheapest_intervals(
        intervals, now=START + timedelta(hours=1), duration=timedelta(minutes=5)
    )
    assert not choice.found
    assert not choice.covers_deadline
