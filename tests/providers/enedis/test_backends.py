"""Each backend end to end against the simulator: setup, statistics, sensors, diagnostics."""

import json

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.openpower.api.enedis import Backend
from custom_components.openpower.providers.enedis.tariff import tariff_cost
from custom_components.openpower.statistics import async_stored_hours
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_PROSUMER_PRM,
)

from .conftest import EntryFactory, async_setup

pytestmark = pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")


@pytest.mark.parametrize("backend", list(Backend))
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_backend_end_to_end(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    backend: Backend,
) -> None:
    """A prosumer meter: both statistics, yesterday's sensors, the contract where served."""
    entry = enedis_entry(backend, ENEDIS_PROSUMER_PRM)
    await async_setup(hass, entry)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    consumption = await async_stored_hours(
        hass, f"openpower:enedis_{ENEDIS_PROSUMER_PRM}_energy_consumption"
    )
    production = await async_stored_hours(
        hass, f"openpower:enedis_{ENEDIS_PROSUMER_PRM}_energy_production"
    )
    assert consumption
    assert production


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """No PRM, credential, name, address or e-mail of the holder in diagnostics; stable."""
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PROSUMER_PRM)
    options = {"tariff": "base", "base_price": 0.2516, "production_price": 0.1276}
    hass.config_entries.async_update_entry(
        entry, options={**options, "cost": tariff_cost(options)}
    )
    await async_setup(hass, entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(
        exclude=props("entry_id", "created_at", "modified_at", "api_url")
    )
    dump = json.dumps(diagnostics)
    assert "backend" in dump
    for secret in (
        ENEDIS_PROSUMER_PRM,
        ENEDIS_DC_CLIENT_ID,
        ENEDIS_DC_CLIENT_SECRET,
        "Marie",
        "Martin",
        "MOULIN",
        "AVIGNON",
        "example.invalid",
        "0611223344",
    ):
        assert secret.casefold() not in dump.casefold()
