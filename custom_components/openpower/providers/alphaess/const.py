"""AlphaESS provider constants."""

from datetime import timedelta
from typing import Final

PROVIDER: Final = "alphaess"
CONF_APP_ID: Final = "app_id"
CONF_APP_SECRET: Final = "app_secret"
CONF_SERIAL: Final = "serial"
CONF_CHECK_CODE: Final = "check_code"
CONF_VERIFICATION_CODE: Final = "verification_code"
CONF_LIVE_INTERVAL: Final = "live_interval"

SUBENTRY_SYSTEM: Final = "alphaess_system"
PORTAL_URL: Final = "https://open.alphaess.com"
APP_URL: Final = "https://cloud.alphaess.com"

# Cadences by data kind, as Predbat caches them (reference §2.5). With the simulator's account
# (one system with live power and a charger, one on the 5-minute fallback) they make about
# 2,900 requests a day: 1,440 + 288 live, 576 energy + 288 charger status, 96 summary, 192
# schedules and currents, a few for the system list and history.
LIVE_INTERVAL: Final = timedelta(minutes=1)
MIN_LIVE_INTERVAL: Final = 60
MAX_LIVE_INTERVAL: Final = 900
FALLBACK_INTERVAL: Final = timedelta(minutes=5)
"""How often a system without live power has its day's samples read."""
LIVE_FAILURES_BEFORE_FALLBACK: Final = 3
ENERGY_INTERVAL: Final = timedelta(minutes=5)
SUMMARY_INTERVAL: Final = timedelta(minutes=30)
CONTROL_INTERVAL: Final = timedelta(minutes=30)
SYSTEMS_INTERVAL: Final = timedelta(hours=8)
HISTORY_INTERVAL: Final = timedelta(hours=1)
STALE_AFTER: Final = timedelta(minutes=15)
"""Live data kept through a 6053 at most this long (the longest back-off)."""

WRITE_SPACING: Final = 30.0
"""Seconds between two writes to one system (homeassistant-alphaESS's restriction)."""
REFETCH_HOUR: Final = 6
"""Local hour after which yesterday is read once more (AlphaESS completes late uploads)."""

MIN_CHARGER_CURRENT: Final = 6
MAX_CHARGER_CURRENT: Final = 32
