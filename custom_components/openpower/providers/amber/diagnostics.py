"""What Amber adds to an entry's diagnostics, and the keys redacted from the whole dump."""

from dataclasses import asdict
from typing import Any, Final

from homeassistant.const import CONF_API_TOKEN

from ...const import CONF_ACCOUNT_ID
from .const import CONF_SITE_ID
from .runtime import AmberRuntime

REDACT: Final = frozenset(
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
)


def diagnostics(runtime: AmberRuntime) -> dict[str, Any]:
    """Return the account's request budget (a pause in force too) and Amber's last word on it."""
    budget = runtime.client.budget
    return {
        # Each limit's use, and a pause Amber imposed (until when, and why).
        "budget": budget.diagnostics() if budget else None,
        "rate_limit": asdict(runtime.client.rate_limit)
        if runtime.client.rate_limit
        else None,
    }
