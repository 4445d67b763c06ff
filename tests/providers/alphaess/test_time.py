"""Times: the snapshot, the charge and discharge windows on both stores, and what is refused.

On the periodic store window N is the N-th period of its direction: a window 2 that gets a
start or an end becomes a second period with the first one's days and power; clearing the only
period is refused (AlphaESS refuses an empty list). Times are on the 15-minute grid or refused,
never rounded.
"""

import copy

from homeassistant.components.time.const import SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TIME, Platform
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
from tests.simulator import ALPHAESS_LEGACY_SYSTEM, ALPHAESS_SYSTEM, Simulator

from .conftest import english
from .control_common import (
    NOW,
    async_set_up_in_sydney,
    request_before_last_write,
    served_schedule,
    system_entity,
    writes,
)

pytestmark = pytest.mark.freeze_time(NOW)


def window(serial: str, key: str) -> str:
    """Return the entity id of a window's start or end (`charge_window_1_start` …)."""
    return system_entity("time", serial, key)


async def set_time(hass: HomeAssistant, entity_id: str, value: str) -> None:
    """Set a time as the UI does, waiting for the read-back."""
    await hass.services.async_call(
        "time",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_TIME: value},
        blocking=True,
    )


def shown(hass: HomeAssistant, serial: str, *keys: str) -> list[str]:
    """Return the states of some of a system's window times."""
    states = [hass.states.get(window(serial, key)) for key in keys]
    return [state.state if state is not None else "missing" for state in states]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_times(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Both systems' two charge and two discharge windows (00:00–00:00: unused)."""
    with only_platform(Platform.TIME):
        await async_set_up_in_sydney(hass, alphaess_entry)
    await snapshot_platform(hass, entity_registry, snapshot, alphaess_entry.entry_id)


@pytest.mark.parametrize(
    ("key", "value", "period_list", "field"),
    [
        ("charge_window_1_start", "02:30", "chargeTimeList", "beginTime"),
        ("charge_window_1_end", "06:45", "chargeTimeList", "endTime"),
        ("discharge_window_1_start", "16:15", "dischargeTimeList", "beginTime"),
        ("discharge_window_1_end", "22:00", "dischargeTimeList", "endTime"),
    ],
)
async def test_periodic_window(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    key: str,
    value: str,
    period_list: str,
    field: str,
) -> None:
    """One time of the first period changes; the rest is the schedule read just before."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    before = served_schedule(simulator, ALPHAESS_SYSTEM)

    await set_time(hass, window(ALPHAESS_SYSTEM, key), f"{value}:00")

    expected = copy.deepcopy(before)
    expected[period_list][0][field] = value
    assert writes(simulator) == [("setTimeChargeBySn", expected)]
    assert request_before_last_write(simulator) == (
        "getTimeChargeBySn",
        {"sysSn": ALPHAESS_SYSTEM},
    )
    assert shown(hass, ALPHAESS_SYSTEM, key) == [f"{value}:00"]


async def test_second_window_becomes_a_period(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Window 2's start then end add a period like the first; clearing window 1 then drops it."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    keys = (
        "charge_window_1_start",
        "charge_window_1_end",
        "charge_window_2_start",
        "charge_window_2_end",
    )
    assert shown(hass, ALPHAESS_SYSTEM, *keys) == [
        "01:00:00",
        "05:00:00",
        "00:00:00",
        "00:00:00",
    ]
    before = served_schedule(simulator, ALPHAESS_SYSTEM)
    first = before["chargeTimeList"][0]
    copied = {"weeks": [1, 2, 3, 4, 5, 6, 7], "chargePower": 5000, "chargeLimit": 90}
    assert {name: first[name] for name in copied} == copied

    # Until it has an end, the new period runs to midnight.
    await set_time(hass, window(ALPHAESS_SYSTEM, "charge_window_2_start"), "22:00:00")
    with_start = copy.deepcopy(before)
    with_start["chargeTimeList"].append(
        {"beginTime": "22:00", "endTime": "00:00"} | copied
    )
    assert writes(simulator) == [("setTimeChargeBySn", with_start)]

    await set_time(hass, window(ALPHAESS_SYSTEM, "charge_window_2_end"), "23:00:00")
    with_end = copy.deepcopy(with_start)
    with_end["chargeTimeList"][1]["endTime"] = "23:00"
    assert writes(simulator)[1:] == [("setTimeChargeBySn", with_end)]
    assert shown(hass, ALPHAESS_SYSTEM, *keys) == [
        "01:00:00",
        "05:00:00",
        "22:00:00",
        "23:00:00",
    ]

    # An end equal to the start empties window 1: its period goes, window 2 moves up.
    await set_time(hass, window(ALPHAESS_SYSTEM, "charge_window_1_end"), "01:00:00")
    only_second = copy.deepcopy(with_end)
    del only_second["chargeTimeList"][0]
    assert writes(simulator)[2:] == [("setTimeChargeBySn", only_second)]
    assert shown(hass, ALPHAESS_SYSTEM, *keys) == [
        "22:00:00",
        "23:00:00",
        "00:00:00",
        "00:00:00",
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [("charge_window_1_end", "01:00:00"), ("discharge_window_1_start", "21:00:00")],
)
async def test_last_period_cannot_be_cleared(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    key: str,
    value: str,
) -> None:
    """Emptying the only period of a direction is refused, translated; nothing is written."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    before = shown(hass, ALPHAESS_SYSTEM, key)
    with pytest.raises(ServiceValidationError) as refused:
        await set_time(hass, window(ALPHAESS_SYSTEM, key), value)
    assert refused.value.translation_key == "alphaess_last_period"
    assert str(refused.value) == english(
        "exceptions", "alphaess_last_period", "message"
    ).rstrip(".")
    assert writes(simulator) == []
    assert shown(hass, ALPHAESS_SYSTEM, key) == before


@pytest.mark.parametrize(
    ("serial", "value", "minutes"),
    [
        (ALPHAESS_SYSTEM, "01:10:00", "01:10"),
        (ALPHAESS_SYSTEM, "23:59:00", "23:59"),
        (ALPHAESS_LEGACY_SYSTEM, "11:05:00", "11:05"),
    ],
)
async def test_off_grid_time_is_refused(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    serial: str,
    value: str,
    minutes: str,
) -> None:
    """A time off the 15-minute grid is refused (never rounded); nothing is asked or written."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    before = shown(hass, serial, "charge_window_1_start")
    requests = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as refused:
        await set_time(hass, window(serial, "charge_window_1_start"), value)
    assert refused.value.translation_key == "alphaess_time_not_on_grid"
    assert refused.value.translation_placeholders == {"time": minutes}
    assert str(refused.value) == english(
        "exceptions", "alphaess_time_not_on_grid", "message"
    ).format(time=minutes).rstrip(".")
    assert writes(simulator) == []
    assert not any(record.method == "POST" for record in simulator.requests[requests:])
    assert shown(hass, serial, "charge_window_1_start") == before


async def test_refused_window_keeps_its_time(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A charge window over the discharge one: AlphaESS refuses it (6008), the time stays."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    with pytest.raises(HomeAssistantError) as refused:
        await set_time(hass, window(ALPHAESS_SYSTEM, "charge_window_1_end"), "18:00:00")
    assert refused.value.translation_key == "rejected"
    assert "6008" in str(refused.value.__cause__)
    assert writes(simulator) == []
    assert shown(hass, ALPHAESS_SYSTEM, "charge_window_1_end") == ["05:00:00"]


@pytest.mark.parametrize(
    ("key", "endpoint", "body"),
    [
        (
            "charge_window_2_start",
            "updateChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batHighCap": 100,
                "gridCharge": 0,
                "timeChaf1": "11:00",
                "timeChae1": "14:00",
                "timeChaf2": "15:30",
                "timeChae2": "00:00",
            },
        ),
        (
            "discharge_window_1_end",
            "updateDisChargeConfigInfo",
            {
                "sysSn": ALPHAESS_LEGACY_SYSTEM,
                "batUseCap": 5,
                "ctrDis": 0,
                "timeDisf1": "00:00",
                "timeDise1": "15:30",
                "timeDisf2": "00:00",
                "timeDise2": "00:00",
            },
        ),
    ],
)
async def test_legacy_window(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    key: str,
    endpoint: str,
    body: dict[str, object],
) -> None:
    """A legacy system: the side of the window is written whole, the other side not at all."""
    await async_set_up_in_sydney(hass, alphaess_entry)
    await set_time(hass, window(ALPHAESS_LEGACY_SYSTEM, key), "15:30:00")
    assert writes(simulator) == [(endpoint, body)]
    assert shown(hass, ALPHAESS_LEGACY_SYSTEM, key) == ["15:30:00"]
