"""Amber Electric public API v1 client."""

from .client import AMBER_LIMITS, DEFAULT_API_URL, AmberClient
from .models import (
    AdvancedPrice,
    Channel,
    ChannelType,
    Descriptor,
    IntervalKind,
    PriceInterval,
    Site,
    SiteStatus,
    SpikeStatus,
    TariffPeriod,
    TariffSeason,
    UsageInterval,
    UsageQuality,
)

__all__ = [
    "AMBER_LIMITS",
    "DEFAULT_API_URL",
    "AdvancedPrice",
    "AmberClient",
    "Channel",
    "ChannelType",
    "Descriptor",
    "IntervalKind",
    "PriceInterval",
    "Site",
    "SiteStatus",
    "SpikeStatus",
    "TariffPeriod",
    "TariffSeason",
    "UsageInterval",
    "UsageQuality",
]
