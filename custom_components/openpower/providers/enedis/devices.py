"""The one device of an Enedis entry: its meter (PRM)."""

from ...entity import DeviceRef
from .const import MANUFACTURER, MODEL, PROVIDER


def meter(prm: str) -> DeviceRef:
    """Return the device of a meter; its uid stays the PRM whatever the backend."""
    return DeviceRef(
        uid=f"{PROVIDER}_{prm}",
        name=f"{MODEL} {prm}",
        manufacturer=MANUFACTURER,
        model=MODEL,
        serial_number=prm,
    )
