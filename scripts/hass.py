"""The local Home Assistant of scripts/develop, from outside: REST, websocket, the owner.

Shared by `scripts/develop.py`, its demo modules (`scripts/demo/`) and `scripts/screenshots.py`;
127.0.0.1 only, through aiohttp (which Home Assistant brings into the venv).
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
import contextlib
from datetime import UTC, datetime
import os
from pathlib import Path
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
# Another Home Assistant version runs on a state of its own (scripts/develop --home-assistant).
DEVELOP_DIR = ROOT / os.environ.get("OPENPOWER_DEVELOP_DIR", ".develop")
CONFIG_DIR = DEVELOP_DIR / "config"
HA_LOG = CONFIG_DIR / "home-assistant.log"
TOKEN_FILE = DEVELOP_DIR / "token"
STATE_FILE = DEVELOP_DIR / "state.json"
HA_URL = "http://127.0.0.1:8123"
SIMULATOR = "http://127.0.0.1:8765"
USERNAME = "dev"
PASSWORD = "openpower"  # noqa: S105 - a documented demo password on a loopback-only instance


class HassError(Exception):
    """Home Assistant answered with an error, or not in time."""


def tail(path: Path, lines: int = 40) -> str:
    """Return the last lines of a text file, or a note that it does not exist."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"({path} does not exist)"


