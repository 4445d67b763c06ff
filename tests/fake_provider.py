"""A small provider defined for the shell's tests: one coordinator, an entity on every platform.

It proves the shell works for any provider, without any real provider's code. `FakeApi` stands in
for an `api/` client (devices held in memory, failures on demand, writes recorded); the
`fake_provider` fixture (tests/conftest.py) registers `FAKE` beside the real providers.

Its actions are registered only while a test registers `FAKE`, and Home Assistant reads
`services.yaml` only to describe actions to the frontend: they are not listed there.
"""

from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_ID,
    Platform,
    UnitOfElectricCurrent,
    UnitOfPower,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    HomeAssistant,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util.hass_dict import HassKey
import probatio

from custom_components.openpower.api.errors import ApiError
from custom_components.openpower.binary_sensor import OpenPowerBinarySensorDescription
from custom_components.openpower.const import ATTR_DEVICE_UID
from custom_components.openpower.coordinator import OpenPowerCoordinator
from custom_components.openpower.entity import DeviceRef
from custom_components.openpower.flow import ProviderFlow
from custom_components.openpower.number import OpenPowerNumberDescription
from custom_components.openpower.pricing import Direction, PriceSpan
from custom_components.openpower.pricing_flow import PricedOptionsFlow
from custom_components.openpower.provider import ProviderSpec, ServiceSpec
from custom_components.openpower.sensor import OpenPowerSensorDescription
from custom_components.openpower.switch import OpenPowerSwitchDescription
from custom_components.openpower.time import OpenPowerTimeDescription

KEY = "fake"


@dataclass(slots=True)
class FakeDevice:
    """One device as the fake cloud holds it."""

    power: float | None = 120.0
    on: bool = False
    limit: float = 16.0
    start: time = time(22, 0)
    online: bool = True
    parent: str | None = None
    price: float = 0.25
    currency: str = "EUR"
    """The price's unit: only the answer knows it (as a provider bills in the account's currency)."""


