"""Numbers: the snapshot, and the charging current with the body Emporia gets."""

from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import async_settle, async_setup_entry, only_platform
from tests.simulator import (
    EMPORIA_BREAKER_PIN,
    EMPORIA_CHARGER_GID,
    EMPORIA_CHARGER_LOAD_GID,
    Simulator,
)

NOW = "2026-11-23T20:00:30+00:00"
CURRENT = "number.garage_charger_charging_current"


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_numbers(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The charger's charging current."""
    with only_platform(Platform.NUMBER):
        assert await async_setup_entry(hass, emporia_entry)
    await snapshot_platform(hass, entity_registry, snapshot, emporia_entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_charging_current(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The current goes to the charger within its breaker's limit; a refused write changes nothing."""
    assert await async_setup_entry(hass, emporia_entry)
    assert float(hass.states.get(CURRENT).state) == 32
    assert hass.states.get(CURRENT).attributes["max"] == 40
    assert hass.states.get(CURRENT).attributes["min"] == 6

    await hass.services.async_call(
        "number",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: CURRENT, ATTR_VALUE: 16},
        blocking=True,
    )
    assert float(hass.states.get(CURRENT).state) == 16
    assert simulator.emporia.writes == [
        (
            "/emporia/api/devices/evcharger",
            {
                "deviceGid": EMPORIA_CHARGER_GID,
                "loadGid": EMPORIA_CHARGER_LOAD_GID,
                "chargerOn": True,
                "chargingRate": 16,
                "maxChargingRate": 40,
                "breakerPIN": EMPORIA_BREAKER_PIN,
            },
        )
    ]

    simulator.emporia.reject_charger_writes = True
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "number",
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: CURRENT, ATTR_VALUE: 20},
            blocking=True,
        )
    assert refused.value.translation_key == "rejected"
    await async_settle(hass)
    assert float(hass.states.get(CURRENT).state) == 16
    assert emporia_entry.state is ConfigEntryState.LOADED
