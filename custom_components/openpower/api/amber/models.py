"""Typed Amber Electric API data, parsed from the public API v1 (spec 2.0.0) JSON.

Shapes follow the real payloads in shared/fixtures/amber (issue168, issue222, issue247, issue256).
Amber reports money in cents; every price and cost here is in dollars (AUD), so `perKwh: 19.39453`
becomes `per_kwh=0.1939453`. Amber's fields keep Amber's signs (feed-in prices, energy and cost are
negative when you export and are paid); the `user_*` properties are the same figures as the user
counts them: what you pay on an import channel, what you are paid and the energy you export on
feed-in, positive. That sign flip happens here and nowhere else (`_user_sign`).

Enum values Amber has never sent parse to None and are reported through `report_unknown` instead of
failing the whole response, so a new descriptor does not take the prices down with it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from ..errors import ApiResponseError
from ..parse import aware_datetime, number, objects, require, text

type ReportUnknown = Callable[[str, str], None]


class ChannelType(StrEnum):
    """A meter channel; values are what Home Assistant shows (core `amberelectric` names)."""

    GENERAL = "general"
    CONTROLLED_LOAD = "controlled_load"
    FEED_IN = "feed_in"


class IntervalKind(StrEnum):
    """Whether an interval is settled, the current one, or a forecast."""

    ACTUAL = "actual"
    CURRENT = "current"
    FORECAST = "forecast"


class Descriptor(StrEnum):
    """Amber's price band, in snake case (the states core `amberelectric` uses)."""

    NEGATIVE = "negative"
    EXTREMELY_LOW = "extremely_low"
    VERY_LOW = "very_low"
    LOW = "low"
    NEUTRAL = "neutral"
    HIGH = "high"
    SPIKE = "spike"


class SpikeStatus(StrEnum):
    """Whether a price spike is happening or expected."""

    NONE = "none"
    POTENTIAL = "potential"
    SPIKE = "spike"


class TariffPeriod(StrEnum):
    """Network time-of-use period."""

    OFF_PEAK = "off_peak"
    SHOULDER = "shoulder"
    SOLAR_SPONGE = "solar_sponge"
    PEAK = "peak"


class TariffSeason(StrEnum):
    """Network tariff season."""

    DEFAULT = "default"
    SUMMER = "summer"
    AUTUMN = "autumn"
    WINTER = "winter"
    SPRING = "spring"
    NON_SUMMER = "non_summer"
    HOLIDAY = "holiday"
    WEEKEND = "weekend"
    WEEKEND_HOLIDAY = "weekend_holiday"
    WEEKDAY = "weekday"


class SiteStatus(StrEnum):
    """Lifecycle of a site."""

    PENDING = "pending"
    ACTIVE = "active"
    CLOSED = "closed"


class UsageQuality(StrEnum):
    """Whether a usage reading is settled."""

    ESTIMATED = "estimated"
    BILLABLE = "billable"


_CHANNEL_TYPES = {
    "general": ChannelType.GENERAL,
    "controlledLoad": ChannelType.CONTROLLED_LOAD,
    "feedIn": ChannelType.FEED_IN,
}
_INTERVAL_KINDS = {
    "ActualInterval": IntervalKind.ACTUAL,
    "CurrentInterval": IntervalKind.CURRENT,
    "ForecastInterval": IntervalKind.FORECAST,
}
_DESCRIPTORS = {
    "negative": Descriptor.NEGATIVE,
    "extremelyLow": Descriptor.EXTREMELY_LOW,
    "veryLow": Descriptor.VERY_LOW,
    "low": Descriptor.LOW,
    "neutral": Descriptor.NEUTRAL,
    "high": Descriptor.HIGH,
    "spike": Descriptor.SPIKE,
}
_SPIKE_STATUSES = {s.value: s for s in SpikeStatus}
_TARIFF_PERIODS = {
    "offPeak": TariffPeriod.OFF_PEAK,
    "shoulder": TariffPeriod.SHOULDER,
    "solarSponge": TariffPeriod.SOLAR_SPONGE,
    "peak": TariffPeriod.PEAK,
}
_TARIFF_SEASONS = {
    "default": TariffSeason.DEFAULT,
    "summer": TariffSeason.SUMMER,
    "autumn": TariffSeason.AUTUMN,
    "winter": TariffSeason.WINTER,
    "spring": TariffSeason.SPRING,
    "nonSummer": TariffSeason.NON_SUMMER,
    "holiday": TariffSeason.HOLIDAY,
    "weekend": TariffSeason.WEEKEND,
    "weekendHoliday": TariffSeason.WEEKEND_HOLIDAY,
    "weekday": TariffSeason.WEEKDAY,
}
_SITE_STATUSES = {s.value: s for s in SiteStatus}
_USAGE_QUALITIES = {q.value: q for q in UsageQuality}


