"""PG&E rate schedule codes (a UsageSummary's `tariffProfile`) and what they are called.

PG&E writes the code of its billing system, not the tariff book's designation: `E1` for E-1,
`G1` for G-1, and for some accounts a prefixed and suffixed form (`HE6N` on the net-metered
accounts of 2015-2016 and of the 2021 QA capture, `HAG5A` on a 2015 agricultural account;
`reference/apis-pge-enedis.md` §1.14.7). Codes are compared without case, hyphens, spaces or
underscores, so `E-TOU-C`, `ETOUC` and `e_tou_c` are the same schedule. Only codes the captures
show, and PG&E's well-known residential schedules, are listed: any other code has no entry, and the
raw code is what a user is shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import re
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class RateSchedule:
    """A PG&E rate schedule: its tariff-book designation and English title."""

    schedule: str
    """PG&E's designation (`E-TOU-C`): the same in every language."""
    name: str
    """PG&E's English title of the schedule."""
    net_metering: bool
    """Whether the code itself says the account is net-metered (solar NEM)."""


_SEPARATORS: Final = re.compile(r"[\s\-_.]+")


def code_key(code: str) -> str:
    """Return a rate schedule code without case or separators (`E-TOU-C` → `ETOUC`)."""
    return _SEPARATORS.sub("", code).upper()


_RESIDENTIAL_TOU: Final = "Residential Time-of-Use"
RATE_SCHEDULES: Final[Mapping[str, RateSchedule]] = MappingProxyType(
    {
        # Seen in PG&E captures (eemeter 2012-2016, Verdigris 2015, QA 2021).
        "E1": RateSchedule("E-1", "Residential Services", net_metering=False),
        "G1": RateSchedule("G-1", "Residential Gas Service", net_metering=False),
        # The captures bill HE6N as net-metered (a "NEM Minimum Delivery Charges" line): E-6
        # with net energy metering. The leading H is PG&E's and undocumented, as in HAG5A.
        "HE6N": RateSchedule(
            "E-6", f"{_RESIDENTIAL_TOU}, Net Energy Metering", net_metering=True
        ),
        "HAG5A": RateSchedule(
            "AG-5A", "Large Time-of-Use Agricultural Power", net_metering=False
        ),
        # PG&E's residential schedules (pge.com rate plans).
        "E6": RateSchedule("E-6", _RESIDENTIAL_TOU, net_metering=False),
        "ETOUB": RateSchedule(
            "E-TOU-B",
            f"{_RESIDENTIAL_TOU} (Peak Pricing 4-9 p.m. Weekdays)",
            net_metering=False,
        ),
        "ETOUC": RateSchedule(
            "E-TOU-C",
            f"{_RESIDENTIAL_TOU} (Peak Pricing 4-9 p.m. Every Day)",
            net_metering=False,
        ),
        "ETOUD": RateSchedule(
            "E-TOU-D",
            f"{_RESIDENTIAL_TOU} (Peak Pricing 5-8 p.m. Weekdays)",
            net_metering=False,
        ),
        "EV2A": RateSchedule("EV2-A", "Home Charging EV2-A", net_metering=False),
        "EVB": RateSchedule(
            "EV-B", "Home Charging EV-B (separately metered)", net_metering=False
        ),
        "EELEC": RateSchedule(
            "E-ELEC", "Residential Electrification", net_metering=False
        ),
        "NEM": RateSchedule("NEM", "Net Energy Metering", net_metering=True),
        "NEM2": RateSchedule("NEM2", "Net Energy Metering 2.0", net_metering=True),
        "NEM2A": RateSchedule(
            "NEM2A", "Net Energy Metering 2.0, Aggregation", net_metering=True
        ),
        "NEM2V": RateSchedule(
            "NEM2V", "Net Energy Metering 2.0, Virtual", net_metering=True
        ),
        "NBT": RateSchedule(
            "NBT", "Net Billing Tariff (Solar Billing Plan)", net_metering=True
        ),
    }
)
"""Rate schedules by code, keys without separators and in capitals (see `code_key`)."""


def rate_schedule(code: str | None) -> RateSchedule | None:
    """Return the rate schedule a `tariffProfile` code names, None when it is not one we know."""
    return RATE_SCHEDULES.get(code_key(code)) if code else None
