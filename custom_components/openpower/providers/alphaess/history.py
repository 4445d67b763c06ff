"""AlphaESS history: every finished day of every system as hourly statistics, newest first.

A day is read twice (`getOneDayPowerBySn`'s 5-minute samples for the shape, and
`getOneDateEnergyBySn` for the exact total, `statistics.day_readings`) and imported once per
quantity, grid import and export through the entry's pricer (their cost beside them). The first
backfill goes back as far as AlphaESS has data (until a day with neither, or
`history_days`), newest days first and day by day across systems, so every system's recent days
arrive within minutes; then every hourly run imports the days finished since, and yesterday once
more after `REFETCH_HOUR` (AlphaESS completes late uploads). Requests are patient: the backfill
waits for the AppID's budget and never takes the share the live cadences need.

Each backfill batch is one import per quantity (an older range rebases every newer stored hour):
batches grow (1, 6, 23, 60, 120, then 240 days) so that a year costs four rebases. Where the
backfill is, per system, is stored; a day that failed is asked again at the next run, and an
outage never imports anything (no zeros).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Final, Self, override
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.alphaess import AlphaEssClient, AlphaEssClockError
from ...api.errors import ApiAuthError, ApiError, ApiRateLimitedError
from ...const import LOGGER
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...history import HistoryReach, day_to_store, history_store, stored_day
from ...pricing import Pricer
from .const import HISTORY_INTERVAL, PROVIDER, REFETCH_HOUR
from .coordinator import AlphaEssSystemsCoordinator, local_today
from .statistics import DayReadings, async_import_batch, day_readings

BATCH_DAYS: Final = (6, 23, 60, 120, 240)
"""Sizes of successive backfill batches (after yesterday, read first); the last one repeats.

Each batch's import rebases every newer hour: doubling batches keep a year to four rebases
(about 8,000 rows rewritten per statistic instead of 26,000 with 60-day batches), at the price
of re-reading at most a batch after a restart in the middle of one."""


async def async_remove_history(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> None:
    """Forget where a removed entry's backfill was (its statistics stay, as history)."""
    await history_store(hass, PROVIDER, entry.entry_id).async_remove()


@dataclass(frozen=True, slots=True)
class SystemHistory(HistoryReach):
    """How far one system's statistics reach, and what AlphaESS's backfill adds to that."""

    refetched: date | None = None
    """The last day read once more the morning after."""
    batches: int = 0

    @override
    def as_dict(self) -> dict[str, Any]:
        """Return what is stored."""
        return {
            **super().as_dict(),
            "refetched": day_to_store(self.refetched),
            "batches": self.batches,
        }

    @override
    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Self:
        """Read what `as_dict` stored."""
        return replace(
            super().from_dict(stored),
            refetched=stored_day(stored, "refetched"),
            batches=int(stored.get("batches", 0)),
        )


@dataclass(frozen=True, slots=True)
class AlphaEssHistory:
    """Where every system's statistics reach, by serial."""

    systems: Mapping[str, SystemHistory] = field(default_factory=dict)

    def diagnostics(self) -> dict[str, Any]:
        """Return the reaches without the serials (the provider's summary says whose is whose)."""
        return {"systems": list(self.systems.values())}


