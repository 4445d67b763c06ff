"""What every provider part of the simulator shares: fault names, the per-request context, replies.

A provider part (`amber.AmberSimulator`, `emporia.EmporiaSimulator`, `pge.PgeSimulator`)
subclasses `ProviderPart`: it owns one path prefix, registers its routes, and knows how its
provider answers errors. The provider-agnostic machinery (fault queues, clock, request log,
server) is in `app.py`; `registry.py` lists the parts it serves.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from typing import ClassVar, Final

from aiohttp import web

# HTTP-level faults: the provider's own error answer replaces the request (no auth, no rate limit).
HTTP_FAULTS: Final = frozenset(
    {
        "http_400",
        "http_401",
        "http_403",
        "http_429",
        "http_500",
        "http_502",
        "not_found",
    }
)
# Data-level faults: the request is served normally, then its body is damaged by the handler.
# Each provider lists the ones it implements in `supported_faults` (Amber: unknown_enum and
# missing_field; Emporia: null_usage and stale_instant).
DATA_FAULTS: Final = frozenset(
    {"unknown_enum", "missing_field", "null_usage", "stale_instant"}
)
# Transport-level faults, handled by the application for every provider.
TRANSPORT_FAULTS: Final = frozenset({"timeout", "malformed"})
FAULTS: Final = HTTP_FAULTS | DATA_FAULTS | TRANSPORT_FAULTS


@dataclass(slots=True)
class RequestContext:
    """What the application knows about the request being served; handlers fill `account`."""

    provider: str
    time: datetime
    fault: str | None
    account: str | None = None


CONTEXT: Final = web.RequestKey("openpower_simulator_context", RequestContext)


class Reply(Exception):  # noqa: N818 - not an error: a handler's early answer
    """Raised by a handler to answer at once with `response` (auth failure, 4xx, 429)."""

    def __init__(self, response: web.Response) -> None:
        """Carry the response to the application's middleware."""
        super().__init__(response.status)
        self.response = response


def json_bytes(payload: object) -> bytes:
    """Serialise compactly, the way API gateways answer."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    payload: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Answer `payload` as `application/json` (no charset parameter)."""
    return web.Response(
        status=status,
        body=json_bytes(payload),
        content_type="application/json",
        headers=headers,
    )


class ProviderPart(ABC):
    """One provider's API, mounted under `prefix` in the simulator's application.

    The application creates it with the simulator's clock (`part_class(clock)`); options are
    attributes set afterwards (`simulator.amber.confirmation_delay = 10`).
    """

    name: ClassVar[str]
    """Provider key used by `Simulator.fault_next`, `base_url` and the request log."""
    prefix: ClassVar[str]
    """Path prefix of the mirrored API, e.g. `/amber/v1` for `https://api.amber.com.au/v1`."""
    supported_faults: ClassVar[frozenset[str]] = FAULTS

    @abstractmethod
    def routes(self) -> list[web.RouteDef]:
        """Return the routes, with paths that already start with `prefix`."""

    @abstractmethod
    def error_response(self, status: int, message: str) -> web.Response:
        """Answer an error the way this provider does (unknown path, wrong method, …)."""

    @abstractmethod
    def fault_response(self, fault: str) -> web.Response:
        """Answer one of `HTTP_FAULTS` the way this provider does."""

    def request_fault_response(self, request: web.Request, fault: str) -> web.Response:
        """Answer one of `HTTP_FAULTS` for this request (a provider with several hosts overrides)."""
        return self.fault_response(fault)

    def urls(self, base: str, tls_base: str | None) -> dict[str, str]:
        """Return what a client is configured with to reach this part.

        `base` is the part's plain-HTTP base (root + prefix), `tls_base` its HTTPS one when the
        simulator serves TLS. By default: the `api_url`.
        """
        return {"api_url": base}

    def started(self, base: str, tls_base: str | None) -> None:
        """Note where the part is served, once the simulator listens (for pushes it sends)."""

    async def close(self) -> None:
        """Stop what the part runs in the background (the simulator is shutting down)."""

    def takes_faults(self, request: web.Request) -> bool:
        """Whether an injected fault applies to (and is consumed by) this request."""
        return True

    def takes_fault(self, request: web.Request, fault: str) -> bool:
        """Whether this particular fault applies to (and is consumed by) this request.

        The application asks it about the fault at the head of the queue (or the persistent
        one); a part whose faults concern different requests (PG&E: notification faults only
        for Bulk requests) overrides it. Default: `takes_faults`.
        """
        return self.takes_faults(request)


class FakeClock:
    """A settable clock for the simulator (tests and benchmarks)."""

    def __init__(self, now: datetime) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += timedelta(seconds=seconds)
