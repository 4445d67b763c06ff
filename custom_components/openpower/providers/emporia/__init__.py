"""Emporia Vue: energy monitors, smart plugs and EV chargers, with hourly history."""

from homeassistant.const import Platform

from ...provider import ProviderSpec
from .binary_sensor import BINARY_SENSORS
from .config_flow import EmporiaFlow, EmporiaOptionsFlow
from .const import PROVIDER
from .devices import layout
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .number import NUMBERS
from .runtime import EmporiaRuntime, async_setup
from .sensor import SENSORS
from .switch import SWITCHES

__all__ = ["EMPORIA"]

EMPORIA: ProviderSpec[EmporiaRuntime] = ProviderSpec(
    key=PROVIDER,
    name="Emporia Vue",
    async_setup=async_setup,
    coordinators=lambda rt: {
        "devices": rt.devices,
        "status": rt.status,
        "power": rt.power,
        "history": rt.history,
    },
    devices=lambda rt: layout(rt.devices.data).refs.values(),
    config_flow=EmporiaFlow,
    entities={
        Platform.SENSOR: SENSORS,
        Platform.BINARY_SENSOR: BINARY_SENSORS,
        Platform.SWITCH: SWITCHES,
        Platform.NUMBER: NUMBERS,
    },
    options_flow=EmporiaOptionsFlow,
    diagnostics=diagnostics,
    redact=REDACT,
    energy_sources=energy_sources,
)
