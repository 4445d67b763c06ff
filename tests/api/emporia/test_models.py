"""Emporia payloads parse exactly; readings follow the sign convention of `Channel`.

The payloads are real captures (shared/fixtures/emporia, copied here).
"""

from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.openpower.api.emporia.models import (
    Channel,
    Usages,
    charger_update,
    parse_charger,
    parse_chart_usage,
    parse_customer_devices,
    parse_outlet,
    parse_status,
    parse_usages,
)
from custom_components.openpower.api.errors import ApiResponseError

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "emporia"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_devices_2026_capture() -> None:
    """The 2026 capture (charger, gids as strings) gives the charger with its fields."""
    customer = parse_customer_devices(_load("ha-emporia-ev_devices.json"))
    assert customer.gid == 1111111111
    (device,) = customer.devices
    assert device.model == "VVDN01"
    assert device.name == "701 Zephyr"
    assert device.time_zone == "America/Los_Angeles"
    assert device.connected is True
    assert device.parent_gid is None
    (channel,) = device.channels
    assert channel.is_mains
    assert not channel.bidirectional
    charger = device.charger
    assert charger is not None
    assert charger.load_gid == 386601
    assert (charger.charging_rate, charger.max_charging_rate) == (40, 40)
    assert charger.breaker_pin == "5426"
    assert charger.plugged_in is False
    assert device.outlet is None


def test_devices_older_shape_with_outlet() -> None:
    """PyEmVue's documented shape: a Vue and a plug; no connection info, null channel type."""
    customer = parse_customer_devices(_load("pyemvue_docs_get_customers_devices.json"))
    vue, plug = customer.devices
    assert vue.model == "VUE001"
    assert vue.connected is None
    assert vue.channels[0].type_gid is None
    assert plug.outlet is not None
    assert plug.outlet.on is False
    assert plug.outlet.load_gid is None


def test_nested_devices_are_flattened() -> None:
    """A Vue on a sub-panel comes after its parent, which it names."""
    payload = {
        "customerGid": 1,
        "email": "a@b.c",
        "devices": [
            {
                "deviceGid": 10,
                "model": "VUE002",
                "channels": [{"channelNum": "1,2,3", "type": "Main"}],
                "devices": [
                    {
                        "deviceGid": 11,
                        "model": "VUE003",
                        "channels": [
                            {"channelNum": "4", "type": "FiftyAmpBidirectional"}
                        ],
                    }
                ],
            }
        ],
    }
    customer = parse_customer_devices(payload)
    assert [d.gid for d in customer.devices] == [10, 11]
    assert customer.devices[1].parent_gid == 10
    assert customer.devices[1].channels[0].bidirectional


def test_status_capture() -> None:
    """The live status capture: one connected charger, no outlet."""
    status = parse_status(_load("ha-emporia-ev_device_status.json"))
    assert status.connected == {1111111111: True}
    assert status.outlets == {}
    assert status.chargers[1111111111].status == "Standby"


def test_charger_update_keeps_reported_fields() -> None:
    """A write changes one field and repeats the others as reported, PIN included."""
    charger = parse_charger(
        _load("probe2026_legacy_devices_status_evChargers_item.json")
    )
    assert charger.plugged_in is True
    body = charger_update(charger, rate=16)
    assert body == {
        "deviceGid": 371548,
        "loadGid": 225125,
        "chargerOn": True,
        "chargingRate": 16,
        "maxChargingRate": 40,
        "breakerPIN": "…",
    }
    no_pin = parse_charger(_load("pyemvue_docs_put_evcharger_response.json"))
    assert "breakerPIN" not in charger_update(no_pin, on=True)
    assert charger_update(no_pin, on=True)["chargerOn"] is True


def test_outlet_answer() -> None:
    """The PUT devices/outlet answer parses."""
    outlet = parse_outlet(_load("pyemvue_docs_put_devices_outlet_response.json"))
    assert (outlet.device_gid, outlet.on) == (1234, True)


def test_usages_nested_and_balance() -> None:
    """1D usages: nested devices under their own gid, Balance kept."""
    usages = parse_usages(_load("pyemvue_docs_getDeviceListUsages_1D.json"))
    assert usages.scale == "1D"
    assert usages.instant == datetime(2021, 8, 18, 19, 46, 19, tzinfo=UTC)
    assert usages.values[1234, "1,2,3"] == pytest.approx(10.234881177404192)
    assert usages.values[2345, "1,2,3"] == pytest.approx(2.904190340656776)
    assert usages.values[1234, "Balance"] == pytest.approx(1.595748729527017)
    assert usages.values[1234, "2"] == 0.0


def test_usages_1min_capture_and_null() -> None:
    """The 1MIN capture parses; a null usage stays None (unknown, never 0)."""
    payload = _load("ha-emporia-ev_usage_1min.json")
    assert parse_usages(payload).values == {(1111111111, "1,2,3"): 0.0}
    payload["deviceListUsages"]["devices"][0]["channelUsages"][0]["usage"] = None
    assert parse_usages(payload).values == {(1111111111, "1,2,3"): None}


def test_chart_usage() -> None:
    """The getChartUsage answer as documented (the published sample has a trailing comma: fixed here)."""
    text = (FIXTURES / "pyemvue_docs_getChartUsage.json.txt").read_text()
    chart = parse_chart_usage(json.loads(text.replace(",\n    ]", "\n    ]")))
    assert chart.first_instant == datetime(2021, 2, 8, 20, tzinfo=UTC)
    assert len(chart.values) == 3
    assert parse_chart_usage(
        {"usageList": [1, None], "firstUsageInstant": "2026-01-01T00:00:00Z"}
    ).values == (1.0, None)


