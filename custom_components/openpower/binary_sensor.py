"""Binary sensors of every provider, built from the descriptions the entry's provider declares."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import OpenPowerConfigEntry
from .entity import (
    OpenPowerEntity,
    OpenPowerEntityDescription,
    async_add_entities_when_seen,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OpenPowerBinarySensorDescription[R, D](
    BinarySensorEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A binary sensor: `is_on_fn` picks its state (None is unknown)."""

    is_on_fn: Callable[[D, str], bool | None]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's binary sensors, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry, Platform.BINARY_SENSOR, OpenPowerBinarySensor, async_add_entities
    )


class OpenPowerBinarySensor[D](OpenPowerEntity[D], BinarySensorEntity):
    """A binary sensor whose state its description picks from the coordinator's data."""

    description_class = OpenPowerBinarySensorDescription
    entity_description: OpenPowerBinarySensorDescription[Any, D]

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        return self.entity_description.is_on_fn(self.coordinator.data, self._uid)
