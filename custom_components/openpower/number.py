"""Numbers of every provider (charging current, limits), built from the provider's descriptions."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.number import NumberEntity, NumberEntityDescription
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
class OpenPowerNumberDescription[R, D](
    NumberEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A number: `value_fn` picks it, `max_fn` bounds it, `set_fn(runtime, uid, value)` sets it.

    `set_fn` returns once the provider accepted the change; it raises an API error otherwise.
    The platform reads the state back afterwards either way.
    """

    value_fn: Callable[[D, str], float | None]
    set_fn: Callable[[R, str, float], Awaitable[None]]
    max_fn: Callable[[D, str], float] | None = None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's numbers, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry, Platform.NUMBER, OpenPowerNumber, async_add_entities
    )


class OpenPowerNumber[D](OpenPowerEntity[D], NumberEntity):
    """A number whose value comes from the coordinator and whose changes go to the provider."""

    description_class = OpenPowerNumberDescription
    entity_description: OpenPowerNumberDescription[Any, D]

    @property
    @override
    def native_value(self) -> float | None:
        """Return the value."""
        return self.entity_description.value_fn(self.coordinator.data, self._uid)

    @property
    @override
    def native_max_value(self) -> float:
        """Return the highest value the device accepts now."""
        if (max_fn := self.entity_description.max_fn) is None:
            return super().native_max_value
        return max_fn(self.coordinator.data, self._uid)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the value; the state follows the provider's answer."""
        await self._async_change(self.entity_description.set_fn, value)
