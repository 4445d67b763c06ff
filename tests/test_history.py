"""The stored reach of a daily backfill: the stored form existing entries have, and its store.

GoodWe and AlphaESS stored their reach before the shell held it: the dicts below are written
exactly as their code wrote them, so an entry set up before still resumes where it was.
"""

from datetime import date
import json
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.history import HistoryReach, history_store
from custom_components.openpower.providers.alphaess.history import SystemHistory

GOODWE_STORED = {"newest": "2026-12-05", "oldest": "2024-12-06", "complete": True}
"""A GoodWe entry's store as its own `HistoryReach.as_dict` wrote it."""
ALPHAESS_STORED = {
    "newest": "2026-12-05",
    "oldest": "2026-09-01",
    "complete": False,
    "refetched": "2026-12-04",
    "batches": 3,
}
"""One system of an AlphaESS entry's store as its `SystemHistory.as_dict` wrote it."""


def test_reach_reads_and_writes_the_stored_form() -> None:
    """Today's stored dict reads into its dates, and is written back key for key."""
    reach = HistoryReach.from_dict(GOODWE_STORED)
    assert reach == HistoryReach(
        newest=date(2026, 12, 5), oldest=date(2024, 12, 6), complete=True
    )
    assert reach.as_dict() == GOODWE_STORED
    assert HistoryReach.from_dict(json.loads(json.dumps(reach.as_dict()))) == reach


def test_a_fresh_reach_is_stored_empty() -> None:
    """Before any run: no dates, not complete; a missing key reads as nothing stored."""
    empty = {"newest": None, "oldest": None, "complete": False}
    assert HistoryReach().as_dict() == empty
    assert HistoryReach.from_dict(empty) == HistoryReach()
    assert HistoryReach.from_dict({}) == HistoryReach()


def test_alphaess_keeps_its_own_fields_beside_the_reach() -> None:
    """A subclass's fields are stored after the reach's, and read back as its own type."""
    system = SystemHistory.from_dict(ALPHAESS_STORED)
    assert type(system) is SystemHistory
    assert system == SystemHistory(
        newest=date(2026, 12, 5),
        oldest=date(2026, 9, 1),
        complete=False,
        refetched=date(2026, 12, 4),
        batches=3,
    )
    assert system.as_dict() == ALPHAESS_STORED
    assert list(system.as_dict()) == list(ALPHAESS_STORED)
    # A store written before `batches` and `refetched` existed.
    assert SystemHistory.from_dict(
        {"newest": "2026-12-05", "oldest": "2026-12-05", "complete": False}
    ) == SystemHistory(newest=date(2026, 12, 5), oldest=date(2026, 12, 5))


async def test_history_store_keeps_the_key_entries_have(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """An entry's reach is read from, and saved to, the key and version it was saved under."""
    key = f"{DOMAIN}.goodwe_entry1"
    hass_storage[key] = {"version": 1, "key": key, "data": GOODWE_STORED}
    store = history_store(hass, "goodwe", "entry1")
    stored = await store.async_load()
    assert stored is not None
    assert HistoryReach.from_dict(stored).newest == date(2026, 12, 5)

    await store.async_save(HistoryReach(newest=date(2026, 12, 6)).as_dict())
    assert hass_storage[key]["version"] == 1
    assert hass_storage[key]["data"] == {
        "newest": "2026-12-06",
        "oldest": None,
        "complete": False,
    }
    await store.async_remove()
    assert key not in hass_storage
