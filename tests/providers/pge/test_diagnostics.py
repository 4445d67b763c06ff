"""PG&E diagnostics: the state, and never a secret, a key, a token or an identifier."""

from datetime import datetime

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.simulator import (
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    PGE_ELECTRIC_USAGE_POINT,
    PGE_GAS_USAGE_POINT,
    Simulator,
)

from .common import NOW, WEBHOOK_ID, set_up


@pytest.mark.freeze_time(NOW)
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show the state and never a secret, a key, a token or an identifier."""
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
    # The customer information came (its presence is shown), never its personal data.
    account = pushed.pge.account()
    assert "'personal': ['customer_name', 'account_number']" in text
    for point in account.usage_points:
        for personal in (point.street, point.town, point.zip_code, point.serial):
            assert personal not in text
    assert account.customer_name not in text
    assert account.account_number not in text
    # The simulator's port changes from run to run.
    assert diagnostics == snapshot(exclude=props("api_url"))


@pytest.mark.freeze_time(NOW)
async def test_diagnostics_show_a_pause_in_force(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
) -> None:
    """PG&E answering 429: the budget's pause (until when, and why) is in the diagnostics."""
    await set_up(hass, pge_entry, pushed)
    pushed.fault_next("pge", "http_429")
    await pge_entry.runtime_data.runtime.status.async_refresh()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pge_entry)
    budget = diagnostics["provider"]["budget"]
    assert budget["paused_until"] is not None
    assert datetime.fromisoformat(budget["paused_until"]) > NOW
    assert "429" in budget["pause_reason"]
    assert [limit["count"] for limit in budget["limits"]] == [2000, 20000]
