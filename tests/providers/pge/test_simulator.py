"""Tests of the PG&E Share My Data part of the simulator (plain aiohttp, no Home Assistant)."""

from collections.abc import AsyncGenerator, Mapping
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
import re
import ssl
import time
from typing import Any
import uuid
import xml.etree.ElementTree as ET

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
import pytest

from custom_components.openpower.api.pge.customer import (
    EnrollmentStatus,
    parse_customer_feed,
)
from custom_components.openpower.api.pge.espi import (
    LineItemKind,
    UsageSummary,
    parse_espi,
)
from custom_components.openpower.api.pge.resources import (
    Authorization,
    AuthorizationStatus,
    parse_authorizations,
)
from tests.simulator import (
    PGE_15MIN_BULK_ID,
    PGE_15MIN_CLIENT_ID,
    PGE_15MIN_CLIENT_SECRET,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    FakeClock,
    PgeUsagePoint,
    Simulator,
    batch_list,
    build_feed,
    client_ssl_context,
    pki_files,
    pki_material,
    rate_usage,
)
from tests.simulator.pge_customer import customer_feed
from tests.simulator.pge_feed import (
    FLOW_DELIVERED,
    FLOW_RECEIVED,
    LineItem,
    billing_periods,
    day_readings,
    local_midnight,
    open_period_summary,
    readings,
    usage_summary,
)

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
ATOM = "{http://www.w3.org/2005/Atom}"
ESPI = "{http://naesb.org/espi}"
RESOURCE = "/GreenButtonConnect/espi/1_1/resource"
TOKEN = "/datacustodian/oauth/v2/token"
TEST_TOKEN = "/datacustodian/test/oauth/v2/token"
# Thursday 20 November 2025, 11:30 in California (PST): the latest served day is the 19th.
NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
INVALID_CERTIFICATE = b'"Invalid Certificate"'

type Readings = dict[int, list[tuple[int, int, int]]]
type Params = Mapping[str, str | int]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture(autouse=True)
def pge_settings() -> None:
    """Replace the provider's autouse fixture: no Home Assistant to give settings to."""


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """Return a simulator on the fake clock, notifying within 50 ms."""
    simulator = Simulator(clock=clock)
    simulator.pge.notification_delay = 0.05
    return simulator


@pytest.fixture
async def server(
    socket_enabled: None, simulator: Simulator
) -> AsyncGenerator[Simulator]:
    """Serve the simulator over HTTP and HTTPS (mutual TLS) on 127.0.0.1."""
    await simulator.start(tls=True)
    yield simulator
    await simulator.stop()


@pytest.fixture
def inbox(simulator: Simulator) -> list[bytes]:
    """Collect the PG&E notifications through an injected callback."""
    bodies: list[bytes] = []

    async def receive(body: bytes, _headers: Mapping[str, str]) -> None:
        bodies.append(body)

    simulator.pge.notification_target = receive
    return bodies


class Pge:
    """A PG&E client of the simulator: one session with one client certificate."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Use `session` against the `…/pge` base."""
        self.session = session
        self.base = base

    async def token(
        self,
        client_id: str = PGE_CLIENT_ID,
        secret: str = PGE_CLIENT_SECRET,
        *,
        path: str = TOKEN,
    ) -> str:
        async with self.session.post(
            self.base + path,
            data={"grant_type": "client_credentials"},
            headers=_basic(client_id, secret),
        ) as response:
            assert response.status == 200, await response.text()
            return str((await response.json())["client_access_token"])

    async def get(
        self, path: str, token: str | None, params: Params | None = None
    ) -> tuple[int, bytes, Any]:
        """GET `path` (relative to the base, or an absolute URL): status, body, headers."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = path if path.startswith(("http://", "https://")) else self.base + path
        async with self.session.get(
            url, headers=headers, params={k: str(v) for k, v in (params or {}).items()}
        ) as response:
            return response.status, await response.read(), response.headers

    async def bulk(
        self, token: str, params: Params | None = None, *, bulk_id: str = PGE_BULK_ID
    ) -> int:
        status, body, _ = await self.get(
            f"{RESOURCE}/Batch/Bulk/{bulk_id}", token, params
        )
        assert body == b""
        return status


@pytest.fixture
async def pge(server: Simulator) -> AsyncGenerator[Pge]:
    """A client with the valid certificate, on the HTTPS base."""
    context = client_ssl_context("client")
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context)
    ) as session:
        yield Pge(session, server.urls("pge")["api_url"])


def _basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(login, password)}


def _xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - the simulator's own output


def _entries(root: ET.Element) -> list[tuple[str, dict[str, list[str]], ET.Element]]:
    """(ESPI element name, links by rel, ESPI element) of every entry."""
    result = []
    for item in root.iter(f"{ATOM}entry"):
        links: dict[str, list[str]] = {}
        for link in item.findall(f"{ATOM}link"):
            links.setdefault(link.get("rel", ""), []).append(link.get("href", ""))
        content = item.find(f"{ATOM}content")
        assert content is not None and len(content) == 1
        result.append((content[0].tag.removeprefix(ESPI), links, content[0]))
    return result


def _int(element: ET.Element, path: str) -> int:
    text = element.findtext("/".join(ESPI + part for part in path.split("/")))
    assert text is not None, path
    return int(text)


def _readings(root: ET.Element) -> Readings:
    """Readings (start, duration, value) by flow direction, resolved through the links."""
    entries = _entries(root)
    flows = {
        links["self"][0]: _int(element, "flowDirection")
        for kind, links, element in entries
        if kind == "ReadingType"
    }
    meter = {}
    for kind, links, _ in entries:
        if kind == "MeterReading":
            reading_type = next(h for h in links["related"] if "/ReadingType/" in h)
            meter[links["self"][0] + "/IntervalBlock"] = flows[reading_type]
    result: Readings = {}
    for kind, links, element in entries:
        if kind == "IntervalBlock":
            values = result.setdefault(meter[links["up"][0]], [])
            values.extend(
                (
                    _int(r, "timePeriod/start"),
                    _int(r, "timePeriod/duration"),
                    _int(r, "value"),
                )
                for r in element.findall(f"{ESPI}IntervalReading")
            )
    return result


def _blocks(root: ET.Element) -> list[tuple[int, int, int]]:
    """(start, duration, number of readings) of every IntervalBlock, in order."""
    return [
        (
            _int(element, "interval/start"),
            _int(element, "interval/duration"),
            len(element.findall(f"{ESPI}IntervalReading")),
        )
        for kind, _, element in _entries(root)
        if kind == "IntervalBlock"
    ]


def _midnight(day: date) -> int:
    return local_midnight(day)


async def _request(
    pge: Pge, simulator: Simulator, first: date, last: date
) -> list[str]:
    """Ask for the local days `first`..`last`, wait for the notification, return its URLs."""
    token = await pge.token()
    before = len(simulator.pge.notifications)
    status = await pge.bulk(
        token,
        {
            "published-min": _midnight(first),
            "published-max": _midnight(last) + 3600,
        },
    )
    assert status == 202
    notifications = await simulator.pge.wait_for_notifications(before + 1, timeout=5)
    return [r.text or "" for r in _xml(notifications[-1].body)]


# --------------------------------------------------------------------------------------------
# Certificates and mutual TLS


def test_pki_material() -> None:
    """A CA, a server certificate for 127.0.0.1, valid / expired / rogue clients, a stray key."""
    material = pki_material()
    assert pki_material() is material
    ca = x509.load_pem_x509_certificate(material.ca.cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    server = x509.load_pem_x509_certificate(material.server.cert)
    server.verify_directly_issued_by(ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == [
        "127.0.0.1",
        "::1",
    ]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    client = x509.load_pem_x509_certificate(material.client.cert)
    client.verify_directly_issued_by(ca)
    usages = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usages
    public_key = client.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size >= 2048
    assert client.not_valid_after_utc.year == 2099
    expired = x509.load_pem_x509_certificate(material.expired_client.cert)
    assert expired.not_valid_after_utc < datetime(2002, 1, 1, tzinfo=UTC)
    rogue = x509.load_pem_x509_certificate(material.rogue_client.cert)
    with pytest.raises(ValueError):
        rogue.verify_directly_issued_by(ca)
    files = pki_files()
    assert files.ca_cert.read_bytes() == material.ca.cert
    assert files.client_key.read_bytes() == material.client.key
    assert files.client_key.stat().st_mode & 0o077 == 0
    with pytest.raises(ssl.SSLError, match="KEY_VALUES_MISMATCH"):
        client_ssl_context("mismatched")


async def test_mtls_accepted(pge: Pge, server: Simulator) -> None:
    """A valid client certificate over TLS 1.2 gets the token and the resources."""
    token = await pge.token()
    status, body, headers = await pge.get(f"{RESOURCE}/ReadServiceStatus", token)
    assert status == 200
    assert headers["Server"] == "Mulesoft-API-Gateway"
    assert re.fullmatch(UUID, headers["x-transaction-id"])
    assert _xml(body)[0].text == "1"
    assert [r.account for r in server.requests] == ["demo", "demo"]

    only_13 = client_ssl_context("client")
    only_13.minimum_version = ssl.TLSVersion.TLSv1_3
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            await session.get(pge.base + TOKEN, ssl=only_13)


@pytest.mark.parametrize("cert", ["none", "expired", "rogue"])
async def test_mtls_refused(server: Simulator, cert: str) -> None:
    """No, an expired or a foreign client certificate: PG&E's 400 "Invalid Certificate"."""
    context = client_ssl_context(cert)
    base = server.urls("pge")["api_url"]
    token = server.pge.issue_token()
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=context)
    ) as session:
        bearer = {"Authorization": f"Bearer {token}"}
        for method, path, data, headers in [
            (
                "POST",
                TOKEN,
                {"grant_type": "client_credentials"},
                _basic(PGE_CLIENT_ID, PGE_CLIENT_SECRET),
            ),
            ("GET", f"{RESOURCE}/ReadServiceStatus", None, bearer),
            ("GET", f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}", None, bearer),
        ]:
            async with session.request(
                method, base + path, data=data, headers=headers
            ) as response:
                assert response.status == 400
                assert await response.read() == INVALID_CERTIFICATE
                assert response.headers["Content-Type"] == "application/json"
                assert response.headers["Server"] == "Mulesoft-API-Gateway"
        # Routing comes first: unknown paths and GET on the token endpoint answer without a cert.
        async with session.get(f"{base}{RESOURCE}/UsagePoint") as response:
            assert response.status == 404
            assert await response.text() == (
                f"No listener for endpoint: {RESOURCE}/UsagePoint"
            )
        async with session.get(base + TOKEN) as response:
            assert response.status == 405
    assert server.pge.pending_notifications == 0
    assert {r.account for r in server.requests} == {None}


