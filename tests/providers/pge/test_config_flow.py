"""PG&E config flow, against the simulator over HTTPS with mutual TLS.

Pasted and uploaded certificates, every error and its recovery, the notification URL step
(cloudhook, external URL, none), already configured, reauth and reconfigure.
"""

from collections.abc import Callable, Generator
import re
import socket
import ssl
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch
import uuid

import aiohttp
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.const import DOMAIN
from tests.simulator import (
    PGE_15MIN_CLIENT_ID,
    PGE_15MIN_CLIENT_SECRET,
    PGE_BULK_ID,
    PGE_CLIENT_ID,
    PGE_CLIENT_SECRET,
    Simulator,
    TestPki,
    pki_material,
)

from .common import pge_entry_data

CLIENT = "custom_components.openpower.api.pge.client.PgeClient"
TITLE = f"PG&E Share My Data ({PGE_BULK_ID})"
CLOUDHOOK = "https://hooks.nabu.casa/ABCD"
WEBHOOK_ID = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch(
        "custom_components.openpower.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def pge_input(simulator: Simulator, **changes: Any) -> dict[str, Any]:
    """What a user submits on the first form: pasted PEM, the simulator's URL and CA."""
    urls = simulator.urls("pge")
    return {
        "client_id": PGE_CLIENT_ID,
        "client_secret": PGE_CLIENT_SECRET,
        "certificate": urls["client_cert_pem"],
        "private_key": urls["client_key_pem"],
        "advanced": {"api_url": urls["api_url"], "ca_certificate": urls["ca_pem"]},
    } | changes


@pytest.fixture
def pge_entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """The demo registration, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=TITLE,
        unique_id=f"pge_{PGE_CLIENT_ID}",
        data=pge_entry_data(simulator, "1" * 64),
    )
    entry.add_to_hass(hass)
    return entry


async def start(hass: HomeAssistant) -> FlowResult:
    """Open the flow and pick PG&E."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert "pge" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pge"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pge"
    assert result["description_placeholders"]["portal_url"]
    assert result["last_step"] is False
    return result


async def submit(
    hass: HomeAssistant, result: FlowResult, data: dict[str, Any]
) -> FlowResult:
    """Submit a form."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], data)


async def finish(hass: HomeAssistant, result: FlowResult) -> FlowResult:
    """From the notification step, create the entry."""
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pge_notification"
    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result


def closed_port_url() -> str:
    """An HTTPS URL on a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"https://127.0.0.1:{port}/pge"


async def upload(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, *files: tuple[str, bytes]
) -> list[str]:
    """Upload files as the frontend's file selector does; return their ids.

    Call it once per test, after the flow started (its HTTP client freezes the routes).
    """
    assert await async_setup_component(hass, "file_upload", {})
    client = await hass_client()
    ids: list[str] = []
    for name, content in files:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name)
        response = await client.post("/api/file_upload", data=form)
        assert response.status == 200
        ids.append((await response.json())["file_id"])
    return ids


# ---- creating an entry -------------------------------------------------------------------------


