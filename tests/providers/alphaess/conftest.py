"""AlphaESS fixtures: short timeouts, no spacing, a roomy budget; the demo AppID's entry."""

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.openpower
from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssSettings,
)
from tests.simulator import ALPHAESS_APP_ID, ALPHAESS_APP_SECRET, Simulator

INTEGRATION = Path(custom_components.openpower.__file__).parent


def english(*path: str) -> Any:
    """Return the English translation at `path` (a KeyError if there is none)."""
    english_file = INTEGRATION / "translations" / "en.json"
    found: Any = json.loads(english_file.read_text(encoding="utf-8"))
    for key in path:
        found = found[key]
    return found


@pytest.fixture(autouse=True)
def alphaess_settings(hass: HomeAssistant) -> AlphaEssSettings:
    """Short timeouts, no retry delay, no write spacing, a budget tests never exhaust.

    (Under a frozen clock a real delay, a budget's pacing or a write's spacing never ends:
    asyncio's timers follow it. The budget's pacing is tested on its own, in tests/api.)
    """
    settings = AlphaEssSettings(
        request_timeout=0.5,
        retry_backoff=0,
        write_spacing=0,
        history_days=3,
        limits=(RateLimit(1000, 60),),
    )
    hass.data[SETTINGS] = settings
    return settings


def alphaess_entry_data(simulator: Simulator) -> dict[str, Any]:
    """Entry data of the demo AppID served by the simulator."""
    return {
        "provider": "alphaess",
        "app_id": ALPHAESS_APP_ID,
        "app_secret": ALPHAESS_APP_SECRET,
        "advanced": {"api_url": simulator.base_url("alphaess")},
    }


@pytest.fixture
def alphaess_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo AppID, added to Home Assistant (not set up).

    The simulator's 10 requests a minute are lifted: tests run under a frozen clock, where the
    budget that keeps to them could never wait (rate-limit tests set them again).
    """
    simulator.alphaess.rate_limit = 100_000
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="AlphaESS",
        unique_id=f"alphaess_{ALPHAESS_APP_ID}",
        data=alphaess_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry
