"""Times of day of every provider (charge and discharge windows), built from its descriptions."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from typing import Any, override

from homeassistant.components.time import TimeEntity, TimeEntityDescription
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
class OpenPowerTimeDescription[R, D](
    TimeEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A time of day: `value_fn` picks it, `set_fn(runtime, uid, value)` sets it.

    `set_fn` returns once the provider accepted the change; it raises an API error otherwise.
    The platform reads the state back afterwards either way.
    """

    value_fn: Callable[[D, str], time | None]
    set_fn: Callable[[R, str, time], Awaitable[None]]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's times, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry, Platform.TIME, OpenPowerTime, async_add_entities
    )


class OpenPowerTime[D](OpenPowerEntity[D], TimeEntity):
    """A time whose value comes from the coordinator and whose changes go to the provider."""

    description_class = OpenPowerTimeDescription
    entity_description: OpenPowerTimeDescription[Any, D]

    @property
    @override
    def native_value(self) -> time | None:
        """Return the time."""
        return self.entity_description.value_fn(self.coordinator.data, self._uid)

    @override
    async def async_set_value(self, value: time) -> None:
        """Set the time; the state follows the provider's answer."""
        await self._async_change(self.entity_description.set_fn, value)
