"""Cost beside Enedis energy: the base and peak/off-peak tariffs, production sold, re-pricing.

Expected costs come from the simulator's meter model (`enedis_model.day_measures`): each
half-hour's Wh times the price of that half-hour, found by where its start falls in the
off-peak ranges in Paris wall time (every range here starts and ends on a half-hour, so a
half-hour lies wholly in or out of it). Never from what the integration stored.

The clock is 2026-10-27 and the tests' depth (conftest) asks daily values from 2026-07-27 and
load curves from 2026-09-27: older days are daily-only, priced at the mean price of their hours.
"""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.components.recorder.statistics import async_list_statistic_ids
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.openpower.api.enedis import Backend
from tests.simulator import Simulator
from tests.simulator.enedis import ENEDIS_PRM, ENEDIS_PROSUMER_PRM
from tests.simulator.enedis_model import (
    DayMeasures,
    HalfHour,
    daily_wh,
    day_measures,
    interval_starts,
    local_midnight,
)

from .conftest import EntryFactory, async_setup, day_rows

pytestmark = pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CONSUMER_KINDS = ["consumption", "load_curve", "max_power"]
ALL_KINDS = ["consumption", "production", "load_curve", "max_power"]
CURVE_DAYS = (
    date(2026, 9, 28),
    date(2026, 10, 14),
    date(2026, 10, 25),
    date(2026, 10, 26),
)
"""Load-curve days; 2026-10-25 has 50 half-hours (summer time ends)."""
DAILY_DAYS = (date(2026, 8, 15), date(2026, 9, 20))
"""Days older than the curve's depth: one daily value each."""
PEAK, OFFPEAK, BASE, SOLD = 0.2700, 0.2068, 0.2516, 0.1276

type Price = Callable[[datetime], float]
"""The price (€/kWh) of the half-hour starting at an instant."""


def statistic(prm: str, quantity: str) -> str:
    return f"openpower:enedis_{prm}_{quantity}"


def flat(price: float) -> Price:
    return lambda _start: price


def peak_offpeak(ranges: list[tuple[str, str]], peak: float, offpeak: float) -> Price:
    """Off-peak when the half-hour starts in a range (Paris wall time; may pass midnight)."""
    bounds = [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in ranges]
    assert all(t.minute in (0, 30) for pair in bounds for t in pair)

    def price(start: datetime) -> float:
        local = start.astimezone(PARIS).time()
        for first, last in bounds:
            inside = (
                first <= local < last
                if first < last
                else local >= first or local < last
            )
            if inside:
                return offpeak
        return peak

    return price


def hourly_cost(
    half_hours: tuple[HalfHour, ...], price: Price
) -> dict[datetime, float]:
    """Each UTC hour's cost: Σ of its half-hours' kWh × their own price."""
    hours: dict[datetime, float] = {}
    for half_hour in half_hours:
        hour = half_hour.start_utc.replace(minute=0)
        cost = half_hour.wh / 1000 * price(half_hour.start_utc)
        hours[hour] = hours.get(hour, 0.0) + cost
    return hours


def daily_cost(day: date, half_hours: tuple[HalfHour, ...], price: Price) -> float:
    """A daily value's cost: its kWh × the mean price of the day's half-hours (equal lengths)."""
    starts = interval_starts(day)
    mean = sum(price(start) for start in starts) / len(starts)
    return daily_wh(half_hours) / 1000 * mean


async def nonzero_rows(
    hass: HomeAssistant, statistic_id: str, day: date
) -> dict[datetime, float]:
    """The stored hours of one Paris day with a value (a daily day has one)."""
    return {
        hour: value
        for hour, value in (await day_rows(hass, statistic_id, day)).items()
        if value
    }


async def priced_entry(
    hass: HomeAssistant,
    enedis_entry: EntryFactory,
    options: dict[str, Any],
    prm: str = ENEDIS_PRM,
) -> MockConfigEntry:
    """An entry with `options`, set up in Paris, its backfill done."""
    await hass.config.async_set_time_zone("Europe/Paris")
    entry = enedis_entry(Backend.CONSO_API, prm)
    hass.config_entries.async_update_entry(entry, options=options)
    await async_setup(hass, entry)
    return entry


def model(simulator: Simulator, prm: str, day: date) -> DayMeasures:
    return day_measures(simulator.enedis.meters.prms[prm].profile, day)


async def assert_curve_days_priced(
    hass: HomeAssistant,
    simulator: Simulator,
    prm: str,
    direction: str,
    money: str,
    price: Price,
) -> None:
    """Each curve day's hours: the sum of their half-hours at their own price."""
    cost_id = statistic(prm, f"energy_{direction}_{money}")
    for day in CURVE_DAYS:
        half_hours = getattr(model(simulator, prm, day), direction)
        stored = await day_rows(hass, cost_id, day)
        assert len(stored) == len(half_hours) // 2, day
        assert stored == pytest.approx(hourly_cost(half_hours, price), rel=1e-9), day


async def assert_daily_days_priced(
    hass: HomeAssistant,
    simulator: Simulator,
    prm: str,
    direction: str,
    money: str,
    price: Price,
) -> None:
    """Each daily day: its value at its first hour, at the mean price of its hours."""
    cost_id = statistic(prm, f"energy_{direction}_{money}")
    for day in DAILY_DAYS:
        half_hours = getattr(model(simulator, prm, day), direction)
        energy = await nonzero_rows(hass, statistic(prm, f"energy_{direction}"), day)
        assert energy == pytest.approx(
            {local_midnight(day): daily_wh(half_hours) / 1000}, rel=1e-9
        )
        assert await nonzero_rows(hass, cost_id, day) == pytest.approx(
            {local_midnight(day): daily_cost(day, half_hours, price)}, rel=1e-9
        ), day


