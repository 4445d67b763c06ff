"""What the AlphaESS client tests share: the captured payloads (shared/fixtures/alphaess, copied)."""

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "alphaess"


def load_fixture(name: str) -> Any:
    """Return a captured payload, decoded."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_data(name: str) -> Any:
    """Return the `data` of a captured answer, after checking its envelope says success."""
    envelope = load_fixture(name)
    assert (envelope["code"], envelope["msg"]) == (200, "Success")
    return envelope["data"]
