"""SEMS+ envelope codes as the shared error hierarchy (reference apis-goodwe.md §4).

SEMS+ answers HTTP 200 with `{code, description, traceId, data}`; `description` is localised
("成功", "success"), so only `code` decides. Success is `0`, `"0"` or `"00000"`. Messages keep the
code, never the answer's text.
"""

from typing import Any, Final

from ..errors import ApiAuthError, ApiError, ApiRateLimitedError, ApiRejectedError

SUCCESS_CODES: Final = frozenset({"0", "00000"})
SESSION_CODES: Final = frozenset({"100001", "100002", "C0602"})
"""No access / authorisation expired / `account_login_abnormal` (a stale or replaced session)."""
BAD_CREDENTIALS: Final = "100005"
NO_ACCESS: Final = "100025"
RATE_LIMITED: Final = "GY0429"
RATE_LIMIT_WAIT: Final = 300.0
"""How long a first `GY0429` pauses the whole account, seconds (TS, bueste and tgxn wait 300 s)."""
RATE_LIMIT_MAX_WAIT: Final = 3600.0
"""The longest pause: each `GY0429` with no success since the last one doubles the pause (TS
doubles its cooldown), up to the hour peers were blocked for after bursts (§8)."""


def rate_limit_wait(in_a_row: int) -> float:
    """Return the pause after the `in_a_row`-th `GY0429` with no success between them."""
    return min(RATE_LIMIT_WAIT * 2.0 ** max(in_a_row - 1, 0), RATE_LIMIT_MAX_WAIT)


class GoodWeSessionError(ApiAuthError):
    """100001/100002/C0602: the session expired, is incomplete or was replaced by another login.

    The client logs in again once; this reaches the caller only when that did not help.
    """


class StationAccessError(ApiRejectedError):
    """100025: the account has no access (or no rights) to this station or device."""


def code_error(
    code: str, what: str, *, retry_after: float = RATE_LIMIT_WAIT
) -> ApiError:
    """Return the error a non-success `code` means (`retry_after`: a `GY0429`'s pause)."""
    if code in SESSION_CODES:
        return GoodWeSessionError(f"{what}: session refused ({code})", code)
    if code == BAD_CREDENTIALS:
        return ApiAuthError(f"{what}: e-mail or password rejected ({code})", code)
    if code == NO_ACCESS:
        return StationAccessError(f"{what}: no access to this station ({code})", code)
    if code == RATE_LIMITED:
        error = ApiRateLimitedError(
            f"{what}: rate limited ({code})", retry_after=retry_after
        )
        error.code = code
        return error
    return ApiRejectedError(f"{what}: GoodWe code {code}", code)


def envelope_code(payload: Any) -> str | None:
    """Return the envelope's code as text (`0` and `"0"` alike), or None when it has none."""
    if not isinstance(payload, dict):
        return None
    code = payload.get("code")
    if isinstance(code, bool) or not isinstance(code, int | str):
        return None
    return str(code)