async def test_server_certificate_needs_the_test_ca(server: Simulator) -> None:
    """The HTTPS listener's certificate is trusted only through the test CA."""
    context = client_ssl_context("client", trust_ca=False)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get(server.urls("pge")["api_url"] + TOKEN, ssl=context)


async def test_plain_http(server: Simulator, inbox: list[bytes]) -> None:
    """Plain HTTP works without a certificate (scripts/develop) unless it is switched off."""
    base = server.urls("pge")["http_api_url"]
    assert base == server.base_url("pge")
    assert base.startswith("http://127.0.0.1:")
    async with aiohttp.ClientSession() as session:
        pge = Pge(session, base)
        token = await pge.token()
        urls = await _request(pge, server, date(2025, 11, 18), date(2025, 11, 18))
        assert all(url.startswith(base + RESOURCE + "/Batch/Bulk/") for url in urls)
        status, body, _ = await pge.get(urls[0], token)
        assert status == 200
        links = [h for _, rels, _ in _entries(_xml(body)) for h in rels["self"]]
        assert all(h.startswith(base + RESOURCE) for h in links)

        server.pge.allow_plain_http = False
        status, body, _ = await pge.get(f"{RESOURCE}/ReadServiceStatus", token)
        assert (status, body) == (400, INVALID_CERTIFICATE)


async def test_unknown_path_and_method(pge: Pge) -> None:
    """Mule's 404 for an unknown listener, 405 for another method on a resource."""
    status, body, headers = await pge.get("/GreenButtonConnect/bogus", None)
    assert (status, body) == (
        404,
        b"No listener for endpoint: /GreenButtonConnect/bogus",
    )
    assert headers["Content-Type"].startswith("text/plain")
    async with pge.session.post(f"{pge.base}{RESOURCE}/ReadServiceStatus") as response:
        assert response.status == 405
        assert await response.text() == (
            f"Method not allowed for endpoint: {RESOURCE}/ReadServiceStatus"
        )


# --------------------------------------------------------------------------------------------
# OAuth


async def test_token(pge: Pge, server: Simulator, clock: FakeClock) -> None:
    """client_credentials with Basic auth, form or query: PG&E's JSON, keys in its order."""
    async with pge.session.post(
        pge.base + TOKEN,
        data={"grant_type": "client_credentials"},
        headers=_basic(PGE_CLIENT_ID, PGE_CLIENT_SECRET),
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        text = await response.text()
    payload = json.loads(text)
    assert list(payload) == ["token_type", "client_access_token", "expires_in", "scope"]
    assert payload["token_type"] == "Bearer"
    assert re.fullmatch(UUID, payload["client_access_token"])
    assert (payload["expires_in"], payload["scope"]) == (3600, "5+6+7")

    async with pge.session.post(
        pge.base + TOKEN,
        params={"grant_type": "client_credentials"},
        headers=_basic(PGE_15MIN_CLIENT_ID, PGE_15MIN_CLIENT_SECRET),
    ) as response:
        assert response.status == 200
        other = (await response.json())["client_access_token"]
    assert other != payload["client_access_token"]
    assert [r.account for r in server.requests] == ["demo", "fifteen"]
    clock.advance(3599)
    status, _, _ = await pge.get(
        f"{RESOURCE}/ReadServiceStatus", payload["client_access_token"]
    )
    assert status == 200


@pytest.mark.parametrize(
    ("method", "auth", "data", "status", "expected"),
    [
        (
            "GET",
            (PGE_CLIENT_ID, PGE_CLIENT_SECRET),
            None,
            405,
            {"error": "invalid_request", "error_description": "GET not permitted"},
        ),
        (
            "POST",
            (PGE_CLIENT_ID, PGE_CLIENT_SECRET),
            {},
            400,
            {"error": "invalid_request", "error_description": "Missing grant_type"},
        ),
        (
            "POST",
            (PGE_CLIENT_ID, "wrong"),
            {"grant_type": "client_credentials"},
            400,
            {
                "error": "invalid_request",
                "error_description": "client credentials doesn't match",
            },
        ),
        (
            "POST",
            ("unknown", PGE_CLIENT_SECRET),
            {"grant_type": "client_credentials"},
            400,
            {
                "error": "invalid_request",
                "error_description": "client credentials doesn't match",
            },
        ),
        (
            "POST",
            None,
            {"grant_type": "client_credentials"},
            400,
            {
                "error": "invalid_request",
                "error_description": "client credentials doesn't match",
            },
        ),
        (
            "POST",
            (PGE_CLIENT_ID, PGE_CLIENT_SECRET),
            {"grant_type": "authorization_code", "code": "x"},
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "Unsupported grant_type",
            },
        ),
    ],
)
async def test_token_errors(
    pge: Pge,
    server: Simulator,
    method: str,
    auth: tuple[str, str] | None,
    data: dict[str, str] | None,
    status: int,
    expected: dict[str, str],
) -> None:
    """RFC 6749 errors: GET 405, missing grant_type, bad credentials, other grants."""
    async with pge.session.request(
        method,
        pge.base + TOKEN,
        data=data,
        headers=_basic(*auth) if auth else None,
    ) as response:
        assert response.status == status
        assert await response.json() == expected
    assert server.requests[-1].account is None


async def test_bearer_errors(pge: Pge, server: Simulator, clock: FakeClock) -> None:
    """401 for a missing or unknown token, 403 for an expired one (clock, expire_tokens, fault)."""
    path = f"{RESOURCE}/ReadServiceStatus"
    for token in (None, "not-a-token", str(uuid.uuid4())):
        status, body, headers = await pge.get(path, token)
        assert status == 401
        assert json.loads(body) == {
            "error": "invalid_token",
            "error_description": "Invalid access token",
        }
        assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    expired = {"error": "invalid_token", "error_description": "Access token expired"}
    token = await pge.token()
    clock.advance(3600)
    status, body, _ = await pge.get(path, token)
    assert (status, json.loads(body)) == (403, expired)

    token = await pge.token()
    server.pge.expire_tokens()
    assert (await pge.get(path, token))[0] == 403

    token = await pge.token()
    server.fault_next("pge", "expired_token")
    await pge.token()  # no bearer: does not take the fault
    assert (await pge.get(path, token))[0] == 403
    assert (await pge.get(path, token))[0] == 403  # it stays expired
    assert (await pge.get(path, await pge.token()))[0] == 200


