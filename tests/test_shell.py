"""Provider-agnostic machinery on its own: error mapping, coordinator base, devices, entities."""

from datetime import timedelta
from unittest.mock import MagicMock

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiMaintenanceError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.coordinator import OpenPowerCoordinator
from custom_components.openpower.entity import DeviceRef, async_add_entities_when_seen
from custom_components.openpower.errors import api_errors_as_ha, error_key
from custom_components.openpower.sensor import (
    OpenPowerSensor,
    OpenPowerSensorDescription,
)


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (ApiAuthError("x"), "invalid_auth"),
        (ApiRateLimitedError("x", 10), "rate_limited"),
        (ApiConnectionError("x"), "cannot_connect"),
        (ApiNotFoundError("x"), "not_found"),
        (ApiResponseError("x"), "invalid_response"),
        (ApiRejectedError("x"), "rejected"),
        (ApiMaintenanceError("x"), "maintenance"),
        (ApiError("x"), "unknown"),
    ],
)
def test_error_keys(error: ApiError, key: str) -> None:
    """Every API error has one translation key, shared by forms, exceptions and repairs."""
    assert error_key(error) == key


async def test_api_errors_as_ha(hass: HomeAssistant) -> None:
    """Writes and actions: translated errors; rejected credentials start reauth."""
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "amber"})
    entry.add_to_hass(hass)
    with pytest.raises(HomeAssistantError) as err:
        async with api_errors_as_ha(hass, entry):
            raise ApiConnectionError("amber GET sites: timed out")
    assert err.value.translation_key == "cannot_connect"
    assert err.value.translation_placeholders == {"error": "amber GET sites: timed out"}
    with pytest.raises(HomeAssistantError) as err:
        async with api_errors_as_ha(hass, entry):
            raise ApiAuthError("rejected")
    assert err.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    async with api_errors_as_ha(hass, entry):
        pass  # nothing raised, nothing done


class _Counting(OpenPowerCoordinator[int]):
    """Fails as told, otherwise counts."""

    def __init__(self, hass: HomeAssistant, entry: MockConfigEntry) -> None:
        super().__init__(hass, entry, name="test", update_interval=timedelta(minutes=1))
        self.fail: ApiError | None = None
        self.count = 0

    async def _async_fetch(self) -> int:
        if self.fail is not None:
            raise self.fail
        self.count += 1
        return self.count


async def test_coordinator_base(hass: HomeAssistant) -> None:
    """Garbage keeps the data by default; other failures raise translated UpdateFailed."""
    entry = MockConfigEntry(domain=DOMAIN, title="Test", data={"provider": "amber"})
    entry.add_to_hass(hass)
    coordinator = _Counting(hass, entry)
    await coordinator.async_refresh()
    assert coordinator.data == 1
    coordinator.fail = ApiResponseError("bad body")
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert coordinator.data == 1
    coordinator.fail = ApiRateLimitedError("slow down", 120)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert error.retry_after == 120
    assert error.translation_key == "rate_limited"
    coordinator.fail = ApiNotFoundError("gone")
    await coordinator.async_refresh()
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert error.translation_key == "not_found"
    assert error.retry_after is None
    with pytest.raises(NotImplementedError):
        await OpenPowerCoordinator._async_fetch(coordinator)


async def test_child_device_is_linked_to_its_parent(hass: HomeAssistant) -> None:
    """A child (an Emporia circuit, say) points at its parent by registry id."""
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "amber"})
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    parent = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "test_hub")}
    )
    info = DeviceRef(
        uid="test_circuit", name="Circuit 1", manufacturer="Test", parent="test_hub"
    ).device_info(hass, entry.entry_id)
    assert info["via_device_id"] == parent.id
    assert "entry_type" not in info


async def test_entities_wait_for_data(hass: HomeAssistant) -> None:
    """No entity before the coordinator has data; they appear with it."""
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "amber"})
    entry.add_to_hass(hass)
    coordinator = _Counting(hass, entry)
    description = OpenPowerSensorDescription[_Counting, int](
        key="count",
        coordinator_fn=lambda rt: rt,
        devices_fn=lambda _data: (DeviceRef(uid="test_1", name="T", manufacturer="T"),),
        value_fn=lambda data, _uid: data,
    )
    entry.runtime_data = MagicMock(runtime=coordinator)
    entry.runtime_data.provider.entities = {Platform.SENSOR: (description,)}
    added: list[object] = []
    async_add_entities_when_seen(
        entry,
        Platform.SENSOR,
        OpenPowerSensor,
        added.extend,  # type: ignore[arg-type]
    )
    assert added == []
    await coordinator.async_refresh()
    assert len(added) == 1
    await coordinator.async_refresh()
    assert len(added) == 1  # seen once, added once
    await hass.config_entries.async_unload(entry.entry_id)
