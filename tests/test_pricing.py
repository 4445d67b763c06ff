"""Tests for the shell's pricing (custom_components/openpower/pricing.py).

Every expected cost is worked out by hand in the test: kWh × price per piece, summed.
"""

from collections.abc import Generator, Sequence
from datetime import UTC, datetime, time, timedelta
import logging
from unittest.mock import patch
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.pricing import (
    Direction,
    LocalTariff,
    Pricer,
    PriceSpan,
    TimeOfUsePeriod,
    local_tariff,
    price_readings,
)
from custom_components.openpower.providers import PROVIDERS
from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
)

from .common import async_settle, async_setup_entry
from .fake_provider import FAKE, FakeApi, priced
from .test_statistics import stored

MIN15 = timedelta(minutes=15)
HOUR = timedelta(hours=1)
T0 = datetime(2024, 6, 3, tzinfo=UTC)  # a Monday
PARIS = ZoneInfo("Europe/Paris")
SYDNEY = ZoneInfo("Australia/Sydney")
EVERY_DAY = frozenset(range(7))


def hour_number(moment: datetime) -> int:
    """Hours since the epoch: how the pricer names an hour."""
    return int(moment.timestamp()) // 3600


def quarters(start: datetime, values: Sequence[float]) -> list[IntervalReading]:
    """Consecutive 15-minute readings from `start`."""
    return [
        IntervalReading(start + index * MIN15, MIN15, value)
        for index, value in enumerate(values)
    ]


def costs(readings: Sequence[IntervalReading]) -> list[float | None]:
    return [reading.cost for reading in readings]


# ------------------------------------------------------------------------------------------
# price_readings


def test_costs_without_profile_weight_price_by_time() -> None:
    """A reading over two prices pays each for its share of the reading's time."""
    spans = [
        PriceSpan(T0, T0 + timedelta(minutes=30), 0.20),
        PriceSpan(T0 + timedelta(minutes=30), T0 + HOUR, 0.30),
    ]
    readings = [
        IntervalReading(T0, MIN15, 1.0),
        IntervalReading(T0 + MIN15, timedelta(minutes=30), 2.0),
        IntervalReading(T0 + timedelta(minutes=45), MIN15, 4.0),
    ]
    priced = price_readings(readings, spans)
    # 1 × 0.20; 2 × (0.20 + 0.30) / 2; 4 × 0.30
    assert costs(priced.readings) == pytest.approx([0.20, 0.50, 1.20])
    assert [r.value for r in priced.readings] == [1.0, 2.0, 4.0]
    assert priced.unpriced == frozenset()
    assert priced.estimated == frozenset()


def test_costs_with_a_profile_follow_where_the_energy_went() -> None:
    """An hourly reading spread by its quarters: each quarter's share pays its own price."""
    spans = [
        PriceSpan(T0, T0 + timedelta(minutes=30), 0.10),
        PriceSpan(T0 + timedelta(minutes=30), T0 + HOUR, 0.40),
    ]
    reading = IntervalReading(T0, HOUR, 3.0)
    # Quarters weigh 1, 0, 2, 3 (of 6): 3 × (1/6 × 0.10 + 0 + 2/6 × 0.40 + 3/6 × 0.40) = 1.05
    profile = quarters(T0, [1.0, 0.0, 2.0, 3.0])
    assert costs(price_readings([reading], spans, profile).readings) == pytest.approx(
        [1.05]
    )
    # Without the profile: 3 × (0.10 + 0.40) / 2 = 0.75
    assert costs(price_readings([reading], spans).readings) == pytest.approx([0.75])


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(quarters(T0, [1.0, 0.0, 2.0]), id="three_quarters_of_four"),
        pytest.param(quarters(T0, [0.0, 0.0, 0.0, 0.0]), id="no_weight"),
        pytest.param(
            quarters(T0 + timedelta(minutes=50), [1.0, 1.0, 1.0, 1.0]),
            id="outside_the_reading",
        ),
    ],
)
def test_a_profile_that_does_not_cover_the_reading_spreads_it_evenly(
    profile: list[IntervalReading],
) -> None:
    spans = [
        PriceSpan(T0, T0 + timedelta(minutes=30), 0.10),
        PriceSpan(T0 + timedelta(minutes=30), T0 + 2 * HOUR, 0.40),
    ]
    priced = price_readings([IntervalReading(T0, HOUR, 3.0)], spans, profile)
    assert costs(priced.readings) == pytest.approx([0.75])  # 3 × (0.10 + 0.40) / 2


