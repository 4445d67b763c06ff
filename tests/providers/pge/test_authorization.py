"""The Bulk authorization: its status and end, its repairs, its daily re-read, the backfill start.

Everything runs against the simulator's Authorization feed (`tests/simulator/pge.py`), whose
Bulk entry is set by the account's `authorization_status`, `authorized_end`, `period_unit` and
`authorization_scope`.
"""

from datetime import UTC, datetime, timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.pge import Authorization
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.authorization import (
    PgeAuthorizationCoordinator,
    bulk_authorization,
)
from tests.simulator import PGE_BULK_ID, Simulator

from .common import NOW, authorization_reads, bulk_requests, set_up, settle

STATUS = "sensor.pg_e_share_my_data_50916_authorization_status"
END = "sensor.pg_e_share_my_data_50916_authorization_end"
EXPIRING = "pge_authorization_expiring"
ENDED = "pge_authorization_ended"
# The simulator's default: registered 2024-01-08 17:00 UTC, authorized for 3650 days.
DEFAULT_END = "2034-01-05T17:00:00+00:00"

pytestmark = pytest.mark.freeze_time(NOW)


def coordinator(entry: MockConfigEntry) -> PgeAuthorizationCoordinator:
    """The entry's authorization coordinator."""
    result: PgeAuthorizationCoordinator = entry.runtime_data.runtime.authorization
    return result


def issue(
    registry: ir.IssueRegistry, entry: MockConfigEntry, key: str
) -> ir.IssueEntry | None:
    """The entry's repair issue `key`, if raised."""
    return registry.async_get_issue(DOMAIN, f"{entry.entry_id}_{key}")


async def test_entities(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    issue_registry: ir.IssueRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The service device shows the authorization's status and end; no repair when far off."""
    await set_up(hass, pge_entry, pushed)
    for entity_id in (STATUS, END):
        entry = entity_registry.async_get(entity_id)
        assert entry == snapshot(name=f"{entity_id}-entry")
        assert hass.states.get(entity_id) == snapshot(name=f"{entity_id}-state")
    assert hass.states.get(STATUS).state == "active"
    assert hass.states.get(END).state == DEFAULT_END
    assert issue(issue_registry, pge_entry, EXPIRING) is None
    assert issue(issue_registry, pge_entry, ENDED) is None
    data = coordinator(pge_entry).data
    assert data.scope is not None
    assert {46, 47} <= data.scope.function_blocks
    assert data.scope.customer_information


@pytest.mark.parametrize("unit", ["s", "ms"])
async def test_seconds_and_milliseconds_give_the_same_end(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry, unit: str
) -> None:
    """PG&E has sent the periods in milliseconds and in seconds: both read the same."""
    account = pushed.pge.account()
    account.period_unit = unit
    account.authorized_end = datetime(2026, 3, 1, 8, tzinfo=UTC)
    await set_up(hass, pge_entry, pushed)
    assert hass.states.get(END).state == "2026-03-01T08:00:00+00:00"
    assert hass.states.get(STATUS).state == "active"


async def test_expiring_repair_then_renewal(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """31 days before the end: nothing; the daily re-read a day later raises it; renewal clears."""
    account = pushed.pge.account()
    account.authorized_end = NOW + timedelta(days=31)
    await set_up(hass, pge_entry, pushed)
    assert issue(issue_registry, pge_entry, EXPIRING) is None
    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await settle(hass, pge_entry, pushed)
    raised = issue(issue_registry, pge_entry, EXPIRING)
    assert raised is not None
    assert raised.translation_placeholders == {
        "entry": pge_entry.title,
        "date": "2025-12-21",
        "days": "30",
    }
    assert issue(issue_registry, pge_entry, ENDED) is None
    # Renewed on pge.com: the next read clears it, nothing else changes.
    account.authorized_end = NOW + timedelta(days=400)
    await coordinator(pge_entry).async_refresh()
    assert issue(issue_registry, pge_entry, EXPIRING) is None
    assert issue(issue_registry, pge_entry, ENDED) is None
    assert hass.states.get(END).state == "2026-12-25T19:30:00+00:00"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"authorization_status": 0}, "revoked"),
        ({"authorization_status": 2}, "denied"),
        ({"authorized_end": NOW - timedelta(days=1)}, "expired"),
        ({"bulk_id": "99999"}, "missing"),
    ],
)
async def test_ended_repair(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    change: dict[str, Any],
    status: str,
) -> None:
    """Revoked, denied, expired or no longer listed: the ended repair; active again: cleared."""
    await set_up(hass, pge_entry, pushed)
    account = pushed.pge.account()
    before = {key: getattr(account, key) for key in change}
    for key, value in change.items():
        setattr(account, key, value)
    await coordinator(pge_entry).async_refresh()
    assert hass.states.get(STATUS).state == status
    raised = issue(issue_registry, pge_entry, ENDED)
    assert raised is not None
    assert raised.translation_placeholders == {
        "entry": pge_entry.title,
        "status": status,
    }
    assert issue(issue_registry, pge_entry, EXPIRING) is None
    if status == "missing":
        assert hass.states.get(END).state == "unknown"
    for key, value in before.items():
        setattr(account, key, value)
    await coordinator(pge_entry).async_refresh()
    assert hass.states.get(STATUS).state == "active"
    assert issue(issue_registry, pge_entry, ENDED) is None