async def test_test_endpoint_tokens(pge: Pge) -> None:
    """Registration-test tokens do the "complete testing" steps but cannot request data."""
    token = await pge.token(path=TEST_TOKEN)
    for resource in ("ReadServiceStatus", "DownloadSampleData", "Authorization"):
        assert (await pge.get(f"{RESOURCE}/{resource}", token))[0] == 200
    status, body, _ = await pge.get(f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}", token)
    assert status == 403
    assert json.loads(body)["error"] == "insufficient_scope"


# --------------------------------------------------------------------------------------------
# Service status, sample data, authorizations


async def test_service_status(pge: Pge, server: Simulator) -> None:
    """The fixture's ServiceStatus document; `service_status` takes the service offline."""
    token = await pge.token()
    status, body, headers = await pge.get(f"{RESOURCE}/ReadServiceStatus", token)
    assert status == 200
    assert headers["Content-Type"] == "application/xml"
    root = _xml(body)
    assert root.tag == f"{ESPI}ServiceStatus"
    assert root[0].tag == f"{ESPI}currentStatus"
    assert root[0].text == "1"
    fixture = _xml((FIXTURES / "readservicestatus_response_example.xml").read_bytes())
    assert [e.tag for e in root.iter()] == [e.tag for e in fixture.iter()]
    server.pge.service_status = 0
    assert (
        _xml((await pge.get(f"{RESOURCE}/ReadServiceStatus", token))[1])[0].text == "0"
    )


async def test_download_sample_data(pge: Pge, server: Simulator) -> None:
    """200 with the captured sample feed, or 202 and nothing."""
    token = await pge.token(path=TEST_TOKEN)
    status, body, headers = await pge.get(f"{RESOURCE}/DownloadSampleData", token)
    assert status == 200
    assert headers["Content-Type"] == "application/atom+xml"
    assert (
        body == (FIXTURES / "espi_pge_electric_hourly_1day_2019-10-03.xml").read_bytes()
    )
    server.pge.sample_data_status = 202
    assert (await pge.get(f"{RESOURCE}/DownloadSampleData", token))[:2] == (202, b"")


async def test_authorization_bulk_id(pge: Pge) -> None:
    """The Authorization feed gives the BulkID the way pgesmd_self_access finds it."""
    resource_root = pge.base + RESOURCE
    for client_id, secret, expected in [
        (PGE_CLIENT_ID, PGE_CLIENT_SECRET, PGE_BULK_ID),
        (PGE_15MIN_CLIENT_ID, PGE_15MIN_CLIENT_SECRET, PGE_15MIN_BULK_ID),
    ]:
        token = await pge.token(client_id, secret)
        status, body, _ = await pge.get(f"{RESOURCE}/Authorization", token)
        assert status == 200
        root = _xml(body)
        assert root.tag == f"{ATOM}feed"
        uris = [e.text or "" for e in root.iter(f"{ESPI}resourceURI")]
        bulk = [
            uri.removeprefix(f"{resource_root}/Batch/Bulk/")
            for uri in uris
            if uri.startswith(f"{resource_root}/Batch/Bulk/")
        ]
        assert bulk == [expected]
        assert any("/Batch/Subscription/" in uri for uri in uris)
        entries = _entries(root)
        assert [kind for kind, _, _ in entries] == ["Authorization", "Authorization"]
        fixture = _xml(
            (FIXTURES / "espi_gba_authorization_entry_anonymized.xml").read_bytes()
        )
        fixture_fields = [e.tag for e in fixture.iter() if e.tag.startswith(ESPI)]
        bulk_entry = entries[1][2]
        assert [e.tag for e in bulk_entry.iter()] == [
            f for f in fixture_fields if not f.endswith("customerResourceURI")
        ]
        assert bulk_entry.findtext(f"{ESPI}grant_type") == "client_credentials"
        assert (bulk_entry.findtext(f"{ESPI}scope") or "").endswith(f";BR={expected}")
        self_link = entries[1][1]["self"][0]
        status, body, _ = await pge.get(self_link, token)
        assert status == 200
        assert _xml(body).findtext(f".//{ESPI}resourceURI") == (
            f"{resource_root}/Batch/Bulk/{expected}"
        )
    assert (await pge.get(f"{RESOURCE}/Authorization/999", token))[0] == 404


# --------------------------------------------------------------------------------------------
# Bulk requests, notifications and feeds


