"""From a parsed ESPI feed to long-term statistics and the per-usage-point summary the sensors show.

`FeedCollector` receives the parser's IntervalBlocks (in the executor) and keeps one value per
(usage point, series, reading start): a reading sent twice (both notification resources, a
re-delivered day, a correction) replaces the earlier one instead of adding to it. The series are
then imported through `statistics.async_import`, one import per run of contiguous readings, so
that a day missing from a feed never overwrites stored hours with zeros.

Series and statistic ids (`openpower:pge_<usage point id>_<quantity>`):

| quantity | from | unit |
|---|---|---|
| `energy_consumption` (+ `energy_cost` when readings carry a cost) | electricity, flow 1 (delivered) | kWh |
| `energy_return` | electricity, flow 19 (received: solar export), positive | kWh |
| `gas_consumption` (+ `gas_cost`) | gas (uom 169) | thm |
| `bill` | UsageSummary `billLastPeriod`, at the billing period's start hour | currency |

Net readings (flow 4) and units Home Assistant has no energy unit for are skipped (counted in the
parse summary).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant

from ...api.pge import (
    FLOW_DELIVERED,
    FLOW_RECEIVED,
    UOM_THERM,
    UOM_WH,
    EspiFeed,
    IntervalBlock,
    UsageSummary,
)
from ...statistics import IntervalReading, StatisticSpec, async_import
from .const import PROVIDER

# PG&E serves California only: its days are Pacific days (the feeds' LocalTimeParameters say
# the same, -8 h with US DST rules).
PACIFIC: Final = ZoneInfo("America/Los_Angeles")
_HOUR: Final = timedelta(hours=1)


class Series(StrEnum):
    """The interval series a usage point can have."""

    CONSUMPTION = "energy_consumption"
    RETURN = "energy_return"
    GAS = "gas_consumption"


COST_QUANTITY: Final = {Series.CONSUMPTION: "energy_cost", Series.GAS: "gas_cost"}
BILL_QUANTITY: Final = "bill"
UNITS: Final = {
    Series.CONSUMPTION: UnitOfEnergy.KILO_WATT_HOUR,
    Series.RETURN: UnitOfEnergy.KILO_WATT_HOUR,
    Series.GAS: UnitOfEnergy.THERM,
}
_NAMES: Final = {
    Series.CONSUMPTION: "PG&E electricity consumption",
    Series.RETURN: "PG&E electricity returned to the grid",
    Series.GAS: "PG&E gas consumption",
}


def series_of(block: IntervalBlock) -> Series | None:
    """Return which series a block's readings belong to, None for what we do not import."""
    reading_type = block.reading_type
    if reading_type.uom == UOM_THERM:
        return Series.GAS
    if reading_type.uom != UOM_WH:
        return None
    if reading_type.flow_direction in (FLOW_DELIVERED, None):
        return Series.CONSUMPTION
    if reading_type.flow_direction == FLOW_RECEIVED:
        return Series.RETURN
    return None


def _spec(
    point: str, quantity: str, name: str, unit: str | None = None
) -> StatisticSpec:
    """Return a statistic of one usage point: energy in `unit`, money when `unit` is None."""
    return StatisticSpec(
        provider=PROVIDER,
        point=point,
        quantity=quantity,
        name=f"{name} {point}",
        unit=unit,
        unit_class="energy" if unit is not None else None,
    )


def statistic_spec(point: str, series: Series) -> StatisticSpec:
    """Return the statistic of one usage point's series."""
    return _spec(point, series.value, _NAMES[series], UNITS[series])


def cost_spec(point: str, series: Series) -> StatisticSpec | None:
    """Return the interval-cost statistic of a series (None: return has none)."""
    if (quantity := COST_QUANTITY.get(series)) is None:
        return None
    return _spec(point, quantity, f"{_NAMES[series]} cost")


def bill_spec(point: str) -> StatisticSpec:
    """Return the billed-amount statistic of a usage point."""
    return _spec(point, BILL_QUANTITY, "PG&E bill")


@dataclass(slots=True)
class _Values:
    """One series' readings, by start (epoch seconds): (duration s, value, cost)."""

    readings: dict[int, tuple[int, float, float | None]] = field(default_factory=dict)


