"""GoodWe in scripts/develop: a SEMS+ hybrid station through the visitor account, with its history.

The simulator's visitor account (tests/simulator/goodwe.py) sees one station, *Home (hybrid)*
in Europe/Amsterdam: a 6 kWp hybrid inverter, a 10 kWh battery, a smart meter and a WiFi dongle
(which gets no device). The flow logs in at the simulator's login host, which names its regional
gateway; the only station is taken without a choice. The daily statistics are backfilled from
the station's first day (2026-01-01) in the first hourly run: a day's energy is stored at the
station's local midnight, so the Energy dashboard shows one bar a day, in Sydney's hours there.
The entry is priced with a fixed tariff through its options (the shared price-source steps), so
grid import and export have cost and compensation on the Energy dashboard.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hass import SIMULATOR, Hass

NAME = "GoodWe"
API_URL = f"{SIMULATOR}/goodwe/semsplus/web/sems"  # the simulator's SEMS+ login host
EMAIL = "visitor@example.com"  # the simulator's demo visitor account
PASSWORD = "Visitor-Sun-2026"  # noqa: S105 - the simulator's demo password
STATION = "6f1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70"
TITLE = "Home (hybrid)"
DEVICES = {
    "Inverter": "9010KETU24A00017",
    "Battery": "96LXF10K24B00231",
    "Smart meter": "93000GMK24C00412",
}
QUANTITIES = ("pv", "grid_import", "grid_export", "battery_charge", "battery_discharge")
PRICES = {"import_price": 0.30, "export_price": 0.08}  # a fixed tariff, per kWh
MONEY = ("grid_import_cost", "grid_export_compensation")  # what the prices add


def _statistic(quantity: str) -> str:
    # Statistic ids are slugified: the station id's dashes become underscores.
    return f"openpower:goodwe_{STATION.replace('-', '_')}_{quantity}"


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line (the station keeps its own zone)."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the station's entry, made through the config flow when missing."""
    form = {"username": EMAIL, "password": PASSWORD, "advanced": {"api_url": API_URL}}
    steps = [{"next_step_id": "goodwe"}, form]
    return await api.entry(NAME, TITLE, f"goodwe_{STATION}", steps)


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Price the station with the fixed tariff, unless it already is."""
    cost = _statistic("grid_import_cost")
    items = await api.ws("recorder/list_statistic_ids", statistic_type="sum")
    if any(item["statistic_id"] == cost for item in items):
        return
    steps = [{"source": "fixed"}, PRICES]  # the options start at the price source
    await api.options(entries[NAME]["entry_id"], steps)


async def energy_statistics(api: Hass) -> None:
    """Wait for the station's solar, grid and battery days, with the grid's money.

    The money too: `configure_energy_dashboard` adds a cost only once it is stored.
    """
    await api.statistics(_statistic(quantity) for quantity in (*QUANTITIES, *MONEY))


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the station's and its equipment's devices."""
    devices = {"Station": ((await api.device(f"goodwe_{STATION}")) or {}).get("id")}
    for label, serial in DEVICES.items():
        devices[label] = ((await api.device(f"goodwe_{serial}")) or {}).get("id")
    return {"entry": entry["entry_id"], "devices": devices}


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    lines = [f"GoodWe SEMS+    {EMAIL} / {PASSWORD}  (the simulator's visitor)"]
    lines += [
        f"{label:<15} /config/devices/device/{device}"
        for label, device in state["devices"].items()
    ]
    return [*lines, f"GoodWe login    {API_URL}"]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait for the last week's days (one row a day, at the station's local midnight)."""
    now = datetime.now(UTC)
    ids = [_statistic(quantity) for quantity in QUANTITIES]
    rows = await api.ws(
        "recorder/statistics_during_period",
        start_time=(now - timedelta(days=8)).isoformat(),
        end_time=now.isoformat(),
        statistic_ids=ids,
        period="day",
        types=["sum"],
    )
    missing = [i for i in ids if len(rows.get(i, [])) < 7]
    return f"the last week of {', '.join(missing)}" if missing else None
