"""Emporia binary sensors: whether each device is connected, whether a car is plugged in."""

from typing import Any

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from ...binary_sensor import OpenPowerBinarySensorDescription
from .coordinator import EmporiaStatus
from .devices import device_gid
from .runtime import EmporiaRuntime

BINARY_SENSORS: tuple[OpenPowerBinarySensorDescription[EmporiaRuntime, Any], ...] = (
    OpenPowerBinarySensorDescription[EmporiaRuntime, EmporiaStatus](
        key="connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=lambda state: state.layout.devices_of(state.status.connected),
        exists_fn=lambda state, uid: device_gid(uid) in state.status.connected,
        is_on_fn=lambda state, uid: state.status.connected[device_gid(uid)],
    ),
    OpenPowerBinarySensorDescription[EmporiaRuntime, EmporiaStatus](
        key="plugged_in",
        translation_key="plugged_in",
        device_class=BinarySensorDeviceClass.PLUG,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=EmporiaStatus.chargers,
        exists_fn=EmporiaStatus.has_charger,
        is_on_fn=lambda state, uid: state.charger(uid).plugged_in,
    ),
)
