"""Deterministic energy model of an AlphaESS system, for the simulator's `alphaess` part.

A pure function of (serial, time zone, PV and battery ratings, local date): the same inputs give
the same 5-minute steps in every process. Per local day (local midnight to local midnight, so a
DST day has 276 or 300 steps):

- PV: a bell between 06:00 and 18:00 local, `sin²`, peaking at 85 % of `popv`, times a weather
  factor per day (0.3–1.0, from a hash of serial and date) and a cloud factor per step (0.85–1).
- Load: the household's base 400 W, a morning bump around 07:30 (+1200 W) and an evening one
  around 19:00 (+2200 W), scaled per system (0.8–1.2) plus up to 300 W of noise per step.
- Battery (capacity `cobat`): starts the day at a deterministic SOC (20–70 %), charges from the
  PV surplus and discharges to cover the deficit, at most 5 kW either way and within 10–100 %
  SOC; it never charges from the grid.
- Grid: what is left, `load − ppv + charge − discharge`: import when positive, feed-in when
  negative.

Every power is a whole number of watts, so each step balances exactly
(`ppv + import + discharge = load + feed-in + charge`) and daily energies are exact sums
(W × 5 min). A step's sample is uploaded `upload_offset(serial)` after the step starts (4 min and
a per-system number of seconds: `…:04:17`, minute ≡ 4 mod 5, like the captured `20:09:04`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
import hashlib
import math
import random
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

STEP: Final = timedelta(minutes=5)
STEPS_PER_HOUR: Final = 12
BATTERY_POWER_W: Final = 5000
SOC_MIN: Final = 10.0
SOC_MAX: Final = 100.0
PV_PEAK_SHARE: Final = 0.85


def unit(*parts: object) -> float:
    """Return a stable pseudo-random number in [0, 1) for `parts`."""
    text = "|".join(str(p) for p in parts)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


class Step(NamedTuple):
    """One 5-minute step of a system: average powers in W, SOC at its end."""

    start: datetime
    """Start of the step (aware, UTC)."""
    ppv: int
    load: int
    charge: int
    """Battery charging power (from the PV surplus)."""
    discharge: int
    grid_import: int
    feed_in: int
    soc: float
    """Battery state of charge at the end of the step, in %."""


@dataclass(frozen=True, slots=True)
class Totals:
    """Energy of a set of steps, in kWh (unrounded)."""

    pv: float = 0.0
    load: float = 0.0
    grid_import: float = 0.0
    feed_in: float = 0.0
    charge: float = 0.0
    discharge: float = 0.0

    @classmethod
    def of(cls, steps: Iterable[Step]) -> Totals:
        """Sum the steps' powers × 5 minutes."""
        sums = [0, 0, 0, 0, 0, 0]
        for step in steps:
            sums[0] += step.ppv
            sums[1] += step.load
            sums[2] += step.grid_import
            sums[3] += step.feed_in
            sums[4] += step.charge
            sums[5] += step.discharge
        kwh = [total / STEPS_PER_HOUR / 1000 for total in sums]
        return cls(*kwh)

    def __add__(self, other: Totals) -> Totals:
        """Add two sets of totals."""
        return Totals(
            self.pv + other.pv,
            self.load + other.load,
            self.grid_import + other.grid_import,
            self.feed_in + other.feed_in,
            self.charge + other.charge,
            self.discharge + other.discharge,
        )


def upload_offset(serial: str) -> timedelta:
    """How long after its step starts a sample is uploaded: 4 min + 0–59 s per system."""
    return timedelta(seconds=240 + int(unit(serial, "upload") * 60))


def local_midnight(day: date, time_zone: str) -> datetime:
    """Start of a local date, as an aware UTC datetime."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(time_zone))
    return midnight.astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    """The local date of an instant."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


_STEPS_A_DAY: Final = 24 * STEPS_PER_HOUR
_PLAIN_DAY_HOURS: Final = tuple(
    (index + 0.5) / STEPS_PER_HOUR for index in range(_STEPS_A_DAY)
)


def _local_hours(time_zone: str, start: datetime, count: int) -> tuple[float, ...]:
    """Local hour of the middle of each step: the plain sequence unless the clocks change."""
    if count == _STEPS_A_DAY:
        return _PLAIN_DAY_HOURS
    zone = ZoneInfo(time_zone)
    hours: list[float] = []
    for index in range(count):
        middle = (start + index * STEP + STEP / 2).astimezone(zone)
        hours.append(middle.hour + middle.minute / 60 + middle.second / 3600)
    return tuple(hours)


@lru_cache(maxsize=8)
def _shapes(hours: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The PV bell (sin² between 06:00 and 18:00) and the load shape (W) of each step."""
    bell = tuple(
        math.sin(math.pi * (hour - 6.0) / 12.0) ** 2 if 6.0 < hour < 18.0 else 0.0
        for hour in hours
    )
    load = tuple(
        400 + 1200 * _bump(hour, 7.5, 1.0) + 2200 * _bump(hour, 19.0, 1.8)
        for hour in hours
    )
    return bell, load


@lru_cache(maxsize=256)
def day_steps(
    serial: str, time_zone: str, popv_kw: float, cobat_kwh: float, day: date
) -> tuple[Step, ...]:
    """Every step of a local date, oldest first."""
    start = local_midnight(day, time_zone)
    count = int((local_midnight(day + timedelta(days=1), time_zone) - start) / STEP)
    bells, load_shapes = _shapes(_local_hours(time_zone, start, count))
    seed = int.from_bytes(
        hashlib.blake2b(f"{serial}|{day}".encode(), digest_size=8).digest()
    )
    rng = random.Random(seed)  # noqa: S311 - a model, not a secret
    pv_peak = (
        popv_kw * 1000 * PV_PEAK_SHARE * (0.3 + 0.7 * unit(serial, "weather", day))
    )
    household = 0.8 + 0.4 * unit(serial, "household")
    soc = 20.0 + 50.0 * unit(serial, "soc", day)
    # W that fill (or empty) one % of SOC in one step.
    watts_per_percent = cobat_kwh * 1000 / 100 * STEPS_PER_HOUR
    steps: list[Step] = []
    for index, (bell, load_shape) in enumerate(zip(bells, load_shapes, strict=True)):
        cloud = 0.85 + 0.15 * rng.random()
        ppv = round(pv_peak * bell * cloud)
        load = round(household * load_shape + 300 * rng.random())
        surplus = ppv - load
        charge = discharge = 0
        if surplus > 0:
            room_w = (SOC_MAX - soc) * watts_per_percent
            charge = math.floor(max(0.0, min(surplus, BATTERY_POWER_W, room_w)))
        else:
            stored_w = (soc - SOC_MIN) * watts_per_percent
            discharge = math.floor(max(0.0, min(-surplus, BATTERY_POWER_W, stored_w)))
        soc += (charge - discharge) / watts_per_percent
        grid = load - ppv + charge - discharge
        steps.append(
            Step(
                start=start + index * STEP,
                ppv=ppv,
                load=load,
                charge=charge,
                discharge=discharge,
                grid_import=max(grid, 0),
                feed_in=max(-grid, 0),
                soc=soc,
            )
        )
    return tuple(steps)


@lru_cache(maxsize=8192)
def day_totals(
    serial: str, time_zone: str, popv_kw: float, cobat_kwh: float, day: date
) -> Totals:
    """Energy of a whole local date."""
    return Totals.of(day_steps(serial, time_zone, popv_kw, cobat_kwh, day))
