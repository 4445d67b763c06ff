"""Emporia numbers: the current an EV charger offers the car."""

from typing import Any

from homeassistant.components.number import NumberDeviceClass, NumberMode
from homeassistant.const import UnitOfElectricCurrent

from ...number import OpenPowerNumberDescription
from .const import MIN_CHARGING_CURRENT
from .coordinator import EmporiaStatus
from .runtime import EmporiaRuntime

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
        devices_fn=EmporiaStatus.chargers,
        exists_fn=EmporiaStatus.has_charger,
        value_fn=lambda state, uid: state.charger(uid).charging_rate,
        max_fn=lambda state, uid: state.charger(uid).max_charging_rate,
        set_fn=lambda rt, uid, value: rt.status.async_set_charger(
            uid, rate=round(value)
        ),
    ),
)
