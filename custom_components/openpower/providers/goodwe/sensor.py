"""GoodWe sensors: the station's power flow and energy today; each device's telemetry and counters.

Signs as Home Assistant's Energy dashboard takes them (`api/goodwe/models.py` sets them):
`grid_power` + import / − export, `battery_power` + discharge / − charge, and positive parts in
the import/export and charge/discharge pairs. The meter's own power keeps SEMS+'s sign (probably −
import, unconfirmed: reference apis-goodwe.md §5.2). A value SEMS+ does not send is unknown, never
0; sensors of a value a station or device has never sent (the battery of a PV-only station, a
fourth PV string) are not created.
"""

from collections.abc import Callable
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
)

from ...api.goodwe import (
    Counters,
    DeviceKind,
    Flow,
    PvString,
    StatisticsBucket,
    Telemetry,
)
from ...sensor import OpenPowerSensorDescription
from .coordinator import STATION_STATUSES, GoodWeDevices, StationFlow
from .history import GoodWeDays
from .runtime import GoodWeRuntime


def _flow_power(
    key: str, field: str, pick: Callable[[Flow], float | None], *, always: bool = False
) -> OpenPowerSensorDescription[GoodWeRuntime, StationFlow]:
    """Describe one power of the station's flow (W); `field` is the `Flow` field it shows."""
    return OpenPowerSensorDescription[GoodWeRuntime, StationFlow](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.flow,
        devices_fn=StationFlow.devices,
        exists_fn=(lambda _f, _uid: True)
        if always
        else (lambda data, _uid: data.has(field)),
        value_fn=lambda data, _uid: pick(data.flow),
    )


def _today(
    key: str, pick: Callable[[StatisticsBucket], float | None]
) -> OpenPowerSensorDescription[GoodWeRuntime, GoodWeDays]:
    """Describe one of the station's energies today (kWh, the day's statistics bucket)."""
    return OpenPowerSensorDescription[GoodWeRuntime, GoodWeDays](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.history,
        devices_fn=GoodWeDays.devices,
        value_fn=lambda days, _uid: None if days.today is None else pick(days.today),
    )


def _string(
    index: int, field: str, pick: Callable[[PvString], float | None], unit: str
) -> OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices]:
    """Describe the voltage or current of one PV string of an inverter."""

    def value(data: GoodWeDevices, uid: str) -> float | None:
        for string in data.of(uid).telemetry.pv_strings:
            if string.index == index:
                return pick(string)
        return None

    voltage = field == "voltage"
    return OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices](
        key=f"pv{index}_{field}",
        translation_key=f"goodwe_pv_string_{field}",
        translation_placeholders={"string": str(index)},
        device_class=SensorDeviceClass.VOLTAGE
        if voltage
        else SensorDeviceClass.CURRENT,
        native_unit_of_measurement=unit,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        coordinator_fn=lambda rt: rt.devices,
        devices_fn=GoodWeDevices.devices,
        exists_fn=lambda data, uid: (
            data.is_kind(uid, DeviceKind.INVERTER) and data.has(uid, f"pv{index}")
        ),
        value_fn=value,
    )


def _telemetry(
    key: str,
    kind: DeviceKind,
    pick: Callable[[Telemetry], float | None],
    *,
    translation_key: str | None,
    device_class: SensorDeviceClass,
    unit: str,
    precision: int,
    field: str | None = None,
) -> OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices]:
    """Describe a live value of every device of `kind`.

    With `field` (the `Telemetry` field), the sensor exists only where the device reports it.
    """
    return OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices](
        key=key,
        translation_key=translation_key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=precision,
        coordinator_fn=lambda rt: rt.devices,
        devices_fn=GoodWeDevices.devices,
        exists_fn=lambda data, uid: (
            data.is_kind(uid, kind) and (field is None or data.has(uid, field))
        ),
        value_fn=lambda data, uid: pick(data.of(uid).telemetry),
    )


def _counter(
    key: str, field: str, pick: Callable[[Counters], float | None]
) -> OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices]:
    """Describe a lifetime counter (kWh) of every device that reports it; never backwards."""

    def value(data: GoodWeDevices, uid: str) -> float | None:
        counters = data.of(uid).counters
        return None if counters is None else pick(counters)

    return OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        coordinator_fn=lambda rt: rt.devices,
        devices_fn=GoodWeDevices.devices,
        exists_fn=lambda data, uid: data.has(uid, field),
        value_fn=value,
    )


