"""Deterministic energy model of a Linky meter (PRM), for the simulator's `enedis` part.

A pure function of (meter profile, Paris local date): the same inputs give the same half-hours in
every process. A local day runs from local midnight to local midnight, cut into 30-minute
intervals in UTC, so 2026-03-29 has 46 of them and 2026-10-25 has 50. Each interval is reported
as Enedis does: its END as naive Europe/Paris wall time (the last one of a day is the next day's
00:00:00); in the repeated hour of a fall-back day the same wall times come twice, in order.

- Consumption: a base load (scaled per meter, 0.8–1.2 × `scale`), heating in winter, a morning bump
  around 07:30 and an evening one around 19:30, plus noise per interval.
- Production (`pv_peak_w`): a `sin²` bell between sunrise and sunset (longer days in summer),
  times a weather factor per day (0.2–1.0) and a cloud factor per interval (0.8–1.0).
- Self-consumption (`self_consumption`): the meter sees the net flow of each interval, so
  consumption is `max(load − pv, 0)` and production (what is injected) `max(pv − load, 0)`; one of
  them is 0 in every interval (the sandbox's client 6 behaviour).

Every power is an EVEN whole number of watts, so each interval's energy (W × 0.5 h) is a whole
number of Wh and a day's energy is exactly the sum of its intervals (`daily_wh`). The day's maximum
apparent power (VA) is the largest interval average times a per-day peak factor (1.15–1.45),
reached at a deterministic second inside that interval.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
import math
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

from .solar_model import bump, unit

PARIS: Final = ZoneInfo("Europe/Paris")
HALF_HOUR: Final = timedelta(minutes=30)


def _even(watts: float) -> int:
    return 2 * max(0, round(watts / 2))


@dataclass(frozen=True, slots=True)
class MeterProfile:
    """What the model needs to know about a meter (hashable: results are cached per day)."""

    prm: str
    consumption: bool = True
    production: bool = False
    self_consumption: bool = False
    scale: float = 1.0
    pv_peak_w: int = 3000


class HalfHour(NamedTuple):
    """One 30-minute interval: its end as Enedis writes it, and its average power."""

    end: datetime
    """Interval end, naive Europe/Paris wall time (ambiguous in a fall-back hour: use order)."""
    start_utc: datetime
    """Interval start, aware UTC (the unambiguous identity of the interval)."""
    watts: int
    """Average power over the interval, W (even)."""

    @property
    def wh(self) -> int:
        """Energy of the interval, Wh (exact: the power is even)."""
        return self.watts // 2


class DayMeasures(NamedTuple):
    """A meter's local day: its curves and what is derived from them."""

    consumption: tuple[HalfHour, ...]
    production: tuple[HalfHour, ...]
    max_power_va: int
    max_power_at: datetime
    """When the maximum was reached, naive Europe/Paris wall time."""


def local_midnight(day: date) -> datetime:
    """Start of a Paris local date, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)


def paris_date(moment: datetime) -> date:
    """The Paris local date of an aware instant."""
    return moment.astimezone(PARIS).date()


def naive_paris(moment: datetime) -> datetime:
    """An aware instant as naive Paris wall time (the fold is dropped, as Enedis drops it)."""
    return moment.astimezone(PARIS).replace(tzinfo=None, fold=0)


def interval_starts(day: date) -> list[datetime]:
    """UTC starts of the day's 30-minute intervals (46, 48 or 50 of them)."""
    start = local_midnight(day)
    end = local_midnight(day + timedelta(days=1))
    count = int((end - start) / HALF_HOUR)
    return [start + i * HALF_HOUR for i in range(count)]


def _season(day: date) -> float:
    """1.0 in mid-January, 0.0 in mid-July."""
    return (1 + math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)) / 2


class _Day(NamedTuple):
    """What is constant over a day for one meter."""

    household: float
    heating: float
    summer: float
    sunrise: float
    sunset: float
    weather: float


def _day_factors(profile: MeterProfile, day: date) -> _Day:
    season = _season(day)
    summer = 1 - season
    return _Day(
        household=(0.8 + 0.4 * unit(profile.prm, "household")) * profile.scale,
        heating=1400 * season,
        summer=summer,
        sunrise=8.5 - 2.5 * summer,
        sunset=17.5 + 4 * summer,
        weather=0.2 + 0.8 * unit(profile.prm, day.isoformat(), "weather"),
    )


def _load_watts(profile: MeterProfile, factors: _Day, hour: float, stamp: int) -> float:
    heating = factors.heating * (0.6 + 0.4 * bump(hour, 7, 4) + 0.4 * bump(hour, 20, 4))
    watts = (
        350
        + heating
        + 900 * bump(hour, 7.5, 1.2)
        + 1800 * bump(hour, 19.5, 1.8)
        + 400 * unit(profile.prm, stamp, "noise")
    )
    return watts * factors.household


def _pv_watts(profile: MeterProfile, factors: _Day, hour: float, stamp: int) -> float:
    if not factors.sunrise < hour < factors.sunset:
        return 0.0
    phase = (hour - factors.sunrise) / (factors.sunset - factors.sunrise)
    bell = math.sin(math.pi * phase) ** 2
    cloud = 0.8 + 0.2 * unit(profile.prm, stamp, "cloud")
    summer_gain = 0.45 + 0.55 * factors.summer
    return profile.pv_peak_w * summer_gain * bell * factors.weather * cloud


@lru_cache(maxsize=4096)
def day_measures(profile: MeterProfile, day: date) -> DayMeasures:
    """The meter's half-hours and maximum power for a Paris local day."""
    consumption: list[HalfHour] = []
    production: list[HalfHour] = []
    factors = _day_factors(profile, day)
    for start in interval_starts(day):
        end = naive_paris(start + HALF_HOUR)
        local = start.astimezone(PARIS)
        hour = local.hour + local.minute / 60 + 0.25  # the middle of the interval
        stamp = int(start.timestamp())
        load = (
            _even(_load_watts(profile, factors, hour, stamp))
            if profile.consumption
            else 0
        )
        pv = (
            _even(_pv_watts(profile, factors, hour, stamp)) if profile.production else 0
        )
        if profile.self_consumption:
            load, pv = max(load - pv, 0), max(pv - load, 0)
        consumption.append(HalfHour(end, start, load))
        production.append(HalfHour(end, start, pv))
    peak = max(consumption, key=lambda half_hour: half_hour.watts)
    factor = 1.15 + 0.3 * unit(profile.prm, day.isoformat(), "peak")
    second = int(unit(profile.prm, day.isoformat(), "peak-second") * 1800)
    return DayMeasures(
        consumption=tuple(consumption) if profile.consumption else (),
        production=tuple(production) if profile.production else (),
        max_power_va=round(peak.watts * factor),
        max_power_at=naive_paris(peak.start_utc + timedelta(seconds=second)),
    )


def daily_wh(half_hours: tuple[HalfHour, ...]) -> int:
    """A day's energy from its intervals, Wh (exact)."""
    return sum(half_hour.wh for half_hour in half_hours)
