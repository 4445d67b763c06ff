"""Where a Linky's statistics belong in the Energy preferences: one grid connection.

Consumption is energy from the grid; production is energy returned to it (Enedis measures only
what a producing meter injects, not what the panels made). Their money when the entry has a
tariff.
"""

from homeassistant.config_entries import ConfigEntry

from ...api.enedis import Direction
from ...energy import EnergySources, priced_grid
from ...pricing import is_priced
from .runtime import EnedisRuntime
from .statistics import statistic_spec


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return the meter as a grid, with its production as the return when it has one."""
    runtime: EnedisRuntime = entry.runtime_data.runtime
    directions = runtime.history.state
    produces = directions.direction(Direction.PRODUCTION).exists is True
    return EnergySources(
        grid=(
            priced_grid(
                statistic_spec(runtime.prm, Direction.CONSUMPTION),
                statistic_spec(runtime.prm, Direction.PRODUCTION) if produces else None,
                priced=is_priced(entry),
            ),
        )
    )
