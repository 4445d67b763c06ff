"""Where a PG&E registration's usage points belong in the Energy preferences."""

from homeassistant.config_entries import ConfigEntry

from ...energy import EnergySources, GasSource, GridSource
from .history import Series
from .runtime import PgeRuntime
from .statistics import cost_spec, statistic_spec


def _cost_id(point: str, series: Series) -> str | None:
    return None if (spec := cost_spec(point, series)) is None else spec.statistic_id


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return each electricity point as a grid connection, each gas point as gas.

    Cost statistics are named whether or not PG&E's feeds carried a cost: the shell adds only
    those the recorder has.
    """
    runtime: PgeRuntime = entry.runtime_data.runtime
    grid: list[GridSource] = []
    gas: list[GasSource] = []
    for summary in runtime.usage.data.points:
        point = summary.point
        if summary.kind == "gas":
            gas.append(
                GasSource(
                    energy_from=statistic_spec(point, Series.GAS).statistic_id,
                    cost=_cost_id(point, Series.GAS),
                )
            )
            continue
        grid.append(
            GridSource(
                energy_from=statistic_spec(point, Series.CONSUMPTION).statistic_id,
                cost=_cost_id(point, Series.CONSUMPTION),
                energy_to=statistic_spec(point, Series.RETURN).statistic_id
                if summary.has_return
                else None,
            )
        )
    return EnergySources(grid=tuple(grid), gas=tuple(gas))
