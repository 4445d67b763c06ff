"""Diagnostics: the history's reach, counters, budget; no e-mail, password, token, serial or id."""

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
from tests.simulator import Simulator
from tests.simulator.goodwe import (
    GOODWE_BATTERY_SN,
    GOODWE_EMAIL,
    GOODWE_INVERTER_SN,
    GOODWE_METER_SN,
    GOODWE_PASSWORD,
    GOODWE_STATION,
)

from .conftest import goodwe


@pytest.mark.freeze_time("2026-06-15T10:30:00+00:00")
async def test_goodwe_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    goodwe_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Nothing that names the account, its session, the station or a device appears."""
    assert await async_setup_entry(hass, goodwe_entry)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, goodwe_entry
    )
    text = json.dumps(diagnostics)
    account = goodwe(simulator).accounts[GOODWE_EMAIL]
    station = goodwe(simulator).stations[GOODWE_STATION]
    assert account.token is not None
    for secret in (
        GOODWE_EMAIL,
        GOODWE_PASSWORD,
        account.token,
        GOODWE_STATION,
        GOODWE_INVERTER_SN,
        GOODWE_BATTERY_SN,
        GOODWE_METER_SN,
        station.address,
        "127.0.0.1",
    ):
        assert secret.lower() not in text.lower(), secret
    provider = diagnostics["provider"]
    assert provider["history"]["complete"] is True
    assert provider["counters"] == {"guarded_counters": 5}
    assert all(
        coordinator["last_update_success"]
        for coordinator in diagnostics["coordinators"].values()
    )
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at")
    )