def test_an_hour_with_a_gap_in_prices_is_not_priced_at_all() -> None:
    """One quarter without a price: none of its hour's readings gets a cost."""
    spans = [
        PriceSpan(T0, T0 + timedelta(minutes=50), 0.20),  # 00:50-01:00 unknown
        PriceSpan(T0 + HOUR, T0 + 2 * HOUR, 0.30),
    ]
    readings = quarters(T0, [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0])
    priced = price_readings(readings, spans)
    assert costs(priced.readings)[:4] == [None] * 4
    assert costs(priced.readings)[4:] == pytest.approx([0.6] * 4)  # 2 × 0.30
    assert priced.unpriced == {hour_number(T0)}
    assert priced.estimated == frozenset()
    # The energy is all there, priced or not.
    assert [r.value for r in priced.readings] == [1.0] * 4 + [2.0] * 4


def test_estimates_are_flagged_by_hour() -> None:
    """An hour with one estimated piece is flagged; unpriced beats estimated."""
    spans = [
        PriceSpan(T0, T0 + HOUR, 0.20),
        PriceSpan(T0 + HOUR, T0 + HOUR + MIN15, 0.25),
        PriceSpan(T0 + HOUR + MIN15, T0 + HOUR + 2 * MIN15, 0.35, estimate=True),
        PriceSpan(T0 + HOUR + 2 * MIN15, T0 + 2 * HOUR, 0.25),
        PriceSpan(T0 + 2 * HOUR, T0 + 2 * HOUR + MIN15, 0.50, estimate=True),
        # 02:15-03:00 unknown
    ]
    readings = quarters(T0, [1.0] * 12)
    priced = price_readings(readings, spans)
    assert priced.estimated == {hour_number(T0 + HOUR)}
    assert priced.unpriced == {hour_number(T0 + 2 * HOUR)}
    assert costs(priced.readings)[:8] == pytest.approx(
        [0.20] * 4 + [0.25, 0.35, 0.25, 0.25]
    )
    assert costs(priced.readings)[8:] == [None] * 4


def test_negative_prices_give_negative_costs() -> None:
    """Paid to consume: the cost is negative, never clipped."""
    spans = [
        PriceSpan(T0, T0 + timedelta(minutes=30), -0.05),
        PriceSpan(T0 + timedelta(minutes=30), T0 + HOUR, 0.10),
    ]
    profile = quarters(
        T0, [2.0, 2.0, 0.0, 0.0]
    )  # all of it while the price is negative
    priced = price_readings([IntervalReading(T0, HOUR, 4.0)], spans, profile)
    assert costs(priced.readings) == pytest.approx([-0.20])  # 4 × -0.05
    plain = price_readings(quarters(T0, [2.0, 2.0, 1.0, 1.0]), spans)
    assert costs(plain.readings) == pytest.approx([-0.10, -0.10, 0.10, 0.10])


# ------------------------------------------------------------------------------------------
# LocalTariff


def period(
    price: float, start: str, end: str, weekdays: frozenset[int] = EVERY_DAY
) -> TimeOfUsePeriod:
    return TimeOfUsePeriod(
        price, time.fromisoformat(start), time.fromisoformat(end), weekdays
    )


