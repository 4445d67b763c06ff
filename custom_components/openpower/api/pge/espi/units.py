"""ESPI numbers in the units and types we report.

- `value × 10^powerOfTenMultiplier` in `uom`, converted to the unit Home Assistant uses: uom 72
  (Wh) → kWh, 169 (therm) → thm, 38 (W) → kW, 42 → m³, 119 → ft³; any other uom is reported in its
  own base unit with `unit` None.
- `cost`, `billLastPeriod`, `billToDate`, `costAdditionalLastPeriod` and line-item amounts are in
  hundred-thousandths of the currency (ESPI): 2758000 → 27.58.
- `timePeriod` / `interval` / `billingPeriod` are UTC epoch seconds + a duration in seconds →
  aware UTC datetimes and timedeltas.
- `statusTimeStamp` is in seconds in the ESPI standard but in **milliseconds** in PG&E's 2016
  feeds: a value above 10^11 (year 5138 in seconds, 1973 in milliseconds) is read as milliseconds.
"""

from datetime import UTC, datetime, timedelta
from typing import Final

from ...errors import ApiResponseError

_UNITS: Final[dict[int, tuple[str, int]]] = {
    72: ("kWh", -3),
    169: ("thm", 0),
    38: ("kW", -3),
    42: ("m³", 0),
    119: ("ft³", 0),
}
"""ESPI uom → (unit we report, power of ten from the uom's base unit to it)."""
_CURRENCIES: Final[dict[int, str]] = {
    840: "USD",
    124: "CAD",
    978: "EUR",
    826: "GBP",
    36: "AUD",
}
_MAX_POWER_OF_TEN: Final = 30
_MS_THRESHOLD: Final = 10**11


def unit_of(uom: int | None) -> str | None:
    """Return the unit we report values of `uom` in (`kWh`, `thm`…), None if unknown."""
    known = _UNITS.get(uom) if uom is not None else None
    return known[0] if known else None


def exponent_of(uom: int | None, power_of_ten: int) -> int:
    """Return the power of ten turning a raw value in `uom` × 10^`power_of_ten` into our unit."""
    known = _UNITS.get(uom) if uom is not None else None
    return power_of_ten + (known[1] if known else 0)


def power_of_ten(power: int | None) -> int:
    """Return a `powerOfTenMultiplier` (absent: 0), refusing one no meter sends."""
    if power is not None and abs(power) > _MAX_POWER_OF_TEN:
        raise ApiResponseError("ESPI feed: powerOfTenMultiplier is out of range")
    return power or 0


def currency_code(currency: int | None) -> str | None:
    """Return the ISO 4217 letters of a numeric currency code, for the codes we know."""
    return _CURRENCIES.get(currency) if currency is not None else None


def money(amount: int | None) -> float | None:
    """Return an amount in hundred-thousandths as currency units."""
    return None if amount is None else amount / 100000


def utc(seconds: int) -> datetime:
    """Return epoch seconds as an aware UTC time."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except OverflowError, OSError, ValueError:
        raise ApiResponseError("ESPI feed: a time is out of range") from None


def utc_or_none(seconds: int | None) -> datetime | None:
    """Return epoch seconds as an aware UTC time, None as None."""
    return None if seconds is None else utc(seconds)


def status_time(value: int | None) -> datetime | None:
    """Return a `statusTimeStamp`: epoch seconds, or PG&E's milliseconds."""
    if value is None:
        return None
    if abs(value) < _MS_THRESHOLD:
        return utc(value)
    return utc(value // 1000) + timedelta(milliseconds=value % 1000)


def duration(seconds: int, *, positive: bool = True) -> timedelta:
    """Return a number of seconds as a timedelta (positive unless said otherwise)."""
    if positive and seconds <= 0:
        raise ApiResponseError("ESPI feed: a duration is not positive")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ApiResponseError("ESPI feed: a duration is out of range") from None


def duration_or_none(seconds: int | None, *, positive: bool = True) -> timedelta | None:
    """Return a number of seconds as a timedelta, None as None."""
    return None if seconds is None else duration(seconds, positive=positive)


def short(err: BaseException) -> str:
    """Return a conversion error's message cut for an error of ours."""
    message = str(err)
    return message if len(message) <= 80 else message[:77] + "..."