async def test_failed_read_keeps_the_status(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """PG&E unreachable: the entities go unavailable, the repair and the data stay as they were."""
    await set_up(hass, pge_entry, pushed)
    account = pushed.pge.account()
    account.authorization_status = 0
    auth = coordinator(pge_entry)
    await auth.async_refresh()
    assert issue(issue_registry, pge_entry, ENDED) is not None
    account.authorization_status = 1
    pushed.fault_always("pge", "http_500")
    await auth.async_refresh()
    assert not auth.last_update_success
    assert hass.states.get(STATUS).state == "unavailable"
    assert hass.states.get(END).state == "unavailable"
    assert auth.data.status == "revoked"
    assert issue(issue_registry, pge_entry, ENDED) is not None
    pushed.fault_always("pge", None)
    await auth.async_refresh()
    assert hass.states.get(STATUS).state == "active"
    assert issue(issue_registry, pge_entry, ENDED) is None


async def test_read_once_a_day(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One Authorization request at setup, then exactly one a day."""
    await set_up(hass, pge_entry, pushed)
    assert authorization_reads(pushed) == 1
    freezer.tick(timedelta(hours=23))
    async_fire_time_changed(hass)
    await settle(hass, pge_entry, pushed)
    assert authorization_reads(pushed) == 1
    for day in (2, 3):
        freezer.tick(timedelta(hours=1) if day == 2 else timedelta(days=1))
        async_fire_time_changed(hass)
        await settle(hass, pge_entry, pushed)
        assert authorization_reads(pushed) == day


async def test_recheck_burst_costs_one_request(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Several 403s in a burst: one re-read, after the cooldown."""
    await set_up(hass, pge_entry, pushed)
    auth = coordinator(pge_entry)
    for _ in range(5):
        await auth.async_recheck()
    await hass.async_block_till_done()
    assert authorization_reads(pushed) == 1
    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert authorization_reads(pushed) == 2
    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert authorization_reads(pushed) == 2


@pytest.mark.parametrize(
    ("served_days", "first_day"),
    [
        # PG&E publishes 3 days: the backfill starts there, not 6 days back.
        (3, datetime(2025, 11, 17, 8, tzinfo=UTC)),
        # PG&E publishes 4 years: the backfill asks for `history_days` (6 in these tests).
        (1461, datetime(2025, 11, 14, 8, tzinfo=UTC)),
    ],
)
async def test_backfill_starts_at_the_published_start(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    served_days: int,
    first_day: datetime,
) -> None:
    """A new entry's first backfill window starts at the later of published start, history."""
    pushed.pge.history_days = served_days
    await set_up(hass, pge_entry, pushed)
    first = bulk_requests(pushed)[0]
    assert int(first.query["published-min"]) == int(first_day.timestamp())


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
) -> None:
    """The decoded scope and periods are shown; the Bulk ID, URIs and ids are not."""
    await set_up(hass, pge_entry, pushed)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pge_entry)
    text = json.dumps(diagnostics)
    assert PGE_BULK_ID not in text
    assert "BR=" not in text
    assert "Batch/Bulk" not in text
    shown = diagnostics["provider"]["authorization"]
    assert shown["status"] == "active"
    bulk = shown["bulk_authorization"]
    assert bulk["authorized_period"] == {
        "start": "2024-01-08T17:00:00+00:00",
        "end": DEFAULT_END,
    }
    assert bulk["published_period"]["start"] == "2021-11-20T08:00:00+00:00"
    for key in (
        "authorization_id",
        "resource_uri",
        "authorization_uri",
    ):
        assert bulk[key] == "**REDACTED**"
    scope = bulk["scope"]
    assert scope["bulk_id"] == "**REDACTED**"
    assert scope["interval_durations"] == [900, 3600]
    assert scope["block_duration"] == "daily"
    assert scope["history_length_days"] == 1460
    assert {46, 47} <= set(scope["function_blocks"])
    assert scope["usage_data"] is True
    assert scope["billing"] is True
    assert scope["customer_information"] is True


