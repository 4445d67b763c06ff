"""The coordinator base: one failure policy for every provider (coordinator.py's docstring)."""

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiResponseError,
)
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.coordinator import OpenPowerCoordinator
from custom_components.openpower.statistics import RecorderStalledError

from .common import async_move_to, async_setup_entry
from .fake_provider import FakeApi

POWER = "sensor.fake_hub_power"


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
    entry = MockConfigEntry(domain=DOMAIN, title="Test", data={"provider": "fake"})
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


@pytest.mark.freeze_time("2026-11-23T02:00:00+00:00")
async def test_outage_makes_entities_unavailable_never_zero(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
) -> None:
    """An outage: unavailable, not 0 and not the old value; back with the next good poll."""
    assert await async_setup_entry(hass, fake_entry)
    assert hass.states.get(POWER).state == "120.0"
    fake_api.fail = ApiConnectionError("down")
    await async_move_to(hass, freezer, "2026-11-23T02:01:00+00:00")
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    fake_api.fail = None
    fake_api.devices["hub"].power = 90.0
    await async_move_to(hass, freezer, "2026-11-23T02:02:00+00:00")
    assert hass.states.get(POWER).state == "90.0"


@pytest.mark.freeze_time("2026-11-23T02:00:00+00:00")
async def test_malformed_answer_keeps_the_data_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Malformed answers keep the previous data: one warning, then one line when it is back."""
    assert await async_setup_entry(hass, fake_entry)
    fake_api.fail = ApiResponseError("cut in half")
    with caplog.at_level(logging.INFO):
        for minute in (1, 2, 3):
            await async_move_to(hass, freezer, f"2026-11-23T02:0{minute}:00+00:00")
            assert hass.states.get(POWER).state == "120.0"
        fake_api.fail = None
        await async_move_to(hass, freezer, "2026-11-23T02:04:00+00:00")
    kept = [r for r in caplog.records if "keeping the previous data" in r.message]
    back = [r for r in caplog.records if "valid data again" in r.message]
    assert len(kept) == 1
    assert kept[0].levelno == logging.WARNING
    assert len(back) == 1


@pytest.mark.freeze_time("2026-11-23T02:00:00+00:00")
async def test_rejected_credentials_start_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_entry: MockConfigEntry,
    fake_api: FakeApi,
) -> None:
    """Credentials refused on a poll: reauth, entities unavailable."""
    assert await async_setup_entry(hass, fake_entry)
    fake_api.fail = ApiAuthError("token revoked")
    await async_move_to(hass, freezer, "2026-11-23T02:01:00+00:00")
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_name_holds_no_identifier(hass: HomeAssistant) -> None:
    """A title that is an e-mail address or a meter number is masked in the name (logs)."""
    for title, name in (
        ("harness@example.com", "…@… test"),
        ("4102345678", "…678 test"),
        ("Home", "Home test"),
    ):
        entry = MockConfigEntry(domain=DOMAIN, title=title, data={"provider": "fake"})
        entry.add_to_hass(hass)
        assert _Counting(hass, entry).name == name


async def test_stalled_recorder_is_an_update_failure(hass: HomeAssistant) -> None:
    """Statistics the recorder did not write in time: a translated UpdateFailed, no traceback."""
    entry = MockConfigEntry(domain=DOMAIN, title="Test", data={"provider": "fake"})
    entry.add_to_hass(hass)
    coordinator = _Counting(hass, entry)

    async def stalled() -> int:
        raise RecorderStalledError(
            translation_domain=DOMAIN,
            translation_key="recorder_stalled",
            translation_placeholders={"statistic_id": "openpower:x", "seconds": "600"},
        )

    coordinator._async_fetch = stalled  # type: ignore[method-assign]
    await coordinator.async_refresh()
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert error.translation_key == "recorder_stalled"
    assert error.translation_placeholders == {
        "statistic_id": "openpower:x",
        "seconds": "600",
    }
