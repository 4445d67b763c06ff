"""AlphaESS in scripts/develop: the simulator's AppID, its two systems' solar, battery and grid.

The account (tests/simulator/alphaess.py): a SMILE5 with the periodic schedule store and an EV
charger, and a Storion-S5 on the legacy store that serves no live power. Both are in the
development Home Assistant's zone (scripts/develop passes it to the simulator). The simulator
keeps AlphaESS's 10 requests a minute: recent days arrive within minutes, the rest of the
backfill over hours.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hass import SIMULATOR, Hass

NAME = "AlphaESS"
API_URL = f"{SIMULATOR}/alphaess/api"
APP_ID = (
    "alpha0d3f5a2b9c1e7a46"  # the simulator's demo AppID (tests/simulator/alphaess.py)
)
APP_SECRET = "5b8e2f0c7a1d4e6f9b3c8a2d7e1f4c60"  # noqa: S105 - the simulator's demo secret
SYSTEMS = {"AL7011023030601": "SMILE5", "AL7011023030202": "Storion-S5"}
CHARGER = "AE1020231015007"


def _statistic(serial: str, quantity: str) -> str:
    return f"openpower:alphaess_{serial.lower()}_{quantity}"


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the AppID's entry, made through the config flow when missing."""
    form = {
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "advanced": {"api_url": API_URL},
    }
    steps = [{"next_step_id": "alphaess"}, form]
    # Found by its title, or by its first system's device.
    device = f"alphaess_{next(iter(SYSTEMS))}"
    return await api.entry(NAME, "AlphaESS …0601", device, steps)


TARIFF = {
    "import_price": 0.25,
    "export_price": 0.05,
    "period_1": {
        "price": 0.45,
        "start": "15:00:00",
        "end": "21:00:00",
        "days": ["mon", "tue", "wed", "thu", "fri"],
    },
    "period_2": {},
    "period_3": {},
}


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Price the systems' grid energy with a time-of-use tariff, unless it already is."""
    cost = _statistic(next(iter(SYSTEMS)), "grid_import_cost")
    items = await api.ws("recorder/list_statistic_ids", statistic_type="sum")
    if any(item["statistic_id"] == cost for item in items):
        return
    await api.options(
        entries[NAME]["entry_id"],
        [{"live_interval": 60}, {"source": "time_of_use"}, TARIFF],
    )


async def energy_statistics(api: Hass) -> None:
    """Wait for each system's solar, battery and grid."""
    quantities = (
        "pv",
        "battery_charge",
        "battery_discharge",
        "grid_import",
        "grid_export",
        "grid_import_cost",
        "grid_export_compensation",
    )
    await api.statistics(_statistic(s, q) for s in SYSTEMS for q in quantities)


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the systems' and the charger's devices."""
    devices = {}
    for serial in (*SYSTEMS, CHARGER):
        devices[serial] = ((await api.device(f"alphaess_{serial}")) or {}).get("id")
    return {"entry": entry["entry_id"], "devices": devices}


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    devices = state["devices"]
    lines = [f"AlphaESS AppID  {APP_ID} / {APP_SECRET}  (the simulator's demo)"]
    lines += [
        f"{model:<15} /config/devices/device/{devices[serial]}"
        for serial, model in SYSTEMS.items()
    ]
    lines.append(f"EV charger      /config/devices/device/{devices[CHARGER]}")
    return [*lines, f"AlphaESS API    {API_URL}"]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait for both systems' yesterday, hour by hour (the Energy dashboard shows it)."""
    now = datetime.now(UTC)
    ids = [_statistic(serial, "pv") for serial in SYSTEMS]
    rows = await api.ws(
        "recorder/statistics_during_period",
        start_time=(now - timedelta(days=2)).isoformat(),
        end_time=now.isoformat(),
        statistic_ids=ids,
        period="hour",
        types=["sum"],
    )
    missing = [i for i in ids if len(rows.get(i, [])) < 24]
    return f"recent hours of {', '.join(missing)}" if missing else None
