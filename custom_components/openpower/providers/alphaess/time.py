"""AlphaESS times: start and end of the battery's two charge and two discharge windows.

The inverter acts on a 15-minute grid; an off-grid time is refused with a translated error, never
rounded (AlphaESS would accept it and the inverter silently ignore it, reference §2.5).
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import time
from typing import Any, Literal

from homeassistant.exceptions import ServiceValidationError

from ...api.alphaess import on_grid
from ...api.alphaess.schedule import Schedule, Window
from ...const import DOMAIN
from ...time import OpenPowerTimeDescription
from .coordinator import SystemControl
from .devices import AlphaEssView, serial_of
from .runtime import AlphaEssRuntime

type Control = AlphaEssView[SystemControl]
type Direction = Literal["charge", "discharge"]


def _windows(schedule: Schedule, direction: Direction) -> tuple[Window, Window]:
    return (
        schedule.charge_windows if direction == "charge" else schedule.discharge_windows
    )


def _with(
    schedule: Schedule, direction: Direction, index: int, end: bool, value: time
) -> Schedule:
    windows = list(_windows(schedule, direction))
    start, stop = windows[index]
    windows[index] = (start, value) if end else (value, stop)
    pair = (windows[0], windows[1])
    if direction == "charge":
        return replace(schedule, charge_windows=pair)
    return replace(schedule, discharge_windows=pair)


def _window_time(
    direction: Direction, index: int, end: bool
) -> OpenPowerTimeDescription[AlphaEssRuntime, Control]:
    key = f"{direction}_window_{index + 1}_{'end' if end else 'start'}"

    async def set_time(runtime: AlphaEssRuntime, uid: str, value: time) -> None:
        if not on_grid(value):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="alphaess_time_not_on_grid",
                translation_placeholders={"time": value.isoformat(timespec="minutes")},
            )
        await runtime.control.async_edit_schedule(
            serial_of(uid), lambda s: _with(s, direction, index, end, value)
        )

    pick: Callable[[Control, str], time] = lambda view, uid: _windows(  # noqa: E731
        view.of(uid).schedule, direction
    )[index][1 if end else 0]
    return OpenPowerTimeDescription[AlphaEssRuntime, Control](
        key=key,
        translation_key=key,
        coordinator_fn=lambda rt: rt.control,
        devices_fn=AlphaEssView.systems,
        exists_fn=AlphaEssView.has,
        value_fn=pick,
        set_fn=set_time,
    )


TIMES: tuple[OpenPowerTimeDescription[AlphaEssRuntime, Any], ...] = tuple(
    _window_time(direction, index, end)
    for direction in ("charge", "discharge")
    for index in range(2)
    for end in (False, True)
)
