"""Amber binary sensor descriptions (data only: the shell's binary sensor platform builds them)."""

from ...api.amber import SpikeStatus
from ...binary_sensor import OpenPowerBinarySensorDescription
from .coordinator import AmberPrices
from .runtime import AmberRuntime

type PriceBinarySensor = OpenPowerBinarySensorDescription[AmberRuntime, AmberPrices]


def _spike_status(prices: AmberPrices) -> SpikeStatus | None:
    return prices.general.current.spike_status if prices.general else None


def _is_spike(prices: AmberPrices, _uid: str) -> bool | None:
    # An unknown spike status is unknown, not "no spike".
    if (status := _spike_status(prices)) is None:
        return None
    return status is SpikeStatus.SPIKE


BINARY_SENSORS: tuple[PriceBinarySensor, ...] = (
    OpenPowerBinarySensorDescription(
        key="price_spike",
        translation_key="price_spike",
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=lambda prices, _uid: prices.general is not None,
        is_on_fn=_is_spike,
        attributes_fn=lambda prices, _uid: {
            "spike_status": None
            if (status := _spike_status(prices)) is None
            else status.value
        },
    ),
    OpenPowerBinarySensorDescription(
        key="demand_window",
        translation_key="demand_window",
        coordinator_fn=lambda rt: rt.prices,
        devices_fn=lambda prices: (prices.device,),
        exists_fn=lambda prices, _uid: prices.general is not None,
        is_on_fn=lambda prices, _uid: (
            prices.general.current.demand_window if prices.general else None
        ),
    ),
)
