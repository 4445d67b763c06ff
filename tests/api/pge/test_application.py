"""ApplicationInformation: the parser on PG&E's fixture, and the client's registration token."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
import json
import logging

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RequestBudget
from custom_components.openpower.api.errors import ApiNotFoundError, ApiResponseError
from custom_components.openpower.api.pge import (
    PGE_LIMITS,
    RESOURCE_PATH,
    ApplicationInformation,
    ApplicationStatus,
    PgeClient,
    parse_application_information,
)
from custom_components.openpower.api.pge.client import TOKEN_PATH
from tests.simulator import PGE_CLIENT_ID, PGE_CLIENT_SECRET, Simulator

from .common import NOW, Canned, Factory, statuses
from .espi_samples import read_fixture

FIXTURE = "espi_pge_applicationinformation_entry_2015_verdigris.xml"
RESOURCE = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource"
APPLICATION = f"{RESOURCE}/ApplicationInformation/00000000-2222-4444-6666-8888aaaacccc"
SCOPE = (
    "FB=1_3_4_5_8_13_14_15_18_19_31_32_35_37_38_39_40;IntervalDuration=900_3600;"
    "BlockDuration=Daily;HistoryLength=63072000;SubscriptionFrequency=Daily;"
)
REGISTRATION_TOKEN = "registration-secret-5f0c9a7e"
ESPI = "http://naesb.org/espi"
ATOM = "http://www.w3.org/2005/Atom"


def test_fixture_values() -> None:
    """Every kept field, as written in the 2015 entry; the secrets in it are dropped."""
    information = parse_application_information(read_fixture(FIXTURE))
    assert information == ApplicationInformation(
        href=APPLICATION,
        data_custodian_id="PGE",
        status=ApplicationStatus.PRODUCTION,
        third_party_notify_uri="https://api.example.com/espi/pge/notify",
        bulk_request_uri=f"{RESOURCE}/Batch/Bulk/0",
        resource_endpoint=RESOURCE,
        scopes=(SCOPE,),
        # 1445444481075 ms; the entry was published at 16:21:21.532 that day.
        client_id_issued_at=datetime(2015, 10, 21, 16, 21, 21, 75000, tzinfo=UTC),
        registration_client_uri=APPLICATION,
    )
    assert information.bulk_id == "0"
    (scope,) = information.decoded_scopes
    assert scope.function_blocks == {
        1,
        3,
        4,
        5,
        8,
        13,
        14,
        15,
        18,
        19,
        31,
        32,
        35,
    }.union({37, 38, 39, 40})
    assert scope.interval_durations == {900, 3600}
    assert scope.history_length == timedelta(seconds=63072000)
    shown = repr(information) + json.dumps(asdict(information), default=str)
    for secret in ("foobar", "00001111-2222-3333-4444-cccceeeeffff"):
        assert secret not in shown


def _bare(inner: str) -> bytes:
    return f'<ApplicationInformation xmlns="{ESPI}">{inner}</ApplicationInformation>'.encode()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("1", ApplicationStatus.REVIEW),
        ("2", ApplicationStatus.PRODUCTION),
        ("3", ApplicationStatus.ON_HOLD),
        ("4", ApplicationStatus.REVOKED),
        ("5", ApplicationStatus.UNKNOWN),
        ("two", ApplicationStatus.UNKNOWN),
        (None, ApplicationStatus.UNKNOWN),
    ],
)
def test_status_codes(code: str | None, status: ApplicationStatus) -> None:
    """1 Review, 2 Production, 3 On hold, 4 Revoked; anything else is unknown."""
    inner = (
        f"<dataCustodianApplicationStatus>{code}</dataCustodianApplicationStatus>"
        if code is not None
        else ""
    )
    assert parse_application_information(_bare(inner)).status is status


def test_bare_element_with_seconds_and_two_scopes() -> None:
    """The bare element; `client_id_issued_at` in seconds (RFC 7591); scopes in order."""
    information = parse_application_information(
        _bare(
            "<client_id_issued_at>1445444481</client_id_issued_at>"
            "<scope>FB=4_5</scope><scope> </scope><scope>FB=15</scope>"
            "<dataCustodianBulkRequestURI>https://x/r/Batch/Bulk/../a/b</dataCustodianBulkRequestURI>"
        )
    )
    assert information.client_id_issued_at == datetime(
        2015, 10, 21, 16, 21, 21, tzinfo=UTC
    )
    assert information.scopes == ("FB=4_5", "FB=15")
    assert information.bulk_id is None  # not a plain Bulk ID
    assert (information.href, information.third_party_notify_uri) == (None, None)


def test_feed_first_application_entry() -> None:
    """In a feed, the first entry holding an ApplicationInformation."""
    body = (
        f'<feed xmlns="{ATOM}"><entry><content><Other xmlns="{ESPI}"/></content></entry>'
        f'<entry><link rel="self" href="/ai/7"/><content>{_bare("<dataCustodianId>PGE</dataCustodianId>").decode()}'
        "</content></entry></feed>"
    ).encode()
    information = parse_application_information(body)
    assert (information.href, information.data_custodian_id) == ("/ai/7", "PGE")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (read_fixture("espi_pge_authorization_entry_2015_verdigris.xml"), "no Applic"),
        (b"<ApplicationInformation/>", "no ApplicationInformation"),
        (f'<feed xmlns="{ATOM}"/>'.encode(), "no ApplicationInformation"),
        (b"<entry", "not well-formed"),
        (
            b'<!DOCTYPE a [<!ENTITY x "PGE">]>'
            + _bare("<dataCustodianId>&x;</dataCustodianId>"),
            "DTDs and entities",
        ),
    ],
)
def test_refused_documents(body: bytes, message: str) -> None:
    """Other resources, a namespace-less element, broken or DTD-bearing XML."""
    with pytest.raises(ApiResponseError, match=message):
        parse_application_information(body)


# ---- the client ----------------------------------------------------------------------------


class Recorder(Canned):
    """The canned server, also keeping each request's Authorization header."""

    def __init__(self) -> None:
        super().__init__()
        self.bearers: list[str | None] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bearers.append(request.headers.get("Authorization"))
        return await super().handle(request)


