"""scripts/develop: a real Home Assistant with OpenPower from this checkout, against the simulator.

Run through `scripts/develop`. Starts the simulator and Home Assistant on 127.0.0.1 only,
creates the owner user, adds each provider's demo entry through the real config flow over REST
(`scripts/demo/`), fills the Energy preferences with `openpower.configure_energy_dashboard` once
the statistics exist, prints how to log in, and runs until Ctrl-C. State lives in `.develop/`;
`custom_components/openpower` in its config dir is a symlink to this checkout's (edits show after
a restart of Home Assistant).
"""

import argparse
import asyncio
from collections.abc import Awaitable
import contextlib
from datetime import UTC, datetime
from functools import partial
import json
import os
from pathlib import Path
import shutil
import signal
import sys
import time
from typing import Any

import aiohttp
from demo import DEMOS
import hass
import homeassistant
from homeassistant.components.brands.const import ALLOWED_IMAGES, PLACEHOLDER

HA_LOG = hass.CONFIG_DIR / "home-assistant.log"
LOGS = {"the simulator": "simulator.log", "Home Assistant": "hass.console.log"}
MARKER = "# Written by scripts/develop"
TIME_ZONE = "Australia/Sydney"
"""Home Assistant's zone (Amber's); the simulator puts the Emporia and AlphaESS demos in it too,
so that the Energy dashboard's day is theirs: solar by day, the grid up to the last hour."""
CONFIGURATION = f"""{MARKER}: rewritten on every run while this line is here.
# Delete this line to keep your own edits.
homeassistant:
  name: Home
  latitude: -33.8688
  longitude: 151.2093
  elevation: 20
  unit_system: metric
  currency: AUD
  country: AU
  time_zone: {TIME_ZONE}
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
    """Start-up phases and how long each took, from the shell wrapper's start."""

    def __init__(self) -> None:
        """Start when scripts/develop did (OPENPOWER_DEVELOP_T0), if it says."""
        started = float(os.environ.get("OPENPOWER_DEVELOP_T0") or time.time())
        self.began = self.last = time.monotonic() - (time.time() - started)
        self.phases: list[str] = []
        self.lap("venv check/setup")

    def lap(self, phase: str) -> None:
        """Close a phase."""
        now = time.monotonic()
        self.phases.append(f"    {now - self.last:6.1f} s  {phase}")
        self.last = now


def prepare_config_dir() -> None:
    """Write configuration.yaml, the loopback HTTP settings, onboarding, the link, brands."""
    storage = hass.CONFIG_DIR / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    yaml = hass.CONFIG_DIR / "configuration.yaml"
    if not yaml.exists() or yaml.read_text().startswith(MARKER):
        yaml.write_text(CONFIGURATION)
    else:
        log(f"keeping your edited {yaml.relative_to(hass.ROOT)}")

    def store(key: str, version: int, minor: int, data: dict[str, Any]) -> None:
        document = {
            "version": version,
            "minor_version": minor,
            "key": key,
            "data": data,
        }
        (storage / key).write_text(json.dumps(document, indent=2))

    # HTTP settings in storage, not YAML: an `http:` block makes 2026.x ask to confirm them and
    # fall back to 0.0.0.0 after 5 minutes. Always loopback.
    stable = {"created_at": datetime.now(UTC).isoformat()}
    with contextlib.suppress(OSError, ValueError, KeyError):
        stable = json.loads((storage / "http").read_text())["data"]["stable"]
    stable = {"created_at": stable["created_at"], "server_host": ["127.0.0.1"]}
    stable |= {"cors_allowed_origins": ["https://cast.home-assistant.io"]}
    stable |= {
        "server_port": 8123,
        "login_attempts_threshold": -1,
        "ip_ban_enabled": True,
    }
    stable |= {"use_x_frame_options": True, "ssl_profile": "modern"}
    stable |= {"error": None, "error_message": None}
    store(
        "http", 2, 2, {"stable": stable, "pending": None, "yaml_migration_done": True}
    )
    # Onboarding's core-config step would start met, radio_browser, google_translate and
    # shopping_list (internet): done, only the owner user is left to create.
    if not (storage / "onboarding").exists():
        store("onboarding", 4, 1, {"done": ["core_config", "analytics", "integration"]})
    link = hass.CONFIG_DIR / "custom_components" / "openpower"
    link.parent.mkdir(exist_ok=True)
    target = os.path.relpath(hass.ROOT / "custom_components" / "openpower", link.parent)
    if link.exists() and not link.is_symlink():
        raise hass.HassError(f"{link} is not a symlink: move it away or use --reset")
    if not link.is_symlink() or link.readlink() != Path(target):
        link.unlink(missing_ok=True)
        link.symlink_to(target, target_is_directory=True)
    # The brands integration fetches integration icons it has not cached from
    # brands.home-assistant.io. An empty file is its "not found", trusted for 30 days from its
    # mtime: touched for every integration at every start, nothing goes to the CDN (OpenPower's
    # own icon comes from custom_components/openpower/brand/, looked at first).
    package = Path(homeassistant.__file__).parent
    components = (package / "components").iterdir()
    domains = {p.name for p in components if (p / "manifest.json").exists()}
    generated = json.loads((package / "generated" / "integrations.json").read_text())
    for kind in ("integration", "helper"):
        for domain, info in generated[kind].items():
            domains |= {domain, *info.get("integrations", {})}
    for domain in (*domains, PLACEHOLDER):
        folder = hass.CONFIG_DIR / ".cache" / "brands" / "integrations" / domain
        folder.mkdir(parents=True, exist_ok=True)
        for marker in (folder / image for image in ALLOWED_IMAGES):
            if not marker.exists() or not marker.stat().st_size:  # a real image is kept
                marker.touch()


