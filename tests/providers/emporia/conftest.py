"""Emporia fixtures: short timeouts and history, the demo account's entry, a client of it."""

from collections.abc import AsyncGenerator
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.emporia import (
    EMPORIA_LIMITS,
    CognitoAuth,
    EmporiaClient,
)
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.emporia.runtime import (
    SETTINGS,
    EmporiaSettings,
)
from tests.simulator import (
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_PASSWORD,
    Simulator,
)


@pytest.fixture(autouse=True)
def emporia_settings(hass: HomeAssistant) -> EmporiaSettings:
    """Short timeouts, no retry delay, 2 days of history backfill instead of 30.

    Only the daily budget: the 30-a-minute one would make a backfill wait, and under a frozen
    clock a wait never ends (the budget's pacing is tested on its own, in tests/api).
    """
    settings = EmporiaSettings(
        request_timeout=0.5,
        retry_backoff=0,
        history_days=2,
        limits=EMPORIA_LIMITS[:1],
    )
    hass.data[SETTINGS] = settings
    return settings


def emporia_entry_data(simulator: Simulator) -> dict[str, Any]:
    """Entry data of the demo Emporia account (password sign-in) served by the simulator."""
    return {
        "provider": "emporia",
        "email": EMPORIA_EMAIL,
        "password": EMPORIA_PASSWORD,
        "refresh_token": simulator.emporia.issue_tokens(EMPORIA_EMAIL)["refresh_token"],
        "advanced": simulator.urls("emporia"),
    }


@pytest.fixture
def emporia_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo Emporia account, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMPORIA_EMAIL,
        unique_id=f"emporia_{EMPORIA_CUSTOMER_GID}",
        data=emporia_entry_data(simulator),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def emporia_client(simulator: Simulator) -> AsyncGenerator[EmporiaClient]:
    """A client of the demo account, apart from Home Assistant's: what Emporia says."""
    urls = simulator.urls("emporia")
    async with aiohttp.ClientSession() as session:
        auth = CognitoAuth(
            session,
            auth_url=urls["auth_url"],
            email=EMPORIA_EMAIL,
            password=EMPORIA_PASSWORD,
        )
        yield EmporiaClient(session, auth, api_url=urls["api_url"])
