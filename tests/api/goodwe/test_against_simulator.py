"""GoodWeClient against the project's SEMS+ simulator over loopback: the whole read path, faults.

The simulator verifies the password hash and every `X-Signature` on its own (tests/simulator/
goodwe.py): these tests pass only if the client signs, logs in and reads as SEMS+ wants.
"""

from collections.abc import AsyncGenerator
from datetime import timedelta

import aiohttp
import pytest

from custom_components.openpower.api.errors import (
    ApiAuthError,
    ApiRateLimitedError,
    ApiResponseError,
)
from custom_components.openpower.api.goodwe import (
    DeviceKind,
    Dimension,
    GoodWeClient,
    StationAccessError,
)
from tests.simulator import (
    GOODWE_BATTERY_SN,
    GOODWE_EMAIL,
    GOODWE_INVERTER_SN,
    GOODWE_METER_SN,
    GOODWE_PASSWORD,
    GOODWE_PV_STATION,
    GOODWE_STATION,
    Simulator,
)


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain session (Home Assistant injects its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> GoodWeClient:
    """A client of the simulator's demo (visitor) account."""
    return GoodWeClient(
        session,
        username=GOODWE_EMAIL,
        password=GOODWE_PASSWORD,
        api_url=simulator.urls("goodwe")["api_url"],
        backoff=0.001,
    )


async def test_read_path(client: GoodWeClient, simulator: Simulator) -> None:
    """Login, the regional gateway, stations, flow, devices, telemetry, counters, statistics."""
    await client.async_login()
    assert client.gateway is not None
    assert "/eu-gateway/" in client.gateway
    stations = await client.async_stations()
    assert [station.id for station in stations] == [GOODWE_STATION]
    flow = await client.async_flow(GOODWE_STATION)
    assert flow.pv_w is not None and flow.load_w is not None
    assert flow.soc is not None and 0 <= flow.soc <= 100
    # Power balance: PV + grid import + battery discharge = load (W, rounding of kW).
    assert flow.grid_w is not None and flow.battery_w is not None
    assert flow.pv_w + flow.grid_w + flow.battery_w == pytest.approx(
        flow.load_w, abs=15
    )
    devices = {
        device.sn: device for device in await client.async_devices(GOODWE_STATION)
    }
    assert devices[GOODWE_INVERTER_SN].kind is DeviceKind.INVERTER
    assert devices[GOODWE_BATTERY_SN].kind is DeviceKind.BATTERY
    assert devices[GOODWE_METER_SN].kind is DeviceKind.METER
    inverter = devices[GOODWE_INVERTER_SN]
    telemetry = await client.async_telemetry(
        GOODWE_STATION, inverter.sn, inverter.device_type
    )
    assert telemetry.ac_power_w is not None
    counters = await client.async_counters(
        GOODWE_STATION, inverter.sn, inverter.device_type
    )
    assert counters.pv_kwh is not None and counters.pv_kwh > 0
    today = simulator.goodwe.clock().date()
    buckets = await client.async_statistics(
        GOODWE_STATION,
        Dimension.DAY,
        today - timedelta(days=6),
        today - timedelta(days=1),
    )
    assert len(buckets) == 6
    assert all(bucket.pv_kwh is not None and bucket.pv_kwh > 0 for bucket in buckets)
    # Only the login went to the login host; the data went to the gateway.
    paths = [r.path for r in simulator.requests if r.provider == "goodwe"]
    assert [p for p in paths if p.startswith("/goodwe/semsplus/")] == [
        "/goodwe/semsplus/web/sems/sems-user/api/v1/auth/cross-login"
    ]
    assert all(p.startswith("/goodwe/eu-gateway/") for p in paths[1:])
    assert simulator.goodwe.peak_in_flight("demo") <= 2


async def test_expired_session_logs_in_once_more(
    client: GoodWeClient, simulator: Simulator
) -> None:
    """100002 mid-session: one new login, the call repeated, the caller sees data."""
    await client.async_login()
    simulator.fault_next("goodwe", "session_expired")
    flow = await client.async_flow(GOODWE_STATION)
    assert flow.pv_w is not None


async def test_replaced_session_logs_in_once_more(
    client: GoodWeClient, simulator: Simulator
) -> None:
    """C0602 (another login took the session): one new login and the call repeated."""
    await client.async_login()
    simulator.fault_next("goodwe", "session_replaced")
    assert (await client.async_stations())[0].id == GOODWE_STATION


async def test_rate_limited_backs_off_300_seconds(
    client: GoodWeClient, simulator: Simulator
) -> None:
    """GY0429: ApiRateLimitedError asking for 300 s."""
    await client.async_login()
    simulator.fault_next("goodwe", "rate_limited")
    with pytest.raises(ApiRateLimitedError) as err:
        await client.async_flow(GOODWE_STATION)
    assert err.value.retry_after == 300


async def test_empty_data_is_an_error_not_zeros(
    client: GoodWeClient, simulator: Simulator
) -> None:
    """The 2026-09-23 break (code 0, data {}): an error naming it, never a flow of zeros."""
    await client.async_login()
    simulator.fault_next("goodwe", "empty_data")
    with pytest.raises(ApiResponseError):
        await client.async_flow(GOODWE_STATION)


async def test_wrong_password_and_foreign_station(
    simulator: Simulator, session: aiohttp.ClientSession, client: GoodWeClient
) -> None:
    """100005 → ApiAuthError; another account's station → StationAccessError."""
    wrong = GoodWeClient(
        session,
        username=GOODWE_EMAIL,
        password="not-the-password",
        api_url=simulator.urls("goodwe")["api_url"],
    )
    with pytest.raises(ApiAuthError):
        await wrong.async_login()
    await client.async_login()
    with pytest.raises(StationAccessError):
        await client.async_flow(GOODWE_PV_STATION)
