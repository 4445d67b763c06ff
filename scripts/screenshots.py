"""scripts/screenshots: the README's screenshots of the real Home Assistant UI, headless Chromium.

Run through `scripts/screenshots`. Uses the Home Assistant of a running `scripts/develop` (its
`.develop/state.json` and token), or starts one in the background for the duration. Chromium
runs headless on loopback only with a fresh profile, logged in by putting the long-lived token in
`localStorage.hassTokens` before the frontend's scripts run (DevTools over aiohttp).
"""

import argparse
import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
import io
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
from subprocess import DEVNULL, Popen
import sys
import tempfile
import time
from typing import Any, NamedTuple

import aiohttp
from demo import DEMOS
from hass import (
    DEVELOP_DIR,
    HA_URL,
    ROOT,
    STATE_FILE,
    TOKEN_FILE,
    Hass,
    HassError,
    until,
)
from PIL import Image

# running-home-assistant.md: headless, loopback only, no background traffic.
CHROMIUM = """--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync --lang=en-AU
    --no-proxy-server --hide-scrollbars --force-device-scale-factor=1
    --remote-debugging-address=127.0.0.1 --remote-debugging-port=0"""
RESOLVER = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
ENERGY_PERIOD = "energy-default-period-_energy_dashboard"  # what the dashboard opens on
# What the page shows (the document and every shadow root): for the readiness checks.
PAGE = r"""(() => {
  const elements = [], texts = [];
  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        elements.push(node);
        if (node.shadowRoot) walk(node.shadowRoot);
      } else if (!["script", "style"].includes(node.parentElement?.localName) && node.textContent.trim()) {
        texts.push(node.textContent.trim());
      }
    }
  };
  walk(document);
  const shown = (el) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && s.opacity !== "0"; };
  const count = (names) => elements.filter((el) => names.includes(el.localName) && shown(el)).length;
  return {path: location.pathname, text: texts.join("\n"), charts: count(["ha-chart-base"]), toasts: count(["ha-toast"]),
          spinners: count(["ha-spinner", "ha-circular-progress", "mwc-circular-progress", "ha-fade-in", "hass-loading-screen"])};
})()"""
# Collapses the device list of the Emporia entry on the integration page: Amber's would be off
# the page under its two dozen devices. Returns how many rows it collapsed.
COLLAPSE = r"""(() => { const rows = [];
  const walk = (root) => root.querySelectorAll("*").forEach((el) => {
    if (el.localName === "ha-config-entry-row" && el.data?.entry?.entry_id === ENTRY) rows.push(el);
    if (el.shadowRoot) walk(el.shadowRoot); });
  walk(document); rows.forEach((row) => { row._expanded = false; }); return rows.length; })()"""


class Shot(NamedTuple):
    """One screenshot, as the table says it (text fields)."""

    name: str
    path: str  # `{demo[key]}`: from the state of scripts/develop
    height: str  # the viewport's (0: --height)
    must_show: str  # "; "-separated texts
    must_not_show: str
    charts: str  # charts drawn before it is taken (then 4 s to settle, else 2 s)
    energy_period: str  # what the Energy dashboard opens on (empty: --energy-period)


