"""The simulator application: provider parts, fault injection, clock, request log, server.

Everything here is provider-agnostic: the parts come from `registry.PARTS`, and each is reachable
by its name (`simulator.amber`, `simulator.part("amber")`). A request is routed by path prefix to
its provider part (`/amber/v1/…` → `AmberSimulator`, `/emporia/…` → `EmporiaSimulator`, `/pge/…`
→ `PgeSimulator`); before the provider sees it, the application decides whether a fault applies
(`fault_next` queue first, then `fault_always`; only to requests the part's `takes_fault` accepts
for that fault, so a queued fault waits for a request it concerns), and after the provider
answered it records the request in `Simulator.requests`.

Listeners: `start()` serves plain HTTP; `start(tls=True)` adds an HTTPS listener of the same
application (TLS 1.2, the test CA's server certificate, client certificates requested: PG&E's
mutual TLS, see `pge.py` and `pki.py`).

Faults, for every provider that lists them in `supported_faults`:

- `http_400`, `http_401`, `http_403`, `http_429`, `http_500`, `http_502`, `not_found`: the
  provider's own error answer (status, headers and body as the real service sends them) replaces
  the request. It is answered before authentication and does not count against the provider's
  rate limit.
- `timeout`: the request waits `Simulator.timeout_seconds` (default 5 s, real event-loop time),
  then is served normally. A client with a shorter timeout sees a timeout; when it hangs up the
  handler is cancelled (as with `TestServer`; `start` enables handler cancellation too) and the
  request is logged with status 499. Stopping the server wakes waiting requests at once.
- `malformed`: served normally, then a 200 body is cut in half (never valid JSON); other statuses
  are left alone.
- `unknown_enum`, `missing_field` (Amber), `null_usage`, `stale_instant` (Emporia): served
  normally, the provider damages the payload (see the provider module for exactly how).
"""

import asyncio
from collections import deque
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from .common import (
    CONTEXT,
    HTTP_FAULTS,
    ProviderPart,
    Reply,
    RequestContext,
    json_response,
)
from .pki import server_ssl_context
from .registry import PARTS

CLIENT_GONE: Final = 499
"""Status logged when the client closed the connection before the answer (nginx's 499)."""


