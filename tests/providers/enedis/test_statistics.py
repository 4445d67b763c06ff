"""Enedis statistics: DST days exact, one source per day, the daily row replaced by the curve.

Expected values come from the simulator's meter model (`enedis_model.day_measures`), which
serves the same half-hours the client reads: each stored hour must be the sum of the
half-hours starting in it, and the day the sum of all of them.
"""

from datetime import UTC, date, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.openpower.api.enedis import (
    Backend,
    DailyReading,
    Direction,
    LoadCurvePoint,
)
from custom_components.openpower.providers.enedis.statistics import async_import_days
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import ENEDIS_PRM, ENEDIS_PROSUMER_PRM
from tests.simulator.enedis_model import HalfHour, day_measures, local_midnight

from .conftest import EntryFactory, async_setup

CONSUMPTION = f"openpower:enedis_{ENEDIS_PRM}_energy_consumption"


def expected_hours(half_hours: tuple[HalfHour, ...]) -> dict[datetime, float]:
    """Each UTC hour's kWh: the half-hours starting in it."""
    hours: dict[datetime, int] = {}
    for half_hour in half_hours:
        hour = half_hour.start_utc.replace(minute=0)
        hours[hour] = hours.get(hour, 0) + half_hour.wh
    return {hour: wh / 1000 for hour, wh in hours.items()}


async def day_rows(
    hass: HomeAssistant, statistic_id: str, day: date
) -> dict[datetime, float]:
    """The stored hours of one Paris day."""
    start, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    return {
        hour: value
        for hour, value in await async_stored_hours(hass, statistic_id)
        if start <= hour < end
    }


@pytest.mark.parametrize(
    ("now", "day", "half_hours", "hours"),
    [
        ("2026-10-27T10:00:00+00:00", date(2026, 10, 25), 50, 25),
        ("2026-03-31T10:00:00+00:00", date(2026, 3, 29), 46, 23),
    ],
)
async def test_dst_day_is_its_half_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    now: str,
    day: date,
    half_hours: int,
    hours: int,
) -> None:
    """The fall-back and spring-forward days: every hour, and the day, exactly."""
    freezer.move_to(now)
    simulator.enedis.meters.prms.clear()
    simulator.enedis.add_demo_data()
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    await async_setup(hass, entry)
    model = day_measures(simulator.enedis.meters.prms[ENEDIS_PRM].profile, day)
    assert len(model.consumption) == half_hours
    stored = await day_rows(hass, CONSUMPTION, day)
    assert len(stored) == hours
    assert stored == pytest.approx(expected_hours(model.consumption), abs=1e-9)
    assert sum(stored.values()) == pytest.approx(
        sum(h.wh for h in model.consumption) / 1000, abs=1e-9
    )


def _curve(half_hours: tuple[HalfHour, ...]) -> list[LoadCurvePoint]:
    return [
        LoadCurvePoint(
            h.start_utc, timedelta(minutes=30), h.watts, Direction.CONSUMPTION
        )
        for h in half_hours
    ]


async def test_daily_value_then_curve(hass: HomeAssistant) -> None:
    """A day first known by its daily value ends with its curve's hours only."""
    day = date(2026, 10, 25)
    model = day_measures(
        day_profile := __import__(
            "tests.simulator.enedis_meters", fromlist=["EnedisPrm"]
        )
        .EnedisPrm(ENEDIS_PROSUMER_PRM, date(2020, 1, 1))
        .profile,
        day,
    )
    assert day_profile.consumption
    total_wh = sum(h.wh for h in model.consumption)
    prm = ENEDIS_PROSUMER_PRM
    statistic = f"openpower:enedis_{prm}_energy_consumption"
    daily = DailyReading(day, float(total_wh), Direction.CONSUMPTION)
    await async_import_days(hass, prm, Direction.CONSUMPTION, {day: daily})
    first_hour = local_midnight(day)
    assert await day_rows(hass, statistic, day) == {first_hour: total_wh / 1000}

    await async_import_days(
        hass, prm, Direction.CONSUMPTION, {day: _curve(model.consumption)}
    )
    stored = await day_rows(hass, statistic, day)
    assert len(stored) == 25
    assert stored == pytest.approx(expected_hours(model.consumption), abs=1e-9)
    # The first hour holds its two half-hours, not the day's value beside them.
    assert stored[first_hour] == pytest.approx(
        (model.consumption[0].wh + model.consumption[1].wh) / 1000
    )
    assert first_hour == datetime(2026, 10, 24, 22, tzinfo=UTC)


async def test_days_not_given_are_untouched(hass: HomeAssistant) -> None:
    """Importing two days apart leaves the day between (and its daily row) alone."""
    prm = ENEDIS_PROSUMER_PRM
    statistic = f"openpower:enedis_{prm}_energy_consumption"
    days = [date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]
    await async_import_days(
        hass,
        prm,
        Direction.CONSUMPTION,
        {days[1]: DailyReading(days[1], 11000.0, Direction.CONSUMPTION)},
    )
    await async_import_days(
        hass,
        prm,
        Direction.CONSUMPTION,
        {
            day: DailyReading(day, 7000.0, Direction.CONSUMPTION)
            for day in (days[0], days[2])
        },
    )
    stored = dict(await async_stored_hours(hass, statistic))
    assert stored[local_midnight(days[1])] == 11.0
    assert stored[local_midnight(days[0])] == 7.0
    assert stored[local_midnight(days[2])] == 7.0