async def test_bulk_notification_and_feeds(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """202, then a BatchList in the captured shape, then one feed per usage point."""
    token = await pge.token()
    first, last = date(2025, 11, 16), date(2025, 11, 18)
    status = await pge.bulk(
        token,
        {
            "published-min": _midnight(first),
            "published-max": _midnight(last) + 23 * 3600,
        },
    )
    assert status == 202
    assert inbox == []
    assert server.pge.pending_notifications == 1
    notifications = await server.pge.wait_for_notifications(1)
    assert inbox == [notifications[0].body]
    assert (notifications[0].account, notifications[0].status) == ("demo", 200)
    assert notifications[0].time == NOW

    resource = re.escape(
        f"{pge.base}{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}?correlationID="
    )
    item = f"<ns0:resources>{resource}({UUID})</ns0:resources>"
    match = re.fullmatch(
        r'<\?xml version="1.0" encoding="UTF-8"\?>\n'
        rf'<ns0:BatchList xmlns:ns0="http://naesb.org/espi">{item}{item}</ns0:BatchList>',
        inbox[0].decode(),
    )
    assert match, inbox[0]
    urls = [r.text or "" for r in _xml(inbox[0])]

    status, body, headers = await pge.get(urls[0], token)
    assert status == 200
    assert headers["Content-Type"] == "application/atom+xml"
    assert body.startswith(
        b'<ns1:feed xmlns:ns0="http://naesb.org/espi" xmlns:ns1="http://www.w3.org/2005/Atom">'
    )
    electric = _xml(body)
    assert electric.find(f"{ATOM}link").get("href") == (  # type: ignore[union-attr]
        f"{pge.base}{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}"
    )
    kinds = [kind for kind, _, _ in _entries(electric)]
    assert kinds == [
        "LocalTimeParameters",
        "ReadingType",
        "UsagePoint",
        "MeterReading",
        *["IntervalBlock"] * 3,
        "ReadingType",
        "MeterReading",
        *["IntervalBlock"] * 3,
        "UsageSummary",
        "ReadingType",
        "ProgramIdMappings",
    ]
    values = _readings(electric)
    assert sorted(values) == [FLOW_DELIVERED, FLOW_RECEIVED]
    for flow, items in values.items():
        assert len(items) == 72
        assert [start for start, _, _ in items] == list(
            range(_midnight(first), _midnight(last) + 86400, 3600)
        )
        assert {duration for _, duration, _ in items} == {3600}
        assert sum(v for _, _, v in items) > 0, flow
    assert (
        _blocks(electric)
        == [(_midnight(day), 86400, 24) for day in (first, date(2025, 11, 17), last)]
        * 2
    )
    summary = next(e for k, _, e in _entries(electric) if k == "UsageSummary")
    assert _int(summary, "billingPeriod/start") == _midnight(date(2025, 10, 18))
    assert _int(summary, "currency") == 840
    assert summary.findtext(f"{ESPI}tariffProfile") == "HE6N"
    assert _int(summary, "statusTimeStamp") == int(NOW.timestamp() * 1000)

    status, body, _ = await pge.get(urls[1], token)
    assert status == 200
    gas = _xml(body)
    assert _readings(gas) == {
        FLOW_DELIVERED: [
            (r.start, r.duration, r.value)
            for r in readings(server.pge.account().usage_points[1], first, last)
        ]
    }
    assert _blocks(gas) == [
        (_midnight(d) + 1, 86400, 1) for d in (first, date(2025, 11, 17), last)
    ]
    reading_type = next(e for k, _, e in _entries(gas) if k == "ReadingType")
    assert [
        _int(reading_type, f) for f in ("commodity", "uom", "powerOfTenMultiplier")
    ] == [
        7,
        169,
        -8,
    ]
    assert [r.status for r in server.requests] == [200, 202, 200, 200]
    assert rate_usage(server.requests, "demo") == {"second": 4, "hour": 4, "day": 4}


def test_feed_shape_matches_capture() -> None:
    """A generated 15-minute net-metering day is the captured PG&E feed, element for element."""
    capture = (
        FIXTURES / "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml"
    ).read_bytes()
    point = PgeUsagePoint("6774520887", "4267109", "electric", 900, net_metering=True)
    generated = build_feed(
        point,
        date(2019, 12, 7),
        date(2019, 12, 7),
        bulk_id="50952",
        created=datetime(2019, 12, 9, 14, 16, 19, 400000, UTC),
        summaries=False,
    )

    volatile = {f"{ATOM}id", f"{ATOM}published", f"{ATOM}updated"}

    def skeleton(
        document: bytes,
    ) -> list[tuple[str, list[tuple[str, str]], str | None]]:
        """Every element but the readings: tag, attributes (hrefs too) and text."""
        result: list[tuple[str, list[tuple[str, str]], str | None]] = []

        def walk(node: ET.Element) -> None:
            text = None if node.tag in volatile else (node.text or "").strip()
            result.append((node.tag, sorted(node.attrib.items()), text))
            for child in node:
                if child.tag != f"{ESPI}IntervalReading":
                    walk(child)

        walk(_xml(document))
        return result

    assert skeleton(generated) == skeleton(capture)
    assert generated.count(b"\n\t") == capture.count(b"\n\t") == 3
    assert generated.endswith(b"</ns1:entry></ns1:feed>\n")
    root = _xml(generated)
    assert _blocks(root) == [(1575705600, 86400, 96), (1575705600, 86400, 96)]
    first_reading = root.find(f".//{ESPI}IntervalReading")
    assert first_reading is not None
    assert [child.tag.removeprefix(ESPI) for child in first_reading] == [
        "ReadingQuality",
        "timePeriod",
        "value",
        "tou",
    ]


async def test_dst_days(pge: Pge, server: Simulator, clock: FakeClock) -> None:
    """Fall-back days are 25-hour blocks, spring-forward days 23-hour ones (and split on demand)."""
    fall_back = date(2025, 11, 2)
    urls = await _request(pge, server, fall_back, fall_back)
    token = await pge.token()
    electric = _xml((await pge.get(urls[0], token))[1])
    assert _blocks(electric) == [(_midnight(fall_back), 90000, 25)] * 2
    gas = _xml((await pge.get(urls[1], token))[1])
    assert _blocks(gas) == [(_midnight(fall_back) + 1, 90000, 1)]

    fifteen = await pge.token(PGE_15MIN_CLIENT_ID, PGE_15MIN_CLIENT_SECRET)
    status = await pge.bulk(
        fifteen,
        {"published-min": _midnight(fall_back), "published-max": _midnight(fall_back)},
        bulk_id=PGE_15MIN_BULK_ID,
    )
    assert status == 202
    notifications = await server.pge.wait_for_notifications(2)
    url = _xml(notifications[-1].body)[0].text or ""
    assert f"/Batch/Bulk/{PGE_15MIN_BULK_ID}?" in url
    quarter = _xml((await pge.get(url, fifteen))[1])
    assert _blocks(quarter) == [(_midnight(fall_back), 90000, 100)] * 2
    assert {d for items in _readings(quarter).values() for _, d, _ in items} == {900}

    clock.now = datetime(2026, 3, 20, 19, 0, tzinfo=UTC)
    spring = date(2026, 3, 8)
    server.pge.dst_blocks = "split"
    urls = await _request(pge, server, spring, spring)
    token = await pge.token()
    split = _xml((await pge.get(urls[0], token))[1])
    assert _blocks(split)[:2] == [
        (_midnight(spring), 7200, 2),
        (_midnight(spring) + 7200, 75600, 21),
    ]
    server.pge.dst_blocks = "single"
    assert _blocks(_xml((await pge.get(urls[0], token))[1]))[0] == (
        _midnight(spring),
        82800,
        23,
    )
    starts = [s for s, _, _ in _readings(split)[FLOW_DELIVERED]]
    assert starts == list(range(_midnight(spring), _midnight(spring) + 82800, 3600))


async def test_range_rules(pge: Pge, server: Simulator, inbox: list[bytes]) -> None:
    """Epoch or Zulu bounds, local days whose midnight is in range, latest day, 204, 400s."""
    token = await pge.token()
    day = date(2025, 11, 10)
    zulu = datetime.fromtimestamp(_midnight(day), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    urls = await _request(pge, server, day, day)
    by_epoch = await pge.get(urls[0], token)
    assert await pge.bulk(token, {"published-min": zulu, "published-max": zulu}) == 202
    notifications = await server.pge.wait_for_notifications(2)
    by_zulu = await pge.get(_xml(notifications[-1].body)[0].text or "", token)
    assert _readings(_xml(by_zulu[1])) == _readings(_xml(by_epoch[1]))
    assert _blocks(_xml(by_zulu[1]))[0][0] == _midnight(day)

    # One second after midnight: that day is out; the next midnight is in.
    assert (
        await pge.bulk(
            token,
            {
                "published-min": _midnight(day) + 1,
                "published-max": _midnight(day) + 86400,
            },
        )
        == 202
    )
    notifications = await server.pge.wait_for_notifications(3)
    feed = _xml((await pge.get(_xml(notifications[-1].body)[0].text or "", token))[1])
    assert [s for s, _, _ in _blocks(feed)][:1] == [_midnight(date(2025, 11, 11))]

    # No parameters: the latest day available (yesterday, after 8 a.m.).
    assert await pge.bulk(token) == 202
    notifications = await server.pge.wait_for_notifications(4)
    feed = _xml((await pge.get(_xml(notifications[-1].body)[0].text or "", token))[1])
    assert _blocks(feed)[0] == (_midnight(date(2025, 11, 19)), 86400, 24)
    assert server.pge.available_days()[1] == date(2025, 11, 19)

    # Nothing available: 204 and no notification.
    empty: list[Params] = [
        {"published-min": _midnight(date(2025, 11, 20))},
        {"published-max": _midnight(date(2021, 11, 1))},
    ]
    for params in empty:
        assert await pge.bulk(token, params) == 204
    invalid: list[Params] = [
        {"published-min": "yesterday"},
        {"published-min": "2025-11-10"},
        {"published-min": _midnight(day) + 10, "published-max": _midnight(day)},
    ]
    for params in invalid:
        status, body, _ = await pge.get(
            f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}", token, params
        )
        assert status == 400
        assert json.loads(body)["error_description"] == "Invalid published-min"
    status, body, _ = await pge.get(f"{RESOURCE}/Batch/Bulk/{PGE_15MIN_BULK_ID}", token)
    assert (status, json.loads(body)["error_description"]) == (
        400,
        "client credentials doesn't match",
    )
    assert server.pge.pending_notifications == 0
    assert len(await server.pge.deliver_pending()) == 0
    assert len(inbox) == 4


async def test_fetch_errors(pge: Pge, server: Simulator, clock: FakeClock) -> None:
    """Unknown, foreign or stale correlationIDs answer 404."""
    urls = await _request(pge, server, date(2025, 11, 18), date(2025, 11, 18))
    token = await pge.token()
    base = f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}"
    status, body, _ = await pge.get(base, token, {"correlationID": str(uuid.uuid4())})
    assert (status, json.loads(body)["error"]) == (404, "not_found")
    fifteen = await pge.token(PGE_15MIN_CLIENT_ID, PGE_15MIN_CLIENT_SECRET)
    correlation = urls[0].rsplit("=", 1)[1]
    status, _, _ = await pge.get(
        f"{RESOURCE}/Batch/Bulk/{PGE_15MIN_BULK_ID}",
        fifteen,
        {"correlationID": correlation},
    )
    assert status == 404
    assert (await pge.get(urls[0], token))[0] == 200
    clock.advance(7 * 86400 + 1)
    assert (await pge.get(urls[0], await pge.token()))[0] == 404


# --------------------------------------------------------------------------------------------
# Faults


