"""The notification endpoint: what it accepts, what it refuses, what it answers.

PG&E's notifications are POSTed to Home Assistant's webhook through the test client, as PG&E
would post them; only this registration's resources on the configured host are ever fetched,
each once.
"""

from typing import Any

from homeassistant.components.webhook import async_generate_path
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulator import PGE_BULK_ID, Simulator, batch_list

from .common import NOW, WEBHOOK_ID, Post, feed_fetches, request_latest, set_up, settle

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def test_webhook_refuses_oversized_and_malformed_bodies(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Too big → 413, not XML or a bomb → 400; nothing is fetched, one warning per kind."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    url = f"{pushed.urls('pge')['api_url']}/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/{PGE_BULK_ID}?correlationID=abc"
    oversized = batch_list([url]) + b" " * (64 * 1024)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<BatchList xmlns="http://naesb.org/espi"><resources>&lol2;</resources></BatchList>'
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<BatchList xmlns="http://naesb.org/espi"><resources>&x;</resources></BatchList>'
    )
    assert await post(oversized) == 413
    assert await post(oversized) == 413
    assert await post(bomb) == 400
    assert await post(external) == 400
    assert await post(b"not xml") == 400
    assert await post(b"") == 400
    await settle(hass, pge_entry, pushed)
    assert len(feed_fetches(pushed)) == fetched
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert sum("larger than" in message for message in warnings) == 1
    assert sum("Refused a PG&E notification:" in message for message in warnings) == 1


async def test_webhook_answers_at_once_with_nothing_about_the_entry(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    hass_client_no_auth: Any,
) -> None:
    """A notification gets an empty 200; a GET is refused by the webhook component."""
    await set_up(hass, pge_entry, pushed)
    client = await hass_client_no_auth()
    response = await client.post(
        async_generate_path(WEBHOOK_ID),
        data=batch_list(["https://evil.example/x"]),
    )
    assert response.status == 200
    assert await response.read() == b""
    response = await client.get(async_generate_path(WEBHOOK_ID))
    assert response.status == 405


async def test_notification_urls_off_the_configured_host_are_never_fetched(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Foreign hosts, another scheme, another Bulk id: logged (host only) and dropped."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    base = pushed.urls("pge")["api_url"]
    resource = "/GreenButtonConnect/espi/1_1/resource/Batch/Bulk"
    urls = [
        f"https://evil.example{resource}/{PGE_BULK_ID}?correlationID=a",
        f"{base.replace('https://', 'http://')}{resource}/{PGE_BULK_ID}?correlationID=b",
        f"{base}{resource}/99999?correlationID=c",
        f"{base}{resource}/{PGE_BULK_ID}/../../../../x?correlationID=d",
    ]
    assert await post(batch_list(urls)) == 200
    await settle(hass, pge_entry, pushed)
    assert len(feed_fetches(pushed)) == fetched
    assert "evil.example" in caplog.text
    assert "correlationID=a" not in caplog.text


async def test_simulated_foreign_host_fault(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E listing a foreign host and the right URL with its scheme swapped: none fetched."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    pushed.fault_next("pge", "foreign_host")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert len(pushed.pge.notifications) >= 3
    assert len(feed_fetches(pushed)) == fetched


async def test_duplicate_notification_is_fetched_once(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E posting the same BatchList twice costs one fetch per resource."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    pushed.fault_next("pge", "duplicate_notification")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert len(feed_fetches(pushed)) == fetched + 2
    info = pge_entry.runtime_data.runtime.usage.data.last_notification
    assert (info.accepted, info.duplicates) == (0, 2)
