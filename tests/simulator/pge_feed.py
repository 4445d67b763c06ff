"""Deterministic PG&E Share My Data (ESPI 1.1) Bulk feeds, in PG&E's exact serialisation.

`iter_feed(point, first_day, last_day, …)` yields the bytes of the Atom feed PG&E serves for one
usage point and a range of local (America/Los_Angeles) days; `build_feed` joins them. It writes a
year of 15-minute net-metering data (70,080 readings, ~19 MB) in about 0.2 s (the last 1,500 days
are memoized, so a second build is faster still), so benchmarks can use it directly.
`day_readings`, `usage_summary` and `billing_periods` expose the model the feed is made of.

Serialisation, copied from the captured feed `espi_pge_electric_15min_netmetering_2019-12-07_mcolyer.xml`
(PG&E's raw single-line form) [real]:

- `<ns1:feed xmlns:ns0="http://naesb.org/espi" xmlns:ns1="http://www.w3.org/2005/Atom">`, the
  feed's `id`/`title`/`updated`/`link rel=self` each redeclaring `xmlns:ns1`, self link
  `…/Batch/Bulk/{BulkID}`; every entry redeclares `xmlns:ns1`, its children carry
  `xmlns:xsi` + `xsi:type="ns1:idType|linkType|textType|dateTimeType|contentType"`, the ESPI
  element redeclares `xmlns:ns0`. No XML declaration; the document ends with a newline.
- Entries, in order, a newline and a tab before the first entry of each group (PG&E's chunks):
  LocalTimeParameters (`…/LocalTimeParameters/1`, "DST FOR PACIFIC TIMEZONE", B40E2000 / 3600 /
  360E2000 / -28800, published 28 s before the others); then per flow direction: ReadingType
  (`…/ReadingType/{b64("uom:null:intervalLength:flow")}`), the UsagePoint (first flow only;
  related `…/MeterReading`, `…/UsageSummary`, `…/LocalTimeParameters/1`), MeterReading
  (`…/MeterReading/{b64(b64(ReadingType id) + ":n")}`, n = 1, 2 in flow order; related
  `…/IntervalBlock`, its ReadingType, LocalTimeParameters) and one IntervalBlock entry per local day
  (`…/IntervalBlock/{start}`, title `IntervalBlock_{start}`); then [decided: the Bulk captures
  hold no UsageSummary] one UsageSummary entry per billing period and the summary ReadingType;
  finally ProgramIdMappings (`…/ProgramIdMapping/1`, the ten TOU codes of the capture).
- Timestamps `published`/`updated`: UTC with milliseconds, trailing zeros dropped (`…19.4Z`).
  Entry and feed ids are UUIDs derived from the feed id (deterministic) [decided].
- Readings: `ReadingQuality/quality` 17, `timePeriod{duration,start}`, `value`, and for electricity
  `tou` [real]. Electricity in mWh (powerOfTenMultiplier -3, uom 72), commodity 1,
  measuringPeriod 2 (900 s) or 7 (3600 s), timeAttribute 0; gas in 1e-8 therm (-8, uom 169),
  commodity 7, intervalLength 86400, measuringPeriod 4, timeAttribute 11 [real].
- One IntervalBlock per local day: 86400 s, 90000 s with 25 hours on the fall-back day, 82800 s
  with 23 on spring-forward (PG&E 2019) [real]; `dst_blocks="split"` writes DST days as two blocks
  (first two local hours, then the rest) as PG&E's 2015/2016 feeds did [real]. Gas: one reading
  a day, block and reading starting 1 s after local midnight (the capture's quirk) [real] and
  lasting the local day (90000/82800 on DST days) [decided].
- UsageSummary [shape real, values decided], in the ESPI XSD's element order: billingPeriod,
  billLastPeriod (1e-5 USD, whole cents), `costAdditionalDetailLastPeriod` lines, currency 840,
  overallConsumptionLastPeriod (net delivered − received; readingTypeRef to a flowDirection-4
  ReadingType `b64("uom:null:null:4")`), qualityOfReading 19 (2021 QA capture), statusTimeStamp
  in MILLISECONDS (the feed time), commodity, tariffProfile, readCycle. Entry id
  `UsageSummary/{n:,}` (commas) and title `UsageSummary_{n}` with n = period end + 86400 s, as in
  the captures. Lines (amount, note, measurement, itemKind, unitCost, itemPeriod), whose amounts
  add up to billLastPeriod exactly:
  - electricity, the billed shape of `espi_pge_usagesummary_feed_cost_lineitems_2015-2018_verdigris.xml`:
    "<TOU period> Energy Charge" per TOU code used (itemKind 3, delivered mWh, unitCost the
    price), "Customer Charge" (4, amount only), "Energy Commission Tax" (5, all delivered mWh);
  - gas: "Gas Procurement Charge" (1, 1e-8 therm) and "Customer Charge" (4);
  - a net-metered point, the 2021 QA capture (`…qa_batch_subscription…_nem_usagesummary…`): one
    "NEM Minimum Delivery Charges" line, itemKind 3, one kWh a day of the period at unitCost
    32854 (30 days: 30 kWh, $9.86), amount = billLastPeriod, itemPeriod starting a day after the
    billing period and a day shorter. The true-up never appears [real].
  `PgeUsagePoint.bill_to_date` adds, for the period still open on the feed's last day, a summary
  with `billToDate` (the days so far, priced as a bill) and `currentBillingPeriodOverAllConsumption`
  (their net total) in place of billLastPeriod, lines and overallConsumptionLastPeriod [decided:
  XSD elements PG&E was never seen sending]; its billingPeriod is the whole period.

Model [decided]: values are a deterministic function of (usage point id, local day): one
`random.Random` seeded with both drives a day of readings, so a day's values never depend on the
requested range, the request time or the process. Electricity: a house load (base, morning and
evening peaks, summer afternoon air conditioning, winter evening heating) with per-interval
jitter; with net metering, solar (`solar_kw` peak, daylight by season, a cloudiness per day);
delivered = max(load − solar, 0), received = max(solar − load, 0) per interval. Values: 15-min in
whole Wh (×1000), hourly to 0.1 Wh (×100) as in the captures. TOU (E-TOU-C): 16–21 h local is
peak, June–September summer: codes 1 SPK / 2 SOP, else 4 WPK / 6 WOP. Gas: base + heating that
follows the season, one value a day. Billing periods run from local midnight of `cycle_day` to the
same day next month. Prices: electricity SPK 0.55, SOP 0.45, WPK 0.48, WOP 0.44 $/kWh delivered,
0.40 $/day, tax 0.0003 $/kWh; net metering: the minimum delivery charge only; gas 2.40 $/therm +
0.16 $/day. Each line is rounded to the cent on its own.
"""

