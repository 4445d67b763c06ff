"""The binary sensor of each "Cheap window" subentry, on a device of its own under the site's.

Sensors of subentries added later appear without a reload (the entry's change signal); a removed
subentry's entity goes with it (Home Assistant clears the subentry from the entity registry).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .cheap_window import CheapWindowPlan, CheapWindowSettings
from .const import SUBENTRY_CHEAP_WINDOW
from .coordinator import AmberPriceCoordinator, AmberPricePoint
from .devices import cheap_window_device
from .runtime import AmberRuntime

ATTR_INTERVALS: Final = "intervals"


class CheapWindowBinarySensor(
    CoordinatorEntity[AmberPriceCoordinator], BinarySensorEntity
):
    """On while one of the window's chosen intervals (general channel) is under way."""

    _attr_has_entity_name = True
    _attr_translation_key = "cheap_window"
    _unrecorded_attributes = frozenset({ATTR_INTERVALS})

    def __init__(
        self, coordinator: AmberPriceCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Bind the sensor to the site's prices and the subentry's settings."""
        super().__init__(coordinator)
        self._plan: CheapWindowPlan[AmberPricePoint] = CheapWindowPlan(
            CheapWindowSettings.from_subentry(subentry.data)
        )
        device = cheap_window_device(coordinator.data.device, subentry)
        self._attr_unique_id = device.uid
        self._attr_device_info = device.device_info(
            coordinator.hass, coordinator.config_entry.entry_id
        )
        self._cancel_timer: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Choose from the prices at hand, and stop the timer when removed."""
        await super().async_added_to_hass()
        self.async_on_remove(self._async_stop_timer)
        self._async_choose()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._async_choose()
        super()._handle_coordinator_update()

    @callback
    def _async_choose(self) -> None:
        """Choose again, and wake up at the next start, end or deadline."""
        now = dt_util.utcnow()
        if (general := self.coordinator.data.general) is not None:
            self._plan.update((general.current, *general.forecasts), now)
        self._async_stop_timer()
        if (when := self._plan.next_change(now)) is not None:
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_at_change, when
            )

    @callback
    def _async_at_change(self, _now: datetime) -> None:
        self._cancel_timer = None
        self._async_choose()
        self.async_write_ha_state()

    @callback
    def _async_stop_timer(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    @property
    @override
    def available(self) -> bool:
        """Unavailable while prices fail, and at a site without a general channel."""
        return super().available and self.coordinator.data.general is not None

    @property
    @override
    def is_on(self) -> bool:
        """Whether a chosen interval is under way."""
        return self._plan.is_on(dt_util.utcnow())

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """The next window (or the one under way), the deadline, and every chosen interval."""
        window = self._plan.next_window(dt_util.utcnow())
        choice = self._plan.choice
        return {
            "next_start": window.start.isoformat() if window else None,
            "next_end": window.end.isoformat() if window else None,
            "average_price": round(window.average_price, 5) if window else None,
            "covers_deadline": choice.covers_deadline,
            "deadline": self._plan.deadline.isoformat()
            if self._plan.deadline
            else None,
            ATTR_INTERVALS: [
                {
                    "start": interval.start.isoformat(),
                    "end": interval.end.isoformat(),
                    "price": round(interval.price, 5),
                }
                for interval in choice.intervals
            ],
        }


@callback
def async_add_cheap_windows(
    entry: ConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a sensor per cheap-window subentry, now and whenever one is added."""
    runtime: AmberRuntime = entry.runtime_data.runtime
    added: set[str] = set()

    @callback
    def add_new() -> None:
        for subentry in entry.subentries.values():
            if (
                subentry.subentry_type != SUBENTRY_CHEAP_WINDOW
                or subentry.subentry_id in added
            ):
                continue
            added.add(subentry.subentry_id)
            async_add_entities(
                [CheapWindowBinarySensor(runtime.prices, subentry)],
                config_subentry_id=subentry.subentry_id,
            )

    @callback
    def entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        # Not an update listener: the options flow reloads by itself, and Home Assistant
        # refuses update listeners beside it.
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            add_new()

    add_new()
    entry.async_on_unload(
        async_dispatcher_connect(
            runtime.prices.hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed
        )
    )
