"""AlphaESS Open API payloads as typed values (reference apis-emporia-alphaess-amber.md §2.2, §2.5).

Sign and unit conventions live here and nowhere else:

- power in W; `grid` is + import / − export, `battery` + discharge / − charge (the live sample in
  `fixtures/alphaess/getLastPowerData.json` balances as pgrid 11 + pbat 1264 = pload 1275 with no
  PV); `grid_import`, `grid_export`, `battery_charge`, `battery_discharge` split them into
  positive quantities;
- a 5-minute sample's `gridCharge` is the grid import (W), not battery charging, and the sample
  carries no battery power: battery = load − PV − import + feed-in (§2.5);
- energy in kWh; times of day and sample times are the system's local wall-clock time (naive);
- every value AlphaESS sends as `null` is None (unknown), never 0.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import number, obj, objects, optional_number, text

PERIODIC_READ_ONLY: Final = frozenset({"strategyType", "sort", "executeCycleType"})
"""Keys `getTimeChargeBySn` returns that `setTimeChargeBySn` refuses inside a period (§2.5);
`executeCycleType` is refused per period but required at the top level."""
TIME_STEP_MINUTES: Final = 15
"""Schedule times are on a 15-minute grid, 00:00 to 23:45 (§2.2 row 6)."""


def _optional_text(item: Mapping[str, Any], key: str) -> str | None:
    return None if item.get(key) is None else text(item, key)


def _positive(value: float | None) -> float | None:
    # Never -0.0: a sensor would show it as "-0".
    return None if value is None else (value if value > 0 else 0.0)


def _negative(value: float | None) -> float | None:
    return None if value is None else (-value if value < 0 else 0.0)


def parse_time_of_day(value: Any, what: str) -> time:
    """Read a schedule time `HH:mm`."""
    if not isinstance(value, str):
        raise ApiResponseError(f"{what} is not a time of day")
    try:
        parsed = datetime.strptime(value, "%H:%M").time()
    except ValueError as err:
        raise ApiResponseError(f"{what} is not a time of day") from err
    return parsed


def format_time_of_day(value: time) -> str:
    """Write a schedule time as AlphaESS takes it (`HH:mm`)."""
    return value.strftime("%H:%M")


def on_grid(value: time) -> bool:
    """Whether a time is one the inverter acts on (the 15-minute grid, whole minutes)."""
    return value.second == 0 and value.microsecond == 0 and value.minute % 15 == 0


@dataclass(frozen=True, slots=True)
class System:
    """A system bound to the AppID (`getEssList`)."""

    serial: str
    inverter_model: str | None
    battery_model: str | None
    battery_capacity: float | None
    """Gross battery capacity, kWh (`cobat`; some backends say `cbat`)."""
    battery_remaining_capacity: float | None
    """Capacity left after ageing, kWh (`surplusCobat`)."""
    battery_health: float | None
    """`usCapacity`, %."""
    inverter_power: float | None
    """Rated inverter power, kW (`poinv`)."""
    pv_capacity: float | None
    """Installed PV, kW (`popv`)."""
    ems_status: str | None


def parse_systems(payload: Any) -> list[System]:
    """Parse `getEssList`'s data."""
    systems = []
    for item in objects(payload, "getEssList"):
        capacity = optional_number(item, "cobat")
        if capacity is None:
            capacity = optional_number(item, "cbat")
        systems.append(
            System(
                serial=text(item, "sysSn"),
                inverter_model=_optional_text(item, "minv"),
                battery_model=_optional_text(item, "mbat"),
                battery_capacity=capacity,
                battery_remaining_capacity=optional_number(item, "surplusCobat"),
                battery_health=optional_number(item, "usCapacity"),
                inverter_power=optional_number(item, "poinv"),
                pv_capacity=optional_number(item, "popv"),
                ems_status=_optional_text(item, "emsStatus"),
            )
        )
    return systems


