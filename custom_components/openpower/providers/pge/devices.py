"""PG&E devices: one service device per registration, one device per usage point under it.

The service device carries the service status, the last notification and the certificate's
expiry; a usage point (a meter's service: electricity or gas) its data; a demand-response program
(when PG&E's enrollment answer lists one) its enrollment.
"""

from collections.abc import Iterable

from ...entity import DeviceRef
from .const import PORTAL_URL, PROVIDER
from .coordinator import PgeUsage
from .customer import ProgramInfo, ServiceInfo


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
    """Return a device per usage point.

    Named by kind and, once PG&E's customer information gave it, the service address (two of
    a kind at one address, or without an address, are told apart by the id's last digits).
    The meter's serial and type are the device's serial number and model id when known (the
    usage point id otherwise). The registry keeps a name the user gave (`name_by_user`)
    whatever this says.
    """
    customer = usage.customer
    services = {
        summary.point: customer.service(summary.point) if customer else None
        for summary in usage.points
    }
    labels = [
        (summary.kind, _address(services[summary.point])) for summary in usage.points
    ]
    devices = []
    for summary in sorted(usage.points, key=lambda summary: summary.point):
        point = summary.point
        service = services[point]
        address = _address(service)
        name = f"PG&E {summary.kind}"
        if address is not None:
            name = f"{name} · {address}"
        if labels.count((summary.kind, address)) > 1:
            name = f"{name} {point[-4:]}"
        devices.append(
            DeviceRef(
                uid=point_uid(point),
                name=name,
                manufacturer="PG&E",
                model=f"{summary.kind.capitalize()} usage point",
                model_id=service.meter_type if service else None,
                serial_number=(service.meter_serial if service else None) or point,
                parent=usage.account.uid,
            )
        )
    return devices


def _address(service: ServiceInfo | None) -> str | None:
    return service.street if service is not None else None


def program_uid(program: ProgramInfo) -> str:
    """Return the device uid of a demand-response program of a usage point."""
    return f"{point_uid(program.point)}_program_{program.key}"


def program_devices(usage: PgeUsage) -> list[DeviceRef]:
    """Return a (service) device per demand-response program, under its usage point's device."""
    points = {summary.point for summary in usage.points}
    return [
        DeviceRef(
            uid=program_uid(program),
            name=f"PG&E {program.name}",
            manufacturer="PG&E",
            model="Demand response program",
            service=True,
            parent=point_uid(program.point)
            if program.point in points
            else usage.account.uid,
        )
        for program in usage.programs
    ]


def program_of(usage: PgeUsage, uid: str) -> ProgramInfo | None:
    """Return the program of a program device uid."""
    return next((p for p in usage.programs if program_uid(p) == uid), None)


def all_devices(usage: PgeUsage | None, account: DeviceRef) -> Iterable[DeviceRef]:
    """Return the registration's devices, parent first."""
    if usage is None:
        return [account]
    return [account, *point_devices(usage), *program_devices(usage)]
