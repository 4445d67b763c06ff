"""How far a paced daily backfill reaches, kept between restarts.

Providers whose history comes as daily values (GoodWe, AlphaESS) import the finished days since
the last run and, a paced window at a time, the older ones, newest first. The backfill spreads
over many runs (it waits for the account's budget), so where it is must survive a restart, or it
would ask for years again: `HistoryReach` is that place, stored per entry in `history_store`
(where Enedis keeps its own, per-direction reach too).

The stored form is what the providers wrote before this module existed (ISO dates or None, a
boolean), so existing entries resume where they were. A provider that keeps more per reach
(AlphaESS: the day read again, the batch count) subclasses `HistoryReach` and adds its keys
beside these.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Self

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

_STORE_VERSION: Final = 1


def history_store(
    hass: HomeAssistant, provider: str, entry_id: str
) -> Store[dict[str, Any]]:
    """Return where one entry's history reach is kept (the key entries already have)."""
    return Store(hass, _STORE_VERSION, f"{DOMAIN}.{provider}_{entry_id}")


def stored_day(stored: Mapping[str, Any], key: str) -> date | None:
    """Return a day `as_dict` stored under `key`; None where it stored none (or no key)."""
    return date.fromisoformat(stored[key]) if stored.get(key) else None


def day_to_store(day: date | None) -> str | None:
    """Return a day as stored (ISO 8601), None as None."""
    return day.isoformat() if day else None


@dataclass(frozen=True, slots=True)
class HistoryReach:
    """How far the imported daily statistics reach (local dates, both ends included)."""

    newest: date | None = None
    oldest: date | None = None
    complete: bool = False
    """The backfill found the first day the source has (or reached the history depth)."""

    def as_dict(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            "newest": day_to_store(self.newest),
            "oldest": day_to_store(self.oldest),
            "complete": self.complete,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Self:
        """Read what `as_dict` stored (a subclass's own fields keep their defaults)."""
        return cls(
            newest=stored_day(stored, "newest"),
            oldest=stored_day(stored, "oldest"),
            complete=bool(stored.get("complete")),
        )
