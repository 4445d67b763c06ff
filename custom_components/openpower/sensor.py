"""Sensors of every provider, built from the provider's descriptions."""

from datetime import date, datetime
from typing import Any, override

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import ATTR_FORECASTS
from .entity import (
    OpenPowerEntity,
    OpenPowerSensorDescription,
    async_add_entities_when_seen,
)
from .provider import OpenPowerConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's sensors, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry,
        entry.runtime_data.provider.sensors,
        OpenPowerSensor,
        async_add_entities,
    )


class OpenPowerSensor[D](OpenPowerEntity[D], SensorEntity):
    """A sensor whose state its description picks from the coordinator's data."""

    # Forecast lists are for automations reading the current state, not for history: kept out
    # of the recorder (they would exceed its 16 kB attribute limit).
    _unrecorded_attributes = frozenset({ATTR_FORECASTS})
    entity_description: OpenPowerSensorDescription[Any, D]

    @property
    @override
    def native_value(self) -> StateType | datetime | date:
        """Return the state."""
        return self.entity_description.value_fn(self.coordinator.data, self._uid)
