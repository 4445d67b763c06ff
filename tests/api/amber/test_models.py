"""Amber payloads parse exactly: real captured payloads (shared/fixtures/amber, copied here)."""

from datetime import UTC, date, datetime
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.openpower.api.amber.models import (
    ChannelType,
    Descriptor,
    IntervalKind,
    SiteStatus,
    SpikeStatus,
    UsageQuality,
    parse_prices,
    parse_sites,
    parse_usage,
)
from custom_components.openpower.api.errors import ApiResponseError

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "amber"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Unknown(list[tuple[str, str]]):
    """Collects what the parser reports as unknown."""

    def __call__(self, field: str, value: str) -> None:
        self.append((field, value))


def test_current_interval_30min_estimate() -> None:
    """public-api #168: a 30-minute estimated CurrentInterval, cents become dollars."""
    unknown = Unknown()
    (interval,) = parse_prices(
        _load("issue168_prices_current_general_only_30min.json"), unknown
    )
    assert interval.kind is IntervalKind.CURRENT
    assert interval.channel is ChannelType.GENERAL
    assert interval.start == datetime(
        2023, 11, 15, 9, 30, tzinfo=UTC
    )  # …:30:01Z rounded
    assert interval.end == datetime(2023, 11, 15, 10, 0, tzinfo=UTC)
    assert interval.duration_minutes == 30
    assert interval.nem_date == date(2023, 11, 15)
    assert interval.nem_time.utcoffset().total_seconds() == 36000
    assert interval.per_kwh == pytest.approx(0.4012465)
    assert interval.spot_per_kwh == pytest.approx(0.2369888)
    assert interval.renewables == pytest.approx(20.244)
    assert interval.descriptor is Descriptor.LOW
    assert interval.spike_status is SpikeStatus.NONE
    assert interval.estimate is True
    assert interval.tariff_period is None
    assert interval.demand_window is None
    assert interval.advanced_price is None
    assert unknown == []


def test_current_interval_5min_with_tariff() -> None:
    """public-api #222: a confirmed 5-minute interval with tariffInformation.demandWindow."""
    (interval,) = parse_prices(
        [_load("issue222_current_interval_5min.json")], Unknown()
    )
    assert interval.per_kwh == pytest.approx(0.1939453)
    assert interval.descriptor is Descriptor.VERY_LOW
    assert interval.estimate is False
    assert interval.demand_window is False
    assert interval.start == datetime(2024, 9, 11, 23, 50, tzinfo=UTC)


def test_forecast_with_advanced_price() -> None:
    """public-api #247: a forecast carries the advanced price band, in dollars."""
    current, forecast = parse_prices(
        _load("issue247_prices_current_next3_previous2_TRUNCATED.json"), Unknown()
    )
    assert current.kind is IntervalKind.CURRENT
    assert forecast.kind is IntervalKind.FORECAST
    assert forecast.estimate is None
    assert forecast.advanced_price is not None
    assert forecast.advanced_price.low == pytest.approx(0.168671)
    assert forecast.advanced_price.predicted == pytest.approx(0.184751)
    assert forecast.advanced_price.high == pytest.approx(0.1984065)


def test_usage() -> None:
    """public-api #256: cost is in cents (0.025 kWh × 19.05 c = 0.4762 c)."""
    (usage,) = parse_usage(_load("issue256_usage_5min_TRUNCATED.json"), Unknown())
    assert usage.channel is ChannelType.GENERAL
    assert usage.channel_identifier == "E1"
    assert usage.kwh == pytest.approx(0.025)
    assert usage.cost == pytest.approx(0.004762)
    assert usage.per_kwh == pytest.approx(0.1904971)
    assert usage.quality is UsageQuality.BILLABLE
    assert usage.start == datetime(2025, 7, 13, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("channel", "sign"),
    [("general", 1), ("controlledLoad", 1), ("feedIn", -1)],
)
def test_user_view_of_prices(channel: str, sign: int) -> None:
    """Amber's feed-in price is negative when you are paid: the user's view is what you are paid.

    Import channels keep Amber's sign (what you pay); the market's spot price and range are
    never flipped.
    """
    item = _load("issue247_prices_current_next3_previous2_TRUNCATED.json")[1]
    (interval,) = parse_prices([item | {"channelType": channel}], Unknown())
    assert interval.per_kwh == pytest.approx(0.226537)
    assert interval.user_per_kwh == pytest.approx(sign * 0.226537)
    band = interval.user_advanced_price
    assert band is not None
    assert (band.low, band.predicted, band.high) == pytest.approx(
        (sign * 0.168671, sign * 0.184751, sign * 0.1984065)
    )
    assert interval.spot_per_kwh == pytest.approx(0.1459772)
    (without_band,) = parse_prices(
        [item | {"channelType": channel, "advancedPrice": None}], Unknown()
    )
    assert without_band.user_advanced_price is None


