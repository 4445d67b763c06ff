"""Import interval history into Home Assistant long-term statistics (external, source `openpower`).

Every provider hands its readings (start, duration, value, optional cost) to `async_import`. The
contract, shared by all of them:

- A reading belongs to the UTC hour that contains its start. Sub-hour readings are summed into
  that hour; readings of an hour or longer (daily values, billing periods) are stored whole at it.
  Working in UTC, DST days (23 or 25 local hours) and half-hour zones need no special case. A
  daily statistic therefore has one row per day, at that hour, and none between (as core opower).
- Rows are stored where there are readings, not between them: no filler. An import covers [first
  hour, last hour] of its readings and replaces what that range held: every hour with a reading is
  written, a stored hour of the range the new readings no longer report is overwritten with 0
  (the recorder has no delete), and other hours get no row, but one: a non-zero hour that follows
  an empty hour, with history before it, gets a 0 row in that empty hour carrying the sum so far.
  Home Assistant's `statistic_during_period` takes a period's starting sum from the first row at
  or after the hour before the period; without that row, a period starting at a daily value's
  hour would leave the value out. (A year of PG&E's daily gas and bills: 389 such rows instead
  of 24,819 zero hours.) Stored hours outside the range keep their values.
- The running `sum` continues from the newest stored hour before the range (0.0 if none), so it
  carries across gaps: the Energy dashboard's change over any period is the difference of two
  sums, whatever rows lie between. The recorder overwrites rows with the same start, so a
  re-fetched range replaces the old values and the stored hours after it are re-sent with their
  sums continued hour by hour from the range's new end (as a fresh import adds them, so a later
  re-import finds them exactly), never double counting. Importing the same data twice changes
  nothing, and writes nothing: an hour already stored with the same value and sum is not sent
  again.
- Imports of one statistic are serialised, and each one sees what the previous one queued: it
  waits until the recorder has run that write (the recorder runs its queue only once Home Assistant
  has started). An import's rows for all its statistics are queued together, so a stop of Home
  Assistant keeps (flushes) all of them or none.
- That wait is bounded (`WRITE_TIMEOUT`): a recorder that never runs the write makes the import
  raise `RecorderStalledError` and release the statistic, rather than hold every later import
  (and a reload's) forever. The previous write stays awaited, so no import reads around it.
"""

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
import math
from typing import Any

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    UNIT_CLASS_TO_UNIT_CONVERTER,
    StatisticsRow,
    async_add_external_statistics,
    get_last_statistics,
    statistics_during_period,
)
from homeassistant.components.recorder.tasks import SynchronizeTask
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.hass_dict import HassKey

from .api.errors import ApiResponseError
from .api.http import mask_identifiers
from .const import DOMAIN, LOGGER

WRITE_TIMEOUT = 600.0
"""Seconds an import waits for the recorder to write the previous import of its statistic.

Generous: the recorder runs nothing until Home Assistant has started, which a slow machine
with many integrations takes minutes to do.
"""

_HOUR = timedelta(hours=1)
_HOUR_SECONDS = 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RecorderStalledError(HomeAssistantError):
    """The recorder has not written an earlier import of the statistic in time."""


@dataclass(frozen=True, slots=True)
class IntervalReading:
    """One interval of history as a provider reports it."""

    start: datetime
    """Start of the interval, time zone aware (any zone)."""
    duration: timedelta
    """Length of the interval: 5 min, 15 min, 30 min, 1 h, 1 day, a billing period…"""
    value: float
    """Quantity over the interval, in the statistic's unit (kWh, thm, …)."""
    cost: float | None = None
    """Money for the interval (currency units), imported into the cost statistic when given."""

    def __post_init__(self) -> None:
        """Reject readings whose hour cannot be known, and numbers that are not numbers."""
        # A naive start would silently be read in the machine's zone, shifting every hour.
        if self.start.utcoffset() is None:
            raise ValueError(f"reading start {self.start} has no time zone")
        if self.duration <= timedelta(0):
            raise ValueError(f"reading duration {self.duration} is not positive")
        # SQLite stores NaN as NULL (the running sum restarts at 0) and infinity as is (every
        # later sum infinite): a provider's non-finite value is a malformed answer.
        if not math.isfinite(self.value) or (
            self.cost is not None and not math.isfinite(self.cost)
        ):
            raise ApiResponseError(f"reading at {self.start} is not a finite number")


