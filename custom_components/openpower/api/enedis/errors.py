"""Enedis error answers as the shared error hierarchy (reference §2.7, the `*error*` fixtures).

Four body shapes reach us, sometimes nested:
- Enedis' own: `{"error": "ADAM-DC-0008", "error_description": "…"}`;
- the WSO2 gateway's: `{"fault": {"code": 900807, …}}` or flat `{"code": "900804", …,
  "nextAccessTime": "2026-Jul-17 05:00:00+0000 UTC"}`;
- the Conso API envelope `{"status", "message", "error"?}` whose `error` is one of the above
  (or a plain string);
- MyElectricalData's `{"detail": "Vous avez dépassé votre quota journalier (50)"}`.

The code decides (Enedis has answered the same code with 400 and 403); the status only when
there is none. The descriptions are not kept: they are free text, sometimes French.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
import json
import re
from typing import Any, Final

from ..errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from ..http import DEFAULT_RATE_LIMIT_WAIT, MIN_SERVER_DELAY
from .models import PARIS

MAX_QUOTA_WAIT: Final = 36 * 3600.0
"""Longest wait a quota answer can impose: a daily quota reopens within a day."""

CONSENT_CODES: Final = frozenset({"ADAM-DC-0008", "ADAM_DC_0008", "unauthorized_user"})
NOT_HOLDER_CODES: Final = frozenset({"ADAM-DC-0007", "ADAM_DC_0007"})
WRONG_DIRECTION_CODES: Final = frozenset({"ADAM-ERR0069"})
HISTORY_LIMIT_CODES: Final = frozenset(
    {"ADAM-ERR0123", "ADAM-ERR0125", "ADAM-DC-0016", "ADAM-DC-0009"}
)
NO_DATA_CODES: Final = frozenset(
    {"no_data_found", "STM-ERR-0000020", "STM-ERR-0000014"}
)
NOT_SUBSCRIBED_CODES: Final = frozenset({"900908"})
TOKEN_CODES: Final = frozenset({"900901", "900902", "invalid_token"})
SERVER_CODES: Final = frozenset({"technical_error", "ADAM-DC-0500", "STM-ERR-0000001"})
_THROTTLED = re.compile(r"9008\d\d")
"""WSO2's throttling codes (900800 "Message throttled out" … 900809)."""
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_NEXT_ACCESS = re.compile(
    r"(\d{4})-([A-Za-z]{3})-(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s*([+-]\d{2}:?\d{2})?"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ),
        start=1,
    )
}


class EnedisConsentError(ApiAuthError):
    """ADAM-DC-0008: no consent for this meter (revoked or expired): the customer must consent again."""

    code: str


class EnedisNotHolderError(ApiAuthError):
    """ADAM-DC-0007: the consenting customer is not the meter's holder.

    The customer moved out, or (July–September 2026) Enedis' malfunction with new consents.
    """

    code: str


class EnedisWrongDirectionError(ApiRejectedError):
    """ADAM-ERR0069: consumption asked of a production-only meter, or the reverse (permanent)."""

    code: str


class EnedisHistoryLimitError(ApiRejectedError):
    """The range starts before what Enedis keeps or may serve: the history ends there.

    The meter's commissioning (ADAM-ERR0123), the history depth (ADAM-ERR0125, ADAM-DC-0016) or
    the consent's start (ADAM-DC-0009). Not a fault.
    """

    code: str


class EnedisNoDataError(ApiNotFoundError):
    """no_data_found: nothing measured for the range.

    Not published yet, a gap, or, for a load curve, the customer has not enabled hourly
    recording and collection on their Enedis account.
    """

    code: str


class EnedisNotSubscribedError(ApiRejectedError):
    """WSO2 900908: the application is not subscribed to this API on DataHub."""

    code: str


class EnedisRefusedError(ApiRejectedError):
    """Any other refusal (a bad parameter, a range too long, …); `code` says which, if given."""

    code: str | None


class EnedisQuotaError(ApiRateLimitedError):
    """A quota is used up; `retry_after` is when it reopens.

    Enedis' (WSO2 throttling, relayed by the Conso API) or MyElectricalData's daily one.
    """

    def __init__(self, message: str, retry_after: float, code: str | None) -> None:
        """Keep the code."""
        super().__init__(message, retry_after)
        self.code = code


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _innermost(payload: Any) -> Mapping[str, Any]:
    """Unwrap the gateways' envelopes and the WSO2 `fault`, down to the object with the code.

    The Conso API relays Enedis's body under `error`, MyElectricalData under `detail`.
    """
    if not isinstance(payload, dict):
        return {}
    inner: Mapping[str, Any] = payload
    if isinstance(inner.get("detail"), dict):
        inner = inner["detail"]
    if isinstance(inner.get("error"), dict):
        inner = inner["error"]
    if isinstance(inner.get("fault"), dict):
        inner = inner["fault"]
    return inner


