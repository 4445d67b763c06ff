"""Numbers: the snapshot, the stop levels on both schedule stores, the EV charger's current.

On the periodic store a stop level is the first period's `chargeLimit` of its direction and the
rest of the schedule is written back as read; on the legacy store each side is its own full
replace. Writes to one system wait for each other and `write_spacing`; two systems do not.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
import copy
from dataclasses import replace
from types import SimpleNamespace
from unittest.mock import patch

from homeassistant.components.number.const import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.providers.alphaess import coordinator
from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssSettings,
)
from tests.common import only_platform
from tests.simulator import ALPHAESS_LEGACY_SYSTEM, ALPHAESS_SYSTEM, Simulator

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

CHARGE_STOP = system_entity("number", ALPHAESS_SYSTEM, "grid_charging_stop_level")
DISCHARGE_STOP = system_entity("number", ALPHAESS_SYSTEM, "discharge_stop_level")
LEGACY_CHARGE_STOP = system_entity(
    "number", ALPHAESS_LEGACY_SYSTEM, "grid_charging_stop_level"
)
LEGACY_DISCHARGE_STOP = system_entity(
    "number", ALPHAESS_LEGACY_SYSTEM, "discharge_stop_level"
)
HOUSEHOLD_CURRENT = charger_entity("number", "household_current")


def patch_coordinator_sleep(
    sleep: Callable[[float], Awaitable[None]],
) -> AbstractContextManager[object]:
    """Replace `asyncio.sleep` for the coordinator module only (its locks stay real)."""
    return patch.object(
        coordinator, "asyncio", SimpleNamespace(Lock=asyncio.Lock, sleep=sleep)
    )


async def set_value(hass: HomeAssistant, entity_id: str, value: float) -> None:
    """Set a number as the UI does, waiting for the read-back."""
    await hass.services.async_call(
        "number",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


def value_of(hass: HomeAssistant, entity_id: str) -> float:
    """Return a number's state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_numbers(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Both systems' stop levels and the charger's household current."""
    with only_platform(Platform.NUMBER):
        await async_set_up_in_sydney(hass, alphaess_entry)
    await snapshot_platform(hass, entity_registry, snapshot, alphaess_entry.entry_id)


@pytest.mark.parametrize(
    ("entity_id", "period_list", "value"),
    [
        (CHARGE_STOP, "chargeTimeList", 80),
        (DISCHARGE_STOP, "dischargeTimeList", 30),
    ],
)
async def test_periodic_stop_level(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    entity_id: str,
    period_list: str,
    value: int,
) -> None:
    """The first period's limit changes, everything else is the schedule read just before."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert (value_of(hass, CHARGE_STOP), value_of(hass, DISCHARGE_STOP)) == (90, 20)
    before = served_schedule(simulator, ALPHAESS_SYSTEM)

    await set_value(hass, entity_id, value)

    expected = copy.deepcopy(before)
    expected[period_list][0]["chargeLimit"] = value
    assert writes(simulator) == [("setTimeChargeBySn", expected)]
    assert request_before_last_write(simulator) == (
        "getTimeChargeBySn",
        {"sysSn": ALPHAESS_SYSTEM},
    )
    assert value_of(hass, entity_id) == value
    assert served_schedule(simulator, ALPHAESS_SYSTEM) == expected


async def test_periodic_schedule_as_written(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The body, written out: read-only keys gone, every other field as AlphaESS sent it."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    await set_value(hass, CHARGE_STOP, 75)
    every_day = [1, 2, 3, 4, 5, 6, 7]
    assert writes(simulator) == [
        (
            "setTimeChargeBySn",
            {
                "sysSn": ALPHAESS_SYSTEM,
                "executeCycleType": 1,
                "gridChargeCycle": 1,
                "ctrDisCycle": 1,
                "chargeTimeList": [
                    {
                        "beginTime": "01:00",
                        "endTime": "05:00",
                        "weeks": every_day,
                        "chargePower": 5000,
                        "chargeLimit": 75,
                    }
                ],
                "dischargeTimeList": [
                    {
                        "beginTime": "17:00",
                        "endTime": "21:00",
                        "weeks": every_day,
                        "chargePower": 5000,
                        "chargeLimit": 20,
                    }
                ],
            },
        )
    ]


@pytest.mark.parametrize(
    ("entity_id", "endpoint", "body"),
    [
        (
            LEGACY_CHARGE_STOP,
            "updateChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batHighCap": 80,
                "gridCharge": 0,
                "timeChaf1": "11:00",
                "timeChae1": "14:00",
                "timeChaf2": "00:00",
                "timeChae2": "00:00",
            },
        ),
        (
            LEGACY_DISCHARGE_STOP,
            "updateDisChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batUseCap": 80,
                "ctrDis": 0,
                "timeDisf1": "00:00",
                "timeDise1": "00:00",
                "timeDisf2": "00:00",
                "timeDise2": "00:00",
            },
        ),
    ],
)
async def test_legacy_stop_level(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    entity_id: str,
    endpoint: str,
    body: dict[str, object],
) -> None:
    """A legacy system: only the side that changed is written, with every one of its fields."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert (
        value_of(hass, LEGACY_CHARGE_STOP),
        value_of(hass, LEGACY_DISCHARGE_STOP),
    ) == (
        100,
        5,
    )
    await set_value(hass, entity_id, 80)
    assert writes(simulator) == [(endpoint, body)]
    assert value_of(hass, entity_id) == 80


