"""The shared HTTP machinery, against a small aiohttp server on 127.0.0.1."""

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import logging

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RateLimit, RequestBudget
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiResponseError,
)
from custom_components.openpower.api.http import (
    MAX_ERROR_BODY,
    HttpClient,
    mask_identifiers,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TOKEN = "psk_0123456789abcdef0123456789abcdef"


class Script:
    """Answers given in order to the requests the server receives."""

    def __init__(self) -> None:
        self.answers: list[Callable[[], web.StreamResponse]] = []
        self.handlers: list[Callable[[web.Request], Awaitable[web.StreamResponse]]] = []
        self.received: list[web.Request] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(request)
        if self.handlers:
            return await self.handlers.pop(0)(request)
        return self.answers.pop(0)() if self.answers else web.json_response([])


@pytest.fixture
def script() -> Script:
    """The server's script."""
    return Script()


@pytest.fixture
async def server(socket_enabled: None, script: Script) -> AsyncGenerator[TestServer]:
    """A server on 127.0.0.1 answering every path from the script."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    async with TestServer(app, host="127.0.0.1") as running:
        yield running


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


class Sleeps(list[float]):
    """Records the back-off delays instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(
    session: aiohttp.ClientSession,
    server: TestServer,
    *,
    budget: RequestBudget | None = None,
    sleeps: Sleeps | None = None,
    **kwargs: float,
) -> HttpClient:
    return HttpClient(
        session,
        str(server.make_url("/v1")),
        provider="test",
        budget=budget,
        sleep=sleeps if sleeps is not None else Sleeps(),
        now=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_json_and_rate_limit_headers(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A 200: the body, and what the server says of its limit."""
    script.answers.append(
        lambda: web.json_response(
            [{"id": 1}],
            headers={
                "RateLimit-Limit": "50",
                "RateLimit-Remaining": "42",
                "RateLimit-Reset": "120",
                "RateLimit-Policy": "50;w=300",
            },
        )
    )
    client = make_client(session, server)
    response = await client.request("GET", "sites", headers={"Authorization": TOKEN})
    assert response.json() == [{"id": 1}]
    assert script.received[0].path == "/v1/sites"
    assert script.received[0].headers["Authorization"] == TOKEN
    assert client.rate_limit is not None
    assert client.rate_limit.limit == 50
    assert client.rate_limit.remaining == 42
    assert client.rate_limit.reset_at == NOW + timedelta(seconds=120)


async def test_unreadable_rate_limit_headers_are_ignored(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """Headers that are not numbers neither crash nor pause anything."""
    script.answers.append(
        lambda: web.json_response(
            [], headers={"RateLimit-Limit": "many", "RateLimit-Remaining": "0"}
        )
    )
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget)
    await client.request("GET", "sites")
    assert client.rate_limit is not None
    assert client.rate_limit.limit is None
    assert client.rate_limit.reset_at is None
    assert budget.paused_for() == 0


async def test_exhausted_server_limit_pauses_the_budget(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """`RateLimit-Remaining: 0` holds every caller of the account until the reset."""
    script.answers.append(
        lambda: web.json_response(
            [], headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "90"}
        )
    )
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget)
    await client.request("GET", "sites")
    assert budget.paused_for() == pytest.approx(90, abs=1)
    with pytest.raises(ApiRateLimitedError):
        await client.request("GET", "sites")
    assert len(script.received) == 1


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "120"}, 120),
        (
            {"Retry-After": format_datetime(NOW + timedelta(seconds=45), usegmt=True)},
            45,
        ),
        ({"RateLimit-Reset": "30"}, 30),
        ({"Retry-After": "soon"}, 300),
        ({"Retry-After": "Mon, 23 Nov 2026 02:01:00"}, 60),
        # Never "at once", never "forever": 30 s to an hour, whatever the server says.
        ({"Retry-After": "-5"}, 30),
        ({"Retry-After": "0"}, 30),
        ({"Retry-After": "Mon, 23 Nov 2026 01:00:00 GMT"}, 30),
        ({"Retry-After": "1e999"}, 300),
        ({"Retry-After": "nan"}, 300),
        ({"Retry-After": "inf", "RateLimit-Reset": "90"}, 90),
        ({"Retry-After": "86400"}, 3600),
        ({"RateLimit-Reset": "1e308"}, 3600),
        ({}, 300),
    ],
)
async def test_429_waits_as_told(
    session: aiohttp.ClientSession,
    server: TestServer,
    script: Script,
    headers: dict[str, str],
    wait: float,
) -> None:
    """429: Retry-After (seconds or date), else RateLimit-Reset, else 300 s; no retry.

    Unparsable or non-finite values count as absent; the wait is kept within 30 s and an hour.
    """
    script.answers.append(
        lambda: web.json_response(
            {"message": "Too Many Requests"}, status=429, headers=headers
        )
    )
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget)
    with pytest.raises(ApiRateLimitedError) as err:
        await client.request("GET", "sites")
    assert err.value.retry_after == pytest.approx(wait)
    assert budget.paused_for() == pytest.approx(wait, abs=1)
    assert len(script.received) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, ApiAuthError),
        (403, ApiAuthError),
        (404, ApiNotFoundError),
        (400, ApiResponseError),
        (422, ApiResponseError),
    ],
)
async def test_client_errors_are_not_retried(
    session: aiohttp.ClientSession,
    server: TestServer,
    script: Script,
    status: int,
    error: type[Exception],
) -> None:
    """4xx answers map to the hierarchy at once."""
    script.answers.append(lambda: web.json_response({"message": "no"}, status=status))
    client = make_client(session, server)
    with pytest.raises(error):
        await client.request("GET", "sites")
    assert len(script.received) == 1


async def test_server_errors_are_retried_with_jittered_backoff(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """5xx: three retries with growing, jittered delays; then the error."""
    script.answers.extend(
        [lambda: web.json_response({"message": "Internal server error"}, status=500)]
        * 4
    )
    sleeps = Sleeps()
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget, sleeps=sleeps, backoff=1.0)
    with pytest.raises(ApiConnectionError, match=r"server error \(500\)"):
        await client.request("GET", "sites")
    assert len(script.received) == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0.5 * 2**attempt <= delay <= 1.5 * 2**attempt
    assert budget.requests == 4  # every retry is a request against the budget


async def test_recovers_after_a_server_error(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A transient 502 is invisible to the caller."""
    script.answers.extend(
        [
            lambda: web.Response(status=502, text="Bad gateway"),
            lambda: web.json_response({"ok": True}),
        ]
    )
    client = make_client(session, server)
    assert (await client.request("GET", "sites")).json() == {"ok": True}


async def test_timeout(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A server that does not answer in time: retried, then ApiConnectionError."""

    async def slow(request: web.Request) -> web.StreamResponse:
        script.received.append(request)
        await __import__("asyncio").sleep(1)
        return web.json_response([])

    server.app.router._frozen = False  # noqa: SLF001 — add a route to the running test app
    server.app.router.add_get("/v1/slow", slow)
    client = make_client(session, server, timeout=0.05, retries=1)
    with pytest.raises(ApiConnectionError, match="timed out"):
        await client.request("GET", "slow")
    assert len(script.received) == 2


async def test_connection_refused(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Nothing listening: ApiConnectionError after the retries."""
    sleeps = Sleeps()
    client = HttpClient(session, "http://127.0.0.1:9/v1", provider="test", sleep=sleeps)
    with pytest.raises(ApiConnectionError, match="connection failed"):
        await client.request("GET", "sites")
    assert len(sleeps) == 3


async def test_oversized_body_is_refused(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A body over the cap is not read into memory."""
    script.answers.append(lambda: web.Response(body=b"x" * 300_000))
    client = make_client(session, server, max_body=100_000)
    with pytest.raises(ApiResponseError, match="larger than"):
        await client.request("GET", "sites")


async def test_invalid_json(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A 200 that is not JSON."""
    script.answers.append(lambda: web.Response(text='[{"type": "Curr'))
    client = make_client(session, server)
    response = await client.request("GET", "sites")
    with pytest.raises(ApiResponseError, match="not valid JSON"):
        response.json()


async def test_absolute_urls_and_params(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """An absolute URL is used as is; parameters and bodies are sent."""
    client = make_client(session, server)
    await client.request(
        "POST", str(server.make_url("/other")), params={"a": 1}, json_body={"b": 2}
    )
    request = script.received[0]
    assert request.path == "/other"
    assert request.query["a"] == "1"


def test_mask_identifiers() -> None:
    """Identifiers and tokens are cut to their last characters; words are kept."""
    assert (
        mask_identifiers("sites/01HS7KNZ9XYN85AJF60D0G8V81/prices/current")
        == "sites/…V81/prices/current"
    )
    assert (
        mask_identifiers(f"Bearer {TOKEN}") == "Bearer psk_…def"
    )  # the fixed prefix stays
    assert mask_identifiers("usage 2026-11-23") == "usage 2026-11-23"
    assert mask_identifiers("harness@example.com power") == "…@… power"
    assert mask_identifiers("openpower:amber_01hs7knz9xyn85ajf60d0g8v81_e1_cost") == (
        "openpower:amber_…v81_e1_cost"
    )
    assert mask_identifiers("NMI 4102345678 of jo.b+x@mail.example.org") == (
        "NMI …678 of …@…"
    )


async def test_errors_and_logs_never_show_secrets(
    session: aiohttp.ClientSession,
    server: TestServer,
    script: Script,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Errors name the request with identifiers masked; headers never appear."""
    caplog.set_level(logging.DEBUG)
    script.answers.extend(
        [lambda: web.Response(status=503)] * 4
        + [lambda: web.json_response({}, status=401)]
    )
    client = make_client(session, server)
    path = "sites/01HS7KNZ9XYN85AJF60D0G8V81/usage"
    with pytest.raises(ApiConnectionError) as err:
        await client.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(ApiAuthError) as auth:
        await client.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    )
    assert "retry 1" in ours
    for text in (str(err.value), str(auth.value), ours):
        assert "01HS7KNZ9XYN85AJF60D0G8V81" not in text
        assert TOKEN not in text
    assert "…V81" in str(err.value)


class FakeClock:
    """A monotonic clock that only moves when the budget sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_signer_signs_each_attempt_when_it_is_sent(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """`signer(method)` runs after the budget's wait and again for a retry; it wins over the caller."""
    script.answers.extend(
        [
            lambda: web.json_response([]),
            lambda: web.Response(status=500),
            lambda: web.json_response([]),
        ]
    )
    clock = FakeClock()
    # One request a minute: the second request waits 60 s, its retry 60 s more.
    budget = RequestBudget((RateLimit(1, 60),), clock=clock, sleep=clock.sleep)
    signed: list[tuple[str, float]] = []

    def signer(method: str) -> dict[str, str]:
        signed.append((method, clock()))
        return {"X-Signature": f"{method}@{clock():.0f}", "Authorization": "signed"}

    client = make_client(session, server, budget=budget, signer=signer)  # type: ignore[arg-type]
    await client.request("GET", "sites")
    await client.request(
        "POST",
        "sites",
        headers={"authorization": "caller", "X-Caller": "kept"},  # names ignore case
        json_body={},
    )
    assert signed == [("GET", 1000.0), ("POST", 1060.0), ("POST", 1120.0)]
    assert [
        (r.method, r.headers.getall("X-Signature"), r.headers.getall("Authorization"))
        for r in script.received
    ] == [
        ("GET", ["GET@1000"], ["signed"]),
        ("POST", ["POST@1060"], ["signed"]),
        ("POST", ["POST@1120"], ["signed"]),
    ]
    assert [r.headers.get("X-Caller") for r in script.received] == [
        None,
        "kept",
        "kept",
    ]


# ---- request_stream --------------------------------------------------------------------------


class Sink:
    """A `consume` callback that keeps the chunks it was handed."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.chunks: list[bytes] = []
        self._fail_after = fail_after

    async def __call__(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        if self._fail_after is not None and len(self.chunks) > self._fail_after:
            raise ValueError("the consumer gave up")

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


BIG = bytes(range(256)) * 1024  # 256 KiB, not one repeated byte


async def _partial(
    request: web.Request, sent: bytes, *, total: int, then: str
) -> web.StreamResponse:
    """Promise `total` bytes, send `sent`, then hang up or stall."""
    response = web.StreamResponse(headers={"Content-Length": str(total)})
    await response.prepare(request)
    await response.write(sent)
    if then == "stall":
        await asyncio.sleep(2)
    else:
        assert request.transport is not None
        request.transport.close()
    return response


async def test_stream_hands_over_chunks(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A 2xx body reaches `consume` in pieces of at most 64 KiB; nothing is buffered."""
    script.answers.append(lambda: web.Response(body=BIG, headers={"X-Id": "7"}))
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget)
    sink = Sink()
    response = await client.request_stream(
        "GET", "feed", sink, headers={"Authorization": TOKEN}, params={"a": 1}
    )
    assert response.status == 200
    assert response.body == b""
    assert response.headers["X-Id"] == "7"
    assert sink.data == BIG
    assert len(sink.chunks) >= 4
    assert max(len(chunk) for chunk in sink.chunks) <= 64 * 1024
    assert script.received[0].headers["Authorization"] == TOKEN
    assert script.received[0].query["a"] == "1"
    assert budget.requests == 1


async def test_stream_retries_before_the_first_chunk(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """5xx answers are retried as for `request`; their bodies never reach `consume`."""
    script.answers.extend(
        [
            lambda: web.Response(status=503, text="busy"),
            lambda: web.Response(status=502, text="Bad gateway"),
            lambda: web.Response(body=b"<feed/>"),
        ]
    )
    sleeps = Sleeps()
    client = make_client(session, server, sleeps=sleeps)
    sink = Sink()
    await client.request_stream("GET", "feed", sink)
    assert sink.data == b"<feed/>"
    assert len(script.received) == 3
    assert len(sleeps) == 2


async def test_stream_broken_before_the_first_chunk_is_retried(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """Headers, then the connection drops before any byte: nothing consumed, retried."""

    async def empty_then_close(request: web.Request) -> web.StreamResponse:
        return await _partial(request, b"", total=1000, then="close")

    script.handlers.append(empty_then_close)
    script.answers.append(lambda: web.Response(body=b"<feed/>"))
    sleeps = Sleeps()
    client = make_client(session, server, sleeps=sleeps)
    sink = Sink()
    await client.request_stream("GET", "feed", sink)
    assert sink.chunks == [b"<feed/>"]
    assert len(script.received) == 2
    assert len(sleeps) == 1


async def test_stream_timeout_before_the_first_chunk_is_retried(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """No answer in time: retried like `request`, then ApiConnectionError."""

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1)
        return web.Response(body=b"late")

    script.handlers.extend([slow, slow])
    client = make_client(session, server, timeout=0.05, retries=1)
    sink = Sink()
    with pytest.raises(ApiConnectionError, match="timed out$"):
        await client.request_stream("GET", "feed", sink)
    assert len(script.received) == 2
    assert sink.chunks == []


@pytest.mark.parametrize(
    ("then", "message"),
    [("close", "connection lost while reading"), ("stall", "timed out while reading")],
)
async def test_stream_failure_after_a_chunk_is_not_retried(
    session: aiohttp.ClientSession,
    server: TestServer,
    script: Script,
    then: str,
    message: str,
) -> None:
    """Once `consume` had data, a broken or stalled body is final: ApiConnectionError."""
    first = BIG[:100_000]

    async def partial(request: web.Request) -> web.StreamResponse:
        return await _partial(request, first, total=len(BIG), then=then)

    script.handlers.append(partial)
    sleeps = Sleeps()
    client = make_client(session, server, sleeps=sleeps, timeout=0.2)
    sink = Sink()
    with pytest.raises(ApiConnectionError, match=message):
        await client.request_stream("GET", "feed", sink)
    assert len(script.received) == 1
    assert sleeps == []
    assert sink.data == first


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ApiAuthError), (404, ApiNotFoundError), (400, ApiResponseError)],
)
async def test_stream_error_answers_are_mapped(
    session: aiohttp.ClientSession,
    server: TestServer,
    script: Script,
    status: int,
    error: type[Exception],
) -> None:
    """Non-2xx answers map as for `request`; their bodies are never consumed."""
    script.answers.append(lambda: web.json_response({"message": "no"}, status=status))
    client = make_client(session, server)
    sink = Sink()
    with pytest.raises(error):
        await client.request_stream("GET", "feed", sink)
    assert sink.chunks == []
    assert len(script.received) == 1


async def test_stream_429(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A 429 pauses the budget and raises, as for `request`."""
    script.answers.append(
        lambda: web.json_response({}, status=429, headers={"Retry-After": "42"})
    )
    budget = RequestBudget((RateLimit(50, 300),))
    client = make_client(session, server, budget=budget)
    with pytest.raises(ApiRateLimitedError) as err:
        await client.request_stream("GET", "feed", Sink())
    assert err.value.retry_after == 42
    assert budget.paused_for() == pytest.approx(42, abs=1)
    assert budget.diagnostics()["pause_reason"] == "test answered 429"


async def test_stream_accepted_error_body_is_read_and_capped(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A status in `accept` comes back with its body, read up to 64 KiB, not consumed."""
    script.answers.extend(
        [
            lambda: web.Response(status=400, body=b'"Invalid Certificate"'),
            lambda: web.Response(status=400, body=BIG),
        ]
    )
    client = make_client(session, server)
    sink = Sink()
    small = await client.request_stream("GET", "feed", sink, accept=(400,))
    assert (small.status, small.body) == (400, b'"Invalid Certificate"')
    large = await client.request_stream("GET", "feed", sink, accept=(400,))
    assert large.body == BIG[:MAX_ERROR_BODY]
    assert sink.chunks == []


async def test_stream_max_body(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """A body over `max_body` raises ApiResponseError before the excess is consumed."""
    script.answers.extend([lambda: web.Response(body=BIG)] * 2)
    client = make_client(session, server)
    sink = Sink()
    with pytest.raises(ApiResponseError, match="larger than 100000 bytes"):
        await client.request_stream("GET", "feed", sink, max_body=100_000)
    assert 0 < len(sink.data) <= 100_000
    assert len(script.received) == 1
    exact = Sink()
    await client.request_stream("GET", "feed", exact, max_body=len(BIG))
    assert exact.data == BIG


async def test_stream_consumer_errors_propagate(
    session: aiohttp.ClientSession, server: TestServer, script: Script
) -> None:
    """What `consume` raises reaches the caller unchanged, and nothing is retried."""
    script.answers.append(lambda: web.Response(body=BIG))
    client = make_client(session, server)
    sink = Sink(fail_after=1)
    with pytest.raises(ValueError, match="gave up"):
        await client.request_stream("GET", "feed", sink)
    assert len(sink.chunks) == 2
    assert len(script.received) == 1


async def test_stream_connection_refused(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Nothing listening: retried, then ApiConnectionError."""
    sleeps = Sleeps()
    client = HttpClient(session, "http://127.0.0.1:9/v1", provider="test", sleep=sleeps)
    with pytest.raises(ApiConnectionError, match="connection failed"):
        await client.request_stream("GET", "feed", Sink())
    assert len(sleeps) == 3
