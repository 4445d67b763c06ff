"""Setting a PG&E entry up and removing it: certificate failures, reauth, the cloudhook."""

import asyncio
import logging
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from tests.simulator import (
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_ELECTRIC_USAGE_POINT,
    PGE_GAS_USAGE_POINT,
    Simulator,
    pki_material,
)

from .common import (
    NOW,
    WEBHOOK_ID,
    Post,
    call,
    feed_fetches,
    pge_entry_data,
    request_latest,
    set_up,
    settle,
)

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def test_wrong_secret_starts_reauth(
    hass: HomeAssistant, pushed: Simulator, simulator: Simulator
) -> None:
    """PG&E refusing the client credentials puts the entry in reauth."""
    data = pge_entry_data(simulator, WEBHOOK_ID, client_secret="wrong")
    entry = MockConfigEntry(domain=DOMAIN, unique_id=f"pge_{PGE_CLIENT_ID}", data=data)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_expired_stored_certificate_starts_reauth(
    hass: HomeAssistant, pushed: Simulator, simulator: Simulator
) -> None:
    """A stored certificate past its end: reauth asks for the renewed one, no request made."""
    expired = pki_material().expired_client.cert.decode()
    data = pge_entry_data(simulator, WEBHOOK_ID, certificate=expired)
    entry = MockConfigEntry(domain=DOMAIN, unique_id=f"pge_{PGE_CLIENT_ID}", data=data)
    entry.add_to_hass(hass)
    requests = len(simulator.requests)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert len(simulator.requests) == requests


async def test_unusable_stored_certificate_fails_setup(
    hass: HomeAssistant, pushed: Simulator, simulator: Simulator
) -> None:
    """A stored certificate that cannot be read is a setup error, without any request."""
    data = pge_entry_data(simulator, WEBHOOK_ID, certificate="garbage")
    entry = MockConfigEntry(domain=DOMAIN, unique_id=f"pge_{PGE_CLIENT_ID}", data=data)
    entry.add_to_hass(hass)
    requests = len(simulator.requests)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert len(simulator.requests) == requests


async def test_unload_stops_listening(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry, post: Post
) -> None:
    """Unloaded, the entry's webhook is gone: a notification fetches nothing."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    assert await hass.config_entries.async_unload(pge_entry.entry_id)
    assert pge_entry.state is ConfigEntryState.NOT_LOADED
    assert await post(pushed.pge.notifications[-1].body) == 200
    await hass.async_block_till_done()
    assert len(feed_fetches(pushed)) == fetched


async def test_removing_the_entry_deletes_its_cloudhook(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Home Assistant Cloud's hook for the webhook goes with the entry."""
    await set_up(hass, pge_entry, pushed)
    cloud = MagicMock(async_delete_cloudhook=AsyncMock())
    with patch(
        "custom_components.openpower.providers.pge.webhook._cloud", return_value=cloud
    ):
        assert await hass.config_entries.async_remove(pge_entry.entry_id)
    cloud.async_delete_cloudhook.assert_awaited_once_with(hass, WEBHOOK_ID)


async def test_logs_hold_no_identifier(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The debug log of a whole life holds no client id, Bulk ID, usage point or subject.

    Setup, the backfill, notifications and fetches, failures (a feed cut, PG&E down, a
    refused token), the actions, an unload: every line the integration logs, every task name.
    """
    caplog.set_level(logging.DEBUG)
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    subject = runtime.certificate.subject
    pushed.fault_next("pge", "drop_body")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    pushed.fault_next("pge", "not_found")
    with pytest.raises(HomeAssistantError) as raised:
        await request_latest(hass, pge_entry)
    for identifier in (PGE_BULK_ID, PGE_CLIENT_ID):
        assert identifier not in str(raised.value)
    pushed.fault_always("pge", "http_500")
    await runtime.status.async_refresh()
    pushed.fault_always("pge", None)
    pushed.fault_next("pge", "http_401", count=4)
    await runtime.status.async_refresh()
    await call(hass, pge_entry, "pge_run_registration_tests")
    assert runtime.inbox.failed >= 1
    tasks = [task.get_name() for task in asyncio.all_tasks()]
    assert await hass.config_entries.async_unload(pge_entry.entry_id)
    identifiers = (
        PGE_CLIENT_ID,
        PGE_BULK_ID,
        PGE_ELECTRIC_USAGE_POINT,
        PGE_GAS_USAGE_POINT,
        subject,
    )
    ours = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.openpower")
    ]
    assert ours
    for record in ours:
        text = record.getMessage() + (
            str(record.exc_info[1]) if record.exc_info else ""
        )
        for identifier in identifiers:
            assert identifier not in text, text
    for name in tasks:
        for identifier in identifiers:
            assert identifier not in name, name
