"""The simulator's demo accounts moved to another time zone (what scripts/develop asks for)."""

from datetime import UTC, datetime, timedelta

from tests.simulator import EMPORIA_VUE2_GID, Simulator

SOLAR = "6"  # the Vue 2's solar circuit


def _solar_kwh(simulator: Simulator, start: datetime) -> float:
    """Energy of the Vue 2's solar circuit over one hour (produced is negative)."""
    return simulator.emporia.energy(
        EMPORIA_VUE2_GID, SOLAR, start, start + timedelta(hours=1)
    )


def test_emporia_solar_follows_the_zone() -> None:
    """In Sydney the panels produce at 03:00 UTC (14:00) and not at 14:00 UTC (midnight)."""
    simulator = Simulator()
    afternoon_sydney = datetime(
        2026, 11, 23, 3, tzinfo=UTC
    )  # 19:00 the day before in LA
    midnight_sydney = datetime(2026, 11, 23, 13, tzinfo=UTC)  # 05:00 in LA
    assert _solar_kwh(simulator, afternoon_sydney) == 0.0
    simulator.emporia.set_time_zone("Australia/Sydney")
    assert _solar_kwh(simulator, afternoon_sydney) < 0.0
    assert _solar_kwh(simulator, midnight_sydney) == 0.0
    assert {d.time_zone for d in simulator.emporia.devices.values()} == {
        "Australia/Sydney"
    }


def test_alphaess_systems_follow_the_zone() -> None:
    """Every system moves (the handlers read each system's zone for its local days)."""
    simulator = Simulator()
    simulator.alphaess.set_time_zone("America/Los_Angeles")
    assert {s.time_zone for s in simulator.alphaess.systems.values()} == {
        "America/Los_Angeles"
    }