@dataclass(frozen=True, slots=True)
class StatisticSpec:
    """One external statistic: who it belongs to, what it measures and how it is shown."""

    provider: str
    """Provider key, e.g. "amber"."""
    point: str
    """Account or metering point id, e.g. an Amber site id or an Enedis PRM."""
    quantity: str
    """What is measured, e.g. "energy_consumption", "energy_cost", "gas_consumption"."""
    name: str
    """Name shown in the Energy dashboard."""
    unit: str | None
    """Unit of the values ("kWh", "thm"), or None for money."""
    unit_class: str | None
    """The unit converter's `UNIT_CLASS` ("energy"), or None for money."""

    def __post_init__(self) -> None:
        """Reject id parts that would vanish (two statistics could collide) and wrong units."""
        for part in (self.provider, self.point, self.quantity):
            if slugify(part) in ("", "unknown"):
                raise ValueError(f"{part!r} gives no usable statistic id part")
        # Checked here, as the recorder would at import time, so a wrong spec fails at definition.
        if self.unit_class is not None and (
            (converter := UNIT_CLASS_TO_UNIT_CONVERTER.get(self.unit_class)) is None
            or self.unit not in converter.VALID_UNITS
        ):
            raise ValueError(
                f"unit {self.unit} is not one of unit class {self.unit_class}"
            )

    @property
    def statistic_id(self) -> str:
        """Return `openpower:<provider>_<point>_<quantity>`, valid for the recorder."""
        return f"{DOMAIN}:{slugify(f'{self.provider}_{self.point}_{self.quantity}')}"

    def metadata(self) -> StatisticMetaData:
        """Return the metadata core opower builds, with `mean_type` and `unit_class` always set."""
        return StatisticMetaData(
            mean_type=StatisticMeanType.NONE,
            has_sum=True,
            name=self.name,
            source=DOMAIN,
            statistic_id=self.statistic_id,
            unit_class=self.unit_class,
            unit_of_measurement=self.unit,
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import wrote for one statistic."""

    statistic_id: str
    first_hour: datetime | None
    """First hour of the imported range (UTC), None when there was nothing to import."""
    last_hour: datetime | None
    """Last hour of the imported range (UTC), None when there was nothing to import."""
    hours_written: int
    """Rows sent for the range itself, hours without a reading included; an hour already
    stored with the same value and sum is not sent again (0 for a re-import of the same data)."""
    rows_rebased: int
    """Stored rows after the range whose sums were rewritten."""


@dataclass(slots=True)
class _Series:
    """Per statistic id: the import lock and the recorder's receipt for the last write."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    written: asyncio.Future[None] | None = None


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the database holds around an import range."""

    before: float
    """Sum of the newest stored hour before the range (0.0 if none)."""
    row_before: bool
    """Whether a row is stored at the hour right before the range."""
    any_before: bool
    """Whether any row is stored before the range."""
    end: float
    """Sum of the newest stored hour at or before the range's last hour (`before` if none)."""
    after: list[StatisticsRow]
    """Stored rows after the range, oldest first."""
    in_range: dict[float, tuple[float | None, float]] = field(default_factory=dict)
    """(state, sum) of the stored hours inside the range, by start timestamp."""


_SERIES: HassKey[dict[str, _Series]] = HassKey(f"{DOMAIN}_statistics")


def _totals(amounts: Iterable[tuple[datetime, float]]) -> dict[datetime, float]:
    """Sum amounts by the UTC hour containing their start, oldest hour first."""
    # Integer hour numbers since the epoch: cheaper than a datetime per reading, and exact.
    totals: dict[int, float] = {}
    for start, amount in amounts:
        hour = int(start.timestamp() // _HOUR_SECONDS)
        totals[hour] = totals.get(hour, 0.0) + amount
    return {
        datetime.fromtimestamp(hour * _HOUR_SECONDS, UTC): total
        for hour, total in sorted(totals.items())
    }


def hourly(readings: Iterable[IntervalReading]) -> dict[datetime, float]:
    """Return each reading's value summed by the UTC hour containing its start, oldest first.

    Readings of an hour or longer are not spread: they are stored whole at their start's hour.
    """
    return _totals((reading.start, reading.value) for reading in readings)


def consecutive[T: (date, datetime)](
    moments: Iterable[T], step: timedelta
) -> Iterator[list[T]]:
    """Yield `moments` sorted, in runs `step` apart (days a day apart, hours an hour apart).

    `async_import` replaces the whole range it is given, so a provider imports what it has in
    runs: a day or an hour not given (SEMS+ or Enedis did not send it) is then left as stored,
    never overwritten with 0.
    """
    run: list[T] = []
    for moment in sorted(moments):
        if run and moment - run[-1] != step:
            yield run
            run = []
        run.append(moment)
    if run:
        yield run


def _aggregate(
    readings: Sequence[IntervalReading], with_cost: bool
) -> tuple[dict[datetime, float], dict[datetime, float]]:
    """Return the hourly values and (when asked) the hourly costs of the readings."""
    costs = (
        _totals(
            (reading.start, reading.cost)
            for reading in readings
            if reading.cost is not None
        )
        if with_cost
        else {}
    )
    return hourly(readings), costs


def _series(hass: HomeAssistant, statistic_id: str) -> _Series:
    """Return the import state of one statistic id, created on first use."""
    return hass.data.setdefault(_SERIES, {}).setdefault(statistic_id, _Series())


async def _async_wait_written(statistic_id: str, series: _Series) -> None:
    """Wait until the recorder has processed the series' last write, at most `WRITE_TIMEOUT`."""
    if series.written is None:
        return
    try:
        async with asyncio.timeout(WRITE_TIMEOUT):
            # Shielded: a cancelled caller must not cancel the receipt the next import waits on.
            await asyncio.shield(series.written)
    except TimeoutError:
        raise RecorderStalledError(
            translation_domain=DOMAIN,
            translation_key="recorder_stalled",
            translation_placeholders={
                "statistic_id": mask_identifiers(statistic_id),
                "seconds": f"{WRITE_TIMEOUT:.0f}",
            },
        ) from None


@callback
def _async_receipt(hass: HomeAssistant) -> asyncio.Future[None]:
    """Return a future the recorder resolves once every task queued so far has run."""
    # Recorder.async_block_till_done() returns at once when the queue is empty, which it also is
    # while the recorder thread runs the last task it took (our import); a SynchronizeTask queued
    # unconditionally behind the import has no such gap.
    future: asyncio.Future[None] = hass.loop.create_future()
    get_instance(hass).queue_task(SynchronizeTask(future))
    return future


async def _async_read[T](hass: HomeAssistant, job: Callable[..., T], *args: Any) -> T:
    """Run a read on the recorder's executor, never once Home Assistant is stopping.

    A read still running when the recorder closes its database at shutdown was seen to
    crash inside sqlite; an import that cannot read is simply done again at the next start.
    """
    if hass.is_stopping:
        raise HomeAssistantError("Home Assistant is stopping: statistics not read")
    return await get_instance(hass).async_add_executor_job(job, *args)


def _sum(row: StatisticsRow) -> float:
    """Return a stored row's sum; rows this module did not write may lack one."""
    return row.get("sum") or 0.0


def _read_one(
    hass: HomeAssistant, statistic_id: str, first: datetime, last: datetime
) -> _Stored:
    """Read what an import of [first, last] continues from and must rebase."""
    first_ts, last_ts = first.timestamp(), last.timestamp()
    newest = get_last_statistics(hass, 1, statistic_id, False, {"sum"}).get(
        statistic_id, []
    )
    hour_before_ts = (first - _HOUR).timestamp()
    if not newest or newest[0]["start"] < first_ts:
        # Nothing stored, or only hours before the range (an import that only appends).
        before = _sum(newest[0]) if newest else 0.0
        row_before = bool(newest) and newest[0]["start"] == hour_before_ts
        return _Stored(before, row_before, bool(newest), before, [])
    # One query for the hour before the range, the range and everything after it.
    rows = statistics_during_period(
        hass, first - _HOUR, None, {statistic_id}, "hour", None, {"state", "sum"}
    ).get(statistic_id, [])
    row_before = any_before = bool(rows) and rows[0]["start"] == hour_before_ts
    if row_before:
        before = _sum(rows[0])
    else:
        # A gap right before the range: the sum carries over from the newest older hour.
        older = statistics_during_period(
            hass, _EPOCH, first - _HOUR, {statistic_id}, "hour", None, {"sum"}
        ).get(statistic_id, [])
        before = _sum(older[-1]) if older else 0.0
        any_before = bool(older)
    end = before
    after: list[StatisticsRow] = []
    in_range: dict[float, tuple[float | None, float]] = {}
    for row in rows:
        if row["start"] <= last_ts:
            end = _sum(row)
            if row["start"] >= first_ts:
                in_range[row["start"]] = (row.get("state"), end)
        else:
            after.append(row)
    return _Stored(before, row_before, any_before, end, after, in_range)


def _read_stored(
    hass: HomeAssistant, ranges: list[tuple[str, datetime, datetime]]
) -> list[_Stored]:
    """Read around each (statistic id, first, last) range, in the recorder's executor."""
    return [_read_one(hass, *statistic_range) for statistic_range in ranges]


def _rebased(
    after: Sequence[StatisticsRow], running: float, shift: float
) -> Iterator[StatisticData]:
    """Return the stored rows after a range, their sums continued from `running`.

    Each sum is the previous one plus the row's state, as a fresh import adds them: a later
    re-import of the same hours then finds every sum exactly as stored (a constant shift would
    leave the last digits different). A row without a state is shifted.
    """
    for row in after:
        start = dt_util.utc_from_timestamp(row["start"])
        # The recorder overwrites every column of a re-sent row, so the state is re-sent too.
        if (state := row.get("state")) is None:
            yield StatisticData(start=start, sum=_sum(row) + shift)
            continue
        running += state
        yield StatisticData(start=start, state=state, sum=running)


def _rows(
    statistic_id: str, hours: dict[datetime, float], stored: _Stored
) -> tuple[list[StatisticData], ImportResult]:
    """Return the rows that replace the hours' range and rebase what follows it.

    The range's rows are its hours with a reading, the stored hours it no longer reports (set
    to 0), and the 0 rows that carry the sum into an empty hour before a value (see the module's
    docstring); no other hour gets a row.
    """
    first, last = next(iter(hours)), next(reversed(hours))
    kept = hours.keys() | {dt_util.utc_from_timestamp(ts) for ts in stored.in_range}
    rows: list[StatisticData] = []
    running = stored.before
    for start in sorted(kept):
        state = hours.get(start, 0.0)
        if (
            state
            and (start - _HOUR) not in kept
            and (start != first or (stored.any_before and not stored.row_before))
        ):
            rows.append(StatisticData(start=start - _HOUR, state=0.0, sum=running))
        running += state
        # An hour stored exactly so already is not sent again: a re-fetch of unchanged data
        # (a daily overlap, a re-delivered feed) costs the recorder nothing.
        if stored.in_range.get(start.timestamp()) != (state, running):
            rows.append(StatisticData(start=start, state=state, sum=running))
    if (
        stored.after
        and stored.after[0].get("state")
        and stored.after[0]["start"] - _HOUR_SECONDS > last.timestamp()
    ):
        # The next stored value was the first one (nothing before it needed carrying): now
        # history comes before it, across an empty hour.
        carried = dt_util.utc_from_timestamp(stored.after[0]["start"]) - _HOUR
        rows.append(StatisticData(start=carried, state=0.0, sum=running))
    hours_written = len(rows)
    # Exactly 0.0 when the range is unchanged: the same additions from the same stored sum.
    if shift := running - stored.end:
        rows.extend(_rebased(stored.after, running, shift))
    return rows, ImportResult(
        statistic_id, first, last, hours_written, len(rows) - hours_written
    )


async def _async_import_hours(
    hass: HomeAssistant, batch: list[tuple[StatisticSpec, dict[datetime, float]]]
) -> list[ImportResult]:
    """Write each statistic's hourly totals (not empty, oldest first), queued together."""
    ids = [spec.statistic_id for spec, _ in batch]
    async with AsyncExitStack() as stack:
        # Sorted, so two imports sharing statistics never each hold a lock the other waits for.
        for statistic_id in sorted(ids):
            series = _series(hass, statistic_id)
            await stack.enter_async_context(series.lock)
            await _async_wait_written(statistic_id, series)
        stored = await _async_read(
            hass,
            _read_stored,
            hass,
            [
                (spec.statistic_id, next(iter(hours)), next(reversed(hours)))
                for spec, hours in batch
            ],
        )
        results: list[ImportResult] = []
        # No await from here on: a stop of Home Assistant finds every statistic of this import
        # queued (and flushed by the recorder) or none of them. Each call is one transaction.
        for (spec, hours), around in zip(batch, stored, strict=True):
            rows, result = _rows(spec.statistic_id, hours, around)
            if rows:
                async_add_external_statistics(hass, spec.metadata(), rows)
            results.append(result)
            # Statistic ids hold site and meter numbers: masked, as in every log line.
            LOGGER.debug(
                "Queued %s hours from %s and %s rebased rows for %s",
                result.hours_written,
                result.first_hour,
                result.rows_rebased,
                mask_identifiers(result.statistic_id),
            )
        receipt = _async_receipt(hass)
        for statistic_id in ids:
            _series(hass, statistic_id).written = receipt
    return results


async def async_import(
    hass: HomeAssistant,
    spec: StatisticSpec,
    readings: Sequence[IntervalReading],
    *,
    cost_spec: StatisticSpec | None = None,
) -> ImportResult:
    """Import the readings' values into `spec` and, with `cost_spec`, their costs into it.

    The cost range is that of the readings that carry a cost; readings whose cost is None add
    nothing to it, and without any cost the cost statistic is left alone. Returns what was written
    for `spec`. The rows are queued to the recorder when this returns; the next import or
    `async_last_hour` of the same statistic waits until the recorder has written them. The recorder
    runs its queue only once Home Assistant has started, so a second import of one statistic during
    start-up waits for the start: run imports after the first one outside `async_setup_entry`.
    """
    if cost_spec is not None and cost_spec.statistic_id == spec.statistic_id:
        raise ValueError(f"cost and value share the statistic {spec.statistic_id}")
    if not readings:
        return ImportResult(spec.statistic_id, None, None, 0, 0)
    # A year of 5-minute readings takes a noticeable time to sum: keep it off the event loop.
    values, costs = await hass.async_add_executor_job(
        _aggregate, readings, cost_spec is not None
    )
    batch = [(spec, values)]
    if cost_spec is not None and costs:
        batch.append((cost_spec, costs))
    return (await _async_import_hours(hass, batch))[0]


async def async_last_hour(hass: HomeAssistant, statistic_id: str) -> datetime | None:
    """Return the start (UTC) of the newest stored hour of the statistic, None if none.

    Includes what an earlier import of this statistic queued but the recorder had not yet written.
    """
    series = _series(hass, statistic_id)
    async with series.lock:
        await _async_wait_written(statistic_id, series)
        newest = await _async_read(
            hass, get_last_statistics, hass, 1, statistic_id, False, set()
        )
    if not (rows := newest.get(statistic_id)):
        return None
    return dt_util.utc_from_timestamp(rows[0]["start"])


async def async_stored_hours(
    hass: HomeAssistant, statistic_id: str
) -> list[tuple[datetime, float]]:
    """Return every stored hour of the statistic with its value, oldest first.

    Includes what an earlier import of this statistic queued but the recorder had not yet written.
    """
    series = _series(hass, statistic_id)
    async with series.lock:
        await _async_wait_written(statistic_id, series)
    rows = await _async_read(
        hass,
        statistics_during_period,
        hass,
        _EPOCH,
        None,
        {statistic_id},
        "hour",
        None,
        {"state"},
    )
    return [
        (dt_util.utc_from_timestamp(row["start"]), state)
        for row in rows.get(statistic_id, ())
        if (state := row.get("state")) is not None
    ]


async def async_growth_since(
    hass: HomeAssistant, statistic_ids: Iterable[str], start: datetime
) -> dict[str, float]:
    """Return how much each statistic grew in the hours from `start` on (0.0 when none stored).

    Includes what earlier imports of these statistics queued but the recorder had not yet written.
    """
    ids = set(statistic_ids)
    for statistic_id in sorted(ids):
        series = _series(hass, statistic_id)
        async with series.lock:
            await _async_wait_written(statistic_id, series)
    rows = await _async_read(
        hass, statistics_during_period, hass, start, None, ids, "hour", None, {"change"}
    )
    return {
        statistic_id: sum(
            row.get("change") or 0.0 for row in rows.get(statistic_id, ())
        )
        for statistic_id in ids
    }