async def test_notification_faults(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """no_notification, duplicate_notification and foreign_host wait for a Bulk request."""
    token = await pge.token()
    day = date(2025, 11, 18)
    params = {"published-min": _midnight(day), "published-max": _midnight(day)}

    server.fault_next("pge", "no_notification")
    await pge.token()
    assert (await pge.get(f"{RESOURCE}/ReadServiceStatus", token))[0] == 200
    assert [r.fault for r in server.requests] == [None, None, None]
    assert await pge.bulk(token, params) == 202
    assert server.requests[-1].fault == "no_notification"
    assert server.pge.pending_notifications == 0
    assert await server.pge.deliver_pending() == []

    server.fault_next("pge", "duplicate_notification")
    assert await pge.bulk(token, params) == 202
    sent = await server.pge.wait_for_notifications(2)
    assert len(sent) == 2
    assert sent[0].body == sent[1].body
    assert inbox == [sent[0].body, sent[0].body]

    server.fault_next("pge", "foreign_host")
    assert await pge.bulk(token, params) == 202
    sent = await server.pge.wait_for_notifications(3)
    urls = [r.text or "" for r in _xml(sent[-1].body)]
    assert urls[0].startswith(f"https://evil.example/pge{RESOURCE}/Batch/Bulk/")
    assert urls[1].startswith("http://127.0.0.1:")
    assert (
        urls[1]
        .replace("http://", "https://", 1)
        .startswith(f"{pge.base}{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}?correlationID=")
    )
    assert re.fullmatch(rf".*correlationID={UUID}", urls[0])
    assert len(inbox) == 3


async def test_feed_faults(pge: Pge, server: Simulator) -> None:
    """Malformed cuts the feed (no XML parser accepts it), missing_field drops ReadingTypes."""
    urls = await _request(pge, server, date(2025, 11, 17), date(2025, 11, 18))
    token = await pge.token()
    full = (await pge.get(urls[0], token))[1]

    server.fault_next("pge", "malformed")
    assert (await pge.get(f"{RESOURCE}/ReadServiceStatus", token))[0] == 200
    status, body, _ = await pge.get(urls[0], token)
    assert status == 200
    assert body == full[: len(full) // 2]
    with pytest.raises(ET.ParseError):
        _xml(body)

    server.fault_next("pge", "missing_field")
    damaged = _xml((await pge.get(urls[0], token))[1])
    kinds = [kind for kind, _, _ in _entries(damaged)]
    assert "ReadingType" not in kinds
    assert kinds.count("MeterReading") == 2
    with pytest.raises(KeyError):
        _readings(damaged)
    assert (await pge.get(urls[0], token))[1] == full


@pytest.mark.parametrize(
    ("fault", "path", "status", "expected"),
    [
        ("http_500", "bulk", 500, {"error": "Internal Server Error"}),
        ("http_502", "bulk", 502, {"error": "Bad Gateway"}),
        ("http_429", "bulk", 429, {"error": "Too many requests"}),
        (
            "http_500",
            "token",
            500,
            {"error": "server_error", "error_description": "Internal Server Error"},
        ),
        (
            "http_400",
            "token",
            400,
            {"error": "invalid_request", "error_description": "Invalid request"},
        ),
        ("http_400", "bulk", 400, "Invalid Certificate"),
    ],
)
async def test_http_faults(
    pge: Pge,
    server: Simulator,
    inbox: list[bytes],
    fault: str,
    path: str,
    status: int,
    expected: object,
) -> None:
    """5xx and other HTTP faults in the shape of the surface they hit; no notification."""
    token = server.pge.issue_token()
    server.fault_next("pge", fault)
    if path == "token":
        async with pge.session.post(
            pge.base + TOKEN,
            data={"grant_type": "client_credentials"},
            headers=_basic(PGE_CLIENT_ID, PGE_CLIENT_SECRET),
        ) as response:
            answer = (response.status, await response.json())
    else:
        code, body, _ = await pge.get(f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}", token)
        answer = (code, json.loads(body))
    assert answer == (status, expected)
    assert server.requests[-1].fault == fault
    assert await server.pge.deliver_pending() == []
    assert inbox == []


async def test_not_found_and_timeout_faults(pge: Pge, server: Simulator) -> None:
    """not_found answers Mule's 404; timeout stalls then serves."""
    token = server.pge.issue_token()
    server.fault_next("pge", "not_found")
    status, body, _ = await pge.get(f"{RESOURCE}/ReadServiceStatus", token)
    assert (status, body) == (
        404,
        f"No listener for endpoint: {RESOURCE}/ReadServiceStatus".encode(),
    )
    server.timeout_seconds = 0.2
    server.fault_next("pge", "timeout")
    began = time.monotonic()
    assert (await pge.get(f"{RESOURCE}/ReadServiceStatus", token))[0] == 200
    assert time.monotonic() - began >= 0.15
    with pytest.raises(ValueError):
        server.fault_next("pge", "null_usage")


# --------------------------------------------------------------------------------------------
# Notification targets and fixtures


async def test_notification_url_target(
    server: Simulator, pge: Pge, socket_enabled: None
) -> None:
    """A loopback URL receives the BatchList as application/xml; other hosts are refused."""
    received: list[tuple[str, bytes]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.content_type, await request.read()))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/api/webhook/pge", webhook)
    async with TestServer(app) as hook:
        url = str(hook.make_url("/api/webhook/pge"))
        async with pge.session.post(
            server.urls("pge")["http_api_url"] + "/_simulator/notification-uri",
            data=url,
            ssl=False,
        ) as response:
            assert response.status == 204
        assert server.pge.notification_target == url
        urls = await _request(pge, server, date(2025, 11, 18), date(2025, 11, 18))
        assert received == [("application/xml", batch_list(urls))]
        assert server.pge.notifications[-1].status == 200
        assert server.pge.notifications[-1].target == url

    async with pge.session.post(
        server.urls("pge")["http_api_url"]
        + f"/_simulator/notification-uri?client_id={PGE_15MIN_CLIENT_ID}",
        data="https://example.com/hook",
    ) as response:
        assert response.status == 400
    server.pge.notification_target = "https://example.com/hook"
    urls = await server.pge.notify_latest()
    assert server.pge.notifications[-1].error == "refused: not a loopback URL"
    assert len(urls) == 2
    assert all(u.startswith(server.urls("pge")["api_url"] + RESOURCE) for u in urls)
    assert [
        (r.status, r.account, r.fault)
        for r in server.requests
        if r.path.endswith("/_simulator/notification-uri")
    ] == [(204, None, None), (400, None, None)]


async def test_notify_latest_and_fixtures(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """The daily push lists the latest day; fixture resources are served byte for byte."""
    urls = await server.pge.notify_latest()
    assert inbox == [batch_list(urls)]
    token = await pge.token()
    feed = _xml((await pge.get(urls[0], token))[1])
    assert [s for s, _, _ in _blocks(feed)] == [_midnight(date(2025, 11, 19))] * 2

    name = "espi_pge_electric_hourly_2days_dst_fallback_2019-11-02.xml"
    correlation = server.pge.serve_fixture(name)
    status, body, _ = await pge.get(
        f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}", token, {"correlationID": correlation}
    )
    assert (status, body) == (200, (FIXTURES / name).read_bytes())

    server.pge.queue_fixture_batch(
        "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml",
        "espi_pge_gas_daily_2020-05-09_oev.xml",
    )
    listed = await _request(pge, server, date(2025, 11, 18), date(2025, 11, 18))
    bodies = [(await pge.get(url, token))[1] for url in listed]
    assert bodies == [
        (
            FIXTURES / "espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml"
        ).read_bytes(),
        (FIXTURES / "espi_pge_gas_daily_2020-05-09_oev.xml").read_bytes(),
    ]
    with pytest.raises(ValueError):
        server.pge.serve_fixture("nope.xml")


async def test_pending_notifications_end_with_the_server(
    socket_enabled: None, simulator: Simulator, inbox: list[bytes]
) -> None:
    """Scheduled notifications can be sent at once, dropped, and never outlive the server."""
    simulator.pge.notification_delay = 3600
    await simulator.start(tls=True)
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=client_ssl_context())
        ) as session:
            pge = Pge(session, simulator.urls("pge")["api_url"])
            token = await pge.token()
            assert await pge.bulk(token) == 202
            assert simulator.pge.pending_notifications == 1
            sent = await simulator.pge.deliver_pending()
            assert [n.body for n in sent] == inbox
            assert len(inbox) == 1
            assert await pge.bulk(token) == 202
            simulator.pge.cancel_pending()
            assert simulator.pge.pending_notifications == 0
            assert await pge.bulk(token) == 202
    finally:
        await simulator.stop()
    assert simulator.pge.pending_notifications == 0
    assert len(inbox) == 1


# --------------------------------------------------------------------------------------------
# Rate limits


