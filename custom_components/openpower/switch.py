"""Switches of every provider (smart plugs, EV charging), built from the provider's descriptions."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import OpenPowerConfigEntry
from .entity import (
    OpenPowerEntity,
    OpenPowerEntityDescription,
    async_add_entities_when_seen,
)

# Writes go to one cloud account: one at a time, so two changes never race each other.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class OpenPowerSwitchDescription[R, D](
    SwitchEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A switch: `is_on_fn` picks its state, `turn_fn(runtime, uid, on)` changes it.

    `turn_fn` returns once the provider accepted the change; it raises an API error otherwise.
    The platform reads the state back afterwards either way.
    """

    is_on_fn: Callable[[D, str], bool | None]
    turn_fn: Callable[[R, str, bool], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's switches, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry, Platform.SWITCH, OpenPowerSwitch, async_add_entities
    )


class OpenPowerSwitch[D](OpenPowerEntity[D], SwitchEntity):
    """A switch whose state comes from the coordinator and whose changes go to the provider."""

    description_class = OpenPowerSwitchDescription
    entity_description: OpenPowerSwitchDescription[Any, D]

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.is_on_fn(self.coordinator.data, self._uid)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on; the state follows the provider's answer."""
        await self._async_change(self.entity_description.turn_fn, True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off; the state follows the provider's answer."""
        await self._async_change(self.entity_description.turn_fn, False)
