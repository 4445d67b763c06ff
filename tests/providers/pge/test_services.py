"""The PG&E actions: asking for a range of days, the registration tests."""

from datetime import date, datetime, time

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.const import PACIFIC
from tests.simulator import Simulator

from .common import NOW, bulk_requests, call, set_up

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


@pytest.mark.parametrize(
    ("fields", "requested"),
    [
        # A whole year, a leap one included, from any day PG&E still keeps.
        ({"start": "2024-01-01", "end": "2024-12-31"}, ("2024-01-01", "2024-12-31")),
        ({"start": "2022-01-01", "end": "2022-12-31"}, ("2022-01-01", "2022-12-31")),
        # Without a start: the year before the end.
        ({"end": "2025-11-19"}, ("2024-11-19", "2025-11-19")),
        ({"start": "2024-11-21"}, ("2024-11-21", None)),
    ],
)
async def test_request_data_asks_for_a_year_at_most(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    fields: dict[str, str],
    requested: tuple[str, str | None],
) -> None:
    """One call asks for one year at most; the range sent is the days asked."""
    await set_up(hass, pge_entry, pushed)
    before = len(bulk_requests(pushed))
    await call(hass, pge_entry, "pge_request_data", **fields)
    (sent,) = bulk_requests(pushed)[before:]
    start, end = requested
    assert int(sent.query["published-min"]) == midnight(start)
    assert (
        int(sent.query["published-max"]) == midnight(end)
        if end
        else "published-max" not in sent.query
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"start": "2021-11-19", "end": "2025-11-19"},
        {"start": "2024-01-01", "end": "2025-01-01"},
        {"start": "2024-11-19"},
    ],
)
async def test_request_data_refuses_more_than_a_year(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    fields: dict[str, str],
) -> None:
    """Longer ranges are the user's mistake (translated), and nothing is asked."""
    await set_up(hass, pge_entry, pushed)
    before = len(bulk_requests(pushed))
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, pge_entry, "pge_request_data", **fields)
    assert raised.value.translation_key == "pge_range_too_long"
    assert raised.value.translation_placeholders == {"days": "366"}
    assert len(bulk_requests(pushed)) == before


def midnight(day: str) -> int:
    """Epoch seconds of a Pacific day's midnight."""
    return int(datetime.combine(date.fromisoformat(day), time(), PACIFIC).timestamp())


async def test_request_data_is_for_administrators(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    hass_read_only_user: User,
) -> None:
    """Asking PG&E spends the registration's quota: a non-administrator may not."""
    await set_up(hass, pge_entry, pushed)
    before = len(bulk_requests(pushed))
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "pge_request_data",
            {"config_entry_id": pge_entry.entry_id},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert len(bulk_requests(pushed)) == before
