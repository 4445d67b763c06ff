"""AlphaESS history in the recorder: exact days, backfill order, restarts, gaps and outages.

Every test starts at 20:09:30 in Sydney (where the simulator's systems are) with five days of
history to backfill. What AlphaESS says a day holds is read from the simulator through a second
AppID bound to the same systems (`reference`): the request log's other entries are the
integration's own.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    get_last_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.alphaess.history import SystemHistory
from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssSettings,
)
from tests.common import async_move_to, async_setup_entry
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_OTHER_APP_ID,
    ALPHAESS_OTHER_APP_SECRET,
    ALPHAESS_SYSTEM,
    Simulator,
)
from tests.simulator.alphaess import AlphaEssSimulator, sign
from tests.simulator.app import RequestRecord

from .conftest import alphaess_entry_data

NOW = "2026-08-04T10:09:30+00:00"  # 20:09:30 in Sydney
SYDNEY = ZoneInfo("Australia/Sydney")
TODAY = date(2026, 8, 4)
HISTORY_DAYS = 5
SERIALS = (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM)
PERIODIC, LEGACY = SERIALS
QUANTITIES = (
    "pv",
    "grid_import",
    "grid_export",
    "battery_charge",
    "battery_discharge",
    "load",
)
NAMES = {
    "pv": "solar production",
    "grid_import": "grid import",
    "grid_export": "grid export",
    "battery_charge": "battery charge",
    "battery_discharge": "battery discharge",
    "load": "load",
}
REFERENCE_ACCOUNT = "other"
"""The simulator's key of the test's own AppID (`ALPHAESS_OTHER_APP_ID`) in its request log."""
ENERGY = "getOneDateEnergyBySn"
POWER = "getOneDayPowerBySn"
SUM_ROUNDING = 1e-9
"""kWh a day's change may differ from its energy by: float rounding of the running sum.

A day's hours add up to its energy exactly; its changes are differences of running sums of
hundreds of kWh, which cannot carry every daily value's last bits (a 200 kWh sum's last bit is
worth 3e-14 kWh)."""

type Row = dict[str, Any]


def ago(days: int) -> date:
    """The local date `days` before today."""
    return TODAY - timedelta(days=days)


def days_ago(first: int, last: int) -> list[date]:
    """Local dates from `first` to `last` days before today, newest first."""
    return [ago(days) for days in range(first, last + 1)]


def statistic_id(serial: str, quantity: str) -> str:
    """The statistic of one quantity of a system."""
    return f"openpower:alphaess_{serial.lower()}_{quantity}"


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant, alphaess_settings: AlphaEssSettings) -> None:
    """Home Assistant in Sydney, with five days of history to backfill."""
    await hass.config.async_set_time_zone("Australia/Sydney")
    hass.data[SETTINGS] = replace(alphaess_settings, history_days=HISTORY_DAYS)


def alphaess(simulator: Simulator) -> AlphaEssSimulator:
    """The simulator's AlphaESS part (systems, gaps, offline systems)."""
    part = simulator.part("alphaess")
    assert isinstance(part, AlphaEssSimulator)
    return part


@pytest.fixture
def reference(simulator: Simulator) -> Simulator:
    """The simulator, with both systems bound to a second AppID the tests read through."""
    for serial in SERIALS:
        alphaess(simulator).bind(ALPHAESS_OTHER_APP_ID, serial)
    return simulator


# ------------------------------------------------------------------------------------------
# What AlphaESS says


async def _ask(
    hass: HomeAssistant, simulator: Simulator, endpoint: str, serial: str, day: date
) -> Any:
    """Return what AlphaESS answers the test's own AppID about one system's day."""
    timestamp = int(simulator.now().timestamp())
    async with async_get_clientsession(hass).get(
        f"{simulator.base_url('alphaess')}/{endpoint}",
        params={"sysSn": serial, "queryDate": day.isoformat()},
        headers={
            "appId": ALPHAESS_OTHER_APP_ID,
            "timeStamp": str(timestamp),
            "sign": sign(
                ALPHAESS_OTHER_APP_ID, ALPHAESS_OTHER_APP_SECRET, str(timestamp)
            ),
        },
    ) as response:
        body = await response.json()
    assert body["code"] == 200, body
    return body["data"]


