"""Entity base, device references and the descriptions every platform is built from.

A provider describes its entities as data (descriptions with `*_fn` callables); the platforms hold
no provider logic. An entity's unique id is `<device uid>_<description key>`, where the device uid
is `<provider>_<stable native id>`, so names and titles can change freely.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, override

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.number import NumberEntityDescription
from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import OpenPowerCoordinator

if TYPE_CHECKING:
    from .provider import OpenPowerConfigEntry


@dataclass(frozen=True, kw_only=True, slots=True)
class DeviceRef:
    """A device as a provider sees it; `uid` is `<provider>_<stable native id>`."""

    uid: str
    name: str
    manufacturer: str
    model: str | None = None
    model_id: str | None = None
    serial_number: str | None = None
    sw_version: str | None = None
    hw_version: str | None = None
    configuration_url: str | None = None
    service: bool = False
    parent: str | None = None

    def device_info(self, hass: HomeAssistant, entry_id: str) -> DeviceInfo:
        """Build the registry entry; a child is linked to its parent by registry id."""
        info = DeviceInfo(
            identifiers={(DOMAIN, self.uid)},
            name=self.name,
            manufacturer=self.manufacturer,
            model=self.model,
            model_id=self.model_id,
            serial_number=self.serial_number,
            sw_version=self.sw_version,
            hw_version=self.hw_version,
            configuration_url=self.configuration_url,
        )
        if self.service:
            info["entry_type"] = DeviceEntryType.SERVICE
        if self.parent is not None:
            info["via_device_id"] = dr.async_get_device_id_by_identifier(
                hass, (DOMAIN, self.parent), config_entry_id=entry_id
            )
        return info


@dataclass(frozen=True, kw_only=True)
class OpenPowerEntityDescription[R, D](EntityDescription):
    """Where an entity's data comes from: one coordinator, one device, one field.

    `R` is the provider's runtime data, `D` the coordinator's data. Every `*_fn` gets the data and
    the device uid, and only picks: parsing and conversion happen before, in `api/` and the
    coordinator.
    """

    coordinator_fn: Callable[[R], OpenPowerCoordinator[D]]
    devices_fn: Callable[[D], Iterable[DeviceRef]]
    exists_fn: Callable[[D, str], bool] = lambda _data, _uid: True
    attributes_fn: Callable[[D, str], Mapping[str, Any] | None] | None = None


@dataclass(frozen=True, kw_only=True)
class OpenPowerSensorDescription[R, D](
    SensorEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A sensor: `value_fn` picks its state."""

    value_fn: Callable[[D, str], StateType | datetime | date]


@dataclass(frozen=True, kw_only=True)
class OpenPowerBinarySensorDescription[R, D](
    BinarySensorEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A binary sensor: `is_on_fn` picks its state (None is unknown)."""

    is_on_fn: Callable[[D, str], bool | None]


@dataclass(frozen=True, kw_only=True)
class OpenPowerSwitchDescription[R, D](
    SwitchEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A switch: `is_on_fn` picks its state, `turn_fn(runtime, uid, on)` changes it.

    `turn_fn` returns once the provider accepted the change and the coordinator holds the
    provider's answer; it raises an API error otherwise (the state stays as it was).
    """

    is_on_fn: Callable[[D, str], bool | None]
    turn_fn: Callable[[R, str, bool], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class OpenPowerNumberDescription[R, D](
    NumberEntityDescription, OpenPowerEntityDescription[R, D]
):
    """A number: `value_fn` picks it, `max_fn` bounds it, `set_fn(runtime, uid, value)` sets it."""

    value_fn: Callable[[D, str], float | None]
    set_fn: Callable[[R, str, float], Awaitable[None]]
    max_fn: Callable[[D, str], float] | None = None


class OpenPowerEntity[D](CoordinatorEntity[OpenPowerCoordinator[D]]):
    """Base of every OpenPower entity."""

    _attr_has_entity_name = True
    entity_description: OpenPowerEntityDescription[Any, D]

    def __init__(
        self,
        coordinator: OpenPowerCoordinator[D],
        description: OpenPowerEntityDescription[Any, D],
        device: DeviceRef,
    ) -> None:
        """Bind the entity to its coordinator, description and device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._uid = device.uid
        self._attr_unique_id = f"{device.uid}_{description.key}"
        self._attr_device_info = device.device_info(
            coordinator.hass, coordinator.config_entry.entry_id
        )

    @property
    @override
    def available(self) -> bool:
        """Unavailable when the coordinator failed or the data no longer has this entity."""
        return super().available and self.entity_description.exists_fn(
            self.coordinator.data, self._uid
        )

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Attributes the description picks, if any."""
        if (attributes_fn := self.entity_description.attributes_fn) is None:
            return None
        return attributes_fn(self.coordinator.data, self._uid)


@callback
def async_add_entities_when_seen[E: OpenPowerEntity[Any]](
    entry: OpenPowerConfigEntry,
    descriptions: Iterable[OpenPowerEntityDescription[Any, Any]],
    entity_factory: Callable[[OpenPowerCoordinator[Any], Any, DeviceRef], E],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity for every (device, description) the data has, now and after each update.

    Devices and channels that appear later get their entities on the update that brings them
    (dynamic devices); nothing is added twice.
    """
    runtime = entry.runtime_data.runtime
    seen: set[tuple[str, str]] = set()
    groups: dict[
        OpenPowerCoordinator[Any], list[OpenPowerEntityDescription[Any, Any]]
    ] = {}
    for description in descriptions:
        groups.setdefault(description.coordinator_fn(runtime), []).append(description)

    @callback
    def add_new(
        coordinator: OpenPowerCoordinator[Any],
        group: list[OpenPowerEntityDescription[Any, Any]],
    ) -> None:
        if coordinator.data is None:
            return
        new = []
        for description in group:
            for device in description.devices_fn(coordinator.data):
                key = (device.uid, description.key)
                if key in seen or not description.exists_fn(
                    coordinator.data, device.uid
                ):
                    continue
                seen.add(key)
                new.append(entity_factory(coordinator, description, device))
        if new:
            async_add_entities(new)

    for coordinator, group in groups.items():
        add_new(coordinator, group)
        entry.async_on_unload(
            coordinator.async_add_listener(partial(add_new, coordinator, group))
        )
