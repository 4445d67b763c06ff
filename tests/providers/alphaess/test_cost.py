"""AlphaESS grid import's cost and grid export's compensation, at the 5-minute samples' resolution.

Every test starts at 20:09:30 in Sydney (where the simulator's systems and the Amber site are),
with three finished days to import. The expected money is computed from the simulators' own
models: each 5-minute step's grid energy (its share of AlphaESS's rounded daily energy, as the
statistics spread it) times the price of the Amber interval or tariff period that step is in.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.statistics import (
    get_metadata,
    statistics_during_period,
)
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.amber.runtime import (
    SETTINGS as AMBER_SETTINGS,
    AmberSettings,
)
from tests.common import async_settle, async_setup_entry
from tests.providers.amber.conftest import amber_entry_data
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    DEMO_SITE_5MIN,
    Simulator,
)
from tests.simulator.alphaess import AlphaEssSimulator
from tests.simulator.amber import AmberSimulator
from tests.simulator.solar_model import Step, Totals, day_steps

from .conftest import alphaess_entry_data

NOW = "2026-08-04T10:09:30+00:00"  # 20:09:30 in Sydney
SYDNEY = ZoneInfo("Australia/Sydney")
DAYS = (date(2026, 8, 1), date(2026, 8, 2), date(2026, 8, 3))
"""Saturday to Monday: the three finished days `history_days` (3) reaches."""
SERIALS = (ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM)
MONEY_REL = 1e-9

type Price = Callable[[Step], float]
"""A step's price (AUD/kWh), from its start."""


@pytest.fixture(autouse=True)
async def sydney(hass: HomeAssistant) -> None:
    """Home Assistant in Sydney; Amber with short timeouts and a day of usage history."""
    await hass.config.async_set_time_zone("Australia/Sydney")
    hass.data[AMBER_SETTINGS] = AmberSettings(
        request_timeout=0.5, retry_backoff=0, history_days=1
    )


def statistic_id(serial: str, name: str) -> str:
    """A statistic of a system."""
    return f"openpower:alphaess_{serial.lower()}_{name}"


def _alphaess(simulator: Simulator) -> AlphaEssSimulator:
    part = simulator.part("alphaess")
    assert isinstance(part, AlphaEssSimulator)
    return part


def _amber(simulator: Simulator) -> AmberSimulator:
    part = simulator.part("amber")
    assert isinstance(part, AmberSimulator)
    return part


def _steps(simulator: Simulator, serial: str, day: date) -> tuple[Step, ...]:
    """The simulator's 5-minute steps of a system's local day."""
    return day_steps(_alphaess(simulator).systems[serial].site, day)


def _expected(
    simulator: Simulator, serial: str, quantity: str, price: Price
) -> dict[datetime, float]:
    """Money of each hour (UTC start): Σ over its steps of the step's energy × its price.

    A step's energy is its share of the day's energy as AlphaESS reports it (kWh, 2 decimals),
    in the proportion of its power among the day's steps. Every hour of a day has a row.
    """
    money: dict[datetime, float] = {}
    for day in DAYS:
        steps = _steps(simulator, serial, day)
        totals = Totals.of(steps)
        watts: Callable[[Step], int]
        if quantity == "grid_import":
            watts, daily = (lambda step: step.grid_import), totals.grid_import
        else:
            watts, daily = (lambda step: step.export), totals.export
        reported = round(daily, 2)
        day_watts = sum(watts(step) for step in steps)
        for step in steps:
            hour = step.start.replace(minute=0, second=0)
            # A day without any (a battery carrying the whole load): 0 in every hour.
            energy = reported * watts(step) / day_watts if day_watts else 0.0
            money[hour] = money.get(hour, 0.0) + energy * price(step)
    return money


async def _stored(hass: HomeAssistant, *ids: str) -> dict[str, dict[datetime, float]]:
    """Every stored hour's state, by statistic and UTC start."""
    await async_wait_recording_done(hass)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 1, 1, tzinfo=UTC),
        None,
        set(ids),
        "hour",
        None,
        {"state"},
    )
    return {
        statistic: {
            datetime.fromtimestamp(row["start"], UTC): cast("float", row["state"])
            for row in rows.get(statistic, [])
        }
        for statistic in ids
    }


async def _money_ids(hass: HomeAssistant) -> dict[str, tuple[str, Any, Any]]:
    """AlphaESS's money statistics stored: id → (name, unit, unit class)."""
    await async_wait_recording_done(hass)
    metadata = await get_instance(hass).async_add_executor_job(
        lambda: get_metadata(hass, statistic_source=DOMAIN)
    )
    return {
        statistic: (meta["name"], meta["unit_of_measurement"], meta["unit_class"])
        for statistic, (_, meta) in metadata.items()
        if statistic.startswith("openpower:alphaess_")
        and statistic.endswith(("_cost", "_compensation"))
    }


