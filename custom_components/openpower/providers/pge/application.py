"""Whether PG&E posts its notifications where this entry listens.

PG&E keeps the notification URL of a registration as ApplicationInformation's
`thirdPartyNotifyUri` (`reference/apis-pge-enedis.md` §1.14.2), readable only with a registration
access token that Self Access normally lacks (`PgeClient.async_application_information`). When
one is there, the registered URL is compared with the entry's webhook URL; a difference raises
the `pge_notify_uri_differs` repair (ISSUE_NOTIFY_URI_DIFFERS), placeholders `registered` and
`expected`.
"""

from dataclasses import dataclass
import logging
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from ...api.errors import ApiError
from ...api.pge import ApplicationInformation

_LOGGER = logging.getLogger(__name__)


class ApplicationSource(Protocol):
    """What the check needs of the client (`PgeClient` is one)."""

    async def async_application_information(self) -> ApplicationInformation | None:
        """ApplicationInformation, None without a (working) registration token."""


@dataclass(frozen=True, slots=True)
class NotifyUriCheck:
    """PG&E's registered notification URL, and whether it differs from the entry's."""

    registered: str
    """`thirdPartyNotifyUri` as PG&E has it (the repair's `registered` placeholder)."""
    differs: bool


async def async_check_notification_uri(
    client: ApplicationSource, webhook_url: str | None
) -> NotifyUriCheck | None:
    """Compare PG&E's registered notification URL with `webhook_url`; None when unknown.

    Unknown: no webhook URL to compare with (nothing is asked), no registration token, no
    `thirdPartyNotifyUri` in the answer, or a failed read (an optional check: it never fails
    the caller). Compared after `normalise`.
    """
    if not webhook_url:
        return None
    try:
        information = await client.async_application_information()
    except ApiError as err:
        _LOGGER.debug("PG&E ApplicationInformation not read: %s", err)
        return None
    if information is None or not information.third_party_notify_uri:
        return None
    registered = information.third_party_notify_uri
    return NotifyUriCheck(
        registered=registered,
        differs=normalise(registered) != normalise(webhook_url),
    )


def normalise(url: str) -> str:
    """Return `url` with its scheme and host in lower case and no trailing slash.

    The path and query keep their case: a webhook id is case-sensitive.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text.rstrip("/")
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            parts.path.rstrip("/"),
            parts.query,
            parts.fragment,
        )
    )
