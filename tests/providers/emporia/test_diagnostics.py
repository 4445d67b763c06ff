"""Diagnostics: everything useful, nothing secret."""

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.common import async_setup_entry
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
