"""Diagnostics: the entry, each coordinator's state and data, the provider's own summary; redacted."""

from dataclasses import asdict, is_dataclass
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_TOKEN, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .data import OpenPowerConfigEntry

TO_REDACT = {
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_USERNAME,
    "title",
    "unique_id",
    "name",
}


def _key(key: Any) -> str:
    """Return a JSON object key: a (device, channel) key becomes "device,channel"."""
    if isinstance(key, tuple):
        return ",".join(map(str, key))
    return str(key)


def _plain(data: Any) -> Any:
    """Return dataclasses as dicts and tuples as lists, which redaction walks into.

    Data keyed by something redaction cannot reach (a serial number as a key) says itself
    what may be shown, through a `diagnostics()` method.
    """
    if callable(shown := getattr(data, "diagnostics", None)):
        data = shown()
    if is_dataclass(data) and not isinstance(data, type):
        data = asdict(data)
    if isinstance(data, dict):
        return {_key(key): _plain(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(value) for value in data]
    if isinstance(data, frozenset | set):
        return sorted(_plain(value) for value in data)
    return data


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OpenPowerConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for an entry."""
    data = entry.runtime_data
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "coordinators": {
                key: {
                    "last_update_success": coordinator.last_update_success,
                    "update_interval": str(coordinator.update_interval),
                    "data": _plain(coordinator.data),
                }
                for key, coordinator in data.provider.coordinators(data.runtime).items()
            },
            "provider": _plain(dict(data.provider.diagnostics(data.runtime))),
        },
        TO_REDACT | data.provider.redact,
    )
