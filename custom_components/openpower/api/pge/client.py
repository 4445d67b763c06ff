"""Async client for PG&E Share My Data (Self Access, ESPI 1.1): `https://api.pge.com`.

Facts from `reference/apis-pge-enedis.md` §1 (and the simulator's contract, `tests/simulator/pge.py`):

- Every request goes over mutual TLS: the registration's client certificate (`tls.py`) is in the
  SSL context given here. Without a valid one PG&E's gateway answers 400 with the body
  `"Invalid Certificate"`, on any endpoint: `CertificateRejectedError`.
- Token: `POST /datacustodian/oauth/v2/token` (registration tests: `/datacustodian/test/…`),
  HTTP Basic client id/secret, form `grant_type=client_credentials`; JSON `client_access_token`,
  `expires_in`. It is kept until 60 s before it expires. A 400 `invalid_request` ("client
  credentials doesn't match") or a 401 is a wrong id or secret: `ApiAuthError`. Should the answer
  also carry RFC 7591's `registration_access_token` and `registration_client_uri` (PG&E's
  normally has neither, §1.14.1), both are kept privately to read ApplicationInformation.
- Resources under `/GreenButtonConnect/espi/1_1/resource` with `Authorization: Bearer <token>`.
  A 401 or 403 (unknown or expired token; pgesmd renews on 403) renews the token once and
  repeats the request once; a second refusal is `ApiAuthError`.
- `Batch/Bulk/{BulkID}[?published-min=&published-max=]` (epoch seconds) asks for data: 202 and a
  BatchList is POSTed to the notification URI later, 204 when the range holds no data. The
  BatchList's URLs (`…/Batch/Bulk/{BulkID}?correlationID=…`) arrive from the internet: only
  those passing `is_notified_resource` may be fetched (the token must never go elsewhere).
  Since Release 4.0 an `x-transaction` header label links PG&E's answer to one asynchronous
  call (api-evangelist's copy of the release notes; its exact form is unconfirmed): the 202's
  label, when there is one, is returned (`BulkRequest.transaction`) so that the notification
  carrying it can be recognised (`notification.transaction_label`).
- Limits: 1 request/s, 2,000/h, 20,000/day (`PGE_LIMITS`); no rate-limit headers.

Nothing here logs the client secret, a token or the certificate; response bodies are not logged;
a logged or raised path has its Bulk ID masked (`describe`), like every identifier.
"""

import asyncio
import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import logging
import re
import ssl
from typing import Final
from urllib.parse import SplitResult, urlsplit

import aiohttp

from ..budget import RateLimit, RequestBudget
from ..errors import ApiAuthError, ApiNotFoundError, ApiRejectedError, ApiResponseError
from ..http import HttpClient, HttpResponse, mask_identifiers
from .application import ApplicationInformation, parse_application_information
from .resources import (
    BULK_ID,
    Authorization,
    first_bulk_id,
    parse_authorizations,
    parse_service_status,
)

_LOGGER = logging.getLogger(__package__)

DEFAULT_API_URL: Final = "https://api.pge.com"
RESOURCE_PATH: Final = "/GreenButtonConnect/espi/1_1/resource"
TOKEN_PATH: Final = "/datacustodian/oauth/v2/token"
TEST_TOKEN_PATH: Final = "/datacustodian/test/oauth/v2/token"
PGE_LIMITS: Final = (
    RateLimit(1, 1.0),
    RateLimit(2000, 3600.0),
    RateLimit(20000, 86400.0),
)
"""PG&E's published limits: 1 request/s per vendor, 2,000/h and 20,000/day per client id."""

TOKEN_MARGIN: Final = 60.0
"""A token is renewed this many seconds before PG&E says it expires."""
DEFAULT_TOKEN_LIFETIME: Final = 3600

# Every 4xx but 429 comes back to us: PG&E's 400 carries the reason (certificate or request).
_REFUSALS: Final = tuple(status for status in range(400, 500) if status != 429)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_CORRELATION_QUERY: Final = re.compile(r"correlationID=[A-Za-z0-9._~-]{1,128}")
_AUTH_ERRORS: Final = frozenset(
    {"invalid_request", "invalid_client", "unauthorized_client", "invalid_grant"}
)
_BULK_PATH: Final = re.compile(r"(/Batch/Bulk[A-Za-z]*/)[^/?#]+")
TRANSACTION_HEADERS: Final = ("x-transaction-id", "x-transaction")
"""Where PG&E's label of an asynchronous call may be (both spellings are in its documents)."""
_LABEL: Final = re.compile(r"[A-Za-z0-9._~:-]{8,128}")


