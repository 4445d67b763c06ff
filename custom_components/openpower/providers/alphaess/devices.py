"""AlphaESS devices: one per system bound to the AppID, one per EV charger under its system.

Device uids are `alphaess_<serial>`: a system's and a charger's serials are both unique at
AlphaESS. Data of every per-system coordinator is an `AlphaEssView`: the account as the system
list last showed it, and the values fetched for each system.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...api.alphaess import Charger, System
from ...entity import DeviceRef
from .const import APP_URL, PROVIDER


def uid_of(serial: str) -> str:
    """Return the device uid of a system or charger serial."""
    return f"{PROVIDER}_{serial}"


def serial_of(uid: str) -> str:
    """Return the serial of a device uid."""
    return uid.removeprefix(f"{PROVIDER}_")


def system_device(system: System) -> DeviceRef:
    """Describe a system: inverter, battery and PV behind one serial."""
    return DeviceRef(
        uid=uid_of(system.serial),
        name=f"AlphaESS {system.serial}",
        manufacturer="AlphaESS",
        model=system.inverter_model,
        serial_number=system.serial,
        configuration_url=APP_URL,
    )


def charger_device(system: System, charger: Charger) -> DeviceRef:
    """Describe an EV charger, under the system it is attached to."""
    return DeviceRef(
        uid=uid_of(charger.serial),
        name=f"AlphaESS EV charger {charger.serial}",
        manufacturer="AlphaESS",
        model=charger.model,
        serial_number=charger.serial,
        configuration_url=APP_URL,
        parent=uid_of(system.serial),
    )


@dataclass(frozen=True, slots=True)
class AlphaEssAccount:
    """The systems bound to the AppID and the chargers of each (by system serial)."""

    systems: Mapping[str, System]
    chargers: Mapping[str, tuple[Charger, ...]] = field(default_factory=dict)

    def refs(self) -> dict[str, DeviceRef]:
        """Return every device of the account, systems before their chargers."""
        refs = {
            uid_of(serial): system_device(system)
            for serial, system in self.systems.items()
        }
        for serial, chargers in self.chargers.items():
            if (system := self.systems.get(serial)) is not None:
                for charger in chargers:
                    refs[uid_of(charger.serial)] = charger_device(system, charger)
        return refs

    def position(self, serial: str) -> str:
        """Name a system in diagnostics by its place in the list, never by its serial."""
        return (
            f"system_{list(self.systems).index(serial)}"
            if serial in self.systems
            else "system_?"
        )

    def diagnostics(self) -> dict[str, Any]:
        """Return the systems and their chargers keyed by position (serials are redacted)."""
        return {
            self.position(serial): {
                "system": system,
                "chargers": list(self.chargers.get(serial, ())),
            }
            for serial, system in self.systems.items()
        }

    def charger_system(self, charger_serial: str) -> str | None:
        """Return the serial of the system a charger is attached to."""
        for serial, chargers in self.chargers.items():
            if any(charger.serial == charger_serial for charger in chargers):
                return serial
        return None


@dataclass(frozen=True, slots=True)
class AlphaEssView[T]:
    """One data kind for every system: `values` holds the systems whose fetch succeeded."""

    account: AlphaEssAccount
    values: Mapping[str, T]

    def diagnostics(self) -> dict[str, Any]:
        """Return the values keyed by the system's position (serials are redacted)."""
        return {
            self.account.position(serial): value
            for serial, value in self.values.items()
        }

    def systems(self) -> list[DeviceRef]:
        """Return the system devices (entities exist for those with a value)."""
        return [system_device(system) for system in self.account.systems.values()]

    def chargers(self) -> list[DeviceRef]:
        """Return the EV charger devices."""
        return [
            charger_device(self.account.systems[serial], charger)
            for serial, chargers in self.account.chargers.items()
            if serial in self.account.systems
            for charger in chargers
        ]

    def has(self, uid: str) -> bool:
        """Whether the system of `uid` (or the charger's system) has a value."""
        serial = serial_of(uid)
        return (self.account.charger_system(serial) or serial) in self.values

    def of(self, uid: str) -> T:
        """Return the value of the system of `uid` (or of the charger's system)."""
        serial = serial_of(uid)
        return self.values[self.account.charger_system(serial) or serial]