async def _daily(
    hass: HomeAssistant, simulator: Simulator, serial: str, day: date
) -> dict[str, float]:
    """The day's energy by quantity, as getOneDateEnergyBySn gives it (load: the balance)."""
    data = await _ask(hass, simulator, ENERGY, serial, day)
    energy = {
        "pv": data["epv"],
        "grid_import": data["eInput"],
        "grid_export": data["eOutput"],
        "battery_charge": data["eCharge"],
        "battery_discharge": data["eDischarge"],
    }
    energy["load"] = round(
        energy["pv"]
        + energy["grid_import"]
        - energy["grid_export"]
        + energy["battery_discharge"]
        - energy["battery_charge"],
        6,
    )
    return energy


_SAMPLE_POWER: dict[str, Callable[[dict[str, float]], float]] = {
    "pv": lambda sample: sample["ppv"],
    "grid_import": lambda sample: sample["gridCharge"],
    "grid_export": lambda sample: sample["feedIn"],
    # The samples carry no battery power: it is what balances the others.
    "battery_charge": lambda sample: (
        sample["ppv"] + sample["gridCharge"] - sample["feedIn"] - sample["load"]
    ),
    "battery_discharge": lambda sample: (
        sample["load"] + sample["feedIn"] - sample["ppv"] - sample["gridCharge"]
    ),
    "load": lambda sample: sample["load"],
}


async def _sample_energy(
    hass: HomeAssistant, simulator: Simulator, serial: str, day: date
) -> dict[str, list[float]]:
    """Each quantity's power summed per local hour of the day's 5-minute samples (W)."""
    samples = await _ask(hass, simulator, POWER, serial, day)
    assert len(samples) == 288
    by_hour = {quantity: [0.0] * 24 for quantity in QUANTITIES}
    for sample in samples:
        hour = datetime.fromisoformat(sample["uploadTime"]).hour
        for quantity, power in _SAMPLE_POWER.items():
            by_hour[quantity][hour] += max(power(sample), 0.0)
    return by_hour


# ------------------------------------------------------------------------------------------
# What the recorder holds, what the integration asked


async def _hours(hass: HomeAssistant, *ids: str) -> dict[str, list[Row]]:
    """Every stored hour (state, sum, change) of the statistics, oldest first; one query."""
    await async_wait_recording_done(hass)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        set(ids),
        "hour",
        None,
        {"state", "sum", "change"},
    )
    return {statistic: cast("list[Row]", rows.get(statistic, [])) for statistic in ids}


async def _all_hours(hass: HomeAssistant) -> dict[str, list[Row]]:
    """Every stored hour of every AlphaESS statistic."""
    return await _hours(
        hass,
        *(
            statistic_id(serial, quantity)
            for serial in SERIALS
            for quantity in QUANTITIES
        ),
    )


def _by_day(rows: list[Row]) -> dict[date, list[Row]]:
    """Stored hours by local day (Sydney)."""
    days: dict[date, list[Row]] = defaultdict(list)
    for row in rows:
        days[datetime.fromtimestamp(row["start"], SYDNEY).date()].append(row)
    return dict(days)


async def _system_days(
    hass: HomeAssistant, serial: str
) -> dict[str, dict[date, list[Row]]]:
    """A system's stored hours by quantity, then by local day."""
    hours = await _hours(
        hass, *(statistic_id(serial, quantity) for quantity in QUANTITIES)
    )
    return {
        quantity: _by_day(hours[statistic_id(serial, quantity)])
        for quantity in QUANTITIES
    }


async def _last_sum(hass: HomeAssistant, serial: str, quantity: str) -> float:
    """The sum of a statistic's newest hour."""
    await async_wait_recording_done(hass)
    wanted = statistic_id(serial, quantity)
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, wanted, True, {"sum"}
    )
    newest = last[wanted][0]["sum"]
    assert newest is not None
    return newest


