"""Parse `stations/device/all-status` (reference apis-goodwe.md §3.1, §9.7).

Devices are grouped by type, then by status: `deviceDetailList[{deviceType, statusDetailList[
{status, snList[], detailMap{sn: {sn, name, deviceType, status, subtype, addTime}}}]}]`
(fixtures `semsplus_device_all_status_*`, `semsplus_hybrid_all_status.json`).
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import obj, objects
from .models import Device, DeviceKind
from .values import field_number, optional_text, required_text

_WHAT: Final = "goodwe stations/device/all-status"
KINDS: Final[Mapping[str, DeviceKind]] = {
    "INVERTER": DeviceKind.INVERTER,
    # All-in-one units come as a storage cabinet, with no INVERTER (TS 11.1-beta).
    "ENERGY_STORAGE_INTEGRATED_CABINET": DeviceKind.INVERTER,
    "BATTERY_RACK": DeviceKind.BATTERY,
    "BAT_SYS": DeviceKind.BATTERY,
    "SMART_METER": DeviceKind.METER,
}


def _added(detail: Mapping[str, Any]) -> date | None:
    """`addTime` is epoch milliseconds or an ISO date-time: metadata, so unreadable is None."""
    value = detail.get("addTime")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC).date()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _device(
    sn: str, device_type: str, detail: Mapping[str, Any], status: float | None
) -> Device:
    kind_type = optional_text(detail, "deviceType", _WHAT) or device_type
    own_status = field_number(detail, "status", _WHAT)
    status = own_status if own_status is not None else status
    return Device(
        sn=sn,
        kind=KINDS.get(kind_type, DeviceKind.OTHER),
        device_type=kind_type,
        name=optional_text(detail, "name", _WHAT),
        model=optional_text(detail, "model", _WHAT),
        subtype=optional_text(detail, "subtype", _WHAT),
        status=None if status is None else int(status),
        added=_added(detail),
    )


def parse_devices(payload: Any) -> list[Device]:
    """Return a station's devices (each serial once); no `deviceDetailList` is invalid."""
    data = obj(payload, _WHAT)
    if "deviceDetailList" not in data:
        raise ApiResponseError(f"{_WHAT}: the answer has no deviceDetailList")
    devices: dict[str, Device] = {}
    for group in objects(data["deviceDetailList"], _WHAT):
        device_type = required_text(group, "deviceType", _WHAT)
        for entry in objects(group.get("statusDetailList", []), _WHAT):
            status = field_number(entry, "status", _WHAT)
            details = obj(entry.get("detailMap") or {}, f"{_WHAT} detailMap")
            serials = entry.get("snList", [])
            if not isinstance(serials, list) or not all(
                isinstance(sn, str) and sn for sn in serials
            ):
                raise ApiResponseError(f"{_WHAT}: snList is not a list of serials")
            for sn in [*serials, *(k for k in details if k not in serials)]:
                detail = obj(details.get(sn) or {}, f"{_WHAT} detailMap")
                devices.setdefault(sn, _device(sn, device_type, detail, status))
    return list(devices.values())
