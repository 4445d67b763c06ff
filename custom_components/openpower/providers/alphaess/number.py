"""AlphaESS numbers: the battery's stop levels, and the household current EV chargers may draw.

Levels take what the legacy store takes (grid charging stops at 10–100 %, discharging at
5–100 %); a limit under 10 % on the periodic store, which AlphaESS would refuse, is refused
before anything is sent, with a translated error.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from homeassistant.components.number import NumberDeviceClass, NumberMode
from homeassistant.const import PERCENTAGE, UnitOfElectricCurrent
from homeassistant.exceptions import ServiceValidationError

from ...api.alphaess.schedule import Schedule, ScheduleStore
from ...const import DOMAIN
from ...number import OpenPowerNumberDescription
from .const import MAX_CHARGER_CURRENT, MIN_CHARGER_CURRENT
from .coordinator import SystemControl
from .devices import AlphaEssView, serial_of
from .runtime import AlphaEssRuntime

type Control = AlphaEssView[SystemControl]

PERIODIC_MIN_LEVEL: Final = 10
"""`chargeLimit` of a periodic period: 10–100 % (reference §2.2 row 19)."""


async def _set_level(
    runtime: AlphaEssRuntime,
    uid: str,
    value: float,
    edit: Callable[[Schedule, int], Schedule],
) -> None:
    serial = serial_of(uid)
    level = round(value)
    if (
        runtime.control.stores.get(serial) is ScheduleStore.PERIODIC
        and level < PERIODIC_MIN_LEVEL
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="alphaess_level_too_low",
            translation_placeholders={"minimum": str(PERIODIC_MIN_LEVEL)},
        )
    await runtime.control.async_edit_schedule(serial, lambda s: edit(s, level))


def _charger_system(view: Control, uid: str) -> str:
    return view.account.charger_system(serial_of(uid)) or serial_of(uid)


NUMBERS: tuple[OpenPowerNumberDescription[AlphaEssRuntime, Any], ...] = (
    OpenPowerNumberDescription[AlphaEssRuntime, Control](
        key="charge_stop_level",
        translation_key="charge_stop_level",
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=10,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).schedule.charge_stop,
        set_fn=lambda rt, uid, value: _set_level(
            rt, uid, value, lambda s, level: replace(s, charge_stop=level)
        ),
    ),
    OpenPowerNumberDescription[AlphaEssRuntime, Control](
        key="discharge_stop_level",
        translation_key="discharge_stop_level",
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=5,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).schedule.discharge_stop,
        set_fn=lambda rt, uid, value: _set_level(
            rt, uid, value, lambda s, level: replace(s, discharge_stop=level)
        ),
    ),
    OpenPowerNumberDescription[AlphaEssRuntime, Control](
        key="charger_current",
        translation_key="charger_current",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=MIN_CHARGER_CURRENT,
        native_max_value=MAX_CHARGER_CURRENT,
        native_step=1,
        mode=NumberMode.SLIDER,
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.chargers,
        exists_fn=AlphaEssView.has,
        value_fn=lambda view, uid: view.of(uid).charger_current,
        set_fn=lambda rt, uid, value: rt.control.async_set_charger_current(
            _charger_system(rt.control.data, uid), round(value)
        ),
    ),
)
