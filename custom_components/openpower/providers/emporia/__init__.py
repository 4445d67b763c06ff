"""Emporia Vue: energy monitors, smart plugs and EV chargers, with hourly history."""

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback

from ...api.emporia import Tokens
from ...data import OpenPowerConfigEntry
from ...provider import ProviderSpec, account_budget
from .config_flow import EmporiaFlow, EmporiaOptionsFlow
from .const import (
    CONF_ACCESS_TOKEN,
    CONF_EMAIL,
    CONF_ID_TOKEN,
    CONF_PASSWORD,
    CONF_REFRESH_TOKEN,
    PROVIDER,
)
from .coordinator import (
    EmporiaDevicesCoordinator,
    EmporiaHistoryCoordinator,
    EmporiaPowerCoordinator,
    EmporiaStatusCoordinator,
    diagnostics,
    layout,
)
from .entities import BINARY_SENSORS, NUMBERS, SENSORS, SWITCHES
from .runtime import EmporiaRuntime, build_client, settings

__all__ = ["EMPORIA"]


async def async_setup(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> EmporiaRuntime:
    """Build the client and coordinators of one account; fail setup if Emporia is unreachable."""

    @callback
    def keep_refresh_token(tokens: Tokens) -> None:
        # A new sign-in (the old refresh token was refused) gives a new refresh token.
        if tokens.refresh_token != entry.data.get(CONF_REFRESH_TOKEN):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REFRESH_TOKEN: tokens.refresh_token}
            )

    tuning = settings(hass)
    client = build_client(
        hass,
        entry.data,
        budget=account_budget(hass, PROVIDER, entry.unique_id or "", tuning.limits),
        on_sign_in=keep_refresh_token,
    )
    devices = EmporiaDevicesCoordinator(hass, entry, client)
    await devices.async_config_entry_first_refresh()
    status = EmporiaStatusCoordinator(hass, entry, client, devices)
    await status.async_config_entry_first_refresh()
    history = EmporiaHistoryCoordinator(
        hass, entry, client, devices, status, history_days=tuning.history_days
    )
    await history.async_load_stored()
    history.async_keep_polling()
    power = EmporiaPowerCoordinator(hass, entry, client, devices, history)
    await power.async_config_entry_first_refresh()
    # A 30-day backfill must not hold up setup: history arrives in the background.
    entry.async_create_background_task(
        hass, history.async_refresh(), f"{entry.title} emporia history"
    )
    return EmporiaRuntime(
        client=client, devices=devices, status=status, power=power, history=history
    )


def _diagnostics(runtime: EmporiaRuntime) -> dict[str, Any]:
    budget = runtime.client.budget
    return {
        "tree": diagnostics(runtime.devices.data),
        "budget": {"used": budget.used() if budget else None},
        "history": {
            "channels_covered": len(runtime.history.data.covered_until)
            if runtime.history.data
            else 0,
        },
    }


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
    diagnostics=_diagnostics,
    redact=frozenset(
        {
            CONF_EMAIL,
            CONF_PASSWORD,
            CONF_REFRESH_TOKEN,
            CONF_ID_TOKEN,
            CONF_ACCESS_TOKEN,
            "title",
            "unique_id",
            "serial_number",
            "serial",
            "email",
            "time_zone",
            "breaker_pin",
            "message",
            "latitude",
            "longitude",
            "statistic_id",
        }
    ),
)
