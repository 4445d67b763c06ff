"""AlphaESS Open API client."""

from .client import ALPHAESS_LIMITS, DEFAULT_API_URL, AlphaEssClient
from .errors import (
    AlphaEssClockError,
    AlphaEssNoDataError,
    AlphaEssNotBoundError,
    AlphaEssOfflineError,
    AlphaEssPermissionError,
    AlphaEssRefusedError,
    AlphaEssServerError,
)
from .models import (
    Charger,
    ChargerStatus,
    DailyEnergy,
    EnergySummary,
    LegacyCharge,
    LegacyDischarge,
    LivePower,
    Period,
    PeriodicSchedule,
    PowerSample,
    System,
    format_time_of_day,
    on_grid,
)

__all__ = [
    "ALPHAESS_LIMITS",
    "DEFAULT_API_URL",
    "AlphaEssClient",
    "AlphaEssClockError",
    "AlphaEssNoDataError",
    "AlphaEssNotBoundError",
    "AlphaEssOfflineError",
    "AlphaEssPermissionError",
    "AlphaEssRefusedError",
    "AlphaEssServerError",
    "Charger",
    "ChargerStatus",
    "DailyEnergy",
    "EnergySummary",
    "LegacyCharge",
    "LegacyDischarge",
    "LivePower",
    "Period",
    "PeriodicSchedule",
    "PowerSample",
    "System",
    "format_time_of_day",
    "on_grid",
]
