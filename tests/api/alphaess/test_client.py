"""AlphaEssClient against the simulator (no Home Assistant): requests as AlphaESS wants them.

One clock drives everything: the simulator's fake clock, the client's signing clock and the
request budget (whose sleeps move it), so that waits take no real time and the simulator judges
each signature's timestamp against the same "now".
"""

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import aiohttp
import pytest

from custom_components.openpower.api.alphaess import (
    AlphaEssClient,
    AlphaEssClockError,
    AlphaEssNoDataError,
    AlphaEssNotBoundError,
    AlphaEssOfflineError,
    AlphaEssPermissionError,
    AlphaEssRefusedError,
    AlphaEssServerError,
    Charger,
    ChargerStatus,
    LegacyCharge,
    LegacyDischarge,
    System,
)
from custom_components.openpower.api.alphaess.client import MAX_BUDGET_WAIT
from custom_components.openpower.api.alphaess.schedule import (
    UNUSED,
    from_periodic,
    periodic_with,
)
from custom_components.openpower.api.budget import RateLimit, RequestBudget
from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiResponseError,
)
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHARGER,
    ALPHAESS_CHECK_CODE,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    AlphaEssSimulator,
    FakeClock,
    RequestRecord,
    Simulator,
)

# 20:09:30 in Sydney (AEST), the evening of the captured day.
NOW = datetime(2026, 8, 4, 10, 9, 30, tzinfo=UTC)
TODAY = date(2026, 8, 4)
YESTERDAY = date(2026, 8, 3)
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


@dataclass
class Clock:
    """The simulator's fake clock as the client and the budget see it; sleeping moves it."""

    fake: FakeClock
    sleeps: list[float] = field(default_factory=list)
    signed_at: list[int] = field(default_factory=list)

    def seconds(self) -> float:
        return self.fake.now.timestamp()

    def sign_time(self) -> float:
        """The client's clock: noted each time a request is signed."""
        now = self.seconds()
        self.signed_at.append(int(now))
        return now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.fake.advance(seconds)


@pytest.fixture
def clock() -> Clock:
    """One fake clock at NOW."""
    return Clock(FakeClock(NOW))


@pytest.fixture
async def simulator(socket_enabled: None, clock: Clock) -> AsyncGenerator[Simulator]:
    """The simulator on 127.0.0.1, on the fake clock."""
    simulator = Simulator(clock=clock.fake)
    # The tests of single methods make more than AlphaESS's 10 requests a minute at one instant.
    simulator.alphaess.rate_limit = 1000  # type: ignore[attr-defined]
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def alphaess(simulator: Simulator) -> AlphaEssSimulator:
    """The simulator's AlphaESS part."""
    part = simulator.part("alphaess")
    assert isinstance(part, AlphaEssSimulator)
    return part


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


type Factory = Callable[..., AlphaEssClient]


@pytest.fixture
def make_client(
    session: aiohttp.ClientSession, simulator: Simulator, clock: Clock
) -> Factory:
    """Build a client of the demo AppID on the shared clock, without retry delays."""

    def make(
        *,
        secret: str = ALPHAESS_APP_SECRET,
        budget: RequestBudget | None = None,
    ) -> AlphaEssClient:
        return AlphaEssClient(
            session,
            ALPHAESS_APP_ID,
            secret,
            api_url=simulator.base_url("alphaess"),
            budget=budget,
            backoff=0,
            clock=clock.sign_time,
        )

    return make


@pytest.fixture
def client(make_client: Factory) -> AlphaEssClient:
    """A client of the demo AppID without a budget."""
    return make_client()


def make_budget(clock: Clock, *limits: RateLimit) -> RequestBudget:
    """A budget on the shared clock (AlphaESS's own limits unless told)."""
    return RequestBudget(
        limits or (RateLimit(count=10, period=60),),
        clock=clock.seconds,
        sleep=clock.sleep,
    )


def last(simulator: Simulator) -> RequestRecord:
    """The last request the simulator logged."""
    return simulator.requests[-1]


