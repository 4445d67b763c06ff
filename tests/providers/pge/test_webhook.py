"""The notification endpoint: what it accepts, what it refuses, what it answers.

PG&E's notifications are POSTed to Home Assistant's webhook through the test client, as PG&E
would post them; only this registration's resources on the configured host are ever fetched,
each once.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import logging
import tracemalloc
from typing import Any
from unittest.mock import patch
import uuid

from homeassistant.components.webhook import async_generate_path
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge import const as pge_const
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


# ---- hardening: forged notifications, floods, malformed URLs, unloads --------------------------

RESOURCE = "/GreenButtonConnect/espi/1_1/resource/Batch/Bulk"


def forged_body(simulator: Simulator, count: int = 2) -> bytes:
    """A BatchList as PG&E would post it, with fresh correlationIDs nobody made."""
    base = simulator.urls("pge")["api_url"]
    return batch_list(
        f"{base}{RESOURCE}/{PGE_BULK_ID}?correlationID={uuid.uuid4()}"
        for _ in range(count)
    )


def served_url(simulator: Simulator) -> str:
    """A resource URL PG&E serves (a one-day feed), not notified yet."""
    correlation = simulator.pge.serve_fixture(
        "espi_pge_electric_hourly_1day_2019-10-03.xml"
    )
    base = simulator.urls("pge")["api_url"]
    return f"{base}{RESOURCE}/{PGE_BULK_ID}?correlationID={correlation}"


async def idle(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Run until the inbox has fetched what it took (without delivering the simulator's)."""
    inbox = entry.runtime_data.runtime.inbox
    for _ in range(10_000):
        await hass.async_block_till_done()
        if not inbox.busy:
            return
        await asyncio.sleep(0.001)
    pytest.fail("the inbox did not settle")


async def test_forged_notifications_never_starve_the_answer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    issue_registry: ir.IssueRegistry,
) -> None:
    """20 forged notifications while a request waits: the genuine answer still gets through.

    The forged ones cost at most the day's allowance of unproven notifications in fetches (4
    URLs, plus one in flight), and only the genuine answer settles the waiting request and
    clears its "notification missing" repair.
    """
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    fetched = len(feed_fetches(pushed))
    issue_id = f"{pge_entry.entry_id}_pge_notification_missing"
    pushed.pge.notification_delay = 3600  # PG&E's answer comes when the test says
    with patch.object(pge_const, "NOTIFICATION_TIMEOUT", timedelta(seconds=0.1)):
        await request_latest(hass, pge_entry)
        for _ in range(200):
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()
            if issue_registry.async_get_issue(DOMAIN, issue_id):
                break
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    for _ in range(20):
        assert await post(forged_body(pushed)) == 200
    await idle(hass, pge_entry)
    # Nothing forged settled the request or cleared its repair.
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert len(feed_fetches(pushed)) - fetched <= 4 + 1
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pge_entry)
    assert [w["why"] for w in diagnostics["provider"]["requests"]["waiting"]] == [
        "action"
    ]
    # PG&E's answer: taken (its label says which request it answers), fetched, stored.
    assert len(await pushed.pge.deliver_pending()) == 1
    await settle(hass, pge_entry, pushed)
    fetches = feed_fetches(pushed)[fetched:]
    forged = [r for r in fetches if r.status == 404]
    genuine = [r for r in fetches if r.status == 200]
    assert len(forged) <= 4 + 1
    assert len(genuine) == 2
    assert runtime.requests.waiting == []
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert runtime.usage.data.last_notification.solicited
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pge_entry)
    assert diagnostics["provider"]["requests"]["waiting"] == []


