"""Amber in scripts/develop: the simulator's 5-minute demo site, its usage and cost as the grid."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hass import SIMULATOR, Hass

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


CHEAP_WINDOW = {
    "name": "Dishwasher",
    "duration": 90,
    "latest_end": "07:00:00",
    "contiguous": True,
}


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Add the cheap window "Dishwasher" (90 minutes in one go before 7 a.m.) if missing."""
    entry_id = entries[NAME]["entry_id"]
    listed = await api.ws("config_entries/subentries/list", entry_id=entry_id)
    if not any(s["subentry_type"] == "amber_cheap_window" for s in listed):
        await api.subentry(entry_id, "amber_cheap_window", [CHEAP_WINDOW])


async def energy_statistics(api: Hass) -> None:
    """Wait for the general, controlled-load and feed-in channels' energy and money."""
    await api.statistics(
        f"{channel}_{quantity}"
        for channel, quantities in (
            (E1, ("energy_consumption", "energy_cost")),
            (E2, ("energy_consumption", "energy_cost")),
            (B1, ("energy_return", "energy_compensation")),
        )
        for quantity in quantities
    )


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the site's device, the cheap window's sensor and the general price sensor."""
    state = {"device": ((await api.device(f"amber_{SITE}")) or {}).get("id")}
    for e in await api.ws("config/entity_registry/list"):
        if e["config_entry_id"] != entry["entry_id"]:
            continue
        if e["entity_id"].startswith("binary_sensor.") and e.get("translation_key") == (
            "cheap_window"
        ):
            state["cheap_window"] = e["entity_id"]
        elif e["entity_id"].startswith("sensor.") and e["entity_id"].endswith(
            "_general_price"
        ):
            state["general_price"] = e["entity_id"]
    return state


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    return [
        f"Amber device    /config/devices/device/{state['device']}",
        f"Cheap window    /history?entity_id={state.get('cheap_window')}",
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
