"""Emporia end to end against the simulator: entities, tokens, outages, controls, history."""

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.emporia import CognitoAuth, EmporiaClient
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.emporia.coordinator import (
    EmporiaHistoryCoordinator,
)
from tests.common import async_move_to, async_settle, async_setup_entry, only_platform
from tests.simulator import (
    EMPORIA_CHARGER_GID,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_PASSWORD,
    EMPORIA_PLUG_GID,
    EMPORIA_VUE2_GID,
    EmporiaDevice,
    Simulator,
)

NOW = "2026-11-23T20:00:30+00:00"
MAINS_POWER = "sensor.home_mains_power"
KITCHEN_POWER = "sensor.kitchen_power"
SOLAR_POWER = "sensor.solar_power"
MAINS_TODAY = "sensor.home_mains_energy_today"
PLUG = "switch.coffee_maker"
CHARGING = "switch.garage_charger_charging"
CURRENT = "number.garage_charger_charging_current"
MAINS_ID = f"openpower:emporia_{EMPORIA_VUE2_GID}_mains_energy_consumption"
RETURN_ID = f"openpower:emporia_{EMPORIA_VUE2_GID}_mains_energy_return"


async def _client(
    session: aiohttp.ClientSession, simulator: Simulator
) -> EmporiaClient:
    urls = simulator.urls("emporia")
    auth = CognitoAuth(
        session,
        auth_url=urls["auth_url"],
        email=EMPORIA_EMAIL,
        password=EMPORIA_PASSWORD,
    )
    return EmporiaClient(session, auth, api_url=urls["api_url"])


def _device(
    registry: dr.DeviceRegistry, entry: MockConfigEntry, uid: str
) -> dr.DeviceEntry | None:
    return registry.async_get_device_by_identifier((DOMAIN, uid), entry.entry_id)


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [Platform.SENSOR, Platform.BINARY_SENSOR, Platform.SWITCH, Platform.NUMBER],
)
async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    platform: Platform,
) -> None:
    """Every entity of the demo account (Vue 2 + nested Vue 3, plug, charger)."""
    with only_platform(platform):
        assert await async_setup_entry(hass, emporia_entry)
    await snapshot_platform(hass, entity_registry, snapshot, emporia_entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_devices_and_power(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Circuits hang under their monitor, the Vue 3 under the Vue 2; power as Emporia says."""
    assert await async_setup_entry(hass, emporia_entry)
    vue2 = _device(device_registry, emporia_entry, f"emporia_{EMPORIA_VUE2_GID}")
    assert vue2 is not None
    assert vue2.model == "Vue 2"
    kitchen = _device(
        device_registry, emporia_entry, f"emporia_{EMPORIA_VUE2_GID}_circuit_1"
    )
    assert kitchen is not None
    assert kitchen.name == "Kitchen"
    assert kitchen.via_device_id == vue2.id
    workshop = next(
        d
        for d in dr.async_entries_for_config_entry(
            device_registry, emporia_entry.entry_id
        )
        if d.name == "Workshop"
    )
    assert workshop.via_device_id == vue2.id

    async with aiohttp.ClientSession() as session:
        client = await _client(session, simulator)
        usages = await client.async_get_usages(
            [EMPORIA_VUE2_GID], datetime.fromisoformat(NOW), "1MIN"
        )
    mains = usages.values[EMPORIA_VUE2_GID, "1,2,3"]
    assert mains is not None
    assert float(hass.states.get(MAINS_POWER).state) == pytest.approx(mains * 60_000)
    # Solar produces at noon in Los Angeles: negative, as Emporia sends it.
    assert float(hass.states.get(SOLAR_POWER).state) < 0
    assert float(hass.states.get(KITCHEN_POWER).state) >= 0


@pytest.mark.freeze_time(NOW)
async def test_null_usage_is_unknown_and_outage_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A null usage is unknown, never 0; an outage is unavailable, then it recovers."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    simulator.fault_next("emporia", "null_usage")
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    assert hass.states.get(MAINS_POWER).state == STATE_UNKNOWN

    simulator.fault_always("emporia", "http_500")
    await async_move_to(hass, freezer, now + timedelta(minutes=2))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    await async_move_to(hass, freezer, now + timedelta(minutes=3))
    good = hass.states.get(MAINS_POWER).state
    assert float(good) != 0

    # An unreadable answer keeps the last minute (logged once); a run of them does not.
    simulator.fault_always("emporia", "malformed")
    await async_move_to(hass, freezer, now + timedelta(minutes=4))
    assert hass.states.get(MAINS_POWER).state == good
    for minute in range(5, 9):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_expired_id_token_is_renewed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """An id token the API refuses is renewed once, and the update succeeds."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.expire_tokens()
    await async_move_to(
        hass, freezer, datetime.fromisoformat(NOW) + timedelta(minutes=1)
    )
    assert hass.states.get(MAINS_POWER).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    assert emporia_entry.state is ConfigEntryState.LOADED


@pytest.mark.freeze_time(NOW)
async def test_revoked_refresh_token_signs_in_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """With the password kept, a refused refresh token means a new sign-in, not a reauth."""
    old = emporia_entry.data["refresh_token"]
    simulator.emporia.revoke_refresh_tokens(EMPORIA_EMAIL)
    assert await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert emporia_entry.data["refresh_token"] != old
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.freeze_time(NOW)
async def test_revoked_tokens_start_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token entry whose refresh token is refused asks the user to sign in again."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    simulator.emporia.revoke_refresh_tokens(EMPORIA_FEDERATED_EMAIL)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="emporia_1000002",
        data={
            "provider": "emporia",
            "refresh_token": tokens["refresh_token"],
            "advanced": simulator.urls("emporia"),
        },
    )
    entry.add_to_hass(hass)
    assert not await async_setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"


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
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: PLUG}, blocking=True
    )
    assert hass.states.get(PLUG).state == "on"


