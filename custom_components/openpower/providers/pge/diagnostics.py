"""PG&E diagnostics: certificate, requests, inbox counters, budget, pricing; what is redacted."""

from typing import Any, Final

from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID

from .const import CONF_BULK_ID, CONF_CA_CERTIFICATE, CONF_CERTIFICATE, CONF_PRIVATE_KEY
from .runtime import PgeRuntime

REDACT: Final = frozenset(
    {
        CONF_CLIENT_ID,
        CONF_CLIENT_SECRET,
        CONF_BULK_ID,
        CONF_CERTIFICATE,
        CONF_PRIVATE_KEY,
        CONF_CA_CERTIFICATE,
        CONF_WEBHOOK_ID,
        "title",
        "unique_id",
        "point",
        "uid",
        "serial_number",
        "subject",
        "configuration_url",
    }
)
"""Secrets, the PEM material, and every key holding an identifier (usage points, the Bulk ID)."""


def diagnostics(runtime: PgeRuntime) -> dict[str, Any]:
    """Return the certificate, the requests waiting, the inbox's counters, the budget, prices."""
    certificate = runtime.certificate
    budget = runtime.client.budget
    return {
        "certificate": {
            "not_valid_after": certificate.not_valid_after.isoformat(),
            "issuer": certificate.issuer,
            "subject": certificate.subject,
        },
        "requests": runtime.requests.diagnostics(),
        "inbox": runtime.inbox.diagnostics(),
        # Each limit's use, and a pause PG&E imposed (until when, and why).
        "budget": budget.diagnostics() if budget else None,
        "pricer": runtime.cost.pricer.diagnostics(),
    }
