"""What the AlphaESS control tests share: the Sydney set-up, entity ids, the writes AlphaESS got.

The simulator's systems are in Sydney: Home Assistant runs there too, and the clock is frozen at
20:09 local. The writes a test expects are built from what the simulator served just before
(`served_schedule`) with only the changed field different, so a test states the change it
expects and nothing else.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, cast
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssRuntime,
    settings,
)
from tests.common import async_setup_entry
from tests.simulator import ALPHAESS_CHARGER, AlphaEssSimulator, Simulator

NOW = "2026-08-04T10:09:30+00:00"
"""20:09:30 in Sydney, where the simulator's systems are."""
SYDNEY = "Australia/Sydney"
READ_ONLY_PERIOD_KEYS = frozenset({"executeCycleType", "strategyType", "sort"})
"""Keys `getTimeChargeBySn` adds to each period and `setTimeChargeBySn` refuses (§2.5)."""
SCHEDULE_WRITES = frozenset(
    {"setTimeChargeBySn", "updateChargeConfigInfo", "updateDisChargeConfigInfo"}
)


def system_entity(platform: str, serial: str, key: str) -> str:
    """Return the entity id of a system's control (`number`, `discharge_stop_level` …)."""
    return f"{platform}.alphaess_{serial.lower()}_{key}"


def charger_entity(platform: str, key: str) -> str:
    """Return the entity id of the demo EV charger's control."""
    return f"{platform}.alphaess_ev_charger_{ALPHAESS_CHARGER.lower()}_{key}"


async def async_set_up_in_sydney(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Move Home Assistant to Sydney (before setup: dates are local), set the entry up.

    Controls need no history: one day of backfill instead of the fixture's three keeps the
    set-up short.
    """
    hass.data[SETTINGS] = replace(settings(hass), history_days=1)
    await hass.config.async_set_time_zone(SYDNEY)
    assert await async_setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED


def runtime_of(entry: MockConfigEntry) -> AlphaEssRuntime:
    """Return the runtime of a loaded AlphaESS entry."""
    runtime: AlphaEssRuntime = entry.runtime_data.runtime
    return runtime


def alphaess(simulator: Simulator) -> AlphaEssSimulator:
    """Return the simulator's AlphaESS part, typed."""
    return cast("AlphaEssSimulator", simulator.alphaess)


def writes(simulator: Simulator) -> list[tuple[str, dict[str, Any]]]:
    """Return every write AlphaESS accepted, as (endpoint, body)."""
    return [(write.endpoint, write.body) for write in alphaess(simulator).writes]


def served_schedule(simulator: Simulator, serial: str) -> dict[str, Any]:
    """Return what `getTimeChargeBySn` serves now, without the keys a write may not carry."""
    served: dict[str, Any] = (
        alphaess(simulator).systems[serial].time_charge.to_json(serial)
    )
    for key in ("chargeTimeList", "dischargeTimeList"):
        served[key] = [
            {
                name: value
                for name, value in period.items()
                if name not in READ_ONLY_PERIOD_KEYS
            }
            for period in served[key]
        ]
    return served


def request_before_last_write(simulator: Simulator) -> tuple[str, dict[str, str]]:
    """Return the endpoint and query of the request AlphaESS got just before the last write."""
    paths = [record.path for record in simulator.requests]
    last_write = max(
        index
        for index, path in enumerate(paths)
        if path.rsplit("/", 1)[-1] in SCHEDULE_WRITES
    )
    before = simulator.requests[last_write - 1]
    return before.path.rsplit("/", 1)[-1], before.query


@contextmanager
def refused_by_alphaess(
    simulator: Simulator, entry: MockConfigEntry, write: str, fault: str
) -> Iterator[None]:
    """Have AlphaESS answer `fault` to the next `write` of the client (its reads go through).

    A queued fault goes to the next request, which is the read before the write: the fault is
    queued when the write starts.
    """
    client = runtime_of(entry).client
    send = getattr(client, write)

    async def faulted(*args: Any) -> None:
        simulator.fault_next("alphaess", fault)
        await send(*args)

    with patch.object(client, write, faulted):
        yield
