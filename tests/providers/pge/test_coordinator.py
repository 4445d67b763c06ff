"""The hourly status check: PG&E offline or unreachable, the certificate nearing its end."""

from datetime import timedelta
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge import const as pge_const
from tests.simulator import Simulator

from .common import NOW, set_up

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def test_service_status_and_outage(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """PG&E offline → "offline"; PG&E unreachable → the entity is unavailable."""
    await set_up(hass, pge_entry, pushed)
    status = pge_entry.runtime_data.runtime.status
    entity = "sensor.pg_e_share_my_data_50916_service_status"
    pushed.pge.service_status = 0
    await status.async_refresh()
    assert hass.states.get(entity).state == "offline"
    assert status.last_update_success
    pushed.pge.service_status = 1
    pushed.fault_always("pge", "http_500")
    await status.async_refresh()
    assert not status.last_update_success
    assert hass.states.get(entity).state == "unavailable"
    # The usage sensors keep the data received (it stays true).
    assert hass.states.get(
        "sensor.pg_e_electricity_latest_day_consumption"
    ).state not in ("unavailable", "unknown")
    pushed.fault_always("pge", None)
    await status.async_refresh()
    assert hass.states.get(entity).state == "online"


async def test_certificate_expiring_raises_a_repair(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Within the warning time of its end, the certificate gets a repair issue."""
    with patch.object(pge_const, "CERTIFICATE_WARNING", timedelta(days=365 * 100)):
        await set_up(hass, pge_entry, pushed)
    issue = issue_registry.async_get_issue(
        DOMAIN, f"{pge_entry.entry_id}_pge_certificate_expiring"
    )
    assert issue is not None
    assert issue.translation_placeholders["expires"] == "2099-12-31"