async def _set_up_priced(
    hass: HomeAssistant, entry: MockConfigEntry, cost: dict[str, Any] | None
) -> None:
    hass.config_entries.async_update_entry(
        entry, options={} if cost is None else {"cost": cost}
    )
    assert await async_setup_entry(hass, entry)


def _assert_money(
    stored: dict[datetime, float], expected: dict[datetime, float]
) -> None:
    assert sorted(stored) == sorted(expected)
    for hour, value in expected.items():
        assert stored[hour] == pytest.approx(value, rel=MONEY_REL, abs=1e-12), hour


def _amber_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    disabled_by: ConfigEntryDisabler | None = None,
) -> MockConfigEntry:
    """The demo 5-minute Amber site (general and feed-in channels), added, not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
        disabled_by=disabled_by,
    )
    entry.add_to_hass(hass)
    return entry


def _alphaess_entry(
    hass: HomeAssistant, simulator: Simulator, options: dict[str, Any]
) -> MockConfigEntry:
    """The demo AppID's entry with `options`, added, not set up (as the `alphaess_entry`)."""
    _alphaess(simulator).rate_limit = 100_000
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="AlphaESS",
        unique_id=f"alphaess_{ALPHAESS_APP_ID}",
        data=alphaess_entry_data(simulator),
        options=options,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.mark.freeze_time(NOW)