def at(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def span_list(
    zone: ZoneInfo, *items: tuple[tuple[int, ...], tuple[int, ...], float]
) -> list[PriceSpan]:
    """Spans from local wall times (year, month, day, hour[, minute])."""
    return [
        PriceSpan(at(zone, *first), at(zone, *last), price)
        for first, last, price in items
    ]


async def test_fixed_tariff_is_one_span(hass: HomeAssistant) -> None:
    tariff = LocalTariff(import_price=0.2516, export_price=0.1)
    end = T0 + 3 * HOUR
    assert tariff.spans(T0, end) == [PriceSpan(T0, end, 0.2516)]
    assert await tariff.async_prices(Direction.IMPORT, T0, end) == [
        PriceSpan(T0, end, 0.2516)
    ]
    assert await tariff.async_prices(Direction.EXPORT, T0, end) == [
        PriceSpan(T0, end, 0.1)
    ]
    assert tariff.prices_direction(Direction.EXPORT)


async def test_no_export_price_prices_no_export(hass: HomeAssistant) -> None:
    tariff = local_tariff({"source": "fixed", "import_price": 0.3})
    assert tariff == LocalTariff(import_price=0.3, export_price=None)
    assert tariff.prices_direction(Direction.IMPORT)
    assert not tariff.prices_direction(Direction.EXPORT)
    assert await tariff.async_prices(Direction.EXPORT, T0, T0 + HOUR) == []


async def test_periods_apply_on_their_weekdays_only(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Europe/Paris")
    tariff = local_tariff(
        {
            "source": "time_of_use",
            "import_price": 0.25,
            "periods": [
                {
                    "price": 0.1,
                    "start": "09:00:00",
                    "end": "17:00:00",
                    "days": ["sat", "sun"],
                }
            ],
        }
    )
    # Friday 7 June 2024 00:00 to Monday 00:00, local time.
    spans = tariff.spans(at(PARIS, 2024, 6, 7), at(PARIS, 2024, 6, 10))
    assert spans == span_list(
        PARIS,
        ((2024, 6, 7), (2024, 6, 8, 9), 0.25),
        ((2024, 6, 8, 9), (2024, 6, 8, 17), 0.1),
        ((2024, 6, 8, 17), (2024, 6, 9, 9), 0.25),
        ((2024, 6, 9, 9), (2024, 6, 9, 17), 0.1),
        ((2024, 6, 9, 17), (2024, 6, 10), 0.25),
    )
    # Summer in Paris is UTC+2: Saturday's period is 07:00-15:00 UTC.
    assert spans[1].start == datetime(2024, 6, 8, 7, tzinfo=UTC)
    assert spans[1].end == datetime(2024, 6, 8, 15, tzinfo=UTC)


async def test_a_period_passing_midnight(hass: HomeAssistant) -> None:
    """22:30-06:30 belongs to the day it starts on, also after midnight."""
    await hass.config.async_set_time_zone("Europe/Paris")
    monday_nights = LocalTariff(
        0.3, None, (period(0.08, "22:30", "06:30", frozenset({0})),)
    )
    # Monday 3 June 12:00 to Wednesday 12:00: only Monday night is cheap.
    assert monday_nights.spans(
        at(PARIS, 2024, 6, 3, 12), at(PARIS, 2024, 6, 5, 12)
    ) == span_list(
        PARIS,
        ((2024, 6, 3, 12), (2024, 6, 3, 22, 30), 0.3),
        ((2024, 6, 3, 22, 30), (2024, 6, 4, 6, 30), 0.08),
        ((2024, 6, 4, 6, 30), (2024, 6, 5, 12), 0.3),
    )
    # Starting inside Monday's night (Tuesday 03:00, asked in UTC).
    assert monday_nights.spans(
        at(PARIS, 2024, 6, 4, 3).astimezone(UTC),
        at(PARIS, 2024, 6, 4, 8).astimezone(UTC),
    ) == span_list(
        PARIS,
        ((2024, 6, 4, 3), (2024, 6, 4, 6, 30), 0.08),
        ((2024, 6, 4, 6, 30), (2024, 6, 4, 8), 0.3),
    )


async def test_the_first_listed_of_overlapping_periods_wins(
    hass: HomeAssistant,
) -> None:
    await hass.config.async_set_time_zone("Europe/Paris")
    peak = period(0.3, "17:00", "21:00")
    cheap = period(0.1, "16:00", "18:00")
    start, end = at(PARIS, 2024, 6, 3, 12), at(PARIS, 2024, 6, 3, 23)
    assert LocalTariff(0.2, None, (peak, cheap)).spans(start, end) == span_list(
        PARIS,
        ((2024, 6, 3, 12), (2024, 6, 3, 16), 0.2),
        ((2024, 6, 3, 16), (2024, 6, 3, 17), 0.1),
        ((2024, 6, 3, 17), (2024, 6, 3, 21), 0.3),
        ((2024, 6, 3, 21), (2024, 6, 3, 23), 0.2),
    )
    assert LocalTariff(0.2, None, (cheap, peak)).spans(start, end) == span_list(
        PARIS,
        ((2024, 6, 3, 12), (2024, 6, 3, 16), 0.2),
        ((2024, 6, 3, 16), (2024, 6, 3, 18), 0.1),
        ((2024, 6, 3, 18), (2024, 6, 3, 21), 0.3),
        ((2024, 6, 3, 21), (2024, 6, 3, 23), 0.2),
    )


def utc_spans(
    *items: tuple[tuple[int, ...], tuple[int, ...], float],
) -> list[PriceSpan]:
    return span_list(ZoneInfo("UTC"), *items)


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        pytest.param(
            # 31 March 2024: 02:00 CET becomes 03:00 CEST. 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z.
            "Europe/Paris",
            datetime(2024, 3, 30, 22, tzinfo=UTC),
            datetime(2024, 3, 31, 6, tzinfo=UTC),
            utc_spans(
                ((2024, 3, 30, 22), (2024, 3, 31, 0), 0.3),
                ((2024, 3, 31, 0), (2024, 3, 31, 2), 0.1),
                ((2024, 3, 31, 2), (2024, 3, 31, 6), 0.3),
            ),
            id="paris_spring",
        ),
        pytest.param(
            # 27 October 2024: 03:00 CEST becomes 02:00 CET. 01:00 CEST = 23:00Z, 04:00 CET = 03:00Z.
            "Europe/Paris",
            datetime(2024, 10, 26, 20, tzinfo=UTC),
            datetime(2024, 10, 27, 6, tzinfo=UTC),
            utc_spans(
                ((2024, 10, 26, 20), (2024, 10, 26, 23), 0.3),
                ((2024, 10, 26, 23), (2024, 10, 27, 3), 0.1),
                ((2024, 10, 27, 3), (2024, 10, 27, 6), 0.3),
            ),
            id="paris_autumn",
        ),
        pytest.param(
            # 7 April 2024: 03:00 AEDT becomes 02:00 AEST. 01:00 AEDT = 14:00Z, 04:00 AEST = 18:00Z.
            "Australia/Sydney",
            datetime(2024, 4, 6, 10, tzinfo=UTC),
            datetime(2024, 4, 6, 20, tzinfo=UTC),
            utc_spans(
                ((2024, 4, 6, 10), (2024, 4, 6, 14), 0.3),
                ((2024, 4, 6, 14), (2024, 4, 6, 18), 0.1),
                ((2024, 4, 6, 18), (2024, 4, 6, 20), 0.3),
            ),
            id="sydney_autumn",
        ),
        pytest.param(
            # 6 October 2024: 02:00 AEST becomes 03:00 AEDT. 01:00 AEST = 15:00Z, 04:00 AEDT = 17:00Z.
            "Australia/Sydney",
            datetime(2024, 10, 5, 10, tzinfo=UTC),
            datetime(2024, 10, 5, 20, tzinfo=UTC),
            utc_spans(
                ((2024, 10, 5, 10), (2024, 10, 5, 15), 0.3),
                ((2024, 10, 5, 15), (2024, 10, 5, 17), 0.1),
                ((2024, 10, 5, 17), (2024, 10, 5, 20), 0.3),
            ),
            id="sydney_spring",
        ),
    ],
)
async def test_periods_on_dst_days_keep_local_wall_times(
    hass: HomeAssistant,
    zone: str,
    start: datetime,
    end: datetime,
    expected: list[PriceSpan],
) -> None:
    """01:00-04:00 local lasts 2 hours on the spring day, 4 on the autumn day."""
    await hass.config.async_set_time_zone(zone)
    tariff = LocalTariff(0.3, None, (period(0.1, "01:00", "04:00"),))
    assert tariff.spans(start, end) == expected
    # The same range asked in local time gives the same instants.
    local = ZoneInfo(zone)
    assert tariff.spans(start.astimezone(local), end.astimezone(local)) == expected


