"""Every captured Enedis error body, mapped to the error the provider acts on."""

from datetime import UTC, datetime
import json

import pytest

from custom_components.openpower.api.enedis import (
    EnedisConsentError,
    EnedisHistoryLimitError,
    EnedisNoDataError,
    EnedisNotHolderError,
    EnedisNotSubscribedError,
    EnedisQuotaError,
    EnedisRefusedError,
    EnedisWrongDirectionError,
)
from custom_components.openpower.api.enedis.errors import enedis_error, next_access_time
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
)

from .common import FIXTURES, fixture_bytes

NOW = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # 21:00 in Paris

# (fixture, HTTP status it came with, error class, code)
CAPTURED = [
    ("conso_api_error_400_daily_consumption_start_after_end.json", 400, EnedisRefusedError, "Invalid_request"),
    ("conso_api_error_400_enedis_adam_dc_0007.json", 400, EnedisNotHolderError, "ADAM-DC-0007"),
    ("conso_api_error_401_token_prm.json", 401, ApiAuthError, None),
    ("conso_api_error_403_enedis_adam_dc_0008.json", 403, EnedisConsentError, "ADAM-DC-0008"),
    ("conso_api_error_404_enedis_no_data_found.json", 404, EnedisNoDataError, "no_data_found"),
    ("conso_api_error_429_enedis_wso2_900804_nextAccessTime.json", 429, EnedisQuotaError, "900804"),
    ("conso_api_error_429_enedis_wso2_fault_900807.json", 429, EnedisQuotaError, "900807"),
    ("conso_api_error_500_enedis_plain_text.json", 500, ApiConnectionError, None),
    ("conso_api_error_500_enedis_technical_error.json", 500, ApiConnectionError, None),
    ("conso_api_error_500_token_refresh.json", 500, ApiConnectionError, None),
    ("dc2026_error_400_adam_err0123_mock_esthesis.json", 400, EnedisHistoryLimitError, "ADAM-ERR0123"),
    ("dc2026_error_403_900908_api_not_subscribed_med.json", 403, EnedisNotSubscribedError, "900908"),
    ("med_v1_error_quota_daily_50.json", 409, EnedisQuotaError, None),
    ("v5_error_401_invalid_jwt_wso2_fault_wrapped.json", 401, ApiAuthError, None),
    ("v5_error_404_no_data_found_direct.json", 404, EnedisNoDataError, "no_data_found"),
]  # fmt: skip


def test_every_error_fixture_is_mapped_here() -> None:
    """No captured error body is left out of the table."""
    assert {name for name, *_ in CAPTURED} == {
        path.name for path in FIXTURES.glob("*error*")
    }


@pytest.mark.parametrize(("fixture", "status", "error", "code"), CAPTURED)
def test_captured_errors(
    fixture: str, status: int, error: type[ApiError], code: str | None
) -> None:
    """The class is exact (a subclass would act differently) and the code kept."""
    mapped = enedis_error(status, fixture_bytes(fixture), what="enedis test", now=NOW)
    assert type(mapped) is error
    assert getattr(mapped, "code", None) == code
    assert str(mapped).startswith("enedis test: ")


@pytest.mark.parametrize(
    ("fixture", "status", "error"),
    [
        ("conso_api_error_403_enedis_adam_dc_0008.json", 403, EnedisConsentError),
        ("conso_api_error_400_enedis_adam_dc_0007.json", 400, EnedisNotHolderError),
        (
            "dc2026_error_400_adam_err0123_mock_esthesis.json",
            400,
            EnedisHistoryLimitError,
        ),
    ],
)
def test_enedis_body_relayed_by_myelectricaldata(
    fixture: str, status: int, error: type[ApiError]
) -> None:
    """MyElectricalData relays Enedis's answer under `detail`: the same error as direct."""
    enedis_body = json.loads(fixture_bytes(fixture))
    # Enedis's own body: unwrapped from the Conso API's envelope where it came through it.
    inner = (
        enedis_body["error"] if isinstance(enedis_body["error"], dict) else enedis_body
    )
    relayed = json.dumps({"detail": inner}).encode()
    assert type(enedis_error(status, relayed, what="med", now=NOW)) is error


def test_the_shared_hierarchy_is_kept() -> None:
    """The provider can still catch the generic classes."""
    assert issubclass(EnedisConsentError, ApiAuthError)
    assert issubclass(EnedisNotHolderError, ApiAuthError)
    assert issubclass(EnedisNoDataError, ApiNotFoundError)
    assert issubclass(EnedisQuotaError, ApiRateLimitedError)
    for refusal in (
        EnedisHistoryLimitError,
        EnedisWrongDirectionError,
        EnedisNotSubscribedError,
        EnedisRefusedError,
    ):
        assert issubclass(refusal, ApiRejectedError)


