"""A price source chosen after history was imported prices that history, once per source."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.pricing import (
    CONF_COST,
    WEEKDAYS,
    Direction,
    Pricer,
    cost_spec,
    pricing_store_key,
)
from custom_components.openpower.statistics import (
    IntervalReading,
    StatisticSpec,
    async_import,
)

from .test_statistics import stored

HOUR = timedelta(hours=1)
T0 = datetime(2026, 3, 2, 0, tzinfo=UTC)
ENERGY = StatisticSpec("fake", "a", "import", "Fake import", "kWh", "energy")
COST_ID = cost_spec(ENERGY, Direction.IMPORT).statistic_id


def _entry(hass: HomeAssistant, cost: dict[str, Any] | None) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="priced",
        data={"provider": "fake"},
        options={CONF_COST: cost} if cost else {},
    )
    entry.add_to_hass(hass)
    return entry


def _fixed(price: float) -> dict[str, Any]:
    return {"source": "fixed", "import_price": price}


def _hours(first: int, values: list[float]) -> list[IntervalReading]:
    return [
        IntervalReading(T0 + (first + i) * HOUR, HOUR, value)
        for i, value in enumerate(values)
    ]


async def _costs(hass: HomeAssistant) -> dict[datetime, float | None]:
    return {start: state for start, state, _ in await stored(hass, COST_ID)}


async def _import_next(
    hass: HomeAssistant, cost: dict[str, Any] | None, hour: int, value: float
) -> Pricer:
    """Import one more hour through a new pricer (as after a reload with these options)."""
    entries = hass.config_entries.async_entries(DOMAIN)
    entry = entries[0] if entries else _entry(hass, None)
    hass.config_entries.async_update_entry(
        entry, options={CONF_COST: cost} if cost else {}
    )
    pricer = Pricer(hass, entry)
    await pricer.async_import(ENERGY, _hours(hour, [value]), direction=Direction.IMPORT)
    await hass.async_block_till_done()
    return pricer


async def test_history_priced_once_per_source(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Stored hours get a cost when a source is chosen, again only when it changes."""
    await async_import(hass, ENERGY, _hours(0, [1.0, 2.0, 0.0, 4.0]))
    await _import_next(hass, _fixed(0.5), 4, 3.0)
    assert await _costs(hass) == {
        T0: 0.5,
        T0 + HOUR: 1.0,
        T0 + 2 * HOUR: 0.0,
        T0 + 3 * HOUR: 2.0,
        T0 + 4 * HOUR: 1.5,
    }
    # The energy of hour 0 changes without the pricer: the same source does not price
    # history again, so its old cost stays (the test can tell a second pass from none).
    await async_import(hass, ENERGY, _hours(0, [10.0]))
    await _import_next(hass, _fixed(0.5), 5, 1.0)
    costs = await _costs(hass)
    assert costs[T0] == 0.5
    assert costs[T0 + 5 * HOUR] == 0.5
    # Another price: every stored hour is priced again with it.
    await _import_next(hass, _fixed(0.25), 6, 2.0)
    assert await _costs(hass) == {
        T0: 2.5,
        T0 + HOUR: 0.5,
        T0 + 2 * HOUR: 0.0,
        T0 + 3 * HOUR: 1.0,
        T0 + 4 * HOUR: 0.75,
        T0 + 5 * HOUR: 0.25,
        T0 + 6 * HOUR: 0.5,
    }
    await hass.async_block_till_done()
    assert pricing_store_key("priced") in hass_storage
    # Removing the entry removes what it remembered.
    await hass.config_entries.async_remove("priced")
    await hass.async_block_till_done()
    assert pricing_store_key("priced") not in hass_storage


@pytest.mark.usefixtures("hass_storage")
async def test_unpriced_entry_forgets_the_priced_history(hass: HomeAssistant) -> None:
    """Hours imported without a source are priced when the same source comes back."""
    await async_import(hass, ENERGY, _hours(0, [1.0]))
    await _import_next(hass, _fixed(0.5), 1, 2.0)
    await _import_next(hass, None, 2, 4.0)
    assert T0 + 2 * HOUR not in await _costs(hass)
    await _import_next(hass, _fixed(0.5), 3, 1.0)
    assert (await _costs(hass))[T0 + 2 * HOUR] == 2.0


@pytest.mark.usefixtures("hass_storage")
async def test_hours_left_without_cost_are_priced_at_the_next_load(
    hass: HomeAssistant,
) -> None:
    """An hour stored without its cost (a restart forgot it) is priced by the same source."""
    await _import_next(hass, _fixed(0.5), 0, 2.0)
    # Energy stored with no cost beside it, as when the price had not come before a stop.
    await async_import(hass, ENERGY, _hours(1, [4.0, 0.0, 6.0]))
    await _import_next(hass, _fixed(0.5), 4, 1.0)
    assert await _costs(hass) == {
        T0: 1.0,
        T0 + HOUR: 2.0,
        T0 + 2 * HOUR: 0.0,  # the row that carries the sum into the next value
        T0 + 3 * HOUR: 3.0,
        T0 + 4 * HOUR: 0.5,
    }