# ------------------------------------------------------------------------------------------
# Pricer, with the recorder

GRID = StatisticSpec("fake", "a", "grid_consumption", "Fake grid", "kWh", "energy")
GRID_ID = "openpower:fake_a_grid_consumption"
GRID_COST_ID = "openpower:fake_a_grid_consumption_cost"
RETURN = StatisticSpec("fake", "a", "grid_return", "Fake return", "kWh", "energy")
RETURN_ID = "openpower:fake_a_grid_return"
COMPENSATION_ID = "openpower:fake_a_grid_return_compensation"
SOURCE = "fake_prices"


def hourly(start: datetime, values: Sequence[float]) -> list[IntervalReading]:
    return [
        IntervalReading(start + index * HOUR, HOUR, value)
        for index, value in enumerate(values)
    ]


def expected_rows(
    states: Sequence[float], start: datetime = T0
) -> list[tuple[datetime, float, float]]:
    """(hour, state, running sum) rows from `start`, summed here."""
    rows = []
    total = 0.0
    for index, state in enumerate(states):
        total += state
        rows.append((start + index * HOUR, state, total))
    return rows


def assert_rows(
    found: list[tuple[datetime, float | None, float | None]],
    states: Sequence[float],
    start: datetime = T0,
) -> None:
    expected = expected_rows(states, start)
    assert [row[0] for row in found] == [row[0] for row in expected]
    assert [row[1] for row in found] == pytest.approx([row[1] for row in expected])
    assert [row[2] for row in found] == pytest.approx([row[2] for row in expected])


