"""The PG&E actions: asking for a range of days, the registration tests."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulator import Simulator

from .common import NOW, call, set_up

# Time runs (from NOW): the simulator's notifications come after a real (short) delay.
pytestmark = pytest.mark.freeze_time(NOW, tick=True)


async def test_request_data_validates_its_range(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """An end before the start is the user's mistake; a range without data says so."""
    await set_up(hass, pge_entry, pushed)
    with pytest.raises(ServiceValidationError):
        await call(
            hass, pge_entry, "pge_request_data", start="2025-11-19", end="2025-11-14"
        )
    response = await call(
        hass, pge_entry, "pge_request_data", start="2015-01-01", end="2015-01-02"
    )
    assert response == {"requested": False}


async def test_registration_tests_action(
    hass: HomeAssistant, pushed: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The connectivity tests run PG&E's public sequence and report each step."""
    await set_up(hass, pge_entry, pushed)
    response = await call(hass, pge_entry, "pge_run_registration_tests")
    assert response["passed"] is True
    assert [step["name"] for step in response["steps"]] == [
        "token",
        "service_status",
        "sample_data",
        "authorization",
    ]
    pushed.pge.service_status = 0
    response = await call(hass, pge_entry, "pge_run_registration_tests")
    assert response["passed"] is False
    assert [step["ok"] for step in response["steps"]] == [True, False, True, True]