async def assert_priced(
    hass: HomeAssistant,
    simulator: Simulator,
    prm: str,
    direction: str,
    money: str,
    price: Price,
) -> None:
    """Curve days hour by hour, daily days at their first hour, as the model says."""
    await assert_curve_days_priced(hass, simulator, prm, direction, money, price)
    await assert_daily_days_priced(hass, simulator, prm, direction, money, price)


@pytest.mark.parametrize(
    "ranges",
    [[("22:30", "06:30")], [("02:00", "07:00"), ("14:00", "17:00")]],
    ids=["night", "two_ranges"],
)
async def test_peak_offpeak(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    ranges: list[tuple[str, str]],
) -> None:
    """Each half-hour at its own price, the fall-back day's 50 included."""
    await priced_entry(
        hass,
        enedis_entry,
        {
            "data": CONSUMER_KINDS,
            "tariff": "peak_offpeak",
            "peak_price": PEAK,
            "offpeak_price": OFFPEAK,
            "offpeak_hours": ", ".join(f"{a}-{b}" for a, b in ranges),
            "cost": {
                "source": "time_of_use",
                "import_price": PEAK,
                "periods": [
                    {
                        "price": OFFPEAK,
                        "start": f"{a}:00",
                        "end": f"{b}:00",
                        "days": EVERY_DAY,
                    }
                    for a, b in ranges
                ],
            },
        },
    )
    price = peak_offpeak(ranges, PEAK, OFFPEAK)
    # The model's off-peak split is what makes this test able to fail on a wrong period.
    fall_back = model(simulator, ENEDIS_PRM, date(2026, 10, 25)).consumption
    assert len(fall_back) == 50
    assert {price(h.start_utc) for h in fall_back} == {PEAK, OFFPEAK}
    await assert_priced(hass, simulator, ENEDIS_PRM, "consumption", "cost", price)


async def test_base_tariff(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """A daily value costs its kWh × the price, at the day's first hour."""
    await priced_entry(
        hass,
        enedis_entry,
        {
            "data": CONSUMER_KINDS,
            "tariff": "base",
            "base_price": BASE,
            "cost": {"source": "fixed", "import_price": BASE},
        },
    )
    for day in DAILY_DAYS:
        kwh = daily_wh(model(simulator, ENEDIS_PRM, day).consumption) / 1000
        cost_id = statistic(ENEDIS_PRM, "energy_consumption_cost")
        assert await nonzero_rows(hass, cost_id, day) == pytest.approx(
            {local_midnight(day): kwh * BASE}, rel=1e-9
        )
    await assert_priced(hass, simulator, ENEDIS_PRM, "consumption", "cost", flat(BASE))


async def test_production_is_compensated(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """The prosumer's production at the production price, beside its consumption's cost."""
    await priced_entry(
        hass,
        enedis_entry,
        {
            "data": ALL_KINDS,
            "tariff": "base",
            "base_price": BASE,
            "production_price": SOLD,
            "cost": {"source": "fixed", "import_price": BASE, "export_price": SOLD},
        },
        ENEDIS_PROSUMER_PRM,
    )
    production = model(simulator, ENEDIS_PROSUMER_PRM, CURVE_DAYS[0]).production
    assert sum(h.wh for h in production) > 0
    await assert_priced(
        hass, simulator, ENEDIS_PROSUMER_PRM, "production", "compensation", flat(SOLD)
    )
    await assert_priced(
        hass, simulator, ENEDIS_PROSUMER_PRM, "consumption", "cost", flat(BASE)
    )


NEW_RANGES = [("02:00", "07:00"), ("14:00", "17:00")]
"""Whole hours: an hour stored before is priced again at the same cost as its half-hours."""


async def retariff(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """Set up with the base tariff, then choose peak/off-peak in the options (a reload)."""
    entry = await priced_entry(
        hass,
        enedis_entry,
        {
            "data": CONSUMER_KINDS,
            "tariff": "base",
            "base_price": BASE,
            "cost": {"source": "fixed", "import_price": BASE},
        },
    )
    await assert_priced(hass, simulator, ENEDIS_PRM, "consumption", "cost", flat(BASE))
    requests = len(simulator.requests)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"data": CONSUMER_KINDS, "tariff": "peak_offpeak"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "peak_price": PEAK,
            "offpeak_price": OFFPEAK,
            "offpeak_hours": ", ".join(f"{a}-{b}" for a, b in NEW_RANGES),
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    # Nothing was asked again: what follows is the stored history priced again.
    assert len(simulator.requests) == requests


async def test_a_new_tariff_prices_the_history_again(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """Curve hours at their hour's new prices, daily values at their day's new mean."""
    await retariff(hass, simulator, enedis_entry)
    await assert_priced(
        hass,
        simulator,
        ENEDIS_PRM,
        "consumption",
        "cost",
        peak_offpeak(NEW_RANGES, PEAK, OFFPEAK),
    )


@pytest.mark.parametrize(
    "options",
    [{}, {"data": ALL_KINDS, "tariff": "none"}],
    ids=["no_options", "no_tariff"],
)
async def test_no_tariff_no_cost(
    hass: HomeAssistant, enedis_entry: EntryFactory, options: dict[str, Any]
) -> None:
    await priced_entry(hass, enedis_entry, options, ENEDIS_PROSUMER_PRM)
    await async_wait_recording_done(hass)
    ids = {
        meta["statistic_id"]
        for meta in await async_list_statistic_ids(hass, statistic_type="sum")
    }
    assert ids == {
        statistic(ENEDIS_PROSUMER_PRM, "energy_consumption"),
        statistic(ENEDIS_PROSUMER_PRM, "energy_production"),
    }
