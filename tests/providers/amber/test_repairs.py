"""Repair flows: a closed or deleted site offers to remove its entry."""

from http import HTTPStatus
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openpower.const import DOMAIN
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.simulator import DEMO_SITE_5MIN, Simulator


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
    issue_id = f"{amber_entry.entry_id}_site_closed"
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
        "gone_site_gone",
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="site_gone",
        translation_placeholders={"entry": "Old"},
        data={"entry_id": "gone"},
    )
    client = await hass_client()
    result = await start_repair_fix_flow(client, DOMAIN, "gone_site_gone")
    result = await process_repair_fix_flow(client, result["flow_id"], {})
    assert result["type"] == "create_entry"
