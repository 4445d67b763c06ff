"""Sensors: every one of the demo AppID (snapshot), and each value against what AlphaESS says."""

from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import async_move_to, async_setup_entry, only_platform
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    Simulator,
)
from tests.simulator.alphaess import sign

# 20:09:30 in Sydney, where the simulator's systems are: no sun, the battery covers the load.
NOW = datetime.fromisoformat("2026-08-04T10:09:30+00:00")
TODAY = "2026-08-04"

type Ask = Callable[..., Awaitable[Any]]


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Run Home Assistant where the systems are: AlphaESS dates are the systems' local ones."""
    await hass.config.async_set_time_zone("Australia/Sydney")


@pytest.fixture
async def ask_alphaess(simulator: Simulator) -> AsyncGenerator[Ask]:
    """Ask the simulator an endpoint as the demo AppID, apart from Home Assistant: its `data`."""
    async with aiohttp.ClientSession() as session:

        async def ask(endpoint: str, **params: str) -> Any:
            stamp = str(int(simulator.now().timestamp()))
            headers = {
                "appId": ALPHAESS_APP_ID,
                "timeStamp": stamp,
                "sign": sign(ALPHAESS_APP_ID, ALPHAESS_APP_SECRET, stamp),
            }
            url = f"{simulator.base_url('alphaess')}/{endpoint}"
            async with session.get(url, params=params, headers=headers) as response:
                envelope = await response.json()
            assert envelope["code"] == 200, envelope
            return envelope["data"]

        yield ask


def entity(serial: str, key: str) -> str:
    """Return the entity id of a system's sensor."""
    return f"sensor.alphaess_{serial.lower()}_{key}"


def found(hass: HomeAssistant, serial: str, key: str) -> State:
    """Return the state object of a system's sensor (the sensor must exist)."""
    current = hass.states.get(entity(serial, key))
    assert current is not None, entity(serial, key)
    return current


def state(hass: HomeAssistant, serial: str, key: str) -> str:
    """Return the state of a system's sensor."""
    return found(hass, serial, key).state


def sample_requests(simulator: Simulator, serial: str, day: str = TODAY) -> list[str]:
    """Times (HH:MM, UTC) of the requests for a system's 5-minute samples of `day`."""
    return [
        record.time.strftime("%H:%M")
        for record in simulator.requests
        if record.path.endswith("/getOneDayPowerBySn")
        and record.query.get("sysSn") == serial
        and record.query.get("queryDate") == day
    ]


