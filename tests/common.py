"""Helpers shared by the integration tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from .simulator import Simulator


async def async_settle(hass: HomeAssistant) -> None:
    """Let every task finish, background ones (coordinator refreshes, history) included."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def async_setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Set up an entry and wait for everything it started."""
    result = await hass.config_entries.async_setup(entry.entry_id)
    await async_settle(hass)
    return result


async def async_move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: str | datetime
) -> None:
    """Move the clock, fire what is due, and wait for it."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await async_settle(hass)


def price_requests(simulator: Simulator, site_id: str | None = None) -> list[str]:
    """Times (HH:MM:SS, simulator clock) of the `/prices/current` requests received."""
    return [
        record.time.strftime("%H:%M:%S")
        for record in simulator.requests
        if record.path.endswith("/prices/current")
        and (site_id is None or f"/{site_id}/" in record.path)
    ]


@contextmanager
def only_platform(platform: Platform) -> Iterator[None]:
    """Set entries up with only one of their provider's platforms (as snapshot_platform needs)."""
    with patch(
        "custom_components.openpower.provider.ProviderSpec.platforms",
        new_callable=PropertyMock,
        return_value=[platform],
    ):
        yield


def energy_grid(**stats: str | float | None) -> dict[str, Any]:
    """Return a grid source as Home Assistant's Energy preferences store it (unset: None)."""
    return {
        "type": "grid",
        "stat_energy_from": None,
        "stat_cost": None,
        "entity_energy_price": None,
        "number_energy_price": None,
        "stat_energy_to": None,
        "stat_compensation": None,
        "entity_energy_price_export": None,
        "number_energy_price_export": None,
        "cost_adjustment_day": 0.0,
    } | stats