import base64
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
import hashlib
import math
import random
from typing import Any, Final, Literal, NamedTuple
import uuid
from zoneinfo import ZoneInfo

from .solar_model import bump

RESOURCE_BASE: Final = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource"
PACIFIC: Final = ZoneInfo("America/Los_Angeles")
FLOW_DELIVERED: Final = 1
FLOW_RECEIVED: Final = 19
FLOW_NET: Final = 4
QUALITY: Final = 17

ELECTRIC_PRICES: Final = {1: 0.55, 2: 0.45, 4: 0.48, 6: 0.44}
ELECTRIC_DAILY_CHARGE: Final = 0.40
GAS_PRICE: Final = 2.40
GAS_DAILY_CHARGE: Final = 0.16
ENERGY_COMMISSION_TAX: Final = 0.0003
"""California's electrical energy surcharge, $/kWh."""
NEM_MINIMUM_DELIVERY: Final = 32854
"""The 2021 QA capture's NEM minimum delivery charge: 1e-5 USD per kWh, one kWh a day."""
SUMMARY_QUALITY: Final = 19
"""`qualityOfReading` of a UsageSummary (2021 QA capture)."""
ELECTRIC_METER_TYPE: Final = "EMTR 12S/XP/CL200/3W/5Dials"
GAS_METER_TYPE: Final = "GMTR ROTARY"

PROGRAM_ID_MAPPINGS: Final = (
    (1, "SPK", "Summer Peak"),
    (2, "SOP", "Summer Off Peak"),
    (3, "SPP", "Summer Partial Peak"),
    (4, "WPK", "Winter Peak"),
    (5, "WPP", "Winter Partial Peak"),
    (6, "WOP", "Winter Off Peak"),
    (7, "MPK", "Spring Peak"),
    (8, "MOP", "Spring Off Peak"),
    (9, "MXO", "Spring Super Off Peak"),
    (10, "WSO", "Winter Super Off Peak"),
)
_TOU_NOTES: Final = {code: note for code, _, note in PROGRAM_ID_MAPPINGS}

type Service = Literal["electric", "gas"]
type DstBlocks = Literal["single", "split"]


