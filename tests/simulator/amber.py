"""Amber Electric public API v1 (`https://api.amber.com.au/v1`), mirrored under `/amber/v1`.

Shapes follow the captured payloads in `shared/fixtures/amber/` field for field: `startTime` is the
interval start plus one second (`…:01Z`), `endTime` the end (`…:00Z`), `nemTime` the END in fixed
UTC+10, `date` the NEM date of the start; prices in c/kWh incl. GST; usage cost in cents.

Endpoints: `GET /sites`, `/sites/{id}/prices/current`, `/sites/{id}/prices`, `/sites/{id}/usage`
(Bearer token) and `/state/{state}/renewables/current` (no auth, no rate limit).

Rules, as the real API or as decided here where the reference is silent:

- Auth: `Authorization: Bearer <token>`; missing, unknown or revoked → 401 `{"message":"Unauthorized"}`.
- Rate limit per ACCOUNT (all its tokens): `rate_limit` (50) authenticated requests in any
  `rate_window` (300 s) sliding window of the simulator clock. Rejected requests do not count.
  Every authenticated 200 carries `RateLimit-Limit/-Remaining/-Reset/-Policy` (`50;w=300`); Reset
  is the seconds until the oldest request in the window leaves it. Over the limit: the real API
  Gateway 429 (`x-amzn-ErrorType: TooManyRequestsException`, 31-byte body, no RateLimit-* and no
  Retry-After). 400/404/422 after authentication count against the limit.
- A site of another account, a removed site, and a closed site's prices → 404
  `{"message":"Site not found"}`. A closed site stays in `/sites` (`status: closed`, `closedOn`);
  its usage is still served up to the end of its `closedOn` NEM date.
- `/prices/current`: `previous` ActualIntervals, one CurrentInterval, `next` ForecastIntervals per
  channel type, ordered by time, then general > controlledLoad > feedIn. `next + previous > 2048`
  → 422; resolution other than 5/30 → 400; default resolution = the site's `intervalLength`.
- `/prices`: every interval of the NEM dates `startDate..endDate` (default today; at most 7 dates
  inclusive, else 422; end before start → 400). Before the current interval: Actual; the current
  one: Current; after: Forecast.
- `/usage`: both dates required (400), start after end → 400, more than 7 dates inclusive → 422.
  One item per channel (identifier) and billing interval (`intervalLength`, `resolution` ignored)
  that ended before the start of the current NEM day and started at most 90 days before it.
  Quality `estimated` for the last 2 NEM dates, `billable` before; a non-zero billable kWh is the
  estimate +2 % +0.0001 kWh (a settlement correction, so it always differs). Feed-in kWh are
  negative. Cost (cents, rounded to 4 decimals) is `kwh × perKwh` for consumption and
  `|kwh| × perKwh` for feed-in, so a feed-in credit is negative (and exporting while the feed-in
  price is positive, i.e. the spot price is negative, costs money, as at Amber).
  `perKwh`, `spotPerKwh`, `renewables`, … are the confirmed price of the interval.
- Prices are a deterministic function of (site, channel type, interval start, estimated or
  confirmed): a daily shape in the site's local time (overnight low, morning bump, midday solar
  soak that drives general prices negative on sunny days, evening peak), a few spikes
  (`spikeStatus` spike, `descriptor` spike) and potential spikes a day, network charges by period
  (peak 15–21 on weekdays, shoulder 7–22, off-peak otherwise), a flat cheaper controlled load,
  and a feed-in price of about minus the spot price. 30-minute values average the six 5-minute
  ones. A CurrentInterval is `estimate: true` until the clock reaches its start plus
  `confirmation_delay`; estimated (and forecast) prices differ from confirmed ones by 0.3–2 c.
  `range` and `advancedPrice` are objects on the CurrentInterval and on ForecastIntervals up to
  24 h after the current interval, null beyond.

Faults (on top of the application's): `unknown_enum` sets `descriptor: "superLow"` and
`spikeStatus: "mega"` on every interval and usage item and appends one copy of the first item with
`channelType: "battery"` (usage: `channelIdentifier: "X1"` too); on `/sites` each site gets an
extra `{"identifier":"X1","type":"battery"}` channel; on renewables the descriptor is
`"superGreen"`. `missing_field` removes `perKwh` from every interval and usage item, `channels`
from every site, `renewables` from every renewable item. `not_found` answers 404 Site not found.
Not simulated for Amber: `http_400`, `null_usage`, `stale_instant` (`fault_next` refuses them).
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
import math
import re
from typing import Any, ClassVar, Final, Literal
from zoneinfo import ZoneInfo

from aiohttp import web

from .common import CONTEXT, FAULTS, ProviderPart, Reply, RequestContext, json_response
from .solar_model import bump as _bump, unit as _unit

NEM_TZ: Final = timezone(timedelta(hours=10))
MAX_INTERVALS: Final = 2048
MAX_DATES: Final = 7
USAGE_HISTORY_DAYS: Final = 90
ESTIMATED_USAGE_DATES: Final = 2
ADVANCED_HORIZON: Final = timedelta(hours=24)

CHANNEL_ORDER: Final = ("general", "controlledLoad", "feedIn")
STATES: Final = {
    "nsw": "Australia/Sydney",
    "vic": "Australia/Melbourne",
    "qld": "Australia/Brisbane",
    "sa": "Australia/Adelaide",
}

# Demo data (deterministic; tokens are 36 characters like live Amber keys).
DEMO_TOKEN: Final = "psk_demo" + "0" * 28
MULTI_TOKEN: Final = "psk_multi" + "0" * 27
EMPTY_TOKEN: Final = "psk_empty" + "0" * 27
DEMO_SITE_5MIN: Final = "01HS7KNZ9XYN85AJF60D0G8V81"
DEMO_SITE_30MIN: Final = "01HDHVGZRGJKWFM7Q2G0H17GYG"
DEMO_SITE_CLOSED: Final = "01F7SYGT23GZ9MKXQVKAGD9PKZ"
MULTI_SITES: Final = (
    "01JBTRPM3K9NVGAFNSD11Z1K1W",
    "01JBTRPN36MMSX96ZKBMYFABBT",
    "01JBTRPP2S406KQD2TM3F5JMR4",
)

_UNAUTHORIZED: Final = b'{"message":"Unauthorized"}'
_TOO_MANY: Final = b'{"message":"Too Many Requests"}'
_INTERNAL: Final = b'{"message": "Internal server error"}'
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

type TariffStyle = Literal["periods", "demand_window", "none"]


@dataclass(slots=True)
class AmberChannel:
    """A meter channel of a site."""

    identifier: str
    """E1, E2, B1…"""
    type: str
    """general, controlledLoad or feedIn."""
    tariff: str


@dataclass(slots=True)
class AmberSite:
    """A site (NMI) of an account."""

    id: str
    nmi: str
    channels: list[AmberChannel]
    network: str
    interval_length: int = 30
    time_zone: str = "Australia/Sydney"
    """Local time of the site: drives the daily price and usage shapes and tariff periods."""
    status: str = "active"
    active_from: date = date(2024, 1, 1)
    closed_on: date | None = None
    tariff_information: TariffStyle = "demand_window"
    """"periods": period, season and demandWindow; "demand_window": only demandWindow false
    (like the fixtures); "none": no tariffInformation key (like the 2023 fixture)."""

    def to_json(self) -> dict[str, Any]:
        """Return the site as `GET /sites` lists it."""
        item: dict[str, Any] = {
            "id": self.id,
            "nmi": self.nmi,
            "channels": [
                {"identifier": c.identifier, "type": c.type, "tariff": c.tariff}
                for c in self.channels
            ],
            "network": self.network,
            "status": self.status,
            "activeFrom": self.active_from.isoformat(),
        }
        if self.closed_on is not None:
            item["closedOn"] = self.closed_on.isoformat()
        item["intervalLength"] = self.interval_length
        return item

    def channel_types(self) -> list[str]:
        """Distinct channel types, in the API's order (prices come once per type)."""
        present = {c.type for c in self.channels}
        return [t for t in CHANNEL_ORDER if t in present] + sorted(
            present - set(CHANNEL_ORDER)
        )

    def ordered_channels(self) -> list[AmberChannel]:
        """Channels in the API's order (usage comes once per channel)."""
        rank = {t: i for i, t in enumerate(CHANNEL_ORDER)}
        return sorted(self.channels, key=lambda c: rank.get(c.type, len(rank)))


