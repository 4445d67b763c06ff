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

Only the kinds of data the options choose are asked (`chosen_kinds`, read once: an options
change reloads the entry). What the user must fix raises a repair issue, cleared when data flows
again: consent revoked (ADAM-DC-0008) or not the holder (ADAM-DC-0007), both also starting
reauth; a quota used up; hourly collection off, for which yesterday's curve is asked again once
a day (with yesterday's daily value) until it comes back.
"""

import asyncio
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final, override

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.enedis import (
    PARIS,
    Backend,
    DailyReading,
    Direction,
    EnedisBackend,
    EnedisConsentError,
    EnedisNoDataError,
    EnedisNotHolderError,
    EnedisQuotaError,
    EnedisWrongDirectionError,
    LoadCurvePoint,
    MaxPower,
)
from ...api.errors import ApiError
from ...const import LOGGER
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from ...history import history_store
from ...pricing import Pricer
from ...statistics import RecorderStalledError
from .const import (
    CURVE_WINDOW_DAYS,
    DAILY_WINDOW_DAYS,
    ISSUE_COLLECTION_OFF,
    ISSUE_CONSENT,
    ISSUE_NOT_HOLDER,
    ISSUE_QUOTA,
    POLL_INTERVAL,
    PROVIDER,
    RECENT_DAYS,
    DataKind,
)
from .schedule import due
from .state import DIRECTION_KINDS, DirectionState, MeterState, chosen_kinds
from .statistics import DaySource, async_import_days
from .windows import async_from_limit, months_before, window

CURVE_WINDOWS_PER_IMPORT: Final = 26
"""Curve weeks imported together (half a year): each import of older days rewrites every newer
hour's sum, so two years cost four such rewrites."""
BACKEND_NAMES: Final[Mapping[Backend, str]] = {
    Backend.CONSO_API: "Conso API",
    Backend.MYELECTRICALDATA: "MyElectricalData",
    Backend.DATA_CONNECT: "Data Connect",
}
"""Service names in repair texts (names: not translated)."""
ACCESS_ISSUES: Final = (ISSUE_CONSENT, ISSUE_NOT_HOLDER, ISSUE_QUOTA)
"""The issues any answer with data clears."""


async def async_remove_history(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> None:
    """Forget a removed entry's history reach (its statistics stay)."""
    await history_store(hass, PROVIDER, entry.entry_id).async_remove()


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
    """The directions the meter has (as far as the answers said) and the options choose."""
    max_power_asked: bool = True
    """Whether the maximum power is asked (the meter consumes and the options choose it)."""

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
        pricer: Pricer | None = None,
    ) -> None:
        """Create the coordinator of one meter; `offset` is its jitter after each asking time."""
        super().__init__(hass, entry, name="history", update_interval=POLL_INTERVAL)
        self.client = client
        self.pricer = pricer
        self._tuning = tuning
        self._offset = offset
        self._store = history_store(hass, PROVIDER, entry.entry_id)
        self.state = MeterState()
        self._backfill: asyncio.Task[None] | None = None
        self._kinds = chosen_kinds(entry.options)
        self._answered = False
        """Whether a backfill request got data since the backfill started."""

    async def async_load_stored(self) -> None:
        """Start from where the history was before a restart."""
        if stored := await self._store.async_load():
            self.state = MeterState.from_dict(stored)

    async def _async_save(self) -> None:
        await self._store.async_save(self.state.as_dict())

    # ---- the kinds of data chosen ------------------------------------------------------------

    def _directions(self) -> list[Direction]:
        """Return the directions the options choose (whether the meter has them or not)."""
        return [d for d in Direction if DIRECTION_KINDS[d] in self._kinds]

    @property
    def _curves(self) -> bool:
        return DataKind.LOAD_CURVE in self._kinds

    def _backfilled(self, direction: Direction) -> bool:
        state = self.state.direction(direction)
        if not self._curves:
            return state.exists is False or state.daily_done
        return state.backfilled

    # ---- repairs -----------------------------------------------------------------------------

    def _raise_access_issue(self, err: ApiError, now: datetime) -> None:
        """Raise the issue an error the user must act on means (the others raise none)."""
        backend = BACKEND_NAMES[self.client.backend]
        if isinstance(err, EnedisConsentError):
            self.async_set_issue(ISSUE_CONSENT, True, placeholders={"backend": backend})
        elif isinstance(err, EnedisNotHolderError):
            self.async_set_issue(
                ISSUE_NOT_HOLDER, True, placeholders={"backend": backend}
            )
        elif isinstance(err, EnedisQuotaError):
            reopens = dt_util.as_local(now + timedelta(seconds=err.retry_after))
            self.async_set_issue(
                ISSUE_QUOTA,
                True,
                placeholders={
                    "backend": backend,
                    "retry_after": reopens.strftime("%Y-%m-%d %H:%M"),
                },
            )

    def _clear_access_issues(self) -> None:
        """Enedis answered: the consent holds and the quota has room."""
        for key in ACCESS_ISSUES:
            self.async_set_issue(key, False)

    def _collection_off(self) -> bool:
        """Whether a chosen direction has daily values but no load curve."""
        return self._curves and any(
            self.state.direction(d).exists is True
            and self.state.direction(d).curve is False
            for d in self._directions()
        )

    # ---- the daily requests ------------------------------------------------------------------

    def _complete(self, yesterday: date) -> bool:
        states = [self.state.direction(d) for d in self._directions()]
        known = [s for s in states if s.exists is not False]
        return bool(known) and all(
            s.exists
            and s.newest is not None
            and s.newest >= yesterday
            and self._curve_behind(s, yesterday) is None
            for s in known
        )

    def _curve_behind(self, state: DirectionState, yesterday: date) -> date | None:
        """Return the first day whose curve is still to come, when its daily value came first.

        Enedis publishes the load curve and the daily value separately: a day stored from its
        daily value while its curve was collected is asked again until its curve is out.
        """
        if not self._curves or state.curve is not True:
            return None
        newest = state.curve_newest or state.newest
        if newest is None or newest >= yesterday:
            return None
        return newest + timedelta(days=1)

    @override
    async def _async_fetch(self) -> EnedisDays:
        now = dt_util.utcnow()
        today = paris_today()
        yesterday = today - timedelta(days=1)
        if not self._complete(yesterday) and due(
            now,
            self.state.last_attempt,
            self._offset,
            behind=not self._complete(yesterday - timedelta(days=1)),
        ):
            try:
                await self._async_recent(today)
            except (EnedisConsentError, EnedisNotHolderError, EnedisQuotaError) as err:
                # The issue says what to do; the error still goes on (reauth, or the wait).
                self._raise_access_issue(err, now)
                raise
            self._clear_access_issues()
            self.state = replace(self.state, last_attempt=now)
            await self._async_save()
        # From the stored state at every refresh: the issue is back after a restart too.
        self.async_set_issue(ISSUE_COLLECTION_OFF, self._collection_off())
        self._start_backfill()
        return self._days(today)

    def _days(self, today: date) -> EnedisDays:
        yesterday = today - timedelta(days=1)
        existing = frozenset(
            d for d in self._directions() if self.state.direction(d).exists is True
        )
        newest = [n for d in existing if (n := self.state.direction(d).newest)]
        peak = self.state.max_power if DataKind.MAX_POWER in self._kinds else None
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
            max_power_asked=DataKind.MAX_POWER in self._kinds
            and Direction.CONSUMPTION in existing,
        )

    async def _async_recent(self, today: date) -> None:
        """Ask every existing chosen kind for the days since the newest stored one."""
        starts: dict[Direction, date] = {}
        for direction in self._directions():
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
            curve_start = start
            if behind := self._curve_behind(state, today - timedelta(days=1)):
                curve_start = min(start, max(behind, first))
            if start >= today and curve_start >= today:
                continue
            if start < today:
                starts[direction] = start
            await self._async_recent_direction(direction, start, curve_start, today)
        consumption = self.state.direction(Direction.CONSUMPTION)
        if (
            DataKind.MAX_POWER in self._kinds
            and Direction.CONSUMPTION in starts
            and consumption.exists is not False
        ):
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
        self, direction: Direction, start: date, curve_from: date, today: date
    ) -> None:
        """Ask the daily values from `start` and the load curve from `curve_from`."""
        state = self.state.direction(direction)
        daily: list[DailyReading] = []
        try:
            if start < today:
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
        yesterday = today - timedelta(days=1)
        if curve is False:
            # Hourly collection was off: only yesterday's curve is asked, once a day (when its
            # daily value is out), to see whether the customer turned the collection back on.
            curve_start: date | None = (
                yesterday if any(r.day == yesterday for r in daily) else None
            )
        else:
            curve_start = curve_from if curve_from < today else None
        if self._curves and curve_start is not None:
            end = today
            while (first := window(end, CURVE_WINDOW_DAYS, curve_start)) is not None:
                with suppress(EnedisNoDataError):
                    points += await self.client.async_load_curve(direction, first, end)
                end = first
            if points:
                curve = True
            elif daily and (state.curve is not True or curve_start < yesterday):
                # Daily values but no curve for the same days: hourly collection is off. A
                # collected curve missing yesterday only is late, not off: asked again.
                curve = False
        days = self._sources(daily, by_day(points))
        if days:
            await async_import_days(
                self.hass, self.client.prm, direction, days, pricer=self.pricer
            )
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
        if points:
            curve_newest = max(by_day(points))
            if state.curve_newest is not None:
                curve_newest = max(curve_newest, state.curve_newest)
            state = replace(state, curve_newest=curve_newest)
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
        if all(self._backfilled(d) for d in self._directions()):
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
        self._answered = False
        try:
            for direction in self._directions():
                await self._async_backfill_daily(direction, today)
            if self._curves:
                for direction in self._directions():
                    await self._async_backfill_curve(direction, today)
        except _NoRoom:
            # Where it stopped is stored: it resumes when the budget has room again.
            pass
        except (ApiError, RecorderStalledError) as err:
            # The next refresh shows what matters (reauth, an outage); the backfill resumes
            # from its stored reach at the refresh after. A lost consent is told now: with
            # yesterday in, the next daily request may be a day away.
            if isinstance(err, EnedisConsentError | EnedisNotHolderError):
                self._raise_access_issue(err, dt_util.utcnow())
                self._answered = False
            LOGGER.info("%s: backfill paused (%s)", self.name, err)
        finally:
            await self._async_save()
        if self._answered:
            self._clear_access_issues()

    async def _async_backfill_daily(self, direction: Direction, today: date) -> None:
        limit = months_before(today, self._tuning.daily_months)

        async def fetch(start: date, end: date) -> list[DailyReading]:
            async with self._tuning.turn:
                self._check_room()
                readings = await self.client.async_daily(
                    direction, start, end, patient=True
                )
            self._answered = True
            return readings

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
                await async_import_days(
                    self.hass, self.client.prm, direction, days, pricer=self.pricer
                )
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
                points = await self.client.async_load_curve(
                    direction, start, end, patient=True
                )
            self._answered = True
            return points

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
                        self.hass,
                        self.client.prm,
                        direction,
                        by_day(pending),
                        pricer=self.pricer,
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
