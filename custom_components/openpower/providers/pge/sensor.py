"""PG&E sensor descriptions (data only: the shell's sensor platform builds them).

The service device shows the hourly status check, the last notification and the authorization
(its status and end); each usage point its latest day, last bill and newest data; each
demand-response program PG&E lists (`customer.py`) its enrollment and dates.

The bill sensors show what the newest UsageSummary says (`history.bills_of`): the rate plan, the
last bill (for a net-metered month, its minimum delivery charge instead) with its line items and
consumption, and the open period's bill to date where PG&E sends one.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import EntityCategory, UnitOfEnergy
from homeassistant.helpers.typing import StateType

from ...api.pge import EnrollmentStatus, rate_schedule
from ...api.pge.espi.tariffs import RATE_SCHEDULES, code_key
from ...sensor import OpenPowerSensorDescription
from .authorization import AUTHORIZATION_STATES, PgeAuthorization
from .coordinator import PgeStatus, PgeUsage
from .customer import ProgramInfo
from .devices import point_devices, point_of, program_devices, program_of
from .history import PointSummary
from .runtime import PgeRuntime

# Not "unavailable": that is Home Assistant's own state for an entity it cannot update.
SERVICE_STATUSES = ["online", "offline"]
RATE_PLANS = sorted(key.lower() for key in RATE_SCHEDULES)
"""The rate plan states with a translated name (an unknown code is shown as sent)."""
ATTR_LINE_ITEMS = "line_items"


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


def _has(
    pick: Callable[[PointSummary], object], *, nem_minimum: bool | None = None
) -> Callable[[PgeUsage, str], bool]:
    """Exists where `pick` is not None (and the bill is, or is not, a NEM minimum charge)."""

    def exists(usage: PgeUsage, uid: str) -> bool:
        summary = _summary(usage, uid)
        return (
            summary is not None
            and pick(summary) is not None
            and (nem_minimum is None or summary.nem_minimum is nem_minimum)
        )

    return exists


def _unit(
    pick: Callable[[PointSummary], str | None],
) -> Callable[[PgeUsage, str], str | None]:
    def unit(usage: PgeUsage, uid: str) -> str | None:
        summary = _summary(usage, uid)
        return pick(summary) if summary is not None else None

    return unit


def _currency(usage: PgeUsage, uid: str) -> str:
    # PG&E bills in US dollars; its 2015 summaries leave `currency` out.
    summary = _summary(usage, uid)
    return (summary.bill_currency if summary is not None else None) or "USD"


def _rate_plan(usage: PgeUsage, uid: str) -> str | None:
    """Return the known schedule's key in lowercase (`etouc`), or an unknown code as sent."""
    summary = _summary(usage, uid)
    if summary is None or summary.rate_plan is None:
        return None
    code = summary.rate_plan
    return code_key(code).lower() if rate_schedule(code) is not None else code


def _rate_plan_options(usage: PgeUsage, uid: str) -> list[str]:
    plan = _rate_plan(usage, uid)
    return RATE_PLANS if plan is None or plan in RATE_PLANS else [*RATE_PLANS, plan]


