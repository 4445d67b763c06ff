"""Emporia coordinators: the device tree, device status, 1-minute power, and hourly history.

Readings keep `Channel`'s sign convention (api/emporia): power as signed there, energy split
into positive quantities.
"""

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, override

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.emporia import (
    BALANCE,
    Channel,
    Charger,
    Customer,
    Device,
    DeviceStatus,
    EmporiaClient,
    Outlet,
    Usages,
)
from ...api.errors import ApiRateLimitedError, ApiResponseError
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from ...pricing import Pricer
from ...statistics import IntervalReading
from .const import (
    CHARGER_STATUSES,
    CONF_SENSORS,
    DEVICES_INTERVAL,
    GAP_RETRY,
    HISTORY_LOOKBACK_HOURS,
    HISTORY_OFFSET,
    POWER_INTERVAL,
    STATUS_INTERVAL,
    SensorSet,
)
from .devices import (
    ChannelId,
    EmporiaLayout,
    channels_by_id,
    device_gid,
    layout,
    measured_channels,
)
from .recent import RecentReadings
from .statistics import (
    async_import_hours,
    async_stored_since,
    async_stored_until,
    split,
    today_quantity,
    varies_in_time,
)

_HOUR: Final = timedelta(hours=1)
_MINUTE: Final = timedelta(minutes=1)
_QUARTER: Final = timedelta(minutes=15)
STALE_POWER: Final = timedelta(minutes=3)


class EmporiaDevicesCoordinator(OpenPowerCoordinator[Customer]):
    """The account's device tree, hourly: new devices appear, removed ones go."""

    def __init__(
        self, hass: HomeAssistant, entry: OpenPowerConfigEntry, client: EmporiaClient
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="devices", update_interval=DEVICES_INTERVAL)
        self.client = client

    @override
    async def _async_fetch(self) -> Customer:
        return await self.client.async_get_customer()

    @override
    def _reuse(
        self, previous: Customer, error: ApiResponseError | ApiRateLimitedError
    ) -> Customer | None:
        # The tree rarely changes: an hour-old one is still right, whatever the error.
        return previous


@dataclass(frozen=True, slots=True)
class EmporiaStatus:
    """Device status, with the layout that names its devices."""

    layout: EmporiaLayout
    status: DeviceStatus

    def chargers(self) -> list[DeviceRef]:
        """Return the devices that are chargers."""
        return self.layout.devices_of(self.status.chargers)

    def has_charger(self, uid: str) -> bool:
        """Whether the device is a charger."""
        return device_gid(uid) in self.status.chargers

    def charger(self, uid: str) -> Charger:
        """Return the charger of a device."""
        return self.status.chargers[device_gid(uid)]

    def charger_status(self, uid: str) -> str | None:
        """Return the charger's status, one of `CHARGER_STATUSES` (None for any other)."""
        status = (self.charger(uid).status or "").lower()
        return status if status in CHARGER_STATUSES else None

    def outlets(self) -> list[DeviceRef]:
        """Return the devices that are plugs."""
        return self.layout.devices_of(self.status.outlets)

    def has_outlet(self, uid: str) -> bool:
        """Whether the device is a plug."""
        return device_gid(uid) in self.status.outlets

    def outlet(self, uid: str) -> Outlet:
        """Return the relay of a plug."""
        return self.status.outlets[device_gid(uid)]


class EmporiaStatusCoordinator(OpenPowerCoordinator[EmporiaStatus]):
    """Connection, outlet and charger state, every 5 minutes and right after a write."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: EmporiaClient,
        devices: EmporiaDevicesCoordinator,
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="status", update_interval=STATUS_INTERVAL)
        self.client = client
        self.devices = devices
        self._write_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @override
    async def _async_fetch(self) -> EmporiaStatus:
        status = await self.client.async_get_status()
        return EmporiaStatus(layout=layout(self.devices.data), status=status)

    async def async_set_outlet(self, uid: str, on: bool) -> None:
        """Switch a plug and show Emporia's answer at once (the platform reads status after)."""
        async with self._write_locks[uid]:
            outlet = await self.client.async_set_outlet(self.data.outlet(uid), on)
            self._show(outlets={outlet.device_gid: outlet})

    async def async_set_charger(
        self, uid: str, *, on: bool | None = None, rate: int | None = None
    ) -> None:
        """Change a charger and show Emporia's answer at once (the platform reads status after).

        A charger PUT carries the whole state (on, current), not only what changes: two writes
        at once (the switch and the number are on different platforms, so `PARALLEL_UPDATES`
        does not order them) would each send the state from before the other and undo it.
        Writes to one device wait for each other, and each builds its body from the state
        after the one before (its answer, or a refresh that landed since).
        """
        async with self._write_locks[uid]:
            charger = await self.client.async_set_charger(
                self.data.charger(uid), on=on, rate=rate
            )
            self._show(chargers={charger.device_gid: charger})

    def _show(
        self,
        *,
        outlets: Mapping[int, Outlet] | None = None,
        chargers: Mapping[int, Charger] | None = None,
    ) -> None:
        """Show a write's answer over the newest data (a refresh may have landed meanwhile)."""
        status = self.data.status
        self.async_set_updated_data(
            replace(
                self.data,
                status=replace(
                    status,
                    outlets={**status.outlets, **(outlets or {})},
                    chargers={**status.chargers, **(chargers or {})},
                ),
            )
        )


