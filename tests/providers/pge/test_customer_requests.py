"""Customer information and DR enrollment through the push path, against the simulator.

Asked after the first backfill, answered 202, notified to the webhook, fetched and kept: the
service address names the usage-point devices, the meter gives their serial and model id. A
refusal (403), an empty answer (204) or a scope without customer information is remembered and
not asked again until the authorization's scope changes.
"""

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.errors import ApiAuthError
from custom_components.openpower.api.pge import BulkResource
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.pge.customer import CUSTOMER_REFRESH, Refusal
from tests.simulator import PGE_ELECTRIC_USAGE_POINT, PGE_GAS_USAGE_POINT, Simulator

from .common import NOW, authorization_reads, info_requests, set_up, settle

CUSTOMER = "BulkRetailCustomerInfo"
PROGRAMS = "BulkRetailDRPrgInfo"

pytestmark = pytest.mark.freeze_time(NOW)


def _asks(simulator: Simulator, resource: str) -> list[Any]:
    return [
        r for r in info_requests(simulator, resource) if "correlationID" not in r.query
    ]


def _fetches(simulator: Simulator, resource: str) -> list[Any]:
    return [r for r in info_requests(simulator, resource) if "correlationID" in r.query]


def _point(simulator: Simulator, point_id: str) -> Any:
    return next(
        p for p in simulator.pge.account().usage_points if p.usage_point_id == point_id
    )


async def _next_day(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    days: float = 1,
) -> None:
    """Move to the next daily request time `days` later and let it run."""
    freezer.tick(timedelta(days=days))
    async_fire_time_changed(hass)
    await settle(hass, entry, simulator)


