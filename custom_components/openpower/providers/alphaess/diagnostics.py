"""AlphaESS diagnostics: schedule stores, live-power fallbacks, history reach, budget, pricing.

Coordinator data is shown by the shell, keyed by each system's position (`devices.py`); the
AppID, its secret and every serial are redacted.
"""

from typing import Any, Final

from .const import CONF_APP_ID, CONF_APP_SECRET
from .runtime import AlphaEssRuntime

REDACT: Final = frozenset(
    {CONF_APP_ID, CONF_APP_SECRET, "serial", "serial_number", "sysSn", "evchargerSn"}
)


def diagnostics(runtime: AlphaEssRuntime) -> dict[str, Any]:
    """Return how each system is controlled and read, its history, the budget, the pricer."""
    account = runtime.systems.data
    history = runtime.history.data.systems if runtime.history.data is not None else {}
    budget = runtime.client.budget
    return {
        account.position(serial): {
            "schedule_store": runtime.control.stores.get(serial),
            "live_power_from_samples": runtime.live.on_fallback(serial),
            "history": history.get(serial),
        }
        for serial in account.systems
    } | {
        "budget": budget.diagnostics() if budget else None,
        "pricer": runtime.pricer.diagnostics(),
    }
