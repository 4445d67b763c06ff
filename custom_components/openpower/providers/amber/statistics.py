"""Amber usage and cost as long-term statistics: one energy and one money statistic per channel."""

from collections.abc import Iterable
from datetime import timedelta

from homeassistant.const import UnitOfEnergy
from homeassistant.util.unit_conversion import EnergyConverter

from ...api.amber import ChannelType, UsageInterval
from ...statistics import IntervalReading, StatisticSpec
from .const import PROVIDER


def statistic_specs(
    title: str, site_id: str, identifier: str, channel: ChannelType
) -> tuple[StatisticSpec, StatisticSpec]:
    """Return the energy and money statistics of one meter channel.

    Import channels hold consumption and cost; feed-in holds returned energy and compensation,
    both positive when you export and are paid.
    """
    point = f"{site_id}_{identifier}"
    label = f"{title} {identifier}"
    if channel is ChannelType.FEED_IN:
        quantities = (
            ("energy_return", "return"),
            ("energy_compensation", "compensation"),
        )
    else:
        quantities = (("energy_consumption", "consumption"), ("energy_cost", "cost"))
    (energy_key, energy_name), (money_key, money_name) = quantities
    return (
        StatisticSpec(
            provider=PROVIDER,
            point=point,
            quantity=energy_key,
            name=f"{label} {energy_name}",
            unit=UnitOfEnergy.KILO_WATT_HOUR,
            unit_class=EnergyConverter.UNIT_CLASS,
        ),
        StatisticSpec(
            provider=PROVIDER,
            point=point,
            quantity=money_key,
            name=f"{label} {money_name}",
            unit=None,
            unit_class=None,
        ),
    )


def usage_readings(
    usage: Iterable[UsageInterval],
) -> dict[tuple[str, ChannelType], list[IntervalReading]]:
    """Group usage into readings per channel, as the user counts it (export and credit positive)."""
    readings: dict[tuple[str, ChannelType], list[IntervalReading]] = {}
    for item in usage:
        readings.setdefault((item.channel_identifier, item.channel), []).append(
            IntervalReading(
                start=item.start,
                duration=timedelta(minutes=item.duration_minutes),
                value=item.user_kwh,
                cost=item.user_cost,
            )
        )
    return readings