async def set_up(api: hass.Hass, timer: Timer) -> dict[str, Any]:
    """Owner, token, every demo's entry and Energy preferences; return the demos' states."""
    how = await api.log_in()
    timer.lap(how)

    async def running() -> bool | None:
        return (await api.ws("get_config"))["state"] == "RUNNING" or None

    await hass.until("Home Assistant is not running", running, 180, 0.5)
    timer.lap("Home Assistant running")
    if how == "owner user created":
        # Onboarding's Map dashboard shows tiles of openstreetmap.org: the internet. It appears
        # a moment after the owner.
        async def map_dashboard() -> str | None:
            boards = await api.ws("lovelace/dashboards/list")
            return next((b["id"] for b in boards if b.get("url_path") == "map"), None)

        with contextlib.suppress(hass.HassError):
            board = await hass.until("no Map dashboard", map_dashboard, 5, 0.25)
            await api.ws("lovelace/dashboards/delete", dashboard_id=board)
            timer.lap("Map dashboard removed (its tiles come from the internet)")
    entries = {}
    for demo in DEMOS:  # every entry first: the backfills run side by side
        entries[demo.NAME], created = await demo.set_up(api)
        timer.lap(f"{demo.NAME} entry {'created (config flow)' * created or 'loaded'}")
    for demo in DEMOS:
        await demo.link(api, entries)
    for demo in DEMOS:
        await demo.energy_statistics(api)
        timer.lap(f"{demo.NAME} statistics there")
    added = await api.configure_energy_dashboard()
    timer.lap(
        f"Energy preferences: {added} added (openpower.configure_energy_dashboard)"
    )
    state = {}
    for demo in DEMOS:
        state[demo.NAME] = await demo.ready(api, entries[demo.NAME])
        timer.lap(f"{demo.NAME} data ready")
    return state


def summary(state: dict[str, Any], timer: Timer) -> str:
    """Return what start-up took and how to use what runs."""
    lines = [
        f"start-up took {time.monotonic() - timer.began:.1f} s:",
        *timer.phases,
        "",
    ]
    lines += [f"Home Assistant  {hass.HA_URL}   (bound to 127.0.0.1 only)"]
    lines += [f"username        {hass.USERNAME}", f"password        {hass.PASSWORD}"]
    where = hass.DEVELOP_DIR.name
    lines += [f"API token       {where}/token  (long-lived, for curl)"]
    lines += [line for demo in DEMOS for line in demo.summary(state[demo.NAME])]
    lines += [f"Energy          {hass.HA_URL}/energy   (Amber: usage up to yesterday)"]
    lines += [f"logs            {where}/config/home-assistant.log, {where}/*.log"]
    lines += ["integration     custom_components/openpower (restart HA to load edits)"]
    text = "\n  ".join(lines).replace(" /config/", f" {hass.HA_URL}/config/")
    return f"[develop] {text}\n\nCtrl-C stops Home Assistant and the simulator."


def openpower_warnings(size: int) -> list[str]:
    """Return the warnings and errors about OpenPower in the first `size` bytes of HA's log."""
    with HA_LOG.open("rb") as handle:
        lines = handle.read(size).decode(errors="replace").splitlines()
    untested = "has not been tested by Home Assistant"  # said of any custom integration
    lines = [line for line in lines if "openpower" in line and untested not in line]
    serious = {"WARNING", "ERROR", "CRITICAL"}
    return [line for line in lines if serious & set(line.split())]


async def follow(offset: int) -> None:
    """Print the lines Home Assistant appends to its log."""
    while True:
        await asyncio.sleep(0.5)
        with contextlib.suppress(FileNotFoundError), HA_LOG.open("rb") as handle:
            handle.seek(min(offset, handle.seek(0, 2)))
            chunk = handle.read()
            chunk = chunk[: chunk.rfind(b"\n") + 1]  # whole lines
            offset = handle.tell() - len(chunk)
            for line in chunk.decode(errors="replace").splitlines():
                print(f"  ha | {line}", flush=True)


async def answering(session: aiohttp.ClientSession, url: str) -> bool | None:
    """Return True once `url` answers (below 500)."""
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as answer:
            return answer.status < 500 or None
    return None


