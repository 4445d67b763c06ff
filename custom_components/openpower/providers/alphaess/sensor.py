"""AlphaESS sensors: live power, energy today, totals and income, system facts, charger status.

What Home Assistant's Energy dashboard takes: `grid_power` (+ import / − export) or the pair
`grid_import_power`/`grid_export_power` as the grid's power, `battery_power` (+ discharge / −
charge; Home Assistant's own convention) as the battery's, `pv_power` as solar, and
`battery_soc` as the battery's state of charge; energy comes from the hourly statistics.
"""

from collections.abc import Callable
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfMass,
    UnitOfPower,
)
from homeassistant.helpers.typing import StateType

from ...api.alphaess import ChargerStatus, DailyEnergy, LivePower, System
from ...sensor import OpenPowerSensorDescription
from .coordinator import LiveReading, SystemControl, SystemEnergy, SystemSummary
from .devices import AlphaEssAccount, AlphaEssView, serial_of, system_device
from .runtime import AlphaEssRuntime

type Live = AlphaEssView[LiveReading]
type Energy = AlphaEssView[SystemEnergy]
type Summary = AlphaEssView[SystemSummary]
type Control = AlphaEssView[SystemControl]

CHARGER_STATUSES = [status.name.lower() for status in ChargerStatus]


def _has_charger(view: AlphaEssView[Any], uid: str) -> bool:
    return view.has(uid) and bool(view.account.chargers.get(serial_of(uid)))


def _live_attributes(view: Live, uid: str) -> dict[str, Any]:
    reading = view.of(uid)
    return {
        "source": reading.source,
        "sampled_at": reading.sampled_at.isoformat() if reading.sampled_at else None,
    }


def _power(
    key: str,
    pick: Callable[[LivePower], float | None],
    *,
    enabled: bool = True,
    charger_only: bool = False,
) -> OpenPowerSensorDescription[AlphaEssRuntime, Live]:
    """Describe one live power of every system (W)."""
    return OpenPowerSensorDescription[AlphaEssRuntime, Live](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_registry_enabled_default=enabled,
        coordinator_fn=lambda rt: rt.live,
        devices_fn=AlphaEssView.systems,
        exists_fn=_has_charger if charger_only else AlphaEssView.has,
        value_fn=lambda view, uid: pick(view.of(uid).power),
        attributes_fn=_live_attributes,
    )


def _today(
    key: str, pick: Callable[[DailyEnergy], float | None], *, charger_only: bool = False
) -> OpenPowerSensorDescription[AlphaEssRuntime, Energy]:
    """Describe one of a system's energies today (kWh, back to 0 at local midnight)."""

    def value(view: Energy, uid: str) -> StateType:
        today = view.of(uid).today
        return None if today is None else pick(today)

    return OpenPowerSensorDescription[AlphaEssRuntime, Energy](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.energy,
        devices_fn=AlphaEssView.systems,
        exists_fn=_has_charger if charger_only else AlphaEssView.has,
        value_fn=value,
    )


def _percent(value: float | None) -> float | None:
    # AlphaESS gives these ratios as fractions (0–1).
    return None if value is None else round(value * 100, 1)


def _system_fact(
    key: str,
    pick: Callable[[System], StateType],
    *,
    device_class: SensorDeviceClass | None = None,
    unit: str | None = None,
    precision: int | None = None,
) -> OpenPowerSensorDescription[AlphaEssRuntime, AlphaEssAccount]:
    """Describe a fact of the system list (capacity, ratings, models): diagnostic."""
    return OpenPowerSensorDescription[AlphaEssRuntime, AlphaEssAccount](
        key=key,
        translation_key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.systems,
        devices_fn=lambda account: [system_device(s) for s in account.systems.values()],
        exists_fn=lambda account, uid: serial_of(uid) in account.systems,
        value_fn=lambda account, uid: pick(account.systems[serial_of(uid)]),
    )


def _currency(view: Summary, uid: str) -> str | None:
    if view.has(uid):
        return view.of(uid).currency
    return next((summary.currency for summary in view.values.values()), None)


def _charger_status(view: Energy, uid: str) -> str | None:
    status = view.of(uid).charger_status.get(serial_of(uid))
    return None if status is None else status.name.lower()