@dataclass(frozen=True, slots=True)
class LivePower:
    """Instantaneous power of a system, W (`getLastPowerData`)."""

    pv: float | None
    pv_strings: tuple[float | None, float | None, float | None, float | None]
    pv_meter_dc: float | None
    load: float | None
    grid: float | None
    grid_phases: tuple[float | None, float | None, float | None]
    battery: float | None
    inverter_phases: tuple[float | None, float | None, float | None]
    ev: float | None
    ev_chargers: tuple[float | None, float | None, float | None, float | None]
    soc: float | None

    @property
    def grid_import(self) -> float | None:
        """Power drawn from the grid."""
        return _positive(self.grid)

    @property
    def grid_export(self) -> float | None:
        """Power fed into the grid."""
        return _negative(self.grid)

    @property
    def battery_discharge(self) -> float | None:
        """Power the battery gives."""
        return _positive(self.battery)

    @property
    def battery_charge(self) -> float | None:
        """Power the battery takes."""
        return _negative(self.battery)


def parse_live_power(payload: Any) -> LivePower:
    """Parse `getLastPowerData`'s data."""
    item = obj(payload, "getLastPowerData")
    pv = obj(item.get("ppvDetail") or {}, "ppvDetail")
    grid = obj(item.get("pgridDetail") or {}, "pgridDetail")
    ev = obj(item.get("pevDetail") or {}, "pevDetail")
    return LivePower(
        pv=optional_number(item, "ppv"),
        pv_strings=(
            optional_number(pv, "ppv1"),
            optional_number(pv, "ppv2"),
            optional_number(pv, "ppv3"),
            optional_number(pv, "ppv4"),
        ),
        pv_meter_dc=optional_number(pv, "pmeterDc"),
        load=optional_number(item, "pload"),
        grid=optional_number(item, "pgrid"),
        grid_phases=(
            optional_number(grid, "pmeterL1"),
            optional_number(grid, "pmeterL2"),
            optional_number(grid, "pmeterL3"),
        ),
        battery=optional_number(item, "pbat"),
        inverter_phases=(
            optional_number(item, "prealL1"),
            optional_number(item, "prealL2"),
            optional_number(item, "prealL3"),
        ),
        ev=optional_number(item, "pev"),
        ev_chargers=(
            optional_number(ev, "ev1Power"),
            optional_number(ev, "ev2Power"),
            optional_number(ev, "ev3Power"),
            optional_number(ev, "ev4Power"),
        ),
        soc=optional_number(item, "soc"),
    )


@dataclass(frozen=True, slots=True)
class PowerSample:
    """One 5-minute sample of `getOneDayPowerBySn`, W; `time` is local wall-clock time."""

    time: datetime
    pv: float | None
    load: float | None
    soc: float | None
    grid_import: float | None
    grid_export: float | None
    ev: float | None

    @property
    def battery(self) -> float | None:
        """Battery power (+ discharge / − charge), which the samples only imply (§2.5)."""
        if None in (self.load, self.pv, self.grid_import, self.grid_export):
            return None
        return self.load - self.pv - self.grid_import + self.grid_export  # type: ignore[operator]

    @property
    def grid(self) -> float | None:
        """Grid power (+ import / − export)."""
        if self.grid_import is None or self.grid_export is None:
            return None
        return self.grid_import - self.grid_export

    def as_live_power(self) -> LivePower:
        """Return the sample in `getLastPowerData`'s terms (for models that do not serve it)."""
        unknown = (None, None, None)
        return LivePower(
            pv=self.pv,
            pv_strings=(None, None, None, None),
            pv_meter_dc=None,
            load=self.load,
            grid=self.grid,
            grid_phases=unknown,
            battery=self.battery,
            inverter_phases=unknown,
            ev=self.ev,
            ev_chargers=(None, None, None, None),
            soc=self.soc,
        )