def logged(simulator: Simulator) -> tuple[str, str, dict[str, str], int]:
    """Verb, endpoint, query and status of the last request, as the simulator logged them."""
    record = last(simulator)
    assert record.provider == "alphaess"
    return (
        record.method,
        record.path.removeprefix("/alphaess/api/"),
        record.query,
        record.status,
    )


# ---------------------------------------------------------------------------------------------
# Every method: its verb and parameters


async def test_systems(client: AlphaEssClient, simulator: Simulator) -> None:
    """GetEssList: a GET without parameters; the AppID's two systems."""
    systems = await client.async_get_systems()
    assert logged(simulator) == ("GET", "getEssList", {}, 200)
    assert last(simulator).account == "demo"
    assert systems == [
        System(
            serial=ALPHAESS_SYSTEM,
            inverter_model="SMILE5-INV",
            battery_model="SMILE-BAT-13.3P",
            battery_capacity=13.34,
            battery_remaining_capacity=13.34,
            battery_health=100.0,
            inverter_power=5.0,
            pv_capacity=9.0,
            ems_status="Normal",
        ),
        System(
            serial=ALPHAESS_LEGACY_SYSTEM,
            inverter_model="Storion-S5",
            battery_model="S5-BAT-10.1",
            battery_capacity=10.1,
            battery_remaining_capacity=9.09,
            battery_health=90.0,
            inverter_power=5.0,
            pv_capacity=5.0,
            ems_status="Normal",
        ),
    ]


async def test_live_power(client: AlphaEssClient, simulator: Simulator) -> None:
    """GetLastPowerData by `sysSn`: in the evening the battery and the grid carry the load."""
    power = await client.async_get_live_power(ALPHAESS_SYSTEM)
    assert logged(simulator) == (
        "GET",
        "getLastPowerData",
        {"sysSn": ALPHAESS_SYSTEM},
        200,
    )
    assert power.pv == 0.0
    assert power.ev == 0.0
    assert power.ev_chargers == (0.0, None, None, None)
    assert power.grid_phases == (power.grid, 0.0, 0.0)
    assert power.grid + power.pv + power.battery == power.load  # type: ignore[operator]
    assert power.battery_charge == 0.0
    assert power.grid_export == 0.0


async def test_day_power(client: AlphaEssClient, simulator: Simulator) -> None:
    """GetOneDayPowerBySn by `sysSn` and `queryDate`: a whole past day, oldest sample first."""
    samples = await client.async_get_day_power(ALPHAESS_SYSTEM, YESTERDAY)
    assert logged(simulator) == (
        "GET",
        "getOneDayPowerBySn",
        {"sysSn": ALPHAESS_SYSTEM, "queryDate": "2026-08-03"},
        200,
    )
    assert len(samples) == 288
    assert [sample.time for sample in samples] == sorted(s.time for s in samples)
    assert {sample.time.date() for sample in samples} == {YESTERDAY}
    assert samples[0].time.strftime("%H:%M") == "00:04"


async def test_day_power_today_stops_at_now(
    client: AlphaEssClient, alphaess: AlphaEssSimulator
) -> None:
    """Today's samples are those uploaded by 20:09:30 local; a gap is an empty day."""
    samples = await client.async_get_day_power(ALPHAESS_SYSTEM, TODAY)
    assert samples[-1].time <= datetime(2026, 8, 4, 20, 9, 30)
    assert samples[-1].time > datetime(2026, 8, 4, 20, 4, 30)
    alphaess.gaps.add((ALPHAESS_SYSTEM, YESTERDAY))
    assert await client.async_get_day_power(ALPHAESS_SYSTEM, YESTERDAY) == []