@dataclass(frozen=True, slots=True)
class EmporiaHistory:
    """What is stored per channel: up to when, and today's consumption so far."""

    covered_until: Mapping[ChannelId, datetime]
    """End of the newest stored hour of each channel's consumption."""
    today: Mapping[ChannelId, float]
    """Energy (kWh) stored for each channel since local midnight (`today_quantity`)."""
    day_start: datetime


class EmporiaHistoryCoordinator(OpenPowerCoordinator[EmporiaHistory]):
    """Hourly history into statistics: 30 days at first, then the last complete hours.

    Steady state: one `getDeviceListUsages` 1H call per hour looked back (all devices at once).
    A channel behind by more than that (first setup, an outage, a device that was offline) is
    filled from `getChartUsage`, one patient request per channel, at most every `GAP_RETRY`
    while it brings nothing new. Hours Emporia has no value for are never stored as 0.

    Each hour is priced (`Pricer`) at the finest resolution known: its minutes when the power
    coordinator counted all 60, else, for a filled gap whose prices vary in time, the quarter
    hours of one more `getChartUsage` request (15MIN) over the same range. The energy stored
    is always the hourly value: the finer readings only weight the price.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: EmporiaClient,
        devices: EmporiaDevicesCoordinator,
        status: EmporiaStatusCoordinator,
        *,
        pricer: Pricer,
        recent: RecentReadings,
        history_days: int,
    ) -> None:
        """Create the coordinator; the first run imports `history_days` days."""
        super().__init__(hass, entry, name="history", update_interval=None)
        self.client = client
        self.devices = devices
        self.status = status
        self.pricer = pricer
        self.recent = recent
        self.history_days = history_days
        self._gap_tried: dict[ChannelId, tuple[datetime, datetime | None]] = {}

    @staticmethod
    def next_run(now: datetime) -> timedelta:
        """Time until the next run: a few minutes past the next hour.

        A run the timer fires a moment early (just before hh:03) is that hour's run: the next
        one is an hour later, not a moment later.
        """
        hour = now.replace(minute=0, second=0, microsecond=0)
        target = hour + HISTORY_OFFSET
        while target - now < _MINUTE:
            target += _HOUR
        return target - now

    @override
    async def _async_fetch(self) -> EmporiaHistory:
        now = dt_util.utcnow()
        self.update_interval = self.next_run(now)
        customer = self.devices.data
        channels = list(measured_channels(customer))
        newest = now.replace(minute=0, second=0, microsecond=0) - _HOUR
        recent = newest - (HISTORY_LOOKBACK_HOURS - 1) * _HOUR
        oldest = newest - timedelta(days=self.history_days) + _HOUR
        stored = await async_stored_until(self.hass, channels)
        covered = {key: until for key, until in stored.items() if until}
        behind: dict[ChannelId, tuple[Device, Channel, datetime, datetime | None]] = {}
        for device, channel in channels:
            until = stored[device.gid, channel.number]
            last = until - _HOUR if until else None
            if (until or oldest) < recent:
                # From the last stored hour on: it may have been stored while incomplete
                # (the device went offline in it, and uploads what it kept when back).
                due = max(last, oldest) if last else oldest
                behind[device.gid, channel.number] = (device, channel, due, last)
        readings = await self._recent_readings(customer, recent, newest)
        quarters: dict[ChannelId, list[IntervalReading]] = {}
        for key, (device, channel, due, last) in behind.items():
            # The recent hours of a channel that is behind are only stored together with the
            # hours before them: storing them alone would move the channel past its gap.
            readings.pop(key, None)
            if not self._may_fill(key, device, last, now):
                continue
            chart = await self.client.async_get_chart_usage(
                device.gid, channel.number, due, newest + _HOUR
            )
            filled = {
                chart.first_instant + index * _HOUR: kwh
                for index, kwh in enumerate(chart.values)
                if kwh is not None
            }
            if filled:
                readings[key] = filled
                self._gap_tried.pop(key, None)
                if varies_in_time(self.pricer):
                    quarters[key] = await self._quarters(
                        device, channel, due, newest + _HOUR
                    )
            else:
                self._gap_tried[key] = (now, last)
        for device, channel in channels:
            key = (device.gid, channel.number)
            hours = readings.get(key)
            if not hours:
                continue
            minutes = self.recent.full_hours(key, hours)
            by_minute = {reading.start.replace(minute=0) for reading in minutes}
            profile = minutes + [
                quarter
                for quarter in quarters.get(key, ())
                if quarter.start.replace(minute=0) not in by_minute
            ]
            end = await async_import_hours(self.pricer, device, channel, hours, profile)
            covered[key] = max(covered.get(key, end), end)
        return await self._summary(channels, covered, now)

    async def _quarters(
        self, device: Device, channel: Channel, start: datetime, end: datetime
    ) -> list[IntervalReading]:
        """Return a channel's signed quarter hours over [start, end) (those with a value)."""
        chart = await self.client.async_get_chart_usage(
            device.gid, channel.number, start, end, scale="15MIN"
        )
        return [
            IntervalReading(
                start=chart.first_instant + index * _QUARTER,
                duration=_QUARTER,
                value=kwh,
            )
            for index, kwh in enumerate(chart.values)
            if kwh is not None
        ]

    async def async_load_stored(self) -> None:
        """Start from what is stored, before the first fetch (today's totals after a restart)."""
        channels = list(measured_channels(self.devices.data))
        stored = await async_stored_until(self.hass, channels)
        self.async_set_updated_data(
            await self._summary(
                channels,
                {key: until for key, until in stored.items() if until},
                dt_util.utcnow(),
            )
        )

    def _may_fill(
        self, key: ChannelId, device: Device, last: datetime | None, now: datetime
    ) -> bool:
        """Whether to ask for a channel's gap now.

        Not while the device is offline, and not again soon after a request that brought
        nothing new for it.
        """
        if self.status.data is not None and (
            self.status.data.status.connected.get(device.gid) is False
        ):
            return False
        tried = self._gap_tried.get(key)
        return tried is None or tried[1] != last or now - tried[0] >= GAP_RETRY

    async def _recent_readings(
        self, customer: Customer, first: datetime, last: datetime
    ) -> dict[ChannelId, dict[datetime, float]]:
        readings: dict[ChannelId, dict[datetime, float]] = {}
        gids = [device.gid for device in customer.devices]
        hour = first
        while hour <= last:
            asked = hour + _HOUR / 2
            usages = await self.client.async_get_usages(gids, asked, "1H")
            if answers(usages.instant, hour, asked):
                for key, kwh in usages.values.items():
                    if kwh is not None and key[1] != BALANCE:
                        readings.setdefault(key, {})[hour] = kwh
            hour += _HOUR
        return readings

    async def _summary(
        self,
        channels: list[tuple[Device, Channel]],
        covered: dict[ChannelId, datetime],
        now: datetime,
    ) -> EmporiaHistory:
        day_start = dt_util.start_of_local_day(dt_util.as_local(now))
        return EmporiaHistory(
            covered_until=covered,
            today=await async_stored_since(self.hass, channels, day_start),
            day_start=day_start,
        )


