"""Sensors of every provider, built from the descriptions the entry's provider declares."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, override

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .data import OpenPowerConfigEntry
from .entity import (
    OpenPowerEntity,
    OpenPowerEntityDescription,
    async_add_entities_when_seen,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OpenPowerSensorDescription[R, D](
    SensorEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A sensor: `value_fn` picks its state, `unit_fn` its unit where the data decides it.

    `unit_fn` is for what only the answer knows, such as the currency of an amount.
    `options_fn` gives an ENUM sensor's options where the data decides them (known values plus
    one the provider sent that no list has, such as a new tariff code); None: `options`.
    """

    value_fn: Callable[[D, str], StateType | datetime | date]
    unit_fn: Callable[[D, str], str | None] | None = None
    options_fn: Callable[[D, str], list[str] | None] | None = None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenPowerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's sensors, and those of devices that appear later."""
    async_add_entities_when_seen(
        entry, Platform.SENSOR, OpenPowerSensor, async_add_entities
    )


class OpenPowerSensor[D](OpenPowerEntity[D], SensorEntity):
    """A sensor whose state its description picks from the coordinator's data."""

    description_class = OpenPowerSensorDescription
    entity_description: OpenPowerSensorDescription[Any, D]

    @property
    @override
    def native_value(self) -> StateType | datetime | date:
        """Return the state."""
        return self.entity_description.value_fn(self.coordinator.data, self._uid)

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        """Return the unit: the description's, or the one the data gives."""
        if (unit_fn := self.entity_description.unit_fn) is None:
            return super().native_unit_of_measurement
        return unit_fn(self.coordinator.data, self._uid)

    @property
    @override
    def options(self) -> list[str] | None:
        """Return an ENUM sensor's options: the description's, or those the data gives."""
        if (options_fn := self.entity_description.options_fn) is None:
            return super().options
        return options_fn(self.coordinator.data, self._uid)