class BulkResource(StrEnum):
    """The asynchronous resources a client access token may ask for (`Batch/{resource}/{BulkID}`).

    Each answers 202 and PG&E later notifies the URLs of the answer (§1.14.2): `USAGE` the
    interval data and bills, `CUSTOMER` the customer, account, agreements, service locations
    and meters (FB 46/47), `PROGRAMS` the demand-response enrollment. How PG&E spells the
    notified URLs of the two last is unconfirmed: the same `Batch/{resource}/{BulkID}?
    correlationID=` form as `USAGE` is what is accepted.
    """

    USAGE = "Bulk"
    CUSTOMER = "BulkRetailCustomerInfo"
    PROGRAMS = "BulkRetailDRPrgInfo"


@dataclass(frozen=True, slots=True)
class BulkRequest:
    """PG&E's answer to a `Batch/{resource}` request."""

    accepted: bool
    """202: a notification will follow; False: 204 (no data in the range), or refused."""
    transaction: str | None
    """The answer's transaction label (`x-transaction-id`), when it has a usable one."""
    refused: bool = False
    """403 with a fresh token (only for `CUSTOMER` and `PROGRAMS`): not for this registration."""


def transaction_label(headers: Mapping[str, str]) -> str | None:
    """Return the transaction label of a set of headers (None: none, or not a plain token)."""
    for name in TRANSACTION_HEADERS:
        value = headers.get(name)
        if value is not None and _LABEL.fullmatch(value.strip()):
            return value.strip()
    return None


class CertificateRejectedError(ApiAuthError):
    """PG&E's gateway refused the client certificate (400 "Invalid Certificate").

    Missing, unregistered, expired or from another authority: the user must renew or re-upload
    it (and register it with PG&E).
    """


