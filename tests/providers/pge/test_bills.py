"""Bills on the usage points: rate plan, line items, NEM minimum charges, bill to date.

From the real captures (`summarize` on the 2021 QA NEM feed and the Verdigris line-item feed),
from summaries made here for what PG&E never sent (`billToDate`), and end to end through the
simulator, whose expectations come from its own model (`pge_feed.usage_summary`).
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
import json
from pathlib import Path
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.openpower.api.pge import (
    EspiFeed,
    EspiParser,
    Quantity,
    UsageSummary,
)
from custom_components.openpower.entity import DeviceRef
from custom_components.openpower.providers.pge.coordinator import PgeUsage
from custom_components.openpower.providers.pge.history import (
    FeedCollector,
    LineItem,
    PointSummary,
    summarize,
)
from custom_components.openpower.providers.pge.sensor import RATE_PLANS, SENSORS
from tests.common import only_platform
from tests.simulator import Simulator
from tests.simulator.pge_feed import (
    PgeUsagePoint,
    billing_periods,
    open_period_summary,
    usage_summary,
)

from .common import NOW, set_up

FIXTURES = Path(__file__).parents[2] / "simulator/fixtures/pge"
QA_NEM = "espi_pge_qa_batch_subscription_usagepoint_sync_2021_nem_usagesummary_scwadd_trimmed.xml"
VERDIGRIS = "espi_pge_usagesummary_feed_cost_lineitems_2015-2018_verdigris.xml"
QA_POINT = "4038320268"
NEW_SENSORS = (
    "rate_plan",
    "last_bill",
    "nem_minimum_charge",
    "last_bill_consumption",
    "bill_to_date",
    "current_period_consumption",
)


def read(name: str) -> tuple[FeedCollector, EspiFeed]:
    """Parse a fixture the way a notified feed is parsed."""
    collector = FeedCollector()
    parser = EspiParser(collector.on_block)
    parser.feed((FIXTURES / name).read_bytes())
    feed = parser.close()
    collector.finish()
    return collector, feed


def utc(*args: int) -> datetime:
    """A UTC time."""
    return datetime(*args, tzinfo=UTC)


def test_qa_nem_capture() -> None:
    """The 2021 QA NEM feed: HE6N, the newest period's minimum charge and its one line.

    The feed lists its periods out of order (March, June, April, May): June's is the last bill.
    """
    collector, feed = read(QA_NEM)
    summary = summarize(collector, feed, {})[QA_POINT]
    assert summary.rate_plan == "HE6N"
    assert summary.read_cycle == "G"
    assert summary.nem_minimum is True
    assert (summary.bill_amount, summary.bill_currency) == (9.86, "USD")
    assert summary.bill_period_start == utc(2021, 6, 29, 7)
    assert summary.bill_period_end == utc(2021, 7, 29, 7)
    assert (summary.bill_consumption, summary.bill_consumption_unit) == (919.3, "kWh")
    assert summary.line_items == (
        LineItem(
            kind="energy_usage_fee",
            note="NEM Minimum Delivery Charges",
            amount=9.86,
            unit_cost=0.32854,
            quantity=30.0,
            unit="kWh",
            period_start=utc(2021, 6, 30, 7),
            period_end=utc(2021, 7, 29, 7),
        ),
    )
    assert summary.bill_to_date is None
    assert summary.bill_to_date_period_start is None


def test_verdigris_line_items() -> None:
    """The Verdigris feed: HAG5A, five priced lines (one in kW), no currency sent.

    The feed has no readings: the point is known from before (`previous`). Its two older
    summaries (consumption only, no plan) do not replace the newest.
    """
    previous = {"1": PointSummary(point="1", kind="electricity")}
    collector, feed = read(VERDIGRIS)
    summary = summarize(collector, feed, previous)["1"]
    period = (utc(2015, 6, 11, 7), utc(2015, 7, 10, 7))
    assert (summary.rate_plan, summary.read_cycle) == ("HAG5A", "Q")
    assert summary.nem_minimum is False
    assert (summary.bill_amount, summary.bill_currency) == (233.64, None)
    assert (summary.bill_period_start, summary.bill_period_end) == period
    assert (summary.bill_consumption, summary.bill_consumption_unit) == (146.0, "kWh")
    assert [
        (item.kind, item.note, item.amount, item.unit_cost, item.quantity, item.unit)
        for item in summary.line_items
    ] == [
        ("energy_usage_fee", "Part Peak Energy Charge", 12.0, 0.12, 100.0, "kWh"),
        ("energy_usage_fee", "Off Peak Energy Charge", 36.0, 0.09, 400.0, "kWh"),
        ("energy_usage_fee", "Max Demand Charge", 0.77, 6.03, 0.96, "kW"),
        ("administrative_fee", "Customer Charge", 4.8, 1.2, 4.0, "kWh"),
        ("tax", "Energy Commission Tax", 0.01, None, 0.0, "kWh"),
    ]
    assert {(item.period_start, item.period_end) for item in summary.line_items} == {
        period
    }


def _open(
    bill: UsageSummary, start: datetime, amount: float, kwh: float
) -> UsageSummary:
    """A summary of the open period starting at `start` (what PG&E's XSD allows)."""
    return replace(
        bill,
        billing_period_start=start,
        bill_last_period=None,
        bill_to_date=amount,
        cost_details=(),
        consumption_last_period=None,
        consumption_current_period=Quantity(
            kwh, "kWh", None, start + timedelta(days=3)
        ),
        tariff_profile="E-TOU-C",
    )


def _with(collector: FeedCollector, feed: EspiFeed, *bills: UsageSummary) -> Any:
    return summarize(collector, replace(feed, usage_summaries=bills), {})[QA_POINT]


def test_bill_to_date() -> None:
    """An open period's summary sets the bill to date and never the last bill, in any order."""
    collector, feed = read(QA_NEM)
    june = next(
        bill
        for bill in feed.usage_summaries
        if bill.billing_period_start == utc(2021, 6, 29, 7)
    )
    july = _open(june, utc(2021, 7, 29, 7), 4.21, 61.5)
    for bills in ((june, july), (july, june)):
        summary = _with(collector, feed, *bills)
        assert (summary.bill_amount, summary.nem_minimum) == (9.86, True)
        assert summary.bill_period_start == utc(2021, 6, 29, 7)
        assert summary.bill_to_date == 4.21
        assert summary.bill_to_date_period_start == utc(2021, 7, 29, 7)
        assert (summary.current_consumption, summary.current_consumption_unit) == (
            61.5,
            "kWh",
        )
        assert summary.current_as_of == utc(2021, 8, 1, 7)
        # The open period is the newest: its plan is shown.
        assert summary.rate_plan == "E-TOU-C"

    # An open period's summary older than the last bill is that bill's period: ignored.
    summary = _with(collector, feed, june, _open(june, june.billing_period_start, 1, 2))
    assert (summary.bill_to_date, summary.rate_plan) == (None, "HE6N")

    # The period's bill closes it: the bill to date goes.
    july_bill = replace(june, billing_period_start=utc(2021, 7, 29, 7))
    summary = _with(collector, feed, july, july_bill)
    assert summary.bill_period_start == utc(2021, 7, 29, 7)
    assert summary.bill_to_date is None
    assert summary.current_consumption is None
    assert summary.rate_plan == "HE6N"


def test_bill_to_date_without_consumption_time() -> None:
    """Without the measurement's own time, the summary's status time says when."""
    collector, feed = read(QA_NEM)
    june = feed.usage_summaries[1]
    july = _open(june, utc(2021, 7, 29, 7), 4.21, 61.5)
    july = replace(
        july,
        consumption_current_period=Quantity(61.5, "kWh", None, None),
    )
    summary = _with(collector, feed, july)
    assert summary.current_as_of == june.status_time
    # A consumption in no energy unit is left out, the bill to date stays.
    summary = _with(
        collector,
        feed,
        replace(july, consumption_current_period=Quantity(61.5, "kW", None, None)),
    )
    assert (summary.bill_to_date, summary.current_consumption) == (4.21, None)


def test_stored_round_trip() -> None:
    """Every field survives the store (JSON); a summary stored before them still loads."""
    collector, feed = read(QA_NEM)
    june = feed.usage_summaries[1]
    summary = _with(collector, feed, june, _open(june, utc(2021, 7, 29, 7), 4.21, 61.5))
    stored = json.loads(json.dumps(summary.as_dict()))
    assert PointSummary.from_dict(stored) == summary
    old = {
        "point": "4038320268",
        "kind": "electricity",
        "latest_day": "2021-07-01",
        "latest_day_consumption": 12.5,
        "latest_day_return": None,
        "newest_interval_end": "2021-07-02T07:00:00+00:00",
        "has_return": True,
        "bill_amount": 9.86,
        "bill_currency": "USD",
        "bill_period_start": "2021-06-29T07:00:00+00:00",
        "bill_period_end": "2021-07-29T07:00:00+00:00",
    }
    assert PointSummary.from_dict(old) == PointSummary(
        point="4038320268",
        kind="electricity",
        latest_day=date(2021, 7, 1),
        latest_day_consumption=12.5,
        newest_interval_end=utc(2021, 7, 2, 7),
        has_return=True,
        bill_amount=9.86,
        bill_currency="USD",
        bill_period_start=utc(2021, 6, 29, 7),
        bill_period_end=utc(2021, 7, 29, 7),
    )


def _description(key: str) -> Any:
    return next(description for description in SENSORS if description.key == key)


@pytest.mark.parametrize(
    ("code", "state", "extra"),
    [
        ("E-TOU-C", "etouc", {"schedule": "E-TOU-C", "net_metering": False}),
        ("HE6N", "he6n", {"schedule": "E-6", "net_metering": True}),
        ("E1", "e1", {"schedule": "E-1", "net_metering": False}),
        ("EZ-9", "EZ-9", {}),
    ],
)
def test_rate_plan(code: str, state: str, extra: dict[str, Any]) -> None:
    """A known schedule is its key in lowercase; an unknown code is shown as sent, an option."""
    account = DeviceRef(uid="pge_50916", name="PG&E", manufacturer="PG&E")
    usage = PgeUsage(
        account=account,
        points=(
            PointSummary(point="1", kind="electricity", rate_plan=code, read_cycle="J"),
        ),
    )
    description = _description("rate_plan")
    assert description.value_fn(usage, "pge_1") == state
    options = description.options_fn(usage, "pge_1")
    assert options == (RATE_PLANS if extra else [*RATE_PLANS, code])
    assert description.attributes_fn(usage, "pge_1") == {
        "code": code,
        **extra,
        "read_cycle": "J",
    }


def _model(point: PgeUsagePoint, last: date) -> dict[str, Any]:
    """What the simulator's model says the sensors of `point` show on `last` (its newest day)."""
    start, end = billing_periods(point, last - timedelta(days=40), last)[-1]
    bill = usage_summary(point, start, end)
    assert bill.bill is not None
    scale = 1e-8 if point.service == "gas" else 1e-6
    expected: dict[str, Any] = {
        "bill": round(bill.bill / 1e5, 2),
        "period_start": datetime.fromtimestamp(bill.start, UTC).isoformat(),
        "consumption": pytest.approx(bill.consumption * scale),
        "line_items": [
            (item.note, round(item.amount / 1e5, 2)) for item in bill.line_items
        ],
    }
    if (open_period := open_period_summary(point, last)) is not None:
        assert open_period.bill_to_date is not None
        expected["bill_to_date"] = round(open_period.bill_to_date / 1e5, 2)
        expected["current"] = pytest.approx(open_period.consumption * scale)
        expected["open_start"] = datetime.fromtimestamp(
            open_period.start, UTC
        ).isoformat()
    return expected


def _state(hass: HomeAssistant, entity_registry: er.EntityRegistry, uid: str) -> Any:
    entity_id = entity_registry.async_get_entity_id("sensor", "openpower", uid)
    return hass.states.get(entity_id) if entity_id else None


@pytest.mark.freeze_time(NOW)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    pushed: Simulator,
    pge_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The demo account's bills end to end: the solar point's NEM minimum, gas's bill to date."""
    account = pushed.pge.account()
    electric, gas = account.usage_points
    account.usage_points[1] = gas = replace(gas, bill_to_date=True)
    with only_platform(Platform.SENSOR):
        await set_up(hass, pge_entry, pushed)
    _, last = pushed.pge.available_days()
    shown: dict[str, Any] = {}
    for point, keys in ((electric, NEW_SENSORS), (gas, NEW_SENSORS)):
        for key in keys:
            state = _state(hass, entity_registry, f"pge_{point.usage_point_id}_{key}")
            shown[f"{point.service} {key}"] = (
                None
                if state is None
                else {"state": state.state, "attributes": dict(state.attributes)}
            )
    assert shown == snapshot

    # Electricity with solar: a NEM minimum charge, never a last bill.
    model = _model(electric, last)
    assert shown["electric last_bill"] is None
    assert shown["electric bill_to_date"] is None
    nem = shown["electric nem_minimum_charge"]
    assert float(nem["state"]) == model["bill"]
    assert nem["attributes"]["true_up_included"] is False
    assert nem["attributes"]["period_start"] == model["period_start"]
    assert [
        (item["note"], item["amount"]) for item in nem["attributes"]["line_items"]
    ] == model["line_items"]
    assert (
        float(shown["electric last_bill_consumption"]["state"]) == model["consumption"]
    )
    plan = shown["electric rate_plan"]
    assert plan["attributes"]["code"] == electric.tariff

    # Gas: an ordinary bill, whose lines add up to it, and the open period so far.
    model = _model(gas, last)
    bill = shown["gas last_bill"]
    assert shown["gas nem_minimum_charge"] is None
    assert float(bill["state"]) == model["bill"]
    assert bill["attributes"]["unit_of_measurement"] == "USD"
    lines = [
        (item["note"], item["amount"]) for item in bill["attributes"]["line_items"]
    ]
    assert lines == model["line_items"]
    assert round(sum(amount for _, amount in lines), 2) == model["bill"]
    consumption = shown["gas last_bill_consumption"]
    assert float(consumption["state"]) == model["consumption"]
    assert consumption["attributes"]["unit_of_measurement"] == "thm"
    plan = shown["gas rate_plan"]
    assert plan["state"] == "g1"
    assert {
        key: value
        for key, value in plan["attributes"].items()
        if key != "friendly_name"
    } == {
        "code": "G1",
        "schedule": "G-1",
        "net_metering": False,
        "read_cycle": gas.read_cycle,
        "options": RATE_PLANS,
        "device_class": "enum",
    }
    to_date = shown["gas bill_to_date"]
    assert float(to_date["state"]) == model["bill_to_date"]
    assert to_date["attributes"]["period_start"] == model["open_start"]
    assert to_date["attributes"]["as_of"] == NOW.isoformat()
    current = shown["gas current_period_consumption"]
    assert float(current["state"]) == model["current"]
    assert current["attributes"]["unit_of_measurement"] == "thm"


def test_line_items_not_recorded() -> None:
    """The line items are attributes for automations, kept out of the recorder."""
    for key in ("last_bill", "nem_minimum_charge"):
        assert _description(key).unrecorded_attributes == {"line_items"}
