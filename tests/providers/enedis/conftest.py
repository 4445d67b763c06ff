"""Enedis fixtures: quick settings, one entry per backend.

Entries hold what the config flow stores: provider, backend, credentials, PRM and the
`advanced` API URL (the simulator's host of that backend), under the flow's unique id.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.api.enedis import Backend
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.enedis.runtime import (
    SETTINGS,
    EnedisSettings,
)
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_CONSO_TOKEN,
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_MED_TOKEN,
)
from tests.simulator.enedis_model import HalfHour, local_midnight

ROOMY = (RateLimit(100_000, 3600.0),)
"""A budget tests never exhaust (under a frozen clock a paced request would never leave)."""

type EntryFactory = Callable[..., MockConfigEntry]


DAILY_MONTHS = 3
"""Daily depth of the tests (one 365-day window); `use_full_depth` gives Enedis's 36 months."""
CURVE_MONTHS = 1
"""Curve depth of the tests: five 7-day windows. Each curve hour is a recorder row, and each
older import rewrites the newer rows' sums: 24 months of a meter take the recorder ~40 s."""


@pytest.fixture(autouse=True)
def enedis_settings(hass: HomeAssistant) -> EnedisSettings:
    """Short timeouts, no retry delay, no jitter, a short history; roomy budgets but Conso API's.

    The Conso API keeps its real 90-in-12-hours budget: the backfill never waits on it (it
    stops above the reserve), and tests check it never nears Conso API's ban. The tests of
    the full depth set it back with `use_settings`.
    """
    return use_settings(
        hass,
        EnedisSettings(
            request_timeout=1.0,
            retry_backoff=0,
            limits={Backend.MYELECTRICALDATA: ROOMY, Backend.DATA_CONNECT: ROOMY},
            max_jitter=timedelta(0),
            daily_history_months=DAILY_MONTHS,
            curve_history_months=CURVE_MONTHS,
        ),
    )


def use_settings(hass: HomeAssistant, settings: EnedisSettings) -> EnedisSettings:
    """Run Enedis with `settings` (before its entries are set up)."""
    hass.data[SETTINGS] = settings
    return settings


def use_full_depth(hass: HomeAssistant) -> EnedisSettings:
    """Keep the test's settings but the history depth production runs with."""
    production = EnedisSettings()
    return use_settings(
        hass,
        replace(
            hass.data[SETTINGS],
            daily_history_months=production.daily_history_months,
            curve_history_months=production.curve_history_months,
        ),
    )


def without_data(simulator: Simulator, prm: str, start: date, end: date) -> None:
    """Give `prm` no data on the days [start, end): their windows answer 404 no_data_found.

    For tests about requests rather than rows: the backfill still asks every window, and the
    recorder imports days instead of years.
    """
    days = simulator.enedis.meters.prms[prm].gap_days
    days.update(start + timedelta(days=n) for n in range((end - start).days))


def entry_data(
    simulator: Simulator, backend: Backend, prm: str, **extra: Any
) -> dict[str, Any]:
    """Entry data as the flow stores it, for the demo credentials of `backend`."""
    urls = simulator.urls("enedis")
    if backend is Backend.CONSO_API:
        credentials = {"token": ENEDIS_CONSO_TOKEN}
        url = urls["conso_api_url"]
    elif backend is Backend.MYELECTRICALDATA:
        credentials = {"token": ENEDIS_MED_TOKEN}
        url = urls["myelectricaldata_url"]
    else:
        credentials = {
            "client_id": ENEDIS_DC_CLIENT_ID,
            "client_secret": ENEDIS_DC_CLIENT_SECRET,
        }
        url = urls["data_connect_url"]
    return {
        "provider": "enedis",
        "backend": backend.value,
        **credentials,
        "prm": prm,
        "advanced": {"api_url": url},
    } | extra


@pytest.fixture
def enedis_entry(hass: HomeAssistant, simulator: Simulator) -> EntryFactory:
    """Add an entry of one backend and meter to Home Assistant (not set up).

    Data Connect's 5 requests a second are lifted: the simulator counts them in real time,
    while the budget that keeps to them could never wait under the frozen clock.
    """
    simulator.enedis.dc_rate_per_second = 100_000

    def add(backend: Backend, prm: str, **extra: Any) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Linky {prm}",
            unique_id=f"enedis_{prm}",
            data=entry_data(simulator, backend, prm, **extra),
        )
        entry.add_to_hass(hass)
        return entry

    return add


async def async_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and wait for its first requests and its backfill."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


def expected_hours(half_hours: tuple[HalfHour, ...]) -> dict[datetime, float]:
    """Each UTC hour's kWh: the half-hours starting in it."""
    hours: dict[datetime, int] = {}
    for half_hour in half_hours:
        hour = half_hour.start_utc.replace(minute=0)
        hours[hour] = hours.get(hour, 0) + half_hour.wh
    return {hour: wh / 1000 for hour, wh in hours.items()}


async def day_rows(
    hass: HomeAssistant, statistic_id: str, day: date
) -> dict[datetime, float]:
    """The stored hours of one Paris day."""
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    return {
        hour: value
        for hour, value in await async_stored_hours(hass, statistic_id)
        if start <= hour < end
    }
