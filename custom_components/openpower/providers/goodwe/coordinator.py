"""GoodWe coordinators: the station list, the power flow, and the devices, each at its cadence.

Cadences (`const.py`: slower than peers' 60 s and 5 minutes, which would pass 2,000 requests a
day for a hybrid station): the station flow every 90 s; the device list, each device's telemetry
and its lifetime counters every 10 minutes; the station list (name, time zone) every 6 hours.
The daily statistics are `history.py`'s.

Failures, beyond the shell's policy (`coordinator.py`):

- a session refused (`100002`, `C0602`) is logged in again once by the client; only a second
  refusal, or rejected credentials (`100005`), reaches the shell, which starts reauth;
- `GY0429` pauses the account's budget for 300 s, doubling while it repeats (the client), and
  every cadence that meets it (or the budget holding its read) runs at half speed for the next
  hour (`SLOW_DOWN_FOR`); meanwhile, and through an empty `data` (the 2026-09-23 break) or an answer whose shape
  changed, the previous values stay while younger than `STALE_AFTER`, then the entities go
  unavailable. The shell logs the first kept answer once, naming the error (what changed), and
  once more when valid data is back;
- `100025` (no access to the station) raises the `goodwe_station_access` repair, cleared by the
  next answer; the entities go unavailable (the data is not the station's any more). A `100025`
  on one device's telemetry or counters (a visitor account may not see every device) makes only
  that device's entities unavailable, logged once when it starts and once when it ends: the
  device stays registered, and the rest of the station is read as before.

A lifetime counter never goes backwards: SEMS+ replays the previous day's counters for minutes
after midnight and drops them transiently (§9.1–9.2). The last value of each counter is kept (and
stored, so a restart at midnight does not count a replay as a reset); a lower one is ignored, with
a debug line.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, Final, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.errors import ApiRateLimitedError, ApiRejectedError, ApiResponseError
from ...api.goodwe import (
    Counters,
    Device,
    DeviceKind,
    Flow,
    GoodWeClient,
    Station,
    StationAccessError,
    Telemetry,
)
from ...const import DOMAIN, LOGGER
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from .const import (
    CONF_GATEWAY,
    CONF_STATION_ID,
    DEVICES_INTERVAL,
    FLOW_INTERVAL,
    ISSUE_STATION_ACCESS,
    SLOW_DOWN_FOR,
    STALE_AFTER,
    STATION_INTERVAL,
)
from .devices import SHOWN_KINDS, equipment_device, serial_of, station_device

STATION_STATUSES: Final = {
    "1": "working",
    "0": "waiting",
    "2": "fault",
    "-1": "offline",
}
"""SEMS+ station status (§5.1: "1" and "0" captured, "2" and "-1" inferred) → sensor state."""
COUNTED_KINDS: Final = frozenset({DeviceKind.INVERTER, DeviceKind.METER})
"""Devices with lifetime counters (`telecounting`): SEMS+ answers none for a battery."""
_STORE_VERSION: Final = 1


@callback
def follow_gateway(
    hass: HomeAssistant, entry: OpenPowerConfigEntry, client: GoodWeClient
) -> None:
    """Store the gateway a new login gave, so the next start uses it at once."""
    gateway = client.gateway
    if gateway is not None and entry.data.get(CONF_GATEWAY) != gateway:
        LOGGER.info("%s: SEMS+ moved the account to another gateway", entry.title)
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_GATEWAY: gateway}
        )


class GoodWeCoordinator[T](OpenPowerCoordinator[T]):
    """Reads one cadence of one station; a subclass writes `_async_read`."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: GoodWeClient,
        *,
        name: str,
        update_interval: timedelta,
    ) -> None:
        """Create the coordinator of the entry's station."""
        super().__init__(hass, entry, name=name, update_interval=update_interval)
        self.client = client
        self.station_id: str = entry.data[CONF_STATION_ID]
        self._fetched_at: datetime | None = None
        self._interval = update_interval
        self._slow_until: datetime | None = None

    async def _async_read(self) -> T:
        """Fetch and select this cadence's data."""
        raise NotImplementedError

    @override
    async def _async_fetch(self) -> T:
        try:
            data = await self._async_read()
        except StationAccessError:
            self.async_set_issue(ISSUE_STATION_ACCESS, True)
            raise
        except ApiRateLimitedError:
            self._slow_down()
            raise
        finally:
            follow_gateway(self.hass, self.config_entry, self.client)
        self.async_set_issue(ISSUE_STATION_ACCESS, False)
        self._fetched_at = dt_util.utcnow()
        if self._slow_until is not None and self._fetched_at >= self._slow_until:
            LOGGER.info(
                "%s: no throttling for an hour; back to every %s",
                self.name,
                self._interval,
            )
            self._slow_until = None
            self.update_interval = self._interval
        return data

    def _slow_down(self) -> None:
        """Run at half speed until an hour after this sign of throttling."""
        if self._slow_until is None:
            LOGGER.info(
                "%s: SEMS+ or the account's budget throttles; every %s for an hour",
                self.name,
                2 * self._interval,
            )
        self._slow_until = dt_util.utcnow() + SLOW_DOWN_FOR
        self.update_interval = 2 * self._interval

    @override
    def _reuse(
        self, previous: T, error: ApiResponseError | ApiRateLimitedError
    ) -> T | None:
        # A refusal (100025, an unknown code) is no reason to believe the old values.
        if isinstance(error, ApiRejectedError) or self._fetched_at is None:
            return None
        return previous if dt_util.utcnow() - self._fetched_at < STALE_AFTER else None


