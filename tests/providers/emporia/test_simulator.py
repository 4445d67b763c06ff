"""Tests of the Emporia part of the simulator (plain aiohttp, no Home Assistant)."""

import asyncio
import base64
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
import pytest

from custom_components.openpower.api.emporia import srp
from custom_components.openpower.api.emporia.srp import SrpSession
from tests.simulator import (
    EMPORIA_BREAKER_PIN,
    EMPORIA_CHARGER_GID,
    EMPORIA_CHARGER_LOAD_GID,
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_CUSTOMER_GID,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_FEDERATED_PLUG_GID,
    EMPORIA_FEDERATED_USERNAME,
    EMPORIA_PASSWORD,
    EMPORIA_PLUG_GID,
    EMPORIA_PLUG_LOAD_GID,
    EMPORIA_VUE2_GID,
    EMPORIA_VUE3_GID,
    AmberSimulator,
    EmporiaChannel,
    EmporiaDevice,
    EmporiaSimulator,
    FakeClock,
    Simulator,
)
from tests.simulator.common import HTTP_FAULTS
from tests.simulator.emporia import clear_model_cache

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "emporia"
# Monday 20 July 2026, 11:13:32 in Los Angeles (PDT, UTC-7): the demo devices' time zone.
NOW = datetime(2026, 7, 20, 18, 13, 32, tzinfo=UTC)
NIGHT = datetime(
    2026, 7, 21, 5, 0, 30, tzinfo=UTC
)  # 22:00:30 PDT: the car is plugged in
CLIENT_ID = "4qte47jbstod8apnfic0bunmrq"
POOL_ID = "us-east-2_ghlOXVLi1"
AMZ_JSON = "application/x-amz-json-1.1"
COGNITO = "/emporia/cognito"
API = "/emporia/api"
APP_API = f"{API}/AppAPI"
MAINTENANCE = "/emporia/maintenance/maintenance.json"
ALL_GIDS = (
    f"{EMPORIA_VUE2_GID}+{EMPORIA_VUE3_GID}+{EMPORIA_PLUG_GID}+{EMPORIA_CHARGER_GID}"
)
VUE2_NAMES = [
    "Kitchen",
    "Dryer",
    "HVAC",
    "Water heater",
    "Fridge",
    "Solar",
    "EV charger",
    "Office",
    "Lights",
    "Dishwasher",
    "Washer",
    "Microwave",
    "Garage",
    "Living room",
    "Bedrooms",
    "Sub-panel",
]

type Client = TestClient[web.Request, web.Application]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace conftest's autouse fixture: these tests start no Home Assistant."""


@pytest.fixture(autouse=True)
def emporia_settings() -> None:
    """Replace the provider's autouse fixture: no Home Assistant to give settings to."""


@pytest.fixture
def clock() -> FakeClock:
    """Return the simulator clock, at NOW."""
    return FakeClock(NOW)


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    """Return a simulator on the fake clock."""
    return Simulator(clock=clock)


@pytest.fixture
def emporia(simulator: Simulator) -> EmporiaSimulator:
    """Return the simulator's Emporia part."""
    return simulator.emporia


@pytest.fixture
async def client(socket_enabled: None, simulator: Simulator) -> AsyncGenerator[Client]:
    """Serve the simulator's app on 127.0.0.1 and return a client for it."""
    async with TestClient(TestServer(simulator.app)) as test_client:
        yield test_client


@pytest.fixture
async def token(client: Client) -> str:
    """Sign the demo user in with a password and return its id token."""
    status, result = await _password(client)
    assert status == 200, result
    return str(result["AuthenticationResult"]["IdToken"])


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _zulu(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _claims(jwt: str) -> dict[str, Any]:
    parts = jwt.split(".")
    assert len(parts) == 3
    assert not any("=" in part for part in parts)
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


async def _cognito(
    client: Client,
    operation: str,
    body: dict[str, Any],
    *,
    content_type: str = AMZ_JSON,
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        COGNITO,
        data=json.dumps(body),
        headers={
            "Content-Type": content_type,
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        },
    )
    assert response.content_type == AMZ_JSON
    assert response.headers["x-amzn-RequestId"]
    return response.status, await response.json(content_type=None)


async def _password(
    client: Client, username: str = EMPORIA_EMAIL, password: str = EMPORIA_PASSWORD
) -> tuple[int, dict[str, Any]]:
    return await _cognito(
        client,
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": CLIENT_ID,
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
    )


async def _srp_challenge(
    client: Client, session: SrpSession, username: str
) -> tuple[int, dict[str, Any]]:
    return await _cognito(
        client,
        "InitiateAuth",
        {
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": CLIENT_ID,
            "AuthParameters": {"USERNAME": username, "SRP_A": session.srp_a},
        },
    )


async def _respond(
    client: Client, responses: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    return await _cognito(
        client,
        "RespondToAuthChallenge",
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": responses,
        },
    )


async def _refresh(client: Client, refresh_token: str) -> tuple[int, dict[str, Any]]:
    return await _cognito(
        client,
        "InitiateAuth",
        {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": CLIENT_ID,
            "AuthParameters": {"REFRESH_TOKEN": refresh_token},
        },
    )


def _error(status: int, body: dict[str, Any]) -> tuple[int, str, str]:
    assert list(body) == ["__type", "message"]
    return status, body["__type"], body["message"]


async def _get(
    client: Client, path: str, token: str, **params: object
) -> aiohttp.ClientResponse:
    return await client.get(
        path,
        headers={"authtoken": token},
        params={k: str(v) for k, v in params.items()},
    )


async def _json(client: Client, path: str, token: str, **params: object) -> Any:
    response = await _get(client, path, token, **params)
    assert response.status == 200, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


async def _usages(
    client: Client,
    token: str,
    scale: str,
    instant: datetime | str,
    gids: str = ALL_GIDS,
) -> dict[str, Any]:
    body = await _json(
        client,
        APP_API,
        token,
        apiMethod="getDeviceListUsages",
        deviceGids=gids,
        instant=instant if isinstance(instant, str) else _zulu(instant),
        scale=scale,
        energyUnit="KilowattHours",
    )
    assert list(body) == ["deviceListUsages"]
    return body["deviceListUsages"]


async def _chart(
    client: Client,
    token: str,
    gid: int,
    channel: str,
    start: datetime,
    end: datetime,
    scale: str = "1H",
) -> dict[str, Any]:
    return await _json(
        client,
        APP_API,
        token,
        apiMethod="getChartUsage",
        deviceGid=gid,
        channel=channel,
        start=_zulu(start),
        end=_zulu(end),
        scale=scale,
        energyUnit="KilowattHours",
    )


def _by_num(device: dict[str, Any]) -> dict[str, float | None]:
    return {c["channelNum"]: c["usage"] for c in device["channelUsages"]}


def _device(usages: dict[str, Any], gid: int) -> dict[str, Any]:
    return next(d for d in usages["devices"] if d["deviceGid"] == gid)


def _nested(usages: dict[str, Any], gid: int) -> dict[str, Any]:
    vue2 = _device(usages, EMPORIA_VUE2_GID)
    return next(
        d for d in vue2["channelUsages"][0]["nestedDevices"] if d["deviceGid"] == gid
    )


# --------------------------------------------------------------------------------------------
# URLs, Cognito


def test_urls(simulator: Simulator) -> None:
    """`urls("emporia")` maps the three real hosts under `/emporia`."""
    with pytest.raises(RuntimeError):
        simulator.urls("emporia")
    assert simulator.urls("emporia", "http://127.0.0.1:1234/") == {
        "api_url": "http://127.0.0.1:1234/emporia/api",
        "auth_url": "http://127.0.0.1:1234/emporia/cognito",
        "maintenance_url": "http://127.0.0.1:1234/emporia/maintenance/maintenance.json",
    }
    simulator.set_root("http://localhost:9")
    assert simulator.urls("emporia")["auth_url"] == "http://localhost:9/emporia/cognito"


async def test_password_sign_in(client: Client, simulator: Simulator) -> None:
    """USER_PASSWORD_AUTH answers Cognito's AuthenticationResult with JWT-shaped tokens."""
    status, result = await _password(client)
    assert status == 200
    assert list(result) == ["AuthenticationResult", "ChallengeParameters"]
    assert result["ChallengeParameters"] == {}
    auth = result["AuthenticationResult"]
    model = _fixture("ha-emporia-ev_cognito_auth_response.json")["AuthenticationResult"]
    assert list(auth) == list(model)
    assert (auth["TokenType"], auth["ExpiresIn"]) == ("Bearer", 3600)
    id_claims = _claims(auth["IdToken"])
    access_claims = _claims(auth["AccessToken"])
    issued = int(NOW.timestamp())
    for claims, use in ((id_claims, "id"), (access_claims, "access")):
        assert claims["token_use"] == use
        assert (claims["iat"], claims["exp"]) == (issued, issued + 3600)
        assert claims["email"] == EMPORIA_EMAIL
        assert claims["sub"] == id_claims["sub"]
    assert id_claims["aud"] == CLIENT_ID
    assert len(auth["RefreshToken"].split(".")) == 5
    assert simulator.requests[-1].account == EMPORIA_EMAIL

    simulator.emporia.token_lifetime = 600
    status, result = await _password(client)
    assert result["AuthenticationResult"]["ExpiresIn"] == 600
    assert _claims(result["AuthenticationResult"]["IdToken"])["exp"] == issued + 600


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"PASSWORD": "wrong"},
            ("NotAuthorizedException", "Incorrect username or password."),
        ),
        (
            {"USERNAME": "nobody@openpower.invalid"},
            ("UserNotFoundException", "User does not exist."),
        ),
        (
            {"USERNAME": "Demo@OpenPower.invalid"},
            ("UserNotFoundException", "User does not exist."),
        ),
        (
            {"USERNAME": EMPORIA_FEDERATED_EMAIL},
            ("UserNotFoundException", "User does not exist."),
        ),
        (
            {"USERNAME": EMPORIA_FEDERATED_USERNAME},
            ("UserNotFoundException", "User does not exist."),
        ),
        (
            {"PASSWORD": None},
            ("InvalidParameterException", "Missing required parameter PASSWORD"),
        ),
        (
            {"ClientId": "1example23456789"},
            (
                "ResourceNotFoundException",
                "User pool client 1example23456789 does not exist.",
            ),
        ),
        ({"AuthFlow": "USER_AUTH_PLEASE"}, ("InvalidParameterException", None)),
    ],
)
async def test_password_sign_in_errors(
    client: Client, change: dict[str, str | None], expected: tuple[str, str | None]
) -> None:
    """Wrong password, unknown, differently cased or federated user, bad client or flow."""
    parameters = {"USERNAME": EMPORIA_EMAIL, "PASSWORD": EMPORIA_PASSWORD}
    body: dict[str, Any] = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID}
    for key, value in change.items():
        target = parameters if key in parameters else body
        if value is None:
            del target[key]
        else:
            target[key] = value
    body["AuthParameters"] = parameters
    status, error_type, message = _error(*await _cognito(client, "InitiateAuth", body))
    assert (status, error_type) == (400, expected[0])
    if expected[1] is not None:
        assert message == expected[1]


