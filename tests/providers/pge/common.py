"""What the PG&E tests share: the demo registration's entry data, the clock, waiting, reading back.

Everything runs against the simulator over HTTPS with mutual TLS; its notifications are POSTed to
Home Assistant's webhook through the test client (Home Assistant's HTTP server does not listen in
tests), exactly as PG&E would post them.
"""

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from tests.simulator import (
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    PGE_ELECTRIC_USAGE_POINT,
    PGE_GAS_USAGE_POINT,
    Simulator,
)

# Thursday 20 November 2025, 11:30 in California (PST): the latest served day is the 19th.
NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
ELECTRIC = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_energy_consumption"
RETURN = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_energy_return"
GAS = f"openpower:pge_{PGE_GAS_USAGE_POINT}_gas_consumption"


class Post(Protocol):
    """POST a body (and headers) to the entry's webhook as PG&E does; return the status."""

    def __call__(
        self, body: bytes, headers: Mapping[str, str] | None = None, /
    ) -> Awaitable[int]:
        """Send it."""


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


async def settle(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Run until no request, notification, fetch or import of the entry is left."""
    runtime = entry.runtime_data.runtime
    for _ in range(100_000):
        await hass.async_block_till_done()
        # Scheduled notifications now (a frozen clock would never get there), and those on
        # their way to the webhook until they are there.
        if await simulator.pge.deliver_pending():
            continue
        if not runtime.requests.requesting and not runtime.inbox.busy:
            break
        # No timed sleep: under a frozen clock it would never end (I/O still runs).
        await asyncio.sleep(0)
    else:
        pytest.fail("PG&E requests did not settle")
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


async def hourly(hass: HomeAssistant, statistic_id: str) -> dict[datetime, float]:
    """Return the stored hourly changes of a statistic."""
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2020, 1, 1, tzinfo=UTC),
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return {
        datetime.fromtimestamp(row["start"], UTC): row["state"] or 0.0
        for row in rows.get(statistic_id, [])
    }


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Set the entry up and let the first backfill arrive."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass, entry, simulator)
    assert entry.state is ConfigEntryState.LOADED


async def call(
    hass: HomeAssistant, entry: MockConfigEntry, action: str, **fields: str
) -> ServiceResponse:
    """Run a PG&E action on the entry and return its response."""
    return await hass.services.async_call(
        DOMAIN,
        action,
        {"config_entry_id": entry.entry_id, **fields},
        blocking=True,
        return_response=True,
    )


async def request_latest(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Ask for PG&E's latest day through the action (the notification follows)."""
    await call(hass, entry, "pge_request_data")


def bulk_requests(simulator: Simulator) -> list[Any]:
    """The simulator's Batch/Bulk data requests (not feed fetches)."""
    return [
        r
        for r in simulator.requests
        if r.provider == "pge"
        and r.path.endswith(f"/Batch/Bulk/{PGE_BULK_ID}")
        and "correlationID" not in r.query
    ]


def feed_fetches(simulator: Simulator) -> list[Any]:
    """The simulator's notified usage-feed fetches (not the customer or DR answers)."""
    return [
        r
        for r in simulator.requests
        if r.provider == "pge"
        and "correlationID" in r.query
        and r.path.endswith(f"/Batch/Bulk/{PGE_BULK_ID}")
    ]


def info_requests(simulator: Simulator, resource: str) -> list[Any]:
    """The simulator's requests of `Batch/{resource}` (asking, then fetching the answer)."""
    return [
        r
        for r in simulator.requests
        if r.provider == "pge" and r.path.endswith(f"/Batch/{resource}/{PGE_BULK_ID}")
    ]


def authorization_reads(simulator: Simulator) -> int:
    """How many times the Authorization feed was read."""
    return sum(
        1
        for r in simulator.requests
        if r.provider == "pge" and r.path.endswith("/Authorization")
    )
