"""Enedis (Linky) through the Conso API, MyElectricalData or Data Connect 2026."""

from .access import is_prm, read_conso_api_token
from .client import MAX_CURVE_DAYS, MAX_DAILY_DAYS, USER_AGENT, Backend, EnedisBackend
from .conso_api import CONSO_API_LIMITS, ConsoApiClient, conso_api_budget
from .contract import parse_offpeak_hours, tariff_option
from .data_connect import DATA_CONNECT_LIMITS, DataConnectBudgets, DataConnectClient
from .errors import (
    EnedisConsentError,
    EnedisHistoryLimitError,
    EnedisNoDataError,
    EnedisNotHolderError,
    EnedisNotSubscribedError,
    EnedisQuotaError,
    EnedisRefusedError,
    EnedisWrongDirectionError,
)
from .models import (
    PARIS,
    ConsoApiToken,
    Contract,
    Customer,
    DailyReading,
    Direction,
    LoadCurvePoint,
    MaxPower,
    MedAccess,
    OffPeakRange,
    SubscribedService,
    TariffOption,
)
from .myelectricaldata import MED_LIMITS, MyElectricalDataClient, med_budget

__all__ = [
    "CONSO_API_LIMITS",
    "DATA_CONNECT_LIMITS",
    "MAX_CURVE_DAYS",
    "MAX_DAILY_DAYS",
    "MED_LIMITS",
    "PARIS",
    "USER_AGENT",
    "Backend",
    "ConsoApiClient",
    "ConsoApiToken",
    "Contract",
    "Customer",
    "DailyReading",
    "DataConnectBudgets",
    "DataConnectClient",
    "Direction",
    "EnedisBackend",
    "EnedisConsentError",
    "EnedisHistoryLimitError",
    "EnedisNoDataError",
    "EnedisNotHolderError",
    "EnedisNotSubscribedError",
    "EnedisQuotaError",
    "EnedisRefusedError",
    "EnedisWrongDirectionError",
    "LoadCurvePoint",
    "MaxPower",
    "MedAccess",
    "MyElectricalDataClient",
    "SubscribedService",
    "OffPeakRange",
    "TariffOption",
    "conso_api_budget",
    "is_prm",
    "med_budget",
    "parse_offpeak_hours",
    "read_conso_api_token",
    "tariff_option",
]
