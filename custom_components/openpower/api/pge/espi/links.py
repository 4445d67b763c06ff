"""How the resources of an ESPI feed find each other: by `href`, never by entry order.

- IntervalBlock → MeterReading: a MeterReading whose `related` link is the block's `self` or `up`
  link (Opower links the block itself, PG&E the `…/IntervalBlock` collection), else the
  MeterReading whose `self` link is the block's link cut at `/IntervalBlock`;
- MeterReading → ReadingType: its `related` link that is the `self` link of a ReadingType;
- MeterReading → UsagePoint: a UsagePoint whose `related` link is the MeterReading (Opower) or its
  `up` collection (PG&E), else the UsagePoint whose `self` link is the MeterReading's cut at
  `/MeterReading`;
- UsageSummary → UsagePoint: likewise through `/UsageSummary` (`ElectricPowerUsageSummary`).

Duplicated resources (the eemeter feed repeats its UsagePoint and a MeterReading) are harmless.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .columns import RawBlock
from .models import (
    LocalTimeParameters,
    MeterReading,
    ReadingType,
    UsagePoint,
    UsageSummary,
)
from .tree import (
    SUMMARY_KINDS,
    Node,
    local_time_parameters,
    reading_type,
    usage_summary,
)


class AtomEntry:
    """What is known of the Atom entry being read: its links and what its content held."""

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
        """Start an entry opened at `depth`."""
        self.depth = depth
        self.content_depth = 0
        self.self_href: str | None = None
        self.up_href: str | None = None
        self.related: list[str] = []
        self.resources: list[Node] = []
        self.blocks: list[RawBlock] = []

    def link(self, rel: str, href: str | None) -> None:
        """Note one of the entry's `<link>`s."""
        if href is None:
            return
        href = href.strip()
        if rel == "self":
            self.self_href = href
        elif rel == "up":
            self.up_href = href
        elif rel == "related":
            self.related.append(href)


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
    node: Node


class LinkTable:
    """The feed's resources by href, and the links that resolve a block or a summary."""

    __slots__ = (
        "_local_times",
        "_meter_readings",
        "_mr_by_related",
        "_reading_types",
        "_summaries",
        "_up_by_related",
        "_usage_points",
    )

    def __init__(self) -> None:
        """Start with no resource."""
        self._reading_types: dict[str, ReadingType] = {}
        self._meter_readings: dict[str, _MeterReadingLinks] = {}
        self._mr_by_related: dict[str, str] = {}
        self._usage_points: dict[str, _UsagePointLinks] = {}
        self._up_by_related: dict[str, str] = {}
        self._local_times: dict[str, LocalTimeParameters] = {}
        self._summaries: list[_SummaryEntry] = []

    def register(self, node: Node, entry: AtomEntry) -> bool:
        """Store a resource of `entry`; True when it may resolve held-back blocks."""
        href = entry.self_href
        if node.name in SUMMARY_KINDS:
            self._summaries.append(_SummaryEntry(href, entry.up_href, node))
            return False
        if href is None:
            return False  # a resource nothing can link to
        if node.name == "ReadingType":
            self._reading_types[href] = reading_type(href, node)
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
            self._local_times[href] = local_time_parameters(href, node)
            return False
        return True

    def resolve(
        self, self_href: str | None, up_href: str | None, *, final: bool
    ) -> tuple[str, ReadingType, str] | None:
        """(MeterReading href, ReadingType, UsagePoint href) of a block, if all are known.

        `final` (the end of the feed) takes a UsagePoint href cut from the MeterReading's even
        when no such UsagePoint came.
        """
        mr_href = None
        for href in (self_href, up_href):
            if href is not None and (mr_href := self._mr_by_related.get(href)):
                break
        else:
            for href in (self_href, up_href):
                prefix = cut(href, "/IntervalBlock")
                if prefix is not None and prefix in self._meter_readings:
                    mr_href = prefix
                    break
        if mr_href is None:
            return None
        mr = self._meter_readings[mr_href]
        found = next(
            (rt for h in mr.related if (rt := self._reading_types.get(h))), None
        )
        usage_point = self._usage_point_of(mr, final=final)
        if found is None or usage_point is None:
            return None
        return mr_href, found, usage_point

    def usage_points(self) -> tuple[UsagePoint, ...]:
        """Return the feed's UsagePoints."""
        return tuple(
            UsagePoint(
                up.href,
                up.service_kind,
                _linked(up.related, self._local_times, "/LocalTimeParameters"),
            )
            for up in self._usage_points.values()
        )

    def meter_readings(self) -> tuple[MeterReading, ...]:
        """Return the feed's MeterReadings, linked as far as the feed says."""
        return tuple(
            MeterReading(
                mr.href,
                self._usage_point_of(mr, final=True),
                _linked(mr.related, self._reading_types, "/ReadingType"),
            )
            for mr in self._meter_readings.values()
        )

    def reading_types(self) -> tuple[ReadingType, ...]:
        """Return the feed's ReadingTypes."""
        return tuple(self._reading_types.values())

    def local_time_parameters(self) -> tuple[LocalTimeParameters, ...]:
        """Return the feed's LocalTimeParameters."""
        return tuple(self._local_times.values())

    def usage_summaries(self) -> tuple[UsageSummary, ...]:
        """Return the feed's UsageSummaries, each with its UsagePoint."""
        return tuple(
            usage_summary(entry.href, self._usage_point_of_summary(entry), entry.node)
            for entry in self._summaries
        )

    def _usage_point_of(self, mr: _MeterReadingLinks, *, final: bool) -> str | None:
        for href in (mr.href, mr.up_href):
            if href is not None and (usage_point := self._up_by_related.get(href)):
                return usage_point
        prefix = cut(mr.href, "/MeterReading")
        if prefix is not None and (final or prefix in self._usage_points):
            return prefix
        return None

    def _usage_point_of_summary(self, entry: _SummaryEntry) -> str | None:
        for href in (entry.up_href, entry.href):
            if href is not None and (usage_point := self._up_by_related.get(href)):
                return usage_point
            for marker in ("/UsageSummary", "/ElectricPowerUsageSummary"):
                if (prefix := cut(href, marker)) is not None:
                    return prefix
        return None


def _linked(
    related: Iterable[str], known: Mapping[str, object], marker: str
) -> str | None:
    """Return the related link to a resource of the feed, else the first looking like one."""
    links = [href for href in related if marker in href]
    return next((href for href in links if href in known), links[0] if links else None)


def cut(href: str | None, marker: str) -> str | None:
    """`href` up to its last `marker` path segment (`…/MeterReading/x` → `…`), if it has one."""
    if href is None:
        return None
    index = href.rfind(marker)
    if index <= 0:
        return None
    after = href[index + len(marker) : index + len(marker) + 1]
    return href[:index] if after in ("", "/") else None
