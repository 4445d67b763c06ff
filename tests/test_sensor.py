"""The generic sensor platform, with the fake provider's descriptions."""

from dataclasses import replace

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.providers import PROVIDERS
from custom_components.openpower.sensor import OpenPowerSensorDescription

from .common import async_move_to, async_setup_entry, only_platform
from .fake_provider import FAKE, SWITCHES, FakeApi, FakeData, FakeRuntime, devices


async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    fake_entry: MockConfigEntry,
) -> None:
    """One sensor per device: state, attributes, unique id `<device uid>_<key>`."""
    with only_platform(Platform.SENSOR):
        assert await async_setup_entry(hass, fake_entry)
    await snapshot_platform(hass, entity_registry, snapshot, fake_entry.entry_id)


async def test_unrecorded_attributes(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """An attribute the description keeps out of the recorder is shown, not recorded."""
    start = dt_util.utcnow()
    assert await async_setup_entry(hass, fake_entry)
    await async_wait_recording_done(hass)
    state = hass.states.get("sensor.fake_hub_power")
    assert state.attributes["samples"] == [120.0, 120.0, 120.0]
    history = await get_instance(hass).async_add_executor_job(
        get_significant_states, hass, start, None, ["sensor.fake_hub_power"]
    )
    (recorded,) = history["sensor.fake_hub_power"]
    assert "samples" not in recorded.attributes
    assert recorded.attributes["online"] is True


@pytest.mark.usefixtures("fake_provider")
async def test_description_on_the_wrong_platform(
    hass: HomeAssistant, fake_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A switch description declared as a sensor is refused when the platform sets up."""
    PROVIDERS["fake"] = replace(FAKE, entities={Platform.SENSOR: SWITCHES})
    await async_setup_entry(hass, fake_entry)
    assert "declares on for sensor, which takes OpenPowerSensorDescription" in (
        caplog.text
    )
    assert hass.states.async_all("sensor") == []


@pytest.mark.freeze_time("2026-11-23T02:00:00+00:00")
async def test_unit_from_the_data(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
) -> None:
    """A unit only the data knows (a currency) is each device's, and follows the data."""
    assert await async_setup_entry(hass, fake_entry)
    hub = hass.states.get("sensor.fake_hub_price")
    assert (hub.state, hub.attributes["unit_of_measurement"]) == ("0.25", "EUR")
    fake_api.devices["hub"].currency = "AUD"
    fake_api.devices["hub"].price = 0.31
    await async_move_to(hass, freezer, "2026-11-23T02:01:00+00:00")
    hub = hass.states.get("sensor.fake_hub_price")
    assert (hub.state, hub.attributes["unit_of_measurement"]) == ("0.31", "AUD")
    plug = hass.states.get("sensor.fake_plug_price")
    assert (plug.state, plug.attributes["unit_of_measurement"]) == ("0.25", "EUR")
    # A description without `unit_fn` keeps its fixed unit.
    power = hass.states.get("sensor.fake_hub_power")
    assert power.attributes["unit_of_measurement"] == "W"


async def test_options_from_the_data(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """An ENUM sensor's options can come from the data: the known values plus one sent."""
    known = ["eur", "usd"]

    def currency(data: FakeData, uid: str) -> str:
        return data.device(uid).currency.lower()

    def options(data: FakeData, uid: str) -> list[str]:
        value = currency(data, uid)
        return known if value in known else [*known, value]

    PROVIDERS["fake"] = replace(
        FAKE,
        entities={
            Platform.SENSOR: (
                OpenPowerSensorDescription[FakeRuntime, FakeData](
                    key="currency",
                    name="Currency",
                    device_class=SensorDeviceClass.ENUM,
                    options=known,
                    coordinator_fn=lambda rt: rt.coordinator,
                    devices_fn=devices,
                    exists_fn=lambda data, uid: data.has(uid),
                    value_fn=currency,
                    options_fn=options,
                ),
            )
        },
    )
    fake_api.devices["hub"].currency = "AUD"
    assert await async_setup_entry(hass, fake_entry)
    hub = hass.states.get("sensor.fake_hub_currency")
    assert (hub.state, hub.attributes["options"]) == ("aud", ["eur", "usd", "aud"])
    plug = hass.states.get("sensor.fake_plug_currency")
    assert (plug.state, plug.attributes["options"]) == ("eur", ["eur", "usd"])
