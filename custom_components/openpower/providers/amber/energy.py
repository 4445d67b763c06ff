"""Where an Amber site's usage belongs in the Energy preferences: its channels are the grid."""

from itertools import zip_longest

from homeassistant.config_entries import ConfigEntry

from ...api.amber import ChannelType
from ...energy import EnergySources, GridSource
from .runtime import AmberRuntime
from .statistics import statistic_specs


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return the site's grid connections, with Amber's cost and compensation statistics.

    A general channel and a feed-in channel are one connection (the meter's import and export,
    paired in Amber's order); a controlled load is a connection of its own, imported only.
    """
    runtime: AmberRuntime = entry.runtime_data.runtime
    site = runtime.site.data

    def specs(channel_type: ChannelType) -> list[tuple[str, str]]:
        return [
            (energy.statistic_id, money.statistic_id)
            for channel in site.channels
            if channel.type is channel_type
            for energy, money in (
                statistic_specs(entry.title, site.id, channel.identifier, channel.type),
            )
        ]

    paired = zip_longest(specs(ChannelType.GENERAL), specs(ChannelType.FEED_IN))
    grid = [
        GridSource(
            energy_from=bought[0] if bought else None,
            cost=bought[1] if bought else None,
            energy_to=sold[0] if sold else None,
            compensation=sold[1] if sold else None,
        )
        for bought, sold in paired
    ]
    grid += [
        GridSource(energy_from=energy, cost=cost)
        for energy, cost in specs(ChannelType.CONTROLLED_LOAD)
    ]
    return EnergySources(grid=tuple(grid))
