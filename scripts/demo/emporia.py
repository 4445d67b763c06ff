"""Emporia in scripts/develop: the simulator's demo account, its solar and a few circuits.

The account (tests/simulator/emporia.py): a Vue 2 "Home" with 16 circuits (a Vue 3 "Workshop" on
its sub-panel), the smart plug "Coffee maker" and the EV charger "Garage charger".
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
# Statistics (device, circuit, quantity) and their names on the Energy dashboard. The Vue 2's
# "EV charger" circuit is left out: it is the charger's consumption again.
SOLAR = {"Home Solar production": "Solar (Emporia)"}
CIRCUITS = ("HVAC", "Water heater", "Kitchen", "Dryer", "Fridge")
DEVICES = {f"Home {circuit} consumption": circuit for circuit in CIRCUITS}
DEVICES["Coffee maker consumption"] = "Coffee maker (plug)"
DEVICES["Garage charger consumption"] = "Garage charger"


def simulator_args() -> list[str]:
    """Add nothing to the simulator's command line."""
    return []


async def set_up(api: Hass) -> tuple[dict[str, Any], bool]:
    """Return the account's entry (titled with its email), made through the flow if missing."""
    form = {"email": EMAIL, "password": PASSWORD, "advanced": URLS}
    steps = [{"next_step_id": "emporia"}, {"next_step_id": "emporia_password"}, form]
    return await api.entry(NAME, EMAIL, f"emporia_{MONITOR}", steps)


async def energy(api: Hass) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the solar circuit as solar, the plug, the charger and a few circuits as devices."""
    found = await api.statistics([*SOLAR, *DEVICES], by="name")
    solar = {"type": "solar", "config_entry_solar_forecast": None}
    solar |= {"name": SOLAR["Home Solar production"]}
    solar["stat_energy_from"] = found["Home Solar production"]
    devices = [{"stat_consumption": found[s], "name": n} for s, n in DEVICES.items()]
    return [solar], devices


async def ready(api: Hass, entry: dict[str, Any]) -> dict[str, Any]:
    """Return the entry, the monitor's and the charger's devices, their "energy today"."""
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
