"""Amber Electric: live and forecast prices per channel, usage and cost history."""

from homeassistant.const import Platform

from ...provider import ProviderSpec
from .binary_sensor import BINARY_SENSORS
from .config_flow import AmberFlow, AmberOptionsFlow
from .const import PROVIDER
from .devices import site_device
from .diagnostics import REDACT, diagnostics
from .runtime import AmberRuntime, async_setup
from .sensor import SENSORS
from .services import SERVICES

__all__ = ["AMBER"]

AMBER: ProviderSpec[AmberRuntime] = ProviderSpec(
    key=PROVIDER,
    name="Amber Electric",
    async_setup=async_setup,
    coordinators=lambda rt: {
        "site": rt.site,
        "prices": rt.prices,
        "history": rt.history,
    },
    devices=lambda rt: (site_device(rt.site.config_entry, rt.site.data),),
    config_flow=AmberFlow,
    entities={Platform.SENSOR: SENSORS, Platform.BINARY_SENSOR: BINARY_SENSORS},
    services=SERVICES,
    options_flow=AmberOptionsFlow,
    diagnostics=diagnostics,
    redact=REDACT,
)
