"""PgeClient against the simulator over HTTPS with mutual TLS (no Home Assistant)."""

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

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
    CertificateRejectedError,
    PgeClient,
    describe,
    parse_batch_list,
    transaction_label,
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

from .common import FIXTURES, NOW, Canned, Factory, Feed, statuses

TEST_TOKEN_PATH = "/datacustodian/test/oauth/v2/token"


async def test_token_is_cached_until_a_minute_before_expiry(
    client: PgeClient, simulator: Simulator, clock: FakeClock
) -> None:
    """One token request for many calls; a new one 60 s before `expires_in` runs out."""
    token = await client.async_get_token()
    assert len(token) == 36
    assert await client.async_get_token() == token
    assert await client.async_service_status() == 1
    assert client.token_expires_at == NOW + timedelta(seconds=3600)
    assert statuses(simulator, TOKEN_PATH) == [200]
    clock.advance(3539)
    assert await client.async_get_token() == token
    clock.advance(2)
    renewed = await client.async_get_token()
    assert renewed != token
    assert statuses(simulator, TOKEN_PATH) == [200, 200]
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
    assert statuses(simulator, TEST_TOKEN_PATH) == [200]
    assert statuses(simulator, TOKEN_PATH) == [200]
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
    assert statuses(simulator, TOKEN_PATH) == [400]


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
    assert statuses(simulator, TOKEN_PATH) == [500, 502, 200]


@pytest.mark.parametrize("certificate", ["none", "expired", "rogue"])
async def test_certificate_refused(
    make: Factory, simulator: Simulator, certificate: str
) -> None:
    """No, expired or foreign client certificate: PG&E's 400 "Invalid Certificate"."""
    client = make(certificate)
    with pytest.raises(CertificateRejectedError, match="certificate refused"):
        await client.async_get_token()
    assert statuses(simulator, TOKEN_PATH) == [400]


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


async def test_server_errors_are_retried(
    client: PgeClient, simulator: Simulator
) -> None:
    """5xx on a resource: retried; a persistent one is ApiConnectionError."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_502")
    assert await client.async_service_status() == 1
    assert statuses(simulator, "/ReadServiceStatus") == [502, 200]
    simulator.fault_next("pge", "http_500", 4)
    with pytest.raises(ApiConnectionError, match=r"server error \(500\)"):
        await client.async_service_status()
    assert statuses(simulator, "/ReadServiceStatus")[2:] == [500] * 4


async def test_resource_certificate_refusal(
    client: PgeClient, simulator: Simulator
) -> None:
    """400 "Invalid Certificate" on a resource: CertificateRejectedError, no renewal."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_400")
    with pytest.raises(CertificateRejectedError):
        await client.async_service_status()
    assert statuses(simulator, TOKEN_PATH) == [200]


async def test_other_refusals(client: PgeClient, simulator: Simulator) -> None:
    """Another account's BulkID (400 without certificate text); an unknown path (404)."""
    with pytest.raises(ApiRejectedError) as err:
        await client.async_request_bulk(PGE_15MIN_BULK_ID)
    assert not isinstance(err.value, ApiNotFoundError)
    simulator.fault_next("pge", "not_found")
    with pytest.raises(ApiNotFoundError):
        await client.async_service_status()


async def test_expired_token_is_renewed_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """403 (expired): a new token, the request repeated, success."""
    first = await client.async_get_token()
    simulator.fault_next("pge", "expired_token")
    assert await client.async_service_status() == 1
    assert statuses(simulator, "/ReadServiceStatus") == [403, 200]
    assert statuses(simulator, TOKEN_PATH) == [200, 200]
    assert await client.async_get_token() != first


async def test_unknown_token_is_renewed_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """401 (unknown token, e.g. the server forgot it): renewed too."""
    await client.async_get_token()
    simulator.fault_next("pge", "http_401")
    assert await client.async_bulk_id() == PGE_BULK_ID
    assert statuses(simulator, "/Authorization") == [401, 200]


async def test_two_refusals_are_an_auth_error(
    client: PgeClient, simulator: Simulator
) -> None:
    """Refused again with a brand-new token: ApiAuthError, after exactly two tries."""
    await client.async_get_token()
    simulator.fault_next("pge", "expired_token", 2)
    with pytest.raises(ApiAuthError, match=r"access token refused \(403\)"):
        await client.async_service_status()
    assert statuses(simulator, "/ReadServiceStatus") == [403, 403]
    assert statuses(simulator, TOKEN_PATH) == [200, 200]


