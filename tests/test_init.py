"""Setting an entry up and down, for any provider (the fake one of tests/fake_provider.py)."""

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiCertificateError,
    ApiConnectionError,
    ApiError,
)
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.coordinator import issue_id
from custom_components.openpower.providers import PROVIDERS

from .common import async_setup_entry
from .fake_provider import FAKE, FakeApi, FakeDevice, sensors_only


async def test_setup_and_unload(
    hass: HomeAssistant, fake_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """An entry gets one entity per description and device, on every platform it declares."""
    assert await async_setup_entry(hass, fake_entry)
    assert fake_entry.state is ConfigEntryState.LOADED
    platforms = {
        entry.domain
        for entry in er.async_entries_for_config_entry(
            entity_registry, fake_entry.entry_id
        )
    }
    assert platforms == {"sensor", "binary_sensor", "switch", "number", "time"}
    assert len(hass.states.async_all()) == 12  # 6 descriptions (2 sensors) × 2 devices
    assert await hass.config_entries.async_unload(fake_entry.entry_id)
    assert fake_entry.state is ConfigEntryState.NOT_LOADED


async def test_only_the_providers_platforms_are_forwarded(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """A provider with sensors only gets the sensor platform, and unloads just that."""
    PROVIDERS["fake"] = sensors_only()
    assert FAKE.platforms == [
        Platform.SENSOR,
        Platform.BINARY_SENSOR,
        Platform.SWITCH,
        Platform.NUMBER,
        Platform.TIME,
    ]
    assert PROVIDERS["fake"].platforms == [Platform.SENSOR]
    assert await async_setup_entry(hass, fake_entry)
    assert {state.domain for state in hass.states.async_all()} == {"sensor"}
    assert await hass.config_entries.async_unload(fake_entry.entry_id)
    assert fake_entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    ("error", "state", "reauth"),
    [
        (ApiAuthError("rejected"), ConfigEntryState.SETUP_ERROR, True),
        (
            ApiCertificateError("certificate_expired", "expired"),
            ConfigEntryState.SETUP_ERROR,
            True,
        ),
        (
            ApiCertificateError("key_mismatch", "not its key"),
            ConfigEntryState.SETUP_ERROR,
            False,
        ),
        (ApiConnectionError("down"), ConfigEntryState.SETUP_RETRY, False),
    ],
)
async def test_setup_errors(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
    error: ApiError,
    state: ConfigEntryState,
    reauth: bool,
) -> None:
    """An API error while setting up: reauth, failed for good, or retried later."""
    fake_api.setup_fail = error
    await async_setup_entry(hass, fake_entry)
    assert fake_entry.state is state
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == (
        [SOURCE_REAUTH] if reauth else []
    )


async def test_first_refresh_failure_retries_later(
    hass: HomeAssistant, fake_entry: MockConfigEntry, fake_api: FakeApi
) -> None:
    """An outage on the first fetch: setup is retried, nothing is created."""
    fake_api.fail = ApiConnectionError("down")
    await async_setup_entry(hass, fake_entry)
    assert fake_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.async_all() == []


async def test_devices_registered_parent_first(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A child device names its parent by registry id, whatever order entities come in."""
    assert await async_setup_entry(hass, fake_entry)
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, "fake_hub"), fake_entry.entry_id
    )
    plug = device_registry.async_get_device_by_identifier(
        (DOMAIN, "fake_plug"), fake_entry.entry_id
    )
    assert hub is not None and plug is not None
    assert plug.via_device_id == hub.id
    assert hub.via_device_id is None
    assert (hub.manufacturer, hub.model, hub.sw_version) == ("Fake", "Model 1", "1.0")


async def test_devices_follow_the_provider(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device that appears gets its entities; one the provider drops is removed."""
    assert await async_setup_entry(hass, fake_entry)
    coordinator = fake_entry.runtime_data.runtime.coordinator
    fake_api.devices["meter"] = FakeDevice(power=7.0)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.fake_meter_power").state == "7.0"
    del fake_api.devices["plug"]
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, "fake_plug"), fake_entry.entry_id
        )
        is None
    )
    assert hass.states.get("sensor.fake_plug_power") is None


async def test_remove_a_device_only_when_gone(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The user may remove a device the provider no longer reports, not a current one."""
    assert await async_setup_entry(hass, fake_entry)
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, "fake_hub"), fake_entry.entry_id
    )
    assert hub is not None
    old = device_registry.async_get_or_create(
        config_entry_id=fake_entry.entry_id, identifiers={(DOMAIN, "fake_old")}
    )
    assert await async_remove_device(hass, fake_entry, old.id)
    assert not await async_remove_device(hass, fake_entry, hub.id)


async def async_remove_device(
    hass: HomeAssistant, entry: MockConfigEntry, device_id: str
) -> bool:
    """Ask the integration, as the device page's delete button does."""
    from custom_components.openpower import async_remove_config_entry_device  # noqa: PLC0415

    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    return await async_remove_config_entry_device(hass, entry, device)


async def test_removing_the_entry_drops_its_issues(
    hass: HomeAssistant,
    fake_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Repair issues of a removed entry go with it; another entry's stay."""
    assert await async_setup_entry(hass, fake_entry)
    coordinator = fake_entry.runtime_data.runtime.coordinator
    coordinator.async_set_issue("fake_broken", True)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id("other_entry", "fake_broken"),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="fake_broken",
    )
    assert (DOMAIN, issue_id(fake_entry.entry_id, "fake_broken")) in (
        issue_registry.issues
    )
    await hass.config_entries.async_remove(fake_entry.entry_id)
    await hass.async_block_till_done()
    assert list(issue_registry.issues) == [
        (DOMAIN, issue_id("other_entry", "fake_broken"))
    ]
