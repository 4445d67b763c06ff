"""A request of ours waiting for PG&E's notification, and what became of its answer.

Each `Batch/Bulk…` request PG&E accepts (202) is answered later by one notification. `Asked` holds
what was asked (the days, why), PG&E's transaction label of the 202 when it gave one (what the
notification answering it carries, `inbox.py`), when the answer came, and the outcome of its
fetches: the backfill waits on it to know whether its window is stored.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from ...api.pge import BulkResource

# PG&E includes the Pacific days whose midnight is in the range: a day's readings start up to a
# day after the range's end, and a DST day shifts starts by an hour.
_SLACK: Final = timedelta(days=1, hours=1)


class Why(StrEnum):
    """Why a request was made (and so which resource it asked)."""

    BACKFILL = "backfill"
    DAILY = "daily"
    ACTION = "action"
    CUSTOMER = "customer"
    PROGRAMS = "programs"

    @property
    def resource(self) -> BulkResource:
        """The resource such a request asks for."""
        return _RESOURCES.get(self, BulkResource.USAGE)


_RESOURCES: Final = {
    Why.CUSTOMER: BulkResource.CUSTOMER,
    Why.PROGRAMS: BulkResource.PROGRAMS,
}


@dataclass(eq=False, slots=True)
class Asked:
    """One accepted request of ours, until its notification came and its feeds were fetched."""

    why: Why
    start: datetime | None
    end: datetime | None
    asked: datetime
    transaction: str | None
    """PG&E's label of the request (`x-transaction-id` of its 202), when it gave one."""
    answered: datetime | None = None
    """When the notification answering it arrived (it no longer waits)."""
    outcome: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    """True once every feed of its answer is stored, False when one could not be."""

    def covers(
        self, first: datetime | None, last: datetime | None, now: datetime
    ) -> bool:
        """Whether readings from `first` to `last` can be PG&E's answer to this request."""
        if first is None or last is None:
            return True
        if self.start is not None and first < self.start - _SLACK:
            return False
        return last <= (self.end or now) + _SLACK

    def settle(self, ok: bool) -> None:
        """Record the outcome of the answer's fetches (the first one counts)."""
        if not self.outcome.done():
            self.outcome.set_result(ok)

    def as_dict(self) -> dict[str, Any]:
        """Return what diagnostics show (whether PG&E labelled it, not the label)."""
        return {
            "why": self.why.value,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "asked": self.asked.isoformat(),
            "labelled": self.transaction is not None,
            "answered": self.answered.isoformat() if self.answered else None,
        }
