"""The raw numbers of an IntervalBlock, and the compact columns of one held back.

A block whose ReadingType, MeterReading or UsagePoint has not come yet is kept in six `array('q')`
columns (48 bytes a reading, no objects) until the missing entry arrives (`parser.py`). In PG&E's
feeds every block comes after its resources, so nothing is ever held back; the columns keep even a
feed in reverse order to a fraction of what a full tree costs.
"""

from array import array
from dataclasses import dataclass
from typing import Final, Self

type Row = tuple[int, int, int, int | None, int | None, int | None]
"""start, duration, value, cost, quality, tou: the raw numbers of one IntervalReading."""

_NONE: Final = -(1 << 63)
"""Stands for an absent optional number in the compact columns of a held-back block."""


@dataclass(slots=True)
class RawBlock:
    """An IntervalBlock as read: its interval and its rows."""

    start: int
    duration: int
    rows: list[Row]


@dataclass(slots=True)
class HeldBlock:
    """A block waiting for its MeterReading, ReadingType or UsagePoint, in compact columns."""

    self_href: str | None
    up_href: str | None
    start: int
    duration: int
    columns: tuple[array[int], ...] | list[Row]
    """Six int64 columns (absent numbers as `_NONE`), or the rows if a number does not fit."""

    @classmethod
    def of(cls, self_href: str | None, up_href: str | None, block: RawBlock) -> Self:
        """Hold `block` (of the entry with these links) in columns."""
        columns = tuple(array("q") for _ in range(6))
        try:
            for row in block.rows:
                for column, number in zip(columns, row, strict=True):
                    column.append(_NONE if number is None else number)
        except (
            OverflowError
        ):  # beyond 64 bits (ESPI numbers have 48): keep them as they are
            return cls(self_href, up_href, block.start, block.duration, block.rows)
        return cls(self_href, up_href, block.start, block.duration, columns)

    def rows(self) -> list[Row]:
        """Return the block's rows again."""
        if isinstance(self.columns, list):
            return self.columns
        starts, durations, values, costs, qualities, tous = self.columns
        return [
            (
                start,
                durations[index],
                values[index],
                None if costs[index] == _NONE else costs[index],
                None if qualities[index] == _NONE else qualities[index],
                None if tous[index] == _NONE else tous[index],
            )
            for index, start in enumerate(starts)
        ]
