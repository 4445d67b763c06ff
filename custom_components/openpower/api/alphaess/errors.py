"""AlphaESS return codes as the shared error hierarchy (reference §2.3).

AlphaESS answers HTTP 200 with a `code` in the body; `msg` is localised (Chinese has been seen on
an English account), so only the code decides. Each error keeps its code.
"""

from typing import Final

from ..errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
)

ALREADY_BOUND: Final = 6003
TOO_FAST: Final = 6053


class AlphaEssClockError(ApiRejectedError):
    """6006/6009 (and empty signature headers): the timestamp or the whitelist was refused.

    Not retried: a clock that is off stays off until someone sets it.
    """

    code: int


class AlphaEssPermissionError(ApiRejectedError):
    """6017: the AppID lacks a permission (the periodic schedule); an entitlement, not transient."""

    code: int


class AlphaEssRefusedError(ApiRejectedError):
    """A request AlphaESS refused (parameter error, set failed, wrong CheckCode or code, …)."""

    code: int


class AlphaEssNotBoundError(ApiNotFoundError):
    """6002/6005/6038: the system is not (or no longer) bound to this AppID."""

    code: int


class AlphaEssNoDataError(ApiNotFoundError):
    """6016: AlphaESS has no such data (a model that does not serve live power)."""

    code: int


class AlphaEssOfflineError(ApiConnectionError):
    """6042: the system is offline (routine; asked again at the next update)."""

    code: int


class AlphaEssServerError(ApiConnectionError):
    """6026: AlphaESS's internal error (transient)."""

    code: int


def code_error(code: int, what: str, retry_after: float) -> ApiError:
    """Return the error a non-200 `code` means; `retry_after` is the wait a 6053 imposes."""
    message = f"{what}: AlphaESS code {code}"
    match code:
        case 6007:
            return ApiAuthError(f"{what}: the AppSecret was refused (6007)")
        case 6006 | 6009 | 6010 | 6011 | 6012:
            return AlphaEssClockError(message, code)
        case 6017:
            return AlphaEssPermissionError(message, code)
        case 6002 | 6005 | 6038:
            return AlphaEssNotBoundError(message, code)
        case 6016:
            return AlphaEssNoDataError(message, code)
        case 6042:
            return AlphaEssOfflineError(message, code)
        case 6026:
            return AlphaEssServerError(message, code)
        case 6053:
            return ApiRateLimitedError(
                f"{what}: too fast (6053)", retry_after=retry_after
            )
    return AlphaEssRefusedError(message, code)
