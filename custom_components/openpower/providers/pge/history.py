"""From an ESPI feed to readings, and to the per-usage-point summary the sensors show.

`async_read_feed` streams a notified feed through the parser (in the executor) into a
`FeedCollector`. The collector keeps each MeterReading's readings apart, by reading type, one
value per reading start: a reading sent twice (a re-delivered day, a DST day in two blocks)
replaces the earlier one instead of adding to it. Once the feed is parsed, `FeedCollector.finish`
makes one series per usage point and quantity (`series_of`):

- MeterReadings of the same reading type are different meters of one service agreement (PG&E
  Release 4.0): their readings add up, none overwrites another;
- where a quantity has readings of several lengths for the same time (hourly and daily, 15-minute
  and hourly), the shortest win there: a daily total beside its hours would count the day twice;
- cumulative readings (an `accumulationBehaviour` other than delta data) are register values,
  not quantities over an interval: they are skipped, as are net readings (flow 4) and units Home
  Assistant has no energy unit for (all counted in `skipped_blocks`).

`contiguous_runs` and `bill_readings` turn the series into the readings `statistics.py` imports;
`summarize` into what the sensors show, the feed's UsageSummaries included (`bills_of`).
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import HomeAssistant

from ...api.pge import (
    FLOW_DELIVERED,
    FLOW_RECEIVED,
    UOM_THERM,
    UOM_WH,
    CostDetail,
    EspiFeed,
    EspiParser,
    IntervalBlock,
    PgeClient,
    Quantity,
    UsageSummary,
)
from ...statistics import IntervalReading
from .const import PACIFIC

_HOUR: Final = timedelta(hours=1)
_DELTA_DATA: Final = 4
"""ESPI `accumulationBehaviour` of interval quantities (each reading: its interval's energy)."""
_ENERGY_UNITS: Final = frozenset({"kWh", "thm"})
"""The units a summary's consumption is shown in: the parser's, as for readings (`units.py`)."""

type Reading = tuple[int, float, float | None]
"""A reading as collected: (duration s, value, cost)."""


class Series(StrEnum):
    """The interval series a usage point can have."""

    CONSUMPTION = "energy_consumption"
    RETURN = "energy_return"
    GAS = "gas_consumption"


def series_of(block: IntervalBlock) -> Series | None:
    """Return which series a block's readings belong to, None for what we do not import."""
    reading_type = block.reading_type
    if reading_type.accumulation_behaviour not in (None, _DELTA_DATA):
        return None
    if reading_type.uom == UOM_THERM:
        return Series.GAS
    if reading_type.uom != UOM_WH:
        return None
    if reading_type.flow_direction in (FLOW_DELIVERED, None):
        return Series.CONSUMPTION
    if reading_type.flow_direction == FLOW_RECEIVED:
        return Series.RETURN
    return None


@dataclass(slots=True)
class _Values:
    """One series' readings, by start (epoch seconds)."""

    readings: dict[int, Reading] = field(default_factory=dict)


@dataclass(slots=True)
class _Group:
    """One MeterReading's readings of one reading type, by start (epoch seconds)."""

    step: int
    """The reading type's interval length in seconds (0: not sent)."""
    readings: dict[int, Reading] = field(default_factory=dict)


class FeedCollector:
    """Collects a feed's readings by meter and reading type, then by series (in the executor)."""

    def __init__(self) -> None:
        """Start empty."""
        self._groups: dict[tuple[str, Series, str, str], _Group] = {}
        self.series: dict[tuple[str, Series], _Values] = {}
        """One per usage point and quantity, filled by `finish`."""
        self.skipped_blocks = 0

    def on_block(self, block: IntervalBlock) -> None:
        """Keep the block's readings (the parser's callback)."""
        if (series := series_of(block)) is None:
            self.skipped_blocks += 1
            return
        reading_type = block.reading_type
        key = (
            point_id(block.usage_point),
            series,
            block.meter_reading,
            reading_type.href,
        )
        step = reading_type.interval_length
        group = self._groups.setdefault(
            key, _Group(int(step.total_seconds()) if step else 0)
        )
        values = group.readings
        for reading in block.readings:
            values[int(reading.start.timestamp())] = (
                int(reading.duration.total_seconds()),
                reading.value,
                reading.cost,
            )

    def finish(self) -> None:
        """Make the series: meters added up, the shortest readings where lengths overlap."""
        by_series: dict[tuple[str, Series], list[_Group]] = {}
        for (point, series, _meter, _type), group in self._groups.items():
            if group.readings:
                by_series.setdefault((point, series), []).append(group)
        self.series = {
            key: _Values(_combine(groups)) for key, groups in by_series.items()
        }


def _combine(groups: list[_Group]) -> dict[int, Reading]:
    """Add up the groups of each interval length, then keep the shortest where they overlap."""
    by_step: dict[int, dict[int, Reading]] = {}
    for group in groups:
        step = group.step or min(duration for duration, _, _ in group.readings.values())
        into = by_step.setdefault(step, {})
        for start, (duration, value, cost) in group.readings.items():
            if (other := into.get(start)) is None:
                into[start] = (duration, value, cost)
            else:  # another meter, same reading type: both count
                costs = (other[2], cost)
                into[start] = (
                    max(duration, other[0]),
                    other[1] + value,
                    None if costs == (None, None) else sum(c or 0.0 for c in costs),
                )
    combined: dict[int, Reading] = {}
    starts: list[int] = []
    ends: list[int] = []
    for step in sorted(by_step):
        kept: list[tuple[int, int]] = []
        for start, reading in by_step[step].items():
            end = start + reading[0]
            # The covered span that starts last before `end` overlaps when it ends after `start`.
            index = bisect_right(starts, end - 1) - 1
            if index >= 0 and ends[index] > start:
                continue
            combined[start] = reading
            kept.append((start, end))
        starts, ends = _merged(list(zip(starts, ends, strict=True)) + kept)
    return combined


def _merged(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Return sorted, merged spans as (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(spans):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def point_id(href: str | None) -> str:
    """Return the usage point id of a UsagePoint href (its last segment)."""
    return (href or "").rstrip("/").rsplit("/", 1)[-1]


def contiguous_runs(values: dict[int, Reading]) -> list[list[IntervalReading]]:
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


def bill_readings(
    summaries: Iterable[UsageSummary],
) -> dict[str, list[IntervalReading]]:
    """Return each usage point's bills as readings at their billing period's start."""
    bills: dict[str, dict[datetime, IntervalReading]] = {}
    for bill in summaries:
        point = point_id(bill.usage_point)
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
class LineItem:
    """A line of the last bill (`costAdditionalDetailLastPeriod`), as the sensors show it.

    Lines can be quantities only (PG&E 2012-2016: tier kWh, no `amount`): never added up.
    """

    kind: str | None
    """`LineItemKind` name in lowercase (`energy_usage_fee`), None when absent or unknown."""
    note: str | None
    amount: float | None
    """Currency units, when sent."""
    unit_cost: float | None
    """Currency units per `unit`, when sent (PG&E 2021 QA: 0.32854 $/kWh)."""
    quantity: float | None
    unit: str | None
    """Unit of `quantity` (kWh, kW…), None when unknown."""
    period_start: datetime | None
    period_end: datetime | None

    @classmethod
    def of(cls, detail: CostDetail) -> LineItem:
        """Return a parsed line as shown."""
        kind = detail.kind
        quantity = detail.quantity
        start = detail.item_period_start
        duration = detail.item_period_duration
        return cls(
            kind=kind.name.lower() if kind is not None else None,
            note=detail.note,
            amount=detail.amount,
            unit_cost=detail.unit_cost,
            quantity=quantity.value if quantity is not None else None,
            unit=quantity.unit if quantity is not None else None,
            period_start=start,
            period_end=start + duration
            if start is not None and duration is not None
            else None,
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the line as stored (JSON) and as the `line_items` attribute shows it."""
        return {
            "kind": self.kind,
            "note": self.note,
            "amount": self.amount,
            "unit_cost": self.unit_cost,
            "quantity": self.quantity,
            "unit": self.unit,
            "period_start": to_iso(self.period_start),
            "period_end": to_iso(self.period_end),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineItem:
        """Return a stored line."""
        return cls(
            kind=data.get("kind"),
            note=data.get("note"),
            amount=data.get("amount"),
            unit_cost=data.get("unit_cost"),
            quantity=data.get("quantity"),
            unit=data.get("unit"),
            period_start=from_iso(data.get("period_start")),
            period_end=from_iso(data.get("period_end")),
        )


@dataclass(frozen=True, slots=True)
class PointSummary:
    """What the sensors of one usage point show (kept across restarts in the entry's store).

    The `bill_*`, `bill_consumption*`, `line_items` and `nem_minimum` fields are the newest
    closed billing period's; the `bill_to_date*` and `current_*` fields the open period's, from
    a summary carrying `billToDate` (never seen from PG&E, in its XSD). The rate plan and read
    cycle are those of the newest summary of either kind that names them.
    """

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
    rate_plan: str | None = None
    """`tariffProfile` as sent (`HE6N`, `E1`…)."""
    read_cycle: str | None = None
    bill_consumption: float | None = None
    """`overallConsumptionLastPeriod` in `bill_consumption_unit` (PG&E: net of export)."""
    bill_consumption_unit: str | None = None
    """kWh or thm."""
    line_items: tuple[LineItem, ...] = ()
    nem_minimum: bool = False
    """The bill is only a net-metered month's minimum delivery charge (`nem_minimum_bill`)."""
    bill_to_date: float | None = None
    """The open period's amount so far, in `bill_currency`."""
    bill_to_date_period_start: datetime | None = None
    current_consumption: float | None = None
    """`currentBillingPeriodOverAllConsumption` in `current_consumption_unit`."""
    current_consumption_unit: str | None = None
    current_as_of: datetime | None = None
    """When PG&E measured the open period's figures (the measurement's or summary's time)."""

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
            "rate_plan": self.rate_plan,
            "read_cycle": self.read_cycle,
            "bill_consumption": self.bill_consumption,
            "bill_consumption_unit": self.bill_consumption_unit,
            "line_items": [item.as_dict() for item in self.line_items],
            "nem_minimum": self.nem_minimum,
            "bill_to_date": self.bill_to_date,
            "bill_to_date_period_start": to_iso(self.bill_to_date_period_start),
            "current_consumption": self.current_consumption,
            "current_consumption_unit": self.current_consumption_unit,
            "current_as_of": to_iso(self.current_as_of),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PointSummary:
        """Return a stored summary (one stored before a field existed has its default)."""
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
            rate_plan=data.get("rate_plan"),
            read_cycle=data.get("read_cycle"),
            bill_consumption=data.get("bill_consumption"),
            bill_consumption_unit=data.get("bill_consumption_unit"),
            line_items=tuple(
                LineItem.from_dict(item) for item in data.get("line_items") or ()
            ),
            nem_minimum=bool(data.get("nem_minimum")),
            bill_to_date=data.get("bill_to_date"),
            bill_to_date_period_start=from_iso(data.get("bill_to_date_period_start")),
            current_consumption=data.get("current_consumption"),
            current_consumption_unit=data.get("current_consumption_unit"),
            current_as_of=from_iso(data.get("current_as_of")),
        )


def to_iso(value: date | None) -> str | None:
    """Return a date or time as stored (ISO 8601), None as None."""
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def from_iso(value: str | None) -> datetime | None:
    """Return a stored (ISO 8601) time, None as None."""
    return datetime.fromisoformat(value) if value else None


def _day_total(values: dict[int, Reading], day: date) -> float:
    start = datetime.combine(day, datetime.min.time(), PACIFIC).timestamp()
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), PACIFIC)
    return sum(
        value
        for when, (_, value, _) in values.items()
        if start <= when < end.timestamp()
    )


def _newest(values: dict[int, Reading]) -> tuple[date, datetime]:
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
    for bill in sorted(
        (bill for bill in feed.usage_summaries if bill.billing_period_start),
        key=lambda bill: bill.billing_period_start or datetime.min,
    ):
        point = point_id(bill.usage_point)
        if point in points:
            points[point] = bills_of(points[point], bill)
    return points


def bills_of(summary: PointSummary, bill: UsageSummary) -> PointSummary:
    """Return a point's summary updated with one UsageSummary, if it is not older than known.

    A summary carrying `billToDate` is the open period's: it sets the bill to date and never the
    last bill. Any other summary with a bill or a consumption is a closed period's: the newest by
    period start is the last bill, and it drops a bill to date of its period or an older one
    (that period is billed now). Apply a feed's summaries oldest first: the rate plan and read
    cycle are the newest summary's that names them.
    """
    start = bill.billing_period_start
    if start is None:
        return summary
    rate_plan = bill.tariff_profile or summary.rate_plan
    read_cycle = bill.read_cycle or summary.read_cycle
    if bill.bill_to_date is not None:
        if summary.bill_period_start is not None and start <= summary.bill_period_start:
            return summary  # the period is billed already
        known = summary.bill_to_date_period_start
        if known is not None and start < known:
            return summary
        consumption, unit = _energy(bill.consumption_current_period)
        current = bill.consumption_current_period
        return replace(
            summary,
            rate_plan=rate_plan,
            read_cycle=read_cycle,
            bill_currency=bill.currency_code or summary.bill_currency,
            bill_to_date=bill.bill_to_date,
            bill_to_date_period_start=start,
            current_consumption=consumption,
            current_consumption_unit=unit,
            current_as_of=(current.time if current is not None else None)
            or bill.status_time,
        )
    if bill.bill_last_period is None and bill.consumption_last_period is None:
        return summary
    if summary.bill_period_start is not None and start < summary.bill_period_start:
        return summary
    open_start = summary.bill_to_date_period_start
    consumption, unit = _energy(bill.consumption_last_period)
    updated = replace(
        summary,
        bill_amount=bill.bill_last_period,
        bill_currency=bill.currency_code,
        bill_period_start=start,
        bill_period_end=start + bill.billing_period_duration
        if bill.billing_period_duration is not None
        else None,
        bill_consumption=consumption,
        bill_consumption_unit=unit,
        line_items=tuple(LineItem.of(detail) for detail in bill.cost_details),
        nem_minimum=bill.nem_minimum_bill,
    )
    if open_start is not None and open_start > start:
        return updated  # the open period is newer: its plan stays
    return replace(
        updated,
        rate_plan=rate_plan,
        read_cycle=read_cycle,
        bill_to_date=None,
        bill_to_date_period_start=None,
        current_consumption=None,
        current_consumption_unit=None,
        current_as_of=None,
    )


def _energy(quantity: Quantity | None) -> tuple[float | None, str | None]:
    """Return a summary's consumption and unit, or Nones when it is not in an energy unit."""
    if quantity is None or quantity.unit not in _ENERGY_UNITS:
        return None, None
    return quantity.value, quantity.unit


@dataclass(frozen=True, slots=True)
class ReadFeed:
    """A notified feed, parsed: its readings by series, its small resources, its size."""

    collector: FeedCollector
    feed: EspiFeed
    size: int
    """Bytes received."""


async def async_read_feed(
    hass: HomeAssistant,
    client: PgeClient,
    url: str,
    on_served: Callable[[], None] | None = None,
) -> ReadFeed:
    """Fetch a notified feed and parse it in the executor, chunk by chunk as it arrives.

    `on_served` is called with the first chunk: PG&E answered 200, so it knows the URL (what
    tells a genuine notification from a forged one, `inbox.py`), even if the body breaks later.
    Raises the client's and the parser's `ApiError`s, so a malformed feed never returns: its
    blocks are only collected here, and imported (by the caller) once the whole document parsed.
    """
    collector = FeedCollector()
    parser = EspiParser(collector.on_block)
    size = 0

    async def consume(chunk: bytes) -> None:
        nonlocal size
        if not size and on_served is not None:
            on_served()
        size += len(chunk)
        await hass.async_add_executor_job(parser.feed, chunk)

    await client.async_fetch(url, consume)
    feed = await hass.async_add_executor_job(_close, parser, collector)
    return ReadFeed(collector, feed, size)


def _close(parser: EspiParser, collector: FeedCollector) -> EspiFeed:
    """End the document, then make the collected series (blocking: the executor)."""
    feed = parser.close()
    collector.finish()
    return feed