class PgeClient:
    """One Share My Data registration (client id and secret, client certificate)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        client_id: str,
        client_secret: str,
        api_url: str = DEFAULT_API_URL,
        ssl_context: ssl.SSLContext | None = None,
        budget: RequestBudget | None = None,
        timeout: float = 60.0,
        backoff: float = 2.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create a client; `ssl_context` presents the client certificate (mutual TLS)."""
        self.api_url = api_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._now = now
        self._http = HttpClient(
            session,
            self.api_url,
            provider="pge",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
            ssl_context=ssl_context,
            now=now,
            describe=lambda method, path: describe(path, method),
        )
        self._token: str | None = None
        self.token_expires_at: datetime | None = None
        """When PG&E says the cached production token expires."""
        self._renew_at: datetime | None = None
        self._token_lock = asyncio.Lock()
        self._registration: _Registration | None = None
        api = urlsplit(self.api_url)
        self._scheme = api.scheme.lower()
        self._host = (api.hostname or "").lower()
        self._port = _effective_port(api.scheme, api.port)
        self._resource_root = f"{api.path}{RESOURCE_PATH}"

    @property
    def budget(self) -> RequestBudget | None:
        """The account's request budget."""
        return self._http.budget

    # ---- token -------------------------------------------------------------------------------

    async def async_get_token(self, *, test: bool = False) -> str:
        """Return the production token (cached), or a new registration-test token."""
        if test:
            return read_token(await self._token_request(test=True))[0]
        return await self._production_token()

    async def _production_token(self, rejected: str | None = None) -> str:
        async with self._token_lock:
            if self._token is not None:
                if rejected is not None and rejected != self._token:
                    return self._token  # another caller renewed it meanwhile
                if (
                    rejected is None
                    and self._renew_at is not None
                    and self._now() < self._renew_at
                ):
                    return self._token
            self._token = None
            answer = await self._token_request(test=False)
            token, lifetime = read_token(answer)
            if (registration := read_registration(answer)) is not None:
                self._registration = registration
            now = self._now()
            self._token = token
            self.token_expires_at = now + timedelta(seconds=lifetime)
            self._renew_at = now + timedelta(
                seconds=lifetime - min(TOKEN_MARGIN, lifetime / 2)
            )
            return token

    @property
    def has_registration_token(self) -> bool:
        """Whether PG&E handed a registration access token (ApplicationInformation readable)."""
        return self._registration is not None

    async def _token_request(self, *, test: bool) -> HttpResponse:
        credentials = f"{self._client_id}:{self._client_secret}".encode()
        return await self._http.request(
            "POST",
            TEST_TOKEN_PATH if test else TOKEN_PATH,
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                "Accept": "application/json",
            },
            data={"grant_type": "client_credentials"},
            accept=_REFUSALS,
        )

    # ---- registration tests (`registration.py`) ------------------------------------------------

    async def async_request_test_token(self) -> HttpResponse:
        """Ask for a registration-test token; return PG&E's answer as is (`read_token` reads it)."""
        return await self._token_request(test=True)

    async def async_get_test_resource(self, token: str, resource: str) -> HttpResponse:
        """GET `resource` (under the resource path) with a test token: no renewal, any status."""
        return await self._send(token, f"{RESOURCE_PATH}/{resource}")

    # ---- resources ---------------------------------------------------------------------------

    async def async_service_status(self) -> int:
        """ReadServiceStatus's `currentStatus` (1: online)."""
        response = await self._authorized(f"{RESOURCE_PATH}/ReadServiceStatus")
        return parse_service_status(response.body)

    async def async_authorizations(self) -> list[Authorization]:
        """Return the registration's authorizations (the Bulk one, customer subscriptions)."""
        response = await self._authorized(f"{RESOURCE_PATH}/Authorization")
        return parse_authorizations(response.body)

    async def async_bulk_id(self) -> str:
        """Return the BulkID of the first authorization on a `Batch/Bulk` resource."""
        return first_bulk_id(await self.async_authorizations())

    async def async_application_information(self) -> ApplicationInformation | None:
        """Read the registration's ApplicationInformation with the registration token.

        None without a registration token, when its `registration_client_uri` is not an
        ApplicationInformation resource of the configured API (nothing is sent), or when PG&E
        refuses the token (401/403: it is forgotten).
        """
        registration = self._registration
        if registration is None:
            return None
        parts = self._split_same_origin(registration.client_uri)
        if (
            parts is None
            or parts.query
            or not parts.path.startswith(
                f"{self._resource_root}/ApplicationInformation/"
            )
        ):
            # The token must never leave the API: forget both rather than ask elsewhere.
            _LOGGER.debug("pge: registration_client_uri is off the API, not read")
            self._registration = None
            return None
        url = registration.client_uri
        response = await self._send(registration.token, url)
        if response.status in (401, 403):
            _LOGGER.debug(
                "%s: registration token refused (%d)", describe(url), response.status
            )
            if self._registration is registration:
                self._registration = None
            return None
        raise_for_status(response, describe(url))
        return parse_application_information(response.body)

    async def async_request_bulk(
        self,
        bulk_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        patient: bool = False,
    ) -> bool:
        """Ask for the data published in [start, end] (both None: the latest day).

        True: accepted (202), a BatchList notification will follow; False: no data in the range
        (204). Times are aware datetimes, sent as epoch seconds.
        """
        answer = await self.async_bulk_request(bulk_id, start, end, patient=patient)
        return answer.accepted

    async def async_bulk_request(
        self,
        bulk_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        patient: bool = False,
        resource: BulkResource = BulkResource.USAGE,
    ) -> BulkRequest:
        """Like `async_request_bulk`, with the answer's transaction label.

        `CUSTOMER` and `PROGRAMS` take no range (PG&E ignores it: they hold current values),
        and their 403 (with a renewed token) is an answer, `refused`: a registration whose
        authorization does not cover them (likely for Self Access, §1.14.4–1.14.5), not wrong
        credentials.
        """
        if not BULK_ID.fullmatch(bulk_id):
            raise ValueError("invalid BulkID")
        params: dict[str, str | int] = {}
        if resource is BulkResource.USAGE:
            if start is not None:
                params["published-min"] = _epoch(start)
            if end is not None:
                params["published-max"] = _epoch(end)
        response = await self._authorized(
            f"{RESOURCE_PATH}/Batch/{resource}/{bulk_id}",
            params=params or None,
            patient=patient,
            forbidden_is_answer=resource is not BulkResource.USAGE,
        )
        if response.status in (200, 202):
            return BulkRequest(True, transaction_label(response.headers))
        if response.status == 204:
            return BulkRequest(False, None)
        if response.status == 403:
            return BulkRequest(False, None, refused=True)
        raise ApiResponseError(f"pge bulk request: unexpected status {response.status}")

    def is_notified_resource(self, url: str, bulk_id: str) -> bool:
        """Whether `url` is exactly a notified answer of `bulk_id` on the configured API."""
        return self.notified_resource(url, bulk_id) is not None

    def notified_resource(self, url: str, bulk_id: str) -> BulkResource | None:
        """Return the resource `url` answers for `bulk_id` (None: not a notified answer of it).

        Same scheme, host and port as `api_url`, path `{api path}{RESOURCE_PATH}/Batch/
        {resource}/{bulk_id}` character for character, query only a non-empty
        `correlationID`, no user information, no fragment, nothing percent-encoded, nothing
        outside printable ASCII.
        """
        if not (isinstance(url, str) and BULK_ID.fullmatch(bulk_id)):
            return None
        parts = self._split_same_origin(url)
        if parts is None or _CORRELATION_QUERY.fullmatch(parts.query) is None:
            return None
        for resource in BulkResource:
            if parts.path == f"{self._resource_root}/Batch/{resource}/{bulk_id}":
                return resource
        return None

    async def async_fetch(
        self,
        url: str,
        consume: Callable[[bytes], Awaitable[None]],
        *,
        patient: bool = True,
    ) -> None:
        """Stream a notified feed to `consume` (chunks of ≤ 64 KiB).

        The caller has checked `url` with `is_notified_resource`; a URL off the API's origin or
        resource tree is still refused here (ApiResponseError) before any token is sent. A
        failure after the first chunk raises ApiConnectionError: discard what was consumed.
        """
        parts = self._split_same_origin(url)
        if parts is None or not parts.path.startswith(f"{self._resource_root}/"):
            raise ApiResponseError("pge: refusing to fetch a URL off the PG&E API")
        await self._authorized(url, consume=consume, patient=patient)

    # ---- bearer requests ---------------------------------------------------------------------

    async def _authorized(
        self,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        consume: Callable[[bytes], Awaitable[None]] | None = None,
        patient: bool = False,
        forbidden_is_answer: bool = False,
    ) -> HttpResponse:
        """GET with the production token; a 401/403 renews it and repeats once.

        `forbidden_is_answer`: a 403 with the renewed token is returned, not raised.
        """
        token = await self._production_token()
        response = await self._send(token, path, params, consume, patient)
        if response.status in (401, 403):
            _LOGGER.debug(
                "%s: token refused (%d), renewing it", describe(path), response.status
            )
            token = await self._production_token(rejected=token)
            response = await self._send(token, path, params, consume, patient)
        if not (forbidden_is_answer and response.status == 403):
            raise_for_status(response, describe(path))
        return response

    async def _send(
        self,
        token: str,
        path: str,
        params: dict[str, str | int] | None = None,
        consume: Callable[[bytes], Awaitable[None]] | None = None,
        patient: bool = False,
    ) -> HttpResponse:
        headers = {"Authorization": f"Bearer {token}"}
        if consume is None:
            return await self._http.request(
                "GET",
                path,
                headers=headers,
                params=params,
                patient=patient,
                accept=_REFUSALS,
            )
        return await self._http.request_stream(
            "GET",
            path,
            consume,
            headers=headers,
            params=params,
            patient=patient,
            accept=_REFUSALS,
        )

    def _split_same_origin(self, url: str) -> SplitResult | None:
        """`urlsplit(url)` when `url` is a plain URL on the API's origin, else None."""
        if (
            not url.isascii()
            or not url.isprintable()
            or any(character in url for character in " \\#%@")
        ):
            return None
        try:  # `https://[` and bad ports raise: a malformed URL is a refused one
            parts = urlsplit(url)
            port = _effective_port(parts.scheme, parts.port)
        except ValueError:
            return None
        if (
            parts.scheme.lower() != self._scheme
            or (parts.hostname or "").lower() != self._host
            or not self._host
            or port != self._port
            or parts.username is not None
            or parts.fragment
            or "/../" in f"{parts.path}/"
            or "/./" in f"{parts.path}/"
        ):
            return None
        return parts


