"""Cognito answers the simulator does not give: throttling, MFA, odd challenges, token expiry.

The normal flows (password, SRP, refresh, revoked tokens) run against the simulator in
tests/providers/emporia; these pin the error mapping on canned answers.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.openpower.api.emporia import CognitoAuth, Tokens
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiRateLimitedError,
    ApiResponseError,
)

AUTH = "https://cognito.test"


def _auth(session: Any, **kwargs: Any) -> CognitoAuth:
    return CognitoAuth(
        session,
        auth_url=AUTH,
        email=" User@Example.COM ",
        password="pw",
        backoff=0,
        **kwargs,
    )


def _error(kind: str, message: str = "") -> dict[str, Any]:
    return {"__type": kind, "message": message}


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (_error("TooManyRequestsException"), ApiRateLimitedError),
        (_error("com.amazonaws#LimitExceededException"), ApiRateLimitedError),
        (_error("InternalErrorException"), ApiResponseError),
        (_error("PasswordResetRequiredException"), ApiAuthError),
    ],
)
async def test_cognito_errors(
    mocker: tuple[AiohttpClientMocker, Any], answer: dict[str, Any], error: type
) -> None:
    """Cognito's 400 bodies map to the shared errors by their `__type`."""
    mock, session = mocker
    mock.post(f"{AUTH}/", status=400, json=answer)
    with pytest.raises(error):
        await _auth(session).async_sign_in()
    # The email is sent lowercased and trimmed.
    assert b'"USERNAME":"user@example.com"' in mock.mock_calls[0][2]


async def test_mfa_challenge_is_an_auth_error(
    mocker: tuple[AiohttpClientMocker, Any],
) -> None:
    """An account that asks for MFA or a new password cannot be signed in here."""
    mock, session = mocker
    mock.post(f"{AUTH}/", json={"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s"})
    with pytest.raises(ApiAuthError, match="SOFTWARE_TOKEN_MFA"):
        await _auth(session).async_sign_in()


async def test_srp_with_unexpected_challenges(
    mocker: tuple[AiohttpClientMocker, Any],
) -> None:
    """SRP fallback: a challenge other than PASSWORD_VERIFIER, or one missing its fields."""
    mock, session = mocker
    disabled = _error(
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    auth = _auth(session)
    calls = iter(
        [
            (400, disabled),
            (200, {"ChallengeName": "DEVICE_SRP_AUTH", "ChallengeParameters": {}}),
            (400, disabled),
            (200, {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {}}),
        ]
    )

    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        status, body = next(calls)
        return AiohttpClientMockResponse(method, url, status=status, json=body)

    mock.post(f"{AUTH}/", side_effect=answer)
    with pytest.raises(ApiResponseError, match="unexpected SRP challenge"):
        await auth.async_sign_in()
    with pytest.raises(ApiResponseError, match="invalid SRP challenge"):
        await auth.async_sign_in()


async def test_no_password_and_no_tokens(
    mocker: tuple[AiohttpClientMocker, Any],
) -> None:
    """Without a password a sign-in cannot happen: reauth, not a crash."""
    _mock, session = mocker
    auth = CognitoAuth(session, auth_url=AUTH)
    with pytest.raises(ApiAuthError):
        await auth.async_id_token()


async def test_token_renewed_before_expiry(
    mocker: tuple[AiohttpClientMocker, Any],
) -> None:
    """A token still valid is reused; one within 5 minutes of expiry is refreshed first."""
    mock, session = mocker
    now = datetime(2026, 11, 23, tzinfo=UTC)
    clock = [now]
    mock.post(
        f"{AUTH}/",
        json={
            "AuthenticationResult": {
                "IdToken": "new-id",
                "AccessToken": "new-access",
                "ExpiresIn": 3600,
            }
        },
    )
    auth = CognitoAuth(
        session,
        auth_url=AUTH,
        tokens=Tokens("id", "access", "refresh", now + timedelta(minutes=10)),
        now=lambda: clock[0],
    )
    assert await auth.async_id_token() == "id"
    assert mock.call_count == 0
    clock[0] = now + timedelta(minutes=6)
    assert await auth.async_id_token() == "new-id"
    assert auth.tokens is not None
    assert auth.tokens.refresh_token == "refresh"
    assert mock.call_count == 1


def test_tokens_stay_out_of_repr() -> None:
    """A Tokens in a log line or a traceback shows no token."""
    tokens = Tokens(
        id_token="id-secret",
        access_token="access-secret",
        refresh_token="refresh-secret",
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    shown = f"{tokens!r} {tokens!s}"
    assert "secret" not in shown
    assert "2026" in shown
