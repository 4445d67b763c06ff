"""The `openpower.configure_energy_dashboard` action: what the entries offer, added to Energy.

Each loaded entry's provider says where its statistics and sensors belong
(`ProviderSpec.energy_sources`); this adds what the Energy preferences lack, through Home
Assistant's own energy manager, and returns what it added (with `dry_run`, what it would add).
What the user configured is never removed, reordered or changed: a source is added only if none
of its energy statistics is anywhere in the preferences yet, a device only if its statistic is
not, a power sensor only if no source uses it, the home meter only if there is none, and a cost
or compensation statistic only once the recorder has it (a provider whose readings carry no money
stores none, and the dashboard would report the missing statistic). Running it twice adds
nothing the second time.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.components.energy.data import (
    DEVICE_CONSUMPTION_SCHEMA,
    ENERGY_SOURCE_SCHEMA,
    EnergyPreferencesUpdate,
    async_get_manager,
)
from homeassistant.components.recorder.statistics import get_metadata
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    service,
)
from homeassistant.helpers.recorder import get_instance
import probatio

from .const import DOMAIN
from .data import OpenPowerConfigEntry
from .energy import EnergySources

SERVICE_CONFIGURE_ENERGY_DASHBOARD: Final = "configure_energy_dashboard"
ATTR_DRY_RUN: Final = "dry_run"

SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_DRY_RUN, default=False): cv.boolean,
    }
)

type Source = dict[str, Any]


@callback
def async_setup_energy_dashboard(hass: HomeAssistant) -> None:
    """Register the action (administrators only: it changes Home Assistant's settings)."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        return await async_configure(
            hass,
            _target_entries(hass, call.data.get(ATTR_CONFIG_ENTRY_ID)),
            dry_run=call.data[ATTR_DRY_RUN],
        )

    service.async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_CONFIGURE_ENERGY_DASHBOARD,
        handle,
        SCHEMA,
        SupportsResponse.OPTIONAL,
    )


def _target_entries(
    hass: HomeAssistant, entry_id: str | None
) -> list[OpenPowerConfigEntry]:
    """Return the one entry asked for (loaded, ours), or every loaded OpenPower entry."""
    if entry_id is not None:
        return [service.async_get_config_entry(hass, DOMAIN, entry_id)]
    entries: list[OpenPowerConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not entries:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_loaded_entries"
        )
    return entries


def home_source_supported() -> bool:
    """Whether this Home Assistant's Energy preferences accept a home meter (2026.11+)."""
    try:
        ENERGY_SOURCE_SCHEMA([{"type": "home", "stat_energy_to": f"{DOMAIN}:probe"}])
    except probatio.Invalid:
        return False
    return True


async def async_configure(
    hass: HomeAssistant, entries: Iterable[OpenPowerConfigEntry], *, dry_run: bool
) -> dict[str, Any]:
    """Add what the entries offer and the preferences lack; return what was (or would be) added."""
    offers = [
        provider.energy_sources(entry)
        for entry in entries
        if (provider := entry.runtime_data.provider).energy_sources is not None
    ]
    manager = await async_get_manager(hass)
    prefs = manager.data or manager.default_preferences()
    registry = er.async_get(hass)
    plan = Plan.of(prefs["energy_sources"], prefs["device_consumption"])
    plan.home_supported = home_source_supported()
    plan.stored = await _async_stored(hass, _money_ids(offers))
    existing: list[Source] = [dict(source) for source in prefs["energy_sources"]]
    for offer in offers:
        plan.fill_money(existing, offer)
        plan.add(offer, sensor_resolver(registry))
    if plan.sources or plan.devices or plan.money_filled:
        # Validated in a dry run too: it answers what a real run would do, refusal included.
        update = _validated(
            [*existing, *plan.sources],
            [*prefs["device_consumption"], *plan.devices],
        )
        if not dry_run:
            await manager.async_update(update)
    return {
        ATTR_DRY_RUN: dry_run,
        "energy_sources": plan.sources,
        "device_consumption": plan.devices,
        "costs_added": plan.money_filled,
    }


def sensor_resolver(registry: er.EntityRegistry) -> Callable[[str | None], str | None]:
    """Return a function giving the entity id of one of our sensors by unique id, if enabled."""

    def resolve(unique_id: str | None) -> str | None:
        if unique_id is None:
            return None
        entity_id = registry.async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id)
        if entity_id is None or (entity := registry.async_get(entity_id)) is None:
            return None
        return None if entity.disabled else entity_id

    return resolve


def _money_ids(offers: Iterable[EnergySources]) -> set[str]:
    ids: set[str] = set()
    for offer in offers:
        for grid in offer.grid:
            ids.update(i for i in (grid.cost, grid.compensation) if i)
        ids.update(gas.cost for gas in offer.gas if gas.cost)
    return ids


async def _async_stored(hass: HomeAssistant, statistic_ids: set[str]) -> set[str]:
    """Return which of the statistics the recorder has."""
    if not statistic_ids:
        return set()
    found = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids=statistic_ids)
    )
    return set(found)


def _validated(sources: list[Any], devices: list[Any]) -> EnergyPreferencesUpdate:
    """Return the preferences as Home Assistant's own schemas accept them (as saving does)."""
    try:
        return {
            "energy_sources": ENERGY_SOURCE_SCHEMA(sources),
            "device_consumption": [DEVICE_CONSUMPTION_SCHEMA(d) for d in devices],
        }
    except probatio.Invalid as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="energy_preferences_invalid",
            translation_placeholders={"error": str(err)},
        ) from err


