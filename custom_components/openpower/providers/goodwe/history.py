"""GoodWe history: today's energy, each finished day, and a paced backfill, hourly.

Every hourly run asks `stations/statistics` (`dimension: day`) for the days from the first one
not stored yet (at most yesterday) through today, in windows of `window_days`: today's bucket is
the day's energy so far (the energy-today sensors), the finished days are imported
(`statistics.py`). Yesterday is so read again at every run: the first run after local midnight
completes it, and a re-import of the same values writes nothing.

The backfill then goes back a window at a time, newest first, as far as the account returns
days: until a window with no day at all, the day the station's first device was added
(`addTime`), or `history_days`. Its requests are patient (they wait for the account's budget,
taking only the background share), at most `windows_per_run` per run; where it is is stored after
every window, so a restart resumes there. A failed window is asked again at the next run; an
outage never imports anything (no zeros).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo
from typing import Any, override

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.errors import ApiAuthError, ApiError
from ...api.goodwe import Dimension, GoodWeClient, Station, StatisticsBucket
from ...const import LOGGER
from ...data import OpenPowerConfigEntry
from ...entity import DeviceRef
from ...history import HistoryReach, history_store
from ...pricing import Pricer
from .const import PROVIDER, STATISTICS_INTERVAL
from .coordinator import (
    GoodWeCoordinator,
    GoodWeDevicesCoordinator,
    GoodWeStationCoordinator,
    counters_store,
)
from .devices import station_device
from .statistics import async_import_days


async def async_remove_history(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> None:
    """Forget a removed entry's history reach and counters (its statistics stay)."""
    await history_store(hass, PROVIDER, entry.entry_id).async_remove()
    await counters_store(hass, entry.entry_id).async_remove()


@dataclass(frozen=True, slots=True)
class GoodWeDays:
    """The station's energy today and how far its statistics reach."""

    station: Station
    day: date
    """The station's local date when the statistics were read."""
    today: StatisticsBucket | None
    """That day's bucket (None: SEMS+ has none yet)."""
    reach: HistoryReach

    def devices(self) -> tuple[DeviceRef, ...]:
        """Return the station device."""
        return (station_device(self.station),)


def windows(first: date, last: date, size: int) -> list[tuple[date, date]]:
    """Return `first`..`last` cut into ranges of at most `size` days, oldest first."""
    found: list[tuple[date, date]] = []
    start = first
    while start <= last:
        end = min(start + timedelta(days=size - 1), last)
        found.append((start, end))
        start = end + timedelta(days=1)
    return found


class GoodWeHistoryCoordinator(GoodWeCoordinator[GoodWeDays]):
    """Reads the day buckets hourly, imports the finished days, runs the backfill."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: GoodWeClient,
        *,
        station: GoodWeStationCoordinator,
        devices: GoodWeDevicesCoordinator,
        pricer: Pricer,
        zone: tzinfo,
        history_days: int,
        window_days: int,
        windows_per_run: int,
    ) -> None:
        """Create the coordinator; `zone` is the station's time zone."""
        super().__init__(
            hass, entry, client, name="statistics", update_interval=STATISTICS_INTERVAL
        )
        self.station = station
        self.devices = devices
        self.pricer = pricer
        self.zone = zone
        self._history_days = history_days
        self._window_days = window_days
        self._windows_per_run = windows_per_run
        self._store = history_store(hass, PROVIDER, entry.entry_id)
        self.reach = HistoryReach()

    async def async_load_stored(self) -> None:
        """Start from where the history was before a restart."""
        if stored := await self._store.async_load():
            self.reach = HistoryReach.from_dict(stored)

    async def _async_save(self) -> None:
        await self._store.async_save(self.reach.as_dict())

    def _first_day(self, today: date) -> date:
        """Return the oldest day worth asking: `history_days` back, or the first device's."""
        first = today - timedelta(days=self._history_days)
        data = self.devices.data
        added = (
            [r.device.added for r in data.readings.values() if r.device.added]
            if data is not None
            else []
        )
        return max(first, min(added)) if added else first

    async def _async_buckets(
        self, first: date, last: date, *, patient: bool
    ) -> dict[date, StatisticsBucket]:
        buckets: dict[date, StatisticsBucket] = {}
        for start, end in windows(first, last, self._window_days):
            for bucket in await self.client.async_statistics(
                self.station_id, Dimension.DAY, start, end, patient=patient
            ):
                buckets[bucket.start] = bucket
        return buckets

    @override
    async def _async_read(self) -> GoodWeDays:
        station = self.station.data
        today = dt_util.now(self.zone).date()
        yesterday = today - timedelta(days=1)
        first_day = self._first_day(today)
        reach = self.reach
        start = yesterday if reach.newest is None else reach.newest + timedelta(days=1)
        start = max(min(start, yesterday), first_day)
        buckets = await self._async_buckets(start, today, patient=False)
        finished = {day: b for day, b in buckets.items() if day < today}
        if finished:
            await async_import_days(self.pricer, station, self.zone, finished)
        if start <= yesterday:
            self.reach = replace(
                reach,
                newest=yesterday,
                oldest=min(reach.oldest, start) if reach.oldest else start,
            )
            await self._async_save()
        await self._async_backfill(station, first_day)
        return GoodWeDays(
            station=station, day=today, today=buckets.get(today), reach=self.reach
        )

    async def _async_backfill(self, station: Station, first_day: date) -> None:
        """Go back a window at a time, newest first, storing the reach after each."""
        for _ in range(self._windows_per_run):
            reach = self.reach
            if reach.complete or reach.oldest is None:
                return
            end = reach.oldest - timedelta(days=1)
            if end < first_day:
                self.reach = replace(reach, complete=True)
                await self._async_save()
                return
            start = max(end - timedelta(days=self._window_days - 1), first_day)
            try:
                buckets = await self._async_buckets(start, end, patient=True)
            except ApiAuthError:
                raise
            except ApiError as err:
                LOGGER.info(
                    "%s: backfill paused before %s (%s); resumed at the next run",
                    self.name,
                    reach.oldest,
                    err,
                )
                return
            if buckets:
                await async_import_days(self.pricer, station, self.zone, buckets)
            # A window with no day at all: the account has nothing older.
            self.reach = replace(
                reach, oldest=start, complete=not buckets or start <= first_day
            )
            await self._async_save()

    def diagnostics(self) -> dict[str, Any]:
        """Return the history's reach (dates and a flag)."""
        return self.reach.as_dict()