async def test_rate_limits(pge: Pge, server: Simulator, clock: FakeClock) -> None:
    """Logged per account for benchmarks; enforced on demand: 1/s, 2000/h, 20000 per day."""
    token = await pge.token()
    path = f"{RESOURCE}/ReadServiceStatus"
    for _ in range(3):
        assert (await pge.get(path, token))[0] == 200
    assert rate_usage(server.requests, "demo") == {"second": 4, "hour": 4, "day": 4}

    server.pge.enforce_rate_limits = True
    clock.advance(1)
    assert (await pge.get(path, token))[0] == 200
    status, body, headers = await pge.get(path, token)
    assert (status, json.loads(body)) == (429, {"error": "Too many requests"})
    assert not [
        h
        for h in headers
        if h.lower().startswith(("ratelimit", "retry", "x-ratelimit"))
    ]
    other = server.pge.issue_token("fifteen")
    assert (await pge.get(path, other))[0] == 200  # another vendor
    clock.advance(1)
    assert (await pge.get(path, token))[0] == 200

    server.pge.per_hour = 3
    clock.advance(1)
    assert (await pge.get(path, token))[0] == 200
    clock.advance(1)
    assert (await pge.get(path, token))[0] == 429
    clock.advance(3600)
    token = server.pge.issue_token()
    assert (await pge.get(path, token))[0] == 200

    server.pge.per_hour, server.pge.per_day = 2000, 4
    clock.advance(1)
    assert (await pge.get(path, token))[0] == 429  # 4 since 17:00 Pacific yesterday
    clock.now = datetime(2025, 11, 21, 1, 0, 1, tzinfo=UTC)  # 17:00:01 PST
    assert (await pge.get(path, server.pge.issue_token()))[0] == 200
    assert server.count_requests("pge", status=429, injected=False) == 3


# --------------------------------------------------------------------------------------------
# The model


def test_feed_is_deterministic() -> None:
    """Values are a function of (usage point, day): same bytes, same day in any range."""
    point = PgeUsagePoint("5391320451", "4095251", "electric", 3600, net_metering=True)
    first, last = date(2025, 7, 1), date(2025, 7, 7)
    assert build_feed(point, first, last) == build_feed(point, first, last)
    week = _readings(_xml(build_feed(point, first, last)))
    day = _readings(_xml(build_feed(point, date(2025, 7, 4), date(2025, 7, 4))))
    for flow in (FLOW_DELIVERED, FLOW_RECEIVED):
        assert day[flow] == week[flow][72:96]
        assert day[flow] == [
            (r.start, r.duration, r.value)
            for r in day_readings(point, date(2025, 7, 4), flow)
        ]
    other = PgeUsagePoint("5391320452", "4095251", "electric", 3600, net_metering=True)
    assert day_readings(other, date(2025, 7, 4)) != day_readings(
        point, date(2025, 7, 4)
    )
    exported = [v for _, _, v in day[FLOW_RECEIVED]]
    imported = [v for _, _, v in day[FLOW_DELIVERED]]
    assert any(e > 0 and i == 0 for e, i in zip(exported, imported, strict=True))
    assert exported[2] == 0 and imported[2] > 0  # 2 a.m.
    assert all(v % 100 == 0 for v in imported)


def test_usage_summary_matches_readings() -> None:
    """A billing period's summary adds up its readings; the bill follows the tariff."""
    point = PgeUsagePoint("5391320451", "4095251", "electric", 3600, net_metering=True)
    assert billing_periods(point, date(2025, 1, 1), date(2025, 3, 17)) == [
        (date(2024, 12, 18), date(2025, 1, 18)),
        (date(2025, 1, 18), date(2025, 2, 18)),
        (date(2025, 2, 18), date(2025, 3, 18)),
    ]
    assert billing_periods(point, date(2025, 3, 18), date(2025, 4, 16)) == []
    start, end = date(2025, 6, 18), date(2025, 7, 18)
    summary = usage_summary(point, start, end)
    last = end - timedelta(days=1)
    delivered = sum(r.value for r in readings(point, start, last))
    received = sum(r.value for r in readings(point, start, last, FLOW_RECEIVED))
    assert summary.consumption == delivered - received
    assert summary.start == _midnight(start)
    assert summary.duration == 30 * 86400
    # Net metering: the minimum delivery charge alone, one kWh a day (the 2021 QA capture).
    assert summary.bill == 986000
    assert summary.line_items == (
        LineItem(
            "NEM Minimum Delivery Charges",
            3,
            986000,
            30_000_000,
            32854,
            (_midnight(start) + 86400, 29 * 86400),
        ),
    )
    plain = PgeUsagePoint("5391320452", "4095251", "electric", 3600)
    billed = usage_summary(plain, start, end)
    delivered = sum(r.value for r in readings(plain, start, last))
    peak = sum(r.value for r in readings(plain, start, last) if r.tou == 1)
    period = (_midnight(start), 30 * 86400)
    assert billed.line_items == (
        LineItem(
            "Summer Peak Energy Charge", 3, _cents(peak * 0.55), peak, 55000, period
        ),
        LineItem(
            "Summer Off Peak Energy Charge",
            3,
            _cents((delivered - peak) * 0.45),
            delivered - peak,
            45000,
            period,
        ),
        LineItem("Customer Charge", 4, 1200000, period=period),
        LineItem(
            "Energy Commission Tax",
            5,
            _cents(delivered * 0.0003),
            delivered,
            30,
            period,
        ),
    )
    assert billed.bill == sum(item.amount for item in billed.line_items)
    assert billed.consumption == delivered
    gas = PgeUsagePoint("7170720474", "4095251", "gas")
    winter = usage_summary(gas, date(2025, 1, 18), date(2025, 2, 18))
    summer = usage_summary(gas, date(2025, 7, 18), date(2025, 8, 18))
    assert winter.consumption > 2 * summer.consumption > 0
    therms = winter.consumption
    assert winter.line_items == (
        LineItem(
            "Gas Procurement Charge",
            1,
            round(therms / 1e8 * 2.40 * 100) * 1000,
            therms,
            240000,
            (_midnight(date(2025, 1, 18)), 31 * 86400),
        ),
        LineItem(
            "Customer Charge",
            4,
            round(31 * 0.16 * 100) * 1000,
            period=(_midnight(date(2025, 1, 18)), 31 * 86400),
        ),
    )
    assert winter.bill == sum(item.amount for item in winter.line_items)


def _cents(mwh_dollars: float) -> int:
    """MWh × $/kWh in 1e-5 USD, rounded to the cent."""
    return round(mwh_dollars / 1e6 * 100) * 1000


def test_year_of_15_minute_data() -> None:
    """A year of 15-minute net-metering data is written quickly and holds every interval."""
    point = PgeUsagePoint("6774520887", "4267109", "electric", 900, net_metering=True)
    began = time.perf_counter()
    document = build_feed(point, date(2024, 1, 1), date(2024, 12, 31))
    elapsed = time.perf_counter() - began
    assert elapsed < 3, elapsed
    assert document.count(b"<ns0:IntervalReading>") == 366 * 96 * 2
    blocks = re.findall(rb"<ns0:interval><ns0:duration>(\d+)</ns0:duration>", document)
    assert len(blocks) == 366 * 2
    assert sum(int(b) for b in blocks) == 2 * 366 * 86400
    assert sorted({int(b) for b in blocks}) == [82800, 86400, 90000]
    assert document.count(b"<ns0:UsageSummary ") == 12


# --------------------------------------------------------------------------------------------
# The rest of the API table (issue 13): Authorization details, customer and DR information,
# bills, ApplicationInformation


async def _authorizations(pge: Pge) -> list[Authorization]:
    token = await pge.token()
    status, body, _ = await pge.get(f"{RESOURCE}/Authorization", token)
    assert status == 200
    return parse_authorizations(body)


