"""GoodWe diagnostics: the history's reach, guarded counters, the budget, pricing; nothing secret.

Coordinator data is shown by the shell, devices keyed by kind and position (`coordinator.py`);
the e-mail, password, session tokens, serials, station ids and addresses are redacted.
"""

from typing import Any, Final

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

from .const import CONF_GATEWAY, CONF_STATION_ID
from .runtime import GoodWeRuntime

REDACT: Final = frozenset(
    {
        CONF_USERNAME,
        CONF_PASSWORD,
        CONF_STATION_ID,
        CONF_GATEWAY,
        "api_url",
        "token",
        "uid",
        "id",
        "sn",
        "serial_number",
        "address",
        "googleAddress",
        "email",
        "account",
    }
)


def diagnostics(runtime: GoodWeRuntime) -> dict[str, Any]:
    """Return where the history is, how many counters are guarded, the budget, the pricer."""
    budget = runtime.client.budget
    return {
        "history": runtime.history.diagnostics(),
        "counters": runtime.devices.diagnostics(),
        "zone": str(runtime.history.zone),
        "budget": budget.diagnostics(),
        "pricer": runtime.pricer.diagnostics(),
    }
