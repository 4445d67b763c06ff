"""Where a provider's statistics and sensors belong in Home Assistant's Energy preferences.

A provider's `ProviderSpec.energy_sources` returns an `EnergySources` for one loaded entry:
statistic ids (`StatisticSpec.statistic_id`) for energy, cost and compensation, and the unique
ids of its power sensors (`<device uid>_<description key>`), which the shell resolves to entity
ids through the entity registry when it configures the dashboard (`energy_dashboard.py`). Power
sensors follow Home Assistant's signs: a grid's is positive while importing, a battery's while
discharging, a solar source's while producing.
"""

from dataclasses import dataclass

from .pricing import Direction, cost_spec
from .statistics import StatisticSpec


@dataclass(frozen=True, kw_only=True, slots=True)
class GridSource:
    """One grid connection: energy imported (and its cost), exported (and its compensation)."""

    energy_from: str | None
    cost: str | None = None
    energy_to: str | None = None
    compensation: str | None = None
    power: str | None = None
    """Unique id of a power sensor, positive importing, negative exporting."""


def priced_grid(
    imported: StatisticSpec,
    exported: StatisticSpec | None,
    *,
    priced: bool,
    power: str | None = None,
) -> GridSource:
    """Return a grid of two energy statistics with, when the entry is priced, their money.

    For providers whose cost comes from the entry's price source (`pricing.Pricer`).
    """
    return GridSource(
        energy_from=imported.statistic_id,
        cost=cost_spec(imported, Direction.IMPORT).statistic_id if priced else None,
        energy_to=exported.statistic_id if exported else None,
        compensation=cost_spec(exported, Direction.EXPORT).statistic_id
        if priced and exported
        else None,
        power=power,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class SolarSource:
    """Energy produced by solar panels."""

    energy_from: str
    power: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class BatterySource:
    """A battery: energy out of it (discharged) and into it (charged)."""

    energy_from: str
    energy_to: str
    power: str | None = None
    """Unique id of a power sensor, positive discharging, negative charging."""
    state_of_charge: str | None = None
    """Unique id of a state-of-charge sensor (%)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class GasSource:
    """Gas consumed, and its cost."""

    energy_from: str
    cost: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DeviceConsumption:
    """An individual device (a circuit, a plug, a charger)."""

    consumption: str
    power: str | None = None
    included_in: str | None = None
    """Statistic id of a device whose consumption includes this one (a sub-panel's circuit)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class HomeSource:
    """The whole home's consumption, measured at the main panel (Home Assistant 2026.11+)."""

    energy: str
    power: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EnergySources:
    """Everything one entry can put in the Energy preferences."""

    grid: tuple[GridSource, ...] = ()
    solar: tuple[SolarSource, ...] = ()
    battery: tuple[BatterySource, ...] = ()
    gas: tuple[GasSource, ...] = ()
    devices: tuple[DeviceConsumption, ...] = ()
    home: HomeSource | None = None