class GoodWeStationCoordinator(GoodWeCoordinator[Station]):
    """The entry's station as the account's station list shows it, every 6 hours."""

    def __init__(
        self, hass: HomeAssistant, entry: OpenPowerConfigEntry, client: GoodWeClient
    ) -> None:
        """Create the coordinator."""
        super().__init__(
            hass, entry, client, name="station", update_interval=STATION_INTERVAL
        )

    @override
    async def _async_read(self) -> Station:
        for station in await self.client.async_stations():
            if station.id == self.station_id:
                return station
        # Not in the list: the account lost the station (as SEMS+ says 100025 for it).
        raise StationAccessError("goodwe stations: the station is not listed", "100025")

    @override
    def _reuse(
        self, previous: Station, error: ApiResponseError | ApiRateLimitedError
    ) -> Station | None:
        # A name and a time zone six hours old are still right.
        return None if isinstance(error, ApiRejectedError) else previous


def _reported(value: Flow | Telemetry | Counters) -> frozenset[str]:
    """Return the names of a dataclass's fields that hold a value."""
    return frozenset(
        f.name for f in fields(value) if getattr(value, f.name) is not None
    )


@dataclass(frozen=True, slots=True)
class StationFlow:
    """The station's power flow now."""

    station: Station
    flow: Flow
    status: str | None
    """`STATION_STATUSES` value; None for a status SEMS+ did not send or no table has."""
    reported: frozenset[str]
    """`Flow` fields SEMS+ has sent since setup (a PV-only station never sends the battery's)."""

    def devices(self) -> tuple[DeviceRef, ...]:
        """Return the station device."""
        return (station_device(self.station),)

    def has(self, field: str) -> bool:
        """Whether the station has reported `field` (its sensor exists)."""
        return field in self.reported


class GoodWeFlowCoordinator(GoodWeCoordinator[StationFlow]):
    """The station's power flow, every `FLOW_INTERVAL`."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: GoodWeClient,
        station: GoodWeStationCoordinator,
    ) -> None:
        """Create the coordinator."""
        super().__init__(
            hass, entry, client, name="flow", update_interval=FLOW_INTERVAL
        )
        self.station = station
        self._reported: frozenset[str] = frozenset()

    @override
    async def _async_read(self) -> StationFlow:
        flow = await self.client.async_flow(self.station_id)
        self._reported |= _reported(flow)
        status = STATION_STATUSES.get(flow.status) if flow.status is not None else None
        if flow.status is not None and status is None:
            LOGGER.debug("%s: unknown station status %r", self.name, flow.status)
        return StationFlow(
            station=self.station.data,
            flow=flow,
            status=status,
            reported=self._reported,
        )


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """A device's live values and lifetime counters (None: it has none)."""

    device: Device
    telemetry: Telemetry
    counters: Counters | None


@dataclass(frozen=True, slots=True)
class GoodWeDevices:
    """The station's inverters, batteries and meters, by serial."""

    station: Station
    listed: Mapping[str, Device]
    """Every device the station lists (its device stays registered while it is listed)."""
    readings: Mapping[str, DeviceReading]
    """The listed devices that were read (not those SEMS+ refused to this account)."""
    reported: frozenset[tuple[str, str]]
    """(serial, field) pairs SEMS+ has sent since setup: telemetry and counter fields, and
    `pv<n>` for each PV string."""

    def devices(self) -> list[DeviceRef]:
        """Return the equipment devices."""
        return [
            equipment_device(self.station, device) for device in self.listed.values()
        ]

    def of(self, uid: str) -> DeviceReading:
        """Return the reading of a device uid."""
        return self.readings[serial_of(uid)]

    def is_kind(self, uid: str, kind: DeviceKind) -> bool:
        """Whether the device of `uid` is there and is a `kind`."""
        reading = self.readings.get(serial_of(uid))
        return reading is not None and reading.device.kind is kind

    def has(self, uid: str, field: str) -> bool:
        """Whether the device of `uid` is there and has reported `field`."""
        serial = serial_of(uid)
        return serial in self.readings and (serial, field) in self.reported

    def diagnostics(self) -> dict[str, Any]:
        """Return the readings by position and kind (serials are keys: not shown)."""
        readings: dict[str, Any] = {
            f"{reading.device.kind.value}_{index}": reading
            for index, reading in enumerate(self.readings.values())
        }
        if refused := len(self.listed) - len(self.readings):
            readings["refused_devices"] = refused
        return readings