def _asked(simulator: Simulator, endpoint: str = ENERGY) -> list[tuple[str, date]]:
    """(serial, day) of the integration's requests about finished days, in order."""

    def finished_day(record: RequestRecord) -> date | None:
        day = date.fromisoformat(record.query["queryDate"])
        return day if day < record.time.astimezone(SYDNEY).date() else None

    return [
        (record.query["sysSn"], day)
        for record in simulator.requests
        # An injected code fault answers before the signature: no account is known.
        if record.account != REFERENCE_ACCOUNT
        and record.path.endswith(f"/{endpoint}")
        and (day := finished_day(record)) is not None
    ]


def _read(simulator: Simulator) -> list[tuple[str, date]]:
    """The finished days the integration read, each with its energy then its samples."""
    energy, power = _asked(simulator, ENERGY), _asked(simulator, POWER)
    assert power == energy
    return energy


async def _assert_days_exact(
    hass: HomeAssistant, simulator: Simulator, serial: str, days: list[date]
) -> dict[date, dict[str, float]]:
    """Each day's hours add up to AlphaESS's day exactly; no other day is stored.

    Returns the days' energies.
    """
    stored = await _system_days(hass, serial)
    energies = {}
    for quantity in QUANTITIES:
        assert sorted(stored[quantity]) == sorted(days), quantity
    for day in days:
        energies[day] = daily = await _daily(hass, simulator, serial, day)
        for quantity in QUANTITIES:
            rows = stored[quantity][day]
            assert len(rows) == 24, (quantity, day)
            assert sum(row["state"] for row in rows) == daily[quantity], (quantity, day)
            assert sum(row["change"] for row in rows) == pytest.approx(
                daily[quantity], rel=0, abs=SUM_ROUNDING
            ), (quantity, day)
    return energies


async def _assert_shaped(
    hass: HomeAssistant, simulator: Simulator, serial: str, days: list[date]
) -> None:
    """Each day's hours are its energy in the proportions of its samples' hours."""
    stored = await _system_days(hass, serial)
    for day in days:
        daily = await _daily(hass, simulator, serial, day)
        samples = await _sample_energy(hass, simulator, serial, day)
        for quantity in QUANTITIES:
            weights = samples[quantity]
            if total := sum(weights):
                expected = [daily[quantity] * weight / total for weight in weights]
            else:
                # None of it in the samples (no export on a dull day): none in the day.
                expected = [daily[quantity]] + [0.0] * 23
            assert [row["state"] for row in stored[quantity][day]] == pytest.approx(
                expected, rel=1e-9, abs=1e-12
            ), (quantity, day)
        pv = [row["state"] for row in stored["pv"][day]]
        # No sunshine at night: the simulator's PV shines from 06:00 to 18:00 only.
        assert pv[:6] + pv[18:] == [0.0] * 12, day
        assert all(pv[7:17]), day


# ------------------------------------------------------------------------------------------
# Tests


@pytest.mark.freeze_time(NOW)
async def test_every_day_is_alphaess_day_in_the_samples_shape(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, reference: Simulator
) -> None:
    """Six kWh statistics per system; each day adds up to AlphaESS's day, shaped by its samples."""
    assert await async_setup_entry(hass, alphaess_entry)
    await async_wait_recording_done(hass)
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_source=DOMAIN)
    )
    assert {
        statistic: (
            meta["name"],
            meta["unit_of_measurement"],
            meta["unit_class"],
            meta["has_sum"],
            meta["mean_type"],
        )
        for statistic, (_, meta) in metadata.items()
    } == {
        statistic_id(serial, quantity): (
            f"AlphaESS {serial} {NAMES[quantity]}",
            "kWh",
            "energy",
            True,
            StatisticMeanType.NONE,
        )
        for serial in SERIALS
        for quantity in QUANTITIES
    }
    for serial in SERIALS:
        await _assert_days_exact(hass, reference, serial, days_ago(1, HISTORY_DAYS))
        await _assert_shaped(hass, reference, serial, days_ago(1, HISTORY_DAYS))


