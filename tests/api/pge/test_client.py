"""PgeClient against the simulator over HTTPS with mutual TLS (no Home Assistant)."""

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import re
import ssl
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiNotFoundError,
    ApiRejectedError,
    ApiResponseError,
)
from custom_components.openpower.api.pge import (
    DEFAULT_API_URL,
    PGE_LIMITS,
    RESOURCE_PATH,
    Authorization,
    CertificateRejectedError,
    EspiParser,
    IntervalBlock,
    PgeClient,
    RegistrationStep,
    load_client_certificate,
    parse_authorizations,
    parse_batch_list,
)
from custom_components.openpower.api.pge.client import TOKEN_PATH
from tests.simulator import (
    PGE_15MIN_BULK_ID,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    FakeClock,
    Simulator,
)
from tests.simulator.pki import pki_material

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
# Thursday 20 November 2025, 11:30 in California: the latest served day is the 19th (24 h).
NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
LONG_AGO = datetime(2000, 6, 1, tzinfo=UTC)
TEST_TOKEN_PATH = "/datacustodian/test/oauth/v2/token"

type Factory = Callable[..., PgeClient]


@pytest.fixture
def clock() -> FakeClock:
    """The simulator's clock (the client's too)."""
    return FakeClock(NOW)


@pytest.fixture
async def simulator(
    socket_enabled: None, clock: FakeClock
) -> AsyncGenerator[Simulator]:
    """The simulator on 127.0.0.1, HTTP and HTTPS (mutual TLS), notifying within 50 ms."""
    simulator = Simulator(clock=clock)
    simulator.pge.notification_delay = 0.05
    await simulator.start(tls=True)
    yield simulator
    await simulator.stop()


@pytest.fixture
def inbox(simulator: Simulator) -> list[bytes]:
    """The BatchList bodies the simulator POSTs."""
    bodies: list[bytes] = []

    async def receive(body: bytes) -> None:
        bodies.append(body)

    simulator.pge.notification_target = receive
    return bodies


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def _context(kind: str) -> ssl.SSLContext:
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


@pytest.fixture
def make(
    simulator: Simulator, session: aiohttp.ClientSession, clock: FakeClock
) -> Factory:
    """Build clients on the HTTPS base, with the valid certificate unless told."""
    api_url = simulator.urls("pge")["api_url"]

    def build(certificate: str = "client", **kwargs: Any) -> PgeClient:
        options: dict[str, Any] = {
            "client_id": PGE_CLIENT_ID,
            "client_secret": PGE_CLIENT_SECRET,
            "api_url": api_url,
            "ssl_context": _context(certificate),
            "backoff": 0.001,
            "now": clock,
        }
        options.update(kwargs)
        return PgeClient(session, **options)

    return build


@pytest.fixture
def client(make: Factory) -> PgeClient:
    """A client with the valid certificate."""
    return make()


def _paths(simulator: Simulator, suffix: str) -> list[int]:
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


# ---- token -------------------------------------------------------------------------------------


async def test_token_is_cached_until_a_minute_before_expiry(
    client: PgeClient, simulator: Simulator, clock: FakeClock
) -> None:
    """One token request for many calls; a new one 60 s before `expires_in` runs out."""
    token = await client.async_get_token()
    assert len(token) == 36
    assert await client.async_get_token() == token
    assert await client.async_service_status() == 1
    assert client.token_expires_at == NOW + timedelta(seconds=3600)
    assert _paths(simulator, TOKEN_PATH) == [200]
    clock.advance(3539)
    assert await client.async_get_token() == token
    clock.advance(2)
    renewed = await client.async_get_token()
    assert renewed != token
    assert _paths(simulator, TOKEN_PATH) == [200, 200]
    assert client.token_expires_at == clock.now + timedelta(seconds=3600)


async def test_token_request_shape(client: PgeClient, simulator: Simulator) -> None:
    """POST, Basic client id:secret, form grant_type, on the mTLS listener."""
    await client.async_get_token()
    record = next(r for r in simulator.requests if r.path.endswith(TOKEN_PATH))
    assert record.method == "POST"
    assert record.account == "demo"
    assert client.api_url == simulator.urls("pge")["api_url"]
    assert client.api_url.startswith("https://")


async def test_test_token_is_separate(client: PgeClient, simulator: Simulator) -> None:
    """A registration-test token is never cached as the production token."""
    test_token = await client.async_get_token(test=True)
    production = await client.async_get_token()
    assert test_token != production
    assert _paths(simulator, TEST_TOKEN_PATH) == [200]
    assert _paths(simulator, TOKEN_PATH) == [200]
    # A test token cannot request data: the production one is used.
    assert await client.async_request_bulk(PGE_BULK_ID) is True


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [(PGE_CLIENT_ID, "wrong-secret"), ("unknown-client", PGE_CLIENT_SECRET)],
)
async def test_wrong_credentials(
    make: Factory, simulator: Simulator, client_id: str, secret: str
) -> None:
    """400 "client credentials doesn't match": ApiAuthError, not a certificate problem."""
    client = make(client_id=client_id, client_secret=secret)
    with pytest.raises(ApiAuthError) as err:
        await client.async_get_token()
    assert not isinstance(err.value, CertificateRejectedError)
    assert "credentials rejected (400)" in str(err.value)
    assert secret not in str(err.value)
    assert _paths(simulator, TOKEN_PATH) == [400]


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("http_400", ApiAuthError, r"credentials rejected \(400\)"),
        ("http_401", ApiAuthError, r"credentials rejected \(401\)"),
        ("http_403", ApiAuthError, r"credentials rejected \(403\)"),
        ("not_found", ApiNotFoundError, r"not found \(404\)"),
    ],
)
async def test_token_failures(
    client: PgeClient,
    simulator: Simulator,
    fault: str,
    error: type[Exception],
    message: str,
) -> None:
    """The OAuth server's refusals and a cut answer."""
    simulator.fault_next("pge", fault)
    with pytest.raises(error, match=message):
        await client.async_get_token()
    assert client.token_expires_at is None


