"""AlphaESS charge and discharge schedules: the legacy and periodic stores, and their validation.

Used by the simulator's `alphaess` part. A rejected write raises `CodeError` with the return code
(and `expMsg`) the API answers; the part decides whether a valid write is applied.

Legacy store (`get/updateChargeConfigInfo`, `get/updateDisChargeConfigInfo`): an enable flag
(`gridCharge` / `ctrDis`), two windows (`timeChaf1`…`timeChae2` / `timeDisf1`…`timeDise2`) and
an SOC limit (`batHighCap` 10–100 / `batUseCap` 5–100). Updates are full replaces: a missing
field → 10001; a flag other than 0/1, a time off the 15-minute grid 00:00–23:45 or a limit out
of range → 6001 naming the field in `expMsg`. Numeric strings are accepted (the official Postman
collection sends `"batHighCap": "95"`); booleans are not.

Periodic store (`get/setTimeChargeBySn`): `executeCycleType` (0 daily, 1 weekly),
`gridChargeCycle`, `ctrDisCycle` (0/1; optional, kept when omitted) and two period lists. A read
adds `executeCycleType`, `strategyType` (0 charge, 1 discharge) and `sort` (1-based) to every
period, as alphaess-openAPI docs/API.md documents; a write carrying any of those, or a top-level
`strategyType`, → 6001 naming the key. In this order:

1. 10001: `executeCycleType`, either list or a period's `beginTime`/`endTime`/`chargeLimit` (or
   `weeks` when `executeCycleType` is 1) omitted, a list that is not a list, a period that is
   not an object;
2. 6001: read-only keys; an empty list (`expMsg` "time list is null"); an out-of-range cycle
   value; a time off the grid; `weeks` not distinct days 1–7; `chargePower` outside
   0–`poinv`×1000 W; `chargeLimit` outside 10–100;
3. 6008 "Set failed": more than 6 periods on a weekday or 28 period-days a week, counting both
   lists; overlapping periods, charge and discharge alike (API.md: "Charge and discharge periods
   must not overlap").

Decided here (the sources are silent): `weeks` omitted on a daily schedule means every day and
`chargePower` omitted means the inverter's rating; a period whose end equals its begin covers
nothing (API.md: "a 00:00–00:00 element passes validation") and one whose end is before its
begin wraps past midnight on the same weekdays.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
import math
import re
from typing import Any, Final

TIME_LIST_IS_NULL: Final = "time list is null"
MAX_PERIODS_A_DAY: Final = 6
MAX_PERIODS_A_WEEK: Final = 28
SLOTS_A_DAY: Final = 96
READ_ONLY_PERIOD_KEYS: Final = ("executeCycleType", "strategyType", "sort")

_GRID_TIME: Final = re.compile(r"([01]\d|2[0-3]):(00|15|30|45)")


class CodeError(Exception):
    """A write the API refuses: its return code and `expMsg`."""

    def __init__(self, code: int, exp_msg: str | None = None) -> None:
        """Carry the code and the detail."""
        super().__init__(code, exp_msg)
        self.code = code
        self.exp_msg = exp_msg


# --------------------------------------------------------------------------------------------
# Value parsing


def number(value: object) -> float | None:
    """A JSON number or numeric string as a float; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def compact(value: float) -> int | float:
    """A whole number as an int (the API answers `100`, not `100.0`), else the float."""
    return int(value) if value.is_integer() else value


def flag(value: object) -> int | None:
    """0 or 1 (as a number or numeric string); None for anything else."""
    parsed = number(value)
    return int(parsed) if parsed in {0.0, 1.0} else None


def grid_time(value: object) -> bool:
    """Whether `value` is "HH:mm" on the 15-minute grid, 00:00–23:45."""
    return isinstance(value, str) and _GRID_TIME.fullmatch(value) is not None


