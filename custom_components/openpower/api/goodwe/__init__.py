"""GoodWe SEMS+ Web API client (read-only; reference apis-goodwe.md).

Hosts and the regional gateway §1; cross-login with the MD5-then-base64 password §2.2; the
`token` and `X-Signature` headers §2.3; sessions §2.4; endpoints §3.1; envelope and codes §4;
units and signs §5.1–§5.3; statistics §6.1; limits §8; quirks §9 (midnight replay and counter
dips are the provider's to guard); design §12. Nothing here was checked against the live service.
"""

from .auth import DEFAULT_LOGIN_URL, WebSession
from .client import GOODWE_LIMITS, MAX_IN_FLIGHT, GoodWeClient
from .errors import GoodWeSessionError, StationAccessError
from .models import (
    Counters,
    Device,
    DeviceKind,
    Dimension,
    Flow,
    PvString,
    Station,
    StatisticsBucket,
    Telemetry,
)
from .signature import password_hash, signature
from .stations import utc_offset

__all__ = [
    "DEFAULT_LOGIN_URL",
    "GOODWE_LIMITS",
    "MAX_IN_FLIGHT",
    "Counters",
    "Device",
    "DeviceKind",
    "Dimension",
    "Flow",
    "GoodWeClient",
    "GoodWeSessionError",
    "PvString",
    "Station",
    "StationAccessError",
    "StatisticsBucket",
    "Telemetry",
    "WebSession",
    "password_hash",
    "signature",
    "utc_offset",
]