LIVE_POWERS = (
    "solar_power",
    "solar_string_1_power",
    "solar_string_2_power",
    "load_power",
    "grid_power",
    "grid_import_power",
    "grid_export_power",
    "battery_power",
    "battery_charge_power",
    "battery_discharge_power",
    "ev_charging_power",
)
ENERGY_TODAY = {
    "solar_energy_today": "epv",
    "grid_import_today": "eInput",
    "grid_export_today": "eOutput",
    "battery_charge_today": "eCharge",
    "battery_discharge_today": "eDischarge",
    "battery_charge_from_grid_today": "eGridCharge",
}


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Every sensor of both systems and of the charger, disabled ones included."""
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, alphaess_entry)
    await snapshot_platform(hass, entity_registry, snapshot, alphaess_entry.entry_id)


@pytest.mark.parametrize(
    ("grid", "battery"),
    [
        # 10:32 in Sydney: the battery charges at 5 kW and the rest of the sun is fed in.
        pytest.param(
            "export",
            "charge",
            marks=pytest.mark.freeze_time("2026-08-04T00:32:30+00:00"),
        ),
        # 07:02: the battery is empty (10 %), the grid covers the morning.
        pytest.param(
            "import",
            "idle",
            marks=pytest.mark.freeze_time("2026-08-03T21:02:30+00:00"),
        ),
        # 20:09: the battery covers the evening, nothing through the grid.
        pytest.param("idle", "discharge", marks=pytest.mark.freeze_time(NOW)),
    ],
)
async def test_live_power_signs(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    ask_alphaess: Ask,
    grid: str,
    battery: str,
) -> None:
    """Grid + import / − export, battery + discharge / − charge, each split into two positives.

    A side at rest reads 0, never "-0".
    """
    assert await async_setup_entry(hass, alphaess_entry)
    live = await ask_alphaess("getLastPowerData", sysSn=ALPHAESS_SYSTEM)
    pgrid, pbat = live["pgrid"], live["pbat"]
    assert (pgrid > 0, pgrid < 0) == (grid == "import", grid == "export")
    assert (pbat > 0, pbat < 0) == (battery == "discharge", battery == "charge")

    def power(key: str) -> float:
        return float(state(hass, ALPHAESS_SYSTEM, key))

    assert power("grid_power") == pgrid
    assert power("grid_import_power") == max(pgrid, 0)
    assert power("grid_export_power") == max(-pgrid, 0)
    assert power("battery_power") == pbat
    assert power("battery_discharge_power") == max(pbat, 0)
    assert power("battery_charge_power") == max(-pbat, 0)
    assert power("solar_power") == live["ppv"]
    assert power("solar_string_1_power") == live["ppvDetail"]["ppv1"]
    assert power("solar_string_2_power") == live["ppvDetail"]["ppv2"]
    assert power("load_power") == live["pload"]
    assert power("battery_state_of_charge") == live["soc"]
    # The split sensors add up to what each side does: pgrid + ppv + pbat = pload + pev.
    supplied = (
        power("grid_import_power")
        - power("grid_export_power")
        + power("solar_power")
        + power("battery_discharge_power")
        - power("battery_charge_power")
    )
    assert supplied == power("load_power") + power("ev_charging_power")
    for key in LIVE_POWERS:
        assert not state(hass, ALPHAESS_SYSTEM, key).startswith("-0"), key
    # The legacy system's powers come from a sample (no strings, no charger): split alike.
    legacy = {
        key: float(state(hass, ALPHAESS_LEGACY_SYSTEM, key))
        for key in LIVE_POWERS
        if key.split("_")[0] in ("grid", "battery")
    }
    assert legacy["grid_import_power"] == max(legacy["grid_power"], 0)
    assert legacy["grid_export_power"] == max(-legacy["grid_power"], 0)
    assert legacy["battery_discharge_power"] == max(legacy["battery_power"], 0)
    assert legacy["battery_charge_power"] == max(-legacy["battery_power"], 0)
    for key in legacy:
        assert not state(hass, ALPHAESS_LEGACY_SYSTEM, key).startswith("-0"), key
    attributes = found(hass, ALPHAESS_SYSTEM, "grid_power").attributes
    assert attributes["source"] == "live"
    assert attributes["sampled_at"] is None


@pytest.mark.freeze_time(NOW)
async def test_legacy_system_shows_its_newest_sample(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    ask_alphaess: Ask,
) -> None:
    """A Storion-S5 does not serve live power: its newest 5-minute sample, read every 5 minutes."""
    assert await async_setup_entry(hass, alphaess_entry)
    samples = await ask_alphaess(
        "getOneDayPowerBySn", sysSn=ALPHAESS_LEGACY_SYSTEM, queryDate=TODAY
    )
    newest = samples[0]  # AlphaESS sends the newest first
    assert newest["uploadTime"] == "2026-08-04 20:09:13"

    def power(key: str) -> float:
        return float(state(hass, ALPHAESS_LEGACY_SYSTEM, key))

    assert power("solar_power") == newest["ppv"]
    assert power("load_power") == newest["load"]
    assert power("grid_import_power") == newest["gridCharge"]
    assert power("grid_export_power") == newest["feedIn"]
    assert power("grid_power") == newest["gridCharge"] - newest["feedIn"]
    # The sample carries no battery power: what balances the others.
    battery = newest["load"] - newest["ppv"] - newest["gridCharge"] + newest["feedIn"]
    assert battery > 0
    assert power("battery_power") == battery
    assert power("battery_discharge_power") == battery
    assert power("battery_charge_power") == 0
    assert power("battery_state_of_charge") == newest["cbat"]
    # What a sample does not carry is unknown, not 0.
    assert state(hass, ALPHAESS_LEGACY_SYSTEM, "solar_string_1_power") == STATE_UNKNOWN
    for key in (*LIVE_POWERS[:-1], "battery_state_of_charge"):
        attributes = found(hass, ALPHAESS_LEGACY_SYSTEM, key).attributes
        assert attributes["source"] == "five_minute_sample", key
        assert attributes["sampled_at"] == "2026-08-04T20:09:13+10:00", key

    # Live power (every minute) reads the samples again only every 5 minutes.
    simulator.requests.clear()
    for minute in range(1, 11):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
    assert sample_requests(simulator, ALPHAESS_LEGACY_SYSTEM) == ["10:14", "10:19"]
    assert [
        record.time.strftime("%H:%M")
        for record in simulator.requests
        if record.path.endswith("/getLastPowerData")
    ] == [f"10:{minute:02d}" for minute in range(10, 20)]
    sampled = found(hass, ALPHAESS_LEGACY_SYSTEM, "load_power")
    assert sampled.attributes["sampled_at"] == "2026-08-04T20:19:13+10:00"
    samples = await ask_alphaess(
        "getOneDayPowerBySn", sysSn=ALPHAESS_LEGACY_SYSTEM, queryDate=TODAY
    )
    assert samples[0]["uploadTime"] == "2026-08-04 20:19:13"
    assert float(sampled.state) == samples[0]["load"]


@pytest.mark.freeze_time(NOW)
async def test_energy_today_as_alphaess_says(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    ask_alphaess: Ask,
) -> None:
    """Today's energies are getOneDateEnergyBySn's; the load is their balance."""
    assert await async_setup_entry(hass, alphaess_entry)
    for serial in (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM):
        energy = await ask_alphaess(
            "getOneDateEnergyBySn", sysSn=serial, queryDate=TODAY
        )
        assert energy["theDate"] == TODAY
        assert energy["epv"] > 0
        for key, field in ENERGY_TODAY.items():
            assert float(state(hass, serial, key)) == energy[field], (serial, key)
        load = (
            energy["epv"]
            + energy["eInput"]
            - energy["eOutput"]
            + energy["eDischarge"]
            - energy["eCharge"]
        )
        assert float(state(hass, serial, "load_energy_today")) == round(load, 6)
    assert float(state(hass, ALPHAESS_SYSTEM, "ev_charging_energy_today")) == 0.0
    # Only a system with a charger has EV sensors.
    assert hass.states.get(entity(ALPHAESS_LEGACY_SYSTEM, "ev_charging_power")) is None
    assert (
        hass.states.get(entity(ALPHAESS_LEGACY_SYSTEM, "ev_charging_energy_today"))
        is None
    )


@pytest.mark.freeze_time(NOW)
async def test_income_in_home_assistant_currency(
    hass: HomeAssistant,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    ask_alphaess: Ask,
) -> None:
    """`moneyType` is null: income is in Home Assistant's currency; no tariff, no income."""
    await hass.config.async_update(currency="AUD")
    assert await async_setup_entry(hass, alphaess_entry)
    summary = await ask_alphaess("getSumDataForCustomer", sysSn=ALPHAESS_SYSTEM)
    assert summary["moneyType"] is None
    for key, field in (
        ("income_today", "todayIncome"),
        ("income_total", "totalIncome"),
    ):
        income = found(hass, ALPHAESS_SYSTEM, key)
        assert float(income.state) == summary[field]
        assert income.attributes["unit_of_measurement"] == "AUD"
        # The legacy demo system has no feed-in tariff: AlphaESS says null.
        unpaid = found(hass, ALPHAESS_LEGACY_SYSTEM, key)
        assert unpaid.state == STATE_UNKNOWN
        assert unpaid.attributes["unit_of_measurement"] == "AUD"
    assert float(state(hass, ALPHAESS_SYSTEM, "self_consumption")) == round(
        summary["eselfConsumption"] * 100, 1
    )
    assert float(state(hass, ALPHAESS_SYSTEM, "self_sufficiency")) == round(
        summary["eselfSufficiency"] * 100, 1
    )
    total = float(state(hass, ALPHAESS_SYSTEM, "solar_energy_total"))
    assert total == summary["epvtotal"]


