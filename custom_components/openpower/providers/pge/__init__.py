"""PG&E Share My Data (self access): pushed ESPI data, utility-grade history, service status."""

from homeassistant.const import Platform

from ...pricing_flow import PriceOptionsFlow
from ...provider import ProviderSpec
from .config_flow import PgeFlow
from .const import PROVIDER
from .devices import all_devices
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .runtime import PgeRuntime, async_remove, async_setup
from .sensor import SENSORS
from .services import SERVICES

__all__ = ["PGE"]

PGE: ProviderSpec[PgeRuntime] = ProviderSpec(
    key=PROVIDER,
    name="PG&E Share My Data",
    async_setup=async_setup,
    async_remove=async_remove,
    coordinators=lambda rt: {
        "status": rt.status,
        "authorization": rt.authorization,
        "usage": rt.usage,
    },
    devices=lambda rt: all_devices(rt.usage.data, rt.status.account),
    config_flow=PgeFlow,
    options_flow=PriceOptionsFlow,
    entities={Platform.SENSOR: SENSORS},
    services=SERVICES,
    diagnostics=diagnostics,
    redact=REDACT,
    energy_sources=energy_sources,
)
