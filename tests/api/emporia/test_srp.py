"""SRP (Cognito's password verifier) matches pycognito's test vector, byte for byte."""

from datetime import UTC, datetime
import json
from pathlib import Path

import pytest

from custom_components.openpower.api.emporia.srp import (
    K,
    SrpSession,
    cognito_timestamp,
    pad_hex,
)

VECTOR = (
    Path(__file__).parents[2]
    / "simulator"
    / "fixtures"
    / "emporia"
    / "cognito_srp_test_vector.json"
)


def test_srp_matches_pycognito_vector() -> None:
    """A, k and the PASSWORD_VERIFIER answer equal pycognito 2024.5.1's, byte for byte."""
    vector = json.loads(VECTOR.read_text(encoding="utf-8"))
    inputs = vector["inputs"]
    session = SrpSession.start(inputs["pool_id"], int(inputs["small_a_hex"], 16))
    assert f"{K:x}" == vector["k_hex"]
    assert session.srp_a == vector["SRP_A"]
    answer = session.respond(
        inputs["challenge_parameters"],
        inputs["username"],
        inputs["password"],
        datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC),
    )
    assert answer == vector["challenge_response"]
    wrong = session.respond(
        inputs["challenge_parameters"],
        inputs["username"],
        "not the password",
        datetime(2024, 1, 5, 3, 4, 5, tzinfo=UTC),
    )
    assert wrong["PASSWORD_CLAIM_SIGNATURE"] != answer["PASSWORD_CLAIM_SIGNATURE"]


def test_srp_helpers() -> None:
    """Padding keeps numbers positive; the timestamp has no zero-padded day; B=0 is refused."""
    assert pad_hex(0xABC) == "0abc"
    assert pad_hex(0x8F) == "008f"
    assert pad_hex(0x7F) == "7f"
    assert (
        cognito_timestamp(datetime(2026, 11, 3, 9, 5, 7, tzinfo=UTC))
        == "Tue Nov 3 09:05:07 UTC 2026"
    )
    session = SrpSession.start("us-east-2_ghlOXVLi1")
    assert session.pool_name == "ghlOXVLi1"
    with pytest.raises(ValueError, match="B is 0"):
        session.respond(
            {"USER_ID_FOR_SRP": "u", "SRP_B": "0", "SALT": "01", "SECRET_BLOCK": ""},
            "u",
            "p",
            datetime(2026, 1, 1, tzinfo=UTC),
        )


def test_secret_exponent_stays_out_of_repr() -> None:
    """An SRP session in a log line or a traceback shows A, never a."""
    session = SrpSession.start("us-east-2_ghlOXVLi1", 0xC0FFEE123)
    assert "small_a" not in repr(session)
    assert str(0xC0FFEE123) not in repr(session)
    assert "big_a" in repr(session)
