"""Enedis measures as typed readings, from either shape a backend may send.

- The 2026 shape (Mesure synchrone v2, reference §2.11): `{"idPrm", "periode", "pas",
  "grandeur": [{"grandeurMetier": "CONS"|"PROD", "grandeurPhysique": "EA"|"PA"|"PMA", "unite",
  "points": [{"v": "4078", "d": "2026-09-29 00:30:00", "p": "PT30M", …}]}]}`.
- The legacy v5 shape (§2.5), bare (the Conso API before 2026) or under `meter_reading` (v5,
  MyElectricalData): `{"reading_type": {"unit", "measuring_period"?}, "interval_reading":
  [{"value": "4078", "date": "2026-09-29 00:30:00", "interval_length": "PT30M"}]}`.

Values are strings. Dates are naive French local time; a load-curve point's date is the END of
its interval. In the fall-back hour the same wall-clock time comes twice: only the order of the
points tells them apart (the first is the summer-time instant, §2.5 "DST").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
import math
import re
from typing import Any

from ..errors import ApiResponseError
from ..parse import obj, objects
from .models import PARIS, DailyReading, Direction, LoadCurvePoint, MaxPower

DEFAULT_STEP = timedelta(minutes=30)
"""A Linky's load-curve step, used only when neither the points nor the document give one."""

_METIER = {Direction.CONSUMPTION: "CONS", Direction.PRODUCTION: "PROD"}
_ENERGY_UNITS = {"Wh": 1.0, "kWh": 1000.0}
_POWER_UNITS = {"W": 1.0, "kW": 1000.0}
_APPARENT_UNITS = {"VA": 1.0, "kVA": 1000.0}
_DURATION = re.compile(
    r"P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?"
)


@dataclass(frozen=True, slots=True)
class _Point:
    value: Any
    """The raw value (a string; parsed by `_number`)."""
    when: Any
    """The raw date (a string; parsed by `_day` or `_local`)."""
    step: str | None


@dataclass(frozen=True, slots=True)
class _Series:
    """One series of either shape, not yet interpreted."""

    unit: str | None
    step: str | None
    points: list[_Point]


def parse_duration(value: str) -> timedelta:
    """Return an ISO 8601 duration of days, hours, minutes and seconds (`PT30M`, `P1D`)."""
    match = _DURATION.fullmatch(value.strip())
    if match is None or not any(match.groups()):
        raise ApiResponseError(f"{value!r} is not a duration")
    parts = {key: int(found or 0) for key, found in match.groupdict().items()}
    duration = timedelta(
        days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"]
    )
    if not duration:
        raise ApiResponseError("a zero interval length")
    return duration


def _optional_text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiResponseError(f"{key} is not a string")
    return value


def _series(payload: Any, direction: Direction, physique: str) -> _Series:
    """Find the series of `direction` (and `physique` in the 2026 shape) in either shape."""
    document = obj(payload, "enedis measures")
    if "grandeur" in document:
        return _series_2026(document, direction, physique)
    if "meter_reading" in document:
        document = obj(document["meter_reading"], "enedis meter_reading")
    if "interval_reading" not in document:
        raise ApiResponseError("enedis measures: neither the 2026 nor the v5 shape")
    reading_type = obj(document.get("reading_type") or {}, "reading_type")
    return _Series(
        unit=_optional_text(reading_type, "unit"),
        step=_optional_text(reading_type, "measuring_period"),
        points=[
            _Point(
                item.get("value"),
                item.get("date"),
                _optional_text(item, "interval_length"),
            )
            for item in objects(document["interval_reading"], "interval_reading")
        ],
    )


def _series_2026(
    document: Mapping[str, Any], direction: Direction, physique: str
) -> _Series:
    grandeurs = objects(document["grandeur"], "grandeur")
    if not grandeurs:
        return _Series(unit=None, step=None, points=[])
    chosen = [
        g
        for g in grandeurs
        if g.get("grandeurMetier", _METIER[direction]) == _METIER[direction]
        and g.get("grandeurPhysique", physique) == physique
    ]
    if not chosen:
        raise ApiResponseError(
            f"enedis measures: no {_METIER[direction]} {physique} series"
        )
    grandeur = chosen[0]
    return _Series(
        unit=_optional_text(grandeur, "unite"),
        step=_optional_text(document, "pas"),
        points=[
            _Point(item.get("v"), item.get("d"), _optional_text(item, "p"))
            for item in objects(grandeur.get("points") or [], "points")
        ],
    )