async def test_day_energy_is_the_samples_sum(
    client: AlphaEssClient, simulator: Simulator
) -> None:
    """GetOneDateEnergyBySn by `sysSn` and `queryDate`: the day's samples, summed, in kWh."""
    samples = await client.async_get_day_power(ALPHAESS_SYSTEM, YESTERDAY)
    energy = await client.async_get_day_energy(ALPHAESS_SYSTEM, YESTERDAY)
    assert logged(simulator) == (
        "GET",
        "getOneDateEnergyBySn",
        {"sysSn": ALPHAESS_SYSTEM, "queryDate": "2026-08-03"},
        200,
    )
    assert energy is not None
    assert energy.day == YESTERDAY

    def kwh(values: list[float | None]) -> float:
        return round(sum(v for v in values if v is not None) / 12000, 2)

    assert energy.pv == kwh([s.pv for s in samples])
    assert energy.grid_import == kwh([s.grid_import for s in samples])
    assert energy.grid_export == kwh([s.grid_export for s in samples])
    assert (energy.grid_charge, energy.ev) == (0.0, 0.0)
    discharged = kwh([max(s.battery, 0.0) for s in samples])  # type: ignore[type-var]
    charged = kwh([max(-s.battery, 0.0) for s in samples])  # type: ignore[operator]
    assert energy.battery_discharge == discharged
    assert energy.battery_charge == charged
    assert energy.load == pytest.approx(kwh([s.load for s in samples]), abs=0.03)


async def test_day_energy_before_installation(
    client: AlphaEssClient, simulator: Simulator
) -> None:
    """A day AlphaESS has nothing for is None."""
    assert await client.async_get_day_energy(ALPHAESS_SYSTEM, date(2020, 1, 1)) is None
    assert logged(simulator)[3] == 200


async def test_summary(client: AlphaEssClient, simulator: Simulator) -> None:
    """GetSumDataForCustomer by `sysSn`: today's totals, lifetime PV; no currency."""
    summary = await client.async_get_summary(ALPHAESS_SYSTEM)
    assert logged(simulator) == (
        "GET",
        "getSumDataForCustomer",
        {"sysSn": ALPHAESS_SYSTEM},
        200,
    )
    energy = await client.async_get_day_energy(ALPHAESS_SYSTEM, TODAY)
    assert energy is not None
    assert summary.pv_today == energy.pv
    assert summary.grid_import_today == energy.grid_import
    assert summary.grid_export_today == energy.grid_export
    assert summary.battery_charge_today == energy.battery_charge
    assert summary.battery_discharge_today == energy.battery_discharge
    assert summary.load_today == pytest.approx(energy.load, abs=0.03)
    assert summary.pv_total is not None
    assert summary.pv_total > summary.pv_today  # type: ignore[operator]
    assert summary.currency is None
    legacy = await client.async_get_summary(ALPHAESS_LEGACY_SYSTEM)
    assert (legacy.income_today, legacy.income_total) == (None, None)


async def test_legacy_store(
    client: AlphaEssClient, simulator: Simulator, alphaess: AlphaEssSimulator
) -> None:
    """Get/updateChargeConfigInfo and get/updateDisChargeConfigInfo: GET by `sysSn`, POST all."""
    charge = await client.async_get_legacy_charge(ALPHAESS_LEGACY_SYSTEM)
    assert logged(simulator) == (
        "GET",
        "getChargeConfigInfo",
        {"sysSn": ALPHAESS_LEGACY_SYSTEM},
        200,
    )
    assert charge == LegacyCharge(
        grid_charge=False, windows=((time(11), time(14)), UNUSED), stop_level=100.0
    )
    discharge = await client.async_get_legacy_discharge(ALPHAESS_LEGACY_SYSTEM)
    assert logged(simulator) == (
        "GET",
        "getDisChargeConfigInfo",
        {"sysSn": ALPHAESS_LEGACY_SYSTEM},
        200,
    )
    assert discharge == LegacyDischarge(
        control=False, windows=(UNUSED, UNUSED), stop_level=5.0
    )

    new_charge = LegacyCharge(
        grid_charge=True, windows=((time(1), time(5)), UNUSED), stop_level=95.0
    )
    await client.async_set_legacy_charge(ALPHAESS_LEGACY_SYSTEM, new_charge)
    assert logged(simulator) == ("POST", "updateChargeConfigInfo", {}, 200)
    assert alphaess.writes[-1].body == {
        "sysSn": ALPHAESS_LEGACY_SYSTEM,
        "batHighCap": 95,
        "gridCharge": 1,
        "timeChaf1": "01:00",
        "timeChae1": "05:00",
        "timeChaf2": "00:00",
        "timeChae2": "00:00",
    }
    new_discharge = LegacyDischarge(
        control=True,
        windows=((time(17), time(21)), (time(6, 45), time(8))),
        stop_level=15.0,
    )
    await client.async_set_legacy_discharge(ALPHAESS_LEGACY_SYSTEM, new_discharge)
    assert logged(simulator) == ("POST", "updateDisChargeConfigInfo", {}, 200)
    assert alphaess.writes[-1].body == {
        "sysSn": ALPHAESS_LEGACY_SYSTEM,
        "batUseCap": 15,
        "ctrDis": 1,
        "timeDisf1": "17:00",
        "timeDise1": "21:00",
        "timeDisf2": "06:45",
        "timeDise2": "08:00",
    }
    assert [write.applied for write in alphaess.writes] == [True, True]
    assert await client.async_get_legacy_charge(ALPHAESS_LEGACY_SYSTEM) == new_charge
    assert (
        await client.async_get_legacy_discharge(ALPHAESS_LEGACY_SYSTEM) == new_discharge
    )


