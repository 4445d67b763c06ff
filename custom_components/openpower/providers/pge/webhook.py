"""The notification URL PG&E posts to, and the webhook behind it (reachable from the internet).

PG&E POSTs a small `BatchList` (a few hundred bytes) listing the resources to fetch. The handler
is written for an open endpoint whose only secret is its unguessable id:

- the body is read up to `MAX_NOTIFICATION_BYTES` and refused beyond (413) without parsing;
- it is parsed with defusedxml (no DTD, no entity: a bomb or an external entity is refused);
- only URLs of this entry's Bulk resource on the configured API host are kept (`PgeClient.
  is_notified_resource`; a malformed URL is one more refused URL), the others are counted and
  logged (host only, once);
- the kept URLs go to the entry's inbox with the request's transaction label, if it has one
  (`x-transaction-id`: how PG&E's answer to a request of ours is told from a forged
  notification, `inbox.py`), and the answer is an empty 200 at once: the fetches happen
  afterwards, in the background;
- a notification still being read when the entry unloads starts nothing (the inbox is closed);
- no answer says anything about the entry (a refused notification gets an empty 4xx).
"""

from functools import partial
from http import HTTPStatus
import logging
from types import ModuleType

from aiohttp import web
from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from ...api.errors import ApiResponseError
from ...api.pge import MAX_NOTIFICATION_BYTES, parse_batch_list, transaction_label
from ...const import DOMAIN, LOGGER
from ...data import OpenPowerConfigEntry
from .inbox import NotificationInbox

_CHUNK = 8192


def _cloud(hass: HomeAssistant) -> ModuleType | None:
    """Return Home Assistant Cloud's module when it is set up, None otherwise."""
    if "cloud" not in hass.config.components:
        return None
    # Imported only then: it pulls in half of Home Assistant (camera included), whose
    # requirements an installation without Cloud may not have.
    from homeassistant.components import cloud  # noqa: PLC0415

    return cloud


async def async_notification_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return the URL to register with PG&E: a cloudhook, else the external URL, else None."""
    if (cloud := _cloud(hass)) is not None and cloud.async_active_subscription(hass):
        try:
            url: str = await cloud.async_get_or_create_cloudhook(hass, webhook_id)
        except cloud.CloudNotAvailable:
            LOGGER.debug("Home Assistant Cloud is not available for the PG&E webhook")
        else:
            return url
    try:
        return webhook.async_generate_url(
            hass, webhook_id, allow_internal=False, prefer_external=True
        )
    except NoURLAvailableError:
        return None


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the entry's cloudhook, if Home Assistant Cloud made one."""
    if (cloud := _cloud(hass)) is not None:
        try:
            await cloud.async_delete_cloudhook(hass, webhook_id)
        except cloud.CloudNotAvailable, ValueError:
            LOGGER.debug("No cloudhook to delete for the PG&E webhook")


def async_register(
    hass: HomeAssistant, entry: OpenPowerConfigEntry, inbox: NotificationInbox
) -> None:
    """Listen for the entry's notifications on `/api/webhook/<webhook_id>` (POST only).

    The webhook goes with the entry's unload.
    """
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        partial(_async_handle, inbox),
        allowed_methods=[METH_POST],
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


async def _read_capped(request: web.Request, limit: int) -> bytes | None:
    """Return the body, or None as soon as it is longer than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _async_handle(
    inbox: NotificationInbox,
    hass: HomeAssistant,
    webhook_id: str,
    request: web.Request,
) -> web.Response:
    """Accept a BatchList: validate it, queue its resources, answer at once."""
    body = await _read_capped(request, MAX_NOTIFICATION_BYTES)
    if inbox.closed:  # the entry unloaded while the body arrived
        return web.Response(status=HTTPStatus.OK)
    if body is None:
        inbox.log_once(
            "oversized",
            logging.WARNING,
            "Refused a PG&E notification larger than %s bytes",
            MAX_NOTIFICATION_BYTES,
        )
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    try:
        urls = parse_batch_list(body)
    except ApiResponseError as err:
        inbox.log_once(
            "malformed", logging.WARNING, "Refused a PG&E notification: %s", err
        )
        return web.Response(status=HTTPStatus.BAD_REQUEST)
    inbox.offer(urls, transaction_label(request.headers))
    return web.Response(status=HTTPStatus.OK)
