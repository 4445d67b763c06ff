"""scripts/screenshots: README screenshots of the real Home Assistant UI, with headless Chromium.

Run through `scripts/screenshots`. Uses the Home Assistant of `scripts/develop` when it is running
(its `.develop/state.json` and `.develop/token`); otherwise starts `scripts/develop` in the
background for the duration and stops it afterwards. Chromium runs headless, stays on loopback
(the flags of running-home-assistant.md), with a fresh profile; it is logged in by injecting the
long-lived token into `localStorage.hassTokens` before the frontend's scripts run (Chrome DevTools
Protocol `Page.addScriptToEvaluateOnNewDocument`, driven with aiohttp's websocket client).
"""

import argparse
import asyncio
import base64
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import io
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from develop_hass import (
    DEVELOP_DIR,
    HA_HOST,
    HA_PORT,
    HA_URL,
    ROOT,
    STATE_FILE,
    TOKEN_FILE,
    HassError,
    HassWebSocket,
    port_open,
    tail,
    token_valid,
)
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
# Exactly the flags of running-home-assistant.md: headless, loopback only, no background traffic.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
DEVELOP_LOG = DEVELOP_DIR / "screenshots-develop.log"
DEVELOP_TIMEOUT = 600
PAGE_TIMEOUT = 60
MAX_PNG_BYTES = 400_000

SHOT_NAMES = [
    "amber-device",
    "energy-dashboard",
    "emporia-monitor",
    "emporia-charger",
    "integration",
    "pge-service",
    "pge-electricity",
    "pge-energy-gas",
]

# The energy dashboard's collection key is "energy_dashboard"; the frontend reads the period to
# open with from this localStorage key ("today", "yesterday", "this_week", "this_month", …).
ENERGY_PERIOD_KEY = "energy-default-period-_energy_dashboard"

# Walks the document and every shadow root: what the page shows, for the readiness checks.
PAGE_STATE_JS = r"""
(() => {
  const elements = [];
  const texts = [];
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        const parent = node.parentElement ? node.parentElement.localName : "";
        if (parent === "script" || parent === "style") continue;
        const t = node.textContent.trim();
        if (t) texts.push(t);
        continue;
      }
      elements.push(node);
      if (node.shadowRoot) walk(node.shadowRoot);
    }
  };
  walk(document);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const s = getComputedStyle(el);
    return s.visibility !== "hidden" && s.display !== "none" && s.opacity !== "0";
  };
  const tags = (names) => elements.filter((el) => names.includes(el.localName) && shown(el));
  return {
    path: location.pathname,
    spinners: tags(["ha-spinner", "ha-circular-progress", "mwc-circular-progress",
                    "ha-fade-in", "hass-loading-screen"]).length,
    toasts: tags(["ha-toast"]).map((el) => el.innerText || el.labelText || "toast"),
    charts: tags(["ha-chart-base"]).length,
    canvases: elements.filter((el) => el.localName === "canvas" && shown(el)).length,
    text: texts.join("\n"),
  };
})()
"""

# Collapses the device list of one config entry on the integration page; returns how many rows.
COLLAPSE_ENTRY_JS = r"""
(() => {
  const rows = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.localName === "ha-config-entry-row") rows.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const mine = rows.filter((row) => row.data?.entry?.entry_id === %s);
  for (const row of mine) row._expanded = false;
  return mine.length;
})()
"""


def log(message: str) -> None:
    """Print a progress line."""
    print(f"[screenshots] {message}", flush=True)


@dataclass(frozen=True, slots=True)
class Shot:
    """One screenshot: where, what must be on the page, what must not."""

    name: str
    path: str
    must_show: tuple[str, ...]
    must_not_show: tuple[str, ...] = ()
    charts: int = 0
    settle: float = 2.0
    height: int | None = None
    """Viewport height for this page (default --height), e.g. to show a whole list."""
    prepare: str | None = None
    """JavaScript run once the page is ready (then it must be ready again); a falsy value
    means it found nothing to do yet and is run again."""
    energy_period: str | None = None
    """Period the Energy dashboard opens with on this page (default --energy-period)."""


# --------------------------------------------------------------------------------------------
# Home Assistant (reuse or start scripts/develop)


async def running_develop(session: aiohttp.ClientSession) -> dict[str, Any] | None:
    """Return the running scripts/develop's state when it is ready and its token works."""
    if not await port_open(HA_HOST, HA_PORT):
        return None
    try:
        state: dict[str, Any] = json.loads(STATE_FILE.read_text())
        token = TOKEN_FILE.read_text().strip()
    except OSError, ValueError:
        return None
    if not await token_valid(session, token):
        return None
    state["token"] = token
    return state


