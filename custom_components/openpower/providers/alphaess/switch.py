"""AlphaESS switches: grid charging and discharge time control of a battery, EV charging."""

from dataclasses import replace
from typing import Any

from ...api.alphaess import ChargerStatus
from ...switch import OpenPowerSwitchDescription
from .coordinator import SystemControl, SystemEnergy
from .devices import AlphaEssView, serial_of
from .runtime import AlphaEssRuntime

type Control = AlphaEssView[SystemControl]
type Energy = AlphaEssView[SystemEnergy]


def _charging(view: Energy, uid: str) -> bool | None:
    status = view.of(uid).charger_status.get(serial_of(uid))
    return None if status is None else status is ChargerStatus.CHARGING


async def _charge(runtime: AlphaEssRuntime, uid: str, on: bool) -> None:
    charger = serial_of(uid)
    system = runtime.energy.data.account.charger_system(charger) or charger
    await runtime.control.async_charge(system, charger, on)


SWITCHES: tuple[OpenPowerSwitchDescription[AlphaEssRuntime, Any], ...] = (
    OpenPowerSwitchDescription[AlphaEssRuntime, Control](
        key="grid_charging",
        translation_key="grid_charging",
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        is_on_fn=lambda view, uid: view.of(uid).schedule.grid_charge,
        turn_fn=lambda rt, uid, on: rt.control.async_edit_schedule(
            serial_of(uid), lambda s: replace(s, grid_charge=on)
        ),
    ),
    OpenPowerSwitchDescription[AlphaEssRuntime, Control](
        key="discharge_time_control",
        translation_key="discharge_time_control",
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        is_on_fn=lambda view, uid: view.of(uid).schedule.discharge_control,
        turn_fn=lambda rt, uid, on: rt.control.async_edit_schedule(
            serial_of(uid), lambda s: replace(s, discharge_control=on)
        ),
    ),
    OpenPowerSwitchDescription[AlphaEssRuntime, Energy](
        key="charging",
        translation_key="charging",
        coordinator_fn=lambda rt: rt.energy,
        devices_fn=AlphaEssView.chargers,
        exists_fn=AlphaEssView.has,
        is_on_fn=_charging,
        turn_fn=_charge,
    ),
)
