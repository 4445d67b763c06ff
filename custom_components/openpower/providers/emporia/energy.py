"""Where an Emporia account's channels belong in the Energy preferences.

A top-level monitor's mains is a grid connection (and, where Home Assistant has one, the home's
main-panel meter); a bidirectional circuit is solar; every other circuit, a sub-panel's monitor,
a plug and a charger is an individual device. A sub-panel's monitor is included in the circuit
of the panel it hangs on, and its circuits in it, so the dashboard does not count them twice.
A solar circuit's power is negative while producing (Home Assistant wants it positive), so the
solar source carries no power sensor.
"""

from homeassistant.config_entries import ConfigEntry

from ...api.emporia import Channel, Customer, Device
from ...energy import (
    DeviceConsumption,
    EnergySources,
    GridSource,
    HomeSource,
    SolarSource,
    priced_grid,
)
from ...pricing import is_priced
from .devices import circuit_ref, device_uid, is_monitor, measured_channels
from .runtime import EmporiaRuntime
from .statistics import statistic_specs

_CONSUMPTION = "energy_consumption"


def _consumption(device: Device, channel: Channel) -> str:
    return statistic_specs(device, channel)[_CONSUMPTION].statistic_id


def _parent_circuit(customer: Customer, device: Device) -> str | None:
    """Return the consumption statistic of the circuit a sub-panel's monitor hangs on."""
    parent = next((d for d in customer.devices if d.gid == device.parent_gid), None)
    if parent is None:
        return None
    channel = next(
        (c for c in parent.channels if c.number == device.parent_channel), None
    )
    return None if channel is None else _consumption(parent, channel)


def energy_sources(entry: ConfigEntry) -> EnergySources:
    """Return the account's grid, solar, individual devices and home meter."""
    runtime: EmporiaRuntime = entry.runtime_data.runtime
    customer = runtime.devices.data
    priced = is_priced(entry)
    grid: list[GridSource] = []
    solar: list[SolarSource] = []
    devices: list[DeviceConsumption] = []
    home: HomeSource | None = None
    for device, channel in measured_channels(customer):
        uid = device_uid(device.gid)
        specs = statistic_specs(device, channel)
        consumed = specs[_CONSUMPTION]
        if not is_monitor(device):
            # A plug or a charger: one load, its only channel shown on the device itself.
            devices.append(
                DeviceConsumption(
                    consumption=consumed.statistic_id, power=f"{uid}_power"
                )
            )
        elif channel.is_mains and device.parent_gid is None:
            returned = specs["energy_return"]
            grid.append(
                priced_grid(
                    consumed, returned, priced=priced, power=f"{uid}_mains_power"
                )
            )
            home = home or HomeSource(
                energy=consumed.statistic_id, power=f"{uid}_mains_power"
            )
        elif channel.is_mains:
            devices.append(
                DeviceConsumption(
                    consumption=consumed.statistic_id,
                    power=f"{uid}_mains_power",
                    included_in=_parent_circuit(customer, device),
                )
            )
        elif channel.bidirectional:
            solar.append(
                SolarSource(energy_from=specs["energy_production"].statistic_id)
            )
        else:
            mains = next((c for c in device.channels if c.is_mains), None)
            devices.append(
                DeviceConsumption(
                    consumption=consumed.statistic_id,
                    power=f"{circuit_ref(device, channel).uid}_power",
                    included_in=_consumption(device, mains)
                    if mains is not None and device.parent_gid is not None
                    else None,
                )
            )
    return EnergySources(
        grid=tuple(grid), solar=tuple(solar), devices=tuple(devices), home=home
    )
