"""Enedis history of one meter: yesterday's measures daily, and a paced backfill newest first.

Each refresh (every `POLL_INTERVAL`) asks only when an asking time has come (`schedule.py`) and
the data through yesterday is not all in: the days since the newest stored one, one request per
kind (daily, curve, maximum power; per direction). The answers also say which kinds exist:
ADAM-ERR0069 = that direction does not exist, a curve 404 while daily values exist = hourly
collection is off (then daily values only). What they say is stored with the history's reach.

After a refresh, a background backfill continues newest first while the backend's budget has
room above a reserve kept for the daily requests: daily values 36 months back in 365-day windows
(cheap: three or four requests give years), then the load curve 24 months back in 7-day windows,
each week replacing its days' daily rows. The Conso API (100 requests in 12 hours bans the IP)
thereby spends at most its 12-hour budget less the reserve, and resumes in later windows; where
it was is stored, so a restart resumes too. A start before the meter's commissioning or the
history depth (ADAM-ERR0123/0125) ends a backfill there: not a fault, no warning.
"""

import asyncio
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final, override

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...api.enedis import (
    PARIS,
    DailyReading,
    Direction,
    EnedisBackend,
    EnedisNoDataError,
    EnedisWrongDirectionError,
    LoadCurvePoint,
    MaxPower,
)
from ...api.errors import ApiError
from ...const import DOMAIN, LOGGER
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...statistics import RecorderStalledError
from .const import CURVE_WINDOW_DAYS, DAILY_WINDOW_DAYS, POLL_INTERVAL, RECENT_DAYS
from .schedule import due
from .state import DirectionState, MeterState
from .statistics import DaySource, async_import_days
from .windows import async_from_limit, months_before, window

_STORE_VERSION: Final = 1
CURVE_WINDOWS_PER_IMPORT: Final = 26
"""Curve weeks imported together (half a year): each import of older days rewrites every newer
hour's sum, so two years cost four such rewrites."""


def history_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return where one entry's history reach is kept."""
    return Store(hass, _STORE_VERSION, f"{DOMAIN}.enedis_{entry_id}")


