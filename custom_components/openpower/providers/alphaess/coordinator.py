"""AlphaESS coordinators, one per data kind, each cached as long as that kind stays true.

Cadences as Predbat caches them (reference §2.5): the system list and chargers every 8 hours,
schedules and charger currents every 30 minutes, totals every 30 minutes, today's energy and the
chargers' status every 5 minutes, live power every minute (or the newest 5-minute sample, read
every 5 minutes, for a model that does not serve live power).

Every per-system coordinator fetches each system in turn: one system's failure (offline, 6042;
unbound; an outage of its data) leaves only that system's entities unavailable, logged once. A
rejected secret, a 6053 and a refused clock concern the whole AppID and fail (or hold) every
system at once. A 6053 pauses the AppID's budget (`api/alphaess/client.py`): the coordinators
keep what they had, and their next requests wait for the pause, which slows the cadence
(60 s, doubling up to 15 minutes) instead of failing entities.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
import time
from typing import Any, ClassVar, Final, override

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ...api.alphaess import (
    AlphaEssClient,
    AlphaEssClockError,
    AlphaEssNoDataError,
    AlphaEssOfflineError,
    AlphaEssPermissionError,
    AlphaEssRefusedError,
    ChargerStatus,
    DailyEnergy,
    EnergySummary,
    LivePower,
)
from ...api.alphaess.schedule import (
    Schedule,
    ScheduleError,
    ScheduleStore,
    from_legacy,
    from_periodic,
    legacy_charge_with,
    legacy_discharge_with,
    periodic_with,
)
from ...api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from ...api.http import mask_identifiers
from ...const import DOMAIN, LOGGER
from ...coordinator import OpenPowerCoordinator
from ...data import OpenPowerConfigEntry
from .const import (
    CONF_LIVE_INTERVAL,
    CONTROL_INTERVAL,
    ENERGY_INTERVAL,
    FALLBACK_INTERVAL,
    LIVE_FAILURES_BEFORE_FALLBACK,
    LIVE_INTERVAL,
    STALE_AFTER,
    SUMMARY_INTERVAL,
    SYSTEMS_INTERVAL,
)
from .devices import AlphaEssAccount, AlphaEssView

CLOCK_ISSUE: Final = "alphaess_clock"
LIVE_RETRY: Final = timedelta(hours=1)
"""A system on the fallback after failures tries live power again this often."""


def malformed(err: ApiError) -> bool:
    """Whether an error is an answer we could not read (not a refusal nor a missing thing)."""
    return isinstance(err, ApiResponseError) and not isinstance(
        err, ApiRejectedError | ApiNotFoundError
    )


def local_today() -> date:
    """Return today's date where Home Assistant is (AlphaESS dates are the system's local)."""
    return dt_util.now().date()


class AlphaEssSystemsCoordinator(OpenPowerCoordinator[AlphaEssAccount]):
    """The systems bound to the AppID and their EV chargers, every 8 hours."""

    def __init__(
        self, hass: HomeAssistant, entry: OpenPowerConfigEntry, client: AlphaEssClient
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="systems", update_interval=SYSTEMS_INTERVAL)
        self.client = client

    @override
    async def _async_fetch(self) -> AlphaEssAccount:
        # The system list is the first request of a setup: a refused clock is said here too.
        try:
            account = await self._async_fetch_account()
        except AlphaEssClockError:
            self.async_set_issue(CLOCK_ISSUE, True)
            raise
        self.async_set_issue(CLOCK_ISSUE, False)
        return account

    async def _async_fetch_account(self) -> AlphaEssAccount:
        systems = {
            system.serial: system for system in await self.client.async_get_systems()
        }
        previous = self.data.chargers if self.data is not None else {}
        chargers = {}
        for serial in systems:
            try:
                chargers[serial] = tuple(await self.client.async_get_chargers(serial))
            except ApiAuthError, ApiRateLimitedError, AlphaEssClockError:
                raise
            except ApiError as err:
                # The charger list rarely changes: an offline system keeps the one it had.
                LOGGER.debug(
                    "%s: chargers of …%s not read: %s", self.name, serial[-3:], err
                )
                chargers[serial] = previous.get(serial, ())
        return AlphaEssAccount(systems=systems, chargers=chargers)

    @override
    def _reuse(
        self, previous: AlphaEssAccount, error: ApiResponseError | ApiRateLimitedError
    ) -> AlphaEssAccount | None:
        # The list changes when a system is bound: an 8-hour-old one is still right.
        return previous


class AlphaEssCoordinator[T](OpenPowerCoordinator[AlphaEssView[T]]):
    """Fetches one data kind for every system of the AppID, system by system.

    A subclass names its kind and its cadence (`kind`, `interval`) and fetches one system.
    """

    kind: ClassVar[str]
    interval: ClassVar[timedelta]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AlphaEssClient,
        systems: AlphaEssSystemsCoordinator,
        *,
        update_interval: timedelta | None = None,
    ) -> None:
        """Create the coordinator, at its kind's cadence unless given another."""
        super().__init__(
            hass,
            entry,
            name=self.kind,
            update_interval=update_interval or self.interval,
        )
        self.client = client
        self.systems = systems
        self._failing: set[str] = set()
        self._fetched_at: float | None = None

    async def _async_fetch_system(self, serial: str) -> T:
        """Fetch this kind of data for one system."""
        raise NotImplementedError

    @override
    async def _async_fetch(self) -> AlphaEssView[T]:
        account = self.systems.data
        previous = self.data.values if self.data is not None else {}
        values: dict[str, T] = {}
        failures: dict[str, ApiError] = {}
        kept: set[str] = set()
        try:
            for serial in account.systems:
                try:
                    values[serial] = await self._async_fetch_system(serial)
                except ApiAuthError, ApiRateLimitedError, AlphaEssClockError:
                    raise
                except ApiResponseError as err:
                    if serial in previous and malformed(err):
                        # A malformed answer: what this system had stays (logged once).
                        values[serial] = previous[serial]
                        kept.add(serial)
                    failures[serial] = err
                except ApiError as err:
                    failures[serial] = err
        except AlphaEssClockError:
            self.async_set_issue(CLOCK_ISSUE, True)
            raise
        self.async_set_issue(CLOCK_ISSUE, False)
        for serial, failure in failures.items():
            self._note_failure(serial, failure, kept=serial in kept)
        for serial in values.keys() - failures.keys():
            if serial in self._failing:
                self._failing.discard(serial)
                LOGGER.info("%s: system …%s answers again", self.name, serial[-3:])
        if failures and not values:
            raise next(iter(failures.values()))
        self._fetched_at = time.monotonic()
        return AlphaEssView(account=account, values=values)

    def _note_failure(self, serial: str, err: ApiError, *, kept: bool) -> None:
        if serial in self._failing:
            return
        self._failing.add(serial)
        LOGGER.warning(
            "%s: system …%s %s: %s",
            self.name,
            serial[-3:],
            "keeps its previous data" if kept else "is unavailable",
            mask_identifiers(str(err)),
        )

    @override
    def _reuse(
        self,
        previous: AlphaEssView[T],
        error: ApiResponseError | ApiRateLimitedError,
    ) -> AlphaEssView[T] | None:
        # A 6053 holds the AppID for minutes: data younger than the longest back-off stays.
        if isinstance(error, ApiRateLimitedError):
            fresh = (
                self._fetched_at is not None
                and time.monotonic() - self._fetched_at < STALE_AFTER.total_seconds()
            )
            return previous if fresh else None
        return previous if malformed(error) else None