def spawn_develop() -> subprocess.Popen[bytes]:
    """Start scripts/develop in the background, in a session of its own."""
    DEVELOP_DIR.mkdir(exist_ok=True)
    STATE_FILE.unlink(missing_ok=True)
    log(f"starting scripts/develop in the background (log: {DEVELOP_LOG})")
    with DEVELOP_LOG.open("wb") as out:
        return subprocess.Popen(
            [str(ROOT / "scripts" / "develop"), "--no-follow"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def start_develop(
    session: aiohttp.ClientSession,
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Start scripts/develop in the background and wait for it to be ready."""
    process = spawn_develop()
    deadline = time.monotonic() + DEVELOP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HassError(
                f"scripts/develop exited with code {process.returncode}:\n{tail(DEVELOP_LOG)}"
            )
        if STATE_FILE.exists() and (state := await running_develop(session)):
            return process, state
        await asyncio.sleep(1)
    stop_develop(process)
    raise HassError(
        f"scripts/develop not ready after {DEVELOP_TIMEOUT} s:\n{tail(DEVELOP_LOG)}"
    )


def stop_develop(process: subprocess.Popen[bytes]) -> None:
    """Stop a scripts/develop we started (it stops Home Assistant and the simulator)."""
    if process.poll() is None:
        log("stopping the scripts/develop started for the screenshots")
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_statistics_recent(ws: HassWebSocket, statistic_id: str) -> None:
    """Wait until yesterday's hours of the energy statistic are committed (the dashboard's data)."""
    now = datetime.now(UTC)
    for _ in range(120):
        rows = await ws.call(
            "recorder/statistics_during_period",
            start_time=(now - timedelta(days=2)).isoformat(),
            end_time=now.isoformat(),
            statistic_ids=[statistic_id],
            period="hour",
            types=["sum"],
        )
        if len(rows.get(statistic_id, [])) >= 24:
            return
        await asyncio.sleep(1)
    raise HassError(f"no recent hourly rows of {statistic_id}")


async def wait_pge_sensors(ws: HassWebSocket, sensors: dict[str, str]) -> None:
    """Wait until the PG&E sensors scripts/develop listed have values (not unknown)."""
    waiting: list[str] = []
    for _ in range(60):
        states = {
            state["entity_id"]: state["state"]
            for state in await ws.call("get_states")
            if state["entity_id"] in sensors.values()
        }
        waiting = [
            f"{entity_id}: {states.get(entity_id)}"
            for entity_id in sensors.values()
            if states.get(entity_id) in (None, "unknown", "unavailable")
        ]
        if not waiting:
            return
        await asyncio.sleep(1)
    raise HassError(f"PG&E sensors without a value: {waiting}")


async def wait_energy_today(
    ws: HassWebSocket, sensors: dict[str, str], time_zone: str
) -> None:
    """Wait until Emporia's "energy today" sensors include today's imported hours.

    Right after Home Assistant starts they count only the minutes since the start: the day's
    stored hours are added at the first power update after the background history read (about
    a minute later). `sensors` maps each sensor to its consumption statistic.
    """
    midnight = datetime.now(ZoneInfo(time_zone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    behind: list[str] = []
    for _ in range(90):
        rows = await ws.call(
            "recorder/statistics_during_period",
            start_time=midnight.isoformat(),
            statistic_ids=list(sensors.values()),
            period="hour",
            types=["change"],
        )
        states = {
            state["entity_id"]: state["state"]
            for state in await ws.call("get_states")
            if state["entity_id"] in sensors
        }
        behind = []
        for entity_id, statistic_id in sensors.items():
            stored = sum(row.get("change") or 0.0 for row in rows.get(statistic_id, []))
            try:
                value = float(states.get(entity_id, ""))
            except ValueError:
                value = -1.0
            if value < stored - 0.01:
                behind.append(f"{entity_id} {states.get(entity_id)} < {stored:.2f} kWh")
        if not behind:
            return
        await asyncio.sleep(2)
    raise HassError(f"Emporia's energy today still behind its history: {behind}")


# --------------------------------------------------------------------------------------------
# Chromium over the DevTools protocol


def ensure_chromium() -> Path:
    """Return Chromium's path, installing the Debian package when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if found := shutil.which("chromium"):
        return Path(found)
    if os.geteuid() != 0:
        raise HassError("Chromium is missing: sudo apt-get install -y chromium")
    log("installing Chromium (apt-get install -y chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    return CHROMIUM


class DevTools:
    """One page target of Chromium, over the Chrome DevTools Protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Use a connected page websocket."""
        self._ws = ws
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future is None or future.done():
                continue
            if "error" in data:
                future.set_exception(HassError(f"DevTools: {data['error']}"))
            else:
                future.set_result(data.get("result", {}))

    async def send(self, method: str, **params: Any) -> Any:
        """Call a DevTools method and return its result."""
        msg_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        await self._ws.send_json({"id": msg_id, "method": method, "params": params})
        return await asyncio.wait_for(future, 60)

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its value."""
        result = await self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise HassError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def close(self) -> None:
        """Stop reading and close the websocket."""
        self._reader.cancel()
        await self._ws.close()


def launch_chromium(
    chromium: Path, profile: Path, width: int, height: int
) -> subprocess.Popen[bytes]:
    """Start headless Chromium with a fresh profile; DevTools on a free loopback port."""
    return subprocess.Popen(
        [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--lang=en-AU",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(profile / "chromium.log").open("wb"),
        start_new_session=True,
    )


def stop_chromium(browser: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and its helper processes (its own process group, started by us)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGTERM)
    try:
        browser.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
    # Helpers (renderer, GPU, zygote) leave shortly after the browser process.
    for _ in range(50):
        try:
            os.killpg(browser.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGKILL)


async def connect_page(
    session: aiohttp.ClientSession, profile: Path, browser: subprocess.Popen[bytes]
) -> DevTools:
    """Wait for Chromium's DevTools port and connect to its page."""
    port_file = profile / "DevToolsActivePort"
    for _ in range(600):  # up to 2 minutes on a busy machine
        if browser.poll() is not None:
            raise HassError(f"Chromium exited: {tail(profile / 'chromium.log', 15)}")
        if port_file.exists() and port_file.read_text().strip():
            break
        await asyncio.sleep(0.2)
    else:
        raise HassError("Chromium did not open its DevTools port")
    port = int(port_file.read_text().split()[0])
    async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
        targets = await response.json(content_type=None)
    page = next(t for t in targets if t["type"] == "page")
    ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
    return DevTools(ws)


def login_script(token: str, energy_period: str) -> str:
    """JavaScript run before the frontend on every document: logged in, chosen energy period."""
    tokens = {
        "hassUrl": HA_URL,
        "clientId": f"{HA_URL}/",
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 315360000,
        "expires": int((time.time() + 315360000) * 1000),
        "refresh_token": "",
    }
    return f"""
if (location.origin === {json.dumps(HA_URL)}) {{
  localStorage.setItem("hassTokens", {json.dumps(json.dumps(tokens))});
  localStorage.setItem({json.dumps(ENERGY_PERIOD_KEY)}, {json.dumps(energy_period)});
  localStorage.setItem("dockedSidebar", JSON.stringify("docked"));
}}
"""


async def capture(
    page: DevTools, shot: Shot, output: Path, width: int, height: int
) -> Path:
    """Open the page, wait until it shows what it should, and save a PNG."""
    await page.send(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=shot.height or height,
        deviceScaleFactor=1,
        mobile=False,
    )
    period_script = None
    if shot.energy_period is not None:
        # Added after the login script, so it wins; removed once the page is taken.
        period_script = await page.send(
            "Page.addScriptToEvaluateOnNewDocument",
            source=f"if (location.origin === {json.dumps(HA_URL)}) "
            f"localStorage.setItem({json.dumps(ENERGY_PERIOD_KEY)}, "
            f"{json.dumps(shot.energy_period)});",
        )
    try:
        await page.send("Page.navigate", url=f"{HA_URL}{shot.path}")
        return await _capture_page(page, shot, output)
    finally:
        if period_script is not None:
            await page.send(
                "Page.removeScriptToEvaluateOnNewDocument",
                identifier=period_script["identifier"],
            )


async def _capture_page(page: DevTools, shot: Shot, output: Path) -> Path:
    """Wait until the navigated page shows what it should, and save a PNG."""
    deadline = time.monotonic() + PAGE_TIMEOUT
    state: dict[str, Any] = {}
    problems: list[str] = []
    stable_since: float | None = None
    prepared = shot.prepare is None
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        with contextlib.suppress(HassError):
            state = await page.evaluate(PAGE_STATE_JS) or {}
        problems = page_problems(shot, state)
        if not problems and not prepared:
            assert shot.prepare is not None
            prepared = bool(await page.evaluate(shot.prepare))
            problems = [] if prepared else ["the prepare script found nothing to do"]
            stable_since = None
            continue
        if problems:
            stable_since = None
            continue
        stable_since = stable_since or time.monotonic()
        if time.monotonic() - stable_since >= shot.settle:
            break
    else:
        failed = DEVELOP_DIR / f"screenshots-failed-{shot.name}.png"
        with contextlib.suppress(HassError, TimeoutError):
            data = await page.send("Page.captureScreenshot", format="png")
            failed.write_bytes(base64.b64decode(data["data"]))
        raise HassError(
            f"(what it showed: {failed.relative_to(ROOT)}) "
            f"{shot.name}: {HA_URL}{shot.path} not ready after {PAGE_TIMEOUT} s: "
            f"{'; '.join(problems)}\n--- page text ---\n{state.get('text', '')[:1500]}"
        )
    shot_data = await page.send("Page.captureScreenshot", format="png")
    target = output / f"{shot.name}.png"
    size = save_png(base64.b64decode(shot_data["data"]), target)
    shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
    log(f"{shown}: {size // 1024} kB")
    return target


def page_problems(shot: Shot, state: dict[str, Any]) -> list[str]:
    """Return why the page is not ready (empty when it is)."""
    if not state:
        return ["no page state yet"]
    problems = []
    text = state.get("text", "")
    if state.get("path", "").startswith("/auth") or "Log in" in text.split("\n")[:5]:
        problems.append("the login page is showing")
    if state.get("spinners"):
        problems.append(f"{state['spinners']} spinner(s) visible")
    if state.get("toasts"):
        problems.append(f"toast: {state['toasts']}")
    problems.extend(
        f"missing text {needle!r}" for needle in shot.must_show if needle not in text
    )
    problems.extend(
        f"unwanted text {needle!r}" for needle in shot.must_not_show if needle in text
    )
    if state.get("charts", 0) < shot.charts:
        problems.append(f"{state.get('charts', 0)} of {shot.charts} charts drawn")
    return problems


def save_png(data: bytes, target: Path) -> int:
    """Write the PNG optimised (palette when that is what keeps it small); return its size."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    if buffer.tell() > MAX_PNG_BYTES:
        buffer = io.BytesIO()
        image.quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        ).save(buffer, format="PNG", optimize=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return buffer.tell()


# --------------------------------------------------------------------------------------------
# Main


def parse_args() -> argparse.Namespace:
    """Command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/screenshots",
        description=(
            "Take the README screenshots (docs/screenshots/*.png) of the real UI with headless "
            "Chromium. Uses the Home Assistant of a running `scripts/develop`; when none is "
            "running, starts `scripts/develop` in the background and stops it afterwards. "
            "Installs the Debian package chromium when /usr/bin/chromium is missing."
        ),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="directory for the PNGs (default docs/screenshots)",
    )
    parser.add_argument("--width", type=int, default=1440, help="default 1440")
    parser.add_argument("--height", type=int, default=1000, help="default 1000")
    parser.add_argument(
        "--energy-period",
        default="yesterday",
        choices=["yesterday", "this_week", "this_month", "this_year"],
        help="period the Energy dashboard opens with (default yesterday: Amber serves usage "
        "up to yesterday, so today is empty)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SHOT_NAMES,
        help="take only this screenshot (repeatable)",
    )
    return parser.parse_args()


async def run(args: argparse.Namespace) -> None:
    """Get Home Assistant, start Chromium, take each screenshot."""
    began = time.monotonic()
    chromium = ensure_chromium()
    develop: subprocess.Popen[bytes] | None = None
    async with aiohttp.ClientSession() as session:
        state = await running_develop(session)
        if state is None:
            if await port_open(HA_HOST, HA_PORT):
                raise HassError(
                    f"{HA_URL} answers but is not a ready scripts/develop "
                    "(no .develop/state.json or its token is refused)"
                )
            develop, state = await start_develop(session)
        else:
            log(f"using the running scripts/develop (pid {state['pid']})")
        try:
            async with HassWebSocket(session, state["token"]) as ws:
                stat = (
                    "openpower:amber_01hs7knz9xyn85ajf60d0g8v81_e1_energy_consumption"
                )
                await wait_statistics_recent(ws, stat)
                state["time_zone"] = (await ws.call("get_config"))["time_zone"]
                await wait_energy_today(
                    ws, state.get("emporia_energy_today") or {}, state["time_zone"]
                )
                await wait_pge_sensors(ws, state.get("pge_sensors") or {})
            emporia_monitor = state.get("emporia_monitor_device_id")
            emporia_charger = state.get("emporia_charger_device_id")
            if not emporia_monitor or not emporia_charger:
                raise HassError(
                    "the running scripts/develop has no Emporia devices in "
                    f"{STATE_FILE.relative_to(ROOT)}: restart it (it adds the Emporia entry)"
                )
            pge_service = state.get("pge_service_device_id")
            pge_electricity = state.get("pge_electricity_device_id")
            if not pge_service or not pge_electricity:
                raise HassError(
                    "the running scripts/develop has no PG&E devices in "
                    f"{STATE_FILE.relative_to(ROOT)}: restart it (it adds the PG&E entry)"
                )
            shots = [
                Shot(
                    "amber-device",
                    f"/config/devices/device/{state['device_id']}",
                    must_show=("General price", "Feed-in price", "Price spike"),
                    must_not_show=("Unavailable",),
                    height=1420,  # the whole entity list
                ),
                Shot(
                    "energy-dashboard",
                    # The electricity view: with PG&E's gas configured, /energy opens on
                    # the overview.
                    "/energy/electricity",
                    must_show=("kWh", "Grid total"),
                    must_not_show=("No energy data", "There is no data"),
                    charts=2,
                    settle=4.0,
                    # Electricity, Emporia's solar production and the totals with Amber's cost
                    height=1500,
                ),
                Shot(
                    "emporia-monitor",
                    f"/config/devices/device/{emporia_monitor}",
                    must_show=(
                        "Mains power",
                        "Unmonitored power",
                        "Connected devices",
                        "HVAC",
                        "Kitchen",
                    ),
                    must_not_show=("Unavailable", "Unknown"),
                    height=1460,  # sensors and the first ten connected circuits
                ),
                Shot(
                    "emporia-charger",
                    f"/config/devices/device/{emporia_charger}",
                    must_show=(
                        "Charging current",
                        "Charger status",
                        "Plugged in",
                    ),
                    must_not_show=("Unavailable", "Unknown"),
                ),
                Shot(
                    "integration",
                    "/config/integrations/integration/openpower",
                    must_show=(
                        "OpenPower",
                        "Home",
                        "5-minute site",
                        "demo@",
                        "PG&E Share My Data",
                    ),
                    height=1000,  # three entries (and PG&E's two usage points)
                    # The Emporia entry's two dozen devices would push Amber's off the page.
                    prepare=COLLAPSE_ENTRY_JS % json.dumps(state["emporia_entry_id"]),
                ),
                Shot(
                    "pge-service",
                    f"/config/devices/device/{pge_service}",
                    must_show=(
                        "Share My Data",
                        "Service status",
                        "Online",
                        "Last notification",
                        "Certificate expiry",
                        "PG&E electricity",
                        "PG&E gas",
                    ),
                    must_not_show=("Unavailable", "Unknown"),
                    height=900,
                ),
                Shot(
                    "pge-electricity",
                    f"/config/devices/device/{pge_electricity}",
                    must_show=(
                        "Electricity usage point",
                        "Latest day consumption",
                        "Latest day returned to grid",
                        "Last bill",
                        "Newest data",
                    ),
                    must_not_show=("Unavailable", "Unknown"),
                    height=900,
                ),
                Shot(
                    "pge-energy-gas",
                    # PG&E's daily gas: this month (the Sydney-time "yesterday" holds no
                    # Pacific day's first hour yet).
                    "/energy/gas",
                    # The dashboard shows therms converted to kWh.
                    must_show=("Gas consumption", "PG&E gas", "Gas total"),
                    must_not_show=("No energy data", "There is no data"),
                    charts=1,
                    settle=4.0,
                    height=700,
                    energy_period="this_month",
                ),
            ]
            with tempfile.TemporaryDirectory(
                prefix="openpower-chromium-", ignore_cleanup_errors=True
            ) as tmp:
                profile = Path(tmp)
                browser = launch_chromium(chromium, profile, args.width, args.height)
                try:
                    page = await connect_page(session, profile, browser)
                    await page.send("Page.enable")
                    await page.send("Runtime.enable")
                    # The frontend shows times in the browser's zone by default: Sydney's.
                    await page.send(
                        "Emulation.setTimezoneOverride", timezoneId=state["time_zone"]
                    )
                    await page.send(
                        "Page.addScriptToEvaluateOnNewDocument",
                        source=login_script(state["token"], args.energy_period),
                    )
                    for shot in shots:
                        if args.only and shot.name not in args.only:
                            continue
                        await capture(page, shot, args.output, args.width, args.height)
                    await page.close()
                finally:
                    stop_chromium(browser)
        finally:
            if develop is not None:
                stop_develop(develop)
    log(f"done in {time.monotonic() - began:.1f} s")


def main() -> None:
    """Entry point."""
    args = parse_args()
    try:
        asyncio.run(run(args))
    except HassError as err:
        log(f"FAILED: {err}")
        sys.exit(1)


if __name__ == "__main__":
    main()
