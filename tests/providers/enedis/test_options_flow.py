"""The Enedis options: data kinds, tariff and the cost option derived from it.

Entries run against the simulator with data on the last week only (setups stay quick; the
answers still say which kinds the meter has). Saved options are written out literally, the
derived `cost` included: the shared pricing reads it, so its exact shape is the contract.
"""

from datetime import date, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.enedis import Backend
from custom_components.openpower.providers.enedis.tariff import (
    offpeak_periods,
    tariff_cost,
)
from tests.simulator import Simulator
from tests.simulator.enedis import ENEDIS_PRM, ENEDIS_PROSUMER_PRM

from .conftest import EntryFactory, async_setup, without_data

pytestmark = pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")

TODAY = date(2026, 10, 27)
ALL_KINDS = ["consumption", "production", "load_curve", "max_power"]
CONSUMER_KINDS = ["consumption", "load_curve", "max_power"]
TARIFFS = ["none", "base", "peak_offpeak", "other"]
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(autouse=True)
def last_week_only(simulator: Simulator) -> None:
    """Both demo meters have data on the last week only."""
    for prm in (ENEDIS_PRM, ENEDIS_PROSUMER_PRM):
        without_data(simulator, prm, date(2020, 1, 1), TODAY - timedelta(days=7))


async def loaded(
    hass: HomeAssistant,
    enedis_entry: EntryFactory,
    prm: str = ENEDIS_PRM,
    backend: Backend = Backend.CONSO_API,
    **options: Any,
) -> MockConfigEntry:
    """An entry of `prm` on `backend`, set up, with `options`."""
    entry = enedis_entry(backend, prm)
    hass.config_entries.async_update_entry(entry, options=options)
    await async_setup(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    return entry


def not_loaded(
    hass: HomeAssistant, enedis_entry: EntryFactory, **options: Any
) -> MockConfigEntry:
    """An entry of the consumer meter that was never set up."""
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    hass.config_entries.async_update_entry(entry, options=options)
    assert entry.state is ConfigEntryState.NOT_LOADED
    return entry


def fields(result: ConfigFlowResult) -> dict[str, Any]:
    """The form's markers by name."""
    schema = result["data_schema"]
    assert schema is not None
    return {str(marker): marker for marker in schema.schema}


def selector_options(result: ConfigFlowResult, name: str) -> list[str]:
    """The options a select field offers."""
    schema = result["data_schema"]
    assert schema is not None
    return list(schema.schema[fields(result)[name]].config["options"])


def suggested(result: ConfigFlowResult, name: str) -> Any:
    """The value a field is prefilled with."""
    return (fields(result)[name].description or {}).get("suggested_value")


async def data_step(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    """Open the options: the data step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_data"
    return result


async def submit(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Submit a step; once saved, wait for the reload the options bring."""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    if result["type"] is FlowResultType.CREATE_ENTRY:
        await hass.async_block_till_done(wait_background_tasks=True)
    return result


async def tariff_step(
    hass: HomeAssistant, entry: MockConfigEntry, data: list[str], tariff: str
) -> ConfigFlowResult:
    """Choose the data and the tariff; return the next step."""
    return await submit(
        hass, await data_step(hass, entry), {"data": data, "tariff": tariff}
    )


# --------------------------------------------------------------------------------------------
# Data step


async def test_kinds_of_a_consumer(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """A meter without production is offered no production; every kind it has by default."""
    result = await data_step(hass, await loaded(hass, enedis_entry))
    assert selector_options(result, "data") == CONSUMER_KINDS
    assert fields(result)["data"].default() == CONSUMER_KINDS
    assert selector_options(result, "tariff") == TARIFFS
    assert fields(result)["tariff"].default() == "none"
    assert result["errors"] == {}


async def test_kinds_of_a_prosumer(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    result = await data_step(
        hass, await loaded(hass, enedis_entry, ENEDIS_PROSUMER_PRM)
    )
    assert selector_options(result, "data") == ALL_KINDS
    assert fields(result)["data"].default() == ALL_KINDS


async def test_kinds_before_loading(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """An entry not loaded says nothing of its meter: every kind is offered."""
    result = await data_step(hass, not_loaded(hass, enedis_entry))
    assert selector_options(result, "data") == ALL_KINDS
    assert fields(result)["data"].default() == ALL_KINDS


async def test_saved_choice_is_the_default(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """The saved kinds and tariff come back, less a kind the meter was not seen to have."""
    entry = await loaded(
        hass,
        enedis_entry,
        data=["consumption", "production", "max_power"],
        tariff="base",
        base_price=0.2,
        cost={"source": "fixed", "import_price": 0.2},
    )
    result = await data_step(hass, entry)
    assert fields(result)["data"].default() == ["consumption", "max_power"]
    assert fields(result)["tariff"].default() == "base"


@pytest.mark.parametrize("data", [[], ["load_curve", "max_power"]])
async def test_a_direction_is_needed(
    hass: HomeAssistant, enedis_entry: EntryFactory, data: list[str]
) -> None:
    entry = await loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, data, "none")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_data"
    assert result["errors"] == {"data": "enedis_no_direction"}
    # Corrected, it saves (the kinds in the meter's order, whatever order they came in).
    result = await submit(
        hass, result, {"data": ["max_power", "consumption"], "tariff": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"data": ["consumption", "max_power"], "tariff": "none"}
    assert entry.state is ConfigEntryState.LOADED


async def test_no_tariff_drops_the_cost(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """Back to no tariff: the prices stay in no option, the cost option goes."""
    entry = await loaded(
        hass,
        enedis_entry,
        data=CONSUMER_KINDS,
        tariff="base",
        base_price=0.2,
        cost={"source": "fixed", "import_price": 0.2},
    )
    result = await tariff_step(hass, entry, ["consumption"], "none")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"data": ["consumption"], "tariff": "none"}


# --------------------------------------------------------------------------------------------
# Base tariff


async def test_base_tariff_of_a_consumer(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    entry = await loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, CONSUMER_KINDS, "base")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_tariff_base"
    assert list(fields(result)) == ["base_price"]  # no production: no price for it
    assert suggested(result, "base_price") is None
    result = await submit(hass, result, {"base_price": 0.2516})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "data": CONSUMER_KINDS,
        "tariff": "base",
        "base_price": 0.2516,
        "cost": {"source": "fixed", "import_price": 0.2516},
    }
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("submitted", "saved", "cost"),
    [
        (
            {"base_price": 0.2516, "production_price": 0.1276},
            {"base_price": 0.2516, "production_price": 0.1276},
            {"source": "fixed", "import_price": 0.2516, "export_price": 0.1276},
        ),
        (
            {"base_price": 0.2516},
            {"base_price": 0.2516},
            {"source": "fixed", "import_price": 0.2516},
        ),
    ],
    ids=["sold", "not_sold"],
)
async def test_base_tariff_of_a_prosumer(
    hass: HomeAssistant,
    enedis_entry: EntryFactory,
    submitted: dict[str, float],
    saved: dict[str, float],
    cost: dict[str, Any],
) -> None:
    """With production chosen, its price is asked (optional) and becomes the export price."""
    entry = await loaded(hass, enedis_entry, ENEDIS_PROSUMER_PRM)
    result = await tariff_step(hass, entry, ["consumption", "production"], "base")
    assert list(fields(result)) == ["base_price", "production_price"]
    result = await submit(hass, result, submitted)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "data": ["consumption", "production"],
        "tariff": "base",
        **saved,
        "cost": cost,
    }


async def test_production_price_only_with_production(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """A prosumer that asks consumption only is not asked what production earns."""
    entry = await loaded(hass, enedis_entry, ENEDIS_PROSUMER_PRM)
    result = await tariff_step(hass, entry, ["consumption"], "base")
    assert list(fields(result)) == ["base_price"]
    result = await tariff_step(hass, entry, ["production"], "peak_offpeak")
    assert list(fields(result)) == [
        "peak_price",
        "offpeak_price",
        "production_price",
        "offpeak_hours",
    ]


async def test_base_tariff_shows_the_saved_prices(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    entry = await loaded(
        hass,
        enedis_entry,
        ENEDIS_PROSUMER_PRM,
        data=ALL_KINDS,
        tariff="base",
        base_price=0.2,
        production_price=0.04,
        cost={"source": "fixed", "import_price": 0.2, "export_price": 0.04},
    )
    result = await tariff_step(hass, entry, ALL_KINDS, "base")
    assert suggested(result, "base_price") == 0.2
    assert suggested(result, "production_price") == 0.04


# --------------------------------------------------------------------------------------------
# Peak/off-peak tariff


@pytest.mark.parametrize(
    ("backend", "contract"),
    [(Backend.DATA_CONNECT, "22:30-06:30"), (Backend.CONSO_API, None)],
    ids=["data_connect", "conso_api"],
)
async def test_offpeak_hours_from_the_contract(
    hass: HomeAssistant,
    enedis_entry: EntryFactory,
    backend: Backend,
    contract: str | None,
) -> None:
    """Data Connect serves the contract's off-peak hours; the Conso API has no contract."""
    entry = await loaded(hass, enedis_entry, backend=backend)
    result = await tariff_step(hass, entry, CONSUMER_KINDS, "peak_offpeak")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_tariff_peak_offpeak"
    assert list(fields(result)) == ["peak_price", "offpeak_price", "offpeak_hours"]
    assert result["description_placeholders"] == {"contract": contract or "—"}
    assert suggested(result, "offpeak_hours") == contract
    result = await submit(
        hass,
        result,
        {"peak_price": 0.27, "offpeak_price": 0.2068, "offpeak_hours": " 22:30-06:30 "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "data": CONSUMER_KINDS,
        "tariff": "peak_offpeak",
        "peak_price": 0.27,
        "offpeak_price": 0.2068,
        "offpeak_hours": "22:30-06:30",
        "cost": {
            "source": "time_of_use",
            "import_price": 0.27,
            "periods": [
                {
                    "price": 0.2068,
                    "start": "22:30:00",
                    "end": "06:30:00",
                    "days": EVERY_DAY,
                }
            ],
        },
    }
    assert entry.state is ConfigEntryState.LOADED


async def test_saved_offpeak_hours_win_over_the_contract(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """Hours the user typed are kept; the description still shows the contract's."""
    entry = await loaded(
        hass,
        enedis_entry,
        ENEDIS_PROSUMER_PRM,
        Backend.DATA_CONNECT,
        data=ALL_KINDS,
        tariff="peak_offpeak",
        peak_price=0.27,
        offpeak_price=0.2068,
        offpeak_hours="02:00-07:00, 14:00-17:00",
        production_price=0.1276,
        cost={"source": "time_of_use", "import_price": 0.27, "periods": []},
    )
    result = await tariff_step(hass, entry, ALL_KINDS, "peak_offpeak")
    assert result["description_placeholders"] == {"contract": "23:00-07:00"}
    assert suggested(result, "offpeak_hours") == "02:00-07:00, 14:00-17:00"
    assert suggested(result, "peak_price") == 0.27
    assert suggested(result, "offpeak_price") == 0.2068
    assert suggested(result, "production_price") == 0.1276


async def test_offpeak_hours_before_loading(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """Not loaded: no contract to show; two ranges give two periods, every day."""
    entry = not_loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, ALL_KINDS, "peak_offpeak")
    assert result["description_placeholders"] == {"contract": "—"}
    assert suggested(result, "offpeak_hours") is None
    result = await submit(
        hass,
        result,
        {
            "peak_price": 0.27,
            "offpeak_price": 0.2068,
            "production_price": 0.1,
            "offpeak_hours": "HC (22H30-6H30;12H00-14H00)",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "data": ALL_KINDS,
        "tariff": "peak_offpeak",
        "peak_price": 0.27,
        "offpeak_price": 0.2068,
        "production_price": 0.1,
        "offpeak_hours": "HC (22H30-6H30;12H00-14H00)",
        "cost": {
            "source": "time_of_use",
            "import_price": 0.27,
            "export_price": 0.1,
            "periods": [
                {
                    "price": 0.2068,
                    "start": "22:30:00",
                    "end": "06:30:00",
                    "days": EVERY_DAY,
                },
                {
                    "price": 0.2068,
                    "start": "12:00:00",
                    "end": "14:00:00",
                    "days": EVERY_DAY,
                },
            ],
        },
    }


@pytest.mark.parametrize("text", ["22:30-", "abc", "22:30-06:30, 25:00-26:00"])
async def test_unreadable_offpeak_hours_are_refused(
    hass: HomeAssistant, enedis_entry: EntryFactory, text: str
) -> None:
    entry = await loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, CONSUMER_KINDS, "peak_offpeak")
    prices = {"peak_price": 0.27, "offpeak_price": 0.2068}
    result = await submit(hass, result, {**prices, "offpeak_hours": text})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_tariff_peak_offpeak"
    assert result["errors"] == {"offpeak_hours": "enedis_offpeak_hours"}
    assert entry.options == {}
    # Corrected, it saves.
    result = await submit(
        hass, result, {**prices, "offpeak_hours": "02:00-07:00, 14:00-17:00"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [
        (period["start"], period["end"]) for period in entry.options["cost"]["periods"]
    ] == [("02:00:00", "07:00:00"), ("14:00:00", "17:00:00")]


# --------------------------------------------------------------------------------------------
# Other: the shared price steps


async def test_other_tariff_uses_the_shared_steps(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    """The shared time-of-use step saves its cost beside the Enedis options."""
    entry = await loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, ["consumption", "load_curve"], "other")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_source"
    result = await submit(hass, result, {"source": "time_of_use"})
    assert result["step_id"] == "cost_time_of_use"
    period = {"price": 0.15, "start": "01:00:00", "end": "05:00:00", "days": ["sat"]}
    result = await submit(
        hass,
        result,
        {"import_price": 0.25, "period_1": period, "period_2": {}, "period_3": {}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "data": ["consumption", "load_curve"],
        "tariff": "other",
        "cost": {"source": "time_of_use", "import_price": 0.25, "periods": [period]},
    }
    assert entry.state is ConfigEntryState.LOADED


async def test_other_tariff_without_a_price(
    hass: HomeAssistant, enedis_entry: EntryFactory
) -> None:
    entry = await loaded(hass, enedis_entry)
    result = await tariff_step(hass, entry, ["consumption"], "other")
    result = await submit(hass, result, {"source": "none"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"data": ["consumption"], "tariff": "other"}


# --------------------------------------------------------------------------------------------
# Off-peak text and derived cost


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("22:30-06:30", [("22:30", "06:30")]),
        ("HC (22H30-6H30;12H00-14H00)", [("22:30", "06:30"), ("12:00", "14:00")]),
        ("02:00-07:00, 14:00-17:00", [("02:00", "07:00"), ("14:00", "17:00")]),
    ],
)
def test_offpeak_periods(text: str, ranges: list[tuple[str, str]]) -> None:
    found = offpeak_periods(text)
    assert found is not None
    assert [(f"{start:%H:%M}", f"{end:%H:%M}") for start, end in found] == ranges


@pytest.mark.parametrize(
    "text", ["22:30-", "abc", "", "22:30-06:30, 25:00-26:00", "22:30-22:30"]
)
def test_offpeak_periods_refused(text: str) -> None:
    """A text with a range that does not read is refused whole."""
    assert offpeak_periods(text) is None


@pytest.mark.parametrize(
    "options", [{}, {"tariff": "none"}, {"tariff": "other", "base_price": 0.2}]
)
def test_no_cost_without_an_enedis_tariff(options: dict[str, Any]) -> None:
    """No tariff, or one of the shared steps (which make the cost themselves)."""
    assert tariff_cost(options) is None