# ---- helpers -----------------------------------------------------------------------------------


def read_token(response: HttpResponse) -> tuple[str, int]:
    """Read a token answer: (token, lifetime in seconds), or raise what it means."""
    what = "pge token"
    status = response.status
    if status == 400 and _invalid_certificate(response.body):
        raise CertificateRejectedError(f"{what}: client certificate refused (400)")
    if status in (400, 401, 403):
        error = _json_error(response)
        if status != 400 or error in _AUTH_ERRORS:
            raise ApiAuthError(f"{what}: client credentials rejected ({status})")
        raise ApiRejectedError(f"{what}: refused ({status}, {error or 'no reason'})")
    raise_for_status(response, what)
    try:
        payload = response.json()
    except ApiResponseError:
        payload = None
    if not isinstance(payload, dict):
        payload = {}
    token = payload.get("client_access_token")
    if not isinstance(token, str) or not token.strip():
        _LOGGER.debug(
            "%s: unexpected answer (%s, %d bytes)",
            what,
            response.headers.get("Content-Type", "no type"),
            len(response.body),
        )
        raise ApiResponseError(f"{what}: the answer holds no client_access_token")
    lifetime = payload.get("expires_in", DEFAULT_TOKEN_LIFETIME)
    try:
        seconds = int(lifetime)
    except TypeError, ValueError:
        seconds = 0
    if seconds <= 0 or isinstance(lifetime, bool):
        raise ApiResponseError(f"{what}: invalid expires_in")
    return token.strip(), seconds


