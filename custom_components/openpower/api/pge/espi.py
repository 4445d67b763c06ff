"""Streaming parser for the Green Button / ESPI 1.1 Atom feeds PG&E serves (Share My Data).

Feed it bytes as they arrive (`EspiParser.feed`), then `close()`: each `IntervalBlock` is handed to
the callback as soon as it is complete and resolved, and `close()` returns the small resources
(usage points, meter readings, reading types, local time parameters, usage summaries). Besides
those small link tables the parser holds one block and 64 KiB of input, whatever the size of the
feed (a four-year 15-minute feed is ~40 MB): a reading is never kept once its block has been
handed over. It is CPU-bound (~4 µs a reading): run it in an executor, not in the event loop.

XML goes through `defusedxml`'s expat reader: a DTD (so any entity declaration, a "billion laughs"
bomb or an external entity) is refused, and so is anything that is not well-formed XML. Every
problem with the document raises `ApiResponseError` with a short message; elements and text that
ESPI does not define are ignored.

Structure (`reference/apis-pge-enedis.md` §1.10-§1.11, checked on the captured fixtures):

- Elements are matched by namespace URI (Atom `http://www.w3.org/2005/Atom`, ESPI
  `http://naesb.org/espi`), never by prefix: PG&E writes `ns0:`/`ns1:` and redeclares them on
  every entry, Green Button samples use `espi:` or default namespaces.
- Resources are linked by `href`, never by entry order:
  - IntervalBlock → MeterReading: a MeterReading whose `related` link is the block's `self` or
    `up` link (Opower links the block itself, PG&E the `…/IntervalBlock` collection), else the
    MeterReading whose `self` link is the block's link cut at `/IntervalBlock`;
  - MeterReading → ReadingType: its `related` link that is the `self` link of a ReadingType;
  - MeterReading → UsagePoint: a UsagePoint whose `related` link is the MeterReading (Opower) or
    its `up` collection (PG&E), else the UsagePoint whose `self` link is the MeterReading's cut at
    `/MeterReading`;
  - UsageSummary → UsagePoint: likewise through `/UsageSummary` (`ElectricPowerUsageSummary`).
  Duplicated resources (the eemeter feed repeats its UsagePoint and a MeterReading) are harmless.
- **Late resources.** A ReadingType, MeterReading or UsagePoint may come after the blocks that
  need it. Such blocks are kept in compact columns (`array('q')`, 48 bytes a reading, no objects)
  keyed by their links, and handed over as soon as the missing entry arrives (or at `close()`,
  where a block still unresolved is an error). In PG&E's feeds every block comes after its
  resources, so nothing is ever held back; the fallback keeps even a feed in reverse order to a
  fraction of what a full tree costs. Blocks are therefore handed over in document order per
  meter reading, not necessarily across meter readings.
- Text between elements inside an IntervalBlock must be whitespace (see `_block_handlers`; true of
  every feed seen): anything else there is an error, never a wrong number. Elsewhere, stray text
  (PG&E's literal backslash-n between entries) and unknown elements are ignored.
- DST days are reported as PG&E sends them: one block of 25 (or 23) hourly readings, or two blocks
  (2 + 23, 2 + 21). Readings are keyed by their UTC start, so either shape is the same data. The
  parser does not merge, split or deduplicate blocks (a re-sent block is sent again).

Values:

- `value × 10^powerOfTenMultiplier` in `uom`, converted to the unit Home Assistant uses: uom 72
  (Wh) → kWh, 169 (therm) → thm, 38 (W) → kW, 42 → m³, 119 → ft³; any other uom is reported in its
  own base unit with `unit` None.
- `cost`, `billLastPeriod`, `billToDate`, `costAdditionalLastPeriod` and line-item amounts are in
  hundred-thousandths of the currency (ESPI): 2758000 → 27.58.
- `timePeriod` / `interval` / `billingPeriod` are UTC epoch seconds + a duration in seconds →
  aware UTC datetimes and timedeltas.
- `statusTimeStamp` is in seconds in the ESPI standard but in **milliseconds** in PG&E's 2016
  feeds: a value above 10^11 (year 5138 in seconds, 1973 in milliseconds) is read as milliseconds.
- Reading qualities are kept as sent (PG&E: 17 validated, 19 revenue-quality); a reading without
  `ReadingQuality` has `quality` None (its ReadingType's `default_quality` applies).
"""

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Self
from xml.sax import SAXParseException
from xml.sax.handler import feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from ..errors import ApiResponseError

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

_CHUNK: Final = 65536
"""Largest piece handed to expat at once: bounds the memory of one `feed()` call."""
_MAX_ENTRY_NODES: Final = 10_000
"""Elements kept for one non-interval resource (a UsageSummary has ~60)."""
_MAX_ENTRY_TEXT: Final = 1 << 20
"""Characters kept for one non-interval resource."""
_MAX_POWER_OF_TEN: Final = 30
_MS_THRESHOLD: Final = 10**11
_NONE: Final = -(1 << 63)
"""Stands for an absent optional number in the compact columns of a held-back block."""
_UNITS: Final[dict[int, tuple[str, int]]] = {
    72: ("kWh", -3),
    169: ("thm", 0),
    38: ("kW", -3),
    42: ("m³", 0),
    119: ("ft³", 0),
}
"""ESPI uom → (unit we report, power of ten from the uom's base unit to it)."""
_CURRENCIES: Final[dict[int, str]] = {
    840: "USD",
    124: "CAD",
    978: "EUR",
    826: "GBP",
    36: "AUD",
}

# Names as expat reports them with namespace processing: "<namespace URI> <local name>".
_A = ATOM_NS + " "
_E = ESPI_NS + " "
_FEED: Final = _A + "feed"
_ENTRY: Final = _A + "entry"
_LINK: Final = _A + "link"
_CONTENT: Final = _A + "content"
_INTERVAL_BLOCK: Final = _E + "IntervalBlock"
_INTERVAL: Final = _E + "interval"
_INTERVAL_READING: Final = _E + "IntervalReading"
_TIME_PERIOD: Final = _E + "timePeriod"
_START: Final = _E + "start"
_DURATION: Final = _E + "duration"
_VALUE: Final = _E + "value"
_COST: Final = _E + "cost"
_READING_QUALITY: Final = _E + "ReadingQuality"
_QUALITY: Final = _E + "quality"
_TOU: Final = _E + "tou"
_RESOURCES: Final = frozenset(
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
        known = _UNITS.get(self.uom) if self.uom is not None else None
        return known[0] if known else None

    @property
    def received(self) -> bool:
        """Whether the readings are energy received from the customer (export)."""
        return self.flow_direction == FLOW_RECEIVED

    @property
    def currency_code(self) -> str | None:
        """ISO 4217 letters of `currency`, for the codes we know."""
        return _CURRENCIES.get(self.currency) if self.currency is not None else None


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
        return _last_segment(self.href)


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


_new_reading: Final = object.__new__
_READING_SLOTS: Final[tuple[Callable[[IntervalReading, Any], None], ...]] = tuple(
    IntervalReading.__dict__[field.name].__set__ for field in fields(IntervalReading)
)
"""Setters of IntervalReading's slots, in field order (the parser's fast constructor)."""


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
    """A line of a bill (`costAdditionalDetailLastPeriod`): PG&E sends the kWh of each tier."""

    note: str | None
    amount: float | None
    """Currency units, when sent."""
    quantity: Quantity | None
    item_kind: int | None


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
    read_cycle: str | None

    @property
    def currency_code(self) -> str | None:
        """ISO 4217 letters of `currency`, for the codes we know."""
        return _CURRENCIES.get(self.currency) if self.currency is not None else None


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


def parse_espi(data: bytes | Iterable[bytes]) -> EspiDocument:
    """Parse a whole feed (bytes, or an iterable of chunks) and keep every block."""
    blocks: list[IntervalBlock] = []
    parser = EspiParser(blocks.append)
    for chunk in [data] if isinstance(data, bytes) else data:
        parser.feed(chunk)
    return EspiDocument(parser.close(), tuple(blocks))


class EspiParser:
    """Incremental ESPI feed parser: `feed(chunk)` as often as needed, then `close()` once.

    `on_block` receives each IntervalBlock once it is complete and its ReadingType, MeterReading
    and UsagePoint are known; it is called from `feed()`/`close()`, never from inside expat, so an
    exception it raises propagates unchanged (and the parser refuses further input). Any problem
    with the document raises `ApiResponseError`; blocks already handed over belong to a feed that
    is then known to be bad, so a caller that must not import partial data collects them and
    commits after `close()`.
    """

    __slots__ = (
        "_block_begin",
        "_block_data",
        "_block_end",
        "_blocks",
        "_done",
        "_durations",
        "_entry",
        "_expat",
        "_failed",
        "_local_times",
        "_meter_readings",
        "_mr_by_related",
        "_node",
        "_node_count",
        "_node_stack",
        "_offsets",
        "_on_block",
        "_pending",
        "_reader",
        "_reading_types",
        "_readings",
        "_ready",
        "_skip_depth",
        "_stack",
        "_summaries",
        "_text_size",
        "_up_by_related",
        "_usage_points",
    )

    def __init__(self, on_block: Callable[[IntervalBlock], None]) -> None:
        """Create a parser handing each resolved IntervalBlock to `on_block`."""
        self._on_block = on_block
        self._ready: list[IntervalBlock] = []
        self._pending: list[_HeldBlock] = []
        self._stack: list[str] = []
        self._entry: _Entry | None = None
        self._node: _Node | None = None
        self._node_stack: list[_Node] = []
        self._node_count = 0
        self._text_size = 0
        self._skip_depth = 0
        self._reading_types: dict[str, ReadingType] = {}
        self._meter_readings: dict[str, _MeterReadingLinks] = {}
        self._mr_by_related: dict[str, str] = {}
        self._usage_points: dict[str, _UsagePointLinks] = {}
        self._up_by_related: dict[str, str] = {}
        self._local_times: dict[str, LocalTimeParameters] = {}
        self._summaries: list[_SummaryEntry] = []
        self._offsets: dict[int, timedelta] = {}
        self._durations: dict[int, timedelta] = {}
        self._blocks = 0
        self._readings = 0
        self._failed = False
        self._done = False
        self._expat: Any = None
        self._block_begin, self._block_end, self._block_data = _block_handlers(
            self._block_done
        )
        self._reader = _Reader(self._install)

    # ---- input -------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse the next chunk of the document (any size; it is handed to expat in 64 KiB)."""
        self._check_usable()
        view = memoryview(data)
        for offset in range(0, len(view), _CHUNK):
            self._parse(view[offset : offset + _CHUNK], final=False)

    def close(self) -> EspiFeed:
        """End the document: hand over the last blocks and return the feed's resources."""
        self._check_usable()
        self._parse(b"", final=True)
        self._done = True
        while self._pending:
            held = self._pending.pop(0)
            resolved = self._resolve(held.self_href, held.up_href, final=True)
            if resolved is None:
                self._failed = True
                raise ApiResponseError(
                    "ESPI feed: an IntervalBlock's MeterReading or ReadingType is missing"
                )
            self._ready.append(
                self._block(
                    held.self_href,
                    held.start,
                    held.duration,
                    held.rows(),
                    *resolved,
                )
            )
        self._deliver()
        return EspiFeed(
            usage_points=tuple(
                UsagePoint(
                    up.href,
                    up.service_kind,
                    _linked(up.related, self._local_times, "/LocalTimeParameters"),
                )
                for up in self._usage_points.values()
            ),
            meter_readings=tuple(
                MeterReading(
                    mr.href,
                    self._usage_point_of(mr, final=True),
                    _linked(mr.related, self._reading_types, "/ReadingType"),
                )
                for mr in self._meter_readings.values()
            ),
            reading_types=tuple(self._reading_types.values()),
            local_time_parameters=tuple(self._local_times.values()),
            usage_summaries=tuple(self._summary(entry) for entry in self._summaries),
            block_count=self._blocks,
            reading_count=self._readings,
        )

    def _check_usable(self) -> None:
        if self._failed:
            raise ApiResponseError("ESPI feed: the parser already failed")
        if self._done:
            raise ApiResponseError("ESPI feed: the parser is closed")

    def _parse(self, data: bytes | memoryview, *, final: bool) -> None:
        self._failed = True  # until this chunk went through
        if final and self._expat is None:
            raise ApiResponseError("ESPI feed is empty")
        try:
            if final:
                self._reader.close()
            else:
                self._reader.feed(data)
        except ApiResponseError:
            raise
        except SAXParseException as err:
            raise ApiResponseError(
                f"ESPI feed is not well-formed XML (line {err.getLineNumber()}): {err.getMessage()}"
            ) from None
        except DefusedXmlException as err:
            raise ApiResponseError(
                f"ESPI feed: refused a DTD or entity ({type(err).__name__})"
            ) from None
        except (ValueError, OverflowError) as err:
            raise ApiResponseError(
                f"ESPI feed: a number is malformed (line {self._line()}): {_short(err)}"
            ) from None
        self._failed = False
        self._deliver()

    def _deliver(self) -> None:
        ready, self._ready = self._ready, []
        self._failed = True
        for block in ready:
            self._on_block(block)
        self._failed = False

    def _line(self) -> int:
        expat = self._expat
        return int(expat.CurrentLineNumber) if expat is not None else 0

    def _install(self, expat: Any) -> None:
        """Take over the expat parser defusedxml made (its refusing handlers stay in place)."""
        self._expat = expat
        expat.namespace_prefixes = False  # names are "URI local", without the prefix
        # Unbuffered: a number is one piece anyway in PG&E's compact feeds, and buffering costs a
        # copy and a check per event (5% of the parse); pieces are joined by the handlers.
        expat.buffer_text = False
        expat.StartElementHandler = self._start
        expat.EndElementHandler = self._end
        expat.CharacterDataHandler = self._data
        expat.ProcessingInstructionHandler = None
        expat.StartNamespaceDeclHandler = None
        expat.EndNamespaceDeclHandler = None

    # ---- general path (everything but the inside of IntervalBlocks) ---------------------------

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        stack = self._stack
        stack.append(name)
        depth = len(stack)
        entry = self._entry
        if depth == 1:
            if name not in (_FEED, _ENTRY):
                raise ApiResponseError(
                    f"ESPI feed: expected an Atom feed or entry, got <{_local(name)}>"
                )
            if name == _ENTRY:
                self._entry = _Entry(depth)
        elif entry is None:
            if name == _ENTRY and depth == 2:
                self._entry = _Entry(depth)
        elif self._node is not None:
            self._start_node(name, depth)
        elif depth == entry.depth + 1:
            if name == _LINK:
                entry.link(attrs.get("rel", "alternate"), attrs.get("href"))
            elif name == _CONTENT:
                entry.content_depth = depth
        elif depth == entry.content_depth + 1 and entry.content_depth:
            if name == _INTERVAL_BLOCK:
                expat = self._expat
                expat.StartElementHandler = None
                expat.EndElementHandler = self._block_end
                expat.CharacterDataHandler = self._block_data
                self._block_begin()
            elif name.startswith(_E) and (kind := name[len(_E) :]) in _RESOURCES:
                self._node = node = _Node(kind)
                self._node_stack = [node]
                self._node_count = 1
                self._text_size = 0
                self._skip_depth = 0

    def _start_node(self, name: str, depth: int) -> None:
        if self._skip_depth or not name.startswith(_E):
            self._skip_depth = self._skip_depth or depth
            return
        self._node_count += 1
        if self._node_count > _MAX_ENTRY_NODES:
            raise ApiResponseError("ESPI feed: a resource has too many elements")
        node = _Node(name[len(_E) :])
        self._node_stack[-1].children.append(node)
        self._node_stack.append(node)

    def _data(self, data: str) -> None:
        if self._node is not None and not self._skip_depth:
            self._text_size += len(data)
            if self._text_size > _MAX_ENTRY_TEXT:
                raise ApiResponseError("ESPI feed: a resource has too much text")
            self._node_stack[-1].text += data

    def _end(self, name: str) -> None:
        stack = self._stack
        depth = len(stack)
        if not stack or stack.pop() != name:  # pragma: no cover - expat checks nesting
            raise ApiResponseError("ESPI feed: unexpected element nesting")
        entry = self._entry
        if entry is None:
            return
        if self._node is not None:
            if self._skip_depth:
                if depth == self._skip_depth:
                    self._skip_depth = 0
                return
            node = self._node_stack.pop()
            if not self._node_stack:
                entry.resources.append(node)
                self._node = None
            return
        if depth == entry.depth:
            self._entry = None
            self._entry_done(entry)
        elif depth == entry.content_depth:
            entry.content_depth = 0

    # ---- inside an IntervalBlock (see _block_handlers) -----------------------------------------

    def _block_done(
        self, start: int | None, duration: int | None, rows: list[_Row]
    ) -> None:
        """Resolve a block the fast handlers finished (`</IntervalBlock>`), or keep it for later."""
        expat = self._expat
        expat.StartElementHandler = self._start
        expat.EndElementHandler = self._end
        expat.CharacterDataHandler = self._data
        self._stack.pop()
        entry = self._entry
        if entry is None:  # pragma: no cover - only entered inside an entry's content
            return
        if start is None or duration is None:
            raise ApiResponseError("ESPI feed: an IntervalBlock has no interval")
        block = _RawBlock(start, duration, rows)
        resolved = self._resolve(entry.self_href, entry.up_href, final=False)
        if resolved is None:
            entry.blocks.append(block)
        else:
            self._ready.append(
                self._block(entry.self_href, start, duration, rows, *resolved)
            )

    # ---- entries and links ---------------------------------------------------------------------

    def _entry_done(self, entry: _Entry) -> None:
        linked = False
        for node in entry.resources:
            linked |= self._register(node, entry)
        for block in entry.blocks:
            resolved = self._resolve(entry.self_href, entry.up_href, final=False)
            if resolved is None:
                self._pending.append(
                    _HeldBlock.of(entry.self_href, entry.up_href, block)
                )
            else:
                self._ready.append(
                    self._block(
                        entry.self_href,
                        block.start,
                        block.duration,
                        block.rows,
                        *resolved,
                    )
                )
        if linked and self._pending:
            still: list[_HeldBlock] = []
            for held in self._pending:
                resolved = self._resolve(held.self_href, held.up_href, final=False)
                if resolved is None:
                    still.append(held)
                else:
                    self._ready.append(
                        self._block(
                            held.self_href,
                            held.start,
                            held.duration,
                            held.rows(),
                            *resolved,
                        )
                    )
            self._pending = still

    def _register(self, node: _Node, entry: _Entry) -> bool:
        """Store a resource; True when it may resolve held-back blocks."""
        href = entry.self_href
        if node.name in ("UsageSummary", "ElectricPowerUsageSummary"):
            self._summaries.append(_SummaryEntry(href, entry.up_href, node))
            return False
        if href is None:
            return False  # a resource nothing can link to
        if node.name == "ReadingType":
            self._reading_types[href] = _reading_type(href, node)
        elif node.name == "MeterReading":
            related = tuple(entry.related)
            self._meter_readings[href] = _MeterReadingLinks(
                href, entry.up_href, related
            )
            # Blocks are found by their self or up link among these (the ReadingType and
            # LocalTimeParameters links shared by all meter readings never match a block's).
            self._mr_by_related.update(dict.fromkeys(related, href))
        elif node.name == "UsagePoint":
            self._usage_points[href] = _UsagePointLinks(
                href, node.integer("ServiceCategory", "kind"), tuple(entry.related)
            )
            self._up_by_related.update(dict.fromkeys(entry.related, href))
        else:  # LocalTimeParameters
            self._local_times[href] = _local_time(href, node)
            return False
        return True

    def _resolve(
        self, self_href: str | None, up_href: str | None, *, final: bool
    ) -> tuple[str, ReadingType, str] | None:
        """(MeterReading href, ReadingType, UsagePoint href) of a block, if all are known."""
        mr_href = None
        for href in (self_href, up_href):
            if href is not None and (mr_href := self._mr_by_related.get(href)):
                break
        else:
            for href in (self_href, up_href):
                prefix = _cut(href, "/IntervalBlock")
                if prefix is not None and prefix in self._meter_readings:
                    mr_href = prefix
                    break
        if mr_href is None:
            return None
        mr = self._meter_readings[mr_href]
        reading_type = next(
            (rt for h in mr.related if (rt := self._reading_types.get(h))), None
        )
        usage_point = self._usage_point_of(mr, final=final)
        if reading_type is None or usage_point is None:
            return None
        return mr_href, reading_type, usage_point

    def _usage_point_of(self, mr: _MeterReadingLinks, *, final: bool) -> str | None:
        for href in (mr.href, mr.up_href):
            if href is not None and (usage_point := self._up_by_related.get(href)):
                return usage_point
        prefix = _cut(mr.href, "/MeterReading")
        if prefix is not None and (final or prefix in self._usage_points):
            return prefix
        return None

    def _usage_point_of_summary(self, entry: _SummaryEntry) -> str | None:
        for href in (entry.up_href, entry.href):
            if href is not None and (usage_point := self._up_by_related.get(href)):
                return usage_point
            for marker in ("/UsageSummary", "/ElectricPowerUsageSummary"):
                if (prefix := _cut(href, marker)) is not None:
                    return prefix
        return None

    # ---- conversion ----------------------------------------------------------------------------

    def _block(
        self,
        href: str | None,
        start: int,
        duration: int,
        rows: Sequence[_Row],
        meter_reading: str,
        reading_type: ReadingType,
        usage_point: str,
    ) -> IntervalBlock:
        readings = self._readings_of(rows, reading_type)
        self._blocks += 1
        self._readings += len(readings)
        return IntervalBlock(
            href=href,
            usage_point=usage_point,
            meter_reading=meter_reading,
            reading_type=reading_type,
            start=_utc(start),
            duration=_seconds(duration),
            readings=readings,
        )

    def _readings_of(
        self, rows: Sequence[_Row], reading_type: ReadingType
    ) -> tuple[IntervalReading, ...]:
        """Convert a block's raw rows: the one loop every reading goes through."""
        if not rows:
            return ()
        exponent = reading_type.power_of_ten_multiplier + _unit_exponent(
            reading_type.uom
        )
        divisor = 10**-exponent if exponent < 0 else 1
        multiplier = 10**exponent if exponent > 0 else 1
        offsets, durations = self._offsets, self._durations
        if len(offsets) > 4096 or len(durations) > 4096:
            offsets.clear()
            durations.clear()
        new = _new_reading
        set_start, set_duration, set_value, set_cost, set_quality, set_tou = (
            _READING_SLOTS
        )
        out: list[IntervalReading] = []
        append = out.append
        # A start is the previous reading's end (one addition), else an offset from the first
        # start (a cached timedelta): both much cheaper than `datetime.fromtimestamp`.
        base = expected = rows[0][0]
        length = _NO_TIME
        last_duration: int | None = None
        try:
            base_time = time = datetime.fromtimestamp(base, UTC)
            for start, duration, value, cost, quality, tou in rows:
                if start != expected:
                    offset = offsets.get(start - base)
                    if offset is None:
                        offset = offsets[start - base] = timedelta(seconds=start - base)
                    time = base_time + offset
                if duration != last_duration:
                    if duration <= 0:
                        raise ApiResponseError(
                            "ESPI feed: an interval's duration is not positive"
                        )
                    length = durations.get(duration) or durations.setdefault(
                        duration, timedelta(seconds=duration)
                    )
                    last_duration = duration
                # IntervalReading(time, length, …) without the frozen dataclass's __init__
                # (six object.__setattr__ calls): a third of the cost of a reading.
                reading = new(IntervalReading)
                set_start(reading, time)
                set_duration(reading, length)
                set_value(reading, value * multiplier / divisor)
                set_cost(reading, None if cost is None else cost / 100000)
                set_quality(reading, quality)
                set_tou(reading, tou)
                append(reading)
                expected = start + duration
                time += length
        except (OverflowError, OSError, ValueError) as err:
            raise ApiResponseError(
                f"ESPI feed: a reading is out of range ({_short(err)})"
            ) from None
        return tuple(out)

    def _summary(self, entry: _SummaryEntry) -> UsageSummary:
        node = entry.node
        period = node.child("billingPeriod")
        status = node.integer("statusTimeStamp")
        return UsageSummary(
            href=entry.href,
            usage_point=self._usage_point_of_summary(entry),
            billing_period_start=_utc_or_none(
                period.integer("start") if period else None
            ),
            billing_period_duration=_seconds_or_none(
                period.integer("duration") if period else None
            ),
            bill_last_period=_money(node.integer("billLastPeriod")),
            bill_to_date=_money(node.integer("billToDate")),
            cost_additional_last_period=_money(
                node.integer("costAdditionalLastPeriod")
            ),
            currency=node.integer("currency"),
            consumption_last_period=_quantity(
                node.child("overallConsumptionLastPeriod")
            ),
            consumption_current_period=_quantity(
                node.child("currentBillingPeriodOverAllConsumption")
            ),
            cost_details=tuple(
                CostDetail(
                    note=detail.string("note"),
                    amount=_money(detail.integer("amount")),
                    quantity=_quantity(detail.child("measurement")),
                    item_kind=detail.integer("itemKind"),
                )
                for detail in node.children
                if detail.name == "costAdditionalDetailLastPeriod"
            ),
            quality_of_reading=node.integer("qualityOfReading"),
            status_time=(
                None
                if status is None
                else _utc_ms(status)
                if abs(status) >= _MS_THRESHOLD
                else _utc(status)
            ),
            commodity=node.integer("commodity"),
            tariff_profile=node.string("tariffProfile"),
            read_cycle=node.string("readCycle"),
        )


# ---- the hot path --------------------------------------------------------------------------------

type _Row = tuple[int, int, int, int | None, int | None, int | None]
"""start, duration, value, cost, quality, tou: the raw numbers of one IntervalReading."""


def _block_handlers(
    done: Callable[[int | None, int | None, list[_Row]], None],
) -> tuple[Callable[[], None], Callable[[str], None], Callable[[str], None]]:
    """Expat handlers for the inside of an IntervalBlock: (begin, end, data).

    Nearly every element of a feed is inside an IntervalBlock (8 per reading), so this is where
    the time goes. While in a block there is no start-element handler at all: the text of a leaf
    is what character data arrived since the previous end tag (one piece for a number, unless a
    chunk boundary or a line break splits it, hence `+=`), and each end tag stores it or commits
    what was gathered. The state is closure cells, the cheapest state there is in Python,
    and names are compared by identity: expat hands them out of our interning dict (`_Reader`).

    The price of having no start tags: text between elements inside a block must be whitespace (it
    is in every feed seen; PG&E's stray literal backslash-n sit between entries, where anything goes).
    Non-numeric junk there makes the next number malformed, an `ApiResponseError`.
    """
    text = ""
    start: int | None = None
    duration: int | None = None
    reading_start: int | None = None
    reading_duration: int | None = None
    value: int | None = None
    cost: int | None = None
    quality: int | None = None
    tou: int | None = None
    block_start: int | None = None
    block_duration: int | None = None
    rows: list[_Row] = []
    append = rows.append

    def begin() -> None:
        nonlocal text, start, duration, value, cost, quality, tou
        nonlocal reading_start, reading_duration, block_start, block_duration
        nonlocal rows, append
        text = ""
        start = duration = value = cost = quality = tou = None
        reading_start = reading_duration = block_start = block_duration = None
        rows = []
        append = rows.append

    def data(chunk: str) -> None:
        nonlocal text
        text += chunk

    def end(name: str) -> None:
        nonlocal text, start, duration, value, cost, quality, tou
        nonlocal reading_start, reading_duration, block_start, block_duration
        if name is _VALUE:
            value = int(text)
        elif name is _START:
            start = int(text)
        elif name is _DURATION:
            duration = int(text)
        elif name is _TIME_PERIOD:
            reading_start, reading_duration = start, duration
        elif name is _QUALITY:
            quality = int(text)
        elif name is _READING_QUALITY:
            pass
        elif name is _TOU:
            tou = int(text)
        elif name is _INTERVAL_READING:
            if reading_start is None or reading_duration is None or value is None:
                raise ApiResponseError(
                    "ESPI feed: an IntervalReading lacks its timePeriod or value"
                )
            append((reading_start, reading_duration, value, cost, quality, tou))
            reading_start = reading_duration = start = duration = None
            value = cost = quality = tou = None
        elif name is _COST:
            cost = int(text)
        elif name is _INTERVAL:
            block_start, block_duration = start, duration
            start = duration = None
        elif name is _INTERVAL_BLOCK:
            done(block_start, block_duration, rows)
        text = ""

    return begin, end, data


# ---- small internal records ----------------------------------------------------------------------


class _Reader(DefusedExpatParser):  # type: ignore[misc]  # defusedxml has no type hints
    """defusedxml's SAX expat reader (DTDs, entities and external references refused).

    Our handlers replace the SAX ones on its expat parser each time it makes one (`reset`), so
    elements reach us without the SAX layer's per-element objects; defusedxml's refusing handlers
    (doctype, entity declarations, external entity references) are left as it installed them.
    """

    def __init__(self, install: Callable[[Any], None]) -> None:
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self.setFeature(feature_namespaces, True)
        # Expat hands element names out of this dict (`pyexpat.ParserCreate(intern=…)`): the
        # names the hot path compares against are these very objects, so `is` is enough.
        self._names = {name: name for name in _INTERNED}
        self.setProperty(_INTERNING_DICT, self._names)
        self._install = install

    def reset(self) -> None:
        super().reset()
        if self._parser.intern is not self._names:  # pragma: no cover - a stdlib change
            raise RuntimeError("expat does not intern names in the dict it was given")
        self._install(self._parser)


_INTERNING_DICT: Final = "http://www.python.org/sax/properties/interning-dict"
_INTERNED: Final = (
    _FEED,
    _ENTRY,
    _LINK,
    _CONTENT,
    _INTERVAL_BLOCK,
    _INTERVAL,
    _INTERVAL_READING,
    _TIME_PERIOD,
    _START,
    _DURATION,
    _VALUE,
    _COST,
    _READING_QUALITY,
    _QUALITY,
    _TOU,
)


class _Node:
    """One element of a small resource (never of an IntervalBlock)."""

    __slots__ = ("children", "name", "text")

    def __init__(self, name: str) -> None:
        self.name = name
        self.text = ""
        self.children: list[_Node] = []

    def child(self, *path: str) -> _Node | None:
        node: _Node | None = self
        for name in path:
            node = (
                next((c for c in node.children if c.name == name), None)
                if node
                else None
            )
        return node

    def string(self, *path: str) -> str | None:
        node = self.child(*path)
        return node.text.strip() if node is not None else None

    def integer(self, *path: str) -> int | None:
        text = self.string(*path)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise ApiResponseError(f"ESPI feed: {path[-1]} is not an integer") from None


class _Entry:
    """What is known of the Atom entry being read."""

    __slots__ = (
        "blocks",
        "content_depth",
        "depth",
        "related",
        "resources",
        "self_href",
        "up_href",
    )

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.content_depth = 0
        self.self_href: str | None = None
        self.up_href: str | None = None
        self.related: list[str] = []
        self.resources: list[_Node] = []
        self.blocks: list[_RawBlock] = []

    def link(self, rel: str, href: str | None) -> None:
        if href is None:
            return
        href = href.strip()
        if rel == "self":
            self.self_href = href
        elif rel == "up":
            self.up_href = href
        elif rel == "related":
            self.related.append(href)


@dataclass(slots=True)
class _RawBlock:
    start: int
    duration: int
    rows: list[_Row]


@dataclass(slots=True)
class _HeldBlock:
    """A block waiting for its MeterReading, ReadingType or UsagePoint, in compact columns."""

    self_href: str | None
    up_href: str | None
    start: int
    duration: int
    columns: tuple[array[int], ...] | list[_Row]
    """Six int64 columns (absent numbers as `_NONE`), or the rows if a number does not fit."""

    @classmethod
    def of(cls, self_href: str | None, up_href: str | None, block: _RawBlock) -> Self:
        columns = tuple(array("q") for _ in range(6))
        try:
            for row in block.rows:
                for column, number in zip(columns, row, strict=True):
                    column.append(_NONE if number is None else number)
        except (
            OverflowError
        ):  # beyond 64 bits (ESPI numbers have 48): keep them as they are
            return cls(self_href, up_href, block.start, block.duration, block.rows)
        return cls(self_href, up_href, block.start, block.duration, columns)

    def rows(self) -> list[_Row]:
        if isinstance(self.columns, list):
            return self.columns
        starts, durations, values, costs, qualities, tous = self.columns
        return [
            (
                start,
                durations[index],
                values[index],
                None if costs[index] == _NONE else costs[index],
                None if qualities[index] == _NONE else qualities[index],
                None if tous[index] == _NONE else tous[index],
            )
            for index, start in enumerate(starts)
        ]


@dataclass(frozen=True, slots=True)
class _MeterReadingLinks:
    href: str
    up_href: str | None
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _UsagePointLinks:
    href: str
    service_kind: int | None
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _SummaryEntry:
    href: str | None
    up_href: str | None
    node: _Node


# ---- helpers -------------------------------------------------------------------------------------

_NO_TIME: Final = timedelta(0)


def _reading_type(href: str, node: _Node) -> ReadingType:
    power = node.integer("powerOfTenMultiplier") or 0
    if abs(power) > _MAX_POWER_OF_TEN:
        raise ApiResponseError("ESPI feed: powerOfTenMultiplier is out of range")
    return ReadingType(
        href=href,
        uom=node.integer("uom"),
        power_of_ten_multiplier=power,
        interval_length=_seconds_or_none(node.integer("intervalLength")),
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


def _local_time(href: str, node: _Node) -> LocalTimeParameters:
    tz_offset = node.integer("tzOffset")
    if tz_offset is None:
        raise ApiResponseError("ESPI feed: LocalTimeParameters without tzOffset")
    return LocalTimeParameters(
        href=href,
        tz_offset=_seconds(tz_offset, positive=False),
        dst_offset=_seconds_or_none(node.integer("dstOffset"), positive=False),
        dst_start_rule=node.string("dstStartRule"),
        dst_end_rule=node.string("dstEndRule"),
    )


def _quantity(node: _Node | None) -> Quantity | None:
    if node is None or (value := node.integer("value")) is None:
        return None
    uom = node.integer("uom")
    power = node.integer("powerOfTenMultiplier") or 0
    if abs(power) > _MAX_POWER_OF_TEN:
        raise ApiResponseError("ESPI feed: powerOfTenMultiplier is out of range")
    exponent = power + _unit_exponent(uom)
    known = _UNITS.get(uom) if uom is not None else None
    return Quantity(
        value=value / 10**-exponent if exponent < 0 else float(value * 10**exponent),
        unit=known[0] if known else None,
        reading_type=node.string("readingTypeRef"),
        time=_utc_or_none(node.integer("timeStamp")),
    )


def _unit_exponent(uom: int | None) -> int:
    known = _UNITS.get(uom) if uom is not None else None
    return known[1] if known else 0


def _money(amount: int | None) -> float | None:
    return None if amount is None else amount / 100000


def _utc(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except OverflowError, OSError, ValueError:
        raise ApiResponseError("ESPI feed: a time is out of range") from None


def _utc_ms(milliseconds: int) -> datetime:
    return _utc(milliseconds // 1000) + timedelta(milliseconds=milliseconds % 1000)


def _utc_or_none(seconds: int | None) -> datetime | None:
    return None if seconds is None else _utc(seconds)


def _seconds(seconds: int, *, positive: bool = True) -> timedelta:
    if positive and seconds <= 0:
        raise ApiResponseError("ESPI feed: a duration is not positive")
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ApiResponseError("ESPI feed: a duration is out of range") from None


def _seconds_or_none(seconds: int | None, *, positive: bool = True) -> timedelta | None:
    return None if seconds is None else _seconds(seconds, positive=positive)


def _linked(
    related: Iterable[str], known: Mapping[str, object], marker: str
) -> str | None:
    """Return the related link to a resource of the feed, else the first looking like one."""
    links = [href for href in related if marker in href]
    return next((href for href in links if href in known), links[0] if links else None)


def _cut(href: str | None, marker: str) -> str | None:
    """`href` up to its last `marker` path segment (`…/MeterReading/x` → `…`), if it has one."""
    if href is None:
        return None
    index = href.rfind(marker)
    if index <= 0:
        return None
    after = href[index + len(marker) : index + len(marker) + 1]
    return href[:index] if after in ("", "/") else None


def _last_segment(href: str) -> str:
    return href.rstrip("/").rsplit("/", 1)[-1]


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _short(err: BaseException) -> str:
    message = str(err)
    return message if len(message) <= 80 else message[:77] + "..."
