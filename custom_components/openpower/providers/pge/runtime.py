"""PG&E runtime data of one entry (one Share My Data registration), and how its client is built."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.budget import RequestBudget
from ...api.pge import DEFAULT_API_URL, ClientCertificate, PgeClient
from ...api.pge.tls import load_client_certificate
from ...const import CONF_ADVANCED
from ...flow import api_url
from . import const
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
    return PgeClient(
        async_get_clientsession(hass),
        client_id=data[CONF_CLIENT_ID],
        client_secret=data[CONF_CLIENT_SECRET],
        api_url=api_url(data, DEFAULT_API_URL),
        ssl_context=certificate.ssl_context,
        budget=budget,
        timeout=const.REQUEST_TIMEOUT,
        backoff=const.RETRY_BACKOFF,
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