async def test_token_server_error_is_retried(
    client: PgeClient, simulator: Simulator
) -> None:
    """A 500 then a 502 from the OAuth server: retried, then the token."""
    simulator.fault_next("pge", "http_500")
    simulator.fault_next("pge", "http_502")
    assert await client.async_get_token()
    assert _paths(simulator, TOKEN_PATH) == [500, 502, 200]


@pytest.mark.parametrize("certificate", ["none", "expired", "rogue"])
async def test_certificate_refused(
    make: Factory, simulator: Simulator, certificate: str
) -> None:
    """No, expired or foreign client certificate: PG&E's 400 "Invalid Certificate"."""
    client = make(certificate)
    with pytest.raises(CertificateRejectedError, match="certificate refused"):
        await client.async_get_token()
    assert _paths(simulator, TOKEN_PATH) == [400]


async def test_plain_http_without_certificate_check(
    make: Factory, simulator: Simulator
) -> None:
    """`scripts/develop` talks plain HTTP; `allow_plain_http` False gets the 400."""
    client = make("none", api_url=simulator.urls("pge")["http_api_url"])
    assert await client.async_service_status() == 1
    simulator.pge.allow_plain_http = False
    other = make("none", api_url=simulator.urls("pge")["http_api_url"])
    with pytest.raises(CertificateRejectedError):
        await other.async_get_token()


# ---- resources ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [1, 0])
async def test_service_status(
    client: PgeClient, simulator: Simulator, status: int
) -> None:
    """ReadServiceStatus's currentStatus, as a number."""
    simulator.pge.service_status = status
    assert await client.async_service_status() == status


async def test_authorizations(client: PgeClient, simulator: Simulator) -> None:
    """The subscription and the Bulk authorization, with their periods; the BulkID."""
    authorizations = await client.async_authorizations()
    assert [a.grant_type for a in authorizations] == [
        "authorization_code",
        "client_credentials",
    ]
    subscription, bulk = authorizations
    base = f"{client.api_url}{RESOURCE_PATH}"
    assert subscription.bulk_id is None
    assert subscription.resource_uri == f"{base}/Batch/Subscription/4095251"
    assert bulk.bulk_id == PGE_BULK_ID
    assert bulk.resource_uri == f"{base}/Batch/Bulk/{PGE_BULK_ID}"
    assert bulk.href == f"{base}/Authorization/1{PGE_BULK_ID}"
    assert bulk.authorization_uri == bulk.href
    assert bulk.status == 1
    assert bulk.scope is not None and bulk.scope.endswith(f";BR={PGE_BULK_ID}")
    oldest, latest = simulator.pge.available_days()
    assert bulk.published_start is not None and bulk.published_end is not None
    assert bulk.published_start.astimezone(UTC) < NOW - timedelta(days=1400)
    assert bulk.published_end - bulk.published_start >= timedelta(
        days=(latest - oldest).days
    )
    assert bulk.authorized_start == datetime(2024, 1, 8, 17, 0, tzinfo=UTC)
    assert bulk.authorized_end == bulk.authorized_start + timedelta(days=3650)
    assert await client.async_bulk_id() == PGE_BULK_ID


