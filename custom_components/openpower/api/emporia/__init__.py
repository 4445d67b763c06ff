"""Emporia cloud client: Cognito sign-in and the legacy API."""

from .auth import CLIENT_ID, DEFAULT_AUTH_URL, USER_POOL_ID, CognitoAuth, Tokens
from .client import (
    DEFAULT_API_URL,
    DEFAULT_MAINTENANCE_URL,
    EMPORIA_LIMITS,
    EmporiaClient,
)
from .models import (
    BALANCE,
    MAINS,
    Channel,
    Charger,
    ChartUsage,
    Customer,
    Device,
    DeviceStatus,
    Outlet,
    Usages,
)

__all__ = [
    "BALANCE",
    "CLIENT_ID",
    "DEFAULT_API_URL",
    "DEFAULT_AUTH_URL",
    "DEFAULT_MAINTENANCE_URL",
    "EMPORIA_LIMITS",
    "MAINS",
    "USER_POOL_ID",
    "Channel",
    "Charger",
    "ChartUsage",
    "CognitoAuth",
    "Customer",
    "Device",
    "DeviceStatus",
    "EmporiaClient",
    "Outlet",
    "Tokens",
    "Usages",
]
