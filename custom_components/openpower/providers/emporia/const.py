"""Emporia provider constants."""

from datetime import timedelta
from enum import StrEnum
from typing import Final

PROVIDER: Final = "emporia"
# Entry-data keys beyond Home Assistant's CONF_EMAIL, CONF_PASSWORD and CONF_ACCESS_TOKEN.
CONF_ID_TOKEN: Final = "id_token"
CONF_REFRESH_TOKEN: Final = "refresh_token"
CONF_AUTH_URL: Final = "auth_url"
CONF_MAINTENANCE_URL: Final = "maintenance_url"
CONF_SENSORS: Final = "sensors"

APP_URL: Final = "https://web.emporiaenergy.com"

# Cadences. With one account these make 1,440 + 288 + 24 + 48 requests a day, plus an id-token
# refresh an hour: about 1,830, under the 1,900 the budget allows. Backfill and gap filling add one
# getChartUsage per channel filled (two when the price varies in time: the 15MIN profile).
POWER_INTERVAL: Final = timedelta(seconds=60)
STATUS_INTERVAL: Final = timedelta(minutes=5)
DEVICES_INTERVAL: Final = timedelta(hours=1)
# Minutes after the hour at which the last hour is read: Emporia needs a moment to complete it.
HISTORY_OFFSET: Final = timedelta(minutes=3)
# Every hourly run reads this many complete hours, so a revised hour is picked up.
HISTORY_LOOKBACK_HOURS: Final = 2
# A channel whose gap-filling request brought nothing new is not asked again before this.
GAP_RETRY: Final = timedelta(hours=3)

MIN_CHARGING_CURRENT: Final = 6
CHARGER_STATUSES: Final = ["standby", "charging"]


class SensorSet(StrEnum):
    """Optional sensor groups (options flow)."""

    POWER = "power"
    ENERGY_TODAY = "energy_today"
