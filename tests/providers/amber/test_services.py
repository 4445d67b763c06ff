"""The `openpower.amber_get_forecasts` action."""

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
import yaml

from custom_components.openpower.api.amber import ChannelType
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.provider import ProviderSpec
from custom_components.openpower.providers import PROVIDERS
from custom_components.openpower.services import _async_dispatch
from tests.common import async_move_to, async_setup_entry
from tests.simulator import DEMO_SITE_30MIN, Simulator

from .conftest import INTEGRATION, english

pytestmark = pytest.mark.freeze_time("2026-11-23T02:00:40+00:00")


async def _forecasts(hass: HomeAssistant, entry_id: str, channel: str) -> dict:
    return await hass.services.async_call(
        DOMAIN,
        "amber_get_forecasts",
        {"config_entry_id": entry_id, "channel_type": channel},
        blocking=True,
        return_response=True,
    )


async def test_get_forecasts(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Every forecast interval of a channel, as the forecast sensor holds it."""
    hass.config_entries.async_update_entry(amber_entry, options={"forecast_hours": 1})
    assert await async_setup_entry(hass, amber_entry)
    response = await _forecasts(hass, amber_entry.entry_id, "feed_in")
    forecasts = response["forecasts"]
    assert len(forecasts) == 12
    assert forecasts[0]["start_time"] == "2026-11-23T02:05:00+00:00"
    assert forecasts[-1]["end_time"] == "2026-11-23T03:05:00+00:00"
    assert {"price", "spot_per_kwh", "descriptor", "renewables", "estimate"} <= set(
        forecasts[0]
    )
    attribute = hass.states.get("sensor.home_feed_in_forecast").attributes["forecasts"]
    assert forecasts == attribute
    assert response == snapshot


async def test_get_forecasts_channel_not_at_site(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A channel the site does not have is the caller's mistake."""
    hass.config_entries.async_update_entry(
        amber_entry, data={**amber_entry.data, "site_id": DEMO_SITE_30MIN}
    )
    assert await async_setup_entry(hass, amber_entry)
    with pytest.raises(ServiceValidationError) as err:
        await _forecasts(hass, amber_entry.entry_id, "feed_in")
    assert err.value.translation_key == "amber_channel_not_found"
    assert err.value.translation_placeholders == {"channel_type": "feed_in"}
    assert str(err.value) == "There is no feed_in channel at this site"


async def test_get_forecasts_while_prices_are_unavailable(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: object,
) -> None:
    """No stale forecast is returned when the last update failed."""
    assert await async_setup_entry(hass, amber_entry)
    simulator.fault_next("amber", "http_500", 4)
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")  # type: ignore[arg-type]
    with pytest.raises(HomeAssistantError) as err:
        await _forecasts(hass, amber_entry.entry_id, "general")
    assert err.value.translation_key == "amber_prices_unavailable"
    assert str(err.value) == "The prices of this site are unavailable right now"


async def test_get_forecasts_entry_not_loaded(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An entry that is not loaded, or not ours, is refused with a translated error."""
    assert await async_setup_entry(hass, amber_entry)
    assert await hass.config_entries.async_unload(amber_entry.entry_id)
    with pytest.raises(ServiceValidationError):
        await _forecasts(hass, amber_entry.entry_id, "general")
    with pytest.raises(ServiceValidationError):
        await _forecasts(hass, "not-an-entry", "general")


async def test_get_forecasts_bad_channel(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The schema refuses an unknown channel before anything runs."""
    assert await async_setup_entry(hass, amber_entry)
    with pytest.raises(probatio.Invalid, match="channel_type"):
        await _forecasts(hass, amber_entry.entry_id, "battery")


async def test_action_of_another_provider(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A provider's action refuses an entry of another provider."""
    assert await async_setup_entry(hass, amber_entry)
    amber = PROVIDERS["amber"]
    other = ProviderSpec(
        key="other",
        name="Other",
        async_setup=amber.async_setup,
        coordinators=amber.coordinators,
        devices=amber.devices,
        config_flow=amber.config_flow,
    )
    call = ServiceCall(
        hass,
        DOMAIN,
        "other_action",
        {"config_entry_id": amber_entry.entry_id},
    )
    with pytest.raises(ServiceValidationError) as err:
        await _async_dispatch(hass, other, amber.services[0], call)
    assert err.value.translation_key == "wrong_provider"
    assert err.value.translation_placeholders == {
        "entry": "Home",
        "action": "amber_get_forecasts",
    }


def test_channel_selector_is_translated() -> None:
    """The action's channel picker offers every channel, each with its English name."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    field = services["amber_get_forecasts"]["fields"]["channel_type"]
    select = field["selector"]["select"]
    assert select["translation_key"] == "amber_channel_type"
    assert select["options"] == [channel.value for channel in ChannelType]
    assert set(english("selector", "amber_channel_type", "options")) == set(
        select["options"]
    )
