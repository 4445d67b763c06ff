"""Binary sensors of every provider, built from the provider's descriptions."""

from typing import Any, override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import (
    OpenPowerBinarySensorDescription,
    OpenPowerEntity,
    async_add_entities_when_seen,
)
from .provider import OpenPowerConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's binary sensors, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry,
        entry.runtime_data.provider.binary_sensors,
        OpenPowerBinarySensor,
        async_add_entities,
    )


class OpenPowerBinarySensor[D](OpenPowerEntity[D], BinarySensorEntity):
    """A binary sensor whose state its description picks from the coordinator's data."""

    entity_description: OpenPowerBinarySensorDescription[Any, D]

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.is_on_fn(self.coordinator.data, self._uid)
