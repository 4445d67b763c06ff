"""PG&E Share My Data in Home Assistant: setup, the webhook, the feeds into statistics, sensors.

Everything runs against the simulator over HTTPS with mutual TLS; its notifications are POSTed to
Home Assistant's webhook through the test client (Home Assistant's HTTP server does not listen in
tests), exactly as PG&E would post them.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.components.webhook import async_generate_path
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge import const as pge_const
from tests.simulator import (
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    PGE_ELECTRIC_USAGE_POINT,
    PGE_GAS_USAGE_POINT,
    Simulator,
    batch_list,
    pki_files,
)

from .conftest import pge_entry_data

# Thursday 20 November 2025, 11:30 in California (PST): the latest served day is the 19th.
NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
ELECTRIC = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_energy_consumption"
RETURN = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_energy_return"
GAS = f"openpower:pge_{PGE_GAS_USAGE_POINT}_gas_consumption"
BILL = f"openpower:pge_{PGE_ELECTRIC_USAGE_POINT}_bill"

type Post = Callable[[bytes], Awaitable[int]]


@pytest.fixture
def pge_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """A PG&E entry (not set up)."""
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

    async def send(body: bytes) -> int:
        response = await client.post(
            async_generate_path(WEBHOOK_ID),
            data=body,
            headers={"Content-Type": "application/xml"},
        )
        await response.read()
        return response.status

    return send


# Made before time is frozen (cryptography refuses freezegun's datetimes).
pki_files()

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


@pytest.fixture
async def pushed(simulator: Simulator, post: Post) -> Simulator:
    """The simulator, posting its notifications to the webhook."""

    async def deliver(body: bytes) -> None:
        assert await post(body) == 200

    simulator.pge.notification_target = deliver
    simulator.pge.notification_delay = 0.01
    return simulator


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
        if not runtime.usage.requesting and not runtime.inbox.busy:
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
    """The simulator's notified-feed fetches."""
    return [
        r
        for r in simulator.requests
        if r.provider == "pge" and "correlationID" in r.query
    ]