async def test_no_bulk_authorization(
    client: PgeClient, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a customer subscription: async_bulk_id raises ApiResponseError."""
    original = simulator.pge._authorization_entries  # noqa: SLF001

    def subscription_only(*args: Any) -> list[tuple[str, str]]:
        return original(*args)[:1]

    monkeypatch.setattr(simulator.pge, "_authorization_entries", subscription_only)
    assert len(await client.async_authorizations()) == 1
    with pytest.raises(ApiResponseError, match="no Batch/Bulk authorization"):
        await client.async_bulk_id()


def test_parse_authorization_fixture() -> None:
    """The Green Button Alliance entry: a subscription, parsed by namespace URI."""
    body = (FIXTURES / "espi_gba_authorization_entry_anonymized.xml").read_bytes()
    (authorization,) = parse_authorizations(body)
    assert authorization == Authorization(
        href="https://test-datacustodian.example.com/espi/1_1/resource/Authorization/test-auth-id",
        resource_uri="https://test-api.example.com/espi/1_1/resource/Batch/Subscription/test-subscription-id",
        authorization_uri="https://test-api.example.com/espi/1_1/resource/Authorization/test-auth-id",
        grant_type="authorization_code",
        status=1,
        scope="FB=1_3_4_5_13_15_16_28_31_37_39_51_53_54_55_56_57_58_59_60_61_64_65_69",
        published_start=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC),
        published_end=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
        + timedelta(seconds=31604340),
        authorized_start=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC),
        authorized_end=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
        + timedelta(seconds=31604340),
    )
    assert authorization.bulk_id is None


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (
            (
                b'<Authorization xmlns="http://naesb.org/espi"><resourceURI>'
                b"https://api.pge.com/x/Batch/Bulk/51070</resourceURI></Authorization>"
            ),
            1,
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', 0),
        (  # entry in a feed, numbers out of range or not numbers
            (
                b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">'
                b"<entry><content><e:Authorization><e:publishedPeriod>"
                b"<e:start>99999999999999999</e:start><e:duration>1</e:duration>"
                b"</e:publishedPeriod><e:authorizedPeriod><e:start>1,600,000,000</e:start>"
                b"</e:authorizedPeriod><e:status>active</e:status><e:resourceURI>"
                b"https://api.pge.com/x/Batch/Bulk/51070</e:resourceURI>"
                b"</e:Authorization></content></entry></feed>"
            ),
            1,
        ),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content/></entry></feed>',
            0,
        ),
    ],
)
def test_parse_authorization_shapes(body: bytes, count: int) -> None:
    """A bare Authorization, an empty feed, an entry without one."""
    parsed = parse_authorizations(body)
    assert len(parsed) == count
    if count:
        assert parsed[0].bulk_id == "51070"
        assert parsed[0].href is None
        assert parsed[0].published_start is None
        assert parsed[0].published_end is None
        assert parsed[0].status is None
        assert parsed[0].authorized_end is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html>maintenance</html>",
        b"<feed",
        b'<!DOCTYPE f [<!ENTITY e "x">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
    ],
)
def test_parse_authorization_refusals(body: bytes) -> None:
    """Not Atom, not XML, a DTD: ApiResponseError."""
    with pytest.raises(ApiResponseError):
        parse_authorizations(body)


@pytest.mark.parametrize(
    ("uri", "bulk_id"),
    [
        (
            "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50916",
            "50916",
        ),
        (
            "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50916/",
            "50916",
        ),
        ("https://api.pge.com/r/Batch/Bulk/50916?published-min=1", "50916"),
        ("https://api.pge.com/r/Batch/Bulk/50916/UsagePoint/1", "50916"),
        ("https://api.pge.com/r/Batch/Bulk/", None),
        ("https://api.pge.com/r/Batch/Bulk/a%2Fb", None),
        ("https://api.pge.com/r/Batch/Subscription/4095251", None),
        (None, None),
    ],
)
def test_bulk_id_of_a_resource_uri(uri: str | None, bulk_id: str | None) -> None:
    """The id after /Batch/Bulk/ only."""
    authorization = Authorization(
        None, uri, None, None, None, None, None, None, None, None
    )
    assert authorization.bulk_id == bulk_id


# ---- answers the simulator does not give ------------------------------------------------------


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


@pytest.fixture
async def canned(
    socket_enabled: None, session: aiohttp.ClientSession
) -> AsyncGenerator[tuple[Canned, PgeClient]]:
    """A canned server and a client of it."""
    script = Canned()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        client = PgeClient(
            session,
            client_id=PGE_CLIENT_ID,
            client_secret=PGE_CLIENT_SECRET,
            api_url=str(server.make_url("/pge")),
            backoff=0.001,
            now=lambda: NOW,
        )
        yield script, client


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            200,
            b'{"client_access_token": "abc", "expires',
            ApiResponseError,
            "no client_access_token",
        ),
        (
            200,
            b"<html>Service unavailable</html>",
            ApiResponseError,
            "no client_access_token",
        ),
        (
            200,
            b'{"access_token": "abc", "expires_in": 3600}',
            ApiResponseError,
            "no client_access_token",
        ),
        (
            200,
            b'{"client_access_token": "  ", "expires_in": 3600}',
            ApiResponseError,
            "no client_access_token",
        ),
        (200, b'["abc"]', ApiResponseError, "no client_access_token"),
        (
            200,
            b'{"client_access_token": "abc", "expires_in": "soon"}',
            ApiResponseError,
            "invalid expires_in",
        ),
        (
            200,
            b'{"client_access_token": "abc", "expires_in": 0}',
            ApiResponseError,
            "invalid expires_in",
        ),
        (
            200,
            b'{"client_access_token": "abc", "expires_in": true}',
            ApiResponseError,
            "invalid expires_in",
        ),
        (
            200,
            b'{"client_access_token": "abc", "expires_in": null}',
            ApiResponseError,
            "invalid expires_in",
        ),
        (
            400,
            b'"Invalid Certificate"',
            CertificateRejectedError,
            "certificate refused",
        ),
        (400, b"Invalid Certificate", CertificateRejectedError, "certificate refused"),
        (
            400,
            b'{"error":"invalid_client"}',
            ApiAuthError,
            r"credentials rejected \(400\)",
        ),
        (
            400,
            b'{"error":"unsupported_grant_type","error_description":"x"}',
            ApiRejectedError,
            "unsupported_grant_type",
        ),
        (400, b"<html>bad</html>", ApiRejectedError, "no reason"),
        (405, b'{"error":"invalid_request"}', ApiRejectedError, r"refused \(405\)"),
    ],
)
async def test_token_answers(
    canned: tuple[Canned, PgeClient],
    status: int,
    body: bytes,
    error: type[Exception],
    message: str,
) -> None:
    """Token answers that are not a token: the right error, no secret, no body text."""
    script, client = canned
    script.answers[TOKEN_PATH] = [(status, body)]
    with pytest.raises(error, match=message) as err:
        await client.async_get_token()
    assert client.token_expires_at is None
    assert "Service unavailable" not in str(err.value)
    assert script.received == [f"/pge{TOKEN_PATH}"]


async def test_token_lifetime_forms(canned: tuple[Canned, PgeClient]) -> None:
    """`expires_in` as a string, absent (an hour), or very short (renewed at half-life)."""
    script, client = canned
    script.answers[TOKEN_PATH] = [
        (200, b'{"client_access_token": " t1 ", "expires_in": "1800"}'),
        (200, b'{"client_access_token": "t2"}'),
        (200, b'{"client_access_token": "t3", "expires_in": 30}'),
    ]
    assert await client.async_get_token() == "t1"
    assert client.token_expires_at == NOW + timedelta(seconds=1800)
    client._token = None  # noqa: SLF001 - forget it
    assert await client.async_get_token() == "t2"
    assert client.token_expires_at == NOW + timedelta(seconds=3600)
    client._token = None  # noqa: SLF001
    assert await client.async_get_token() == "t3"
    assert client._renew_at == NOW + timedelta(seconds=15)  # noqa: SLF001


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'<ServiceStatus xmlns="http://naesb.org/espi"><currentStatus>1',
            "not well-formed",
        ),
        (b'<ServiceStatus xmlns="http://naesb.org/espi"/>', "no currentStatus"),
        (
            b"<ServiceStatus><currentStatus>1</currentStatus></ServiceStatus>",
            "no currentStatus",
        ),
        (
            b'<ServiceStatus xmlns="http://naesb.org/espi"><currentStatus>up</currentStatus></ServiceStatus>',
            "no currentStatus",
        ),
        (
            b'<!DOCTYPE s [<!ENTITY one "1">]><ServiceStatus xmlns="http://naesb.org/espi"><currentStatus>&one;</currentStatus></ServiceStatus>',
            "DTDs and entities",
        ),
        (b"", "not well-formed"),
    ],
)
async def test_malformed_service_status(
    canned: tuple[Canned, PgeClient], body: bytes, message: str
) -> None:
    """A cut, empty, unnamespaced, non-numeric or entity-laden answer: ApiResponseError."""
    script, client = canned
    script.answers["/ReadServiceStatus"] = [(200, body)]
    with pytest.raises(ApiResponseError, match=message):
        await client.async_service_status()


async def test_service_status_fixture(canned: tuple[Canned, PgeClient]) -> None:
    """The documented answer, with a default namespace."""
    script, client = canned
    body = (FIXTURES / "readservicestatus_response_example.xml").read_bytes()
    script.answers["/ReadServiceStatus"] = [(200, body)]
    assert await client.async_service_status() == 1


@pytest.mark.parametrize(("status", "result"), [(200, True), (202, True), (204, False)])
async def test_bulk_statuses(
    canned: tuple[Canned, PgeClient], status: int, result: bool
) -> None:
    """202 (and a 200) mean accepted, 204 no data."""
    script, client = canned
    script.answers["/Batch/Bulk/50916"] = [(status, b"")]
    assert await client.async_request_bulk("50916") is result


async def test_bulk_unexpected_status(canned: tuple[Canned, PgeClient]) -> None:
    """Another 2xx: ApiResponseError."""
    script, client = canned
    script.answers["/Batch/Bulk/50916"] = [(206, b"")]
    with pytest.raises(ApiResponseError, match="unexpected status 206"):
        await client.async_request_bulk("50916")


async def test_registration_sample_data_odd_status(
    canned: tuple[Canned, PgeClient],
) -> None:
    """DownloadSampleData answering 204 is a failed step, not an error."""
    script, client = canned
    script.answers["/ReadServiceStatus"] = [
        (
            200,
            b'<ServiceStatus xmlns="http://naesb.org/espi"><currentStatus>1</currentStatus></ServiceStatus>',
        )
    ]
    script.answers["/DownloadSampleData"] = [(204, b"")]
    script.answers["/Authorization"] = [(200, b"<feed")]
    steps = await client.async_registration_tests()
    assert [(s.name, s.ok, s.status) for s in steps] == [
        ("token", True, 200),
        ("service_status", True, 200),
        ("sample_data", False, 204),
        ("authorization", False, 200),
    ]
    assert steps[2].detail == "unexpected status 204"
    assert "not well-formed" in steps[3].detail


async def test_registration_lets_cancellation_through(
    canned: tuple[Canned, PgeClient],
) -> None:
    """Cancelling the sequence cancels it (no step swallows CancelledError)."""
    _, client = canned

    async def cancelled(*, test: bool) -> Any:
        raise asyncio.CancelledError

    client._token_request = cancelled  # type: ignore[method-assign]  # noqa: SLF001
    with pytest.raises(asyncio.CancelledError):
        await client.async_registration_tests()


async def test_server_errors_are_retried(
    client: PgeClient, simulator: Simulator
) -> None:
    """5xx on a resource: retried; a persistent one is ApiConnectionError."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_502")
    assert await client.async_service_status() == 1
    assert _paths(simulator, "/ReadServiceStatus") == [502, 200]
    simulator.fault_next("pge", "http_500", 4)
    with pytest.raises(ApiConnectionError, match=r"server error \(500\)"):
        await client.async_service_status()
    assert _paths(simulator, "/ReadServiceStatus")[2:] == [500] * 4


