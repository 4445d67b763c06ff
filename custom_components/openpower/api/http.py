"""HTTP machinery every provider client shares.

One place for: the per-request timeout, bounded retries with jittered exponential back-off on 5xx,
timeouts and connection errors, 429 handling (`Retry-After`, `RateLimit-Reset`, or a default), the
account's request budget, reading the server's `RateLimit-*` headers, mapping HTTP failures to the
`errors` hierarchy, and logging that never shows a credential or a full identifier.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
import json
import logging
import math
import random
import re
import ssl
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .budget import RequestBudget
from .errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)

_LOGGER = logging.getLogger(__package__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_RATE_LIMIT_WAIT = 300.0
DEFAULT_MAX_BODY = 32 * 1024 * 1024
DEFAULT_MAX_STREAM_BODY = 1024 * 1024 * 1024
"""Cap of a streamed body when the caller gives none (a four-year 15-minute feed is ~40 MB)."""
MAX_ERROR_BODY = 64 * 1024
"""What is read of a streamed request's error answer (the rest is dropped)."""
DEFAULT_MAX_BUDGET_WAIT = 60.0
MIN_SERVER_DELAY = 30.0
"""Shortest wait a 429 imposes, whatever the server said (`Retry-After: 0`, a past date)."""
MAX_SERVER_DELAY = 3600.0
"""Longest wait a server can impose (`Retry-After: 1e999` must not pause an account forever)."""
CHUNK_SIZE = 64 * 1024

# An identifier-like run of letters and digits: 9 or more, digits among them (ULIDs, PRMs, NMIs,
# serials, tokens), also inside a longer name (`amber_<site id>_energy`); dates and plain words
# stay readable. An e-mail address, whatever its length.
_IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z]*\d)[A-Za-z0-9]{9,}(?![A-Za-z0-9])"
)
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")


def mask_identifiers(text: str) -> str:
    """Return `text` with every e-mail address and identifier-like token masked.

    An address becomes `…@…`; an identifier is cut to its last 3 characters.
    """
    return _IDENTIFIER.sub(lambda m: f"…{m.group()[-3:]}", _EMAIL.sub("…@…", text))


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """What the server last said about its own limit (IETF `RateLimit-*` draft headers)."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A completed response: status, headers and the whole (size-capped) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """Decode the body as strict JSON (no `NaN` or `Infinity`), or raise ApiResponseError."""
        try:
            return json.loads(self.body, parse_constant=_not_json)
        except ValueError as err:
            raise ApiResponseError("the response is not valid JSON") from err


def _not_json(constant: str) -> Any:
    """Refuse what Python's decoder accepts but JSON has not: NaN, Infinity, -Infinity."""
    raise ValueError(f"{constant} is not JSON")