@dataclass(frozen=True, slots=True)
class PgeUsagePoint:
    """A PG&E usage point (meter) and the parameters of its modelled data."""

    usage_point_id: str
    subscription_id: str
    service: Service
    interval_length: int = 3600
    """Electricity: 900 or 3600 s. Gas is always daily (86400)."""
    net_metering: bool = False
    """Electricity only: a second MeterReading with flowDirection 19 (received, solar export)."""
    solar_kw: float = 4.0
    tariff: str = "E-TOU-C"
    read_cycle: str = "J"
    cycle_day: int = 18
    """Day of the month a billing period starts (local midnight)."""
    last_day: date | None = None
    """The last day with data (a closed service), None while it is open."""
    bill_to_date: bool = False
    """Also write the open billing period's summary (`billToDate`, consumption so far)."""
    street: str = "77 Beale St"
    """Service address (customer feed `ServiceLocation`), one line."""
    town: str = "San Francisco"
    zip_code: str = "94105"
    meter_serial: str = ""
    """Empty: derived from the usage point id (`serial`)."""
    meter_type: str = ""
    """Empty: PG&E's description of the usual meter of the service (`meter_description`)."""

    @property
    def serial(self) -> str:
        """The meter serial number: `meter_serial`, else "1010" + the id's last six digits."""
        return self.meter_serial or f"1010{self.usage_point_id[-6:]:0>6}"

    @property
    def meter_description(self) -> str:
        """The meter `type` of the customer feed (the electric one is the 2019 capture's)."""
        if self.meter_type:
            return self.meter_type
        return GAS_METER_TYPE if self.service == "gas" else ELECTRIC_METER_TYPE

    @property
    def flows(self) -> tuple[int, ...]:
        """Flow directions of the MeterReadings, in feed order."""
        if self.service == "electric" and self.net_metering:
            return (FLOW_DELIVERED, FLOW_RECEIVED)
        return (FLOW_DELIVERED,)

    @property
    def step(self) -> int:
        """Interval length in seconds."""
        return 86400 if self.service == "gas" else self.interval_length

    @property
    def uom(self) -> int:
        """ESPI unit of measure: 72 (Wh) or 169 (therm)."""
        return 169 if self.service == "gas" else 72

    @property
    def power_of_ten(self) -> int:
        """ESPI powerOfTenMultiplier: -3 (mWh) or -8 (1e-8 therm)."""
        return -8 if self.service == "gas" else -3

    @property
    def commodity(self) -> int:
        """ESPI commodity: 1 electricity, 7 natural gas."""
        return 7 if self.service == "gas" else 1


class Reading(NamedTuple):
    """One IntervalReading: start (UTC epoch s), duration (s), value (ESPI integer), tou code."""

    start: int
    duration: int
    value: int
    tou: int | None


@dataclass(frozen=True, slots=True)
class LineItem:
    """One `costAdditionalDetailLastPeriod` (ESPI `LineItem`), money in 1e-5 USD."""

    note: str
    kind: int
    """`itemKind`: 1 generation, 3 usage, 4 administrative fee, 5 tax (PG&E's XSD)."""
    amount: int
    """1e-5 USD, whole cents."""
    measurement: int | None = None
    """In the usage point's ESPI unit (mWh or 1e-8 therm)."""
    unit_cost: int | None = None
    """1e-5 USD per kWh or therm."""
    period: tuple[int, int] | None = None
    """`itemPeriod` (start, duration), epoch s."""


@dataclass(frozen=True, slots=True)
class UsageSummaryValues:
    """One billing period's UsageSummary: a closed bill, or the open period so far."""

    start: int
    duration: int
    bill: int | None
    """`billLastPeriod`, 1e-5 USD (whole cents): the sum of `line_items`; None when open."""
    consumption: int
    """Net consumption in the usage point's ESPI unit (mWh or 1e-8 therm): of the period
    (`overallConsumptionLastPeriod`), or so far (`currentBillingPeriodOverAllConsumption`)."""
    line_items: tuple[LineItem, ...] = ()
    bill_to_date: int | None = None
    """`billToDate`, 1e-5 USD: the open period's cost so far; None for a closed bill."""

    @property
    def number(self) -> int:
        """The id PG&E gives the summary: period end + one day."""
        return self.start + self.duration + 86400


# --------------------------------------------------------------------------------------------
# Time


