"""Diagnostics: everything useful, nothing secret."""

from datetime import datetime
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.common import async_move_to, async_setup_entry
from tests.simulator import EMPORIA_EMAIL, EMPORIA_PASSWORD, Simulator


@pytest.mark.freeze_time("2026-11-23T20:00:30+00:00")
async def test_emporia_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Tokens, password, email, serial numbers and the location never appear."""
    assert await async_setup_entry(hass, emporia_entry)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, emporia_entry
    )
    text = json.dumps(diagnostics)
    for secret in (
        EMPORIA_EMAIL,
        EMPORIA_PASSWORD,
        emporia_entry.data["refresh_token"],
        "A2107A0001",
        "America/Los_Angeles",
        "Kitchen",
    ):
        assert secret not in text
    assert diagnostics["coordinators"]["power"]["last_update_success"]
    assert diagnostics == snapshot(
        exclude=props(
            "entry_id",
            "created_at",
            "modified_at",
            "api_url",
            "auth_url",
            "maintenance_url",
        )
    )


@pytest.mark.freeze_time("2026-11-23T20:00:30+00:00")
async def test_diagnostics_show_a_pause_in_force(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """After Emporia's 429, the budget block says until when requests wait, and why."""
    assert await async_setup_entry(hass, emporia_entry)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, emporia_entry
    )
    assert diagnostics["provider"]["budget"]["paused_until"] is None
    simulator.fault_always("emporia", "http_429")
    await async_move_to(hass, freezer, "2026-11-23T20:01:30+00:00")
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, emporia_entry
    )
    budget = diagnostics["provider"]["budget"]
    assert budget["pause_reason"] == "emporia answered 429"
    assert datetime.fromisoformat(budget["paused_until"]) > dt_util.utcnow()
    assert budget["limits"][0]["count"] == 1900