async def test_periodic_store_round_trip(
    client: AlphaEssClient, simulator: Simulator, alphaess: AlphaEssSimulator
) -> None:
    """Get/setTimeChargeBySn: what is read is written back without its read-only keys."""
    periodic = await client.async_get_periodic(ALPHAESS_SYSTEM)
    assert logged(simulator) == (
        "GET",
        "getTimeChargeBySn",
        {"sysSn": ALPHAESS_SYSTEM},
        200,
    )
    assert periodic.charge[0].begin == time(1)
    assert periodic.charge[0].limit == 90.0
    assert periodic.discharge[0].end == time(21)
    assert periodic.charge[0].extra == {
        "executeCycleType": 1,
        "strategyType": 0,
        "weeks": EVERY_DAY,
        "sort": 1,
        "chargePower": 5000,
    }

    schedule = replace(
        from_periodic(periodic),
        charge_windows=((time(1), time(5)), (time(12), time(14))),
        charge_stop=80.0,
    )
    await client.async_set_periodic(ALPHAESS_SYSTEM, periodic_with(periodic, schedule))
    assert logged(simulator) == ("POST", "setTimeChargeBySn", {}, 200)
    assert alphaess.writes[-1].body == {
        "executeCycleType": 1,
        "sysSn": ALPHAESS_SYSTEM,
        "gridChargeCycle": 1,
        "ctrDisCycle": 1,
        "chargeTimeList": [
            {
                "weeks": EVERY_DAY,
                "chargePower": 5000,
                "beginTime": begin,
                "endTime": end,
                "chargeLimit": limit,
            }
            for begin, end, limit in (("01:00", "05:00", 80), ("12:00", "14:00", 80))
        ],
        "dischargeTimeList": [
            {
                "weeks": EVERY_DAY,
                "chargePower": 5000,
                "beginTime": "17:00",
                "endTime": "21:00",
                "chargeLimit": 20,
            }
        ],
    }
    again = await client.async_get_periodic(ALPHAESS_SYSTEM)
    assert [(p.begin, p.end, p.limit) for p in again.charge] == [
        (time(1), time(5), 80.0),
        (time(12), time(14), 80.0),
    ]
    assert again.charge[1].extra == {**periodic.charge[0].extra, "sort": 2}


async def test_legacy_write_on_a_periodic_system_is_not_applied(
    client: AlphaEssClient, alphaess: AlphaEssSimulator
) -> None:
    """Newer backends answer a legacy write 200 and ignore it (reference §2.5)."""
    charge = await client.async_get_legacy_charge(ALPHAESS_SYSTEM)
    await client.async_set_legacy_charge(
        ALPHAESS_SYSTEM, replace(charge, grid_charge=True)
    )
    assert alphaess.writes[-1].applied is False
    assert await client.async_get_legacy_charge(ALPHAESS_SYSTEM) == charge