@pytest.mark.parametrize(
    ("channel", "kwh", "cost", "user_kwh", "user_cost"),
    [
        ("general", 0.025, 0.4762, 0.025, 0.004762),
        # Exported and paid: Amber sends both negative.
        ("feedIn", -0.025, -0.0625, 0.025, 0.000625),
        # Exported while the feed-in price is negative: you pay to export.
        ("feedIn", -0.025, 0.0625, 0.025, -0.000625),
    ],
)
def test_user_view_of_usage(
    channel: str, kwh: float, cost: float, user_kwh: float, user_cost: float
) -> None:
    """Exported energy is positive, and so is what you are paid for it."""
    item = _load("issue256_usage_5min_TRUNCATED.json")[0]
    (usage,) = parse_usage(
        [item | {"channelType": channel, "kwh": kwh, "cost": cost}], Unknown()
    )
    assert usage.kwh == pytest.approx(kwh)
    assert usage.user_kwh == pytest.approx(user_kwh)
    assert usage.user_cost == pytest.approx(user_cost)


def test_sites() -> None:
    """Sites with channels, status, interval length and dates."""
    sites = parse_sites(
        [
            {
                "id": "01F5A5CRKMZ5BCX9P1S4V990AM",
                "nmi": "3052282872",
                "channels": [
                    {"identifier": "E1", "type": "general", "tariff": "A100"},
                    {"identifier": "B1", "type": "feedIn", "tariff": "A100"},
                ],
                "network": "Jemena",
                "status": "closed",
                "activeFrom": "2022-01-01",
                "closedOn": "2024-03-31",
                "intervalLength": 30,
            },
            {"id": "X", "nmi": "1", "channels": [], "status": "active"},
        ],
        Unknown(),
    )
    assert sites[0].status is SiteStatus.CLOSED
    assert [c.type for c in sites[0].channels] == [
        ChannelType.GENERAL,
        ChannelType.FEED_IN,
    ]
    assert sites[0].closed_on == date(2024, 3, 31)
    assert sites[0].interval_minutes == 30
    assert sites[1].network is None
    assert sites[1].interval_minutes == 30  # older accounts: intervalLength absent


def test_unknown_values_are_reported_not_fatal() -> None:
    """Enum values Amber never sent: the field is None, the interval stays, each is reported."""
    item = _load("issue222_current_interval_5min.json")
    item |= {
        "descriptor": "superLow",
        "spikeStatus": "mega",
        "tariffInformation": {"period": "superPeak", "season": "monsoon"},
    }
    battery = _load("issue222_current_interval_5min.json") | {"channelType": "battery"}
    unknown = Unknown()
    (interval,) = parse_prices([item, battery], unknown)
    assert interval.descriptor is None
    assert interval.spike_status is None
    assert interval.tariff_period is None
    assert sorted(unknown) == [
        ("channel type", "battery"),
        ("descriptor", "superLow"),
        ("spike status", "mega"),
        ("tariff period", "superPeak"),
        ("tariff season", "monsoon"),
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"message": "Internal server error"}, "expected a JSON array"),
        ([{"type": "CurrentInterval", "channelType": "general"}], "missing: startTime"),
        (
            [_load("issue222_current_interval_5min.json") | {"perKwh": "19.3"}],
            "perKwh is not a number",
        ),
        (
            [_load("issue222_current_interval_5min.json") | {"startTime": "yesterday"}],
            "startTime is not a date-time",
        ),
        (
            [
                _load("issue222_current_interval_5min.json")
                | {"startTime": "2024-09-11T23:50:01"}
            ],
            "startTime has no time zone",
        ),
        (
            [_load("issue222_current_interval_5min.json") | {"tariffInformation": []}],
            "tariffInformation is not an object",
        ),
    ],
)
def test_malformed_prices(payload: Any, message: str) -> None:
    """Shapes we cannot use raise ApiResponseError with a clear, secret-free message."""
    with pytest.raises(ApiResponseError, match=message):
        parse_prices(payload, Unknown())


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ({"id": 7, "nmi": "1", "channels": []}, "id is not a string"),
        (
            {"id": "X", "nmi": "1", "channels": [], "activeFrom": 20240101},
            "activeFrom is not a date",
        ),
        (
            {"id": "X", "nmi": "1", "channels": [], "closedOn": "31/03/2024"},
            "closedOn is not a date",
        ),
    ],
)
def test_malformed_site_fields(site: dict[str, Any], message: str) -> None:
    """Wrong types in a site."""
    with pytest.raises(ApiResponseError, match=message):
        parse_sites([site], Unknown())


def test_malformed_sites() -> None:
    """A site with an impossible interval length."""
    with pytest.raises(ApiResponseError, match="intervalLength"):
        parse_sites(
            [{"id": "X", "nmi": "1", "channels": [], "intervalLength": 7}], Unknown()
        )
    with pytest.raises(ApiResponseError, match="channels"):
        parse_sites([{"id": "X", "nmi": "1", "channels": ["E1"]}], Unknown())
