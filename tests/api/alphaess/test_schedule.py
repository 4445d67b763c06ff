"""One schedule view over AlphaESS's two stores: read either, change windows and levels, write back."""

from dataclasses import replace
from datetime import time

import pytest

from custom_components.openpower.api.alphaess.models import (
    LegacyCharge,
    LegacyDischarge,
    Period,
    PeriodicSchedule,
)
from custom_components.openpower.api.alphaess.schedule import (
    UNUSED,
    Schedule,
    ScheduleError,
    ScheduleStore,
    from_legacy,
    from_periodic,
    legacy_charge_with,
    legacy_discharge_with,
    periodic_with,
)

SERIAL = "AL70110230306xx"
WORKDAYS = [1, 2, 3, 4, 5]

# request_setTimeChargeBySn.json as read back (plus a read-only key in each period).
CHARGE = Period(
    begin=time(1),
    end=time(5),
    limit=90.0,
    extra={"weeks": WORKDAYS, "chargePower": 5000, "sort": 1},
)
DISCHARGE = Period(
    begin=time(17),
    end=time(21),
    limit=20.0,
    extra={"weeks": WORKDAYS, "chargePower": 4000},
)
PERIODIC = PeriodicSchedule(
    grid_charge=True,
    discharge_control=True,
    charge=(CHARGE,),
    discharge=(DISCHARGE,),
    extra={"executeCycleType": 1},
)
# getChargeConfigInfo.json and getDisChargeConfigInfo.json.
LEGACY_CHARGE = LegacyCharge(
    grid_charge=False,
    windows=((time(11), time(14)), UNUSED),
    stop_level=100.0,
)
LEGACY_DISCHARGE = LegacyDischarge(
    control=False, windows=(UNUSED, UNUSED), stop_level=5.0
)


def test_from_periodic() -> None:
    """Window N is the N-th period; the stop levels are the first periods' limits."""
    assert from_periodic(PERIODIC) == Schedule(
        store=ScheduleStore.PERIODIC,
        grid_charge=True,
        charge_windows=((time(1), time(5)), UNUSED),
        charge_stop=90.0,
        discharge_control=True,
        discharge_windows=((time(17), time(21)), UNUSED),
        discharge_stop=20.0,
    )


def test_from_periodic_without_periods() -> None:
    """No period: both windows unused, no stop level."""
    empty = replace(PERIODIC, charge=(), discharge=())
    schedule = from_periodic(empty)
    assert schedule.charge_windows == (UNUSED, UNUSED)
    assert schedule.discharge_windows == (UNUSED, UNUSED)
    assert (schedule.charge_stop, schedule.discharge_stop) == (None, None)


def test_from_legacy() -> None:
    """The legacy store's windows and levels, as they are."""
    assert from_legacy(LEGACY_CHARGE, LEGACY_DISCHARGE) == Schedule(
        store=ScheduleStore.LEGACY,
        grid_charge=False,
        charge_windows=((time(11), time(14)), UNUSED),
        charge_stop=100.0,
        discharge_control=False,
        discharge_windows=(UNUSED, UNUSED),
        discharge_stop=5.0,
    )


def test_unchanged_schedules_write_back_what_was_read() -> None:
    """Both stores, read and written back without a change, are what was read."""
    assert periodic_with(PERIODIC, from_periodic(PERIODIC)) == PERIODIC
    legacy = from_legacy(LEGACY_CHARGE, LEGACY_DISCHARGE)
    assert legacy_charge_with(LEGACY_CHARGE, legacy) == LEGACY_CHARGE
    assert legacy_discharge_with(LEGACY_DISCHARGE, legacy) == LEGACY_DISCHARGE


def test_periodic_window_edit_keeps_the_period() -> None:
    """Moving a window moves its period; its limit and other fields stay."""
    schedule = replace(
        from_periodic(PERIODIC),
        charge_windows=((time(2), time(6, 15)), UNUSED),
        grid_charge=False,
        discharge_control=False,
    )
    changed = periodic_with(PERIODIC, schedule)
    assert changed.charge == (replace(CHARGE, begin=time(2), end=time(6, 15)),)
    assert changed.discharge == (DISCHARGE,)
    assert (changed.grid_charge, changed.discharge_control) == (False, False)
    assert changed.body(SERIAL) == {
        "executeCycleType": 1,
        "sysSn": SERIAL,
        "gridChargeCycle": 0,
        "ctrDisCycle": 0,
        "chargeTimeList": [
            {
                "weeks": WORKDAYS,
                "chargePower": 5000,
                "beginTime": "02:00",
                "endTime": "06:15",
                "chargeLimit": 90,
            }
        ],
        "dischargeTimeList": [
            {
                "weeks": WORKDAYS,
                "chargePower": 4000,
                "beginTime": "17:00",
                "endTime": "21:00",
                "chargeLimit": 20,
            }
        ],
    }


def test_second_period_copies_the_first() -> None:
    """A second window becomes a period with the first's days and power, at the stop level."""
    schedule = replace(
        from_periodic(PERIODIC),
        discharge_windows=((time(17), time(21)), (time(6), time(8))),
    )
    changed = periodic_with(PERIODIC, schedule)
    assert changed.charge == (CHARGE,)
    assert changed.discharge == (
        DISCHARGE,
        Period(
            begin=time(6),
            end=time(8),
            limit=20.0,
            extra={"weeks": WORKDAYS, "chargePower": 4000},
        ),
    )


