"""The "Cheap window" subentry: its flow, and its binary sensor on the simulator's forecasts.

Home Assistant runs in Sydney, the demo site's time zone: the latest end is a local time of day.
"""

from datetime import UTC, datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigSubentry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.cheap_window import (
    CheapWindowPlan,
    CheapWindowSettings,
)
from custom_components.openpower.providers.amber.coordinator import AmberPricePoint
from tests.common import async_move_to, async_settle, async_setup_entry
from tests.simulator import Simulator

from .conftest import english

SUBENTRY = "amber_cheap_window"
DISHWASHER = "binary_sensor.dishwasher_cheap_window"
Point = tuple[str, str, float]


def test_nothing_left_in_the_prices() -> None:
    """Prices that have all ended (a stale answer) choose nothing."""
    plan: CheapWindowPlan[AmberPricePoint] = CheapWindowPlan(
        CheapWindowSettings.from_subentry(
            {"duration": 30, "latest_end": "07:00:00", "contiguous": True}
        )
    )
    plan.update([], datetime(2026, 11, 23, 2, tzinfo=UTC))
    assert plan.choice.intervals == ()
    assert plan.choice.covers_deadline is False
    assert plan.next_window(datetime(2026, 11, 23, 2, tzinfo=UTC)) is None


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Home Assistant in the demo site's time zone."""
    await hass.config.async_set_time_zone("Australia/Sydney")