async def port_open(port: int) -> bool:
    """Return whether something accepts connections on 127.0.0.1:port."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


type Check[T] = Callable[[], Awaitable[T | None]]


async def until[T](what: str, poll: Check[T], wait: float = 240, every: float = 1) -> T:
    """Call `poll` until it returns something; fail with `what` after `wait` seconds."""
    deadline = time.monotonic() + wait
    while (found := await poll()) is None:
        if time.monotonic() > deadline:
            raise HassError(f"{what} after {wait:.0f} s")
        await asyncio.sleep(every)
    return found


class Hass:
    """Home Assistant's REST and websocket APIs, with the owner's long-lived token."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        """Use `session`; `log_in` gets the token."""
        self.session, self.token, self._ids = session, "", iter(range(1, 1 << 30))
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def request(self, method: str, path: str, **options: Any) -> Any:
        """Return the JSON answer to a request (with the token, if there is one)."""
        if self.token:
            options["headers"] = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(method, HA_URL + path, **options) as answer:
            if answer.status >= 400:
                text = (await answer.text())[:500]
                raise HassError(f"{method} {path} → HTTP {answer.status}: {text}")
            return await answer.json()

    async def get(self, path: str) -> Any:
        """GET a JSON document."""
        return await self.request("GET", path)

    async def post(self, path: str, payload: dict[str, Any]) -> Any:
        """POST a JSON document; return the JSON answer."""
        return await self.request("POST", path, json=payload)

    async def log_in(self) -> str:
        """Get the owner's token (kept in .develop/token), creating the owner; say how."""

        async def onboarding() -> list[Any] | None:  # served until it is done
            with contextlib.suppress(aiohttp.ClientError):
                async with self.session.get(f"{HA_URL}/api/onboarding") as answer:
                    return [] if answer.status == 404 else await answer.json()
            return None

        steps = await until("the onboarding API does not answer", onboarding, 20, 0.5)
        created = any(s["step"] == "user" and not s["done"] for s in steps)
        if not created and TOKEN_FILE.exists():
            self.token = TOKEN_FILE.read_text().strip()
            with contextlib.suppress(HassError):
                await self.get("/api/")
                return "owner user exists, token reused"
            self.token = ""
        client = {"client_id": f"{HA_URL}/"}
        login = {**client, "username": USERNAME, "password": PASSWORD}
        if created:
            owner = {**login, "name": "Developer", "language": "en"}
            code = (await self.post("/api/onboarding/users", owner))["auth_code"]
        else:
            handler = {"handler": ["homeassistant", None], "redirect_uri": HA_URL}
            flow = await self.post("/auth/login_flow", client | handler)
            result = await self.post(f"/auth/login_flow/{flow['flow_id']}", login)
            if result["type"] != "create_entry":
                raise HassError(f"logging in as {USERNAME} failed (--reset?): {result}")
            code = result["result"]
        grant = {**client, "grant_type": "authorization_code", "code": code}
        answer = await self.request("POST", "/auth/token", data=grant)
        self.token = answer["access_token"]
        name = f"scripts/develop {datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
        lived = {"client_name": name, "lifespan": 3650}
        token = await self.ws("auth/long_lived_access_token", **lived)
        await self.close()  # the next command connects with the long-lived token
        self.token = token
        TOKEN_FILE.write_text(f"{token}\n")
        TOKEN_FILE.chmod(0o600)
        return "owner user created" if created else "owner logged in, new token"

    async def ws(self, command: str, **payload: Any) -> Any:
        """Send one websocket command and return its result (connecting first if needed)."""
        if self._ws is None or self._ws.closed:
            url = f"{HA_URL}/api/websocket"
            self._ws = await self.session.ws_connect(url, max_msg_size=0)
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            if (answer := await self._ws.receive_json()).get("type") != "auth_ok":
                raise HassError(f"websocket authentication failed: {answer}")
        msg_id = next(self._ids)
        await self._ws.send_json({"id": msg_id, "type": command, **payload})
        while (message := await self._ws.receive_json(timeout=60)).get("id") != msg_id:
            pass  # an event of another subscription
        if not message.get("success"):
            raise HassError(f"{command} failed: {message.get('error')}")
        return message.get("result")

    async def close(self) -> None:
        """Close the websocket."""
        if self._ws is not None:
            await self._ws.close()

    async def device(self, identifier: str) -> dict[str, Any] | None:
        """Return the device with OpenPower's `identifier` (case-insensitive)."""
        wanted = ["openpower", identifier.lower()]
        for device in await self.ws("config/device_registry/list"):
            pairs = [[str(p).lower() for p in pair] for pair in device["identifiers"]]
            if wanted in pairs:
                return dict(device)
        return None

    async def entry(self, what: str, title: str, uid: str, steps: list[Any]) -> Any:
        """Return the entry titled `title` (or owning the device `uid`), loaded; new or not.

        When there is none, walk the config flow through `steps`: an answer may be a coroutine
        function making it from the step (and judging its errors).
        """
        entries = "/api/config/config_entries/entry?domain=openpower"
        owners = ((await self.device(uid)) or {}).get("config_entries", [])
        known = {title, *owners}  # by title, or renamed: by the device
        listed = await self.get(entries)
        found = [e for e in listed if known & {e["title"], e["entry_id"]}]
        if found:
            entry_id = found[0]["entry_id"]
        else:
            flows = "/api/config/config_entries/flow"
            flow = await self.post(flows, {"handler": "openpower"})
            for answer in steps:
                unexpected = flow.get("errors") and not callable(answer)
                if unexpected or flow["type"] not in ("menu", "form"):
                    raise HassError(f"{what} config flow: unexpected {flow}")
                payload = await answer(flow) if callable(answer) else answer
                flow = await self.post(f"{flows}/{flow['flow_id']}", payload)
            if flow["type"] != "create_entry":
                raise HassError(f"the {what} config flow ended with {flow}")
            entry_id = flow["result"]["entry_id"]

        async def loaded() -> dict[str, Any] | None:
            entry = {e["entry_id"]: e for e in await self.get(entries)}[entry_id]
            if entry["state"] in {"setup_error", "migration_error", "failed_unload"}:
                raise HassError(f"{what}: {entry['state']} ({entry['reason']})")
            return entry if entry["state"] == "loaded" else None

        return await until(f"{what}: not loaded", loaded, 240, 0.5), not found

    async def walk(self, flows: str, handler: Any, steps: list[Any]) -> dict[str, Any]:
        """Walk a flow of `flows` (options, subentries) through `steps`; return its result."""
        flow: dict[str, Any] = await self.post(flows, {"handler": handler})
        for answer in steps:
            if flow.get("errors") or flow["type"] not in ("menu", "form"):
                raise HassError(f"{flows}: unexpected {flow}")
            flow = await self.post(f"{flows}/{flow['flow_id']}", answer)
        if flow["type"] != "create_entry":
            raise HassError(f"{flows} ended with {flow}")
        return flow

    async def options(self, entry_id: str, steps: list[Any]) -> dict[str, Any]:
        """Set an entry's options through its options flow (the entry reloads)."""
        return await self.walk(
            "/api/config/config_entries/options/flow", entry_id, steps
        )

    async def subentry(
        self, entry_id: str, subentry_type: str, steps: list[Any]
    ) -> dict[str, Any]:
        """Add a subentry to an entry through its subentry flow."""
        return await self.walk(
            "/api/config/config_entries/subentries/flow",
            [entry_id, subentry_type],
            steps,
        )

    async def statistics(self, wanted: Iterable[str], by: str = "statistic_id") -> Any:
        """Wait until OpenPower's statistics exist (ids, or names: `by="name"`); their ids."""
        wanted = set(wanted)

        async def listed() -> dict[str, str] | None:
            items = await self.ws("recorder/list_statistic_ids", statistic_type="sum")
            ours = (i for i in items if i["source"] == "openpower" and i[by] in wanted)
            found = {item[by]: item["statistic_id"] for item in ours}
            return found if found.keys() == wanted else None

        return await until(f"statistics missing: {sorted(wanted)}", listed)

    async def configure_energy_dashboard(self) -> int:
        """Run `openpower.configure_energy_dashboard` on every entry; return how much it added.

        What the preferences have is kept: a re-run adds only what is new.
        """
        result = await self.ws(
            "call_service",
            domain="openpower",
            service="configure_energy_dashboard",
            service_data={},
            return_response=True,
        )
        return sum(
            len(result["response"][key])
            for key in ("energy_sources", "device_consumption")
        )

    async def states(self, entity_ids: Iterable[str]) -> dict[str, str]:
        """Return the states of these entities."""
        wanted = set(entity_ids)
        states = await self.ws("get_states")
        return {s["entity_id"]: s["state"] for s in states if s["entity_id"] in wanted}