def test_second_period_copies_even_read_only_keys_to_drop_them_on_write() -> None:
    """The copy holds the first's read-only keys too; the body leaves them out of both."""
    schedule = replace(
        from_periodic(PERIODIC),
        charge_windows=((time(1), time(5)), (time(22), time(23, 45))),
    )
    changed = periodic_with(PERIODIC, schedule)
    assert changed.charge[1] == Period(
        begin=time(22), end=time(23, 45), limit=90.0, extra=CHARGE.extra
    )
    assert changed.body(SERIAL)["chargeTimeList"] == [
        {
            "weeks": WORKDAYS,
            "chargePower": 5000,
            "beginTime": begin,
            "endTime": end,
            "chargeLimit": 90,
        }
        for begin, end in (("01:00", "05:00"), ("22:00", "23:45"))
    ]


def test_first_period_of_an_empty_list_is_every_day() -> None:
    """Without a period to copy, a new one applies to the whole week."""
    empty = replace(PERIODIC, charge=())
    schedule = replace(
        from_periodic(empty),
        charge_windows=((time(0, 30), time(4, 30)), UNUSED),
        charge_stop=80.0,
    )
    assert periodic_with(empty, schedule).charge == (
        Period(
            begin=time(0, 30),
            end=time(4, 30),
            limit=80.0,
            extra={"weeks": [1, 2, 3, 4, 5, 6, 7]},
        ),
    )


def test_removing_the_last_period_is_refused() -> None:
    """AlphaESS refuses an empty list: the last period cannot go."""
    schedule = replace(from_periodic(PERIODIC), charge_windows=(UNUSED, UNUSED))
    with pytest.raises(ScheduleError) as caught:
        periodic_with(PERIODIC, schedule)
    assert caught.value.reason == "alphaess_last_period"
    schedule = replace(from_periodic(PERIODIC), discharge_windows=(UNUSED, UNUSED))
    with pytest.raises(ScheduleError, match="alphaess_last_period"):
        periodic_with(PERIODIC, schedule)


def test_removing_the_first_of_two_periods() -> None:
    """The second period moves up and takes the stop level."""
    second = Period(begin=time(22), end=time(23), limit=70.0, extra={"weeks": [6, 7]})
    two = replace(PERIODIC, charge=(CHARGE, second))
    schedule = replace(
        from_periodic(two), charge_windows=(UNUSED, (time(22), time(23)))
    )
    assert periodic_with(two, schedule).charge == (replace(second, limit=90.0),)


def test_stop_levels_go_to_the_first_period() -> None:
    """A new stop level is the first period's limit; the others keep theirs."""
    second = Period(begin=time(22), end=time(23), limit=70.0, extra={})
    two = replace(PERIODIC, charge=(CHARGE, second))
    schedule = replace(from_periodic(two), charge_stop=80.0, discharge_stop=30.0)
    changed = periodic_with(two, schedule)
    assert changed.charge == (replace(CHARGE, limit=80.0), second)
    assert changed.discharge == (replace(DISCHARGE, limit=30.0),)
    assert from_periodic(changed).charge_stop == 80.0
    assert from_periodic(changed).discharge_stop == 30.0


def test_periods_after_the_second_are_kept() -> None:
    """Only two windows are shown: a third period is written back as it was read."""
    second = Period(begin=time(12), end=time(13), limit=60.0, extra={})
    third = Period(begin=time(22), end=time(23), limit=50.0, extra={"weeks": [7]})
    three = replace(PERIODIC, charge=(CHARGE, second, third))
    schedule = replace(
        from_periodic(three), charge_windows=((time(1), time(5)), (time(12), time(14)))
    )
    assert periodic_with(three, schedule).charge == (
        CHARGE,
        replace(second, end=time(14)),
        third,
    )


def test_legacy_edits() -> None:
    """The legacy store takes windows, switches and levels as they are."""
    schedule = Schedule(
        store=ScheduleStore.LEGACY,
        grid_charge=True,
        charge_windows=((time(1), time(5)), (time(13), time(14))),
        charge_stop=95.0,
        discharge_control=True,
        discharge_windows=((time(17), time(21)), UNUSED),
        discharge_stop=15.0,
    )
    assert legacy_charge_with(LEGACY_CHARGE, schedule) == LegacyCharge(
        grid_charge=True,
        windows=((time(1), time(5)), (time(13), time(14))),
        stop_level=95.0,
    )
    assert legacy_discharge_with(LEGACY_DISCHARGE, schedule) == LegacyDischarge(
        control=True, windows=((time(17), time(21)), UNUSED), stop_level=15.0
    )


def test_legacy_keeps_levels_a_periodic_view_lacked() -> None:
    """A schedule without stop levels leaves the legacy levels as they were."""
    schedule = replace(
        from_legacy(LEGACY_CHARGE, LEGACY_DISCHARGE),
        charge_stop=None,
        discharge_stop=None,
    )
    assert legacy_charge_with(LEGACY_CHARGE, schedule).stop_level == 100.0
    assert legacy_discharge_with(LEGACY_DISCHARGE, schedule).stop_level == 5.0


def test_stop_level_of_a_placeholder_period() -> None:
    """A lone 00:00–00:00 period (an empty list is refused) takes a new stop level and stays."""
    placeholder = Period(begin=time(0), end=time(0), limit=10.0, extra={"weeks": [1]})
    periodic = replace(PERIODIC, discharge=(placeholder,))
    schedule = replace(from_periodic(periodic), discharge_stop=25.0)
    assert schedule.discharge_windows == (UNUSED, UNUSED)
    changed = periodic_with(periodic, schedule)
    assert changed.discharge == (replace(placeholder, limit=25.0),)
    assert changed.charge == (CHARGE,)
