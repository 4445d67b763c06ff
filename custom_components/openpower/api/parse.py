"""Field readers every provider's JSON parser shares: a wrong shape is an `ApiResponseError`.

A parser reads each field through these, so a payload that changed shape is reported as an invalid
response (the coordinator keeps the previous data and logs it once) instead of a crash.
"""

from collections.abc import Mapping
from datetime import datetime
import math
from typing import Any

from .errors import ApiResponseError


def require(item: Mapping[str, Any], key: str) -> Any:
    """Return `item[key]`; a missing field is an invalid response."""
    try:
        return item[key]
    except KeyError:
        raise ApiResponseError(f"a required field is missing: {key}") from None


def number(item: Mapping[str, Any], key: str) -> float:
    """Return a required JSON number: finite (`1e999` decodes to infinity), not a boolean."""
    value = require(item, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiResponseError(f"{key} is not a number")
    if not math.isfinite(value):
        raise ApiResponseError(f"{key} is not a finite number")
    return float(value)


def optional_number(item: Mapping[str, Any], key: str) -> float | None:
    """Return a JSON number, or None when the field is absent or null."""
    return None if item.get(key) is None else number(item, key)


def text(item: Mapping[str, Any], key: str) -> str:
    """Return a required JSON string."""
    value = require(item, key)
    if not isinstance(value, str):
        raise ApiResponseError(f"{key} is not a string")
    return value


def aware_datetime(item: Mapping[str, Any], key: str) -> datetime:
    """Return a required ISO 8601 date-time that carries its offset (`Z` included)."""
    try:
        value = datetime.fromisoformat(text(item, key))
    except ValueError as err:
        raise ApiResponseError(f"{key} is not a date-time") from err
    if value.tzinfo is None:
        raise ApiResponseError(f"{key} has no time zone")
    return value


def objects(payload: Any, what: str) -> list[Mapping[str, Any]]:
    """Return a JSON array whose items are all objects."""
    if not isinstance(payload, list) or not all(isinstance(i, dict) for i in payload):
        raise ApiResponseError(f"{what}: expected a JSON array of objects")
    return payload


def obj(payload: Any, what: str) -> Mapping[str, Any]:
    """Return a JSON object."""
    if not isinstance(payload, dict):
        raise ApiResponseError(f"{what}: expected a JSON object")
    return payload
