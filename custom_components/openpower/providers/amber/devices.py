"""The Amber devices: one service device per site (one site per entry), one per cheap window."""

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from ...api.amber import Site
from ...entity import DeviceRef
from .const import APP_URL, PROVIDER, SUBENTRY_CHEAP_WINDOW


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


def cheap_window_device(site: DeviceRef, subentry: ConfigSubentry) -> DeviceRef:
    """Describe the device of a cheap-window subentry, under the site's device.

    A device of its own: a device belongs to one subentry at most, so the window's sensor on the
    site's device would move the whole site (and its other entities) into the subentry.
    """
    return DeviceRef(
        uid=f"{site.uid}_cheap_window_{subentry.subentry_id}",
        name=subentry.title,
        manufacturer="Amber Electric",
        model="Cheap window",
        service=True,
        parent=site.uid,
    )


def cheap_window_devices(entry: ConfigEntry, site: DeviceRef) -> tuple[DeviceRef, ...]:
    """Return the device of each cheap-window subentry of `entry`."""
    return tuple(
        cheap_window_device(site, subentry)
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_CHEAP_WINDOW
    )
