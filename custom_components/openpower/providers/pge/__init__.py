"""PG&E Share My Data (self access): pushed ESPI data, utility-grade history, service status."""

from functools import partial
from typing import Any

from homeassistant.components import webhook as ha_webhook
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ...data import OpenPowerConfigEntry
from ...provider import ProviderSpec, account_budget
from . import webhook
from .config_flow import PgeFlow
from .const import (
    CONF_BULK_ID,
    CONF_CA_CERTIFICATE,
    CONF_CERTIFICATE,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PRIVATE_KEY,
    CONF_WEBHOOK_ID,
    PROVIDER,
)
from .coordinator import PgeStatusCoordinator, PgeUsageCoordinator
from .entities import SENSORS, account_device, all_devices
from .inbox import NotificationInbox
from .runtime import PgeRuntime, async_load_certificate, build_client, settings
from .services import SERVICES

__all__ = ["PGE"]


async def async_setup(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> PgeRuntime:
    """Load the certificate, check PG&E, listen for notifications, start asking for data."""
    data = entry.data
    certificate = await async_load_certificate(hass, data)
    tuning = settings(hass)
    client = build_client(
        hass,
        data,
        certificate,
        budget=account_budget(hass, PROVIDER, data[CONF_CLIENT_ID], tuning.limits),
    )
    bulk_id = data[CONF_BULK_ID]
    account = account_device(entry.title, bulk_id)
    status = PgeStatusCoordinator(hass, entry, client, certificate, account)
    await status.async_config_entry_first_refresh()
    usage = PgeUsageCoordinator(
        hass,
        entry,
        client,
        bulk_id,
        account,
        history_days=tuning.history_days,
        backfill_window=tuning.backfill_window,
    )
    await usage.async_config_entry_first_refresh()
    inbox = NotificationInbox(
        hass,
        entry,
        client,
        bulk_id,
        fetch=usage.async_process_feed,
        on_notification=usage.async_notified,
        on_idle=usage.async_inbox_idle,
    )
    webhook_id = data[CONF_WEBHOOK_ID]
    webhook.async_register(hass, entry.title, webhook_id, inbox)
    entry.async_on_unload(partial(ha_webhook.async_unregister, hass, webhook_id))
    usage.async_schedule()
    return PgeRuntime(
        client=client,
        certificate=certificate,
        bulk_id=bulk_id,
        status=status,
        usage=usage,
        inbox=inbox,
    )


async def async_remove(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> None:
    """Delete the entry's cloudhook."""
    await webhook.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


def _diagnostics(runtime: PgeRuntime) -> dict[str, Any]:
    certificate = runtime.certificate
    budget = runtime.client.budget
    return {
        "certificate": {
            "not_valid_after": certificate.not_valid_after.isoformat(),
            "issuer": certificate.issuer,
            "subject": certificate.subject,
        },
        "inbox": {
            "pending": runtime.inbox.pending,
            "fetched": runtime.inbox.fetched,
            "failed": runtime.inbox.failed,
        },
        "budget": {"used": budget.used() if budget else None},
    }


PGE: ProviderSpec[PgeRuntime] = ProviderSpec(
    key=PROVIDER,
    name="PG&E Share My Data",
    async_setup=async_setup,
    async_remove=async_remove,
    coordinators=lambda rt: {"status": rt.status, "usage": rt.usage},
    devices=lambda rt: all_devices(rt.usage.data, rt.status.account),
    config_flow=PgeFlow,
    entities={Platform.SENSOR: SENSORS},
    services=SERVICES,
    diagnostics=_diagnostics,
    redact=frozenset(
        {
            CONF_CLIENT_ID,
            CONF_CLIENT_SECRET,
            CONF_BULK_ID,
            CONF_CERTIFICATE,
            CONF_PRIVATE_KEY,
            CONF_CA_CERTIFICATE,
            CONF_WEBHOOK_ID,
            "title",
            "unique_id",
            "point",
            "uid",
            "serial_number",
            "subject",
            "configuration_url",
        }
    ),
)
