"""Where a GoodWe station belongs in the Energy preferences: grid, solar and battery."""

from homeassistant.config_entries import ConfigEntry

from ...energy import BatterySource, EnergySources, SolarSource, priced_grid
from ...pricing import is_priced
from .devices import uid_of
from .runtime import GoodWeRuntime
from .statistics import statistic_spec


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return the station's grid (with cost when the entry is priced), solar and battery.

    The daily statistics carry the energy; the flow's power sensors follow Home Assistant's
    signs (the grid's positive when importing, the battery's when discharging). A station whose
    flow never sent a battery power has no battery.
    """
    runtime: GoodWeRuntime = entry.runtime_data.runtime
    station = runtime.station.data
    uid = uid_of(station.id)
    flow = runtime.flow.data
    grid = priced_grid(
        statistic_spec(station, "grid_import"),
        statistic_spec(station, "grid_export"),
        priced=is_priced(entry),
        power=f"{uid}_grid_power" if flow.has("grid_w") else None,
    )
    solar = SolarSource(
        energy_from=statistic_spec(station, "pv").statistic_id,
        power=f"{uid}_pv_power",
    )
    battery = (
        BatterySource(
            energy_from=statistic_spec(station, "battery_discharge").statistic_id,
            energy_to=statistic_spec(station, "battery_charge").statistic_id,
            power=f"{uid}_battery_power",
            state_of_charge=f"{uid}_battery_soc" if flow.has("soc") else None,
        ),
    )
    return EnergySources(
        grid=(grid,),
        solar=(solar,),
        battery=battery if flow.has("battery_w") else (),
    )