def _bulk(
    status: int, end: datetime | None, bulk_id: str = PGE_BULK_ID
) -> Authorization:
    return Authorization(
        href=None,
        resource_uri=f"https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/{bulk_id}",
        authorization_uri=None,
        grant_type="client_credentials",
        status=status,
        scope=None,
        published_start=None,
        published_end=None,
        authorized_start=datetime(2024, 1, 1, tzinfo=UTC),
        authorized_end=end,
    )


def test_several_bulk_authorizations() -> None:
    """Of several on the entry's Bulk ID: the active one, then the one authorized longest."""
    later = NOW + timedelta(days=900)
    revoked = _bulk(0, later)
    short = _bulk(1, NOW + timedelta(days=10))
    open_ended = _bulk(1, None)
    other = _bulk(1, None, bulk_id="12345")
    assert bulk_authorization([revoked, short], PGE_BULK_ID, NOW) is short
    assert (
        bulk_authorization([short, open_ended, other], PGE_BULK_ID, NOW) is open_ended
    )
    assert bulk_authorization([revoked], PGE_BULK_ID, NOW) is revoked
    # None active (one expired, one revoked): the one authorized longest.
    expired = _bulk(1, NOW - timedelta(days=1))
    assert bulk_authorization([expired, revoked], PGE_BULK_ID, NOW) is revoked
    assert bulk_authorization([other], PGE_BULK_ID, NOW) is None


@pytest.mark.parametrize(
    ("registered", "raised"),
    [
        ("https://old-home.example.org/api/webhook/0123", True),
        (
            "HTTPS://HOME.example.org/api/webhook/0123456789abcdef0123456789abcdef/",
            False,
        ),
    ],
)
async def test_registered_notification_url_is_compared(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    registered: str,
    raised: bool,
) -> None:
    """With a registration token, PG&E's registered URL against ours: a repair if they differ."""
    await async_process_ha_core_config(
        hass, {"external_url": "https://home.example.org"}
    )
    account = pushed.pge.account()
    account.registration_token = True
    account.registered_notify_uri = registered
    await set_up(hass, pge_entry, pushed)
    found = issue(issue_registry, pge_entry, "pge_notify_uri_differs")
    assert (found is not None) is raised
    if found is not None:
        assert found.translation_placeholders is not None
        assert found.translation_placeholders["registered"] == registered
        assert found.translation_placeholders["expected"] == (
            "https://home.example.org/api/webhook/0123456789abcdef0123456789abcdef"
        )


async def test_without_registration_token_nothing_is_compared(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """PG&E's usual token answer: no ApplicationInformation request, no repair."""
    await async_process_ha_core_config(
        hass, {"external_url": "https://home.example.org"}
    )
    await set_up(hass, pge_entry, pushed)
    assert issue(issue_registry, pge_entry, "pge_notify_uri_differs") is None
    assert not [
        r
        for r in pushed.requests
        if r.provider == "pge" and "/ApplicationInformation" in r.path
    ]
