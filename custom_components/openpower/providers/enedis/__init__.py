"""Enedis (Linky): Conso API, MyElectricalData or Data Connect 2026, one meter per entry.

Not registered in `providers.PROVIDERS` yet: its config flow comes next (`ProviderFlow` has no
steps here), so only tests add it.
"""

from homeassistant.const import Platform

from ...flow import ProviderFlow
from ...provider import ProviderSpec
from .const import PROVIDER
from .devices import meter
from .diagnostics import REDACT, diagnostics
from .history import async_remove_history
from .runtime import EnedisRuntime, async_setup
from .sensor import SENSORS

__all__ = ["ENEDIS"]

ENEDIS: ProviderSpec[EnedisRuntime] = ProviderSpec(
    key=PROVIDER,
    name="Enedis",
    async_setup=async_setup,
    coordinators=lambda rt: {"history": rt.history, "contract": rt.contract},
    devices=lambda rt: (meter(rt.prm),),
    config_flow=ProviderFlow,
    entities={Platform.SENSOR: SENSORS},
    diagnostics=diagnostics,
    redact=REDACT,
    async_remove=async_remove_history,
)