type Served = tuple[Recorder, PgeClient, str]


@asynccontextmanager
async def _serve(script: Recorder) -> AsyncGenerator[TestServer]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield server


@pytest.fixture
async def served(socket_enabled: None) -> AsyncGenerator[Served]:
    """A canned PG&E on 127.0.0.1 under `/pge`, a budgeted client of it, its resource URL."""
    script = Recorder()
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async with aiohttp.ClientSession() as session, _serve(script) as server:
        api_url = str(server.make_url("/pge"))
        client = PgeClient(
            session,
            client_id=PGE_CLIENT_ID,
            client_secret=PGE_CLIENT_SECRET,
            api_url=api_url,
            backoff=0.001,
            now=lambda: NOW,
            budget=RequestBudget(PGE_LIMITS, clock=lambda: now[0], sleep=sleep),
        )
        yield script, client, f"{api_url}/GreenButtonConnect/espi/1_1/resource"


def _token_answer(**extra: object) -> tuple[int, bytes]:
    return 200, json.dumps(
        {"client_access_token": "client-token-7d1e", "expires_in": 3600, **extra}
    ).encode()


async def test_no_registration_token(served: Served) -> None:
    """PG&E's usual answer: nothing to read ApplicationInformation with, nothing asked."""
    script, client, _ = served
    assert await client.async_application_information() is None
    await client.async_get_token()
    assert not client.has_registration_token
    assert await client.async_application_information() is None
    assert script.received == [f"/pge{TOKEN_PATH}"]


async def test_registration_token_reads_the_resource(served: Served) -> None:
    """Both RFC 7591 fields: the URI is read with the registration token, counted."""
    script, client, resource = served
    uri = f"{resource}/ApplicationInformation/00000000-2222"
    script.answers[TOKEN_PATH] = [
        _token_answer(
            registration_access_token=REGISTRATION_TOKEN, registration_client_uri=uri
        )
    ]
    script.answers["/ApplicationInformation/00000000-2222"] = [
        (200, read_fixture(FIXTURE))
    ]
    await client.async_get_token()
    assert client.has_registration_token
    information = await client.async_application_information()
    assert information is not None
    assert (
        information.third_party_notify_uri == "https://api.example.com/espi/pge/notify"
    )
    assert (
        script.received[-1]
        == "/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/00000000-2222"
    )
    assert script.bearers[-1] == f"Bearer {REGISTRATION_TOKEN}"
    assert client.budget is not None
    assert client.budget.requests == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"registration_access_token": REGISTRATION_TOKEN},
        {"registration_client_uri": "http://127.0.0.1/pge/x"},
        {
            "registration_access_token": " ",
            "registration_client_uri": "http://127.0.0.1/x",
        },
        {
            "registration_access_token": 7,
            "registration_client_uri": "http://127.0.0.1/x",
        },
    ],
)
async def test_incomplete_registration_fields(
    served: Served, extra: dict[str, object]
) -> None:
    """One field alone, a blank or non-string token: no registration token."""
    script, client, _ = served
    script.answers[TOKEN_PATH] = [_token_answer(**extra)]
    await client.async_get_token()
    assert not client.has_registration_token


