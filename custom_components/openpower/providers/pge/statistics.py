"""PG&E's long-term statistics: one per usage point and quantity, fed from each fetched feed.

Statistic ids (`openpower:pge_<usage point id>_<quantity>`):

| quantity | from | unit |
|---|---|---|
| `energy_consumption` (+ `energy_cost` when readings carry a cost) | electricity, flow 1 (delivered) | kWh |
| `energy_return` | electricity, flow 19 (received: solar export), positive | kWh |
| `gas_consumption` (+ `gas_cost`) | gas (uom 169) | thm |
| `bill` | UsageSummary `billLastPeriod`, at the billing period's start hour | currency |

A feed's series are imported through the shell's `statistics.async_import`, one import per run of
contiguous readings, so that a day missing from a feed never overwrites stored hours with zeros.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant

from ...api.pge import EspiFeed
from ...statistics import StatisticSpec, async_import
from .const import PROVIDER
from .history import FeedCollector, Series, bill_readings, contiguous_runs

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
    for point, bills in sorted(bill_readings(feed.usage_summaries).items()):
        spec = bill_spec(point)
        result = await async_import(hass, spec, bills)
        written[spec.statistic_id] = result.hours_written
    return ImportSummary(written, readings, first, last)