async def test_resource_certificate_refusal(
    client: PgeClient, simulator: Simulator
) -> None:
    """400 "Invalid Certificate" on a resource: CertificateRejectedError, no renewal."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_400")
    with pytest.raises(CertificateRejectedError):
        await client.async_service_status()
    assert _paths(simulator, TOKEN_PATH) == [200]


async def test_other_refusals(client: PgeClient, simulator: Simulator) -> None:
    """Another account's BulkID (400 without certificate text); an unknown path (404)."""
    with pytest.raises(ApiRejectedError) as err:
        await client.async_request_bulk(PGE_15MIN_BULK_ID)
    assert not isinstance(err.value, ApiNotFoundError)
    simulator.fault_next("pge", "not_found")
    with pytest.raises(ApiNotFoundError):
        await client.async_service_status()


# ---- token renewal -----------------------------------------------------------------------------


async def test_expired_token_is_renewed_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """403 (expired): a new token, the request repeated, success."""
    first = await client.async_get_token()
    simulator.fault_next("pge", "expired_token")
    assert await client.async_service_status() == 1
    assert _paths(simulator, "/ReadServiceStatus") == [403, 200]
    assert _paths(simulator, TOKEN_PATH) == [200, 200]
    assert await client.async_get_token() != first


async def test_unknown_token_is_renewed_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """401 (unknown token, e.g. the server forgot it): renewed too."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_401")
    assert await client.async_bulk_id() == PGE_BULK_ID
    assert _paths(simulator, "/Authorization") == [401, 200]


async def test_two_refusals_are_an_auth_error(
    client: PgeClient, simulator: Simulator
) -> None:
    """Refused again with a brand-new token: ApiAuthError, after exactly two tries."""
    await client.async_get_token()
    simulator.fault_next("pge", "expired_token", 2)
    with pytest.raises(ApiAuthError, match=r"access token refused \(403\)"):
        await client.async_service_status()
    assert _paths(simulator, "/ReadServiceStatus") == [403, 403]
    assert _paths(simulator, TOKEN_PATH) == [200, 200]


async def test_concurrent_callers_renew_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """Callers refused with the same token share one renewal."""
    await client.async_get_token()
    simulator.pge.expire_tokens()
    results = await asyncio.gather(*(client.async_service_status() for _ in range(3)))
    assert results == [1, 1, 1]
    assert _paths(simulator, TOKEN_PATH) == [200, 200]


# ---- bulk requests, notifications, fetch --------------------------------------------------------


async def test_bulk_notify_fetch_parse(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """202, the BatchList arrives, its URLs pass the check, the feeds stream into the parser."""
    assert await client.async_request_bulk(PGE_BULK_ID) is True
    assert _paths(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [202]
    await simulator.pge.wait_for_notifications(1, timeout=5)
    assert len(inbox) == 1
    urls = parse_batch_list(inbox[0])
    assert len(urls) == 2
    assert all(client.is_notified_resource(url, PGE_BULK_ID) for url in urls)
    assert not any(client.is_notified_resource(url, PGE_15MIN_BULK_ID) for url in urls)
    electric, gas = Feed(), Feed()
    await client.async_fetch(urls[0], electric)
    await client.async_fetch(urls[1], gas)
    electric_feed = electric.parser.close()
    gas.parser.close()
    # The latest day (19 November, 24 hours), delivered and received (net metering).
    assert sorted(
        (b.reading_type.flow_direction, len(b.readings)) for b in electric.blocks
    ) == [(1, 24), (19, 24)]
    assert electric.readings == 48
    assert [len(b.readings) for b in gas.blocks] == [1]
    assert {b.start.date() for b in electric.blocks} == {datetime(2025, 11, 19).date()}
    assert len(electric_feed.usage_points) == 1
    assert max(electric.chunks) <= 64 * 1024


async def test_bulk_range_as_epoch_seconds(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """published-min/max are sent as integer epoch seconds; a week gives seven blocks."""
    start = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)  # midnight Pacific (PST)
    end = start + timedelta(days=6, hours=23)
    assert await client.async_request_bulk(PGE_BULK_ID, start, end) is True
    record = next(r for r in simulator.requests if "/Batch/Bulk/" in r.path)
    assert record.query == {
        "published-min": str(int(start.timestamp())),
        "published-max": str(int(end.timestamp())),
    }
    await simulator.pge.wait_for_notifications(1, timeout=5)
    feed = Feed()
    await client.async_fetch(parse_batch_list(inbox[0])[0], feed, patient=False)
    feed.parser.close()
    assert feed.readings == 7 * 24 * 2
    assert len(feed.chunks) > 1


async def test_bulk_range_without_data(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """A range after the latest available day: 204, False, no notification."""
    assert (
        await client.async_request_bulk(PGE_BULK_ID, NOW, NOW + timedelta(days=2))
        is False
    )
    assert _paths(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [204]
    await simulator.pge.deliver_pending()
    assert inbox == []


async def test_bulk_request_arguments(client: PgeClient) -> None:
    """A BulkID that could change the path, or a naive datetime: ValueError, no request."""
    with pytest.raises(ValueError, match="BulkID"):
        await client.async_request_bulk("../Authorization")
    with pytest.raises(ValueError, match="naive"):
        await client.async_request_bulk(PGE_BULK_ID, datetime(2025, 11, 1))


async def test_foreign_urls_in_a_notification(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """The `foreign_host` fault: an evil host and a scheme swap; both refused, nothing sent."""
    simulator.fault_next("pge", "foreign_host")
    assert await client.async_request_bulk(PGE_BULK_ID)
    await simulator.pge.wait_for_notifications(1, timeout=5)
    urls = parse_batch_list(inbox[0])
    assert urls[0].startswith("https://evil.example/")
    assert urls[1].startswith("http://127.0.0.1")
    assert not any(client.is_notified_resource(url, PGE_BULK_ID) for url in urls)
    before = len(simulator.requests)
    feed = Feed()
    for url in urls:
        with pytest.raises(ApiResponseError, match="off the PG&E API"):
            await client.async_fetch(url, feed)
    assert len(simulator.requests) == before
    assert feed.chunks == []


async def test_fetch_fixture_feed(client: PgeClient, simulator: Simulator) -> None:
    """A served capture streams byte for byte into the parser."""
    name = "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml"
    correlation = simulator.pge.serve_fixture(name)
    url = f"{client.api_url}{RESOURCE_PATH}/Batch/Bulk/{PGE_BULK_ID}?correlationID={correlation}"
    assert client.is_notified_resource(url, PGE_BULK_ID)
    received = bytearray()

    async def consume(chunk: bytes) -> None:
        received.extend(chunk)

    await client.async_fetch(url, consume)
    assert bytes(received) == (FIXTURES / name).read_bytes()


async def test_fetch_renews_an_expired_token(
    client: PgeClient, simulator: Simulator
) -> None:
    """A 403 on the feed is a status: renewed before anything was consumed."""
    correlation = simulator.pge.serve_fixture(
        "espi_pge_electric_hourly_1day_2019-10-03.xml"
    )
    url = f"{client.api_url}{RESOURCE_PATH}/Batch/Bulk/{PGE_BULK_ID}?correlationID={correlation}"
    await client.async_get_token()
    simulator.fault_next("pge", "expired_token")
    feed = Feed()
    await client.async_fetch(url, feed)
    feed.parser.close()
    assert feed.readings == 24
    assert _paths(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [403, 200]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http_400", CertificateRejectedError),
        ("not_found", ApiNotFoundError),
    ],
)
async def test_fetch_refusals(
    client: PgeClient, simulator: Simulator, fault: str, error: type[Exception]
) -> None:
    """Refusals of a feed fetch map like other requests; nothing is consumed."""
    correlation = simulator.pge.serve_fixture(
        "espi_pge_electric_hourly_1day_2019-10-03.xml"
    )
    url = f"{client.api_url}{RESOURCE_PATH}/Batch/Bulk/{PGE_BULK_ID}?correlationID={correlation}"
    await client.async_get_token()
    simulator.fault_next("pge", fault)
    feed = Feed()
    with pytest.raises(error):
        await client.async_fetch(url, feed)
    assert feed.chunks == []


async def test_fetch_unknown_correlation_id(client: PgeClient) -> None:
    """A correlationID the server does not know: 404."""
    url = f"{client.api_url}{RESOURCE_PATH}/Batch/Bulk/{PGE_BULK_ID}?correlationID=nope"
    with pytest.raises(ApiNotFoundError):
        await client.async_fetch(url, Feed())


@pytest.mark.parametrize("fault", ["malformed", "missing_field"])
async def test_fetch_broken_feed(
    client: PgeClient, simulator: Simulator, inbox: list[bytes], fault: str
) -> None:
    """A cut feed or one without its ReadingTypes: the parser says so at close()."""
    assert await client.async_request_bulk(PGE_BULK_ID)
    await simulator.pge.wait_for_notifications(1, timeout=5)
    simulator.fault_next("pge", fault)
    feed = Feed()
    await client.async_fetch(parse_batch_list(inbox[0])[0], feed)
    with pytest.raises(ApiResponseError):
        feed.parser.close()


# ---- the notified-resource check -----------------------------------------------------------------

GOOD = f"{DEFAULT_API_URL}{RESOURCE_PATH}/Batch/Bulk/50916?correlationID=e043071d-d93d-4876-8907-c501e622a825"
PATH = f"{RESOURCE_PATH}/Batch/Bulk/50916"
QUERY = "?correlationID=e043071d-d93d-4876-8907-c501e622a825"


@pytest.mark.parametrize(
    "url",
    [
        GOOD,
        f"https://api.pge.com:443{PATH}{QUERY}",
        f"https://API.PGE.COM{PATH}{QUERY}",
        f"HTTPS://api.pge.com{PATH}{QUERY}",
        f"https://api.pge.com{PATH}?correlationID=000000000",
    ],
)
def test_notified_resource_accepted(url: str) -> None:
    """The exact URL (same origin, default port explicit or not)."""
    client = PgeClient(None, client_id="i", client_secret="s")  # type: ignore[arg-type]
    assert client.is_notified_resource(url, "50916")


@pytest.mark.parametrize(
    "url",
    [
        f"http://api.pge.com{PATH}{QUERY}",  # scheme swap
        f"https://evil.example{PATH}{QUERY}",
        f"https://api.pge.com.evil.example{PATH}{QUERY}",
        f"https://evil.example/api.pge.com{PATH}{QUERY}",
        f"https://api.pge.com.{PATH}{QUERY}",
        f"https://pge.com{PATH}{QUERY}",
        f"https://xapi.pge.com{PATH}{QUERY}",
        f"https://api.pge.com:8443{PATH}{QUERY}",
        f"https://api.pge.com:80{PATH}{QUERY}",
        f"https://api.pge.com:0443x{PATH}{QUERY}",
        f"https://api.pge.com@evil.example{PATH}{QUERY}",
        f"https://user@api.pge.com{PATH}{QUERY}",
        f"https://user:pw@api.pge.com{PATH}{QUERY}",
        f"https://evil.example\\@api.pge.com{PATH}{QUERY}",
        f"https://api.pge.com{PATH}/../../../Authorization{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/../Bulk/50916{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/./50916{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/50916/..{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk%2F50916{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/50916%2F..%2F..{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/%35%30%39%31%36{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/50916/{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}//Batch/Bulk/50916{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/50952{QUERY}",  # other bulk id
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/509160{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Subscription/50916{QUERY}",
        f"https://api.pge.com{RESOURCE_PATH.lower()}/Batch/Bulk/50916{QUERY}",
        f"https://api.pge.com{PATH}",  # no query
        f"https://api.pge.com{PATH}?",
        f"https://api.pge.com{PATH}?correlationID=",
        f"https://api.pge.com{PATH}?correlationid=abc",
        f"https://api.pge.com{PATH}{QUERY}&access_token=x",  # extra params
        f"https://api.pge.com{PATH}?x=1&correlationID=abc",
        f"https://api.pge.com{PATH}{QUERY}&correlationID=other",
        f"https://api.pge.com{PATH}?correlationID=a%26b",
        f"https://api.pge.com{PATH}?correlationID=a/b",
        f"https://api.pge.com{PATH};x{QUERY}",
        f"https://api.pge.com{PATH}{QUERY}#fragment",
        f"https://api.pge.com{PATH}{QUERY}#",
        f" {GOOD}",
        f"{GOOD} ",
        f"https://api.pge.com{PATH}\n{QUERY}",
        f"https://api.pge.com\t{PATH}{QUERY}",
        f"https://api.pge.\u0441om{PATH}{QUERY}",  # Cyrillic es
        f"//api.pge.com{PATH}{QUERY}",
        f"{PATH}{QUERY}",
        f"ftp://api.pge.com{PATH}{QUERY}",
        "",
        "https://",
    ],
)
def test_notified_resource_refused(url: str) -> None:
    """Anything but the exact URL of this account's Bulk feed is refused."""
    client = PgeClient(None, client_id="i", client_secret="s")  # type: ignore[arg-type]
    assert client.is_notified_resource(GOOD, "50916")
    assert not client.is_notified_resource(url, "50916")


