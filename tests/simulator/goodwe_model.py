"""The GoodWe household of the shared energy model (`solar_model.py`).

A station is a `Site` keyed by its station id, rated `pv_kw` and `battery_kwh` (0: no battery).
Its load is a base 350 W, a morning bump of +1100 W and an evening one of +2000 W, plus up to
250 W of noise per step; its battery starts each day at 25–65 % SOC. The inverter's AC output
(SEMS+ `pAc`) is `Step.ac`, `pv + discharge − charge` (reference apis-goodwe.md §5.1: on hybrids
it includes the discharge).
"""

from typing import Final

from .solar_model import DayShape

GOODWE_DAYS: Final = DayShape(
    base_w=350,
    morning_w=1100,
    evening_w=2000,
    noise_w=250,
    soc_low=25.0,
    soc_span=40.0,
)
