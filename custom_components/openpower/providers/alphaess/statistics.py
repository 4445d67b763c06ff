"""AlphaESS statistics: each local day's energy, spread over its hours by the 5-minute samples.

Ids are `openpower:alphaess_<serial>_<quantity>`. AlphaESS gives a day's energy
(`getOneDateEnergyBySn`, kWh) and its 5-minute power samples (`getOneDayPowerBySn`, W). The
samples give the day its shape, the daily values its size: each quantity's hours are the
samples' energy scaled so that they add up to the daily value exactly (reference §2.2 rows 3–4,
§2.5), so the Energy dashboard's day matches the AlphaESS app's.

Grid import and export are imported through the entry's `Pricer`, which adds their cost and
compensation statistics when the entry has a price source. Each hour is priced by its 5-minute
pieces (the hour's energy as its samples spread it), so a price that changes within the hour
(an Amber site's 5-minute intervals) weighs as much as the energy drawn while it held.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
import math
from typing import Final
from zoneinfo import ZoneInfo

from homeassistant.const import UnitOfEnergy
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.alphaess import DailyEnergy, PowerSample
from ...api.errors import ApiResponseError
from ...pricing import Direction, Pricer
from ...statistics import IntervalReading, StatisticSpec, async_import, consecutive
from .const import PROVIDER

QUANTITIES: Final = (
    "pv",
    "grid_import",
    "grid_export",
    "battery_charge",
    "battery_discharge",
    "load",
)

_NAMES: Final = {
    "pv": "solar production",
    "grid_import": "grid import",
    "grid_export": "grid export",
    "battery_charge": "battery charge",
    "battery_discharge": "battery discharge",
    "load": "load",
}

DIRECTIONS: Final[Mapping[str, Direction]] = {
    "grid_import": Direction.IMPORT,
    "grid_export": Direction.EXPORT,
}
"""The quantities that are priced: bought (cost) and sold (compensation)."""

_SAMPLE_SECONDS: Final = 300
_SAMPLE: Final = timedelta(seconds=_SAMPLE_SECONDS)
_SAMPLE_KWH_PER_W: Final = 5 / 60 / 1000
"""Energy (kWh) of one 5-minute sample per watt of its power."""


def _battery_charge(sample: PowerSample) -> float | None:
    return None if (battery := sample.battery) is None else -battery


def _battery_discharge(sample: PowerSample) -> float | None:
    return sample.battery


_POWER: Final[Mapping[str, Callable[[PowerSample], float | None]]] = {
    "pv": lambda sample: sample.pv,
    "grid_import": lambda sample: sample.grid_import,
    "grid_export": lambda sample: sample.grid_export,
    "battery_charge": _battery_charge,
    "battery_discharge": _battery_discharge,
    "load": lambda sample: sample.load,
}
"""Each quantity's power in a sample, W; only its positive part counts."""

_DAILY: Final[Mapping[str, Callable[[DailyEnergy], float | None]]] = {
    "pv": lambda daily: daily.pv,
    "grid_import": lambda daily: daily.grid_import,
    "grid_export": lambda daily: daily.grid_export,
    "battery_charge": lambda daily: daily.battery_charge,
    "battery_discharge": lambda daily: daily.battery_discharge,
    "load": lambda daily: daily.load,
}


def statistic_spec(serial: str, quantity: str) -> StatisticSpec:
    """Return the statistic of one quantity (one of `QUANTITIES`) of a system."""
    if quantity not in _NAMES:
        raise ValueError(f"{quantity!r} is not an AlphaESS quantity")
    return StatisticSpec(
        provider=PROVIDER,
        point=serial.lower(),
        quantity=quantity,
        name=f"AlphaESS {serial} {_NAMES[quantity]}",
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        unit_class=EnergyConverter.UNIT_CLASS,
    )


def _exists(local: datetime) -> bool:
    """Whether a wall-clock time is one the zone has (not skipped by a DST change)."""
    zone = local.tzinfo
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def _day_hours(day: date, zone: ZoneInfo) -> list[datetime]:
    """Return the UTC starts of a local day's hours, then the start of the next day.

    Wall-clock hours, so a half-hour zone's hours start at its :00, and a DST day has 23 or
    25 of them (the repeated hour twice, with fold 0 then 1).
    """
    # A midnight a DST change skips resolves to the first instant after the gap.
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    starts = {start}
    for hour in range(24):
        for fold in (0, 1):
            local = datetime.combine(day, time(hour, fold=fold), zone)
            if _exists(local):
                starts.add(local.astimezone(UTC))
    return [*sorted(moment for moment in starts if start <= moment < end), end]


