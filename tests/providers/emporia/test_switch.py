"""Switches: the snapshot, and the writes (plug relay, charging) with the bodies Emporia gets."""

import asyncio

from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
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
    EMPORIA_PLUG_GID,
    EMPORIA_PLUG_LOAD_GID,
    Simulator,
)

NOW = "2026-11-23T20:00:30+00:00"
PLUG = "switch.coffee_maker"
CHARGING = "switch.garage_charger_charging"
CURRENT = "number.garage_charger_charging_current"


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The plug's relay and the charger's charging."""
    with only_platform(Platform.SWITCH):
        assert await async_setup_entry(hass, emporia_entry)
    await snapshot_platform(hass, entity_registry, snapshot, emporia_entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_outlet_switch(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The plug switches with its load id; the state is Emporia's answer."""
    assert await async_setup_entry(hass, emporia_entry)
    assert hass.states.get(PLUG).state == "on"
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: PLUG}, blocking=True
    )
    await async_settle(hass)
    assert hass.states.get(PLUG).state == "off"
    put = [r for r in simulator.requests if r.method == "PUT"]
    assert [r.path for r in put] == ["/emporia/api/devices/outlet"]
    assert simulator.emporia.writes == [
        (
            "/emporia/api/devices/outlet",
            {
                "deviceGid": EMPORIA_PLUG_GID,
                "outletOn": False,
                "loadGid": EMPORIA_PLUG_LOAD_GID,
            },
        )
    ]
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: PLUG}, blocking=True
    )
    assert hass.states.get(PLUG).state == "on"
    assert simulator.emporia.writes[-1][1]["outletOn"] is True


@pytest.mark.freeze_time(NOW)
async def test_charging_switch(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Charging stops with the current last set; a refused write changes nothing."""
    assert await async_setup_entry(hass, emporia_entry)
    assert hass.states.get(CHARGING).state == "on"
    await hass.services.async_call(
        "number",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: CURRENT, ATTR_VALUE: 16},
        blocking=True,
    )
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    await async_settle(hass)
    assert hass.states.get(CHARGING).state == "off"
    assert float(hass.states.get(CURRENT).state) == 16
    assert simulator.emporia.writes[-1] == (
        "/emporia/api/devices/evcharger",
        {
            "deviceGid": EMPORIA_CHARGER_GID,
            "loadGid": EMPORIA_CHARGER_LOAD_GID,
            "chargerOn": False,
            "chargingRate": 16,
            "maxChargingRate": 40,
            "breakerPIN": EMPORIA_BREAKER_PIN,
        },
    )

    simulator.emporia.reject_charger_writes = True
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: CHARGING}, blocking=True
        )
    assert refused.value.translation_key == "rejected"
    await async_settle(hass)
    assert hass.states.get(CHARGING).state == "off"
    assert emporia_entry.state is ConfigEntryState.LOADED


@pytest.mark.freeze_time(NOW)
async def test_concurrent_charger_writes_keep_both_changes(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Charging on and 16 A at once: each PUT carries the state after the other's."""
    assert await async_setup_entry(hass, emporia_entry)
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    await async_settle(hass)
    simulator.emporia.writes.clear()
    await asyncio.gather(
        hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: CHARGING}, blocking=True
        ),
        hass.services.async_call(
            "number",
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: CURRENT, ATTR_VALUE: 16},
            blocking=True,
        ),
    )
    await async_settle(hass)
    sent = [
        (body["chargerOn"], body["chargingRate"])
        for _, body in simulator.emporia.writes
    ]
    # Whichever came first, the second PUT keeps the first's change.
    assert sent in ([(True, 32), (True, 16)], [(False, 16), (True, 16)])
    charger = simulator.emporia.devices[EMPORIA_CHARGER_GID].charger
    assert charger is not None
    assert (charger.on, charger.rate) == (True, 16)
    assert hass.states.get(CHARGING).state == "on"
    assert float(hass.states.get(CURRENT).state) == 16