class GoodWeDevicesCoordinator(GoodWeCoordinator[GoodWeDevices]):
    """The device list, each device's telemetry and counters, every `DEVICES_INTERVAL`."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: GoodWeClient,
        station: GoodWeStationCoordinator,
    ) -> None:
        """Create the coordinator."""
        super().__init__(
            hass, entry, client, name="devices", update_interval=DEVICES_INTERVAL
        )
        self.station = station
        self._reported: frozenset[tuple[str, str]] = frozenset()
        self._refused: set[str] = set()
        self._lifetime: dict[str, dict[str, float]] = {}
        self._store: Store[dict[str, dict[str, float]]] = counters_store(
            hass, entry.entry_id
        )

    async def async_load_stored(self) -> None:
        """Start from the counters stored before a restart."""
        self._lifetime = await self._store.async_load() or {}

    @override
    async def _async_read(self) -> GoodWeDevices:
        listed: dict[str, Device] = {}
        readings: dict[str, DeviceReading] = {}
        reported = set(self._reported)
        changed = False
        for device in await self.client.async_devices(self.station_id):
            if device.kind not in SHOWN_KINDS:
                continue
            listed[device.sn] = device
            try:
                telemetry = await self.client.async_telemetry(
                    self.station_id, device.sn, device.device_type
                )
                counters = None
                if device.kind in COUNTED_KINDS:
                    counters = await self.client.async_counters(
                        self.station_id, device.sn, device.device_type
                    )
            except StationAccessError:
                self._refuse(device, True)
                continue
            self._refuse(device, False)
            if counters is not None:
                counters, moved = self._forward(device.sn, counters)
                changed |= moved
                reported |= {(device.sn, name) for name in _reported(counters)}
            reported |= {(device.sn, name) for name in _reported(telemetry)}
            reported |= {(device.sn, f"pv{s.index}") for s in telemetry.pv_strings}
            readings[device.sn] = DeviceReading(device, telemetry, counters)
        if changed:
            await self._store.async_save(self._lifetime)
        self._reported = frozenset(reported)
        return GoodWeDevices(
            station=self.station.data,
            listed=listed,
            readings=readings,
            reported=self._reported,
        )

    def _refuse(self, device: Device, refused: bool) -> None:
        """Log once when SEMS+ starts and stops refusing this account a device's data."""
        if refused == (device.sn in self._refused):
            return
        if refused:
            self._refused.add(device.sn)
            LOGGER.warning(
                "%s: SEMS+ refuses this account the data of the %s …%s (100025); its "
                "entities are unavailable until it answers again",
                self.name,
                device.kind.value,
                device.sn[-3:],
            )
        else:
            self._refused.discard(device.sn)
            LOGGER.info(
                "%s: SEMS+ answers the %s …%s again",
                self.name,
                device.kind.value,
                device.sn[-3:],
            )

    def _forward(self, serial: str, counters: Counters) -> tuple[Counters, bool]:
        """Return `counters` with no value below the last one seen; and whether one rose."""
        last = self._lifetime.setdefault(serial, {})
        kept: dict[str, float] = {}
        moved = False
        for field in fields(counters):
            value = getattr(counters, field.name)
            if value is None:
                continue
            previous = last.get(field.name)
            if previous is not None and value < previous:
                # Midnight replay or a transient dip (§9.1-2): never a reset.
                LOGGER.debug(
                    "%s: %s of …%s went back from %s to %s kWh; %s kept",
                    self.name,
                    field.name,
                    serial[-3:],
                    previous,
                    value,
                    previous,
                )
                kept[field.name] = previous
            elif previous != value:
                last[field.name] = value
                moved = True
        return replace(counters, **kept), moved

    def diagnostics(self) -> dict[str, Any]:
        """Return how many counters are guarded (their serials are keys: not shown)."""
        return {"guarded_counters": sum(len(c) for c in self._lifetime.values())}


def counters_store(
    hass: HomeAssistant, entry_id: str
) -> Store[dict[str, dict[str, float]]]:
    """Return where one entry's last lifetime counters are kept."""
    return Store(hass, _STORE_VERSION, f"{DOMAIN}.goodwe_{entry_id}_counters")
