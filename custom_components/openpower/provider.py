"""What a provider gives the integration shell.

The shell knows providers only through the `ProviderSpec`s listed in `providers/__init__.py`:
how to set an entry up, its coordinators and devices, its entities as descriptions per platform,
its config flow, options flow, actions and diagnostics. Entry callables take the plain
`ConfigEntry` (its `runtime_data` is `data.OpenPowerData`).
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentryFlow, OptionsFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceResponse, SupportsResponse
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.hass_dict import HassKey
import probatio

from .api.budget import RateLimit, RequestBudget
from .const import DOMAIN
from .coordinator import OpenPowerCoordinator
from .energy import EnergySources
from .entity import DeviceRef, OpenPowerEntityDescription
from .flow import ProviderFlow
from .pricing import PriceTable


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceSpec[R]:
    """An action one provider offers (`openpower.<provider>_<action>`).

    `admin`: only administrators may call it (it spends the provider's quota, say).
    """

    name: str
    schema: probatio.Schema
    handler: Callable[[R, Mapping[str, Any]], Awaitable[ServiceResponse]]
    response: SupportsResponse = SupportsResponse.NONE
    admin: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderSpec[R]:
    """A provider, as the shell sees it.

    `R` is the provider's runtime data (clients and coordinators of one entry). `entities` maps
    each platform the provider uses to its descriptions, whose class is that platform's
    (`sensor.OpenPowerSensorDescription` for `Platform.SENSOR`); an entry forwards exactly those
    platforms.
    """

    key: str
    name: str
    async_setup: Callable[[HomeAssistant, ConfigEntry], Awaitable[R]]
    coordinators: Callable[[R], Mapping[str, OpenPowerCoordinator[Any]]]
    devices: Callable[[R], Iterable[DeviceRef]]
    config_flow: type[ProviderFlow]
    entities: Mapping[Platform, tuple[OpenPowerEntityDescription[R, Any], ...]] = field(
        default_factory=dict
    )
    extra_entities: Mapping[
        Platform, Callable[[ConfigEntry, AddConfigEntryEntitiesCallback], None]
    ] = field(default_factory=dict)
    """Entities a description per device cannot express (one per subentry), by platform.

    Each callable adds them when the platform sets up, and may keep adding (it runs in the event
    loop, once per entry setup). A platform listed here must also have descriptions.
    """
    services: tuple[ServiceSpec[R], ...] = ()
    options_flow: Callable[[], OptionsFlow] | None = None
    subentry_flows: Mapping[str, type[ConfigSubentryFlow]] = field(default_factory=dict)
    """Sub-items the user adds to an entry (an inverter on an account), by subentry type.

    Types start with the provider key (`alphaess_system`): their texts are translated under
    `config_subentries.<type>`.
    """
    diagnostics: Callable[[R], Mapping[str, Any]] = lambda _runtime: {}
    redact: frozenset[str] = field(default_factory=frozenset)
    price_table: Callable[[R], PriceTable] | None = None
    """The prices this provider's entry offers other entries' cost statistics (an Amber site)."""
    async_remove: Callable[[HomeAssistant, ConfigEntry], Awaitable[None]] | None = None
    """Clean up what the provider made outside Home Assistant (a cloudhook) for a removed entry."""
    energy_sources: Callable[[ConfigEntry], EnergySources] | None = None
    """Where a loaded entry's statistics and sensors belong in the Energy preferences."""

    @property
    def platforms(self) -> list[Platform]:
        """The platforms this provider has entities on."""
        return [platform for platform, found in self.entities.items() if found]


class AccountShared[T]:
    """One object per provider account, shared by every entry and flow of that account.

    What must exist once per account lives here: the request budget its limits count against,
    and, where a provider's login ends the account's previous session, the logged-in client.
    """

    def __init__(self, name: str) -> None:
        """Keep the objects in `hass.data` under `name`."""
        self._key: HassKey[dict[tuple[str, ...], T]] = HassKey(f"{DOMAIN}_{name}")

    def get(
        self, hass: HomeAssistant, account: tuple[str, ...], create: Callable[[], T]
    ) -> T:
        """Return the account's object, created the first time it is asked for."""
        shared = hass.data.setdefault(self._key, {})
        if (found := shared.get(account)) is None:
            found = shared[account] = create()
        return found


_BUDGETS: AccountShared[RequestBudget] = AccountShared("budgets")


def account_budget(
    hass: HomeAssistant, provider: str, account: str, limits: tuple[RateLimit, ...]
) -> RequestBudget:
    """Return the request budget every entry of one provider account shares."""
    return _BUDGETS.get(hass, (provider, account), lambda: RequestBudget(limits))