async def test_authorization_periods_and_status(pge: Pge, server: Simulator) -> None:
    """The Bulk Authorization parses the same in s and ms; revoked and expiring ones say so."""
    account = server.pge.account()
    registered = account.registered
    oldest, latest = server.pge.available_days()
    seconds = await _authorizations(pge)
    bulk = next(a for a in seconds if a.bulk_id == PGE_BULK_ID)
    assert (bulk.authorized_start, bulk.authorized_end) == (
        registered,
        registered + timedelta(days=3650),
    )
    assert bulk.published_start == datetime.fromtimestamp(_midnight(oldest), UTC)
    assert bulk.published_end == datetime.fromtimestamp(
        _midnight(latest + timedelta(days=1)), UTC
    )
    assert bulk.state is AuthorizationStatus.ACTIVE
    assert bulk.decoded_scope is not None
    assert bulk.decoded_scope.customer_information
    assert bulk.decoded_scope.bulk_id == PGE_BULK_ID
    assert bulk.decoded_scope.additional_scope == {
        "usage",
        "billing",
        "basic",
        "account",
    }

    account.period_unit = "ms"
    status, body, _ = await pge.get(
        f"{RESOURCE}/Authorization/{account.authorization_id}", await pge.token()
    )
    assert status == 200
    assert b"<ns0:start>1704733200000</ns0:start>" in body
    assert b"<ns0:expires_at>2020093200</ns0:expires_at>" in body
    assert parse_authorizations(body) == [bulk]
    assert await _authorizations(pge) == seconds

    end = NOW + timedelta(days=20)
    account.authorized_end = end
    account.authorization_status = 0
    account.authorization_scope = f"FB=1_3_4_5_15;BR={PGE_BULK_ID}"
    changed = next(a for a in await _authorizations(pge) if a.bulk_id == PGE_BULK_ID)
    assert (changed.authorized_end, changed.expires_at) == (end, end)
    assert changed.state is AuthorizationStatus.REVOKED
    assert changed.scope == f"FB=1_3_4_5_15;BR={PGE_BULK_ID}"
    assert changed.decoded_scope is not None
    assert not changed.decoded_scope.customer_information
    account.authorization_status = 1
    expiring = next(a for a in await _authorizations(pge) if a.bulk_id == PGE_BULK_ID)
    assert expiring.status_at(NOW) is AuthorizationStatus.ACTIVE
    assert expiring.status_at(end) is AuthorizationStatus.EXPIRED
    account.authorization_status = 2
    denied = next(a for a in await _authorizations(pge) if a.bulk_id == PGE_BULK_ID)
    assert denied.state is AuthorizationStatus.DENIED
    subscription = next(a for a in await _authorizations(pge) if a.bulk_id is None)
    assert subscription.state is AuthorizationStatus.ACTIVE


async def _info_urls(
    pge: Pge, server: Simulator, kind: str, token: str, *, bulk_id: str = PGE_BULK_ID
) -> tuple[int, bytes, list[str]]:
    """GET `Batch/{kind}/{bulk_id}`: status, body, and the URLs of the BatchList it caused."""
    before = len(server.pge.notifications)
    status, body, headers = await pge.get(f"{RESOURCE}/Batch/{kind}/{bulk_id}", token)
    if status != 202:
        assert server.pge.pending_notifications == 0
        return status, body, []
    assert body == b""
    notifications = await server.pge.wait_for_notifications(before + 1, timeout=5)
    assert notifications[-1].account == "demo"
    assert notifications[-1].status == 200
    assert headers["x-transaction-id"]
    return status, body, [r.text or "" for r in _xml(notifications[-1].body)]


