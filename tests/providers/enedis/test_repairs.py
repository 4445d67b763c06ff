"""Enedis repair issues: raised with what to do, cleared when data flows again.

Consent revoked (ADAM-DC-0008) and not the holder (ADAM-DC-0007) also start reauth; a quota
says when access comes back; hourly collection off is checked again once a day; the start of a
meter's history is no fault at all.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
import re

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components import openpower
from custom_components.openpower.api.enedis import Backend, Direction
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.history import history_store
from custom_components.openpower.providers.enedis.const import (
    ISSUE_COLLECTION_OFF,
    ISSUE_CONSENT,
    ISSUE_NOT_HOLDER,
    ISSUE_OFFPEAK_CHANGED,
    ISSUE_QUOTA,
)
from custom_components.openpower.providers.enedis.history import (
    EnedisHistoryCoordinator,
)
from custom_components.openpower.providers.enedis.runtime import (
    SETTINGS,
    EnedisSettings,
)
from custom_components.openpower.providers.enedis.state import (
    DirectionState,
    MeterState,
)
from custom_components.openpower.providers.enedis.tariff import tariff_cost
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_NOT_HOLDER_PRM,
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
    sandbox_client_id,
    sandbox_client_secret,
)
from tests.simulator.enedis_model import local_midnight

from .conftest import EntryFactory, async_setup, without_data


def replace_settings(hass: HomeAssistant, **changes: int) -> EnedisSettings:
    """The test's settings with some changed."""
    return replace(hass.data[SETTINGS], **changes)


TODAY = date(2026, 10, 27)
LONG_AGO = date(2020, 1, 1)
CURVE_OFF_PRM = "32320647321714"
"""Sandbox client 2: hourly collection off."""
MEASURES = "/enedis/dc/mesure_synchrone_auto/v2/"


def history(entry: MockConfigEntry) -> EnedisHistoryCoordinator:
    """The entry's history coordinator."""
    coordinator: EnedisHistoryCoordinator = entry.runtime_data.runtime.history
    return coordinator


def issue(
    registry: ir.IssueRegistry, entry: MockConfigEntry, key: str
) -> ir.IssueEntry | None:
    """The entry's issue `key`, if raised."""
    return registry.async_get_issue(DOMAIN, f"{entry.entry_id}_{key}")