@pytest.mark.freeze_time(NOW)
async def test_backfill_newest_first_across_systems(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, reference: Simulator
) -> None:
    """Yesterday of every system first, then older days alternating, down to installation."""
    alphaess(reference).systems[LEGACY].installed_on = ago(3)
    assert await async_setup_entry(hass, alphaess_entry)
    assert _read(reference) == [
        (PERIODIC, ago(1)),
        (LEGACY, ago(1)),
        (PERIODIC, ago(2)),
        (LEGACY, ago(2)),
        (PERIODIC, ago(3)),
        (LEGACY, ago(3)),
        (PERIODIC, ago(4)),
        # Nothing on the day before installation: the legacy system's history is complete.
        (LEGACY, ago(4)),
        # history_days: five days back, not as far as AlphaESS has data.
        (PERIODIC, ago(5)),
    ]
    assert alphaess_entry.runtime_data.runtime.history.data.systems == {
        PERIODIC: SystemHistory(
            newest=ago(1), oldest=ago(5), complete=True, refetched=ago(1), batches=1
        ),
        LEGACY: SystemHistory(
            newest=ago(1), oldest=ago(3), complete=True, refetched=ago(1), batches=1
        ),
    }
    await _assert_days_exact(hass, reference, PERIODIC, days_ago(1, HISTORY_DAYS))
    await _assert_days_exact(hass, reference, LEGACY, days_ago(1, 3))


@pytest.mark.freeze_time(NOW)
async def test_restart_and_the_next_days(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    reference: Simulator,
) -> None:
    """Set up again: nothing asked twice; each new day once; yesterday again in the morning."""
    assert await async_setup_entry(hass, alphaess_entry)
    assert await hass.config_entries.async_unload(alphaess_entry.entry_id)
    reference.requests.clear()
    assert await async_setup_entry(hass, alphaess_entry)
    assert _read(reference) == []

    # 00:30 in Sydney: the 4th is finished, and read once.
    await async_move_to(hass, freezer, "2026-08-04T14:30:00+00:00")
    new_day = [(PERIODIC, TODAY), (LEGACY, TODAY)]
    assert _read(reference) == new_day
    await async_move_to(hass, freezer, "2026-08-04T19:30:00+00:00")
    assert _read(reference) == new_day
    for serial in SERIALS:
        await _assert_days_exact(hass, reference, serial, days_ago(0, HISTORY_DAYS))
        await _assert_shaped(hass, reference, serial, [TODAY])
    stored = await _all_hours(hass)

    # 06:30: read once more (AlphaESS has had the night's late uploads), then not again.
    await async_move_to(hass, freezer, "2026-08-04T20:30:00+00:00")
    assert _read(reference) == new_day * 2
    for moment in ("2026-08-04T21:30:00+00:00", "2026-08-05T08:30:00+00:00"):
        await async_move_to(hass, freezer, moment)
    assert _read(reference) == new_day * 2
    assert await _all_hours(hass) == stored


@pytest.mark.freeze_time(NOW)
async def test_day_without_samples_is_its_energy_at_its_first_hour(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, reference: Simulator
) -> None:
    """A day AlphaESS has no samples for: its energy at midnight, 0 in the other hours."""
    alphaess(reference).gaps.add((PERIODIC, ago(3)))
    assert await async_setup_entry(hass, alphaess_entry)
    energies = await _assert_days_exact(
        hass, reference, PERIODIC, days_ago(1, HISTORY_DAYS)
    )
    stored = await _system_days(hass, PERIODIC)
    for quantity in QUANTITIES:
        midnight, *others = [row["state"] for row in stored[quantity][ago(3)]]
        assert (midnight, others) == (energies[ago(3)][quantity], [0.0] * 23)
    # The days around it keep their shape.
    await _assert_shaped(hass, reference, PERIODIC, [ago(2), ago(4)])


