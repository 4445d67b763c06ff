"""The failure policy against AlphaESS's faults: one system offline, bad answers, 6053, 6007.

One system's trouble leaves only that system's entities unavailable, said once in the log; live
power falls back to the 5-minute samples after three failures, said at info level; a 6053 pauses
the AppID's budget while the entities keep their state.
"""

from datetime import datetime, timedelta
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openpower.api.alphaess import AlphaEssClient, PowerSample
from custom_components.openpower.const import DOMAIN
from tests.common import async_move_to, async_setup_entry
from tests.simulator import ALPHAESS_LEGACY_SYSTEM, ALPHAESS_SYSTEM, Simulator

# 20:09:30 in Sydney, where the simulator's systems are.
NOW = datetime.fromisoformat("2026-08-04T10:09:30+00:00")
pytestmark = pytest.mark.freeze_time(NOW)

LOAD = "sensor.alphaess_al7011023030601_load_power"
SOC = "sensor.alphaess_al7011023030601_battery_state_of_charge"
SOLAR_TODAY = "sensor.alphaess_al7011023030601_solar_energy_today"
CHARGER_STATUS = "sensor.alphaess_ev_charger_ae1020231015007_charger_status"
LEGACY_LOAD = "sensor.alphaess_al7011023030202_load_power"
LEGACY_SOLAR_TODAY = "sensor.alphaess_al7011023030202_solar_energy_today"


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Run Home Assistant where the systems are: AlphaESS dates are the systems' local ones."""
    await hass.config.async_set_time_zone("Australia/Sydney")


def found(hass: HomeAssistant, entity_id: str) -> State:
    """Return an entity's state object (the entity must exist)."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state."""
    return found(hass, entity_id).state


def said(caplog: pytest.LogCaptureFixture, level: int, *parts: str) -> list[str]:
    """The integration's messages at `level` that contain every one of `parts`."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.openpower")
        and record.levelno == level
        and all(part in record.getMessage() for part in parts)
    ]


def live_requests(simulator: Simulator) -> list[str]:
    """Times (HH:MM:SS, UTC) of the live power requests AlphaESS answered."""
    return [
        record.time.strftime("%H:%M:%S")
        for record in simulator.requests
        if record.path.endswith("/getLastPowerData")
    ]


async def test_offline_system_alone_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A system offline (6042): its entities unavailable, the other's fine, one line each way."""
    assert await async_setup_entry(hass, alphaess_entry)
    simulator.alphaess.offline.add(ALPHAESS_SYSTEM)
    for minute in range(1, 7):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
        assert state(hass, LOAD) == STATE_UNAVAILABLE
        assert float(state(hass, LEGACY_LOAD)) > 0
    for entity_id in (SOC, SOLAR_TODAY, CHARGER_STATUS):
        assert state(hass, entity_id) == STATE_UNAVAILABLE
    assert float(state(hass, LEGACY_SOLAR_TODAY)) > 0
    assert alphaess_entry.state is ConfigEntryState.LOADED
    # Six live updates and one of the energy: one warning from each, none about the other.
    assert said(caplog, logging.WARNING, "…601") == [
        (
            "AlphaESS live power: system …601 is unavailable: "
            "alphaess getLastPowerData: AlphaESS code 6042"
        ),
        (
            "AlphaESS energy: system …601 is unavailable: "
            "alphaess getOneDateEnergyBySn: AlphaESS code 6042"
        ),
    ]
    assert not said(caplog, logging.WARNING, "…202")
    assert not said(caplog, logging.INFO, "…601")

    simulator.alphaess.offline.discard(ALPHAESS_SYSTEM)
    await async_move_to(hass, freezer, NOW + timedelta(minutes=7))
    assert float(state(hass, LOAD)) > 0
    # Back online, live power is live again (an offline system's samples are no newer).
    assert found(hass, LOAD).attributes["source"] == "live"
    assert state(hass, SOLAR_TODAY) == STATE_UNAVAILABLE
    await async_move_to(hass, freezer, NOW + timedelta(minutes=11))
    assert float(state(hass, SOLAR_TODAY)) > 0
    assert state(hass, CHARGER_STATUS) == "preparing"
    assert said(caplog, logging.INFO, "…601") == [
        "AlphaESS live power: system …601 answers again",
        "AlphaESS energy: system …601 answers again",
    ]
    assert len(said(caplog, logging.WARNING, "…601")) == 2


