"""The blueprints in blueprints/: valid, and doing what they say in a Home Assistant instance.

Each blueprint is copied into a test configuration directory and used by one automation; the
entities it reads are plain states, and the actions it calls are mocked, so that each test pins
the exact calls (action, entity, data, order). A mocked action does not change a state: where the
blueprint reads a switch back, the test sets the switch the way the device would.
"""

import asyncio
from contextlib import suppress
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest

BLUEPRINTS = Path(__file__).parent.parent / "blueprints"
OURS = BLUEPRINTS / "automation" / "openpower"
RAW_URL = "https://raw.githubusercontent.com/openpower-ha/openpower/main/"

PRICE = "sensor.home_general_price"
FORECAST = "sensor.home_general_forecast"
SPIKE = "binary_sensor.home_price_spike"
DEMAND_WINDOW = "binary_sensor.home_demand_window"
GRID_CHARGING = "switch.battery_grid_charging"
CHARGER = "switch.garage_charger_charging"
CHARGING_CURRENT = "number.garage_charger_charging_current"
CHEAP_WINDOW = "binary_sensor.home_cheap_window"
PRICE_UNIT = {"unit_of_measurement": "AUD/kWh"}

type Calls = list[tuple[str, str, dict[str, Any]]]


def _load(path: Path) -> Blueprint:
    return Blueprint(
        yaml_util.load_yaml_dict(path),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


@pytest.mark.parametrize(
    "path", sorted(BLUEPRINTS.rglob("*.yaml")), ids=lambda path: path.name
)
def test_blueprint_is_valid(path: Path) -> None:
    """Every YAML file in blueprints/ passes Home Assistant's blueprint schema."""
    blueprint = _load(path)
    assert blueprint.domain == "automation"
    # Its import link (in the README) and its source_url are the same file on main.
    relative = path.relative_to(BLUEPRINTS.parent).as_posix()
    assert blueprint.metadata["source_url"] == RAW_URL + relative


def test_the_three_blueprints_ship() -> None:
    """The blueprints the README links to are the ones in the folder."""
    assert sorted(path.name for path in OURS.glob("*.yaml")) == [
        "battery_on_price.yaml",
        "charge_in_cheap_window.yaml",
        "price_spike_notify.yaml",
    ]


async def _use_blueprint(
    hass: HomeAssistant, config_dir: Path, name: str, inputs: dict[str, Any]
) -> None:
    """Set up one automation from blueprints/automation/openpower/<name>.yaml."""
    hass.config.config_dir = str(config_dir)
    folder = Path(hass.config.path("blueprints", "automation", "openpower"))

    def copy() -> None:
        folder.mkdir(parents=True)
        shutil.copy(OURS / f"{name}.yaml", folder)

    await hass.async_add_executor_job(copy)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": name,
                "use_blueprint": {"path": f"openpower/{name}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    # A blueprint that fails to load or validate leaves the automation unavailable.
    automation = hass.states.get(f"automation.{name}")
    assert automation is not None
    assert automation.state == "on"


def _mock_calls(hass: HomeAssistant, *actions: str) -> Calls:
    """Mock the actions ("domain.service") into one log, in the order they are called.

    Like `async_mock_service`, whose separate lists per action cannot show the order between
    two actions of one run (set the current, then start charging).
    """
    calls: Calls = []

    @callback
    def record(call: ServiceCall) -> None:
        calls.append((f"{call.domain}.{call.service}", *_target(call)))

    for action in actions:
        domain, service = action.split(".")
        hass.services.async_register(domain, service, record)
    return calls


def _target(call: ServiceCall) -> tuple[str, dict[str, Any]]:
    data = dict(call.data)
    entity_ids = data.pop("entity_id", [])
    return (",".join(entity_ids) if isinstance(entity_ids, list) else entity_ids), data


async def _set(hass: HomeAssistant, entity_id: str, state: str, **attrs: Any) -> None:
    """Set a state and let the automation act on it.

    A run waiting for a spike to end is a pending task that `async_block_till_done` would wait
    for forever: everything else settles well within the timeout.
    """
    hass.states.async_set(entity_id, state, attrs)
    with suppress(TimeoutError):
        async with asyncio.timeout(0.1):
            await hass.async_block_till_done()


# Battery on price


@pytest.fixture
async def battery(hass: HomeAssistant, tmp_path: Path) -> Calls:
    """Battery on price, price 0.25 AUD/kWh, no spike, grid charging off."""
    hass.states.async_set(PRICE, "0.25", PRICE_UNIT)
    hass.states.async_set(SPIKE, "off")
    hass.states.async_set(GRID_CHARGING, "off")
    calls = _mock_calls(hass, "switch.turn_on", "switch.turn_off")
    await _use_blueprint(
        hass,
        tmp_path,
        "battery_on_price",
        {
            "price_sensor": PRICE,
            "spike_sensor": SPIKE,
            "grid_charging_switch": GRID_CHARGING,
            "low_price": 0.10,
            "spike_price": 1.00,
        },
    )
    return calls


@pytest.mark.parametrize("price", ["0.10", "0.04", "-0.02"])
async def test_battery_low_price_turns_grid_charging_on(
    hass: HomeAssistant, battery: Calls, price: str
) -> None:
    """At or below the threshold, or negative, grid charging is turned on once."""
    await _set(hass, PRICE, price, **PRICE_UNIT)
    assert battery == [("switch.turn_on", GRID_CHARGING, {})]

    # Already on: another low price does not write again.
    await _set(hass, GRID_CHARGING, "on")
    await _set(hass, PRICE, "0.01", **PRICE_UNIT)
    assert battery == [("switch.turn_on", GRID_CHARGING, {})]


async def test_battery_negative_price_is_low_below_a_negative_threshold(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """With a negative threshold, any negative price still counts as low."""
    hass.states.async_set(PRICE, "0.25", PRICE_UNIT)
    hass.states.async_set(GRID_CHARGING, "off")
    calls = _mock_calls(hass, "switch.turn_on", "switch.turn_off")
    await _use_blueprint(
        hass,
        tmp_path,
        "battery_on_price",
        {
            "price_sensor": PRICE,
            "grid_charging_switch": GRID_CHARGING,
            "low_price": -0.05,
        },
    )
    await _set(hass, PRICE, "-0.01", **PRICE_UNIT)
    assert calls == [("switch.turn_on", GRID_CHARGING, {})]


async def test_battery_ordinary_price_changes_nothing(
    hass: HomeAssistant, battery: Calls
) -> None:
    """Between the low price and the spike price the user's setting stays."""
    await _set(hass, PRICE, "0.11", **PRICE_UNIT)
    await _set(hass, PRICE, "1.00", **PRICE_UNIT)
    await _set(hass, PRICE, "unavailable")
    assert battery == []


async def test_battery_spike_turns_off_then_restores_on(
    hass: HomeAssistant, battery: Calls
) -> None:
    """Grid charging on before the spike: off during it, on again after."""
    await _set(hass, GRID_CHARGING, "on")
    await _set(hass, SPIKE, "on")
    assert battery == [("switch.turn_off", GRID_CHARGING, {})]
    await _set(hass, GRID_CHARGING, "off")

    # Price updates during the spike (even a low one) are ignored.
    await _set(hass, PRICE, "0.05", **PRICE_UNIT)
    assert battery == [("switch.turn_off", GRID_CHARGING, {})]

    await _set(hass, SPIKE, "off")
    assert battery == [
        ("switch.turn_off", GRID_CHARGING, {}),
        ("switch.turn_on", GRID_CHARGING, {}),
    ]


async def test_battery_spike_restores_off(hass: HomeAssistant, battery: Calls) -> None:
    """Grid charging off before the spike: nothing to do, and off again after."""
    await _set(hass, SPIKE, "on")
    assert battery == []
    await _set(hass, SPIKE, "off")
    assert battery == []

    # Turned on by hand during a spike: put back to off when it ends.
    await _set(hass, SPIKE, "on")
    await _set(hass, GRID_CHARGING, "on")
    await _set(hass, SPIKE, "off")
    assert battery == [("switch.turn_off", GRID_CHARGING, {})]


async def test_battery_price_above_spike_threshold_is_a_spike(
    hass: HomeAssistant, battery: Calls
) -> None:
    """Without the spike sensor turning on, a price above the spike price is a spike."""
    await _set(hass, GRID_CHARGING, "on")
    await _set(hass, PRICE, "1.50", **PRICE_UNIT)
    assert battery == [("switch.turn_off", GRID_CHARGING, {})]
    await _set(hass, GRID_CHARGING, "off")

    await _set(hass, PRICE, "1.20", **PRICE_UNIT)
    assert battery == [("switch.turn_off", GRID_CHARGING, {})]
    await _set(hass, PRICE, "0.30", **PRICE_UNIT)
    assert battery == [
        ("switch.turn_off", GRID_CHARGING, {}),
        ("switch.turn_on", GRID_CHARGING, {}),
    ]


# Tell me when it spikes


@pytest.fixture
async def notify(hass: HomeAssistant, tmp_path: Path) -> Calls:
    """Tell me when it spikes, in Brisbane (no daylight saving: fixed local times)."""
    await hass.config.async_set_time_zone("Australia/Brisbane")
    hass.states.async_set(PRICE, "1.23456", PRICE_UNIT)
    hass.states.async_set(
        FORECAST,
        "1.1",
        {
            **PRICE_UNIT,
            "forecasts": [
                {"start_time": "2026-12-07T04:05:00+00:00", "price": 1.1},
                {"start_time": "2026-12-07T04:10:00+00:00", "price": 0.4567},
                {"start_time": "2026-12-07T04:15:00+00:00", "price": -0.01},
            ],
        },
    )
    hass.states.async_set(SPIKE, "off")
    hass.states.async_set(DEMAND_WINDOW, "off")
    calls = _mock_calls(hass, "notify.notify")
    await _use_blueprint(
        hass,
        tmp_path,
        "price_spike_notify",
        {
            "spike_sensor": SPIKE,
            "price_sensor": PRICE,
            "forecast_sensor": FORECAST,
            "forecast_count": 2,
            "demand_window_sensor": DEMAND_WINDOW,
        },
    )
    return calls


async def test_notify_on_spike_with_price_and_forecast(
    hass: HomeAssistant, notify: Calls
) -> None:
    """A spike sends the current price and the next forecast prices, once."""
    await _set(hass, SPIKE, "on")
    await _set(hass, SPIKE, "on", spike_status="spike")
    assert notify == [
        (
            "notify.notify",
            "",
            {
                "title": "Amber price spike",
                "message": "Price now 1.235 AUD/kWh. Next: 14:05 1.100, 14:10 0.457.",
            },
        )
    ]


async def test_notify_on_demand_window(hass: HomeAssistant, notify: Calls) -> None:
    """The demand window starting sends its own title; ending it sends nothing."""
    await _set(hass, DEMAND_WINDOW, "on")
    await _set(hass, DEMAND_WINDOW, "off")
    assert notify == [
        (
            "notify.notify",
            "",
            {
                "title": "Demand window started",
                "message": "Price now 1.235 AUD/kWh. Next: 14:05 1.100, 14:10 0.457.",
            },
        )
    ]


async def test_notify_without_forecast_to_another_action(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Only the required inputs: the current price, through the chosen notify action."""
    hass.states.async_set(PRICE, "2.5", PRICE_UNIT)
    hass.states.async_set(SPIKE, "off")
    calls = _mock_calls(hass, "notify.mobile_app_phone")
    await _use_blueprint(
        hass,
        tmp_path,
        "price_spike_notify",
        {
            "spike_sensor": SPIKE,
            "price_sensor": PRICE,
            "notify_action": "notify.mobile_app_phone",
        },
    )
    await _set(hass, SPIKE, "on")
    assert calls == [
        (
            "notify.mobile_app_phone",
            "",
            {"title": "Amber price spike", "message": "Price now 2.500 AUD/kWh."},
        )
    ]


# Charge the car in the cheapest window


async def _charge(
    hass: HomeAssistant, config_dir: Path, inputs: dict[str, Any]
) -> Calls:
    hass.states.async_set(CHARGER, "off")
    calls = _mock_calls(hass, "switch.turn_on", "switch.turn_off", "number.set_value")
    await _use_blueprint(
        hass,
        config_dir,
        "charge_in_cheap_window",
        {"charger_switch": CHARGER, **inputs},
    )
    return calls


async def test_charge_in_window_with_current(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """The window opening sets the current, then starts; its end stops."""
    hass.states.async_set(CHEAP_WINDOW, "off")
    calls = await _charge(
        hass,
        tmp_path,
        {
            "window_sensor": CHEAP_WINDOW,
            "current_number": CHARGING_CURRENT,
            "current_value": 24,
        },
    )
    await _set(hass, CHEAP_WINDOW, "on")
    assert calls == [
        ("number.set_value", CHARGING_CURRENT, {"value": 24}),
        ("switch.turn_on", CHARGER, {}),
    ]
    await _set(hass, CHEAP_WINDOW, "off")
    assert calls[2:] == [("switch.turn_off", CHARGER, {})]


async def test_charge_below_price_threshold(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Price at or below the threshold starts, above it stops; no current without input."""
    hass.states.async_set(PRICE, "0.30", PRICE_UNIT)
    calls = await _charge(
        hass, tmp_path, {"price_sensor": PRICE, "price_threshold": 0.12}
    )
    await _set(hass, PRICE, "0.13", **PRICE_UNIT)
    assert calls == []
    await _set(hass, PRICE, "0.12", **PRICE_UNIT)
    await _set(hass, PRICE, "-0.05", **PRICE_UNIT)
    assert calls == [("switch.turn_on", CHARGER, {})]
    # An unknown price changes nothing.
    await _set(hass, PRICE, "unavailable")
    assert calls == [("switch.turn_on", CHARGER, {})]
    await _set(hass, PRICE, "0.20", **PRICE_UNIT)
    assert calls == [
        ("switch.turn_on", CHARGER, {}),
        ("switch.turn_off", CHARGER, {}),
    ]


async def test_charge_needs_window_and_price_when_both_given(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """With both, the window must be open and the price at or below the threshold."""
    hass.states.async_set(CHEAP_WINDOW, "off")
    hass.states.async_set(PRICE, "0.30", PRICE_UNIT)
    calls = await _charge(
        hass,
        tmp_path,
        {
            "window_sensor": CHEAP_WINDOW,
            "price_sensor": PRICE,
            "price_threshold": 0.15,
        },
    )
    await _set(hass, CHEAP_WINDOW, "on")
    assert calls == []
    await _set(hass, PRICE, "0.10", **PRICE_UNIT)
    assert calls == [("switch.turn_on", CHARGER, {})]
    await _set(hass, CHEAP_WINDOW, "off")
    assert calls == [
        ("switch.turn_on", CHARGER, {}),
        ("switch.turn_off", CHARGER, {}),
    ]


async def test_charge_without_window_or_price_does_nothing(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Neither source given: the charger is never touched."""
    calls = await _charge(hass, tmp_path, {})
    await _set(hass, CHARGER, "on")
    await _set(hass, CHARGER, "off")
    assert calls == []
