"""What an ESPI feed holds, as the parser hands it over: frozen dataclasses, values converted.

Resources are linked by href (`links.py`); values are in the units of `units.py` (kWh, thm, currency
units, aware UTC datetimes). Reading qualities are kept as sent (PG&E: 17 validated, 19
revenue-quality); a reading without `ReadingQuality` has `quality` None (its ReadingType's
`default_quality` applies).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Final

from .tariffs import RateSchedule, rate_schedule
from .units import currency_code, unit_of

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
ESPI_NS: Final = "http://naesb.org/espi"

FLOW_DELIVERED: Final = 1
"""`flowDirection` forward: energy delivered to the customer (import)."""
FLOW_NET: Final = 4
"""`flowDirection` net (PG&E's UsageSummary reading types)."""
FLOW_RECEIVED: Final = 19
"""`flowDirection` reverse: energy received from the customer (export, solar NEM)."""
SERVICE_ELECTRICITY: Final = 0
"""UsagePoint `ServiceCategory/kind` of an electric meter."""
SERVICE_GAS: Final = 1
"""UsagePoint `ServiceCategory/kind` of a gas meter."""
UOM_WH: Final = 72
UOM_THERM: Final = 169
NEM_MINIMUM_NOTE: Final = "nem minimum delivery charges"
"""Note of the line PG&E bills a net-metered month with (casefolded, spaces collapsed)."""


class LineItemKind(IntEnum):
    """`itemKind` of a bill's line (`costAdditionalDetailLastPeriod`), per PG&E's XSD."""

    ENERGY_GENERATION_FEE = 1
    ENERGY_DELIVERY_FEE = 2
    ENERGY_USAGE_FEE = 3
    ADMINISTRATIVE_FEE = 4
    TAX = 5
    ENERGY_GENERATION_CREDIT = 6
    ENERGY_DELIVERY_CREDIT = 7
    ADMINISTRATIVE_CREDIT = 8
    PAYMENT = 9
    INFORMATION = 10


@dataclass(frozen=True, slots=True)
class LocalTimeParameters:
    """The time zone PG&E says a usage point is in (`LocalTimeParameters`)."""

    href: str
    tz_offset: timedelta
    """Standard-time offset from UTC (PG&E: -8 h)."""
    dst_offset: timedelta | None
    """Extra offset while daylight saving time applies (1 h)."""
    dst_start_rule: str | None
    """IEEE 2030.5 DstRuleType as sent, in hex (`360E2000`: 2nd Sunday of March, 02:00)."""
    dst_end_rule: str | None
    """IEEE 2030.5 DstRuleType as sent, in hex (`B40E2000`: 1st Sunday of November, 02:00)."""


@dataclass(frozen=True, slots=True)
class ReadingType:
    """What the values of a MeterReading are (`ReadingType`); codes as ESPI defines them."""

    href: str
    uom: int | None
    """72 Wh, 169 therm, 38 W, 42 m³, 119 ft³…"""
    power_of_ten_multiplier: int
    interval_length: timedelta | None
    flow_direction: int | None
    """1 delivered (import), 19 received (export), 4 net."""
    commodity: int | None
    """1 electricity, 7 natural gas."""
    accumulation_behaviour: int | None
    """4 delta data (each reading is the quantity over its interval)."""
    kind: int | None
    """12 energy."""
    default_quality: int | None
    """Quality of the readings that carry none (PG&E: 17 validated, 19 revenue-quality)."""
    currency: int | None
    """ISO 4217 numeric code of the readings' `cost` (840 USD)."""
    data_qualifier: int | None
    measuring_period: int | None
    time_attribute: int | None

    @property
    def unit(self) -> str | None:
        """Unit of the values reported for this reading type (`kWh`, `thm`…), None if unknown."""
        return unit_of(self.uom)

    @property
    def received(self) -> bool:
        """Whether the readings are energy received from the customer (export)."""
        return self.flow_direction == FLOW_RECEIVED

    @property
    def currency_code(self) -> str | None:
        """ISO 4217 letters of `currency`, for the codes we know."""
        return currency_code(self.currency)


@dataclass(frozen=True, slots=True)
class UsagePoint:
    """A meter's service point (`UsagePoint`): one per electric or gas service agreement."""

    href: str
    service_kind: int | None
    """`ServiceCategory/kind`: 0 electricity, 1 gas."""
    local_time_parameters: str | None
    """href of its LocalTimeParameters, when linked."""

    @property
    def id(self) -> str:
        """The last segment of the href (PG&E: the usage point id)."""
        return self.href.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One series of a usage point (`MeterReading`): PG&E sends one per flow direction."""

    href: str
    usage_point: str | None
    """href of the UsagePoint it belongs to (None when the feed does not say)."""
    reading_type: str | None
    """href of its ReadingType."""


@dataclass(frozen=True, slots=True)
class IntervalReading:
    """One interval of an IntervalBlock, converted (`value` in the block's `unit`)."""

    start: datetime
    """UTC start of the interval."""
    duration: timedelta
    value: float
    """Quantity over the interval, in the unit of the block's reading type (kWh, thm…)."""
    cost: float | None
    """Cost of the interval in currency units, when sent."""
    quality: int | None
    """`ReadingQuality/quality` as sent (the last one if several), None when absent."""
    tou: int | None
    """Time-of-use code (PG&E: see ProgramIdMappings, e.g. 6 winter off-peak)."""


@dataclass(frozen=True, slots=True)
class IntervalBlock:
    """A block of interval readings (PG&E: one local day) with what it measures."""

    href: str | None
    """Its `self` link."""
    usage_point: str
    """href of the UsagePoint (group readings by it, then by flow direction)."""
    meter_reading: str
    """href of the MeterReading (PG&E re-encodes these ids: do not use them as keys)."""
    reading_type: ReadingType
    start: datetime
    """UTC start of the block's `interval`."""
    duration: timedelta
    """Length of the block: 1 day, or 23 h / 25 h on DST days, or a part of a DST day."""
    readings: tuple[IntervalReading, ...]

    @property
    def unit(self) -> str | None:
        """Unit of the readings' values."""
        return self.reading_type.unit

    @property
    def received(self) -> bool:
        """Whether the readings are energy received from the customer (export)."""
        return self.reading_type.received


@dataclass(frozen=True, slots=True)
class Quantity:
    """A summary measurement (`SummaryMeasurement`), converted like interval values."""

    value: float
    unit: str | None
    reading_type: str | None
    """`readingTypeRef`, when sent."""
    time: datetime | None
    """`timeStamp`, when sent."""


@dataclass(frozen=True, slots=True)
class CostDetail:
    """A line of a bill (`costAdditionalDetailLastPeriod`): PG&E sends the kWh of each tier.

    Older PG&E feeds send quantities only (no `amount`): never add lines up to get a bill, use
    `UsageSummary.bill_last_period`.
    """

    note: str | None
    amount: float | None
    """Currency units, when sent."""
    quantity: Quantity | None
    """`measurement`: a quantity in its own unit (kWh, kW…), never money."""
    item_kind: int | None
    """`itemKind` as sent (see `kind`)."""
    unit_cost: float | None
    """`unitCost`: currency units per unit of `quantity` (PG&E 2021: 0.32854 $/kWh)."""
    item_period_start: datetime | None
    """Start of `itemPeriod` (PG&E 2021: one day after the billing period's)."""
    item_period_duration: timedelta | None

    @property
    def kind(self) -> LineItemKind | None:
        """`item_kind` as a `LineItemKind`, None when absent or not one the XSD defines."""
        if self.item_kind is None:
            return None
        try:
            return LineItemKind(self.item_kind)
        except ValueError:
            return None

    @property
    def nem_minimum(self) -> bool:
        """Whether this is PG&E's "NEM Minimum Delivery Charges" line."""
        return (
            self.note is not None
            and " ".join(self.note.split()).casefold() == NEM_MINIMUM_NOTE
        )


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """A billing period (`UsageSummary`, `ElectricPowerUsageSummary` in older samples)."""

    href: str | None
    usage_point: str | None
    billing_period_start: datetime | None
    billing_period_duration: timedelta | None
    bill_last_period: float | None
    """Amount of the bill, in currency units."""
    bill_to_date: float | None
    cost_additional_last_period: float | None
    currency: int | None
    """ISO 4217 numeric code (840 USD)."""
    consumption_last_period: Quantity | None
    """`overallConsumptionLastPeriod`."""
    consumption_current_period: Quantity | None
    """`currentBillingPeriodOverAllConsumption`."""
    cost_details: tuple[CostDetail, ...]
    quality_of_reading: int | None
    status_time: datetime | None
    """`statusTimeStamp` (seconds or PG&E's milliseconds, see the module docstring)."""
    commodity: int | None
    tariff_profile: str | None
    """PG&E's rate schedule code as sent (`E1`, `HE6N`, `G1`…); see `rate_schedule`."""
    read_cycle: str | None
    """The meter read cycle, one letter (X, J, Q, G)."""
    peak_demand: Quantity | None
    """`peakDemand` (kW), in the XSD but never seen in a PG&E capture."""
    ratchet_demand: Quantity | None
    """`ratchetDemand` (kW), in the XSD but never seen in a PG&E capture."""

    @property
    def currency_code(self) -> str | None:
        """ISO 4217 letters of `currency`, for the codes we know."""
        return currency_code(self.currency)

    @property
    def rate_schedule(self) -> RateSchedule | None:
        """The rate schedule `tariff_profile` names, None when unknown (show the raw code)."""
        return rate_schedule(self.tariff_profile)

    @property
    def nem_minimum_bill(self) -> bool:
        """Whether the bill is only a net-metered month's minimum delivery charge.

        PG&E bills a NEM customer monthly for the minimum delivery charge alone (2021 QA capture):
        one "NEM Minimum Delivery Charges" line whose amount is the whole `bill_last_period`; the
        energy is settled at the yearly true-up, which the feed never shows.
        """
        bill = self.bill_last_period
        return bill is not None and any(
            detail.nem_minimum and detail.amount == bill for detail in self.cost_details
        )

    @property
    def net_metering(self) -> bool:
        """Whether this is a net-metered (NEM) summary rather than an ordinary bill.

        True for a minimum-charge bill (`nem_minimum_bill`) and for a summary whose rate schedule
        is a net-metering one: PG&E's 2015-2016 `HE6N` bills have only usage lines, no NEM line.
        The bill of such a summary is not what the period's energy cost (true-up comes later).
        """
        schedule = self.rate_schedule
        return self.nem_minimum_bill or (schedule is not None and schedule.net_metering)


@dataclass(frozen=True, slots=True)
class EspiFeed:
    """Everything of a feed but its interval readings (those went to the callback)."""

    usage_points: tuple[UsagePoint, ...]
    meter_readings: tuple[MeterReading, ...]
    reading_types: tuple[ReadingType, ...]
    local_time_parameters: tuple[LocalTimeParameters, ...]
    usage_summaries: tuple[UsageSummary, ...]
    block_count: int
    reading_count: int


@dataclass(frozen=True, slots=True)
class EspiDocument:
    """A whole feed parsed at once (`parse_espi`), for small documents and tests."""

    feed: EspiFeed
    blocks: tuple[IntervalBlock, ...]