async def test_cognito_protocol(client: Client, emporia: EmporiaSimulator) -> None:
    """Disabled password flow, wrong content type or target, a body that is not an object."""
    emporia.password_auth_enabled = False
    assert _error(*await _password(client)) == (
        400,
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    emporia.password_auth_enabled = True
    assert (await _password(client))[0] == 200

    body = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID}
    wrong_type = await _cognito(
        client, "InitiateAuth", body, content_type="application/json"
    )
    assert _error(*wrong_type)[:2] == (400, "UnknownOperationException")
    assert _error(*await _cognito(client, "SignUp", body))[:2] == (
        400,
        "UnknownOperationException",
    )
    response = await client.post(
        COGNITO + "/",
        data=b"[1, 2]",
        headers={
            "Content-Type": AMZ_JSON,
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
    )
    assert response.status == 400
    assert (await response.json(content_type=None))[
        "__type"
    ] == "SerializationException"
    assert (await client.get(COGNITO)).status == 405


async def test_srp_sign_in(
    client: Client, simulator: Simulator, clock: FakeClock
) -> None:
    """A complete USER_SRP_AUTH sign-in with the client's SrpSession, then its id token works."""
    session = SrpSession.start(POOL_ID)
    status, challenge = await _srp_challenge(client, session, EMPORIA_EMAIL)
    assert status == 200
    assert list(challenge) == ["ChallengeName", "ChallengeParameters"]
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    parameters = challenge["ChallengeParameters"]
    assert sorted(parameters) == [
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USERNAME",
        "USER_ID_FOR_SRP",
    ]
    assert parameters["USERNAME"] == parameters["USER_ID_FOR_SRP"]
    assert base64.standard_b64decode(parameters["SECRET_BLOCK"])
    responses = session.respond(parameters, EMPORIA_EMAIL, EMPORIA_PASSWORD, clock.now)
    status, result = await _respond(client, responses)
    assert status == 200, result
    auth = result["AuthenticationResult"]
    assert list(auth) == [
        "AccessToken",
        "ExpiresIn",
        "IdToken",
        "RefreshToken",
        "TokenType",
    ]
    assert _claims(auth["IdToken"])["sub"] == parameters["USER_ID_FOR_SRP"]
    customer = await _json(client, f"{API}/customers", auth["IdToken"])
    assert customer["customerGid"] == EMPORIA_CUSTOMER_GID
    assert simulator.requests[-2].account == EMPORIA_EMAIL

    # A secret block answers once.
    assert _error(*await _respond(client, responses))[1] == "NotAuthorizedException"

    # Same salt and user, another B, each attempt; the user can be named by its sub.
    again = SrpSession.start(POOL_ID)
    _, second = await _srp_challenge(client, again, parameters["USER_ID_FOR_SRP"])
    assert second["ChallengeParameters"]["SALT"] == parameters["SALT"]
    assert second["ChallengeParameters"]["SRP_B"] != parameters["SRP_B"]
    status, _ = await _respond(
        client,
        again.respond(
            second["ChallengeParameters"], EMPORIA_EMAIL, EMPORIA_PASSWORD, clock.now
        ),
    )
    assert status == 200


async def test_srp_failures(
    client: Client, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong password, expired challenge, badly formatted timestamp, unknown and federated users."""
    session = SrpSession.start(POOL_ID)
    _, challenge = await _srp_challenge(client, session, EMPORIA_EMAIL)
    wrong = session.respond(
        challenge["ChallengeParameters"], EMPORIA_EMAIL, "not-the-password", clock.now
    )
    assert _error(*await _respond(client, wrong)) == (
        400,
        "NotAuthorizedException",
        "Incorrect username or password.",
    )

    _, challenge = await _srp_challenge(client, session, EMPORIA_EMAIL)
    clock.advance(181)
    late = session.respond(
        challenge["ChallengeParameters"], EMPORIA_EMAIL, EMPORIA_PASSWORD, clock.now
    )
    assert _error(*await _respond(client, late)) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )

    # The right proof, but over a zero-padded day ("Jul 05"): Cognito's format has none.
    clock.now = datetime(2026, 7, 5, 3, 4, 5, tzinfo=UTC)
    _, challenge = await _srp_challenge(client, session, EMPORIA_EMAIL)
    monkeypatch.setattr(
        srp, "cognito_timestamp", lambda when: when.strftime("%a %b %d %H:%M:%S UTC %Y")
    )
    padded = session.respond(
        challenge["ChallengeParameters"], EMPORIA_EMAIL, EMPORIA_PASSWORD, clock.now
    )
    assert padded["TIMESTAMP"] == "Sun Jul 05 03:04:05 UTC 2026"
    assert _error(*await _respond(client, padded))[1] == "NotAuthorizedException"
    monkeypatch.undo()
    _, challenge = await _srp_challenge(client, session, EMPORIA_EMAIL)
    fine = session.respond(
        challenge["ChallengeParameters"], EMPORIA_EMAIL, EMPORIA_PASSWORD, clock.now
    )
    assert fine["TIMESTAMP"] == "Sun Jul 5 03:04:05 UTC 2026"
    assert (await _respond(client, fine))[0] == 200

    for username in (
        EMPORIA_FEDERATED_EMAIL,
        EMPORIA_FEDERATED_USERNAME,
        "nobody@openpower.invalid",
    ):
        assert _error(*await _srp_challenge(client, session, username)) == (
            400,
            "UserNotFoundException",
            "User does not exist.",
        )
    bad_a = await _cognito(
        client,
        "InitiateAuth",
        {
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": CLIENT_ID,
            "AuthParameters": {"USERNAME": EMPORIA_EMAIL, "SRP_A": "0"},
        },
    )
    assert _error(*bad_a)[1] == "InvalidParameterException"


async def test_refresh(
    client: Client, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """REFRESH_TOKEN_AUTH: no new refresh token; unknown, revoked and expired refresh tokens."""
    _, result = await _password(client)
    refresh_token = result["AuthenticationResult"]["RefreshToken"]
    clock.advance(4000)
    status, refreshed = await _refresh(client, refresh_token)
    assert status == 200
    auth = refreshed["AuthenticationResult"]
    assert list(auth) == ["AccessToken", "ExpiresIn", "IdToken", "TokenType"]
    assert refreshed["ChallengeParameters"] == {}
    assert _claims(auth["IdToken"])["iat"] == int(clock.now.timestamp())
    assert (await _get(client, f"{API}/customers", auth["IdToken"])).status == 200

    assert _error(*await _refresh(client, "eyJunknown")) == (
        400,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    )
    emporia.revoke_refresh_tokens(EMPORIA_EMAIL)
    assert _error(*await _refresh(client, refresh_token)) == (
        400,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )
    assert (await _get(client, f"{API}/customers", auth["IdToken"])).status == 200

    emporia.refresh_token_lifetime = 86400
    _, result = await _password(client)
    refresh_token = result["AuthenticationResult"]["RefreshToken"]
    clock.advance(86399)
    assert (await _refresh(client, refresh_token))[0] == 200
    clock.advance(1)
    assert _error(*await _refresh(client, refresh_token))[2] == (
        "Refresh Token has expired"
    )


async def test_id_token_lifetime(
    client: Client, emporia: EmporiaSimulator, clock: FakeClock, token: str
) -> None:
    """The API takes an id token until its exp; `expire_tokens`; access tokens and Bearer fail."""
    customers = f"{API}/customers"
    clock.advance(3599)
    assert (await _get(client, customers, token)).status == 200
    clock.advance(1)
    expired = await _get(client, customers, token)
    assert expired.status == 401
    assert await expired.read() == b'{"message":"Unauthorized"}'

    _, result = await _password(client)
    fresh = result["AuthenticationResult"]
    assert (await _get(client, customers, fresh["IdToken"])).status == 200
    assert (await _get(client, customers, fresh["AccessToken"])).status == 401
    for headers in (
        {},
        {"Authorization": f"Bearer {fresh['IdToken']}"},
        {"authtoken": f"Bearer {fresh['IdToken']}"},
    ):
        assert (await client.get(customers, headers=headers)).status == 401
    emporia.expire_tokens()
    assert (await _get(client, customers, fresh["IdToken"])).status == 401
    _, result = await _password(client)
    assert (
        await _get(client, customers, result["AuthenticationResult"]["IdToken"])
    ).status == 200


async def test_federated_user(client: Client, emporia: EmporiaSimulator) -> None:
    """A Google user cannot sign in with a password, but pasted tokens work and refresh."""
    tokens = emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    assert sorted(tokens) == ["access_token", "id_token", "refresh_token"]
    claims = _claims(tokens["id_token"])
    assert claims["cognito:username"] == EMPORIA_FEDERATED_USERNAME
    assert claims["email"] == EMPORIA_FEDERATED_EMAIL
    customer = await _json(client, f"{API}/customers/devices", tokens["id_token"])
    assert customer["customerGid"] == EMPORIA_FEDERATED_CUSTOMER_GID
    assert [d["deviceGid"] for d in customer["devices"]] == [EMPORIA_FEDERATED_PLUG_GID]
    status, refreshed = await _refresh(client, tokens["refresh_token"])
    assert status == 200
    assert (
        _claims(refreshed["AuthenticationResult"]["IdToken"])["email"]
        == EMPORIA_FEDERATED_EMAIL
    )
    demo = emporia.issue_tokens(EMPORIA_EMAIL)
    assert (await _get(client, f"{API}/customers", demo["id_token"])).status == 200


# --------------------------------------------------------------------------------------------
# Customer, devices, status


async def test_customer_and_devices(client: Client, token: str) -> None:
    """`customers` and `customers/devices` with every field of the 2026 capture."""
    customer = await _json(client, f"{API}/customers", token)
    assert customer == {
        "customerGid": EMPORIA_CUSTOMER_GID,
        "email": EMPORIA_EMAIL,
        "firstName": "Demo",
        "lastName": "User",
        "createdAt": "2022-03-14T17:05:09Z",
    }
    payload = await _json(client, f"{API}/customers/devices", token)
    model = _fixture("ha-emporia-ev_devices.json")
    assert set(payload) == set(model)
    assert {k: payload[k] for k in customer} == customer
    devices = {d["deviceGid"]: d for d in payload["devices"]}
    assert list(devices) == [EMPORIA_VUE2_GID, EMPORIA_PLUG_GID, EMPORIA_CHARGER_GID]
    model_device = model["devices"][0]
    vue2 = devices[EMPORIA_VUE2_GID]
    vue3 = vue2["devices"][0]
    everything = [*devices.values(), vue3]
    for device in everything:
        assert set(device) == set(model_device)
        # The 2026 capture has no zipCode (older captures and the brief list it).
        assert set(device["locationProperties"]) == {
            "zipCode",
            *model_device["locationProperties"],
        }
        assert set(device["deviceConnected"]) == {
            "deviceGid",
            "connected",
            "offlineSince",
        }
        for channel in device["channels"]:
            assert set(channel) == set(model_device["channels"][0])
            assert channel["deviceGid"] == device["deviceGid"]
        assert type(device["deviceGid"]) is int
        assert device["locationProperties"]["timeZone"] == "America/Los_Angeles"

    assert (vue2["manufacturerDeviceId"], vue2["model"], vue2["firmware"]) == (
        "A2107A0001",
        "VUE002",
        "Vue2-1655931262",
    )
    assert vue2["locationProperties"]["deviceName"] == "Home"
    mains, *circuits = vue2["channels"]
    assert mains == {
        "deviceGid": EMPORIA_VUE2_GID,
        "name": None,
        "channelNum": "1,2,3",
        "channelMultiplier": 1.0,
        "channelTypeGid": None,
        "type": "Main",
        "parentChannelNum": None,
        "channelId": "Mains",
        "mergedChannelId": None,
    }
    assert [c["name"] for c in circuits] == VUE2_NAMES
    assert [c["channelNum"] for c in circuits] == [str(n) for n in range(1, 17)]
    assert [c["channelId"] for c in circuits] == [f"Branch_{n}" for n in range(1, 17)]
    by_name = {c["name"]: c for c in circuits}
    assert by_name["HVAC"]["channelMultiplier"] == 2.0
    assert (by_name["Solar"]["type"], by_name["Solar"]["channelTypeGid"]) == (
        "FiftyAmpBidirectional",
        13,
    )
    assert by_name["EV charger"]["channelTypeGid"] == 25
    assert {c["type"] for c in circuits if c["name"] != "Solar"} == {"FiftyAmp"}

    assert vue2["devices"] == [vue3]
    assert (vue3["deviceGid"], vue3["manufacturerDeviceId"], vue3["model"]) == (
        EMPORIA_VUE3_GID,
        "F3000A0002",
        "VUE003",
    )
    assert (vue3["parentDeviceGid"], vue3["parentChannelNum"]) == (
        EMPORIA_VUE2_GID,
        "16",
    )
    assert vue3["locationProperties"]["deviceName"] == "Workshop"
    assert [c["name"] for c in vue3["channels"]] == [
        None,
        "Compressor",
        "Lathe",
        "Heater",
        "Lights",
    ]

    plug = devices[EMPORIA_PLUG_GID]
    assert (plug["manufacturerDeviceId"], plug["model"]) == ("B1000A0003", "SSO001")
    assert plug["locationProperties"]["deviceName"] == "Coffee maker"
    assert plug["outlet"] == {
        "deviceGid": EMPORIA_PLUG_GID,
        "outletOn": True,
        "loadGid": EMPORIA_PLUG_LOAD_GID,
    }
    assert [
        (c["channelNum"], c["type"], c["channelTypeGid"]) for c in plug["channels"]
    ] == [("1,2,3", "Main", 23)]

    charger = devices[EMPORIA_CHARGER_GID]
    assert (charger["manufacturerDeviceId"], charger["model"], charger["firmware"]) == (
        "D1000A0004",
        "VVDN01",
        "EVCharger-812",
    )
    assert charger["locationProperties"]["deviceName"] == "Garage charger"
    assert set(charger["evCharger"]) == set(model_device["evCharger"])
    ev = charger["evCharger"]
    assert (ev["loadGid"], ev["breakerPIN"], ev["maxChargingRate"]) == (
        EMPORIA_CHARGER_LOAD_GID,
        EMPORIA_BREAKER_PIN,
        40,
    )
    assert (ev["chargingRate"], ev["chargerOn"]) == (32, True)
    assert [(c["channelNum"], c["channelTypeGid"]) for c in charger["channels"]] == [
        ("1,2,3", 25)
    ]
    for device in everything:
        assert (device["outlet"] is None) != (device is plug)
        assert (device["evCharger"] is None) != (device is charger)

    broken = await _get(
        client, f"{API}/devices/{EMPORIA_VUE2_GID}/locationProperties", token
    )
    assert broken.status == 400
    assert "message" in await broken.json()


async def test_status(
    client: Client, token: str, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """`customers/devices/status` has the capture's shape; the charger follows the car."""
    status = await _json(client, f"{API}/customers/devices/status", token)
    model = _fixture("ha-emporia-ev_device_status.json")
    assert set(status) == set(model)
    assert [d["deviceGid"] for d in status["devicesConnected"]] == [
        EMPORIA_VUE2_GID,
        EMPORIA_VUE3_GID,
        EMPORIA_PLUG_GID,
        EMPORIA_CHARGER_GID,
    ]
    assert status["outlets"] == [
        {
            "deviceGid": EMPORIA_PLUG_GID,
            "outletOn": True,
            "loadGid": EMPORIA_PLUG_LOAD_GID,
        }
    ]
    assert status["batteries"] == []
    assert [load["loadGid"] for load in status["loads"]] == [
        EMPORIA_PLUG_LOAD_GID,
        EMPORIA_CHARGER_LOAD_GID,
    ]
    assert all(set(load) == set(model["loads"][0]) for load in status["loads"])
    (charger,) = status["evChargers"]
    probe = _fixture("probe2026_legacy_devices_status_evChargers_item.json")
    assert list(charger) == list(probe)
    assert set(charger) == set(model["evChargers"][0])
    daytime = {k: charger[k] for k in ("status", "icon", "iconLabel", "message")}
    assert daytime == {
        "status": "Standby",
        "icon": "CarNotConnected",
        "iconLabel": "Ready",
        "message": "Ready",
    }
    assert charger["iconDetailText"] == model["evChargers"][0]["iconDetailText"]

    clock.now = NIGHT
    token = emporia.issue_tokens(EMPORIA_EMAIL)["id_token"]
    charger = (await _json(client, f"{API}/customers/devices/status", token))[
        "evChargers"
    ][0]
    assert (charger["status"], charger["icon"], charger["message"]) == (
        "Charging",
        "CarConnected",
        "Charging",
    )
    emporia.set_charger(EMPORIA_CHARGER_GID, on=False)
    charger = (await _json(client, f"{API}/customers/devices/status", token))[
        "evChargers"
    ][0]
    assert (charger["status"], charger["icon"], charger["iconLabel"]) == (
        "Standby",
        "CarConnected",
        "Pausing",
    )


# --------------------------------------------------------------------------------------------
# Writes


async def test_outlet_write(
    client: Client, token: str, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """PUT devices/outlet switches the plug (status at once, usage from the next minute)."""
    path = f"{API}/devices/outlet"
    headers = {"authtoken": token}
    body = {
        "deviceGid": EMPORIA_PLUG_GID,
        "outletOn": False,
        "loadGid": EMPORIA_PLUG_LOAD_GID,
    }
    for bad in (
        {"deviceGid": EMPORIA_PLUG_GID, "outletOn": False},
        body | {"loadGid": 3000004},
        body | {"loadGid": str(EMPORIA_PLUG_LOAD_GID)},
        body | {"deviceGid": EMPORIA_VUE2_GID},
        body | {"deviceGid": EMPORIA_FEDERATED_PLUG_GID, "loadGid": 3000005},
        body | {"outletOn": "off"},
    ):
        response = await client.put(path, headers=headers, json=bad)
        assert response.status == 400, bad
        assert EMPORIA_EMAIL in (await response.json())["message"]
    garbage = await client.put(path, headers=headers, data=b"outletOn=false")
    assert garbage.status == 400
    assert (await client.put(path, json=body)).status == 401

    response = await client.put(path, headers=headers, json=body)
    assert response.status == 200
    assert await response.json() == body
    # Every body read is kept for tests, the refused ones too (the garbage is not JSON).
    assert emporia.writes[-1] == (path, body)
    assert len(emporia.writes) == 7
    status = await _json(client, f"{API}/customers/devices/status", token)
    assert status["outlets"][0]["outletOn"] is False

    clock.advance(120)  # 18:15:32: the write took effect at 18:14:00
    plug = str(EMPORIA_PLUG_GID)
    before = await _usages(client, token, "1MIN", "2026-07-20T18:14:00Z", plug)
    after = await _usages(client, token, "1MIN", "2026-07-20T18:15:00Z", plug)
    assert before["devices"][0]["channelUsages"][0]["usage"] > 0
    assert after["devices"][0]["channelUsages"][0]["usage"] == 0.0
    emporia.set_outlet(EMPORIA_PLUG_GID, True)
    status = await _json(client, f"{API}/customers/devices/status", token)
    assert status["outlets"][0]["outletOn"] is True


async def test_charger_write(
    client: Client, token: str, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """PUT devices/evcharger validates PIN, rates and load; power = chargingRate × 240 V."""
    path = f"{API}/devices/evcharger"
    headers = {"authtoken": token}
    body = {
        "deviceGid": EMPORIA_CHARGER_GID,
        "loadGid": EMPORIA_CHARGER_LOAD_GID,
        "chargerOn": True,
        "chargingRate": 16,
        "maxChargingRate": 40,
        "breakerPIN": EMPORIA_BREAKER_PIN,
    }
    for change in (
        {"breakerPIN": None},
        {"breakerPIN": "0000"},
        {"chargingRate": 5},
        {"chargingRate": 41},
        {"chargingRate": "16"},
        {"chargingRate": 16.0},
        {"maxChargingRate": 48},
        {"loadGid": 3000003},
        {"loadGid": None},
        {"chargerOn": None},
        {"deviceGid": EMPORIA_PLUG_GID},
    ):
        bad = {k: v for k, v in (body | change).items() if v is not None}
        response = await client.put(path, headers=headers, json=bad)
        assert response.status == 400, change
        assert EMPORIA_EMAIL in (await response.json())["message"]
    emporia.reject_charger_writes = True
    offline = await client.put(path, headers=headers, json=body)
    assert offline.status == 400
    assert await offline.json() == {"message": "Charger is offline"}
    emporia.reject_charger_writes = False

    response = await client.put(path, headers=headers, json=body | {"chargingRate": 6})
    assert response.status == 200
    response = await client.put(path, headers=headers, json=body)
    assert response.status == 200
    charger = await response.json()
    status = await _json(client, f"{API}/customers/devices/status", token)
    assert charger == status["evChargers"][0]
    assert (charger["chargingRate"], charger["chargerOn"]) == (16, True)

    clock.now = NIGHT  # charging at 16 A since the write
    token = emporia.issue_tokens(EMPORIA_EMAIL)["id_token"]
    headers = {"authtoken": token}
    usages = await _usages(client, token, "1MIN", NIGHT)
    watts = _by_num(_device(usages, EMPORIA_CHARGER_GID))["1,2,3"]
    assert watts is not None
    assert watts * 60_000 == pytest.approx(16 * 240, abs=1e-9)
    assert _by_num(_device(usages, EMPORIA_VUE2_GID))["7"] == watts

    off = body | {"chargerOn": False}
    assert (await client.put(path, headers=headers, json=off)).status == 200
    clock.advance(90)
    usages = await _usages(client, token, "1MIN", clock.now)
    assert _by_num(_device(usages, EMPORIA_CHARGER_GID))["1,2,3"] == 0.0


# --------------------------------------------------------------------------------------------
# Usage


@pytest.mark.parametrize(
    ("scale", "instant", "gid", "start", "end"),
    [
        # 1S, 1MIN: the last complete second or minute ending at or before the instant.
        (
            "1S",
            "2026-07-20T18:13:31.500Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T18:13:30Z",
            "2026-07-20T18:13:31Z",
        ),
        (
            "1MIN",
            "2026-07-20T18:13:00Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T18:12:00Z",
            "2026-07-20T18:13:00Z",
        ),
        (  # the minute ending at 18:14 has not ended: truncated at now (18:13:32)
            "1MIN",
            "2026-07-20T18:14:02.5Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T18:13:00Z",
            "2026-07-20T18:13:32Z",
        ),
        # 15MIN, 1H: the UTC window containing the instant, truncated at now.
        (
            "15MIN",
            "2026-07-20T18:13:32Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T18:00:00Z",
            "2026-07-20T18:13:32Z",
        ),
        (
            "1H",
            "2026-07-20T17:59:59Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T17:00:00Z",
            "2026-07-20T18:00:00Z",
        ),
        ("1H", "2026-07-20T19:00:00Z", EMPORIA_VUE2_GID, "2026-07-20T19:00:00Z", None),
        # Calendar windows in Los Angeles time.
        (
            "1D",
            "2026-07-20T18:13:32Z",
            EMPORIA_VUE2_GID,
            "2026-07-20T07:00:00Z",
            "2026-07-20T18:13:32Z",
        ),
        (
            "1D",
            "2026-07-20T06:59:59Z",
            EMPORIA_VUE2_GID,
            "2026-07-19T07:00:00Z",
            "2026-07-20T07:00:00Z",
        ),
        (  # Sunday evening: the week from Monday 13 July
            "1W",
            "2026-07-20T03:00:00Z",
            EMPORIA_VUE2_GID,
            "2026-07-13T07:00:00Z",
            "2026-07-20T07:00:00Z",
        ),
        (
            "1MON",
            "2026-07-20T18:13:32Z",
            EMPORIA_VUE2_GID,
            "2026-07-01T07:00:00Z",
            "2026-07-20T18:13:32Z",
        ),
        (  # 31 December 2025, 16:00 in Los Angeles: still 2025 there (PST)
            "1Y",
            "2026-01-01T00:00:00Z",
            EMPORIA_PLUG_GID,
            "2025-01-01T08:00:00Z",
            "2026-01-01T08:00:00Z",
        ),
    ],
)
async def test_usage_windows(
    client: Client,
    token: str,
    emporia: EmporiaSimulator,
    *,
    scale: str,
    instant: str,
    gid: int,
    start: str,
    end: str | None,
) -> None:
    """Each scale's window; the response `instant` is its start; "now" truncates it."""
    usages = await _usages(client, token, scale, instant, str(gid))
    assert (usages["instant"], usages["scale"], usages["energyUnit"]) == (
        start,
        scale,
        "KilowattHours",
    )
    (device,) = usages["devices"]
    for channel in device["channelUsages"]:
        if end is None:
            assert channel["usage"] is None
            assert channel["percentage"] == 0.0
        else:
            expected = emporia.energy(gid, channel["channelNum"], _at(start), _at(end))
            assert channel["usage"] == pytest.approx(expected, rel=1e-12, abs=1e-15)


async def test_usage_shape(
    client: Client, token: str, emporia: EmporiaSimulator
) -> None:
    """Fixture shapes; nested devices under their parent's Main; Balance; percentages."""
    usages = await _usages(client, token, "1D", NOW)
    model = _fixture("pyemvue_docs_getDeviceListUsages_1D.json")["deviceListUsages"]
    assert list(usages) == list(model)
    item_keys = list(model["devices"][0]["channelUsages"][0])
    assert [d["deviceGid"] for d in usages["devices"]] == [
        EMPORIA_VUE2_GID,
        EMPORIA_PLUG_GID,
        EMPORIA_CHARGER_GID,
    ]
    vue2 = _device(usages, EMPORIA_VUE2_GID)
    assert list(vue2) == ["deviceGid", "channelUsages"]
    assert [c["name"] for c in vue2["channelUsages"]] == [
        "Main",
        *VUE2_NAMES,
        "Balance",
    ]
    assert [c["channelNum"] for c in vue2["channelUsages"]] == [
        "1,2,3",
        *(str(n) for n in range(1, 17)),
        "Balance",
    ]
    main = vue2["channelUsages"][0]
    assert main["percentage"] == 100.0
    (vue3,) = main["nestedDevices"]
    assert vue3["deviceGid"] == EMPORIA_VUE3_GID
    assert [c["name"] for c in vue3["channelUsages"]] == [
        "Main",
        "Compressor",
        "Lathe",
        "Heater",
        "Lights",
        "Balance",
    ]
    channels = [*vue2["channelUsages"], *vue3["channelUsages"]]
    for channel in channels:
        assert list(channel) == item_keys
        assert channel["percentage"] == pytest.approx(
            100 * channel["usage"] / main["usage"]
        )
        assert channel["nestedDevices"] == ([vue3] if channel is main else [])
    assert all(c["deviceGid"] == EMPORIA_VUE3_GID for c in vue3["channelUsages"])
    for gid in (EMPORIA_PLUG_GID, EMPORIA_CHARGER_GID):
        (only,) = _device(usages, gid)["channelUsages"]
        assert (only["name"], only["channelNum"]) == ("Main", "1,2,3")

    # Without its parent, the Vue 3 is listed at top level; others' and unknown gids are left out.
    alone = await _usages(
        client, token, "1D", NOW, f"{EMPORIA_VUE3_GID}+{EMPORIA_FEDERATED_PLUG_GID}+99"
    )
    assert [d["deviceGid"] for d in alone["devices"]] == [EMPORIA_VUE3_GID]
    assert alone["devices"][0]["channelUsages"][0]["percentage"] == 100.0
    # A literal "+" in the query (a space once decoded) separates gids too.
    raw = await client.get(
        f"{APP_API}?apiMethod=getDeviceListUsages&deviceGids={EMPORIA_PLUG_GID}+"
        f"{EMPORIA_CHARGER_GID}&instant=2026-07-20T18:13:32Z&scale=1D"
        "&energyUnit=KilowattHours",
        headers={"authtoken": token},
    )
    assert [
        d["deviceGid"] for d in (await raw.json())["deviceListUsages"]["devices"]
    ] == [
        EMPORIA_PLUG_GID,
        EMPORIA_CHARGER_GID,
    ]
    emporia.echo_instant = True
    echoed = await _usages(client, token, "1H", "2026-07-20T18:13:32.123456Z")
    assert echoed["instant"] == "2026-07-20T18:13:32Z"


async def test_usage_consistency(client: Client, token: str) -> None:
    """60 minutes make the hour; mains = circuits + Balance; sub-panel = Vue 3; solar exports."""
    hour = datetime(2026, 7, 19, 19, tzinfo=UTC)  # Sunday 12:00-13:00 in Los Angeles
    whole = await _usages(client, token, "1H", hour + timedelta(minutes=30))
    minutes = [
        await _usages(client, token, "1MIN", hour + timedelta(minutes=m))
        for m in range(1, 61)
    ]

    def flat(usages: dict[str, Any]) -> dict[tuple[int, str], float]:
        result: dict[tuple[int, str], float] = {}
        for device in [*usages["devices"], _nested(usages, EMPORIA_VUE3_GID)]:
            for channel in device["channelUsages"]:
                result[device["deviceGid"], channel["channelNum"]] = channel["usage"]
        return result

    total = flat(whole)
    sums = dict.fromkeys(total, 0.0)
    for usages in minutes:
        for key, value in flat(usages).items():
            sums[key] += value
    assert len(total) == 18 + 6 + 1 + 1
    for key, value in total.items():
        assert sums[key] == pytest.approx(value, abs=1e-9), key

    for usages in [whole, *minutes[::7]]:
        for gid in (EMPORIA_VUE2_GID, EMPORIA_VUE3_GID):
            device = (
                _device(usages, gid)
                if gid == EMPORIA_VUE2_GID
                else _nested(usages, gid)
            )
            values = _by_num(device)
            circuits = [v for k, v in values.items() if k not in {"1,2,3", "Balance"}]
            assert values["Balance"] is not None
            assert values["Balance"] > 0
            assert values["1,2,3"] == pytest.approx(
                sum(circuits) + values["Balance"], abs=1e-9
            )
        vue2 = _by_num(_device(usages, EMPORIA_VUE2_GID))
        assert vue2["16"] == pytest.approx(
            _by_num(_nested(usages, EMPORIA_VUE3_GID))["1,2,3"], abs=1e-12
        )
        assert vue2["7"] == _by_num(_device(usages, EMPORIA_CHARGER_GID))["1,2,3"]
        assert vue2["6"] is not None
        assert vue2["6"] < 0  # solar at noon
        assert vue2["1,2,3"] is not None
        assert vue2["1,2,3"] < 0  # exporting
        assert (
            _device(usages, EMPORIA_VUE2_GID)["channelUsages"][0]["percentage"] == 0.0
        )
        assert all(
            v is not None and v >= 0 for k, v in vue2.items() if k not in {"1,2,3", "6"}
        )

    night = await _usages(client, token, "1H", datetime(2026, 7, 20, 10, tzinfo=UTC))
    vue2 = _by_num(_device(night, EMPORIA_VUE2_GID))
    assert vue2["6"] == 0.0
    assert vue2["7"] == pytest.approx(32 * 240 / 1000)
    assert vue2["1,2,3"] is not None
    assert vue2["1,2,3"] > vue2["7"]


async def test_usage_errors(client: Client, token: str) -> None:
    """WATTS gets the real 400; other units, scales, instants, gids and methods are refused."""
    params = {
        "apiMethod": "getDeviceListUsages",
        "deviceGids": str(EMPORIA_VUE2_GID),
        "instant": "2026-07-20T18:13:32Z",
        "scale": "1MIN",
        "energyUnit": "KilowattHours",
    }
    watts = await _get(client, APP_API, token, **(params | {"energyUnit": "WATTS"}))
    assert watts.status == 400
    assert await watts.json() == _fixture("ha-emporia-ev_usage_watts.json")
    dollars = await _get(client, APP_API, token, **(params | {"energyUnit": "Dollars"}))
    assert dollars.status == 400
    assert "not simulated" in (await dollars.json())["message"]
    for change in (
        {"scale": "1HOUR"},
        {"instant": "yesterday"},
        {"deviceGids": "home"},
        {"apiMethod": "getDevicesUsage"},
    ):
        response = await _get(client, APP_API, token, **(params | change))
        assert response.status == 400, change
        assert "message" in await response.json()
    assert (await _get(client, APP_API, token, **params)).status == 200


async def test_chart_usage(
    client: Client, token: str, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """Hourly history: fast, consistent with getDeviceListUsages, null after now."""
    start = datetime(2026, 6, 20, 7, tzinfo=UTC)
    end = start + timedelta(days=30)
    channels = [
        (EMPORIA_VUE2_GID, num) for num in ["1,2,3", *map(str, range(1, 17)), "Balance"]
    ]
    channels += [
        (EMPORIA_VUE3_GID, num) for num in ("1,2,3", "1", "2", "3", "4", "Balance")
    ]
    channels += [(EMPORIA_PLUG_GID, "1,2,3"), (EMPORIA_CHARGER_GID, "1,2,3")]
    began = time.perf_counter()
    charts = {key: await _chart(client, token, *key, start, end) for key in channels}
    assert time.perf_counter() - began < 1.0
    for chart in charts.values():
        assert list(chart) == ["usageList", "firstUsageInstant"]
        assert chart["firstUsageInstant"] == "2026-06-20T07:00:00Z"
        assert len(chart["usageList"]) == 720
        assert all(type(v) is float for v in chart["usageList"])
    hour = start + timedelta(hours=100)
    listed = await _usages(client, token, "1H", hour)
    assert charts[EMPORIA_VUE2_GID, "5"]["usageList"][100] == pytest.approx(
        _by_num(_device(listed, EMPORIA_VUE2_GID))["5"], rel=1e-12
    )
    assert charts[EMPORIA_VUE2_GID, "1,2,3"]["usageList"][100] == pytest.approx(
        emporia.energy(EMPORIA_VUE2_GID, "1,2,3", hour, hour + timedelta(hours=1)),
        rel=1e-12,
    )

    today = await _chart(
        client,
        token,
        EMPORIA_VUE2_GID,
        "1",
        datetime(2026, 7, 20, 10, 30, tzinfo=UTC),
        datetime(2026, 7, 21, tzinfo=UTC),
    )
    assert today["firstUsageInstant"] == "2026-07-20T10:00:00Z"
    values = today["usageList"]
    assert len(values) == 14
    assert values[8] == pytest.approx(
        emporia.energy(
            EMPORIA_VUE2_GID, "1", datetime(2026, 7, 20, 18, tzinfo=UTC), NOW
        )
    )
    assert values[9:] == [None] * 5

    quarter = await _chart(
        client, token, EMPORIA_VUE2_GID, "3", hour, hour + timedelta(hours=1), "15MIN"
    )
    minute = await _chart(
        client, token, EMPORIA_VUE2_GID, "3", hour, hour + timedelta(hours=1), "1MIN"
    )
    hourly = charts[EMPORIA_VUE2_GID, "3"]["usageList"][100]
    assert sum(quarter["usageList"]) == pytest.approx(hourly, abs=1e-9)
    assert sum(minute["usageList"]) == pytest.approx(hourly, abs=1e-9)
    assert len(minute["usageList"]) == 60


async def test_chart_usage_days_and_limits(
    client: Client, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """1D windows are local days (25 h when DST ends); 10,000 points at most; bad requests."""
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    token = emporia.issue_tokens(EMPORIA_EMAIL)["id_token"]
    daily = await _chart(
        client,
        token,
        EMPORIA_VUE2_GID,
        "1,2,3",
        datetime(2026, 10, 31, 7, tzinfo=UTC),
        datetime(2026, 11, 3, 8, tzinfo=UTC),
        "1D",
    )
    assert daily["firstUsageInstant"] == "2026-10-31T07:00:00Z"
    assert len(daily["usageList"]) == 3
    hourly = await _chart(
        client,
        token,
        EMPORIA_VUE2_GID,
        "1,2,3",
        datetime(2026, 11, 1, 7, tzinfo=UTC),
        datetime(2026, 11, 2, 8, tzinfo=UTC),
    )
    assert len(hourly["usageList"]) == 25
    assert daily["usageList"][1] == pytest.approx(sum(hourly["usageList"]), abs=1e-9)

    params = {
        "apiMethod": "getChartUsage",
        "deviceGid": str(EMPORIA_VUE2_GID),
        "channel": "1",
        "start": "2026-11-01T00:00:00Z",
        "end": _zulu(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=10_000)),
        "scale": "1MIN",
        "energyUnit": "KilowattHours",
    }
    most = await _json(client, APP_API, token, **params)
    assert len(most["usageList"]) == 10_000
    for change in (
        {"end": _zulu(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=10_001))},
        {"scale": "1H", "start": "2020-01-01T00:00:00Z"},
        {"scale": "1W"},
        {"scale": "1D", "start": "1990-01-01T00:00:00Z"},
        {"end": "2026-10-31T00:00:00Z"},
        {"channel": "17"},
        {"channel": "Balance", "deviceGid": str(EMPORIA_PLUG_GID)},
        {"deviceGid": str(EMPORIA_FEDERATED_PLUG_GID)},
        {"energyUnit": "WATTS"},
    ):
        response = await _get(client, APP_API, token, **(params | change))
        assert response.status == 400, change
        assert "message" in await response.json()


# --------------------------------------------------------------------------------------------
# Maintenance, faults


async def test_maintenance(
    client: Client, token: str, emporia: EmporiaSimulator
) -> None:
    """S3 answers AccessDenied XML; in maintenance `{"msg":"down"}` and the API answers 503."""
    for path in (MAINTENANCE, "/emporia/maintenance/other.json"):
        response = await client.get(path)
        assert response.status == 403
        assert response.content_type == "application/xml"
        assert "<Code>AccessDenied</Code>" in await response.text()
    emporia.maintenance = True
    response = await client.get(MAINTENANCE)
    assert response.status == 200
    assert await response.json() == {"msg": "down"}
    for path in (f"{API}/customers", f"{API}/nothing/here"):
        down = await _get(client, path, token)
        assert down.status == 503
        assert down.content_type == "text/plain"
        assert await down.text() == "Service Unavailable"
    assert (await _password(client))[0] == 200
    emporia.maintenance = False
    assert (await client.get(MAINTENANCE)).status == 403
    assert (await _get(client, f"{API}/customers", token)).status == 200


async def test_unknown_paths(client: Client, token: str, simulator: Simulator) -> None:
    """Unknown API paths answer 404 `{"message": "Not Found"}`; all are logged as emporia."""
    response = await _get(client, f"{API}/customers/vehicles/nope", token)
    assert response.status == 404
    assert await response.json() == {"message": "Not Found"}
    assert (await client.get("/emporia/elsewhere")).status == 404
    assert {r.provider for r in simulator.requests} == {"emporia"}


@pytest.mark.parametrize(
    ("fault", "status", "body", "error_type"),
    [
        ("http_400", 400, {"message": "Bad Request"}, None),
        ("http_401", 401, {"message": "Unauthorized"}, "UnauthorizedException"),
        ("http_403", 403, {"message": "Forbidden"}, "ForbiddenException"),
        (
            "http_429",
            429,
            {"message": "Too Many Requests"},
            "TooManyRequestsException",
        ),
        ("http_500", 500, {"message": "Internal server error"}, None),
        ("http_502", 502, {"message": "Internal server error"}, None),
        ("not_found", 404, {"message": "Not Found"}, None),
    ],
)
async def test_api_http_faults(
    client: Client,
    token: str,
    simulator: Simulator,
    *,
    fault: str,
    status: int,
    body: dict[str, str],
    error_type: str | None,
) -> None:
    """HTTP faults answer like the legacy API (no Retry-After on 429), then service resumes."""
    simulator.fault_next("emporia", fault, count=2)
    assert (await client.get(MAINTENANCE)).status == 403  # not a fault target
    for _ in range(2):
        response = await _get(client, f"{API}/customers", token)
        assert response.status == status
        assert response.content_type == "application/json"
        assert await response.json() == body
        assert response.headers.get("x-amzn-ErrorType") == error_type
        assert "Retry-After" not in response.headers
    assert (await _get(client, f"{API}/customers", token)).status == 200
    assert [r.fault for r in simulator.requests[-4:]] == [None, fault, fault, None]


@pytest.mark.parametrize(
    ("fault", "status", "error_type"),
    [
        ("http_400", 400, "InvalidParameterException"),
        ("http_401", 400, "NotAuthorizedException"),
        ("http_403", 403, "ForbiddenException"),
        ("http_429", 400, "TooManyRequestsException"),
        ("http_500", 500, "InternalErrorException"),
        ("http_502", 502, "InternalErrorException"),
        ("not_found", 400, "ResourceNotFoundException"),
    ],
)
async def test_cognito_http_faults(
    client: Client, simulator: Simulator, fault: str, status: int, error_type: str
) -> None:
    """Faults reach Cognito with Cognito's own error bodies."""
    simulator.fault_next("emporia", fault)
    assert _error(*await _password(client))[:2] == (status, error_type)
    assert (await _password(client))[0] == 200


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("http_400", 400, "InvalidRequest"),
        ("http_401", 403, "AccessDenied"),
        ("http_429", 503, "SlowDown"),
        ("http_500", 500, "InternalError"),
        ("not_found", 404, "NoSuchKey"),
    ],
)
async def test_maintenance_faults(
    client: Client,
    simulator: Simulator,
    emporia: EmporiaSimulator,
    fault: str,
    status: int,
    code: str,
) -> None:
    """With "maintenance" in `fault_targets`, the S3 flag fails with S3's XML."""
    emporia.maintenance = True
    emporia.fault_targets = {"maintenance"}
    simulator.fault_next("emporia", fault)
    assert (await _password(client))[0] == 200  # Cognito is no target now
    response = await client.get(MAINTENANCE)
    assert response.status == status
    assert response.content_type == "application/xml"
    assert f"<Code>{code}</Code>" in await response.text()
    assert (await client.get(MAINTENANCE)).status == 200


async def test_data_faults(
    client: Client, token: str, simulator: Simulator, emporia: EmporiaSimulator
) -> None:
    """null_usage empties every usage and chart value; stale_instant serves the window before."""
    simulator.fault_next("emporia", "null_usage")
    usages = await _usages(client, token, "1MIN", NOW)
    values = [
        c["usage"]
        for d in [*usages["devices"], _nested(usages, EMPORIA_VUE3_GID)]
        for c in d["channelUsages"]
    ]
    assert len(values) == 26
    assert values == [None] * 26
    simulator.fault_next("emporia", "null_usage")
    chart = await _chart(
        client, token, EMPORIA_VUE2_GID, "1", NOW - timedelta(hours=5), NOW
    )
    assert chart["usageList"] == [None] * 6
    after = await _usages(client, token, "1MIN", NOW)
    assert after["devices"][0]["channelUsages"][0]["usage"] is not None

    for scale, start, end in (
        ("1MIN", "2026-07-20T18:11:00Z", "2026-07-20T18:12:00Z"),
        ("1H", "2026-07-20T17:00:00Z", "2026-07-20T18:00:00Z"),
        ("1D", "2026-07-19T07:00:00Z", "2026-07-20T07:00:00Z"),
    ):
        simulator.fault_next("emporia", "stale_instant")
        stale = await _usages(client, token, scale, NOW, str(EMPORIA_VUE2_GID))
        assert stale["instant"] == start
        assert stale["devices"][0]["channelUsages"][1]["usage"] == pytest.approx(
            emporia.energy(EMPORIA_VUE2_GID, "1", _at(start), _at(end)), rel=1e-12
        )
    fresh = await _usages(client, token, "1MIN", NOW, str(EMPORIA_VUE2_GID))
    assert fresh["instant"] == "2026-07-20T18:12:00Z"


async def test_transport_faults(
    client: Client, token: str, simulator: Simulator
) -> None:
    """`timeout` stalls and `malformed` cuts the body, on Cognito and on the API."""
    simulator.timeout_seconds = 0.3
    simulator.fault_next("emporia", "timeout")
    with pytest.raises(TimeoutError):
        await client.get(
            f"{API}/customers",
            headers={"authtoken": token},
            timeout=aiohttp.ClientTimeout(total=0.05),
        )
    simulator.fault_next("emporia", "malformed", count=2)
    for response in (
        await _get(client, f"{API}/customers/devices", token),
        await client.post(
            COGNITO,
            data=json.dumps(
                {
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": CLIENT_ID,
                    "AuthParameters": {
                        "USERNAME": EMPORIA_EMAIL,
                        "PASSWORD": EMPORIA_PASSWORD,
                    },
                }
            ),
            headers={
                "Content-Type": AMZ_JSON,
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            },
        ),
    ):
        assert response.status == 200
        with pytest.raises(ValueError):
            json.loads(await response.read())
    await asyncio.sleep(0.1)
    assert sorted((r.fault, r.status) for r in simulator.requests[-3:]) == [
        ("malformed", 200),
        ("malformed", 200),
        ("timeout", 499),
    ]


def test_fault_declarations(simulator: Simulator) -> None:
    """Each part answers every HTTP fault it declares; Amber refuses Emporia's faults."""
    amber = simulator.amber
    assert "http_400" in HTTP_FAULTS
    for fault in HTTP_FAULTS & AmberSimulator.supported_faults:
        assert amber.fault_response(fault).status >= 400
    for fault in ("http_400", "null_usage", "stale_instant"):
        with pytest.raises(ValueError):
            simulator.fault_next("amber", fault)
    assert EmporiaSimulator.supported_faults >= HTTP_FAULTS
    for fault in HTTP_FAULTS:
        assert simulator.emporia.fault_response(fault).status >= 400
    for fault in ("unknown_enum", "missing_field"):
        with pytest.raises(ValueError):
            simulator.fault_next("emporia", fault)


# --------------------------------------------------------------------------------------------
# Dynamic devices, determinism


async def test_dynamic_devices(
    client: Client, token: str, emporia: EmporiaSimulator, clock: FakeClock
) -> None:
    """Devices come and go; an offline device's usage stops at offlineSince."""
    barn = EmporiaDevice.monitor(2000010, "A2107A0010", "Barn", ["Pump", "Lights"])
    emporia.add_device(barn)
    devices = (await _json(client, f"{API}/customers/devices", token))["devices"]
    added = devices[-1]
    assert added["deviceGid"] == 2000010
    assert [c["channelId"] for c in added["channels"]] == [
        "Mains",
        "Branch_1",
        "Branch_2",
    ]
    usages = await _usages(client, token, "1H", NOW, "2000010")
    assert [c["name"] for c in usages["devices"][0]["channelUsages"]] == [
        "Main",
        "Pump",
        "Lights",
        "Balance",
    ]
    with pytest.raises(ValueError):
        emporia.add_device(barn)
    with pytest.raises(ValueError):
        emporia.add_device(
            EmporiaDevice.monitor(
                2000011, "A1", "X", [EmporiaChannel.circuit(1, "Y", profile="nope")]
            )
        )

    emporia.remove_device(EMPORIA_VUE3_GID)
    devices = (await _json(client, f"{API}/customers/devices", token))["devices"]
    assert devices[0]["devices"] == []
    usages = await _usages(client, token, "1H", NOW)
    vue2 = _device(usages, EMPORIA_VUE2_GID)
    assert vue2["channelUsages"][0]["nestedDevices"] == []
    assert _by_num(vue2)["16"] is not None
    status = await _json(client, f"{API}/customers/devices/status", token)
    assert EMPORIA_VUE3_GID not in [d["deviceGid"] for d in status["devicesConnected"]]

    emporia.set_connected(EMPORIA_PLUG_GID, False)
    clock.advance(600)
    status = await _json(client, f"{API}/customers/devices/status", token)
    plug = next(
        d for d in status["devicesConnected"] if d["deviceGid"] == EMPORIA_PLUG_GID
    )
    assert plug == {
        "deviceGid": EMPORIA_PLUG_GID,
        "connected": False,
        "offlineSince": "2026-07-20T18:13:32Z",
    }
    plug_gid = str(EMPORIA_PLUG_GID)
    minute = await _usages(client, token, "1MIN", clock.now, plug_gid)
    assert minute["devices"][0]["channelUsages"][0]["usage"] is None
    hour = await _usages(client, token, "1H", clock.now, plug_gid)
    assert hour["devices"][0]["channelUsages"][0]["usage"] == pytest.approx(
        emporia.energy(EMPORIA_PLUG_GID, "1,2,3", _at("2026-07-20T18:00:00Z"), NOW)
    )
    emporia.set_connected(EMPORIA_PLUG_GID, True)
    minute = await _usages(client, token, "1MIN", clock.now, plug_gid)
    assert minute["devices"][0]["channelUsages"][0]["usage"] is not None
    status = await _json(client, f"{API}/customers/devices/status", token)
    assert {d["deviceGid"]: d["offlineSince"] for d in status["devicesConnected"]}[
        EMPORIA_PLUG_GID
    ] is None


async def test_deterministic(socket_enabled: None) -> None:
    """Same clock, same bytes (tokens aside); channels and devices differ from each other."""
    bodies: list[list[bytes]] = []
    for _ in range(2):
        clear_model_cache()  # the memoized model is shared by every simulator
        simulator = Simulator(clock=FakeClock(NOW))
        token = simulator.emporia.issue_tokens(EMPORIA_EMAIL)["id_token"]
        async with TestClient(TestServer(simulator.app)) as client:
            requests = [
                (f"{API}/customers/devices", {}),
                (f"{API}/customers/devices/status", {}),
                (
                    APP_API,
                    {
                        "apiMethod": "getDeviceListUsages",
                        "deviceGids": ALL_GIDS,
                        "instant": "2026-07-20T18:13:32Z",
                        "scale": "1D",
                        "energyUnit": "KilowattHours",
                    },
                ),
                (
                    APP_API,
                    {
                        "apiMethod": "getChartUsage",
                        "deviceGid": str(EMPORIA_VUE2_GID),
                        "channel": "1,2,3",
                        "start": "2026-07-18T00:00:00Z",
                        "end": "2026-07-20T00:00:00Z",
                        "scale": "15MIN",
                        "energyUnit": "KilowattHours",
                    },
                ),
            ]
            bodies.append(
                [
                    await (await _get(client, path, token, **params)).read()
                    for path, params in requests
                ]
            )
    assert bodies[0] == bodies[1]
    usages = json.loads(bodies[0][2])["deviceListUsages"]
    circuits = [c["usage"] for c in usages["devices"][0]["channelUsages"][1:16]]
    assert len(set(circuits)) == len(circuits)
    chart = json.loads(bodies[0][3])["usageList"]
    assert len(chart) == 192
    assert len(set(chart)) > 150
