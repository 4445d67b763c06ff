"""defusedxml's expat reader, and the element names it hands the parser interned.

Elements are matched by namespace URI, never by prefix: expat reports a name as "<namespace URI>
<local name>". The names the hot path compares (`blocks.py`) are the very objects expat hands out
(its interning dict is ours), so `is` is enough to compare them.
"""

from collections.abc import Callable
from typing import Any, Final
from xml.sax.handler import feature_namespaces

from defusedxml.expatreader import DefusedExpatParser

from .models import ATOM_NS, ESPI_NS

ATOM: Final = ATOM_NS + " "
"""Prefix of an Atom element's name."""
ESPI: Final = ESPI_NS + " "
"""Prefix of an ESPI element's name."""
FEED: Final = ATOM + "feed"
ENTRY: Final = ATOM + "entry"
LINK: Final = ATOM + "link"
CONTENT: Final = ATOM + "content"
INTERVAL_BLOCK: Final = ESPI + "IntervalBlock"
INTERVAL: Final = ESPI + "interval"
INTERVAL_READING: Final = ESPI + "IntervalReading"
TIME_PERIOD: Final = ESPI + "timePeriod"
START: Final = ESPI + "start"
DURATION: Final = ESPI + "duration"
VALUE: Final = ESPI + "value"
COST: Final = ESPI + "cost"
READING_QUALITY: Final = ESPI + "ReadingQuality"
QUALITY: Final = ESPI + "quality"
TOU: Final = ESPI + "tou"

_INTERNING_DICT: Final = "http://www.python.org/sax/properties/interning-dict"
_INTERNED: Final = (
    FEED,
    ENTRY,
    LINK,
    CONTENT,
    INTERVAL_BLOCK,
    INTERVAL,
    INTERVAL_READING,
    TIME_PERIOD,
    START,
    DURATION,
    VALUE,
    COST,
    READING_QUALITY,
    QUALITY,
    TOU,
)


def local_name(name: str) -> str:
    """Return the local part of an element's name (for messages)."""
    return name.rsplit(" ", 1)[-1]


class Reader(DefusedExpatParser):  # type: ignore[misc]  # defusedxml has no type hints
    """defusedxml's SAX expat reader (DTDs, entities and external references refused).

    Our handlers replace the SAX ones on its expat parser each time it makes one (`reset`), so
    elements reach us without the SAX layer's per-element objects; defusedxml's refusing handlers
    (doctype, entity declarations, external entity references) are left as it installed them.
    """

    def __init__(self, install: Callable[[Any], None]) -> None:
        """Create the reader; `install` takes over each expat parser it makes."""
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self.setFeature(feature_namespaces, True)
        # Expat hands element names out of this dict (`pyexpat.ParserCreate(intern=…)`): the
        # names the hot path compares against are these very objects, so `is` is enough.
        self._names = {name: name for name in _INTERNED}
        self.setProperty(_INTERNING_DICT, self._names)
        self._install = install

    def reset(self) -> None:
        """Make a new expat parser and hand it to `install`."""
        super().reset()
        if self._parser.intern is not self._names:  # pragma: no cover - a stdlib change
            raise RuntimeError("expat does not intern names in the dict it was given")
        self._install(self._parser)