class FeedCollector:
    """Collects a feed's readings by series, deduplicated by start (runs in the executor)."""

    def __init__(self) -> None:
        """Start empty."""
        self.series: dict[tuple[str, Series], _Values] = {}
        self.skipped_blocks = 0

    def on_block(self, block: IntervalBlock) -> None:
        """Keep the block's readings (the parser's callback)."""
        if (series := series_of(block)) is None:
            self.skipped_blocks += 1
            return
        point = block.usage_point.rstrip("/").rsplit("/", 1)[-1]
        values = self.series.setdefault((point, series), _Values()).readings
        for reading in block.readings:
            values[int(reading.start.timestamp())] = (
                int(reading.duration.total_seconds()),
                reading.value,
                reading.cost,
            )


def contiguous_runs(
    values: dict[int, tuple[int, float, float | None]],
) -> list[list[IntervalReading]]:
    """Return the readings sorted and cut where one does not start where the previous ended."""
    runs: list[list[IntervalReading]] = []
    run: list[IntervalReading] = []
    end: int | None = None
    for start in sorted(values):
        duration, value, cost = values[start]
        if end is not None and start != end:
            runs.append(run)
            run = []
        run.append(
            IntervalReading(
                start=datetime.fromtimestamp(start, UTC),
                duration=timedelta(seconds=duration),
                value=value,
                cost=cost,
            )
        )
        end = start + duration
    if run:
        runs.append(run)
    return runs


