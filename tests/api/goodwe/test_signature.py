"""The password encoding and X-Signature against the reference's vectors (apis-goodwe.md §2.2–2.3)."""

from datetime import UTC, datetime, timedelta

from custom_components.openpower.api.goodwe import password_hash, signature
from custom_components.openpower.api.goodwe.signature import epoch_ms


def test_password_hash_is_base64_of_the_md5_hex_digest() -> None:
    """`sems_test_password` → md5 e2fa4d42… → the base64 of that hex string."""
    assert password_hash("sems_test_password") == (
        "ZTJmYTRkNDJhZTk4Y2NiMTFkYzg0NWJhYWY1YWUxYzc="
    )


def test_signature_vector_with_a_session() -> None:
    """The reference's vector with a uid and a token."""
    assert signature(
        1767225600000, "00000000-0000-4000-8000-00000000000a", "example-token"
    ) == (
        "NzkzNGY2OWQ4MDEyZTNjZGUzZjNkMzcxZDk3MWU3YWFmMmNjODdiNzJhNDkzMDdiNmFjNGMyOTAxM2Nj"
        "ZjhlYkAxNzY3MjI1NjAwMDAw"
    )


def test_signature_vector_of_the_login() -> None:
    """The reference's vector with an empty uid and token (the login's)."""
    assert signature(1767225600000, "", "") == (
        "MjZlMTMxYzZkMjBjNjE4NmE0MDE2NDdhNTJkNDRmOTg4YzFjODYwOTYzNzg2NmYxNWQxMzRmYjNiNWU4"
        "YTcyMEAxNzY3MjI1NjAwMDAw"
    )


def test_epoch_ms_is_exact() -> None:
    """Milliseconds from an aware datetime, without float rounding."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert epoch_ms(start) == 1767225600000
    assert epoch_ms(start + timedelta(microseconds=999_999)) == 1767225600999