async def test_refused_write_keeps_the_value(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """AlphaESS refuses the write (10001): a translated error, the level stays as it was."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    with (
        refused_by_alphaess(
            simulator, alphaess_entry, "async_set_periodic", "code_10001"
        ),
        pytest.raises(HomeAssistantError) as refused,
    ):
        await set_value(hass, CHARGE_STOP, 60)
    assert refused.value.translation_key == "rejected"
    assert writes(simulator) == []
    assert [
        (record.path.rsplit("/", 1)[-1], record.fault)
        for record in simulator.requests
        if record.method == "POST"
    ] == [("setTimeChargeBySn", "code_10001")]
    assert value_of(hass, CHARGE_STOP) == 90


async def test_periodic_level_under_ten_is_refused(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """5 % suits the legacy store only: on the periodic one it is refused, the level kept."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    with pytest.raises(ServiceValidationError) as refused:
        await set_value(hass, DISCHARGE_STOP, 5)
    assert refused.value.translation_key == "alphaess_level_too_low"
    assert refused.value.translation_placeholders == {"minimum": "10"}
    assert writes(simulator) == []
    assert value_of(hass, DISCHARGE_STOP) == 20


async def test_changes_in_a_row_keep_each_other(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A stop level and a window changed at once: each write starts from the other's result."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    before = served_schedule(simulator, ALPHAESS_SYSTEM)
    window_start = system_entity("time", ALPHAESS_SYSTEM, "charge_window_1_start")

    await asyncio.gather(
        set_value(hass, CHARGE_STOP, 85),
        hass.services.async_call(
            "time",
            "set_value",
            {ATTR_ENTITY_ID: window_start, "time": "02:00:00"},
            blocking=True,
        ),
    )

    after = copy.deepcopy(before)
    after["chargeTimeList"][0] |= {"chargeLimit": 85, "beginTime": "02:00"}
    assert len(writes(simulator)) == 2
    assert writes(simulator)[-1] == ("setTimeChargeBySn", after)
    assert served_schedule(simulator, ALPHAESS_SYSTEM) == after
    assert value_of(hass, CHARGE_STOP) == 85
    state = hass.states.get(window_start)
    assert state is not None
    assert state.state == "02:00:00"


async def test_write_spacing(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    alphaess_settings: AlphaEssSettings,
) -> None:
    """A second write to a system waits `write_spacing`; a write to another system does not."""
    hass.data[SETTINGS] = replace(alphaess_settings, write_spacing=30.0)
    waits: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        waits.append((seconds, len(alphaess(simulator).writes)))

    await async_set_up_in_sydney(hass, alphaess_entry)
    with patch_coordinator_sleep(sleep):
        await set_value(hass, CHARGE_STOP, 80)
        await set_value(hass, LEGACY_CHARGE_STOP, 80)
        assert waits == []
        await set_value(hass, DISCHARGE_STOP, 30)
    # The clock is frozen: the whole spacing is left to wait, before the third write.
    assert waits == [(30.0, 2)]
    assert [(endpoint, body["sysSn"]) for endpoint, body in writes(simulator)] == [
        ("setTimeChargeBySn", ALPHAESS_SYSTEM),
        ("updateChargeConfigInfo", ALPHAESS_LEGACY_SYSTEM),
        ("setTimeChargeBySn", ALPHAESS_SYSTEM),
    ]


async def test_household_current(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The household current goes to `setEvChargerCurrentsBySn` (lower-case key), read back."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    assert value_of(hass, HOUSEHOLD_CURRENT) == 32
    await set_value(hass, HOUSEHOLD_CURRENT, 16)
    assert writes(simulator) == [
        ("setEvChargerCurrentsBySn", {"sysSn": ALPHAESS_SYSTEM, "currentsetting": 16})
    ]
    charger = alphaess(simulator).systems[ALPHAESS_SYSTEM].charger
    assert charger is not None
    assert charger.current_setting == 16
    assert value_of(hass, HOUSEHOLD_CURRENT) == 16
