"""Diagnostics: how each system is read and controlled, its history, the budget; nothing secret."""

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
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHARGER,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    Simulator,
)


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Run Home Assistant where the systems are: AlphaESS dates are the systems' local ones."""
    await hass.config.async_set_time_zone("Australia/Sydney")


@pytest.mark.freeze_time("2026-08-04T10:09:30+00:00")
async def test_alphaess_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The AppID, its secret and every system and charger serial never appear."""
    assert await async_setup_entry(hass, alphaess_entry)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, alphaess_entry
    )
    text = json.dumps(diagnostics)
    for secret in (
        ALPHAESS_APP_ID,
        ALPHAESS_APP_SECRET,
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
        ALPHAESS_CHARGER,
        ALPHAESS_UNBOUND_SYSTEM,
    ):
        assert secret not in text
        assert secret.lower() not in text.lower()
    provider = diagnostics["provider"]
    assert provider["system_0"]["schedule_store"] == "periodic"
    assert provider["system_1"]["schedule_store"] == "legacy"
    assert provider["system_0"]["live_power_from_samples"] is False
    assert provider["system_1"]["live_power_from_samples"] is True
    assert provider["budget"]["pause_reason"] is None
    assert all(
        coordinator["last_update_success"]
        for coordinator in diagnostics["coordinators"].values()
    )
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at", "api_url")
    )
