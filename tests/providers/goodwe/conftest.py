"""GoodWe fixtures: short timeouts, a roomy budget, little history; the visitor's hybrid station."""

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.goodwe.runtime import (
    SETTINGS,
    GoodWeSettings,
)
from tests.simulator import Simulator
from tests.simulator.goodwe import (
    GATEWAY_HOST,
    GOODWE_EMAIL,
    GOODWE_PASSWORD,
    GOODWE_STATION,
    GoodWeSimulator,
)

HISTORY_DAYS = 10
"""Days of history the tests backfill (windows of 4 days: three windows and a short one)."""


@pytest.fixture(autouse=True)
def goodwe_settings(hass: HomeAssistant) -> GoodWeSettings:
    """Short timeouts, no retry delay, little history, a budget tests never exhaust.

    (Under a frozen clock a real delay or a budget's pacing never ends.)
    """
    settings = GoodWeSettings(
        request_timeout=0.5,
        retry_backoff=0,
        history_days=HISTORY_DAYS,
        window_days=4,
        windows_per_run=12,
        limits=(RateLimit(10_000, 60),),
    )
    hass.data[SETTINGS] = settings
    return settings


@pytest.fixture(autouse=True)
async def amsterdam(hass: HomeAssistant) -> None:
    """Run Home Assistant where the demo station is (its dates are local there)."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")


def goodwe(simulator: Simulator) -> GoodWeSimulator:
    """The simulator's GoodWe part."""
    part = simulator.part("goodwe")
    assert isinstance(part, GoodWeSimulator)
    return part


def goodwe_entry_data(
    simulator: Simulator,
    *,
    username: str = GOODWE_EMAIL,
    password: str = GOODWE_PASSWORD,
    station: str = GOODWE_STATION,
) -> dict[str, Any]:
    """Entry data of the visitor's station, as the config flow stores it."""
    return {
        "provider": "goodwe",
        "username": username,
        "password": password,
        "advanced": {"api_url": simulator.urls("goodwe")["api_url"]},
        "gateway": simulator.base_url("goodwe") + GATEWAY_HOST,
        "station_id": station,
    }


@pytest.fixture
def goodwe_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The visitor's hybrid station, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home (hybrid)",
        unique_id=f"goodwe_{GOODWE_STATION}",
        data=goodwe_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry
