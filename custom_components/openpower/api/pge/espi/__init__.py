"""Streaming parser for the Green Button / ESPI 1.1 Atom feeds PG&E serves (Share My Data).

XML goes through `defusedxml`'s expat reader: a DTD (so any entity declaration, a "billion laughs"
bomb or an external entity) is refused, and so is anything that is not well-formed XML. Every
problem with the document raises `ApiResponseError` with a short message; elements and text that
ESPI does not define are ignored. Elements are matched by namespace URI (Atom
`http://www.w3.org/2005/Atom`, ESPI `http://naesb.org/espi`), never by prefix: PG&E writes
`ns0:`/`ns1:` and redeclares them on every entry, Green Button samples use `espi:` or default
namespaces (`reference/apis-pge-enedis.md` §1.10-§1.11, checked on the captured fixtures).

| module | job |
|---|---|
| `models.py` | what a feed holds: usage points, reading types, blocks of readings, summaries |
| `parser.py` | `EspiParser` (incremental) and `parse_espi` (whole documents) |
| `reader.py` | defusedxml's expat reader and the element names it interns |
| `blocks.py` | the hot path: an IntervalBlock's expat events into readings |
| `columns.py` | a block's raw rows, and the compact columns of one held back |
| `tree.py` | the small resources as a bounded element tree, converted to models |
| `links.py` | how blocks and summaries find their meter reading, reading type, usage point |
| `units.py` | values, money and times in the units we report |
| `tariffs.py` | PG&E rate schedule codes (`tariffProfile`) and their names |
"""

from .models import (
    ATOM_NS,
    ESPI_NS,
    FLOW_DELIVERED,
    FLOW_NET,
    FLOW_RECEIVED,
    SERVICE_ELECTRICITY,
    SERVICE_GAS,
    UOM_THERM,
    UOM_WH,
    CostDetail,
    EspiDocument,
    EspiFeed,
    IntervalBlock,
    IntervalReading,
    LineItemKind,
    LocalTimeParameters,
    MeterReading,
    Quantity,
    ReadingType,
    UsagePoint,
    UsageSummary,
)
from .parser import EspiParser, parse_espi
from .tariffs import RATE_SCHEDULES, RateSchedule, rate_schedule

__all__ = [
    "ATOM_NS",
    "ESPI_NS",
    "FLOW_DELIVERED",
    "FLOW_NET",
    "FLOW_RECEIVED",
    "RATE_SCHEDULES",
    "SERVICE_ELECTRICITY",
    "SERVICE_GAS",
    "UOM_THERM",
    "UOM_WH",
    "CostDetail",
    "EspiDocument",
    "EspiFeed",
    "EspiParser",
    "IntervalBlock",
    "IntervalReading",
    "LineItemKind",
    "LocalTimeParameters",
    "MeterReading",
    "Quantity",
    "RateSchedule",
    "ReadingType",
    "UsagePoint",
    "UsageSummary",
    "parse_espi",
    "rate_schedule",
]
