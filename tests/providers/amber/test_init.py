"""Setting up, failing to set up, unloading and removing entries; devices; repair flows."""

from http import HTTPStatus
import logging
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower import async_remove_config_entry_device
from custom_components.openpower.api.errors import ApiConnectionError
from custom_components.openpower.const import DOMAIN
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    Simulator,
)

from .conftest import english

DEMO_NMI = "4102345678"


async def test_load_and_unload(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An entry loads, then unloads cleanly."""
    assert await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(amber_entry.entry_id)
    assert amber_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    ("fault", "count", "reason"),
    [
        ("http_500", 4, "cannot_connect"),
        ("timeout", 4, "cannot_connect"),
        ("http_429", 1, "rate_limited"),
        ("malformed", 1, "invalid_response"),
    ],
)
async def test_setup_retries_later(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    fault: str,
    count: int,
    reason: str,
) -> None:
    """A temporary failure during setup: retried later, with a translated reason."""
    simulator.fault_next("amber", fault, count)
    await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.SETUP_RETRY
    assert amber_entry.error_reason_translation_key == reason


async def test_setup_with_rejected_token_starts_reauth(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Rejected credentials at setup: setup error and a reauth flow."""
    simulator.amber.revoke_token(DEMO_TOKEN)
    await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_setup_of_a_deleted_site(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A site no longer on the account: a repair issue, and setup is retried later."""
    simulator.amber.remove_site(DEMO_SITE_5MIN)
    await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.SETUP_RETRY
    assert amber_entry.error_reason_translation_key == "not_found"
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{amber_entry.entry_id}_amber_site_gone"
    )
    assert issue is not None
    assert issue.translation_key == "amber_site_gone"
    assert english("issues", issue.translation_key, "title")


async def test_device(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One service device per site, with its NMI and network."""
    assert await async_setup_entry(hass, amber_entry)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"amber_{DEMO_SITE_5MIN}"), amber_entry.entry_id
    )
    assert device == snapshot


async def test_stale_devices_are_removed(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Devices the provider no longer reports go; the current one may not be removed."""
    stale = device_registry.async_get_or_create(
        config_entry_id=amber_entry.entry_id, identifiers={(DOMAIN, "amber_old_site")}
    )
    assert await async_setup_entry(hass, amber_entry)
    assert device_registry.async_get(stale.id) is None
    current = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"amber_{DEMO_SITE_5MIN}"), amber_entry.entry_id
    )
    assert current is not None
    assert not await async_remove_config_entry_device(hass, amber_entry, current)
    gone = device_registry.async_get_or_create(
        config_entry_id=amber_entry.entry_id, identifiers={(DOMAIN, "amber_other")}
    )
    assert await async_remove_config_entry_device(hass, amber_entry, gone)


async def test_removing_the_entry_drops_its_issues(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An entry's repair issues go with it; other issues stay."""
    assert await async_setup_entry(hass, amber_entry)
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{amber_entry.entry_id}_amber_site_closed",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="amber_site_closed",
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        "another_entry_amber_site_closed",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="amber_site_closed",
    )
    await hass.config_entries.async_remove(amber_entry.entry_id)
    await async_settle(hass)
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"{amber_entry.entry_id}_amber_site_closed"
        )
        is None
    )
    assert issue_registry.async_get_issue(DOMAIN, "another_entry_amber_site_closed")


