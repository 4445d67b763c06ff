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
from tests.simulator import DEMO_SITE_5MIN, DEMO_TOKEN, Simulator


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
@pytest.mark.usefixtures("amber_one_hour_forecast")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The dump is stable, and holds no token, site id, NMI or name."""
    assert await async_setup_entry(hass, amber_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, amber_entry)
    text = json.dumps(diagnostics)
    for secret in (
        DEMO_TOKEN,
        DEMO_SITE_5MIN,
        DEMO_SITE_5MIN.lower(),
        "4102345678",
        "Home",
    ):
        assert secret not in text
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at", "api_url")
    )


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_diagnostics_show_a_pause_in_force(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """After Amber's 429, the budget block says until when requests wait, and why."""
    assert await async_setup_entry(hass, amber_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, amber_entry)
    assert diagnostics["provider"]["budget"]["paused_until"] is None
    simulator.fault_always("amber", "http_429")
    await async_move_to(hass, freezer, "2026-11-23T02:05:40+00:00")
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, amber_entry)
    budget = diagnostics["provider"]["budget"]
    assert budget["pause_reason"] == "amber answered 429"
    assert datetime.fromisoformat(budget["paused_until"]) > dt_util.utcnow()
    assert budget["limits"][0]["count"] == 50