# name | page | viewport height (0: --height) | must show (";") | must not show | charts | period
SHOTS = [
    Shot(*(field.strip() for field in line.split("|")))
    for line in """
alphaess-system | /config/devices/device/{AlphaESS[devices][AL7011023030601]} | 1500 | Solar power; Battery state of charge; Grid charging; Charge window 1 start; EV charger | Unavailable | 0 |
alphaess-legacy | /config/devices/device/{AlphaESS[devices][AL7011023030202]} | 1500 | Battery power; Discharge stop level; Schedule store; Legacy | Unavailable | 0 |
amber-device | /config/devices/device/{Amber[device]} | 1420 | General price; Feed-in price; Price spike | Unavailable | 0 |
energy-dashboard | /energy/electricity | 1500 | kWh; Grid total | No energy data; There is no data | 2 |
emporia-monitor | /config/devices/device/{Emporia[monitor]} | 1460 | Mains power; Unmonitored power; Connected devices; HVAC; Kitchen | Unavailable; Unknown | 0 |
emporia-circuit-cost | /openpower-costs/costs | 800 | What each circuit cost a day | No statistics found | 1 |
amber-cheap-window | /history?entity_id={Amber[cheap_window]},{Amber[general_price]} | 700 | Dishwasher; General price | | 1 |
emporia-charger | /config/devices/device/{Emporia[charger]} | 0 | Charging current; Charger status; Plugged in | Unavailable; Unknown | 0 |
integration | /config/integrations/integration/openpower | 1000 | OpenPower; Home; 5-minute site; demo@; PG&E Share My Data | | 0 |
pge-service | /config/devices/device/{PG&E[service]} | 1000 | Share My Data; Service status; Online; Last notification; Certificate expiry; Authorization status; Active; Authorization end; PG&E electricity · 2417 Grant St; PG&E gas · 2417 Grant St | Unavailable; Unknown | 0 |
pge-electricity | /config/devices/device/{PG&E[electricity]} | 900 | PG&E electricity · 2417 Grant St; Electricity usage point; Latest day consumption; Latest day returned to grid; Rate plan; E-6 — Residential Time-of-Use, Net Energy Metering; Last NEM minimum delivery charge; Last bill consumption; Newest data | Unavailable; Unknown | 0 |
enedis-linky | /config/devices/device/{Enedis[device]} | 1100 | Consumption yesterday; Production yesterday; Maximum power yesterday; Subscribed power; Off-peak hours; kWh; VA | Unknown | 0 |
pge-energy-gas | /energy/gas | 700 | Gas consumption; PG&E gas; Gas total | No energy data; There is no data | 1 | this_month
goodwe-station | /config/devices/device/{GoodWe[devices][Station]} | 1340 | Solar power; Load power; Grid power; Battery power; Battery state of charge; Station status; Working; Solar energy today; Grid import today | Unknown | 0 |
goodwe-inverter | /config/devices/device/{GoodWe[devices][Inverter]} | 760 | AC power; PV1 voltage; PV2 current; Temperature; Solar energy total; Battery discharge total | Unknown | 0 |
goodwe-energy | /energy/electricity | 2800 | GoodWe Home (hybrid) grid import; GoodWe Home (hybrid) grid export; GoodWe Home (hybrid) solar production; GoodWe Home (hybrid) battery discharge; Grid total | No energy data; There is no data | 2 | this_month
""".strip().splitlines()
]
# enedis-linky, goodwe-station, goodwe-inverter: their Activity card lists the sensors'
# unavailable moment of the reload the demo's options bring (scripts/demo/enedis.py,
# goodwe.py), so only Unknown is refused there.
# energy-dashboard: the electricity view (with gas configured, /energy opens on the overview).
# pge-electricity: the demo's electricity is net-metered (HE6N), so its bill is the NEM minimum
# delivery charge; the name's address comes with the customer information.
# goodwe-energy: the station's days this month (one bar a day, at its local midnight); the
# electricity view mixes every provider, so the page is tall enough for the Totals table down to
# GoodWe's grid rows and their cost (the demo's fixed tariff).
# pge-energy-gas: PG&E's daily gas this month (the Sydney-time "yesterday" may hold no Pacific
# day's first hour yet), in kWh on the dashboard.


def log(message: str) -> None:
    """Print a progress line."""
    print(f"[screenshots] {message}", flush=True)


def spawn(command: list[Any], output: Path | None = None) -> Popen[bytes]:
    """Start a process in a session of its own, its output to `output` (or nowhere)."""
    with (output or Path(os.devnull)).open("wb") as out:
        return Popen(
            command, stdin=DEVNULL, stdout=out, stderr=out, start_new_session=True
        )