@pytest.mark.freeze_time(NOW)
async def test_charger_controls(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Charging on/off and the current go to the charger; a refused write changes nothing."""
    assert await async_setup_entry(hass, emporia_entry)
    assert hass.states.get(CHARGING).state == "on"
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
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    await async_settle(hass)
    assert hass.states.get(CHARGING).state == "off"
    assert float(hass.states.get(CURRENT).state) == 16

    simulator.emporia.reject_charger_writes = True
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: CHARGING}, blocking=True
        )
    assert refused.value.translation_key == "rejected"
    await async_settle(hass)
    assert hass.states.get(CHARGING).state == "off"
    assert emporia_entry.state is ConfigEntryState.LOADED


async def _rows(hass: HomeAssistant, *ids: str) -> dict[str, list[dict[str, Any]]]:
    await async_wait_recording_done(hass)
    return await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        set(ids),
        "hour",
        None,
        {"state", "sum"},
    )


def _assert_consistent(rows: list[dict[str, Any]]) -> None:
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["start"] - before["start"] == 3600
        assert after["sum"] == pytest.approx(before["sum"] + after["state"], abs=1e-6)


@pytest.mark.freeze_time(NOW)
async def test_history_backfill_then_hourly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Two days backfilled per channel; then one hour an hour; stored exactly as Emporia says."""
    assert await async_setup_entry(hass, emporia_entry)
    rows = await _rows(hass, MAINS_ID, RETURN_ID)
    now = datetime.fromisoformat(NOW)
    last_hour = now.replace(minute=0, second=0) - timedelta(hours=1)
    first = last_hour - timedelta(days=2) + timedelta(hours=1)
    mains = rows[MAINS_ID]
    assert datetime.fromtimestamp(mains[0]["start"], UTC) == first
    assert datetime.fromtimestamp(mains[-1]["start"], UTC) == last_hour
    _assert_consistent(mains)
    _assert_consistent(rows[RETURN_ID])

    async with aiohttp.ClientSession() as session:
        client = await _client(session, simulator)
        chart = await client.async_get_chart_usage(
            EMPORIA_VUE2_GID, "1,2,3", first, last_hour + timedelta(hours=1)
        )
    for row, kwh in zip(mains, chart.values, strict=True):
        assert kwh is not None
        assert row["state"] == pytest.approx(max(kwh, 0.0), abs=1e-9)
    for row, kwh in zip(rows[RETURN_ID], chart.values, strict=True):
        assert kwh is not None
        assert row["state"] == pytest.approx(max(-kwh, 0.0), abs=1e-9)
    charts = sum(1 for r in simulator.requests if "getChartUsage" in str(r.query))
    assert charts > 0

    simulator.requests.clear()
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=1))
    rows = await _rows(hass, MAINS_ID)
    assert datetime.fromtimestamp(
        rows[MAINS_ID][-1]["start"], UTC
    ) == last_hour + timedelta(hours=1)
    _assert_consistent(rows[MAINS_ID])
    methods = [r.query.get("apiMethod") for r in simulator.requests]
    assert "getChartUsage" not in methods
    assert methods.count("getDeviceListUsages") >= 2