async def test_history_failure_does_not_fail_setup(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The history backfill runs in the background: its failure leaves prices working."""
    with patch(
        "custom_components.openpower.providers.amber.coordinator.AmberHistoryCoordinator._async_fetch",
        side_effect=ApiConnectionError("down"),
    ):
        assert await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.LOADED
    assert not amber_entry.runtime_data.runtime.history.last_update_success
    assert hass.states.get("sensor.home_general_price").state not in (
        "unavailable",
        "unknown",
    )


async def start_repair_fix_flow(
    client: TestClient, domain: str, issue_id: str
) -> dict[str, Any]:
    """Start a fix flow the way the frontend does."""
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": domain, "issue_id": issue_id}
    )
    assert response.status == HTTPStatus.OK
    return await response.json()


async def process_repair_fix_flow(
    client: TestClient, flow_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Submit a step of a fix flow the way the frontend does."""
    response = await client.post(f"/api/repairs/issues/fix/{flow_id}", json=data)
    assert response.status == HTTPStatus.OK
    return await response.json()


@pytest.mark.freeze_time("2026-11-23T02:00:10+00:00")
async def test_closed_site_fix_flow_removes_the_entry(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Confirming the repair removes the entry, and the issue with it."""
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_entry(hass, amber_entry)
    simulator.amber.close_site(DEMO_SITE_5MIN)
    await async_move_to(hass, freezer, "2026-11-23T02:00:31+00:00")
    issue_id = f"{amber_entry.entry_id}_amber_site_closed"
    assert issue_registry.async_get_issue(DOMAIN, issue_id)

    client = await hass_client()
    result = await start_repair_fix_flow(client, DOMAIN, issue_id)
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"entry": "Home"}
    result = await process_repair_fix_flow(client, result["flow_id"], {})
    assert result["type"] == "create_entry"
    await async_settle(hass)
    assert hass.config_entries.async_get_entry(amber_entry.entry_id) is None
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_fix_flow_when_the_entry_is_already_gone(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """An issue left behind by an entry removed meanwhile is simply closed."""
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_component(hass, DOMAIN, {})
    ir.async_create_issue(
        hass,
        DOMAIN,
        "gone_amber_site_gone",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="amber_site_gone",
        translation_placeholders={"entry": "Old"},
        data={"entry_id": "gone"},
    )
    client = await hass_client()
    result = await start_repair_fix_flow(client, DOMAIN, "gone_amber_site_gone")
    result = await process_repair_fix_flow(client, result["flow_id"], {})
    assert result["type"] == "create_entry"


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_no_identifier_in_logs_names_or_errors(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full setup, its updates, the backfill and failures, at DEBUG: nothing identifies the site.

    Not a site id, the NMI (an unnamed site's title) or the token, in a log line, a
    coordinator's name, a background task's name or an exception's text.
    """
    hass.config_entries.async_update_entry(amber_entry, title=DEMO_NMI)
    caplog.set_level(logging.DEBUG)
    tasks: list[str] = []
    create_task = amber_entry.async_create_background_task

    def named_task(hass: HomeAssistant, target: Any, name: str, **kwargs: Any) -> Any:
        # Home Assistant's own coordinator refresh tasks are named after the entry's title
        # (`<coordinator> - <title> - refresh`): only the integration's own names are checked.
        if not name.endswith(f" - {amber_entry.title} - refresh"):
            tasks.append(name)
        return create_task(hass, target, name, **kwargs)

    amber_entry.async_create_background_task = named_task  # type: ignore[method-assign]
    assert await async_setup_entry(hass, amber_entry)
    simulator.fault_next("amber", "unknown_enum")
    await async_move_to(hass, freezer, "2026-11-23T02:05:40+00:00")
    simulator.fault_always("amber", "http_500")
    await async_move_to(hass, freezer, "2026-11-23T02:10:40+00:00")
    await async_move_to(hass, freezer, "2026-11-23T08:10:40+00:00")
    simulator.fault_always("amber", None)
    await async_move_to(hass, freezer, "2026-11-23T08:15:40+00:00")
    runtime = amber_entry.runtime_data.runtime
    # The integration's records. (Home Assistant's own name entities after the entry's title,
    # which the user chose; the shell's statistics import names the statistic, whose id holds
    # the site id: that line is the shell's to mask.)
    ours = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.openpower")
        and not record.getMessage().lower().startswith("queued ")
    ]
    said = "\n".join(
        [
            *(record.getMessage() for record in ours),
            *(str(record.exc_info[1]) for record in ours if record.exc_info),
            *(c.name for c in (runtime.site, runtime.prices, runtime.history)),
            *tasks,
        ]
    ).lower()
    assert "finished fetching" in said  # DEBUG lines were captured
    assert "unknown" in said  # and the warnings of the failures
    assert tasks
    for identifier in (
        DEMO_SITE_5MIN,
        DEMO_SITE_30MIN,
        DEMO_SITE_CLOSED,
        DEMO_NMI,
        DEMO_TOKEN,
    ):
        assert identifier.lower() not in said, identifier