async def test_amber_site_prices_every_5_minutes(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Import at the general channel's price, export at the feed-in one, step by step."""
    amber_entry = _amber_entry(hass, simulator)
    assert await async_setup_entry(hass, amber_entry)
    alphaess_entry = _alphaess_entry(
        hass,
        simulator,
        {"cost": {"source": "entry", "price_entry_id": amber_entry.entry_id}},
    )
    assert await async_setup_entry(hass, alphaess_entry)
    amber = _amber(simulator)

    def general(step: Step) -> float:
        return amber.price(DEMO_SITE_5MIN, "general", step.start).per_kwh / 100

    def feed_in(step: Step) -> float:
        # Amber's feed-in price is negative when you are paid: what you earn is its opposite.
        return -amber.price(DEMO_SITE_5MIN, "feedIn", step.start).per_kwh / 100

    assert await _money_ids(hass) == {
        statistic_id(serial, f"{quantity}_{kind}"): (
            f"AlphaESS {serial} {name} {kind}",
            None,
            None,
        )
        for serial in SERIALS
        for quantity, kind, name in (
            ("grid_import", "cost", "grid import"),
            ("grid_export", "compensation", "grid export"),
        )
    }
    for serial in SERIALS:
        cost = statistic_id(serial, "grid_import_cost")
        compensation = statistic_id(serial, "grid_export_compensation")
        stored = await _stored(hass, cost, compensation)
        expected_cost = _expected(simulator, serial, "grid_import", general)
        _assert_money(stored[cost], expected_cost)
        expected_compensation = _expected(simulator, serial, "grid_export", feed_in)
        _assert_money(stored[compensation], expected_compensation)
        # The 5-minute weighting matters: an hour's mean price would give another cost.
        energy = (await _stored(hass, statistic_id(serial, "grid_import")))[
            statistic_id(serial, "grid_import")
        ]
        hourly_mean = {
            hour: kwh
            * sum(
                amber.price(
                    DEMO_SITE_5MIN, "general", hour + timedelta(minutes=m)
                ).per_kwh
                for m in range(0, 60, 5)
            )
            / 1200
            for hour, kwh in energy.items()
        }
        assert any(
            abs(hourly_mean[hour] - value) > 1e-6 * max(abs(value), 1e-3)
            for hour, value in expected_cost.items()
        )
    # Diagnostics: the source, and nothing left to price again (every day is confirmed).
    assert alphaess_entry.runtime_data.runtime.pricer.diagnostics() == {
        "source": "entry",
        "hours_to_price_again": 0,
    }


@pytest.mark.freeze_time(NOW)
async def test_amber_site_loaded_later(
    hass: HomeAssistant, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Days imported while the Amber entry is not loaded get their cost once it loads.

    AlphaESS imports each finished day once: the hours wait in the pricer, not for a re-import.
    """
    amber_entry = _amber_entry(hass, simulator, disabled_by=ConfigEntryDisabler.USER)
    alphaess_entry = _alphaess_entry(
        hass,
        simulator,
        {"cost": {"source": "entry", "price_entry_id": amber_entry.entry_id}},
    )
    assert await async_setup_entry(hass, alphaess_entry)
    assert amber_entry.state is ConfigEntryState.NOT_LOADED
    assert await _money_ids(hass) == {}
    energy = statistic_id(ALPHAESS_SYSTEM, "grid_import")
    assert len((await _stored(hass, energy))[energy]) == 24 * len(DAYS)
    # Both systems' import and export, every hour of the three days.
    pricer = alphaess_entry.runtime_data.runtime.pricer
    assert pricer.diagnostics() == {
        "source": "entry",
        "hours_to_price_again": 2 * 2 * 24 * len(DAYS),
    }
    assert caplog.text.count("come from an entry that is not loaded") == 1

    await hass.config_entries.async_set_disabled_by(amber_entry.entry_id, None)
    await async_settle(hass)
    assert amber_entry.state is ConfigEntryState.LOADED
    amber = _amber(simulator)
    for serial in SERIALS:
        cost = statistic_id(serial, "grid_import_cost")
        stored = await _stored(hass, cost)
        _assert_money(
            stored[cost],
            _expected(
                simulator,
                serial,
                "grid_import",
                lambda step: (
                    amber.price(DEMO_SITE_5MIN, "general", step.start).per_kwh / 100
                ),
            ),
        )
    assert pricer.diagnostics()["hours_to_price_again"] == 0


@pytest.mark.freeze_time(NOW)
async def test_fixed_price(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Every kWh bought at 0.3125 AUD and sold at 0.0625 AUD."""
    await _set_up_priced(
        hass,
        alphaess_entry,
        {"source": "fixed", "import_price": 0.3125, "export_price": 0.0625},
    )
    for serial in SERIALS:
        cost = statistic_id(serial, "grid_import_cost")
        compensation = statistic_id(serial, "grid_export_compensation")
        stored = await _stored(hass, cost, compensation)
        _assert_money(
            stored[cost],
            _expected(simulator, serial, "grid_import", lambda _step: 0.3125),
        )
        _assert_money(
            stored[compensation],
            _expected(simulator, serial, "grid_export", lambda _step: 0.0625),
        )


@pytest.mark.freeze_time(NOW)
async def test_fixed_price_without_export_price(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """No price sold: a cost statistic, no compensation one."""
    await _set_up_priced(
        hass, alphaess_entry, {"source": "fixed", "import_price": 0.25}
    )
    assert sorted(await _money_ids(hass)) == sorted(
        statistic_id(serial, "grid_import_cost") for serial in SERIALS
    )


def _time_of_use(step: Step) -> float:
    """The tariff of `test_time_of_use`, written out: its periods at Sydney wall times."""
    local = step.start.astimezone(SYDNEY)
    moment, weekday = local.time(), local.weekday()
    if weekday < 5 and time(17, 30) <= moment < time(21, 0):
        return 0.55
    weekend = {5, 6}
    if (weekday in weekend and moment >= time(22, 30)) or (
        (weekday - 1) % 7 in weekend and moment < time(6, 30)
    ):
        return 0.125
    return 0.25


@pytest.mark.freeze_time(NOW)
async def test_time_of_use(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A weekday peak from 17:30 and a weekend night across midnight, split within hours."""
    await _set_up_priced(
        hass,
        alphaess_entry,
        {
            "source": "time_of_use",
            "import_price": 0.25,
            "export_price": 0.05,
            "periods": [
                {
                    "price": 0.55,
                    "start": "17:30:00",
                    "end": "21:00:00",
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                },
                {
                    "price": 0.125,
                    "start": "22:30:00",
                    "end": "06:30:00",
                    "days": ["sat", "sun"],
                },
            ],
        },
    )
    for serial in SERIALS:
        cost = statistic_id(serial, "grid_import_cost")
        compensation = statistic_id(serial, "grid_export_compensation")
        stored = await _stored(hass, cost, compensation)
        expected = _expected(simulator, serial, "grid_import", _time_of_use)
        _assert_money(stored[cost], expected)
        _assert_money(
            stored[compensation],
            _expected(simulator, serial, "grid_export", lambda _step: 0.05),
        )
    # Monday 17:00–18:00 is half default, half peak, each half at its own energy.
    monday_five = datetime(2026, 8, 3, 17, tzinfo=SYDNEY).astimezone(UTC)
    steps = [
        step
        for step in _steps(simulator, ALPHAESS_SYSTEM, DAYS[2])
        if monday_five <= step.start < monday_five + timedelta(hours=1)
    ]
    assert {_time_of_use(step) for step in steps} == {0.25, 0.55}


@pytest.mark.freeze_time(NOW)
async def test_no_price_no_cost_statistic(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Without a price source, the energy is imported and no money statistic exists."""
    await _set_up_priced(hass, alphaess_entry, None)
    assert await _money_ids(hass) == {}
    energy = statistic_id(ALPHAESS_SYSTEM, "grid_import")
    assert len((await _stored(hass, energy))[energy]) == 24 * len(DAYS)
    assert alphaess_entry.runtime_data.runtime.pricer.diagnostics() == {
        "source": None,
        "hours_to_price_again": 0,
    }