def _real_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the simulator received and what it answered."""

    provider: str | None
    """Provider key (`"amber"`), or None for a path outside every provider prefix."""
    method: str
    path: str
    query: dict[str, str]
    time: datetime
    """The simulator clock when the request arrived (aware, UTC)."""
    status: int
    """Status answered; 499 (`CLIENT_GONE`) if the client hung up first (e.g. a `timeout`)."""
    account: str | None
    """Account key the credentials belonged to (`"demo"`), None when unauthenticated."""
    fault: str | None
    """The injected fault, if one applied; a 429 with `fault=None` is a real rate-limit hit."""


class Simulator:
    """Every provider's API in one aiohttp application, on an injectable clock."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        """Build the application; `clock` returns "now" (aware), default real UTC time."""
        self.clock: Callable[[], datetime] = clock or _real_clock
        self.timeout_seconds: float = 5.0
        self.requests: list[RequestRecord] = []
        self.request_listeners: list[Callable[[RequestRecord], None]] = []
        self._parts: dict[str, ProviderPart] = {}
        self._next_faults: dict[str, deque[str]] = {}
        self._always_faults: dict[str, str] = {}
        self._root: str | None = None
        self._tls_root: str | None = None
        self._runner: web.AppRunner | None = None
        self._waking = asyncio.Event()

        self.app = web.Application(middlewares=[_middleware])
        self.app[SIMULATOR] = self
        self.app.on_startup.append(self._on_startup)
        self.app.on_shutdown.append(self._on_shutdown)
        for part_class in PARTS:
            self._register(part_class(self.now))  # type: ignore[call-arg]

    def part(self, name: str) -> ProviderPart:
        """Return the provider part named `name` (`"amber"`)."""
        return self._parts[name]

    def __getattr__(self, name: str) -> ProviderPart:
        """Reach a provider part by its name: `simulator.amber`."""
        try:
            return self.__dict__["_parts"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(name) from None

    # ----------------------------------------------------------------------------------------
    # Clock and request log

    def now(self) -> datetime:
        """Return the simulator clock as an aware UTC datetime."""
        current = self.clock()
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        return current.astimezone(UTC)

    def count_requests(
        self,
        provider: str | None = None,
        *,
        status: int | None = None,
        injected: bool | None = None,
    ) -> int:
        """Count logged requests, e.g. real rate-limit hits: `count_requests("amber", status=429, injected=False)`."""
        return sum(
            1
            for record in self.requests
            if (provider is None or record.provider == provider)
            and (status is None or record.status == status)
            and (injected is None or (record.fault is not None) == injected)
        )

    # ----------------------------------------------------------------------------------------
    # Faults

    def fault_next(self, provider: str, fault: str, count: int = 1) -> None:
        """Give the next `count` requests to `provider` the fault (before any `fault_always`)."""
        self._check_fault(provider, fault)
        self._next_faults.setdefault(provider, deque()).extend([fault] * count)

    def fault_always(self, provider: str, fault: str | None) -> None:
        """Give every request to `provider` the fault until called again with None."""
        if fault is None:
            self._always_faults.pop(provider, None)
            return
        self._check_fault(provider, fault)
        self._always_faults[provider] = fault

    def clear_faults(self, provider: str | None = None) -> None:
        """Forget queued and persistent faults (of one provider, or all)."""
        for table in (self._next_faults, self._always_faults):
            if provider is None:
                table.clear()
            else:
                table.pop(provider, None)

    def _check_fault(self, provider: str, fault: str) -> None:
        part = self._parts.get(provider)
        if part is None:
            raise ValueError(f"unknown provider {provider!r}")
        if fault not in part.supported_faults:
            raise ValueError(f"{provider} does not simulate fault {fault!r}")

    def _take_fault(self, part: ProviderPart, request: web.Request) -> str | None:
        queue = self._next_faults.get(part.name)
        if queue:
            return queue.popleft() if part.takes_fault(request, queue[0]) else None
        fault = self._always_faults.get(part.name)
        if fault is not None and part.takes_fault(request, fault):
            return fault
        return None

    # ----------------------------------------------------------------------------------------
    # Server

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: bool = False,
        tls_port: int = 0,
    ) -> None:
        """Serve the application on `host:port` (port 0: a free port); see `base_url`.

        `tls` also serves it over HTTPS on `host:tls_port` (PG&E's mutual TLS; see `urls`).
        The certificates are generated (once per process) and loaded in an executor.
        """
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        runner = web.AppRunner(
            self.app, access_log=None, shutdown_timeout=5.0, handler_cancellation=True
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            if tls:
                context = await asyncio.get_running_loop().run_in_executor(
                    None, server_ssl_context
                )
                await web.TCPSite(runner, host, tls_port, ssl_context=context).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._root = f"http://{bound_host}:{bound_port}"
        if tls:
            tls_host, bound_tls_port = runner.addresses[1][:2]
            self._tls_root = f"https://{tls_host}:{bound_tls_port}"
        for part in self._parts.values():
            part.started(
                self._root + part.prefix,
                self._tls_root + part.prefix if self._tls_root else None,
            )

    async def stop(self) -> None:
        """Stop serving (requests stalled by a `timeout` fault are woken first)."""
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        self._tls_root = None
        await runner.cleanup()

    def set_root(self, root: str | URL) -> None:
        """Use `root` (e.g. `TestServer.make_url("/")`) as the server root for `base_url`."""
        self._root = str(root).rstrip("/")

    def base_url(self, provider: str, root: str | URL | None = None) -> str:
        """Return the provider's API base, e.g. `http://127.0.0.1:43121/amber/v1`.

        `root` is the server root when the application is served by something else than `start`
        (an `aiohttp_server`/`TestServer`); otherwise the root from `start` or `set_root` is used.
        """
        part = self._parts[provider]
        base = str(root).rstrip("/") if root is not None else self._root
        if base is None:
            raise RuntimeError(
                "the simulator is not started: call start(), set_root() or pass root"
            )
        return base + part.prefix

    def urls(self, provider: str, root: str | URL | None = None) -> dict[str, str]:
        """Return what a client of `provider` is configured with (`api_url`, other hosts, PEMs).

        `root` is as in `base_url`; the HTTPS base is the one from `start(tls=True)`, if any.
        """
        part = self._parts[provider]
        tls_base = self._tls_root + part.prefix if self._tls_root else None
        return part.urls(self.base_url(provider, root), tls_base)

    async def _on_startup(self, app: web.Application) -> None:
        self._waking = asyncio.Event()

    async def _on_shutdown(self, app: web.Application) -> None:
        self._waking.set()
        for part in self._parts.values():
            await part.close()

    # ----------------------------------------------------------------------------------------
    # Request handling

    def _register(self, part: ProviderPart) -> None:
        self._parts[part.name] = part
        self.app.router.add_routes(part.routes())

    def _part_for(self, path: str) -> ProviderPart | None:
        for part in self._parts.values():
            if path == part.prefix or path.startswith(part.prefix + "/"):
                return part
        return None

    async def _stall(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._waking.wait(), self.timeout_seconds)

    async def handle(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Apply faults, call the provider's handler, and log the exchange."""
        part = self._part_for(request.path)
        context = RequestContext(
            provider=part.name if part else "",
            time=self.now(),
            fault=self._take_fault(part, request) if part else None,
        )
        request[CONTEXT] = context
        try:
            response = await self._respond(request, handler, part, context.fault)
        except asyncio.CancelledError:
            self._record(request, part, context, CLIENT_GONE)
            raise
        self._record(request, part, context, response.status)
        return response

    async def _respond(
        self,
        request: web.Request,
        handler: Handler,
        part: ProviderPart | None,
        fault: str | None,
    ) -> web.StreamResponse:
        if part is None:
            return json_response({"message": "Not Found"}, status=404)
        if fault in HTTP_FAULTS:
            return part.request_fault_response(request, fault)
        if fault == "timeout":
            await self._stall()
        response: web.StreamResponse
        try:
            response = await handler(request)
        except Reply as reply:
            response = reply.response
        except web.HTTPException as err:
            response = part.error_response(err.status, err.reason)
        if fault == "malformed" and isinstance(response, web.Response):
            response = _truncated(response)
        return response

    def _record(
        self,
        request: web.Request,
        part: ProviderPart | None,
        context: RequestContext,
        status: int,
    ) -> None:
        record = RequestRecord(
            provider=part.name if part else None,
            method=request.method,
            path=request.path,
            query=dict(request.query),
            time=context.time,
            status=status,
            account=context.account,
            fault=context.fault,
        )
        self.requests.append(record)
        for listener in self.request_listeners:
            listener(record)


SIMULATOR: Final = web.AppKey("openpower_simulator", Simulator)


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await request.app[SIMULATOR].handle(request, handler)


def _truncated(response: web.Response) -> web.Response:
    """Cut a 200 body in half: a strict prefix of a JSON array or object never parses."""
    body = response.body
    if response.status != 200 or not isinstance(body, bytes):
        return response
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in {"content-length", "content-type"}
    }
    return web.Response(
        status=200,
        body=body[: len(body) // 2],
        headers=headers,
        content_type=response.content_type,
    )