@pytest.mark.parametrize("bulk_id", ["", "50916/..", "50916?x", "509 16", "../50916"])
def test_notified_resource_bad_bulk_id(bulk_id: str) -> None:
    """A BulkID that is not a plain token never matches."""
    client = PgeClient(None, client_id="i", client_secret="s")  # type: ignore[arg-type]
    assert not client.is_notified_resource(
        f"https://api.pge.com{RESOURCE_PATH}/Batch/Bulk/{bulk_id}{QUERY}", bulk_id
    )


def test_notified_resource_under_a_base_path() -> None:
    """With a base path (the simulator's `/pge`), it is part of the exact path."""
    client = PgeClient(
        None,  # type: ignore[arg-type]
        client_id="i",
        client_secret="s",
        api_url="https://127.0.0.1:8443/pge/",
    )
    assert client.api_url == "https://127.0.0.1:8443/pge"
    good = f"https://127.0.0.1:8443/pge{PATH}{QUERY}"
    assert client.is_notified_resource(good, "50916")
    for url in (
        f"https://127.0.0.1:8443{PATH}{QUERY}",
        f"https://127.0.0.1:8444/pge{PATH}{QUERY}",
        f"https://127.0.0.1/pge{PATH}{QUERY}",
        f"http://127.0.0.1:8443/pge{PATH}{QUERY}",
        f"https://localhost:8443/pge{PATH}{QUERY}",
        f"https://127.0.0.1:8443/pge/x/..{PATH}{QUERY}",
    ):
        assert not client.is_notified_resource(url, "50916"), url