def parse_day_power(payload: Any) -> list[PowerSample]:
    """Parse `getOneDayPowerBySn`'s data, oldest sample first (AlphaESS sends newest first)."""
    samples = []
    for item in objects(payload if payload is not None else [], "getOneDayPowerBySn"):
        try:
            moment = datetime.strptime(text(item, "uploadTime"), "%Y-%m-%d %H:%M:%S")
        except ValueError as err:
            raise ApiResponseError("uploadTime is not a date-time") from err
        samples.append(
            PowerSample(
                time=moment,
                pv=optional_number(item, "ppv"),
                load=optional_number(item, "load"),
                soc=optional_number(item, "cbat"),
                grid_import=optional_number(item, "gridCharge"),
                grid_export=optional_number(item, "feedIn"),
                ev=optional_number(item, "pchargingPile"),
            )
        )
    return sorted(samples, key=lambda sample: sample.time)


@dataclass(frozen=True, slots=True)
class DailyEnergy:
    """One local day's energy, kWh (`getOneDateEnergyBySn`)."""

    day: date
    pv: float | None
    battery_charge: float | None
    battery_discharge: float | None
    grid_charge: float | None
    """Energy the battery took from the grid (`eGridCharge`)."""
    grid_import: float | None
    grid_export: float | None
    ev: float | None

    @property
    def load(self) -> float | None:
        """The household's energy, from the balance (matches `getSumDataForCustomer.eload`)."""
        parts = (
            self.pv,
            self.grid_import,
            self.grid_export,
            self.battery_discharge,
            self.battery_charge,
        )
        if any(part is None for part in parts):
            return None
        pv, imported, exported, discharged, charged = parts
        return round(pv + imported - exported + discharged - charged, 6)  # type: ignore[operator]


def parse_day_energy(payload: Any, day: date) -> DailyEnergy | None:
    """Parse `getOneDateEnergyBySn`'s data; None when AlphaESS has nothing for the day."""
    if payload is None:
        return None
    item = obj(payload, "getOneDateEnergyBySn")
    if (the_date := item.get("theDate")) is not None and the_date != day.isoformat():
        raise ApiResponseError("getOneDateEnergyBySn answered for another day")
    return DailyEnergy(
        day=day,
        pv=optional_number(item, "epv"),
        battery_charge=optional_number(item, "eCharge"),
        battery_discharge=optional_number(item, "eDischarge"),
        grid_charge=optional_number(item, "eGridCharge"),
        grid_import=optional_number(item, "eInput"),
        grid_export=optional_number(item, "eOutput"),
        ev=optional_number(item, "eChargingPile"),
    )


@dataclass(frozen=True, slots=True)
class EnergySummary:
    """Today's and lifetime totals (`getSumDataForCustomer`); many are null without a tariff."""

    pv_today: float | None
    pv_total: float | None
    load_today: float | None
    grid_export_today: float | None
    grid_import_today: float | None
    battery_charge_today: float | None
    battery_discharge_today: float | None
    income_today: float | None
    income_total: float | None
    self_consumption: float | None
    self_sufficiency: float | None
    trees: float | None
    carbon: float | None
    currency: str | None
    """`moneyType`, now usually null (§2.5): never a hint of the region."""


def parse_summary(payload: Any) -> EnergySummary:
    """Parse `getSumDataForCustomer`'s data."""
    item = obj(payload, "getSumDataForCustomer")
    return EnergySummary(
        pv_today=optional_number(item, "epvtoday"),
        pv_total=optional_number(item, "epvtotal"),
        load_today=optional_number(item, "eload"),
        grid_export_today=optional_number(item, "eoutput"),
        grid_import_today=optional_number(item, "einput"),
        battery_charge_today=optional_number(item, "echarge"),
        battery_discharge_today=optional_number(item, "edischarge"),
        income_today=optional_number(item, "todayIncome"),
        income_total=optional_number(item, "totalIncome"),
        self_consumption=optional_number(item, "eselfConsumption"),
        self_sufficiency=optional_number(item, "eselfSufficiency"),
        trees=optional_number(item, "treeNum"),
        carbon=optional_number(item, "carbonNum"),
        currency=_optional_text(item, "moneyType"),
    )


