"""The Amber actions: `openpower.amber_get_forecasts`, `openpower.amber_cheapest_intervals`."""

from typing import Any

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


async def _cheapest(hass: HomeAssistant, entry_id: str, **fields: object) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "amber_cheapest_intervals",
        {"config_entry_id": entry_id, **fields},
        blocking=True,
        return_response=True,
    )


def _general_points(hass: HomeAssistant) -> list[tuple[str, str, float]]:
    """The current interval and the forecast, as the general sensors show them."""
    price = hass.states.get("sensor.home_general_price")
    forecast = hass.states.get("sensor.home_general_forecast")
    assert price is not None
    assert forecast is not None
    current, forecasts = price.attributes, forecast.attributes["forecasts"]
    return [
        (point["start_time"], point["end_time"], point["price"])
        for point in (current, *forecasts)
    ]


async def test_cheapest_window_matches_the_forecast(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The contiguous window is the lowest sum of the forecast's intervals before the end."""
    assert await async_setup_entry(hass, amber_entry)
    response = await _cheapest(
        hass,
        amber_entry.entry_id,
        duration=60,
        latest_end="2026-11-23T08:00:00+00:00",
    )
    points = [p for p in _general_points(hass) if p[1] <= "2026-11-23T08:00:00+00:00"]
    assert len(points) == 72  # 02:00 to 08:00 in 5-minute intervals
    totals = [sum(p[2] for p in points[i : i + 12]) for i in range(len(points) - 11)]
    first = min(range(len(totals)), key=lambda i: (round(totals[i], 9), i))
    expected = points[first : first + 12]
    assert set(response) == {
        "found",
        "covers_deadline",
        "intervals",
        "average_price",
        "total_price",
        "start",
        "end",
    }
    assert response["found"] is True
    assert response["covers_deadline"] is True
    assert response["intervals"] == [
        {"start": start, "end": end, "price": price} for start, end, price in expected
    ]
    assert response["start"] == expected[0][0]
    assert response["end"] == expected[-1][1]
    # The attributes' prices are rounded to 5 decimals, the response's total afterwards.
    assert response["total_price"] == pytest.approx(totals[first], abs=1e-4)
    assert response["average_price"] == pytest.approx(totals[first] / 12, abs=1e-5)


async def test_cheapest_spread_under_a_maximum_price(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Not contiguous: the cheapest intervals of the whole forecast, in time order."""
    assert await async_setup_entry(hass, amber_entry)
    points = _general_points(hass)
    cheapest = sorted(points, key=lambda p: (p[2], p[0]))[:6]
    response = await _cheapest(
        hass,
        amber_entry.entry_id,
        channel_type="general",
        duration=27,  # rounds up to 6 intervals of 5 minutes
        contiguous=False,
        # Above the sixth price's rounding error, below the seventh.
        max_price=cheapest[-1][2] + 0.000005,
    )
    assert response["found"] is True
    assert response["covers_deadline"] is True
    assert response["intervals"] == [
        {"start": start, "end": end, "price": price}
        for start, end, price in sorted(cheapest)
    ]
    assert response["total_price"] == pytest.approx(sum(p[2] for p in cheapest))
    too_low = await _cheapest(
        hass,
        amber_entry.entry_id,
        duration=30,
        contiguous=False,
        max_price=cheapest[4][2] - 0.00001,
    )
    assert too_low == {
        "found": False,
        "covers_deadline": True,
        "intervals": [],
        "average_price": None,
        "total_price": 0.0,
        "start": None,
        "end": None,
    }


async def test_cheapest_on_a_half_hour_site(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """45 minutes on a 30-minute site take two whole intervals."""
    hass.config_entries.async_update_entry(
        amber_entry, data={**amber_entry.data, "site_id": DEMO_SITE_30MIN}
    )
    assert await async_setup_entry(hass, amber_entry)
    response = await _cheapest(hass, amber_entry.entry_id, duration=45)
    assert len(response["intervals"]) == 2
    first, second = response["intervals"]
    assert first["end"] == second["start"]
    assert response["end"] == second["end"]


async def test_cheapest_with_a_deadline_beyond_the_forecast(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An hour of forecast cannot cover a deadline in 5 hours: the answer says so."""
    hass.config_entries.async_update_entry(amber_entry, options={"forecast_hours": 1})
    assert await async_setup_entry(hass, amber_entry)
    response = await _cheapest(
        hass,
        amber_entry.entry_id,
        duration=10,
        latest_end="2026-11-23T07:00:00+00:00",
    )
    assert response["found"] is True
    assert response["covers_deadline"] is False
    assert response["end"] <= "2026-11-23T03:05:00+00:00"


async def test_cheapest_naive_latest_end_is_local_time(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The UI's datetime selector sends local time without an offset."""
    await hass.config.async_set_time_zone("Australia/Sydney")
    assert await async_setup_entry(hass, amber_entry)
    # 13:20 in Sydney (AEDT, +11) is 02:20 UTC.
    response = await _cheapest(
        hass, amber_entry.entry_id, duration=15, latest_end="2026-11-23 13:20:00"
    )
    assert len(response["intervals"]) == 3
    assert response["start"] >= "2026-11-23T02:00:00+00:00"
    assert response["end"] <= "2026-11-23T02:20:00+00:00"
    assert response == await _cheapest(
        hass,
        amber_entry.entry_id,
        duration=15,
        latest_end="2026-11-23T02:20:00+00:00",
    )


@pytest.mark.parametrize(
    "latest_end",
    ["2026-11-23T01:00:00+00:00", "2026-11-23T02:30:00+00:00"],
    ids=["past", "shorter-than-duration"],
)
async def test_cheapest_deadline_too_soon(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    latest_end: str,
) -> None:
    """A latest end that leaves less than the duration is refused."""
    assert await async_setup_entry(hass, amber_entry)
    with pytest.raises(ServiceValidationError) as err:
        await _cheapest(hass, amber_entry.entry_id, duration=30, latest_end=latest_end)
    assert err.value.translation_key == "amber_deadline_too_soon"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["duration"] == "30"


async def test_cheapest_errors(
    hass: HomeAssistant,
    amber_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: object,
) -> None:
    """Feed-in and bad durations are refused by the schema; stale prices are unavailable."""
    assert await async_setup_entry(hass, amber_entry)
    with pytest.raises(probatio.Invalid, match="channel_type"):
        await _cheapest(hass, amber_entry.entry_id, channel_type="feed_in", duration=30)
    with pytest.raises(probatio.Invalid, match="duration"):
        await _cheapest(hass, amber_entry.entry_id, duration=2000)
    simulator.fault_next("amber", "http_500", 4)
    await async_move_to(hass, freezer, "2026-11-23T02:05:03+00:00")  # type: ignore[arg-type]
    with pytest.raises(HomeAssistantError) as err:
        await _cheapest(hass, amber_entry.entry_id, duration=30)
    assert err.value.translation_key == "amber_prices_unavailable"


async def test_cheapest_channel_not_at_site(
    hass: HomeAssistant, amber_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The half-hour demo site has no controlled load."""
    hass.config_entries.async_update_entry(
        amber_entry, data={**amber_entry.data, "site_id": DEMO_SITE_30MIN}
    )
    assert await async_setup_entry(hass, amber_entry)
    with pytest.raises(ServiceValidationError) as err:
        await _cheapest(
            hass, amber_entry.entry_id, channel_type="controlled_load", duration=30
        )
    assert err.value.translation_key == "amber_channel_not_found"
    assert str(err.value) == "There is no controlled_load channel at this site"


def test_cheapest_fields_are_translated() -> None:
    """Every field of the action in services.yaml has an English name."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    fields = services["amber_cheapest_intervals"]["fields"]
    assert set(fields) == {
        "config_entry_id",
        "channel_type",
        "duration",
        "latest_end",
        "contiguous",
        "max_price",
    }
    assert set(english("services", "amber_cheapest_intervals", "fields")) == set(fields)
    assert fields["channel_type"]["selector"]["select"]["options"] == [
        "general",
        "controlled_load",
    ]
