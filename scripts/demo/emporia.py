"""Emporia in scripts/develop: the simulator's demo account, its mains, solar and circuits.

The account (tests/simulator/emporia.py): a Vue 2 "Home" with 16 circuits (a Vue 3 "Workshop" on
its sub-panel), the smart plug "Coffee maker" and the EV charger "Garage charger", in the
development Home Assistant's zone (scripts/develop passes it to the simulator).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hass import SIMULATOR, Hass

NAME = "Emporia"
EMAIL = "demo@openpower.invalid"
PASSWORD = "openpower-demo"  # noqa: S105 - the simulator's documented demo password
HOST = f"{SIMULATOR}/emporia"
URLS = {"api_url": f"{HOST}/api", "auth_url": f"{HOST}/cognito"}
URLS["maintenance_url"] = f"{HOST}/maintenance/maintenance.json"
MONITOR, CHARGER = 2000001, 2000004  # the Vue 2 and the charger


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the account's entry (titled with its email), made through the flow if missing."""
    form = {"email": EMAIL, "password": PASSWORD, "advanced": URLS}
    steps = [{"next_step_id": "emporia"}, {"next_step_id": "emporia_password"}, form]
    return await api.entry(NAME, EMAIL, f"emporia_{MONITOR}", steps)


async def link(api: Hass, entries: dict[str, Any]) -> None:
    """Price the account's energy with the Amber site's prices, unless it already is.

    The options' last steps choose the price source; the entry reloads and prices its stored
    history with Amber's intervals, then every hour it imports.
    """
    cost = f"openpower:emporia_{MONITOR}_mains_energy_consumption_cost"
    items = await api.ws("recorder/list_statistic_ids", statistic_type="sum")
    if any(item["statistic_id"] == cost for item in items):
        return
    amber = next(entry for name, entry in entries.items() if name == "Amber")
    await api.options(
        entries[NAME]["entry_id"],
        [
            {"sensors": ["power", "energy_today"]},
            {"source": "entry"},
            {"price_entry_id": amber["entry_id"]},
        ],
    )


async def energy_statistics(api: Hass) -> None:
    """Wait for the Vue 2's mains (the grid) and its solar circuit."""
    vue2 = f"openpower:emporia_{MONITOR}"
    await api.statistics(
        [
            f"{vue2}_mains_energy_consumption",
            f"{vue2}_mains_energy_return",
            f"{vue2}_circuit_6_energy_production",
            f"{vue2}_mains_energy_consumption_cost",
            f"{vue2}_mains_energy_return_compensation",
        ]
    )


COSTS_DASHBOARD = "openpower-costs"


async def costs_dashboard(api: Hass) -> None:
    """Make the "Circuit costs" dashboard: what each Vue 2 circuit cost a day at Amber's prices.

    The Energy dashboard prices only the grid; a circuit's cost statistic is drawn by a
    statistics graph card.
    """
    items = await api.ws("recorder/list_statistic_ids", statistic_type="sum")
    prefix = f"openpower:emporia_{MONITOR}_circuit_"
    costs = sorted(
        i["statistic_id"]
        for i in items
        if i["statistic_id"].startswith(prefix)
        and i["statistic_id"].endswith("_energy_consumption_cost")
    )
    boards = await api.ws("lovelace/dashboards/list")
    if not any(b.get("url_path") == COSTS_DASHBOARD for b in boards):
        await api.ws(
            "lovelace/dashboards/create",
            url_path=COSTS_DASHBOARD,
            title="Circuit costs",
            icon="mdi:cash",
            show_in_sidebar=True,
            require_admin=False,
            mode="storage",
        )
    card = {
        "type": "statistics-graph",
        "title": "What each circuit cost a day (Amber prices, AUD)",
        "entities": costs,
        "period": "day",
        "days_to_show": 7,
        "stat_types": ["change"],
        "chart_type": "bar",
    }
    config = {"views": [{"title": "Costs", "path": "costs", "cards": [card]}]}
    await api.ws("lovelace/config/save", url_path=COSTS_DASHBOARD, config=config)


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the entry, the monitor's and the charger's devices, their "energy today"."""
    await costs_dashboard(api)
    state = {"entry": entry["entry_id"], "energy_today": {}}
    for key, gid in (("monitor", MONITOR), ("charger", CHARGER)):
        state[key] = ((await api.device(f"emporia_{gid}")) or {}).get("id")
    for e in await api.ws("config/entity_registry/list"):
        if e["entity_id"].endswith("_energy_today"):  # → the statistic it continues
            gid = {state["monitor"]: MONITOR, state["charger"]: CHARGER}.get(
                e["device_id"]
            )
            if gid:
                statistic = f"openpower:emporia_{gid}_mains_energy_consumption"
                state["energy_today"][e["entity_id"]] = statistic
    return state


def summary(state: dict[str, Any]) -> list[str]:
    """Return the summary's lines."""
    return [
        f"Emporia login   {EMAIL} / {PASSWORD}  (the simulator's demo account)",
        f"Emporia Vue 2   /config/devices/device/{state['monitor']}",
        f"EV charger      /config/devices/device/{state['charger']}",
        f"Circuit costs   /{COSTS_DASHBOARD}/costs   (Emporia priced by the Amber site)",
        f"Emporia API     {URLS['api_url']}",
    ]


async def pictures_ready(api: Hass, state: dict[str, Any]) -> str | None:
    """Wait until the "energy today" sensors include today's imported hours.

    Right after a start they count only the minutes since: the stored hours are added at the
    first power update after the background history read (about a minute later).
    """
    today, zone = state["energy_today"], (await api.ws("get_config"))["time_zone"]
    now = datetime.now(ZoneInfo(zone))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = {"start_time": midnight.isoformat(), "statistic_ids": list(today.values())}
    rows = await api.ws(
        "recorder/statistics_during_period", **query, period="hour", types=["change"]
    )
    states, behind = await api.states(today), []
    for sensor, statistic in today.items():
        stored = sum(row["change"] or 0 for row in rows.get(statistic, []))
        value = states[sensor]
        if not value.replace(".", "", 1).isdigit() or float(value) < stored - 0.01:
            behind.append(f"{sensor} {value} < {stored:.2f} kWh")
    return "; ".join(behind) or None