async def test_malformed_answer_keeps_previous_data(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer that cannot be read keeps what the system showed, logged once."""
    assert await async_setup_entry(hass, alphaess_entry)
    before = state(hass, LOAD), state(hass, SOC)
    simulator.fault_always("alphaess", "malformed")
    for minute in (1, 2):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
        assert (state(hass, LOAD), state(hass, SOC)) == before
    assert said(caplog, logging.WARNING, "…601") == [
        (
            "AlphaESS live power: system …601 keeps its previous data: "
            "the response is not valid JSON"
        )
    ]

    simulator.fault_always("alphaess", None)
    await async_move_to(hass, freezer, NOW + timedelta(minutes=3))
    assert (state(hass, LOAD), state(hass, SOC)) != before
    assert found(hass, LOAD).attributes["source"] == "live"
    assert said(caplog, logging.INFO, "…601") == [
        "AlphaESS live power: system …601 answers again"
    ]


async def test_malformed_answers_for_long(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A quarter of an hour of unreadable answers: every sensor keeps its state, no line twice."""
    assert await async_setup_entry(hass, alphaess_entry)
    before = {s.entity_id: s.state for s in hass.states.async_all("sensor")}
    simulator.fault_always("alphaess", "malformed")
    for minute in range(1, 16):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
    assert {s.entity_id: s.state for s in hass.states.async_all("sensor")} == before
    # Each system once per cadence, and nothing more.
    bad = "the response is not valid JSON"
    assert sorted(said(caplog, logging.WARNING)) == sorted(
        f"AlphaESS {cadence}: system …{serial} keeps its previous data: {bad}"
        for cadence in ("live power", "energy")
        for serial in ("601", "202")
    )


async def test_live_power_falls_back_to_samples(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three live failures in a row: the newest 5-minute sample, said at info level; live again after an hour."""
    assert await async_setup_entry(hass, alphaess_entry)
    for minute in (1, 2):
        simulator.fault_next("alphaess", "code_6026")
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
        assert state(hass, LOAD) == STATE_UNAVAILABLE
    simulator.fault_next("alphaess", "code_6026")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=3))
    load = found(hass, LOAD)
    assert load.attributes["source"] == "five_minute_sample"
    # At 20:12:30, the newest sample is the 20:05 step's, uploaded at 20:09:22.
    assert load.attributes["sampled_at"] == "2026-08-04T20:09:22+10:00"
    assert float(load.state) > 0
    assert said(caplog, logging.INFO, "5-minute samples") == [
        (
            "AlphaESS live power: live power of …601 failed 3 times; its 5-minute "
            "samples are shown until it answers again"
        )
    ]
    assert not said(caplog, logging.WARNING, "sample")
    assert len(said(caplog, logging.WARNING, "…601")) == 1

    # On the samples, live power is not asked for an hour.
    simulator.requests.clear()
    for minute in range(4, 63, 10):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
        assert found(hass, LOAD).attributes["source"] == "five_minute_sample"
    assert live_requests(simulator) == []
    await async_move_to(hass, freezer, NOW + timedelta(minutes=64))
    assert live_requests(simulator) == ["11:13:30"]
    assert found(hass, LOAD).attributes["source"] == "live"
    assert found(hass, LOAD).attributes["sampled_at"] is None


async def _fire_without_waiting(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock and fire what is due, without waiting for background work to end."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_too_fast_pauses_the_app_id(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A 6053 pauses the AppID's requests (60 s, then 120 s); the entities keep their state."""
    assert await async_setup_entry(hass, alphaess_entry)
    before = state(hass, LOAD), state(hass, LEGACY_LOAD)
    simulator.fault_next("alphaess", "code_6053")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=1))
    assert (state(hass, LOAD), state(hass, LEGACY_LOAD)) == before
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, alphaess_entry
    )
    budget = diagnostics["provider"]["budget"]
    assert budget["pause_reason"] == "AlphaESS answered 6053 (too fast)"
    assert budget["paused_until"] == "2026-08-04T10:11:30+00:00"

    # A second one in a row doubles the pause: the next update waits for its end.
    simulator.fault_next("alphaess", "code_6053")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=2))
    assert (state(hass, LOAD), state(hass, LEGACY_LOAD)) == before
    assert [
        record.time.strftime("%H:%M:%S")
        for record in simulator.requests
        if record.fault == "code_6053"
    ] == ["10:10:30", "10:11:30"]
    simulator.requests.clear()
    await _fire_without_waiting(hass, freezer, NOW + timedelta(minutes=3))
    assert simulator.requests == []
    assert (state(hass, LOAD), state(hass, LEGACY_LOAD)) == before
    await async_move_to(hass, freezer, NOW + timedelta(minutes=4))
    assert live_requests(simulator) == ["10:13:30"]
    assert state(hass, LOAD) != before[0]
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, alphaess_entry
    )
    assert diagnostics["provider"]["budget"]["pause_reason"] is None