SENSORS: tuple[OpenPowerSensorDescription[GoodWeRuntime, Any], ...] = (
    # The station: power flow (90 s).
    _flow_power("pv_power", "pv_w", lambda f: f.pv_w, always=True),
    _flow_power("load_power", "load_w", lambda f: f.load_w),
    _flow_power("grid_power", "grid_w", lambda f: f.grid_w),
    _flow_power("grid_import_power", "grid_import_w", lambda f: f.grid_import_w),
    _flow_power("grid_export_power", "grid_export_w", lambda f: f.grid_export_w),
    _flow_power("battery_power", "battery_w", lambda f: f.battery_w),
    _flow_power(
        "battery_charge_power", "battery_charge_w", lambda f: f.battery_charge_w
    ),
    _flow_power(
        "battery_discharge_power",
        "battery_discharge_w",
        lambda f: f.battery_discharge_w,
    ),
    OpenPowerSensorDescription[GoodWeRuntime, StationFlow](
        key="battery_soc",
        translation_key="battery_soc",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.flow,
        devices_fn=StationFlow.devices,
        exists_fn=lambda data, _uid: data.has("soc"),
        value_fn=lambda data, _uid: data.flow.soc,
    ),
    OpenPowerSensorDescription[GoodWeRuntime, StationFlow](
        key="station_status",
        translation_key="goodwe_station_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(STATION_STATUSES.values()),
        coordinator_fn=lambda rt: rt.flow,
        devices_fn=StationFlow.devices,
        value_fn=lambda data, _uid: data.status,
    ),
    # The station: energy today (the day's statistics bucket, hourly).
    _today("pv_energy_today", lambda b: b.pv_kwh),
    _today("load_energy_today", lambda b: b.consumption_kwh),
    _today("grid_import_energy_today", lambda b: b.grid_import_kwh),
    _today("grid_export_energy_today", lambda b: b.grid_export_kwh),
    _today("battery_charge_energy_today", lambda b: b.battery_charge_kwh),
    _today("battery_discharge_energy_today", lambda b: b.battery_discharge_kwh),
    # Inverters (10 minutes).
    _telemetry(
        "ac_power",
        DeviceKind.INVERTER,
        lambda t: t.ac_power_w,
        translation_key="goodwe_ac_power",
        device_class=SensorDeviceClass.POWER,
        unit=UnitOfPower.WATT,
        precision=0,
    ),
    _string(1, "voltage", lambda s: s.voltage_v, UnitOfElectricPotential.VOLT),
    _string(1, "current", lambda s: s.current_a, UnitOfElectricCurrent.AMPERE),
    _string(2, "voltage", lambda s: s.voltage_v, UnitOfElectricPotential.VOLT),
    _string(2, "current", lambda s: s.current_a, UnitOfElectricCurrent.AMPERE),
    _string(3, "voltage", lambda s: s.voltage_v, UnitOfElectricPotential.VOLT),
    _string(3, "current", lambda s: s.current_a, UnitOfElectricCurrent.AMPERE),
    _string(4, "voltage", lambda s: s.voltage_v, UnitOfElectricPotential.VOLT),
    _string(4, "current", lambda s: s.current_a, UnitOfElectricCurrent.AMPERE),
    _telemetry(
        "temperature",
        DeviceKind.INVERTER,
        lambda t: t.temperature_c,
        translation_key=None,
        device_class=SensorDeviceClass.TEMPERATURE,
        unit=UnitOfTemperature.CELSIUS,
        precision=1,
    ),
    # Batteries (10 minutes).
    _telemetry(
        "battery_voltage",
        DeviceKind.BATTERY,
        lambda t: t.battery_voltage_v,
        translation_key=None,
        device_class=SensorDeviceClass.VOLTAGE,
        unit=UnitOfElectricPotential.VOLT,
        precision=1,
    ),
    _telemetry(
        "battery_current",
        DeviceKind.BATTERY,
        lambda t: t.battery_current_a,
        translation_key=None,
        device_class=SensorDeviceClass.CURRENT,
        unit=UnitOfElectricCurrent.AMPERE,
        precision=1,
        field="battery_current_a",
    ),
    OpenPowerSensorDescription[GoodWeRuntime, GoodWeDevices](
        key="battery_health",
        translation_key="battery_health",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.devices,
        devices_fn=GoodWeDevices.devices,
        exists_fn=lambda data, uid: data.is_kind(uid, DeviceKind.BATTERY),
        value_fn=lambda data, uid: data.of(uid).telemetry.battery_soh,
    ),
    _telemetry(
        "battery_soc",
        DeviceKind.BATTERY,
        lambda t: t.battery_soc,
        translation_key="battery_soc",
        device_class=SensorDeviceClass.BATTERY,
        unit=PERCENTAGE,
        precision=0,
        field="battery_soc",
    ),
    # Smart meters (10 minutes): SEMS+'s own sign.
    _telemetry(
        "meter_power",
        DeviceKind.METER,
        lambda t: t.ac_power_w,
        translation_key=None,
        device_class=SensorDeviceClass.POWER,
        unit=UnitOfPower.WATT,
        precision=0,
    ),
    # Lifetime counters (inverters and meters, 10 minutes), where reported.
    _counter("pv_energy_total", "pv_kwh", lambda c: c.pv_kwh),
    _counter(
        "goodwe_battery_charge_energy_total",
        "battery_charge_kwh",
        lambda c: c.battery_charge_kwh,
    ),
    _counter(
        "goodwe_battery_discharge_energy_total",
        "battery_discharge_kwh",
        lambda c: c.battery_discharge_kwh,
    ),
    _counter(
        "goodwe_grid_import_energy_total",
        "grid_import_kwh",
        lambda c: c.grid_import_kwh,
    ),
    _counter(
        "goodwe_grid_export_energy_total",
        "grid_export_kwh",
        lambda c: c.grid_export_kwh,
    ),
)
