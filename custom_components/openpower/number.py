"""Numbers of every provider (charging current, limits), built from the provider's descriptions."""

from typing import Any, override

from homeassistant.components.number import NumberEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    OpenPowerEntity,
    OpenPowerNumberDescription,
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
    """Add the entry's numbers, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry,
        entry.runtime_data.provider.numbers,
        OpenPowerNumber,
        async_add_entities,
    )


class OpenPowerNumber[D](OpenPowerEntity[D], NumberEntity):
    """A number whose value comes from the coordinator and whose changes go to the provider."""

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
        entry = self.coordinator.config_entry
        async with api_errors_as_ha(self.hass, entry):
            await self.entity_description.set_fn(
                entry.runtime_data.runtime, self._uid, value
            )