async def test_charger(
    client: AlphaEssClient, simulator: Simulator, alphaess: AlphaEssSimulator
) -> None:
    """The EV charger endpoints, each with its verb and parameters."""
    assert await client.async_get_chargers(ALPHAESS_SYSTEM) == [
        Charger(serial=ALPHAESS_CHARGER, model="SMILE-EVCT11")
    ]
    assert logged(simulator) == (
        "GET",
        "getEvChargerConfigList",
        {"sysSn": ALPHAESS_SYSTEM},
        200,
    )
    assert await client.async_get_chargers(ALPHAESS_LEGACY_SYSTEM) == []

    assert await client.async_get_charger_current(ALPHAESS_SYSTEM) == 32.0
    assert logged(simulator) == (
        "GET",
        "getEvChargerCurrentsBySn",
        {"sysSn": ALPHAESS_SYSTEM},
        200,
    )
    await client.async_set_charger_current(ALPHAESS_SYSTEM, 16)
    assert logged(simulator) == ("POST", "setEvChargerCurrentsBySn", {}, 200)
    assert alphaess.writes[-1].body == {"sysSn": ALPHAESS_SYSTEM, "currentsetting": 16}
    assert await client.async_get_charger_current(ALPHAESS_SYSTEM) == 16.0

    status = await client.async_get_charger_status(ALPHAESS_SYSTEM, ALPHAESS_CHARGER)
    assert logged(simulator) == (
        "GET",
        "getEvChargerStatusBySn",
        {"sysSn": ALPHAESS_SYSTEM, "evchargerSn": ALPHAESS_CHARGER},
        200,
    )
    assert status == ChargerStatus.PREPARING

    await client.async_control_charger(ALPHAESS_SYSTEM, ALPHAESS_CHARGER, True)
    assert logged(simulator) == ("POST", "remoteControlEvCharger", {}, 200)
    assert alphaess.writes[-1].body == {
        "sysSn": ALPHAESS_SYSTEM,
        "evchargerSn": ALPHAESS_CHARGER,
        "controlMode": 1,
    }
    assert (
        await client.async_get_charger_status(ALPHAESS_SYSTEM, ALPHAESS_CHARGER)
        == ChargerStatus.CHARGING
    )
    power = await client.async_get_live_power(ALPHAESS_SYSTEM)
    assert (power.ev, power.ev_chargers[0]) == (16 * 230.0, 16 * 230.0)
    await client.async_control_charger(ALPHAESS_SYSTEM, ALPHAESS_CHARGER, False)
    assert alphaess.writes[-1].body["controlMode"] == 0
    assert (
        await client.async_get_charger_status(ALPHAESS_SYSTEM, ALPHAESS_CHARGER)
        == ChargerStatus.SUSPENDED_EVSE
    )


async def test_binding(
    make_client: Factory, simulator: Simulator, alphaess: AlphaEssSimulator
) -> None:
    """GetVerificationCode is a GET with `sysSn` and `checkCode`; bindSn and unBindSn POST."""
    client = make_client()
    await client.async_request_verification_code(
        ALPHAESS_UNBOUND_SYSTEM, ALPHAESS_CHECK_CODE
    )
    assert logged(simulator) == (
        "GET",
        "getVerificationCode",
        {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "checkCode": ALPHAESS_CHECK_CODE},
        200,
    )
    code = alphaess.sent_codes[ALPHAESS_UNBOUND_SYSTEM]
    await client.async_bind(ALPHAESS_UNBOUND_SYSTEM, code)
    assert logged(simulator) == ("POST", "bindSn", {}, 200)
    assert alphaess.writes[-1].body == {"sysSn": ALPHAESS_UNBOUND_SYSTEM, "code": code}
    assert [system.serial for system in await client.async_get_systems()] == [
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
        ALPHAESS_UNBOUND_SYSTEM,
    ]
    await client.async_unbind(ALPHAESS_UNBOUND_SYSTEM)
    assert logged(simulator) == ("POST", "unBindSn", {}, 200)
    assert alphaess.writes[-1].body == {"sysSn": ALPHAESS_UNBOUND_SYSTEM}
    assert len(await client.async_get_systems()) == 2


