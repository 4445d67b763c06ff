"""PG&E sensor descriptions (data only: the shell's sensor platform builds them).

The service device shows the hourly status check and the last notification; each usage point its
latest day, last bill and newest data.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import EntityCategory, UnitOfEnergy
from homeassistant.helpers.typing import StateType

from ...sensor import OpenPowerSensorDescription
from .coordinator import PgeStatus, PgeUsage
from .devices import point_devices, point_of
from .history import PointSummary
from .runtime import PgeRuntime

# Not "unavailable": that is Home Assistant's own state for an entity it cannot update.
SERVICE_STATUSES = ["online", "offline"]


def _summary(usage: PgeUsage, uid: str) -> PointSummary | None:
    return usage.point(point_of(uid))


def _is(kind: str, *, needs_return: bool = False) -> Callable[[PgeUsage, str], bool]:
    def exists(usage: PgeUsage, uid: str) -> bool:
        summary = _summary(usage, uid)
        return (
            summary is not None
            and summary.kind == kind
            and (summary.has_return or not needs_return)
        )

    return exists


def _has_bill(usage: PgeUsage, uid: str) -> bool:
    summary = _summary(usage, uid)
    return summary is not None and summary.bill_amount is not None


def _pick(
    pick: Callable[[PointSummary], StateType | datetime],
) -> Callable[[PgeUsage, str], StateType | datetime]:
    def value(usage: PgeUsage, uid: str) -> StateType | datetime:
        summary = _summary(usage, uid)
        return pick(summary) if summary is not None else None

    return value


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


def _last_notification(usage: PgeUsage, _uid: str) -> datetime | None:
    notification = usage.last_notification
    return notification.received if notification is not None else None


# Therms are an energy unit in Home Assistant; the gas device class only has volumes.
SENSORS: tuple[OpenPowerSensorDescription[PgeRuntime, Any], ...] = (
    OpenPowerSensorDescription[PgeRuntime, PgeStatus](
        key="service_status",
        translation_key="service_status",
        device_class=SensorDeviceClass.ENUM,
        options=SERVICE_STATUSES,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=lambda status: (status.account,),
        value_fn=lambda status, _uid: (
            SERVICE_STATUSES[0] if status.service_status == 1 else SERVICE_STATUSES[1]
        ),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeStatus](
        key="certificate_expiry",
        translation_key="certificate_expiry",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=lambda status: (status.account,),
        value_fn=lambda status, _uid: status.certificate_expires,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeStatus](
        key="requests_today",
        translation_key="requests_today",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        coordinator_fn=lambda rt: rt.status,
        devices_fn=lambda status: (status.account,),
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
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="latest_day_consumption",
        translation_key="latest_day_consumption",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_is("electricity"),
        value_fn=_pick(lambda summary: summary.latest_day_consumption),
        attributes_fn=_day,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="latest_day_return",
        translation_key="latest_day_return",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_is("electricity", needs_return=True),
        value_fn=_pick(lambda summary: summary.latest_day_return),
        attributes_fn=_day,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="latest_day_gas",
        translation_key="latest_day_gas",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.THERM,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_is("gas"),
        value_fn=_pick(lambda summary: summary.latest_day_consumption),
        attributes_fn=_day,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="last_bill",
        translation_key="last_bill",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement="USD",
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has_bill,
        value_fn=_pick(lambda summary: summary.bill_amount),
        attributes_fn=_bill_period,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="newest_interval",
        translation_key="newest_interval",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        value_fn=_pick(lambda summary: summary.newest_interval_end),
    ),
)
