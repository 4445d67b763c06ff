"""Enedis in scripts/develop: a Linky that consumes and injects, through Data Connect.

The simulator's demo client (tests/simulator/enedis.py) and its producer-and-consumer PRM: a
12 kVA peak/off-peak contract with off-peak hours 23:00-07:00, solar surplus fed into the grid.
Data Connect serves the contract (the sensors) and lets the backfill run as fast as its quota:
24 months of load curves arrive within minutes. The entry is priced with the French regulated
peak/off-peak tariff, so the Energy dashboard shows cost and compensation.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hass import SIMULATOR, Hass

NAME = "Enedis"
API_URL = f"{SIMULATOR}/enedis/dc"
CLIENT_ID = "c7f3e2a1-4b5d-4e6f-9a8b-0c1d2e3f4a5b"  # the simulator's demo client
CLIENT_SECRET = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"  # noqa: S105 - the simulator's demo
PRM = "25946599093150"  # its producer and consumer
TITLE = f"Linky {PRM}"
TARIFF = {
    "peak_price": 0.2700,
    "offpeak_price": 0.2068,
    "offpeak_hours": "23:00-07:00",
    "production_price": 0.1269,
}


def _statistic(quantity: str) -> str:
    return f"openpower:enedis_{PRM}_{quantity}"


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the meter's entry, made through the config flow when missing."""
    form = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "prm": PRM,
        "advanced": {"api_url": API_URL},
    }
    steps = [
        {"next_step_id": "enedis"},
        {"next_step_id": "enedis_data_connect"},
        form,
    ]
    return await api.entry(NAME, TITLE, f"enedis_{PRM}", steps)


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Price the meter with the peak/off-peak tariff, unless it already is."""
    cost = _statistic("energy_consumption_cost")
    items = await api.ws("recorder/list_statistic_ids", statistic_type="sum")
    if any(item["statistic_id"] == cost for item in items):
        return
    await api.options(
        entries[NAME]["entry_id"],
        [
            {
                "data": ["consumption", "production", "load_curve", "max_power"],
                "tariff": "peak_offpeak",
            },
            TARIFF,
        ],
    )


async def energy_statistics(api: Hass) -> None:
    """Wait for consumption and production, with their cost and compensation."""
    await api.statistics(
        _statistic(quantity)
        for quantity in (
            "energy_consumption",
            "energy_consumption_cost",
            "energy_production",
            "energy_production_compensation",
        )
    )


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the meter's device."""
    device = (await api.device(f"enedis_{PRM}")) or {}
    return {"entry": entry["entry_id"], "device": device.get("id")}


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    return [
        f"Enedis client   {CLIENT_ID} / {CLIENT_SECRET}  (the simulator's demo)",
        f"Linky           /config/devices/device/{state['device']}",
        f"Data Connect    {API_URL}",
    ]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait for the day before yesterday hour by hour (Enedis publishes the day after)."""
    now = datetime.now(UTC)
    used = _statistic("energy_consumption")
    rows = await api.ws(
        "recorder/statistics_during_period",
        start_time=(now - timedelta(days=3)).isoformat(),
        end_time=now.isoformat(),
        statistic_ids=[used],
        period="hour",
        types=["sum"],
    )
    count = len(rows.get(used, []))
    return None if count >= 24 else f"{count} recent hours of {used}"
