"""Enedis statistics: one consumption and one production statistic per meter (PRM).

Ids are `openpower:enedis_<prm>_energy_consumption` and `…_energy_production`, in kWh. A local
(Paris) day is stored either from its 30-minute load curve, hour by hour (W × step), or as its
daily value at the day's first hour when it has no curve: never both. Each day is imported whole,
and only runs of consecutive days given together share an import, so a day that gains its curve
replaces its daily row (the shell's `async_import` overwrites every hour of its range) and a day
that is not given is never touched.

This is the one place Enedis energy reaches the recorder. With a tariff in the options, the cost of
consumption (`…_energy_consumption_cost`) and the compensation of production are imported beside
it by the entry's `Pricer`: each half-hour of a curve at its own price, a day stored from its
daily value at the mean price of its 24 hours (Enedis does not say when in the day it was used).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.enedis import PARIS, DailyReading, Direction, LoadCurvePoint
from ...pricing import Direction as MoneyDirection, Pricer
from ...statistics import IntervalReading, StatisticSpec, async_import, consecutive
from .const import PROVIDER

type DaySource = DailyReading | Sequence[LoadCurvePoint]
"""What a day is stored from: its daily value, or its load curve's intervals."""

_WH_PER_KWH = 1000.0
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_NAMES = {Direction.CONSUMPTION: "consumption", Direction.PRODUCTION: "production"}
MONEY: dict[Direction, MoneyDirection] = {
    Direction.CONSUMPTION: MoneyDirection.IMPORT,
    Direction.PRODUCTION: MoneyDirection.EXPORT,
}
"""Consumption is bought (a cost), production sold (a compensation)."""


def statistic_spec(prm: str, direction: Direction) -> StatisticSpec:
    """Return the energy statistic of one direction of a meter."""
    return StatisticSpec(
        provider=PROVIDER,
        point=prm,
        quantity=f"energy_{direction.value}",
        name=f"Linky {prm} {_NAMES[direction]}",
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        unit_class=EnergyConverter.UNIT_CLASS,
    )


def day_readings(day: date, source: DaySource) -> list[IntervalReading]:
    """Return the readings one day is stored from."""
    if isinstance(source, DailyReading):
        return [
            IntervalReading(
                start=source.start,
                duration=source.duration,
                value=source.energy_wh / _WH_PER_KWH,
            )
        ]
    first = DailyReading(day, 0.0, Direction.CONSUMPTION)
    # A zero at the day's first hour puts that hour in the import's range even when the curve
    # starts late, so a daily value stored there before is overwritten, never kept beside it.
    readings = [IntervalReading(start=first.start, duration=first.duration, value=0.0)]
    readings.extend(
        IntervalReading(
            start=point.start,
            duration=point.duration,
            value=point.energy_wh / _WH_PER_KWH,
        )
        for point in source
    )
    return readings


def stored_readings(stored: Sequence[tuple[datetime, float]]) -> list[IntervalReading]:
    """Return the readings stored rows were made of, for pricing history again.

    A local day whose only non-zero row is at its first hour was stored from its daily value:
    that row covers the whole day (priced at the day's mean price, as at its import). The
    others are hours of a load curve, or the zero rows the shell writes before a daily row to
    carry the sum (`statistics`), which cost nothing wherever they are.
    """
    rows_per_day = Counter(
        start.astimezone(PARIS).date() for start, value in stored if value
    )
    readings: list[IntervalReading] = []
    for start, value in stored:
        local = start.astimezone(PARIS)
        if local.time() == time() and rows_per_day[local.date()] == 1:
            day = DailyReading(local.date(), 0.0, Direction.CONSUMPTION)
            readings.append(
                IntervalReading(start=start, duration=day.duration, value=value)
            )
        else:
            readings.append(IntervalReading(start=start, duration=_HOUR, value=value))
    return readings


async def async_import_days(
    hass: HomeAssistant,
    prm: str,
    direction: Direction,
    days: Mapping[date, DaySource],
    *,
    pricer: Pricer | None = None,
) -> None:
    """Store each given day of one direction from its source, replacing what it held.

    With `pricer`, its cost (or compensation) beside it when the entry has a tariff.
    """
    spec = statistic_spec(prm, direction)
    for run in consecutive(days, _DAY):
        readings = [reading for day in run for reading in day_readings(day, days[day])]
        if pricer is None:
            await async_import(hass, spec, readings)
        else:
            await pricer.async_import(spec, readings, direction=MONEY[direction])