def _user_sign(channel: ChannelType) -> float:
    """Turn Amber's sign into the user's: feed-in is negative when you export and are paid."""
    return -1.0 if channel is ChannelType.FEED_IN else 1.0


@dataclass(frozen=True, slots=True)
class Channel:
    """One meter channel of a site."""

    identifier: str
    type: ChannelType
    tariff: str | None


@dataclass(frozen=True, slots=True)
class Site:
    """A connection point (NMI) on the account."""

    id: str
    nmi: str
    channels: tuple[Channel, ...]
    network: str | None
    status: SiteStatus
    active_from: date | None
    closed_on: date | None
    interval_minutes: int


@dataclass(frozen=True, slots=True)
class AdvancedPrice:
    """Amber's price prediction band (AUD/kWh, network and market fees included)."""

    low: float
    predicted: float
    high: float


@dataclass(frozen=True, slots=True)
class PriceInterval:
    """The price of one channel for one interval."""

    kind: IntervalKind
    channel: ChannelType
    start: datetime
    end: datetime
    duration_minutes: int
    nem_date: date
    nem_time: datetime
    per_kwh: float
    spot_per_kwh: float
    renewables: float
    descriptor: Descriptor | None
    spike_status: SpikeStatus | None
    estimate: bool | None
    range_min: float | None
    range_max: float | None
    advanced_price: AdvancedPrice | None
    tariff_period: TariffPeriod | None
    tariff_season: TariffSeason | None
    tariff_block: int | None
    demand_window: bool | None

    @property
    def user_per_kwh(self) -> float:
        """What you pay per kWh on an import channel; what you are paid on feed-in."""
        return _user_sign(self.channel) * self.per_kwh

    @property
    def user_advanced_price(self) -> AdvancedPrice | None:
        """The advanced price band, signed as `user_per_kwh` is."""
        if (band := self.advanced_price) is None:
            return None
        sign = _user_sign(self.channel)
        return AdvancedPrice(
            low=sign * band.low, predicted=sign * band.predicted, high=sign * band.high
        )


@dataclass(frozen=True, slots=True)
class UsageInterval:
    """Metered energy and its cost for one channel and billing interval."""

    channel: ChannelType
    channel_identifier: str
    start: datetime
    end: datetime
    duration_minutes: int
    kwh: float
    cost: float
    per_kwh: float
    quality: UsageQuality | None

    @property
    def user_kwh(self) -> float:
        """Energy consumed on an import channel, exported on feed-in: positive either way."""
        return _user_sign(self.channel) * self.kwh

    @property
    def user_cost(self) -> float:
        """What you paid on an import channel; what you were paid on feed-in."""
        return _user_sign(self.channel) * self.cost


def _date(value: Any, key: str) -> date:
    if not isinstance(value, str):
        raise ApiResponseError(f"{key} is not a date")
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ApiResponseError(f"{key} is not a date") from err


def _cents(item: Mapping[str, Any], key: str) -> float:
    # Rounded past Amber's own precision (5 decimals of a cent) to drop binary noise.
    return round(number(item, key) / 100, 9)


def _enum[E](
    table: Mapping[str, E], value: Any, field: str, report: ReportUnknown
) -> E | None:
    if value is None:
        return None
    if isinstance(value, str) and value in table:
        return table[value]
    report(field, str(value))
    return None


def _interval_start(item: Mapping[str, Any]) -> datetime:
    # Amber's startTime is one second past the boundary (…:00:01Z): round to the minute.
    start = aware_datetime(item, "startTime").astimezone(UTC)
    return start.replace(second=0, microsecond=0)


