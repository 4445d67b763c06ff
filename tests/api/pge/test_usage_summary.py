"""UsageSummary beyond the bill: line items, rate schedule, read cycle, consumptions, NEM bills.

Expected values are read from the files by hand (`reference/apis-pge-enedis.md` §1.14.7 describes
them): money and unit costs are 1e-5 dollars, quantities `value × 10^powerOfTenMultiplier` in their
uom (Wh → kWh, W → kW), periods epoch seconds.
"""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.openpower.api.pge import (
    RATE_SCHEDULES,
    CostDetail,
    LineItemKind,
    Quantity,
    RateSchedule,
    UsageSummary,
    parse_espi,
    rate_schedule,
)

from .espi_samples import ATOM, read_fixture, utc

DAY = timedelta(days=1)
SUMMARY_READING_TYPE = (
    "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/ReadingType/"
    "NzI6bnVsbDpudWxsOjQ="  # base64 of "72:null:null:4"
)


def summaries(name: str) -> tuple[UsageSummary, ...]:
    return parse_espi(read_fixture(name)).feed.usage_summaries


def kwh(value: float) -> Quantity:
    return Quantity(value=value, unit="kWh", reading_type=None, time=None)


def test_verdigris_line_items() -> None:
    """Amount, unit cost, item period and kind of each line of the 2018-edited bill."""
    first, second, third = summaries(
        "espi_pge_usagesummary_feed_cost_lineitems_2015-2018_verdigris.xml"
    )
    assert first.href is not None
    assert first.href.endswith("/UsagePoint/1/UsageSummary/1,436,684,400,000")
    assert first.billing_period_start == utc(1434006000)
    assert first.billing_period_duration == 29 * DAY  # 2505600 s
    assert first.bill_last_period == 233.64  # 23364000
    start, length = utc(1434006000), 29 * DAY
    assert first.cost_details == (
        CostDetail(
            note="Part Peak Energy Charge",
            amount=12.0,  # 1200000
            quantity=kwh(100.0),  # 100000000 mWh
            item_kind=3,
            unit_cost=0.12,  # 12000
            item_period_start=start,
            item_period_duration=length,
        ),
        CostDetail(
            note="Off Peak Energy Charge",
            amount=36.0,
            quantity=kwh(400.0),
            item_kind=3,
            unit_cost=0.09,
            item_period_start=start,
            item_period_duration=length,
        ),
        CostDetail(
            note="Max Demand Charge",
            amount=0.77,  # 77000
            quantity=Quantity(value=0.96, unit="kW", reading_type=None, time=None),
            item_kind=3,
            unit_cost=6.03,  # 603000: $/kW
            item_period_start=start,
            item_period_duration=length,
        ),
        CostDetail(
            note="Customer Charge",
            amount=4.8,
            quantity=kwh(4.0),
            item_kind=4,
            unit_cost=1.2,
            item_period_start=start,
            item_period_duration=length,
        ),
        CostDetail(
            note="Energy Commission Tax",
            amount=0.01,  # 1000
            quantity=kwh(0.0),
            item_kind=5,
            unit_cost=None,
            item_period_start=start,
            item_period_duration=length,
        ),
    )
    assert [d.kind for d in first.cost_details] == [
        LineItemKind.ENERGY_USAGE_FEE,
        LineItemKind.ENERGY_USAGE_FEE,
        LineItemKind.ENERGY_USAGE_FEE,
        LineItemKind.ADMINISTRATIVE_FEE,
        LineItemKind.TAX,
    ]
    # The energy lines are quantity × unit cost (the bill itself is not their sum: edited).
    assert [
        round(d.quantity.value * d.unit_cost, 2)
        for d in first.cost_details[:2]
        if d.quantity and d.unit_cost
    ] == [12.0, 36.0]
    assert first.consumption_last_period == Quantity(
        value=146.0, unit="kWh", reading_type=SUMMARY_READING_TYPE, time=None
    )
    assert (first.tariff_profile, first.read_cycle) == ("HAG5A", "Q")
    assert first.rate_schedule == RateSchedule(
        "AG-5A", "Large Time-of-Use Agricultural Power", net_metering=False
    )
    assert (first.quality_of_reading, first.commodity) == (17, 1)
    assert first.status_time == datetime(2015, 8, 20, 22, 32, 37, 976000, tzinfo=UTC)
    assert (first.currency, first.currency_code) == (None, None)
    assert (first.bill_to_date, first.consumption_current_period) == (None, None)
    assert (first.peak_demand, first.ratchet_demand) == (None, None)
    assert not first.nem_minimum_bill
    assert not first.net_metering
    # The two older entries: a consumption, no bill, no line, no tariff.
    assert [
        (s.billing_period_duration, s.consumption_last_period, s.bill_last_period)
        for s in (second, third)
    ] == [
        (30 * DAY, Quantity(128.0, "kWh", SUMMARY_READING_TYPE, None), None),
        (13 * DAY, Quantity(55.0, "kWh", SUMMARY_READING_TYPE, None), None),
    ]
    for summary in (second, third):
        assert summary.cost_details == ()
        assert (summary.tariff_profile, summary.read_cycle) == (None, None)
        assert summary.rate_schedule is None
        assert not summary.net_metering