async def add_window(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    name: str = "Dishwasher",
    *,
    duration: float = 15,
    latest_end: str = "16:00:00",
    contiguous: bool = True,
) -> Any:
    """Add a cheap window through the subentry flow, as the UI does."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": name,
            "duration": duration,
            "latest_end": latest_end,
            "contiguous": contiguous,
        },
    )
    await async_settle(hass)
    return result


def general_points(hass: HomeAssistant) -> list[Point]:
    """The current interval and the forecast, as the general sensors show them."""
    price = hass.states.get("sensor.home_general_price")
    forecast = hass.states.get("sensor.home_general_forecast")
    assert price is not None
    assert forecast is not None
    return [
        (point["start_time"], point["end_time"], point["price"])
        for point in (price.attributes, *forecast.attributes["forecasts"])
    ]


def cheapest_run(points: list[Point], count: int, deadline: str) -> list[Point]:
    """The `count` consecutive points with the lowest total ending by `deadline` (brute force)."""
    eligible = [p for p in points if p[1] <= deadline]
    totals = [
        sum(p[2] for p in eligible[i : i + count])
        for i in range(len(eligible) - count + 1)
    ]
    first = min(range(len(totals)), key=lambda i: (round(totals[i], 9), i))
    return eligible[first : first + count]


def intervals(points: list[Point]) -> list[dict[str, Any]]:
    """The `intervals` attribute that chooses `points`."""
    return [{"start": s, "end": e, "price": p} for s, e, p in points]


def window_state(hass: HomeAssistant, entity_id: str = DISHWASHER) -> State:
    """The sensor's state (it must exist)."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_add_window(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The flow makes a subentry; its sensor appears without a reload, on a device of its own."""
    assert await async_setup_entry(hass, amber_entry)
    assert amber_entry.supported_subentry_types == {
        SUBENTRY: {"supports_reconfigure": False}
    }
    assert english("config_subentries", SUBENTRY, "initiate_flow", "user") == (
        "Add cheap window"
    )
    requests = len(simulator.requests)
    result = await add_window(
        hass, amber_entry, " Dishwasher ", duration=60, latest_end="18:00:00"
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Dishwasher"
    assert result["data"] == {
        "duration": 60,
        "latest_end": "18:00:00",
        "contiguous": True,
    }
    (subentry,) = amber_entry.subentries.values()
    assert subentry.unique_id == "dishwasher"
    # No reload: not one more request to Amber.
    assert len(simulator.requests) == requests
    entity = entity_registry.async_get(DISHWASHER)
    assert entity is not None
    assert entity.config_subentry_id == subentry.subentry_id
    site = f"amber_{amber_entry.data['site_id']}"
    assert entity.unique_id == f"{site}_cheap_window_{subentry.subentry_id}"
    device = device_registry.async_get(entity.device_id or "")
    assert isinstance(device, dr.DeviceEntry)
    assert device.name == "Dishwasher"
    assert device.config_subentry_id == subentry.subentry_id
    parent = device_registry.async_get(device.via_device_id or "")
    assert parent is not None
    assert parent.identifiers == {(DOMAIN, site)}
    # The site's own sensors stay on the site's device, in no subentry.
    price_spike = entity_registry.async_get("binary_sensor.home_price_spike")
    assert price_spike is not None
    assert price_spike.device_id == parent.id
    assert price_spike.config_subentry_id is None
    assert hass.states.get("binary_sensor.home_price_spike") is not None
    state = window_state(hass)
    assert state.attributes["friendly_name"] == "Dishwasher Cheap window"
    # 18:00 in Sydney (AEDT) is 07:00 UTC.
    expected = cheapest_run(general_points(hass), 12, "2026-11-23T07:00:00+00:00")
    assert state.attributes["intervals"] == intervals(expected)
    assert state.attributes["deadline"] == "2026-11-23T18:00:00+11:00"
    assert state.attributes["covers_deadline"] is True


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_duplicate_name(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A second window of the same name (whatever its case) is refused."""
    assert await add_window(hass, amber_entry) is not None
    result = await add_window(hass, amber_entry, "DISHWASHER ", duration=30)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert english("config_subentries", SUBENTRY, "abort", "already_configured")
    assert [s.title for s in amber_entry.subentries.values()] == ["Dishwasher"]


@pytest.mark.freeze_time("2026-11-23T00:00:40+00:00")
async def test_on_during_the_window_only(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off before the chosen intervals, on from their start, off at their end."""
    assert await async_setup_entry(hass, amber_entry)
    # 11:00 in Sydney; the window must end by 12:30 (01:30 UTC).
    await add_window(hass, amber_entry, duration=15, latest_end="12:30:00")
    expected = cheapest_run(general_points(hass), 3, "2026-11-23T01:30:00+00:00")
    assert expected[0][0] == "2026-11-23T00:45:00+00:00"
    state = window_state(hass)
    assert state.state == STATE_OFF
    assert state.attributes == state.attributes | {
        "next_start": "2026-11-23T00:45:00+00:00",
        "next_end": "2026-11-23T01:00:00+00:00",
        "average_price": pytest.approx(sum(p[2] for p in expected) / 3, abs=1e-5),
        "covers_deadline": True,
        "intervals": intervals(expected),
    }
    await async_move_to(hass, freezer, "2026-11-23T00:44:59+00:00")
    assert window_state(hass).state == STATE_OFF
    await async_move_to(hass, freezer, "2026-11-23T00:45:00+00:00")
    assert window_state(hass).state == STATE_ON
    await async_move_to(hass, freezer, "2026-11-23T00:55:03+00:00")
    state = window_state(hass)
    assert state.state == STATE_ON
    assert state.attributes["next_start"] == "2026-11-23T00:45:00+00:00"
    await async_move_to(hass, freezer, "2026-11-23T01:00:00+00:00")
    state = window_state(hass)
    # The 15 minutes have run: nothing more before the deadline.
    assert state.state == STATE_OFF
    assert state.attributes["intervals"] == []
    assert state.attributes["next_start"] is None
    # After the deadline, tomorrow's window is chosen.
    await async_move_to(hass, freezer, "2026-11-23T01:30:02+00:00")
    state = window_state(hass)
    assert state.attributes["deadline"] == "2026-11-24T12:30:00+11:00"
    assert len(state.attributes["intervals"]) == 3
    assert state.attributes["next_start"] >= "2026-11-23T01:30:00+00:00"


@pytest.mark.freeze_time("2026-11-23T00:00:40+00:00")
async def test_a_started_window_is_kept(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A cheaper window appearing in the forecast while one runs does not switch it off."""
    hass.config_entries.async_update_entry(amber_entry, options={"forecast_hours": 1})
    assert await async_setup_entry(hass, amber_entry)
    await add_window(hass, amber_entry, duration=15, latest_end="16:00:00")
    state = window_state(hass)
    # An hour of forecast does not reach 16:00: the best of what is known.
    assert state.attributes["covers_deadline"] is False
    chosen = state.attributes["intervals"]
    assert [i["start"] for i in chosen] == [
        "2026-11-23T00:45:00+00:00",
        "2026-11-23T00:50:00+00:00",
        "2026-11-23T00:55:00+00:00",
    ]
    await async_move_to(hass, freezer, "2026-11-23T00:45:00+00:00")
    await async_move_to(hass, freezer, "2026-11-23T00:50:03+00:00")
    # The forecast now reaches 01:50 and has a cheaper window after this one...
    points = general_points(hass)
    assert points[-1][1] == "2026-11-23T01:55:00+00:00"
    better = cheapest_run(points, 3, "2026-11-23T05:00:00+00:00")
    assert better[0][0] > "2026-11-23T01:00:00+00:00"
    assert sum(p[2] for p in better) < sum(i["price"] for i in chosen)
    # ...but the window under way is kept.
    state = window_state(hass)
    assert state.state == STATE_ON
    assert state.attributes["intervals"] == chosen
    await async_move_to(hass, freezer, "2026-11-23T00:59:59+00:00")
    assert window_state(hass).state == STATE_ON
    await async_move_to(hass, freezer, "2026-11-23T01:00:00+00:00")
    state = window_state(hass)
    assert state.state == STATE_OFF
    assert state.attributes["intervals"] == []


@pytest.mark.freeze_time("2026-11-23T00:00:40+00:00")
async def test_a_spread_window_rechooses_what_is_missing(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not contiguous: after a chosen interval has run, only the rest is chosen again."""
    hass.config_entries.async_update_entry(amber_entry, options={"forecast_hours": 1})
    assert await async_setup_entry(hass, amber_entry)
    await add_window(
        hass, amber_entry, duration=10, latest_end="16:00:00", contiguous=False
    )
    first = window_state(hass).attributes["intervals"]
    assert len(first) == 2
    await async_move_to(hass, freezer, first[0]["start"])
    assert window_state(hass).state == STATE_ON
    await async_move_to(hass, freezer, first[0]["end"])
    state = window_state(hass)
    points = [p for p in general_points(hass) if p[0] >= first[0]["end"]]
    (cheapest,) = sorted(points, key=lambda p: (p[2], p[0]))[:1]
    assert state.attributes["intervals"] == intervals([cheapest])


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_negative_prices(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Tomorrow's solar soak makes midday prices negative: those are chosen, below 0 on average."""
    assert await async_setup_entry(hass, amber_entry)
    # 12:30 has passed at 13:00: tomorrow's 12:30, 01:30 UTC.
    await add_window(
        hass, amber_entry, duration=20, latest_end="12:30:00", contiguous=False
    )
    points = [p for p in general_points(hass) if p[1] <= "2026-11-24T01:30:00+00:00"]
    cheapest = sorted(sorted(points, key=lambda p: (p[2], p[0]))[:4])
    assert [p[0] for p in cheapest] == [
        "2026-11-24T01:00:00+00:00",
        "2026-11-24T01:15:00+00:00",
        "2026-11-24T01:20:00+00:00",
        "2026-11-24T01:25:00+00:00",
    ]
    assert all(p[2] < 0 for p in cheapest)
    state = window_state(hass)
    assert state.state == STATE_OFF
    assert state.attributes["intervals"] == intervals(cheapest)
    # The next window is the first run of consecutive chosen intervals.
    assert state.attributes["next_start"] == "2026-11-24T01:00:00+00:00"
    assert state.attributes["next_end"] == "2026-11-24T01:05:00+00:00"
    assert state.attributes["average_price"] == cheapest[0][2]
    assert state.attributes["average_price"] < 0


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_a_passed_time_means_tomorrow(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """At 13:00, a window ending by 12:00 ends by tomorrow's."""
    assert await async_setup_entry(hass, amber_entry)
    await add_window(hass, amber_entry, duration=30, latest_end="12:00:00")
    state = window_state(hass)
    assert state.attributes["deadline"] == "2026-11-24T12:00:00+11:00"
    expected = cheapest_run(general_points(hass), 6, "2026-11-24T01:00:00+00:00")
    assert state.attributes["intervals"] == intervals(expected)
    assert state.attributes["covers_deadline"] is True


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_removing_the_subentry_removes_the_sensor(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """The sensor goes with its subentry; the other window and the site's sensors stay."""
    assert await async_setup_entry(hass, amber_entry)
    await add_window(hass, amber_entry)
    await add_window(hass, amber_entry, "Pool pump", duration=120)
    assert hass.states.get("binary_sensor.pool_pump_cheap_window") is not None
    dishwasher = next(
        s for s in amber_entry.subentries.values() if s.title == "Dishwasher"
    )
    assert isinstance(dishwasher, ConfigSubentry)
    hass.config_entries.async_remove_subentry(amber_entry, dishwasher.subentry_id)
    await async_settle(hass)
    assert hass.states.get(DISHWASHER) is None
    assert entity_registry.async_get(DISHWASHER) is None
    assert hass.states.get("binary_sensor.pool_pump_cheap_window") is not None
    assert hass.states.get("binary_sensor.home_price_spike") is not None


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
async def test_windows_survive_a_reload(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Subentries present at setup get their sensor then, once."""
    await add_window(hass, amber_entry)
    assert await async_setup_entry(hass, amber_entry)
    assert window_state(hass).attributes["deadline"] == "2026-11-23T16:00:00+11:00"
    assert await hass.config_entries.async_reload(amber_entry.entry_id)
    await async_settle(hass)
    assert window_state(hass).attributes["deadline"] == "2026-11-23T16:00:00+11:00"
    assert len(hass.states.async_entity_ids("binary_sensor")) == 3