async def async_remove_history(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> None:
    """Forget a removed entry's history reach (its statistics stay)."""
    await history_store(hass, entry.entry_id).async_remove()


def paris_today() -> date:
    """Return today's date in Paris (Enedis' calendar)."""
    return dt_util.utcnow().astimezone(PARIS).date()


def by_day(points: list[LoadCurvePoint]) -> dict[date, list[LoadCurvePoint]]:
    """Group load-curve intervals by the Paris day they start in."""
    days: dict[date, list[LoadCurvePoint]] = {}
    for point in points:
        days.setdefault(point.start.astimezone(PARIS).date(), []).append(point)
    return days


@dataclass(frozen=True, slots=True)
class EnedisDays:
    """What the sensors show: yesterday's measures and the newest day with data."""

    prm: str
    yesterday: date
    energy_kwh: Mapping[Direction, float | None]
    """Yesterday's daily energy per existing direction (None: not out yet)."""
    max_power: MaxPower | None
    """Yesterday's maximum power, when out."""
    newest_day: date | None
    directions: frozenset[Direction]
    """The directions the meter has (as far as the answers said)."""

    def kwh(self, direction: Direction) -> float | None:
        """Return yesterday's energy of one direction."""
        return self.energy_kwh.get(direction)


class _NoRoom(Exception):
    """The budget has no room above the reserve for the backfill's next request."""


@dataclass(frozen=True, slots=True)
class BackfillTuning:
    """How much of the budget the backfill may spend."""

    room: Callable[[], int]
    """Requests the backend's budget has left in its longest window."""
    turn: asyncio.Lock
    """Held around each backfill request of every meter sharing that budget: the room is
    checked and the request sent under it, so two meters never both pass the last check
    (the Conso API bans the address past its limit)."""
    reserve: int
    """Requests of that window left to the daily requests and the user."""
    daily_months: int
    """How far back daily values are asked (`DAILY_HISTORY_MONTHS`: all Enedis serves)."""
    curve_months: int
    """How far back load curves are asked (`CURVE_HISTORY_MONTHS`: all Enedis serves)."""


class EnedisHistoryCoordinator(OpenPowerCoordinator[EnedisDays]):
    """Asks for yesterday at the due times, imports statistics, runs the backfill."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: EnedisBackend,
        *,
        tuning: BackfillTuning,
        offset: timedelta,
    ) -> None:
        """Create the coordinator of one meter; `offset` is its jitter after each asking time."""
        super().__init__(hass, entry, name="history", update_interval=POLL_INTERVAL)
        self.client = client
        self._tuning = tuning
        self._offset = offset
        self._store = history_store(hass, entry.entry_id)
        self.state = MeterState()
        self._backfill: asyncio.Task[None] | None = None

    async def async_load_stored(self) -> None:
        """Start from where the history was before a restart."""
        if stored := await self._store.async_load():
            self.state = MeterState.from_dict(stored)

    async def _async_save(self) -> None:
        await self._store.async_save(self.state.as_dict())

    # ---- the daily requests ------------------------------------------------------------------

    def _complete(self, yesterday: date) -> bool:
        states = [self.state.direction(d) for d in Direction]
        known = [s for s in states if s.exists is not False]
        return bool(known) and all(
            s.exists and s.newest is not None and s.newest >= yesterday for s in known
        )

    @override
    async def _async_fetch(self) -> EnedisDays:
        now = dt_util.utcnow()
        today = paris_today()
        if not self._complete(today - timedelta(days=1)) and due(
            now, self.state.last_attempt, self._offset
        ):
            await self._async_recent(today)
            self.state = replace(self.state, last_attempt=now)
            await self._async_save()
        self._start_backfill()
        return self._days(today)

    def _days(self, today: date) -> EnedisDays:
        yesterday = today - timedelta(days=1)
        existing = frozenset(
            d for d in Direction if self.state.direction(d).exists is True
        )
        newest = [n for d in existing if (n := self.state.direction(d).newest)]
        peak = self.state.max_power
        return EnedisDays(
            prm=self.client.prm,
            yesterday=yesterday,
            energy_kwh={
                d: wh / 1000
                if (wh := self.state.direction(d).recent.get(yesterday)) is not None
                else None
                for d in existing
            },
            max_power=peak if peak is not None and peak.day == yesterday else None,
            newest_day=max(newest) if newest else None,
            directions=existing,
        )

    async def _async_recent(self, today: date) -> None:
        """Ask every existing kind for the days since the newest stored one."""
        starts: dict[Direction, date] = {}
        for direction in Direction:
            state = self.state.direction(direction)
            if state.exists is False:
                continue
            first = today - timedelta(days=RECENT_DAYS)
            start = (
                max(
                    state.newest + timedelta(days=1),
                    today - timedelta(DAILY_WINDOW_DAYS),
                )
                if state.newest is not None
                else first
            )
            if start >= today:
                continue
            starts[direction] = start
            await self._async_recent_direction(direction, start, today)
        consumption = self.state.direction(Direction.CONSUMPTION)
        if Direction.CONSUMPTION in starts and consumption.exists is not False:
            try:
                peaks = await self.client.async_max_power(
                    starts[Direction.CONSUMPTION], today
                )
            except EnedisNoDataError, EnedisWrongDirectionError:
                peaks = []
            if peaks:
                newest = max(peaks, key=lambda peak: peak.day)
                if (
                    self.state.max_power is None
                    or newest.day >= self.state.max_power.day
                ):
                    self.state = replace(self.state, max_power=newest)

    async def _async_recent_direction(
        self, direction: Direction, start: date, today: date
    ) -> None:
        state = self.state.direction(direction)
        try:
            daily = await self.client.async_daily(direction, start, today)
        except EnedisWrongDirectionError:
            self.state = self.state.with_direction(
                direction, replace(state, exists=False)
            )
            return
        except EnedisNoDataError:
            daily = []
        points: list[LoadCurvePoint] = []
        curve = state.curve
        if curve is not False:
            end = today
            while (first := window(end, CURVE_WINDOW_DAYS, start)) is not None:
                with suppress(EnedisNoDataError):
                    points += await self.client.async_load_curve(direction, first, end)
                end = first
            if points:
                curve = True
            elif daily:
                # Daily values but no curve for the same days: hourly collection is off.
                curve = False
        days = self._sources(daily, by_day(points))
        if days:
            await async_import_days(self.hass, self.client.prm, direction, days)
        state = replace(
            state,
            exists=True if daily or points else state.exists,
            curve=curve,
            daily_oldest=state.daily_oldest or start,
            curve_oldest=state.curve_oldest or start,
        ).with_recent({r.day: r.energy_wh for r in daily}, RECENT_DAYS)
        if days:
            newest = max(days)
            state = replace(
                state, newest=max(newest, state.newest) if state.newest else newest
            )
        self.state = self.state.with_direction(direction, state)

    @staticmethod
    def _sources(
        daily: list[DailyReading], curves: Mapping[date, list[LoadCurvePoint]]
    ) -> dict[date, DaySource]:
        """Each day's source: its curve where there is one, else its daily value."""
        days: dict[date, DaySource] = {reading.day: reading for reading in daily}
        days.update(curves)
        return days

    # ---- the backfill ------------------------------------------------------------------------

    def _start_backfill(self) -> None:
        if self._backfill is not None and not self._backfill.done():
            return
        if all(self.state.direction(d).backfilled for d in Direction):
            return
        self._backfill = self.config_entry.async_create_background_task(
            self.hass, self._async_backfill(), f"{self.name} backfill"
        )

    def _room(self) -> bool:
        return self._tuning.room() > self._tuning.reserve

    def _check_room(self) -> None:
        """Stop the backfill before a request the reserve does not leave room for.

        Checked before every request, the ones that narrow a window down to the start of
        history too: a background request past the budget's share would wait for the window
        to roll (12 hours for the Conso API) while holding the backfill's turn.
        """
        if not self._room():
            raise _NoRoom

    async def _async_backfill(self) -> None:
        """Go back in time while the budget has room; stop quietly on any failure."""
        today = paris_today()
        try:
            for direction in Direction:
                await self._async_backfill_daily(direction, today)
            for direction in Direction:
                await self._async_backfill_curve(direction, today)
        except _NoRoom:
            # Where it stopped is stored: it resumes when the budget has room again.
            pass
        except (ApiError, RecorderStalledError) as err:
            # The next refresh shows what matters (reauth, an outage); the backfill resumes
            # from its stored reach at the refresh after.
            LOGGER.info("%s: backfill paused (%s)", self.name, err)
        finally:
            await self._async_save()

    async def _async_backfill_daily(self, direction: Direction, today: date) -> None:
        limit = months_before(today, self._tuning.daily_months)

        async def fetch(start: date, end: date) -> list[DailyReading]:
            async with self._tuning.turn:
                self._check_room()
                return await self.client.async_daily(
                    direction, start, end, patient=True
                )

        while self._room():
            state = self.state.direction(direction)
            if state.exists is not True or state.daily_done or not state.daily_oldest:
                return
            end = state.daily_oldest
            if (start := window(end, DAILY_WINDOW_DAYS, limit)) is None:
                self._set(direction, replace(state, daily_done=True))
                return
            try:
                daily, covered, ended = await async_from_limit(fetch, start, end)
            except EnedisWrongDirectionError:
                self._set(direction, replace(state, exists=False))
                return
            if daily:
                days: dict[date, DaySource] = {r.day: r for r in daily}
                await async_import_days(self.hass, self.client.prm, direction, days)
            self._set(
                direction,
                replace(
                    state, daily_oldest=covered, daily_done=ended or covered <= limit
                ),
            )
            await self._async_save()

    async def _async_backfill_curve(self, direction: Direction, today: date) -> None:
        limit = months_before(today, self._tuning.curve_months)

        async def fetch(start: date, end: date) -> list[LoadCurvePoint]:
            async with self._tuning.turn:
                self._check_room()
                return await self.client.async_load_curve(
                    direction, start, end, patient=True
                )

        pending: list[LoadCurvePoint] = []
        reach: tuple[date, bool] | None = None
        try:
            while self._room() and len(pending) // 48 < 7 * CURVE_WINDOWS_PER_IMPORT:
                state = self.state.direction(direction)
                if (
                    state.exists is not True
                    or state.curve is not True
                    or not state.daily_done
                    or state.curve_done
                    or not state.curve_oldest
                ):
                    break
                oldest = reach[0] if reach else state.curve_oldest
                if (start := window(oldest, CURVE_WINDOW_DAYS, limit)) is None:
                    reach = (oldest, True)
                    break
                points, covered, ended = await async_from_limit(fetch, start, oldest)
                pending += points
                reach = (covered, ended or covered <= limit)
                if ended:
                    break
        finally:
            if reach is not None:
                if pending:
                    await async_import_days(
                        self.hass, self.client.prm, direction, by_day(pending)
                    )
                state = self.state.direction(direction)
                self._set(
                    direction,
                    replace(state, curve_oldest=reach[0], curve_done=reach[1]),
                )
                await self._async_save()
        if reach is not None and not reach[1] and self._room():
            await self._async_backfill_curve(direction, today)

    def _set(self, direction: Direction, state: DirectionState) -> None:
        self.state = self.state.with_direction(direction, state)

    def diagnostics(self) -> dict[str, Any]:
        """Return the history's reach (dates and flags only)."""
        return self.state.as_dict()
