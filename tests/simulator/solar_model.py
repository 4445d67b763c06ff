"""Deterministic solar, load and battery model of a home, shared by the simulator's inverter parts.

A pure function of (site, local date): the same inputs give the same 5-minute steps in every
process. A local day runs from local midnight to local midnight (276 or 300 steps on a DST day).
Per step, in whole watts:

- PV: a `sin²` bell between 06:00 and 18:00 local peaking at 85 % of the PV rating, times a
  weather factor per day (0.3–1.0, from a hash of the site's key and the date) and a cloud factor
  per step (0.85–1.0).
- Load: the household's base, a morning bump around 07:30 and an evening one around 19:00 (the
  watts are the provider's `DayShape`), scaled per site (0.8–1.2), plus up to `noise_w` of noise.
- Battery (none when `battery_kwh` is 0): starts the day at a deterministic SOC (in the shape's
  range), charges from the PV surplus and discharges to cover the deficit, at most
  `BATTERY_POWER_W` either way and within 10–100 % SOC; it never charges from the grid.
- Grid: what is left, `load − pv + charge − discharge`: import when positive, export otherwise.

So every step balances exactly (`pv + import + discharge = load + export + charge`) and a day's
energy is the exact sum of its steps (W × 5 min). Each provider's household is a `DayShape` in
its own module (`alphaess_model.py`, `goodwe_model.py`); `unit`, `bump` and `local_midnight` also
serve the other parts' models (Emporia, Amber).
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


def bump(hour: float, centre: float, width: float) -> float:
    """A Gaussian bump of height 1 at `centre`."""
    return math.exp(-(((hour - centre) / width) ** 2))


def local_midnight(day: date, time_zone: str) -> datetime:
    """Start of a local date, as an aware UTC datetime."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(time_zone))
    return midnight.astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    """The local date of an instant."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True, slots=True)
class DayShape:
    """A provider's household: load shape and noise (W), and the range of the day's first SOC."""

    base_w: int
    morning_w: int
    evening_w: int
    noise_w: int
    soc_low: float
    """The lowest SOC (%) a day starts at."""
    soc_span: float
    """How far above `soc_low` a day may start (%)."""


@dataclass(frozen=True, slots=True)
class Site:
    """What the model needs to know about a home (hashable: days are cached)."""

    key: str
    """Seeds every random draw of the site (the provider's serial or station id)."""
    time_zone: str
    pv_kw: float
    battery_kwh: float
    shape: DayShape


class Step(NamedTuple):
    """One 5-minute step of a site: average powers in W, SOC (%) at its end."""

    start: datetime
    """Start of the step (aware, UTC)."""
    pv: int
    load: int
    charge: int
    """Battery charging power (from the PV surplus)."""
    discharge: int
    grid_import: int
    export: int
    soc: float

    @property
    def ac(self) -> int:
        """The inverter's AC output: PV plus discharge minus charge."""
        return self.pv + self.discharge - self.charge


@dataclass(frozen=True, slots=True)
class Totals:
    """Energy of a set of steps, in kWh (unrounded)."""

    pv: float = 0.0
    load: float = 0.0
    grid_import: float = 0.0
    export: float = 0.0
    charge: float = 0.0
    discharge: float = 0.0

    @classmethod
    def of(cls, steps: Iterable[Step]) -> Totals:
        """Sum the steps' powers × 5 minutes."""
        sums = [0, 0, 0, 0, 0, 0]
        for step in steps:
            sums[0] += step.pv
            sums[1] += step.load
            sums[2] += step.grid_import
            sums[3] += step.export
            sums[4] += step.charge
            sums[5] += step.discharge
        return cls(*(total / STEPS_PER_HOUR / 1000 for total in sums))

    def __add__(self, other: Totals) -> Totals:
        """Add two sets of totals."""
        return Totals(
            self.pv + other.pv,
            self.load + other.load,
            self.grid_import + other.grid_import,
            self.export + other.export,
            self.charge + other.charge,
            self.discharge + other.discharge,
        )

    @property
    def ac(self) -> float:
        """The inverter's AC energy (PV + discharge − charge)."""
        return self.pv + self.discharge - self.charge


def _local_hours(time_zone: str, start: datetime, count: int) -> tuple[float, ...]:
    """Local hour of the middle of each step."""
    zone = ZoneInfo(time_zone)
    hours: list[float] = []
    for index in range(count):
        middle = (start + index * STEP + STEP / 2).astimezone(zone)
        hours.append(middle.hour + middle.minute / 60 + middle.second / 3600)
    return tuple(hours)


@lru_cache(maxsize=8)
def _shapes(
    hours: tuple[float, ...], shape: DayShape
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The PV bell (sin² between 06:00 and 18:00) and the load shape (W) of each step."""
    bell = tuple(
        math.sin(math.pi * (hour - 6.0) / 12.0) ** 2 if 6.0 < hour < 18.0 else 0.0
        for hour in hours
    )
    load = tuple(
        shape.base_w
        + shape.morning_w * bump(hour, 7.5, 1.0)
        + shape.evening_w * bump(hour, 19.0, 1.8)
        for hour in hours
    )
    return bell, load


@lru_cache(maxsize=1024)
def day_steps(site: Site, day: date) -> tuple[Step, ...]:
    """Every step of a local date, oldest first."""
    shape = site.shape
    start = local_midnight(day, site.time_zone)
    count = int(
        (local_midnight(day + timedelta(days=1), site.time_zone) - start) / STEP
    )
    hours = _local_hours(site.time_zone, start, count)
    bells, load_shapes = _shapes(hours, shape)
    seed = int.from_bytes(
        hashlib.blake2b(f"{site.key}|{day}".encode(), digest_size=8).digest()
    )
    rng = random.Random(seed)  # noqa: S311 - a model, not a secret
    weather = 0.3 + 0.7 * unit(site.key, "weather", day)
    pv_peak = site.pv_kw * 1000 * PV_PEAK_SHARE * weather
    household = 0.8 + 0.4 * unit(site.key, "household")
    soc = shape.soc_low + shape.soc_span * unit(site.key, "soc", day)
    # W that fill (or empty) one % of SOC in one step.
    watts_per_percent = site.battery_kwh * 1000 / 100 * STEPS_PER_HOUR
    steps: list[Step] = []
    for index, (bell, load_shape) in enumerate(zip(bells, load_shapes, strict=True)):
        pv = round(pv_peak * bell * (0.85 + 0.15 * rng.random()))
        load = round(household * load_shape + shape.noise_w * rng.random())
        charge = discharge = 0
        if watts_per_percent > 0:
            surplus = pv - load
            if surplus > 0:
                room_w = (SOC_MAX - soc) * watts_per_percent
                charge = math.floor(max(0.0, min(surplus, BATTERY_POWER_W, room_w)))
            else:
                stored_w = (soc - SOC_MIN) * watts_per_percent
                discharge = math.floor(
                    max(0.0, min(-surplus, BATTERY_POWER_W, stored_w))
                )
            soc += (charge - discharge) / watts_per_percent
        grid = load - pv + charge - discharge
        steps.append(
            Step(
                start=start + index * STEP,
                pv=pv,
                load=load,
                charge=charge,
                discharge=discharge,
                grid_import=max(grid, 0),
                export=max(-grid, 0),
                soc=soc,
            )
        )
    return tuple(steps)


@lru_cache(maxsize=8192)
def day_totals(site: Site, day: date) -> Totals:
    """Energy of a whole local date."""
    return Totals.of(day_steps(site, day))


def step_at(site: Site, moment: datetime) -> Step:
    """The step containing `moment`."""
    steps = day_steps(site, local_date(moment, site.time_zone))
    index = int((moment - steps[0].start) / STEP)
    return steps[min(max(index, 0), len(steps) - 1)]


def totals_between(
    site: Site, first_day: date, moment: datetime, delay: timedelta = STEP
) -> Totals:
    """Energy of the steps known `delay` after they start, by `moment`, from `first_day` on."""
    today = local_date(moment, site.time_zone)
    total = (
        Totals.of(
            step for step in day_steps(site, today) if step.start + delay <= moment
        )
        if today >= first_day
        else Totals()
    )
    day = first_day
    while day < today:
        total += day_totals(site, day)
        day += timedelta(days=1)
    return total