@pytest.mark.usefixtures("hass_storage")
async def test_price_stored_without_an_import(hass: HomeAssistant) -> None:
    """A provider importing days apart prices its stored history at setup, no import needed."""
    await async_import(hass, ENERGY, _hours(0, [2.0, 4.0]))
    entry = _entry(hass, _fixed(0.5))
    await Pricer(hass, entry).async_price_stored([(ENERGY, Direction.IMPORT)])
    assert await _costs(hass) == {T0: 1.0, T0 + HOUR: 2.0}
    # Not priced: export without an export price, and an entry without a price source.
    await Pricer(hass, entry).async_price_stored([(ENERGY, Direction.EXPORT)])
    hass.config_entries.async_update_entry(entry, options={})
    await Pricer(hass, entry).async_price_stored([(ENERGY, Direction.IMPORT)])
    assert not await stored(hass, cost_spec(ENERGY, Direction.EXPORT).statistic_id)


async def test_stored_rows_priced_over_the_span_they_cover(hass: HomeAssistant) -> None:
    """A row a provider says covers a day pays the day's mean price, not its first hour's.

    Time of use in UTC (the test's zone is set to it): 0.10 from 00:00 to 06:00, 0.40 else.
    A day of 12 kWh stored at 00:00 costs 12 × (6 × 0.10 + 18 × 0.40) / 24 = 3.9, where its
    first hour's price alone would make it 1.2; an hourly row keeps its own hour's price.
    """
    await hass.config.async_set_time_zone("UTC")
    await async_import(
        hass,
        ENERGY,
        [IntervalReading(T0, 24 * HOUR, 12.0), *_hours(24 + 7, [2.0])],
    )
    tariff = {
        "source": "time_of_use",
        "import_price": 0.40,
        "periods": [
            {
                "price": 0.10,
                "start": "00:00:00",
                "end": "06:00:00",
                "days": list(WEEKDAYS),
            }
        ],
    }
    entry = _entry(hass, tariff)

    def days_at_midnight(
        rows: Sequence[tuple[datetime, float]],
    ) -> list[IntervalReading]:
        return [
            IntervalReading(start, 24 * HOUR if start.hour == 0 else HOUR, value)
            for start, value in rows
        ]

    pricer = Pricer(hass, entry, stored_readings=days_at_midnight)
    await pricer.async_price_stored([(ENERGY, Direction.IMPORT)])
    costs = {start: cost for start, cost in (await _costs(hass)).items() if cost}
    assert costs == {
        T0: pytest.approx(12 * (6 * 0.10 + 18 * 0.40) / 24, rel=1e-12),
        T0 + 31 * HOUR: pytest.approx(2.0 * 0.40, rel=1e-12),
    }


async def test_history_costs_in_one_import_across_gaps(hass: HomeAssistant) -> None:
    """Rows a day apart (daily values) are priced in one import, not one per row."""
    await hass.config.async_set_time_zone("UTC")
    await async_import(
        hass,
        ENERGY,
        [IntervalReading(T0 + day * 24 * HOUR, 24 * HOUR, 10.0) for day in range(5)],
    )
    entry = _entry(hass, _fixed(0.5))
    with patch(
        "custom_components.openpower.pricing.async_import", wraps=async_import
    ) as imports:
        await Pricer(hass, entry).async_price_stored([(ENERGY, Direction.IMPORT)])
    assert [call.args[1] for call in imports.call_args_list] == [
        cost_spec(ENERGY, Direction.IMPORT)
    ]
    costs = {start: cost for start, cost in (await _costs(hass)).items() if cost}
    assert costs == {T0 + day * 24 * HOUR: 5.0 for day in range(5)}


async def test_costs_between_rewritten_hours_are_kept(hass: HomeAssistant) -> None:
    """A stored cost between two hours priced again, not itself priced now, stays."""
    await hass.config.async_set_time_zone("UTC")
    await async_import(hass, ENERGY, _hours(0, [1.0, 2.0, 3.0]))
    entry = _entry(hass, _fixed(0.5))
    await Pricer(hass, entry).async_price_stored([(ENERGY, Direction.IMPORT)])
    assert await _costs(hass) == {T0: 0.5, T0 + HOUR: 1.0, T0 + 2 * HOUR: 1.5}
    # Hour 1's price becomes unknown: hours 0 and 2 are priced again, hour 1 keeps its cost.
    hass.config_entries.async_update_entry(entry, options={CONF_COST: _fixed(1.0)})
    pricer = Pricer(hass, entry)
    money = cost_spec(ENERGY, Direction.IMPORT)
    priced = [
        IntervalReading(T0, HOUR, 1.0, cost=1.0),
        IntervalReading(T0 + 2 * HOUR, HOUR, 3.0, cost=3.0),
    ]
    await pricer._async_import_costs(money, priced, frozenset())  # noqa: SLF001
    assert await _costs(hass) == {T0: 1.0, T0 + HOUR: 1.0, T0 + 2 * HOUR: 3.0}