def pricer_for(hass: HomeAssistant, cost: dict[str, object]) -> Pricer:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Fake a",
        data={"provider": "fake", "account": "a"},
        options={"cost": cost},
    )
    entry.add_to_hass(hass)
    return Pricer(hass, entry)


@pytest.fixture
def source_entry(hass: HomeAssistant, fake_api: FakeApi) -> Generator[MockConfigEntry]:
    """An entry offering `fake_api.prices` (not set up).

    The fake provider is registered too: the pricers' entries are its, and load with the
    integration as a real provider's entry would.
    """
    with patch.dict(PROVIDERS, {"fake": FAKE, SOURCE: priced(SOURCE)}):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Prices",
            unique_id="fake_prices_a",
            data={"provider": SOURCE, "account": "p"},
        )
        entry.add_to_hass(hass)
        yield entry


async def test_fixed_prices_import_energy_and_cost_together(
    hass: HomeAssistant,
) -> None:
    pricer = pricer_for(
        hass, {"source": "fixed", "import_price": 0.25, "export_price": 0.08}
    )
    readings = quarters(T0, [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5])
    with patch(
        "custom_components.openpower.pricing.async_import", wraps=async_import
    ) as spy:
        await pricer.async_import(GRID, readings, direction=Direction.IMPORT)
        await pricer.async_import(RETURN, hourly(T0, [2.0]), direction=Direction.EXPORT)
    # One import each: the energy with its money statistic beside it.
    assert [
        (call.args[1].statistic_id, call.kwargs["cost_spec"].statistic_id)
        for call in spy.call_args_list
    ] == [(GRID_ID, GRID_COST_ID), (RETURN_ID, COMPENSATION_ID)]
    assert_rows(await stored(hass, GRID_ID), [1.0, 2.0])
    assert_rows(await stored(hass, GRID_COST_ID), [0.25, 0.5])  # 1 × 0.25, 2 × 0.25
    assert_rows(await stored(hass, RETURN_ID), [2.0])
    assert_rows(await stored(hass, COMPENSATION_ID), [0.16])  # 2 × 0.08
    assert pricer.diagnostics() == {"source": "fixed", "hours_to_price_again": 0}


