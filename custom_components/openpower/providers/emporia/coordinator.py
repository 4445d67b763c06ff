"""Emporia coordinators: the device tree, device status, 1-minute power, and hourly history.

Sign convention (documented in the README): Emporia reports energy per channel over a window. The
mains channel is positive when importing from the grid and negative when exporting; a
bidirectional channel (solar, battery) is negative while it produces. Power sensors keep those
signs. An ordinary circuit is a load: a negative reading there is a clamp fitted backwards, so its
magnitude is used. Statistics hold positive quantities only: consumption, plus energy returned to
the grid (mains) or produced (bidirectional channels), each in its own statistic.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final, override

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.emporia import (
    BALANCE,
    Channel,
    Customer,
    Device,
    DeviceStatus,
    EmporiaClient,
)
from ...api.errors import ApiRateLimitedError, ApiResponseError
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from ...statistics import (
    IntervalReading,
    StatisticSpec,
    async_growth_since,
    async_import,
    async_last_hour,
)
from . import const
from .const import (
    CONF_SENSORS,
    DEVICES_INTERVAL,
    GAP_RETRY,
    HISTORY_LOOKBACK_HOURS,
    HISTORY_OFFSET,
    POWER_INTERVAL,
    PROVIDER,
    STATUS_INTERVAL,
    SensorSet,
)

_HOUR: Final = timedelta(hours=1)
_MINUTE: Final = timedelta(minutes=1)
# kWh in one minute → mean W over it.
_KWH_PER_MINUTE_TO_W: Final = 60_000
_MINUTES_KEPT: Final = timedelta(hours=3)
STALE_POWER: Final = timedelta(minutes=3)

MODELS: Final = {
    "VUE001": "Vue",
    "VUE002": "Vue 2",
    "VUE003": "Vue 3",
    "SSO001": "Smart Plug",
    "SSO002": "Smart Plug",
    "VVDN01": "EV Charger",
}

type ChannelId = tuple[int, str]
"""(device gid, channel number)."""


def device_uid(gid: int) -> str:
    """Return the device uid of an Emporia device."""
    return f"{PROVIDER}_{gid}"


def device_gid(uid: str) -> int:
    """Return the gid of a device uid."""
    return int(uid.removeprefix(f"{PROVIDER}_"))


def channel_key(number: str) -> str:
    """Return the id part of a channel: `mains`, `balance`, or `circuit_<n>`."""
    if number == "1,2,3":
        return "mains"
    if number == BALANCE:
        return "balance"
    return f"circuit_{number.replace(',', '_')}"


def device_ref(device: Device) -> DeviceRef:
    """Describe an Emporia device for the registry; nested devices hang under their parent."""
    return DeviceRef(
        uid=device_uid(device.gid),
        name=device.name or MODELS.get(device.model or "", "Emporia device"),
        manufacturer="Emporia Energy",
        model=MODELS.get(device.model or "", device.model),
        model_id=device.model,
        serial_number=device.serial,
        sw_version=device.firmware,
        configuration_url=const.APP_URL,
        parent=device_uid(device.parent_gid) if device.parent_gid else None,
    )


def measured_channels(customer: Customer) -> Iterator[tuple[Device, Channel]]:
    """Every channel with history (Balance is a difference Emporia computes, not measured)."""
    for device in customer.devices:
        for channel in device.channels:
            if channel.number != BALANCE:
                yield device, channel


def channels_by_id(customer: Customer) -> dict[ChannelId, Channel]:
    """Every channel of the account by (device gid, channel number)."""
    return {
        (device.gid, channel.number): channel
        for device in customer.devices
        for channel in device.channels
    }


def consumed(channel: Channel, kwh: float) -> float:
    """Return the consumption part of a signed reading (magnitude on ordinary circuits)."""
    if channel.is_mains or channel.bidirectional:
        return max(kwh, 0.0)
    return abs(kwh)


def shown_power(channel: Channel | None, kwh: float) -> float:
    """Mean power over one minute in W, signed per the module's convention."""
    watts = kwh * _KWH_PER_MINUTE_TO_W
    if channel is None or channel.is_mains or channel.bidirectional:
        return watts
    return abs(watts)


def statistic_specs(device: Device, channel: Channel) -> dict[str, StatisticSpec]:
    """Return the statistics of one channel: consumption, and returned or produced energy."""
    label = " ".join(
        part
        for part in (
            device.name or device.model,
            None if channel.is_mains else (channel.name or f"circuit {channel.number}"),
        )
        if part
    )
    quantities = {"energy_consumption": "consumption"}
    if channel.is_mains and is_monitor(device) and device.parent_gid is None:
        quantities["energy_return"] = "returned to grid"
    elif channel.bidirectional:
        quantities["energy_production"] = "production"
    return {
        quantity: StatisticSpec(
            provider=PROVIDER,
            point=f"{device.gid}_{channel_key(channel.number)}",
            quantity=quantity,
            name=f"{label} {name}",
            unit=UnitOfEnergy.KILO_WATT_HOUR,
            unit_class=EnergyConverter.UNIT_CLASS,
        )
        for quantity, name in quantities.items()
    }


