"""Every entity of every platform, pinned by snapshots (registry entry and state)."""

from collections.abc import Generator
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from tests.common import async_setup_entry, only_platform
from tests.simulator import DEMO_SITE_30MIN, Simulator


@pytest.fixture
def platform(request: pytest.FixtureRequest) -> Generator[Platform]:
    """Load only one platform, as snapshot_platform needs."""
    with only_platform(request.param):
        yield request.param


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform", [Platform.SENSOR, Platform.BINARY_SENSOR], indirect=True
)
async def test_amber_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    platform: Platform,
) -> None:
    """The 5-minute demo site: three channels, tariff periods, a confirmed price."""
    with patch(
        "custom_components.openpower.providers.amber.coordinator.DEFAULT_FORECAST_HOURS",
        1,
    ):
        assert await async_setup_entry(hass, amber_entry)
    await snapshot_platform(hass, entity_registry, snapshot, amber_entry.entry_id)


@pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")
@pytest.mark.parametrize("platform", [Platform.SENSOR], indirect=True)
async def test_amber_general_only_site(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    platform: Platform,
) -> None:
    """A 30-minute site with only the general channel gets no other channel's entities."""
    hass.config_entries.async_update_entry(
        amber_entry,
        data={**amber_entry.data, "site_id": DEMO_SITE_30MIN},
        unique_id=f"amber_{DEMO_SITE_30MIN}",
    )
    assert await async_setup_entry(hass, amber_entry)
    ids = sorted(hass.states.async_entity_ids("sensor"))
    assert ids == [
        "sensor.home_general_forecast",
        "sensor.home_general_price",
        "sensor.home_general_price_descriptor",
        "sensor.home_general_spot_price",
        "sensor.home_renewables",
    ]
    forecasts = hass.states.get("sensor.home_general_forecast").attributes["forecasts"]
    assert forecasts[0]["duration"] == 30
    assert len(forecasts) == 48
