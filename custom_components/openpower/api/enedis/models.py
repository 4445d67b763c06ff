"""Typed Enedis data every backend (Conso API, MyElectricalData, Data Connect 2026) maps into.

Enedis speaks naive French local time; everything here is either a local calendar date (daily
values, which belong to a Paris day) or an aware instant in UTC (load-curve intervals, the moment
of a daily maximum). Energy is in Wh, power in W, apparent power in VA: the unit is in the name.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
"""Enedis' clock (loaded once, at import, which Home Assistant runs in its executor)."""


class Direction(StrEnum):
    """Which way the energy flows through the meter."""

    CONSUMPTION = "consumption"
    """Drawn from the grid (Enedis `CONS`, "soutirage")."""
    PRODUCTION = "production"
    """Fed into the grid (Enedis `PROD`, "injection")."""


class TariffOption(StrEnum):
    """The distribution tariff's time structure: what a cost split can rely on."""

    BASE = "base"
    """One price at every hour (TURPE "sans différenciation temporelle", e.g. BTINFCUST)."""
    OFF_PEAK = "off_peak"
    """Peak and off-peak hours (TURPE "différenciation temporelle", e.g. BTINFMUDT)."""
    OFF_PEAK_SEASONAL = "off_peak_seasonal"
    """Peak and off-peak hours in two seasons (TURPE "quatre postes", e.g. BTINFCU4)."""


@dataclass(frozen=True, slots=True)
class DailyReading:
    """The energy of one local (Paris) day."""

    day: date
    energy_wh: float
    direction: Direction

    @property
    def start(self) -> datetime:
        """Local midnight starting the day, aware (Europe/Paris)."""
        return datetime.combine(self.day, time(), PARIS)

    @property
    def duration(self) -> timedelta:
        """The day's real length: 23 h or 25 h on DST change days."""
        end = datetime.combine(self.day + timedelta(days=1), time(), PARIS)
        return end.astimezone(UTC) - self.start.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class LoadCurvePoint:
    """One load-curve interval: the average power over [start, start + duration)."""

    start: datetime
    """Start of the interval, aware, in UTC."""
    duration: timedelta
    power_w: float
    direction: Direction

    @property
    def end(self) -> datetime:
        """End of the interval (the instant Enedis labels the point with), UTC."""
        return self.start + self.duration

    @property
    def energy_wh(self) -> float:
        """Energy over the interval: average power times its length."""
        return self.power_w * self.duration.total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class MaxPower:
    """The highest apparent power drawn on one local day, and when."""

    day: date
    power_va: float
    at: datetime
    """The instant of the maximum, aware, in UTC."""


type OffPeakRange = tuple[time, time]
"""(start, end) in local time; a range that crosses midnight has end < start."""


@dataclass(frozen=True, slots=True)
class Contract:
    """What the meter's contract says. A fact a backend does not serve is None."""

    subscribed_power_kva: float | None
    distribution_tariff: str | None
    """As Enedis writes it: a TURPE code (v5, `BTINFMUDT`) or a French label (2026)."""
    tariff_option: TariffOption | None
    """Read from `distribution_tariff`; None when it does not say."""
    offpeak_hours: tuple[OffPeakRange, ...]
    """Parsed from `offpeak_hours_text` ("HC (22H30-6H30)"); empty when none or unreadable."""
    offpeak_hours_text: str | None
    contract_status: str | None
    """v5 status code (`SERVC` = in service); the 2026 APIs no longer give it."""
    contract_type: str | None
    segment: str | None
    """C5 (≤ 36 kVA), P4 (a small producer), …"""
    meter_type: str | None
    """v5 `AMM` (a Linky); the 2026 APIs no longer give it."""
    usage_point_status: str | None
    """v5 `com` (communicating) / `no_com`; 2026 `services_level` fills `services_level`."""
    services_level: str | None
    last_activation: date | None
    last_tariff_change: date | None
    producer: bool
    """The point also has an injection (production) contract or activation."""


@dataclass(frozen=True, slots=True)
class Customer:
    """Who holds the contract and where the meter is: for diagnostics only (always redacted)."""

    customer_id: str | None
    title: str | None
    firstname: str | None
    lastname: str | None
    email: str | None
    phone: str | None
    landline: str | None
    address: tuple[str, ...]
    """Address lines in Enedis' order."""
    postal_code: str | None
    city: str | None
    insee_code: str | None


@dataclass(frozen=True, slots=True)
class ConsoApiToken:
    """What a Conso API token says about itself (read without checking its signature)."""

    prms: tuple[str, ...]
    """The meters the consent covers (the JWT `sub`)."""
    expires_at: datetime | None
    """When the token (and the consent behind it) ends, UTC."""


@dataclass(frozen=True, slots=True)
class MedAccess:
    """MyElectricalData's `valid_access`: the consent and the day's quota."""

    valid: bool
    consent_expires_at: datetime | None
    """UTC."""
    calls: int | None
    """Calls counted against today's quota."""
    quota_limit: int | None
    quota_reached: bool
    quota_reset_at: datetime | None
    """UTC."""
    banned: bool
    information: str | None
    """MyElectricalData's own explanation when `valid` is false (French)."""

    @property
    def quota_left(self) -> int | None:
        """Calls left today (0 once the quota is reached)."""
        if self.quota_reached:
            return 0
        if self.quota_limit is None or self.calls is None:
            return None
        return max(0, self.quota_limit - self.calls)


@dataclass(frozen=True, slots=True)
class SubscribedService:
    """One Data Connect 2026 service subscribed for a consent (`serviceSouscrit`)."""

    service_id: str | None
    point_id: str
    state: str
    """`DEMANDE`, `ACTIF`, `TERMINE` or `SUPPRIME`."""
    measure_type: str | None
    """`CDC` (load curve), `IDX`, `PMAX`, `ENERGIE`, `ITC` (contract)."""
    step: str | None
    consumption: bool
    production: bool
    start: date | None
    end: date | None
    authorization_id: int | None

    @property
    def active(self) -> bool:
        """Whether Enedis serves the data now."""
        return self.state == "ACTIF"
