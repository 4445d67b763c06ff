"""The generic sensor platform, with the fake provider's descriptions."""

from dataclasses import replace

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.history import get_significant_states
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

from .common import async_setup_entry, only_platform
from .fake_provider import FAKE, SWITCHES


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
