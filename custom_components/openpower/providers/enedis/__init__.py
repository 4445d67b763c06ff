"""Enedis (Linky): Conso API, MyElectricalData or Data Connect 2026, one meter per entry."""

from homeassistant.const import Platform

from ...provider import ProviderSpec
from .config_flow import EnedisFlow
from .const import PROVIDER
from .devices import meter
from .diagnostics import REDACT, diagnostics
from .energy import energy_sources
from .history import async_remove_history
from .options_flow import EnedisOptionsFlow
from .runtime import EnedisRuntime, async_setup
from .sensor import SENSORS

__all__ = ["ENEDIS"]

ENEDIS: ProviderSpec[EnedisRuntime] = ProviderSpec(
    key=PROVIDER,
    name="Enedis",
    async_setup=async_setup,
    coordinators=lambda rt: {"history": rt.history, "contract": rt.contract},
    devices=lambda rt: (meter(rt.prm),),
    config_flow=EnedisFlow,
    entities={Platform.SENSOR: SENSORS},
    options_flow=EnedisOptionsFlow,
    diagnostics=diagnostics,
    redact=REDACT,
    async_remove=async_remove_history,
    energy_sources=energy_sources,
)
