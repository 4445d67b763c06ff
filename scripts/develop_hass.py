"""A small client for the local Home Assistant of scripts/develop: REST, auth and the websocket API.

Shared by `scripts/develop_run.py` and `scripts/screenshots_run.py`. Everything talks to
127.0.0.1 only. Uses aiohttp, which Home Assistant already brings into the venv.
"""

import asyncio
from collections.abc import Callable
import contextlib
from pathlib import Path
import time
from types import TracebackType
from typing import Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
DEVELOP_DIR = ROOT / ".develop"
CONFIG_DIR = DEVELOP_DIR / "config"
TOKEN_FILE = DEVELOP_DIR / "token"
STATE_FILE = DEVELOP_DIR / "state.json"
HA_LOG = CONFIG_DIR / "home-assistant.log"
HA_CONSOLE_LOG = DEVELOP_DIR / "hass.console.log"

HA_HOST = "127.0.0.1"
HA_PORT = 8123
HA_URL = f"http://{HA_HOST}:{HA_PORT}"
CLIENT_ID = f"{HA_URL}/"

USERNAME = "dev"
PASSWORD = "openpower"  # noqa: S105 - a documented demo password on a loopback-only instance
OWNER_NAME = "Developer"


class HassError(Exception):
    """Home Assistant answered with an error (or not at all)."""


def tail(path: Path, lines: int = 40) -> str:
    """Return the last lines of a text file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


async def port_open(host: str, port: int) -> bool:
    """Return whether something accepts TCP connections on host:port."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except OSError, TimeoutError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def wait_http(
    session: aiohttp.ClientSession,
    url: str,
    timeout: float,
    what: str,
    alive: Callable[[], bool] = lambda: True,
) -> float:
    """Poll `url` until it answers (any status below 500); return the seconds waited.

    Raises HassError when `alive()` turns false (the process died) or after `timeout` seconds.
    """
    began = time.monotonic()
    while True:
        if not alive():
            raise HassError(f"{what} exited before answering on {url}")
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(
                url, timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                if response.status < 500:
                    return time.monotonic() - began
        if time.monotonic() - began > timeout:
            raise HassError(f"{what} did not answer on {url} within {timeout:.0f} s")
        await asyncio.sleep(0.25)


async def _json(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        raise HassError(
            f"{response.method} {response.url.path} → HTTP {response.status}: "
            f"{(await response.text())[:500]}"
        )
    return await response.json()


async def onboarding_done(session: aiohttp.ClientSession) -> dict[str, bool]:
    """Return the onboarding steps and whether each is done (no auth needed).

    Once onboarding is complete Home Assistant no longer serves the API (404): all done.
    """
    async with session.get(f"{HA_URL}/api/onboarding") as response:
        if response.status == 404:
            return {"user": True}
        steps = await _json(response)
    return {step["step"]: step["done"] for step in steps}


async def create_owner(session: aiohttp.ClientSession) -> str:
    """Create the owner user through the onboarding API; return an authorization code."""
    async with session.post(
        f"{HA_URL}/api/onboarding/users",
        json={
            "client_id": CLIENT_ID,
            "name": OWNER_NAME,
            "username": USERNAME,
            "password": PASSWORD,
            "language": "en",
        },
    ) as response:
        result = await _json(response)
    return str(result["auth_code"])


async def login(session: aiohttp.ClientSession) -> str:
    """Log the owner in through the login flow; return an authorization code."""
    async with session.post(
        f"{HA_URL}/auth/login_flow",
        json={
            "client_id": CLIENT_ID,
            "handler": ["homeassistant", None],
            "redirect_uri": CLIENT_ID,
        },
    ) as response:
        flow = await _json(response)
    async with session.post(
        f"{HA_URL}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD},
    ) as response:
        result = await _json(response)
    if result.get("type") != "create_entry":
        raise HassError(
            f"logging in as {USERNAME!r} failed: {result.get('errors') or result}"
            " (was the password changed? `scripts/develop --reset` starts over)"
        )
    return str(result["result"])


async def exchange_code(session: aiohttp.ClientSession, code: str) -> str:
    """Exchange an authorization code for a (short-lived) access token."""
    async with session.post(
        f"{HA_URL}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
        },
    ) as response:
        result = await _json(response)
    return str(result["access_token"])


async def token_valid(session: aiohttp.ClientSession, token: str) -> bool:
    """Return whether Home Assistant accepts the access token."""
    async with session.get(
        f"{HA_URL}/api/", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        return response.status == 200


class HassRest:
    """Authenticated REST calls."""

    def __init__(self, session: aiohttp.ClientSession, token: str) -> None:
        """Use `token` on `session`."""
        self._session = session
        self._headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str) -> Any:
        """GET a JSON document."""
        async with self._session.get(
            f"{HA_URL}{path}", headers=self._headers
        ) as response:
            return await _json(response)

    async def post(self, path: str, payload: dict[str, Any]) -> Any:
        """POST a JSON document; return the JSON answer."""
        async with self._session.post(
            f"{HA_URL}{path}", json=payload, headers=self._headers
        ) as response:
            return await _json(response)


class HassWebSocket:
    """The websocket API, one command at a time: `async with HassWebSocket(...) as ws`."""

    def __init__(self, session: aiohttp.ClientSession, token: str) -> None:
        """Connect with `token` when entered."""
        self._session = session
        self._token = token
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1

    async def __aenter__(self) -> Self:
        """Connect and authenticate."""
        self._ws = await self._session.ws_connect(
            f"{HA_URL}/api/websocket", max_msg_size=0
        )
        hello = await self._ws.receive_json()
        if hello.get("type") != "auth_required":
            raise HassError(f"unexpected websocket greeting: {hello}")
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        answer = await self._ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise HassError(f"websocket authentication failed: {answer}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connection."""
        if self._ws is not None:
            await self._ws.close()

    async def call(self, command: str, **payload: Any) -> Any:
        """Send one command and return its result (events of other ids are skipped)."""
        assert self._ws is not None
        msg_id = self._next_id
        self._next_id += 1
        await self._ws.send_json({"id": msg_id, "type": command, **payload})
        while True:
            message = await asyncio.wait_for(self._ws.receive_json(), 60)
            if message.get("id") != msg_id or message.get("type") != "result":
                continue
            if not message.get("success"):
                raise HassError(f"{command} failed: {message.get('error')}")
            return message.get("result")
