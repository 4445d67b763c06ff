"""PG&E fixtures: short timeouts, a 6-day backfill, the demo entry, the webhook as PG&E posts."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from aiohttp.test_utils import TestClient
from homeassistant.components.webhook import async_generate_path
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.pge import PGE_LIMITS
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.runtime import SETTINGS, PgeSettings
from tests.simulator import PGE_BULK_ID, PGE_CLIENT_ID, Simulator, pki_files

from .common import WEBHOOK_ID, Post, pge_entry_data

# Made before time is frozen (cryptography refuses freezegun's datetimes).
pki_files()


@pytest.fixture(autouse=True)
def pge_settings(hass: HomeAssistant) -> PgeSettings:
    """Short timeouts, no retry delays, a 6-day backfill in two windows instead of 4 years.

    Without the 1-a-second limit: under a frozen clock its wait never ends (the budget's pacing
    is tested on its own, in tests/api).
    """
    settings = PgeSettings(
        request_timeout=0.5,
        retry_backoff=0,
        history_days=6,
        backfill_window=timedelta(days=4),
        retry_delays=(0.0, 0.0),
        limits=PGE_LIMITS[1:],
    )
    hass.data[SETTINGS] = settings
    return settings


@pytest.fixture
def pge_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo registration's entry (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01KAPGE0000000000000000000",
        title=f"PG&E Share My Data ({PGE_BULK_ID})",
        unique_id=f"pge_{PGE_CLIENT_ID}",
        data=pge_entry_data(simulator, WEBHOOK_ID),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def post(
    hass: HomeAssistant, hass_client_no_auth: Callable[[], Awaitable[TestClient]]
) -> Post:
    """POST a body to the entry's webhook, as PG&E does; return the status."""
    # Our dependencies register their views first: the test client freezes the router.
    for component in ("webhook", "file_upload", "diagnostics"):
        assert await async_setup_component(hass, component, {})
    client = await hass_client_no_auth()

    async def send(body: bytes, headers: Mapping[str, str] | None = None) -> int:
        response = await client.post(
            async_generate_path(WEBHOOK_ID),
            data=body,
            headers={"Content-Type": "application/xml", **(headers or {})},
        )
        await response.read()
        return response.status

    return send


@pytest.fixture
async def pushed(simulator: Simulator, post: Post) -> Simulator:
    """The simulator, posting its notifications to the webhook."""

    async def deliver(body: bytes, headers: Mapping[str, str]) -> None:
        assert await post(body, headers) == 200

    simulator.pge.notification_target = deliver
    simulator.pge.notification_delay = 0.01
    return simulator