def _seconds_header(value: str | None, now: datetime) -> float | None:
    """Read a delay header: delta-seconds, or an HTTP date (Retry-After allows both).

    Returns the delay within [0, MAX_SERVER_DELAY]; None for a header that is absent or not
    a finite number nor a date (`NaN`, `1e999` overflowing to infinity, garbage).
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except TypeError, ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), MAX_SERVER_DELAY)


def _int_header(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().split(";")[0])
    except ValueError:
        return None


class HttpClient:
    """Sends requests for one provider account through its budget."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        provider: str,
        budget: RequestBudget | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 1.0,
        rate_limit_wait: float = DEFAULT_RATE_LIMIT_WAIT,
        max_budget_wait: float | None = DEFAULT_MAX_BUDGET_WAIT,
        max_body: int = DEFAULT_MAX_BODY,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        describe: Callable[[str, str], str] | None = None,
        signer: Callable[[str], Mapping[str, str]] | None = None,
    ) -> None:
        """Configure the client; `sleep` and `now` are injectable for tests.

        `describe(method, path)` names a request in errors and logs; by default the provider,
        the method and the path with its identifiers masked. A provider whose identifiers are
        too short for `mask_identifiers` (PG&E's 5-digit Bulk ID) gives its own.

        `signer(method)` returns headers computed at the moment each attempt is sent, after any
        wait for the budget: a signature over a timestamp (AlphaESS) must not age in a queue.
        """
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.budget = budget
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeout, sock_read=timeout
        )
        self._retries = retries
        self._backoff = backoff
        self._rate_limit_wait = rate_limit_wait
        self._max_budget_wait = max_budget_wait
        self._max_body = max_body
        self._ssl: ssl.SSLContext | bool = ssl_context or True
        self._sleep = sleep
        self._now = now
        self._describe = describe or self._masked
        self._signer = signer
        self.rate_limit: RateLimitState | None = None

    def _masked(self, method: str, path: str) -> str:
        return f"{self.provider} {method} {mask_identifiers(urlsplit(path).path)}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        data: bytes | Mapping[str, str] | None = None,
        patient: bool = False,
        accept: Collection[int] = (),
    ) -> HttpResponse:
        """Send a request (retrying what is worth retrying) and return a 2xx response.

        `path` is joined to the base URL unless it is already absolute. A `patient` request
        (history backfill) is a background request for the budget and waits as long as it
        takes; others give up with ApiRateLimitedError past the client's `max_budget_wait`.
        Raises the `errors` hierarchy for anything but a 2xx or a status in `accept` (for APIs
        whose error answers carry a reason the caller must read, such as Cognito's 400s).
        """
        return await self._exchange(
            method,
            path,
            _Body(json_body, data),
            headers=headers,
            params=params,
            patient=patient,
            accept=accept,
            consume=None,
            max_body=self._max_body,
        )

    async def request_stream(
        self,
        method: str,
        path: str,
        consume: Callable[[bytes], Awaitable[None]],
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        patient: bool = False,
        max_body: int | None = None,
        accept: Collection[int] = (),
    ) -> HttpResponse:
        """Like `request`, but a 2xx body is handed to `consume` chunk by chunk (≤ 64 KiB).

        The returned response has an empty `body`. Budget, retries, 429 and error mapping are
        `request`'s, with one difference: once a chunk has been handed to `consume`, nothing is
        retried any more, and a failure of the connection raises ApiConnectionError (the caller
        discards what it consumed). A body over `max_body` bytes (default 1 GiB) raises
        ApiResponseError. An exception raised by `consume` propagates unchanged. Error answers
        (non-2xx) are read, up to 64 KiB, for the mapping; a status in `accept` is returned with
        that body instead of raising. Reads are timed per read (`timeout` between two pieces),
        not for the whole body.
        """
        return await self._exchange(
            method,
            path,
            _Body(None, None),
            headers=headers,
            params=params,
            patient=patient,
            accept=accept,
            consume=consume,
            max_body=DEFAULT_MAX_STREAM_BODY if max_body is None else max_body,
        )

    async def _exchange(
        self,
        method: str,
        path: str,
        body: _Body,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str | int] | None,
        patient: bool,
        accept: Collection[int],
        consume: Callable[[bytes], Awaitable[None]] | None,
        max_body: int,
    ) -> HttpResponse:
        """Run the budget, retry and mapping loop shared by `request` and `request_stream`."""
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        what = self._describe(method, path)
        attempt = 0
        while True:
            if self.budget is not None:
                await self.budget.acquire(
                    max_wait=None if patient else self._max_budget_wait,
                    background=patient,
                )
            if self._signer is not None:
                headers = {**(headers or {}), **self._signer(method)}
            try:
                response = await self._send(
                    method,
                    url,
                    body,
                    headers=headers,
                    params=params,
                    consume=consume,
                    max_body=max_body,
                    what=what,
                )
            except (TimeoutError, aiohttp.ClientError) as err:
                failure: ApiError = ApiConnectionError(
                    f"{what}: {'timed out' if isinstance(err, TimeoutError) else 'connection failed'}"
                )
                _LOGGER.debug("%s failed: %s", what, type(err).__name__)
            else:
                self._note_rate_limit(response.headers)
                if 200 <= response.status < 300 or response.status in accept:
                    return response
                failure = self._failure(what, response)
                if not isinstance(failure, ApiConnectionError):
                    raise failure
            if attempt >= self._retries:
                raise failure
            delay = self._backoff * 2**attempt * random.uniform(0.5, 1.5)  # noqa: S311
            attempt += 1
            _LOGGER.debug("%s: retry %d in %.1f s", what, attempt, delay)
            await self._sleep(delay)

    async def _send(
        self,
        method: str,
        url: str,
        body: _Body,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str | int] | None,
        consume: Callable[[bytes], Awaitable[None]] | None,
        max_body: int,
        what: str,
    ) -> HttpResponse:
        """One attempt. Transport errors before any chunk was consumed propagate (retried)."""
        async with self._session.request(
            method,
            url,
            headers=headers,
            params=params,
            json=body.json,
            data=body.data,
            timeout=self._timeout if consume is None else self._stream_timeout,
            ssl=self._ssl,
            allow_redirects=False,
        ) as response:
            chunks = response.content.iter_chunked(CHUNK_SIZE)
            if consume is None:
                content = await _read(chunks, max_body, truncate=False)
            elif not 200 <= response.status < 300:
                content = await _read(chunks, MAX_ERROR_BODY, truncate=True)
            else:
                await _stream(chunks, consume, max_body, what)
                content = b""
            return HttpResponse(response.status, response.headers, content)

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        remaining = _int_header(headers.get("RateLimit-Remaining"))
        limit = _int_header(headers.get("RateLimit-Limit"))
        if remaining is None and limit is None:
            return
        now = self._now()
        reset = _seconds_header(headers.get("RateLimit-Reset"), now)
        self.rate_limit = RateLimitState(
            limit=limit,
            remaining=remaining,
            reset_at=now + timedelta(seconds=reset) if reset is not None else None,
        )
        if remaining == 0 and reset and self.budget is not None:
            self.budget.pause_for(
                reset,
                f"{self.provider} said no request is left until its window resets",
            )

    def _failure(self, what: str, response: HttpResponse) -> ApiError:
        """Map a non-2xx response; ApiConnectionError means worth retrying."""
        status = response.status
        if status == 429:
            now = self._now()
            wait = _seconds_header(response.headers.get("Retry-After"), now)
            if wait is None:
                wait = _seconds_header(response.headers.get("RateLimit-Reset"), now)
            if wait is None:
                wait = self._rate_limit_wait
            # Never "at once": a server answering 429 with 0 would be asked again and again.
            wait = min(max(wait, MIN_SERVER_DELAY), MAX_SERVER_DELAY)
            if self.budget is not None:
                self.budget.pause_for(wait, f"{self.provider} answered 429")
            return ApiRateLimitedError(f"{what}: rate limited (429)", retry_after=wait)
        if status in (401, 403):
            return ApiAuthError(f"{what}: credentials rejected ({status})")
        if status == 404:
            return ApiNotFoundError(f"{what}: not found (404)")
        if status >= 500:
            return ApiConnectionError(f"{what}: server error ({status})")
        if status >= 400:
            return ApiRejectedError(f"{what}: refused ({status})")
        return ApiResponseError(f"{what}: unexpected status {status}")