async def test_pasted_pem_creates_an_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Pasted PEM, no Bulk ID: validated over mTLS, Bulk ID discovered, URL shown, entry."""
    await async_process_ha_core_config(
        hass, {"external_url": "https://home.example.org"}
    )
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pge_notification"
    assert result["errors"] == {}
    assert result["last_step"] is True
    url = result["description_placeholders"]["url"]
    webhook_id = url.removeprefix("https://home.example.org/api/webhook/")
    assert WEBHOOK_ID.fullmatch(webhook_id)
    assert result["description_placeholders"]["portal_url"] == (
        "https://sharemydata.pge.com/"
    )
    result = await finish(hass, result)
    assert result["title"] == TITLE
    assert result["result"].unique_id == f"pge_{PGE_CLIENT_ID}"
    assert result["data"] == pge_entry_data(simulator, webhook_id)


async def test_given_bulk_id_is_kept(hass: HomeAssistant, simulator: Simulator) -> None:
    """A Bulk ID given by the user is stored as given (trimmed), not looked up."""
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator, bulk_id=" 50917 "))
    result = await finish(hass, result)
    assert result["title"] == "PG&E Share My Data (50917)"
    assert result["data"]["bulk_id"] == "50917"


async def test_cloudhook_url(hass: HomeAssistant, simulator: Simulator) -> None:
    """With Home Assistant Cloud, the notification URL is a cloudhook (no warning)."""
    result = await start(hass)
    # Home Assistant Cloud, as the PG&E webhook helper finds it once set up.
    cloud = MagicMock(
        CloudNotAvailable=type("CloudNotAvailable", (Exception,), {}),
        async_active_subscription=MagicMock(return_value=True),
        async_get_or_create_cloudhook=AsyncMock(return_value=CLOUDHOOK),
    )
    create = cloud.async_get_or_create_cloudhook
    with patch(
        "custom_components.openpower.providers.pge.webhook._cloud", return_value=cloud
    ):
        result = await submit(hass, result, pge_input(simulator))
    assert result["errors"] == {}
    assert result["description_placeholders"]["url"] == CLOUDHOOK
    result = await finish(hass, result)
    assert create.call_args.args[1] == result["data"]["webhook_id"]


@pytest.mark.parametrize(
    ("core_config", "shown"),
    [
        # An external URL without HTTPS: shown, with the warning.
        (
            {"external_url": "http://home.example.org:8123"},
            "http://home.example.org:8123/api/webhook/",
        ),
        # No external URL: the internal one, with the warning.
        (
            {"internal_url": "http://homeassistant.local:8123"},
            "http://homeassistant.local:8123/api/webhook/",
        ),
    ],
)
async def test_url_without_https(
    hass: HomeAssistant,
    simulator: Simulator,
    core_config: dict[str, str],
    shown: str,
) -> None:
    """PG&E cannot post to this Home Assistant: the step warns, the entry is still created."""
    await async_process_ha_core_config(hass, core_config)
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator))
    assert result["step_id"] == "pge_notification"
    assert result["errors"] == {"base": "notification_url_not_https"}
    url = result["description_placeholders"]["url"]
    assert url.startswith(shown)
    result = await finish(hass, result)
    assert url == shown + result["data"]["webhook_id"]


async def test_no_url_at_all(hass: HomeAssistant, simulator: Simulator) -> None:
    """No URL of any kind: the warning and the webhook's path."""
    result = await start(hass)
    with patch(
        "homeassistant.components.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ):
        result = await submit(hass, result, pge_input(simulator))
    assert result["errors"] == {"base": "notification_url_not_https"}
    url = result["description_placeholders"]["url"]
    result = await finish(hass, result)
    assert url == f"/api/webhook/{result['data']['webhook_id']}"


async def test_uploaded_files(
    hass: HomeAssistant, simulator: Simulator, hass_client: ClientSessionGenerator
) -> None:
    """Certificate and key uploaded as files: read once (off the loop), stored as PEM.

    A file wins over pasted text; after an error the same uploads are used again although
    reading removed them.
    """
    pki = pki_material()
    result = await start(hass)
    cert_id, key_id = await upload(
        hass,
        hass_client,
        ("client.crt", pki.client.cert),
        ("client.key", pki.client.key),
    )
    files = {
        "certificate_file": cert_id,
        "certificate": "pasted text loses",
        "private_key_file": key_id,
        "private_key": "pasted text loses",
    }
    result = await submit(
        hass, result, pge_input(simulator, client_secret="wrong", **files)
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(hass, result, pge_input(simulator, **files))
    result = await finish(hass, result)
    data = result["data"]
    assert data == pge_entry_data(simulator, data["webhook_id"])


async def test_uploaded_der_certificate(
    hass: HomeAssistant, simulator: Simulator, hass_client: ClientSessionGenerator
) -> None:
    """A DER `.cer` certificate file is accepted and stored as PEM."""
    der = ssl.PEM_cert_to_DER_cert(pki_material().client.cert.decode())
    result = await start(hass)
    (cert_id,) = await upload(hass, hass_client, ("client.cer", der))
    form = pge_input(simulator, certificate_file=cert_id)
    del form["certificate"]
    result = await submit(hass, result, form)
    result = await finish(hass, result)
    assert result["data"]["certificate"] == ssl.DER_cert_to_PEM_cert(der).strip()


async def test_unreadable_uploads(
    hass: HomeAssistant, simulator: Simulator, hass_client: ClientSessionGenerator
) -> None:
    """A binary key file and an unknown upload are errors on their fields."""
    result = await start(hass)
    (key_id,) = await upload(hass, hass_client, ("client.key", b"\xff\xfe\x00binary"))
    result = await submit(
        hass,
        result,
        pge_input(
            simulator, certificate_file=uuid.uuid4().hex, private_key_file=key_id
        ),
    )
    assert result["errors"] == {
        "certificate_file": "invalid_certificate",
        "private_key_file": "invalid_key",
    }


async def test_certificate_and_key_required(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Neither a file nor pasted text: both fields say so; the secret is not suggested back."""
    result = await start(hass)
    form = pge_input(simulator, certificate="  ")
    del form["private_key"]
    result = await submit(hass, result, form)
    assert result["errors"] == {
        "certificate_file": "certificate_required",
        "private_key_file": "key_required",
    }
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested["client_id"] == PGE_CLIENT_ID
    assert suggested["client_secret"] is None
    result = await submit(hass, result, pge_input(simulator))
    await finish(hass, result)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        pytest.param(
            lambda _: {"client_secret": "wrong"},
            {"base": "invalid_auth"},
            id="wrong_secret",
        ),
        pytest.param(
            lambda _: {"client_id": "unknown"},
            {"base": "invalid_auth"},
            id="unknown_client_id",
        ),
        pytest.param(
            lambda pki: {"certificate": pki.expired_client.cert.decode()},
            {"certificate": "certificate_expired"},
            id="expired_certificate",
        ),
        pytest.param(
            lambda pki: {"private_key": pki.mismatched_key.decode()},
            {"private_key": "key_mismatch"},
            id="mismatched_key",
        ),
        pytest.param(
            lambda pki: {
                "certificate": pki.rogue_client.cert.decode(),
                "private_key": pki.rogue_client.key.decode(),
            },
            {"base": "certificate_rejected"},
            id="unregistered_certificate",
        ),
        pytest.param(
            lambda _: {"certificate": "not a certificate"},
            {"certificate": "invalid_certificate"},
            id="garbage_certificate",
        ),
        pytest.param(
            lambda _: {"private_key": "not a key"},
            {"private_key": "invalid_key"},
            id="garbage_key",
        ),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    changes: Callable[[TestPki], dict[str, str]],
    errors: dict[str, str],
) -> None:
    """Each wrong credential or certificate: the form says which; the right input works."""
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator, **changes(pki_material())))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pge"
    assert result["errors"] == errors
    result = await submit(hass, result, pge_input(simulator))
    await finish(hass, result)


async def test_invalid_ca(hass: HomeAssistant, simulator: Simulator) -> None:
    """A CA that is no certificate is a form error."""
    result = await start(hass)
    urls = simulator.urls("pge")
    result = await submit(
        hass,
        result,
        pge_input(
            simulator, advanced={"api_url": urls["api_url"], "ca_certificate": "junk"}
        ),
    )
    assert result["errors"] == {"base": "invalid_ca"}


async def test_service_unavailable(hass: HomeAssistant, simulator: Simulator) -> None:
    """ReadServiceStatus other than 1: PG&E is down; later it works."""
    simulator.pge.service_status = 0
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator))
    assert result["errors"] == {"base": "service_unavailable"}
    simulator.pge.service_status = 1
    result = await submit(hass, result, pge_input(simulator))
    await finish(hass, result)


async def test_cannot_connect(hass: HomeAssistant, simulator: Simulator) -> None:
    """Nothing listens on the API URL."""
    result = await start(hass)
    urls = simulator.urls("pge")
    result = await submit(
        hass,
        result,
        pge_input(
            simulator,
            advanced={"api_url": closed_port_url(), "ca_certificate": urls["ca_pem"]},
        ),
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_rate_limited(hass: HomeAssistant, simulator: Simulator) -> None:
    """PG&E's 429 on the token request."""
    simulator.fault_next("pge", "http_429")
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator))
    assert result["errors"] == {"base": "rate_limited"}


async def test_bulk_id_not_found(hass: HomeAssistant, simulator: Simulator) -> None:
    """No Bulk authorization to discover the Bulk ID from; giving it works."""
    result = await start(hass)
    with patch(
        f"{CLIENT}.async_bulk_id", side_effect=ApiResponseError("no Batch/Bulk")
    ):
        result = await submit(hass, result, pge_input(simulator))
        assert result["errors"] == {"base": "bulk_id_not_found"}
        result = await submit(hass, result, pge_input(simulator, bulk_id=PGE_BULK_ID))
    result = await finish(hass, result)
    assert result["data"]["bulk_id"] == PGE_BULK_ID


async def test_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """A bug while validating shows `unknown` instead of crashing the flow."""
    result = await start(hass)
    with patch(f"{CLIENT}.async_service_status", side_effect=RuntimeError):
        result = await submit(hass, result, pge_input(simulator))
    assert result["errors"] == {"base": "unknown"}


async def test_already_configured(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The same registration twice is refused before the notification step."""
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# ---- reauth ------------------------------------------------------------------------------------


async def test_reauth_new_secret(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """A wrong new secret is an error; the right one updates the entry, the rest is kept."""
    hass.config_entries.async_update_entry(
        pge_entry, data=pge_entry.data | {"client_secret": "old"}
    )
    result = await pge_entry.start_reauth_flow(hass)
    assert result["step_id"] == "pge_reauth"
    assert result["description_placeholders"]["name"] == TITLE
    assert result["last_step"] is True
    result = await submit(hass, result, {})
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(hass, result, {"client_secret": PGE_CLIENT_SECRET})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert dict(pge_entry.data) == pge_entry_data(simulator, "1" * 64)


async def test_reauth_new_certificate(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """An expired certificate: the renewed one (same key) replaces it."""
    pki = pki_material()
    hass.config_entries.async_update_entry(
        pge_entry,
        data=pge_entry.data | {"certificate": pki.expired_client.cert.decode()},
    )
    result = await pge_entry.start_reauth_flow(hass)
    result = await submit(hass, result, {})
    assert result["errors"] == {"certificate": "certificate_expired"}
    result = await submit(hass, result, {"certificate": pki.client.cert.decode()})
    assert result["reason"] == "reauth_successful"
    assert dict(pge_entry.data) == pge_entry_data(simulator, "1" * 64)


async def test_reauth_wrong_account(hass: HomeAssistant, simulator: Simulator) -> None:
    """Credentials of another registration than the entry's are refused."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="PG&E Share My Data (50952)",
        unique_id=f"pge_{PGE_15MIN_CLIENT_ID}",
        data=pge_entry_data(simulator, "2" * 64),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


# ---- reconfigure -------------------------------------------------------------------------------


async def test_reconfigure_endpoint(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Another API host: the stored secret and key go there only once given again.

    Bulk ID found again; the notification URL shown (it is shown nowhere else after setup).
    """
    urls = simulator.urls("pge")
    hass.config_entries.async_update_entry(
        pge_entry,
        data=pge_entry.data
        | {"bulk_id": "99999", "advanced": {"api_url": closed_port_url()}},
    )
    requests = len(simulator.requests)
    result = await pge_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "pge_reconfigure"
    assert result["last_step"] is True
    # The notification URL, shown nowhere else after setup (no external URL here: the path).
    webhook_id = pge_entry.data["webhook_id"]
    assert result["description_placeholders"]["url"].endswith(
        f"/api/webhook/{webhook_id}"
    )
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested["client_id"] == PGE_CLIENT_ID
    assert suggested["bulk_id"] == "99999"
    assert suggested["client_secret"] is None
    assert suggested["private_key"] is None
    moved = {
        "client_id": PGE_CLIENT_ID,
        "advanced": {"api_url": urls["api_url"], "ca_certificate": urls["ca_pem"]},
    }
    result = await submit(hass, result, moved)
    assert result["errors"] == {
        "client_secret": "secret_for_new_host",
        "private_key": "secret_for_new_host",
    }
    assert len(simulator.requests) == requests  # nothing was sent to the new host
    result = await submit(
        hass,
        result,
        moved
        | {
            "client_secret": PGE_CLIENT_SECRET,
            "private_key": urls["client_key_pem"],
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(pge_entry.data) == pge_entry_data(simulator, "1" * 64)


async def test_reconfigure_same_host_keeps_the_secrets(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """The same API host (another CA, an empty Bulk ID): empty secret and key keep theirs."""
    urls = simulator.urls("pge")
    hass.config_entries.async_update_entry(
        pge_entry, data=pge_entry.data | {"bulk_id": "99999"}
    )
    result = await pge_entry.start_reconfigure_flow(hass)
    result = await submit(
        hass,
        result,
        {
            "client_id": PGE_CLIENT_ID,
            "advanced": {
                "api_url": urls["api_url"],
                "ca_certificate": urls["ca_pem"],
            },
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(pge_entry.data) == pge_entry_data(simulator, "1" * 64)


@pytest.mark.parametrize(
    "api_url",
    [
        "http://api.pge.com",
        "http://192.0.2.1:8080/pge",
        "ftp://api.pge.com",
        "https://",
        "https://[/x",
    ],
)
async def test_reconfigure_refuses_urls_no_secret_may_go_to(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry, api_url: str
) -> None:
    """Plain HTTP off this machine (or no URL at all): refused, even with the secrets given."""
    requests = len(simulator.requests)
    result = await pge_entry.start_reconfigure_flow(hass)
    result = await submit(
        hass,
        result,
        pge_input(simulator) | {"advanced": {"api_url": api_url}},
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert len(simulator.requests) == requests


async def test_plain_http_on_this_machine_is_accepted(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The simulator's plain-HTTP mirror on 127.0.0.1 (scripts/develop): a test server."""
    urls = simulator.urls("pge")
    result = await start(hass)
    result = await submit(
        hass,
        result,
        pge_input(simulator) | {"advanced": {"api_url": urls["http_api_url"]}},
    )
    await finish(hass, result)


async def test_blank_client_secret_is_asked_for(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A Client Secret of blanks is no secret: the form says so, nothing is sent."""
    requests = len(simulator.requests)
    result = await start(hass)
    result = await submit(hass, result, pge_input(simulator, client_secret="   "))
    assert result["errors"] == {"client_secret": "pge_secret_required"}
    assert len(simulator.requests) == requests


async def test_reconfigure_other_registration(
    hass: HomeAssistant, simulator: Simulator, pge_entry: MockConfigEntry
) -> None:
    """Another registration's Client ID is refused; the entry is unchanged."""
    result = await pge_entry.start_reconfigure_flow(hass)
    result = await submit(
        hass,
        result,
        pge_input(
            simulator,
            client_id=PGE_15MIN_CLIENT_ID,
            client_secret=PGE_15MIN_CLIENT_SECRET,
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert dict(pge_entry.data) == pge_entry_data(simulator, "1" * 64)


# ---- options: the price source of electricity without a cost -----------------------------------


async def test_options_go_straight_to_the_price_source(
    hass: HomeAssistant, pge_entry: MockConfigEntry
) -> None:
    """No PG&E form first: the price source, then the fixed prices, stored under `cost`."""
    assert pge_entry.supports_options
    result = await hass.config_entries.options.async_init(pge_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_source"
    schema = result["data_schema"].schema
    assert {str(key): key.default() for key in schema} == {"source": "none"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "fixed"}
    )
    assert result["step_id"] == "cost_fixed"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3125, "export_price": 0.0625}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert pge_entry.options == {
        "cost": {"source": "fixed", "import_price": 0.3125, "export_price": 0.0625}
    }
    # Chosen again: shown as chosen; "none" then removes it.
    result = await hass.config_entries.options.async_init(pge_entry.entry_id)
    schema = result["data_schema"].schema
    assert {str(key): key.default() for key in schema} == {"source": "fixed"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert pge_entry.options == {}
