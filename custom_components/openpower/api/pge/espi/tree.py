"""The small ESPI resources, read into a bounded element tree and converted to models.

Everything of a feed but its IntervalBlocks is small: a ReadingType, a UsagePoint, a MeterReading,
LocalTimeParameters, a UsageSummary (~60 elements). Each is read into a tree of `Node`s (ESPI
elements only: elements of other namespaces are skipped with their content), capped in elements
and text, then converted here.
"""

from typing import Final

from ...errors import ApiResponseError
from .models import CostDetail, LocalTimeParameters, Quantity, ReadingType, UsageSummary
from .reader import ESPI
from .units import (
    duration,
    duration_or_none,
    exponent_of,
    money,
    power_of_ten,
    status_time,
    unit_of,
    utc_or_none,
)

RESOURCE_KINDS: Final = frozenset(
    {
        "LocalTimeParameters",
        "MeterReading",
        "ReadingType",
        "UsagePoint",
        "UsageSummary",
        "ElectricPowerUsageSummary",
    }
)
"""ESPI resources read into a small tree (the others, e.g. ProgramIdMappings, are skipped)."""
SUMMARY_KINDS: Final = ("UsageSummary", "ElectricPowerUsageSummary")
_MAX_ENTRY_NODES: Final = 10_000
"""Elements kept for one non-interval resource (a UsageSummary has ~60)."""
_MAX_ENTRY_TEXT: Final = 1 << 20
"""Characters kept for one non-interval resource."""


class Node:
    """One element of a small resource (never of an IntervalBlock)."""

    __slots__ = ("children", "name", "text")

    def __init__(self, name: str) -> None:
        """Start an element (its local name) without text or children."""
        self.name = name
        self.text = ""
        self.children: list[Node] = []

    def child(self, *path: str) -> Node | None:
        """Return the first element at `path` (local names), None when there is none."""
        node: Node | None = self
        for name in path:
            node = (
                next((c for c in node.children if c.name == name), None)
                if node
                else None
            )
        return node

    def string(self, *path: str) -> str | None:
        """Return the stripped text of the element at `path`."""
        node = self.child(*path)
        return node.text.strip() if node is not None else None

    def integer(self, *path: str) -> int | None:
        """Return the integer of the element at `path`; None when absent or blank."""
        text = self.string(*path)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ApiResponseError(f"ESPI feed: {path[-1]} is not an integer") from None


class ResourceReader:
    """Builds the tree of one small resource from the parser's events, within the caps."""

    __slots__ = ("_count", "_skip_depth", "_stack", "_text_size", "root")

    def __init__(self, kind: str) -> None:
        """Start the resource `kind` (its root element just opened)."""
        self.root = Node(kind)
        self._stack = [self.root]
        self._count = 1
        self._text_size = 0
        self._skip_depth = 0

    def start(self, name: str, depth: int) -> None:
        """Open an element at `depth` inside the resource."""
        if self._skip_depth or not name.startswith(ESPI):
            self._skip_depth = self._skip_depth or depth
            return
        self._count += 1
        if self._count > _MAX_ENTRY_NODES:
            raise ApiResponseError("ESPI feed: a resource has too many elements")
        node = Node(name[len(ESPI) :])
        self._stack[-1].children.append(node)
        self._stack.append(node)

    def data(self, data: str) -> None:
        """Add text to the open element."""
        if not self._skip_depth:
            self._text_size += len(data)
            if self._text_size > _MAX_ENTRY_TEXT:
                raise ApiResponseError("ESPI feed: a resource has too much text")
            self._stack[-1].text += data

    def end(self, depth: int) -> bool:
        """Close the element at `depth`; True when it was the resource's root."""
        if self._skip_depth:
            if depth == self._skip_depth:
                self._skip_depth = 0
            return False
        self._stack.pop()
        return not self._stack


def reading_type(href: str, node: Node) -> ReadingType:
    """Return a ReadingType resource."""
    power = power_of_ten(node.integer("powerOfTenMultiplier"))
    return ReadingType(
        href=href,
        uom=node.integer("uom"),
        power_of_ten_multiplier=power,
        interval_length=duration_or_none(node.integer("intervalLength")),
        flow_direction=node.integer("flowDirection"),
        commodity=node.integer("commodity"),
        accumulation_behaviour=node.integer("accumulationBehaviour"),
        kind=node.integer("kind"),
        default_quality=node.integer("defaultQuality"),
        currency=node.integer("currency"),
        data_qualifier=node.integer("dataQualifier"),
        measuring_period=node.integer("measuringPeriod"),
        time_attribute=node.integer("timeAttribute"),
    )


def local_time_parameters(href: str, node: Node) -> LocalTimeParameters:
    """Return a LocalTimeParameters resource."""
    tz_offset = node.integer("tzOffset")
    if tz_offset is None:
        raise ApiResponseError("ESPI feed: LocalTimeParameters without tzOffset")
    return LocalTimeParameters(
        href=href,
        tz_offset=duration(tz_offset, positive=False),
        dst_offset=duration_or_none(node.integer("dstOffset"), positive=False),
        dst_start_rule=node.string("dstStartRule"),
        dst_end_rule=node.string("dstEndRule"),
    )


def usage_summary(
    href: str | None, usage_point: str | None, node: Node
) -> UsageSummary:
    """Return a UsageSummary (or ElectricPowerUsageSummary) resource of `usage_point`."""
    period = node.child("billingPeriod")
    stamp = node.integer("statusTimeStamp")
    return UsageSummary(
        href=href,
        usage_point=usage_point,
        billing_period_start=utc_or_none(period.integer("start") if period else None),
        billing_period_duration=duration_or_none(
            period.integer("duration") if period else None
        ),
        bill_last_period=money(node.integer("billLastPeriod")),
        bill_to_date=money(node.integer("billToDate")),
        cost_additional_last_period=money(node.integer("costAdditionalLastPeriod")),
        currency=node.integer("currency"),
        consumption_last_period=_quantity(node.child("overallConsumptionLastPeriod")),
        consumption_current_period=_quantity(
            node.child("currentBillingPeriodOverAllConsumption")
        ),
        cost_details=tuple(
            _cost_detail(detail)
            for detail in node.children
            if detail.name == "costAdditionalDetailLastPeriod"
        ),
        quality_of_reading=node.integer("qualityOfReading"),
        status_time=status_time(stamp),
        commodity=node.integer("commodity"),
        tariff_profile=node.string("tariffProfile") or None,
        read_cycle=node.string("readCycle") or None,
        peak_demand=_quantity(node.child("peakDemand")),
        ratchet_demand=_quantity(node.child("ratchetDemand")),
    )


def _cost_detail(node: Node) -> CostDetail:
    """Return a bill's line (`LineItem`): amounts and unit cost are money like the bill."""
    period = node.child("itemPeriod")
    return CostDetail(
        note=node.string("note"),
        amount=money(node.integer("amount")),
        quantity=_quantity(node.child("measurement")),
        item_kind=node.integer("itemKind"),
        unit_cost=money(node.integer("unitCost")),
        item_period_start=utc_or_none(period.integer("start") if period else None),
        item_period_duration=duration_or_none(
            period.integer("duration") if period else None
        ),
    )


def _quantity(node: Node | None) -> Quantity | None:
    if node is None or (value := node.integer("value")) is None:
        return None
    uom = node.integer("uom")
    exponent = exponent_of(uom, power_of_ten(node.integer("powerOfTenMultiplier")))
    return Quantity(
        value=value / 10**-exponent if exponent < 0 else float(value * 10**exponent),
        unit=unit_of(uom),
        reading_type=node.string("readingTypeRef"),
        time=utc_or_none(node.integer("timeStamp")),
    )