class ChargerStatus(IntEnum):
    """An EV charger's state (`getEvChargerStatusBySn`, OCPP's names)."""

    AVAILABLE = 1
    PREPARING = 2
    CHARGING = 3
    SUSPENDED_EVSE = 4
    SUSPENDED_EV = 5
    FINISHING = 6
    FAULTED = 9

    @property
    def can_start(self) -> bool:
        """Whether a car is connected and charging may be started."""
        return self in (
            ChargerStatus.PREPARING,
            ChargerStatus.SUSPENDED_EVSE,
            ChargerStatus.SUSPENDED_EV,
        )


@dataclass(frozen=True, slots=True)
class Charger:
    """An EV charger attached to a system (`getEvChargerConfigList`)."""

    serial: str
    model: str | None


def parse_chargers(payload: Any) -> list[Charger]:
    """Parse `getEvChargerConfigList`'s data (`[]` without a charger)."""
    return [
        Charger(
            serial=text(item, "evchargerSn"),
            model=_optional_text(item, "evchargerModel"),
        )
        for item in objects(
            payload if payload is not None else [], "getEvChargerConfigList"
        )
    ]


def parse_charger_current(payload: Any) -> float | None:
    """Parse `getEvChargerCurrentsBySn`'s data: the household current limit, A."""
    return (
        None
        if payload is None
        else optional_number(obj(payload, "currents"), "currentsetting")
    )


def parse_charger_status(payload: Any) -> int | None:
    """Parse `getEvChargerStatusBySn`'s data; the portal calls it a list, so both are read."""
    if isinstance(payload, list):
        payload = payload[0] if payload else None
    if payload is None:
        return None
    value = optional_number(obj(payload, "getEvChargerStatusBySn"), "evchargerStatus")
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class LegacyCharge:
    """The legacy grid-charging settings (`getChargeConfigInfo`)."""

    grid_charge: bool
    windows: tuple[tuple[time, time], tuple[time, time]]
    stop_level: float
    """`batHighCap`: charging from the grid stops at this state of charge, %."""

    def body(self, serial: str) -> dict[str, Any]:
        """Return the full `updateChargeConfigInfo` body (every field, with its documented type)."""
        return {
            "sysSn": serial,
            "batHighCap": round(self.stop_level),
            "gridCharge": int(self.grid_charge),
            **_window_fields("timeCha", self.windows),
        }


@dataclass(frozen=True, slots=True)
class LegacyDischarge:
    """The legacy discharge-permission settings (`getDisChargeConfigInfo`)."""

    control: bool
    windows: tuple[tuple[time, time], tuple[time, time]]
    stop_level: float
    """`batUseCap`: discharging stops at this state of charge, %."""

    def body(self, serial: str) -> dict[str, Any]:
        """Return the full `updateDisChargeConfigInfo` body (10001 answers a missing field)."""
        return {
            "sysSn": serial,
            "batUseCap": round(self.stop_level),
            "ctrDis": int(self.control),
            **_window_fields("timeDis", self.windows),
        }


def _flag(item: Mapping[str, Any], key: str) -> bool:
    value = number(item, key)
    if value not in (0, 1):
        raise ApiResponseError(f"{key} is not 0 or 1")
    return value == 1


def parse_legacy_charge(payload: Any) -> LegacyCharge:
    """Parse `getChargeConfigInfo`'s data."""
    item = obj(payload, "getChargeConfigInfo")
    return LegacyCharge(
        grid_charge=_flag(item, "gridCharge"),
        windows=_read_windows(item, "timeCha"),
        stop_level=_level(item, "batHighCap"),
    )


def parse_legacy_discharge(payload: Any) -> LegacyDischarge:
    """Parse `getDisChargeConfigInfo`'s data."""
    item = obj(payload, "getDisChargeConfigInfo")
    return LegacyDischarge(
        control=_flag(item, "ctrDis"),
        windows=_read_windows(item, "timeDis"),
        stop_level=_level(item, "batUseCap"),
    )