async def test_refused_secret_while_running_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A 6007 during polling (the AppSecret was reset) asks the user for the new one."""
    assert await async_setup_entry(hass, alphaess_entry)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    simulator.fault_next("alphaess", "code_6007")
    await async_move_to(hass, freezer, NOW + timedelta(minutes=1))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == alphaess_entry.entry_id
    assert state(hass, LOAD) == STATE_UNAVAILABLE
    assert state(hass, LEGACY_LOAD) == STATE_UNAVAILABLE
    assert (
        ALPHAESS_LEGACY_SYSTEM
        in alphaess_entry.runtime_data.runtime.systems.data.systems
    )


async def test_every_system_offline(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """With no system answering, the update fails: every system's entities unavailable."""
    assert await async_setup_entry(hass, alphaess_entry)
    simulator.alphaess.offline.update({ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM})
    await async_move_to(hass, freezer, NOW + timedelta(minutes=5))
    for entity_id in (LOAD, SOC, LEGACY_LOAD, SOLAR_TODAY, LEGACY_SOLAR_TODAY):
        assert state(hass, entity_id) == STATE_UNAVAILABLE, entity_id
    live = alphaess_entry.runtime_data.runtime.live
    assert not live.last_update_success
    simulator.alphaess.offline.clear()
    await async_move_to(hass, freezer, NOW + timedelta(minutes=10))
    assert state(hass, LOAD) != STATE_UNAVAILABLE
    assert state(hass, LEGACY_LOAD) != STATE_UNAVAILABLE


async def test_no_sample_yet_today(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Just after midnight the fallback has no sample of the new day: unavailable, never 0."""
    freezer.move_to("2026-08-04T13:50:30+00:00")  # 23:50:30 in Sydney
    assert await async_setup_entry(hass, alphaess_entry)
    assert state(hass, LEGACY_LOAD) != STATE_UNAVAILABLE
    await async_move_to(hass, freezer, "2026-08-04T14:01:30+00:00")
    assert state(hass, LEGACY_LOAD) == STATE_UNAVAILABLE
    assert state(hass, LOAD) != STATE_UNAVAILABLE


async def test_stale_sample_is_not_now(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A system that stopped uploading: its newest sample, an hour old, is not shown as now."""
    assert await async_setup_entry(hass, alphaess_entry)
    old = PowerSample(
        time=datetime(2026, 8, 4, 19, 4, 13),
        pv=0.0,
        load=900.0,
        soc=40.0,
        grid_import=0.0,
        grid_export=0.0,
        ev=0.0,
    )
    with patch.object(AlphaEssClient, "async_get_day_power", return_value=[old]):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=5, seconds=1))
    assert state(hass, LEGACY_LOAD) == STATE_UNAVAILABLE
    assert state(hass, LOAD) != STATE_UNAVAILABLE


async def test_unknown_charger_status(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A status code AlphaESS has not documented is unknown, said once."""
    assert await async_setup_entry(hass, alphaess_entry)
    charger = simulator.alphaess.systems[ALPHAESS_SYSTEM].charger
    assert charger is not None
    charger.status = 7
    for minute in (5, 10):
        await async_move_to(hass, freezer, NOW + timedelta(minutes=minute))
        assert state(hass, CHARGER_STATUS) == "unknown"
    assert said(caplog, logging.WARNING, "charger status 7") == [
        "AlphaESS sent an unknown charger status 7; shown as unknown"
    ]


async def test_system_list_kept_through_bad_answers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The 8-hourly system list: a malformed list or charger list keeps what was known."""
    assert await async_setup_entry(hass, alphaess_entry)
    systems = alphaess_entry.runtime_data.runtime.systems
    before = systems.data
    simulator.fault_next("alphaess", "malformed")
    await async_move_to(hass, freezer, NOW + timedelta(hours=8, seconds=1))
    assert systems.data == before
    assert systems.last_update_success
    # The system list answers, the first charger list does not: that system keeps its charger.
    simulator.alphaess.offline.add(ALPHAESS_SYSTEM)
    await async_move_to(hass, freezer, NOW + timedelta(hours=16, seconds=2))
    assert systems.data.chargers == before.chargers
    assert state(hass, CHARGER_STATUS) == STATE_UNAVAILABLE
