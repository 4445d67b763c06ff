"""SEMS+ payloads as typed values (reference apis-goodwe.md §3.1, §5, §6.1).

Sign and unit conventions live here and nowhere else:

- power in W (SEMS+ sends kW); `Flow.grid_w` is + import / − export and `Flow.battery_w`
  + discharge / − charge, their direction taken from the flow's `flows` map, the sign of the
  value only when `flows` does not say (§5.1); `*_import_w`, `*_export_w`, `*_charge_w`,
  `*_discharge_w` split them into positive quantities;
- energy in kWh; SEMS+ times and statistics dates are the station's local wall-clock time, kept
  naive (§9.10): the station's zone is `Station.timezone`;
- a value SEMS+ does not send (or sends as `null`) is None (unknown), never 0.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Station:
    """A station of the account (`portal/stations/page`)."""

    id: str
    name: str
    timezone: str | None
    """As SEMS+ writes it: an IANA name (`Europe/Amsterdam`) or `UTC+00:00` (`utc_offset`)."""
    capacity_kw: float | None
    """Installed PV power, kWp (`installedPower`, else `pvInstallP`)."""
    status: str | None
    """`"1"` working, `"0"` waiting; `"2"` fault and `"-1"` offline are inferred (§5.1)."""


@dataclass(frozen=True, slots=True)
class Flow:
    """A station's power flow now (`stations/flow`), in W."""

    pv_w: float | None
    load_w: float | None
    grid_w: float | None
    """+ import / − export."""
    grid_import_w: float | None
    grid_export_w: float | None
    battery_w: float | None
    """+ discharge / − charge."""
    battery_charge_w: float | None
    battery_discharge_w: float | None
    soc: float | None
    """Battery state of charge, %."""
    status: str | None
    """The station's status as SEMS+ sends it (`"1"` working, `"0"` waiting)."""
    refreshed_at: datetime | None
    """When SEMS+ last heard from the station, station-local time (naive)."""


class DeviceKind(StrEnum):
    """What a device is, from its SEMS+ `deviceType` (§3.1, §9.7)."""

    INVERTER = "inverter"
    BATTERY = "battery"
    METER = "meter"
    OTHER = "other"
    """A dongle or a type this client does not know: no telemetry worth reading."""


@dataclass(frozen=True, slots=True)
class Device:
    """A device of a station (`stations/device/all-status`)."""

    sn: str
    kind: DeviceKind
    device_type: str
    """The SEMS+ type, sent back to `equipments/{sn}/telemetry` and `telecounting`."""
    name: str | None
    model: str | None
    """SEMS+ gives a model only in its device page, so usually None here."""
    subtype: str | None
    """`grid`, `store` (hybrid), `goodwe` (meter)…"""
    status: int | None
    """Inverters: 5 running, 3 standby, 1 seen producing, 0 at night (§9.4)."""
    added: date | None
    """When the device was added to the station (UTC date), when SEMS+ says."""


@dataclass(frozen=True, slots=True)
class PvString:
    """One MPPT input of an inverter."""

    index: int
    voltage_v: float | None
    current_a: float | None
    power_w: float | None


@dataclass(frozen=True, slots=True)
class Telemetry:
    """A device's live values (`equipments/{sn}/telemetry`, factor groups §5.2)."""

    ac_power_w: float | None
    """Inverter `pAc`; smart meter `totalPac` with SEMS+'s sign (probably − import, unconfirmed)."""
    ac_voltage_v: float | None
    ac_current_a: float | None
    ac_frequency_hz: float | None
    pv_power_w: float | None
    """Total PV DC input (`pDc`, hybrids)."""
    pv_strings: tuple[PvString, ...]
    temperature_c: float | None
    """Inverter `Temperature`, battery system `batSysTemp`."""
    battery_power_w: float | None
    """`pBat` as SEMS+ signs it (+ discharge in the captures)."""
    battery_voltage_v: float | None
    battery_current_a: float | None
    battery_soc: float | None
    battery_soh: float | None


@dataclass(frozen=True, slots=True)
class Counters:
    """A device's lifetime energy counters, kWh (`equipments/{sn}/telecounting`, §5.3)."""

    pv_kwh: float | None
    battery_charge_kwh: float | None
    battery_discharge_kwh: float | None
    grid_import_kwh: float | None
    """Smart meter `proPurchaseStatsTotal`."""
    grid_export_kwh: float | None
    """Smart meter `proGridStatsTotal`."""


class Dimension(StrEnum):
    """The bucket size of `stations/statistics` (`total` is refused with S0327)."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class StatisticsBucket:
    """A station's energy over one day, month or year, kWh (`stations/statistics`, §6.1)."""

    start: date
    """The bucket's first local day (a month's 1st, a year's 1 January)."""
    dimension: Dimension
    pv_kwh: float | None
    """`proSystemTotalStats` (PV; the summary `production` is AC and is not used)."""
    consumption_kwh: float | None
    grid_import_kwh: float | None
    grid_export_kwh: float | None
    battery_charge_kwh: float | None
    battery_discharge_kwh: float | None
