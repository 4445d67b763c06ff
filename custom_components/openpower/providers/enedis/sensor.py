"""Enedis sensors: yesterday's energy and maximum power, the newest day, the contract.

Daily values come for the day before (D-1): "yesterday" is the Paris day before the last
refresh, unknown until Enedis has published it. Contract sensors exist where the backend serves
the contract (Data Connect, MyElectricalData) and the contract says the fact.
"""

from collections.abc import Callable
from typing import Any, Final

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import EntityCategory, UnitOfApparentPower, UnitOfEnergy

from ...api.enedis import Contract, Direction, TariffOption
from ...entity import DeviceRef
from ...sensor import OpenPowerSensorDescription
from .contract import EnedisContract
from .devices import meter
from .history import EnedisDays
from .runtime import EnedisRuntime


def _meter(data: EnedisDays | EnedisContract) -> tuple[DeviceRef, ...]:
    return (meter(data.prm),)


def _energy(key: str, direction: Direction) -> OpenPowerSensorDescription[Any, Any]:
    return OpenPowerSensorDescription[EnedisRuntime, EnedisDays](
        key=key,
        translation_key=f"enedis_{key}",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.history,
        devices_fn=_meter,
        exists_fn=lambda d, _uid: direction in d.directions,
        value_fn=lambda d, _uid: d.kwh(direction),
    )


def _fact(pick: Callable[[Contract], Any]) -> Callable[[EnedisContract], Any]:
    return lambda d: None if d.contract is None else pick(d.contract)


def _contract(
    key: str, pick: Callable[[EnedisContract], Any], **options: Any
) -> OpenPowerSensorDescription[Any, Any]:
    return OpenPowerSensorDescription[EnedisRuntime, EnedisContract](
        key=key,
        translation_key=f"enedis_{key}",
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.contract,
        devices_fn=_meter,
        exists_fn=lambda d, _uid: pick(d) is not None,
        value_fn=lambda d, _uid: pick(d),
        **options,
    )


SENSORS: Final[tuple[OpenPowerSensorDescription[Any, Any], ...]] = (
    _energy("yesterday_consumption", Direction.CONSUMPTION),
    _energy("yesterday_production", Direction.PRODUCTION),
    OpenPowerSensorDescription[EnedisRuntime, EnedisDays](
        key="yesterday_max_power",
        translation_key="enedis_yesterday_max_power",
        device_class=SensorDeviceClass.APPARENT_POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfApparentPower.VOLT_AMPERE,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.history,
        devices_fn=_meter,
        exists_fn=lambda d, _uid: d.max_power_asked,
        value_fn=lambda d, _uid: None if d.max_power is None else d.max_power.power_va,
    ),
    OpenPowerSensorDescription[EnedisRuntime, EnedisDays](
        key="yesterday_max_power_at",
        translation_key="enedis_yesterday_max_power_at",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.history,
        devices_fn=_meter,
        exists_fn=lambda d, _uid: d.max_power_asked,
        value_fn=lambda d, _uid: None if d.max_power is None else d.max_power.at,
    ),
    OpenPowerSensorDescription[EnedisRuntime, EnedisDays](
        key="newest_day",
        translation_key="enedis_newest_day",
        device_class=SensorDeviceClass.DATE,
        coordinator_fn=lambda rt: rt.history,
        devices_fn=_meter,
        value_fn=lambda d, _uid: d.newest_day,
    ),
    _contract(
        "subscribed_power",
        _fact(lambda c: c.subscribed_power_kva),
        device_class=SensorDeviceClass.APPARENT_POWER,
        native_unit_of_measurement=UnitOfApparentPower.KILO_VOLT_AMPERE,
        suggested_display_precision=0,
    ),
    _contract(
        "tariff_option",
        _fact(lambda c: None if c.tariff_option is None else c.tariff_option.value),
        device_class=SensorDeviceClass.ENUM,
        options=[option.value for option in TariffOption],
    ),
    _contract("offpeak_hours", lambda d: d.offpeak_hours),
    _contract("contract_status", _fact(lambda c: c.contract_status)),
)