@pytest.mark.freeze_time(NOW)
async def test_energy_today_never_decreases(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Today's energy grows, ignores a stale minute, survives an outage, resets at midnight."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    values = [float(hass.states.get(MAINS_TODAY).state)]
    for minute in range(1, 6):
        if minute == 3:
            simulator.fault_next("emporia", "stale_instant")
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
        values.append(float(hass.states.get(MAINS_TODAY).state))
    assert values == sorted(values)
    assert values[-1] > values[0]
    # Local midnight in Los Angeles: a new day starts from what the new day brought.
    midnight = datetime(2026, 11, 24, 8, 0, 30, tzinfo=UTC)
    await async_move_to(hass, freezer, midnight + timedelta(minutes=1))
    assert float(hass.states.get(MAINS_TODAY).state) < values[-1]


@pytest.mark.freeze_time(NOW)
async def test_removed_device_goes_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A plug removed from the account disappears at the next tree refresh."""
    assert await async_setup_entry(hass, emporia_entry)
    plug = f"emporia_{EMPORIA_PLUG_GID}"
    assert _device(device_registry, emporia_entry, plug) is not None
    simulator.emporia.remove_device(EMPORIA_PLUG_GID)
    await async_move_to(hass, freezer, datetime.fromisoformat(NOW) + timedelta(hours=1))
    assert _device(device_registry, emporia_entry, plug) is None
    assert _device(device_registry, emporia_entry, f"emporia_{EMPORIA_CHARGER_GID}")


@pytest.mark.freeze_time(NOW)
async def test_new_device_appears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A plug added in the Emporia app gets its device and entities within the hour."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.add_device(
        EmporiaDevice.plug(2000099, "B1000A0099", "Kettle", 3000099)
    )
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(hours=1))
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=5))
    assert hass.states.get("switch.kettle").state == "on"
    assert hass.states.get("sensor.kettle_power") is not None


@pytest.mark.freeze_time(NOW)
async def test_maintenance_makes_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Emporia down for maintenance: unavailable (never zeros), back when it ends."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.maintenance = True
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.emporia.maintenance = False
    await async_move_to(hass, freezer, now + timedelta(minutes=2))
    assert hass.states.get(MAINS_POWER).state != STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_outage_leaves_no_hole_and_no_spike(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Three hours of outage: unavailable meanwhile, then the history gap is filled exactly."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    before = float(hass.states.get(MAINS_TODAY).state)
    simulator.fault_always("emporia", "http_500")
    for hour in range(1, 4):
        await async_move_to(
            hass, freezer, now.replace(minute=3) + timedelta(hours=hour)
        )
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    simulator.requests.clear()
    back = now.replace(minute=3) + timedelta(hours=4)
    await async_move_to(hass, freezer, back)
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    _assert_consistent(rows)
    last_hour = back.replace(minute=0, second=0) - timedelta(hours=1)
    assert datetime.fromtimestamp(rows[-1]["start"], UTC) == last_hour
    assert any(r.query.get("apiMethod") == "getChartUsage" for r in simulator.requests)
    # Today's energy picked the outage's hours up from the history, once, and did not fall.
    after = float(hass.states.get(MAINS_TODAY).state)
    assert after >= before
    stored_today = sum(
        row["state"]
        for row in rows
        if datetime.fromtimestamp(row["start"], UTC)
        >= datetime(2026, 11, 23, 8, tzinfo=UTC)
    )
    assert after == pytest.approx(stored_today, rel=0.05)


@pytest.mark.freeze_time(NOW)
async def test_answers_that_echo_the_instant(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The live API echoes the instant asked for (2026 captures): counted once all the same."""
    simulator.emporia.echo_instant = True
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    first = float(hass.states.get(MAINS_TODAY).state)
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    second = float(hass.states.get(MAINS_TODAY).state)
    assert second > first
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=1))
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    assert datetime.fromtimestamp(rows[-1]["start"], UTC) == now.replace(
        minute=0, second=0
    )
    _assert_consistent(rows)