async def test_binding_a_bound_system_is_fine(
    client: AlphaEssClient, simulator: Simulator, alphaess: AlphaEssSimulator
) -> None:
    """BindSn answers 6003 for a system already bound to the AppID: that is success."""
    body = {"sysSn": ALPHAESS_SYSTEM, "code": "000000"}
    with pytest.raises(AlphaEssRefusedError) as answered:
        await client._call("POST", "bindSn", body=body)
    assert answered.value.code == 6003
    await client.async_bind(ALPHAESS_SYSTEM, "000000")
    assert logged(simulator) == ("POST", "bindSn", {}, 200)
    assert alphaess.writes == []


async def test_binding_refusals(client: AlphaEssClient) -> None:
    """A wrong CheckCode (6004), an unknown serial (6038), a wrong code (6046), a stranger (6005)."""
    with pytest.raises(AlphaEssRefusedError) as refused:
        await client.async_request_verification_code(ALPHAESS_UNBOUND_SYSTEM, "AAAAAA")
    assert refused.value.code == 6004
    with pytest.raises(AlphaEssNotBoundError) as unknown:
        await client.async_request_verification_code("AL0000000000000", "AAAAAA")
    assert unknown.value.code == 6038
    with pytest.raises(AlphaEssRefusedError) as wrong:
        await client.async_bind(ALPHAESS_UNBOUND_SYSTEM, "123456")
    assert wrong.value.code == 6046
    with pytest.raises(AlphaEssNotBoundError) as stranger:
        await client.async_unbind(ALPHAESS_UNBOUND_SYSTEM)
    assert stranger.value.code == 6005


# ---------------------------------------------------------------------------------------------
# Errors


async def test_wrong_secret(make_client: Factory, simulator: Simulator) -> None:
    """6007 (the signature does not verify): the credentials are wrong."""
    client = make_client(secret="0" * 32)
    with pytest.raises(ApiAuthError) as caught:
        await client.async_get_systems()
    assert type(caught.value) is ApiAuthError
    assert logged(simulator) == ("GET", "getEssList", {}, 200)


async def test_clock_off(
    client: AlphaEssClient, simulator: Simulator, clock: Clock
) -> None:
    """6009: a timestamp more than 300 s from the server's clock is refused, not retried."""
    # The client's clock runs 301 s behind the simulator's.
    clock.fake.advance(-301)
    simulator.clock = FakeClock(NOW)
    with pytest.raises(AlphaEssClockError) as caught:
        await client.async_get_systems()
    assert caught.value.code == 6009
    assert simulator.count_requests("alphaess") == 1
    clock.fake.advance(2)
    assert len(await client.async_get_systems()) == 2


async def test_permission(client: AlphaEssClient) -> None:
    """6017: an AppID without the periodic permission, on both the read and the write."""
    with pytest.raises(AlphaEssPermissionError) as read:
        await client.async_get_periodic(ALPHAESS_LEGACY_SYSTEM)
    assert read.value.code == 6017
    schedule = await client.async_get_periodic(ALPHAESS_SYSTEM)
    with pytest.raises(AlphaEssPermissionError) as write:
        await client.async_set_periodic(ALPHAESS_LEGACY_SYSTEM, schedule)
    assert write.value.code == 6017


async def test_no_live_power(client: AlphaEssClient) -> None:
    """6016: a model that does not serve live power."""
    with pytest.raises(AlphaEssNoDataError) as caught:
        await client.async_get_live_power(ALPHAESS_LEGACY_SYSTEM)
    assert caught.value.code == 6016


async def test_not_bound(client: AlphaEssClient) -> None:
    """6005: a system that is not bound to the AppID."""
    with pytest.raises(AlphaEssNotBoundError) as caught:
        await client.async_get_live_power(ALPHAESS_UNBOUND_SYSTEM)
    assert caught.value.code == 6005