@pytest.mark.parametrize("failure", ["offline", "code_6042"])
@pytest.mark.freeze_time(NOW)
async def test_failed_day_is_asked_again_without_hole_or_double_count(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    alphaess_entry: MockConfigEntry,
    reference: Simulator,
    failure: str,
) -> None:
    """A day that fails is not imported (no zeros) and is asked again at the next run."""

    def fail_next_day(record: RequestRecord) -> None:
        # Right after the legacy system's second day, before the periodic one's third.
        if record.path.endswith(f"/{POWER}") and record.query == {
            "sysSn": LEGACY,
            "queryDate": ago(2).isoformat(),
        }:
            if failure == "offline":
                alphaess(reference).offline.add(PERIODIC)
            else:
                reference.fault_next("alphaess", failure)

    reference.request_listeners.append(fail_next_day)
    assert await async_setup_entry(hass, alphaess_entry)
    reference.request_listeners.remove(fail_next_day)
    alphaess(reference).offline.clear()
    # The periodic system's third day failed on its energy; the legacy system went on.
    assert _asked(reference, ENERGY) == [
        (PERIODIC, ago(1)),
        (LEGACY, ago(1)),
        (PERIODIC, ago(2)),
        (LEGACY, ago(2)),
        (PERIODIC, ago(3)),
        *((LEGACY, day) for day in days_ago(3, HISTORY_DAYS)),
    ]
    failed = [
        record
        for record in reference.requests
        if record.query.get("sysSn") == PERIODIC
        and record.query.get("queryDate") == ago(3).isoformat()
    ]
    assert [(record.path.rsplit("/")[-1], record.fault) for record in failed] == [
        (ENERGY, None if failure == "offline" else failure)
    ]
    await _assert_days_exact(hass, reference, PERIODIC, days_ago(1, 2))
    await _assert_days_exact(hass, reference, LEGACY, days_ago(1, HISTORY_DAYS))
    stored = await _all_hours(hass)
    sums = {
        quantity: await _last_sum(hass, PERIODIC, quantity) for quantity in QUANTITIES
    }

    reference.requests.clear()
    await async_move_to(hass, freezer, "2026-08-04T11:10:00+00:00")
    assert _read(reference) == [(PERIODIC, day) for day in days_ago(3, HISTORY_DAYS)]
    energies = await _assert_days_exact(
        hass, reference, PERIODIC, days_ago(1, HISTORY_DAYS)
    )
    again = await _all_hours(hass)
    for quantity in QUANTITIES:
        # The days imported before are as they were; the sum grew by the older days only.
        periodic, legacy = (
            statistic_id(PERIODIC, quantity),
            statistic_id(LEGACY, quantity),
        )
        recent = _by_day(stored[periodic])
        assert {
            day: [row["state"] for row in rows]
            for day, rows in _by_day(again[periodic]).items()
            if day in recent
        } == {day: [row["state"] for row in rows] for day, rows in recent.items()}
        older = [energies[day][quantity] for day in days_ago(3, HISTORY_DAYS)]
        assert await _last_sum(hass, PERIODIC, quantity) == pytest.approx(
            sums[quantity] + sum(older), rel=0, abs=SUM_ROUNDING
        )
        assert again[legacy] == stored[legacy]


@pytest.mark.freeze_time(NOW)
async def test_importing_the_same_days_again_changes_nothing(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, reference: Simulator
) -> None:
    """The entry removed and added again backfills the same days into the same statistics."""
    assert await async_setup_entry(hass, alphaess_entry)
    first = _read(reference)
    stored = await _all_hours(hass)
    assert await hass.config_entries.async_remove(alphaess_entry.entry_id)
    reference.requests.clear()
    added_again = MockConfigEntry(
        domain=DOMAIN,
        title="AlphaESS",
        unique_id=f"alphaess_{ALPHAESS_APP_ID}",
        data=alphaess_entry_data(reference),
    )
    added_again.add_to_hass(hass)
    assert await async_setup_entry(hass, added_again)
    assert _read(reference) == first
    assert len(first) == 2 * HISTORY_DAYS
    reimported = await _all_hours(hass)
    for statistic, rows in stored.items():
        # The same hours, values and sums to the last bit: the first backfill rebased
        # yesterday's sums under the older days hour by hour, as the second adds them.
        assert [
            (row["start"], row["state"], row["sum"]) for row in reimported[statistic]
        ] == [(row["start"], row["state"], row["sum"]) for row in rows], statistic
