"""Where an AppID's systems belong in the Energy preferences: grid, solar and battery each."""

from homeassistant.config_entries import ConfigEntry

from ...energy import BatterySource, EnergySources, GridSource, SolarSource, priced_grid
from ...pricing import is_priced
from .devices import uid_of
from .runtime import AlphaEssRuntime
from .statistics import statistic_spec


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return every system's grid (with cost when the entry is priced), solar and battery.

    The live power sensors follow Home Assistant's signs already: the grid's is positive when
    importing, the battery's when discharging. A system reporting no battery has none.
    """
    runtime: AlphaEssRuntime = entry.runtime_data.runtime
    priced = is_priced(entry)
    grid: list[GridSource] = []
    solar: list[SolarSource] = []
    battery: list[BatterySource] = []
    for serial, system in runtime.systems.data.systems.items():
        uid = uid_of(serial)
        imported = statistic_spec(serial, "grid_import")
        exported = statistic_spec(serial, "grid_export")
        grid.append(
            priced_grid(imported, exported, priced=priced, power=f"{uid}_grid_power")
        )
        solar.append(
            SolarSource(
                energy_from=statistic_spec(serial, "pv").statistic_id,
                power=f"{uid}_pv_power",
            )
        )
        if system.battery_model is None and system.battery_capacity is None:
            continue
        battery.append(
            BatterySource(
                energy_from=statistic_spec(serial, "battery_discharge").statistic_id,
                energy_to=statistic_spec(serial, "battery_charge").statistic_id,
                power=f"{uid}_battery_power",
                state_of_charge=f"{uid}_battery_soc",
            )
        )
    return EnergySources(grid=tuple(grid), solar=tuple(solar), battery=tuple(battery))