def error_code(payload: Any) -> str | None:
    """Return the Enedis or WSO2 code an error body carries, if any."""
    inner = _innermost(payload)
    value = inner.get("error")
    if not isinstance(value, str):
        value = inner.get("code")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _CODE.fullmatch(value.strip()):
        return value.strip()
    return None


def next_access_time(payload: Any) -> datetime | None:
    """Return WSO2's `nextAccessTime` ("2026-Jul-17 05:00:00+0000 UTC") as an aware instant."""
    value = _innermost(payload).get("nextAccessTime")
    if not isinstance(value, str) or not (match := _NEXT_ACCESS.search(value)):
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if (month_number := _MONTHS.get(month.lower())) is None:
        return None
    try:
        moment = datetime(
            int(year),
            month_number,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def _med_detail(payload: Any) -> str | None:
    detail = payload.get("detail") if isinstance(payload, dict) else None
    return detail if isinstance(detail, str) else None


def _until_paris_midnight(now: datetime) -> float:
    tomorrow = now.astimezone(PARIS).date() + timedelta(days=1)
    return (datetime.combine(tomorrow, time(), PARIS) - now).total_seconds()


def _quota_wait(
    payload: Any, now: datetime, retry_after: float | None, daily: bool
) -> float:
    if (reopens := next_access_time(payload)) is not None:
        wait = (reopens - now).total_seconds()
    elif retry_after is not None:
        wait = retry_after
    elif daily:
        wait = _until_paris_midnight(now)
    else:
        wait = DEFAULT_RATE_LIMIT_WAIT
    return min(max(wait, MIN_SERVER_DELAY), MAX_QUOTA_WAIT)


def enedis_error(
    status: int,
    body: bytes,
    *,
    what: str,
    now: datetime,
    retry_after: float | None = None,
) -> ApiError:
    """Return the error an Enedis, Conso API or MyElectricalData answer means.

    `retry_after` is what the answer's `Retry-After` header said, if anything.
    """
    payload = _decode(body)
    code = error_code(payload)
    label = f"{what}: {code or 'no code'} ({status})"
    detail = _med_detail(payload)
    # MyElectricalData says 409 (its clients' reading) or 429 with a `detail` for its daily quota.
    med_quota = status == 409 or (
        detail is not None and (status == 429 or "quota" in detail.casefold())
    )
    if code in CONSENT_CODES:
        return EnedisConsentError(f"{label}: no consent for this meter", code)
    if code in NOT_HOLDER_CODES:
        return EnedisNotHolderError(f"{label}: not the meter's holder", code)
    if code in WRONG_DIRECTION_CODES:
        return EnedisWrongDirectionError(
            f"{label}: wrong direction for this meter", code
        )
    if code in HISTORY_LIMIT_CODES:
        return EnedisHistoryLimitError(f"{label}: before the history's start", code)
    if code in NO_DATA_CODES:
        return EnedisNoDataError(f"{label}: no data", code)
    if code in NOT_SUBSCRIBED_CODES:
        return EnedisNotSubscribedError(f"{label}: API not subscribed", code)
    if code in TOKEN_CODES:
        return ApiAuthError(f"{label}: access token refused")
    if code in SERVER_CODES or status >= 500:
        return ApiConnectionError(f"{label}: server error")
    if status == 429 or med_quota or (code is not None and _THROTTLED.fullmatch(code)):
        wait = _quota_wait(payload, now, retry_after, daily=med_quota)
        if med_quota or code is not None:
            return EnedisQuotaError(f"{label}: quota used up", wait, code)
        return ApiRateLimitedError(f"{label}: rate limited", retry_after=wait)
    if status in (401, 403):
        return ApiAuthError(f"{label}: credentials rejected")
    if status == 404:
        # Without Enedis' code it may as well be a wrong path (a mistyped API URL).
        return ApiNotFoundError(f"{label}: not found")
    if 400 <= status < 500:
        return EnedisRefusedError(f"{label}: refused", code)
    return ApiResponseError(f"{label}: unexpected status")