async def test_without_export_price_returned_energy_has_no_compensation(
    hass: HomeAssistant,
) -> None:
    pricer = pricer_for(hass, {"source": "fixed", "import_price": 0.25})
    await pricer.async_import(RETURN, hourly(T0, [2.0]), direction=Direction.EXPORT)
    assert_rows(await stored(hass, RETURN_ID), [2.0])
    assert await stored(hass, COMPENSATION_ID) == []


async def test_an_entry_without_price_source_imports_energy_only(
    hass: HomeAssistant,
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "fake", "account": "a"})
    entry.add_to_hass(hass)
    pricer = Pricer(hass, entry)
    assert not pricer.enabled
    await pricer.async_import(GRID, hourly(T0, [1.0]), direction=Direction.IMPORT)
    assert_rows(await stored(hass, GRID_ID), [1.0])
    assert await stored(hass, GRID_COST_ID) == []


async def test_time_of_use_with_a_profile(hass: HomeAssistant) -> None:
    """Hourly energy spread by quarter-hour samples over a 00:30 price change (UTC zone)."""
    await hass.config.async_set_time_zone("UTC")
    pricer = pricer_for(
        hass,
        {
            "source": "time_of_use",
            "import_price": 0.4,
            "periods": [
                {"price": 0.1, "start": "00:00", "end": "00:30", "days": ["mon"]}
            ],
        },
    )
    await pricer.async_import(
        GRID,
        hourly(T0, [2.0]),
        direction=Direction.IMPORT,
        profile=quarters(T0, [3.0, 1.0, 0.0, 0.0]),
    )
    assert_rows(await stored(hass, GRID_COST_ID), [0.2])  # all of it at 0.1: 2 × 0.1


