"""Emporia statistics: every measured channel's hours, as positive quantities.

Ids are `openpower:emporia_<device gid>_<channel>_<quantity>`. Each channel has its consumption;
the top monitor's mains also the energy returned to the grid, a bidirectional channel (solar,
battery) also its production. `Channel` (api/emporia) splits a signed reading into them.

With a price source, consumption (circuits too: what each load cost) gets a cost statistic and
returned energy a compensation statistic beside it (`pricing.cost_spec`); production none.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Final

from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.emporia import Channel, Device
from ...pricing import CONF_SOURCE, Direction, Pricer, PriceSourceKind
from ...statistics import (
    IntervalReading,
    StatisticSpec,
    async_growth_since,
    async_import,
    async_last_hour,
    consecutive,
)
from .const import PROVIDER
from .devices import ChannelId, channel_key, is_monitor

_HOUR: Final = timedelta(hours=1)
_DIRECTIONS: Final = {
    "energy_consumption": Direction.IMPORT,
    "energy_return": Direction.EXPORT,
}
"""The priced quantities; production is not bought or sold as such."""


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


def split(channel: Channel, kwh: float) -> dict[str, float]:
    """Split a signed reading into the positive quantities of `statistic_specs`."""
    parts = {"energy_consumption": channel.consumed_kwh(kwh)}
    if channel.is_mains:
        parts["energy_return"] = channel.produced_kwh(kwh)
    elif channel.bidirectional:
        parts["energy_production"] = channel.produced_kwh(kwh)
    return parts


async def async_stored_until(
    hass: HomeAssistant, channels: Iterable[tuple[Device, Channel]]
) -> dict[ChannelId, datetime | None]:
    """Return the end of each channel's newest stored consumption hour (None: none yet)."""
    stored: dict[ChannelId, datetime | None] = {}
    for device, channel in channels:
        spec = statistic_specs(device, channel)["energy_consumption"]
        last = await async_last_hour(hass, spec.statistic_id)
        stored[device.gid, channel.number] = last + _HOUR if last else None
    return stored


async def async_stored_since(
    hass: HomeAssistant, channels: Iterable[tuple[Device, Channel]], start: datetime
) -> dict[ChannelId, float]:
    """Return the energy (kWh) of each channel's "energy today" quantity stored since `start`."""
    ids = {
        (device.gid, channel.number): statistic_specs(device, channel)[
            today_quantity(channel)
        ].statistic_id
        for device, channel in channels
    }
    growth = await async_growth_since(hass, ids.values(), start)
    return {key: growth[statistic_id] for key, statistic_id in ids.items()}


def varies_in_time(pricer: Pricer) -> bool:
    """Whether the entry's prices change within an hour (so finer readings change its cost)."""
    return pricer.enabled and pricer.options[CONF_SOURCE] != PriceSourceKind.FIXED


async def async_import_hours(
    pricer: Pricer,
    device: Device,
    channel: Channel,
    hours: Mapping[datetime, float],
    profile: Iterable[IntervalReading] = (),
) -> datetime:
    """Import a channel's hours (signed kWh by start), one import per run of consecutive hours.

    `profile` holds finer signed readings (minutes, quarter hours) that weight the price of the
    hours they cover whole. Return the end of the newest hour. Hours missing between runs are
    left alone: an hour Emporia has no value for is never stored as 0.
    """
    specs = statistic_specs(device, channel)
    finer = list(profile)
    for run in consecutive(hours, _HOUR):
        inside = [p for p in finer if run[0] <= p.start < run[-1] + _HOUR]
        for quantity, spec in specs.items():
            readings = [
                IntervalReading(
                    start=start,
                    duration=_HOUR,
                    value=split(channel, hours[start])[quantity],
                )
                for start in run
            ]
            if (direction := _DIRECTIONS.get(quantity)) is None:
                await async_import(pricer.hass, spec, readings)
                continue
            await pricer.async_import(
                spec,
                readings,
                direction=direction,
                profile=[
                    IntervalReading(
                        start=p.start,
                        duration=p.duration,
                        value=split(channel, p.value)[quantity],
                    )
                    for p in inside
                ],
            )
    return max(hours) + _HOUR
