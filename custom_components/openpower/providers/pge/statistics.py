"""PG&E's long-term statistics: one per usage point and quantity, fed from each fetched feed.

Statistic ids (`openpower:pge_<usage point id>_<quantity>`):

| quantity | from | unit |
|---|---|---|
| `energy_consumption` (+ `energy_cost` when readings carry a cost) | electricity, flow 1 (delivered) | kWh |
| `energy_return` | electricity, flow 19 (received: solar export), positive | kWh |
| `energy_consumption_cost`, `energy_return_compensation` | electricity without a cost, priced by the entry's price source | currency |
| `gas_consumption` (+ `gas_cost`) | gas (uom 169) | thm |
| `bill` | UsageSummary `billLastPeriod`, at the billing period's start hour | currency |

A feed's series are imported through the shell's `statistics.async_import`, one import per run of
contiguous readings, so that a day missing from a feed never overwrites stored hours with zeros.
An electricity run none of whose readings carries a cost goes through the entry's `Pricer`
instead when the entry has a price source (`pricing.cost_spec` names its money statistic): PG&E
sends a cost for some accounts only, and the Energy dashboard prices an external statistic only
through a money statistic beside it. A run with a cost keeps PG&E's own, as it always did.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant

from ...api.pge import EspiFeed
from ...pricing import Direction, Pricer
from ...statistics import (
    ImportResult,
    IntervalReading,
    StatisticSpec,
    async_import,
    async_last_hour,
)
from .const import PROVIDER
from .history import FeedCollector, Series, bill_readings, contiguous_runs

COST_QUANTITY: Final = {Series.CONSUMPTION: "energy_cost", Series.GAS: "gas_cost"}
BILL_QUANTITY: Final = "bill"
DIRECTIONS: Final = {
    Series.CONSUMPTION: Direction.IMPORT,
    Series.RETURN: Direction.EXPORT,
}
"""The series a price source prices: electricity bought (cost) and sold (compensation)."""
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
class PgeCost:
    """Where the money of an entry's electricity comes from: PG&E's readings, or its prices."""

    pricer: Pricer
    own: set[str] = field(default_factory=set)
    """Usage points whose own electricity cost (`energy_cost`) the recorder has."""

    async def async_find_own(self, points: Iterable[str]) -> None:
        """Note which of these electricity points have PG&E's own cost stored."""
        for point in points:
            own = cost_spec(point, Series.CONSUMPTION)
            assert own is not None
            if await async_last_hour(self.pricer.hass, own.statistic_id) is not None:
                self.own.add(point)

    async def async_price_stored(self, electricity: Iterable[tuple[str, bool]]) -> None:
        """Price the stored electricity of (point, has return) now, not at the next feed.

        A price source chosen in the options reloads the entry, and PG&E is asked again only a
        day later: without this, the cost would wait for that day. Consumption PG&E priced
        itself is left as it is.
        """
        if not self.pricer.enabled:
            return
        points = list(electricity)
        await self.async_find_own(point for point, _ in points)
        await self.pricer.async_price_stored(
            (statistic_spec(point, series), direction)
            for point, has_return in points
            for series, direction in DIRECTIONS.items()
            if (series is Series.CONSUMPTION and point not in self.own)
            or (series is Series.RETURN and has_return)
        )

    async def async_import_run(
        self, point: str, series: Series, run: list[IntervalReading]
    ) -> ImportResult:
        """Import one run: with PG&E's cost if it carries one, else priced by the entry."""
        spec = statistic_spec(point, series)
        direction = DIRECTIONS.get(series)
        if (
            direction is not None
            and self.pricer.enabled
            and all(reading.cost is None for reading in run)
        ):
            return await self.pricer.async_import(spec, run, direction=direction)
        costs = cost_spec(point, series)
        if series is Series.CONSUMPTION and any(r.cost is not None for r in run):
            self.own.add(point)
        return await async_import(self.pricer.hass, spec, run, cost_spec=costs)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one feed added to the statistics (for diagnostics and tests)."""

    statistics: dict[str, int]
    """Hours written per statistic id."""
    readings: int
    first: datetime | None
    last: datetime | None


async def async_import_feed(
    hass: HomeAssistant,
    collector: FeedCollector,
    feed: EspiFeed,
    cost: PgeCost | None = None,
) -> ImportSummary:
    """Import a collected feed's series and bills into the statistics.

    `cost` says where electricity's money comes from; without it, only from PG&E's readings.
    """
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
            if cost is not None:
                result = await cost.async_import_run(point, series, run)
            else:
                result = await async_import(hass, spec, run, cost_spec=costs)
            written[spec.statistic_id] = (
                written.get(spec.statistic_id, 0) + result.hours_written
            )
            readings += len(run)
            first = min(first, run[0].start) if first else run[0].start
            last = max(last, run[-1].start) if last else run[-1].start
    for point, bills in sorted(bill_readings(feed.usage_summaries).items()):
        spec = bill_spec(point)
        result = await async_import(hass, spec, bills)
        written[spec.statistic_id] = result.hours_written
    return ImportSummary(written, readings, first, last)
