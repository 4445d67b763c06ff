"""What the GoodWe client tests share: the captured payloads (shared/fixtures/goodwe, copied)."""

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "goodwe"


def load_fixture(name: str) -> Any:
    """Return a captured payload, decoded."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_data(name: str) -> Any:
    """Return the `data` of a captured answer, after checking its envelope says success."""
    envelope = load_fixture(name)
    assert envelope["code"] == "00000"
    return envelope["data"]
