"""Deterministic energy model of a GoodWe station, for the simulator's `goodwe` part.

A pure function of (station profile, local date): the same inputs give the same 5-minute steps in
every process. A local day runs from local midnight to local midnight (276 or 300 steps on a DST
day). Per step, in whole watts:

- PV: a `sin²` bell between 06:00 and 18:00 local peaking at 85 % of the PV rating, times a
  weather factor per day (0.3–1.0) and a cloud factor per step (0.85–1.0).
- Load: a base 350 W, a morning bump around 07:30 (+1100 W) and an evening one around 19:00
  (+2000 W), scaled per station (0.8–1.2), plus up to 250 W of noise.
- Battery (none when `battery_kwh` is 0): starts the day at a deterministic SOC (25–65 %),
  charges from the PV surplus (midday) and discharges to cover the deficit (evening, night), at
  most `BATTERY_POWER_W` either way and within 10–100 % SOC; never from the grid.
- Grid: what is left, `load − pv + charge − discharge`: import when positive, export otherwise.

So every step balances exactly (`pv + import + discharge = load + export + charge`) and a day's
energy is the exact sum of its steps (W × 5 min). The inverter's AC output (SEMS+ `pAc`) is
`pv + discharge − charge` (reference apis-goodwe.md §5.1: on hybrids it includes the discharge).
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


@dataclass(frozen=True, slots=True)
class StationProfile:
    """What the model needs to know about a station (hashable: days are cached)."""

    station_id: str
    time_zone: str
    pv_kw: float
    battery_kwh: float = 0.0


class Step(NamedTuple):
    """One 5-minute step of a station: average powers in W, SOC (%) at its end."""

    start: datetime
    """Start of the step (aware, UTC)."""
    pv: int
    load: int
    charge: int
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


def local_midnight(day: date, time_zone: str) -> datetime:
    """Start of a local date, as an aware UTC datetime."""
    return datetime(
        day.year, day.month, day.day, tzinfo=ZoneInfo(time_zone)
    ).astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    """The local date of an instant."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


@lru_cache(maxsize=1024)
def day_steps(profile: StationProfile, day: date) -> tuple[Step, ...]:
    """Every step of a local date, oldest first."""
    zone = ZoneInfo(profile.time_zone)
    start = local_midnight(day, profile.time_zone)
    count = int(
        (local_midnight(day + timedelta(days=1), profile.time_zone) - start) / STEP
    )
    seed = int.from_bytes(
        hashlib.blake2b(f"{profile.station_id}|{day}".encode(), digest_size=8).digest()
    )
    rng = random.Random(seed)  # noqa: S311 - a model, not a secret
    weather = 0.3 + 0.7 * unit(profile.station_id, "weather", day)
    pv_peak = profile.pv_kw * 1000 * PV_PEAK_SHARE * weather
    household = 0.8 + 0.4 * unit(profile.station_id, "household")
    soc = 25.0 + 40.0 * unit(profile.station_id, "soc", day)
    # W that fill (or empty) one % of SOC in one step.
    watts_per_percent = profile.battery_kwh * 1000 / 100 * STEPS_PER_HOUR
    steps: list[Step] = []
    for index in range(count):
        step_start = start + index * STEP
        middle = (step_start + STEP / 2).astimezone(zone)
        hour = middle.hour + middle.minute / 60 + middle.second / 3600
        bell = (
            math.sin(math.pi * (hour - 6.0) / 12.0) ** 2 if 6.0 < hour < 18.0 else 0.0
        )
        pv = round(pv_peak * bell * (0.85 + 0.15 * rng.random()))
        shape = 350 + 1100 * _bump(hour, 7.5, 1.0) + 2000 * _bump(hour, 19.0, 1.8)
        load = round(household * shape + 250 * rng.random())
        charge = discharge = 0
        if watts_per_percent > 0:
            surplus = pv - load
            if surplus > 0:
                room = (SOC_MAX - soc) * watts_per_percent
                charge = math.floor(max(0.0, min(surplus, BATTERY_POWER_W, room)))
            else:
                stored = (soc - SOC_MIN) * watts_per_percent
                discharge = math.floor(max(0.0, min(-surplus, BATTERY_POWER_W, stored)))
            soc += (charge - discharge) / watts_per_percent
        grid = load - pv + charge - discharge
        steps.append(
            Step(
                start=step_start,
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
def day_totals(profile: StationProfile, day: date) -> Totals:
    """Energy of a whole local date."""
    return Totals.of(day_steps(profile, day))


def step_at(profile: StationProfile, moment: datetime) -> Step:
    """The step containing `moment`."""
    steps = day_steps(profile, local_date(moment, profile.time_zone))
    index = int((moment - steps[0].start) / STEP)
    return steps[min(max(index, 0), len(steps) - 1)]


def totals_between(
    profile: StationProfile, first_day: date, moment: datetime
) -> Totals:
    """Energy of the steps finished by `moment`, from local date `first_day` on."""
    today = local_date(moment, profile.time_zone)
    total = (
        Totals.of(
            step for step in day_steps(profile, today) if step.start + STEP <= moment
        )
        if today >= first_day
        else Totals()
    )
    day = first_day
    while day < today:
        total += day_totals(profile, day)
        day += timedelta(days=1)
    return total
