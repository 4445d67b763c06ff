"""Where a PG&E registration's usage points belong in the Energy preferences."""

from dataclasses import replace

from homeassistant.config_entries import ConfigEntry

from ...energy import EnergySources, GasSource, GridSource, priced_grid
from ...pricing import is_priced
from .history import Series
from .runtime import PgeRuntime
from .statistics import cost_spec, statistic_spec


def _cost_id(point: str, series: Series) -> str | None:
    return None if (spec := cost_spec(point, series)) is None else spec.statistic_id


def _grid(point: str, has_return: bool, *, priced: bool, own_cost: bool) -> GridSource:
    """Return an electricity point's grid, its money from PG&E or from the price source.

    The shell adds a money statistic only once it is stored, so one name has to be chosen:
    PG&E's own cost when the recorder has it (or when there is no price source, as it may
    come), else the price source's. PG&E has no compensation of its own.
    """
    grid = priced_grid(
        statistic_spec(point, Series.CONSUMPTION),
        statistic_spec(point, Series.RETURN) if has_return else None,
        priced=priced,
    )
    if own_cost or not priced:
        return replace(grid, cost=_cost_id(point, Series.CONSUMPTION))
    return grid


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return each electricity point as a grid connection, each gas point as gas.

    PG&E's own cost statistics are named whether or not its feeds carried a cost: the shell
    adds only those the recorder has.
    """
    runtime: PgeRuntime = entry.runtime_data.runtime
    priced = is_priced(entry)
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
            _grid(
                point,
                summary.has_return,
                priced=priced,
                own_cost=point in runtime.cost.own,
            )
        )
    return EnergySources(grid=tuple(grid), gas=tuple(gas))