@dataclass(slots=True)
class AmberAccount:
    """An Amber account: its API tokens share one rate limit."""

    key: str
    tokens: set[str] = field(default_factory=set)
    sites: list[AmberSite] = field(default_factory=list)
    request_times: deque[datetime] = field(default_factory=deque)


@dataclass(frozen=True, slots=True)
class AmberPrice:
    """One channel's price for one interval, as the API serves it."""

    per_kwh: float
    spot_per_kwh: float
    renewables: float
    spike_status: str
    descriptor: str
    tariff_information: dict[str, Any] | None


# --------------------------------------------------------------------------------------------
# Deterministic model


def _round(value: float, digits: int) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


@lru_cache(maxsize=1 << 17)
def _local(time_zone: str, epoch: int) -> tuple[float, str, int, int]:
    """Local hour (fractional), local date, weekday and month of an instant."""
    local = datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(time_zone))
    return (
        local.hour + local.minute / 60,
        local.date().isoformat(),
        local.weekday(),
        local.month,
    )


@lru_cache(maxsize=1 << 17)
def _market(key: str, time_zone: str, epoch: int) -> tuple[float, float, int]:
    """Spot price (c/kWh), renewables (%) and spike level (0, 1, 2) of a 5-minute interval."""
    hour, day, _, _ = _local(time_zone, epoch)
    sun = _unit(key, "sun", day)
    level = 6 * _unit(key, "level", day) - 3
    dip = 10 + 25 * sun
    spot = (
        9
        + level
        + 7 * _bump(hour, 7.75, 1.25)
        + 22 * _bump(hour, 18.75, 1.75)
        - dip * _bump(hour, 12.75, 2.25)
        + 3 * _unit(key, "noise", epoch)
        - 1.5
    )
    block = epoch - epoch % 1800
    roll = _unit(key, "spike", block)
    size = _unit(key, "size", block)
    spike = 0
    if roll < 0.03:
        spike = 2
        spot += 80 + 220 * size
    elif roll < 0.07:
        spike = 1
        spot += 12 + 20 * size
    renewables = (
        15
        + 50 * _bump(hour, 12.5, 3.0) * (0.5 + 0.5 * sun)
        + 10 * _unit(key, "wind", day)
        + 4 * _unit(key, "rnoise", epoch)
        - 2
    )
    return spot, min(97.0, max(3.0, renewables)), spike


