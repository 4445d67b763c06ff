"""GoodWe statistics: one daily statistic per quantity of a station, each day at its first hour.

Ids are `openpower:goodwe_<station id>_<quantity>`, in kWh. SEMS+ gives energy per local day at
best (`stations/statistics`, `dimension: day`, reference apis-goodwe.md §6.1: no finer energy),
so a day's value is stored at the station's local midnight, covering the whole day, as Enedis
stores a day without its curve. Days are imported in runs of consecutive days: the shell's
`async_import` replaces the range it is given, so a day not given (or whose value SEMS+ did not
send) is never overwritten with 0.

Grid import and export go through the entry's `Pricer`, which adds their cost and compensation
beside them when the entry has a price source; a stored day is priced again as the whole day it
covers (`stored_readings`), at the mean price of its hours.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

from homeassistant.const import UnitOfEnergy
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.goodwe import Station, StatisticsBucket
from ...pricing import Direction, Pricer
from ...statistics import IntervalReading, StatisticSpec, async_import, consecutive
from .const import PROVIDER

QUANTITIES: Final = (
    "pv",
    "consumption",
    "grid_import",
    "grid_export",
    "battery_charge",
    "battery_discharge",
)
_NAMES: Final = {
    "pv": "solar production",
    "consumption": "consumption",
    "grid_import": "grid import",
    "grid_export": "grid export",
    "battery_charge": "battery charge",
    "battery_discharge": "battery discharge",
}
DIRECTIONS: Final[Mapping[str, Direction]] = {
    "grid_import": Direction.IMPORT,
    "grid_export": Direction.EXPORT,
}
"""The quantities that are priced: bought (cost) and sold (compensation)."""
_HOUR: Final = timedelta(hours=1)
_DAY: Final = timedelta(days=1)


def statistic_spec(station: Station, quantity: str) -> StatisticSpec:
    """Return the statistic of one quantity of a station."""
    return StatisticSpec(
        provider=PROVIDER,
        point=station.id,
        quantity=quantity,
        name=f"GoodWe {station.name} {_NAMES[quantity]}".replace("  ", " "),
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        unit_class=EnergyConverter.UNIT_CLASS,
    )


def bucket_value(bucket: StatisticsBucket, quantity: str) -> float | None:
    """Return a quantity of a day bucket (kWh; None when SEMS+ did not send it)."""
    value: float | None = getattr(bucket, f"{quantity}_kwh")
    return value


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, timedelta]:
    """Return a local day's start (aware, in `zone`) and its length (23, 24 or 25 hours)."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start, end.astimezone(UTC) - start.astimezone(UTC)


def day_reading(day: date, zone: tzinfo, value: float) -> IntervalReading:
    """Return a day's energy as one reading starting at its local midnight."""
    start, length = day_bounds(day, zone)
    return IntervalReading(start=start, duration=length, value=value)


def stored_readings(
    zone: tzinfo, stored: Sequence[tuple[datetime, float]]
) -> list[IntervalReading]:
    """Return the readings stored rows were made of, for pricing history again.

    A row at the station's local midnight is a day's value and covers the day; any other row is
    one of the zero rows the shell writes to carry the sum, which costs nothing wherever it is.
    """
    readings: list[IntervalReading] = []
    for start, value in stored:
        local = start.astimezone(zone)
        if local.time() == time():
            readings.append(day_reading(local.date(), zone, value))
        else:
            readings.append(IntervalReading(start=start, duration=_HOUR, value=value))
    return readings


async def async_import_days(
    pricer: Pricer,
    station: Station,
    zone: tzinfo,
    buckets: Mapping[date, StatisticsBucket],
) -> None:
    """Store each given day's value of every quantity, replacing what the day held.

    A quantity SEMS+ did not send for a day splits that quantity's import there: the day's
    stored value stays as it was.
    """
    for quantity in QUANTITIES:
        spec = statistic_spec(station, quantity)
        known = {
            day: value
            for day, bucket in buckets.items()
            if (value := bucket_value(bucket, quantity)) is not None
        }
        for run in consecutive(known, _DAY):
            readings = [day_reading(day, zone, known[day]) for day in run]
            if (direction := DIRECTIONS.get(quantity)) is None:
                await async_import(pricer.hass, spec, readings)
            else:
                await pricer.async_import(spec, readings, direction=direction)
