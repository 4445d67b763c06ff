"""AlphaESS request signing: the reference's worked example, and what a GET and a POST carry."""

import pytest

from custom_components.openpower.api.alphaess.signature import (
    SIGNATURE_VALIDITY,
    sign,
    signed_headers,
)

# Reference §2.1 (alphaess-openAPI docs/API.md and the developer portal).
APP_ID = "alphaef7900ee81dbbce9"
APP_SECRET = "c2d2ef6c047c49678e2c332fb2d74c3c"
TIMESTAMP = 1676353875
SIGN = (
    "0f023c2287b8f6b21b0994947465f8e9de0e1542567b1735bdc6c427336b9b64"
    "06285cd94f9215c3e9af958df37fb11c2c9fe792713d8afbdb8c463359a1add8"
)


def test_worked_example() -> None:
    """SHA-512 of appId + appSecret + timeStamp, lower-case hex: the published value."""
    assert sign(APP_ID, APP_SECRET, TIMESTAMP) == SIGN


def test_signature_depends_on_every_part() -> None:
    """Another second, AppID or secret gives another signature."""
    assert sign(APP_ID, APP_SECRET, TIMESTAMP + 1) != SIGN
    assert sign(APP_ID + "0", APP_SECRET, TIMESTAMP) != SIGN
    assert sign(APP_ID, APP_SECRET[:-1] + "d", TIMESTAMP) != SIGN


def test_get_headers() -> None:
    """A GET carries the three signature headers and no content type."""
    assert signed_headers(APP_ID, APP_SECRET, TIMESTAMP, json_body=False) == {
        "appId": APP_ID,
        "timeStamp": "1676353875",
        "sign": SIGN,
    }


def test_post_headers() -> None:
    """A POST carries the same three headers and says its body is JSON."""
    assert signed_headers(APP_ID, APP_SECRET, TIMESTAMP, json_body=True) == {
        "appId": APP_ID,
        "timeStamp": "1676353875",
        "sign": SIGN,
        "Content-Type": "application/json",
    }


@pytest.mark.parametrize("json_body", [False, True])
def test_secret_is_not_a_header(json_body: bool) -> None:
    """The AppSecret goes into the hash only, never on the wire."""
    headers = signed_headers(APP_ID, APP_SECRET, TIMESTAMP, json_body=json_body)
    assert all(APP_SECRET not in value for value in headers.values())


def test_validity() -> None:
    """The server accepts a timestamp within 300 s of its clock (reference §2.1)."""
    assert SIGNATURE_VALIDITY == 300.0
