"""Sign-in to Emporia's Cognito user pool over plain HTTP (no boto3).

Emporia's app client is public (no secret). We sign in with `USER_PASSWORD_AUTH` and fall back to
`USER_SRP_AUTH` when the pool answers that the password flow is not enabled for the client; both
give an id token (what the Emporia API wants, in the `authtoken` header), an access token and a
refresh token. The id token lives an hour: it is renewed with `REFRESH_TOKEN_AUTH` five minutes
before it expires, and once when the API rejects it. A refresh answer carries no new refresh token,
so the one from sign-in is kept. When the refresh token itself is refused, a password sign-in is
tried if we have the password; accounts that use Google or Apple (pasted tokens) must reauthenticate.

Cognito answers errors as HTTP 400 with `{"__type": "NotAuthorizedException", "message": …}` in
`application/x-amz-json-1.1`; those become the shared `errors` hierarchy here.
"""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import logging
from typing import Any, Final

import aiohttp

from ..budget import RequestBudget
from ..errors import ApiAuthError, ApiRateLimitedError, ApiResponseError
from ..http import HttpClient
from ..parse import number, obj, text
from .srp import SrpSession

_LOGGER = logging.getLogger(__package__)

DEFAULT_AUTH_URL: Final = "https://cognito-idp.us-east-2.amazonaws.com"
USER_POOL_ID: Final = "us-east-2_ghlOXVLi1"
CLIENT_ID: Final = "4qte47jbstod8apnfic0bunmrq"
REFRESH_MARGIN: Final = timedelta(minutes=5)
COGNITO_RATE_LIMIT_WAIT: Final = 60.0

_TARGET: Final = "AWSCognitoIdentityProviderService."
_AUTH_REJECTED: Final = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
    }
)
_THROTTLED: Final = frozenset({"TooManyRequestsException", "LimitExceededException"})


class PasswordFlowDisabledError(ApiResponseError):
    """The pool does not allow `USER_PASSWORD_AUTH` for Emporia's client: use SRP."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a sign-in gives; `expires_at` None means unknown (refresh before first use).

    The tokens stay out of `repr`: a tokens object in a log line or a traceback shows none.
    """

    id_token: str | None = field(repr=False)
    access_token: str | None = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime | None


