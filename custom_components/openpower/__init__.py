"""OpenPower: PG&E Share My Data, Emporia Vue, AlphaESS, Amber Electric and Enedis in one integration."""

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .api.errors import ApiError
from .const import CONF_PROVIDER, DOMAIN
from .coordinator import issue_id
from .data import OpenPowerConfigEntry, OpenPowerData
from .entity import DeviceRef
from .errors import setup_error
from .pricing import async_remove_pricing
from .providers import PROVIDERS
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions of every provider (once, whatever the entries)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> bool:
    """Set up one entry of one provider."""
    spec = PROVIDERS[entry.data[CONF_PROVIDER]]
    try:
        runtime = await spec.async_setup(hass, entry)
    except ApiError as err:
        raise setup_error(err) from err
    entry.runtime_data = OpenPowerData(provider=spec, runtime=runtime)
    registered: set[DeviceRef] = set()

    @callback
    def sync_devices() -> None:
        # Coordinators update every minute; the registry only when the devices changed.
        if (devices := set(spec.devices(runtime))) != registered:
            _async_sync_devices(hass, entry)
            registered.clear()
            registered.update(devices)

    for coordinator in spec.coordinators(runtime).values():
        entry.async_on_unload(coordinator.async_add_listener(sync_devices))
    sync_devices()
    await hass.config_entries.async_forward_entry_setups(entry, spec.platforms)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> bool:
    """Unload an entry; its coordinators and timers stop with it."""
    return await hass.config_entries.async_unload_platforms(
        entry, entry.runtime_data.provider.platforms
    )


async def async_remove_entry(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> None:
    """Drop the repair issues of a removed entry (its statistics stay, as history)."""
    await async_remove_pricing(hass, entry.entry_id)
    if (remove := PROVIDERS[entry.data[CONF_PROVIDER]].async_remove) is not None:
        await remove(hass, entry)
    registry = ir.async_get(hass)
    prefix = issue_id(entry.entry_id, "")
    for domain, ident in list(registry.issues):
        if domain == DOMAIN and ident.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, ident)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: OpenPowerConfigEntry, device: DeviceEntry
) -> bool:
    """Allow removing a device the provider no longer reports."""
    return not _current_device_uids(entry) & {
        ident for domain, ident in device.identifiers if domain == DOMAIN
    }


def _current_device_uids(entry: OpenPowerConfigEntry) -> set[str]:
    data = entry.runtime_data
    return {device.uid for device in data.provider.devices(data.runtime)}


@callback
def _async_sync_devices(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> None:
    """Register the provider's devices (parents first), remove those it stopped reporting.

    Registering here, before any entity, lets a child device (a circuit under its monitor)
    name its parent whatever order the entities are added in. Listeners run in the order
    they were added, so a device that appears is registered before its entities are.
    """
    data = entry.runtime_data
    registry = dr.async_get(hass)
    current: set[str] = set()
    for ref in data.provider.devices(data.runtime):
        current.add(ref.uid)
        registry.async_get_or_create(
            config_entry_id=entry.entry_id, **ref.device_info(hass, entry.entry_id)
        )
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        uids = {ident for domain, ident in device.identifiers if domain == DOMAIN}
        if uids and not uids & current:
            registry.async_remove_device(device.id)