@dataclass(frozen=True, slots=True)
class _Registration:
    """RFC 7591's registration access token and the URI it reads (never logged or shown)."""

    token: str = field(repr=False)
    client_uri: str = field(repr=False)


def read_registration(response: HttpResponse) -> _Registration | None:
    """Read `registration_access_token` and `registration_client_uri` from a token answer.

    None unless both are non-empty strings (PG&E's client_credentials answer has neither).
    """
    try:
        payload = response.json()
    except ApiResponseError:
        return None
    if not isinstance(payload, dict):
        return None
    token = payload.get("registration_access_token")
    uri = payload.get("registration_client_uri")
    if not (
        isinstance(token, str)
        and token.strip()
        and isinstance(uri, str)
        and uri.strip()
    ):
        return None
    return _Registration(token.strip(), uri.strip())


def raise_for_status(response: HttpResponse, what: str) -> None:
    """Map an accepted 4xx (what HttpClient handed back) to the hierarchy."""
    status = response.status
    if 200 <= status < 300:
        return
    if status == 400 and _invalid_certificate(response.body):
        raise CertificateRejectedError(f"{what}: client certificate refused (400)")
    if status in (401, 403):
        raise ApiAuthError(f"{what}: access token refused ({status})")
    if status == 404:
        raise ApiNotFoundError(f"{what}: not found (404)")
    if status >= 400:
        raise ApiRejectedError(f"{what}: refused ({status})")
    raise ApiResponseError(f"{what}: unexpected status {status}")


def _invalid_certificate(body: bytes) -> bool:
    return b"invalid certificate" in body[:256].lower()


def _json_error(response: HttpResponse) -> str | None:
    try:
        payload = response.json()
    except ApiResponseError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, str) and len(error) <= 40 else None


def describe(path: str, method: str = "GET") -> str:
    """Return how a request of `path` is named in errors and logs (identifiers masked).

    The Bulk ID is masked too: five digits are not long enough for `mask_identifiers`.
    """
    try:
        path = urlsplit(path).path
    except ValueError:
        path = "(malformed URL)"
    path = _BULK_PATH.sub(r"\1…", path)
    return f"pge {method} {mask_identifiers(path)}"


def _effective_port(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme.lower())


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return int(moment.timestamp())