class CognitoAuth:
    """Keeps one Emporia account's tokens fresh."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        email: str | None = None,
        password: str | None = None,
        tokens: Tokens | None = None,
        budget: RequestBudget | None = None,
        timeout: float = 15.0,
        backoff: float = 1.0,
        on_sign_in: Callable[[Tokens], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Create the session; give a password, tokens, or both."""
        self._http = HttpClient(
            session,
            auth_url,
            provider="emporia cognito",
            budget=budget,
            timeout=timeout,
            backoff=backoff,
            rate_limit_wait=COGNITO_RATE_LIMIT_WAIT,
        )
        self.email = email.strip().lower() if email else None
        self._password = password
        self.tokens = tokens
        self._on_sign_in = on_sign_in
        self._now = now
        self._lock = asyncio.Lock()

    async def _call(self, target: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        response = await self._http.request(
            "POST",
            "/",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"{_TARGET}{target}",
            },
            data=json.dumps(body, separators=(",", ":")).encode(),
            accept=(400,),
        )
        payload = obj(response.json(), "cognito answer")
        if response.status == 400:
            raise self._error(target, payload)
        return payload

    @staticmethod
    def _error(target: str, payload: Mapping[str, Any]) -> Exception:
        kind = str(payload.get("__type", "")).rsplit("#", 1)[-1]
        what = f"emporia cognito {target}: {kind or 'error'}"
        if kind in _AUTH_REJECTED:
            return ApiAuthError(f"{what} (credentials rejected)")
        if kind in _THROTTLED:
            return ApiRateLimitedError(
                f"{what} (rate limited)", retry_after=COGNITO_RATE_LIMIT_WAIT
            )
        if kind == "InvalidParameterException" and "USER_PASSWORD_AUTH" in str(
            payload.get("message", "")
        ):
            return PasswordFlowDisabledError(what)
        return ApiResponseError(what)

    def _tokens(self, payload: Mapping[str, Any], refresh: str | None) -> Tokens:
        if (challenge := payload.get("ChallengeName")) is not None:
            # New password, MFA: only the Emporia app can finish those.
            raise ApiAuthError(f"emporia cognito: the account asks for {challenge}")
        result = obj(payload.get("AuthenticationResult"), "AuthenticationResult")
        refresh_token = result.get("RefreshToken") or refresh
        if not isinstance(refresh_token, str):
            raise ApiResponseError("emporia cognito: no refresh token")
        return Tokens(
            id_token=text(result, "IdToken"),
            access_token=text(result, "AccessToken"),
            refresh_token=refresh_token,
            expires_at=self._now() + timedelta(seconds=number(result, "ExpiresIn")),
        )

    async def _password_auth(self, email: str, password: str) -> Tokens:
        payload = await self._call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": CLIENT_ID,
                "AuthParameters": {"USERNAME": email, "PASSWORD": password},
            },
        )
        return self._tokens(payload, None)

    async def _srp_auth(self, email: str, password: str) -> Tokens:
        srp = SrpSession.start(USER_POOL_ID)
        challenge = await self._call(
            "InitiateAuth",
            {
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": CLIENT_ID,
                "AuthParameters": {"USERNAME": email, "SRP_A": srp.srp_a},
            },
        )
        if challenge.get("ChallengeName") != "PASSWORD_VERIFIER":
            raise ApiResponseError("emporia cognito: unexpected SRP challenge")
        parameters = obj(challenge.get("ChallengeParameters"), "ChallengeParameters")
        try:
            responses = srp.respond(
                {key: str(value) for key, value in parameters.items()},
                email,
                password,
                self._now(),
            )
        except (KeyError, ValueError) as err:
            raise ApiResponseError("emporia cognito: invalid SRP challenge") from err
        body: dict[str, Any] = {
            "ClientId": CLIENT_ID,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": responses,
        }
        if isinstance(session := challenge.get("Session"), str):
            body["Session"] = session
        return self._tokens(await self._call("RespondToAuthChallenge", body), None)

    async def async_sign_in(self) -> Tokens:
        """Sign in with the email and password; remember and return the tokens."""
        if self.email is None or self._password is None:
            raise ApiAuthError("emporia: no password to sign in with")
        try:
            tokens = await self._password_auth(self.email, self._password)
        except PasswordFlowDisabledError:
            _LOGGER.debug("Emporia's pool refuses USER_PASSWORD_AUTH; using SRP")
            tokens = await self._srp_auth(self.email, self._password)
        self.tokens = tokens
        if self._on_sign_in is not None:
            self._on_sign_in(tokens)
        return tokens

    async def _refresh(self) -> Tokens:
        if self.tokens is None:
            return await self.async_sign_in()
        try:
            payload = await self._call(
                "InitiateAuth",
                {
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": CLIENT_ID,
                    "AuthParameters": {"REFRESH_TOKEN": self.tokens.refresh_token},
                },
            )
        except ApiAuthError:
            if self._password is None:
                raise
            _LOGGER.info("Emporia refused the refresh token; signing in again")
            return await self.async_sign_in()
        self.tokens = self._tokens(payload, self.tokens.refresh_token)
        return self.tokens

    async def async_id_token(self, *, rejected: str | None = None) -> str:
        """Return a valid id token, renewing it when it is about to expire.

        `rejected` is a token the API just refused: it is renewed even if it looks valid (once,
        however many requests saw it refused at the same time).
        """
        async with self._lock:
            tokens = self.tokens
            if (
                tokens is None
                or tokens.id_token is None
                or tokens.id_token == rejected
                or tokens.expires_at is None
                or tokens.expires_at - REFRESH_MARGIN <= self._now()
            ):
                tokens = await self._refresh()
            assert tokens.id_token is not None
            return tokens.id_token
