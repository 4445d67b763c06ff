"""Entity base, device references, and adding a provider's entities to any platform.

A provider describes its entities as data: per platform, a tuple of descriptions (each platform
module defines its description class) whose `*_fn` callables pick from a coordinator's data. An
entity's unique id is `<device uid>_<description key>`, where the device uid is
`<provider>_<stable native id>`, so names and titles can change freely.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import OpenPowerCoordinator
from .errors import api_errors_as_ha


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
    coordinator. `unrecorded_attributes` are attributes kept out of the recorder (long lists
    meant for automations, such as forecasts).
    """

    coordinator_fn: Callable[[R], OpenPowerCoordinator[D]]
    devices_fn: Callable[[D], Iterable[DeviceRef]]
    exists_fn: Callable[[D, str], bool] = lambda _data, _uid: True
    attributes_fn: Callable[[D, str], Mapping[str, Any] | None] | None = None
    unrecorded_attributes: frozenset[str] = frozenset()


class OpenPowerEntity[D](CoordinatorEntity[OpenPowerCoordinator[D]]):
    """Base of every OpenPower entity; each platform's class says which description it takes."""

    description_class: ClassVar[type[OpenPowerEntityDescription[Any, Any]]] = (
        OpenPowerEntityDescription
    )
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

    async def _async_change[V](
        self, change: Callable[[Any, str, V], Awaitable[None]], value: V
    ) -> None:
        """Send a change to the provider, then read the state back.

        The state shown afterwards is the provider's: an accepted change is confirmed by the
        refresh, a refused one leaves it as it was, and a change that timed out (which the
        provider may still have made) shows whatever the provider reports. The refresh is not
        debounced: a second change within seconds is read back too.
        """
        entry = self.coordinator.config_entry
        try:
            async with api_errors_as_ha(self.hass, entry):
                await change(entry.runtime_data.runtime, self._uid, value)
        finally:
            await self.coordinator.async_refresh()


@cache
def _entity_class[E: OpenPowerEntity[Any]](
    base: type[E], unrecorded: frozenset[str]
) -> type[E]:
    """Return `base`, or a subclass of it keeping `unrecorded` attributes out of the recorder.

    Home Assistant reads `_unrecorded_attributes` per class: one subclass per set, made once.
    """
    if not unrecorded:
        return base
    return type(
        base.__name__,
        (base,),
        {"_unrecorded_attributes": base._unrecorded_attributes | unrecorded},  # noqa: SLF001
    )


@callback
def async_add_entities_when_seen[E: OpenPowerEntity[Any]](
    entry: ConfigEntry,
    platform: Platform,
    entity_class: type[E],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity for every (device, description) the data has, now and after each update.

    The descriptions are those the entry's provider declares for `platform`. Devices and
    channels that appear later get their entities on the update that brings them (dynamic
    devices); nothing is added twice. The provider's `extra_entities` for the platform (one
    per subentry, say) are added here too.
    """
    data = entry.runtime_data
    runtime = data.runtime
    seen: set[tuple[str, str]] = set()
    groups: dict[
        OpenPowerCoordinator[Any], list[OpenPowerEntityDescription[Any, Any]]
    ] = {}
    for description in data.provider.entities.get(platform, ()):
        if not isinstance(description, entity_class.description_class):
            raise TypeError(
                f"{data.provider.key} declares {description.key} for {platform}, "
                f"which takes {entity_class.description_class.__name__}"
            )
        groups.setdefault(description.coordinator_fn(runtime), []).append(description)

    @callback
    def add_new(
        coordinator: OpenPowerCoordinator[Any],
        group: list[OpenPowerEntityDescription[Any, Any]],
    ) -> None:
        if coordinator.data is None:
            return
        new: list[E] = []
        for description in group:
            for device in description.devices_fn(coordinator.data):
                key = (device.uid, description.key)
                if key in seen or not description.exists_fn(
                    coordinator.data, device.uid
                ):
                    continue
                seen.add(key)
                factory = _entity_class(entity_class, description.unrecorded_attributes)
                new.append(factory(coordinator, description, device))
        if new:
            async_add_entities(new)

    for coordinator, group in groups.items():
        add_new(coordinator, group)
        entry.async_on_unload(
            coordinator.async_add_listener(partial(add_new, coordinator, group))
        )
    if (extra := data.provider.extra_entities.get(platform)) is not None:
        extra(entry, async_add_entities)
