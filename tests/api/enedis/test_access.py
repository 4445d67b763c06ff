"""What credentials give access to: Conso API tokens, `valid_access`, tokens, services."""

import base64
from datetime import UTC, date, datetime
import json
from typing import Any

import pytest

from custom_components.openpower.api.enedis import (
    ConsoApiToken,
    MedAccess,
    read_conso_api_token,
)
from custom_components.openpower.api.enedis.access import (
    parse_med_access,
    parse_subscribed_services,
    read_data_connect_token,
)
from custom_components.openpower.api.errors import ApiAuthError, ApiResponseError

from .common import load_fixture


def jwt(claims: Any) -> str:
    """Build an HS256-looking token (the signature is never checked)."""

    def part(value: Any) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
        return raw.rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_conso_api_token_lists_its_meters() -> None:
    """`sub` is the list of PRMs, `exp` the consent's end."""
    token = jwt({"sub": ["12345678901234", "98765432109876"], "exp": 1900000000})
    assert read_conso_api_token(token) == ConsoApiToken(
        prms=("12345678901234", "98765432109876"),
        expires_at=datetime(2030, 3, 17, 17, 46, 40, tzinfo=UTC),
    )


def test_conso_api_token_with_a_text_subject() -> None:
    """A `sub` written as one text (as the callback's list) is split; duplicates go."""
    token = jwt({"sub": "12345678901234;98765432109876,12345678901234"})
    info = read_conso_api_token(token)
    assert info.prms == ("12345678901234", "98765432109876")
    assert info.expires_at is None


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.!!!.c",
        jwt(["12345678901234"]),
        jwt({"sub": []}),
        jwt({"sub": ["1234"]}),
        jwt({"exp": 1900000000}),
    ],
)
def test_tokens_that_name_no_meter(token: str) -> None:
    """Anything that is not a token naming a PRM is wrong credentials."""
    with pytest.raises(ApiAuthError):
        read_conso_api_token(token)


def test_med_valid_access() -> None:
    """MyElectricalData's naive times are Paris time (winter here: UTC+1)."""
    assert parse_med_access(load_fixture("med_v1_valid_access.json")) == MedAccess(
        valid=True,
        consent_expires_at=datetime(2026, 1, 14, 14, 32, 38, tzinfo=UTC),
        calls=7,
        quota_limit=50,
        quota_reached=False,
        quota_reset_at=datetime(2023, 3, 1, 22, 59, 59, 999999, tzinfo=UTC),
        banned=False,
        information=None,
    )
    assert parse_med_access(load_fixture("med_v1_valid_access.json")).quota_left == 43


def test_med_valid_access_quota_reached() -> None:
    """Past the quota: not valid, nothing left (65 calls counted against 50)."""
    access = parse_med_access(load_fixture("med_v1_valid_access_quota_reached.json"))
    assert access.valid is False
    assert access.quota_reached is True
    assert access.quota_left == 0
    assert access.calls == 65
    assert access.information == "Vous avez dépassé votre quota journalier (50)"


@pytest.mark.parametrize(
    ("fixture", "lifetime"),
    [
        ("v3_sandbox_token_client_credentials_wrapped.json", 12600.0),
        ("v3_doc_example_token_client_credentials.json", 12600.0),  # "12600", a text
    ],
)
def test_data_connect_token(fixture: str, lifetime: float) -> None:
    """`expires_in` comes as a number or as a text."""
    payload = load_fixture(fixture)
    token, seconds = read_data_connect_token(payload)
    assert token == payload["access_token"]
    assert seconds == lifetime


@pytest.mark.parametrize(
    "payload",
    [
        {"expires_in": 12600},
        {"access_token": "", "expires_in": 12600},
        {"access_token": "x", "expires_in": "soon"},
        {"access_token": "x", "expires_in": 0},
        {"access_token": "x", "expires_in": True},
        {"access_token": "x"},
        [],
    ],
)
def test_bad_data_connect_tokens(payload: Any) -> None:
    """A token answer without a usable token or lifetime is an invalid response."""
    with pytest.raises(ApiResponseError):
        read_data_connect_token(payload)


def test_subscribed_services() -> None:
    """The five services of consent 11 (esthesis mock of `POST /subscribed_services/v1`)."""
    services = parse_subscribed_services(
        load_fixture("dc2026_subscribed_services_response_mock_esthesis.json")
    )
    assert [s.measure_type for s in services] == [
        "CDC",
        "PMAX",
        "IDX",
        "ENERGIE",
        "ITC",
    ]
    assert [s.step for s in services] == ["PT30M", "P1D", "P1D", "P1D", "NA"]
    assert [s.service_id for s in services] == [f"8000000{i}" for i in range(1, 6)]
    for service in services:
        assert service.point_id == "14000000000001"
        assert service.active
        assert (service.consumption, service.production) == (True, False)
        assert (service.start, service.end) == (date(2025, 1, 1), date(2026, 1, 1))
        assert service.authorization_id == 11
