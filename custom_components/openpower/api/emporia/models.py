"""Typed Emporia data, parsed from the legacy API's JSON (`https://api.emporiaenergy.com`).

Shapes follow the captured payloads in shared/fixtures/emporia: `customers/devices` (2026 capture,
location properties inline), `customers/devices/status`, `AppAPI?apiMethod=getDeviceListUsages`
and `getChartUsage`, and the outlet and charger PUT answers. Device ids ("gids") are JSON numbers,
but a scrubbed capture has them as strings, so both parse.

Usage values are energy in kWh over the requested window, signed as Emporia sends them; `None`
means Emporia had no value, which is never the same as 0. What a signed reading means, and how
it becomes power and positive energy quantities, is `Channel`'s sign convention, applied here
and nowhere else.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
import math
from typing import Any, Final

from ..errors import ApiResponseError
from ..parse import aware_datetime, number, obj, objects, optional_number, require

MAINS: Final = "1,2,3"
BALANCE: Final = "Balance"
SOLAR_CHANNEL_TYPE: Final = 13
# kWh in one minute → mean W over it.
_KWH_PER_MINUTE_TO_W: Final = 60_000


def _gid(item: Mapping[str, Any], key: str) -> int:
    value = require(item, key)
    if isinstance(value, bool):
        raise ApiResponseError(f"{key} is not an id")
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise ApiResponseError(f"{key} is not an id") from err


def _optional_gid(item: Mapping[str, Any], key: str) -> int | None:
    return None if item.get(key) is None else _gid(item, key)


def _optional_text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ApiResponseError(f"{key} is not a string")
    return str(value)


def _flag(item: Mapping[str, Any], key: str) -> bool:
    value = require(item, key)
    if not isinstance(value, bool):
        raise ApiResponseError(f"{key} is not a boolean")
    return value


@dataclass(frozen=True, slots=True)
class Channel:
    """One measured channel of a device: the mains (`1,2,3`) or a circuit (`1`…`16`).

    Sign convention (documented in docs/providers/emporia.md): Emporia reports energy per
    channel over a window. The mains channel is positive when importing from the grid and
    negative when exporting; a bidirectional channel (solar, battery) is negative while it
    produces. Power keeps those signs. An ordinary circuit is a load: a negative reading there
    is a clamp fitted backwards, so its magnitude is used. Energy splits into positive
    quantities only: what was consumed, and what flowed the other way (returned to the grid on
    the mains, produced on a bidirectional channel).
    """

    device_gid: int
    number: str
    name: str | None
    multiplier: float
    type_gid: int | None
    kind: str | None
    """Emporia's `type`: "Main", "FiftyAmp", "FiftyAmpBidirectional"…"""

    @property
    def is_mains(self) -> bool:
        """Whether this is the device's mains (grid) channel."""
        return self.number == MAINS

    @property
    def bidirectional(self) -> bool:
        """Whether power flows both ways here (solar, battery): negative means produced."""
        return (
            self.kind is not None and self.kind.endswith("Bidirectional")
        ) or self.type_gid == SOLAR_CHANNEL_TYPE

    @property
    def signed(self) -> bool:
        """Whether a reading's sign is a direction here (mains, bidirectional), not an error."""
        return self.is_mains or self.bidirectional

    def minute_watts(self, kwh: float) -> float:
        """Return the mean power in W of a minute in which `kwh` was measured, signed."""
        watts = kwh * _KWH_PER_MINUTE_TO_W
        return watts if self.signed else abs(watts)

    def consumed_kwh(self, kwh: float) -> float:
        """Return the consumption part of a signed reading (its magnitude on a circuit)."""
        return max(kwh, 0.0) if self.signed else abs(kwh)

    def produced_kwh(self, kwh: float) -> float:
        """Return the part of a signed reading that flowed the other way (none on a circuit).

        On the mains that is energy returned to the grid; on a bidirectional channel, energy
        produced.
        """
        return max(-kwh, 0.0) if self.signed else 0.0


@dataclass(frozen=True, slots=True)
class Outlet:
    """A smart plug's relay."""

    device_gid: int
    load_gid: int | None
    on: bool


