"""`stations/statistics`: the request body and the answer (reference apis-goodwe.md §3.1, §6.1).

`dimension: day` gives one bucket per local day (used for day, week and month ranges), `month` one
per month, `year` one per year; `total` is refused (S0327). Times are station-local and the range is
inclusive. The answer's `dataList[{item, unit: "kWh", statisticsList[{date, val}]}]` is read per
item; the summary fields are not (`production` is AC output, not PV: fixture
`semsplus_hybrid_statistics_day.json` has production 27.0 but proSystemTotalStats 31.4).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import obj, objects
from .models import Dimension, StatisticsBucket
from .values import to_number

_WHAT: Final = "goodwe stations/statistics"
ITEMS: Final[Mapping[str, str]] = {
    "proSystemTotalStats": "pv_kwh",
    "proConsumStats": "consumption_kwh",
    "proPurchaseStats": "grid_import_kwh",
    "proGridStats": "grid_export_kwh",
    "proCharStats": "battery_charge_kwh",
    "proDischarStats": "battery_discharge_kwh",
}
"""The items asked for, and the bucket field each fills."""
_DATE_LENGTH: Final = {Dimension.DAY: 10, Dimension.MONTH: 7, Dimension.YEAR: 4}


def statistics_body(
    station_id: str, dimension: Dimension, start: date, end: date
) -> dict[str, Any]:
    """Return the request body for the local days `start` to `end`, both included."""
    return {
        "stationId": station_id,
        "isReport": False,
        "items": list(ITEMS),
        "dimension": dimension.value,
        "startTime": f"{start.isoformat()} 00:00:00",
        "endTime": f"{end.isoformat()} 23:59:59",
    }


def _bucket_start(value: Any, dimension: Dimension) -> date:
    """Read a bucket's `date`: `2026-09-24` (day), `2026-09` (month) or `2026` (year)."""
    if not isinstance(value, str) or len(value) != _DATE_LENGTH[dimension]:
        raise ApiResponseError(f"{_WHAT}: {value!r} is not a {dimension.value} bucket")
    padded = {
        Dimension.DAY: value,
        Dimension.MONTH: f"{value}-01",
        Dimension.YEAR: f"{value}-01-01",
    }[dimension]
    try:
        return date.fromisoformat(padded)
    except ValueError:
        raise ApiResponseError(
            f"{_WHAT}: {value!r} is not a {dimension.value} bucket"
        ) from None


def parse_statistics(payload: Any, dimension: Dimension) -> list[StatisticsBucket]:
    """Return the buckets, oldest first; an item missing for a bucket is None in it."""
    data = obj(payload, _WHAT)
    if "dataList" not in data:
        raise ApiResponseError(f"{_WHAT}: the answer has no dataList")
    items = objects(data["dataList"], _WHAT)
    if not items:
        raise ApiResponseError(f"{_WHAT}: dataList is empty")
    values: dict[date, dict[str, float | None]] = {}
    known = 0
    for item in items:
        field = ITEMS.get(str(item.get("item")))
        if field is None:
            continue
        known += 1
        unit = item.get("unit")
        if unit not in (None, "kWh"):
            raise ApiResponseError(f"{_WHAT}: {item['item']} is in {unit!r}, not kWh")
        for point in objects(item.get("statisticsList", []), _WHAT):
            start = _bucket_start(point.get("date"), dimension)
            values.setdefault(start, {})[field] = to_number(
                point.get("val"), f"{_WHAT} {item['item']}"
            )
    if not known:
        raise ApiResponseError(f"{_WHAT}: dataList holds none of {', '.join(ITEMS)}")
    return [
        StatisticsBucket(
            start=start,
            dimension=dimension,
            pv_kwh=fields.get("pv_kwh"),
            consumption_kwh=fields.get("consumption_kwh"),
            grid_import_kwh=fields.get("grid_import_kwh"),
            grid_export_kwh=fields.get("grid_export_kwh"),
            battery_charge_kwh=fields.get("battery_charge_kwh"),
            battery_discharge_kwh=fields.get("battery_discharge_kwh"),
        )
        for start, fields in sorted(values.items())
    ]
