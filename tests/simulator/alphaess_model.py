"""The AlphaESS household of the shared energy model (`solar_model.py`), and its upload delay.

A system is a `Site` keyed by its serial, rated `popv` (PV) and `cobat` (battery). Its load is a
base 400 W, a morning bump of +1200 W and an evening one of +2200 W, plus up to 300 W of noise
per step; its battery starts each day at 20–70 % SOC.

A step's sample is uploaded `upload_offset(serial)` after the step starts (4 min and a per-system
number of seconds: `…:04:17`, minute ≡ 4 mod 5, like the captured `20:09:04`).
"""

from datetime import timedelta
from typing import Final

from .solar_model import DayShape, unit

ALPHAESS_DAYS: Final = DayShape(
    base_w=400,
    morning_w=1200,
    evening_w=2200,
    noise_w=300,
    soc_low=20.0,
    soc_span=50.0,
)


def upload_offset(serial: str) -> timedelta:
    """How long after its step starts a sample is uploaded: 4 min + 0–59 s per system."""
    return timedelta(seconds=240 + int(unit(serial, "upload") * 60))