def _scale(unit: str | None, units: Mapping[str, float], default: str) -> float:
    factor = units.get(default if unit is None else unit)
    if factor is None:
        raise ApiResponseError(f"enedis measures: unexpected unit {unit!r}")
    return factor


def _number(value: Any) -> float | None:
    """Return a measure value (a string, sometimes a number); None for a missing one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ApiResponseError("a measure value is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ApiResponseError("a measure value is not a number") from None
    if not math.isfinite(number):
        raise ApiResponseError("a measure value is not a finite number")
    return number


def _day(value: Any) -> date:
    if not isinstance(value, str):
        raise ApiResponseError("a measure date is not a string")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ApiResponseError(f"{value!r} is not a date") from None


def _local(value: Any) -> datetime:
    """Return a measure's date-time as given: naive (French local time) or, if it says, aware."""
    if not isinstance(value, str):
        raise ApiResponseError("a measure date is not a string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ApiResponseError(f"{value!r} is not a date-time") from None


def _exists_twice(naive: datetime) -> bool:
    """Whether a wall-clock time happens twice in Paris (the hour the clocks go back)."""
    first = naive.replace(tzinfo=PARIS, fold=0)
    second = naive.replace(tzinfo=PARIS, fold=1)
    # Times in the spring gap also have two offsets, but neither survives a round trip.
    return first.utcoffset() != second.utcoffset() and (
        first.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) == naive
    )


def paris_to_utc(naive: datetime, *, second: bool = False) -> datetime:
    """Return the UTC instant of a naive Paris time; `second` picks the later of a repeated one."""
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    fold = 1 if second and _exists_twice(naive) else 0
    return naive.replace(tzinfo=PARIS, fold=fold).astimezone(UTC)


def parse_daily(payload: Any, direction: Direction) -> list[DailyReading]:
    """Return the daily energies of a `consommation_quotidienne`/`production_quotidienne` answer."""
    series = _series(payload, direction, "EA")
    factor = _scale(series.unit, _ENERGY_UNITS, "Wh")
    return [
        DailyReading(_day(point.when), value * factor, direction)
        for point in series.points
        if (value := _number(point.value)) is not None
    ]


def parse_load_curve(payload: Any, direction: Direction) -> list[LoadCurvePoint]:
    """Return the intervals of a `courbe_de_charge_*` answer, in the order Enedis sent them.

    Each point's date is its interval's end in Paris time. A wall-clock time seen a second time
    is the winter-time instant (fold=1): the fall-back day has 50 half-hours. An interval that
    is still repeated after that is dropped, so that no energy is counted twice.
    """
    series = _series(payload, direction, "PA")
    factor = _scale(series.unit, _POWER_UNITS, "W")
    points = [(p, _local(p.when)) for p in series.points]
    fallback = _fallback_step(series, [local for _p, local in points])
    seen: set[datetime] = set()
    ends: set[datetime] = set()
    readings: list[LoadCurvePoint] = []
    for point, local in points:
        end = paris_to_utc(local, second=local in seen)
        seen.add(local)
        value = _number(point.value)
        if value is None or end in ends:
            continue
        ends.add(end)
        step = parse_duration(point.step) if point.step else fallback
        readings.append(LoadCurvePoint(end - step, step, value * factor, direction))
    return readings


def _fallback_step(series: _Series, locals_: Sequence[datetime]) -> timedelta:
    """Return the step of points without one: the document's, else the closest spacing."""
    if series.step:
        return parse_duration(series.step)
    instants = sorted({paris_to_utc(local) for local in locals_})
    gaps = [b - a for a, b in zip(instants, instants[1:], strict=False)]
    return min(gaps) if gaps else DEFAULT_STEP


def parse_max_power(payload: Any) -> list[MaxPower]:
    """Return the daily maxima of a `puissance_conso_max_quotidienne` answer."""
    series = _series(payload, Direction.CONSUMPTION, "PMA")
    factor = _scale(series.unit, _APPARENT_UNITS, "VA")
    readings: list[MaxPower] = []
    for point in series.points:
        if (value := _number(point.value)) is None:
            continue
        local = _local(point.when)
        day = local.astimezone(PARIS).date() if local.tzinfo else local.date()
        readings.append(MaxPower(day, value * factor, paris_to_utc(local)))
    return readings