@dataclass(frozen=True, slots=True)
class LiveReading:
    """A system's power now; from a 5-minute sample (`sampled_at`) where live power is not served."""

    power: LivePower
    sampled_at: datetime | None = None

    @property
    def source(self) -> str:
        """`live` or `five_minute_sample`."""
        return "live" if self.sampled_at is None else "five_minute_sample"


class AlphaEssLiveCoordinator(AlphaEssCoordinator[LiveReading]):
    """Live power of every system, every minute (the entry's option)."""

    kind = "live power"
    interval = LIVE_INTERVAL

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AlphaEssClient,
        systems: AlphaEssSystemsCoordinator,
    ) -> None:
        """Create the coordinator at the entry's cadence."""
        seconds = entry.options.get(CONF_LIVE_INTERVAL)
        super().__init__(
            hass,
            entry,
            client,
            systems,
            update_interval=timedelta(seconds=seconds) if seconds else None,
        )
        self._live_failures: dict[str, int] = {}
        self._fallback_since: dict[str, float] = {}
        self._not_served: set[str] = set()
        self._samples: dict[str, tuple[float, LiveReading]] = {}

    def on_fallback(self, serial: str) -> bool:
        """Whether a system's power comes from its 5-minute samples."""
        return serial in self._not_served or serial in self._fallback_since

    @override
    async def _async_fetch_system(self, serial: str) -> LiveReading:
        now = time.monotonic()
        since = self._fallback_since.get(serial)
        if serial not in self._not_served and (
            since is None or now - since >= LIVE_RETRY.total_seconds()
        ):
            try:
                power = await self.client.async_get_live_power(serial)
            except AlphaEssNoDataError, AlphaEssRefusedError, AlphaEssPermissionError:
                # The model does not serve live power (Storion-S5): normal, said once.
                self._not_served.add(serial)
                LOGGER.info(
                    "%s: system …%s does not serve live power; its newest 5-minute "
                    "sample is shown instead",
                    self.name,
                    serial[-3:],
                )
            except AlphaEssOfflineError:
                # The whole system is offline, its samples too: not a live power failure.
                raise
            except ApiConnectionError, ApiResponseError:
                failures = self._live_failures.get(serial, 0) + 1
                self._live_failures[serial] = failures
                if since is None and failures < LIVE_FAILURES_BEFORE_FALLBACK:
                    raise
                if since is None:
                    LOGGER.info(
                        "%s: live power of …%s failed %d times; its 5-minute samples are "
                        "shown until it answers again",
                        self.name,
                        serial[-3:],
                        failures,
                    )
                self._fallback_since[serial] = now
            else:
                self._live_failures.pop(serial, None)
                self._fallback_since.pop(serial, None)
                self._samples.pop(serial, None)
                return LiveReading(power)
        return await self._async_newest_sample(serial, now)

    async def _async_newest_sample(self, serial: str, now: float) -> LiveReading:
        cached = self._samples.get(serial)
        if cached is not None and now - cached[0] < FALLBACK_INTERVAL.total_seconds():
            return cached[1]
        samples = await self.client.async_get_day_power(serial, local_today())
        if not samples:
            raise AlphaEssNoDataError(
                "alphaess getOneDayPowerBySn: no sample yet today", 6016
            )
        newest = samples[-1]
        sampled_at = newest.time.replace(tzinfo=dt_util.get_default_time_zone())
        if dt_util.now() - sampled_at > 2 * STALE_AFTER:
            # The system stopped uploading: an old sample is not "now".
            raise ApiConnectionError(
                "alphaess getOneDayPowerBySn: the newest sample is stale"
            )
        reading = LiveReading(newest.as_live_power(), sampled_at)
        self._samples[serial] = (now, reading)
        return reading