@pytest.mark.freeze_time(NOW)
async def test_offline_device_is_filled_when_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A monitor offline for hours is not asked for its gap; once back, it is filled.

    With what the monitor uploaded, the hour it went offline in included.
    """
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(minutes=20))
    simulator.emporia.set_connected(EMPORIA_VUE2_GID, False)
    simulator.requests.clear()
    for hour in range(1, 4):
        await async_move_to(
            hass, freezer, now.replace(minute=3) + timedelta(hours=hour)
        )
    charts = [
        r for r in simulator.requests if r.query.get("apiMethod") == "getChartUsage"
    ]
    assert not [r for r in charts if r.query["deviceGid"] == str(EMPORIA_VUE2_GID)]

    simulator.emporia.set_connected(EMPORIA_VUE2_GID, True)
    back = now.replace(minute=3) + timedelta(hours=4)
    await async_move_to(hass, freezer, back - timedelta(minutes=2))
    await async_move_to(hass, freezer, back)
    rows = (await _rows(hass, MAINS_ID))[MAINS_ID]
    _assert_consistent(rows)
    for row in rows[-5:]:
        start = datetime.fromtimestamp(row["start"], UTC)
        kwh = simulator.emporia.energy(
            EMPORIA_VUE2_GID, "1,2,3", start, start + timedelta(hours=1)
        )
        assert row["state"] == pytest.approx(max(kwh, 0.0), abs=1e-9), start


@pytest.mark.freeze_time(NOW)
async def test_customers_400_burst(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Emporia answering 400 for hours (2026-09-16): the tree is kept, power is not.

    Power goes unavailable after a few minutes (never stale for hours); all comes back after.
    """
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    simulator.fault_always("emporia", "http_400")
    for minute in range(1, 6):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    assert hass.states.get(MAINS_POWER).state == STATE_UNAVAILABLE
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=1))
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(KITCHEN_POWER) is not None
    simulator.clear_faults()
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=2))
    assert hass.states.get(MAINS_POWER).state != STATE_UNAVAILABLE


@pytest.mark.freeze_time(NOW)
async def test_energy_today_survives_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Reloaded mid-hour, today's energy starts where it was, not from the stored hours."""
    assert await async_setup_entry(hass, emporia_entry)
    now = datetime.fromisoformat(NOW)
    for minute in range(1, 20):
        await async_move_to(hass, freezer, now + timedelta(minutes=minute))
    before = float(hass.states.get(MAINS_TODAY).state)
    assert await hass.config_entries.async_reload(emporia_entry.entry_id)
    await async_settle(hass)
    after = float(hass.states.get(MAINS_TODAY).state)
    # At most the part of one minute is not counted again.
    assert before - 0.05 <= after <= before + 0.05
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    hours = [start + timedelta(hours=n) for n in range(13)]
    expected = sum(
        max(
            simulator.emporia.energy(
                EMPORIA_VUE2_GID, "1,2,3", h, h + timedelta(hours=1)
            ),
            0,
        )
        for h in hours[:-1]
    ) + max(
        simulator.emporia.energy(
            EMPORIA_VUE2_GID, "1,2,3", hours[-1], now + timedelta(minutes=19)
        ),
        0,
    )
    assert after == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("now", "wait"),
    [
        ("2026-11-23T02:02:59.999+00:00", timedelta(hours=1, microseconds=1000)),
        ("2026-11-23T02:03:00.500+00:00", timedelta(minutes=59, seconds=59.5)),
        ("2026-11-23T02:30:00+00:00", timedelta(minutes=33)),
        ("2026-11-23T03:02:30+00:00", timedelta(hours=1, seconds=30)),
        ("2026-11-23T02:40:00+00:00", timedelta(minutes=23)),
    ],
)
def test_history_runs_once_an_hour(now: str, wait: timedelta) -> None:
    """A run fired a moment before hh:03 does not run again a moment later (bench finding)."""
    assert EmporiaHistoryCoordinator.next_run(datetime.fromisoformat(now)) == wait
