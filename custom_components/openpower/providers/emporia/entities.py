"""Emporia entity descriptions (data only: the shell's platforms build them)."""

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.number import NumberDeviceClass, NumberMode
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfPower,
)

from ...api.emporia import Charger
from ...binary_sensor import OpenPowerBinarySensorDescription
from ...entity import DeviceRef
from ...number import OpenPowerNumberDescription
from ...sensor import OpenPowerSensorDescription
from ...switch import OpenPowerSwitchDescription
from .const import MIN_CHARGING_CURRENT, SensorSet
from .coordinator import EmporiaPower, EmporiaStatus, device_gid, device_uid
from .runtime import EmporiaRuntime

CHARGER_STATUSES = ["standby", "charging"]


def _kind(kind: str, sensor_set: SensorSet) -> dict[str, Any]:
    """Devices, existence and channel lookup of the sensors of one channel kind."""

    def devices(power: EmporiaPower) -> Iterable[DeviceRef]:
        return [
            power.layout.refs[uid]
            for uid, channel_kind in power.layout.channels
            if channel_kind == kind
        ]

    def exists(power: EmporiaPower, uid: str) -> bool:
        return sensor_set in power.sensor_sets and (uid, kind) in power.layout.channels

    return {"devices_fn": devices, "exists_fn": exists}


def _watts(kind: str) -> Callable[[EmporiaPower, str], float | None]:
    return lambda power, uid: power.watts.get(power.layout.channels[uid, kind])


def _today(kind: str) -> Callable[[EmporiaPower, str], float | None]:
    return lambda power, uid: power.today.get(power.layout.channels[uid, kind])


def _power_sensor(key: str, kind: str) -> OpenPowerSensorDescription[Any, Any]:
    return OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.power,
        value_fn=_watts(kind),
        **_kind(kind, SensorSet.POWER),
    )


def _energy_sensor(key: str, kind: str) -> OpenPowerSensorDescription[Any, Any]:
    return OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.power,
        value_fn=_today(kind),
        **_kind(kind, SensorSet.ENERGY_TODAY),
    )


def _status_devices(
    gids: Callable[[EmporiaStatus], Iterable[int]],
) -> Callable[[EmporiaStatus], Iterable[DeviceRef]]:
    return lambda state: [
        state.layout.refs[uid]
        for uid in map(device_uid, gids(state))
        if uid in state.layout.refs
    ]


def _charger(state: EmporiaStatus, uid: str) -> Charger:
    return state.status.chargers[device_gid(uid)]


def _charger_status(state: EmporiaStatus, uid: str) -> str | None:
    status = (_charger(state, uid).status or "").lower()
    return status if status in CHARGER_STATUSES else None


_CHARGER_DEVICES = _status_devices(lambda state: state.status.chargers)
_OUTLET_DEVICES = _status_devices(lambda state: state.status.outlets)


def _has_charger(state: EmporiaStatus, uid: str) -> bool:
    return device_gid(uid) in state.status.chargers


def _has_outlet(state: EmporiaStatus, uid: str) -> bool:
    return device_gid(uid) in state.status.outlets


SENSORS: tuple[OpenPowerSensorDescription[EmporiaRuntime, Any], ...] = (
    _power_sensor("power", "circuit"),
    _power_sensor("mains_power", "mains"),
    _power_sensor("balance_power", "balance"),
    _energy_sensor("energy_today", "circuit"),
    _energy_sensor("mains_energy_today", "mains"),
    OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key="requests_today",
        translation_key="requests_today",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.power,
        devices_fn=lambda power: [power.layout.account],
        value_fn=lambda power, _uid: power.requests_today,
    ),
    OpenPowerSensorDescription[EmporiaRuntime, EmporiaStatus](
        key="charger_status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=CHARGER_STATUSES,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_CHARGER_DEVICES,
        exists_fn=_has_charger,
        value_fn=_charger_status,
        attributes_fn=lambda state, uid: {
            "message": _charger(state, uid).message,
            "fault": _charger(state, uid).fault_text,
        },
    ),
)

BINARY_SENSORS: tuple[OpenPowerBinarySensorDescription[EmporiaRuntime, Any], ...] = (
    OpenPowerBinarySensorDescription[EmporiaRuntime, EmporiaStatus](
        key="connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_status_devices(lambda state: state.status.connected),
        exists_fn=lambda state, uid: device_gid(uid) in state.status.connected,
        is_on_fn=lambda state, uid: state.status.connected[device_gid(uid)],
    ),
    OpenPowerBinarySensorDescription[EmporiaRuntime, EmporiaStatus](
        key="plugged_in",
        translation_key="plugged_in",
        device_class=BinarySensorDeviceClass.PLUG,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_CHARGER_DEVICES,
        exists_fn=_has_charger,
        is_on_fn=lambda state, uid: _charger(state, uid).plugged_in,
    ),
)


async def _turn_outlet(runtime: EmporiaRuntime, uid: str, on: bool) -> None:
    await runtime.status.async_set_outlet(uid, on)


async def _turn_charger(runtime: EmporiaRuntime, uid: str, on: bool) -> None:
    await runtime.status.async_set_charger(uid, on=on)


async def _set_current(runtime: EmporiaRuntime, uid: str, value: float) -> None:
    await runtime.status.async_set_charger(uid, rate=round(value))


SWITCHES: tuple[OpenPowerSwitchDescription[EmporiaRuntime, Any], ...] = (
    OpenPowerSwitchDescription[EmporiaRuntime, EmporiaStatus](
        key="outlet",
        name=None,
        device_class=SwitchDeviceClass.OUTLET,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_OUTLET_DEVICES,
        exists_fn=_has_outlet,
        is_on_fn=lambda state, uid: state.status.outlets[device_gid(uid)].on,
        turn_fn=_turn_outlet,
    ),
    OpenPowerSwitchDescription[EmporiaRuntime, EmporiaStatus](
        key="charging",
        translation_key="charging",
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_CHARGER_DEVICES,
        exists_fn=_has_charger,
        is_on_fn=lambda state, uid: _charger(state, uid).on,
        turn_fn=_turn_charger,
    ),
)

NUMBERS: tuple[OpenPowerNumberDescription[EmporiaRuntime, Any], ...] = (
    OpenPowerNumberDescription[EmporiaRuntime, EmporiaStatus](
        key="charging_current",
        translation_key="charging_current",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_CHARGING_CURRENT,
        native_step=1,
        mode=NumberMode.SLIDER,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=_CHARGER_DEVICES,
        exists_fn=_has_charger,
        value_fn=lambda state, uid: _charger(state, uid).charging_rate,
        max_fn=lambda state, uid: _charger(state, uid).max_charging_rate,
        set_fn=_set_current,
    ),
)