class AlphaEssHistoryCoordinator(OpenPowerCoordinator[AlphaEssHistory]):
    """Imports finished days into statistics, hourly; the first run backfills."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AlphaEssClient,
        systems: AlphaEssSystemsCoordinator,
        *,
        pricer: Pricer,
        history_days: int,
    ) -> None:
        """Create the coordinator; a new system's backfill goes back `history_days` at most."""
        super().__init__(hass, entry, name="history", update_interval=HISTORY_INTERVAL)
        self.client = client
        self.systems = systems
        self.pricer = pricer
        self._history_days = history_days
        self._store = history_store(hass, PROVIDER, entry.entry_id)
        self._state: dict[str, SystemHistory] = {}

    async def async_load_stored(self) -> None:
        """Start from where the backfill was before a restart."""
        stored = await self._store.async_load() or {}
        self._state = {
            serial: SystemHistory.from_dict(item) for serial, item in stored.items()
        }
        self.async_set_updated_data(AlphaEssHistory(dict(self._state)))

    async def _async_save(self) -> None:
        await self._store.async_save(
            {serial: item.as_dict() for serial, item in self._state.items()}
        )

    @override
    async def _async_fetch(self) -> AlphaEssHistory:
        serials = list(self.systems.data.systems)
        yesterday = local_today() - timedelta(days=1)
        first_allowed = local_today() - timedelta(days=self._history_days)
        await self._async_recent(serials, yesterday, first_allowed)
        while True:
            batch = {
                serial: days
                for serial in serials
                if (days := self._next_backfill(serial, first_allowed))
            }
            if not batch:
                break
            if not await self._async_batch(batch, backfill=True):
                break
        return AlphaEssHistory(dict(self._state))

    async def _async_recent(
        self, serials: list[str], yesterday: date, first_allowed: date
    ) -> None:
        """Import the days finished since the last run, and yesterday again in the morning."""
        batch: dict[str, list[date]] = {}
        for serial in serials:
            state = self._state.get(serial, SystemHistory())
            if state.newest is None:
                days = [yesterday]
            else:
                start = max(state.newest + timedelta(days=1), first_allowed)
                days = [
                    start + timedelta(days=offset)
                    for offset in range((yesterday - start).days + 1)
                ]
                if (
                    state.newest == yesterday
                    and state.refetched != yesterday
                    and dt_util.now().hour >= REFETCH_HOUR
                ):
                    days = [yesterday]
            if days:
                # Newest first, as everywhere: a long outage's most recent days come first.
                batch[serial] = sorted(days, reverse=True)
        if batch:
            await self._async_batch(batch, backfill=False)

    def _next_backfill(self, serial: str, first_allowed: date) -> list[date]:
        state = self._state.get(serial)
        if state is None or state.complete or state.oldest is None:
            return []
        size = BATCH_DAYS[min(state.batches, len(BATCH_DAYS) - 1)]
        days = [state.oldest - timedelta(days=offset) for offset in range(1, size + 1)]
        return [day for day in days if day >= first_allowed] or self._finish(serial)

    def _finish(self, serial: str) -> list[date]:
        self._state[serial] = replace(self._state[serial], complete=True)
        return []

    async def _async_batch(
        self, batch: Mapping[str, list[date]], *, backfill: bool
    ) -> bool:
        """Read the days of `batch` (newest first, across systems) and import them.

        Returns False when a system failed (the rest of the backfill waits for the next run).
        """
        zone = ZoneInfo(self.hass.config.time_zone)
        readings: dict[str, dict[date, DayReadings]] = {serial: {} for serial in batch}
        empty_from: dict[str, date] = {}
        failed: set[str] = set()
        for index in range(max(len(days) for days in batch.values())):
            for serial, days in batch.items():
                if index >= len(days) or serial in failed or serial in empty_from:
                    continue
                day = days[index]
                try:
                    daily = await self.client.async_get_day_energy(
                        serial, day, patient=True
                    )
                    samples = await self.client.async_get_day_power(
                        serial, day, patient=True
                    )
                except ApiAuthError, ApiRateLimitedError, AlphaEssClockError:
                    raise
                except ApiError as err:
                    LOGGER.info(
                        "%s: day %s of …%s not read (%s); asked again at the next run",
                        self.name,
                        day,
                        serial[-3:],
                        err,
                    )
                    failed.add(serial)
                    continue
                if daily is None and not samples:
                    empty_from[serial] = day
                    continue
                if daily is not None:
                    readings[serial][day] = await self.hass.async_add_executor_job(
                        day_readings, day, zone, samples, daily
                    )
        for serial, days in batch.items():
            await self._async_store_batch(
                serial,
                days,
                readings[serial],
                empty_from=empty_from.get(serial),
                failed=serial in failed,
                backfill=backfill,
            )
        await self._async_save()
        return not failed

    async def _async_store_batch(
        self,
        serial: str,
        days: list[date],
        readings: dict[date, DayReadings],
        *,
        empty_from: date | None,
        failed: bool,
        backfill: bool,
    ) -> None:
        """Import what a batch read for one system and move its bounds."""
        if failed:
            # Import only the run of days next to what is stored (the newest ones of a
            # backfill, the oldest ones of recent days): a day missing in between would be a
            # hole that no later run asks for again.
            unbroken: dict[date, DayReadings] = {}
            for day in days if backfill else reversed(days):
                if day not in readings:
                    break
                unbroken[day] = readings[day]
            readings = unbroken
        if readings:
            await async_import_batch(self.pricer, serial, readings)
        state = self._state.get(serial, SystemHistory())
        read = sorted(readings)
        if read:
            newest = max(read[-1], state.newest) if state.newest else read[-1]
            oldest = min(read[0], state.oldest) if state.oldest else read[0]
            state = replace(state, newest=newest, oldest=oldest)
            yesterday = local_today() - timedelta(days=1)
            if yesterday in readings and dt_util.now().hour >= REFETCH_HOUR:
                # Read in the morning or later: AlphaESS has had the night's late uploads.
                state = replace(state, refetched=yesterday)
        if backfill and not failed:
            state = replace(state, batches=state.batches + 1)
            if empty_from is not None:
                # AlphaESS has nothing before this day: the system's history is complete.
                state = replace(state, complete=True)
            elif read and read[0] > min(days):
                state = replace(state, oldest=min(days))
        if not backfill and empty_from is not None and state.newest is None:
            # A system with no finished day yet: nothing to backfill from before it.
            state = replace(state, complete=True)
        self._state[serial] = state