async def test_unlabelled_answers_are_proven_by_pge_serving_them(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Without PG&E's label, an answer counts once PG&E serves it; forged ones stay rationed.

    Forged notifications cost one fetch each (their other URLs are dropped once PG&E refused
    the first), at most two a day; none settles the waiting request.
    """
    pushed.pge.link_notifications = False
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    # The backfill's answers had no label: PG&E serving them made them answers.
    assert runtime.usage.data.backfill_next is None
    assert runtime.inbox.diagnostics()["unsolicited_counted"] == 0
    fetched = len(feed_fetches(pushed))
    pushed.pge.notification_delay = 3600
    await request_latest(hass, pge_entry)
    for _ in range(5):
        assert await post(forged_body(pushed, count=8)) == 200
    await idle(hass, pge_entry)
    assert len(runtime.requests.waiting) == 1
    forged = feed_fetches(pushed)[fetched:]
    assert [r.status for r in forged] == [404, 404]
    assert runtime.inbox.diagnostics()["unsolicited_counted"] == 2


async def test_a_refused_url_flood_writes_few_records_and_keeps_no_memory(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """64 KiB notifications listing 1,500 hosts: a bounded number of records, no growth.

    What the request sent reaches a log line only cut short and without control characters.
    """
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))

    def flood(tag: str) -> bytes:
        urls = [f"https://{index}{tag}.xyz/" for index in range(1500)]
        # XML refuses most control characters; these two it takes, and a terminal obeys.
        urls[0] = f"https://evil{tag}\u2028\u0085[31m.x/"
        resources = "".join(f"<resources>{url}</resources>" for url in urls)
        body = f'<BatchList xmlns="http://naesb.org/espi">{resources}</BatchList>'
        assert 60_000 < len(body) <= 64 * 1024
        return body.encode()

    caplog.set_level(logging.DEBUG, logger="custom_components.openpower")
    caplog.clear()
    same = flood("a")
    assert await post(same) == 200
    assert await post(same) == 200
    assert await post(flood("b")) == 200
    await hass.async_block_till_done()
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.openpower")
        and r.levelno >= logging.INFO
    ]
    assert len(ours) <= 1
    assert all(len(r.getMessage()) < 300 for r in ours)
    assert not any(
        "\u2028" in r.getMessage() or "\u0085" in r.getMessage() for r in caplog.records
    )
    # Memory: what the inbox keeps does not grow with the hosts it has seen (records that
    # the log capture would keep are not made).
    caplog.set_level(logging.INFO, logger="custom_components.openpower")
    tracemalloc.start()
    try:
        assert await post(flood("c")) == 200
        await hass.async_block_till_done()
        before = _traced()
        for tag in "defg":
            assert await post(flood(tag)) == 200
        await hass.async_block_till_done()
        grown = _traced() - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000
    assert len(feed_fetches(pushed)) == fetched


def _traced() -> int:
    """Bytes allocated by the PG&E modules and still held."""
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(True, "*/openpower/*")]
    )
    return sum(stat.size for stat in snapshot.statistics("filename"))


async def test_a_malformed_url_is_one_more_refused_url(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`https://[` beside a valid URL: the valid one is fetched, one short log line."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    valid = served_url(pushed)
    caplog.clear()
    assert await post(batch_list([valid, "https://[/x"])) == 200
    await settle(hass, pge_entry, pushed)
    assert [r.status for r in feed_fetches(pushed)[fetched:]] == [200]
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.openpower")
        and r.levelno >= logging.INFO
    ]
    assert len(ours) == 1
    assert len(ours[0].getMessage()) < 200
    assert not [r for r in ours if r.exc_info]


async def test_a_notification_read_during_unload_starts_nothing(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    hass_client_no_auth: Any,
) -> None:
    """The body still arriving when the entry unloads: no fetch, no task on the entry."""
    await set_up(hass, pge_entry, pushed)
    fetched = len(feed_fetches(pushed))
    body = batch_list([served_url(pushed)])
    client = await hass_client_no_auth()
    half = asyncio.Event()
    go_on = asyncio.Event()

    async def slowly() -> AsyncIterator[bytes]:
        yield body[:20]
        half.set()
        await go_on.wait()
        yield body[20:]

    posting = asyncio.create_task(
        client.post(
            async_generate_path(WEBHOOK_ID),
            data=slowly(),
            headers={"Content-Type": "application/xml"},
        )
    )
    await half.wait()
    await asyncio.sleep(0.05)  # the handler is reading the body
    assert await hass.config_entries.async_unload(pge_entry.entry_id)
    go_on.set()
    response = await posting
    assert response.status == 200
    await hass.async_block_till_done(wait_background_tasks=True)
    await asyncio.sleep(0.05)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(feed_fetches(pushed)) == fetched
