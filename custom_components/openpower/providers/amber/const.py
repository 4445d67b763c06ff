"""Amber Electric provider constants."""

from datetime import timedelta
from enum import StrEnum
from typing import Final

PROVIDER: Final = "amber"
CONF_SITE_ID: Final = "site_id"
CONF_SITE_NAME: Final = "site_name"

ATTR_FORECASTS: Final = "forecasts"

CONF_FORECAST_HOURS: Final = "forecast_hours"
CONF_PRICING_MODE: Final = "pricing_mode"
DEFAULT_FORECAST_HOURS: Final = 24
MAX_FORECAST_HOURS: Final = 48

# A "Cheap window" subentry: a binary sensor on while the chosen cheapest intervals run.
SUBENTRY_CHEAP_WINDOW: Final = "amber_cheap_window"
CONF_DURATION: Final = "duration"
CONF_LATEST_END: Final = "latest_end"
CONF_CONTIGUOUS: Final = "contiguous"
MAX_WINDOW_MINUTES: Final = 1440

TOKEN_URL: Final = "https://app.amber.com.au/developers/"
APP_URL: Final = "https://app.amber.com.au"

# Interval-aligned price polling: fetch just after each boundary; while the current price is an
# estimate, poll again 15-30 s apart, for at most 2 minutes into the interval.
FIRST_POLL_DELAY: Final = timedelta(seconds=1)
SCHEDULING_SLACK: Final = timedelta(seconds=1)
CONFIRM_POLL_MIN: Final = timedelta(seconds=15)
CONFIRM_POLL_MAX: Final = timedelta(seconds=30)
CONFIRM_WINDOW: Final = timedelta(minutes=2)
CONFIRM_STEP: Final = timedelta(seconds=1)

# Site status and usage history: Amber keeps 90 days; settled corrections arrive within a week.
SITE_REFRESH: Final = timedelta(hours=6)
REFETCH_DAYS: Final = 7
SETTLE_DAYS: Final = 5


class PricingMode(StrEnum):
    """Which Amber figure the price and forecast sensors show."""

    PER_KWH = "per_kwh"
    ADVANCED_PREDICTED = "advanced_predicted"