@pytest.mark.parametrize(
    ("parser", "payload"),
    [
        (parse_customer_devices, []),
        (parse_customer_devices, {"devices": []}),
        (parse_customer_devices, {"customerGid": "x", "devices": []}),
        (parse_customer_devices, {"customerGid": True, "devices": []}),
        (parse_customer_devices, {"customerGid": 1, "devices": [{"deviceGid": 2, "channels": [{}]}]}),
        (parse_status, {"outlets": [{"deviceGid": 1, "outletOn": "yes"}]}),
        (parse_status, {"evChargers": [{"deviceGid": 1, "chargerOn": True}]}),
        (parse_usages, {"deviceListUsages": {"scale": "1MIN", "devices": []}}),
        (parse_usages, {"deviceListUsages": {"instant": "2026-01-01T00:00:00Z", "scale": "1MIN", "devices": [{"channelUsages": [{"deviceGid": 1, "usage": 1}]}]}}),
        (parse_chart_usage, {"usageList": ["1"], "firstUsageInstant": "2026-01-01T00:00:00Z"}),
        (parse_chart_usage, {"usageList": [1], "firstUsageInstant": "2026-01-01T00:00:00"}),
        (parse_chart_usage, {"usageList": [1.5, float("inf")], "firstUsageInstant": "2026-01-01T00:00:00Z"}),
        (parse_chart_usage, json.loads('{"usageList": [1e999], "firstUsageInstant": "2026-01-01T00:00:00Z"}')),
        (parse_chart_usage, {"usageList": [float("nan")], "firstUsageInstant": "2026-01-01T00:00:00Z"}),
        (parse_usages, json.loads('{"deviceListUsages": {"instant": "2026-01-01T00:00:00Z", "scale": "1H", "devices": [{"deviceGid": 1, "channelUsages": [{"deviceGid": 1, "channelNum": "1,2,3", "usage": 1e999}]}]}}')),
    ],
)  # fmt: skip
def test_malformed(parser: Any, payload: Any) -> None:
    """A payload of the wrong shape is an invalid response, not a crash."""
    with pytest.raises(ApiResponseError):
        parser(payload)


def _channel(
    number: str, kind: str | None = "FiftyAmp", type_gid: int | None = None
) -> Channel:
    return Channel(
        device_gid=1,
        number=number,
        name=None,
        multiplier=1.0,
        type_gid=type_gid,
        kind=kind,
    )


MAINS_CHANNEL = _channel("1,2,3", "Main")
SOLAR = _channel("6", "FiftyAmpBidirectional")
SOLAR_BY_TYPE = _channel("6", None, type_gid=13)
CIRCUIT = _channel("1")


@pytest.mark.parametrize(
    ("channel", "kwh", "watts", "consumed", "produced"),
    [
        # The mains: + importing, − exporting.
        pytest.param(MAINS_CHANNEL, 0.01, 600.0, 0.01, 0.0, id="mains importing"),
        pytest.param(MAINS_CHANNEL, -0.02, -1200.0, 0.0, 0.02, id="mains exporting"),
        # A bidirectional channel: − while producing (by its type name or its type id).
        pytest.param(SOLAR, -0.05, -3000.0, 0.0, 0.05, id="solar producing"),
        pytest.param(SOLAR, 0.001, 60.0, 0.001, 0.0, id="solar consuming"),
        pytest.param(SOLAR_BY_TYPE, -0.05, -3000.0, 0.0, 0.05, id="solar by type"),
        # An ordinary circuit is a load: a clamp fitted backwards counts by magnitude.
        pytest.param(CIRCUIT, 0.002, 120.0, 0.002, 0.0, id="circuit"),
        pytest.param(CIRCUIT, -0.002, 120.0, 0.002, 0.0, id="circuit reversed"),
        pytest.param(CIRCUIT, 0.0, 0.0, 0.0, 0.0, id="circuit idle"),
    ],
)
def test_sign_convention(
    channel: Channel, kwh: float, watts: float, consumed: float, produced: float
) -> None:
    """A minute's kWh becomes mean W, signed; energy splits into positive quantities."""
    assert channel.minute_watts(kwh) == pytest.approx(watts)
    assert channel.consumed_kwh(kwh) == pytest.approx(consumed)
    assert channel.produced_kwh(kwh) == pytest.approx(produced)


def test_usages_minute_watts() -> None:
    """Every channel of a 1MIN answer in W; Balance and unknown channels keep their sign."""
    usages = Usages(
        instant=datetime(2026, 11, 23, 20, tzinfo=UTC),
        scale="1MIN",
        values={
            (1, "1,2,3"): -0.01,
            (1, "1"): -0.002,
            (1, "Balance"): -0.001,
            (2, "1,2,3"): 0.003,
            (1, "6"): None,
        },
    )
    watts = usages.minute_watts(
        {(1, "1,2,3"): MAINS_CHANNEL, (1, "1"): CIRCUIT, (1, "6"): SOLAR}
    )
    assert watts.pop((1, "6")) is None
    assert watts == pytest.approx(
        {
            (1, "1,2,3"): -600.0,
            (1, "1"): 120.0,
            (1, "Balance"): -60.0,
            (2, "1,2,3"): 180.0,
        }
    )
