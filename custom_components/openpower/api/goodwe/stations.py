"""Parse `portal/stations/page` (reference apis-goodwe.md §3.1; `semsplus_station_list_page.json`)."""

from dataclasses import dataclass
from datetime import timedelta, timezone
import re
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import obj, objects
from .models import Station
from .values import field_number, optional_text, required_text

_WHAT: Final = "goodwe portal/stations/page"
_UTC_OFFSET: Final = re.compile(r"^UTC([+-])(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class StationPage:
    """One page of the account's stations, and how many there are in all."""

    stations: tuple[Station, ...]
    total: int


def parse_station(item: Any) -> Station:
    """Return one station of a page."""
    data = obj(item, _WHAT)
    capacity = field_number(data, "installedPower", _WHAT)
    if capacity is None:
        capacity = field_number(data, "pvInstallP", _WHAT)
    return Station(
        id=required_text(data, "id", _WHAT),
        name=optional_text(data, "name", _WHAT) or "",
        timezone=optional_text(data, "timeZone", _WHAT) or None,
        capacity_kw=capacity,
        status=optional_text(data, "status", _WHAT),
    )


def parse_station_page(payload: Any) -> StationPage:
    """Return a page's stations; a page without `dataList` is an invalid response."""
    data = obj(payload, _WHAT)
    if "dataList" not in data:
        raise ApiResponseError(f"{_WHAT}: the answer has no dataList")
    stations = tuple(parse_station(i) for i in objects(data["dataList"], _WHAT))
    total = field_number(data, "total", _WHAT)
    return StationPage(
        stations=stations, total=len(stations) if total is None else int(total)
    )


def utc_offset(name: str | None) -> timezone | None:
    """Return the fixed zone of a SEMS+ `UTC+hh:mm` time zone; None for anything else.

    An IANA name (`Europe/Amsterdam`) is for the caller to resolve (off the event loop).
    """
    if name is None or not (match := _UTC_OFFSET.match(name)):
        return None
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if offset >= timedelta(hours=24):
        return None
    return timezone(-offset if sign == "-" else offset)
