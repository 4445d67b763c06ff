"""One view of a battery's schedule over AlphaESS's two stores (reference §2.5).

The periodic store (`getTimeChargeBySn`/`setTimeChargeBySn`) is the only one newer regional
backends act on; AppIDs without its permission get 6017 and use the legacy pair
(`getChargeConfigInfo`/`updateChargeConfigInfo`, `getDisChargeConfigInfo`/
`updateDisChargeConfigInfo`). `Schedule` shows both the same way: grid charging on or off, two
charge windows and their stop level, discharge time control on or off, two discharge windows and
their stop level. A window from 00:00 to 00:00 is unused (the legacy store's convention).

On the periodic store, window N is the N-th period of its list and the stop levels are the first
charge period's and the first discharge period's `chargeLimit`; periods after the second, and
every field not shown here, are written back as they were read.
"""

from dataclasses import dataclass, replace
from datetime import time
from enum import StrEnum
from typing import Final

from .models import LegacyCharge, LegacyDischarge, Period, PeriodicSchedule

type Window = tuple[time, time]

UNUSED: Final[Window] = (time(0), time(0))
WINDOWS: Final = 2
"""Windows shown per direction (what the legacy store has)."""
ALL_WEEK: Final = [1, 2, 3, 4, 5, 6, 7]


class ScheduleStore(StrEnum):
    """Which of AlphaESS's schedule stores a system is controlled through."""

    PERIODIC = "periodic"
    LEGACY = "legacy"


class ScheduleError(ValueError):
    """A change the store cannot hold; `reason` is its translation key."""

    def __init__(self, reason: str) -> None:
        """Keep the reason."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Schedule:
    """A battery's schedule, whichever store holds it."""

    store: ScheduleStore
    grid_charge: bool
    charge_windows: tuple[Window, Window]
    charge_stop: float | None
    discharge_control: bool
    discharge_windows: tuple[Window, Window]
    discharge_stop: float | None


def _windows(periods: tuple[Period, ...]) -> tuple[Window, Window]:
    found = [(period.begin, period.end) for period in periods[:WINDOWS]]
    found += [UNUSED] * (WINDOWS - len(found))
    return found[0], found[1]


def from_periodic(periodic: PeriodicSchedule) -> Schedule:
    """Return the schedule the periodic store holds."""
    return Schedule(
        store=ScheduleStore.PERIODIC,
        grid_charge=periodic.grid_charge,
        charge_windows=_windows(periodic.charge),
        charge_stop=periodic.charge[0].limit if periodic.charge else None,
        discharge_control=periodic.discharge_control,
        discharge_windows=_windows(periodic.discharge),
        discharge_stop=periodic.discharge[0].limit if periodic.discharge else None,
    )


def from_legacy(charge: LegacyCharge, discharge: LegacyDischarge) -> Schedule:
    """Return the schedule the legacy store holds."""
    return Schedule(
        store=ScheduleStore.LEGACY,
        grid_charge=charge.grid_charge,
        charge_windows=charge.windows,
        charge_stop=charge.stop_level,
        discharge_control=discharge.control,
        discharge_windows=discharge.windows,
        discharge_stop=discharge.stop_level,
    )


def _periods_with(
    periods: tuple[Period, ...], windows: tuple[Window, Window], stop: float | None
) -> tuple[Period, ...]:
    """Return `periods` showing `windows` and `stop`; the rest as they were."""
    kept: list[Period | None] = list(periods)
    for index, (begin, end) in enumerate(windows):
        if index < len(kept):
            current = kept[index]
            assert current is not None
            # An unchanged window keeps its period, a 00:00–00:00 placeholder included (the
            # store refuses an empty list, so "no period" is written as one).
            if (begin, end) != (current.begin, current.end):
                kept[index] = (
                    None if begin == end else replace(current, begin=begin, end=end)
                )
        elif begin != end:
            template = periods[0] if periods else None
            extra = (
                dict(template.extra) if template is not None else {"weeks": ALL_WEEK}
            )
            kept.append(Period(begin=begin, end=end, limit=stop, extra=extra))
    result = [period for period in kept if period is not None]
    if not result:
        # `setTimeChargeBySn` refuses an empty list ("time list is null", §2.2 row 19).
        raise ScheduleError("alphaess_last_period")
    if stop is not None:
        result[0] = replace(result[0], limit=stop)
    return tuple(result)


def periodic_with(periodic: PeriodicSchedule, schedule: Schedule) -> PeriodicSchedule:
    """Return the periodic store's schedule read just before, changed to show `schedule`."""
    return replace(
        periodic,
        grid_charge=schedule.grid_charge,
        discharge_control=schedule.discharge_control,
        charge=_periods_with(
            periodic.charge, schedule.charge_windows, schedule.charge_stop
        )
        if schedule.charge_windows != _windows(periodic.charge)
        or (periodic.charge and schedule.charge_stop != periodic.charge[0].limit)
        else periodic.charge,
        discharge=_periods_with(
            periodic.discharge, schedule.discharge_windows, schedule.discharge_stop
        )
        if schedule.discharge_windows != _windows(periodic.discharge)
        or (
            periodic.discharge
            and schedule.discharge_stop != periodic.discharge[0].limit
        )
        else periodic.discharge,
    )


def legacy_charge_with(charge: LegacyCharge, schedule: Schedule) -> LegacyCharge:
    """Return the legacy charge settings read just before, changed to show `schedule`."""
    return replace(
        charge,
        grid_charge=schedule.grid_charge,
        windows=schedule.charge_windows,
        stop_level=charge.stop_level
        if schedule.charge_stop is None
        else schedule.charge_stop,
    )


def legacy_discharge_with(
    discharge: LegacyDischarge, schedule: Schedule
) -> LegacyDischarge:
    """Return the legacy discharge settings read just before, changed to show `schedule`."""
    return replace(
        discharge,
        control=schedule.discharge_control,
        windows=schedule.discharge_windows,
        stop_level=discharge.stop_level
        if schedule.discharge_stop is None
        else schedule.discharge_stop,
    )
