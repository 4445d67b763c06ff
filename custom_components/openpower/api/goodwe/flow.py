"""Parse `stations/flow` (reference apis-goodwe.md §5.1; fixtures `semsplus_station_flow_*`).

SEMS+ sends kW. `flows` maps each source to its targets (`{"pGrid": ["pConsum"]}` = importing,
`{"pSystem": ["pConsum", "pBat", "pGrid"]}` = PV charging the battery and exporting). The AU
documentation says the powers are magnitudes and only `flows` gives the direction; the EU captures
are signed (`pGrid` + export / − import, `pBat` + discharge / − charge). So the direction comes from
`flows`, and the value's sign is used only when `flows` does not mention that power.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import obj
from .models import Flow
from .values import field_number, kw_to_w, negative_part, optional_text, positive_part

_WHAT: Final = "goodwe stations/flow"
_POWERS: Final = ("pSystem", "pConsum", "pGrid", "pBat", "pAc")


def _flows(data: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Return `flows` as source → targets (empty when SEMS+ sends none)."""
    raw = data.get("flows")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiResponseError(f"{_WHAT}: flows is not an object")
    flows: dict[str, frozenset[str]] = {}
    for source, targets in raw.items():
        if not isinstance(targets, list) or not all(
            isinstance(t, str) for t in targets
        ):
            raise ApiResponseError(f"{_WHAT}: flows.{source} is not a list of names")
        flows[source] = frozenset(targets)
    return flows


def _direction(flows: Mapping[str, frozenset[str]], key: str) -> int | None:
    """+1 when `key` is a source in `flows`, −1 when it is a target, None when not named."""
    if flows.get(key):
        return 1
    if any(key in targets for targets in flows.values()):
        return -1
    return None


def _signed(
    value: float | None, direction: int | None, positive_when_sent_positive: bool
) -> float | None:
    """Return the magnitude signed by `flows` (+ when a source), else by the value's own sign.

    `positive_when_sent_positive` says whether SEMS+'s own sign matches ours (battery: yes,
    + discharge; grid: no, SEMS+ sends + export and we want + import).
    """
    if value is None:
        return None
    if direction is not None:
        return abs(value) * direction if value else 0.0
    return value if positive_when_sent_positive else (-value if value else 0.0)


def _refreshed_at(data: Mapping[str, Any]) -> datetime | None:
    value = optional_text(data, "refreshTime", _WHAT)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise ApiResponseError(f"{_WHAT}: refreshTime is not a date-time") from None


def parse_flow(payload: Any) -> Flow:
    """Return the power flow in W; a flow naming none of the powers is an invalid response."""
    data = obj(payload, _WHAT)
    if not any(data.get(key) is not None for key in _POWERS):
        raise ApiResponseError(
            f"{_WHAT}: the answer holds none of {', '.join(_POWERS)}"
        )
    flows = _flows(data)
    pv = field_number(data, "pSystem", _WHAT)
    load = field_number(data, "pConsum", _WHAT)
    grid = _signed(
        kw_to_w(field_number(data, "pGrid", _WHAT)),
        _direction(flows, "pGrid"),
        positive_when_sent_positive=False,
    )
    battery = _signed(
        kw_to_w(field_number(data, "pBat", _WHAT)),
        _direction(flows, "pBat"),
        positive_when_sent_positive=True,
    )
    return Flow(
        pv_w=kw_to_w(None if pv is None else abs(pv)),
        # TS takes abs(): SEMS+ can give the load a flow-direction sign.
        load_w=kw_to_w(None if load is None else abs(load)),
        grid_w=grid,
        grid_import_w=positive_part(grid),
        grid_export_w=negative_part(grid),
        battery_w=battery,
        battery_charge_w=negative_part(battery),
        battery_discharge_w=positive_part(battery),
        soc=field_number(data, "soc", _WHAT),
        status=optional_text(data, "status", _WHAT),
        refreshed_at=_refreshed_at(data),
    )
