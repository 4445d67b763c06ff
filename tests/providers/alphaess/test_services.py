"""The `openpower.alphaess_unbind_system` action: a system's device, administrators only.

Unbinding calls `unBindSn`; the system's device (and its charger's) and their entities go, and
so does the "Add system" subentry that bound it. Anything but a system device is refused.
"""

from types import MappingProxyType

from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
)
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_CHARGER,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    Simulator,
)

from .conftest import english
from .control_common import (
    NOW,
    alphaess,
    async_set_up_in_sydney,
    charger_entity,
    system_entity,
    writes,
)

pytestmark = pytest.mark.freeze_time(NOW)

UNBIND = "alphaess_unbind_system"


def add_system_subentry(
    hass: HomeAssistant, entry: MockConfigEntry, serial: str
) -> None:
    """Add the subentry "Add system" makes when it binds `serial`."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType({"serial": serial}),
            subentry_type="alphaess_system",
            title=serial,
            unique_id=serial,
        ),
    )


def device_id_of(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, serial: str
) -> str:
    """Return the registry id of the device of a system or charger serial."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"alphaess_{serial}"), entry.entry_id
    )
    assert device is not None
    return device.id


async def unbind(
    hass: HomeAssistant, device_id: str, context: Context | None = None
) -> None:
    """Run the action on a device."""
    await hass.services.async_call(
        DOMAIN, UNBIND, {"device_id": device_id}, blocking=True, context=context
    )


async def test_unbind_system(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The system leaves the AppID; its devices, entities and subentry go, the other stays."""
    for serial in (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM):
        add_system_subentry(hass, alphaess_entry, serial)
    await async_set_up_in_sydney(hass, alphaess_entry)
    system = device_id_of(device_registry, alphaess_entry, ALPHAESS_SYSTEM)
    charger = device_id_of(device_registry, alphaess_entry, ALPHAESS_CHARGER)
    grid_charging = system_entity("switch", ALPHAESS_SYSTEM, "grid_charging")
    household_current = charger_entity("number", "household_current")
    assert er.async_entries_for_device(entity_registry, system)
    assert hass.states.get(grid_charging) is not None
    assert hass.states.get(household_current) is not None

    await unbind(hass, system)

    assert writes(simulator) == [("unBindSn", {"sysSn": ALPHAESS_SYSTEM})]
    assert alphaess(simulator).accounts[ALPHAESS_APP_ID].systems == [
        ALPHAESS_LEGACY_SYSTEM
    ]
    assert device_registry.async_get(system) is None
    assert device_registry.async_get(charger) is None
    assert er.async_entries_for_device(entity_registry, system) == []
    assert er.async_entries_for_device(entity_registry, charger) == []
    assert hass.states.get(grid_charging) is None
    assert hass.states.get(household_current) is None
    assert [subentry.unique_id for subentry in alphaess_entry.subentries.values()] == [
        ALPHAESS_LEGACY_SYSTEM
    ]
    legacy = device_id_of(device_registry, alphaess_entry, ALPHAESS_LEGACY_SYSTEM)
    assert er.async_entries_for_device(entity_registry, legacy)
    legacy_switch = hass.states.get(
        system_entity("switch", ALPHAESS_LEGACY_SYSTEM, "grid_charging")
    )
    assert legacy_switch is not None
    assert legacy_switch.state == "off"
    assert alphaess_entry.state is ConfigEntryState.LOADED


async def test_unbind_refuses_a_charger(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An EV charger's device is not a system: refused, translated, nothing sent."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    charger = device_id_of(device_registry, alphaess_entry, ALPHAESS_CHARGER)
    with pytest.raises(ServiceValidationError) as refused:
        await unbind(hass, charger)
    assert refused.value.translation_key == "alphaess_not_a_system"
    assert str(refused.value) == english(
        "exceptions", "alphaess_not_a_system", "message"
    ).rstrip(".")
    assert writes(simulator) == []
    assert device_registry.async_get(charger) is not None


@pytest.mark.parametrize("device", ["other_integration", "unknown"])
async def test_unbind_refuses_other_devices(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    device: str,
) -> None:
    """A device of another integration, or no device at all: `device_not_found`."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    other_entry = MockConfigEntry(domain="other_integration")
    other_entry.add_to_hass(hass)
    device_id = (
        device_registry.async_get_or_create(
            config_entry_id=other_entry.entry_id,
            identifiers={("other_integration", ALPHAESS_SYSTEM)},
        ).id
        if device == "other_integration"
        else "0123456789abcdef0123456789abcdef"
    )
    with pytest.raises(ServiceValidationError) as refused:
        await unbind(hass, device_id)
    assert refused.value.translation_key == "device_not_found"
    assert refused.value.translation_placeholders == {"device_id": device_id}
    assert writes(simulator) == []
    assert alphaess(simulator).accounts[ALPHAESS_APP_ID].systems == [
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
    ]


async def test_unbind_is_for_administrators(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
    hass_read_only_user: User,
) -> None:
    """A user who is not an administrator may not unbind a system."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    system = device_id_of(device_registry, alphaess_entry, ALPHAESS_SYSTEM)
    with pytest.raises(Unauthorized):
        await unbind(hass, system, Context(user_id=hass_read_only_user.id))
    assert writes(simulator) == []
    assert device_registry.async_get(system) is not None


async def test_unbind_refused_by_alphaess(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """AlphaESS does not answer (6042): a translated error; device and subentry stay."""
    add_system_subentry(hass, alphaess_entry, ALPHAESS_SYSTEM)
    await async_set_up_in_sydney(hass, alphaess_entry)
    system = device_id_of(device_registry, alphaess_entry, ALPHAESS_SYSTEM)
    simulator.fault_next("alphaess", "code_6042")
    with pytest.raises(HomeAssistantError) as refused:
        await unbind(hass, system)
    assert refused.value.translation_key == "cannot_connect"
    assert [
        (record.path.rsplit("/", 1)[-1], record.fault)
        for record in simulator.requests
        if record.method == "POST"
    ] == [("unBindSn", "code_6042")]
    assert writes(simulator) == []
    assert device_registry.async_get(system) is not None
    assert [subentry.unique_id for subentry in alphaess_entry.subentries.values()] == [
        ALPHAESS_SYSTEM
    ]