def parse_sites(payload: Any, report: ReportUnknown) -> list[Site]:
    """Parse GET /sites."""
    sites = []
    for item in objects(payload, "sites"):
        channels = []
        for raw in require(item, "channels") or ():
            if not isinstance(raw, dict):
                raise ApiResponseError("channels: expected objects")
            kind = _enum(_CHANNEL_TYPES, raw.get("type"), "channel type", report)
            if kind is None:
                continue
            tariff = raw.get("tariff")
            channels.append(
                Channel(
                    identifier=text(raw, "identifier"),
                    type=kind,
                    tariff=tariff if isinstance(tariff, str) else None,
                )
            )
        status = _enum(_SITE_STATUSES, item.get("status"), "site status", report)
        interval = item.get("intervalLength", 30)
        if interval not in (5, 15, 30):
            raise ApiResponseError("intervalLength is not 5, 15 or 30")
        network = item.get("network")
        sites.append(
            Site(
                id=text(item, "id"),
                nmi=text(item, "nmi"),
                channels=tuple(channels),
                network=network if isinstance(network, str) else None,
                status=status or SiteStatus.PENDING,
                active_from=_date(item["activeFrom"], "activeFrom")
                if item.get("activeFrom")
                else None,
                closed_on=_date(item["closedOn"], "closedOn")
                if item.get("closedOn")
                else None,
                interval_minutes=int(interval),
            )
        )
    return sites


def parse_prices(payload: Any, report: ReportUnknown) -> list[PriceInterval]:
    """Parse GET /sites/{id}/prices/current (or /prices): every interval of known type."""
    intervals = []
    for item in objects(payload, "prices"):
        kind = _enum(_INTERVAL_KINDS, item.get("type"), "interval type", report)
        channel = _enum(_CHANNEL_TYPES, item.get("channelType"), "channel type", report)
        if kind is None or channel is None:
            continue
        start = _interval_start(item)
        if (tariff := item.get("tariffInformation")) is None:
            tariff = {}
        if not isinstance(tariff, dict):
            raise ApiResponseError("tariffInformation is not an object")
        price_range = item.get("range")
        advanced = item.get("advancedPrice")
        block = tariff.get("block")
        demand = tariff.get("demandWindow")
        estimate = item.get("estimate")
        intervals.append(
            PriceInterval(
                kind=kind,
                channel=channel,
                start=start,
                end=aware_datetime(item, "endTime").astimezone(UTC),
                duration_minutes=int(number(item, "duration")),
                nem_date=_date(require(item, "date"), "date"),
                nem_time=aware_datetime(item, "nemTime"),
                per_kwh=_cents(item, "perKwh"),
                spot_per_kwh=_cents(item, "spotPerKwh"),
                renewables=number(item, "renewables"),
                descriptor=_enum(
                    _DESCRIPTORS, item.get("descriptor"), "descriptor", report
                ),
                spike_status=_enum(
                    _SPIKE_STATUSES, item.get("spikeStatus"), "spike status", report
                ),
                estimate=estimate if isinstance(estimate, bool) else None,
                range_min=_cents(price_range, "min")
                if isinstance(price_range, dict)
                else None,
                range_max=_cents(price_range, "max")
                if isinstance(price_range, dict)
                else None,
                advanced_price=AdvancedPrice(
                    low=_cents(advanced, "low"),
                    predicted=_cents(advanced, "predicted"),
                    high=_cents(advanced, "high"),
                )
                if isinstance(advanced, dict)
                else None,
                tariff_period=_enum(
                    _TARIFF_PERIODS, tariff.get("period"), "tariff period", report
                ),
                tariff_season=_enum(
                    _TARIFF_SEASONS, tariff.get("season"), "tariff season", report
                ),
                tariff_block=block if isinstance(block, int) else None,
                demand_window=demand if isinstance(demand, bool) else None,
            )
        )
    return intervals


def parse_usage(payload: Any, report: ReportUnknown) -> list[UsageInterval]:
    """Parse GET /sites/{id}/usage."""
    usage = []
    for item in objects(payload, "usage"):
        channel = _enum(_CHANNEL_TYPES, item.get("channelType"), "channel type", report)
        if channel is None:
            continue
        start = _interval_start(item)
        usage.append(
            UsageInterval(
                channel=channel,
                channel_identifier=text(item, "channelIdentifier"),
                start=start,
                end=aware_datetime(item, "endTime").astimezone(UTC),
                duration_minutes=int(number(item, "duration")),
                kwh=number(item, "kwh"),
                cost=_cents(item, "cost"),
                per_kwh=_cents(item, "perKwh"),
                quality=_enum(
                    _USAGE_QUALITIES, item.get("quality"), "usage quality", report
                ),
            )
        )
    return usage