@dataclass(slots=True)
class FakePriceTable:
    """Prices a test sets by direction; `settle` replaces them and calls the listeners."""

    spans: dict[Direction, list[PriceSpan]] = field(default_factory=dict)
    listeners: list[Callable[[], None]] = field(default_factory=list)
    asked: list[tuple[Direction, datetime, datetime]] = field(default_factory=list)
    """Every range asked for, in order."""

    def prices_direction(self, direction: Direction) -> bool:
        """A direction is priced once the test gave it spans (even none)."""
        return direction in self.spans

    async def async_prices(
        self, direction: Direction, start: datetime, end: datetime
    ) -> list[PriceSpan]:
        """Return the spans overlapping [start, end), oldest first."""
        self.asked.append((direction, start, end))
        return sorted(
            (
                s
                for s in self.spans.get(direction, [])
                if s.start < end and s.end > start
            ),
            key=lambda span: span.start,
        )

    @callback
    def async_listen(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` on every `settle`."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def settle(self, direction: Direction, spans: list[PriceSpan]) -> None:
        """Replace a direction's prices, as a source confirming estimates does."""
        self.spans[direction] = spans
        for listener in list(self.listeners):
            listener()


@dataclass(slots=True)
class FakeApi:
    """The fake cloud: devices, failures on demand, a log of reads and writes."""

    devices: dict[str, FakeDevice] = field(
        default_factory=lambda: {
            "hub": FakeDevice(),
            "plug": FakeDevice(power=5.0, parent="hub"),
        }
    )
    fail: ApiError | None = None
    """Raised by every read until cleared."""
    setup_fail: ApiError | None = None
    """Raised while the entry sets up, before any coordinator."""
    write_fail: ApiError | None = None
    """Raised by every write until cleared; a write that fails changes nothing."""
    write_lost: ApiError | None = None
    """Raised by every write after making it (a timeout the provider did not see)."""
    reads: int = 0
    writes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prices: FakePriceTable = field(default_factory=FakePriceTable)
    """What the `priced()` variant offers other entries."""

    async def async_read(self) -> dict[str, FakeDevice]:
        """Return every device (a copy, as a client parses a fresh answer)."""
        if self.fail is not None:
            raise self.fail
        self.reads += 1
        return deepcopy(self.devices)

    async def async_write(self, uid: str, **changes: Any) -> None:
        """Change one device."""
        self.writes.append((uid, changes))
        if self.write_fail is not None:
            raise self.write_fail
        device = self.devices[uid.removeprefix(f"{KEY}_")]
        for name, value in changes.items():
            setattr(device, name, value)
        if self.write_lost is not None:
            raise self.write_lost


API: HassKey[FakeApi] = HassKey("openpower_fake_api")


@dataclass(frozen=True, slots=True)
class FakeData:
    """What the coordinator holds."""

    devices: Mapping[str, FakeDevice]

    def device(self, uid: str) -> FakeDevice:
        """Return the device of an entity's device uid."""
        return self.devices[uid.removeprefix(f"{KEY}_")]

    def has(self, uid: str) -> bool:
        """Whether the data still has this device."""
        return uid.removeprefix(f"{KEY}_") in self.devices

    def diagnostics(self) -> dict[str, Any]:
        """Show the devices in order: their keys stand for serials, which redaction cannot reach."""
        return {"devices": list(self.devices.values())}


class FakeCoordinator(OpenPowerCoordinator[FakeData]):
    """Reads every device each minute."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, api: FakeApi) -> None:
        """Create the coordinator."""
        super().__init__(hass, entry, name="fake", update_interval=timedelta(minutes=1))
        self.api = api

    async def _async_fetch(self) -> FakeData:
        return FakeData(devices=await self.api.async_read())


@dataclass(kw_only=True, slots=True)
class FakeRuntime:
    """The entry's fake client and coordinator."""

    api: FakeApi
    coordinator: FakeCoordinator


async def async_setup(hass: HomeAssistant, entry: ConfigEntry) -> FakeRuntime:
    """Build the runtime; the fake cloud is the one the test put in `hass.data[API]`."""
    api = hass.data.setdefault(API, FakeApi())
    if api.setup_fail is not None:
        raise api.setup_fail
    coordinator = FakeCoordinator(hass, entry, api)
    await coordinator.async_config_entry_first_refresh()
    return FakeRuntime(api=api, coordinator=coordinator)


def devices(data: FakeData) -> list[DeviceRef]:
    """Every device, the plug under the hub."""
    return [
        DeviceRef(
            uid=f"{KEY}_{name}",
            name=f"Fake {name}",
            manufacturer="Fake",
            model="Model 1",
            sw_version="1.0",
            parent=f"{KEY}_{device.parent}" if device.parent else None,
        )
        for name, device in data.devices.items()
    ]


async def _turn(runtime: FakeRuntime, uid: str, on: bool) -> None:
    await runtime.api.async_write(uid, on=on)


async def _set_limit(runtime: FakeRuntime, uid: str, value: float) -> None:
    await runtime.api.async_write(uid, limit=value)


async def _set_start(runtime: FakeRuntime, uid: str, value: time) -> None:
    await runtime.api.async_write(uid, start=value)


SENSORS = (
    OpenPowerSensorDescription[FakeRuntime, FakeData](
        key="power",
        name="Power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        value_fn=lambda data, uid: data.device(uid).power,
        attributes_fn=lambda data, uid: {
            "samples": [data.device(uid).power] * 3,
            "online": data.device(uid).online,
        },
        unrecorded_attributes=frozenset({"samples"}),
    ),
    OpenPowerSensorDescription[FakeRuntime, FakeData](
        key="price",
        name="Price",
        device_class=SensorDeviceClass.MONETARY,
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        value_fn=lambda data, uid: data.device(uid).price,
        unit_fn=lambda data, uid: data.device(uid).currency,
    ),
)
BINARY_SENSORS = (
    OpenPowerBinarySensorDescription[FakeRuntime, FakeData](
        key="online",
        name="Online",
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        is_on_fn=lambda data, uid: data.device(uid).online,
    ),
)
SWITCHES = (
    OpenPowerSwitchDescription[FakeRuntime, FakeData](
        key="on",
        name="On",
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        is_on_fn=lambda data, uid: data.device(uid).on,
        turn_fn=_turn,
    ),
)
NUMBERS = (
    OpenPowerNumberDescription[FakeRuntime, FakeData](
        key="limit",
        name="Limit",
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=6,
        native_step=1,
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        value_fn=lambda data, uid: data.device(uid).limit,
        max_fn=lambda _data, _uid: 32,
        set_fn=_set_limit,
    ),
)
TIMES = (
    OpenPowerTimeDescription[FakeRuntime, FakeData](
        key="start",
        name="Start",
        coordinator_fn=lambda rt: rt.coordinator,
        devices_fn=devices,
        exists_fn=lambda data, uid: data.has(uid),
        value_fn=lambda data, uid: data.device(uid).start,
        set_fn=_set_start,
    ),
)


async def _echo(runtime: FakeRuntime, data: Mapping[str, Any]) -> ServiceResponse:
    return {"text": data["text"], "reads": runtime.api.reads}


async def _device_echo(
    runtime: FakeRuntime, data: Mapping[str, Any]
) -> ServiceResponse:
    """Say which device and which entry the action reached."""
    return {
        "device_uid": data[ATTR_DEVICE_UID],
        "entry_id": runtime.coordinator.config_entry.entry_id,
    }


SERVICES = (
    ServiceSpec[FakeRuntime](
        name="fake_echo",
        schema=probatio.Schema(
            {
                probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
                probatio.Required("text"): cv.string,
            }
        ),
        handler=_echo,
        response=SupportsResponse.ONLY,
    ),
    ServiceSpec[FakeRuntime](
        name="fake_admin_echo",
        schema=probatio.Schema(
            {
                probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
                probatio.Required("text"): cv.string,
            }
        ),
        handler=_echo,
        response=SupportsResponse.ONLY,
        admin=True,
    ),
    ServiceSpec[FakeRuntime](
        name="fake_device_echo",
        schema=probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string}),
        handler=_device_echo,
        response=SupportsResponse.ONLY,
    ),
)


class FakeFlow(ProviderFlow):
    """One form: the account; reauth and reconfigure ask for it again."""

    provider = KEY
    _schema = probatio.Schema({probatio.Required("account"): cv.string})

    async def async_step_fake(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account."""
        if user_input is not None:
            return await self.async_finish(
                user_input["account"],
                f"Fake {user_input['account']}",
                {"account": user_input["account"]},
            )
        return self.flow.async_show_form(step_id="fake", data_schema=self._schema)

    async def async_reauth(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for the account again."""
        return await self.async_step_fake_again()

    async def async_reconfigure(self, entry: ConfigEntry) -> ConfigFlowResult:
        """Ask for the account again."""
        return await self.async_step_fake_again()

    async def async_step_fake_again(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reauth and reconfigure: the same account only."""
        entry = self.entry_to_update()
        if user_input is not None:
            return await self.async_finish(
                user_input["account"], "", {"account": user_input["account"]}
            )
        return self.flow.async_show_form(
            step_id="fake_again",
            data_schema=self._schema,
            description_placeholders={"name": entry.title},
        )


class FakeDeviceFlow(ConfigSubentryFlow):
    """Add a device to the account by its serial."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the serial."""
        if user_input is not None:
            return self.async_create_entry(
                title=f"Device {user_input['serial']}",
                data={"serial": user_input["serial"]},
                unique_id=user_input["serial"],
            )
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema({probatio.Required("serial"): cv.string}),
        )


class FakeOptionsFlow(PricedOptionsFlow):
    """A provider option of its own, then the shared price steps."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a label, then for the price source."""
        if user_input is not None:
            return await self.async_step_cost(user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=probatio.Schema(
                {
                    probatio.Optional(
                        "label", default=self.config_entry.options.get("label", "")
                    ): cv.string
                }
            ),
        )


FAKE: ProviderSpec[FakeRuntime] = ProviderSpec(
    key=KEY,
    name="Fake",
    async_setup=async_setup,
    coordinators=lambda rt: {"fake": rt.coordinator},
    devices=lambda rt: devices(rt.coordinator.data),
    config_flow=FakeFlow,
    entities={
        Platform.SENSOR: SENSORS,
        Platform.BINARY_SENSOR: BINARY_SENSORS,
        Platform.SWITCH: SWITCHES,
        Platform.NUMBER: NUMBERS,
        Platform.TIME: TIMES,
    },
    services=SERVICES,
    subentry_flows={"fake_device": FakeDeviceFlow},
    diagnostics=lambda rt: {"writes": len(rt.api.writes), "token": "s3cret"},
    redact=frozenset({"token", "account"}),
)


def sensors_only() -> ProviderSpec[FakeRuntime]:
    """The fake provider with sensors and nothing else."""
    return replace(FAKE, entities={Platform.SENSOR: SENSORS})


def priced(key: str = KEY) -> ProviderSpec[FakeRuntime]:
    """The fake provider offering `FakeApi.prices` to other entries, with price options.

    Without entities, so that several entries of it (or of a copy under another `key`) load
    side by side.
    """
    return replace(
        FAKE,
        key=key,
        entities={},
        price_table=lambda rt: rt.api.prices,
        options_flow=FakeOptionsFlow,
    )
