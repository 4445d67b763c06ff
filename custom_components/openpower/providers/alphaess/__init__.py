"""AlphaESS: batteries, inverters and EV chargers through the Open API, with hourly history."""

from homeassistant.const import Platform

from ...provider import ProviderSpec
from .config_flow import AlphaEssFlow, AlphaEssOptionsFlow, AlphaEssSystemFlow
from .const import PROVIDER, SUBENTRY_SYSTEM
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .history import async_remove_history
from .number import NUMBERS
from .runtime import AlphaEssRuntime, async_setup
from .sensor import SENSORS
from .services import SERVICES
from .switch import SWITCHES
from .time import TIMES

__all__ = ["ALPHAESS"]

ALPHAESS: ProviderSpec[AlphaEssRuntime] = ProviderSpec(
    key=PROVIDER,
    name="AlphaESS",
    async_setup=async_setup,
    coordinators=lambda rt: {
        "systems": rt.systems,
        "live": rt.live,
        "energy": rt.energy,
        "summary": rt.summary,
        "control": rt.control,
        "history": rt.history,
    },
    devices=lambda rt: rt.systems.data.refs().values(),
    config_flow=AlphaEssFlow,
    entities={
        Platform.SENSOR: SENSORS,
        Platform.SWITCH: SWITCHES,
        Platform.NUMBER: NUMBERS,
        Platform.TIME: TIMES,
    },
    services=SERVICES,
    options_flow=AlphaEssOptionsFlow,
    subentry_flows={SUBENTRY_SYSTEM: AlphaEssSystemFlow},
    diagnostics=diagnostics,
    redact=REDACT,
    energy_sources=energy_sources,
    async_remove=async_remove_history,
)