@dataclass(frozen=True, slots=True)
class SystemEnergy:
    """Today's energy of a system, and the status of each of its chargers."""

    today: DailyEnergy | None
    charger_status: dict[str, ChargerStatus | None]

    def diagnostics(self) -> dict[str, Any]:
        """Return today's energy and the statuses without the chargers' serials (keys)."""
        return {
            "today": self.today,
            "charger_status": list(self.charger_status.values()),
        }


class AlphaEssEnergyCoordinator(AlphaEssCoordinator[SystemEnergy]):
    """Today's energy and the chargers' status, every 5 minutes."""

    kind = "energy"
    interval = ENERGY_INTERVAL

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AlphaEssClient,
        systems: AlphaEssSystemsCoordinator,
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, client, systems)
        self._unknown_status: set[int] = set()

    @override
    async def _async_fetch_system(self, serial: str) -> SystemEnergy:
        today = await self.client.async_get_day_energy(serial, local_today())
        statuses: dict[str, ChargerStatus | None] = {}
        for charger in self.systems.data.chargers.get(serial, ()):
            code = await self.client.async_get_charger_status(serial, charger.serial)
            statuses[charger.serial] = self._status(code)
        return SystemEnergy(today=today, charger_status=statuses)

    def _status(self, code: int | None) -> ChargerStatus | None:
        if code is None:
            return None
        try:
            return ChargerStatus(code)
        except ValueError:
            if code not in self._unknown_status:
                self._unknown_status.add(code)
                LOGGER.warning(
                    "AlphaESS sent an unknown charger status %d; shown as unknown", code
                )
            return None


@dataclass(frozen=True, slots=True)
class SystemSummary:
    """A system's totals, and the currency its income is in."""

    totals: EnergySummary
    currency: str
    """`moneyType` when AlphaESS says it (now usually null), else Home Assistant's currency."""


class AlphaEssSummaryCoordinator(AlphaEssCoordinator[SystemSummary]):
    """Totals, income, self-consumption and self-sufficiency, every 30 minutes."""

    kind = "summary"
    interval = SUMMARY_INTERVAL

    @override
    async def _async_fetch_system(self, serial: str) -> SystemSummary:
        totals = await self.client.async_get_summary(serial)
        return SystemSummary(totals, totals.currency or self.hass.config.currency)


@dataclass(frozen=True, slots=True)
class SystemControl:
    """A system's battery schedule (from the store it is controlled through), charger current."""

    schedule: Schedule
    charger_current: float | None