def test_qa_nem_minimum_bills() -> None:
    """2021 QA: every bill is one "NEM Minimum Delivery Charges" line equal to it."""
    got = summaries(
        "espi_pge_qa_batch_subscription_usagepoint_sync_2021_nem_usagesummary_scwadd_trimmed.xml"
    )
    point = (
        "https://apiqa.pge.com/GreenButtonConnect/espi/1_1/resource/Subscription/6743982"
        "/UsagePoint/4038320268"
    )
    # (self id, period start, period days, bill, line kWh, consumption kWh), in document order.
    expected = [
        ("1617087600_1619679600_652769125445", 1617087600, 30, 9.86, 30.0, 528.094),
        ("1624950000_1627542000_652803479674", 1624950000, 30, 9.86, 30.0, 919.3),
        ("1619679600_1622444400_652829247918", 1619679600, 32, 10.51, 32.0, 737.056),
        ("1622444400_1624950000_652928734856", 1622444400, 29, 9.53, 29.0, 795.512),
    ]
    assert len(got) == len(expected)
    for summary, (ident, start, days, bill, line_kwh, used) in zip(
        got, expected, strict=True
    ):
        assert summary.href == f"{point}/UsageSummary/{ident}"
        assert summary.usage_point == point
        assert summary.billing_period_start == utc(start)
        assert summary.billing_period_duration == days * DAY
        assert summary.bill_last_period == bill
        assert (summary.currency, summary.currency_code) == (840, "USD")
        # The line's period starts a day after the bill's and is a day shorter.
        assert summary.cost_details == (
            CostDetail(
                note="NEM Minimum Delivery Charges",
                amount=bill,
                quantity=kwh(line_kwh),
                item_kind=3,
                unit_cost=0.32854,  # 32854
                item_period_start=utc(start) + DAY,
                item_period_duration=(days - 1) * DAY,
            ),
        )
        # The charge is the line's kWh at the unit cost, to the cent.
        assert round(line_kwh * 0.32854, 2) == bill
        consumption = summary.consumption_last_period
        assert consumption is not None
        assert (consumption.value, consumption.unit) == (used, "kWh")
        assert consumption.reading_type == SUMMARY_READING_TYPE.replace(
            "api.pge.com", "apiqa.pge.com"
        )
        assert (summary.tariff_profile, summary.read_cycle) == ("HE6N", "G")
        assert summary.rate_schedule == RATE_SCHEDULES["HE6N"]
        assert (summary.quality_of_reading, summary.commodity) == (19, 1)
        assert summary.nem_minimum_bill
        assert summary.net_metering
    assert [s.status_time for s in got] == [
        datetime(2022, 1, 18, 23, 36, 57, 81000, tzinfo=UTC),
        datetime(2022, 1, 18, 23, 36, 57, 81000, tzinfo=UTC),
        datetime(2022, 1, 18, 23, 36, 57, 82000, tzinfo=UTC),
        datetime(2022, 1, 18, 23, 36, 57, 82000, tzinfo=UTC),
    ]