def local_midnight(day: date) -> int:
    """UTC epoch of local (Pacific) midnight starting `day`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=PACIFIC).timestamp())


def local_day(epoch: float) -> date:
    """The Pacific date an instant falls in."""
    return datetime.fromtimestamp(epoch, PACIFIC).date()


def days_between(first: date, last: date) -> Iterator[date]:
    """Every day from `first` to `last`, both included."""
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def _zulu_ms(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms // 1000, UTC)
    fraction = f"{epoch_ms % 1000:03d}".rstrip("0")
    return f"{moment:%Y-%m-%dT%H:%M:%S}" + (f".{fraction}" if fraction else "") + "Z"


# --------------------------------------------------------------------------------------------
# Model


def _tou(month: int, hour: int) -> int:
    peak = 16 <= hour < 21
    if 6 <= month <= 9:
        return 1 if peak else 2
    return 4 if peak else 6


def _local_hours(start: int, end: int, step: int) -> list[float]:
    """Local clock hour (fractional) at the middle of each interval of a local day."""
    if end - start == 86400:
        return [(offset + step / 2) / 3600 for offset in range(0, end - start, step)]
    hours = []
    for moment in range(start, end, step):
        local = datetime.fromtimestamp(moment + step / 2, PACIFIC)
        hours.append(local.hour + local.minute / 60 + local.second / 3600)
    return hours


@lru_cache(maxsize=1500)
def _day(point: PgeUsagePoint, ordinal: int) -> tuple[tuple[Reading, ...], ...]:
    """Readings of one local day, one tuple per flow direction (in `point.flows` order)."""
    day = date.fromordinal(ordinal)
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    rng = random.Random(f"{point.usage_point_id}|{point.service}|{day.isoformat()}")
    season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    if point.service == "gas":
        therms = (
            0.25 + 0.35 * rng.random() + max(0.0, season) * (1.2 + 1.6 * rng.random())
        )
        if rng.random() < 0.04:
            therms = 0.0  # away: the capture's 0 value
        return ((Reading(start + 1, end - start, round(therms * 1e8), None),),)
    step = point.interval_length
    warm = rng.random()
    clouds = rng.random()
    daylight = 12.2 - 2.4 * season  # ~9.8 h in December, ~14.6 h in June
    noon = 13.1 if _is_dst(start + 12 * 3600) else 12.1  # local solar noon, PDT or PST
    sunrise = noon - daylight / 2
    summer = 6 <= day.month <= 9
    winter = day.month in {11, 12, 1, 2}
    delivered: list[Reading] = []
    received: list[Reading] = []
    scale = 1000 if step == 900 else 100
    for index, hour in enumerate(_local_hours(start, end, step)):
        load = (
            380
            + 900 * bump(hour, 7.3, 1.1)
            + 2000 * bump(hour, 19.2, 1.9)
            + (3000 * warm * bump(hour, 16.5, 2.6) if summer else 0.0)
            + (900 * bump(hour, 21.0, 2.0) if winter else 0.0)
        ) * (0.75 + 0.5 * rng.random())
        solar = 0.0
        if point.net_metering and sunrise < hour < sunrise + daylight:
            elevation = math.sin(math.pi * (hour - sunrise) / daylight)
            solar = (
                point.solar_kw
                * 1000
                * elevation**1.3
                * (1 - 0.7 * clouds**2)
                * (0.9 + 0.2 * rng.random())
            )
        moment = start + index * step
        tou = _tou(day.month, int(hour - step / 7200))
        wh_in = max(load - solar, 0.0) * step / 3600
        delivered.append(
            Reading(moment, step, round(wh_in * 1000 / scale) * scale, tou)
        )
        if point.net_metering:
            wh_out = max(solar - load, 0.0) * step / 3600
            received.append(
                Reading(moment, step, round(wh_out * 1000 / scale) * scale, tou)
            )
    if point.net_metering:
        return (tuple(delivered), tuple(received))
    return (tuple(delivered),)


def _is_dst(epoch: int) -> bool:
    offset = datetime.fromtimestamp(epoch, PACIFIC).utcoffset()
    return offset is not None and offset.total_seconds() == -7 * 3600


def day_readings(
    point: PgeUsagePoint, day: date, flow: int = FLOW_DELIVERED
) -> tuple[Reading, ...]:
    """The readings of one local day for one flow direction (empty for a flow it lacks)."""
    if flow not in point.flows:
        return ()
    return _day(point, day.toordinal())[point.flows.index(flow)]


def readings(
    point: PgeUsagePoint, first_day: date, last_day: date, flow: int = FLOW_DELIVERED
) -> Iterator[Reading]:
    """Every reading of the local days `first_day`..`last_day` (included)."""
    for day in days_between(first_day, last_day):
        yield from day_readings(point, day, flow)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, day.day)


def billing_periods(
    point: PgeUsagePoint, first_day: date, last_day: date
) -> list[tuple[date, date]]:
    """Billing periods `[start, end)` (local dates) whose LAST day is within the range."""
    start, _ = _open_period(point, first_day)
    periods = []
    while (end := _next_month(start)) - timedelta(days=1) <= last_day:
        periods.append((start, end))
        start = end
    return periods


def _cents(dollars: float) -> int:
    """Dollars rounded to whole cents, in 1e-5 USD."""
    return round(dollars * 100) * 1000


def _line_items(
    point: PgeUsagePoint, start: date, last: date, period: tuple[int, int]
) -> tuple[LineItem, ...]:
    """The priced lines of the days `start`..`last` (a bill, or the open period so far)."""
    days = (last - start).days + 1
    if point.service == "electric" and point.net_metering:
        # The 2021 QA capture: one kWh a day at the minimum delivery charge, over an itemPeriod
        # that starts a day after the billing period and is a day shorter.
        return (
            LineItem(
                "NEM Minimum Delivery Charges",
                3,
                _cents(days * NEM_MINIMUM_DELIVERY / 1e5),
                days * 1_000_000,
                NEM_MINIMUM_DELIVERY,
                (period[0] + 86400, period[1] - 86400),
            ),
        )
    if point.service == "gas":
        therms = sum(r.value for r in readings(point, start, last))
        return (
            LineItem(
                "Gas Procurement Charge",
                1,
                _cents(therms / 1e8 * GAS_PRICE),
                therms,
                round(GAS_PRICE * 1e5),
                period,
            ),
            LineItem(
                "Customer Charge", 4, _cents(days * GAS_DAILY_CHARGE), period=period
            ),
        )
    by_tou: dict[int, int] = {}
    for reading in readings(point, start, last):
        by_tou[reading.tou or 0] = by_tou.get(reading.tou or 0, 0) + reading.value
    items = [
        LineItem(
            f"{_TOU_NOTES.get(code, 'Total')} Energy Charge",
            3,
            _cents(by_tou[code] / 1e6 * _price(code)),
            by_tou[code],
            round(_price(code) * 1e5),
            period,
        )
        for code in sorted(by_tou)
    ]
    delivered = sum(by_tou.values())
    items.append(
        LineItem(
            "Customer Charge", 4, _cents(days * ELECTRIC_DAILY_CHARGE), period=period
        )
    )
    items.append(
        LineItem(
            "Energy Commission Tax",
            5,
            _cents(delivered / 1e6 * ENERGY_COMMISSION_TAX),
            delivered,
            round(ENERGY_COMMISSION_TAX * 1e5),
            period,
        )
    )
    return tuple(items)


def _price(tou: int) -> float:
    return ELECTRIC_PRICES.get(tou, 0.45)


def _net_consumption(point: PgeUsagePoint, first: date, last: date) -> int:
    delivered = sum(r.value for r in readings(point, first, last))
    return delivered - sum(r.value for r in readings(point, first, last, FLOW_RECEIVED))


@lru_cache(maxsize=1024)
def usage_summary(point: PgeUsagePoint, start: date, end: date) -> UsageSummaryValues:
    """The UsageSummary of the closed billing period `[start, end)`."""
    last = end - timedelta(days=1)
    begin = local_midnight(start)
    period = (begin, local_midnight(end) - begin)
    items = _line_items(point, start, last, period)
    return UsageSummaryValues(
        begin,
        period[1],
        sum(item.amount for item in items),
        _net_consumption(point, start, last),
        items,
    )


def open_period_summary(
    point: PgeUsagePoint, last_day: date
) -> UsageSummaryValues | None:
    """The bill-to-date summary of the period open on `last_day` (`start ≤ last_day < end - 1`).

    None unless `point.bill_to_date`, and on a period's last day (then its bill is closed). Its `billingPeriod` is the whole period; `bill_to_date`
    prices the days `start`..`last_day` as a bill would, `consumption` is their net total.
    """
    if not point.bill_to_date:
        return None
    start, end = _open_period(point, last_day)
    if last_day == end - timedelta(days=1):
        return None  # the period's last day is in: it is a closed bill now
    begin = local_midnight(start)
    period = (begin, local_midnight(end) - begin)
    items = _line_items(point, start, last_day, period)
    return UsageSummaryValues(
        begin,
        period[1],
        None,
        _net_consumption(point, start, last_day),
        bill_to_date=sum(item.amount for item in items),
    )


def _open_period(point: PgeUsagePoint, day: date) -> tuple[date, date]:
    start = date(day.year, day.month, point.cycle_day)
    if day.day < point.cycle_day:
        start = (day.replace(day=1) - timedelta(days=1)).replace(day=point.cycle_day)
    return start, _next_month(start)


# --------------------------------------------------------------------------------------------
# Serialisation

_XSI: Final = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
_ATOM: Final = 'xmlns:ns1="http://www.w3.org/2005/Atom"'
_ESPI: Final = 'xmlns:ns0="http://naesb.org/espi"'
_XSD_TYPED: Final = (
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:{kind}"'
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _uuid(*parts: object) -> str:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16)
    return str(uuid.UUID(bytes=digest.digest(), version=4))


def _link(href: str, rel: str) -> str:
    return f'<ns1:link href="{href}" rel="{rel}" {_XSI} xsi:type="ns1:linkType"/>'


def entry(
    entry_id: str,
    links: Iterable[tuple[str, str]],
    title: str,
    stamp: str,
    content: str,
) -> str:
    """One Atom entry, serialised as PG&E does (`links` are (href, rel) pairs)."""
    return (
        f'<ns1:entry {_ATOM}><ns1:id {_XSI} xsi:type="ns1:idType">{entry_id}</ns1:id>'
        + "".join(_link(href, rel) for href, rel in links)
        + f'<ns1:title type="text" {_XSI} xsi:type="ns1:textType">{title}</ns1:title>'
        f'<ns1:published {_XSI} xsi:type="ns1:dateTimeType">{stamp}</ns1:published>'
        f'<ns1:updated {_XSI} xsi:type="ns1:dateTimeType">{stamp}</ns1:updated>'
        f'<ns1:content {_XSI} xsi:type="ns1:contentType">{content}</ns1:content>'
        "</ns1:entry>"
    )


def feed_header(
    feed_id: str, stamp: str, self_href: str, title: str = "Green Button Usage Feed"
) -> str:
    """The feed's opening tag, id, title, updated and self link."""
    return (
        f"<ns1:feed {_ESPI} {_ATOM}><ns1:id {_ATOM}>{feed_id}</ns1:id>"
        f'<ns1:title {_ATOM} type="text">{title}</ns1:title>'
        f"<ns1:updated {_ATOM}>{stamp}</ns1:updated>"
        f'<ns1:link {_ATOM} href="{self_href}" rel="self"/>'
    )


