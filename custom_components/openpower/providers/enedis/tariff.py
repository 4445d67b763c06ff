"""The French tariff of an Enedis entry: off-peak hours read, and the shared `cost` option.

Base is one price; peak/off-peak is the peak price with the off-peak ranges, every day, at the
off-peak price: a time-of-use tariff of `pricing`, so the one `Pricer` prices Enedis too.
"""

from collections.abc import Mapping
from typing import Any

from ...api.enedis import OffPeakRange, parse_offpeak_hours
from ...pricing import (
    CONF_DAYS,
    CONF_END,
    CONF_EXPORT_PRICE,
    CONF_IMPORT_PRICE,
    CONF_PERIODS,
    CONF_PRICE,
    CONF_SOURCE,
    CONF_START,
    WEEKDAYS,
    PriceSourceKind,
)
from .const import (
    CONF_BASE_PRICE,
    CONF_OFFPEAK_HOURS,
    CONF_OFFPEAK_PRICE,
    CONF_PEAK_PRICE,
    CONF_PRODUCTION_PRICE,
    CONF_TARIFF,
    Tariff,
)


def offpeak_periods(text: str) -> list[OffPeakRange] | None:
    """Return the ranges of an off-peak text ("22:30-06:30, 12:00-14:00"); None if unreadable.

    Every range must read: a text with a range this cannot read is refused rather than priced
    with that range at the peak price.
    """
    ranges = list(parse_offpeak_hours(text))
    if not ranges or len(ranges) != text.count("-"):
        return None
    return ranges


def tariff_cost(options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the shared `cost` option of a base or peak/off-peak tariff; None without one."""
    tariff = options.get(CONF_TARIFF, Tariff.NONE)
    export = options.get(CONF_PRODUCTION_PRICE)
    prices = {} if export is None else {CONF_EXPORT_PRICE: float(export)}
    if tariff == Tariff.BASE:
        return {
            CONF_SOURCE: PriceSourceKind.FIXED,
            CONF_IMPORT_PRICE: float(options[CONF_BASE_PRICE]),
            **prices,
        }
    if tariff == Tariff.PEAK_OFFPEAK:
        ranges = offpeak_periods(options[CONF_OFFPEAK_HOURS]) or []
        return {
            CONF_SOURCE: PriceSourceKind.TIME_OF_USE,
            CONF_IMPORT_PRICE: float(options[CONF_PEAK_PRICE]),
            **prices,
            CONF_PERIODS: [
                {
                    CONF_PRICE: float(options[CONF_OFFPEAK_PRICE]),
                    CONF_START: start.isoformat(),
                    CONF_END: end.isoformat(),
                    CONF_DAYS: list(WEEKDAYS),
                }
                for start, end in ranges
            ],
        }
    return None


def offpeak_differs(
    options: Mapping[str, Any], contract: tuple[OffPeakRange, ...]
) -> bool:
    """Whether a peak/off-peak tariff's hours are not the contract's (Enedis moved them).

    False without such a tariff or without the contract's hours (the Conso API serves none).
    """
    if options.get(CONF_TARIFF) != Tariff.PEAK_OFFPEAK or not contract:
        return False
    typed = offpeak_periods(options.get(CONF_OFFPEAK_HOURS) or "") or []
    return set(typed) != set(contract)