def _slot(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 4 + int(minutes) // 15


# --------------------------------------------------------------------------------------------
# Legacy store


@dataclass(frozen=True, slots=True)
class LegacyFields:
    """The JSON names of one legacy store: enable flag, four times, SOC limit and its range."""

    flag: str
    times: tuple[str, str, str, str]
    limit: str
    limit_range: tuple[float, float]


CHARGE_FIELDS: Final = LegacyFields(
    "gridCharge",
    ("timeChaf1", "timeChae1", "timeChaf2", "timeChae2"),
    "batHighCap",
    (10, 100),
)
DISCHARGE_FIELDS: Final = LegacyFields(
    "ctrDis",
    ("timeDisf1", "timeDise1", "timeDisf2", "timeDise2"),
    "batUseCap",
    (5, 100),
)


@dataclass(frozen=True, slots=True)
class LegacyConfig:
    """One legacy store's state: enabled, two windows, SOC limit."""

    enabled: int
    times: tuple[str, str, str, str]
    """Start and end of window 1, start and end of window 2."""
    limit: int | float

    def to_json(self, fields: LegacyFields) -> dict[str, Any]:
        """Return the store as its `get…ConfigInfo` serves it (the fixtures' order)."""
        payload: dict[str, Any] = {fields.flag: self.enabled}
        payload.update(zip(fields.times, self.times, strict=True))
        payload[fields.limit] = self.limit
        return payload


def default_charge_config() -> LegacyConfig:
    """The charge store of `getChargeConfigInfo.json`: grid charging off, 11:00–14:00, 100 %."""
    return LegacyConfig(0, ("11:00", "14:00", "00:00", "00:00"), 100)


def default_discharge_config() -> LegacyConfig:
    """The discharge store of `getDisChargeConfigInfo.json`: control off, no window, 5 %."""
    return LegacyConfig(0, ("00:00", "00:00", "00:00", "00:00"), 5)


def parse_legacy(body: Mapping[str, Any], fields: LegacyFields) -> LegacyConfig:
    """Validate a full-replace legacy update; raise `CodeError` if the API refuses it."""
    for key in (fields.limit, fields.flag, *fields.times):
        if key not in body:
            raise CodeError(10001)
    enabled = flag(body[fields.flag])
    if enabled is None:
        raise CodeError(6001, fields.flag)
    for key in fields.times:
        if not grid_time(body[key]):
            raise CodeError(6001, key)
    limit = number(body[fields.limit])
    low, high = fields.limit_range
    if limit is None or not low <= limit <= high:
        raise CodeError(6001, fields.limit)
    times = tuple(str(body[key]) for key in fields.times)
    return LegacyConfig(
        enabled, (times[0], times[1], times[2], times[3]), compact(limit)
    )


# --------------------------------------------------------------------------------------------
# Periodic store


@dataclass(frozen=True, slots=True)
class Period:
    """One charge or discharge period of the periodic store."""

    begin: str
    end: str
    weeks: tuple[int, ...]
    """Weekdays, 1 (Monday) to 7 (Sunday)."""
    charge_power: int | float
    """W."""
    charge_limit: int | float
    """% SOC: charge up to it, or discharge down to it."""

    def slots(self) -> set[tuple[int, int]]:
        """The (weekday, quarter hour) pairs the period covers."""
        begin, end = _slot(self.begin), _slot(self.end)
        if begin <= end:
            quarters = list(range(begin, end))
        else:
            quarters = [*range(begin, SLOTS_A_DAY), *range(end)]
        return {(day, quarter) for day in self.weeks for quarter in quarters}

    def to_json(self, cycle: int, strategy: int, sort: int) -> dict[str, Any]:
        """Return the period as `getTimeChargeBySn` serves it, read-only keys included."""
        return {
            "executeCycleType": cycle,
            "strategyType": strategy,
            "beginTime": self.begin,
            "endTime": self.end,
            "weeks": list(self.weeks),
            "sort": sort,
            "chargePower": self.charge_power,
            "chargeLimit": self.charge_limit,
        }


@dataclass(frozen=True, slots=True)
class PeriodicSchedule:
    """The periodic store of a system."""

    execute_cycle_type: int
    grid_charge_cycle: int
    ctr_dis_cycle: int
    charge: tuple[Period, ...]
    discharge: tuple[Period, ...]

    def to_json(self, sys_sn: str) -> dict[str, Any]:
        """Return the store as `getTimeChargeBySn` serves it."""
        cycle = self.execute_cycle_type
        return {
            "sysSn": sys_sn,
            "executeCycleType": cycle,
            "gridChargeCycle": self.grid_charge_cycle,
            "ctrDisCycle": self.ctr_dis_cycle,
            "chargeTimeList": [
                period.to_json(cycle, 0, index)
                for index, period in enumerate(self.charge, start=1)
            ],
            "dischargeTimeList": [
                period.to_json(cycle, 1, index)
                for index, period in enumerate(self.discharge, start=1)
            ],
        }


EVERY_DAY: Final = (1, 2, 3, 4, 5, 6, 7)


def default_periodic_schedule() -> PeriodicSchedule:
    """The schedule of `request_setTimeChargeBySn.json`, every day of the week."""
    return PeriodicSchedule(
        execute_cycle_type=1,
        grid_charge_cycle=1,
        ctr_dis_cycle=1,
        charge=(Period("01:00", "05:00", EVERY_DAY, 5000, 90),),
        discharge=(Period("17:00", "21:00", EVERY_DAY, 5000, 20),),
    )


def parse_periodic(
    body: Mapping[str, Any], current: PeriodicSchedule, max_power_w: float
) -> PeriodicSchedule:
    """Validate a `setTimeChargeBySn` body; raise `CodeError` if the API refuses it."""
    _check_structure(body)
    if "strategyType" in body or "sort" in body:
        raise CodeError(6001, "strategyType" if "strategyType" in body else "sort")
    for key in ("chargeTimeList", "dischargeTimeList"):
        for item in body[key]:
            for read_only in READ_ONLY_PERIOD_KEYS:
                if read_only in item:
                    raise CodeError(6001, read_only)
    for key in ("chargeTimeList", "dischargeTimeList"):
        if not body[key]:
            raise CodeError(6001, TIME_LIST_IS_NULL)
    cycle = flag(body["executeCycleType"])
    if cycle is None:
        raise CodeError(6001, "executeCycleType")
    schedule = replace(
        current,
        execute_cycle_type=cycle,
        grid_charge_cycle=_optional_flag(
            body, "gridChargeCycle", current.grid_charge_cycle
        ),
        ctr_dis_cycle=_optional_flag(body, "ctrDisCycle", current.ctr_dis_cycle),
        charge=tuple(_period(item, max_power_w) for item in body["chargeTimeList"]),
        discharge=tuple(
            _period(item, max_power_w) for item in body["dischargeTimeList"]
        ),
    )
    _check_capacity(schedule.charge + schedule.discharge)
    return schedule


def _check_structure(body: Mapping[str, Any]) -> None:
    if "executeCycleType" not in body:
        raise CodeError(10001)
    weekly = flag(body["executeCycleType"]) == 1
    for key in ("chargeTimeList", "dischargeTimeList"):
        items = body.get(key)
        if not isinstance(items, list):
            raise CodeError(10001)
        for item in items:
            if not isinstance(item, dict):
                raise CodeError(10001)
            required = ("beginTime", "endTime", "chargeLimit", *(("weeks",) * weekly))
            if any(name not in item for name in required):
                raise CodeError(10001)


def _optional_flag(body: Mapping[str, Any], key: str, kept: int) -> int:
    if key not in body:
        return kept
    value = flag(body[key])
    if value is None:
        raise CodeError(6001, key)
    return value


def _period(item: Mapping[str, Any], max_power_w: float) -> Period:
    for key in ("beginTime", "endTime"):
        if not grid_time(item[key]):
            raise CodeError(6001, key)
    weeks = item.get("weeks", list(EVERY_DAY))
    if (
        not isinstance(weeks, list)
        or not weeks
        or any(isinstance(d, bool) or d not in EVERY_DAY for d in weeks)
        or len(set(weeks)) != len(weeks)
    ):
        raise CodeError(6001, "weeks")
    power = number(item.get("chargePower", max_power_w))
    if power is None or not 0 <= power <= max_power_w:
        raise CodeError(6001, "chargePower")
    limit = number(item["chargeLimit"])
    if limit is None or not 10 <= limit <= 100:
        raise CodeError(6001, "chargeLimit")
    return Period(
        begin=item["beginTime"],
        end=item["endTime"],
        weeks=tuple(int(d) for d in weeks),
        charge_power=compact(power),
        charge_limit=compact(limit),
    )


def _check_capacity(periods: tuple[Period, ...]) -> None:
    if sum(len(p.weeks) for p in periods) > MAX_PERIODS_A_WEEK:
        raise CodeError(6008)
    for day in EVERY_DAY:
        if sum(day in p.weeks for p in periods) > MAX_PERIODS_A_DAY:
            raise CodeError(6008)
    taken: set[tuple[int, int]] = set()
    for period in periods:
        covered = period.slots()
        if covered & taken:
            raise CodeError(6008)
        taken |= covered