def _rate_plan_attributes(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    summary = _summary(usage, uid)
    if summary is None or summary.rate_plan is None:
        return None
    attributes: dict[str, Any] = {"code": summary.rate_plan}
    if (schedule := rate_schedule(summary.rate_plan)) is not None:
        attributes["schedule"] = schedule.schedule
        attributes["net_metering"] = schedule.net_metering
    attributes["read_cycle"] = summary.read_cycle
    return attributes


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


def _bill(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    """Return the bill's period and line items."""
    period = _bill_period(usage, uid)
    summary = _summary(usage, uid)
    if period is None or summary is None:
        return period
    return period | {ATTR_LINE_ITEMS: [item.as_dict() for item in summary.line_items]}


def _nem_minimum(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    """Return the minimum charge's period and line item (the yearly true-up is not in the feed)."""
    attributes = _bill(usage, uid)
    return None if attributes is None else attributes | {"true_up_included": False}


def _open_period(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    summary = _summary(usage, uid)
    if summary is None or summary.bill_to_date_period_start is None:
        return None
    return {
        "period_start": summary.bill_to_date_period_start.isoformat(),
        "as_of": summary.current_as_of.isoformat() if summary.current_as_of else None,
    }


def _last_notification(usage: PgeUsage, _uid: str) -> datetime | None:
    notification = usage.last_notification
    return notification.received if notification is not None else None


# Not "unenrolled"/"enrolledPending" (PG&E's schema words): what a user reads.
ENROLLMENT_STATES: Final = {
    EnrollmentStatus.ENROLLED: "enrolled",
    EnrollmentStatus.PENDING: "pending",
    EnrollmentStatus.UNENROLLED: "not_enrolled",
}


def _program(
    pick: Callable[[ProgramInfo], StateType | datetime],
) -> Callable[[PgeUsage, str], StateType | datetime]:
    def value(usage: PgeUsage, uid: str) -> StateType | datetime:
        program = program_of(usage, uid)
        return pick(program) if program is not None else None

    return value


def _has_program_date(
    pick: Callable[[ProgramInfo], datetime | None],
) -> Callable[[PgeUsage, str], bool]:
    def exists(usage: PgeUsage, uid: str) -> bool:
        program = program_of(usage, uid)
        return program is not None and pick(program) is not None

    return exists


def _program_attributes(usage: PgeUsage, uid: str) -> dict[str, Any] | None:
    program = program_of(usage, uid)
    if program is None:
        return None
    return {
        "program": program.name,
        "dates": [
            {"description": description, "date": moment.isoformat()}
            for description, moment in program.dates
        ],
    }


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
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(lambda summary: summary.bill_amount, nem_minimum=False),
        value_fn=_pick(lambda summary: summary.bill_amount),
        unit_fn=_currency,
        attributes_fn=_bill,
        unrecorded_attributes=frozenset({ATTR_LINE_ITEMS}),
    ),
    # A net-metered month's bill is only the minimum delivery charge: not the energy's cost.
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="nem_minimum_charge",
        translation_key="nem_minimum_charge",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(lambda summary: summary.bill_amount, nem_minimum=True),
        value_fn=_pick(lambda summary: summary.bill_amount),
        unit_fn=_currency,
        attributes_fn=_nem_minimum,
        unrecorded_attributes=frozenset({ATTR_LINE_ITEMS}),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="rate_plan",
        translation_key="rate_plan",
        device_class=SensorDeviceClass.ENUM,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(lambda summary: summary.rate_plan),
        value_fn=_rate_plan,
        options_fn=_rate_plan_options,
        attributes_fn=_rate_plan_attributes,
    ),
    # A billing period's total is neither a total that grows nor a measurement: no state class.
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="last_bill_consumption",
        translation_key="last_bill_consumption",
        device_class=SensorDeviceClass.ENERGY,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(lambda summary: summary.bill_consumption),
        value_fn=_pick(lambda summary: summary.bill_consumption),
        unit_fn=_unit(lambda summary: summary.bill_consumption_unit),
        attributes_fn=_bill_period,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="bill_to_date",
        translation_key="bill_to_date",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(lambda summary: summary.bill_to_date),
        value_fn=_pick(lambda summary: summary.bill_to_date),
        unit_fn=_currency,
        attributes_fn=_open_period,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="current_period_consumption",
        translation_key="current_period_consumption",
        device_class=SensorDeviceClass.ENERGY,
        suggested_display_precision=2,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        exists_fn=_has(
            lambda summary: (
                summary.current_consumption
                if summary.bill_to_date is not None
                else None
            )
        ),
        value_fn=_pick(lambda summary: summary.current_consumption),
        unit_fn=_unit(lambda summary: summary.current_consumption_unit),
        attributes_fn=_open_period,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="newest_interval",
        translation_key="newest_interval",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=point_devices,
        value_fn=_pick(lambda summary: summary.newest_interval_end),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="program_enrollment",
        translation_key="program_enrollment",
        device_class=SensorDeviceClass.ENUM,
        options=list(ENROLLMENT_STATES.values()),
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=program_devices,
        exists_fn=lambda usage, uid: program_of(usage, uid) is not None,
        value_fn=_program(
            lambda program: (
                ENROLLMENT_STATES.get(program.status) if program.status else None
            )
        ),
        attributes_fn=_program_attributes,
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="program_enrolled_on",
        translation_key="program_enrolled_on",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=program_devices,
        exists_fn=_has_program_date(lambda program: program.enrolled_on),
        value_fn=_program(lambda program: program.enrolled_on),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeUsage](
        key="program_ends_on",
        translation_key="program_ends_on",
        device_class=SensorDeviceClass.TIMESTAMP,
        coordinator_fn=lambda rt: rt.usage,
        devices_fn=program_devices,
        exists_fn=_has_program_date(lambda program: program.ends_on),
        value_fn=_program(lambda program: program.ends_on),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeAuthorization](
        key="authorization_status",
        translation_key="authorization_status",
        device_class=SensorDeviceClass.ENUM,
        options=AUTHORIZATION_STATES,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.authorization,
        devices_fn=lambda authorization: (authorization.account,),
        value_fn=lambda authorization, _uid: str(authorization.status),
    ),
    OpenPowerSensorDescription[PgeRuntime, PgeAuthorization](
        key="authorization_end",
        translation_key="authorization_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        coordinator_fn=lambda rt: rt.authorization,
        devices_fn=lambda authorization: (authorization.account,),
        value_fn=lambda authorization, _uid: authorization.ends,
    ),
)
