"""Repair flows: an issue whose fix is to remove the entry (a closed or deleted site)."""

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant
import probatio


class RemoveEntryFlow(RepairsFlow):
    """Confirm, then remove the entry the issue is about (its statistics are kept)."""

    def __init__(self, entry_id: str) -> None:
        """Remember the entry."""
        self._entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Remove the entry once confirmed."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if user_input is not None:
            if entry is not None:
                await self.hass.config_entries.async_remove(self._entry_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=probatio.Schema({}),
            description_placeholders={"entry": entry.title if entry else ""},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Create the fix flow of a fixable issue."""
    assert data is not None
    return RemoveEntryFlow(str(data["entry_id"]))