def test_eemeter_electric_tariffs_and_nem() -> None:
    """2012-2016: E1 then HE6N bills; the HE6N ones are net-metered without a NEM line."""
    got = summaries(
        "espi_pge_electric_hourly_netmetering_usagesummary_2012-2016_eemeter.xml"
    )
    assert len(got) == 49
    assert {s.read_cycle for s in got} == {"X"}
    assert {s.quality_of_reading for s in got} == {None}
    assert not any(s.nem_minimum_bill for s in got)
    nem = [s for s in got if s.net_metering]
    assert [s.tariff_profile for s in nem] == ["HE6N"] * 14
    # The 14 HE6N bills, in dollars (billLastPeriod / 100000).
    assert [s.bill_last_period for s in nem] == [
        1.96,
        4.53,
        4.38,
        4.82,
        4.38,
        4.53,
        8.51,
        9.72,
        10.05,
        9.72,
        11.05,
        8.66,
        10.38,
        10.06,
    ]
    assert {s.rate_schedule for s in got} == {
        RateSchedule("E-1", "Residential Services", net_metering=False),
        RATE_SCHEDULES["HE6N"],
    }
    # Line items are usage per tier / TOU period only: no amount, unit cost or period.
    details = [d for s in got for d in s.cost_details]
    assert len(details) == 465
    assert {(d.amount, d.unit_cost, d.item_period_start) for d in details} == {
        (None, None, None)
    }
    assert {d.kind for d in details} == {LineItemKind.ENERGY_USAGE_FEE}
    last = got[-1]
    assert (last.tariff_profile, last.bill_last_period) == ("E1", 59.26)
    assert last.billing_period_start == utc(1353139200)
    assert not last.net_metering


def test_eemeter_gas_summary() -> None:
    """Gas: a G1 bill, read cycle J, 24 therms, no line items, not net-metered."""
    (summary,) = summaries("espi_pge_gas_daily_usagesummary_2016_eemeter.xml")
    assert (summary.tariff_profile, summary.read_cycle) == ("G1", "J")
    assert summary.rate_schedule == RateSchedule(
        "G-1", "Residential Gas Service", net_metering=False
    )
    assert summary.bill_last_period == 27.58
    consumption = summary.consumption_last_period
    assert consumption is not None
    assert (consumption.value, consumption.unit) == (24.0, "thm")  # 2400000000 × 1e-8
    assert consumption.reading_type == (
        "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/ReadingType/DEF"
    )
    assert summary.consumption_current_period is None
    assert summary.cost_details == ()
    assert summary.quality_of_reading is None
    assert not summary.net_metering


def test_green_button_sample_current_period_and_bill_to_date() -> None:
    """GBA sample: bill to date, current-period consumption with its time stamp, quality 14."""
    (summary,) = summaries("espi_gba_sample_hourly_9days_usagesummary_cost.xml")
    assert summary.billing_period_start == utc(1388552400)
    assert summary.billing_period_duration == 28 * DAY  # 2419200 s
    assert (summary.bill_last_period, summary.bill_to_date) == (22.08, 0.0)
    assert summary.cost_additional_last_period == 0.0
    assert summary.consumption_last_period == kwh(199.563)  # 199563 Wh, p10 0
    assert summary.consumption_current_period == Quantity(
        value=0.0, unit="kWh", reading_type=None, time=utc(1389330000)
    )
    assert summary.quality_of_reading == 14
    assert (summary.tariff_profile, summary.read_cycle) == (None, None)
    assert (summary.rate_schedule, summary.net_metering) == (None, False)
    assert summary.commodity is None


SUMMARY = """
<UsageSummary xmlns="http://naesb.org/espi">
  <billingPeriod><duration>2592000</duration><start>1700000000</start></billingPeriod>
  <billLastPeriod>{bill}</billLastPeriod>
  <billToDate>1234500</billToDate>
  {lines}
  <currency>840</currency>
  <currentBillingPeriodOverAllConsumption>
    <powerOfTenMultiplier>0</powerOfTenMultiplier><timeStamp>1700086400</timeStamp>
    <uom>72</uom><value>12500</value>
  </currentBillingPeriodOverAllConsumption>
  <peakDemand><powerOfTenMultiplier>3</powerOfTenMultiplier><uom>38</uom><value>7</value></peakDemand>
  <ratchetDemand><powerOfTenMultiplier>0</powerOfTenMultiplier><uom>38</uom><value>5200</value>
  </ratchetDemand>
  <tariffProfile>{tariff}</tariffProfile>
  <readCycle> </readCycle>
</UsageSummary>
"""
NEM_LINE = (
    "<costAdditionalDetailLastPeriod><amount>{amount}</amount><note>{note}</note>"
    "<itemKind>{kind}</itemKind></costAdditionalDetailLastPeriod>"
)


def one_summary(bill: int, lines: str = "", tariff: str = "E-TOU-C") -> UsageSummary:
    """A feed of one UsageSummary entry under UsagePoint 1, built from `SUMMARY`."""
    content = SUMMARY.format(bill=bill, lines=lines, tariff=tariff)
    data = (
        f'<feed xmlns="{ATOM}"><entry>'
        '<link rel="self" href="/S/1/UsagePoint/1/UsageSummary/9"/>'
        f"<content>{content}</content></entry></feed>"
    )
    (summary,) = parse_espi(data.encode()).feed.usage_summaries
    assert summary.usage_point == "/S/1/UsagePoint/1"
    return summary


