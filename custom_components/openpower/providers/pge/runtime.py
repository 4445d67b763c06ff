"""PG&E runtime data of one entry (one Share My Data registration), and how its client is built."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.budget import RateLimit, RequestBudget
from ...api.pge import DEFAULT_API_URL, PGE_LIMITS, ClientCertificate, PgeClient
from ...api.pge.tls import load_client_certificate
from ...const import CONF_ADVANCED, DOMAIN
from ...flow import api_url
from .const import (
    CONF_CA_CERTIFICATE,
    CONF_CERTIFICATE,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PRIVATE_KEY,
)

if TYPE_CHECKING:
    from .coordinator import PgeStatusCoordinator, PgeUsageCoordinator
    from .inbox import NotificationInbox


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
    limits: tuple[RateLimit, ...] = PGE_LIMITS


SETTINGS: HassKey[PgeSettings] = HassKey(f"{DOMAIN}_pge_settings")


def settings(hass: HomeAssistant) -> PgeSettings:
    """Return the settings PG&E runs with."""
    return hass.data.get(SETTINGS) or PgeSettings()


async def async_load_certificate(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> ClientCertificate:
    """Build the mutual-TLS context of `data` (flow input or entry data) in the executor.

    Raises `CertificateError` (its `reason` is the form error) for an unusable certificate.
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
    """Client, certificate and coordinators of one registration."""

    client: PgeClient
    certificate: ClientCertificate
    bulk_id: str
    status: PgeStatusCoordinator
    usage: PgeUsageCoordinator
    inbox: NotificationInbox
