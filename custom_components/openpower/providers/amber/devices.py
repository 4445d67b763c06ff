"""The Amber device: one service device per site (one site per entry)."""

from homeassistant.config_entries import ConfigEntry

from ...api.amber import Site
from ...entity import DeviceRef
from .const import APP_URL, PROVIDER


def site_device(entry: ConfigEntry, site: Site) -> DeviceRef:
    """Describe the device of the entry's site, named after the entry."""
    return DeviceRef(
        uid=f"{PROVIDER}_{site.id}",
        name=entry.title,
        manufacturer="Amber Electric",
        model=f"{site.interval_minutes}-minute site ({site.network})"
        if site.network
        else f"{site.interval_minutes}-minute site",
        serial_number=site.nmi,
        configuration_url=APP_URL,
        service=True,
    )
