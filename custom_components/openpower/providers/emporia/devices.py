"""The devices an Emporia account registers, and which channel each entity reads.

A monitor (a Vue) is a device carrying its mains and the unmonitored balance; each of its circuits
is a device under it, and a Vue on a sub-panel hangs under the Vue it is nested in. A plug or a
charger measures one load: its only channel is the device itself. The account is a service
device of its own (where the request budget is shown).
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from ...api.emporia import BALANCE, Channel, Customer, Device
from ...entity import DeviceRef
from .const import APP_URL, PROVIDER

MODELS: Final = {
    "VUE001": "Vue",
    "VUE002": "Vue 2",
    "VUE003": "Vue 3",
    "SSO001": "Smart Plug",
    "SSO002": "Smart Plug",
    "VVDN01": "EV Charger",
}

type ChannelId = tuple[int, str]
"""(device gid, channel number)."""


def device_uid(gid: int) -> str:
    """Return the device uid of an Emporia device."""
    return f"{PROVIDER}_{gid}"


def device_gid(uid: str) -> int:
    """Return the gid of a device uid."""
    return int(uid.removeprefix(f"{PROVIDER}_"))


def channel_key(number: str) -> str:
    """Return the id part of a channel: `mains`, `balance`, or `circuit_<n>`."""
    if number == "1,2,3":
        return "mains"
    if number == BALANCE:
        return "balance"
    return f"circuit_{number.replace(',', '_')}"


def is_monitor(device: Device) -> bool:
    """Whether a device measures circuits (a Vue), rather than one load (a plug, a charger)."""
    return device.outlet is None and device.charger is None and len(device.channels) > 1


def measured_channels(customer: Customer) -> Iterator[tuple[Device, Channel]]:
    """Every channel with history (Balance is a difference Emporia computes, not measured)."""
    for device in customer.devices:
        for channel in device.channels:
            if channel.number != BALANCE:
                yield device, channel


def channels_by_id(customer: Customer) -> dict[ChannelId, Channel]:
    """Every channel of the account by (device gid, channel number)."""
    return {
        (device.gid, channel.number): channel
        for device in customer.devices
        for channel in device.channels
    }


def device_ref(device: Device) -> DeviceRef:
    """Describe an Emporia device for the registry; nested devices hang under their parent."""
    return DeviceRef(
        uid=device_uid(device.gid),
        name=device.name or MODELS.get(device.model or "", "Emporia device"),
        manufacturer="Emporia Energy",
        model=MODELS.get(device.model or "", device.model),
        model_id=device.model,
        serial_number=device.serial,
        sw_version=device.firmware,
        configuration_url=APP_URL,
        parent=device_uid(device.parent_gid) if device.parent_gid else None,
    )


def circuit_ref(device: Device, channel: Channel) -> DeviceRef:
    """Describe a monitor's circuit: its own device under the monitor, named as in the app."""
    return DeviceRef(
        uid=f"{device_uid(device.gid)}_{channel_key(channel.number)}",
        name=channel.name or f"Circuit {channel.number}",
        manufacturer="Emporia Energy",
        model="Circuit",
        parent=device_uid(device.gid),
    )


def account_ref(customer_gid: int) -> DeviceRef:
    """Describe the account itself (a service device, where the request budget is shown)."""
    return DeviceRef(
        uid=f"{PROVIDER}_account_{customer_gid}",
        name="Emporia account",
        manufacturer="Emporia Energy",
        configuration_url=APP_URL,
        service=True,
    )


@dataclass(frozen=True, slots=True)
class EmporiaLayout:
    """Which entity reads which channel: (device uid, kind) → channel, and the devices."""

    channels: Mapping[tuple[str, str], ChannelId]
    """Kinds: `mains` and `balance` on a monitor, `circuit` on a circuit, plug or charger."""
    refs: Mapping[str, DeviceRef]
    account: DeviceRef

    def devices_with(self, kind: str) -> list[DeviceRef]:
        """Return the devices that have a channel of `kind`."""
        return [
            self.refs[uid]
            for uid, channel_kind in self.channels
            if channel_kind == kind
        ]

    def devices_of(self, gids: Iterable[int]) -> list[DeviceRef]:
        """Return the devices of `gids` that the account has."""
        return [self.refs[uid] for uid in map(device_uid, gids) if uid in self.refs]


def layout(customer: Customer) -> EmporiaLayout:
    """Lay the account's channels out on devices (see the module's docstring)."""
    channels: dict[tuple[str, str], ChannelId] = {}
    refs: dict[str, DeviceRef] = {}
    for device in customer.devices:
        ref = device_ref(device)
        refs[ref.uid] = ref
        single = not is_monitor(device)
        for channel in device.channels:
            key = (device.gid, channel.number)
            if channel.is_mains:
                channels[ref.uid, "circuit" if single else "mains"] = key
            else:
                circuit = circuit_ref(device, channel)
                refs[circuit.uid] = circuit
                channels[circuit.uid, "circuit"] = key
        if not single:
            channels[ref.uid, "balance"] = (device.gid, BALANCE)
    account = account_ref(customer.gid)
    refs[account.uid] = account
    return EmporiaLayout(channels=channels, refs=refs, account=account)