async def test_customer_information(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """202, a BatchList of one URL, then the customer feed joined to the usage points."""
    token = await pge.token()
    status, _, urls = await _info_urls(pge, server, "BulkRetailCustomerInfo", token)
    assert status == 202
    resource = f"{pge.base}{RESOURCE}/Batch/BulkRetailCustomerInfo/{PGE_BULK_ID}"
    assert len(urls) == 1
    assert re.fullmatch(rf"{re.escape(resource)}\?correlationID={UUID}", urls[0])
    status, body, headers = await pge.get(urls[0], token)
    assert (status, headers["Content-Type"]) == (200, "application/atom+xml")
    feed = parse_customer_feed(body)
    assert [c.name for c in feed.customers] == ["Alex Rivera"]
    assert [a.account_id for a in feed.accounts] == ["4417702931-6"]
    expected = {
        "5391320451": ("EMTR 12S/XP/CL200/3W/5Dials", "1010320451", 3600),
        "7170720474": ("GMTR ROTARY", "1010720474", 86400),
    }
    for point_id, (meter_type, serial, interval) in expected.items():
        location = feed.location_of(point_id)
        assert location is not None
        assert (location.street, location.town, location.zip_code, location.state) == (
            "2417 Grant St",
            "Berkeley",
            "94703",
            "CA",
        )
        agreement = feed.agreement_of(point_id)
        assert agreement is not None
        assert (
            agreement.service_agreement_id,
            agreement.customer_class,
            agreement.status,
            agreement.sign_date,
        ) == (point_id, "RES", "Active", datetime(2016, 8, 15, 7, tzinfo=UTC))
        assert [
            (m.meter_type, m.serial_number, m.interval_length)
            for m in feed.meters_of(point_id)
        ] == [(meter_type, serial, timedelta(seconds=interval))]
    assert feed.programs == ()
    # The body is the captured shape: customer namespace by default, Atom prefixed ns2.
    assert (
        b'<ns2:entry xmlns:ns2="http://www.w3.org/2005/Atom" xmlns="http://naesb.org/espi/customer">'
        in body
    )
    assert f'href="{resource}" rel="self"'.encode() in body

    fifteen = server.pge.account("fifteen")
    fifteen_feed = parse_customer_feed(customer_feed(fifteen, RESOURCE))
    location = fifteen_feed.location_of(fifteen.usage_points[0].usage_point_id)
    assert location is not None
    assert (location.street, location.zip_code) == ("318 Hawthorne Ave", "94301")
    assert [c.name for c in fifteen_feed.customers] == ["Dana Okafor"]

    # A Bulk correlationID does not fetch customer data, nor the reverse.
    status, _, _ = await pge.get(
        f"{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}?{urls[0].split('?')[1]}", token
    )
    assert status == 404

    account = server.pge.account()
    account.customer_info_status = 204
    status, body, _ = await _info_urls(pge, server, "BulkRetailCustomerInfo", token)
    assert (status, body) == (204, b"")
    account.customer_info_status = 403
    status, body, _ = await _info_urls(pge, server, "BulkRetailCustomerInfo", token)
    assert status == 403
    assert json.loads(body) == {
        "error": "insufficient_scope",
        "error_description": "Not authorized for this resource",
    }
    status, body, _ = await _info_urls(
        pge, server, "BulkRetailCustomerInfo", token, bulk_id=PGE_15MIN_BULK_ID
    )
    assert status == 400
    assert json.loads(body)["error_description"] == "client credentials doesn't match"
    status, _, _ = await pge.get(
        f"{RESOURCE}/Batch/BulkRetailCustomerInfo/{PGE_BULK_ID}",
        await pge.token(path=TEST_TOKEN),
    )
    assert status == 403
    status, _, _ = await pge.get(
        f"{RESOURCE}/Batch/BulkRetailCustomerInfo/{PGE_BULK_ID}", None
    )
    assert status == 401
    assert len(inbox) == 1
    assert rate_usage(server.requests, "demo")["day"] == 8


async def test_dr_information(pge: Pge, server: Simulator, inbox: list[bytes]) -> None:
    """DR enrollment: 403 by default; with 202 the programs of PG&E's schema."""
    token = await pge.token()
    status, body, _ = await _info_urls(pge, server, "BulkRetailDRPrgInfo", token)
    assert status == 403
    assert json.loads(body)["error"] == "insufficient_scope"
    server.pge.account().dr_info_status = 202
    status, _, urls = await _info_urls(pge, server, "BulkRetailDRPrgInfo", token)
    assert status == 202
    assert re.fullmatch(
        re.escape(f"{pge.base}{RESOURCE}/Batch/BulkRetailDRPrgInfo/{PGE_BULK_ID}")
        + rf"\?correlationID={UUID}",
        urls[0],
    )
    status, body, _ = await pge.get(urls[0], token)
    assert status == 200
    feed = parse_customer_feed(body)
    assert [
        (p.name, p.status, [(d.date, d.description) for d in p.dates])
        for p in feed.programs_of("5391320451")
    ] == [
        (
            "SmartRate",
            EnrollmentStatus.ENROLLED,
            [(datetime(2025, 6, 1, 7, tzinfo=UTC), "Enrollment")],
        ),
        ("Smart AC", EnrollmentStatus.PENDING, []),
    ]
    assert feed.programs_of("7170720474") == ()
    # The customer-info correlationID is not a DR one.
    status, _, _ = await pge.get(
        urls[0].replace("BulkRetailDRPrgInfo", "BulkRetailCustomerInfo"), token
    )
    assert status == 404
    assert len(inbox) == 1


async def test_info_requests_take_no_notification_fault(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """A queued notification fault waits for a Batch/Bulk request: Info requests pass it by."""
    token = await pge.token()
    server.fault_next("pge", "no_notification")
    status, _, urls = await _info_urls(pge, server, "BulkRetailCustomerInfo", token)
    assert (status, len(urls), len(inbox)) == (202, 1, 1)
    assert await pge.bulk(token) == 202
    assert server.pge.pending_notifications == 0
    assert len(inbox) == 1


def _summaries(body: bytes) -> list[UsageSummary]:
    return list(parse_espi(body).feed.usage_summaries)


async def test_usage_summaries_parse(
    pge: Pge, server: Simulator, inbox: list[bytes]
) -> None:
    """Bills parse: NEM minimum on HE6N, gas lines adding up, and the open period so far."""
    first, last = date(2025, 9, 1), date(2025, 11, 19)
    urls = await _request(pge, server, first, last)
    token = await pge.token()
    electric = _summaries((await pge.get(urls[0], token))[1])
    assert [s.billing_period_start for s in electric] == [
        datetime.fromtimestamp(_midnight(date(2025, month, 18)), UTC)
        for month in (8, 9, 10)
    ]
    for summary in electric:
        assert summary.tariff_profile == "HE6N"
        assert summary.nem_minimum_bill
        assert summary.net_metering
        assert summary.quality_of_reading == 19
        assert summary.bill_to_date is None
        (line,) = summary.cost_details
        assert (line.amount, line.unit_cost, line.kind) == (
            summary.bill_last_period,
            0.32854,
            LineItemKind.ENERGY_USAGE_FEE,
        )
        assert summary.billing_period_start is not None
        assert line.item_period_start == summary.billing_period_start + timedelta(
            days=1
        )
        assert summary.billing_period_duration is not None
        assert line.item_period_duration == (
            summary.billing_period_duration - timedelta(days=1)
        )
    assert [s.bill_last_period for s in electric] == [10.18, 9.86, 10.18]
    point = server.pge.account().usage_points[0]
    expected = usage_summary(point, date(2025, 10, 18), date(2025, 11, 18))
    assert electric[-1].consumption_last_period is not None
    assert electric[-1].consumption_last_period.value == expected.consumption / 1e6

    gas = _summaries((await pge.get(urls[1], token))[1])
    closed, open_period = gas[:-1], gas[-1]
    assert len(closed) == 3
    for summary in closed:
        assert summary.bill_last_period is not None
        assert [d.note for d in summary.cost_details] == [
            "Gas Procurement Charge",
            "Customer Charge",
        ]
        assert [d.kind for d in summary.cost_details] == [
            LineItemKind.ENERGY_GENERATION_FEE,
            LineItemKind.ADMINISTRATIVE_FEE,
        ]
        cents = sum(round((d.amount or 0) * 100) for d in summary.cost_details)
        assert cents == round(summary.bill_last_period * 100)
        assert summary.bill_to_date is None
    gas_point = server.pge.account().usage_points[1]
    so_far = open_period_summary(gas_point, last)
    assert so_far is not None and so_far.bill_to_date is not None
    assert open_period.billing_period_start == datetime.fromtimestamp(
        _midnight(date(2025, 11, 18)), UTC
    )
    assert open_period.bill_last_period is None
    assert open_period.cost_details == ()
    assert open_period.consumption_last_period is None
    assert open_period.bill_to_date == so_far.bill_to_date / 1e5
    assert open_period.consumption_current_period is not None
    assert open_period.consumption_current_period.value == pytest.approx(
        sum(r.value for r in readings(gas_point, date(2025, 11, 18), last)) / 1e8
    )
    assert open_period.consumption_current_period.unit == "thm"


def test_billed_line_items_parse() -> None:
    """A non-NEM electric bill: one energy line per TOU period, customer charge and tax."""
    point = PgeUsagePoint("5391320452", "4095251", "electric", 3600)
    body = build_feed(point, date(2025, 7, 1), date(2025, 7, 31))
    (summary,) = _summaries(body)
    assert [(d.note, d.kind) for d in summary.cost_details] == [
        ("Summer Peak Energy Charge", LineItemKind.ENERGY_USAGE_FEE),
        ("Summer Off Peak Energy Charge", LineItemKind.ENERGY_USAGE_FEE),
        ("Customer Charge", LineItemKind.ADMINISTRATIVE_FEE),
        ("Energy Commission Tax", LineItemKind.TAX),
    ]
    assert summary.bill_last_period is not None
    cents = sum(round((d.amount or 0) * 100) for d in summary.cost_details)
    assert cents == round(summary.bill_last_period * 100)
    assert not summary.nem_minimum_bill
    assert [d.unit_cost for d in summary.cost_details] == [0.55, 0.45, None, 0.0003]
    assert summary.cost_details[0].quantity is not None
    assert summary.cost_details[0].quantity.unit == "kWh"
    # A point without bill_to_date, or a feed ending on a period's last day: no open summary.
    assert open_period_summary(point, date(2025, 7, 31)) is None
    dated = PgeUsagePoint("5391320452", "4095251", "electric", 3600, bill_to_date=True)
    assert open_period_summary(dated, date(2025, 8, 17)) is None
    opened = open_period_summary(dated, date(2025, 8, 18))
    assert opened is not None
    assert opened.start == _midnight(date(2025, 8, 18))
    assert opened.bill is None and opened.line_items == ()


async def test_application_information(pge: Pge, server: Simulator) -> None:
    """The registration access token reads ApplicationInformation; a client token cannot."""
    account = server.pge.account()
    path = f"{RESOURCE}/ApplicationInformation/{account.application_id}"
    client = await pge.token()
    assert (await pge.get(path, client))[0] == 403  # registration_token False
    account.registration_token = True
    async with pge.session.post(
        pge.base + TOKEN,
        data={"grant_type": "client_credentials"},
        headers=_basic(PGE_CLIENT_ID, PGE_CLIENT_SECRET),
    ) as response:
        answer = await response.json()
    assert list(answer) == [
        "token_type",
        "client_access_token",
        "expires_in",
        "scope",
        "registration_access_token",
        "registration_client_uri",
    ]
    assert answer["registration_client_uri"] == pge.base + path
    registration = answer["registration_access_token"]
    assert registration == server.pge.registration_access_token()
    assert re.fullmatch(r"[0-9a-f]{64}", registration)
    server.pge.notification_target = "http://127.0.0.1:8123/api/webhook/abc"
    status, body, _ = await pge.get(path, registration)
    assert status == 200
    root = _xml(body)
    assert root.tag == f"{ATOM}entry"
    info = root.find(f"{ATOM}content/{ESPI}ApplicationInformation")
    assert info is not None
    assert info.findtext(f"{ESPI}thirdPartyNotifyUri") == (
        "http://127.0.0.1:8123/api/webhook/abc"
    )
    assert info.findtext(f"{ESPI}dataCustodianBulkRequestURI") == (
        f"{pge.base}{RESOURCE}/Batch/Bulk/{PGE_BULK_ID}"
    )
    assert info.findtext(f"{ESPI}client_id_issued_at") == "1704733200000"
    assert info.findtext(f"{ESPI}registration_access_token") == registration
    assert info.findtext(f"{ESPI}registration_client_uri") == pge.base + path
    # The fixture's elements (espi_pge_applicationinformation_entry_2015_verdigris.xml), in its
    # order, but the third party's phone, screens, redirect URI and contacts.
    assert [e.tag.removeprefix(ESPI) for e in info] == [
        "dataCustodianId",
        "dataCustodianApplicationStatus",
        "thirdPartyApplicationDescription",
        "thirdPartyApplicationType",
        "authorizationServerUri",
        "thirdPartyNotifyUri",
        "authorizationServerAuthorizationEndpoint",
        "authorizationServerTokenEndpoint",
        "dataCustodianBulkRequestURI",
        "dataCustodianResourceEndpoint",
        "client_secret",
        "client_name",
        "client_id",
        "software_id",
        "software_version",
        "client_id_issued_at",
        "client_secret_expires_at",
        "token_endpoint_auth_method",
        "scope",
        "grant_types",
        "grant_types",
        "grant_types",
        "response_types",
        "registration_client_uri",
        "registration_access_token",
    ]
    account.registered_notify_uri = "https://127.0.0.1/registered"
    _, body, _ = await pge.get(path, registration)
    assert _xml(body).findtext(f".//{ESPI}thirdPartyNotifyUri") == (
        "https://127.0.0.1/registered"
    )
    assert (await pge.get(path, client))[0] == 403
    assert (await pge.get(path, "nope"))[0] == 401
    assert (await pge.get(f"{RESOURCE}/ApplicationInformation/other", registration))[
        0
    ] == 404
    # The 15-minute account has no registration token: nothing for it.
    fifteen = server.pge.account("fifteen")
    other = f"{RESOURCE}/ApplicationInformation/{fifteen.application_id}"
    assert (await pge.get(other, registration))[0] == 403
