"""Value readers for SEMS+ payloads: numbers sent as numbers or strings, units, directions.

SEMS+ sends most values as strings (`"1.064"`, `"7587.800000"`) and some as numbers; a value that
is absent, `null` or `""` is unknown (None, never 0); anything else that is not a finite number is
an invalid response (reference apis-goodwe.md §5.2).
"""

from collections.abc import Mapping
import math
from typing import Any

from ..errors import ApiResponseError


def to_number(value: Any, what: str) -> float | None:
    """Return `value` as a finite float; None for absent, `null` or empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ApiResponseError(f"{what} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        if not value.strip():
            return None
        try:
            number = float(value)
        except ValueError:
            raise ApiResponseError(f"{what} is not a number") from None
    else:
        raise ApiResponseError(f"{what} is not a number")
    if not math.isfinite(number):
        raise ApiResponseError(f"{what} is not a finite number")
    return number


def field_number(item: Mapping[str, Any], key: str, what: str) -> float | None:
    """Return `item[key]` as a number (None when absent)."""
    return to_number(item.get(key), f"{what} {key}")


def kw_to_w(value: float | None) -> float | None:
    """Return kW as W, rounded to the milliwatt (`0.07772 * 1000` is not exactly 77.72)."""
    return None if value is None else round(value * 1000, 3)


def optional_text(item: Mapping[str, Any], key: str, what: str) -> str | None:
    """Return a string field (numbers are accepted and written as text); None when absent."""
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ApiResponseError(f"{what} {key} is not a string")
    return str(value)


def required_text(item: Mapping[str, Any], key: str, what: str) -> str:
    """Return a non-empty string field; an id sent as a number is accepted as text."""
    value = optional_text(item, key, what)
    if not value:
        raise ApiResponseError(f"{what}: a required field is missing: {key}")
    return value


def positive_part(value: float | None) -> float | None:
    """Return max(value, 0), never -0.0 (a sensor would show "-0")."""
    return None if value is None else (value if value > 0 else 0.0)


def negative_part(value: float | None) -> float | None:
    """Return max(-value, 0), never -0.0."""
    return None if value is None else (-value if value < 0 else 0.0)
