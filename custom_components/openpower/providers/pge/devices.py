"""PG&E devices: one service device per registration, one device per usage point under it.

The service device carries the service status, the last notification and the certificate's
expiry; a usage point (a meter's service: electricity or gas) its data.
"""

from collections.abc import Iterable

from ...entity import DeviceRef
from .const import PORTAL_URL, PROVIDER
from .coordinator import PgeUsage


def account_device(title: str, bulk_id: str) -> DeviceRef:
    """Return the registration's service device."""
    return DeviceRef(
        uid=f"{PROVIDER}_bulk_{bulk_id}",
        name=title,
        manufacturer="PG&E",
        model="Share My Data",
        configuration_url=PORTAL_URL,
        service=True,
    )


def point_uid(point: str) -> str:
    """Return the device uid of a usage point."""
    return f"{PROVIDER}_{point}"


def point_of(uid: str) -> str:
    """Return the usage point id of a device uid."""
    return uid.removeprefix(f"{PROVIDER}_")


def point_devices(usage: PgeUsage) -> list[DeviceRef]:
    """Return a device per usage point (the id's last digits tell two of a kind apart)."""
    kinds = [summary.kind for summary in usage.points]
    devices = []
    for summary in sorted(usage.points, key=lambda summary: summary.point):
        point = summary.point
        name = f"PG&E {summary.kind}"
        if kinds.count(summary.kind) > 1:
            name = f"{name} {point[-4:]}"
        devices.append(
            DeviceRef(
                uid=point_uid(point),
                name=name,
                manufacturer="PG&E",
                model=f"{summary.kind.capitalize()} usage point",
                serial_number=point,
                parent=usage.account.uid,
            )
        )
    return devices


def all_devices(usage: PgeUsage | None, account: DeviceRef) -> Iterable[DeviceRef]:
    """Return the registration's devices, parent first."""
    return [account, *(point_devices(usage) if usage is not None else ())]
