"""Switches of every provider (smart plugs, EV charging), built from the provider's descriptions."""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    OpenPowerEntity,
    OpenPowerSwitchDescription,
    async_add_entities_when_seen,
)
from .errors import api_errors_as_ha
from .provider import OpenPowerConfigEntry

# Writes go to one cloud account: one at a time, so two changes never race each other.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's switches, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry,
        entry.runtime_data.provider.switches,
        OpenPowerSwitch,
        async_add_entities,
    )


class OpenPowerSwitch[D](OpenPowerEntity[D], SwitchEntity):
    """A switch whose state comes from the coordinator and whose changes go to the provider."""

    entity_description: OpenPowerSwitchDescription[Any, D]

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.is_on_fn(self.coordinator.data, self._uid)

    async def _async_turn(self, on: bool) -> None:
        entry = self.coordinator.config_entry
        async with api_errors_as_ha(self.hass, entry):
            await self.entity_description.turn_fn(
                entry.runtime_data.runtime, self._uid, on
            )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on; the state follows the provider's answer."""
        await self._async_turn(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off; the state follows the provider's answer."""
        await self._async_turn(False)