@pytest.mark.freeze_time(NOW)
async def test_null_values_are_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Numbers AlphaESS sends as null are unknown, never 0; the next answer shows them again."""
    assert await async_setup_entry(hass, alphaess_entry)
    simulator.fault_next("alphaess", "null_values")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=1))
    for key in (*LIVE_POWERS, "battery_state_of_charge"):
        assert state(hass, ALPHAESS_SYSTEM, key) == STATE_UNKNOWN, key
    # The other system's sample was not touched.
    assert float(state(hass, ALPHAESS_LEGACY_SYSTEM, "load_power")) > 0

    await async_move_to(hass, freezer, NOW + timedelta(minutes=2))
    assert float(state(hass, ALPHAESS_SYSTEM, "load_power")) > 0
    assert float(state(hass, ALPHAESS_SYSTEM, "solar_energy_today")) > 0

    # At +5 minutes live power and both systems' energy are asked: all three come back null.
    simulator.fault_next("alphaess", "null_values", 3)
    await async_move_to(hass, freezer, NOW + timedelta(minutes=5))
    for serial in (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM):
        for key in (*ENERGY_TODAY, "load_energy_today"):
            assert state(hass, serial, key) == STATE_UNKNOWN, (serial, key)
    assert state(hass, ALPHAESS_SYSTEM, "ev_charging_energy_today") == STATE_UNKNOWN
    assert state(hass, ALPHAESS_SYSTEM, "grid_power") == STATE_UNKNOWN
