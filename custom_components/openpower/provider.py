"""What a provider gives the integration shell, and the typed runtime data of an entry.

The shell knows providers only through `ProviderSpec`s listed in `providers/__init__.py`.
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry, OptionsFlow
from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.util.hass_dict import HassKey
import probatio

from .api.budget import RateLimit, RequestBudget
from .const import DOMAIN
from .coordinator import OpenPowerCoordinator
from .entity import (
    DeviceRef,
    OpenPowerBinarySensorDescription,
    OpenPowerNumberDescription,
    OpenPowerSensorDescription,
    OpenPowerSwitchDescription,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceSpec[R]:
    """An action one provider offers (`openpower.<provider>_<action>`)."""

    name: str
    schema: probatio.Schema
    handler: Callable[[R, Mapping[str, Any]], Awaitable[ServiceResponse]]
    response: SupportsResponse = SupportsResponse.NONE


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderSpec[R]:
    """A provider, as the shell sees it.

    `R` is the provider's runtime data (clients and coordinators of one entry).
    """

    key: str
    name: str
    async_setup: Callable[[HomeAssistant, OpenPowerConfigEntry], Awaitable[R]]
    coordinators: Callable[[R], Mapping[str, OpenPowerCoordinator[Any]]]
    devices: Callable[[R], Iterable[DeviceRef]]
    reauth_step: str
    reconfigure_step: str
    async_remove: (
        Callable[[HomeAssistant, OpenPowerConfigEntry], Awaitable[None]] | None
    ) = None
    """Clean up what the provider made outside Home Assistant (a cloudhook) for a removed entry."""
    sensors: tuple[OpenPowerSensorDescription[R, Any], ...] = ()
    binary_sensors: tuple[OpenPowerBinarySensorDescription[R, Any], ...] = ()
    switches: tuple[OpenPowerSwitchDescription[R, Any], ...] = ()
    numbers: tuple[OpenPowerNumberDescription[R, Any], ...] = ()
    services: tuple[ServiceSpec[R], ...] = ()
    options_flow: Callable[[], OptionsFlow] | None = None
    diagnostics: Callable[[R], Mapping[str, Any]] = lambda _runtime: {}
    redact: frozenset[str] = field(default_factory=frozenset)


@dataclass(kw_only=True, slots=True)
class OpenPowerData[R]:
    """What a loaded entry holds: its provider and that provider's runtime data."""

    provider: ProviderSpec[R]
    runtime: R


type OpenPowerConfigEntry = ConfigEntry[OpenPowerData[Any]]

_BUDGETS: HassKey[dict[tuple[str, str], RequestBudget]] = HassKey(f"{DOMAIN}_budgets")


def account_budget(
    hass: HomeAssistant, provider: str, account: str, limits: tuple[RateLimit, ...]
) -> RequestBudget:
    """Return the request budget every entry of one provider account shares."""
    budgets = hass.data.setdefault(_BUDGETS, {})
    if (budget := budgets.get((provider, account))) is None:
        budget = budgets[(provider, account)] = RequestBudget(limits)
    return budget