async def test_offline(client: AlphaEssClient, alphaess: AlphaEssSimulator) -> None:
    """6042: the system is offline (a connection problem: try again later)."""
    alphaess.offline.add(ALPHAESS_SYSTEM)
    with pytest.raises(AlphaEssOfflineError) as caught:
        await client.async_get_live_power(ALPHAESS_SYSTEM)
    assert caught.value.code == 6042
    assert isinstance(caught.value, ApiConnectionError)


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("code_6005", AlphaEssNotBoundError, 6005),
        ("code_6007", ApiAuthError, None),
        ("code_6009", AlphaEssClockError, 6009),
        ("code_6016", AlphaEssNoDataError, 6016),
        ("code_6017", AlphaEssPermissionError, 6017),
        ("code_6026", AlphaEssServerError, 6026),
        ("code_6042", AlphaEssOfflineError, 6042),
        ("code_6053", ApiRateLimitedError, None),
        ("code_10001", AlphaEssRefusedError, 10001),
    ],
)
async def test_code_faults(
    client: AlphaEssClient,
    simulator: Simulator,
    fault: str,
    error: type[ApiError],
    code: int | None,
) -> None:
    """Each code the simulator can inject raises its class, once (codes are not retried)."""
    simulator.fault_next("alphaess", fault)
    with pytest.raises(ApiError) as caught:
        await client.async_get_summary(ALPHAESS_SYSTEM)
    assert type(caught.value) is error
    assert getattr(caught.value, "code", None) == code
    assert simulator.count_requests("alphaess") == 1
    assert (await client.async_get_summary(ALPHAESS_SYSTEM)).currency is None


async def test_wrong_verb(client: AlphaEssClient, simulator: Simulator) -> None:
    """A wrong verb gets Spring's bare 405 (no `code`): a refused request."""
    with pytest.raises(ApiRejectedError) as caught:
        await client._call("POST", "getEssList", body={})
    assert type(caught.value) is ApiRejectedError
    assert logged(simulator) == ("POST", "getEssList", {}, 405)


async def test_server_errors_are_retried(
    client: AlphaEssClient, simulator: Simulator
) -> None:
    """Spring's 500 and the gateway's 502 are retried; `malformed` is an invalid response."""
    simulator.fault_next("alphaess", "http_500")
    simulator.fault_next("alphaess", "http_502")
    assert len(await client.async_get_systems()) == 2
    assert [record.status for record in simulator.requests] == [500, 502, 200]
    simulator.fault_next("alphaess", "malformed")
    with pytest.raises(ApiResponseError):
        await client.async_get_systems()


async def test_null_values_stay_unknown(
    client: AlphaEssClient, simulator: Simulator
) -> None:
    """Every number nulled by the server is None, never 0."""
    simulator.fault_next("alphaess", "null_values")
    power = await client.async_get_live_power(ALPHAESS_SYSTEM)
    assert (power.load, power.grid, power.battery, power.soc) == (None,) * 4
    assert (power.grid_import, power.battery_discharge) == (None, None)
    simulator.fault_next("alphaess", "null_values")
    energy = await client.async_get_day_energy(ALPHAESS_SYSTEM, YESTERDAY)
    assert energy is not None
    assert (energy.pv, energy.grid_import, energy.load) == (None, None, None)


# ---------------------------------------------------------------------------------------------
# 6053 and the budget


async def test_server_rate_limit_pauses_the_budget(
    make_client: Factory,
    simulator: Simulator,
    alphaess: AlphaEssSimulator,
    clock: Clock,
) -> None:
    """The simulator's own 11th request a minute is 6053: the AppID waits 60 s, then goes on."""
    alphaess.rate_limit = 10
    budget = make_budget(clock, RateLimit(count=100, period=60))
    client = make_client(budget=budget)
    for _ in range(10):
        await client.async_get_systems()
    with pytest.raises(ApiRateLimitedError) as caught:
        await client.async_get_systems()
    assert caught.value.retry_after == 60.0
    assert budget.paused_for() == 60.0
    assert simulator.count_requests("alphaess") == 11
    # The next request waits out the pause (on the fake clock), then is answered.
    assert len(await client.async_get_systems()) == 2
    assert clock.sleeps == [60.0]
    assert logged(simulator)[3] == 200


