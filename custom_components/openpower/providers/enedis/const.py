"""Enedis provider constants: entry keys, history depths and the daily schedule."""

from datetime import time, timedelta
from enum import StrEnum
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
CONTRACT_INTERVAL: Final = timedelta(days=7)
"""How often the contract is read again after setup. A contract changes rarely, and Data
Connect's costs three calls (situation, synthesis, metering): read daily, they alone would take
a meter past five requests a day."""
RECENT_DAYS: Final = 7
"""Days the daily values are kept for the sensors and asked again after a gap."""

# ---- options ---------------------------------------------------------------------------------
CONF_DATA: Final = "data"
"""Options: the kinds of data asked (`DataKind` values); absent: every kind the meter has."""
CONF_TARIFF: Final = "tariff"
"""Options: a `Tariff` value; the `cost` option (pricing.py) is derived from it."""
CONF_BASE_PRICE: Final = "base_price"
CONF_PEAK_PRICE: Final = "peak_price"
CONF_OFFPEAK_PRICE: Final = "offpeak_price"
CONF_OFFPEAK_HOURS: Final = "offpeak_hours"
"""Off-peak ranges as `HH:MM-HH:MM`, separated by `,` or `;` (the contract's, or typed)."""
CONF_PRODUCTION_PRICE: Final = "production_price"
"""What produced energy sold to the grid earns (€/kWh), for the compensation statistic."""


class DataKind(StrEnum):
    """What a meter may serve, detected from Enedis's answers and chosen in the options."""

    CONSUMPTION = "consumption"
    PRODUCTION = "production"
    LOAD_CURVE = "load_curve"
    MAX_POWER = "max_power"


class Tariff(StrEnum):
    """How consumption is priced."""

    NONE = "none"
    BASE = "base"
    PEAK_OFFPEAK = "peak_offpeak"
    OTHER = "other"
    """The shared price steps: a time-of-use tariff of one's own, or another entry's prices."""


# ---- repairs (translation keys under `issues`) ---------------------------------------------------
ISSUE_CONSENT: Final = "enedis_consent"
"""ADAM-DC-0008: consent revoked or expired."""
ISSUE_NOT_HOLDER: Final = "enedis_not_holder"
"""ADAM-DC-0007: the consenting customer is not the meter's holder (2026 malfunction)."""
ISSUE_COLLECTION_OFF: Final = "enedis_collection_off"
"""Daily values but a 404 for the load curve: hourly collection is off in the customer's account."""
ISSUE_OFFPEAK_CHANGED: Final = "enedis_offpeak_changed"
"""The contract's off-peak hours are no longer those the peak/off-peak tariff prices with."""
ISSUE_QUOTA: Final = "enedis_quota"
"""A gateway's quota is spent (Conso API, MyElectricalData)."""