async def test_customer_information_names_the_devices(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """One request and one fetch; address as name suffix, meter serial and type as info."""
    await set_up(hass, pge_entry, pushed)
    assert len(_asks(pushed, CUSTOMER)) == 1
    assert len(_fetches(pushed, CUSTOMER)) == 1
    for point_id, kind in (
        (PGE_ELECTRIC_USAGE_POINT, "electricity"),
        (PGE_GAS_USAGE_POINT, "gas"),
    ):
        point = _point(pushed, point_id)
        device = device_registry.async_get_device_by_identifier(
            (DOMAIN, f"pge_{point_id}"), pge_entry.entry_id
        )
        assert device is not None
        assert device.name == f"PG&E {kind} · {point.street}"
        assert device.serial_number == point.serial
        assert device.model_id == point.meter_description
    # Entity ids were made before the address came: they stay as they were.
    assert hass.states.get("sensor.pg_e_electricity_latest_day_consumption") is not None
    data = pge_entry.runtime_data.runtime.usage.data
    record = data.info_request(BulkResource.CUSTOMER)
    assert record.answered is not None
    assert record.refused is None
    assert data.customer is not None
    assert data.customer.personal == ("customer_name", "account_number")


async def test_a_name_the_user_gave_is_kept(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The monthly refresh updates PG&E's name, never the user's."""
    await set_up(hass, pge_entry, pushed)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"pge_{PGE_ELECTRIC_USAGE_POINT}"), pge_entry.entry_id
    )
    assert device is not None
    device_registry.async_update_device(device.id, name_by_user="Home meter")
    point = _point(pushed, PGE_ELECTRIC_USAGE_POINT)
    account = pushed.pge.account()
    account.usage_points[account.usage_points.index(point)] = type(point)(
        **{
            **{f: getattr(point, f) for f in point.__dataclass_fields__},
            "street": "1 Main St",
        }
    )
    await _next_day(hass, pge_entry, pushed, freezer, CUSTOMER_REFRESH.days)
    assert len(_asks(pushed, CUSTOMER)) == 2
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"pge_{PGE_ELECTRIC_USAGE_POINT}"), pge_entry.entry_id
    )
    assert device is not None
    assert device.name == "PG&E electricity · 1 Main St"
    assert device.name_by_user == "Home meter"


async def test_customer_information_is_asked_monthly(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not on the next daily runs; again once a month has passed since the answer."""
    await set_up(hass, pge_entry, pushed)
    await _next_day(hass, pge_entry, pushed, freezer)
    await _next_day(hass, pge_entry, pushed, freezer)
    assert len(_asks(pushed, CUSTOMER)) == 1
    await _next_day(hass, pge_entry, pushed, freezer, CUSTOMER_REFRESH.days - 2)
    assert len(_asks(pushed, CUSTOMER)) == 2


@pytest.mark.parametrize(
    ("status", "refusal"), [(403, Refusal.FORBIDDEN), (204, Refusal.NO_DATA)]
)
async def test_a_refused_resource_is_not_asked_again(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    status: int,
    refusal: Refusal,
) -> None:
    """403 or 204: said once in the log, recorded, never asked again (same scope)."""
    pushed.pge.account().customer_info_status = status
    caplog.set_level(logging.INFO)
    await set_up(hass, pge_entry, pushed)
    record = pge_entry.runtime_data.runtime.usage.data.info_request(
        BulkResource.CUSTOMER
    )
    assert record.refused is refusal
    assert _fetches(pushed, CUSTOMER) == []
    for _ in range(2):
        await _next_day(hass, pge_entry, pushed, freezer, CUSTOMER_REFRESH.days)
    # A 403 is believed only after the token was renewed: two requests, one ask.
    assert len(_asks(pushed, CUSTOMER)) == (2 if status == 403 else 1)
    said = [r for r in caplog.records if "customer information" in r.getMessage()]
    assert len(said) == 1
    assert pge_entry.runtime_data.runtime.usage.data.customer is None


async def test_programs_are_asked_once(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """DR enrollment: the simulator's 403 (PG&E's likely answer to Self Access), then never."""
    await set_up(hass, pge_entry, pushed)
    await _next_day(hass, pge_entry, pushed, freezer, 40)
    assert len(_asks(pushed, PROGRAMS)) == 2  # the 403, and again with a renewed token
    record = pge_entry.runtime_data.runtime.usage.data.info_request(
        BulkResource.PROGRAMS
    )
    assert record.refused is Refusal.FORBIDDEN
    assert pge_entry.runtime_data.runtime.usage.data.programs == ()


async def test_restart_keeps_the_information_and_the_refusals(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What was answered and refused is stored: a reload asks neither again."""
    await set_up(hass, pge_entry, pushed)
    before = pge_entry.runtime_data.runtime.usage.data
    assert await hass.config_entries.async_reload(pge_entry.entry_id)
    await _next_day(hass, pge_entry, pushed, freezer)
    after = pge_entry.runtime_data.runtime.usage.data
    assert after.customer == before.customer
    assert after.info_request(BulkResource.CUSTOMER) == before.info_request(
        BulkResource.CUSTOMER
    )
    assert after.info_request(BulkResource.PROGRAMS).refused is Refusal.FORBIDDEN
    assert len(_asks(pushed, CUSTOMER)) == 1
    assert len(_asks(pushed, PROGRAMS)) == 2


async def test_programs_answered_become_devices_and_sensors(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """A DR answer (built to PG&E's schema): a device per program, its enrollment and date."""
    pushed.pge.account().dr_info_status = 202
    await set_up(hass, pge_entry, pushed)
    assert len(_fetches(pushed, PROGRAMS)) == 1
    point = f"pge_{PGE_ELECTRIC_USAGE_POINT}"
    smart_rate = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{point}_program_smartrate"), pge_entry.entry_id
    )
    assert smart_rate is not None
    assert smart_rate.name == "PG&E SmartRate"
    parent = device_registry.async_get_device_by_identifier(
        (DOMAIN, point), pge_entry.entry_id
    )
    assert parent is not None
    assert smart_rate.via_device_id == parent.id
    enrolled = hass.states.get("sensor.pg_e_smartrate_enrollment")
    assert enrolled is not None
    assert enrolled.state == "enrolled"
    assert enrolled.attributes["program"] == "SmartRate"
    since = hass.states.get("sensor.pg_e_smartrate_enrolled_on")
    assert since is not None
    # 1 June 2025 at Pacific midnight (PDT).
    assert since.state == "2025-06-01T07:00:00+00:00"
    pending = hass.states.get("sensor.pg_e_smart_ac_enrollment")
    assert pending is not None
    assert pending.state == "pending"
    assert hass.states.get("sensor.pg_e_smart_ac_enrolled_on") is None
    assert hass.states.get("sensor.pg_e_smart_ac_enrollment_ends") is None
    programs = sorted(
        (
            entity
            for entity in er.async_entries_for_config_entry(
                entity_registry, pge_entry.entry_id
            )
            if "_program_" in entity.unique_id
        ),
        key=lambda entity: entity.entity_id,
    )
    assert [(e.entity_id, hass.states.get(e.entity_id)) for e in programs] == snapshot


SCOPE_WITHOUT_CUSTOMER = (
    "FB=1_3_4_5_13_14_15_16_18_19_31_32_35_37_38_39_40;IntervalDuration=900_3600;"
    "BlockDuration=Daily;HistoryLength=126144000"
)


async def test_scope_without_customer_information_is_not_asked(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not in the scope: no request; the scope gains FB 46/47: asked at the next daily run."""
    account = pushed.pge.account()
    account.authorization_scope = SCOPE_WITHOUT_CUSTOMER
    await set_up(hass, pge_entry, pushed)
    assert _asks(pushed, CUSTOMER) == []
    record = pge_entry.runtime_data.runtime.usage.data.info_request(
        BulkResource.CUSTOMER
    )
    assert record.refused is Refusal.NOT_IN_SCOPE
    await _next_day(hass, pge_entry, pushed, freezer)
    assert _asks(pushed, CUSTOMER) == []
    account.authorization_scope = None  # the user widened the authorization at PG&E
    # The daily request (18:17 UTC) comes before the daily Authorization read (19:30 UTC).
    await _next_day(hass, pge_entry, pushed, freezer)
    await _next_day(hass, pge_entry, pushed, freezer)
    assert len(_asks(pushed, CUSTOMER)) == 1
    assert pge_entry.runtime_data.runtime.usage.data.customer is not None


async def test_a_refused_fetch_reads_the_authorization_again(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 403 on a notified fetch: one Authorization read, which finds it revoked (repair)."""
    await set_up(hass, pge_entry, pushed)
    runtime = pge_entry.runtime_data.runtime
    reads = authorization_reads(pushed)

    async def refused(*_args: Any) -> None:
        raise ApiAuthError("pge GET …: access token refused (403)")

    monkeypatch.setattr(runtime.requests, "async_process_feed", refused)
    pushed.pge.account().authorization_status = 0
    await runtime.requests.async_request(None, None)
    await settle(hass, pge_entry, pushed)
    freezer.tick(timedelta(seconds=11))  # the recheck's cooldown
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert authorization_reads(pushed) == reads + 1
    assert runtime.authorization.data.status == "revoked"
    assert (
        not hass.config_entries.flow.async_progress()
    )  # no reauth: credentials are fine


async def test_unanswered_requests_stop_after_three(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """PG&E accepts but never notifies: asked three days running, then no more."""
    await set_up(hass, pge_entry, pushed)

    async def lost(_body: bytes, _headers: Any) -> None:
        """PG&E's notification never reaches us."""

    pushed.pge.notification_target = lost
    await _next_day(hass, pge_entry, pushed, freezer, CUSTOMER_REFRESH.days)
    for _ in range(4):
        await _next_day(hass, pge_entry, pushed, freezer)
    assert len(_asks(pushed, CUSTOMER)) == 1 + 3
    record = pge_entry.runtime_data.runtime.usage.data.info_request(
        BulkResource.CUSTOMER
    )
    assert record.refused is Refusal.NO_ANSWER
    assert record.misses == 3
    # What was known stays.
    assert pge_entry.runtime_data.runtime.usage.data.customer is not None


async def test_a_malformed_answer_keeps_what_was_known(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken customer feed: logged once, the previous information and devices stay."""
    await set_up(hass, pge_entry, pushed)
    usage = pge_entry.runtime_data.runtime.usage
    before = usage.data.customer
    answered = usage.data.info_request(BulkResource.CUSTOMER).answered
    monkeypatch.setattr(
        "tests.simulator.pge.customer_feed", lambda *_args, **_kwargs: b"<feed><"
    )
    await _next_day(hass, pge_entry, pushed, freezer, CUSTOMER_REFRESH.days)
    await _next_day(hass, pge_entry, pushed, freezer)
    assert len(_fetches(pushed, CUSTOMER)) == 3
    assert usage.data.customer == before
    assert usage.data.info_request(BulkResource.CUSTOMER).answered == answered
    warned = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "Could not fetch" in r.getMessage()
    ]
    assert len(warned) == 1
