"""PG&E devices and entity descriptions (data only: the shell's platforms build them).

One service device per registration (service status, last notification, certificate expiry) and
one device per usage point (a meter's service: electricity or gas) under it.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import EntityCategory, UnitOfEnergy

from ...entity import DeviceRef
from ...sensor import OpenPowerSensorDescription
from .const import PORTAL_URL, PROVIDER
from .coordinator import PgeStatus, PgeUsage
from .history import PointSummary
from .runtime import PgeRuntime

# Not "unavailable": that is Home Assistant's own state for an entity it cannot update.
SERVICE_STATUSES = ["online", "offline"]


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


def _summary(usage: PgeUsage, uid: str) -> PointSummary | None:
    return usage.point(uid.removeprefix(f"{PROVIDER}_"))


def _is(kind: str, *, needs_return: bool = False) -> Any:
    def exists(usage: PgeUsage, uid: str) -> bool:
        summary = _summary(usage, uid)
        return (
            summary is not None
            and summary.kind == kind
            and (summary.has_return or not needs_return)
        )

    return exists


def _day(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    summary = _summary(usage, uid)
    if summary is None or summary.latest_day is None:
        return None
    return {"day": summary.latest_day.isoformat()}


def _bill_period(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    summary = _summary(usage, uid)
    if summary is None or summary.bill_period_start is None:
        return None
    return {
        "period_start": summary.bill_period_start.isoformat(),
        "period_end": summary.bill_period_end.isoformat()
        if summary.bill_period_end
        else None,
    }


def _value(name: str) -> Any:
    def value(usage: PgeUsage, uid: str) -> Any:
        summary = _summary(usage, uid)
        return getattr(summary, name) if summary is not None else None

    return value


def _last_notification(usage: PgeUsage, _uid: str) -> datetime | None:
    notification = usage.last_notification
    return notification.received if notification is not None else None


def _status_sensor(key: str, **kwargs: Any) -> OpenPowerSensorDescription[Any, Any]:
    """Return a sensor of the service device fed by the hourly status check."""
    return OpenPowerSensorDescription[PgeRuntime, PgeStatus](
        key=key,
        translation_key=key,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=lambda status: (status.account,),
        **kwargs,
    )


def _point_sensor(key: str, **kwargs: Any) -> OpenPowerSensorDescription[Any, Any]:
    """Return a sensor of each usage point fed by the pushed data."""
    return OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key=key,
        translation_key=key,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        **kwargs,
    )


def _daily_energy(
    key: str, unit: str, **kwargs: Any
) -> OpenPowerSensorDescription[Any, Any]:
    """Return a latest-day total of a usage point (the day in the `day` attribute)."""
    # Therms are an energy unit in Home Assistant; the gas device class only has volumes.
    return _point_sensor(
        key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=unit,
        suggested_display_precision=2,
        attributes_fn=_day,
        **kwargs,
    )


SENSORS: tuple[OpenPowerSensorDescription[Any, Any], ...] = (
    _status_sensor(
        "service_status",
        device_class=SensorDeviceClass.ENUM,
        options=SERVICE_STATUSES,
        value_fn=lambda status, _uid: (
            SERVICE_STATUSES[0] if status.service_status == 1 else SERVICE_STATUSES[1]
        ),
    ),
    _status_sensor(
        "certificate_expiry",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status, _uid: status.certificate_expires,
    ),
    _status_sensor(
        "requests_today",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda status, _uid: status.requests_24h,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="last_notification",
        translation_key="last_notification",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=lambda usage: (usage.account,),
        value_fn=_last_notification,
    ),
    _daily_energy(
        "latest_day_consumption",
        UnitOfEnergy.KILO_WATT_HOUR,
        exists_fn=_is("electricity"),
        value_fn=_value("latest_day_consumption"),
    ),
    _daily_energy(
        "latest_day_return",
        UnitOfEnergy.KILO_WATT_HOUR,
        exists_fn=_is("electricity", needs_return=True),
        value_fn=_value("latest_day_return"),
    ),
    _daily_energy(
        "latest_day_gas",
        UnitOfEnergy.THERM,
        exists_fn=_is("gas"),
        value_fn=_value("latest_day_consumption"),
    ),
    _point_sensor(
        "last_bill",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement="USD",
        suggested_display_precision=2,
        exists_fn=lambda usage, uid: (
            (summary := _summary(usage, uid)) is not None
            and summary.bill_amount is not None
        ),
        value_fn=_value("bill_amount"),
        attributes_fn=_bill_period,
    ),
    _point_sensor(
        "newest_interval",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_value("newest_interval_end"),
    ),
)