def _instants(
    samples: Sequence[PowerSample], zone: ZoneInfo
) -> Iterator[tuple[datetime, PowerSample]]:
    """Yield each sample with its instant (UTC), a repeated instant only once.

    Sample times are naive local times: in the hour a DST change repeats, the first sample at
    a wall-clock time is its first occurrence, the next one at that time the second. A sample
    repeating an instant already seen is a duplicate, not five more minutes.
    """
    seen: set[datetime] = set()
    for sample in samples:
        moment = sample.time
        if moment.tzinfo is not None:
            instant = moment.astimezone(UTC)
        else:
            instant = moment.replace(tzinfo=zone, fold=0).astimezone(UTC)
            if instant in seen:
                instant = moment.replace(tzinfo=zone, fold=1).astimezone(UTC)
        if instant not in seen:
            seen.add(instant)
            yield instant, sample


def _spread(total: float, weights: Sequence[float]) -> list[float]:
    """Return `total` split in proportion to the weights (not all 0), summing to it exactly.

    Every part is a whole number of units of the total's last digit (`math.ulp`), so the parts
    and every partial sum are exact floats: `math.fsum` (and `sum`) of them is `total` itself.
    The rounding remainder goes to the largest part.
    """
    if total == 0:
        return [0.0] * len(weights)
    unit = math.ulp(total)
    units = round(total / unit)
    whole = math.fsum(weights)
    parts = [math.floor(units * (weight / whole)) for weight in weights]
    largest = max(range(len(weights)), key=weights.__getitem__)
    parts[largest] += units - sum(parts)
    return [part * unit for part in parts]


def _daily_value(daily: DailyEnergy, quantity: str) -> float | None:
    value = _DAILY[quantity](daily)
    if value is not None and not (math.isfinite(value) and value >= 0):
        # AlphaESS never reports negative energy: such a day is a malformed answer.
        raise ApiResponseError(f"{quantity} of {daily.day} is {value}, not an energy")
    return value


def _in_day(
    day: date, zone: ZoneInfo, samples: Sequence[PowerSample]
) -> tuple[list[datetime], list[tuple[int, datetime, PowerSample]]]:
    """Return the day's hour bounds (`_day_hours`) and its samples: (hour index, instant, sample)."""
    bounds = _day_hours(day, zone)
    return bounds, [
        (bisect_right(bounds, instant) - 1, instant, sample)
        for instant, sample in _instants(samples, zone)
        if bounds[0] <= instant < bounds[-1]
    ]


def _energy(quantity: str, sample: PowerSample) -> float:
    """Return a quantity's energy in one sample (kWh): its power's positive part, 5 minutes."""
    power = _POWER[quantity](sample)
    return power * _SAMPLE_KWH_PER_W if power is not None and power > 0 else 0.0


def hourly_readings(
    day: date, zone: ZoneInfo, samples: Sequence[PowerSample], daily: DailyEnergy
) -> dict[str, list[IntervalReading]]:
    """Return each known quantity's readings of a local day, in kWh, in `QUANTITIES` order.

    The samples' energy in each local hour gives the shape, the daily value the total, which
    the hours add up to exactly (`math.fsum`). A quantity whose daily value is unknown is left
    out. Every hour of the day has a reading: with a shape, 0 where there was no energy;
    without one (no samples, a gap, all 0), the daily value at the day's first hour and 0 in
    the others. Samples outside
    the day, and a sample's unknown (None) or negative power, count as nothing.
    """
    if daily.day != day:
        raise ValueError(f"energy of {daily.day} given for {day}")
    bounds, in_day = _in_day(day, zone, samples)
    hours = [bound.astimezone(zone) for bound in bounds[:-1]]
    durations = [end - start for start, end in zip(bounds, bounds[1:], strict=False)]
    readings: dict[str, list[IntervalReading]] = {}
    for quantity in QUANTITIES:
        if (total := _daily_value(daily, quantity)) is None:
            continue
        weights = [0.0] * len(hours)
        for hour, _, sample in in_day:
            weights[hour] += _energy(quantity, sample)
        if any(weights):
            values = _spread(total, weights)
        else:
            # No shape: the whole day at its first hour, and 0 in the others, so that a day
            # read again without its samples replaces every hour stored for it.
            values = [total] + [0.0] * (len(hours) - 1)
        readings[quantity] = [
            IntervalReading(start=start, duration=duration, value=value)
            for start, duration, value in zip(hours, durations, values, strict=True)
        ]
    return readings


