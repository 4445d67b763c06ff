"""The streaming ESPI parser: bytes in, resolved `IntervalBlock`s out as soon as they are complete.

Feed it bytes as they arrive (`EspiParser.feed`), then `close()`: each `IntervalBlock` is handed to
the callback as soon as it is complete and resolved (`links.py`), and `close()` returns the small
resources. Besides those small link tables the parser holds one block and 64 KiB of input,
whatever the size of the feed (a four-year 15-minute feed is ~40 MB): a reading is never kept once
its block has been handed over. It is CPU-bound (~4 µs a reading): run it in an executor, not in
the event loop.

- **Late resources.** A ReadingType, MeterReading or UsagePoint may come after the blocks that need
  it. Such blocks are held in compact columns (`columns.py`) keyed by their links, and handed over
  as soon as the missing entry arrives (or at `close()`, where a block still unresolved is an
  error). Blocks are therefore handed over in document order per meter reading, not necessarily
  across meter readings.
- Inside an IntervalBlock the handlers of `blocks.py` run; elsewhere, stray text (PG&E's literal
  backslash-n between entries) and unknown elements are ignored.
- DST days are reported as PG&E sends them: one block of 25 (or 23) hourly readings, or two blocks
  (2 + 23, 2 + 21). Readings are keyed by their UTC start, so either shape is the same data. The
  parser does not merge, split or deduplicate blocks (a re-sent block is sent again).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final
from xml.sax import SAXParseException

from defusedxml import DefusedXmlException

from ...errors import ApiResponseError
from .blocks import ReadingMaker, block_handlers
from .columns import HeldBlock, RawBlock, Row
from .links import AtomEntry, LinkTable
from .models import EspiDocument, EspiFeed, IntervalBlock, ReadingType
from .reader import CONTENT, ENTRY, ESPI, FEED, INTERVAL_BLOCK, LINK, Reader, local_name
from .tree import RESOURCE_KINDS, ResourceReader
from .units import duration, short, utc

_CHUNK: Final = 65536
"""Largest piece handed to expat at once: bounds the memory of one `feed()` call."""


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
        "_entry",
        "_expat",
        "_failed",
        "_links",
        "_maker",
        "_on_block",
        "_pending",
        "_reader",
        "_readings",
        "_ready",
        "_resource",
        "_stack",
    )

    def __init__(self, on_block: Callable[[IntervalBlock], None]) -> None:
        """Create a parser handing each resolved IntervalBlock to `on_block`."""
        self._on_block = on_block
        self._ready: list[IntervalBlock] = []
        self._pending: list[HeldBlock] = []
        self._stack: list[str] = []
        self._entry: AtomEntry | None = None
        self._resource: ResourceReader | None = None
        self._links = LinkTable()
        self._maker = ReadingMaker()
        self._blocks = 0
        self._readings = 0
        self._failed = False
        self._done = False
        self._expat: Any = None
        self._block_begin, self._block_end, self._block_data = block_handlers(
            self._block_done
        )
        self._reader = Reader(self._install)

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
            resolved = self._links.resolve(held.self_href, held.up_href, final=True)
            if resolved is None:
                self._failed = True
                raise ApiResponseError(
                    "ESPI feed: an IntervalBlock's MeterReading or ReadingType is missing"
                )
            self._ready.append(self._released(held, resolved))
        self._deliver()
        links = self._links
        return EspiFeed(
            usage_points=links.usage_points(),
            meter_readings=links.meter_readings(),
            reading_types=links.reading_types(),
            local_time_parameters=links.local_time_parameters(),
            usage_summaries=links.usage_summaries(),
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
                f"ESPI feed: a number is malformed (line {self._line()}): {short(err)}"
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
            if name not in (FEED, ENTRY):
                raise ApiResponseError(
                    f"ESPI feed: expected an Atom feed or entry, got <{local_name(name)}>"
                )
            if name == ENTRY:
                self._entry = AtomEntry(depth)
        elif entry is None:
            if name == ENTRY and depth == 2:
                self._entry = AtomEntry(depth)
        elif self._resource is not None:
            self._resource.start(name, depth)
        elif depth == entry.depth + 1:
            if name == LINK:
                entry.link(attrs.get("rel", "alternate"), attrs.get("href"))
            elif name == CONTENT:
                entry.content_depth = depth
        elif depth == entry.content_depth + 1 and entry.content_depth:
            if name == INTERVAL_BLOCK:
                expat = self._expat
                expat.StartElementHandler = None
                expat.EndElementHandler = self._block_end
                expat.CharacterDataHandler = self._block_data
                self._block_begin()
            elif (
                name.startswith(ESPI) and (kind := name[len(ESPI) :]) in RESOURCE_KINDS
            ):
                self._resource = ResourceReader(kind)

    def _data(self, data: str) -> None:
        if self._resource is not None:
            self._resource.data(data)

    def _end(self, name: str) -> None:
        stack = self._stack
        depth = len(stack)
        if not stack or stack.pop() != name:  # pragma: no cover - expat checks nesting
            raise ApiResponseError("ESPI feed: unexpected element nesting")
        entry = self._entry
        if entry is None:
            return
        if (resource := self._resource) is not None:
            if resource.end(depth):
                entry.resources.append(resource.root)
                self._resource = None
            return
        if depth == entry.depth:
            self._entry = None
            self._entry_done(entry)
        elif depth == entry.content_depth:
            entry.content_depth = 0

    # ---- blocks --------------------------------------------------------------------------------

    def _block_done(
        self, start: int | None, length: int | None, rows: list[Row]
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
        if start is None or length is None:
            raise ApiResponseError("ESPI feed: an IntervalBlock has no interval")
        block = RawBlock(start, length, rows)
        resolved = self._links.resolve(entry.self_href, entry.up_href, final=False)
        if resolved is None:
            entry.blocks.append(block)
        else:
            self._ready.append(
                self._block(entry.self_href, start, length, rows, *resolved)
            )

    def _entry_done(self, entry: AtomEntry) -> None:
        links = self._links
        linked = False
        for node in entry.resources:
            linked |= links.register(node, entry)
        for block in entry.blocks:
            resolved = links.resolve(entry.self_href, entry.up_href, final=False)
            if resolved is None:
                self._pending.append(
                    HeldBlock.of(entry.self_href, entry.up_href, block)
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
            still: list[HeldBlock] = []
            for held in self._pending:
                resolved = links.resolve(held.self_href, held.up_href, final=False)
                if resolved is None:
                    still.append(held)
                else:
                    self._ready.append(self._released(held, resolved))
            self._pending = still

    def _released(
        self, held: HeldBlock, resolved: tuple[str, ReadingType, str]
    ) -> IntervalBlock:
        """Return a held-back block now that its resources are known."""
        return self._block(
            held.self_href, held.start, held.duration, held.rows(), *resolved
        )

    def _block(
        self,
        href: str | None,
        start: int,
        length: int,
        rows: Sequence[Row],
        meter_reading: str,
        reading_type: ReadingType,
        usage_point: str,
    ) -> IntervalBlock:
        readings = self._maker.readings(rows, reading_type)
        self._blocks += 1
        self._readings += len(readings)
        return IntervalBlock(
            href=href,
            usage_point=usage_point,
            meter_reading=meter_reading,
            reading_type=reading_type,
            start=utc(start),
            duration=duration(length),
            readings=readings,
        )
