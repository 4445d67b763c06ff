"""The hot path: the inside of an IntervalBlock, from expat events to `IntervalReading`s.

Nearly every element of a feed is inside an IntervalBlock (8 per reading): `block_handlers` gathers
a block's raw numbers into rows, `ReadingMaker` turns rows into readings in one loop. Text between
elements inside an IntervalBlock must be whitespace (true of every feed seen): anything else there
is an error, never a wrong number.
"""

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ...errors import ApiResponseError
from .columns import Row
from .models import IntervalReading, ReadingType
from .reader import (
    COST,
    DURATION,
    INTERVAL,
    INTERVAL_BLOCK,
    INTERVAL_READING,
    QUALITY,
    READING_QUALITY,
    START,
    TIME_PERIOD,
    TOU,
    VALUE,
)
from .units import exponent_of, short

_NO_TIME: Final = timedelta(0)
_MAX_CACHED: Final = 4096
"""Distinct offsets and durations remembered across blocks (a day of 15-minute readings: 96)."""
_new_reading: Final = object.__new__
_READING_SLOTS: Final[tuple[Callable[[IntervalReading, Any], None], ...]] = tuple(
    IntervalReading.__dict__[field.name].__set__ for field in fields(IntervalReading)
)
"""Setters of IntervalReading's slots, in field order (the fast constructor)."""


def block_handlers(
    done: Callable[[int | None, int | None, list[Row]], None],
) -> tuple[Callable[[], None], Callable[[str], None], Callable[[str], None]]:
    """Expat handlers for the inside of an IntervalBlock: (begin, end, data).

    While in a block there is no start-element handler at all: the text of a leaf is what
    character data arrived since the previous end tag (one piece for a number, unless a chunk
    boundary or a line break splits it, hence `+=`), and each end tag stores it or commits what
    was gathered; `</IntervalBlock>` calls `done(start, duration, rows)`. The state is closure
    cells, the cheapest state there is in Python, and names are compared by identity: expat hands
    them out of our interning dict (`reader.Reader`).

    The price of having no start tags: text between elements inside a block must be whitespace (it
    is in every feed seen; PG&E's stray literal backslash-n sit between entries, where anything goes).
    Non-numeric junk there makes the next number malformed, an `ApiResponseError`.
    """
    text = ""
    start: int | None = None
    duration: int | None = None
    reading_start: int | None = None
    reading_duration: int | None = None
    value: int | None = None
    cost: int | None = None
    quality: int | None = None
    tou: int | None = None
    block_start: int | None = None
    block_duration: int | None = None
    rows: list[Row] = []
    append = rows.append

    def begin() -> None:
        nonlocal text, start, duration, value, cost, quality, tou
        nonlocal reading_start, reading_duration, block_start, block_duration
        nonlocal rows, append
        text = ""
        start = duration = value = cost = quality = tou = None
        reading_start = reading_duration = block_start = block_duration = None
        rows = []
        append = rows.append

    def data(chunk: str) -> None:
        nonlocal text
        text += chunk

    def end(name: str) -> None:
        nonlocal text, start, duration, value, cost, quality, tou
        nonlocal reading_start, reading_duration, block_start, block_duration
        if name is VALUE:
            value = int(text)
        elif name is START:
            start = int(text)
        elif name is DURATION:
            duration = int(text)
        elif name is TIME_PERIOD:
            reading_start, reading_duration = start, duration
        elif name is QUALITY:
            quality = int(text)
        elif name is READING_QUALITY:
            pass
        elif name is TOU:
            tou = int(text)
        elif name is INTERVAL_READING:
            if reading_start is None or reading_duration is None or value is None:
                raise ApiResponseError(
                    "ESPI feed: an IntervalReading lacks its timePeriod or value"
                )
            append((reading_start, reading_duration, value, cost, quality, tou))
            reading_start = reading_duration = start = duration = None
            value = cost = quality = tou = None
        elif name is COST:
            cost = int(text)
        elif name is INTERVAL:
            block_start, block_duration = start, duration
            start = duration = None
        elif name is INTERVAL_BLOCK:
            done(block_start, block_duration, rows)
        text = ""

    return begin, end, data


class ReadingMaker:
    """Turns a block's rows into readings, remembering the offsets and durations it met."""

    __slots__ = ("_durations", "_offsets")

    def __init__(self) -> None:
        """Start with nothing remembered."""
        self._offsets: dict[int, timedelta] = {}
        self._durations: dict[int, timedelta] = {}

    def readings(
        self, rows: Sequence[Row], reading_type: ReadingType
    ) -> tuple[IntervalReading, ...]:
        """Convert a block's raw rows: the one loop every reading goes through."""
        if not rows:
            return ()
        exponent = exponent_of(reading_type.uom, reading_type.power_of_ten_multiplier)
        divisor = 10**-exponent if exponent < 0 else 1
        multiplier = 10**exponent if exponent > 0 else 1
        offsets, durations = self._offsets, self._durations
        if len(offsets) > _MAX_CACHED or len(durations) > _MAX_CACHED:
            offsets.clear()
            durations.clear()
        new = _new_reading
        set_start, set_duration, set_value, set_cost, set_quality, set_tou = (
            _READING_SLOTS
        )
        out: list[IntervalReading] = []
        append = out.append
        # A start is the previous reading's end (one addition), else an offset from the first
        # start (a cached timedelta): both much cheaper than `datetime.fromtimestamp`.
        base = expected = rows[0][0]
        length = _NO_TIME
        last_duration: int | None = None
        try:
            base_time = time = datetime.fromtimestamp(base, UTC)
            for start, duration, value, cost, quality, tou in rows:
                if start != expected:
                    offset = offsets.get(start - base)
                    if offset is None:
                        offset = offsets[start - base] = timedelta(seconds=start - base)
                    time = base_time + offset
                if duration != last_duration:
                    if duration <= 0:
                        raise ApiResponseError(
                            "ESPI feed: an interval's duration is not positive"
                        )
                    length = durations.get(duration) or durations.setdefault(
                        duration, timedelta(seconds=duration)
                    )
                    last_duration = duration
                # IntervalReading(time, length, …) without the frozen dataclass's __init__
                # (six object.__setattr__ calls): a third of the cost of a reading.
                reading = new(IntervalReading)
                set_start(reading, time)
                set_duration(reading, length)
                set_value(reading, value * multiplier / divisor)
                set_cost(reading, None if cost is None else cost / 100000)
                set_quality(reading, quality)
                set_tou(reading, tou)
                append(reading)
                expected = start + duration
                time += length
        except (OverflowError, OSError, ValueError) as err:
            raise ApiResponseError(
                f"ESPI feed: a reading is out of range ({short(err)})"
            ) from None
        return tuple(out)