def sample_pieces(
    day: date,
    zone: ZoneInfo,
    samples: Sequence[PowerSample],
    hours: Mapping[str, Sequence[IntervalReading]],
) -> dict[str, list[IntervalReading]]:
    """Return each priced quantity's hours of `hourly_readings` cut into their 5-minute pieces.

    A piece is the share of its hour's energy that the samples in its 5 minutes gave (0 where
    there is no sample), so an hour's pieces tile it and add up to its energy. The 5 minutes
    count from the hour's start, a sample belonging to the ones its instant falls in: the hour
    it counted in (`hourly_readings`) is the hour of its piece. Hours without energy from the
    samples have no pieces, nor has a quantity whose day has no shape (its daily value at the
    first hour is priced as one span).
    """
    bounds, in_day = _in_day(day, zone, samples)
    pieces: dict[str, list[IntervalReading]] = {}
    for quantity in DIRECTIONS:
        if (readings := hours.get(quantity)) is None:
            continue
        slots: dict[tuple[int, int], float] = {}
        for hour, instant, sample in in_day:
            slot = (
                hour,
                int((instant - bounds[hour]).total_seconds() // _SAMPLE_SECONDS),
            )
            slots[slot] = slots.get(slot, 0.0) + _energy(quantity, sample)
        weights = [0.0] * len(readings)
        for (hour, _), energy in slots.items():
            weights[hour] += energy
        if not any(weights):
            continue
        found: list[IntervalReading] = []
        for hour, reading in enumerate(readings):
            if not weights[hour]:
                continue
            start, end, index = bounds[hour], bounds[hour + 1], 0
            while start < end:
                share = slots.get((hour, index), 0.0) / weights[hour]
                found.append(
                    IntervalReading(
                        start=start,
                        duration=min(_SAMPLE, end - start),
                        value=reading.value * share,
                    )
                )
                start, index = start + _SAMPLE, index + 1
        pieces[quantity] = found
    return pieces


@dataclass(frozen=True, slots=True)
class DayReadings:
    """One local day of a system, as it is imported."""

    hours: dict[str, list[IntervalReading]]
    """Each known quantity's hourly readings (`hourly_readings`)."""
    pieces: dict[str, list[IntervalReading]] = field(default_factory=dict)
    """The priced quantities' 5-minute pieces (`sample_pieces`): what their cost weighs."""


def day_readings(
    day: date, zone: ZoneInfo, samples: Sequence[PowerSample], daily: DailyEnergy
) -> DayReadings:
    """Return a local day's hourly readings and the 5-minute pieces of the priced ones."""
    hours = hourly_readings(day, zone, samples, daily)
    return DayReadings(hours=hours, pieces=sample_pieces(day, zone, samples, hours))


def _runs(
    days: Mapping[date, DayReadings], quantity: str
) -> Iterator[tuple[list[IntervalReading], list[IntervalReading]]]:
    """Yield one quantity's readings and pieces, concatenated over each run of known days."""
    known = [day for day, readings in days.items() if readings.hours.get(quantity)]
    for run in consecutive(known, timedelta(days=1)):
        yield (
            [reading for day in run for reading in days[day].hours[quantity]],
            [piece for day in run for piece in days[day].pieces.get(quantity, ())],
        )


async def async_import_batch(
    pricer: Pricer, serial: str, days: Mapping[date, DayReadings]
) -> None:
    """Import days of `day_readings`, one import per quantity for consecutive days.

    An import replaces its whole range, so a day missing from the batch, or one where a
    quantity is unknown, splits that quantity's import in two: what is stored for that day is
    left alone, never overwritten with 0. Grid import and export go through the pricer, with
    their pieces, so their cost and compensation are imported beside them.
    """
    for quantity in QUANTITIES:
        spec = statistic_spec(serial, quantity)
        for run, pieces in _runs(days, quantity):
            if (direction := DIRECTIONS.get(quantity)) is None:
                await async_import(pricer.hass, spec, run)
            else:
                await pricer.async_import(
                    spec, run, direction=direction, profile=pieces
                )


async def async_import_day(
    pricer: Pricer,
    serial: str,
    day: date,
    zone: ZoneInfo,
    samples: Sequence[PowerSample],
    daily: DailyEnergy,
) -> None:
    """Import one local day of a system: one import per known quantity."""
    await async_import_batch(
        pricer, serial, {day: day_readings(day, zone, samples, daily)}
    )