def answers(instant: datetime, window: datetime, asked: datetime) -> bool:
    """Whether a usage answer is for the window asked for.

    Emporia's answer carries the instant asked for (the 2026 captures) or, per PyEmVue's
    documentation, the window's start; an answer for another window is stale data that
    Emporia serves again, and is not counted as this window's.
    """
    return instant in (window, asked)


@dataclass(frozen=True, slots=True)
class EmporiaPower:
    """The last minute of every channel, and energy consumed today."""

    layout: EmporiaLayout
    instant: datetime
    watts: Mapping[ChannelId, float | None]
    """Mean power of the last complete minute; None when Emporia had no value."""
    today: Mapping[ChannelId, float]
    """Energy (kWh) since local midnight (`today_quantity`); never decreases within the day."""
    requests_today: int
    """Requests the account made in the last 24 hours (all entries and cadences)."""
    sensor_sets: frozenset[str]
    """The optional sensor groups the user chose (options)."""

    def shows(self, sensor_set: SensorSet, uid: str, kind: str) -> bool:
        """Whether the user chose `sensor_set` and the device has a channel of `kind`."""
        return sensor_set in self.sensor_sets and (uid, kind) in self.layout.channels


class EmporiaPowerCoordinator(OpenPowerCoordinator[EmporiaPower]):
    """Every channel's power from one `getDeviceListUsages` 1MIN call a minute.

    Today's energy is what history stored since midnight plus the minutes after the newest
    stored hour. Each minute is counted once by its start, so a stale answer (Emporia repeating
    an old minute, across midnight too) adds nothing, and the total only grows during a day.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: EmporiaClient,
        devices: EmporiaDevicesCoordinator,
        history: EmporiaHistoryCoordinator,
        recent: RecentReadings,
    ) -> None:
        """Create the coordinator; it counts into `recent`, which history also reads."""
        super().__init__(hass, entry, name="power", update_interval=POWER_INTERVAL)
        self.client = client
        self.devices = devices
        self.history = history
        self.recent = recent
        self._today: dict[ChannelId, tuple[datetime, float]] = {}
        self._counted_from: datetime | None = None

    @override
    def _reuse(
        self, previous: EmporiaPower, error: ApiResponseError | ApiRateLimitedError
    ) -> EmporiaPower | None:
        # One unreadable answer keeps the last minute; power older than that is not power
        # now (Emporia once answered 400 for five hours): unavailable rather than stale.
        if (
            isinstance(error, ApiResponseError)
            and dt_util.utcnow() - previous.instant <= STALE_POWER
        ):
            return previous
        return None

    @override
    async def _async_fetch(self) -> EmporiaPower:
        customer = self.devices.data
        now = dt_util.utcnow().replace(microsecond=0)
        # 1MIN is the last complete minute before the instant asked for.
        minute = now.replace(second=0) - _MINUTE
        usages = await self.client.async_get_usages(
            [device.gid for device in customer.devices], now, "1MIN"
        )
        fresh = answers(usages.instant, minute, now)
        if self._counted_from is None:
            await self._count_unstored_hours(customer, now)
            self._counted_from = now
        channels = channels_by_id(customer)
        if fresh and minute >= self._counted_from:
            self._count(usages, minute, _MINUTE, channels)
        self.recent.prune(now)
        budget = self.client.budget
        return EmporiaPower(
            layout=layout(customer),
            instant=minute if fresh else usages.instant,
            watts=usages.minute_watts(channels),
            today=self._today_totals(now, channels),
            requests_today=budget.used()[0] if budget else 0,
            sensor_sets=frozenset(
                self.config_entry.options.get(CONF_SENSORS, list(SensorSet))
            ),
        )

    async def _count_unstored_hours(self, customer: Customer, now: datetime) -> None:
        """After a (re)start, count once what history has not stored yet today.

        That is this hour so far and, before history has stored it (the first minutes of an
        hour), the previous one: one `1H` request each, for every device. Minutes are counted
        from now on, so nothing is counted twice (at most a part of a minute is missed).
        """
        hour = now.replace(minute=0, second=0)
        history = self.history.data
        starts = [hour]
        if history is None or any(
            until < hour for until in history.covered_until.values()
        ):
            starts.insert(0, hour - _HOUR)
        channels = channels_by_id(customer)
        for start in starts:
            asked = now if start == hour else start + _HOUR / 2
            usages = await self.client.async_get_usages(
                [device.gid for device in customer.devices], asked, "1H"
            )
            if answers(usages.instant, start, asked):
                self._count(usages, start, _HOUR, channels)

    def _count(
        self,
        usages: Usages,
        start: datetime,
        duration: timedelta,
        channels: Mapping[ChannelId, Channel],
    ) -> None:
        """Count a window's readings toward today, once, under the window's start."""
        for key, kwh in usages.values.items():
            if kwh is not None and key in channels:
                self.recent.add(
                    key, IntervalReading(start=start, duration=duration, value=kwh)
                )

    def _today_totals(
        self, now: datetime, channels: Mapping[ChannelId, Channel]
    ) -> dict[ChannelId, float]:
        day_start = dt_util.start_of_local_day(dt_util.as_local(now))
        history = self.history.data
        totals: dict[ChannelId, float] = {}
        for key in channels:
            if key[1] == BALANCE:
                continue
            stored = 0.0
            since = day_start
            if history is not None and history.day_start == day_start:
                stored = history.today.get(key, 0.0)
                since = max(day_start, history.covered_until.get(key, day_start))
            channel = channels[key]
            total = stored + sum(
                split(channel, reading.value)[today_quantity(channel)]
                for reading in self.recent.since(key, since)
            )
            previous = self._today.get(key)
            if previous is not None and previous[0] == day_start:
                total = max(total, previous[1])
            self._today[key] = (day_start, total)
            totals[key] = total
        return totals
