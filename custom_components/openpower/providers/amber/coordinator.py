"""Amber coordinators: prices on the interval clock, site status and usage history every 6 hours."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from math import ceil
from typing import TYPE_CHECKING, override

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...api.amber import (
    AmberClient,
    ChannelType,
    Descriptor,
    IntervalKind,
    PriceInterval,
    Site,
    SiteStatus,
    SpikeStatus,
    TariffPeriod,
    TariffSeason,
)
from ...api.errors import ApiNotFoundError, ApiRateLimitedError, ApiResponseError
from ...coordinator import OpenPowerCoordinator
from ...entity import DeviceRef
from ...statistics import ImportResult, async_import, async_last_hour
from .const import (
    CONF_FORECAST_HOURS,
    CONF_PRICING_MODE,
    CONFIRM_POLL_MAX,
    CONFIRM_POLL_MIN,
    CONFIRM_STEP,
    CONFIRM_WINDOW,
    FIRST_POLL_DELAY,
    REFETCH_DAYS,
    SCHEDULING_SLACK,
    SETTLE_DAYS,
    SITE_REFRESH,
    PricingMode,
)
from .devices import site_device
from .statistics import statistic_specs, usage_readings

if TYPE_CHECKING:
    from ...data import OpenPowerConfigEntry

# NEM time (Amber's dates and usage days) is AEST all year, without daylight saving.
NEM_OFFSET = timedelta(hours=10)


@dataclass(frozen=True, slots=True)
class AmberPricePoint:
    """One channel's price for one interval, as the user sees it.

    `price`, `per_kwh` and the advanced prices are what you pay for import channels and what you
    are paid for feed-in (the interval's `user_*` figures); `spot_per_kwh` and the range are the
    market's, as Amber sends them.
    """

    start: datetime
    end: datetime
    duration_minutes: int
    nem_date: date
    nem_time: datetime
    price: float
    per_kwh: float
    spot_per_kwh: float
    descriptor: Descriptor | None
    spike_status: SpikeStatus | None
    renewables: float
    estimate: bool | None
    range_min: float | None
    range_max: float | None
    advanced_low: float | None
    advanced_predicted: float | None
    advanced_high: float | None
    tariff_period: TariffPeriod | None
    tariff_season: TariffSeason | None
    demand_window: bool | None


@dataclass(frozen=True, slots=True)
class AmberChannelPrices:
    """The current interval of a channel and the forecast after it."""

    channel: ChannelType
    current: AmberPricePoint
    forecasts: tuple[AmberPricePoint, ...]


@dataclass(frozen=True, slots=True)
class AmberPrices:
    """What the price coordinator holds."""

    device: DeviceRef
    channels: Mapping[ChannelType, AmberChannelPrices]
    rate_limit_remaining: int | None
    rate_limit_reset: datetime | None

    @property
    def general(self) -> AmberChannelPrices | None:
        """The general channel, whose interval carries the site-level figures."""
        return self.channels.get(ChannelType.GENERAL)

    def rolled_to(self, now: datetime) -> AmberPrices | None:
        """Return these prices as of `now`, a forecast becoming current; None if none covers it."""
        channels: dict[ChannelType, AmberChannelPrices] = {}
        for channel, prices in self.channels.items():
            points = (prices.current, *prices.forecasts)
            index = next(
                (i for i, p in enumerate(points) if p.start <= now < p.end), None
            )
            if index is None:
                return None
            current = points[index]
            channels[channel] = AmberChannelPrices(
                channel=channel,
                current=current if index == 0 else replace(current, estimate=True),
                forecasts=points[index + 1 :],
            )
        return replace(self, channels=channels)


def _point(interval: PriceInterval, mode: PricingMode) -> AmberPricePoint:
    advanced = interval.user_advanced_price
    price = interval.user_per_kwh
    if mode is PricingMode.ADVANCED_PREDICTED and advanced is not None:
        price = advanced.predicted
    return AmberPricePoint(
        start=interval.start,
        end=interval.end,
        duration_minutes=interval.duration_minutes,
        nem_date=interval.nem_date,
        nem_time=interval.nem_time,
        price=price,
        per_kwh=interval.user_per_kwh,
        spot_per_kwh=interval.spot_per_kwh,
        descriptor=interval.descriptor,
        spike_status=interval.spike_status,
        renewables=interval.renewables,
        estimate=interval.estimate,
        range_min=interval.range_min,
        range_max=interval.range_max,
        advanced_low=advanced.low if advanced else None,
        advanced_predicted=advanced.predicted if advanced else None,
        advanced_high=advanced.high if advanced else None,
        tariff_period=interval.tariff_period,
        tariff_season=interval.tariff_season,
        demand_window=interval.demand_window,
    )


def select_prices(
    intervals: Iterable[PriceInterval], mode: PricingMode
) -> dict[ChannelType, AmberChannelPrices]:
    """Group Amber's intervals by channel (never by position: Amber's order shifts)."""
    current: dict[ChannelType, PriceInterval] = {}
    forecasts: dict[ChannelType, list[PriceInterval]] = {}
    for interval in intervals:
        if interval.kind is IntervalKind.CURRENT:
            current.setdefault(interval.channel, interval)
        elif interval.kind is IntervalKind.FORECAST:
            forecasts.setdefault(interval.channel, []).append(interval)
    return {
        channel: AmberChannelPrices(
            channel=channel,
            current=_point(now_interval, mode),
            forecasts=tuple(
                _point(i, mode)
                for i in sorted(forecasts.get(channel, ()), key=lambda i: i.start)
            ),
        )
        for channel, now_interval in current.items()
    }


def next_boundary(now: datetime, interval_minutes: int) -> datetime:
    """Return the next interval boundary after `now` (boundaries are whole UTC minutes)."""
    step = interval_minutes * 60
    seconds = int(now.timestamp()) // step * step + step
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(slots=True)
class ConfirmationClock:
    """When to ask again for a price that is still an estimate.

    Amber confirms a price some seconds into its interval. Every answer bounds that delay:
    `early` is the latest point into an interval seen still an estimate, `confirmed` the earliest
    seen confirmed. The re-poll goes half-way between them (the search narrows by half each
    time it is wrong), and once they are a second apart, at `confirmed`: with a steady delay,
    two requests per interval from then on. A price still an estimate at `confirmed` (Amber got
    slower) reopens the search above. A faster Amber is not probed for (every probe can cost a
    request): the price is then shown confirmed a few seconds after Amber could have, until a
    restart. Re-polls are never closer than 15 s nor further than 30 s from the previous poll,
    and stop 2 minutes in.
    """

    early: timedelta = timedelta(0)
    confirmed: timedelta | None = None

    def next_poll(self, current: AmberPricePoint, now: datetime) -> datetime | None:
        """Learn from this answer; return when to poll again, or None for the next boundary."""
        elapsed = now - current.start
        if not current.estimate:
            if self.confirmed is None or elapsed < self.confirmed:
                self.confirmed = elapsed
            if elapsed <= self.early:
                self.early = timedelta(0)
            return None
        self.early = max(self.early, elapsed)
        if self.confirmed is not None and self.confirmed <= self.early:
            self.confirmed = None
        wanted = min(
            max(current.start + self._target(), now + CONFIRM_POLL_MIN),
            now + CONFIRM_POLL_MAX,
        )
        if wanted > current.start + CONFIRM_WINDOW or wanted >= current.end:
            return None
        return wanted

    def _target(self) -> timedelta:
        """Return how far into the interval the next re-poll should be."""
        if self.confirmed is None:
            return self.early + CONFIRM_STEP
        if self.confirmed - self.early <= CONFIRM_STEP:
            return self.confirmed
        half = (self.confirmed - self.early) / 2
        return self.early + timedelta(seconds=ceil(half.total_seconds()))


class AmberPriceCoordinator(OpenPowerCoordinator[AmberPrices]):
    """Prices, fetched just after each interval boundary and again until confirmed."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AmberClient,
        site: AmberSiteCoordinator,
        *,
        forecast_hours: int,
    ) -> None:
        """Create the coordinator; `forecast_hours` unless the entry's options say otherwise.

        The site coordinator knows the billing interval.
        """
        super().__init__(
            hass,
            entry,
            name="prices",
            update_interval=timedelta(minutes=site.data.interval_minutes),
        )
        self.client = client
        self.site = site
        self.forecast_hours = forecast_hours
        self._confirmation = ConfirmationClock()

    @override
    def _reuse(
        self, previous: AmberPrices, error: ApiResponseError | ApiRateLimitedError
    ) -> AmberPrices | None:
        # A price is only worth showing for its own interval: roll the previous answer forward
        # to the forecast interval that covers now (shown as an estimate), or show nothing.
        # While rate limited, the next boundary poll is held back by the account's budget
        # without reaching Amber, so polling on schedule costs nothing.
        return previous.rolled_to(dt_util.utcnow())

    @override
    async def _async_fetch(self) -> AmberPrices:
        options = self.config_entry.options
        site = self.site.data
        now = dt_util.utcnow()
        # Whatever happens below, the next attempt is just after the next boundary.
        self.update_interval = self._until(
            next_boundary(now, site.interval_minutes) + FIRST_POLL_DELAY, now
        )
        hours = options.get(CONF_FORECAST_HOURS, self.forecast_hours)
        try:
            intervals = await self.client.async_get_current_prices(
                site.id,
                next_intervals=int(hours * 60 // site.interval_minutes),
                resolution=site.interval_minutes,
            )
        except ApiNotFoundError:
            # Closed or deleted: the site coordinator finds out which and raises the repair.
            await self.site.async_request_refresh()
            raise
        channels = select_prices(
            intervals, PricingMode(options.get(CONF_PRICING_MODE, PricingMode.PER_KWH))
        )
        if not channels:
            raise ApiResponseError("Amber returned no current price")
        self._plan_confirmation(channels, dt_util.utcnow())
        rate = self.client.rate_limit
        budget = self.client.budget
        return AmberPrices(
            device=site_device(self.config_entry, site),
            channels=channels,
            rate_limit_remaining=rate.remaining
            if rate is not None
            else (budget.remaining() if budget else None),
            rate_limit_reset=rate.reset_at if rate is not None else None,
        )

    def _plan_confirmation(
        self, channels: Mapping[ChannelType, AmberChannelPrices], now: datetime
    ) -> None:
        """Poll again soon while the current price is an estimate."""
        current = (
            channels.get(ChannelType.GENERAL) or next(iter(channels.values()))
        ).current
        if (when := self._confirmation.next_poll(current, now)) is not None:
            self.update_interval = self._until(when, now)

    @staticmethod
    def _until(when: datetime, now: datetime) -> timedelta:
        # Home Assistant starts a refresh up to a second before the delay it is given (it
        # truncates its loop clock to whole seconds): ask for that second more.
        return max(when - now, timedelta(0)) + SCHEDULING_SLACK


def nem_today(now: datetime) -> date:
    """Today's date in NEM time (UTC+10, no daylight saving)."""
    return (now.astimezone(UTC) + NEM_OFFSET).date()


class AmberSiteCoordinator(OpenPowerCoordinator[Site]):
    """The site itself: channels, interval length, status (closed or gone → repair)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AmberClient,
        site_id: str,
    ) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="site", update_interval=SITE_REFRESH)
        self.client = client
        self.site_id = site_id

    @override
    async def _async_fetch(self) -> Site:
        sites = await self.client.async_get_sites()
        site = next((s for s in sites if s.id == self.site_id), None)
        self.async_set_issue("amber_site_gone", site is None, fixable=True)
        if site is None:
            raise ApiNotFoundError("the site is no longer on the Amber account")
        self.async_set_issue(
            "amber_site_closed", site.status is SiteStatus.CLOSED, fixable=True
        )
        return site


@dataclass(frozen=True, slots=True)
class AmberHistory:
    """What the last history run imported, per statistic."""

    imports: tuple[ImportResult, ...]


class AmberHistoryCoordinator(OpenPowerCoordinator[AmberHistory]):
    """Usage and cost history into statistics: 90 days at first, then the last 7 days."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OpenPowerConfigEntry,
        client: AmberClient,
        site: AmberSiteCoordinator,
        *,
        history_days: int,
    ) -> None:
        """Create the coordinator; the first run imports `history_days` days."""
        super().__init__(hass, entry, name="history", update_interval=SITE_REFRESH)
        self.client = client
        self.site = site
        self.history_days = history_days

    @override
    async def _async_fetch(self) -> AmberHistory:
        site = self.site.data
        title = self.config_entry.title
        specs = {
            (channel.identifier, channel.type): statistic_specs(
                title, site.id, channel.identifier, channel.type
            )
            for channel in site.channels
        }
        today = nem_today(dt_util.utcnow())
        oldest = today - timedelta(days=self.history_days)
        start = today - timedelta(days=REFETCH_DAYS)
        for energy, _money in specs.values():
            last = await async_last_hour(self.hass, energy.statistic_id)
            # Never stored: backfill all Amber keeps. Behind after an outage: catch up, from
            # a few days before the last stored day (those may still be estimates).
            start = min(
                start, nem_today(last) - timedelta(days=SETTLE_DAYS) if last else oldest
            )
        start = max(start, oldest)
        results: dict[str, ImportResult] = {}
        day = start
        while day < today:
            end = min(day + timedelta(days=REFETCH_DAYS - 1), today - timedelta(days=1))
            usage = await self.client.async_get_usage(site.id, day, end)
            for key, readings in usage_readings(usage).items():
                energy, money = specs.get(key) or statistic_specs(title, site.id, *key)
                results[energy.statistic_id] = await async_import(
                    self.hass, energy, readings, cost_spec=money
                )
            day = end + timedelta(days=1)
        return AmberHistory(imports=tuple(results.values()))
