"""GoodWe (SEMS+) provider constants."""

from datetime import timedelta
from typing import Final

PROVIDER: Final = "goodwe"

# Entry data, besides Home Assistant's CONF_USERNAME (the account e-mail) and CONF_PASSWORD, and
# the shell's `advanced` section with `api_url` (the SEMS+ login host).
CONF_GATEWAY: Final = "gateway"
"""The regional SEMS+ gateway the login answered (`data.api`): every data call goes there."""
CONF_STATION_ID: Final = "station_id"
"""The SEMS+ station (power plant) id: one entry per station, and its unique id."""

PORTAL_URL: Final = "https://semsplus.goodwe.com/"

# Cadences. Peers poll the flow every 60 s and the devices every 5 minutes (reference
# apis-goodwe.md §8): for a hybrid station (inverter, battery, meter: 6 requests a device poll)
# that is about 3,200 requests a day, over the 2,000 a day this provider keeps to. The flow every
# 90 s (960) and the devices every 10 minutes (864), with the statistics hourly, the station
# list and the logins, make about 1,860 (measured by scripts/bench_goodwe.py).
FLOW_INTERVAL: Final = timedelta(seconds=90)
DEVICES_INTERVAL: Final = timedelta(minutes=10)
STATISTICS_INTERVAL: Final = timedelta(hours=1)
SLOW_DOWN_FOR: Final = timedelta(hours=1)
"""After any sign of throttling (`GY0429`, or the account's budget holding a read), each cadence
runs at half speed for this long (from the last sign): peers were blocked for an hour after
bursts (reference §8), and a pause alone would resume at the pace that caused it."""
STALE_AFTER: Final = timedelta(minutes=20)
"""Values kept through failed reads (an empty `data`) at most this long, then unavailable: two
missed device polls."""
STATION_INTERVAL: Final = timedelta(hours=6)
"""The station list (name, time zone): metadata that hardly changes."""
HISTORY_WINDOW_DAYS: Final = 31
"""Days per `stations/statistics` request: SEMS+ answers day buckets for up to a month (§6.1)."""
ISSUE_STATION_ACCESS: Final = "goodwe_station_access"
"""Repair issue: the account has no access to the entry's station any more (100025)."""
