"""The notification URL check against PG&E's ApplicationInformation (a stub client, no network)."""

from dataclasses import replace
import json
from pathlib import Path
import re

import pytest

from custom_components.openpower.api.errors import (
    ApiConnectionError,
    ApiRateLimitedError,
    ApiResponseError,
)
from custom_components.openpower.api.pge import (
    ApplicationInformation,
    parse_application_information,
)
from custom_components.openpower.providers.pge.application import (
    NotifyUriCheck,
    async_check_notification_uri,
    normalise,
)
from custom_components.openpower.providers.pge.const import ISSUE_NOTIFY_URI_DIFFERS

FIXTURES = Path(__file__).parents[2] / "simulator" / "fixtures" / "pge"
TRANSLATIONS = (
    Path(__file__).parents[3] / "custom_components" / "openpower" / "translations"
)
REGISTERED = (
    "https://api.example.com/espi/pge/notify"  # the fixture's thirdPartyNotifyUri
)


def _fixture() -> ApplicationInformation:
    return parse_application_information(
        (
            FIXTURES / "espi_pge_applicationinformation_entry_2015_verdigris.xml"
        ).read_bytes()
    )


class Stub:
    """Answers what it is given, counting calls."""

    def __init__(self, answer: ApplicationInformation | None | Exception) -> None:
        self.answer = answer
        self.calls = 0

    async def async_application_information(self) -> ApplicationInformation | None:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("webhook_url", "differs"),
    [
        (REGISTERED, False),
        ("HTTPS://API.Example.COM/espi/pge/notify/", False),
        (" https://api.example.com/espi/pge/notify ", False),
        ("https://api.example.com/espi/pge/Notify", True),  # a path keeps its case
        ("http://api.example.com/espi/pge/notify", True),
        ("https://api.example.com:8443/espi/pge/notify", True),
        ("https://hooks.nabu.casa/gAAAAABnotify", True),
    ],
)
async def test_compared_normalised(webhook_url: str, differs: bool) -> None:
    """Scheme and host in any case, a trailing slash: the same URL; anything else differs."""
    stub = Stub(_fixture())
    assert await async_check_notification_uri(stub, webhook_url) == NotifyUriCheck(
        registered=REGISTERED, differs=differs
    )
    assert stub.calls == 1


async def test_registered_uri_as_pge_has_it() -> None:
    """The placeholder is PG&E's URL as registered, not normalised."""
    stub = Stub(replace(_fixture(), third_party_notify_uri="HTTPS://Example.com/Hook/"))
    check = await async_check_notification_uri(stub, "https://example.com/Hook")
    assert check == NotifyUriCheck(
        registered="HTTPS://Example.com/Hook/", differs=False
    )


@pytest.mark.parametrize(
    "answer",
    [
        None,
        replace(_fixture(), third_party_notify_uri=None),
        ApiConnectionError("pge GET …: timeout"),
        ApiRateLimitedError("pge: budget", 60.0),
        ApiResponseError("pge ApplicationInformation: no ApplicationInformation"),
    ],
)
async def test_unknown(answer: ApplicationInformation | None | Exception) -> None:
    """No registration token, no URL in the answer, or a failed read: unknown (None)."""
    stub = Stub(answer)
    assert await async_check_notification_uri(stub, REGISTERED) is None
    assert stub.calls == 1


@pytest.mark.parametrize("webhook_url", [None, ""])
async def test_no_webhook_url_asks_nothing(webhook_url: str | None) -> None:
    """Nothing to compare with: PG&E is not asked."""
    stub = Stub(_fixture())
    assert await async_check_notification_uri(stub, webhook_url) is None
    assert stub.calls == 0


def test_normalise() -> None:
    """Lower-case scheme and host, no trailing slash; path, query and case otherwise kept."""
    assert normalise("HTTPS://Host.Example:8123/api/webhook/AbC/?x=Y") == (
        "https://host.example:8123/api/webhook/AbC?x=Y"
    )
    assert normalise("https://[bad/") == "https://[bad"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_repair_texts(language: str) -> None:
    """The repair in English and French: same placeholders, the Share My Data portal named."""
    issues = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))[
        "issues"
    ]
    issue = issues[ISSUE_NOTIFY_URI_DIFFERS]
    assert ISSUE_NOTIFY_URI_DIFFERS == "pge_notify_uri_differs"
    text = issue["title"] + issue["description"]
    assert set(re.findall(r"{(\w+)}", text)) == {"entry", "registered", "expected"}
    assert "Share My Data" in issue["description"]
    assert "Manage Registration" in issue["description"]
