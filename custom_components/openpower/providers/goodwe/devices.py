"""GoodWe devices: the station (a service), and an inverter, battery and meter under it.

Device uids are `goodwe_<station id>` and `goodwe_<serial>`: SEMS+ station ids are UUIDs and
serials are unique per device (reference apis-goodwe.md §3.1). Dongles and unknown device types
(`DeviceKind.OTHER`) carry no telemetry worth showing and get no device.
"""

from typing import Final

from ...api.goodwe import Device, DeviceKind, Station
from ...entity import DeviceRef
from .const import PORTAL_URL, PROVIDER

MANUFACTURER: Final = "GoodWe"
SHOWN_KINDS: Final = frozenset(
    {DeviceKind.INVERTER, DeviceKind.BATTERY, DeviceKind.METER}
)
_KIND_NAMES: Final = {
    DeviceKind.INVERTER: "inverter",
    DeviceKind.BATTERY: "battery",
    DeviceKind.METER: "meter",
}


def uid_of(native_id: str) -> str:
    """Return the device uid of a station id or a serial."""
    return f"{PROVIDER}_{native_id}"


def serial_of(uid: str) -> str:
    """Return the station id or serial of a device uid."""
    return uid.removeprefix(f"{PROVIDER}_")


def station_device(station: Station) -> DeviceRef:
    """Describe the station: the power flow and the day's energy (a cloud service)."""
    return DeviceRef(
        uid=uid_of(station.id),
        name=f"GoodWe {station.name}" if station.name else "GoodWe station",
        manufacturer=MANUFACTURER,
        model="SEMS+ station",
        configuration_url=PORTAL_URL,
        service=True,
    )


def equipment_device(station: Station, device: Device) -> DeviceRef:
    """Describe an inverter, battery or meter of the station (its serial is its identity)."""
    kind = _KIND_NAMES.get(device.kind, "device")
    return DeviceRef(
        uid=uid_of(device.sn),
        name=f"GoodWe {kind} {device.sn[-4:]}",
        manufacturer=MANUFACTURER,
        model=device.model or device.device_type,
        serial_number=device.sn,
        configuration_url=PORTAL_URL,
        parent=uid_of(station.id),
    )
