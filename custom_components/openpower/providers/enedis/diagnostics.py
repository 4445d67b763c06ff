"""Enedis diagnostics: the history's reach, the budget, the contract; identity redacted.

The shell shows each coordinator's data; the PRM, the credentials, the holder's identity and
the meter's address are redacted wherever they appear.
"""

from dataclasses import asdict
from typing import Any, Final

from .const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_PRM, CONF_TOKEN
from .runtime import EnedisRuntime

REDACT: Final = frozenset(
    {
        CONF_TOKEN,
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_PRM,
        "serial_number",
        "customer_id",
        "title",
        "firstname",
        "lastname",
        "email",
        "phone",
        "landline",
        "address",
        "postal_code",
        "city",
        "insee_code",
    }
)


def diagnostics(runtime: EnedisRuntime) -> dict[str, Any]:
    """Return the backend, the history's reach, the budget, the pricer, the holder (redacted)."""
    customer = runtime.contract.customer
    return {
        "backend": runtime.client.backend.value,
        "history": runtime.history.diagnostics(),
        "budget": runtime.budget.diagnostics(),
        "pricer": runtime.pricer.diagnostics(),
        "customer": None if customer is None else asdict(customer),
    }
