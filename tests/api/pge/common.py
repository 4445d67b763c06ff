"""What the PG&E client tests share: the clock, client certificates, a canned server, a feed sink."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
import ssl

from aiohttp import web

from custom_components.openpower.api.pge import (
    EspiParser,
    IntervalBlock,
    PgeClient,
    load_client_certificate,
)
from tests.simulator import Simulator
from tests.simulator.pki import pki_material

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
# Thursday 20 November 2025, 11:30 in California: the latest served day is the 19th (24 h).
NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
LONG_AGO = datetime(2000, 6, 1, tzinfo=UTC)

type Factory = Callable[..., PgeClient]


def client_context(kind: str) -> ssl.SSLContext:
    material = pki_material()
    ca = material.ca.cert.decode()
    if kind == "none":
        return ssl.create_default_context(cadata=ca)
    cert, key, now = {
        "client": (material.client.cert, material.client.key, NOW),
        "expired": (material.expired_client.cert, material.client.key, LONG_AGO),
        "rogue": (material.rogue_client.cert, material.rogue_client.key, NOW),
    }[kind]
    return load_client_certificate(cert.decode(), key.decode(), ca, now=now).ssl_context


def statuses(simulator: Simulator, suffix: str) -> list[int]:
    """Statuses of the PG&E requests whose path ends with `suffix`, in order."""
    return [
        record.status
        for record in simulator.requests
        if record.provider == "pge" and record.path.endswith(suffix)
    ]


class Feed:
    """Streams a feed into the ESPI parser, as the integration does."""

    def __init__(self) -> None:
        self.blocks: list[IntervalBlock] = []
        self.parser = EspiParser(self.blocks.append)
        self.chunks: list[int] = []

    async def __call__(self, chunk: bytes) -> None:
        self.chunks.append(len(chunk))
        self.parser.feed(chunk)

    @property
    def readings(self) -> int:
        return sum(len(block.readings) for block in self.blocks)


class Canned:
    """A plain-HTTP stand-in for PG&E answering queued (status, body) pairs by path suffix."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes]]] = {}
        self.received: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(request.path)
        for suffix, queue in self.answers.items():
            if request.path.endswith(suffix) and queue:
                status, body = queue.pop(0)
                return web.Response(status=status, body=body)
        return web.json_response(
            {"client_access_token": "canned-token-0123456789", "expires_in": 3600}
        )