def today_quantity(channel: Channel) -> str:
    """Return what a channel's "energy today" counts: production on solar, else consumption."""
    if channel.bidirectional and not channel.is_mains:
        return "energy_production"
    return "energy_consumption"


def is_monitor(device: Device) -> bool:
    """Whether a device measures circuits (a Vue), rather than one load (a plug, a charger)."""
    return device.outlet is None and device.charger is None and len(device.channels) > 1


def split(channel: Channel, kwh: float) -> dict[str, float]:
    """Split a signed reading into the positive quantities of `statistic_specs`."""
    parts = {"energy_consumption": consumed(channel, kwh)}
    if channel.is_mains:
        parts["energy_return"] = max(-kwh, 0.0)
    elif channel.bidirectional:
        parts["energy_production"] = max(-kwh, 0.0)
    return parts


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

    @override
    async def _async_fetch(self) -> EmporiaStatus:
        status = await self.client.async_get_status()
        return EmporiaStatus(layout=layout(self.devices.data), status=status)

    async def async_set_outlet(self, uid: str, on: bool) -> None:
        """Switch a plug and show Emporia's answer at once (the platform reads status after)."""
        status = self.data.status
        outlet = await self.client.async_set_outlet(status.outlets[device_gid(uid)], on)
        self.async_set_updated_data(
            replace(
                self.data,
                status=replace(
                    status, outlets={**status.outlets, outlet.device_gid: outlet}
                ),
            )
        )

    async def async_set_charger(
        self, uid: str, *, on: bool | None = None, rate: int | None = None
    ) -> None:
        """Change a charger and show Emporia's answer at once (the platform reads status after)."""
        status = self.data.status
        charger = await self.client.async_set_charger(
            status.chargers[device_gid(uid)], on=on, rate=rate
        )
        self.async_set_updated_data(
            replace(
                self.data,
                status=replace(
                    status, chargers={**status.chargers, charger.device_gid: charger}
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
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: EmporiaClient,
        devices: EmporiaDevicesCoordinator,
        status: EmporiaStatusCoordinator,
        *,
        history_days: int,
    ) -> None:
        """Create the coordinator; the first run imports `history_days` days."""
        super().__init__(hass, entry, name="history", update_interval=None)
        self.client = client
        self.devices = devices
        self.status = status
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
        stored = await self._stored_until(channels)
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
            else:
                self._gap_tried[key] = (now, last)
        for device, channel in channels:
            hours = readings.get((device.gid, channel.number))
            if not hours:
                continue
            end = await self._async_import(device, channel, hours)
            key = (device.gid, channel.number)
            covered[key] = max(covered.get(key, end), end)
        return await self._summary(channels, covered, now)

    async def _stored_until(
        self, channels: Iterable[tuple[Device, Channel]]
    ) -> dict[ChannelId, datetime | None]:
        """End of each channel's newest stored hour (None: nothing stored yet)."""
        stored: dict[ChannelId, datetime | None] = {}
        for device, channel in channels:
            spec = statistic_specs(device, channel)["energy_consumption"]
            last = await async_last_hour(self.hass, spec.statistic_id)
            stored[device.gid, channel.number] = last + _HOUR if last else None
        return stored

    async def async_load_stored(self) -> None:
        """Start from what is stored, before the first fetch (today's totals after a restart)."""
        channels = list(measured_channels(self.devices.data))
        stored = await self._stored_until(channels)
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

    async def _async_import(
        self, device: Device, channel: Channel, hours: Mapping[datetime, float]
    ) -> datetime:
        """Import a channel's hours, one import per run of consecutive hours; return the end."""
        specs = statistic_specs(device, channel)
        for run in _consecutive(sorted(hours)):
            for quantity, spec in specs.items():
                await async_import(
                    self.hass,
                    spec,
                    [
                        IntervalReading(
                            start=start,
                            duration=_HOUR,
                            value=split(channel, hours[start])[quantity],
                        )
                        for start in run
                    ],
                )
        return max(hours) + _HOUR

    async def _summary(
        self,
        channels: list[tuple[Device, Channel]],
        covered: dict[ChannelId, datetime],
        now: datetime,
    ) -> EmporiaHistory:
        day_start = dt_util.start_of_local_day(dt_util.as_local(now))
        ids = {
            (device.gid, channel.number): statistic_specs(device, channel)[
                today_quantity(channel)
            ].statistic_id
            for device, channel in channels
        }
        growth = await async_growth_since(self.hass, ids.values(), day_start)
        return EmporiaHistory(
            covered_until=covered,
            today={key: growth[statistic_id] for key, statistic_id in ids.items()},
            day_start=day_start,
        )


def answers(instant: datetime, window: datetime, asked: datetime) -> bool:
    """Whether a usage answer is for the window asked for.

    Emporia's answer carries the instant asked for (the 2026 captures) or, per PyEmVue's
    documentation, the window's start; an answer for another window is stale data that
    Emporia serves again, and is not counted as this window's.
    """
    return instant in (window, asked)


def _consecutive(hours: Iterable[datetime]) -> Iterator[list[datetime]]:
    run: list[datetime] = []
    for hour in hours:
        if run and hour - run[-1] != _HOUR:
            yield run
            run = []
        run.append(hour)
    if run:
        yield run


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
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="power", update_interval=POWER_INTERVAL)
        self.client = client
        self.devices = devices
        self.history = history
        self._minutes: dict[ChannelId, dict[datetime, float]] = {}
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
        watts: dict[ChannelId, float | None] = {}
        for key, kwh in usages.values.items():
            channel = channels.get(key)
            watts[key] = None if kwh is None else shown_power(channel, kwh)
            if (
                fresh
                and minute >= self._counted_from
                and kwh is not None
                and channel is not None
            ):
                self._minutes.setdefault(key, {})[minute] = split(channel, kwh)[
                    today_quantity(channel)
                ]
        for minutes in self._minutes.values():
            for start in [m for m in minutes if m < now - _MINUTES_KEPT]:
                del minutes[start]
        budget = self.client.budget
        return EmporiaPower(
            layout=layout(customer),
            instant=minute if fresh else usages.instant,
            watts=watts,
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
            if not answers(usages.instant, start, asked):
                continue
            for key, kwh in usages.values.items():
                if kwh is not None and (channel := channels.get(key)) is not None:
                    self._minutes.setdefault(key, {})[start] = split(channel, kwh)[
                        today_quantity(channel)
                    ]

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
            minutes = self._minutes.get(key, {})
            total = stored + sum(
                kwh for start, kwh in minutes.items() if start >= since
            )
            previous = self._today.get(key)
            if previous is not None and previous[0] == day_start:
                total = max(total, previous[1])
            self._today[key] = (day_start, total)
            totals[key] = total
        return totals


def circuit_ref(device: Device, channel: Channel) -> DeviceRef:
    """Describe a monitor's circuit: its own device under the monitor, named as in the app."""
    return DeviceRef(
        uid=f"{device_uid(device.gid)}_{channel_key(channel.number)}",
        name=channel.name or f"Circuit {channel.number}",
        manufacturer="Emporia Energy",
        model="Circuit",
        parent=device_uid(device.gid),
    )


def account_ref(customer_gid: int) -> DeviceRef:
    """Describe the account itself (a service device, where the request budget is shown)."""
    return DeviceRef(
        uid=f"{PROVIDER}_account_{customer_gid}",
        name="Emporia account",
        manufacturer="Emporia Energy",
        configuration_url=const.APP_URL,
        service=True,
    )


@dataclass(frozen=True, slots=True)
class EmporiaLayout:
    """Which entity reads which channel: (device uid, kind) → channel, and the devices."""

    channels: Mapping[tuple[str, str], ChannelId]
    """Kinds: `mains` and `balance` on a monitor, `circuit` on a circuit, plug or charger."""
    refs: Mapping[str, DeviceRef]
    account: DeviceRef


def layout(customer: Customer) -> EmporiaLayout:
    """Lay the account's channels out on devices.

    A plug or charger measures one thing: its only channel is the device itself. A monitor
    carries its mains and the unmonitored balance; each circuit is a device under it.
    """
    channels: dict[tuple[str, str], ChannelId] = {}
    refs: dict[str, DeviceRef] = {}
    for device in customer.devices:
        ref = device_ref(device)
        refs[ref.uid] = ref
        single = not is_monitor(device)
        for channel in device.channels:
            key = (device.gid, channel.number)
            if channel.is_mains:
                channels[ref.uid, "circuit" if single else "mains"] = key
            else:
                circuit = circuit_ref(device, channel)
                refs[circuit.uid] = circuit
                channels[circuit.uid, "circuit"] = key
        if not single:
            channels[ref.uid, "balance"] = (device.gid, BALANCE)
    account = account_ref(customer.gid)
    refs[account.uid] = account
    return EmporiaLayout(channels=channels, refs=refs, account=account)


def diagnostics(customer: Customer | None) -> dict[str, Any]:
    """Summarise the device tree without names or locations."""
    if customer is None:
        return {}
    return {
        "devices": [
            {
                "model": device.model,
                "firmware": device.firmware,
                "nested": device.parent_gid is not None,
                "channels": len(device.channels),
                "outlet": device.outlet is not None,
                "charger": device.charger is not None,
                "connected": device.connected,
            }
            for device in customer.devices
        ]
    }