async def run(args: argparse.Namespace) -> int:
    """Start everything, set it up, wait for Ctrl-C, stop everything."""
    timer = Timer()
    if args.reset and hass.DEVELOP_DIR.exists():
        log(f"--reset: wiping {hass.DEVELOP_DIR.name}/")
        shutil.rmtree(hass.DEVELOP_DIR)
    hass.DEVELOP_DIR.mkdir(exist_ok=True)
    hass.STATE_FILE.unlink(missing_ok=True)
    prepare_config_dir()
    timer.lap("config dir prepared")
    python = f"{sys.executable} -m"  # the venv scripts/develop chose
    port = hass.SIMULATOR.rpartition(":")[2]
    simulator = f"{python} tests.simulator --port {port}".split()
    commands = {
        "the simulator": [
            *simulator,
            *("--demo-time-zone", TIME_ZONE),
            *(a for d in DEMOS for a in d.simulator_args()),
        ],
        "Home Assistant": f"{python} homeassistant -c {hass.CONFIG_DIR} --skip-pip".split(),
    }
    children, env = {}, {**os.environ, "PYTHONPATH": str(hass.ROOT)}
    for name, command in commands.items():  # sessions of their own: Ctrl-C reaches us
        with (hass.DEVELOP_DIR / LOGS[name]).open("wb") as out:
            start = partial(asyncio.create_subprocess_exec, cwd=hass.ROOT, env=env)
            children[name] = await start(
                *command, stdout=out, stderr=out, start_new_session=True
            )
    log(", ".join(f"started {name} (pid {p.pid})" for name, p in children.items()))
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stopping.set)

    async def race[T](work: Awaitable[T]) -> T:
        """Run `work` unless Ctrl-C comes first or a child exits."""
        task = asyncio.ensure_future(work)
        waits = {asyncio.ensure_future(p.wait()): name for name, p in children.items()}
        stop = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({task, stop, *waits}, return_when=asyncio.FIRST_COMPLETED)
        for future in (task, stop, *waits):
            future.cancel()
        if task.done() and not task.cancelled():
            return task.result()
        for exited in (future for future in waits if future.done()):
            raise hass.HassError(f"{waits[exited]} exited with code {exited.result()}")
        raise KeyboardInterrupt

    code = 0
    try:
        async with aiohttp.ClientSession() as session:
            api = hass.Hass(session)
            # Home Assistant's manifest.json: served without authentication (asking /api/
            # would log a failed login).
            renewables = f"{hass.SIMULATOR}/amber/v1/state/nsw/renewables/current"
            manifest = f"{hass.HA_URL}/manifest.json"
            for name, url in (
                ("the simulator", renewables),
                ("Home Assistant", manifest),
            ):
                answers = partial(answering, session, url)
                await race(hass.until(f"{name} does not answer", answers, 180, 0.25))
                timer.lap(f"{name} answering")
            state = await race(set_up(api, timer))
            hass.STATE_FILE.write_text(json.dumps({"pid": os.getpid(), **state}))
            offset = HA_LOG.stat().st_size
            print(summary(state, timer), flush=True)
            for line in (warnings := openpower_warnings(offset)):
                print(f"  ha | {line}", flush=True)
            log("READY")
            if args.check:  # CI: every demo set up, and not one warning from OpenPower
                code = 1 if warnings else 0
                log(f"check {'FAILED: OpenPower warned' if warnings else 'passed'}")
            else:
                await race(stopping.wait() if args.no_follow else follow(offset))
    except KeyboardInterrupt:
        print(flush=True)
    except (hass.HassError, aiohttp.ClientError, TimeoutError) as err:
        log(f"FAILED: {err or type(err).__name__}")
        logs = (hass.DEVELOP_DIR / name for name in LOGS.values())
        for path, lines in ((HA_LOG, 40), *((path, 10) for path in logs)):
            log(f"last lines of {path.relative_to(hass.ROOT)}:")
            print(hass.tail(path, lines), flush=True)
        code = 1
    finally:
        hass.STATE_FILE.unlink(missing_ok=True)
        log("stopping Home Assistant and the simulator…")
        kill = [p.kill for p in children.values() if p.returncode is None]
        loop.add_signal_handler(
            signal.SIGINT, lambda: [k() for k in kill]
        )  # 2nd Ctrl-C
        await asyncio.gather(*(stop(name, p) for name, p in children.items()))
        codes = (f"{name}: exit code {p.returncode}" for name, p in children.items())
        log(f"stopped ({', '.join(codes)})")
    return code


async def stop(name: str, process: asyncio.subprocess.Process) -> None:
    """SIGTERM, wait a minute, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 60)
    except TimeoutError:
        log(f"{name} did not stop within 60 s: killing it")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--reset", action="store_true", help="wipe .develop/ first")
    parser.add_argument("--no-follow", action="store_true", help="no HA log lines")
    parser.add_argument("--home-assistant", help="(taken by scripts/develop)")
    parser.add_argument("--check", action="store_true", help="stop once ready")
    args = parser.parse_args()
    for port in (8123, int(hass.SIMULATOR.rpartition(":")[2])):
        if asyncio.run(hass.port_open(port)):
            log(f"127.0.0.1:{port} is taken (another scripts/develop?): stop it first")
            sys.exit(1)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