async def test_an_hour_whose_price_is_unknown_keeps_its_stored_cost(
    hass: HomeAssistant, source_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    assert await async_setup_entry(hass, source_entry)
    fake_api.prices.spans[Direction.IMPORT] = [PriceSpan(T0, T0 + 4 * HOUR, 0.2)]
    pricer = pricer_for(
        hass, {"source": "entry", "price_entry_id": source_entry.entry_id}
    )
    # 04:00 has no price yet: no cost row there (never 0), the energy all there.
    await pricer.async_import(
        GRID, hourly(T0, [1, 2, 3, 4, 5]), direction=Direction.IMPORT
    )
    assert_rows(await stored(hass, GRID_ID), [1, 2, 3, 4, 5])
    assert_rows(await stored(hass, GRID_COST_ID), [0.2, 0.4, 0.6, 0.8])
    assert pricer.diagnostics() == {"source": "entry", "hours_to_price_again": 1}

    # The corrected readings of 00:00-04:00 come back while 01:00's price is not known.
    fake_api.prices.spans[Direction.IMPORT] = [
        PriceSpan(T0, T0 + HOUR, 0.3),
        PriceSpan(T0 + 2 * HOUR, T0 + 4 * HOUR, 0.3),
    ]
    await pricer.async_import(
        GRID, hourly(T0, [2, 2, 2, 2]), direction=Direction.IMPORT
    )
    assert_rows(await stored(hass, GRID_ID), [2, 2, 2, 2, 5])
    # 2 × 0.3 where known; 01:00 keeps 2 × 0.2 from before, and the sums run through it.
    assert_rows(await stored(hass, GRID_COST_ID), [0.6, 0.4, 0.6, 0.6])
    # 01:00 and 04:00 wait for a price.
    assert pricer.diagnostics() == {"source": "entry", "hours_to_price_again": 2}


async def test_an_estimated_hour_is_priced_again_when_settled(
    hass: HomeAssistant, source_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    assert await async_setup_entry(hass, source_entry)
    table = fake_api.prices
    table.spans[Direction.IMPORT] = [
        PriceSpan(T0, T0 + 2 * HOUR, 0.2),
        PriceSpan(T0 + 2 * HOUR, T0 + 3 * HOUR, 0.5, estimate=True),
    ]
    pricer = pricer_for(
        hass, {"source": "entry", "price_entry_id": source_entry.entry_id}
    )
    await pricer.async_import(GRID, hourly(T0, [1, 1, 1]), direction=Direction.IMPORT)
    assert_rows(await stored(hass, GRID_COST_ID), [0.2, 0.2, 0.5])
    assert pricer.diagnostics()["hours_to_price_again"] == 1

    asked = len(table.asked)
    # Settled: 02:00 is 0.3. (01:00 changing too shows that only the pending hour is redone.)
    table.settle(
        Direction.IMPORT,
        [
            PriceSpan(T0, T0 + HOUR, 0.2),
            PriceSpan(T0 + HOUR, T0 + 2 * HOUR, 0.9),
            PriceSpan(T0 + 2 * HOUR, T0 + 3 * HOUR, 0.3),
        ],
    )
    await async_settle(hass)
    assert table.asked[asked:] == [(Direction.IMPORT, T0 + 2 * HOUR, T0 + 3 * HOUR)]
    assert_rows(await stored(hass, GRID_COST_ID), [0.2, 0.2, 0.3])
    assert_rows(await stored(hass, GRID_ID), [1, 1, 1])
    assert pricer.diagnostics()["hours_to_price_again"] == 0

    # Nothing left to price: another settlement asks for nothing.
    table.settle(Direction.IMPORT, table.spans[Direction.IMPORT])
    await async_settle(hass)
    assert len(table.asked) == asked + 1


async def test_cost_waits_for_the_source_entry(
    hass: HomeAssistant,
    source_entry: MockConfigEntry,
    fake_api: FakeApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pricer = pricer_for(
        hass, {"source": "entry", "price_entry_id": source_entry.entry_id}
    )
    with caplog.at_level(logging.WARNING):
        await pricer.async_import(GRID, hourly(T0, [1, 2]), direction=Direction.IMPORT)
        await pricer.async_import(GRID, hourly(T0, [1, 2]), direction=Direction.IMPORT)
    assert_rows(await stored(hass, GRID_ID), [1, 2])
    assert await stored(hass, GRID_COST_ID) == []
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "Fake a" in r.message
    ]
    assert len(warnings) == 1
    assert "not loaded" in warnings[0].message
    assert pricer.diagnostics() == {"source": "entry", "hours_to_price_again": 2}

    # The source loads: the waiting hours are priced without another import.
    fake_api.prices.spans[Direction.IMPORT] = [PriceSpan(T0, T0 + 4 * HOUR, 0.1)]
    assert await async_setup_entry(hass, source_entry)
    assert_rows(await stored(hass, GRID_COST_ID), [0.1, 0.2])
    assert pricer.diagnostics()["hours_to_price_again"] == 0
    # And the next hour at once.
    await pricer.async_import(
        GRID, hourly(T0 + 2 * HOUR, [3]), direction=Direction.IMPORT
    )
    assert_rows(await stored(hass, GRID_ID), [1, 2, 3])
    assert_rows(await stored(hass, GRID_COST_ID), [0.1, 0.2, 0.3])