async def test_concurrent_callers_renew_once(
    client: PgeClient, simulator: Simulator
) -> None:
    """Callers refused with the same token share one renewal."""
    await client.async_get_token()
    simulator.pge.expire_tokens()
    results = await asyncio.gather(*(client.async_service_status() for _ in range(3)))
    assert results == [1, 1, 1]
    assert statuses(simulator, TOKEN_PATH) == [200, 200]


async def test_bulk_notify_fetch_parse(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """202, the BatchList arrives, its URLs pass the check, the feeds stream into the parser."""
    assert await client.async_request_bulk(PGE_BULK_ID) is True
    assert statuses(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [202]
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
    assert statuses(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [204]
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
    assert statuses(simulator, f"/Batch/Bulk/{PGE_BULK_ID}") == [403, 200]


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


async def test_bulk_answer_labels_its_notification(
    client: PgeClient, simulator: Simulator
) -> None:
    """The 202's transaction label comes back on the notification that answers it."""
    posted: list[tuple[bytes, dict[str, str]]] = []

    async def receive(body: bytes, headers: Mapping[str, str]) -> None:
        posted.append((body, dict(headers)))

    simulator.pge.notification_target = receive
    answer = await client.async_bulk_request(PGE_BULK_ID)
    assert answer.accepted
    assert answer.transaction is not None
    await simulator.pge.wait_for_notifications(1, timeout=5)
    assert transaction_label(posted[0][1]) == answer.transaction
    # PG&E's unsolicited daily push, and a simulator told not to link: no label.
    simulator.pge.link_notifications = False
    await client.async_bulk_request(PGE_BULK_ID)
    await simulator.pge.notify_latest()
    await simulator.pge.wait_for_notifications(3, timeout=5)
    assert [transaction_label(headers) for _, headers in posted[1:]] == [None, None]


@pytest.mark.parametrize(
    ("headers", "label"),
    [
        (
            {"x-transaction-id": "0b2479f3-eec7-4a15-b46b-8f90c647e21e"},
            "0b2479f3-eec7-4a15-b46b-8f90c647e21e",
        ),
        ({"x-transaction": " abcdefgh12 "}, "abcdefgh12"),
        ({"x-transaction-id": "short"}, None),
        ({"x-transaction-id": "no spaces allowed here"}, None),
        ({"x-transaction-id": "x" * 200}, None),
        ({}, None),
    ],
)
def test_transaction_label(headers: dict[str, str], label: str | None) -> None:
    """Only a plain token of 8 to 128 characters is a label."""
    assert transaction_label(headers) == label


async def test_fetch_cut_mid_body(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """The connection dropping halfway through a feed: a connection error after data came."""
    assert await client.async_request_bulk(PGE_BULK_ID)
    await simulator.pge.wait_for_notifications(1, timeout=5)
    simulator.fault_next("pge", "drop_body")
    feed = Feed()
    with pytest.raises(ApiConnectionError, match="while reading the body"):
        await client.async_fetch(parse_batch_list(inbox[0])[0], feed)
    assert feed.chunks


async def test_closed_service_leaves_the_notification(
    client: PgeClient, simulator: Simulator, inbox: list[bytes]
) -> None:
    """A usage point closed before the days asked is not listed (nothing to fetch)."""
    account = simulator.pge.account("demo")
    account.usage_points[1] = replace(
        account.usage_points[1], last_day=datetime(2025, 10, 1).date()
    )
    assert await client.async_request_bulk(PGE_BULK_ID)
    await simulator.pge.wait_for_notifications(1, timeout=5)
    assert len(parse_batch_list(inbox[0])) == 1


@pytest.mark.parametrize(
    ("path", "described"),
    [
        (
            "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50916?correlationID=abc",
            "pge GET /GreenButtonConnect/espi/1_1/resource/Batch/Bulk/…",
        ),
        (
            "/GreenButtonConnect/espi/1_1/resource/ReadServiceStatus",
            "pge GET /GreenButtonConnect/espi/1_1/resource/ReadServiceStatus",
        ),
        ("https://[/x", "pge GET (malformed URL)"),
    ],
)
def test_describe_masks_the_bulk_id(path: str, described: str) -> None:
    """Logged and raised paths never hold the Bulk ID (too short for the generic mask)."""
    assert describe(path) == described


@pytest.mark.parametrize(
    "url", ["https://[/x", "https://[::1/x", "https://a:99999999/x"]
)
def test_malformed_urls_are_refused(client: PgeClient, url: str) -> None:
    """`urlsplit` raising is a refusal, not a crash."""
    assert not client.is_notified_resource(url, PGE_BULK_ID)