def _reading_type_id(point: PgeUsagePoint, flow: int) -> str:
    if flow == FLOW_NET:
        return _b64(f"{point.uom}:null:null:{FLOW_NET}")
    return _b64(f"{point.uom}:null:{point.step}:{flow}")


def _reading_type(point: PgeUsagePoint, flow: int) -> str:
    fields = [
        ("accumulationBehaviour", 4),
        ("commodity", point.commodity),
        ("dataQualifier", 12),
        ("defaultQuality", 19 if flow == FLOW_NET else QUALITY),
        ("flowDirection", flow),
    ]
    if flow != FLOW_NET:
        fields.append(("intervalLength", point.step))
    fields += [("kind", 12), ("powerOfTenMultiplier", point.power_of_ten)]
    if flow != FLOW_NET:
        fields.append(("timeAttribute", 11 if point.service == "gas" else 0))
    fields.append(("uom", point.uom))
    if flow != FLOW_NET:
        period = {900: 2, 3600: 7, 86400: 4}.get(point.step, 0)
        fields.append(("measuringPeriod", period))
    body = "".join(f"<ns0:{name}>{value}</ns0:{name}>" for name, value in fields)
    return f"<ns0:ReadingType {_ESPI}>{body}</ns0:ReadingType>"


def _reading_xml(reading: Reading, quality: str) -> str:
    tou = f"<ns0:tou>{reading.tou}</ns0:tou>" if reading.tou is not None else ""
    return (
        f"<ns0:IntervalReading>{quality}<ns0:timePeriod><ns0:duration>{reading.duration}"
        f"</ns0:duration><ns0:start>{reading.start}</ns0:start></ns0:timePeriod>"
        f"<ns0:value>{reading.value}</ns0:value>{tou}</ns0:IntervalReading>"
    )