@dataclass(frozen=True, slots=True)
class PointSummary:
    """What the sensors of one usage point show (kept across restarts in the entry's store)."""

    point: str
    kind: str
    """"electricity" or "gas"."""
    latest_day: date | None = None
    latest_day_consumption: float | None = None
    latest_day_return: float | None = None
    newest_interval_end: datetime | None = None
    has_return: bool = False
    bill_amount: float | None = None
    bill_currency: str | None = None
    bill_period_start: datetime | None = None
    bill_period_end: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as stored (JSON)."""
        return {
            "point": self.point,
            "kind": self.kind,
            "latest_day": to_iso(self.latest_day),
            "latest_day_consumption": self.latest_day_consumption,
            "latest_day_return": self.latest_day_return,
            "newest_interval_end": to_iso(self.newest_interval_end),
            "has_return": self.has_return,
            "bill_amount": self.bill_amount,
            "bill_currency": self.bill_currency,
            "bill_period_start": to_iso(self.bill_period_start),
            "bill_period_end": to_iso(self.bill_period_end),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PointSummary:
        """Return a stored summary."""
        return cls(
            point=str(data["point"]),
            kind=str(data["kind"]),
            latest_day=_date(data.get("latest_day")),
            latest_day_consumption=data.get("latest_day_consumption"),
            latest_day_return=data.get("latest_day_return"),
            newest_interval_end=from_iso(data.get("newest_interval_end")),
            has_return=bool(data.get("has_return")),
            bill_amount=data.get("bill_amount"),
            bill_currency=data.get("bill_currency"),
            bill_period_start=from_iso(data.get("bill_period_start")),
            bill_period_end=from_iso(data.get("bill_period_end")),
        )


def to_iso(value: date | None) -> str | None:
    """Return a date or time as stored (ISO 8601), None as None."""
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def from_iso(value: str | None) -> datetime | None:
    """Return a stored (ISO 8601) time, None as None."""
    return datetime.fromisoformat(value) if value else None


def _day_total(values: dict[int, tuple[int, float, float | None]], day: date) -> float:
    start = datetime.combine(day, datetime.min.time(), PACIFIC).timestamp()
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), PACIFIC)
    return sum(
        value
        for when, (_, value, _) in values.items()
        if start <= when < end.timestamp()
    )


def _newest(
    values: dict[int, tuple[int, float, float | None]],
) -> tuple[date, datetime]:
    """Return the Pacific day of the newest reading and when that reading ends."""
    newest = max(values)
    ends = datetime.fromtimestamp(newest + values[newest][0], UTC)
    return datetime.fromtimestamp(newest, PACIFIC).date(), ends


def summarize(
    collector: FeedCollector,
    feed: EspiFeed,
    previous: dict[str, PointSummary],
) -> dict[str, PointSummary]:
    """Return the usage points' summaries updated with one feed (never moving back in time).

    A feed older than what is known (a backfill window, a correction) updates nothing shown:
    the sensors show the newest day and the newest bill ever received.
    """
    points = dict(previous)
    kinds = {
        point: "gas" if series is Series.GAS else "electricity"
        for point, series in collector.series
    }
    for point, kind in kinds.items():
        summary = points.get(point) or PointSummary(point=point, kind=kind)
        main = collector.series.get(
            (point, Series.GAS if kind == "gas" else Series.CONSUMPTION)
        )
        returned = collector.series.get((point, Series.RETURN))
        if returned is not None:
            summary = replace(summary, has_return=True)
        if main is not None and main.readings:
            day, ends = _newest(main.readings)
            if summary.latest_day is None or day >= summary.latest_day:
                summary = replace(
                    summary,
                    latest_day=day,
                    latest_day_consumption=_day_total(main.readings, day),
                    latest_day_return=_day_total(returned.readings, day)
                    if returned is not None
                    else summary.latest_day_return
                    if summary.latest_day == day
                    else None,
                    newest_interval_end=ends,
                )
        points[point] = summary
    for bill in feed.usage_summaries:
        point = (bill.usage_point or "").rstrip("/").rsplit("/", 1)[-1]
        if not point or bill.bill_last_period is None:
            continue
        if bill.billing_period_start is None or point not in points:
            continue
        summary = points[point]
        if (
            summary.bill_period_start is not None
            and bill.billing_period_start < summary.bill_period_start
        ):
            continue
        points[point] = replace(
            summary,
            bill_amount=bill.bill_last_period,
            bill_currency=bill.currency_code,
            bill_period_start=bill.billing_period_start,
            bill_period_end=bill.billing_period_start + bill.billing_period_duration
            if bill.billing_period_duration is not None
            else None,
        )
    return points


def _bill_readings(
    summaries: Iterable[UsageSummary],
) -> dict[str, list[IntervalReading]]:
    """Return each usage point's bills as readings at their billing period's start."""
    bills: dict[str, dict[datetime, IntervalReading]] = {}
    for bill in summaries:
        point = (bill.usage_point or "").rstrip("/").rsplit("/", 1)[-1]
        if not point or bill.bill_last_period is None:
            continue
        if bill.billing_period_start is None:
            continue
        duration = bill.billing_period_duration or _HOUR
        bills.setdefault(point, {})[bill.billing_period_start] = IntervalReading(
            start=bill.billing_period_start,
            duration=max(duration, _HOUR),
            value=bill.bill_last_period,
        )
    return {point: [by[start] for start in sorted(by)] for point, by in bills.items()}


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one feed added to the statistics (for diagnostics and tests)."""

    statistics: dict[str, int]
    """Hours written per statistic id."""
    readings: int
    first: datetime | None
    last: datetime | None


async def async_import_feed(
    hass: HomeAssistant, collector: FeedCollector, feed: EspiFeed
) -> ImportSummary:
    """Import a collected feed's series and bills into the statistics."""
    written: dict[str, int] = {}
    readings = 0
    first: datetime | None = None
    last: datetime | None = None
    for (point, series), values in sorted(collector.series.items()):
        spec = statistic_spec(point, series)
        costs = cost_spec(point, series)
        # A year of 15-minute readings is 35,040 objects to build: not in the event loop.
        runs = await hass.async_add_executor_job(contiguous_runs, values.readings)
        for run in runs:
            result = await async_import(hass, spec, run, cost_spec=costs)
            written[spec.statistic_id] = (
                written.get(spec.statistic_id, 0) + result.hours_written
            )
            readings += len(run)
            first = min(first, run[0].start) if first else run[0].start
            last = max(last, run[-1].start) if last else run[-1].start
    for point, bills in sorted(_bill_readings(feed.usage_summaries).items()):
        spec = bill_spec(point)
        result = await async_import(hass, spec, bills)
        written[spec.statistic_id] = result.hours_written
    return ImportSummary(written, readings, first, last)