@dataclass(frozen=True, slots=True)
class _Body:
    """What a request sends: a JSON document or form/bytes data (or nothing)."""

    json: Any
    data: bytes | Mapping[str, str] | None


async def _read(chunks: AsyncIterator[bytes], limit: int, *, truncate: bool) -> bytes:
    """Read a whole body up to `limit` bytes: beyond, raise ApiResponseError or cut it."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise ApiResponseError(f"response larger than {limit} bytes")
    return bytes(body)


async def _stream(
    chunks: AsyncIterator[bytes],
    consume: Callable[[bytes], Awaitable[None]],
    limit: int,
    what: str,
) -> None:
    """Hand a body to `consume`; once it has had a chunk, a transport failure is final."""
    size = 0
    started = False
    while True:
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except (TimeoutError, aiohttp.ClientError) as err:
            if not started:
                raise
            _LOGGER.debug(
                "%s: body cut after %d bytes: %s", what, size, type(err).__name__
            )
            raise ApiConnectionError(
                f"{what}: {'timed out' if isinstance(err, TimeoutError) else 'connection lost'}"
                " while reading the body"
            ) from err
        size += len(chunk)
        if size > limit:
            raise ApiResponseError(f"response larger than {limit} bytes")
        started = True
        await consume(chunk)
