"""Tests for the shared price options steps (custom_components/openpower/pricing_flow.py).

The fake provider's options flow (tests/fake_provider.py) asks for a label, then hands over to
`PricedOptionsFlow`, as a real provider's does.
"""

from collections.abc import Generator
from dataclasses import replace
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers import PROVIDERS

from .common import async_setup_entry
from .fake_provider import FAKE, FakeApi, priced

ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture(autouse=True)
def providers(fake_api: FakeApi) -> Generator[None]:
    """The fake provider offering prices, and a copy that offers none."""
    with patch.dict(
        PROVIDERS,
        {"fake": priced(), "fake_plain": replace(FAKE, key="fake_plain", entities={})},
    ):
        yield


def add_entry(
    hass: HomeAssistant, account: str, provider: str = "fake", **options: Any
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Fake {account}",
        unique_id=f"{provider}_{account}",
        data={"provider": provider, "account": account},
        options=options,
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def entry(hass: HomeAssistant) -> MockConfigEntry:
    """The loaded entry whose options the tests edit."""
    hass.config.currency = "AUD"
    found = add_entry(hass, "a")
    assert await async_setup_entry(hass, found)
    return found


async def cost_source(
    hass: HomeAssistant, entry: MockConfigEntry, label: str = "garage"
) -> ConfigFlowResult:
    """Run the provider's own step; return the price source form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"label": label}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_source"
    return result


async def choose(
    hass: HomeAssistant, result: ConfigFlowResult, source: str
) -> ConfigFlowResult:
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": source}
    )


def schema(result: ConfigFlowResult) -> dict[Any, Any]:
    """The form's fields: markers to selectors or sections."""
    found = result["data_schema"]
    assert found is not None
    fields: dict[Any, Any] = found.schema
    return fields


def field(result: ConfigFlowResult, name: str) -> Any:
    """The schema key (a marker) named `name`."""
    return next(key for key in schema(result) if key == name)


def selector_options(result: ConfigFlowResult, name: str) -> list[Any]:
    return list(schema(result)[field(result, name)].config["options"])


def suggested(marker: Any) -> Any:
    return (marker.description or {}).get("suggested_value")


async def test_no_price(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    result = await cost_source(hass, entry)
    # This entry's own prices are not offered to itself: no other entry offers any.
    assert selector_options(result, "source") == ["none", "fixed", "time_of_use"]
    assert field(result, "source").default() == "none"
    result = await choose(hass, result, "none")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"label": "garage"}


@pytest.mark.parametrize(
    ("submitted", "cost"),
    [
        (
            {"import_price": 0.25},
            {"source": "fixed", "import_price": 0.25},
        ),
        (
            {"import_price": 0.25, "export_price": -0.02},
            {"source": "fixed", "import_price": 0.25, "export_price": -0.02},
        ),
    ],
)
async def test_fixed(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    submitted: dict[str, float],
    cost: dict[str, Any],
) -> None:
    result = await choose(hass, await cost_source(hass, entry), "fixed")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_fixed"
    assert result["description_placeholders"] == {"currency": "AUD"}
    assert field(result, "import_price").default() == 0.0
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], submitted
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"label": "garage", "cost": cost}
    assert entry.state is ConfigEntryState.LOADED  # reloaded with the new options


PERIODS = [
    {"price": 0.1, "start": "22:30:00", "end": "06:30:00", "days": ["sun", "mon"]},
    {"price": 0.45, "start": "17:00:00", "end": "21:00:00", "days": ["fri", "tue"]},
    {"price": -0.01, "start": "11:00:00", "end": "14:00:00", "days": ["sat"]},
]
SAVED = [
    {"price": 0.1, "start": "22:30:00", "end": "06:30:00", "days": ["mon", "sun"]},
    {"price": 0.45, "start": "17:00:00", "end": "21:00:00", "days": ["tue", "fri"]},
    {"price": -0.01, "start": "11:00:00", "end": "14:00:00", "days": ["sat"]},
]


