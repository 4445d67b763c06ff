"""Switches: the snapshot, grid charging and discharge time control on both stores, EV charging.

Grid charging is `gridChargeCycle` / `gridCharge`, discharge time control `ctrDisCycle` /
`ctrDis`. Charging is started only when the charger's status (read just before) says a car can
charge, and stopped only when it is charging.
"""

import copy

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import only_platform
from tests.simulator import (
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
    refused_by_alphaess,
    request_before_last_write,
    served_schedule,
    system_entity,
    writes,
)

pytestmark = pytest.mark.freeze_time(NOW)

GRID_CHARGING = system_entity("switch", ALPHAESS_SYSTEM, "grid_charging")
DISCHARGE_CONTROL = system_entity("switch", ALPHAESS_SYSTEM, "discharge_time_control")
LEGACY_GRID_CHARGING = system_entity("switch", ALPHAESS_LEGACY_SYSTEM, "grid_charging")
LEGACY_DISCHARGE_CONTROL = system_entity(
    "switch", ALPHAESS_LEGACY_SYSTEM, "discharge_time_control"
)
CHARGING = charger_entity("switch", "charging")
CHARGER_STATUS = charger_entity("sensor", "charger_status")


async def turn(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn a switch on or off as the UI does, waiting for the read-back."""
    await hass.services.async_call(
        "switch",
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
    )


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Both systems' grid charging and discharge time control, and the charger's charging."""
    with only_platform(Platform.SWITCH):
        await async_set_up_in_sydney(hass, alphaess_entry)
    await snapshot_platform(hass, entity_registry, snapshot, alphaess_entry.entry_id)


@pytest.mark.parametrize(
    ("entity_id", "flag"),
    [(GRID_CHARGING, "gridChargeCycle"), (DISCHARGE_CONTROL, "ctrDisCycle")],
)
async def test_periodic_switch(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    entity_id: str,
    flag: str,
) -> None:
    """Off then on: only the flag differs from the schedule read just before each write."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert state_of(hass, entity_id) == "on"
    before = served_schedule(simulator, ALPHAESS_SYSTEM)
    assert before[flag] == 1

    await turn(hass, entity_id, False)
    off = copy.deepcopy(before) | {flag: 0}
    assert writes(simulator) == [("setTimeChargeBySn", off)]
    assert request_before_last_write(simulator) == (
        "getTimeChargeBySn",
        {"sysSn": ALPHAESS_SYSTEM},
    )
    assert state_of(hass, entity_id) == "off"

    await turn(hass, entity_id, True)
    assert writes(simulator)[1:] == [("setTimeChargeBySn", before)]
    assert state_of(hass, entity_id) == "on"


@pytest.mark.parametrize(
    ("entity_id", "endpoint", "body"),
    [
        (
            LEGACY_GRID_CHARGING,
            "updateChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batHighCap": 100,
                "gridCharge": 1,
                "timeChaf1": "11:00",
                "timeChae1": "14:00",
                "timeChaf2": "00:00",
                "timeChae2": "00:00",
            },
        ),
        (
            LEGACY_DISCHARGE_CONTROL,
            "updateDisChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batUseCap": 5,
                "ctrDis": 1,
                "timeDisf1": "00:00",
                "timeDise1": "00:00",
                "timeDisf2": "00:00",
                "timeDise2": "00:00",
            },
        ),
    ],
)
async def test_legacy_switch(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    entity_id: str,
    endpoint: str,
    body: dict[str, object],
) -> None:
    """A legacy system: the flag goes with every field of its side, the other side untouched."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert state_of(hass, entity_id) == "off"
    await turn(hass, entity_id, True)
    assert writes(simulator) == [(endpoint, body)]
    assert state_of(hass, entity_id) == "on"


async def test_refused_switch_keeps_its_state(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A legacy write AlphaESS refuses (10001): a translated error, the switch as it was."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    with (
        refused_by_alphaess(
            simulator, alphaess_entry, "async_set_legacy_charge", "code_10001"
        ),
        pytest.raises(HomeAssistantError) as refused,
    ):
        await turn(hass, LEGACY_GRID_CHARGING, True)
    assert refused.value.translation_key == "rejected"
    assert writes(simulator) == []
    assert state_of(hass, LEGACY_GRID_CHARGING) == "off"


async def test_start_and_stop_charging(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A car is connected (Preparing): charging starts, shows on, then stops."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert (state_of(hass, CHARGING), state_of(hass, CHARGER_STATUS)) == (
        "off",
        "preparing",
    )

    await turn(hass, CHARGING, True)
    start = {"sysSn": ALPHAESS_SYSTEM, "evchargerSn": ALPHAESS_CHARGER}
    assert writes(simulator) == [("remoteControlEvCharger", start | {"controlMode": 1})]
    assert state_of(hass, CHARGING) == "on"

    await turn(hass, CHARGING, False)
    assert writes(simulator)[1:] == [
        ("remoteControlEvCharger", start | {"controlMode": 0})
    ]
    assert state_of(hass, CHARGING) == "off"
    charger = alphaess(simulator).systems[ALPHAESS_SYSTEM].charger
    assert charger is not None
    assert charger.status == 4  # SuspendedEVSE


@pytest.mark.parametrize(
    ("status", "name"), [(1, "available"), (6, "finishing"), (9, "faulted")]
)
async def test_charging_cannot_start(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    status: int,
    name: str,
) -> None:
    """No car (Available), finishing or faulted: refused with the status, nothing sent."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    charger = alphaess(simulator).systems[ALPHAESS_SYSTEM].charger
    assert charger is not None
    charger.status = status
    with pytest.raises(ServiceValidationError) as refused:
        await turn(hass, CHARGING, True)
    assert refused.value.translation_key == "alphaess_charger_cannot_start"
    assert refused.value.translation_placeholders == {"status": name}
    # Home Assistant shows the translated message (without its final full stop).
    assert str(refused.value) == english(
        "exceptions", "alphaess_charger_cannot_start", "message"
    ).format(status=name).rstrip(".")
    assert writes(simulator) == []
    assert state_of(hass, CHARGING) == "off"


async def test_stop_when_not_charging(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Turning off a charger that is not charging sends nothing."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    await turn(hass, CHARGING, False)
    assert writes(simulator) == []
    assert [
        record.path.rsplit("/", 1)[-1]
        for record in simulator.requests
        if record.method == "POST"
    ] == []
    assert state_of(hass, CHARGING) == "off"
