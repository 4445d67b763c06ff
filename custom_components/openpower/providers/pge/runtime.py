"""PG&E runtime data of one entry (one Share My Data registration): how it is built and removed."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.budget import RateLimit, RequestBudget
from ...api.http import mask_identifiers
from ...api.pge import (
    DEFAULT_API_URL,
    PGE_LIMITS,
    ClientCertificate,
    PgeClient,
    load_client_certificate,
)
from ...const import CONF_ADVANCED, DOMAIN
from ...data import OpenPowerConfigEntry
from ...flow import api_url
from ...pricing import Pricer
from ...provider import account_budget
from . import webhook
from .authorization import PgeAuthorizationCoordinator
from .const import (
    CONF_BULK_ID,
    CONF_CA_CERTIFICATE,
    CONF_CERTIFICATE,
    CONF_PRIVATE_KEY,
    PROVIDER,
)
from .coordinator import PgeStatusCoordinator, PgeUsageCoordinator
from .devices import account_device
from .inbox import NotificationInbox
from .requests import PgeRequests, UsageStore
from .statistics import PgeCost


@dataclass(frozen=True, kw_only=True, slots=True)
class PgeSettings:
    """How PG&E is asked: timeout, first retry delay, history and its windows, the budget.

    Production runs on the defaults. Tests put others in `hass.data[SETTINGS]`: under a frozen
    clock a real retry delay or the 1-a-second pacing never ends, and a 4-year backfill in
    90-day windows is 17 round trips no test needs.
    """

    request_timeout: float = 60.0
    retry_backoff: float = 2.0
    history_days: int = 1461
    """PG&E keeps four years; the first setup asks for them in windows, oldest first."""
    backfill_window: timedelta = timedelta(days=90)
    retry_delays: tuple[float, ...] = (60.0, 600.0)
    """Seconds before a backfill window whose feeds failed is asked again (then again)."""
    limits: tuple[RateLimit, ...] = PGE_LIMITS


SETTINGS: HassKey[PgeSettings] = HassKey(f"{DOMAIN}_pge_settings")


def settings(hass: HomeAssistant) -> PgeSettings:
    """Return the settings PG&E runs with."""
    return hass.data.get(SETTINGS) or PgeSettings()


async def async_load_certificate(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> ClientCertificate:
    """Build the mutual-TLS context of `data` (flow input or entry data) in the executor.

    Raises `CertificateError` (an `ApiCertificateError`: its `reason` is the form error) for an
    unusable certificate.
    """
    return await hass.async_add_executor_job(
        load_client_certificate,
        data[CONF_CERTIFICATE],
        data[CONF_PRIVATE_KEY],
        data.get(CONF_ADVANCED, {}).get(CONF_CA_CERTIFICATE) or None,
    )


def build_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    certificate: ClientCertificate,
    *,
    budget: RequestBudget | None = None,
) -> PgeClient:
    """Return a client for the credentials, certificate and URL of `data`."""
    tuning = settings(hass)
    return PgeClient(
        async_get_clientsession(hass),
        client_id=data[CONF_CLIENT_ID],
        client_secret=data[CONF_CLIENT_SECRET],
        api_url=api_url(data, DEFAULT_API_URL),
        ssl_context=certificate.ssl_context,
        budget=budget,
        timeout=tuning.request_timeout,
        backoff=tuning.retry_backoff,
    )


@dataclass(kw_only=True, slots=True)
class PgeRuntime:
    """Client, certificate, coordinators and the push side of one registration."""

    client: PgeClient
    certificate: ClientCertificate
    bulk_id: str
    status: PgeStatusCoordinator
    authorization: PgeAuthorizationCoordinator
    usage: PgeUsageCoordinator
    requests: PgeRequests
    inbox: NotificationInbox
    cost: PgeCost


async def async_setup(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> PgeRuntime:
    """Load the certificate, check PG&E, listen for notifications, start asking for data.

    The shell maps what this raises: an expired certificate starts reauth, an unusable one
    fails the entry for good (`errors.setup_error`).
    """
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
    authorization = PgeAuthorizationCoordinator(hass, entry, client, account)
    await authorization.async_config_entry_first_refresh()
    # Read daily even with its sensors disabled: the repairs come from it.
    authorization.async_keep_polling()
    store = UsageStore(
        hass,
        entry,
        account,
        history_days=tuning.history_days,
        published_start=authorization.data.published_start,
    )
    usage = PgeUsageCoordinator(hass, entry, store.async_load)
    await usage.async_config_entry_first_refresh()
    cost = PgeCost(Pricer(hass, entry))
    requests = PgeRequests(
        hass,
        entry,
        client,
        bulk_id,
        usage,
        store,
        cost,
        backfill_window=tuning.backfill_window,
        retry_delays=tuning.retry_delays,
        scope=lambda: authorization.data.scope if authorization.data else None,
        on_fetch_refused=authorization.async_recheck,
    )
    inbox = requests.inbox
    webhook.async_register(hass, entry, inbox)
    entry.async_create_background_task(
        hass,
        cost.async_price_stored(
            (point.point, point.has_return)
            for point in usage.data.points
            if point.kind == "electricity"
        ),
        f"{mask_identifiers(entry.title)} pge pricing",
    )
    requests.async_start()
    return PgeRuntime(
        client=client,
        certificate=certificate,
        bulk_id=bulk_id,
        status=status,
        authorization=authorization,
        usage=usage,
        requests=requests,
        inbox=inbox,
        cost=cost,
    )


async def async_remove(hass: HomeAssistant, entry: OpenPowerConfigEntry) -> None:
    """Delete the entry's cloudhook."""
    await webhook.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