def sections(*periods: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The three period sections, the missing ones empty."""
    filled = list(periods) + [{}] * (3 - len(periods))
    return {f"period_{index}": p for index, p in enumerate(filled, start=1)}


async def time_of_use(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    result = await choose(hass, await cost_source(hass, entry), "time_of_use")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_time_of_use"
    return result


@pytest.mark.parametrize("count", [1, 2, 3])
async def test_time_of_use(
    hass: HomeAssistant, entry: MockConfigEntry, count: int
) -> None:
    result = await time_of_use(hass, entry)
    assert result["description_placeholders"] == {"currency": "AUD"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"import_price": 0.3, "export_price": 0.05, **sections(*PERIODS[:count])},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "label": "garage",
        "cost": {
            "source": "time_of_use",
            "import_price": 0.3,
            "export_price": 0.05,
            "periods": SAVED[:count],
        },
    }


@pytest.mark.parametrize(
    "period",
    [
        {"price": 0.1, "start": "22:30:00"},
        {"start": "22:30:00", "end": "06:30:00", "days": ["mon"]},
        {"price": 0.1, "start": "22:30:00", "end": "06:30:00", "days": []},
    ],
    ids=["no_end", "no_price", "no_day"],
)
async def test_an_incomplete_period_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry, period: dict[str, Any]
) -> None:
    result = await time_of_use(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3, **sections(PERIODS[0], period)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"period_2": "incomplete_period"}
    # Corrected, it saves.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3, **sections(PERIODS[0], PERIODS[1])}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["cost"]["periods"] == SAVED[:2]


async def test_time_of_use_needs_a_period(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await time_of_use(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3, **sections()}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_period"}


async def test_a_second_run_shows_the_saved_tariff(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await time_of_use(hass, entry)
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"import_price": 0.3, "export_price": 0.05, **sections(*PERIODS[:2])},
    )

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert field(result, "label").default() == "garage"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"label": "garage"}
    )
    assert field(result, "source").default() == "time_of_use"
    result = await choose(hass, result, "time_of_use")
    assert field(result, "import_price").default() == 0.3
    assert suggested(field(result, "export_price")) == 0.05
    fields = schema(result)
    for index, saved in enumerate(SAVED[:2], start=1):
        period = fields[field(result, f"period_{index}")]
        assert period.options == {"collapsed": False}
        inner = {str(key): key for key in period.schema.schema}
        assert suggested(inner["price"]) == saved["price"]
        assert suggested(inner["start"]) == saved["start"]
        assert suggested(inner["end"]) == saved["end"]
        assert inner["days"].default() == saved["days"]
    empty = fields[field(result, "period_3")]
    assert empty.options == {"collapsed": True}
    inner = {str(key): key for key in empty.schema.schema}
    assert suggested(inner["price"]) is None
    assert inner["days"].default() == ALL_DAYS

    # A fixed price form now starts from the same prices.
    result = await choose(hass, await cost_source(hass, entry), "fixed")
    assert field(result, "import_price").default() == 0.3
    assert suggested(field(result, "export_price")) == 0.05


async def test_prices_of_another_entry(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Only loaded entries that offer prices are listed, this one excepted."""
    offering = add_entry(hass, "b")
    assert await async_setup_entry(hass, offering)
    plain = add_entry(hass, "c", provider="fake_plain")
    assert await async_setup_entry(hass, plain)
    other = add_entry(hass, "d")  # offers prices, not loaded

    result = await cost_source(hass, entry)
    assert selector_options(result, "source") == [
        "none",
        "fixed",
        "time_of_use",
        "entry",
    ]
    result = await choose(hass, result, "entry")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_entry"
    assert selector_options(result, "price_entry_id") == [
        {"value": offering.entry_id, "label": "Fake b"}
    ]
    assert field(result, "price_entry_id").default() == offering.entry_id
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_entry_id": offering.entry_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "label": "garage",
        "cost": {"source": "entry", "price_entry_id": offering.entry_id},
    }

    # Run again: the saved entry is the default, among two that offer prices now.
    assert await async_setup_entry(hass, other)
    result = await choose(hass, await cost_source(hass, entry), "entry")
    assert selector_options(result, "price_entry_id") == [
        {"value": offering.entry_id, "label": "Fake b"},
        {"value": other.entry_id, "label": "Fake d"},
    ]
    assert field(result, "price_entry_id").default() == offering.entry_id


async def test_the_price_entry_unloaded_meanwhile_aborts(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    offering = add_entry(hass, "b")
    assert await async_setup_entry(hass, offering)
    result = await cost_source(hass, entry)
    assert "entry" in selector_options(result, "source")
    assert await hass.config_entries.async_unload(offering.entry_id)
    result = await choose(hass, result, "entry")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_price_entry"
    assert entry.options == {}