def _estimate_offset(key: str, epoch: int) -> float:
    """How far an estimated (or forecast) spot price is from the confirmed one, in c/kWh."""
    size = 0.3 + 1.7 * _unit(key, "estimate", epoch)
    return size if _unit(key, "estimate-sign", epoch) < 0.5 else -size


def _period(hour: float, weekday: int) -> str:
    if weekday < 5 and 15 <= hour < 21:
        return "peak"
    if 7 <= hour < 22:
        return "shoulder"
    return "offPeak"


def _season(month: int) -> str:
    if month in {12, 1, 2}:
        return "summer"
    if month in {3, 4, 5}:
        return "autumn"
    if month in {6, 7, 8}:
        return "winter"
    return "spring"


_NETWORK: Final = {"peak": 26.0, "shoulder": 13.0, "offPeak": 9.5}
_CONTROLLED_LOAD_NETWORK: Final = 4.4
_RETAIL: Final = 2.2
_FEED_IN_MARGIN: Final = 0.8


def _channel_price(channel_type: str, spot: float, period: str) -> float:
    if channel_type == "feedIn":
        return -spot + _FEED_IN_MARGIN
    if channel_type == "controlledLoad":
        return spot + _CONTROLLED_LOAD_NETWORK + _RETAIL
    return spot + _NETWORK[period] + _RETAIL


def _descriptor(price: float, spike: int) -> str:
    """Descriptor from the price you pay (general, controlled load) or earn (feed-in)."""
    if spike == 2:
        return "spike"
    for threshold, name in (
        (0, "extremelyLow"),
        (24, "veryLow"),
        (42, "low"),
        (60, "neutral"),
        (100, "high"),
    ):
        if price < threshold:
            return name
    return "spike"


def _tariff_information(site: AmberSite, epoch: int) -> dict[str, Any] | None:
    if site.tariff_information == "none":
        return None
    if site.tariff_information == "demand_window":
        return {"demandWindow": False}
    hour, _, weekday, month = _local(site.time_zone, epoch)
    period = _period(hour, weekday)
    return {
        "period": period,
        "season": _season(month),
        "demandWindow": period == "peak",
    }


def _renewable_descriptor(renewables: float) -> str:
    for threshold, name in ((70, "best"), (50, "great"), (35, "ok"), (20, "notGreat")):
        if renewables >= threshold:
            return name
    return "worst"


def _power_kw(site: AmberSite, channel: AmberChannel, epoch: int) -> float:
    """Average power of one channel over a 5-minute interval (always >= 0)."""
    hour, day, _, _ = _local(site.time_zone, epoch)
    key = f"{site.id}:{channel.identifier}"
    if channel.type == "controlledLoad":
        hot_water = (hour >= 22 or hour < 4) and _unit(key, "hot-water", epoch) < 0.6
        return 3.6 if hot_water else 0.0
    load = (
        0.3
        + 0.9 * _bump(hour, 7.5, 1.0)
        + 1.6 * _bump(hour, 19.0, 1.8)
        + 0.5 * _unit(site.id, "load", epoch)
    )
    solar = 0.0
    if any(c.type == "feedIn" for c in site.channels):
        sun = _unit(site.id, "sun", day)
        daylight = max(0.0, math.sin(math.pi * (hour - 6.5) / 12.5))
        solar = (
            5.0
            * daylight
            * (0.4 + 0.6 * sun)
            * (0.85 + 0.3 * _unit(site.id, "cloud", epoch))
        )
    if channel.type == "feedIn":
        return max(0.0, solar - load)
    return max(0.0, load - solar)


