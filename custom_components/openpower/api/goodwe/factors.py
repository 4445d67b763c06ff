"""Parse `equipments/{sn}/telemetry` and `telecounting` (reference apis-goodwe.md §5.2, §5.3).

Both answer a list of groups `{code, alias, factors[{code, data, dataType, unit, alias}]}`. A
factor's `data` is a string, and is missing or `null` when the device does not report it (at
night, or `ISOLimit`): that is None, never 0. Factors are read by `code`, whatever their group.
Powers are kW (W accepted if SEMS+ ever says so), energy kWh; another unit is an invalid response
naming it, rather than a value off by a factor of 1000.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import objects
from .models import Counters, PvString, Telemetry
from .values import to_number

_MPPT: Final = re.compile(r"^MPPT-(\d+):(Vpv|Ipv|Ppv)$")
_POWER_SCALE: Final[Mapping[str | None, float]] = {None: 1000.0, "kW": 1000.0, "W": 1.0}
_ENERGY_SCALE: Final[Mapping[str | None, float]] = {None: 1.0, "kWh": 1.0}


@dataclass(frozen=True, slots=True)
class _Factor:
    data: Any
    unit: str | None


class Factors:
    """A device's factors by code, read as numbers on demand."""

    def __init__(self, payload: Any, what: str) -> None:
        """Index every group's factors; an empty list is an invalid response."""
        self._what = what
        groups = objects(payload, what)
        if not groups:
            raise ApiResponseError(f"{what}: the answer holds no factor group")
        self._factors: dict[str, _Factor] = {}
        for group in groups:
            for factor in objects(group.get("factors", []), f"{what} factors"):
                code = factor.get("code")
                unit = factor.get("unit")
                if not isinstance(code, str) or not (
                    unit is None or isinstance(unit, str)
                ):
                    raise ApiResponseError(f"{what}: a factor has no code")
                self._factors.setdefault(code, _Factor(factor.get("data"), unit))

    def codes(self) -> frozenset[str]:
        """Every factor code present."""
        return frozenset(self._factors)

    def number(self, *codes: str) -> float | None:
        """Return the first of `codes` present as a number (unit as sent); None if none is."""
        for code in codes:
            if (factor := self._factors.get(code)) is not None:
                value = to_number(factor.data, f"{self._what} {code}")
                if value is not None:
                    return value
        return None

    def scaled(
        self, code: str, scales: Mapping[str | None, float], *, digits: int = 3
    ) -> float | None:
        """Return a factor converted by its unit (`scales`); an unknown unit is invalid."""
        factor = self._factors.get(code)
        if factor is None:
            return None
        if factor.unit not in scales:
            raise ApiResponseError(
                f"{self._what}: {code} is in {factor.unit!r}, not {'/'.join(u for u in scales if u)}"
            )
        value = to_number(factor.data, f"{self._what} {code}")
        return None if value is None else round(value * scales[factor.unit], digits)

    def watts(self, *codes: str) -> float | None:
        """Return the first of `codes` present, in W."""
        for code in codes:
            if (value := self.scaled(code, _POWER_SCALE)) is not None:
                return value
        return None

    def kwh(self, code: str) -> float | None:
        """Return an energy factor in kWh."""
        return self.scaled(code, _ENERGY_SCALE, digits=6)

    def pv_strings(self) -> tuple[PvString, ...]:
        """Return the `MPPT-n:Vpv/Ipv/Ppv` inputs, by n."""
        indexes = sorted(
            {int(m.group(1)) for code in self._factors if (m := _MPPT.match(code))}
        )
        return tuple(
            PvString(
                index=n,
                voltage_v=self.number(f"MPPT-{n}:Vpv"),
                current_a=self.number(f"MPPT-{n}:Ipv"),
                power_w=self.watts(f"MPPT-{n}:Ppv"),
            )
            for n in indexes
        )


def parse_telemetry(payload: Any) -> Telemetry:
    """Return a device's live values (inverter, smart meter, battery rack or system)."""
    factors = Factors(payload, "goodwe telemetry")
    return Telemetry(
        ac_power_w=factors.watts("pAc", "totalPac"),
        ac_voltage_v=factors.number("Vac"),
        ac_current_a=factors.number("Iac"),
        ac_frequency_hz=factors.number("Fac"),
        pv_power_w=factors.watts("pDc"),
        pv_strings=factors.pv_strings(),
        temperature_c=factors.number("Temperature", "batSysTemp"),
        battery_power_w=factors.watts("pBat"),
        # TS also maps VBat, IBat and SOC as aliases of the battery system's factors.
        battery_voltage_v=factors.number("voltage", "VBat"),
        battery_current_a=factors.number("a", "IBat"),
        battery_soc=factors.number("soc", "SOC"),
        battery_soh=factors.number("soh"),
    )


_LIFETIME: Final = (
    "proPvStatsTotal",
    "proCharStatsTotal",
    "proDischarStatsTotal",
    "proPurchaseStatsTotal",
    "proGridStatsTotal",
)


def parse_counters(payload: Any) -> Counters:
    """Return a device's lifetime counters; an answer with none of them is invalid."""
    factors = Factors(payload, "goodwe telecounting")
    if not factors.codes() & set(_LIFETIME):
        raise ApiResponseError(
            f"goodwe telecounting: the answer holds none of {', '.join(_LIFETIME)}"
        )
    return Counters(
        pv_kwh=factors.kwh("proPvStatsTotal"),
        battery_charge_kwh=factors.kwh("proCharStatsTotal"),
        battery_discharge_kwh=factors.kwh("proDischarStatsTotal"),
        grid_import_kwh=factors.kwh("proPurchaseStatsTotal"),
        grid_export_kwh=factors.kwh("proGridStatsTotal"),
    )
