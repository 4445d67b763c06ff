"""Emporia switches: a smart plug's relay, an EV charger's charging."""

from typing import Any

from homeassistant.components.switch.const import SwitchDeviceClass

from ...switch import OpenPowerSwitchDescription
from .coordinator import EmporiaStatus
from .runtime import EmporiaRuntime

SWITCHES: tuple[OpenPowerSwitchDescription[EmporiaRuntime, Any], ...] = (
    OpenPowerSwitchDescription[EmporiaRuntime, EmporiaStatus](
        key="outlet",
        name=None,
        device_class=SwitchDeviceClass.OUTLET,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=EmporiaStatus.outlets,
        exists_fn=EmporiaStatus.has_outlet,
        is_on_fn=lambda state, uid: state.outlet(uid).on,
        turn_fn=lambda rt, uid, on: rt.status.async_set_outlet(uid, on),
    ),
    OpenPowerSwitchDescription[EmporiaRuntime, EmporiaStatus](
        key="charging",
        translation_key="charging",
        coordinator_fn=lambda rt: rt.status,
        devices_fn=EmporiaStatus.chargers,
        exists_fn=EmporiaStatus.has_charger,
        is_on_fn=lambda state, uid: state.charger(uid).on,
        turn_fn=lambda rt, uid, on: rt.status.async_set_charger(uid, on=on),
    ),
)