async def test_too_fast_backs_off_and_resets(
    make_client: Factory, simulator: Simulator, clock: Clock
) -> None:
    """6053 in a row: 60, 120, 240, 480, then 900 s at most; back to 60 after a success."""
    budget = make_budget(clock)
    client = make_client(budget=budget)
    waits = []
    refusals = 0
    for _ in range(6):
        simulator.fault_next("alphaess", "code_6053")
        with pytest.raises(ApiRateLimitedError) as caught:
            await client.async_get_live_power(ALPHAESS_SYSTEM)
        waits.append(caught.value.retry_after)
        assert budget.paused_for() == caught.value.retry_after
        if caught.value.retry_after > MAX_BUDGET_WAIT:
            # Paused longer than a request may wait: refused without asking AlphaESS.
            sent = simulator.count_requests("alphaess")
            with pytest.raises(ApiRateLimitedError):
                await client.async_get_systems()
            assert simulator.count_requests("alphaess") == sent
            refusals += 1
        clock.fake.advance(caught.value.retry_after)
    assert waits == [60.0, 120.0, 240.0, 480.0, 900.0, 900.0]
    assert refusals == sum(wait > MAX_BUDGET_WAIT for wait in waits) > 0
    await client.async_get_systems()
    simulator.fault_next("alphaess", "code_6053")
    with pytest.raises(ApiRateLimitedError) as caught:
        await client.async_get_systems()
    assert caught.value.retry_after == 60.0


async def test_signature_is_made_after_a_long_budget_wait(
    make_client: Factory, simulator: Simulator, clock: Clock
) -> None:
    """A backfill request that waited an hour for the budget is signed when it is sent."""
    budget = make_budget(clock, RateLimit(count=1, period=3600))
    client = make_client(budget=budget)
    await client.async_get_systems()
    samples = await client.async_get_day_power(ALPHAESS_SYSTEM, YESTERDAY, patient=True)
    assert len(samples) == 288
    assert sum(clock.sleeps) == 3600.0
    sent_at = int((NOW + timedelta(hours=1)).timestamp())
    assert clock.signed_at == [int(NOW.timestamp()), sent_at]
    assert logged(simulator)[3] == 200
    assert last(simulator).time == NOW + timedelta(hours=1)


# ---------------------------------------------------------------------------------------------
# The secret


async def test_secret_never_shows(make_client: Factory, simulator: Simulator) -> None:
    """Neither repr(client) nor any error's text holds the AppSecret."""
    client = make_client()
    assert repr(client) == "AlphaEssClient(app_id=…a46)"
    assert ALPHAESS_APP_SECRET not in repr(client)
    errors: list[ApiError] = []

    async def collect(call: Awaitable[Any]) -> None:
        with pytest.raises(ApiError) as caught:
            await call
        errors.append(caught.value)

    for fault in ("code_6007", "code_6009", "code_6053"):
        simulator.fault_next("alphaess", fault)
        await collect(client.async_get_systems())
    simulator.fault_next("alphaess", "http_500", count=4)  # the first try and 3 retries
    await collect(client.async_get_systems())
    await collect(client.async_get_periodic(ALPHAESS_LEGACY_SYSTEM))
    await collect(client.async_get_live_power(ALPHAESS_UNBOUND_SYSTEM))
    await collect(client._call("POST", "getEssList", body={}))
    await collect(make_client(secret="0" * 32).async_get_systems())
    assert [type(error) for error in errors] == [
        ApiAuthError,
        AlphaEssClockError,
        ApiRateLimitedError,
        ApiConnectionError,
        AlphaEssPermissionError,
        AlphaEssNotBoundError,
        ApiRejectedError,
        ApiAuthError,
    ]
    for error in errors:
        assert ALPHAESS_APP_SECRET not in str(error)
        assert ALPHAESS_APP_SECRET not in repr(error)
        assert ALPHAESS_APP_SECRET not in repr(error.__dict__)