# ---- registration tests --------------------------------------------------------------------------


def _summary(steps: list[RegistrationStep]) -> list[tuple[str, bool, int | None]]:
    return [(step.name, step.ok, step.status) for step in steps]


async def test_registration_tests_pass(client: PgeClient, simulator: Simulator) -> None:
    """Test token, service status, sample data (200), authorization: all ok."""
    steps = await client.async_registration_tests()
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", True, 200),
        ("sample_data", True, 200),
        ("authorization", True, 200),
    ]
    assert steps[1].detail == "currentStatus 1"
    assert steps[3].detail == f"Bulk ID {PGE_BULK_ID}"
    assert _paths(simulator, TEST_TOKEN_PATH) == [200]
    assert _paths(simulator, TOKEN_PATH) == []  # the production token is untouched
    assert client.token_expires_at is None


async def test_registration_sample_data_accepted(
    client: PgeClient, simulator: Simulator
) -> None:
    """DownloadSampleData answering 202 is a pass too."""
    simulator.pge.sample_data_status = 202
    steps = await client.async_registration_tests()
    assert steps[2] == RegistrationStep(
        "sample_data", True, 202, "sample data request accepted (202)"
    )
    assert all(step.ok for step in steps)


async def test_registration_failing_steps_do_not_stop_the_others(
    client: PgeClient, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Service offline, a 404 on the sample, no Bulk authorization: each step reported."""
    simulator.pge.service_status = 0
    original = simulator.pge._authorization_entries  # noqa: SLF001
    monkeypatch.setattr(
        simulator.pge, "_authorization_entries", lambda *args: original(*args)[:1]
    )
    steps = await client.async_registration_tests()
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", False, 200),
        ("sample_data", True, 200),
        ("authorization", False, 200),
    ]
    assert steps[1].detail == "currentStatus 0"
    assert "no Batch/Bulk authorization" in steps[3].detail


@pytest.mark.parametrize(
    ("fault", "status", "detail"),
    [
        ("not_found", 404, r"not found \(404\)"),
        ("http_403", 403, r"credentials rejected \(403\)"),
        ("http_429", None, r"rate limited \(429\)"),
    ],
)
async def test_registration_token_step_errors(
    client: PgeClient,
    simulator: Simulator,
    fault: str,
    status: int | None,
    detail: str,
) -> None:
    """A failed test token keeps its status (none without an answer); the rest not run."""
    simulator.fault_next("pge", fault)
    steps = await client.async_registration_tests()
    assert (steps[0].ok, steps[0].status) == (False, status)
    assert re.search(detail, steps[0].detail)
    assert [(s.ok, s.status, s.detail) for s in steps[1:]] == [
        (False, None, "not run")
    ] * 3
    assert len(simulator.requests) == 1


async def test_registration_wrong_secret(make: Factory, simulator: Simulator) -> None:
    """A refused test token: the other steps are not run."""
    client = make(client_secret="wrong")
    steps = await client.async_registration_tests()
    assert _summary(steps) == [
        ("token", False, 400),
        ("service_status", False, None),
        ("sample_data", False, None),
        ("authorization", False, None),
    ]
    assert "credentials rejected" in steps[0].detail
    assert "wrong" not in steps[0].detail
    assert len(simulator.requests) == 1


@pytest.mark.parametrize("certificate", ["none", "expired"])
async def test_registration_certificate_refused(
    make: Factory, certificate: str
) -> None:
    """Without a valid certificate the token step says so."""
    steps = await make(certificate).async_registration_tests()
    assert _summary(steps)[0] == ("token", False, 400)
    assert "certificate refused" in steps[0].detail


async def test_registration_later_step_refused(
    client: PgeClient, simulator: Simulator
) -> None:
    """A 400 on service status and a 5xx storm on the sample data: reported, not raised."""
    real_token = client._token_request  # noqa: SLF001

    async def token_then_faults(*, test: bool) -> Any:
        response = await real_token(test=test)
        simulator.fault_next("pge", "http_400")
        simulator.fault_next("pge", "http_500", 4)
        return response

    client._token_request = token_then_faults  # type: ignore[method-assign]  # noqa: SLF001
    steps = await client.async_registration_tests()
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", False, 400),
        ("sample_data", False, None),
        ("authorization", True, 200),
    ]
    assert "certificate refused" in steps[1].detail
    assert "server error (500)" in steps[2].detail
    assert all(len(step.detail) <= 120 for step in steps)


# ---- budget and logs -----------------------------------------------------------------------------


async def test_requests_go_through_the_budget(make: Factory) -> None:
    """Every request, retries included, is counted against the account's budget."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = RequestBudget(PGE_LIMITS, clock=lambda: now[0], sleep=sleep)
    client = make(budget=budget)
    assert client.budget is budget
    await client.async_service_status()
    await client.async_bulk_id()
    assert budget.requests == 3
    assert now[0] >= 2.0  # one request a second


async def test_logs_and_errors_hold_no_secret(
    client: PgeClient, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the secret, a token nor the certificate appear in logs or errors."""
    caplog.set_level(logging.DEBUG)
    tokens = [await client.async_get_token()]
    simulator.fault_next("pge", "expired_token")
    await client.async_service_status()
    tokens.append(await client.async_get_token())
    simulator.fault_next("pge", "expired_token", 2)
    with pytest.raises(ApiAuthError) as refused:
        await client.async_service_status()
    tokens.append(await client.async_get_token())
    simulator.fault_next("pge", "not_found")
    with pytest.raises(ApiNotFoundError) as malformed:
        await client.async_get_token(test=True)
    text = "\n".join(
        [
            r.getMessage()
            for r in caplog.records
            if r.name.startswith("custom_components")
        ]
        + [str(refused.value), str(malformed.value)]
    )
    assert "token refused (403), renewing it" in text
    key = pki_material().client.key.decode().splitlines()[1]
    for secret in (PGE_CLIENT_SECRET, PGE_CLIENT_ID, key, *tokens):
        assert secret not in text
