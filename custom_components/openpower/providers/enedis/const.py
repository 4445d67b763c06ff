"""Enedis provider constants: entry keys, history depths and the daily schedule."""

from datetime import time, timedelta
from typing import Final

PROVIDER: Final = "enedis"
CONF_BACKEND: Final = "backend"
"""One of `api.enedis.Backend`'s values (`conso_api`, `myelectricaldata`, `data_connect`)."""
CONF_TOKEN: Final = "token"
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"
CONF_PRM: Final = "prm"

MANUFACTURER: Final = "Enedis"
MODEL: Final = "Linky"

CURVE_HISTORY_MONTHS: Final = 24
"""How far back Enedis serves load curves (plus 15 days, which the backfill leaves alone)."""
DAILY_HISTORY_MONTHS: Final = 36
"""How far back Enedis serves daily values and maximum power."""
CURVE_WINDOW_DAYS: Final = 7
DAILY_WINDOW_DAYS: Final = 365

PUBLICATION: Final = time(8, 0)
"""Enedis publishes yesterday's measures from about 08:00 Paris time."""
RETRIES: Final = (time(13, 0), time(18, 0))
"""Later tries, Paris time, when yesterday is not out in the morning (Conso API's advice:
early afternoon, then the next day)."""
MAX_JITTER: Final = timedelta(minutes=50)
"""Each meter asks at its own minute after the hour, so the gateways see no burst at 08:00."""
POLL_INTERVAL: Final = timedelta(minutes=30)
"""How often the schedule is checked; a check that is not due sends nothing."""
CONTRACT_INTERVAL: Final = timedelta(days=1)
RECENT_DAYS: Final = 7
"""Days the daily values are kept for the sensors and asked again after a gap."""
