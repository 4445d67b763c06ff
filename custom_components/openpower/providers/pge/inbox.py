"""The bounded queue between PG&E's notifications and the fetches they ask for.

A notification only lists URLs; fetching and importing a feed takes from a second to a minute. The
inbox keeps the webhook's answer immediate and the work bounded whatever arrives:

- a URL PG&E already notified (same `correlationID`, remembered for the last `_REMEMBERED`) is not
  fetched again: PG&E's duplicated notifications, or a replayed one, cost nothing (unless its
  fetch failed: then a new notification of it is fetched);
- at most `MAX_PENDING` URLs wait; beyond that a notification's URLs are dropped (logged), since
  the next daily request asks for the same days again;
- one worker (started when URLs arrive, ending when none is left) fetches one URL at a time, so
  a burst never opens parallel downloads.
"""

import asyncio
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any, Final
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.errors import ApiAuthError, ApiError
from ...api.pge import PgeClient, correlation_id
from ...const import LOGGER
from ...data import OpenPowerConfigEntry

MAX_PENDING: Final = 16
_REMEMBERED: Final = 256


@dataclass(frozen=True, slots=True)
class NotificationInfo:
    """What the last notification listed and what became of its URLs."""

    received: datetime
    resources: int
    accepted: int
    duplicates: int
    refused: int
    """URLs that are not this entry's Bulk resource on the configured host."""
    dropped: int
    """URLs left out because the inbox was full."""


class NotificationInbox:
    """Accepts notified URLs (validated, deduplicated, bounded) and fetches them one by one."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: PgeClient,
        bulk_id: str,
        *,
        fetch: Callable[[str], Awaitable[None]],
        on_notification: Callable[[NotificationInfo], None],
        on_idle: Callable[[], None],
    ) -> None:
        """Create the inbox of one entry; `async_start` starts its worker."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._bulk_id = bulk_id
        self._fetch = fetch
        self._on_notification = on_notification
        self._on_idle = on_idle
        self._pending: deque[str] = deque()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._worker: asyncio.Task[None] | None = None
        self._logged: set[str] = set()
        self.fetched = 0
        self.failed = 0

    def log_once(self, key: str, level: int, message: str, *args: Any) -> None:
        """Log a problem at `level` the first time, at debug level afterwards."""
        if key in self._logged:
            level = logging.DEBUG
        self._logged.add(key)
        LOGGER.log(level, message, *args)

    def offer(self, urls: list[str]) -> NotificationInfo:
        """Queue a notification's URLs; return what was kept."""
        accepted = duplicates = refused = dropped = 0
        for url in urls:
            if not self._client.is_notified_resource(url, self._bulk_id):
                refused += 1
                self._log_refused(url)
                continue
            key = correlation_id(url) or url
            if key in self._seen:
                duplicates += 1
                continue
            if len(self._pending) >= MAX_PENDING:
                dropped += 1
                self.log_once(
                    "full",
                    logging.WARNING,
                    "Too many PG&E notifications at once: some were dropped (the next "
                    "request asks for the same days again)",
                )
                continue
            self._seen[key] = None
            while len(self._seen) > _REMEMBERED:
                self._seen.popitem(last=False)
            self._pending.append(url)
            accepted += 1
        info = NotificationInfo(
            received=dt_util.utcnow(),
            resources=len(urls),
            accepted=accepted,
            duplicates=duplicates,
            refused=refused,
            dropped=dropped,
        )
        if accepted or duplicates:
            self._on_notification(info)
        if accepted and (self._worker is None or self._worker.done()):
            self._worker = self._entry.async_create_background_task(
                self._hass, self._async_drain(), f"{self._entry.title} PG&E fetch"
            )
        return info

    def _log_refused(self, url: str) -> None:
        """Log a URL that is not this registration's data (its scheme and host only)."""
        parts = urlsplit(url)
        self.log_once(
            f"refused {parts.scheme}://{parts.hostname}",
            logging.WARNING,
            "Ignored a notified resource that is not this registration's data "
            "on the configured PG&E host (%s://%s)",
            parts.scheme,
            parts.hostname,
        )

    @property
    def pending(self) -> int:
        """How many URLs wait to be fetched."""
        return len(self._pending)

    @property
    def busy(self) -> bool:
        """Whether a fetch is running or waiting."""
        return bool(self._pending) or (
            self._worker is not None and not self._worker.done()
        )

    async def _async_drain(self) -> None:
        """Fetch until nothing is pending (the one worker; the entry's unload cancels it)."""
        while self._pending:
            await self._async_fetch_one(self._pending.popleft())
        self._on_idle()

    async def _async_fetch_one(self, url: str) -> None:
        try:
            await self._fetch(url)
        except ApiAuthError as err:
            self.failed += 1
            LOGGER.warning("PG&E refused the credentials while fetching data: %s", err)
            self._entry.async_start_reauth(self._hass)
        except ApiError as err:
            self.failed += 1
            # Not "seen" any more: PG&E notifying it again gets it fetched again.
            self._seen.pop(correlation_id(url) or url, None)
            self.log_once(
                f"fetch {type(err).__name__}",
                logging.WARNING,
                "Could not fetch notified PG&E data (the next request asks again): %s",
                err,
            )
        except Exception:  # noqa: BLE001 — the worker must outlive any one feed
            self.failed += 1
            LOGGER.exception("Unexpected error while processing PG&E data")
        else:
            self.fetched += 1