def _block(start: int, duration: int, block: Sequence[Reading]) -> str:
    quality = (
        f"<ns0:ReadingQuality><ns0:quality>{QUALITY}</ns0:quality></ns0:ReadingQuality>"
    )
    body = "".join([_reading_xml(r, quality) for r in block])
    return (
        f"<ns0:IntervalBlock {_ESPI}><ns0:interval><ns0:duration>{duration}</ns0:duration>"
        f"<ns0:start>{start}</ns0:start></ns0:interval>{body}</ns0:IntervalBlock>"
    )


def _day_blocks(
    point: PgeUsagePoint, day: date, flow: int, dst_blocks: DstBlocks
) -> list[tuple[int, int, Sequence[Reading]]]:
    """(start, duration, readings) of the day's IntervalBlocks."""
    day_readings_ = day_readings(point, day, flow)
    if not day_readings_:
        return []
    start = day_readings_[0].start
    duration = sum(r.duration for r in day_readings_)
    if dst_blocks == "split" and point.service == "electric" and duration != 86400:
        cut = 7200 // point.step
        first, rest = day_readings_[:cut], day_readings_[cut:]
        return [
            (start, 7200, first),
            (start + 7200, duration - 7200, rest),
        ]
    return [(start, duration, day_readings_)]


def _measurement(p10: int, uom: int, value: int, ref: str | None = None) -> str:
    ref_xml = f"<ns0:readingTypeRef>{ref}</ns0:readingTypeRef>" if ref else ""
    return (
        f"<ns0:powerOfTenMultiplier>{p10}</ns0:powerOfTenMultiplier><ns0:uom>{uom}</ns0:uom>"
        f"<ns0:value>{value}</ns0:value>{ref_xml}"
    )


def _line_item(point: PgeUsagePoint, item: LineItem) -> str:
    """One line, in the XSD's (and the captures') element order.

    amount, note, measurement, itemKind, unitCost, itemPeriod.
    """
    parts = [f"<ns0:amount>{item.amount}</ns0:amount><ns0:note>{item.note}</ns0:note>"]
    if item.measurement is not None:
        value = _measurement(point.power_of_ten, point.uom, item.measurement)
        parts.append(f"<ns0:measurement>{value}</ns0:measurement>")
    parts.append(f"<ns0:itemKind>{item.kind}</ns0:itemKind>")
    if item.unit_cost is not None:
        parts.append(f"<ns0:unitCost>{item.unit_cost}</ns0:unitCost>")
    if item.period is not None:
        parts.append(
            f"<ns0:itemPeriod><ns0:duration>{item.period[1]}</ns0:duration>"
            f"<ns0:start>{item.period[0]}</ns0:start></ns0:itemPeriod>"
        )
    body = "".join(parts)
    return f"<ns0:costAdditionalDetailLastPeriod>{body}</ns0:costAdditionalDetailLastPeriod>"


