"""Emporia diagnostics: the device tree without names or locations, the budget, history, prices."""

from typing import Any, Final

from homeassistant.const import CONF_ACCESS_TOKEN, CONF_EMAIL, CONF_PASSWORD

from ...api.emporia import Customer
from .const import CONF_ID_TOKEN, CONF_REFRESH_TOKEN
from .runtime import EmporiaRuntime

REDACT: Final = frozenset(
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
)


def diagnostics(runtime: EmporiaRuntime) -> dict[str, Any]:
    """Summarise one account: its device tree, the requests made, the channels with history."""
    budget = runtime.client.budget
    return {
        "tree": _tree(runtime.devices.data),
        # Each limit's use, and a pause Emporia imposed (until when, and why).
        "budget": budget.diagnostics() if budget else None,
        "history": {
            "channels_covered": len(runtime.history.data.covered_until)
            if runtime.history.data
            else 0,
        },
        # The price source and how many hours wait for a price or a settled one.
        "pricer": runtime.pricer.diagnostics(),
    }


def _tree(customer: Customer | None) -> dict[str, Any]:
    """Summarise the device tree without names or locations."""
    if customer is None:
        return {}
    return {
        "devices": [
            {
                "model": device.model,
                "firmware": device.firmware,
                "nested": device.parent_gid is not None,
                "channels": len(device.channels),
                "outlet": device.outlet is not None,
                "charger": device.charger is not None,
                "connected": device.connected,
            }
            for device in customer.devices
        ]
    }
