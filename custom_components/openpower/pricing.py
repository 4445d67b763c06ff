"""Cost beside imported energy: a price source per entry, applied reading by reading.

Home Assistant's Energy dashboard prices an external statistic only through a cost statistic
beside it (an entity or a number price is refused for external statistics). Providers whose
readings carry no money import them through their entry's `Pricer.async_import`, which adds that
cost statistic from the entry's price source (options key `cost`):

- `fixed`: one price per kWh bought, and optionally one per kWh sold;
- `time_of_use`: a default price and periods (days, start, end, price), local time;
- `entry`: another entry's prices, from its `ProviderSpec.price_table` (an Amber site's
  per-interval prices: general channel charged, feed-in paid).

A reading is priced at the finest resolution known: its value is spread over the finer `profile`
readings that cover it (Emporia's minutes, AlphaESS's 5-minute samples) and each piece pays the
time-weighted price of its own span. An hour is priced whole or not at all: an hour with a piece
whose price is not known yet gets no cost row (never 0), and one priced with an estimate is
written and priced again once the source settles it — only those hours are rewritten.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
import json
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .statistics import (
    ImportResult,
    IntervalReading,
    StatisticSpec,
    async_import,
    async_stored_hours,
)

if TYPE_CHECKING:
    from .data import OpenPowerConfigEntry

CONF_COST: Final = "cost"
CONF_SOURCE: Final = "source"
CONF_IMPORT_PRICE: Final = "import_price"
CONF_EXPORT_PRICE: Final = "export_price"
CONF_PERIODS: Final = "periods"
CONF_PRICE_ENTRY: Final = "price_entry_id"
CONF_DAYS: Final = "days"
CONF_START: Final = "start"
CONF_END: Final = "end"
CONF_PRICE: Final = "price"

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_HOUR: Final = timedelta(hours=1)
_HOUR_SECONDS: Final = 3600


class Direction(StrEnum):
    """Which way the energy went: bought (cost) or sold (compensation)."""

    IMPORT = "import"
    EXPORT = "export"


class PriceSourceKind(StrEnum):
    """Where an entry's prices come from."""

    FIXED = "fixed"
    TIME_OF_USE = "time_of_use"
    ENTRY = "entry"
    """Another entry's prices: an Amber site's."""


@dataclass(frozen=True, slots=True)
class PriceSpan:
    """A price (home currency per kWh) that held over [start, end)."""

    start: datetime
    end: datetime
    price: float
    estimate: bool = False
    """The source may still change it (an Amber interval not settled yet)."""


