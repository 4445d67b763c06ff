"""PG&E actions: `openpower.pge_request_data` and `openpower.pge_run_registration_tests`.

Asking spends PG&E's quota and a long range is a large download: one call asks for at most
`MAX_DAYS` days (from any day PG&E still keeps; longer ranges take several calls).
"""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from ...api.pge import async_registration_tests
from ...const import DOMAIN
from ...provider import ServiceSpec
from .const import PACIFIC
from .runtime import PgeRuntime

ATTR_START: Final = "start"
ATTR_END: Final = "end"
MAX_DAYS: Final = 366
"""Days one `pge_request_data` call may ask for (a year, a leap one included)."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), PACIFIC)


async def async_request_data(
    runtime: PgeRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Ask PG&E for the Pacific days [start, end] (default: the latest day it has).

    At most `MAX_DAYS` days (without a start, the year before the end). The data arrives
    later, through the notification; the answer says whether PG&E has any.
    """
    start: date | None = data.get(ATTR_START)
    end: date | None = data.get(ATTR_END)
    if start is not None and end is not None and end < start:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="end_before_start"
        )
    if start is None and end is not None:
        start = end - timedelta(days=MAX_DAYS - 1)
    last = end if end is not None else dt_util.now(PACIFIC).date()
    if start is not None and (last - start).days >= MAX_DAYS:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="pge_range_too_long",
            translation_placeholders={"days": str(MAX_DAYS)},
        )
    # PG&E includes the days whose midnight is in [min, max]: end at the last day's midnight.
    requested = await runtime.requests.async_request(
        _midnight(start) if start is not None else None,
        _midnight(end) if end is not None else None,
    )
    return {"requested": requested}


async def async_run_registration_tests(
    runtime: PgeRuntime, _data: Mapping[str, Any]
) -> ServiceResponse:
    """Run PG&E's registration connectivity tests; report each step."""
    steps = await async_registration_tests(runtime.client)
    return {
        "passed": all(step.ok for step in steps),
        "steps": [
            {
                "name": step.name,
                "ok": step.ok,
                "status": step.status,
                "detail": step.detail,
            }
            for step in steps
        ],
    }


SERVICES: tuple[ServiceSpec[PgeRuntime], ...] = (
    ServiceSpec(
        name="pge_request_data",
        schema=probatio.Schema(
            {
                probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
                probatio.Optional(ATTR_START): cv.date,
                probatio.Optional(ATTR_END): cv.date,
            }
        ),
        handler=async_request_data,
        response=SupportsResponse.OPTIONAL,
        # It spends PG&E's request quota of the registration.
        admin=True,
    ),
    ServiceSpec(
        name="pge_run_registration_tests",
        schema=probatio.Schema({probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string}),
        handler=async_run_registration_tests,
        response=SupportsResponse.ONLY,
    ),
)