SENSORS: tuple[OpenPowerSensorDescription[AlphaEssRuntime, Any], ...] = (
    _power("pv_power", lambda p: p.pv),
    _power("pv1_power", lambda p: p.pv_strings[0]),
    _power("pv2_power", lambda p: p.pv_strings[1]),
    _power("pv3_power", lambda p: p.pv_strings[2], enabled=False),
    _power("pv4_power", lambda p: p.pv_strings[3], enabled=False),
    _power("pv_meter_dc_power", lambda p: p.pv_meter_dc, enabled=False),
    _power("load_power", lambda p: p.load),
    _power("grid_power", lambda p: p.grid),
    _power("grid_import_power", lambda p: p.grid_import),
    _power("grid_export_power", lambda p: p.grid_export),
    _power("grid_l1_power", lambda p: p.grid_phases[0], enabled=False),
    _power("grid_l2_power", lambda p: p.grid_phases[1], enabled=False),
    _power("grid_l3_power", lambda p: p.grid_phases[2], enabled=False),
    _power("battery_power", lambda p: p.battery),
    _power("battery_charge_power", lambda p: p.battery_charge),
    _power("battery_discharge_power", lambda p: p.battery_discharge),
    _power("inverter_l1_power", lambda p: p.inverter_phases[0], enabled=False),
    _power("inverter_l2_power", lambda p: p.inverter_phases[1], enabled=False),
    _power("inverter_l3_power", lambda p: p.inverter_phases[2], enabled=False),
    _power("ev_power", lambda p: p.ev, charger_only=True),
    OpenPowerSensorDescription[AlphaEssRuntime, Live](
        key="battery_soc",
        translation_key="battery_soc",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.live,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).power.soc,
        attributes_fn=_live_attributes,
    ),
    _today("pv_energy_today", lambda e: e.pv),
    _today("load_energy_today", lambda e: e.load),
    _today("grid_import_energy_today", lambda e: e.grid_import),
    _today("grid_export_energy_today", lambda e: e.grid_export),
    _today("battery_charge_energy_today", lambda e: e.battery_charge),
    _today("battery_discharge_energy_today", lambda e: e.battery_discharge),
    _today("grid_charge_energy_today", lambda e: e.grid_charge),
    _today("ev_energy_today", lambda e: e.ev, charger_only=True),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="pv_energy_total",
        translation_key="pv_energy_total",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).totals.pv_total,
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="income_today",
        translation_key="income_today",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).totals.income_today,
        unit_fn=_currency,
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="income_total",
        translation_key="income_total",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).totals.income_total,
        unit_fn=_currency,
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="self_consumption",
        translation_key="self_consumption",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: _percent(view.of(uid).totals.self_consumption),
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="self_sufficiency",
        translation_key="self_sufficiency",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: _percent(view.of(uid).totals.self_sufficiency),
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="trees_planted",
        translation_key="trees_planted",
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).totals.trees,
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Summary](
        key="co2_saved",
        translation_key="co2_saved",
        device_class=SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=UnitOfMass.KILOGRAMS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,
        coordinator_fn=lambda rt: rt.summary,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).totals.carbon,
    ),
    _system_fact(
        "battery_capacity",
        lambda s: s.battery_capacity,
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        precision=2,
    ),
    _system_fact(
        "battery_remaining_capacity",
        lambda s: s.battery_remaining_capacity,
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        unit=UnitOfEnergy.KILO_WATT_HOUR,
        precision=2,
    ),
    _system_fact(
        "battery_health",
        lambda s: s.battery_health,
        unit=PERCENTAGE,
        precision=0,
    ),
    _system_fact("battery_model", lambda s: s.battery_model),
    _system_fact(
        "inverter_rated_power",
        lambda s: s.inverter_power,
        device_class=SensorDeviceClass.POWER,
        unit=UnitOfPower.KILO_WATT,
        precision=1,
    ),
    _system_fact(
        "pv_capacity",
        lambda s: s.pv_capacity,
        device_class=SensorDeviceClass.POWER,
        unit=UnitOfPower.KILO_WATT,
        precision=1,
    ),
    _system_fact("ems_status", lambda s: s.ems_status),
    OpenPowerSensorDescription[AlphaEssRuntime, Control](
        key="schedule_store",
        translation_key="schedule_store",
        device_class=SensorDeviceClass.ENUM,
        options=["periodic", "legacy"],
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).schedule.store.value,
    ),
    OpenPowerSensorDescription[AlphaEssRuntime, Energy](
        key="charger_status",
        translation_key="alphaess_charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=CHARGER_STATUSES,
        coordinator_fn=lambda rt: rt.energy,
        devices_fn=AlphaEssView.chargers,
        exists_fn=AlphaEssView.has,
        value_fn=_charger_status,
    ),
)
