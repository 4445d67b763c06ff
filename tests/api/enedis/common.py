"""What the Enedis client tests share: the captured payloads (shared/fixtures/enedis, copied)."""

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "enedis"


def load_fixture(name: str) -> Any:
    """Return a captured body; a `{"status_code", "content"}` capture gives its `content`."""
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if isinstance(payload, dict) and set(payload) == {"status_code", "content"}:
        return payload["content"]
    return payload


def fixture_bytes(name: str) -> bytes:
    """Return a captured body as the server sent it (a wrapped capture's `content`)."""
    return json.dumps(load_fixture(name)).encode()
