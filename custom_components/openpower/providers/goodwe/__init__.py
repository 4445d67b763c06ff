"""GoodWe through SEMS+ (read-only, experimental): power flow, devices, daily history."""

from homeassistant.const import Platform

from ...pricing_flow import PriceOptionsFlow
from ...provider import ProviderSpec
from .config_flow import GoodWeFlow
from .const import PROVIDER
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .history import async_remove_history
from .runtime import GoodWeRuntime, async_setup
from .sensor import SENSORS

__all__ = ["GOODWE"]

GOODWE: ProviderSpec[GoodWeRuntime] = ProviderSpec(
    key=PROVIDER,
    name="GoodWe",
    async_setup=async_setup,
    coordinators=lambda rt: {
        "station": rt.station,
        "flow": rt.flow,
        "devices": rt.devices,
        "statistics": rt.history,
    },
    devices=lambda rt: [*rt.flow.data.devices(), *rt.devices.data.devices()],
    config_flow=GoodWeFlow,
    options_flow=PriceOptionsFlow,
    entities={Platform.SENSOR: SENSORS},
    diagnostics=diagnostics,
    redact=REDACT,
    energy_sources=energy_sources,
    async_remove=async_remove_history,
)