def _summary(
    point: PgeUsagePoint, values: UsageSummaryValues, ref: str, stamp_ms: int
) -> str:
    """One UsageSummary, in the ESPI XSD's element order.

    billingPeriod, billLastPeriod, billToDate, costAdditionalDetailLastPeriod*, currency,
    overallConsumptionLastPeriod, currentBillingPeriodOverAllConsumption, qualityOfReading,
    statusTimeStamp, commodity, tariffProfile, readCycle. A bill-to-date summary has no bill,
    lines or last-period total.
    """
    measured = _measurement(point.power_of_ten, point.uom, values.consumption, ref)
    if values.bill_to_date is None:
        head = f"<ns0:billLastPeriod>{values.bill}</ns0:billLastPeriod>" + "".join(
            _line_item(point, item) for item in values.line_items
        )
        consumption = (
            f"<ns0:overallConsumptionLastPeriod>{measured}"
            "</ns0:overallConsumptionLastPeriod>"
        )
    else:
        head = f"<ns0:billToDate>{values.bill_to_date}</ns0:billToDate>"
        consumption = (
            f"<ns0:currentBillingPeriodOverAllConsumption>{measured}"
            "</ns0:currentBillingPeriodOverAllConsumption>"
        )
    return (
        f"<ns0:UsageSummary {_ESPI}><ns0:billingPeriod><ns0:duration>{values.duration}"
        f"</ns0:duration><ns0:start>{values.start}</ns0:start></ns0:billingPeriod>"
        f"{head}<ns0:currency>840</ns0:currency>{consumption}"
        f"<ns0:qualityOfReading>{SUMMARY_QUALITY}</ns0:qualityOfReading>"
        f"<ns0:statusTimeStamp>{stamp_ms}</ns0:statusTimeStamp>"
        f"<ns0:commodity>{point.commodity}</ns0:commodity>"
        f"<ns0:tariffProfile>{point.tariff}</ns0:tariffProfile>"
        f"<ns0:readCycle>{point.read_cycle}</ns0:readCycle></ns0:UsageSummary>"
    )


def _local_time_parameters() -> str:
    return (
        f"<ns0:LocalTimeParameters {_ESPI}><ns0:dstEndRule>B40E2000</ns0:dstEndRule>"
        "<ns0:dstOffset>3600</ns0:dstOffset><ns0:dstStartRule>360E2000</ns0:dstStartRule>"
        "<ns0:tzOffset>-28800</ns0:tzOffset></ns0:LocalTimeParameters>"
    )


def _program_id_mappings() -> str:
    rows = "".join(
        "<ns0:programIdMapping><ns0:tOUorCPPorConsumptionTier>tou"
        "</ns0:tOUorCPPorConsumptionTier>"
        f"<ns0:code {_XSD_TYPED.format(kind='int')}>{code}</ns0:code>"
        f"<ns0:name {_XSD_TYPED.format(kind='string')}>{name}</ns0:name>"
        f"<ns0:note {_XSD_TYPED.format(kind='string')}>{note}</ns0:note>"
        "</ns0:programIdMapping>"
        for code, name, note in PROGRAM_ID_MAPPINGS
    )
    return f"<ns0:ProgramIdMappings {_ESPI}>{rows}</ns0:ProgramIdMappings>"


def default_created(last_day: date) -> datetime:
    """The feed time used when none is given: 10:16:19.4 UTC the day after `last_day`."""
    following = last_day + timedelta(days=1)
    return datetime(
        following.year, following.month, following.day, 10, 16, 19, 400000, UTC
    )


