"""PG&E fixtures: short timeouts, a 6-day backfill, the demo registration's entry data."""

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.openpower.api.pge import PGE_LIMITS
from custom_components.openpower.providers.pge.runtime import SETTINGS, PgeSettings
from tests.simulator import PGE_BULK_ID, PGE_CLIENT_ID, PGE_CLIENT_SECRET, Simulator


@pytest.fixture(autouse=True)
def pge_settings(hass: HomeAssistant) -> PgeSettings:
    """Short timeouts, no retry delay, a 6-day backfill in two windows instead of 4 years.

    Without the 1-a-second limit: under a frozen clock its wait never ends (the budget's pacing
    is tested on its own, in tests/api).
    """
    settings = PgeSettings(
        request_timeout=0.5,
        retry_backoff=0,
        history_days=6,
        backfill_window=timedelta(days=4),
        limits=PGE_LIMITS[1:],
    )
    hass.data[SETTINGS] = settings
    return settings


def pge_entry_data(
    simulator: Simulator, webhook_id: str, **changes: Any
) -> dict[str, Any]:
    """Entry data as the PG&E flow stores it, pointing at the simulator's mutual-TLS listener."""
    urls = simulator.urls("pge")
    return {
        "provider": "pge",
        "client_id": PGE_CLIENT_ID,
        "client_secret": PGE_CLIENT_SECRET,
        "bulk_id": PGE_BULK_ID,
        "certificate": urls["client_cert_pem"].strip(),
        "private_key": urls["client_key_pem"].strip(),
        "advanced": {
            "api_url": urls["api_url"],
            "ca_certificate": urls["ca_pem"].strip(),
        },
        "webhook_id": webhook_id,
    } | changes
