"""The SEMS+ Web cross-login and the headers of a signed call (reference apis-goodwe.md §2.2–§2.4).

The login is a POST to `{login host}/sems-user/api/v1/auth/cross-login` with the browser's
headers (Origin and Referer of the web app's host, the `semsPlusWeb` client identity in `Token`,
a desktop browser User-Agent, a signature over an empty uid and token) and the password as
`base64(md5_hex(password))`; `agreement`/`isChinese`/`isLocal` must be sent, or the answer carries
no token (TS PR #193). Its `data` is the session: the whole object, JSON-encoded, is the `token`
header of every later call, and `data.api` (or a top-level `api`) is the regional gateway that
serves them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
import re
from typing import Any, Final
from urllib.parse import urlsplit

from ..errors import ApiResponseError
from ..parse import obj
from .signature import password_hash, signature

DEFAULT_LOGIN_URL: Final = "https://semsplus.goodwe.com/web/sems"
LOGIN_PATH: Final = "sems-user/api/v1/auth/cross-login"
FALLBACK_GATEWAY: Final = "https://{region}-gateway.semsportal.com/web/sems"
"""Used only when the login names no gateway: its `region`, else `eu` (TS `_NewLoginFallbackApi`)."""
USER_AGENT: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
)
_LOGIN_TOKEN: Final = json.dumps(
    {
        "uid": "",
        "timestamp": 0,
        "token": "",
        "client": "semsPlusWeb",
        "version": "",
        "language": "en",
    }
)
_REGION: Final = re.compile(r"^[a-z]{2}$")
_WHAT: Final = "goodwe login"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A SEMS+ Web session: what signs and authorises every gateway call. Never logged."""

    uid: str = field(repr=False)
    token: str = field(repr=False)
    token_header: str = field(repr=False)
    """The login's whole `data`, JSON-encoded, as the `token` header wants it."""
    gateway: str
    generation: int


def login_headers(login_url: str) -> dict[str, str]:
    """Return the cross-login's headers but its signature (`login_signature`, at send time)."""
    parts = urlsplit(login_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return {
        "Content-Type": "application/json",
        "Accept": "application/json, text/plain, */*",
        "Origin": origin,
        "Referer": f"{origin}/",
        "User-Agent": USER_AGENT,
        "Token": _LOGIN_TOKEN,
    }


def login_signature(ms: int) -> dict[str, str]:
    """Return the cross-login's `X-Signature` at `ms`: over an empty uid and token."""
    return {"X-Signature": signature(ms, "", "")}


def login_body(username: str, password: str) -> dict[str, Any]:
    """Return the cross-login's body."""
    return {
        "account": username,
        "pwd": password_hash(password),
        "agreement": 1,
        "isChinese": False,
        "isLocal": False,
    }


def gateway_headers(session: WebSession, ms: int) -> dict[str, str]:
    """Return the session's `token` and the `X-Signature` of a call sent at `ms`."""
    return {
        "token": session.token_header,
        "X-Signature": signature(ms, session.uid, session.token),
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }


def _gateway(value: Any) -> str | None:
    """Return an http(s) base URL without its trailing slash; None for anything else."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value.strip().rstrip("/")


def parse_login(
    envelope: Mapping[str, Any], data: Any, known_gateway: str | None, generation: int
) -> WebSession:
    """Return the session a successful login's `data` opens.

    The gateway is `data.api`, else the envelope's `api`, else `known_gateway` (the one stored
    with the entry), else the one of `data.region` (`eu` when none). A reply without a token (the
    agreement not accepted, or the login contract changed) is an invalid response.
    """
    session = obj(data, _WHAT)
    token = session.get("token")
    uid = session.get("uid")
    if not isinstance(token, str) or not token:
        raise ApiResponseError(
            f"{_WHAT}: the answer holds no token (log in once on the SEMS+ web site to accept"
            " its terms)"
        )
    if not isinstance(uid, str):
        raise ApiResponseError(f"{_WHAT}: the answer holds no uid")
    region = session.get("region")
    gateway = (
        _gateway(session.get("api"))
        or _gateway(envelope.get("api"))
        or known_gateway
        or FALLBACK_GATEWAY.format(
            region=region if isinstance(region, str) and _REGION.match(region) else "eu"
        )
    )
    return WebSession(
        uid=uid,
        token=token,
        token_header=json.dumps(session),
        gateway=gateway,
        generation=generation,
    )
