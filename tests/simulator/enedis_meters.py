"""Enedis's measure rules for the simulator's `enedis` part, whatever the backend asks.

`Meters` holds the PRMs (`EnedisPrm`), decides what a request for a 2026 measure resource gets
(the checks and their order are listed in `enedis.py`'s docstring), when data is published, and
builds the 2026 bodies from `enedis_model.py`'s half-hours.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
import re
from typing import Any, Final, Literal, NamedTuple

from . import enedis_bodies as bodies
from .enedis_model import (
    PARIS,
    HalfHour,
    MeterProfile,
    daily_wh,
    day_measures,
    paris_date,
)

PRM_PATTERN: Final = re.compile(r"\d{14}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

type Kind = Literal["daily", "curve", "max", "index"]
type Direction = Literal["CONS", "PROD"]


class Resource(NamedTuple):
    """A kind of measure and the direction it concerns."""

    kind: Kind
    direction: Direction


RESOURCES: Final[dict[str, Resource]] = {
    "consommation_quotidienne": Resource("daily", "CONS"),
    "courbe_de_charge_consommation": Resource("curve", "CONS"),
    "puissance_conso_max_quotidienne": Resource("max", "CONS"),
    "production_quotidienne": Resource("daily", "PROD"),
    "courbe_de_charge_production": Resource("curve", "PROD"),
    "index_consommation": Resource("index", "CONS"),
    "index_production": Resource("index", "PROD"),
}
"""The 2026 measure resources (Mesure synchrone v2, and the Conso API's routes)."""


@dataclass(slots=True)
class EnedisPrm:
    """One Linky meter (point de livraison) and what Enedis knows about it."""

    prm: str
    commissioned: date
    """Date of the point's last commissioning (earlier requests: ADAM-ERR0123)."""
    consumption: bool = True
    production: bool = False
    self_consumption: bool = False
    curve: bool = True
    """Hourly recording and collection enabled (False: curves 404 while daily data exists)."""
    holder: bool = True
    """False: the consenting customer is not the holder (ADAM-DC-0007)."""
    revoked: bool = False
    """The consent was revoked (ADAM-DC-0008)."""
    gap_weekdays: frozenset[int] = frozenset()
    """Weekdays (Monday 0) without any data."""
    gap_days: set[date] = field(default_factory=set)
    scale: float = 1.0
    pv_peak_w: int = 3000
    subscribed_kva: int = 9
    power_changed: date | None = None
    """Last change of the subscribed power (`synth_contrat_auto`), if any."""
    distribution_tariff: str = "BTINFMUDT"
    offpeak_hours: str | None = "HC (22H30-6H30)"
    title: str = "M."
    firstname: str = "Jean"
    lastname: str = "Dupont"
    street: str = "12 RUE DES LILAS"
    postal_code: str = "69003"
    city: str = "LYON"
    insee_code: str = "69383"
    email: str | None = "jean.dupont@example.invalid"
    landline: str | None = None
    phone: str | None = "0601020304"

    @property
    def profile(self) -> MeterProfile:
        """What the energy model needs."""
        return MeterProfile(
            self.prm,
            consumption=self.consumption,
            production=self.production,
            self_consumption=self.self_consumption,
            scale=self.scale,
            pv_peak_w=self.pv_peak_w,
        )


class MeasureQuery(NamedTuple):
    """A measure request that passed every check."""

    prm: EnedisPrm
    resource: Resource
    start: date
    end: date


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _parse_date(text: str | None, name: str) -> date:
    if text is None or not _DATE.fullmatch(text):
        raise bodies.invalid_request(f"The parameter {name} must be a date YYYY-MM-DD.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bodies.invalid_request(
            f"The parameter {name} is not a valid date."
        ) from None


class Meters:
    """The meters, their publication schedule and Enedis's answers about their measures."""

    def __init__(self) -> None:
        """Start without meters; data of a day is out the next day at 08:00 Paris time."""
        self.prms: dict[str, EnedisPrm] = {}
        self.publication_time = time(8, 0)
        self.late_days: set[date] = set()
        """Days published one day later than the others."""
        self.late_curve_days: set[date] = set()
        """Days whose load curve is published a day after their daily values (Enedis does
        publish the two separately)."""
        self._index_totals: dict[tuple[MeterProfile, date, Direction], list[int]] = {}

    def add(self, prm: EnedisPrm) -> EnedisPrm:
        """Add a meter."""
        if not PRM_PATTERN.fullmatch(prm.prm):
            raise ValueError(f"a PRM has 14 digits: {prm.prm!r}")
        if prm.prm in self.prms:
            raise ValueError(f"PRM {prm.prm} exists")
        self.prms[prm.prm] = prm
        return prm

    def published_through(self, now: datetime) -> date:
        """The last day whose data is out by `now` (ignoring `late_days`)."""
        local = now.astimezone(PARIS)
        yesterday = local.date() - timedelta(days=1)
        return (
            yesterday
            if local.time() >= self.publication_time
            else yesterday - timedelta(days=1)
        )

    def _published(self, day: date, now: datetime, kind: Kind = "daily") -> bool:
        late = day in self.late_days or (
            kind == "curve" and day in self.late_curve_days
        )
        delay = 2 if late else 1
        moment = datetime.combine(
            day + timedelta(days=delay), self.publication_time, PARIS
        )
        return now >= moment

    def _has_data(
        self, prm: EnedisPrm, day: date, now: datetime, kind: Kind = "daily"
    ) -> bool:
        return (
            day >= prm.commissioned
            and day.weekday() not in prm.gap_weekdays
            and day not in prm.gap_days
            and self._published(day, now, kind)
        )

    def check(
        self,
        granted: Iterable[str],
        prm_id: str | None,
        resource: Resource,
        start_text: str | None,
        end_text: str | None,
        now: datetime,
    ) -> MeasureQuery:
        if prm_id is None or not PRM_PATTERN.fullmatch(prm_id):
            raise bodies.invalid_request("The parameter pointId must have 14 digits.")
        start = _parse_date(start_text, "dateDebut")
        end = _parse_date(end_text, "dateFin")
        if start >= end:
            raise bodies.START_AFTER_END
        today = paris_date(now)
        if end > today:
            raise bodies.invalid_request("The end date must not be in the future.")
        prm = self.consented(granted, prm_id)
        wanted = prm.consumption if resource.direction == "CONS" else prm.production
        if not wanted:
            raise bodies.WRONG_DIRECTION
        days = (end - start).days
        if resource.kind == "curve" and days > 7:
            raise bodies.CURVE_TOO_LONG
        if resource.kind != "curve" and days > 365:
            raise bodies.invalid_request(
                "The requested period must not exceed 365 days."
            )
        months = 24 if resource.kind == "curve" else 36
        if start < _months_before(today, months) - timedelta(days=15):
            raise bodies.BEYOND_HISTORY
        if start < prm.commissioned:
            raise bodies.BEFORE_COMMISSIONING
        if resource.kind == "curve" and not prm.curve:
            raise bodies.NO_DATA
        return MeasureQuery(prm, resource, start, end)

    def consented(self, granted: Iterable[str], prm_id: str) -> EnedisPrm:
        prm = self.prms.get(prm_id)
        if prm is None or prm_id not in set(granted) or prm.revoked:
            raise bodies.NO_CONSENT
        if not prm.holder:
            raise bodies.NOT_HOLDER
        return prm

    def days(self, query: MeasureQuery, now: datetime) -> list[date]:
        days = [
            query.start + timedelta(days=offset)
            for offset in range((query.end - query.start).days)
        ]
        served = [
            day
            for day in days
            if self._has_data(query.prm, day, now, query.resource.kind)
        ]
        if not served:
            raise bodies.NO_DATA
        return served

    def half_hours(
        self, prm: EnedisPrm, day: date, direction: Direction
    ) -> tuple[HalfHour, ...]:
        measures = day_measures(prm.profile, day)
        return measures.consumption if direction == "CONS" else measures.production

    def daily_energy(
        self, prm_id: str, day: date, direction: Direction = "CONS"
    ) -> int:
        """The day's energy in Wh (what the daily resources serve for it)."""
        return daily_wh(self.half_hours(self.prms[prm_id], day, direction))

    def _index(self, prm: EnedisPrm, day: date, direction: Direction) -> int:
        # Running totals since commissioning, extended as later days are asked for: an index
        # request must not sum years of half-hours for each of its points.
        totals = self._index_totals.setdefault(
            (prm.profile, prm.commissioned, direction), []
        )
        offset = (day - prm.commissioned).days
        while len(totals) <= offset:
            current = prm.commissioned + timedelta(days=len(totals))
            energy = daily_wh(self.half_hours(prm, current, direction))
            totals.append((totals[-1] if totals else 0) + energy)
        return totals[offset]

    def peaks(
        self, query: MeasureQuery, days: list[date], step: str
    ) -> list[tuple[int, datetime]]:
        peaks = [
            (measures.max_power_va, measures.max_power_at)
            for measures in (day_measures(query.prm.profile, day) for day in days)
        ]
        if step == "P1D":
            return peaks
        monthly: dict[tuple[int, int], tuple[int, datetime]] = {}
        for va, when in peaks:
            month = (when.year, when.month)
            if month not in monthly or va > monthly[month][0]:
                monthly[month] = (va, when)
        return list(monthly.values())

    def mesure(
        self, query: MeasureQuery, now: datetime, params: Mapping[str, str]
    ) -> dict[str, Any]:
        """The 2026 body of a checked query."""
        days = self.days(query, now)
        prm, (kind, direction) = query.prm, query.resource
        if kind == "curve":
            points = [hh for day in days for hh in self.half_hours(prm, day, direction)]
            return bodies.curve_body(prm.prm, query.start, query.end, direction, points)
        if kind == "max":
            step = params.get("mesuresPas", "P1D")
            return bodies.max_power_body(
                prm.prm, query.start, query.end, step, self.peaks(query, days, step)
            )
        if kind == "index":
            values = [(day, self._index(prm, day, direction)) for day in days]
            return bodies.index_body(prm.prm, query.start, query.end, direction, values)
        energies = [
            (day, daily_wh(self.half_hours(prm, day, direction))) for day in days
        ]
        return bodies.daily_body(prm.prm, query.start, query.end, direction, energies)

    @staticmethod
    def max_power_params(params: Mapping[str, str], *, required: bool) -> None:
        for name, allowed, default in (
            ("mesuresPas", ("P1D", "P1M"), "P1D"),
            ("grandeurPhysique", ("PMA", "TOUT"), "PMA"),
        ):
            value = params.get(name, None if required else default)
            if value not in allowed:
                raise bodies.invalid_request(
                    f"The parameter {name} must be one of {', '.join(allowed)}."
                )
