"""Amber fixtures: short timeouts and history, the demo site's entry."""

from dataclasses import replace
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.openpower
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.runtime import SETTINGS, AmberSettings
from tests.simulator import (
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    Simulator,
)

INTEGRATION = Path(custom_components.openpower.__file__).parent


def english(*path: str) -> Any:
    """Return the English translation at `path` (a KeyError if there is none)."""
    english_file = INTEGRATION / "translations" / "en.json"
    found: Any = json.loads(english_file.read_text(encoding="utf-8"))
    for key in path:
        found = found[key]
    return found


@pytest.fixture
def amber_history_days() -> int:
    """Backfill 3 days instead of 90 (history tests override this fixture)."""
    return 3


@pytest.fixture(autouse=True)
def amber_settings(hass: HomeAssistant, amber_history_days: int) -> AmberSettings:
    """Short timeouts and no retry delay, so fault tests take milliseconds.

    (A real delay would never end under a frozen clock: asyncio's timers follow it.)
    """
    settings = AmberSettings(
        request_timeout=0.5, retry_backoff=0, history_days=amber_history_days
    )
    hass.data[SETTINGS] = settings
    return settings


@pytest.fixture
def amber_one_hour_forecast(hass: HomeAssistant, amber_settings: AmberSettings) -> None:
    """Fetch an hour of forecast instead of a day: snapshots stay short."""
    hass.data[SETTINGS] = replace(amber_settings, forecast_hours=1)


def amber_entry_data(
    simulator: Simulator, site_id: str = DEMO_SITE_5MIN
) -> dict[str, Any]:
    """Entry data of a demo Amber site served by the simulator."""
    return {
        "provider": "amber",
        "api_token": DEMO_TOKEN,
        "site_id": site_id,
        "account_id": min(DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED),
        "advanced": {"api_url": simulator.base_url("amber")},
    }


@pytest.fixture
def amber_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """A demo 5-minute Amber site, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry
