"""scripts/develop: a real Home Assistant with OpenPower from this checkout, against the simulator.

Run through `scripts/develop` (which prepares the venv first). Starts the provider simulator and
Home Assistant 2026.10.4 on 127.0.0.1 only, creates the owner user, adds an Amber entry, an
Emporia entry and a PG&E Share My Data entry through the real config flow over the REST API,
saves Energy dashboard preferences once the imported history exists (Amber's grid, Emporia's
solar circuit and a few of its circuits, plug and charger as individual devices, PG&E's
electricity as a second grid connection and its gas), prints how to log in, and keeps both
running until Ctrl-C.

PG&E pushes its data: the simulator POSTs each notification to the entry's webhook on this Home
Assistant (`http://127.0.0.1:8123/api/webhook/<id>`), registered with the simulator's control
endpoint while the config flow shows the notification URL (and given on the simulator's command
line on later runs). The first setup backfills four years, 90 days per request. Home Assistant's
time zone is Sydney's (for Amber); PG&E's days are Pacific days, so a PG&E day spans two days on
the Sydney-time dashboard (its daily gas lands between 5 and 7 p.m. Sydney time).

State lives in `.develop/` (config dir `.develop/config`, with `custom_components/openpower` a
symlink to this checkout's integration, so edits show up after a restart of Home Assistant).
"""

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Iterable
import contextlib
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import shutil
import signal
import sys
import time
from typing import Any

import aiohttp
from develop_hass import (
    CONFIG_DIR,
    DEVELOP_DIR,
    HA_CONSOLE_LOG,
    HA_HOST,
    HA_LOG,
    HA_PORT,
    HA_URL,
    PASSWORD,
    ROOT,
    STATE_FILE,
    TOKEN_FILE,
    USERNAME,
    HassError,
    HassRest,
    HassWebSocket,
    create_owner,
    exchange_code,
    login,
    onboarding_done,
    port_open,
    tail,
    token_valid,
    wait_http,
)
import homeassistant
from homeassistant.components.brands.const import ALLOWED_IMAGES, PLACEHOLDER

VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
SIMULATOR_LOG = DEVELOP_DIR / "simulator.log"
SIMULATOR_PORT = 8765
AMBER_API_URL = f"http://127.0.0.1:{SIMULATOR_PORT}/amber/v1"
AMBER_TOKEN = "psk_demo" + "0" * 28  # the simulator's demo account (tests/simulator)
AMBER_SITE_ID = "01HS7KNZ9XYN85AJF60D0G8V81"  # its 5-minute site, NMI 4102345678
AMBER_SITE_NAME = "Home"

STAT = f"openpower:amber_{AMBER_SITE_ID.lower()}"
STATISTIC_IDS = {
    "general": f"{STAT}_e1_energy_consumption",
    "general_cost": f"{STAT}_e1_energy_cost",
    "controlled_load": f"{STAT}_e2_energy_consumption",
    "controlled_load_cost": f"{STAT}_e2_energy_cost",
    "feed_in": f"{STAT}_b1_energy_return",
    "feed_in_compensation": f"{STAT}_b1_energy_compensation",
}

# The simulator's Emporia demo account (tests/simulator/emporia.py): a Vue 2 "Home" with 16
# circuits (a Vue 3 "Workshop" on its sub-panel), the smart plug "Coffee maker" and the EV charger
# "Garage charger". Its three hosts as `Simulator.urls("emporia")` gives them on SIMULATOR_PORT.
EMPORIA_EMAIL = "demo@openpower.invalid"
EMPORIA_PASSWORD = "openpower-demo"  # noqa: S105 - the simulator's documented demo password
EMPORIA_ROOT = f"http://127.0.0.1:{SIMULATOR_PORT}/emporia"
EMPORIA_URLS = {
    "api_url": f"{EMPORIA_ROOT}/api",
    "auth_url": f"{EMPORIA_ROOT}/cognito",
    "maintenance_url": f"{EMPORIA_ROOT}/maintenance/maintenance.json",
}
EMPORIA_MONITOR_GID = 2000001  # the Vue 2
EMPORIA_CHARGER_GID = 2000004
EMPORIA_STAT_PREFIX = "openpower:emporia_"

# The simulator's PG&E demo registration (tests/simulator/pge.py): BulkID 50916, an hourly
# electricity usage point with solar net metering and a daily gas usage point. Its plain-HTTP
# mirror of https://api.pge.com (the simulator allows plain HTTP by default); the test CA and
# client certificate are kept in .develop/pki (the simulator's --pki-dir).
PGE_API_URL = f"http://127.0.0.1:{SIMULATOR_PORT}/pge"
PGE_NOTIFICATION_CONTROL = f"{PGE_API_URL}/_simulator/notification-uri"
PGE_CLIENT_ID = "0a9d5c1e4b7f4e2a8c3d6b5a1f0e9d8c"
PGE_CLIENT_SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"  # noqa: S105 - the simulator's demo
PGE_BULK_ID = "50916"
PGE_TITLE = f"PG&E Share My Data ({PGE_BULK_ID})"
PGE_ELECTRIC_POINT = "5391320451"
PGE_GAS_POINT = "7170720474"
PKI_DIR = DEVELOP_DIR / "pki"
PGE_STAT = "openpower:pge_"
PGE_STATISTIC_IDS = {
    "consumption": f"{PGE_STAT}{PGE_ELECTRIC_POINT}_energy_consumption",
    "return": f"{PGE_STAT}{PGE_ELECTRIC_POINT}_energy_return",
    "gas": f"{PGE_STAT}{PGE_GAS_POINT}_gas_consumption",
}
# Interval costs: PG&E's real feeds carry none (nor does the simulator's); used when present.
PGE_COST_IDS = {
    "consumption": f"{PGE_STAT}{PGE_ELECTRIC_POINT}_energy_cost",
    "gas": f"{PGE_STAT}{PGE_GAS_POINT}_gas_cost",
}
# Energy dashboard: statistic names (device, circuit, quantity) as the recorder lists them, and
# the name shown on the dashboard. The Vue 2's "EV charger" circuit is left out: it is the
# charger's consumption again.
EMPORIA_SOLAR = {"Home Solar production": "Solar (Emporia)"}
EMPORIA_DEVICES = {
    "Home HVAC consumption": "HVAC",
    "Home Water heater consumption": "Water heater",
    "Home Kitchen consumption": "Kitchen",
    "Home Dryer consumption": "Dryer",
    "Home Fridge consumption": "Fridge",
    "Coffee maker consumption": "Coffee maker (plug)",
    "Garage charger consumption": "Garage charger",
}

# Timeouts (seconds); the first start on a cold machine is the slowest.
HA_ANSWER_TIMEOUT = 180
HA_RUNNING_TIMEOUT = 180
ENTRY_TIMEOUT = 90
STATISTICS_TIMEOUT = 240
# PG&E's first setup: 17 requests of 90 days, each waiting for its notification and import.
PGE_BACKFILL_TIMEOUT = 600
STOP_TIMEOUT = 60

CONFIG_MARKER = "# Written by scripts/develop"
CONFIGURATION_YAML = f"""{CONFIG_MARKER}: rewritten on every run while this line is here.
# Delete this line to keep your own edits.
homeassistant:
  name: Home
  latitude: -33.8688
  longitude: 151.2093
  elevation: 20
  unit_system: metric
  currency: AUD
  country: AU
  time_zone: Australia/Sydney
  language: en

# A lean component set instead of default_config, whose discovery (zeroconf, ssdp, dhcp,
# bluetooth, usb), cloud, go2rtc and alerts integrations would reach out to the network.
frontend:
config:
energy:
recorder:
history:
logbook:
person:

logger:
  default: warning
  logs:
    custom_components.openpower: info
"""


def log(message: str) -> None:
    """Print a progress line."""
    print(f"[develop] {message}", flush=True)


class Timer:
    """Start-up phases and their durations."""

    def __init__(self) -> None:
        """Start counting at the shell wrapper's start when it says when that was."""
        now = time.time()
        started = float(os.environ.get("OPENPOWER_DEVELOP_T0") or now)
        self._began = time.monotonic() - max(0.0, now - started)
        self._last = self._began
        self.phases: list[tuple[str, float]] = []
        if now - started > 0.05:
            self.phases.append(("venv check/setup", now - started))
            self._last = time.monotonic()

    def lap(self, phase: str) -> float:
        """Close a phase; return its duration."""
        now = time.monotonic()
        self.phases.append((phase, now - self._last))
        self._last = now
        return self.phases[-1][1]

    def total(self) -> float:
        """Seconds since the start."""
        return time.monotonic() - self._began


# --------------------------------------------------------------------------------------------
# Config directory


def prepare_config_dir() -> None:
    """Write configuration.yaml, the loopback HTTP settings, onboarding state and the symlink."""
    storage = CONFIG_DIR / ".storage"
    storage.mkdir(parents=True, exist_ok=True)

    yaml_file = CONFIG_DIR / "configuration.yaml"
    if not yaml_file.exists() or yaml_file.read_text().startswith(CONFIG_MARKER):
        yaml_file.write_text(CONFIGURATION_YAML)
    else:
        log(f"keeping your edited {yaml_file.relative_to(ROOT)}")

    # HTTP settings in storage, not in YAML: an `http:` block makes 2026.x ask to confirm the
    # new settings and fall back to 0.0.0.0 after 5 minutes. Always loopback.
    http_file = storage / "http"
    created_at = datetime.now(UTC).isoformat()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        created_at = json.loads(http_file.read_text())["data"]["stable"]["created_at"]
    http_file.write_text(
        json.dumps(
            {
                "version": 2,
                "minor_version": 2,
                "key": "http",
                "data": {
                    "stable": {
                        "server_host": [HA_HOST],
                        "server_port": HA_PORT,
                        "cors_allowed_origins": ["https://cast.home-assistant.io"],
                        "login_attempts_threshold": -1,
                        "ip_ban_enabled": True,
                        "ssl_profile": "modern",
                        "use_x_frame_options": True,
                        "created_at": created_at,
                        "error": None,
                        "error_message": None,
                    },
                    "pending": None,
                    "yaml_migration_done": True,
                },
            },
            indent=2,
        )
    )

    # The onboarding core-config step would start met, radio_browser, google_translate and
    # shopping_list (internet); mark it done so only the owner user is left to create.
    onboarding_file = storage / "onboarding"
    if not onboarding_file.exists():
        onboarding_file.write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["core_config", "analytics", "integration"]},
                }
            )
        )

    links = CONFIG_DIR / "custom_components"
    links.mkdir(exist_ok=True)
    link = links / "openpower"
    target = Path(os.path.relpath(ROOT / "custom_components" / "openpower", links))
    if link.is_symlink() and link.readlink() != target:
        link.unlink()
    elif link.exists() and not link.is_symlink():
        raise HassError(
            f"{link} exists and is not a symlink: move it away or run scripts/develop --reset"
        )
    if not link.is_symlink():
        link.symlink_to(target, target_is_directory=True)
    seed_brands_cache()


def seed_brands_cache() -> int:
    """Mark every integration's brand images as "not found" in Home Assistant's brands cache.

    The frontend asks Home Assistant for integration icons (integrations dashboard, "Add
    integration" dialog, …) and the `brands` integration fetches what it has not cached from
    brands.home-assistant.io. An empty cache file is its "404" marker, trusted for 30 days from
    its mtime, so these are (re)touched at every start: nothing goes to the CDN. OpenPower's own
    icon comes from `custom_components/openpower/brand/`, which is checked first.
    """
    package = Path(homeassistant.__file__).parent
    domains = {
        path.name
        for path in (package / "components").iterdir()
        if (path / "manifest.json").exists()
    }
    generated = json.loads((package / "generated" / "integrations.json").read_text())
    for kind in ("integration", "helper"):
        for domain, info in generated.get(kind, {}).items():
            domains.add(domain)
            domains.update(info.get("integrations", {}))
    domains.add(PLACEHOLDER)
    cache = CONFIG_DIR / ".cache" / "brands" / "integrations"
    now = time.time()
    count = 0
    for domain in domains:
        folder = cache / domain
        folder.mkdir(parents=True, exist_ok=True)
        for image in ALLOWED_IMAGES:
            marker = folder / image
            try:
                if marker.stat().st_size:
                    continue  # a real image someone cached: keep it
                os.utime(marker, (now, now))
            except FileNotFoundError:
                marker.touch()
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# Processes


async def start_process(
    args: list[str], log_file: Path, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """Start a child in its own session (Ctrl-C reaches only us; we stop it cleanly)."""
    with log_file.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            *args,
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


async def stop_process(name: str, process: asyncio.subprocess.Process) -> None:
    """SIGTERM, wait, then SIGKILL."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        log(f"{name} did not stop within {STOP_TIMEOUT} s: killing it")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


# --------------------------------------------------------------------------------------------
# Home Assistant set-up over its APIs


async def owner_token(session: aiohttp.ClientSession) -> tuple[str, str]:
    """Return a long-lived token of the owner (kept in .develop/token) and how it was had."""
    steps: dict[str, bool] = {}
    for _ in range(40):
        with contextlib.suppress(HassError, aiohttp.ClientError):
            steps = await onboarding_done(session)
            break
        await asyncio.sleep(0.5)
    if not steps:
        raise HassError("the onboarding API does not answer")
    created = not steps.get("user", False)
    if not created and TOKEN_FILE.exists():
        token = TOKEN_FILE.read_text().strip()
        if await token_valid(session, token):
            return token, "owner user exists, token reused"
    code = await (create_owner(session) if created else login(session))
    access_token = await exchange_code(session, code)
    async with HassWebSocket(session, access_token) as ws:
        token = await ws.call(
            "auth/long_lived_access_token",
            client_name=f"scripts/develop {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
            lifespan=3650,
        )
    TOKEN_FILE.write_text(f"{token}\n")
    TOKEN_FILE.chmod(0o600)
    return str(token), (
        "owner user created" if created else "owner logged in, new token"
    )


async def remove_map_dashboard(ws: HassWebSocket) -> bool:
    """Delete the Map dashboard that onboarding creates; return whether it was there.

    Its map tiles come through Home Assistant's `map_tiles` proxy from openstreetmap.org, so
    one click on "Map" in the sidebar would reach out to the internet. It appears a moment after
    the owner user is created (an onboarding listener), hence the short wait.
    """
    for _ in range(20):
        dashboards = await ws.call("lovelace/dashboards/list")
        for dashboard in dashboards:
            if dashboard.get("url_path") == "map":
                await ws.call(
                    "lovelace/dashboards/delete", dashboard_id=dashboard["id"]
                )
                return True
        await asyncio.sleep(0.25)
    return False


async def wait_running(ws: HassWebSocket) -> None:
    """Wait until Home Assistant's start-up has finished (state RUNNING)."""
    deadline = time.monotonic() + HA_RUNNING_TIMEOUT
    while True:
        config = await ws.call("get_config")
        if config.get("state") == "RUNNING":
            return
        if time.monotonic() > deadline:
            raise HassError(
                f"Home Assistant still {config.get('state')} after {HA_RUNNING_TIMEOUT} s"
            )
        await asyncio.sleep(0.5)


def is_identifier(pair: list[str], identifier: str) -> bool:
    """Whether a device registry identifier is OpenPower's `identifier` (case-insensitive)."""
    return [str(part).lower() for part in pair] == ["openpower", identifier.lower()]


async def find_entry(
    rest: HassRest, ws: HassWebSocket, title: str, identifier: str
) -> dict[str, Any] | None:
    """Return the OpenPower entry titled `title`, or the one owning a device with `identifier`.

    The second covers an entry renamed in the UI (the REST API does not show unique ids).
    """
    entries = await rest.get("/api/config/config_entries/entry?domain=openpower")
    for entry in entries:
        if entry["title"] == title:
            return dict(entry)
    owners = {
        entry_id
        for device in await ws.call("config/device_registry/list")
        if any(is_identifier(i, identifier) for i in device["identifiers"])
        for entry_id in device.get("config_entries", [])
    }
    return next((dict(e) for e in entries if e["entry_id"] in owners), None)


type FlowAnswer = dict[str, Any] | Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""A step's answer, or a coroutine function making it from the step (which then judges the
step's errors itself)."""


async def run_config_flow(
    rest: HassRest, what: str, steps: list[tuple[str, str | None, FlowAnswer]]
) -> dict[str, Any]:
    """Walk OpenPower's config flow through `steps` (type and step id expected, answer)."""
    result: dict[str, Any] = await rest.post(
        "/api/config/config_entries/flow",
        {"handler": "openpower", "show_advanced_options": False},
    )
    path = f"/api/config/config_entries/flow/{result['flow_id']}"
    for expected, step_id, answer in steps:
        if (
            result.get("type") != expected
            or (result.get("errors") and not callable(answer))
            or (step_id is not None and result.get("step_id") != step_id)
        ):
            raise HassError(
                f"{what} config flow: expected a {expected}"
                f"{f' {step_id!r}' if step_id else ''} at this point, got {result}"
            )
        payload = await answer(result) if callable(answer) else answer
        result = await rest.post(path, payload)
    return result


async def flow_entry(
    rest: HassRest,
    ws: HassWebSocket,
    what: str,
    title: str,
    identifier: str,
    steps: list[tuple[str, str | None, FlowAnswer]],
) -> tuple[dict[str, Any], bool]:
    """Return the entry (found, or created through the flow) and whether it was just created."""
    if entry := await find_entry(rest, ws, title, identifier):
        return entry, False
    result = await run_config_flow(rest, what, steps)
    if result.get("type") == "abort" and result.get("reason") == "already_configured":
        # Configured under another title, its devices not registered yet: wait for them.
        for _ in range(20):
            if entry := await find_entry(rest, ws, title, identifier):
                return entry, False
            await asyncio.sleep(0.5)
    if result.get("type") != "create_entry":
        raise HassError(f"the {what} config flow did not create the entry: {result}")
    return result["result"], True


async def amber_entry(rest: HassRest, ws: HassWebSocket) -> tuple[dict[str, Any], bool]:
    """Return the Amber demo entry and whether it was just created through the config flow."""
    return await flow_entry(
        rest,
        ws,
        "Amber",
        AMBER_SITE_NAME,
        f"amber_{AMBER_SITE_ID}",
        [
            ("menu", None, {"next_step_id": "amber"}),
            (
                "form",
                None,
                {"api_token": AMBER_TOKEN, "advanced": {"api_url": AMBER_API_URL}},
            ),
            ("form", None, {"site_id": AMBER_SITE_ID, "site_name": AMBER_SITE_NAME}),
        ],
    )


async def emporia_entry(
    rest: HassRest, ws: HassWebSocket
) -> tuple[dict[str, Any], bool]:
    """Return the Emporia demo entry (titled with the account's email) and whether it is new."""
    return await flow_entry(
        rest,
        ws,
        "Emporia",
        EMPORIA_EMAIL,
        f"emporia_{EMPORIA_MONITOR_GID}",
        [
            ("menu", None, {"next_step_id": "emporia"}),
            ("menu", "emporia", {"next_step_id": "emporia_password"}),
            (
                "form",
                "emporia_password",
                {
                    "email": EMPORIA_EMAIL,
                    "password": EMPORIA_PASSWORD,
                    "advanced": EMPORIA_URLS,
                },
            ),
        ],
    )


def pge_webhook_url(webhook_id: str) -> str:
    """Return the loopback URL of a PG&E entry's webhook on this Home Assistant."""
    return f"{HA_URL}/api/webhook/{webhook_id}"


def stored_pge_webhook_id() -> str | None:
    """Return the webhook id of the PG&E demo entry stored in the config dir (or None).

    Read before Home Assistant starts, so that the simulator knows where to POST from its
    start: a backfill interrupted by a stop asks PG&E again as soon as the entry is set up.
    """
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        stored = json.loads(
            (CONFIG_DIR / ".storage" / "core.config_entries").read_text()
        )
        for entry in stored["data"]["entries"]:
            data = entry.get("data", {})
            if (
                entry.get("domain") == "openpower"
                and data.get("provider") == "pge"
                and data.get("client_id") == PGE_CLIENT_ID
                and data.get("webhook_id")
            ):
                return str(data["webhook_id"])
    return None


async def register_pge_notification(
    session: aiohttp.ClientSession, webhook_id: str
) -> None:
    """Tell the simulator to POST PG&E's notifications to the entry's webhook (control endpoint)."""
    async with session.post(
        PGE_NOTIFICATION_CONTROL, data=pge_webhook_url(webhook_id)
    ) as response:
        if response.status != 204:
            raise HassError(
                f"the simulator refused the PG&E notification URL: HTTP {response.status} "
                f"{(await response.text())[:200]}"
            )


def pge_pem(name: str) -> str:
    """Return a PEM file of the simulator's test PKI (written by its --pki-dir at start)."""
    try:
        return (PKI_DIR / name).read_text()
    except OSError as err:
        raise HassError(
            f"the simulator did not write its test certificates to {PKI_DIR}: {err}"
        ) from err


async def pge_entry(
    rest: HassRest, ws: HassWebSocket, session: aiohttp.ClientSession
) -> tuple[dict[str, Any], bool]:
    """Return the PG&E demo entry and whether it was just created through the config flow.

    The flow's second step shows the notification URL (with an error: this Home Assistant has
    no public HTTPS URL, which PG&E requires; the step can still be submitted). Its webhook id
    is registered with the simulator before the entry is created, so that the notification of
    the backfill's first request finds it.
    """

    async def notification_step(step: dict[str, Any]) -> dict[str, Any]:
        errors = step.get("errors") or {}
        if errors and errors != {"base": "notification_url_not_https"}:
            raise HassError(f"PG&E config flow: unexpected errors {errors}")
        url = str((step.get("description_placeholders") or {}).get("url", ""))
        _, marker, webhook_id = url.partition("/api/webhook/")
        if not marker or not webhook_id:
            raise HassError(f"PG&E config flow: no webhook URL in {step}")
        await register_pge_notification(session, webhook_id)
        return {}

    return await flow_entry(
        rest,
        ws,
        "PG&E",
        PGE_TITLE,
        f"pge_bulk_{PGE_BULK_ID}",
        [
            ("menu", None, {"next_step_id": "pge"}),
            (
                "form",
                "pge",
                {
                    "client_id": PGE_CLIENT_ID,
                    "client_secret": PGE_CLIENT_SECRET,
                    # Bulk ID left empty: discovered from the Authorization resource.
                    "certificate": pge_pem("client.pem"),
                    "private_key": pge_pem("client.key"),
                    "advanced": {
                        "api_url": PGE_API_URL,
                        "ca_certificate": pge_pem("ca.pem"),
                    },
                },
            ),
            ("form", "pge_notification", notification_step),
        ],
    )


async def ensure_pge_notification(
    ws: HassWebSocket, session: aiohttp.ClientSession, title: str
) -> str:
    """Register the PG&E entry's webhook (as Home Assistant lists it) with the simulator."""
    hooks = await ws.call("webhook/list")
    webhook_id = next(
        (
            hook["webhook_id"]
            for hook in hooks
            if hook.get("domain") == "openpower" and hook.get("name") == title
        ),
        None,
    )
    if webhook_id is None:
        raise HassError(f"Home Assistant lists no OpenPower webhook named {title!r}")
    await register_pge_notification(session, webhook_id)
    return str(webhook_id)


async def entity_ids(
    ws: HassWebSocket, unique_ids: Iterable[str]
) -> dict[str, str | None]:
    """Return the entity id of each OpenPower unique id (None when not registered yet)."""
    registry = await ws.call("config/entity_registry/list")
    wanted = set(unique_ids)
    found = {
        entity["unique_id"]: entity["entity_id"]
        for entity in registry
        if entity.get("platform") == "openpower" and entity.get("unique_id") in wanted
    }
    return {unique_id: found.get(unique_id) for unique_id in unique_ids}


async def wait_pge_backfill(ws: HassWebSocket) -> dict[str, str]:
    """Wait until PG&E's history reaches the latest day and its sensors have values.

    The backfill asks for 90 days at a time, oldest first; the *Newest data* sensor of both
    usage points then says the last available day (PG&E publishes a Pacific day the next
    morning). Returns the sensors: unique id → entity id.
    """
    sensors = [
        f"pge_{PGE_ELECTRIC_POINT}_newest_interval",
        f"pge_{PGE_GAS_POINT}_newest_interval",
        f"pge_{PGE_ELECTRIC_POINT}_latest_day_consumption",
        f"pge_{PGE_ELECTRIC_POINT}_latest_day_return",
        f"pge_{PGE_GAS_POINT}_latest_day_gas",
        f"pge_bulk_{PGE_BULK_ID}_service_status",
        f"pge_bulk_{PGE_BULK_ID}_last_notification",
    ]
    deadline = time.monotonic() + PGE_BACKFILL_TIMEOUT
    recent = datetime.now(UTC) - timedelta(days=3)
    waiting: list[str] = []
    while True:
        ids = await entity_ids(ws, sensors)
        states = {
            state["entity_id"]: state["state"] for state in await ws.call("get_states")
        }
        waiting = []
        for unique_id, entity_id in ids.items():
            state = states.get(entity_id or "")
            if state in (None, "unknown", "unavailable"):
                waiting.append(f"{entity_id or unique_id}: {state}")
            elif unique_id.endswith("_newest_interval"):
                with contextlib.suppress(ValueError):
                    if datetime.fromisoformat(state) < recent:
                        waiting.append(f"{entity_id}: {state}")
        if not waiting:
            return {k: v for k, v in ids.items() if v}
        if time.monotonic() > deadline:
            raise HassError(
                f"PG&E history not complete after {PGE_BACKFILL_TIMEOUT} s: {waiting}"
                " (see the simulator's log: did the notifications reach Home Assistant?)"
            )
        await asyncio.sleep(2)


async def wait_entry_loaded(rest: HassRest, entry_id: str, what: str) -> None:
    """Wait until the entry is set up; fail with its state and reason otherwise."""
    deadline = time.monotonic() + ENTRY_TIMEOUT
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        entries = await rest.get("/api/config/config_entries/entry?domain=openpower")
        state = next((e for e in entries if e["entry_id"] == entry_id), {})
        if state.get("state") == "loaded":
            return
        if state.get("state") in {"setup_error", "migration_error", "failed_unload"}:
            break
        await asyncio.sleep(0.5)
    raise HassError(
        f"the {what} entry is {state.get('state')!r} (reason: {state.get('reason')!r})"
    )


async def wait_statistics(
    ws: HassWebSocket, wanted: Iterable[str], by: str = "statistic_id", prefix: str = ""
) -> dict[str, str]:
    """Wait until the background history import has created every wanted statistic.

    `wanted` are statistic ids, or names with `by="name"` (of the statistics whose id starts
    with `prefix`). Returns each wanted value's statistic id.
    """
    deadline = time.monotonic() + STATISTICS_TIMEOUT
    wanted = set(wanted)
    while True:
        listed = await ws.call("recorder/list_statistic_ids", statistic_type="sum")
        found = {
            item[by]: item["statistic_id"]
            for item in listed
            if item["statistic_id"].startswith(prefix) and item.get(by) in wanted
        }
        missing = wanted - found.keys()
        if not missing:
            return found
        if time.monotonic() > deadline:
            raise HassError(
                f"statistics still missing after {STATISTICS_TIMEOUT} s: {sorted(missing)}"
            )
        await asyncio.sleep(1)


def amber_sources() -> list[dict[str, Any]]:
    """Return the Energy dashboard's grid connections for the Amber site (HA 2026.10 schema)."""
    no_price = {"entity_energy_price": None, "number_energy_price": None}
    no_export_price = {
        "entity_energy_price_export": None,
        "number_energy_price_export": None,
    }
    return [
        {
            "type": "grid",
            "name": "Amber general",
            "stat_energy_from": STATISTIC_IDS["general"],
            "stat_cost": STATISTIC_IDS["general_cost"],
            **no_price,
            "stat_energy_to": STATISTIC_IDS["feed_in"],
            "stat_compensation": STATISTIC_IDS["feed_in_compensation"],
            **no_export_price,
            "cost_adjustment_day": 0,
        },
        {
            "type": "grid",
            "name": "Amber controlled load",
            "stat_energy_from": STATISTIC_IDS["controlled_load"],
            "stat_cost": STATISTIC_IDS["controlled_load_cost"],
            **no_price,
            "stat_energy_to": None,
            "stat_compensation": None,
            **no_export_price,
            "cost_adjustment_day": 0,
        },
    ]


async def pge_sources(ws: HassWebSocket) -> list[dict[str, Any]]:
    """Return PG&E's grid connection and gas source (costs only when PG&E sent some)."""
    listed = {
        item["statistic_id"]
        for item in await ws.call("recorder/list_statistic_ids", statistic_type="sum")
    }
    costs = {
        key: stat if stat in listed else None for key, stat in PGE_COST_IDS.items()
    }
    return [
        {
            "type": "grid",
            "name": "PG&E electricity",
            "stat_energy_from": PGE_STATISTIC_IDS["consumption"],
            "stat_cost": costs["consumption"],
            "entity_energy_price": None,
            "number_energy_price": None,
            "stat_energy_to": PGE_STATISTIC_IDS["return"],
            "stat_compensation": None,
            "entity_energy_price_export": None,
            "number_energy_price_export": None,
            "cost_adjustment_day": 0,
        },
        {
            "type": "gas",
            "name": "PG&E gas",
            "stat_energy_from": PGE_STATISTIC_IDS["gas"],
            "stat_cost": costs["gas"],
            "entity_energy_price": None,
            "number_energy_price": None,
        },
    ]


def emporia_prefs(
    found: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return Emporia's solar source and individual devices, from the listed statistic ids."""
    solar = [
        {
            "type": "solar",
            "name": name,
            "stat_energy_from": found[stat_name],
            "config_entry_solar_forecast": None,
        }
        for stat_name, name in EMPORIA_SOLAR.items()
    ]
    devices = [
        {"stat_consumption": found[stat_name], "name": name}
        for stat_name, name in EMPORIA_DEVICES.items()
    ]
    return solar, devices


async def add_energy_prefs(
    ws: HassWebSocket,
    sources: list[dict[str, Any]],
    devices: list[dict[str, Any]] | None = None,
) -> int:
    """Add sources and individual devices the Energy preferences do not have; return how many.

    What is there is kept as it is (a source counts as there when one of its statistics is).
    """
    try:
        prefs = await ws.call("energy/get_prefs")
    except HassError:
        prefs = {"energy_sources": [], "device_consumption": []}
    current_sources = prefs.get("energy_sources", [])
    current_devices = prefs.get("device_consumption", [])
    used = {
        value
        for source in current_sources
        for key, value in source.items()
        if key.startswith("stat_") and value
    }
    new_sources = [
        source
        for source in sources
        if not {v for k, v in source.items() if k.startswith("stat_") and v} & used
    ]
    have = {device.get("stat_consumption") for device in current_devices}
    new_devices = [d for d in devices or [] if d["stat_consumption"] not in have]
    if not new_sources and not new_devices:
        return 0
    await ws.call(
        "energy/save_prefs",
        energy_sources=[*current_sources, *new_sources],
        device_consumption=[*current_devices, *new_devices],
    )
    return len(new_sources) + len(new_devices)


async def device_id(
    ws: HassWebSocket, entry_id: str, identifier: str, exact: bool = False
) -> str | None:
    """Return the entry's device whose identifier is (or, unless `exact`, contains) `identifier`.

    Falls back to the entry's first device when none matches and not `exact`.
    """
    devices = await ws.call("config/device_registry/list")
    mine = [d for d in devices if entry_id in d.get("config_entries", [])]
    matching = [
        d
        for d in mine
        if any(
            is_identifier(i, identifier)
            if exact
            else identifier.lower() in str(i).lower()
            for i in d["identifiers"]
        )
    ]
    chosen = (matching or ([] if exact else mine) or [None])[0]
    return chosen["id"] if chosen else None


async def energy_today_sensors(
    ws: HassWebSocket, devices: dict[int, str | None]
) -> dict[str, str]:
    """Return the "energy today" sensor of each Emporia device and its consumption statistic.

    For `scripts/screenshots`, which waits until the sensors include the imported hours.
    """
    registry = await ws.call("config/entity_registry/list")
    return {
        entity["entity_id"]: f"{EMPORIA_STAT_PREFIX}{gid}_mains_energy_consumption"
        for gid, device in devices.items()
        for entity in registry
        if device
        and entity.get("device_id") == device
        and entity["entity_id"].endswith("_energy_today")
    }


async def set_up_home_assistant(
    session: aiohttp.ClientSession, timer: Timer
) -> dict[str, Any]:
    """Owner, token, Amber, Emporia and PG&E entries, energy preferences; return the summary's data."""
    token, how = await owner_token(session)
    timer.lap(how)
    rest = HassRest(session, token)
    async with HassWebSocket(session, token) as ws:
        await wait_running(ws)
        timer.lap("Home Assistant running")
        if how == "owner user created" and await remove_map_dashboard(ws):
            timer.lap("Map dashboard removed (its tiles come from the internet)")
        # Every entry first: Emporia's 30-day and PG&E's 4-year backfills run while Amber's
        # history imports.
        amber, new_amber = await amber_entry(rest, ws)
        await wait_entry_loaded(rest, amber["entry_id"], "Amber")
        timer.lap(
            "Amber entry created through the config flow"
            if new_amber
            else "Amber entry loaded (reused)"
        )
        emporia, new_emporia = await emporia_entry(rest, ws)
        await wait_entry_loaded(rest, emporia["entry_id"], "Emporia")
        timer.lap(
            "Emporia entry created through the config flow"
            if new_emporia
            else "Emporia entry loaded (reused)"
        )
        pge, new_pge = await pge_entry(rest, ws, session)
        await wait_entry_loaded(rest, pge["entry_id"], "PG&E")
        # Registered again from Home Assistant's own list (a no-op when the flow or the
        # simulator's command line already did): notifications go to this entry's webhook.
        await ensure_pge_notification(ws, session, pge["title"])
        timer.lap(
            "PG&E entry created through the config flow, its webhook registered"
            if new_pge
            else "PG&E entry loaded (reused), its webhook registered"
        )
        await wait_statistics(ws, STATISTIC_IDS.values())
        timer.lap(
            "Amber usage history imported" if new_amber else "Amber statistics present"
        )
        added = await add_energy_prefs(ws, amber_sources())
        timer.lap(
            "energy preferences: Amber grid added"
            if added
            else "energy preferences: Amber grid kept"
        )
        found = await wait_statistics(
            ws,
            [*EMPORIA_SOLAR, *EMPORIA_DEVICES],
            by="name",
            prefix=EMPORIA_STAT_PREFIX,
        )
        timer.lap(
            "Emporia hourly history imported (30 days)"
            if new_emporia
            else "Emporia statistics present"
        )
        solar, devices = emporia_prefs(found)
        added = await add_energy_prefs(ws, solar, devices)
        timer.lap(
            f"energy preferences: {added} Emporia source(s)/device(s) added"
            if added
            else "energy preferences: Emporia solar and devices kept"
        )
        await wait_statistics(ws, PGE_STATISTIC_IDS.values())
        added = await add_energy_prefs(ws, await pge_sources(ws))
        timer.lap(
            "energy preferences: PG&E grid and gas added"
            if added
            else "energy preferences: PG&E grid and gas kept"
        )
        pge_sensors = await wait_pge_backfill(ws)
        timer.lap(
            "PG&E history imported (4 years, pushed by notification)"
            if new_pge
            else "PG&E history up to date"
        )
        monitor, charger = [
            await device_id(ws, emporia["entry_id"], f"emporia_{gid}", exact=True)
            for gid in (EMPORIA_MONITOR_GID, EMPORIA_CHARGER_GID)
        ]
        return {
            "entry_id": amber["entry_id"],
            "device_id": await device_id(ws, amber["entry_id"], AMBER_SITE_ID),
            "emporia_entry_id": emporia["entry_id"],
            "emporia_monitor_device_id": monitor,
            "emporia_charger_device_id": charger,
            "emporia_energy_today": await energy_today_sensors(
                ws, {EMPORIA_MONITOR_GID: monitor, EMPORIA_CHARGER_GID: charger}
            ),
            "pge_entry_id": pge["entry_id"],
            "pge_service_device_id": await device_id(
                ws, pge["entry_id"], f"pge_bulk_{PGE_BULK_ID}", exact=True
            ),
            "pge_electricity_device_id": await device_id(
                ws, pge["entry_id"], f"pge_{PGE_ELECTRIC_POINT}", exact=True
            ),
            "pge_gas_device_id": await device_id(
                ws, pge["entry_id"], f"pge_{PGE_GAS_POINT}", exact=True
            ),
            "pge_sensors": pge_sensors,
            "energy": (
                "Amber general + controlled load (grid), "
                + ", ".join(s["name"] for s in solar)
                + " (solar), "
                + ", ".join(d["name"] for d in devices)
                + " (individual devices), PG&E electricity (grid) and gas"
            ),
        }


# --------------------------------------------------------------------------------------------
# Main


def parse_args() -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description=(
            "Run a real Home Assistant 2026.10.4 on http://127.0.0.1:8123 with OpenPower from "
            "this checkout, an owner user, an Amber, an Emporia and a PG&E entry against the "
            "provider simulator (http://127.0.0.1:8765). State in .develop/; Ctrl-C stops "
            "everything."
        ),
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="wipe .develop/ first and start from scratch",
    )
    parser.add_argument(
        "--no-follow",
        action="store_true",
        help="do not print Home Assistant's log lines after start-up",
    )
    return parser.parse_args()


def print_failure(message: str) -> None:
    """Explain a failed start and show the end of the logs."""
    log(f"FAILED: {message}")
    if HA_LOG.exists() and HA_LOG.stat().st_size:
        log(f"last lines of {HA_LOG.relative_to(ROOT)}:")
        print(tail(HA_LOG, 40), flush=True)
    # What Home Assistant printed outside its log (a crash before logging started, …).
    console = [
        line
        for line in tail(HA_CONSOLE_LOG, 400).splitlines()
        if not line.startswith("20")  # log records, shown above
    ]
    if console and not console[0].startswith("("):
        log(f"last lines of {HA_CONSOLE_LOG.relative_to(ROOT)} outside the log:")
        print("\n".join(console[-15:]), flush=True)
    if SIMULATOR_LOG.exists():
        log(f"last lines of {SIMULATOR_LOG.relative_to(ROOT)}:")
        print(tail(SIMULATOR_LOG, 5), flush=True)


def startup_warnings(offset: int) -> list[str]:
    """WARNING/ERROR lines of the HA log before `offset` that concern OpenPower."""
    try:
        with HA_LOG.open("rb") as handle:
            text = handle.read(offset).decode(errors="replace")
    except FileNotFoundError:
        return []
    return [
        line
        for line in text.splitlines()
        if (" WARNING " in line or " ERROR " in line or " CRITICAL " in line)
        and "openpower" in line
        and "has not been tested by Home Assistant" not in line
    ]


async def follow_log(offset: int) -> None:
    """Print the lines Home Assistant appends to its log."""
    while True:
        await asyncio.sleep(0.5)
        try:
            size = HA_LOG.stat().st_size
            if size < offset:
                offset = 0
            if size == offset:
                continue
            with HA_LOG.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(size - offset)
        except FileNotFoundError:
            continue
        cut = chunk.rfind(b"\n") + 1
        offset += cut
        for line in chunk[:cut].decode(errors="replace").splitlines():
            print(f"  ha | {line}", flush=True)


async def run(args: argparse.Namespace) -> int:
    """Start everything, set it up, wait for Ctrl-C, stop everything."""
    timer = Timer()
    if await port_open(HA_HOST, HA_PORT):
        log(
            f"something already listens on {HA_URL} (another scripts/develop?): stop it first"
        )
        return 1
    if await port_open("127.0.0.1", SIMULATOR_PORT):
        log(f"something already listens on 127.0.0.1:{SIMULATOR_PORT}: stop it first")
        return 1
    if args.reset and DEVELOP_DIR.exists():
        log("--reset: wiping .develop/")
        shutil.rmtree(DEVELOP_DIR)
    DEVELOP_DIR.mkdir(exist_ok=True)
    STATE_FILE.unlink(missing_ok=True)
    fresh = not (CONFIG_DIR / ".storage" / "core.config_entries").exists()
    prepare_config_dir()
    timer.lap("config dir prepared")

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stopping.set)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    simulator_args = [
        str(VENV_PYTHON),
        "-m",
        "tests.simulator",
        "--port",
        str(SIMULATOR_PORT),
        # The PG&E test CA and client certificate, kept for the entry that stores them.
        "--pki-dir",
        str(PKI_DIR),
    ]
    if webhook_id := stored_pge_webhook_id():
        simulator_args += ["--pge-notification-url", pge_webhook_url(webhook_id)]
    simulator = await start_process(simulator_args, SIMULATOR_LOG, env)
    hass = await start_process(
        [
            str(VENV_PYTHON),
            "-m",
            "homeassistant",
            "--config",
            str(CONFIG_DIR),
            "--skip-pip",
        ],
        HA_CONSOLE_LOG,
    )
    log(
        f"started the simulator (pid {simulator.pid}) and Home Assistant (pid {hass.pid})"
        + (" with a fresh config dir" if fresh else "")
    )

    async def race[T](work: Awaitable[T]) -> T:
        """Run `work` unless Ctrl-C comes first or a child exits."""
        task = asyncio.ensure_future(work)
        watchers = {
            asyncio.ensure_future(stopping.wait()): "stop",
            asyncio.ensure_future(simulator.wait()): "the simulator",
            asyncio.ensure_future(hass.wait()): "Home Assistant",
        }
        try:
            await asyncio.wait({task, *watchers}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for watcher in watchers:
                watcher.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        if stopping.is_set():
            raise KeyboardInterrupt
        for watcher, name in watchers.items():
            if name != "stop" and watcher.done() and not watcher.cancelled():
                raise HassError(f"{name} exited with code {watcher.result()}")
        raise HassError("interrupted")

    code = 0
    try:
        async with aiohttp.ClientSession() as session:
            await race(
                wait_http(
                    session,
                    f"{AMBER_API_URL}/state/nsw/renewables/current",
                    30,
                    "the simulator",
                    lambda: simulator.returncode is None,
                )
            )
            timer.lap("simulator answering")
            await race(
                wait_http(
                    session,
                    # Served without authentication (probing /api/ would log a failed
                    # login and raise a "Login attempt failed" notification).
                    f"{HA_URL}/manifest.json",
                    HA_ANSWER_TIMEOUT,
                    "Home Assistant",
                    lambda: hass.returncode is None,
                )
            )
            timer.lap("Home Assistant answering")
            info = await race(set_up_home_assistant(session, timer))

        total = timer.total()
        STATE_FILE.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "url": HA_URL,
                    "username": USERNAME,
                    "token_file": str(TOKEN_FILE),
                    "entry_id": info["entry_id"],
                    "device_id": info["device_id"],
                    "emporia_entry_id": info["emporia_entry_id"],
                    "emporia_monitor_device_id": info["emporia_monitor_device_id"],
                    "emporia_charger_device_id": info["emporia_charger_device_id"],
                    "emporia_energy_today": info["emporia_energy_today"],
                    "pge_entry_id": info["pge_entry_id"],
                    "pge_service_device_id": info["pge_service_device_id"],
                    "pge_electricity_device_id": info["pge_electricity_device_id"],
                    "pge_gas_device_id": info["pge_gas_device_id"],
                    "pge_sensors": info["pge_sensors"],
                    "startup_seconds": round(total, 1),
                },
                indent=2,
            )
        )
        offset = HA_LOG.stat().st_size if HA_LOG.exists() else 0
        print(flush=True)
        log(f"start-up took {total:.1f} s:")
        for phase, seconds in timer.phases:
            print(f"    {seconds:6.1f} s  {phase}", flush=True)
        print(
            f"""
  Home Assistant  {HA_URL}   (bound to 127.0.0.1 only)
  username        {USERNAME}
  password        {PASSWORD}
  API token       {TOKEN_FILE.relative_to(ROOT)}  (long-lived, for curl / scripts)
  Amber device    {HA_URL}/config/devices/device/{info["device_id"]}
  Emporia login   {EMPORIA_EMAIL} / {EMPORIA_PASSWORD}  (the simulator's demo account)
  Emporia Vue 2   {HA_URL}/config/devices/device/{info["emporia_monitor_device_id"]}
  EV charger      {HA_URL}/config/devices/device/{info["emporia_charger_device_id"]}
  PG&E            {HA_URL}/config/devices/device/{info["pge_service_device_id"]}
  PG&E electric   {HA_URL}/config/devices/device/{info["pge_electricity_device_id"]}
  PG&E gas        {HA_URL}/config/devices/device/{info["pge_gas_device_id"]}
  PG&E login      client id {PGE_CLIENT_ID}, secret {PGE_CLIENT_SECRET},
                  certificate {(PKI_DIR / "client.pem").relative_to(ROOT)} + client.key, CA ca.pem
  Energy          {HA_URL}/energy   (Amber usage up to yesterday: pick a past day;
                  PG&E days are Pacific: the latest is the day before yesterday or yesterday there)
                  {info["energy"]}
  simulator       {AMBER_API_URL}   (log: {SIMULATOR_LOG.relative_to(ROOT)})
                  {EMPORIA_URLS["api_url"]}
                  {PGE_API_URL}   (plain HTTP; notifications → the PG&E webhook)
  HA log          {HA_LOG.relative_to(ROOT)}
  integration     custom_components/openpower (symlinked: restart HA to load edits)

Ctrl-C stops Home Assistant and the simulator.""",
            flush=True,
        )
        if warnings := startup_warnings(offset):
            log("OpenPower warnings/errors during start-up:")
            for line in warnings:
                print(f"  ha | {line}", flush=True)
        log("READY")
        follower = None if args.no_follow else asyncio.ensure_future(follow_log(offset))
        try:
            await race(asyncio.Event().wait())
        finally:
            if follower:
                follower.cancel()
    except KeyboardInterrupt:
        print(flush=True)
    except (HassError, aiohttp.ClientError, TimeoutError) as err:
        print_failure(str(err) or type(err).__name__)
        code = 1
    finally:
        STATE_FILE.unlink(missing_ok=True)
        log("stopping Home Assistant and the simulator…")
        # A second Ctrl-C kills them at once.
        loop.add_signal_handler(signal.SIGINT, _kill, hass, simulator)
        await asyncio.gather(
            stop_process("Home Assistant", hass),
            stop_process("the simulator", simulator),
        )
        log(
            f"stopped (Home Assistant exit code {hass.returncode}, "
            f"simulator {simulator.returncode})"
        )
    return code


def _kill(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            process.kill()


def main() -> None:
    """Entry point."""
    args = parse_args()
    try:
        sys.exit(asyncio.run(run(args)))
    except HassError as err:
        log(f"FAILED: {err}")
        sys.exit(1)


if __name__ == "__main__":
    main()