@pytest.mark.parametrize(
    "where",
    [
        "other_port",
        "https://{host}/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1",
        "http://localhost:{port}/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1",
        "http://user@{host}/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1",
        "http://{host}/pge/GreenButtonConnect/espi/1_1/resource/Authorization",
        "http://{host}/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1?x=1",
        "http://{host}/pge/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/../../x",
        "http://{host}/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1",
    ],
)
async def test_off_api_uri_is_never_sent_the_token(served: Served, where: str) -> None:
    """Another origin, userinfo, another resource, a query, `..`, outside the base path."""
    script, client, resource = served
    elsewhere = Recorder()
    async with _serve(elsewhere) as other:
        host = resource.split("/")[2]
        uri = (
            f"{other.make_url('/pge')!s}/GreenButtonConnect/espi/1_1/resource/ApplicationInformation/1"
            if where == "other_port"
            else where.format(host=host, port=host.rsplit(":", 1)[1])
        )
        script.answers[TOKEN_PATH] = [
            _token_answer(
                registration_access_token=REGISTRATION_TOKEN,
                registration_client_uri=uri,
            )
        ]
        await client.async_get_token()
        assert client.has_registration_token
        assert await client.async_application_information() is None
        assert not client.has_registration_token  # forgotten
        assert elsewhere.received == []
    assert script.received == [f"/pge{TOKEN_PATH}"]


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_registration_token_is_forgotten(
    served: Served, status: int
) -> None:
    """401/403: None, the token forgotten, not asked again; the client token is untouched."""
    script, client, resource = served
    script.answers[TOKEN_PATH] = [
        _token_answer(
            registration_access_token=REGISTRATION_TOKEN,
            registration_client_uri=f"{resource}/ApplicationInformation/9",
        )
    ]
    script.answers["/ApplicationInformation/9"] = [(status, b"")]
    token = await client.async_get_token()
    assert await client.async_application_information() is None
    assert not client.has_registration_token
    assert await client.async_application_information() is None
    assert await client.async_get_token() == token
    assert [path.rsplit("/", 1)[1] for path in script.received] == ["token", "9"]


async def test_a_new_token_answer_without_the_fields_keeps_it(served: Served) -> None:
    """The registration token outlives client tokens; a later answer with both replaces it."""
    script, client, resource = served
    first, second = (
        f"{resource}/ApplicationInformation/1",
        f"{resource}/ApplicationInformation/2",
    )
    script.answers[TOKEN_PATH] = [
        _token_answer(
            registration_access_token="reg-one-0000", registration_client_uri=first
        ),
        _token_answer(),
        _token_answer(
            registration_access_token="reg-two-0000", registration_client_uri=second
        ),
    ]
    script.answers["/ApplicationInformation/1"] = [(200, read_fixture(FIXTURE))]
    script.answers["/ApplicationInformation/2"] = [(200, read_fixture(FIXTURE))]
    for _ in range(2):
        await client.async_get_token()
        client._token = None  # noqa: SLF001 - ask PG&E for a new one
    assert await client.async_application_information() is not None
    await client.async_get_token()
    assert await client.async_application_information() is not None
    assert [path.rsplit("/", 1)[1] for path in script.received] == ["token"] * 2 + [
        "1",
        "token",
        "2",
    ]
    assert (script.bearers[2], script.bearers[4]) == (
        "Bearer reg-one-0000",
        "Bearer reg-two-0000",
    )


async def test_secrets_stay_out_of_logs_errors_and_repr(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither token nor URI id in logs, errors or the client's repr; 404 is an error."""
    script, client, resource = served
    caplog.set_level(logging.DEBUG)
    uri = f"{resource}/ApplicationInformation/5e1f0c3a-9b7d-4c2e-8a6f-1d2c3b4a5e6f"
    script.answers[TOKEN_PATH] = [
        _token_answer(
            registration_access_token=REGISTRATION_TOKEN, registration_client_uri=uri
        )
    ]
    script.answers["/5e1f0c3a-9b7d-4c2e-8a6f-1d2c3b4a5e6f"] = [(404, b""), (403, b"")]
    await client.async_get_token()
    shown = repr(client) + repr(vars(client))  # vars: the client secret is in there
    assert REGISTRATION_TOKEN not in shown
    assert "5e1f0c3a" not in shown
    with pytest.raises(ApiNotFoundError) as missing:
        await client.async_application_information()
    assert await client.async_application_information() is None
    text = "\n".join(
        [
            r.getMessage()
            for r in caplog.records
            if r.name.startswith(
                "custom_components"
            )  # not the test server's access log
        ]
        + [str(missing.value)]
    )
    assert "registration token refused (403)" in text
    for secret in (
        REGISTRATION_TOKEN,
        "5e1f0c3a-9b7d-4c2e-8a6f-1d2c3b4a5e6f",
        PGE_CLIENT_SECRET,
    ):
        assert secret not in text


async def test_against_the_simulator(make: Factory, simulator: Simulator) -> None:
    """Over HTTPS with mutual TLS: the simulator's token answer and ApplicationInformation."""
    account = simulator.pge.account()
    account.registration_token = True
    account.registered_notify_uri = "https://ha.example/api/webhook/openpower-7f3a"
    client = make()
    await client.async_get_token()
    assert client.has_registration_token
    information = await client.async_application_information()
    path = f"{RESOURCE_PATH}/ApplicationInformation/{account.application_id}"
    assert information is not None
    assert information.third_party_notify_uri == account.registered_notify_uri
    assert information.registration_client_uri == f"{client.api_url}{path}"
    assert information.status is ApplicationStatus.PRODUCTION
    assert (information.data_custodian_id, information.bulk_id) == (
        "PGE",
        account.bulk_id,
    )
    assert statuses(simulator, path) == [200]