def iter_feed(
    point: PgeUsagePoint,
    first_day: date,
    last_day: date,
    *,
    bulk_id: str = "50916",
    created: datetime | None = None,
    resource_base: str = RESOURCE_BASE,
    feed_id: str | None = None,
    dst_blocks: DstBlocks = "single",
    summaries: bool = True,
    reading_types: bool = True,
) -> Iterator[bytes]:
    """Yield the Bulk feed of `point` for the local days `first_day`..`last_day` (included).

    `created` is the feed time (published/updated, statusTimeStamp); default `default_created`.
    `resource_base` replaces `https://api.pge.com/GreenButtonConnect/espi/1_1/resource` in every
    href. `summaries` False leaves the UsageSummary entries out; `reading_types` False leaves
    every ReadingType entry out (the `missing_field` fault: MeterReadings link to nothing).
    Chunks are one entry (or one group of entries) each.
    """
    base = resource_base.rstrip("/")
    moment = created or default_created(last_day)
    feed_ms = stamp_ms = int(moment.timestamp() * 1000)
    feed_id = feed_id or _uuid(
        "feed", point.usage_point_id, first_day, last_day, stamp_ms
    )
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return _uuid(feed_id, counter)

    def stamp() -> str:
        nonlocal stamp_ms
        stamp_ms += 1
        return _zulu_ms(stamp_ms)

    header = feed_header(feed_id, _zulu_ms(stamp_ms), f"{base}/Batch/Bulk/{bulk_id}")
    ltp = f"{base}/LocalTimeParameters/1"
    yield (
        header
        + "\n\t"
        + entry(
            next_id(),
            [(f"{base}/LocalTimeParameters", "up"), (ltp, "self")],
            "DST FOR PACIFIC TIMEZONE",
            _zulu_ms(stamp_ms - 28_335),
            _local_time_parameters(),
        )
    ).encode()
    usage_point = (
        f"{base}/Subscription/{point.subscription_id}/UsagePoint/{point.usage_point_id}"
    )
    for index, flow in enumerate(point.flows):
        reading_type_id = _reading_type_id(point, flow)
        reading_type = f"{base}/ReadingType/{reading_type_id}"
        meter_reading = (
            f"{usage_point}/MeterReading/{_b64(f'{reading_type_id}:{index + 1}')}"
        )
        parts = ["\n\t" if index else ""]
        if reading_types:
            parts.append(
                entry(
                    next_id(),
                    [(f"{base}/ReadingType", "up"), (reading_type, "self")],
                    "Type of Meter Reading Data",
                    stamp(),
                    _reading_type(point, flow),
                )
            )
        if index == 0:
            parts.append(
                entry(
                    next_id(),
                    [
                        (
                            f"{base}/Subscription/{point.subscription_id}/UsagePoint",
                            "up",
                        ),
                        (usage_point, "self"),
                        (f"{usage_point}/MeterReading", "related"),
                        (f"{usage_point}/UsageSummary", "related"),
                        (ltp, "related"),
                    ],
                    "Green Button Data File",
                    stamp(),
                    f"<ns0:UsagePoint {_ESPI}><ns0:ServiceCategory><ns0:kind>"
                    f"{1 if point.service == 'gas' else 0}</ns0:kind></ns0:ServiceCategory>"
                    "</ns0:UsagePoint>",
                )
            )
        parts.append(
            entry(
                next_id(),
                [
                    (f"{usage_point}/MeterReading", "up"),
                    (meter_reading, "self"),
                    (f"{meter_reading}/IntervalBlock", "related"),
                    (reading_type, "related"),
                    (ltp, "related"),
                ],
                "Green Button Data File",
                stamp(),
                f"<ns0:MeterReading {_ESPI}/>",
            )
        )
        yield "".join(parts).encode()
        blocks = f"{meter_reading}/IntervalBlock"
        for day in days_between(first_day, last_day):
            yield "".join(
                [
                    entry(
                        next_id(),
                        [(blocks, "up"), (f"{blocks}/{start}", "self")],
                        f"IntervalBlock_{start}",
                        stamp(),
                        _block(start, duration, block),
                    )
                    for start, duration, block in _day_blocks(
                        point, day, flow, dst_blocks
                    )
                ]
            ).encode()
    summary_values = []
    if summaries:
        summary_values = [
            usage_summary(point, start, end)
            for start, end in billing_periods(point, first_day, last_day)
        ]
        if (open_period := open_period_summary(point, last_day)) is not None:
            summary_values.append(open_period)
    if summary_values:
        net_type_id = _reading_type_id(point, FLOW_NET)
        ref = f"{base}/ReadingType/{net_type_id}"
        parts = ["\n\t"]
        for values in summary_values:
            parts.append(
                entry(
                    next_id(),
                    [
                        (f"{usage_point}/UsageSummary", "up"),
                        (f"{usage_point}/UsageSummary/{values.number:,}", "self"),
                    ],
                    f"UsageSummary_{values.number}",
                    stamp(),
                    _summary(point, values, ref, feed_ms),
                )
            )
        if reading_types:
            parts.append(
                entry(
                    next_id(),
                    [(f"{base}/ReadingType", "up"), (ref, "self")],
                    "Type of Meter Reading Data",
                    stamp(),
                    _reading_type(point, FLOW_NET),
                )
            )
        yield "".join(parts).encode()
    yield (
        "\n\t"
        + entry(
            next_id(),
            [
                (f"{base}/ProgramIdMapping", "up"),
                (f"{base}/ProgramIdMapping/1", "self"),
            ],
            "Time Of Use &amp; Consumption Tier Code Info",
            stamp(),
            _program_id_mappings(),
        )
        + "</ns1:feed>\n"
    ).encode()


def build_feed(
    point: PgeUsagePoint, first_day: date, last_day: date, **options: Any
) -> bytes:
    """The whole feed as bytes (see `iter_feed` for the options)."""
    return b"".join(iter_feed(point, first_day, last_day, **options))