@dataclass(frozen=True, slots=True)
class Charger:
    """An EV charger's state and settings, as Emporia last reported them."""

    device_gid: int
    load_gid: int | None
    on: bool
    charging_rate: int
    """Current the charger offers the car, in A."""
    max_charging_rate: int
    """Highest current allowed (the breaker's), in A."""
    status: str | None
    """"Standby", "Charging"…"""
    icon: str | None
    """"CarConnected", "CarNotConnected"…"""
    message: str | None
    fault_text: str | None
    breaker_pin: str | None

    @property
    def plugged_in(self) -> bool | None:
        """Whether a car is connected, from the icon Emporia shows (None when unknown)."""
        if self.icon == "CarConnected":
            return True
        if self.icon == "CarNotConnected":
            return False
        return None


@dataclass(frozen=True, slots=True)
class Device:
    """A monitor, smart plug or charger; nested devices (a Vue on a sub-panel) are flattened."""

    gid: int
    serial: str | None
    model: str | None
    firmware: str | None
    name: str | None
    time_zone: str | None
    parent_gid: int | None
    parent_channel: str | None
    channels: tuple[Channel, ...]
    outlet: Outlet | None
    charger: Charger | None
    connected: bool | None


@dataclass(frozen=True, slots=True)
class Customer:
    """The account and every device on it."""

    gid: int
    email: str | None
    devices: tuple[Device, ...]


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """What `customers/devices/status` reports: connection, outlets and chargers by device."""

    connected: Mapping[int, bool]
    outlets: Mapping[int, Outlet]
    chargers: Mapping[int, Charger]


@dataclass(frozen=True, slots=True)
class Usages:
    """Energy (kWh) of every channel of the asked devices over one window."""

    instant: datetime
    scale: str
    values: Mapping[tuple[int, str], float | None]
    """By (device gid, channel number); nested devices included under their own gid."""

    def minute_watts(
        self, channels: Mapping[tuple[int, str], Channel]
    ) -> dict[tuple[int, str], float | None]:
        """Return the mean power in W of every channel of a 1MIN answer (`Channel.minute_watts`).

        Balance (what the circuits do not measure) and channels missing from `channels` keep
        Emporia's sign; no value stays None.
        """
        watts: dict[tuple[int, str], float | None] = {}
        for key, kwh in self.values.items():
            if kwh is None:
                watts[key] = None
            elif (channel := channels.get(key)) is None:
                watts[key] = kwh * _KWH_PER_MINUTE_TO_W
            else:
                watts[key] = channel.minute_watts(kwh)
        return watts


@dataclass(frozen=True, slots=True)
class ChartUsage:
    """One channel's energy (kWh) per window of the scale, from `first_instant` on."""

    first_instant: datetime
    values: tuple[float | None, ...]


def parse_outlet(item: Mapping[str, Any]) -> Outlet:
    """Parse an outlet object (device tree, status, or a PUT answer)."""
    return Outlet(
        device_gid=_gid(item, "deviceGid"),
        load_gid=_optional_gid(item, "loadGid"),
        on=_flag(item, "outletOn"),
    )


def parse_charger(item: Mapping[str, Any]) -> Charger:
    """Parse a charger object (device tree, status, or a PUT answer)."""
    return Charger(
        device_gid=_gid(item, "deviceGid"),
        load_gid=_optional_gid(item, "loadGid"),
        on=_flag(item, "chargerOn"),
        charging_rate=int(number(item, "chargingRate")),
        max_charging_rate=int(number(item, "maxChargingRate")),
        status=_optional_text(item, "status"),
        icon=_optional_text(item, "icon"),
        message=_optional_text(item, "message"),
        fault_text=_optional_text(item, "faultText"),
        breaker_pin=_optional_text(item, "breakerPIN"),
    )


def charger_update(
    charger: Charger, *, on: bool | None = None, rate: int | None = None
) -> dict[str, Any]:
    """Return the PUT `devices/evcharger` body: the change, and every other field as reported."""
    changed = replace(
        charger,
        on=charger.on if on is None else on,
        charging_rate=charger.charging_rate if rate is None else rate,
    )
    body: dict[str, Any] = {
        "deviceGid": changed.device_gid,
        "loadGid": changed.load_gid,
        "chargerOn": changed.on,
        "chargingRate": changed.charging_rate,
        "maxChargingRate": changed.max_charging_rate,
    }
    if changed.breaker_pin is not None:
        body["breakerPIN"] = changed.breaker_pin
    return body