# --------------------------------------------------------------------------------------------
# Time helpers


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _floor(moment: datetime, minutes: int) -> datetime:
    epoch = _epoch(moment)
    return datetime.fromtimestamp(epoch - epoch % (minutes * 60), UTC)


def _zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _nem_date(moment: datetime) -> date:
    return moment.astimezone(NEM_TZ).date()


def _nem_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=NEM_TZ).astimezone(UTC)


# --------------------------------------------------------------------------------------------
# The provider part


class AmberSimulator(ProviderPart):
    """Amber's accounts, tokens and sites, and the `/amber/v1` handlers."""

    name: ClassVar[str] = "amber"
    prefix: ClassVar[str] = "/amber/v1"
    supported_faults: ClassVar[frozenset[str]] = FAULTS - {
        "http_400",
        "null_usage",
        "stale_instant",
    }

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        confirmation_delay: float = 25.0,
        demo: bool = True,
    ) -> None:
        """Create the Amber part; `demo` adds the built-in accounts (see `add_demo_data`)."""
        self.clock = clock
        self.confirmation_delay = confirmation_delay
        self.rate_limit = 50
        self.rate_window = 300.0
        self.accounts: dict[str, AmberAccount] = {}
        self.revoked_tokens: set[str] = set()
        self._price_cache: dict[tuple[object, ...], AmberPrice] = {}
        if demo:
            self.add_demo_data()

    # ----------------------------------------------------------------------------------------
    # State

    def add_account(
        self, key: str, tokens: Iterable[str] = (), sites: Iterable[AmberSite] = ()
    ) -> AmberAccount:
        """Add an account with its tokens and sites (its key is what the request log shows)."""
        if key in self.accounts:
            raise ValueError(f"account {key!r} exists")
        account = AmberAccount(key)
        self.accounts[key] = account
        for token in tokens:
            self.add_token(key, token)
        for site in sites:
            self.add_site(key, site)
        return account

    def add_token(self, account_key: str, token: str) -> None:
        """Give the account another token (sharing its rate limit)."""
        if self.account_for_token(token) is not None:
            raise ValueError("token already in use")
        self.revoked_tokens.discard(token)
        self.accounts[account_key].tokens.add(token)

    def add_site(self, account_key: str, site: AmberSite) -> AmberSite:
        """Add a site to the account."""
        if any(s.id == site.id for a in self.accounts.values() for s in a.sites):
            raise ValueError(f"site {site.id} exists")
        self.accounts[account_key].sites.append(site)
        return site

    def account_for_token(self, token: str) -> AmberAccount | None:
        """Return the account a (non-revoked) token belongs to."""
        for account in self.accounts.values():
            if token in account.tokens:
                return account
        return None

    def site(self, site_id: str) -> AmberSite:
        """Return a site by id (KeyError if no account has it)."""
        for account in self.accounts.values():
            for site in account.sites:
                if site.id == site_id:
                    return site
        raise KeyError(site_id)

    def revoke_token(self, token: str) -> None:
        """Make every later request with `token` fail with 401."""
        for account in self.accounts.values():
            account.tokens.discard(token)
        self.revoked_tokens.add(token)

    def close_site(self, site_id: str, closed_on: date | None = None) -> None:
        """Close a site (default: today's NEM date). It stays in /sites; its prices answer 404."""
        site = self.site(site_id)
        site.status = "closed"
        site.closed_on = closed_on or _nem_date(self.clock())

    def remove_site(self, site_id: str) -> None:
        """Remove a site: gone from /sites, every endpoint of it answers 404."""
        for account in self.accounts.values():
            account.sites[:] = [s for s in account.sites if s.id != site_id]

    def reset_rate_limits(self) -> None:
        """Forget every account's recent requests."""
        for account in self.accounts.values():
            account.request_times.clear()

    def add_demo_data(self) -> None:
        """Add the accounts `demo`, `multi` and `empty` with their tokens and sites."""
        general = AmberChannel("E1", "general", "EA116")
        controlled = AmberChannel("E2", "controlledLoad", "EA030")
        feed_in = AmberChannel("B1", "feedIn", "EA116")
        self.add_account(
            "demo",
            [DEMO_TOKEN],
            [
                AmberSite(
                    id=DEMO_SITE_CLOSED,
                    nmi="4102345678",
                    channels=[general, feed_in],
                    network="Ausgrid",
                    interval_length=30,
                    time_zone="Australia/Sydney",
                    status="closed",
                    active_from=date(2021, 6, 15),
                    closed_on=date(2024, 3, 31),
                    tariff_information="demand_window",
                ),
                AmberSite(
                    id=DEMO_SITE_30MIN,
                    nmi="6305432109",
                    channels=[AmberChannel("E1", "general", "A100")],
                    network="Jemena",
                    interval_length=30,
                    time_zone="Australia/Melbourne",
                    active_from=date(2023, 11, 1),
                    tariff_information="demand_window",
                ),
                AmberSite(
                    id=DEMO_SITE_5MIN,
                    nmi="4102345678",
                    channels=[general, controlled, feed_in],
                    network="Ausgrid",
                    interval_length=5,
                    time_zone="Australia/Sydney",
                    active_from=date(2024, 4, 1),
                    tariff_information="periods",
                ),
            ],
        )
        self.add_account(
            "multi",
            [MULTI_TOKEN],
            [
                AmberSite(
                    id=site_id,
                    nmi=f"410300000{number}",
                    channels=[
                        AmberChannel("E1", "general", "EA116"),
                        AmberChannel("B1", "feedIn", "EA116"),
                    ],
                    network="Ausgrid",
                    interval_length=5,
                    time_zone="Australia/Sydney",
                    active_from=date(2024, 11, 4),
                    tariff_information="periods",
                )
                for number, site_id in enumerate(MULTI_SITES, start=1)
            ],
        )
        self.add_account("empty", [EMPTY_TOKEN])

    # ----------------------------------------------------------------------------------------
    # Model (public so that tests can compute what an entity should show)

    def price(
        self,
        site_id: str,
        channel_type: str,
        start: datetime,
        duration: int | None = None,
        *,
        estimated: bool = False,
    ) -> AmberPrice:
        """Price of one channel type for the interval starting at `start` (a boundary)."""
        site = self.site(site_id)
        return self._price(
            site, channel_type, start, duration or site.interval_length, estimated
        )

    def usage_kwh(
        self, site_id: str, channel_identifier: str, start: datetime, *, billable: bool
    ) -> float:
        """Usage item `kwh` of one channel for the billing interval starting at `start`."""
        site = self.site(site_id)
        channel = next(c for c in site.channels if c.identifier == channel_identifier)
        return self._kwh(site, channel, start, billable=billable)

    def _price(
        self,
        site: AmberSite,
        channel_type: str,
        start: datetime,
        duration: int,
        estimated: bool,
    ) -> AmberPrice:
        # A pure function of these, asked for hundreds of times per request: cached.
        key = (
            site.id,
            site.time_zone,
            site.tariff_information,
            channel_type,
            _epoch(start),
            duration,
            estimated,
        )
        if (found := self._price_cache.get(key)) is None:
            found = self._price_cache[key] = self._model_price(
                site, channel_type, start, duration, estimated
            )
        return found

    def _model_price(
        self,
        site: AmberSite,
        channel_type: str,
        start: datetime,
        duration: int,
        estimated: bool,
    ) -> AmberPrice:
        first = _epoch(start)
        steps = max(1, duration // 5)
        prices: list[float] = []
        spots: list[float] = []
        renewables: list[float] = []
        spike = 0
        for step in range(steps):
            epoch = first + step * 300
            spot, renewable, level = _market(site.id, site.time_zone, epoch)
            if estimated:
                spot += _estimate_offset(site.id, epoch)
            hour, _, weekday, _ = _local(site.time_zone, epoch)
            prices.append(_channel_price(channel_type, spot, _period(hour, weekday)))
            spots.append(spot)
            renewables.append(renewable)
            spike = max(spike, level)
        per_kwh = sum(prices) / steps
        paid = -per_kwh if channel_type == "feedIn" else per_kwh
        return AmberPrice(
            per_kwh=_round(per_kwh, 5),
            spot_per_kwh=_round(sum(spots) / steps, 5),
            renewables=_round(sum(renewables) / steps, 3),
            spike_status=("none", "potential", "spike")[spike],
            descriptor=_descriptor(paid, spike),
            tariff_information=_tariff_information(site, first),
        )

    def _kwh(
        self, site: AmberSite, channel: AmberChannel, start: datetime, *, billable: bool
    ) -> float:
        first = _epoch(start)
        steps = max(1, site.interval_length // 5)
        energy = (
            sum(_power_kw(site, channel, first + step * 300) for step in range(steps))
            / 12
        )
        if billable and energy > 0:
            energy = energy * 1.02 + 0.0001  # the settled reading: +2 %, never equal
        if channel.type == "feedIn":
            energy = -energy
        return _round(energy, 4)

    def _interval(
        self,
        site: AmberSite,
        channel_type: str,
        start: datetime,
        duration: int,
        *,
        current: datetime,
        now: datetime,
    ) -> dict[str, Any]:
        """Build one price interval; its type depends on `start` against the `current` interval."""
        if start < current:
            kind = "ActualInterval"
            estimated = False
        elif start == current:
            kind = "CurrentInterval"
            estimated = (now - start).total_seconds() < self.confirmation_delay
        else:
            kind = "ForecastInterval"
            estimated = True
        price = self._price(site, channel_type, start, duration, estimated)
        item = self._base_item(kind, start, duration, price)
        item["channelType"] = channel_type
        item["spikeStatus"] = price.spike_status
        if price.tariff_information is not None:
            item["tariffInformation"] = price.tariff_information
        item["descriptor"] = price.descriptor
        if kind == "CurrentInterval":
            item["estimate"] = estimated
        if kind != "ActualInterval":
            within = start - current <= ADVANCED_HORIZON
            lead = (start - current).total_seconds() / 3600
            item["range"] = self._range(site, start, price, lead) if within else None
            item["advancedPrice"] = (
                self._advanced(site, start, price, lead) if within else None
            )
        return item

    @staticmethod
    def _base_item(
        kind: str, start: datetime, duration: int, price: AmberPrice
    ) -> dict[str, Any]:
        end = start + timedelta(minutes=duration)
        return {
            "type": kind,
            "date": _nem_date(start).isoformat(),
            "duration": duration,
            "startTime": _zulu(start + timedelta(seconds=1)),
            "endTime": _zulu(end),
            "nemTime": end.astimezone(NEM_TZ).isoformat(),
            "perKwh": price.per_kwh,
            "renewables": price.renewables,
            "spotPerKwh": price.spot_per_kwh,
        }

    @staticmethod
    def _range(
        site: AmberSite, start: datetime, price: AmberPrice, lead: float
    ) -> dict[str, float]:
        spread = _unit(site.id, "range", _epoch(start))
        return {
            "min": _round(price.spot_per_kwh - 1 - 3 * spread - 0.2 * lead, 5),
            "max": _round(price.spot_per_kwh + 2 + 10 * spread + 0.5 * lead, 5),
        }

    @staticmethod
    def _advanced(
        site: AmberSite, start: datetime, price: AmberPrice, lead: float
    ) -> dict[str, float]:
        skew = _unit(site.id, "advanced", _epoch(start))
        predicted = price.per_kwh * (0.95 + 0.08 * skew)
        spread = 0.5 + 2 * skew + 0.1 * lead
        return {
            "low": _round(predicted - spread, 5),
            "predicted": _round(predicted, 5),
            "high": _round(predicted + spread * 1.5, 5),
        }

    def _usage_item(
        self, site: AmberSite, channel: AmberChannel, start: datetime, *, billable: bool
    ) -> dict[str, Any]:
        duration = site.interval_length
        price = self._price(site, channel.type, start, duration, estimated=False)
        kwh = self._kwh(site, channel, start, billable=billable)
        cost = (abs(kwh) if channel.type == "feedIn" else kwh) * price.per_kwh
        end = start + timedelta(minutes=duration)
        item: dict[str, Any] = {
            "type": "Usage",
            "duration": duration,
            "date": _nem_date(start).isoformat(),
            "endTime": _zulu(end),
            "quality": "billable" if billable else "estimated",
            "kwh": kwh,
            "nemTime": end.astimezone(NEM_TZ).isoformat(),
            "perKwh": price.per_kwh,
            "channelType": channel.type,
            "channelIdentifier": channel.identifier,
            "cost": _round(cost, 4),
            "renewables": price.renewables,
            "spotPerKwh": price.spot_per_kwh,
            "startTime": _zulu(start + timedelta(seconds=1)),
            "spikeStatus": price.spike_status,
        }
        if price.tariff_information is not None:
            item["tariffInformation"] = price.tariff_information
        item["descriptor"] = price.descriptor
        return item

    # ----------------------------------------------------------------------------------------
    # HTTP

    def routes(self) -> list[web.RouteDef]:
        """Return the `/amber/v1` routes."""
        p = self.prefix
        return [
            web.get(f"{p}/sites", self._sites),
            web.get(f"{p}/sites/{{site_id}}/prices/current", self._prices_current),
            web.get(f"{p}/sites/{{site_id}}/prices", self._prices),
            web.get(f"{p}/sites/{{site_id}}/usage", self._usage),
            web.get(f"{p}/state/{{state}}/renewables/current", self._renewables),
        ]

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer `{"message": …}` like API Gateway."""
        return json_response({"message": message}, status=status)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault exactly as Amber does."""
        if fault == "http_401":
            return self._unauthorized()
        if fault == "http_403":
            return web.Response(
                status=403,
                body=b'{"message":"Forbidden"}',
                content_type="application/json",
                headers={"x-amzn-ErrorType": "AccessDeniedException"},
            )
        if fault == "http_429":
            return self._too_many_requests()
        if fault in {"http_500", "http_502"}:
            return web.Response(
                status=500 if fault == "http_500" else 502,
                body=_INTERNAL,
                content_type="application/json",
            )
        if fault == "not_found":
            return self._site_not_found()
        raise ValueError(fault)

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.Response(
            status=401,
            body=_UNAUTHORIZED,
            content_type="application/json",
            headers={"x-amzn-ErrorType": "UnauthorizedException"},
        )

    @staticmethod
    def _too_many_requests() -> web.Response:
        return web.Response(
            status=429,
            body=_TOO_MANY,
            content_type="application/json",
            headers={"x-amzn-ErrorType": "TooManyRequestsException"},
        )

    def _site_not_found(self) -> web.Response:
        return self.error_response(404, "Site not found")

    def _reject(self, status: int, message: str) -> Reply:
        return Reply(self.error_response(status, message))

    def _authenticate(
        self, request: web.Request
    ) -> tuple[AmberAccount, dict[str, str]]:
        """Check the Bearer token and charge the account's rate limit; return its headers."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        account = self.account_for_token(token) if scheme.lower() == "bearer" else None
        if account is None or token in self.revoked_tokens:
            raise Reply(self._unauthorized())
        context = request[CONTEXT]
        context.account = account.key
        now = context.time
        times = account.request_times
        while times and (now - times[0]).total_seconds() >= self.rate_window:
            times.popleft()
        if len(times) >= self.rate_limit:
            raise Reply(self._too_many_requests())
        times.append(now)
        reset = self.rate_window - (now - times[0]).total_seconds()
        return account, {
            "RateLimit-Limit": str(self.rate_limit),
            "RateLimit-Remaining": str(self.rate_limit - len(times)),
            "RateLimit-Reset": str(max(1, math.ceil(reset))),
            "RateLimit-Policy": f"{self.rate_limit};w={int(self.rate_window)}",
        }

    def _find_site(
        self, account: AmberAccount, request: web.Request, *, prices: bool
    ) -> AmberSite:
        site_id = request.match_info["site_id"]
        for site in account.sites:
            if site.id == site_id and not (prices and site.status == "closed"):
                return site
        raise Reply(self._site_not_found())

    def _int(self, request: web.Request, name: str, default: int) -> int:
        raw = request.query.get(name, "")
        if raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()):
            raise self._reject(400, f"{name} must be a non-negative integer")
        return int(raw)

    def _resolution(self, request: web.Request, default: int) -> int:
        resolution = self._int(request, "resolution", default)
        if resolution not in {5, 30}:
            raise self._reject(400, "resolution must be 5 or 30")
        return resolution

    def _date(self, request: web.Request, name: str, default: date | None) -> date:
        raw = request.query.get(name, "")
        if raw == "" and default is not None:
            return default
        if raw == "":
            raise self._reject(400, f"{name} is required")
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            value = None
        if value is None or not _DATE.fullmatch(raw):
            raise self._reject(400, f"{name} must be a date (YYYY-MM-DD)")
        return value

    def _date_range(
        self, request: web.Request, default: date | None
    ) -> tuple[date, date]:
        start = self._date(request, "startDate", default)
        end = self._date(request, "endDate", default)
        if end < start:
            raise self._reject(400, "endDate must not be before startDate")
        if (end - start).days >= MAX_DATES:
            raise self._reject(422, f"the date range must not exceed {MAX_DATES} days")
        return start, end

    @staticmethod
    def _context(request: web.Request) -> RequestContext:
        return request[CONTEXT]

    async def _sites(self, request: web.Request) -> web.Response:
        account, headers = self._authenticate(request)
        payload = [site.to_json() for site in account.sites]
        fault = self._context(request).fault
        if fault == "unknown_enum":
            for item in payload:
                item["channels"].append(
                    {"identifier": "X1", "type": "battery", "tariff": "EA116"}
                )
        elif fault == "missing_field":
            for item in payload:
                del item["channels"]
        return json_response(payload, headers=headers)

    async def _prices_current(self, request: web.Request) -> web.Response:
        account, headers = self._authenticate(request)
        site = self._find_site(account, request, prices=True)
        following = self._int(request, "next", 0)
        previous = self._int(request, "previous", 0)
        resolution = self._resolution(request, site.interval_length)
        if following + previous > MAX_INTERVALS:
            raise self._reject(422, f"next + previous must not exceed {MAX_INTERVALS}")
        now = self._context(request).time
        current = _floor(now, resolution)
        step = timedelta(minutes=resolution)
        starts = (current + step * offset for offset in range(-previous, following + 1))
        payload = list(self._intervals(site, starts, resolution, current, now))
        return json_response(self._damage(payload, request), headers=headers)

    async def _prices(self, request: web.Request) -> web.Response:
        account, headers = self._authenticate(request)
        site = self._find_site(account, request, prices=True)
        now = self._context(request).time
        first, last = self._date_range(request, _nem_date(now))
        resolution = self._resolution(request, site.interval_length)
        current = _floor(now, resolution)
        begin = _nem_midnight(first)
        count = ((last - first).days + 1) * 24 * 60 // resolution
        step = timedelta(minutes=resolution)
        starts = (begin + step * index for index in range(count))
        payload = list(self._intervals(site, starts, resolution, current, now))
        return json_response(self._damage(payload, request), headers=headers)

    def _intervals(
        self,
        site: AmberSite,
        starts: Iterable[datetime],
        resolution: int,
        current: datetime,
        now: datetime,
    ) -> Iterator[dict[str, Any]]:
        channel_types = site.channel_types()
        for start in starts:
            for channel_type in channel_types:
                yield self._interval(
                    site, channel_type, start, resolution, current=current, now=now
                )

    async def _usage(self, request: web.Request) -> web.Response:
        account, headers = self._authenticate(request)
        site = self._find_site(account, request, prices=False)
        first, last = self._date_range(request, None)
        now = self._context(request).time
        today = _nem_date(now)
        not_after = _nem_midnight(today)
        not_before = _nem_midnight(today - timedelta(days=USAGE_HISTORY_DAYS))
        if site.closed_on is not None:
            not_after = min(
                not_after, _nem_midnight(site.closed_on + timedelta(days=1))
            )
        step = timedelta(minutes=site.interval_length)
        channels = site.ordered_channels()
        payload: list[dict[str, Any]] = []
        start = max(_nem_midnight(first), not_before)
        stop = min(_nem_midnight(last + timedelta(days=1)), not_after)
        while start + step <= stop:
            billable = (today - _nem_date(start)).days > ESTIMATED_USAGE_DATES
            payload.extend(
                self._usage_item(site, channel, start, billable=billable)
                for channel in channels
            )
            start += step
        return json_response(self._damage(payload, request), headers=headers)

    async def _renewables(self, request: web.Request) -> web.Response:
        state = request.match_info["state"]
        if state not in STATES:
            raise self._reject(404, "State not found")
        following = self._int(request, "next", 0)
        previous = self._int(request, "previous", 0)
        resolution = self._resolution(request, 30)
        now = self._context(request).time
        current = _floor(now, resolution)
        payload: list[dict[str, Any]] = []
        for offset in range(-previous, following + 1):
            start = current + timedelta(minutes=resolution * offset)
            steps = resolution // 5
            renewables = (
                sum(
                    _market(f"state:{state}", STATES[state], _epoch(start) + 300 * k)[1]
                    for k in range(steps)
                )
                / steps
            )
            kind = ("Actual", "Current", "Forecast")[(offset > 0) - (offset < 0) + 1]
            end = start + timedelta(minutes=resolution)
            payload.append(
                {
                    "type": f"{kind}Renewable",
                    "duration": resolution,
                    "date": _nem_date(start).isoformat(),
                    "nemTime": end.astimezone(NEM_TZ).isoformat(),
                    "startTime": _zulu(start + timedelta(seconds=1)),
                    "endTime": _zulu(end),
                    "renewables": _round(renewables, 3),
                    "descriptor": _renewable_descriptor(renewables),
                }
            )
        fault = self._context(request).fault
        for item in payload:
            if fault == "unknown_enum":
                item["descriptor"] = "superGreen"
            elif fault == "missing_field":
                del item["renewables"]
        return json_response(payload)

    def _damage(
        self, payload: list[dict[str, Any]], request: web.Request
    ) -> list[dict[str, Any]]:
        """Apply a data-level fault to intervals or usage items."""
        fault = self._context(request).fault
        if fault == "missing_field":
            for item in payload:
                del item["perKwh"]
        elif fault == "unknown_enum" and payload:
            for item in payload:
                item["descriptor"] = "superLow"
                item["spikeStatus"] = "mega"
            extra = dict(payload[0], channelType="battery")
            if "channelIdentifier" in extra:
                extra["channelIdentifier"] = "X1"
            payload.append(extra)
        return payload