class AlphaEssControlCoordinator(AlphaEssCoordinator[SystemControl]):
    """Schedules and charger currents every 30 minutes; every change is read back at once.

    Each system is controlled through the periodic store when the AppID has that permission
    (the only store newer backends act on), else through the legacy one: found once per system
    (a 6017 on the periodic store) and shown as a diagnostic. A change is a full replace built
    from the settings read just before it, so it never clobbers another; writes to one system
    are serialised and at least `write_spacing` seconds apart.
    """

    kind = "control"
    interval = CONTROL_INTERVAL

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AlphaEssClient,
        systems: AlphaEssSystemsCoordinator,
        *,
        write_spacing: float,
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, client, systems)
        self.stores: dict[str, ScheduleStore] = {}
        self._write_spacing = write_spacing
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_write: dict[str, float] = {}

    async def _async_schedule(self, serial: str) -> Schedule:
        if self.stores.get(serial) is not ScheduleStore.LEGACY:
            try:
                periodic = await self.client.async_get_periodic(serial)
            except AlphaEssPermissionError:
                LOGGER.info(
                    "%s: system …%s is controlled through the legacy schedule (this AppID "
                    "has no permission for the periodic one)",
                    self.name,
                    serial[-3:],
                )
                self.stores[serial] = ScheduleStore.LEGACY
            else:
                self.stores[serial] = ScheduleStore.PERIODIC
                return from_periodic(periodic)
        return from_legacy(
            await self.client.async_get_legacy_charge(serial),
            await self.client.async_get_legacy_discharge(serial),
        )

    @override
    async def _async_fetch_system(self, serial: str) -> SystemControl:
        schedule = await self._async_schedule(serial)
        current = (
            await self.client.async_get_charger_current(serial)
            if self.systems.data.chargers.get(serial)
            else None
        )
        return SystemControl(schedule=schedule, charger_current=current)

    async def _async_write(
        self, serial: str, write: Callable[[], Awaitable[None]]
    ) -> None:
        """Run one write to a system: after the previous one, and `write_spacing` after it."""
        async with self._locks.setdefault(serial, asyncio.Lock()):
            if (last := self._last_write.get(serial)) is not None:
                wait = self._write_spacing - (time.monotonic() - last)
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                await write()
            finally:
                self._last_write[serial] = time.monotonic()

    async def async_edit_schedule(
        self, serial: str, edit: Callable[[Schedule], Schedule]
    ) -> None:
        """Change a system's schedule: read it, apply `edit`, write the whole of it back."""

        async def write() -> None:
            try:
                await self._async_write_schedule(serial, edit)
            except ScheduleError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN, translation_key=err.reason
                ) from err

        await self._async_write(serial, write)

    async def _async_write_schedule(
        self, serial: str, edit: Callable[[Schedule], Schedule]
    ) -> None:
        if self.stores.get(serial) is None:
            await self._async_schedule(serial)
        if self.stores[serial] is ScheduleStore.PERIODIC:
            periodic = await self.client.async_get_periodic(serial)
            changed = periodic_with(periodic, edit(from_periodic(periodic)))
            if changed != periodic:
                await self.client.async_set_periodic(serial, changed)
            return
        charge = await self.client.async_get_legacy_charge(serial)
        discharge = await self.client.async_get_legacy_discharge(serial)
        wanted = edit(from_legacy(charge, discharge))
        if (new_charge := legacy_charge_with(charge, wanted)) != charge:
            await self.client.async_set_legacy_charge(serial, new_charge)
        if (new_discharge := legacy_discharge_with(discharge, wanted)) != discharge:
            await self.client.async_set_legacy_discharge(serial, new_discharge)

    async def async_set_charger_current(self, serial: str, amps: int) -> None:
        """Set the household current the chargers of a system may draw."""
        await self._async_write(
            serial, lambda: self.client.async_set_charger_current(serial, amps)
        )

    async def async_charge(self, serial: str, charger: str, start: bool) -> None:
        """Start or stop charging; starting needs a car that can charge now.

        The status is read just before: starting an available charger (no car) or a faulted
        one would be refused by AlphaESS with a code that says nothing more.
        """
        code = await self.client.async_get_charger_status(serial, charger)
        status = ChargerStatus(code) if code in set(ChargerStatus) else None
        if start and (status is None or not status.can_start):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="alphaess_charger_cannot_start",
                translation_placeholders={
                    "status": status.name.lower() if status is not None else "unknown"
                },
            )
        if not start and status is not ChargerStatus.CHARGING:
            return
        await self._async_write(
            serial, lambda: self.client.async_control_charger(serial, charger, start)
        )