def reauth_started(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Whether Home Assistant asked to re-authenticate the entry."""
    return any(
        flow["context"].get("source") == SOURCE_REAUTH
        and flow["context"].get("entry_id") == entry.entry_id
        for flow in hass.config_entries.flow.async_progress()
    )


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, to: str) -> None:
    """Move the clock, let the due refresh and its backfill run."""
    freezer.move_to(to)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Reload the entry as a finished reauth does, and wait for its first requests."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


def measure_requests(
    simulator: Simulator, since: int = 0
) -> list[tuple[str, str, str]]:
    """(resource, dateDebut, dateFin) of each Data Connect measure request after `since`."""
    return [
        (
            r.path.removeprefix(MEASURES),
            r.query.get("dateDebut", ""),
            r.query.get("dateFin", ""),
        )
        for r in simulator.requests[since:]
        if r.path.startswith(MEASURES)
    ]


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_consent_revoked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """ADAM-DC-0008 at the daily request: the issue, reauth; cleared by the next data."""
    without_data(simulator, ENEDIS_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    await async_setup(hass, entry)
    assert issue(issue_registry, entry, ISSUE_CONSENT) is None

    simulator.enedis.meters.prms[ENEDIS_PRM].revoked = True
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")  # 08:05 Paris
    raised = issue(issue_registry, entry, ISSUE_CONSENT)
    assert raised is not None
    assert raised.translation_key == "enedis_consent"
    assert raised.translation_placeholders == {
        "entry": f"Linky {ENEDIS_PRM}",
        "backend": "Data Connect",
    }
    assert raised.severity is ir.IssueSeverity.ERROR
    assert not raised.is_fixable
    assert reauth_started(hass, entry)
    assert simulator.count_requests("enedis", status=403) == 1

    simulator.enedis.meters.prms[ENEDIS_PRM].revoked = False
    await reload(hass, entry)
    assert issue(issue_registry, entry, ISSUE_CONSENT) is None
    assert history(entry).state.direction(Direction.CONSUMPTION).newest == date(
        2026, 10, 27
    )


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_consent_revoked_in_the_backfill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Yesterday in, the backfill meets ADAM-DC-0008: the issue at once, nothing fails.

    The next backfill that gets data clears it (the next daily request is a day away).
    """
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    reach = DirectionState(
        exists=True,
        curve=True,
        newest=date(2026, 10, 26),
        daily_oldest=date(2026, 10, 20),
        curve_oldest=date(2026, 10, 20),
    )
    stored = MeterState(
        directions={
            Direction.CONSUMPTION: reach,
            Direction.PRODUCTION: DirectionState(exists=False),
        },
        last_attempt=datetime(2026, 10, 27, 9, 0, tzinfo=UTC),
    )
    await history_store(hass, "enedis", entry.entry_id).async_save(stored.as_dict())
    simulator.enedis.meters.prms[ENEDIS_PRM].revoked = True
    await async_setup(hass, entry)
    raised = issue(issue_registry, entry, ISSUE_CONSENT)
    assert raised is not None
    assert raised.translation_placeholders == {
        "entry": f"Linky {ENEDIS_PRM}",
        "backend": "Data Connect",
    }
    assert measure_requests(simulator) == [
        ("consommation_quotidienne", "2026-07-27", "2026-10-20")
    ]
    assert history(entry).last_update_success  # nothing was due: nothing failed

    simulator.enedis.meters.prms[ENEDIS_PRM].revoked = False
    await advance(hass, freezer, "2026-10-27T10:31:00+00:00")
    assert issue(issue_registry, entry, ISSUE_CONSENT) is None
    assert history(entry).state.direction(Direction.CONSUMPTION).daily_done


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_not_holder(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """ADAM-DC-0007 (2026's new consents): the issue, reauth; cleared once Enedis serves."""
    entry = enedis_entry(
        Backend.DATA_CONNECT,
        ENEDIS_NOT_HOLDER_PRM,
        client_id=sandbox_client_id(9),
        client_secret=sandbox_client_secret(9),
    )
    await async_setup(hass, entry)
    raised = issue(issue_registry, entry, ISSUE_NOT_HOLDER)
    assert raised is not None
    assert raised.translation_key == "enedis_not_holder"
    assert raised.translation_placeholders == {
        "entry": f"Linky {ENEDIS_NOT_HOLDER_PRM}",
        "backend": "Data Connect",
    }
    assert reauth_started(hass, entry)
    assert issue(issue_registry, entry, ISSUE_CONSENT) is None

    simulator.enedis.meters.prms[ENEDIS_NOT_HOLDER_PRM].holder = True
    await reload(hass, entry)
    assert issue(issue_registry, entry, ISSUE_NOT_HOLDER) is None
    assert history(entry).state.direction(Direction.CONSUMPTION).newest == date(
        2026, 10, 26
    )


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_collection_off_asked_daily_and_cleared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A curve 404 with daily values: the issue; yesterday's curve asked once a day.

    The collection turned back on: the next morning's curve clears the issue, and that day is
    stored hour by hour again.
    """
    entry = enedis_entry(
        Backend.DATA_CONNECT,
        CURVE_OFF_PRM,
        client_id=sandbox_client_id(2),
        client_secret=sandbox_client_secret(2),
    )
    await async_setup(hass, entry)
    raised = issue(issue_registry, entry, ISSUE_COLLECTION_OFF)
    assert raised is not None
    assert raised.translation_key == "enedis_collection_off"
    assert raised.translation_placeholders == {"entry": f"Linky {CURVE_OFF_PRM}"}
    assert history(entry).state.direction(Direction.CONSUMPTION).curve is False

    # Next morning, still off: daily, yesterday's curve, max power; nothing more that day.
    before = len(simulator.requests)
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")  # 08:05 Paris
    await advance(hass, freezer, "2026-10-28T12:15:00+00:00")  # 13:15 Paris: complete
    await advance(hass, freezer, "2026-10-28T17:15:00+00:00")
    assert measure_requests(simulator, before) == [
        ("consommation_quotidienne", "2026-10-27", "2026-10-28"),
        ("courbe_de_charge_consommation", "2026-10-27", "2026-10-28"),
        ("puissance_conso_max_quotidienne", "2026-10-27", "2026-10-28"),
    ]
    assert issue(issue_registry, entry, ISSUE_COLLECTION_OFF) is not None

    # A restart keeps it (the issue is not persistent: the stored state raises it again).
    await reload(hass, entry)
    assert issue(issue_registry, entry, ISSUE_COLLECTION_OFF) is not None

    simulator.enedis.meters.prms[CURVE_OFF_PRM].curve = True
    before = len(simulator.requests)
    await advance(hass, freezer, "2026-10-29T07:05:00+00:00")
    assert measure_requests(simulator, before)[:2] == [
        ("consommation_quotidienne", "2026-10-28", "2026-10-29"),
        ("courbe_de_charge_consommation", "2026-10-28", "2026-10-29"),
    ]
    assert issue(issue_registry, entry, ISSUE_COLLECTION_OFF) is None
    assert history(entry).state.direction(Direction.CONSUMPTION).curve is True
    stored = dict(
        await async_stored_hours(
            hass, f"openpower:enedis_{CURVE_OFF_PRM}_energy_consumption"
        )
    )
    oct27, oct28 = date(2026, 10, 27), date(2026, 10, 28)
    # 27 October: its daily value at its first hour; 28 October: 24 hours of curve.
    daily = simulator.enedis.meters.daily_energy(CURVE_OFF_PRM, oct27) / 1000
    assert stored[local_midnight(oct27)] == pytest.approx(daily)
    day_28 = [
        hour
        for hour in stored
        if local_midnight(oct28) <= hour < local_midnight(date(2026, 10, 29))
    ]
    assert len(day_28) == 24
    assert sum(stored[hour] for hour in day_28) == pytest.approx(
        simulator.enedis.meters.daily_energy(CURVE_OFF_PRM, oct28) / 1000
    )


@pytest.mark.parametrize(
    ("backend", "fault", "reopens", "back"),
    [
        # WSO2 900804: nextAccessTime at the next hour (08:00 UTC = 01:00 in US/Pacific).
        (
            Backend.DATA_CONNECT,
            "quota_exceeded",
            "2026-10-28 01:00",
            "2026-10-28T08:05:00+00:00",
        ),
        # MyElectricalData's daily quota: back at Paris midnight (23:00 UTC = 16:00 PDT).
        (
            Backend.MYELECTRICALDATA,
            "daily_quota",
            "2026-10-28 16:00",
            "2026-10-28T23:05:00+00:00",
        ),
    ],
)
@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
async def test_quota(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
    backend: Backend,
    fault: str,
    reopens: str,
    back: str,
) -> None:
    """A quota used up at the daily request: the issue says when; the next answer clears it.

    The prosumer meter: through MyElectricalData, ADAM-ERR0069 (asking the production of a
    consumer) comes back without a code the client reads.
    """
    assert str(hass.config.time_zone) == "US/Pacific"
    names = {
        Backend.DATA_CONNECT: "Data Connect",
        Backend.MYELECTRICALDATA: "MyElectricalData",
    }
    without_data(simulator, ENEDIS_PROSUMER_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(backend, ENEDIS_PROSUMER_PRM)
    await async_setup(hass, entry)
    assert issue(issue_registry, entry, ISSUE_QUOTA) is None

    simulator.fault_next("enedis", fault)
    await advance(hass, freezer, "2026-10-28T07:05:00+00:00")
    raised = issue(issue_registry, entry, ISSUE_QUOTA)
    assert raised is not None
    assert raised.translation_key == "enedis_quota"
    assert raised.translation_placeholders == {
        "entry": f"Linky {ENEDIS_PROSUMER_PRM}",
        "backend": names[backend],
        "retry_after": reopens,
    }
    assert not reauth_started(hass, entry)
    # Polls meanwhile wait on the budget's pause: no request, the issue stays.
    asked = simulator.count_requests("enedis")
    await advance(hass, freezer, "2026-10-28T07:40:00+00:00")
    assert simulator.count_requests("enedis") == asked
    assert issue(issue_registry, entry, ISSUE_QUOTA) is not None

    await advance(hass, freezer, back)
    assert issue(issue_registry, entry, ISSUE_QUOTA) is None
    assert history(entry).state.direction(Direction.CONSUMPTION).newest == date(
        2026, 10, 27
    )


@pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
@pytest.mark.parametrize(
    ("backend", "hours", "raised"),
    [
        (Backend.DATA_CONNECT, "22:00-06:00", True),
        (Backend.DATA_CONNECT, "23:00-07:00", False),
        (Backend.MYELECTRICALDATA, "HC (22H00-6H00)", True),
        # No contract served: nothing to compare with.
        (Backend.CONSO_API, "22:00-06:00", False),
    ],
)
async def test_offpeak_hours_moved_by_enedis(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    issue_registry: ir.IssueRegistry,
    backend: Backend,
    hours: str,
    raised: bool,
) -> None:
    """The tariff's off-peak hours are not the contract's (23:00-07:00): the issue says both.

    Saving the contract's hours in the options (a reload) clears it.
    """
    without_data(simulator, ENEDIS_PROSUMER_PRM, LONG_AGO, TODAY - timedelta(days=14))
    entry = enedis_entry(backend, ENEDIS_PROSUMER_PRM)
    tariff = {
        "tariff": "peak_offpeak",
        "peak_price": 0.27,
        "offpeak_price": 0.2068,
        "offpeak_hours": hours,
    }
    hass.config_entries.async_update_entry(
        entry, options={**tariff, "cost": tariff_cost(tariff)}
    )
    await async_setup(hass, entry)
    found = issue(issue_registry, entry, ISSUE_OFFPEAK_CHANGED)
    if not raised:
        assert found is None
        return
    assert found is not None
    assert found.translation_placeholders == {
        "entry": f"Linky {ENEDIS_PROSUMER_PRM}",
        "contract": "23:00-07:00",
        "options": hours,
    }
    tariff["offpeak_hours"] = "23:00-07:00"
    hass.config_entries.async_update_entry(
        entry, options={**tariff, "cost": tariff_cost(tariff)}
    )
    await reload(hass, entry)
    assert issue(issue_registry, entry, ISSUE_OFFPEAK_CHANGED) is None


@pytest.mark.parametrize(
    ("key", "placeholders"),
    [
        (ISSUE_CONSENT, {"entry", "backend"}),
        (ISSUE_NOT_HOLDER, {"entry", "backend"}),
        (ISSUE_COLLECTION_OFF, {"entry"}),
        (ISSUE_QUOTA, {"entry", "backend", "retry_after"}),
        (ISSUE_OFFPEAK_CHANGED, {"entry", "contract", "options"}),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_issue_texts(key: str, placeholders: set[str], language: str) -> None:
    """Each issue has a title and steps in both languages, with the placeholders raised."""
    path = Path(openpower.__file__).parent / "translations" / f"{language}.json"
    texts = json.loads(path.read_text(encoding="utf-8"))["issues"][key]
    assert set(texts) == {"title", "description"}
    used = set(re.findall(r"{(\w+)}", texts["title"] + texts["description"]))
    assert used == placeholders
