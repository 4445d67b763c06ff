"""Shared fixtures.

Our `custom_components` package must be imported before the harness's own testing_config one
(testing-notes §2), and `recorder_mock` must be set up before `enable_custom_integrations` because
the manifest depends on `recorder` (testing-notes §3).
"""

from collections.abc import AsyncGenerator, Generator
from datetime import timedelta
import logging
import os
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.openpower  # noqa: F401
from custom_components.openpower.api.emporia import EMPORIA_LIMITS
from custom_components.openpower.api.pge import PGE_LIMITS
from custom_components.openpower.const import DOMAIN

from .simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_PASSWORD,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    Simulator,
)

# The harness logs every SQL statement at INFO: slow, and it buries failures.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: object, enable_custom_integrations: None
) -> None:
    """Load our integration in every test, after the recorder."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Pin the Home Assistant snapshot extension."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default (snapshot_platform needs them)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture(autouse=True)
def fast_amber_client() -> Generator[None]:
    """Short timeouts and no retry delay, so fault tests take milliseconds.

    (A real delay would never end under a frozen clock: asyncio's timers follow it.)
    """
    with patch.multiple(
        "custom_components.openpower.providers.amber.runtime",
        REQUEST_TIMEOUT=0.5,
        RETRY_BACKOFF=0,
    ):
        yield


@pytest.fixture(autouse=True)
def amber_history_days() -> Generator[int]:
    """Backfill 3 days instead of 90 (history tests override this fixture)."""
    with patch(
        "custom_components.openpower.providers.amber.coordinator.HISTORY_DAYS", 3
    ):
        yield 3


@pytest.fixture(autouse=True)
def fast_emporia_client() -> Generator[None]:
    """Short timeouts, no retry delay, 2 days of history backfill instead of 30.

    Only the daily budget: the 30-a-minute one would make a backfill wait, and under a frozen
    clock a wait never ends (the budget's pacing is tested on its own, in tests/api).
    """
    with (
        patch.multiple(
            "custom_components.openpower.providers.emporia.const",
            REQUEST_TIMEOUT=0.5,
            RETRY_BACKOFF=0,
            HISTORY_DAYS=2,
        ),
        patch(
            "custom_components.openpower.providers.emporia.EMPORIA_LIMITS",
            EMPORIA_LIMITS[:1],
        ),
    ):
        yield


@pytest.fixture(autouse=True)
def file_upload_directory() -> Generator[None]:
    """One upload directory per test worker.

    Our manifest depends on `file_upload`, which makes and deletes one fixed directory in /tmp
    when Home Assistant starts and stops: two workers doing that at once crashed each other.
    """
    with patch(
        "homeassistant.components.file_upload.TEMP_DIR_NAME",
        f"home-assistant-file_upload-{os.getpid()}",
    ):
        yield


@pytest.fixture(autouse=True)
def fast_pge_client() -> Generator[None]:
    """Short timeouts, no retry delay, a 6-day backfill in two windows instead of 4 years.

    Without the 1-a-second limit: under a frozen clock its wait never ends (the budget's pacing
    is tested on its own, in tests/api).
    """
    with (
        patch.multiple(
            "custom_components.openpower.providers.pge.const",
            REQUEST_TIMEOUT=0.5,
            RETRY_BACKOFF=0,
            HISTORY_DAYS=6,
            BACKFILL_WINDOW=timedelta(days=4),
        ),
        patch("custom_components.openpower.providers.pge.PGE_LIMITS", PGE_LIMITS[1:]),
    ):
        yield


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """The provider simulator on 127.0.0.1, on Home Assistant's (frozen) clock."""
    sim = Simulator(clock=dt_util.utcnow)
    sim.timeout_seconds = 1.0
    # With PG&E's mutual-TLS listener (its certificates are made once per process).
    await sim.start(tls=True)
    yield sim
    await sim.stop()


def amber_entry_data(
    simulator: Simulator, site_id: str = DEMO_SITE_5MIN
) -> dict[str, Any]:
    """Entry data of a demo Amber site served by the simulator."""
    return {
        "provider": "amber",
        "api_token": DEMO_TOKEN,
        "site_id": site_id,
        "account_id": min(DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED),
        "advanced": {"api_url": simulator.base_url("amber")},
    }


@pytest.fixture
def amber_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """A demo 5-minute Amber site, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


def emporia_entry_data(simulator: Simulator) -> dict[str, Any]:
    """Entry data of the demo Emporia account (password sign-in) served by the simulator."""
    return {
        "provider": "emporia",
        "email": EMPORIA_EMAIL,
        "password": EMPORIA_PASSWORD,
        "refresh_token": simulator.emporia.issue_tokens(EMPORIA_EMAIL)["refresh_token"],
        "advanced": simulator.urls("emporia"),
    }


@pytest.fixture
def emporia_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo Emporia account, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMPORIA_EMAIL,
        unique_id=f"emporia_{EMPORIA_CUSTOMER_GID}",
        data=emporia_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


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
