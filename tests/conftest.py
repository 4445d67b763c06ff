"""Shared fixtures.

Our `custom_components` package must be imported before the harness's own testing_config one
(testing-notes §2), and `recorder_mock` must be set up before `enable_custom_integrations` because
the manifest depends on `recorder` (testing-notes §3).
"""

from collections.abc import AsyncGenerator, Generator
import logging
import os
from unittest.mock import PropertyMock, patch

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

import custom_components.openpower  # noqa: F401
from custom_components.openpower.config_flow import OpenPowerConfigFlow
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers import PROVIDERS

from .fake_provider import API, FAKE, FakeApi
from .simulator import Simulator
from .simulator.pki import pki_files

# The harness logs every SQL statement at INFO: slow, and it buries failures.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Make the simulator's certificates (once per process) before any test freezes the clock.

    Made under a frozen clock, `cryptography` refuses freezegun's datetimes: whichever test of
    a worker first started the simulator with its clock frozen failed.
    """
    pki_files()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: object, enable_custom_integrations: None
) -> None:
    """Load our integration in every test, after the recorder."""


@pytest.fixture(autouse=True)
def flow_handler_registered() -> None:
    """Keep our config flow class registered, as it is for good once Home Assistant imports it.

    The class registers itself with Home Assistant's flow handlers when its module is first
    imported; in some orders of a parallel run the registration was gone by the time an entry
    asked for its subentry types, which then came back empty.
    """
    config_entries.HANDLERS.setdefault(DOMAIN, OpenPowerConfigFlow)


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


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """The provider simulator on 127.0.0.1, on Home Assistant's (frozen) clock."""
    sim = Simulator(clock=dt_util.utcnow)
    sim.timeout_seconds = 1.0
    # With PG&E's mutual-TLS listener (its certificates are made once per process).
    await sim.start(tls=True)
    yield sim
    await sim.stop()


@pytest.fixture
def fake_api(hass: HomeAssistant) -> FakeApi:
    """The fake provider's cloud (tests/fake_provider.py), failing on demand."""
    api = hass.data[API] = FakeApi()
    return api


@pytest.fixture
def fake_provider(fake_api: FakeApi) -> Generator[None]:
    """Register the fake provider beside the real ones (before the integration loads)."""
    with patch.dict(PROVIDERS, {FAKE.key: FAKE}):
        yield


@pytest.fixture
def fake_entry(hass: HomeAssistant, fake_provider: None) -> MockConfigEntry:
    """An entry of the fake provider, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Fake a",
        unique_id="fake_a",
        data={"provider": "fake", "account": "a"},
    )
    entry.add_to_hass(hass)
    return entry
