"""Amber Electric: live and forecast prices per channel, usage and cost history."""

from homeassistant.const import Platform

from ...entity import DeviceRef
from ...provider import ProviderSpec
from .binary_sensor import BINARY_SENSORS
from .cheap_window_sensor import async_add_cheap_windows
from .config_flow import AmberCheapWindowFlow, AmberFlow, AmberOptionsFlow
from .const import PROVIDER, SUBENTRY_CHEAP_WINDOW
from .devices import cheap_window_devices, site_device
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .runtime import AmberRuntime, async_setup
from .sensor import SENSORS
from .services import SERVICES

__all__ = ["AMBER"]


def _devices(runtime: AmberRuntime) -> tuple[DeviceRef, ...]:
    """Return the site's device, and one under it per cheap window."""
    entry = runtime.site.config_entry
    site = site_device(entry, runtime.site.data)
    return (site, *cheap_window_devices(entry, site))


AMBER: ProviderSpec[AmberRuntime] = ProviderSpec(
    key=PROVIDER,
    name="Amber Electric",
    async_setup=async_setup,
    coordinators=lambda rt: {
        "site": rt.site,
        "prices": rt.prices,
        "history": rt.history,
    },
    devices=_devices,
    config_flow=AmberFlow,
    entities={Platform.SENSOR: SENSORS, Platform.BINARY_SENSOR: BINARY_SENSORS},
    extra_entities={Platform.BINARY_SENSOR: async_add_cheap_windows},
    services=SERVICES,
    options_flow=AmberOptionsFlow,
    subentry_flows={SUBENTRY_CHEAP_WINDOW: AmberCheapWindowFlow},
    price_table=lambda rt: rt.price_book,
    diagnostics=diagnostics,
    redact=REDACT,
    energy_sources=energy_sources,
)