def chromium_path() -> str:
    """Return Chromium's path, installing the Debian package when it is missing."""
    if found := shutil.which("chromium"):
        return found
    if os.geteuid() != 0:
        raise HassError("Chromium is missing: sudo apt-get install -y chromium")
    log("installing Chromium (apt-get install -y chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ("update -qq", "install -y -qq chromium"):
        subprocess.run(["apt-get", *command.split()], check=True, env=env)
    return "/usr/bin/chromium"


class Page:
    """Chromium's page, over the DevTools protocol."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Use a connected page websocket."""
        self._ws, self._ids = ws, iter(range(1, 1 << 30))
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id", -1), None)
            if future and not future.done():
                future.set_result(data)

    async def send(self, method: str, **params: Any) -> Any:
        """Call a DevTools method; return its result."""
        msg_id = next(self._ids)
        self._pending[msg_id] = future = asyncio.get_running_loop().create_future()
        await self._ws.send_json({"id": msg_id, "method": method, "params": params})
        if "error" in (answer := await asyncio.wait_for(future, 60)):
            raise HassError(f"DevTools {method}: {answer['error']}")
        return answer.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        """Return the value of JavaScript evaluated in the page."""
        value = {"expression": expression, "returnByValue": True}
        return (await self.send("Runtime.evaluate", **value))["result"].get("value")

    async def png(self, target: Path) -> int:
        """Save what the page shows, optimised (a palette when that keeps it small); its size."""
        shot = await self.send("Page.captureScreenshot", format="png")
        image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        if buffer.tell() > 400_000:
            buffer = io.BytesIO()
            image = image.quantize(256, dither=Image.Dither.NONE)  # median cut
            image.save(buffer, format="PNG", optimize=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(buffer.getvalue())
        return buffer.tell()


def problems(shot: Shot, page: dict[str, Any]) -> list[str]:
    """Return why the page is not ready for `shot` (empty when it is)."""
    text = page.get("text", "")
    found = [f"missing {t!r}" for t in shot.must_show.split("; ") if t not in text]
    found += [
        f"showing {t!r}"
        for t in filter(None, shot.must_not_show.split("; "))
        if t in text
    ]
    if page.get("path", "/auth").startswith("/auth") or "Log in" in text[:200]:
        found.append("the login page is showing")
    found += [f"{page[w]} {w}" for w in ("spinners", "toasts") if page.get(w)]
    if page.get("charts", 0) < int(shot.charts):
        found.append(f"{page.get('charts', 0)} of {shot.charts} charts drawn")
    return found


async def take(page: Page, shot: Shot, state: dict[str, Any], args: Any) -> None:
    """Open the shot's page, wait until it shows what it should for a while, save the PNG."""
    size = {"width": args.width, "height": int(shot.height) or args.height}
    await page.send(
        "Emulation.setDeviceMetricsOverride", **size, deviceScaleFactor=1, mobile=False
    )
    period = json.dumps(shot.energy_period or args.energy_period)
    source = f"localStorage.setItem({json.dumps(ENERGY_PERIOD)}, {period});"
    script = await page.send("Page.addScriptToEvaluateOnNewDocument", source=source)
    path = shot.path.format_map(state)
    await page.send("Page.navigate", url=HA_URL + path)
    collapse = shot.name == "integration"
    deadline, stable, found = time.monotonic() + 60, None, ["nothing yet"]
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        found = problems(shot, await page.evaluate(PAGE) or {})
        if not found and collapse:
            entry = json.dumps(state["Emporia"]["entry"])
            collapse = not await page.evaluate(COLLAPSE.replace("ENTRY", entry))
            found = ["nothing collapsed yet"] if collapse else []
        stable = None if found else stable or time.monotonic()
        if stable and time.monotonic() - stable >= (4 if int(shot.charts) else 2):
            break
    else:
        await page.png(failed := DEVELOP_DIR / f"screenshots-failed-{shot.name}.png")
        raise HassError(f"{shot.name}: {path} not ready ({failed}): {'; '.join(found)}")
    await page.send("Page.removeScriptToEvaluateOnNewDocument", **script)
    target = args.output / f"{shot.name}.png"
    log(f"{target}: {await page.png(target) // 1024} kB")


async def home_assistant(hass: Hass) -> tuple[Popen[bytes] | None, dict[str, Any]]:
    """Return the running scripts/develop's state, or start one and return it and its state."""

    async def ready() -> dict[str, Any] | None:
        try:
            state = json.loads(STATE_FILE.read_text())
            hass.token = TOKEN_FILE.read_text().strip()
            await hass.get("/api/")
        except OSError, ValueError, HassError, aiohttp.ClientError:
            return None
        return state  # type: ignore[no-any-return]

    if (state := await ready()) is not None:
        log(f"using the running scripts/develop (pid {state['pid']})")
        return None, state
    output = DEVELOP_DIR / "screenshots-develop.log"
    log(f"starting scripts/develop in the background (log: {output.relative_to(ROOT)})")
    DEVELOP_DIR.mkdir(exist_ok=True)
    develop = spawn([ROOT / "scripts" / "develop", "--no-follow"], output)

    async def started() -> dict[str, Any] | None:
        if develop.poll() is not None:
            raise HassError(
                f"scripts/develop exited ({develop.returncode}): see its log"
            )
        return await ready()

    try:
        return develop, await until("scripts/develop is not ready", started, 600)
    except BaseException:
        develop.terminate()
        raise


@asynccontextmanager
async def chromium(
    session: aiohttp.ClientSession, token: str, args: Any
) -> AsyncIterator[Page]:
    """Start Chromium with a fresh profile; give its page, logged in to Home Assistant."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        size = f"--window-size={args.width},{args.height}"
        options = [*CHROMIUM.split(), RESOLVER, f"--user-data-dir={profile}", size]
        process = spawn([args.chromium, *options, "about:blank"])
        port = Path(profile) / "DevToolsActivePort"

        async def opened() -> bool | None:
            if process.poll() is not None:
                raise HassError(f"Chromium exited with code {process.returncode}")
            return (port.exists() and bool(port.read_text().strip())) or None

        try:
            await until("Chromium opened no DevTools port", opened, 120, 0.2)
            targets = f"http://127.0.0.1:{port.read_text().split()[0]}/json/list"
            async with session.get(targets) as answer:
                target = next(t for t in await answer.json() if t["type"] == "page")
            ws = await session.ws_connect(
                target["webSocketDebuggerUrl"], max_msg_size=0
            )
            page = Page(ws)
            # Logged in, the sidebar docked, Home Assistant's time zone (Sydney's).
            tokens = {"hassUrl": HA_URL, "clientId": f"{HA_URL}/", "refresh_token": ""}
            tokens |= {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 2**30,
            }
            tokens["expires"] = int(time.time() + 2**30) * 1000
            login = f"""if (location.origin === "{HA_URL}") {{
                localStorage.setItem("hassTokens", {json.dumps(json.dumps(tokens))});
                localStorage.setItem("dockedSidebar", '"docked"'); }}"""
            await page.send("Page.enable")
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=login)
            await page.send("Emulation.setTimezoneOverride", timezoneId=args.zone)
            yield page
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)


async def pictures_ready(demo: Any, hass: Hass, state: Any) -> bool | None:
    """Return True when the demo's pictures are ready; say what they wait for otherwise."""
    if reason := await demo.pictures_ready(hass, state):
        log(f"waiting: {reason}")
    return None if reason else True


async def run(args: argparse.Namespace) -> None:
    """Get Home Assistant, start Chromium, take each screenshot."""
    began = time.monotonic()
    async with aiohttp.ClientSession() as session:
        hass = Hass(session)
        develop, state = await home_assistant(hass)
        try:
            for demo in DEMOS:  # what each provider's pictures wait for
                ready = partial(pictures_ready, demo, hass, state[demo.NAME])
                await until(f"{demo.NAME}: not ready for pictures", ready, 180, 2)
            args.zone = (await hass.ws("get_config"))["time_zone"]
            await hass.close()
            async with chromium(session, hass.token, args) as page:
                for shot in SHOTS:
                    if not args.only or shot.name in args.only:
                        await take(page, shot, state, args)
        finally:
            if develop is not None:
                log("stopping the scripts/develop started for the screenshots")
                develop.terminate()
                develop.wait(90)
    log(f"done in {time.monotonic() - began:.1f} s")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="scripts/screenshots", description=__doc__)
    add = parser.add_argument
    add("--output", type=Path, default=ROOT / "docs/screenshots", help="PNGs' folder")
    add("--width", type=int, default=1440, help="default 1440")
    add("--height", type=int, default=1000, help="default 1000")
    periods = ["yesterday", "this_week", "this_month", "this_year"]
    add("--energy-period", default="yesterday", choices=periods, help="Energy's period")
    add("--only", action="append", choices=[s.name for s in SHOTS], help="repeatable")
    args = parser.parse_args()
    try:
        args.chromium = chromium_path()
        asyncio.run(run(args))
    except HassError as err:
        log(f"FAILED: {err}")
        sys.exit(1)


if __name__ == "__main__":
    main()
