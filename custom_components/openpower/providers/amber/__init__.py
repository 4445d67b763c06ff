"""Amber Electric: live and forecast prices per channel, usage and cost history."""

from dataclasses import asdict
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ...api.amber import AMBER_LIMITS
from ...const import CONF_ACCOUNT_ID
from ...data import OpenPowerConfigEntry
from ...provider import ProviderSpec, account_budget
from .config_flow import AmberFlow, AmberOptionsFlow
from .const import CONF_API_TOKEN, CONF_SITE_ID, PROVIDER
from .coordinator import (
    AmberHistoryCoordinator,
    AmberPriceCoordinator,
    AmberSiteCoordinator,
    site_device,
)
from .runtime import AmberRuntime, build_client, settings
from .sensor import BINARY_SENSORS, SENSORS
from .services import SERVICES

__all__ = ["AMBER"]


async def async_setup(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> AmberRuntime:
    """Build the clients and coordinators of one site; fail setup if prices are unreachable."""
    data = entry.data
    client = build_client(
        hass,
        data,
        data[CONF_API_TOKEN],
        account_budget(hass, PROVIDER, data[CONF_ACCOUNT_ID], AMBER_LIMITS),
    )
    site = AmberSiteCoordinator(hass, entry, client, data[CONF_SITE_ID])
    await site.async_config_entry_first_refresh()
    site.async_keep_polling()
    prices = AmberPriceCoordinator(hass, entry, client, site)
    await prices.async_config_entry_first_refresh()
    history = AmberHistoryCoordinator(
        hass, entry, client, site, history_days=settings(hass).history_days
    )
    history.async_keep_polling()
    # A 90-day backfill must not hold up setup: history arrives in the background.
    entry.async_create_background_task(
        hass, history.async_refresh(), f"{entry.title} amber history"
    )
    return AmberRuntime(client=client, site=site, prices=prices, history=history)


def _diagnostics(runtime: AmberRuntime) -> dict[str, Any]:
    budget = runtime.client.budget
    return {
        "budget": {
            "remaining": budget.remaining() if budget else None,
            "paused_for": budget.paused_for() if budget else None,
        },
        "rate_limit": asdict(runtime.client.rate_limit)
        if runtime.client.rate_limit
        else None,
    }


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
    diagnostics=_diagnostics,
    redact=frozenset(
        {
            CONF_API_TOKEN,
            CONF_SITE_ID,
            CONF_ACCOUNT_ID,
            "id",
            "nmi",
            "serial_number",
            "uid",
            "statistic_id",
        }
    ),
)
