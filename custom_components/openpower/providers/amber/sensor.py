"""Amber sensor descriptions (data only: the shell's sensor platform builds them)."""

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.helpers.typing import StateType

from ...api.amber import ChannelType, Descriptor, TariffPeriod, TariffSeason
from ...sensor import OpenPowerSensorDescription
from .const import ATTR_FORECASTS
from .coordinator import AmberChannelPrices, AmberPricePoint, AmberPrices
from .runtime import AmberRuntime

PRICE_UNIT = "AUD/kWh"

type PriceSensor = OpenPowerSensorDescription[AmberRuntime, AmberPrices]


def _has_channel(channel: ChannelType) -> Callable[[AmberPrices, str], bool]:
    return lambda prices, _uid: channel in prices.channels


# Values and attributes are only read while the entity is available, that is while its
# channel is in the data (exists_fn): they index the channel directly.


def _current(
    channel: ChannelType, pick: Callable[[AmberPricePoint], StateType]
) -> Callable[[AmberPrices, str], StateType]:
    return lambda prices, _uid: pick(prices.channels[channel].current)


def _as_text(
    pick: Callable[[AmberPricePoint], StrEnum | None],
) -> Callable[[AmberPricePoint], StateType]:
    return lambda point: _text(pick(point))


def _has_current(
    channel: ChannelType, pick: Callable[[AmberPricePoint], object]
) -> Callable[[AmberPrices, str], bool]:
    return lambda prices, _uid: (
        channel in prices.channels
        and pick(prices.channels[channel].current) is not None
    )


def _next_forecast(channel: ChannelType) -> Callable[[AmberPrices, str], StateType]:
    def value(prices: AmberPrices, _uid: str) -> StateType:
        forecasts = prices.channels[channel].forecasts
        return forecasts[0].price if forecasts else None

    return value


def _text(value: StrEnum | None) -> str | None:
    return None if value is None else value.value


def price_attributes(point: AmberPricePoint, channel: ChannelType) -> dict[str, Any]:
    """Describe one interval the way core `amberelectric` does (plus what it leaves out)."""
    attributes: dict[str, Any] = {
        "duration": point.duration_minutes,
        "date": point.nem_date.isoformat(),
        "per_kwh": round(point.per_kwh, 5),
        "price": round(point.price, 5),
        "nem_date": point.nem_time.isoformat(),
        "spot_per_kwh": round(point.spot_per_kwh, 5),
        "start_time": point.start.isoformat(),
        "end_time": point.end.isoformat(),
        "renewables": round(point.renewables),
        "estimate": point.estimate,
        "spike_status": _text(point.spike_status),
        "descriptor": _text(point.descriptor),
        "channel_type": channel.value,
    }
    if point.range_min is not None and point.range_max is not None:
        attributes["range_min"] = round(point.range_min, 5)
        attributes["range_max"] = round(point.range_max, 5)
    if point.advanced_predicted is not None:
        attributes["advanced_price_low"] = round(point.advanced_low or 0.0, 5)
        attributes["advanced_price_predicted"] = round(point.advanced_predicted, 5)
        attributes["advanced_price_high"] = round(point.advanced_high or 0.0, 5)
    return attributes


def _current_attributes(
    channel: ChannelType,
) -> Callable[[AmberPrices, str], Mapping[str, Any] | None]:
    return lambda prices, _uid: price_attributes(
        prices.channels[channel].current, channel
    )


def forecast_list(found: AmberChannelPrices) -> list[dict[str, Any]]:
    """Every forecast interval of a channel (the `forecasts` attribute and the action)."""
    return [price_attributes(point, found.channel) for point in found.forecasts]


def _forecast_attributes(
    channel: ChannelType,
) -> Callable[[AmberPrices, str], Mapping[str, Any] | None]:
    return lambda prices, _uid: {
        "channel_type": channel.value,
        ATTR_FORECASTS: forecast_list(prices.channels[channel]),
    }


