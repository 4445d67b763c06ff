"""Emporia sensors: power and energy today of every channel, the charger's status, the budget."""

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import EntityCategory, UnitOfEnergy, UnitOfPower

from ...sensor import OpenPowerSensorDescription
from .const import CHARGER_STATUSES, SensorSet
from .coordinator import EmporiaPower, EmporiaStatus
from .runtime import EmporiaRuntime


def _power(
    key: str, kind: str
) -> OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower]:
    """Describe the power of the channels of one kind (see `EmporiaLayout.channels`)."""
    return OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.power,
        devices_fn=lambda power: power.layout.devices_with(kind),
        exists_fn=lambda power, uid: power.shows(SensorSet.POWER, uid, kind),
        value_fn=lambda power, uid: power.watts.get(power.layout.channels[uid, kind]),
    )


def _energy_today(
    key: str, kind: str
) -> OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower]:
    """Describe the energy today of the channels of one kind (`EmporiaLayout.channels`)."""
    return OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.power,
        devices_fn=lambda power: power.layout.devices_with(kind),
        exists_fn=lambda power, uid: power.shows(SensorSet.ENERGY_TODAY, uid, kind),
        value_fn=lambda power, uid: power.today.get(power.layout.channels[uid, kind]),
    )


SENSORS: tuple[OpenPowerSensorDescription[EmporiaRuntime, Any], ...] = (
    _power("power", "circuit"),
    _power("mains_power", "mains"),
    _power("balance_power", "balance"),
    _energy_today("energy_today", "circuit"),
    _energy_today("mains_energy_today", "mains"),
    OpenPowerSensorDescription[EmporiaRuntime, EmporiaPower](
        key="requests_today",
        translation_key="requests_today",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.power,
        devices_fn=lambda power: [power.layout.account],
        value_fn=lambda power, _uid: power.requests_today,
    ),
    OpenPowerSensorDescription[EmporiaRuntime, EmporiaStatus](
        key="charger_status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=CHARGER_STATUSES,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=EmporiaStatus.chargers,
        exists_fn=EmporiaStatus.has_charger,
        value_fn=EmporiaStatus.charger_status,
        attributes_fn=lambda state, uid: {
            "message": state.charger(uid).message,
            "fault": state.charger(uid).fault_text,
        },
    ),
)
