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
