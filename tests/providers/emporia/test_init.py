"""Setting up, failing to set up and unloading entries; devices that appear, go, or are removed."""

from datetime import datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower import async_remove_config_entry_device
from custom_components.openpower.api.errors import ApiConnectionError
from custom_components.openpower.const import DOMAIN
from tests.common import async_move_to, async_setup_entry
from tests.simulator import (
    EMPORIA_CHARGER_GID,
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_PLUG_GID,
    EMPORIA_VUE2_GID,
    EMPORIA_VUE3_GID,
    EmporiaDevice,
    Simulator,
)

NOW = "2026-11-23T20:00:30+00:00"
MAINS_POWER = "sensor.home_mains_power"


def _device(
    registry: dr.DeviceRegistry, entry: MockConfigEntry, uid: str
) -> dr.DeviceEntry | None:
    return registry.async_get_device_by_identifier((DOMAIN, uid), entry.entry_id)


@pytest.mark.freeze_time(NOW)
async def test_load_and_unload(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """An entry loads, then unloads cleanly: nothing polls Emporia any more."""
    assert await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(emporia_entry.entry_id)
    assert emporia_entry.state is ConfigEntryState.NOT_LOADED
    simulator.requests.clear()
    await async_move_to(hass, freezer, datetime.fromisoformat(NOW) + timedelta(hours=2))
    assert simulator.requests == []


@pytest.mark.parametrize(
    ("fault", "count", "reason"),
    [
        ("http_500", 4, "cannot_connect"),
        ("timeout", 4, "cannot_connect"),
        ("http_429", 1, "rate_limited"),
        ("malformed", 1, "invalid_response"),
    ],
)
async def test_setup_retries_later(
    hass: HomeAssistant,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    fault: str,
    count: int,
    reason: str,
) -> None:
    """A temporary failure during setup: retried later, with a translated reason."""
    simulator.fault_next("emporia", fault, count)
    await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.SETUP_RETRY
    assert emporia_entry.error_reason_translation_key == reason


async def test_setup_during_maintenance(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Emporia down for maintenance at setup: retried later, saying so."""
    simulator.emporia.maintenance = True
    await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.SETUP_RETRY
    assert emporia_entry.error_reason_translation_key == "maintenance"


@pytest.mark.freeze_time(NOW)
async def test_history_failure_does_not_fail_setup(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The history backfill runs in the background: its failure leaves power working."""
    with patch(
        "custom_components.openpower.providers.emporia.coordinator.EmporiaHistoryCoordinator._async_fetch",
        side_effect=ApiConnectionError("down"),
    ):
        assert await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert not emporia_entry.runtime_data.runtime.history.last_update_success
    assert hass.states.get(MAINS_POWER).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


@pytest.mark.freeze_time(NOW)
async def test_revoked_refresh_token_signs_in_again(
    hass: HomeAssistant, emporia_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """With the password kept, a refused refresh token means a new sign-in, not a reauth."""
    old = emporia_entry.data["refresh_token"]
    simulator.emporia.revoke_refresh_tokens(EMPORIA_EMAIL)
    assert await async_setup_entry(hass, emporia_entry)
    assert emporia_entry.state is ConfigEntryState.LOADED
    assert emporia_entry.data["refresh_token"] != old
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.freeze_time(NOW)
async def test_revoked_tokens_start_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token entry whose refresh token is refused asks the user to sign in again."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    simulator.emporia.revoke_refresh_tokens(EMPORIA_FEDERATED_EMAIL)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="emporia_1000002",
        data={
            "provider": "emporia",
            "refresh_token": tokens["refresh_token"],
            "advanced": simulator.urls("emporia"),
        },
    )
    entry.add_to_hass(hass)
    assert not await async_setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


@pytest.mark.freeze_time(NOW)
async def test_devices(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Circuits hang under their monitor, the Vue 3 under the Vue 2."""
    assert await async_setup_entry(hass, emporia_entry)
    vue2 = _device(device_registry, emporia_entry, f"emporia_{EMPORIA_VUE2_GID}")
    assert vue2 is not None
    assert vue2.model == "Vue 2"
    kitchen = _device(
        device_registry, emporia_entry, f"emporia_{EMPORIA_VUE2_GID}_circuit_1"
    )
    assert kitchen is not None
    assert kitchen.name == "Kitchen"
    assert kitchen.via_device_id == vue2.id
    workshop = next(
        d
        for d in dr.async_entries_for_config_entry(
            device_registry, emporia_entry.entry_id
        )
        if d.name == "Workshop"
    )
    assert workshop.via_device_id == vue2.id
    assert workshop == _device(
        device_registry, emporia_entry, f"emporia_{EMPORIA_VUE3_GID}"
    )


@pytest.mark.freeze_time(NOW)
async def test_removed_device_goes_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A plug removed from the account disappears at the next tree refresh."""
    assert await async_setup_entry(hass, emporia_entry)
    plug = f"emporia_{EMPORIA_PLUG_GID}"
    assert _device(device_registry, emporia_entry, plug) is not None
    simulator.emporia.remove_device(EMPORIA_PLUG_GID)
    await async_move_to(hass, freezer, datetime.fromisoformat(NOW) + timedelta(hours=1))
    assert _device(device_registry, emporia_entry, plug) is None
    assert _device(device_registry, emporia_entry, f"emporia_{EMPORIA_CHARGER_GID}")


@pytest.mark.freeze_time(NOW)
async def test_new_device_appears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A plug added in the Emporia app gets its device and entities within the hour."""
    assert await async_setup_entry(hass, emporia_entry)
    simulator.emporia.add_device(
        EmporiaDevice.plug(2000099, "B1000A0099", "Kettle", 3000099)
    )
    now = datetime.fromisoformat(NOW)
    await async_move_to(hass, freezer, now + timedelta(hours=1))
    await async_move_to(hass, freezer, now + timedelta(hours=1, minutes=5))
    assert hass.states.get("switch.kettle").state == "on"
    assert hass.states.get("sensor.kettle_power") is not None


@pytest.mark.freeze_time(NOW)
async def test_only_devices_gone_can_be_removed(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A user may remove a device Emporia no longer reports, not one it still does."""
    assert await async_setup_entry(hass, emporia_entry)
    current = _device(device_registry, emporia_entry, f"emporia_{EMPORIA_PLUG_GID}")
    assert current is not None
    assert not await async_remove_config_entry_device(hass, emporia_entry, current)
    gone = device_registry.async_get_or_create(
        config_entry_id=emporia_entry.entry_id, identifiers={(DOMAIN, "emporia_9")}
    )
    assert await async_remove_config_entry_device(hass, emporia_entry, gone)


@pytest.mark.freeze_time(NOW)
async def test_no_identifier_in_logs_names_or_errors(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    emporia_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full setup, its updates, the backfill and a failure, at DEBUG: nothing identifies the account.

    Not the e-mail, the customer id or a device serial, in a log line, a coordinator's name,
    a background task's name or an exception's text.
    """
    caplog.set_level(logging.DEBUG)
    tasks: list[str] = []
    create_task = emporia_entry.async_create_background_task

    def named_task(hass: HomeAssistant, target: Any, name: str, **kwargs: Any) -> Any:
        # Home Assistant's own coordinator refresh tasks are named after the entry's title
        # (`<coordinator> - <title> - refresh`): only the integration's own names are checked.
        if not name.endswith(f" - {emporia_entry.title} - refresh"):
            tasks.append(name)
        return create_task(hass, target, name, **kwargs)

    emporia_entry.async_create_background_task = named_task  # type: ignore[method-assign]
    assert await async_setup_entry(hass, emporia_entry)
    now = dt_util.utcnow()
    await async_move_to(hass, freezer, now + timedelta(minutes=1))
    simulator.fault_always("emporia", "http_400")
    await async_move_to(hass, freezer, now + timedelta(minutes=2))
    await async_move_to(hass, freezer, now.replace(minute=3) + timedelta(hours=1))
    simulator.fault_always("emporia", None)
    simulator.emporia.reject_charger_writes = True
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "switch",
            "turn_off",
            {"entity_id": "switch.garage_charger_charging"},
            blocking=True,
        )
    runtime = emporia_entry.runtime_data.runtime
    coordinators = [runtime.devices, runtime.status, runtime.power, runtime.history]
    said = "\n".join(
        [
            caplog.text,
            *(str(record.exc_info[1]) for record in caplog.records if record.exc_info),
            *(coordinator.name for coordinator in coordinators),
            *tasks,
            str(refused.value),
            repr(refused.value.__cause__),
        ]
    )
    assert "Finished fetching" in caplog.text  # DEBUG lines were captured
    assert tasks
    assert "refused the request" in caplog.text or refused.value.__cause__ is not None
    for identifier in (
        EMPORIA_EMAIL,
        str(EMPORIA_CUSTOMER_GID),
        "A2107A0001",
        "F3000A0002",
        "B1000A0003",
        "D1000A0004",
    ):
        assert identifier not in said, identifier