def test_free_text_is_not_kept() -> None:
    """Descriptions (free text, maybe personal) stay out of the message."""
    mapped = enedis_error(
        403,
        fixture_bytes("conso_api_error_403_enedis_adam_dc_0008.json"),
        what="enedis test",
        now=NOW,
    )
    assert "No consent can be found" not in str(mapped)
    assert "ADAM-DC-0008" in str(mapped)


def test_wso2_next_access_time_is_the_wait() -> None:
    """900804 says when the quota reopens: 05:00 UTC on 2026-07-17."""
    body = fixture_bytes("conso_api_error_429_enedis_wso2_900804_nextAccessTime.json")
    assert next_access_time(json.loads(body)) == datetime(2026, 7, 17, 5, 0, tzinfo=UTC)
    an_hour_before = datetime(2026, 7, 17, 4, 0, tzinfo=UTC)
    mapped = enedis_error(429, body, what="t", now=an_hour_before)
    assert isinstance(mapped, EnedisQuotaError)
    assert mapped.retry_after == 3600.0
    # Long past: still at least 30 s, never "at once".
    late = enedis_error(429, body, what="t", now=NOW)
    assert isinstance(late, EnedisQuotaError)
    assert late.retry_after == 30.0


def test_next_access_time_with_an_offset() -> None:
    """The offset is applied (+0200 is two hours ahead of UTC)."""
    payload = {"code": "900804", "nextAccessTime": "2026-Dec-06 23:00:00+0200 UTC"}
    assert next_access_time(payload) == datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
    assert next_access_time({"nextAccessTime": "2026-Foo-06 23:00:00"}) is None


def test_quota_without_a_time_waits_the_default() -> None:
    """900807 gives no time: five minutes, or the `Retry-After` header when there is one."""
    body = fixture_bytes("conso_api_error_429_enedis_wso2_fault_900807.json")
    mapped = enedis_error(429, body, what="t", now=NOW)
    assert isinstance(mapped, EnedisQuotaError)
    assert mapped.retry_after == 300.0
    told = enedis_error(429, body, what="t", now=NOW, retry_after=120.0)
    assert isinstance(told, EnedisQuotaError)
    assert told.retry_after == 120.0


@pytest.mark.parametrize("status", [409, 429])
def test_med_daily_quota_waits_until_paris_midnight(status: int) -> None:
    """MyElectricalData's quota is per day: at 21:00 Paris time, 3 hours to wait."""
    mapped = enedis_error(
        status, fixture_bytes("med_v1_error_quota_daily_50.json"), what="t", now=NOW
    )
    assert isinstance(mapped, EnedisQuotaError)
    assert mapped.retry_after == 3 * 3600.0


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (403, {"error": "ADAM_DC_0008"}, EnedisConsentError, "ADAM_DC_0008"),
        (403, {"error": "unauthorized_user"}, EnedisConsentError, "unauthorized_user"),
        (403, {"error": "ADAM-DC-0007"}, EnedisNotHolderError, "ADAM-DC-0007"),
        (400, {"error": "ADAM-ERR0069"}, EnedisWrongDirectionError, "ADAM-ERR0069"),
        (400, {"error": "ADAM-ERR0125"}, EnedisHistoryLimitError, "ADAM-ERR0125"),
        (400, {"error": "ADAM-DC-0016"}, EnedisHistoryLimitError, "ADAM-DC-0016"),
        (403, {"error": "ADAM-DC-0009"}, EnedisHistoryLimitError, "ADAM-DC-0009"),
        (404, {"error": "STM-ERR-0000014"}, EnedisNoDataError, "STM-ERR-0000014"),
        (400, {"error": "ADAM-DC-0015"}, EnedisRefusedError, "ADAM-DC-0015"),
        (
            400,
            {"status": 400, "message": "Paramètres invalides", "error": {"issues": []}},
            EnedisRefusedError,
            None,
        ),
        (
            403,
            {"status": 403, "message": "x", "error": {"fault": {"code": 900908}}},
            EnedisNotSubscribedError,
            "900908",
        ),
    ],
)
def test_documented_codes(
    status: int, body: object, error: type[ApiError], code: str | None
) -> None:
    """Codes of §2.7 without a capture, in the shapes they come in."""
    mapped = enedis_error(status, json.dumps(body).encode(), what="t", now=NOW)
    assert type(mapped) is error
    assert getattr(mapped, "code", None) == code


def test_answers_without_a_code() -> None:
    """The status decides: a bare 429 is a rate limit (not a quota), a 404 a wrong path."""
    bare = enedis_error(429, b"", what="t", now=NOW, retry_after=45.0)
    assert type(bare) is ApiRateLimitedError
    assert bare.retry_after == 45.0
    assert type(enedis_error(404, b"<html>", what="t", now=NOW)) is ApiNotFoundError
    assert type(enedis_error(403, b"", what="t", now=NOW)) is ApiAuthError
    assert type(enedis_error(502, b"", what="t", now=NOW)) is ApiConnectionError
    refused = enedis_error(418, b"{}", what="t", now=NOW)
    assert type(refused) is EnedisRefusedError
