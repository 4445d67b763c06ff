"""Enedis statistics: one consumption and one production statistic per meter (PRM).

Ids are `openpower:enedis_<prm>_energy_consumption` and `…_energy_production`, in kWh. A local
(Paris) day is stored either from its 30-minute load curve, hour by hour (W × step), or as its
daily value at the day's first hour when it has no curve: never both. Each day is imported whole,
and only runs of consecutive days given together share an import, so a day that gains its curve
replaces its daily row (the shell's `async_import` overwrites every hour of its range) and a day
that is not given is never touched.

This is the one place Enedis energy reaches the recorder: cost statistics will go through here.
"""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.enedis import DailyReading, Direction, LoadCurvePoint
from ...statistics import IntervalReading, StatisticSpec, async_import
from .const import PROVIDER

type DaySource = DailyReading | Sequence[LoadCurvePoint]
"""What a day is stored from: its daily value, or its load curve's intervals."""

_WH_PER_KWH = 1000.0
_NAMES = {Direction.CONSUMPTION: "consumption", Direction.PRODUCTION: "production"}


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


def runs(days: Mapping[date, DaySource]) -> Iterator[list[date]]:
    """Yield the given days in runs of consecutive days, oldest first."""
    run: list[date] = []
    for day in sorted(days):
        if run and day - run[-1] != timedelta(days=1):
            yield run
            run = []
        run.append(day)
    if run:
        yield run


async def async_import_days(
    hass: HomeAssistant, prm: str, direction: Direction, days: Mapping[date, DaySource]
) -> None:
    """Store each given day of one direction from its source, replacing what it held."""
    spec = statistic_spec(prm, direction)
    for run in runs(days):
        readings = [reading for day in run for reading in day_readings(day, days[day])]
        await async_import(hass, spec, readings)