def test_demands_current_period_and_unknown_kind() -> None:
    """Fields PG&E has never sent: read like the others, with their powers of ten."""
    summary = one_summary(
        986000, NEM_LINE.format(amount=1, note="Something else", kind=42)
    )
    assert summary.bill_to_date == 12.345
    assert summary.consumption_current_period == Quantity(
        value=12.5, unit="kWh", reading_type=None, time=utc(1700086400)
    )
    assert summary.peak_demand == Quantity(7.0, "kW", None, None)  # 7 × 10^3 W
    assert summary.ratchet_demand == Quantity(5.2, "kW", None, None)  # 5200 W
    assert summary.read_cycle is None  # blank
    assert summary.rate_schedule == RATE_SCHEDULES["ETOUC"]
    (line,) = summary.cost_details
    assert (line.item_kind, line.kind, line.amount) == (42, None, 0.00001)
    assert not summary.net_metering


@pytest.mark.parametrize(
    ("bill", "line", "expected"),
    [
        (986000, ("986000", "NEM Minimum Delivery Charges", 3), True),
        (986000, ("986000", "  nem minimum   DELIVERY charges ", 3), True),
        (986000, ("985999", "NEM Minimum Delivery Charges", 3), False),
        (986000, ("", "NEM Minimum Delivery Charges", 3), False),
        (986000, ("986000", "Minimum Delivery Charges", 3), False),
        (0, ("0", "NEM Minimum Delivery Charges", 3), True),
    ],
)
def test_nem_minimum_bill_rule(
    bill: int, line: tuple[str, str, int], expected: bool
) -> None:
    """A NEM bill is a "NEM Minimum Delivery Charges" line whose amount is the whole bill."""
    amount, note, kind = line
    summary = one_summary(
        bill, NEM_LINE.format(amount=amount, note=note, kind=kind), tariff="E1"
    )
    assert summary.nem_minimum_bill is expected
    assert summary.net_metering is expected  # E1 is not a net-metering schedule


def test_nem_line_among_others_still_counts() -> None:
    """The NEM line need not be alone; another line equal to the bill does not count."""
    lines = NEM_LINE.format(
        amount=500, note="Customer Charge", kind=4
    ) + NEM_LINE.format(amount=986000, note="NEM Minimum Delivery Charges", kind=3)
    assert one_summary(986000, lines).nem_minimum_bill
    other = NEM_LINE.format(amount=986000, note="Customer Charge", kind=4)
    assert not one_summary(986000, other).nem_minimum_bill


@pytest.mark.parametrize(
    ("code", "schedule"),
    [
        ("E1", "E-1"),
        ("E-1", "E-1"),
        ("e_tou_c", "E-TOU-C"),
        ("E-TOU-D", "E-TOU-D"),
        ("ETOUB", "E-TOU-B"),
        ("EV2A", "EV2-A"),
        ("EV2-A", "EV2-A"),
        ("EV-B", "EV-B"),
        ("E-ELEC", "E-ELEC"),
        ("E6", "E-6"),
        ("HE6N", "E-6"),
        ("he6n", "E-6"),
        ("HAG5A", "AG-5A"),
        ("G1", "G-1"),
        ("NEM2", "NEM2"),
        ("NEM 2A", "NEM2A"),
        ("NEM2V", "NEM2V"),
        ("NBT", "NBT"),
    ],
)
def test_rate_schedule_codes(code: str, schedule: str) -> None:
    """PG&E codes with or without separators, in any case."""
    found = rate_schedule(code)
    assert found is not None
    assert found.schedule == schedule


def test_rate_schedule_net_metering_and_unknown() -> None:
    """NEM schedules say so; unknown, empty and absent codes give None (show the raw code)."""
    assert {code for code, item in RATE_SCHEDULES.items() if item.net_metering} == {
        "HE6N",
        "NEM",
        "NEM2",
        "NEM2A",
        "NEM2V",
        "NBT",
    }
    etouc = rate_schedule("E-TOU-C")
    assert etouc is not None
    assert etouc.name == "Residential Time-of-Use (Peak Pricing 4-9 p.m. Every Day)"
    assert rate_schedule("HE6") is None  # the H form is known only as sent
    assert rate_schedule("B-19") is None
    assert rate_schedule("") is None
    assert rate_schedule(None) is None
    # Keys are the compared form: capitals, no separator.
    assert all(key.isalnum() and key == key.upper() for key in RATE_SCHEDULES)