class PriceTable(Protocol):
    """Prices over time, as a price source gives them."""

    def prices_direction(self, direction: Direction) -> bool:
        """Whether this table prices energy going that way."""

    async def async_prices(
        self, direction: Direction, start: datetime, end: datetime
    ) -> list[PriceSpan]:
        """Return the known prices overlapping [start, end), oldest first (gaps: unknown)."""

    @callback
    def async_listen(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when prices change (an estimate settled); return the unsubscribe."""


def cost_spec(spec: StatisticSpec, direction: Direction) -> StatisticSpec:
    """Return the money statistic beside an energy statistic: its cost, or compensation."""
    suffix = "cost" if direction is Direction.IMPORT else "compensation"
    return StatisticSpec(
        provider=spec.provider,
        point=spec.point,
        quantity=f"{spec.quantity}_{suffix}",
        name=f"{spec.name} {suffix}",
        unit=None,
        unit_class=None,
    )


def is_priced(entry: ConfigEntry) -> bool:
    """Whether the entry has a price source (and so cost statistics beside its energy)."""
    return bool(entry.options.get(CONF_COST))


@dataclass(frozen=True, slots=True)
class TimeOfUsePeriod:
    """A price that applies on some weekdays between two local times (end may pass midnight)."""

    price: float
    start: time
    end: time
    weekdays: frozenset[int]
    """Weekdays (Monday = 0) on which the period starts."""


@dataclass(frozen=True, slots=True)
class LocalTariff:
    """A fixed or time-of-use tariff: prices as a function of local time, never estimates."""

    import_price: float
    export_price: float | None
    periods: tuple[TimeOfUsePeriod, ...] = ()

    def prices_direction(self, direction: Direction) -> bool:
        """Export is priced only with an export price."""
        return direction is Direction.IMPORT or self.export_price is not None

    async def async_prices(
        self, direction: Direction, start: datetime, end: datetime
    ) -> list[PriceSpan]:
        """Return the tariff's spans over [start, end)."""
        if direction is Direction.EXPORT:
            if self.export_price is None:
                return []
            return [PriceSpan(start, end, self.export_price)]
        return self.spans(start, end)

    def spans(self, start: datetime, end: datetime) -> list[PriceSpan]:
        """Return the import price's spans over [start, end), split where the period changes."""
        zone = dt_util.get_default_time_zone()
        overlays: list[PriceSpan] = []
        day = start.astimezone(zone).date() - timedelta(days=1)
        while datetime.combine(day, time(), zone) < end:
            for period in self.periods:
                if day.weekday() not in period.weekdays:
                    continue
                first = datetime.combine(day, period.start, zone)
                last_day = day if period.end > period.start else day + timedelta(days=1)
                last = datetime.combine(last_day, period.end, zone)
                if first < end and last > start:
                    overlays.append(
                        PriceSpan(max(first, start), min(last, end), period.price)
                    )
            day += timedelta(days=1)
        # The first period listed wins where two overlap: walk the boundaries in order.
        cuts = sorted(
            {start, end, *(o.start for o in overlays), *(o.end for o in overlays)}
        )
        spans: list[PriceSpan] = []
        for left, right in zip(cuts, cuts[1:], strict=False):
            price = next(
                (o.price for o in overlays if o.start <= left and right <= o.end),
                self.import_price,
            )
            if spans and spans[-1].price == price and spans[-1].end == left:
                spans[-1] = PriceSpan(spans[-1].start, right, price)
            else:
                spans.append(PriceSpan(left, right, price))
        return spans

    @callback
    def async_listen(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Return a no-op: a tariff changes only with the options, which reload the entry."""
        return lambda: None


def local_tariff(options: Mapping[str, Any]) -> LocalTariff:
    """Build the fixed or time-of-use tariff of a `cost` option."""
    periods = tuple(
        TimeOfUsePeriod(
            price=float(period[CONF_PRICE]),
            start=time.fromisoformat(period[CONF_START]),
            end=time.fromisoformat(period[CONF_END]),
            weekdays=frozenset(WEEKDAYS.index(day) for day in period[CONF_DAYS]),
        )
        for period in options.get(CONF_PERIODS, ())
        if options[CONF_SOURCE] == PriceSourceKind.TIME_OF_USE
    )
    export = options.get(CONF_EXPORT_PRICE)
    return LocalTariff(
        import_price=float(options[CONF_IMPORT_PRICE]),
        export_price=None if export is None else float(export),
        periods=periods,
    )


@dataclass(frozen=True, slots=True)
class PricedHours:
    """Readings with the cost of every hour whose prices are all known, and what is left."""

    readings: list[IntervalReading]
    """The readings; `cost` is None in every hour not priced."""
    unpriced: frozenset[int]
    """Hours (UTC hour numbers) with a reading whose price is not known."""
    estimated: frozenset[int]
    """Hours priced with at least one estimate."""


def _hour(moment: datetime) -> int:
    return int(moment.timestamp() // _HOUR_SECONDS)


def _pieces(
    reading: IntervalReading,
    profile: Sequence[IntervalReading],
    profile_starts: Sequence[datetime],
) -> list[tuple[datetime, datetime, float]]:
    """Return (start, end, share of the value) of a reading, by its profile when it covers it."""
    end = reading.start + reading.duration
    inside: list[IntervalReading] = []
    for index in range(bisect_left(profile_starts, reading.start), len(profile)):
        piece = profile[index]
        if piece.start >= end:
            break
        if piece.start + piece.duration <= end:
            inside.append(piece)
    weight = sum(max(p.value, 0.0) for p in inside)
    covered = sum((p.duration for p in inside), timedelta(0))
    if weight > 0 and covered == reading.duration:
        return [
            (p.start, p.start + p.duration, max(p.value, 0.0) / weight) for p in inside
        ]
    return [(reading.start, end, 1.0)]


def _mean_price(
    spans: Sequence[PriceSpan],
    span_starts: Sequence[datetime],
    start: datetime,
    end: datetime,
) -> tuple[float, bool] | None:
    """Return the time-weighted price over [start, end) and whether an estimate is in it."""
    total = 0.0
    covered = timedelta(0)
    estimate = False
    for index in range(max(bisect_right(span_starts, start) - 1, 0), len(spans)):
        span = spans[index]
        if span.start >= end:
            break
        left, right = max(span.start, start), min(span.end, end)
        if right <= left:
            continue
        share = right - left
        total += span.price * (share / (end - start))
        covered += share
        estimate = estimate or span.estimate
    if covered != end - start:
        return None
    return total, estimate


def price_readings(
    readings: Sequence[IntervalReading],
    spans: Sequence[PriceSpan],
    profile: Sequence[IntervalReading] = (),
) -> PricedHours:
    """Return the readings with their cost: value × the price of each piece, summed.

    Spans must not overlap (a price table's never do).
    """
    priced: list[tuple[IntervalReading, float | None]] = []
    unpriced: set[int] = set()
    estimated: set[int] = set()
    pieces = sorted(profile, key=lambda p: p.start)
    piece_starts = [p.start for p in pieces]
    ordered = sorted(spans, key=lambda span: span.start)
    span_starts = [span.start for span in ordered]
    for reading in readings:
        cost = 0.0
        known = True
        for start, end, share in _pieces(reading, pieces, piece_starts):
            if (mean := _mean_price(ordered, span_starts, start, end)) is None:
                known = False
                break
            cost += reading.value * share * mean[0]
            if mean[1]:
                estimated.add(_hour(reading.start))
        if not known:
            unpriced.add(_hour(reading.start))
        priced.append((reading, cost if known else None))
    return PricedHours(
        readings=[
            IntervalReading(
                start=reading.start,
                duration=reading.duration,
                value=reading.value,
                cost=None if _hour(reading.start) in unpriced else cost,
            )
            for reading, cost in priced
        ],
        unpriced=frozenset(unpriced),
        estimated=frozenset(estimated - unpriced),
    )


def _runs_between(hours: Iterable[int], keep: Sequence[int]) -> list[list[int]]:
    """Group hour numbers into runs with no hour of `keep` (sorted) between two of a run."""
    runs: list[list[int]] = []
    for hour in sorted(hours):
        if runs and bisect_left(keep, hour) == bisect_right(keep, runs[-1][-1]):
            runs[-1].append(hour)
        else:
            runs.append([hour])
    return runs


@dataclass(slots=True)
class _Pending:
    """Hours of one cost statistic to price again: their readings and profile."""

    spec: StatisticSpec
    direction: Direction
    readings: dict[int, list[IntervalReading]] = field(default_factory=dict)
    profile: dict[int, list[IntervalReading]] = field(default_factory=dict)


def pricing_store_key(entry_id: str) -> str:
    """Return the key of the store that says which source priced each statistic's history."""
    return f"{DOMAIN}.pricing_{entry_id}"


async def async_remove_pricing(hass: HomeAssistant, entry_id: str) -> None:
    """Remove a removed entry's pricing store."""
    await Store[dict[str, str]](hass, 1, pricing_store_key(entry_id)).async_remove()


type StoredReadings = Callable[
    [Sequence[tuple[datetime, float]]], list[IntervalReading]
]
"""Turns a statistic's stored rows (hour start, value) into the readings they were made of."""


def hourly_readings(stored: Sequence[tuple[datetime, float]]) -> list[IntervalReading]:
    """Return each stored row as the reading of its hour."""
    return [
        IntervalReading(start=start, duration=_HOUR, value=value)
        for start, value in stored
    ]


class Pricer:
    """One entry's price source, and the hours it must price again when the source settles."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        stored_readings: StoredReadings | None = None,
    ) -> None:
        """Read the entry's `cost` option; the source is looked up at each use.

        `stored_readings` says what span each stored row covers when history is priced (by
        default its hour): a provider storing a day's value at its first hour says so.
        """
        self.hass = hass
        self.entry = entry
        self._stored_readings = stored_readings or hourly_readings
        self.options: Mapping[str, Any] = entry.options.get(CONF_COST) or {}
        self._pending: dict[str, _Pending] = {}
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._watching_source = False
        self._missing_logged = False
        self._store: Store[dict[str, str]] = Store(
            hass, 1, pricing_store_key(entry.entry_id)
        )
        self._priced_with: dict[str, str] | None = None
        self._history_checked: set[str] = set()

    @property
    def enabled(self) -> bool:
        """Whether the entry has a price source."""
        return bool(self.options)

    def table(self) -> PriceTable | None:
        """Return the price table, None when its source entry is not loaded."""
        if self.options[CONF_SOURCE] != PriceSourceKind.ENTRY:
            return local_tariff(self.options)
        source: OpenPowerConfigEntry | None = self.hass.config_entries.async_get_entry(
            self.options[CONF_PRICE_ENTRY]
        )
        if source is not None and not self._watching_source:
            self._watching_source = True
            self.entry.async_on_unload(
                source.async_on_state_change(self._async_source_changed)
            )
        if (
            source is None
            or source.state is not ConfigEntryState.LOADED
            or (offer := source.runtime_data.provider.price_table) is None
        ):
            if not self._missing_logged:
                self._missing_logged = True
                LOGGER.warning(
                    "The prices of %s come from an entry that is not loaded: its cost "
                    "statistics wait for it",
                    self.entry.title,
                )
            return None
        self._missing_logged = False
        table = offer(source.runtime_data.runtime)
        if self._unsubscribe is None:
            self._unsubscribe = table.async_listen(self._async_settled)
            self.entry.async_on_unload(self._async_stop)
            # Hours remembered while the source was away are priced now that it is back.
            self._async_settled()
        return table

    @callback
    def _async_stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _async_source_changed(self) -> None:
        """Follow the source entry: a reload brings a new table, a load prices what waited.

        Without this, hours imported while the source was not loaded would wait for an
        import of the same hours, which a provider that imports each day once never makes.
        """
        self._async_stop()
        source = self.hass.config_entries.async_get_entry(
            self.options[CONF_PRICE_ENTRY]
        )
        if source is not None and source.state is ConfigEntryState.LOADED:
            self.table()  # subscribes to the new table, which prices what waited

    @callback
    def _async_settled(self) -> None:
        if self._pending:
            self.entry.async_create_background_task(
                self.hass, self.async_reprice(), f"{DOMAIN} reprice {self.entry.title}"
            )

    async def async_import(
        self,
        spec: StatisticSpec,
        readings: Sequence[IntervalReading],
        *,
        direction: Direction,
        profile: Sequence[IntervalReading] = (),
    ) -> ImportResult:
        """Import energy readings and, when priced, their cost beside them.

        All priced: one import of both. Otherwise the energy first, then the cost of each run of
        priced hours on its own, so a stored cost in an hour whose price is missing now is kept.
        """
        table = self.table() if self.enabled else None
        if table is not None and table.prices_direction(direction):
            await self._async_price_history(table, spec, direction)
        elif not self.enabled:
            await self._async_forget_history(spec)
        if table is None or not table.prices_direction(direction) or not readings:
            if self.enabled and table is None and readings:
                self._remember(
                    spec,
                    direction,
                    readings,
                    profile,
                    {_hour(r.start) for r in readings},
                )
            return await async_import(self.hass, spec, readings)
        money = cost_spec(spec, direction)
        first = min(r.start for r in readings)
        last = max(r.start + r.duration for r in readings)
        spans = await table.async_prices(direction, first, last)
        # A backfill's months of 5-minute pieces take seconds to price: off the event loop.
        priced = await self.hass.async_add_executor_job(
            price_readings, readings, spans, profile
        )
        self._remember(
            spec, direction, readings, profile, priced.unpriced | priced.estimated
        )
        if not priced.unpriced:
            return await async_import(self.hass, spec, priced.readings, cost_spec=money)
        result = await async_import(self.hass, spec, readings)
        await self._async_import_costs(money, priced.readings, priced.unpriced)
        return result

    async def async_price_stored(
        self, statistics: Iterable[tuple[StatisticSpec, Direction]]
    ) -> None:
        """Price the stored history of these statistics now, not at their next import.

        For a provider whose imports are days apart (AlphaESS imports each day once): a price
        source chosen in the options then shows its cost without waiting for the next day.
        """
        if not self.enabled or (table := self.table()) is None:
            return
        for spec, direction in statistics:
            if table.prices_direction(direction):
                await self._async_price_history(table, spec, direction)

    async def _async_price_history(
        self, table: PriceTable, spec: StatisticSpec, direction: Direction
    ) -> None:
        """Price stored hours the source has not priced, once per load and statistic.

        A price source chosen (or changed) after history was imported prices all of it; with
        the same source, only the hours with energy and no cost row (remembered for a price
        that had not come when Home Assistant stopped). Each stored row at the mean price of
        the span it covers (`stored_readings`; an hour by default): the finer readings are
        gone by then. Hours whose price the source lacks keep no cost.
        """
        if spec.statistic_id in self._history_checked:
            return
        self._history_checked.add(spec.statistic_id)
        money = cost_spec(spec, direction)
        fingerprint = json.dumps(dict(self.options), sort_keys=True)
        priced_with = await self._async_priced_with()
        # Years of hourly rows: read back off the event loop, like the pricing below.
        readings = await self.hass.async_add_executor_job(
            self._stored_readings,
            await async_stored_hours(self.hass, spec.statistic_id),
        )
        if priced_with.get(spec.statistic_id) == fingerprint:
            costed = {
                start
                for start, _ in await async_stored_hours(self.hass, money.statistic_id)
            }
            readings = [r for r in readings if r.value and r.start not in costed]
        if readings:
            spans = await table.async_prices(
                direction,
                readings[0].start,
                max(r.start + r.duration for r in readings),
            )
            priced = price_readings(readings, spans)
            await self._async_import_costs(money, priced.readings, priced.unpriced)
            LOGGER.debug(
                "Priced %s stored hours of %s (%s without a price)",
                len(readings) - len(priced.unpriced),
                self.entry.title,
                len(priced.unpriced),
            )
        if priced_with.get(spec.statistic_id) != fingerprint:
            priced_with[spec.statistic_id] = fingerprint
            await self._store.async_save(priced_with)

    async def _async_forget_history(self, spec: StatisticSpec) -> None:
        """Without a price source, forget what history was priced with (hours go unpriced)."""
        if spec.statistic_id in self._history_checked:
            return
        self._history_checked.add(spec.statistic_id)
        priced_with = await self._async_priced_with()
        if priced_with.pop(spec.statistic_id, None) is not None:
            await self._store.async_save(priced_with)

    async def _async_priced_with(self) -> dict[str, str]:
        if self._priced_with is None:
            self._priced_with = await self._store.async_load() or {}
        return self._priced_with

    async def _async_import_costs(
        self,
        money: StatisticSpec,
        readings: Sequence[IntervalReading],
        skip: frozenset[int] | set[int],
    ) -> None:
        """Import the costs of the hours not in `skip`, keeping every other stored cost.

        An import replaces every hour of its range, so the imports are split only where an
        hour to keep lies between two costed hours (one in `skip`, or a stored cost this does
        not rewrite): years of daily values, a row a day, go in one import, not one per day.
        """
        by_hour: dict[int, list[IntervalReading]] = {}
        for reading in readings:
            if reading.cost is not None and _hour(reading.start) not in skip:
                by_hour.setdefault(_hour(reading.start), []).append(reading)
        if not by_hour:
            return
        stored = await async_stored_hours(self.hass, money.statistic_id)
        keep = sorted(
            ({_hour(start) for start, _ in stored} | set(skip)) - by_hour.keys()
        )
        for run in _runs_between(by_hour, keep):
            await async_import(
                self.hass,
                money,
                [
                    IntervalReading(
                        start=r.start, duration=r.duration, value=r.cost or 0.0
                    )
                    for hour in run
                    for r in by_hour[hour]
                ],
            )

    def _remember(
        self,
        spec: StatisticSpec,
        direction: Direction,
        readings: Sequence[IntervalReading],
        profile: Sequence[IntervalReading],
        hours: Iterable[int],
    ) -> None:
        """Keep the readings of the hours to price again; forget the others of this statistic."""
        pending = self._pending.setdefault(
            spec.statistic_id, _Pending(spec=spec, direction=direction)
        )
        keep = set(hours)
        for reading in readings:
            hour = _hour(reading.start)
            pending.readings.pop(hour, None)
            pending.profile.pop(hour, None)
        for reading in readings:
            if (hour := _hour(reading.start)) in keep:
                pending.readings.setdefault(hour, []).append(reading)
        for piece in profile:
            if (hour := _hour(piece.start)) in keep:
                pending.profile.setdefault(hour, []).append(piece)
        if not pending.readings:
            del self._pending[spec.statistic_id]

    async def async_reprice(self) -> None:
        """Price the remembered hours again and rewrite the cost of those now known."""
        if (table := self.table()) is None:
            return
        for statistic_id, pending in list(self._pending.items()):
            # Another reprice (a second settlement while this one waited) took them.
            if self._pending.get(statistic_id) is not pending:
                continue
            if table.prices_direction(pending.direction):
                # Stored history is priced by the hour once per source: first, so that it
                # does not overwrite, at the next import, what is priced finer just below.
                await self._async_price_history(table, pending.spec, pending.direction)
            readings = [
                r for hour in sorted(pending.readings) for r in pending.readings[hour]
            ]
            profile = [
                p for hour in sorted(pending.profile) for p in pending.profile[hour]
            ]
            first = min(r.start for r in readings)
            last = max(r.start + r.duration for r in readings)
            spans = await table.async_prices(pending.direction, first, last)
            priced = await self.hass.async_add_executor_job(
                price_readings, readings, spans, profile
            )
            await self._async_import_costs(
                cost_spec(pending.spec, pending.direction),
                priced.readings,
                priced.unpriced,
            )
            # An import while this ran replaced the statistic's pending hours: keep those.
            if self._pending.get(statistic_id) is not pending:
                continue
            still = priced.unpriced | priced.estimated
            for hour in [hour for hour in pending.readings if hour not in still]:
                del pending.readings[hour]
                pending.profile.pop(hour, None)
            if not pending.readings:
                del self._pending[statistic_id]

    def diagnostics(self) -> dict[str, Any]:
        """Return what the pricer does and waits for (no prices, no identifiers)."""
        return {
            "source": self.options.get(CONF_SOURCE),
            "hours_to_price_again": sum(
                len(p.readings) for p in self._pending.values()
            ),
        }
