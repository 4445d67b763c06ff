"""What the Enedis history of one meter has reached, as stored between restarts.

Per direction: whether it exists (ADAM-ERR0069 says it does not), whether its load curve is
collected (a curve 404 while daily values exist says it is not), the newest stored day, how far
back the daily and curve backfills have gone and whether they ended, and the last days' daily
values for the sensors. Dates are local (Paris) days; a backfill's `oldest` is the first day of
the oldest window it asked, so the next window ends there.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Final

from ...api.enedis import Direction, MaxPower
from .const import CONF_DATA, DataKind

DIRECTION_KINDS: Final[Mapping[Direction, DataKind]] = {
    Direction.CONSUMPTION: DataKind.CONSUMPTION,
    Direction.PRODUCTION: DataKind.PRODUCTION,
}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class DirectionState:
    """The history of one direction (consumption or production) of a meter."""

    exists: bool | None = None
    """None until an answer says."""
    curve: bool | None = None
    """Whether the load curve is collected; None until an answer says."""
    newest: date | None = None
    curve_newest: date | None = None
    """The newest day stored from its load curve (Enedis may publish it after the daily
    value: the days after it are asked again until their curve is out)."""
    daily_oldest: date | None = None
    daily_done: bool = False
    curve_oldest: date | None = None
    curve_done: bool = False
    recent: Mapping[date, float] = field(default_factory=dict)
    """Daily energies (Wh) of the newest days."""

    @property
    def backfilled(self) -> bool:
        """Whether nothing older is left to ask."""
        return self.exists is False or (
            self.daily_done and (self.curve_done or self.curve is False)
        )

    def as_dict(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            "exists": self.exists,
            "curve": self.curve,
            "newest": _iso(self.newest),
            "curve_newest": _iso(self.curve_newest),
            "daily_oldest": _iso(self.daily_oldest),
            "daily_done": self.daily_done,
            "curve_oldest": _iso(self.curve_oldest),
            "curve_done": self.curve_done,
            "recent": {day.isoformat(): wh for day, wh in sorted(self.recent.items())},
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> DirectionState:
        """Read what `as_dict` stored."""
        recent = stored.get("recent") or {}
        return cls(
            exists=stored.get("exists"),
            curve=stored.get("curve"),
            newest=_day(stored.get("newest")),
            curve_newest=_day(stored.get("curve_newest")),
            daily_oldest=_day(stored.get("daily_oldest")),
            daily_done=bool(stored.get("daily_done")),
            curve_oldest=_day(stored.get("curve_oldest")),
            curve_done=bool(stored.get("curve_done")),
            recent={date.fromisoformat(day): float(wh) for day, wh in recent.items()},
        )

    def with_recent(self, readings: Mapping[date, float], keep: int) -> DirectionState:
        """Return the state with new daily values, keeping the newest `keep` days."""
        merged = {**self.recent, **readings}
        kept = dict(sorted(merged.items())[-keep:])
        newest = max(kept) if kept else self.newest
        if self.newest is not None and newest is not None:
            newest = max(newest, self.newest)
        return replace(self, recent=kept, newest=newest)


@dataclass(frozen=True, slots=True)
class MeterState:
    """The history of one meter, both directions, and the last daily maximum power."""

    directions: Mapping[Direction, DirectionState] = field(default_factory=dict)
    max_power: MaxPower | None = None
    last_attempt: datetime | None = None
    """When yesterday's data was last asked (the schedule's reference)."""

    def direction(self, direction: Direction) -> DirectionState:
        """Return one direction's state (an empty one before any answer)."""
        return self.directions.get(direction, DirectionState())

    def with_direction(self, direction: Direction, state: DirectionState) -> MeterState:
        """Return the state with one direction replaced."""
        return replace(self, directions={**self.directions, direction: state})

    def as_dict(self) -> dict[str, Any]:
        """Return what is stored."""
        peak = self.max_power
        return {
            "directions": {
                direction.value: state.as_dict()
                for direction, state in self.directions.items()
            },
            "max_power": None
            if peak is None
            else {
                "day": peak.day.isoformat(),
                "power_va": peak.power_va,
                "at": peak.at.isoformat(),
            },
            "last_attempt": self.last_attempt.isoformat()
            if self.last_attempt
            else None,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> MeterState:
        """Read what `as_dict` stored."""
        peak = stored.get("max_power")
        attempt = stored.get("last_attempt")
        return cls(
            directions={
                Direction(key): DirectionState.from_dict(value)
                for key, value in (stored.get("directions") or {}).items()
            },
            max_power=None
            if not peak
            else MaxPower(
                day=date.fromisoformat(peak["day"]),
                power_va=float(peak["power_va"]),
                at=datetime.fromisoformat(peak["at"]),
            ),
            last_attempt=datetime.fromisoformat(attempt) if attempt else None,
        )


def detected_kinds(state: MeterState) -> set[DataKind]:
    """Return the kinds of data the meter has as far as the answers say (what options tick).

    A direction until ADAM-ERR0069 says it is not there (before any answer, both may be); the
    load curve unless hourly collection is off for every direction there; the maximum power
    with consumption.
    """
    there = [d for d in Direction if state.direction(d).exists is not False]
    kinds = {DIRECTION_KINDS[d] for d in there}
    if any(state.direction(d).curve is not False for d in there):
        kinds.add(DataKind.LOAD_CURVE)
    if Direction.CONSUMPTION in there:
        kinds.add(DataKind.MAX_POWER)
    return kinds


def chosen_kinds(options: Mapping[str, Any]) -> frozenset[DataKind]:
    """Return the kinds the entry's options ask for; without the option, every kind.

    Every kind then means all the meter has: the answers tell which it lacks.
    """
    chosen = options.get(CONF_DATA)
    if chosen is None:
        return frozenset(DataKind)
    return frozenset(DataKind(kind) for kind in chosen if kind in DataKind)