def _price_sensor(channel: ChannelType) -> PriceSensor:
    return OpenPowerSensorDescription(
        key=f"{channel.value}_price",
        translation_key=f"{channel.value}_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(channel),
        value_fn=_current(channel, lambda p: p.price),
        attributes_fn=_current_attributes(channel),
    )


def _spot_price_sensor(channel: ChannelType) -> PriceSensor:
    return OpenPowerSensorDescription(
        key=f"{channel.value}_spot_price",
        translation_key=f"{channel.value}_spot_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
        # The market spot price is the same on every channel: shown once by default.
        entity_registry_enabled_default=channel is ChannelType.GENERAL,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(channel),
        value_fn=_current(channel, lambda p: p.spot_per_kwh),
    )


def _descriptor_sensor(channel: ChannelType) -> PriceSensor:
    return OpenPowerSensorDescription(
        key=f"{channel.value}_price_descriptor",
        translation_key=f"{channel.value}_price_descriptor",
        device_class=SensorDeviceClass.ENUM,
        options=[d.value for d in Descriptor],
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(channel),
        value_fn=_current(channel, lambda p: _text(p.descriptor)),
    )


def _forecast_sensor(channel: ChannelType) -> PriceSensor:
    return OpenPowerSensorDescription(
        key=f"{channel.value}_forecast",
        translation_key=f"{channel.value}_forecast",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(channel),
        value_fn=_next_forecast(channel),
        attributes_fn=_forecast_attributes(channel),
        # Forecast lists are for automations reading the current state, not for history:
        # kept out of the recorder (they would exceed its 16 kB attribute limit).
        unrecorded_attributes=frozenset({ATTR_FORECASTS}),
    )


def _advanced_price_sensor(
    channel: ChannelType, band: str, pick: Callable[[AmberPricePoint], float | None]
) -> PriceSensor:
    return OpenPowerSensorDescription(
        key=f"{channel.value}_advanced_price_{band}",
        translation_key=f"{channel.value}_advanced_price_{band}",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
        entity_registry_enabled_default=False,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(channel),
        value_fn=_current(channel, pick),
    )


def _tariff_sensor(
    channel: ChannelType,
    name: str,
    values: type[StrEnum],
    pick: Callable[[AmberPricePoint], StrEnum | None],
) -> PriceSensor:
    # Only for networks whose tariff has periods or seasons.
    return OpenPowerSensorDescription(
        key=f"{channel.value}_{name}",
        translation_key=f"{channel.value}_{name}",
        device_class=SensorDeviceClass.ENUM,
        options=[value.value for value in values],
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_current(channel, pick),
        value_fn=_current(channel, _as_text(pick)),
    )


def _channel_sensors(channel: ChannelType) -> tuple[PriceSensor, ...]:
    return (
        _price_sensor(channel),
        _spot_price_sensor(channel),
        _descriptor_sensor(channel),
        _forecast_sensor(channel),
        _advanced_price_sensor(channel, "low", lambda p: p.advanced_low),
        _advanced_price_sensor(channel, "predicted", lambda p: p.advanced_predicted),
        _advanced_price_sensor(channel, "high", lambda p: p.advanced_high),
        _tariff_sensor(
            channel, "tariff_period", TariffPeriod, lambda p: p.tariff_period
        ),
        _tariff_sensor(
            channel, "tariff_season", TariffSeason, lambda p: p.tariff_season
        ),
    )


SENSORS: tuple[PriceSensor, ...] = (
    *(sensor for channel in ChannelType for sensor in _channel_sensors(channel)),
    OpenPowerSensorDescription(
        key="renewables",
        translation_key="renewables",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=_has_channel(ChannelType.GENERAL),
        value_fn=_current(ChannelType.GENERAL, lambda p: p.renewables),
    ),
    OpenPowerSensorDescription(
        key="rate_limit_remaining",
        translation_key="rate_limit_remaining",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        state_class=SensorStateClass.MEASUREMENT,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        value_fn=lambda prices, _uid: prices.rate_limit_remaining,
    ),
    OpenPowerSensorDescription(
        key="rate_limit_reset",
        translation_key="rate_limit_reset",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        value_fn=lambda prices, _uid: prices.rate_limit_reset,
    ),
)
