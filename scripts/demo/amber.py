"""Amber in scripts/develop: the simulator's 5-minute demo site, its usage and cost as the grid."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hass import SIMULATOR, Hass, grid

NAME = "Amber"
API_URL = f"{SIMULATOR}/amber/v1"
TOKEN = "psk_demo" + "0" * 28  # the simulator's demo account (tests/simulator/amber.py)
SITE = "01HS7KNZ9XYN85AJF60D0G8V81"  # its 5-minute site
E1, E2, B1 = (
    f"openpower:amber_{SITE.lower()}_{channel}" for channel in ("e1", "e2", "b1")
)


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the demo site's entry, made through the config flow when missing."""
    form = {"api_token": TOKEN, "advanced": {"api_url": API_URL}}
    steps = [{"next_step_id": "amber"}, form, {"site_id": SITE, "site_name": "Home"}]
    return await api.entry(NAME, "Home", f"amber_{SITE}", steps)


async def energy(api: Hass) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the general and controlled-load channels as grid connections, with costs."""
    used, cost = "_energy_consumption", "_energy_cost"
    general = grid(
        "Amber general",
        E1 + used,
        E1 + cost,
        f"{B1}_energy_return",
        f"{B1}_energy_compensation",
    )
    sources = [general, grid("Amber controlled load", E2 + used, E2 + cost)]
    await api.statistics(
        v for s in sources for k, v in s.items() if k.startswith("stat_") and v
    )
    return sources, []


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the site's device."""
    return {"device": ((await api.device(f"amber_{SITE}")) or {}).get("id")}


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    return [
        f"Amber device    /config/devices/device/{state['device']}",
        f"Amber API       {API_URL}",
    ]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait for yesterday's hours of usage, committed (the Energy dashboard shows them)."""
    now, used = datetime.now(UTC), f"{E1}_energy_consumption"
    period = {
        "start_time": (now - timedelta(days=2)).isoformat(),
        "end_time": now.isoformat(),
    }
    rows = await api.ws(
        "recorder/statistics_during_period",
        **period,
        statistic_ids=[used],
        period="hour",
        types=["sum"],
    )
    return (
        None
        if len(rows.get(used, [])) >= 24
        else f"{len(rows.get(used, []))} recent hours of {used}"
    )