def _read_windows(
    item: Mapping[str, Any], prefix: str
) -> tuple[tuple[time, time], tuple[time, time]]:
    """Read a legacy store's two windows: `<prefix>f1`/`<prefix>e1` (from, end), then 2."""

    def window(n: int) -> tuple[time, time]:
        begin, end = f"{prefix}f{n}", f"{prefix}e{n}"
        return (
            parse_time_of_day(item.get(begin), begin),
            parse_time_of_day(item.get(end), end),
        )

    return window(1), window(2)


def _window_fields(
    prefix: str, windows: tuple[tuple[time, time], tuple[time, time]]
) -> dict[str, str]:
    """Write a legacy store's two windows as `_read_windows` reads them."""
    fields = {}
    for n, (begin, end) in enumerate(windows, start=1):
        fields[f"{prefix}f{n}"] = format_time_of_day(begin)
        fields[f"{prefix}e{n}"] = format_time_of_day(end)
    return fields


def _level(item: Mapping[str, Any], key: str) -> float:
    # The official Postman collection sends levels as strings ("95"): read both.
    value = item.get(key)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError as err:
            raise ApiResponseError(f"{key} is not a number") from err
    return number(item, key)


@dataclass(frozen=True, slots=True)
class Period:
    """One period of the periodic schedule; `extra` keeps the fields not modelled here."""

    begin: time
    end: time
    limit: float | None
    """`chargeLimit`: the state of charge at which the period stops, %."""
    extra: Mapping[str, Any]

    def body(self) -> dict[str, Any]:
        """Return the period as `setTimeChargeBySn` takes it: read-only keys left out."""
        return {
            **{k: v for k, v in self.extra.items() if k not in PERIODIC_READ_ONLY},
            "beginTime": format_time_of_day(self.begin),
            "endTime": format_time_of_day(self.end),
            "chargeLimit": None if self.limit is None else round(self.limit),
        }


@dataclass(frozen=True, slots=True)
class PeriodicSchedule:
    """The periodic schedule store (`getTimeChargeBySn`); `extra` keeps unmodelled fields."""

    grid_charge: bool
    """`gridChargeCycle`: the charge periods may take energy from the grid."""
    discharge_control: bool
    """`ctrDisCycle`: discharging is limited to the discharge periods."""
    charge: tuple[Period, ...]
    discharge: tuple[Period, ...]
    extra: Mapping[str, Any]

    def body(self, serial: str) -> dict[str, Any]:
        """Return the full `setTimeChargeBySn` body: every field as read, read-only keys left out."""
        return {
            **{
                k: v
                for k, v in self.extra.items()
                if k not in PERIODIC_READ_ONLY or k == "executeCycleType"
            },
            "sysSn": serial,
            "gridChargeCycle": int(self.grid_charge),
            "ctrDisCycle": int(self.discharge_control),
            "chargeTimeList": [period.body() for period in self.charge],
            "dischargeTimeList": [period.body() for period in self.discharge],
        }


_PERIOD_FIELDS: Final = frozenset({"beginTime", "endTime", "chargeLimit"})
_SCHEDULE_FIELDS: Final = frozenset(
    {"sysSn", "gridChargeCycle", "ctrDisCycle", "chargeTimeList", "dischargeTimeList"}
)


def _periods(item: Mapping[str, Any], key: str) -> tuple[Period, ...]:
    return tuple(
        Period(
            begin=parse_time_of_day(period.get("beginTime"), "beginTime"),
            end=parse_time_of_day(period.get("endTime"), "endTime"),
            limit=optional_number(period, "chargeLimit"),
            extra={k: v for k, v in period.items() if k not in _PERIOD_FIELDS},
        )
        for period in objects(item.get(key) or [], key)
    )


def parse_periodic(payload: Any) -> PeriodicSchedule:
    """Parse `getTimeChargeBySn`'s data."""
    item = obj(payload, "getTimeChargeBySn")
    return PeriodicSchedule(
        grid_charge=_flag(item, "gridChargeCycle"),
        discharge_control=_flag(item, "ctrDisCycle"),
        charge=_periods(item, "chargeTimeList"),
        discharge=_periods(item, "dischargeTimeList"),
        extra={k: v for k, v in item.items() if k not in _SCHEDULE_FIELDS},
    )
