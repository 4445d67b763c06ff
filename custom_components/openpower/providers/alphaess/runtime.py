"""AlphaESS runtime data of one entry (one AppID): settings, the client, setting the entry up."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.alphaess import ALPHAESS_LIMITS, DEFAULT_API_URL, AlphaEssClient
from ...api.budget import RateLimit, RequestBudget
from ...api.http import mask_identifiers
from ...const import DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import api_url
from ...pricing import Pricer
from ...provider import account_budget
from .const import CONF_APP_ID, CONF_APP_SECRET, PROVIDER, WRITE_SPACING
from .coordinator import (
    AlphaEssControlCoordinator,
    AlphaEssEnergyCoordinator,
    AlphaEssLiveCoordinator,
    AlphaEssSummaryCoordinator,
    AlphaEssSystemsCoordinator,
)
from .history import AlphaEssHistoryCoordinator
from .statistics import DIRECTIONS, statistic_spec


@dataclass(frozen=True, kw_only=True, slots=True)
class AlphaEssSettings:
    """How AlphaESS is asked: timeout, first retry delay, history depth, budget, write spacing.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a real retry delay, a budget's pacing or a write's spacing never ends.
    """

    request_timeout: float = 30.0
    retry_backoff: float = 1.0
    history_days: int = 3650
    """How far back the first backfill goes at most (it stops earlier at the first empty day)."""
    limits: tuple[RateLimit, ...] = ALPHAESS_LIMITS
    write_spacing: float = WRITE_SPACING


SETTINGS: HassKey[AlphaEssSettings] = HassKey(f"{DOMAIN}_alphaess_settings")


def settings(hass: HomeAssistant) -> AlphaEssSettings:
    """Return the settings AlphaESS runs with."""
    return hass.data.get(SETTINGS) or AlphaEssSettings()


def app_budget(hass: HomeAssistant, app_id: str) -> RequestBudget:
    """Return the budget every request of one AppID shares (entry, flows, actions)."""
    return account_budget(hass, PROVIDER, app_id, settings(hass).limits)


def build_client(hass: HomeAssistant, data: Mapping[str, Any]) -> AlphaEssClient:
    """Return a client for the AppID, secret and API URL of `data` (flow input or entry data)."""
    tuning = settings(hass)
    return AlphaEssClient(
        async_get_clientsession(hass),
        data[CONF_APP_ID],
        data[CONF_APP_SECRET],
        api_url=api_url(data, DEFAULT_API_URL),
        budget=app_budget(hass, data[CONF_APP_ID]),
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
    )


@dataclass(kw_only=True, slots=True)
class AlphaEssRuntime:
    """Client and coordinators of one AppID, one coordinator per data kind."""

    client: AlphaEssClient
    systems: AlphaEssSystemsCoordinator
    live: AlphaEssLiveCoordinator
    energy: AlphaEssEnergyCoordinator
    summary: AlphaEssSummaryCoordinator
    control: AlphaEssControlCoordinator
    history: AlphaEssHistoryCoordinator
    pricer: Pricer
    """The entry's price source: grid import's cost and grid export's compensation."""


async def async_setup(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> AlphaEssRuntime:
    """Build the client and coordinators of one AppID; fail setup if AlphaESS is unreachable."""
    tuning = settings(hass)
    client = build_client(hass, entry.data)
    systems = AlphaEssSystemsCoordinator(hass, entry, client)
    await systems.async_config_entry_first_refresh()
    live = AlphaEssLiveCoordinator(hass, entry, client, systems)
    energy = AlphaEssEnergyCoordinator(hass, entry, client, systems)
    summary = AlphaEssSummaryCoordinator(hass, entry, client, systems)
    control = AlphaEssControlCoordinator(
        hass, entry, client, systems, write_spacing=tuning.write_spacing
    )
    await live.async_config_entry_first_refresh()
    pricer = Pricer(hass, entry)
    history = AlphaEssHistoryCoordinator(
        hass,
        entry,
        client,
        systems,
        pricer=pricer,
        history_days=tuning.history_days,
    )
    await history.async_load_stored()
    history.async_keep_polling()
    # Ten requests a minute: live power first, then the slower kinds as the budget lets them
    # through (their entities appear with their data), then years of history.
    for coordinator in (energy, control, summary, history):
        entry.async_create_background_task(
            hass,
            coordinator.async_refresh(),
            f"{mask_identifiers(entry.title)} alphaess {coordinator.name}",
        )
    entry.async_create_background_task(
        hass,
        pricer.async_price_stored(
            (statistic_spec(serial, quantity), direction)
            for serial in systems.data.systems
            for quantity, direction in DIRECTIONS.items()
        ),
        f"{mask_identifiers(entry.title)} alphaess pricing",
    )
    return AlphaEssRuntime(
        client=client,
        systems=systems,
        live=live,
        energy=energy,
        summary=summary,
        control=control,
        history=history,
        pricer=pricer,
    )