def _statistics(item: dict[str, Any]) -> set[str]:
    """Every statistic or entity a source or device names (`stat_*` keys)."""
    return {v for k, v in item.items() if k.startswith("stat_") and isinstance(v, str)}


@dataclass(slots=True)
class Plan:
    """What to add to preferences that already name `used` (statistics and power sensors)."""

    used: set[str]
    has_home: bool
    home_supported: bool = False
    stored: set[str] = field(default_factory=set)
    sources: list[Source] = field(default_factory=list)
    devices: list[Source] = field(default_factory=list)
    money_filled: list[str] = field(default_factory=list)
    """Cost statistics set on a source already there that had no price at all."""

    @classmethod
    def of(cls, sources: Iterable[Any], devices: Iterable[Any]) -> Plan:
        """Start from the preferences' sources and devices."""
        sources, devices = list(sources), list(devices)
        used = set().union(*map(_statistics, sources), *map(_statistics, devices))
        for source in sources:
            used.update(_statistics(source.get("power_config") or {}))
        has_home = any(source.get("type") == "home" for source in sources)
        return cls(used=used, has_home=has_home)

    def _new(self, *statistic_ids: str | None) -> bool:
        """Whether none of the statistics is used yet (then they are, from now on)."""
        ids = {i for i in statistic_ids if i}
        if ids & self.used:
            return False
        self.used |= ids
        return True

    def _money(self, statistic_id: str | None) -> str | None:
        if statistic_id not in self.stored or not self._new(statistic_id):
            return None
        return statistic_id

    def _power(self, entity_id: str | None) -> str | None:
        return entity_id if entity_id and self._new(entity_id) else None

    def fill_money(self, existing: list[Source], offer: EnergySources) -> None:
        """Give a source already there our cost statistic where it has no price at all.

        A grid added before its cost statistic existed (a price source chosen later) would
        otherwise never get it; a price the user set (statistic, entity or number) is kept.
        """
        slots = (
            (
                "stat_energy_from",
                "stat_cost",
                "entity_energy_price",
                "number_energy_price",
            ),
            (
                "stat_energy_to",
                "stat_compensation",
                "entity_energy_price_export",
                "number_energy_price_export",
            ),
        )
        for energy, money in (
            *((grid.energy_from, grid.cost) for grid in offer.grid),
            *((grid.energy_to, grid.compensation) for grid in offer.grid),
            *((gas.energy_from, gas.cost) for gas in offer.gas),
        ):
            if energy is None or money is None or money not in self.stored:
                continue
            for source in existing:
                for energy_key, money_key, entity_key, number_key in slots:
                    if (
                        source.get(energy_key) == energy
                        and source.get(money_key) is None
                        and source.get(entity_key) is None
                        and source.get(number_key) is None
                        and self._new(money)
                    ):
                        source[money_key] = money
                        self.money_filled.append(money)

    def add(
        self, offer: EnergySources, resolve: Callable[[str | None], str | None]
    ) -> None:
        """Add what is new in one entry's offer, in the order of its fields."""
        for grid in offer.grid:
            if not self._new(grid.energy_from, grid.energy_to):
                continue
            source: Source = {
                "type": "grid",
                "stat_energy_from": grid.energy_from,
                "stat_cost": self._money(grid.cost) if grid.energy_from else None,
                "entity_energy_price": None,
                "number_energy_price": None,
                "stat_energy_to": grid.energy_to,
                "stat_compensation": self._money(grid.compensation)
                if grid.energy_to
                else None,
                "entity_energy_price_export": None,
                "number_energy_price_export": None,
                "cost_adjustment_day": 0.0,
            }
            if power := self._power(resolve(grid.power)):
                source |= {"stat_rate": power, "power_config": {"stat_rate": power}}
            self.sources.append(source)
        for solar in offer.solar:
            if self._new(solar.energy_from):
                source = {
                    "type": "solar",
                    "stat_energy_from": solar.energy_from,
                    "config_entry_solar_forecast": None,
                }
                if power := self._power(resolve(solar.power)):
                    source["stat_rate"] = power
                self.sources.append(source)
        for battery in offer.battery:
            if self._new(battery.energy_from, battery.energy_to):
                source = {
                    "type": "battery",
                    "stat_energy_from": battery.energy_from,
                    "stat_energy_to": battery.energy_to,
                }
                if power := self._power(resolve(battery.power)):
                    source |= {"stat_rate": power, "power_config": {"stat_rate": power}}
                if soc := resolve(battery.state_of_charge):
                    source["stat_soc"] = soc
                self.sources.append(source)
        for gas in offer.gas:
            if self._new(gas.energy_from):
                self.sources.append(
                    {
                        "type": "gas",
                        "stat_energy_from": gas.energy_from,
                        "stat_cost": self._money(gas.cost),
                        "entity_energy_price": None,
                        "number_energy_price": None,
                    }
                )
        for device in offer.devices:
            if self._new(device.consumption):
                item: Source = {"stat_consumption": device.consumption}
                if power := self._power(resolve(device.power)):
                    item["stat_rate"] = power
                if device.included_in:
                    item["included_in_stat"] = device.included_in
                self.devices.append(item)
        if (
            (home := offer.home) is not None
            and self.home_supported
            and not self.has_home
        ):
            # The home meter reads the same statistic and sensor as a grid connection: what
            # is used elsewhere does not keep it out, only another home meter does.
            self.has_home = True
            source = {"type": "home", "stat_energy_to": home.energy}
            if power := resolve(home.power):
                source["stat_rate"] = power
            self.sources.append(source)
