"""The repair flow that removes an entry (a closed site, a deleted account)."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.repairs import async_create_fix_flow

from .common import async_setup_entry


async def test_fix_flow_removes_the_entry(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """Confirming removes the entry the issue names."""
    assert await async_setup_entry(hass, fake_entry)
    assert await async_setup_component(hass, "repairs", {})
    coordinator = fake_entry.runtime_data.runtime.coordinator
    coordinator.async_set_issue("fake_gone", True, fixable=True)
    issue = next(iter(ir.async_get(hass).issues.values()))
    flow = await async_create_fix_flow(hass, issue.issue_id, issue.data)
    flow.hass = hass
    result = await flow.async_step_init()
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"entry": "Fake a"}
    result = await flow.async_step_confirm({})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(fake_entry.entry_id) is None
    assert DOMAIN not in {domain for domain, _ in ir.async_get(hass).issues}


async def test_fix_flow_when_the_entry_is_already_gone(hass: HomeAssistant) -> None:
    """An issue left behind by an entry removed meanwhile is simply closed."""
    flow = await async_create_fix_flow(hass, "x", {"entry_id": "gone"})
    flow.hass = hass
    result = await flow.async_step_confirm()
    assert result["description_placeholders"] == {"entry": ""}
    result = await flow.async_step_confirm({})
    assert result["type"] == "create_entry"
