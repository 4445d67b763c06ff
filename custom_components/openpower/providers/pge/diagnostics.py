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
        # The authorization's identifiers (authorization.py `PgeAuthorization.diagnostics`).
        "authorization_id",
        "resource_uri",
        "authorization_uri",
        "customer_resource_uri",
        # The customer information (customer.py `ServiceInfo`): where the user lives, and the
        # meter's serial. The customer's name and account number are never kept.
        "street",
        "town",
        "zip_code",
        "meter_serial",
    }
)
"""Secrets, the PEM material, every key holding an identifier (usage points, the Bulk ID), and
the personal data of the customer information."""


def diagnostics(runtime: PgeRuntime) -> dict[str, Any]:
    """Return the certificate, authorization, requests waiting, inbox counters, budget, prices."""
    certificate = runtime.certificate
    budget = runtime.client.budget
    return {
        "certificate": {
            "not_valid_after": certificate.not_valid_after.isoformat(),
            "issuer": certificate.issuer,
            "subject": certificate.subject,
        },
        # Status, periods and the decoded scope; never the raw scope string (BR=<Bulk ID>).
        "authorization": runtime.authorization.data.diagnostics(),
        "requests": runtime.requests.diagnostics(),
        "inbox": runtime.inbox.diagnostics(),
        # Each limit's use, and a pause PG&E imposed (until when, and why).
        "budget": budget.diagnostics() if budget else None,
        "pricer": runtime.cost.pricer.diagnostics(),
    }
