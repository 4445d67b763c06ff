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
from custom_components.openpower.providers.enedis.statistics import (
    async_import_days,
    stored_readings,
)
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import ENEDIS_PRM, ENEDIS_PROSUMER_PRM
from tests.simulator.enedis_model import HalfHour, day_measures, local_midnight

from .conftest import EntryFactory, async_setup, day_rows, expected_hours

CONSUMPTION = f"openpower:enedis_{ENEDIS_PRM}_energy_consumption"


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


def test_stored_rows_read_back_as_days_or_hours() -> None:
    """A day's lone non-zero row at its first local hour covers the day; others an hour.

    So a tariff chosen later prices a day stored from its daily value at the day's mean price.
    """
    fall_back = local_midnight(date(2026, 10, 25))
    spring = local_midnight(date(2026, 3, 29))
    curve_day = local_midnight(date(2026, 10, 26))
    stored = [
        (spring, 9.0),
        # The zero row the shell writes before a daily row, in the day before it.
        (fall_back - timedelta(hours=1), 0.0),
        (fall_back, 12.0),
        (curve_day, 0.4),
        (curve_day + timedelta(hours=1), 0.3),
        # 2026-10-27 01:00 Paris: the lone row of its day, but not at local midnight: an hour
        # of a curve.
        (curve_day + timedelta(hours=25), 0.2),
    ]
    readings = stored_readings(stored)
    assert [(r.start, r.duration, r.value) for r in readings] == [
        (spring, timedelta(hours=23), 9.0),
        (fall_back - timedelta(hours=1), timedelta(hours=1), 0.0),
        (fall_back, timedelta(hours=25), 12.0),
        (curve_day, timedelta(hours=1), 0.4),
        (curve_day + timedelta(hours=1), timedelta(hours=1), 0.3),
        (curve_day + timedelta(hours=25), timedelta(hours=1), 0.2),
    ]