async def test_setup_backfills_history_through_the_webhook(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The first setup asks the history in windows; every pushed feed lands in statistics."""
    await set_up(hass, pge_entry, pushed)
    # Six days (the test's history) in windows of four, oldest first.
    windows = [
        (r.query["published-min"], r.query["published-max"])
        for r in bulk_requests(pushed)
    ]
    assert len(windows) == 2
    assert windows[0] < windows[1]
    # Two resources (electricity, gas) per notification, each fetched once.
    assert len(feed_fetches(pushed)) == 4
    electric = await hourly(hass, ELECTRIC)
    returned = await hourly(hass, RETURN)
    gas = await hourly(hass, GAS)
    # The 14th to the 19th (Pacific days: 08:00 UTC in PST), every hour.
    assert min(electric) == datetime(2025, 11, 14, 8, tzinfo=UTC)
    assert max(electric) == datetime(2025, 11, 20, 7, tzinfo=UTC)
    assert len(electric) == 6 * 24
    assert all(value >= 0 for value in electric.values())
    assert sum(returned.values()) > 0
    # Daily gas: one row per day at the day's first hour, zeros between.
    assert len([v for v in gas.values() if v]) == 6
    latest = hass.states.get("sensor.pg_e_electricity_latest_day_consumption")
    assert latest is not None
    assert latest.attributes["day"] == "2025-11-19"
    day_start = datetime(2025, 11, 19, 8, tzinfo=UTC)
    expected = sum(
        v for h, v in electric.items() if day_start <= h < day_start + timedelta(days=1)
    )
    assert float(latest.state) == pytest.approx(expected)
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_returned_to_grid").state
        != "unknown"
    )
    assert float(hass.states.get("sensor.pg_e_gas_latest_day_gas").state) > 0
    newest = hass.states.get("sensor.pg_e_electricity_newest_data")
    assert newest.state == "2025-11-20T08:00:00+00:00"
    assert (
        hass.states.get("sensor.pg_e_share_my_data_50916_service_status").state
        == "online"
    )
    assert pge_entry.runtime_data.runtime.usage.data.backfill_next is None


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity and device of the demo account (electricity with solar, gas)."""
    await set_up(hass, pge_entry, pushed)
    await snapshot_platform(hass, entity_registry, snapshot, pge_entry.entry_id)
    devices = dr.async_entries_for_config_entry(device_registry, pge_entry.entry_id)
    assert sorted(d.name for d in devices) == [
        "PG&E Share My Data (50916)",
        "PG&E electricity",
        "PG&E gas",
    ]
    assert all(
        d.via_device_id is not None
        for d in devices
        if d.name.startswith("PG&E ") and "Share" not in d.name
    )


@pytest.mark.freeze_time(NOW)
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: Any,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the state and never a secret, a key, a token or an identifier."""
    from pytest_homeassistant_custom_component.components.diagnostics import (  # noqa: PLC0415
        get_diagnostics_for_config_entry,
    )

    await set_up(hass, pge_entry, pushed)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pge_entry)
    text = str(diagnostics)
    for secret in (
        PGE_CLIENT_SECRET,
        PGE_CLIENT_ID,
        WEBHOOK_ID,
        "PRIVATE KEY",
        "BEGIN CERTIFICATE",
        PGE_ELECTRIC_USAGE_POINT,
        PGE_GAS_USAGE_POINT,
    ):
        assert secret not in text
    # The simulator's port changes from run to run.
    assert diagnostics == snapshot(exclude=props("api_url"))


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


async def test_replayed_notification_does_not_settle_a_waiting_request(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry, post: Post
) -> None:
    """A notification with nothing new is noted, but the request it cannot answer still waits."""
    await set_up(hass, pge_entry, pushed)
    usage = pge_entry.runtime_data.runtime.usage
    pushed.fault_next("pge", "no_notification")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    waiting = usage.data.awaiting_since
    assert waiting is not None
    assert await post(pushed.pge.notifications[-1].body) == 200
    await settle(hass, pge_entry, pushed)
    assert usage.data.last_notification.duplicates == 2
    assert usage.data.awaiting_since == waiting


async def test_redelivered_and_corrected_data_never_double_counts(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Asking the same days again (a new correlationID) leaves every statistic as it was."""
    await set_up(hass, pge_entry, pushed)
    before = {sid: await hourly(hass, sid) for sid in (ELECTRIC, RETURN, GAS)}
    response = await call(
        hass, pge_entry, "pge_request_data", start="2025-11-14", end="2025-11-19"
    )
    assert response == {"requested": True}
    await settle(hass, pge_entry, pushed)
    after = {sid: await hourly(hass, sid) for sid in (ELECTRIC, RETURN, GAS)}
    assert after == before


async def test_request_data_validates_its_range(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """An end before the start is the user's mistake; a range without data says so."""
    await set_up(hass, pge_entry, pushed)
    with pytest.raises(ServiceValidationError):
        await call(
            hass, pge_entry, "pge_request_data", start="2025-11-19", end="2025-11-14"
        )
    response = await call(
        hass, pge_entry, "pge_request_data", start="2015-01-01", end="2015-01-02"
    )
    assert response == {"requested": False}


async def test_registration_tests_action(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The connectivity tests run PG&E's public sequence and report each step."""
    await set_up(hass, pge_entry, pushed)
    response = await call(hass, pge_entry, "pge_run_registration_tests")
    assert response["passed"] is True
    assert [step["name"] for step in response["steps"]] == [
        "token",
        "service_status",
        "sample_data",
        "authorization",
    ]
    pushed.pge.service_status = 0
    response = await call(hass, pge_entry, "pge_run_registration_tests")
    assert response["passed"] is False
    assert [step["ok"] for step in response["steps"]] == [True, False, True, True]


async def test_missing_notification_raises_a_repair_until_data_arrives(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No notification within the timeout → a repair issue with the URL; cleared by data."""
    issue_id = f"{pge_entry.entry_id}_pge_notification_missing"
    pushed.fault_next("pge", "no_notification")
    with patch.object(pge_const, "NOTIFICATION_TIMEOUT", timedelta(seconds=0.2)):
        assert await hass.config_entries.async_setup(pge_entry.entry_id)
        await hass.async_block_till_done()
        for _ in range(100):
            await asyncio.sleep(0.02)
            await hass.async_block_till_done()
            if issue_registry.async_get_issue(DOMAIN, issue_id):
                break
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["minutes"] == "0"
    runtime = pge_entry.runtime_data.runtime
    await settle(hass, pge_entry, pushed)
    # The backfill paused at its first window; asked again, it resumes and completes.
    assert runtime.usage.data.backfill_next is not None
    assert not await hourly(hass, ELECTRIC)
    await runtime.usage.async_run_requests()
    await settle(hass, pge_entry, pushed)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert runtime.usage.data.backfill_next is None
    assert await hourly(hass, ELECTRIC)


async def test_malformed_feed_keeps_the_previous_data(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    post: Post,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A truncated feed imports nothing and is logged; what was shown stays."""
    await set_up(hass, pge_entry, pushed)
    before = await hourly(hass, ELECTRIC)
    shown = hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state
    pushed.fault_next("pge", "malformed")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert "Could not fetch notified PG&E data" in caplog.text
    assert await hourly(hass, ELECTRIC) == before
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state == shown
    )
    assert pge_entry.runtime_data.runtime.inbox.failed == 1
    # The failed resource, notified again, is fetched again (the other one is a duplicate).
    fetched = len(feed_fetches(pushed))
    assert await post(pushed.pge.notifications[-1].body) == 200
    await settle(hass, pge_entry, pushed)
    assert len(feed_fetches(pushed)) == fetched + 1
    assert pge_entry.runtime_data.runtime.inbox.failed == 1


async def test_feed_without_reading_types_imports_nothing(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """MeterReadings linking to no ReadingType: the feed is refused whole, data kept."""
    await set_up(hass, pge_entry, pushed)
    before = await hourly(hass, ELECTRIC)
    pushed.fault_next("pge", "missing_field")
    await request_latest(hass, pge_entry)
    await settle(hass, pge_entry, pushed)
    assert pge_entry.runtime_data.runtime.inbox.failed == 1
    assert await hourly(hass, ELECTRIC) == before


async def test_expired_token_while_fetching_is_renewed(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E answering 403 (token expired) to a feed fetch: a new token, the same fetch again."""
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    fetched = runtime.inbox.fetched
    await request_latest(hass, pge_entry)
    pushed.pge.expire_tokens()
    await settle(hass, pge_entry, pushed)
    assert runtime.inbox.fetched == fetched + 2
    assert runtime.inbox.failed == 0
    assert [r.status for r in feed_fetches(pushed)[-3:]].count(403) == 1
    assert pge_entry.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress()


async def test_restart_shows_stored_data_and_does_not_ask_again(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """After a reload the sensors show the last data at once; no new request within 12 h."""
    await set_up(hass, pge_entry, pushed)
    shown = hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state
    requests = len(bulk_requests(pushed))
    assert await hass.config_entries.async_reload(pge_entry.entry_id)
    await settle(hass, pge_entry, pushed)
    assert len(bulk_requests(pushed)) == requests
    assert (
        hass.states.get("sensor.pg_e_electricity_latest_day_consumption").state == shown
    )


async def test_daily_request_asks_from_three_days_before_the_newest_data(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """At 18:17 UTC the day's request starts 3 days before the newest interval."""
    await set_up(hass, pge_entry, pushed)
    requests = len(bulk_requests(pushed))
    freezer.move_to(datetime(2025, 11, 21, 18, 17, tzinfo=UTC))
    async_fire_time_changed(hass, datetime(2025, 11, 21, 18, 17, tzinfo=UTC))
    await settle(hass, pge_entry, pushed)
    daily = bulk_requests(pushed)[requests:]
    assert len(daily) == 1
    newest = datetime(2025, 11, 20, 8, tzinfo=UTC)
    assert int(daily[0].query["published-min"]) == int(
        (newest - timedelta(days=3)).timestamp()
    )
    assert "published-max" not in daily[0].query


async def test_service_status_and_outage(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E offline → "offline"; PG&E unreachable → the entity is unavailable."""
    await set_up(hass, pge_entry, pushed)
    status = pge_entry.runtime_data.runtime.status
    entity = "sensor.pg_e_share_my_data_50916_service_status"
    pushed.pge.service_status = 0
    await status.async_refresh()
    assert hass.states.get(entity).state == "offline"
    assert status.last_update_success
    pushed.pge.service_status = 1
    pushed.fault_always("pge", "http_500")
    await status.async_refresh()
    assert not status.last_update_success
    assert hass.states.get(entity).state == "unavailable"
    # The usage sensors keep the data received (it stays true).
    assert hass.states.get(
        "sensor.pg_e_electricity_latest_day_consumption"
    ).state not in ("unavailable", "unknown")
    pushed.fault_always("pge", None)
    await status.async_refresh()
    assert hass.states.get(entity).state == "online"


async def test_certificate_expiring_raises_a_repair(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Within the warning time of its end, the certificate gets a repair issue."""
    with patch.object(pge_const, "CERTIFICATE_WARNING", timedelta(days=365 * 100)):
        await set_up(hass, pge_entry, pushed)
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{pge_entry.entry_id}_pge_certificate_expiring"
    )
    assert issue is not None
    assert issue.translation_placeholders["expires"] == "2099-12-31"


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