def _channel(item: Mapping[str, Any], device_gid: int) -> Channel:
    number_text = _optional_text(item, "channelNum")
    if number_text is None:
        raise ApiResponseError("a required field is missing: channelNum")
    return Channel(
        device_gid=device_gid,
        number=number_text,
        name=_optional_text(item, "name"),
        multiplier=optional_number(item, "channelMultiplier") or 1.0,
        type_gid=_optional_gid(item, "channelTypeGid"),
        kind=_optional_text(item, "type"),
    )


def _devices(items: Any, parent: int | None) -> Iterator[Device]:
    for item in objects(items, "devices"):
        gid = _gid(item, "deviceGid")
        location = item.get("locationProperties") or {}
        connection = item.get("deviceConnected") or {}
        yield Device(
            gid=gid,
            serial=_optional_text(item, "manufacturerDeviceId"),
            model=_optional_text(item, "model"),
            firmware=_optional_text(item, "firmware"),
            name=_optional_text(location, "displayName")
            or _optional_text(location, "deviceName"),
            time_zone=_optional_text(location, "timeZone"),
            parent_gid=_optional_gid(item, "parentDeviceGid") or parent,
            parent_channel=_optional_text(item, "parentChannelNum"),
            channels=tuple(
                _channel(channel, gid)
                for channel in objects(item.get("channels") or [], "channels")
            ),
            outlet=parse_outlet(item["outlet"]) if item.get("outlet") else None,
            charger=parse_charger(item["evCharger"]) if item.get("evCharger") else None,
            connected=connection.get("connected")
            if isinstance(connection.get("connected"), bool)
            else None,
        )
        yield from _devices(item.get("devices") or [], gid)


def parse_customer_devices(payload: Any) -> Customer:
    """Parse `customers/devices`: the account with its device tree flattened, parents first."""
    customer = obj(payload, "customers/devices")
    return Customer(
        gid=_gid(customer, "customerGid"),
        email=_optional_text(customer, "email"),
        devices=tuple(_devices(customer.get("devices") or [], None)),
    )


def parse_status(payload: Any) -> DeviceStatus:
    """Parse `customers/devices/status`."""
    status = obj(payload, "customers/devices/status")
    return DeviceStatus(
        connected={
            _gid(item, "deviceGid"): _flag(item, "connected")
            for item in objects(
                status.get("devicesConnected") or [], "devicesConnected"
            )
        },
        outlets={
            outlet.device_gid: outlet
            for outlet in map(
                parse_outlet, objects(status.get("outlets") or [], "outlets")
            )
        },
        chargers={
            charger.device_gid: charger
            for charger in map(
                parse_charger, objects(status.get("evChargers") or [], "evChargers")
            )
        },
    )


def _channel_usages(devices: Any, values: dict[tuple[int, str], float | None]) -> None:
    for device in objects(devices, "devices"):
        for usage in objects(device.get("channelUsages") or [], "channelUsages"):
            channel = _optional_text(usage, "channelNum")
            if channel is None:
                raise ApiResponseError("a required field is missing: channelNum")
            values[_gid(usage, "deviceGid"), channel] = optional_number(usage, "usage")
            _channel_usages(usage.get("nestedDevices") or [], values)


def parse_usages(payload: Any) -> Usages:
    """Parse `getDeviceListUsages`; nested devices' channels are listed under their own gid."""
    usages = obj(require(obj(payload, "usages"), "deviceListUsages"), "usages")
    values: dict[tuple[int, str], float | None] = {}
    _channel_usages(usages.get("devices") or [], values)
    scale = require(usages, "scale")
    return Usages(
        instant=aware_datetime(usages, "instant").astimezone(UTC),
        scale=str(scale),
        values=values,
    )


def parse_chart_usage(payload: Any) -> ChartUsage:
    """Parse `getChartUsage`."""
    chart = obj(payload, "chart usage")
    values = require(chart, "usageList")
    if not isinstance(values, list) or not all(
        value is None
        or (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            # `1e999` decodes to infinity: stored, it would make every later sum infinite.
            and math.isfinite(value)
        )
        for value in values
    ):
        raise ApiResponseError("usageList: expected a JSON array of finite numbers")
    return ChartUsage(
        first_instant=aware_datetime(chart, "firstUsageInstant").astimezone(UTC),
        values=tuple(None if value is None else float(value) for value in values),
    )
