"""Emporia config flow: both sign-in paths, every error and its recovery, reauth, reconfigure, options."""

from collections.abc import Generator
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from tests.simulator import (
    EMPORIA_CUSTOMER_GID,
    EMPORIA_EMAIL,
    EMPORIA_FEDERATED_CUSTOMER_GID,
    EMPORIA_FEDERATED_EMAIL,
    EMPORIA_PASSWORD,
    Simulator,
)


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch(
        "custom_components.openpower.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def password_input(
    simulator: Simulator, email: str = EMPORIA_EMAIL, password: str = EMPORIA_PASSWORD
) -> dict[str, Any]:
    """What a user submits on the email/password form."""
    return {"email": email, "password": password, "advanced": simulator.urls("emporia")}


async def start(hass: HomeAssistant, path: str) -> FlowResult:
    """Open the flow, pick Emporia, then the sign-in path."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "emporia"}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["emporia_password", "emporia_tokens"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": path}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == path
    return result


async def test_password_creates_an_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Email (any case) and password → one entry per account, refresh token kept."""
    result = await start(hass, "emporia_password")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator, email=EMPORIA_EMAIL.upper())
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == EMPORIA_EMAIL
    assert result["result"].unique_id == f"emporia_{EMPORIA_CUSTOMER_GID}"
    data = result["data"]
    assert data["provider"] == "emporia"
    assert data["email"] == EMPORIA_EMAIL
    assert data["password"] == EMPORIA_PASSWORD
    assert data["refresh_token"]
    assert data["advanced"] == simulator.urls("emporia")


async def test_srp_fallback(hass: HomeAssistant, simulator: Simulator) -> None:
    """A pool without USER_PASSWORD_AUTH: the flow signs in with SRP instead."""
    simulator.emporia.password_auth_enabled = False
    result = await start(hass, "emporia_password")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [
        (EMPORIA_EMAIL, "wrong password", "invalid_auth"),
        ("nobody@openpower.invalid", EMPORIA_PASSWORD, "invalid_auth"),
        (EMPORIA_FEDERATED_EMAIL, "anything", "invalid_auth"),
    ],
)
async def test_password_rejected_then_recovery(
    hass: HomeAssistant, simulator: Simulator, email: str, password: str, error: str
) -> None:
    """Wrong password, unknown user, Google account: a form error, then the right input works."""
    result = await start(hass, "emporia_password")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator, email=email, password=password)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("fault", "count", "error"),
    [
        ("http_500", 4, "cannot_connect"),
        ("timeout", 4, "cannot_connect"),
        ("http_429", 1, "rate_limited"),
        ("malformed", 1, "invalid_response"),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant, simulator: Simulator, fault: str, count: int, error: str
) -> None:
    """Emporia failing during validation: the form says why; the next attempt works."""
    result = await start(hass, "emporia_password")
    simulator.fault_next("emporia", fault, count)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["errors"] == {"base": error}
    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_maintenance(hass: HomeAssistant, simulator: Simulator) -> None:
    """Emporia down for maintenance: the form says so."""
    result = await start(hass, "emporia_password")
    simulator.emporia.maintenance = True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["errors"] == {"base": "maintenance"}


async def test_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """A bug while validating shows `unknown` instead of crashing the flow."""
    result = await start(hass, "emporia_password")
    with patch(
        "custom_components.openpower.api.emporia.client.parse_customer_devices",
        side_effect=RuntimeError,
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], password_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}


async def test_tokens_create_an_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A Google account: pasted tokens, no password stored."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    result = await start(hass, "emporia_tokens")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**tokens, "advanced": simulator.urls("emporia")}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == EMPORIA_FEDERATED_EMAIL
    assert "password" not in result["data"]
    assert result["data"]["refresh_token"] == tokens["refresh_token"]


async def test_tokens_rejected(hass: HomeAssistant, simulator: Simulator) -> None:
    """A revoked refresh token is an auth error on the form."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    simulator.emporia.revoke_refresh_tokens(EMPORIA_FEDERATED_EMAIL)
    result = await start(hass, "emporia_tokens")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "refresh_token": tokens["refresh_token"],
            "advanced": simulator.urls("emporia"),
        },
    )
    assert result["errors"] == {"base": "invalid_auth"}


async def test_already_configured(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """The same account twice is refused."""
    result = await start(hass, "emporia_password")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], password_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_with_password(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """Reauth asks for the password only; a wrong one is an error; the right one updates."""
    old_refresh = emporia_entry.data["refresh_token"]
    result = await emporia_entry.start_reauth_flow(hass)
    assert result["step_id"] == "emporia_reauth"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": EMPORIA_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert emporia_entry.data["refresh_token"] != old_refresh
    assert emporia_entry.data["email"] == EMPORIA_EMAIL


async def test_reauth_with_tokens(hass: HomeAssistant, simulator: Simulator) -> None:
    """A token entry reauthenticates with new tokens; another account's are refused."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="emporia_placeholder",
        data={
            "provider": "emporia",
            "refresh_token": "revoked",
            "advanced": simulator.urls("emporia"),
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"refresh_token": tokens["refresh_token"]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reauth_tokens_success(hass: HomeAssistant, simulator: Simulator) -> None:
    """New pasted tokens of the same account replace the refused ones."""
    first = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    result = await start(hass, "emporia_tokens")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**first, "advanced": simulator.urls("emporia")}
    )
    entry = result["result"]
    second = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    (result,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"refresh_token": second["refresh_token"]}
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data["refresh_token"] == second["refresh_token"]


async def test_reconfigure(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """Reconfigure keeps the password when left empty; a wrong new one is an error."""
    result = await emporia_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "emporia_reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "wrong", "advanced": simulator.urls("emporia")}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": simulator.urls("emporia")}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert emporia_entry.data["password"] == EMPORIA_PASSWORD


async def _sensors_step(hass: HomeAssistant, entry: MockConfigEntry) -> FlowResult:
    """Open the options and choose the power sensors: the price source comes next."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "emporia_sensors"
    selector = result["data_schema"].schema["sensors"]
    assert selector.config["translation_key"] == "emporia_sensors"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"sensors": ["power"]}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_source"
    return result


async def test_options_without_price(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """Options choose the optional sensor groups, then no price: no cost statistics."""
    result = await _sensors_step(hass, emporia_entry)
    # No loaded entry offers prices: another entry's prices are not offered.
    sources = result["data_schema"].schema["source"].config["options"]
    assert sources == ["none", "fixed", "time_of_use"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert emporia_entry.options == {"sensors": ["power"]}


async def test_options_fixed_price(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """A fixed price per kWh bought and one per kWh sold."""
    result = await _sensors_step(hass, emporia_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "fixed"}
    )
    assert result["step_id"] == "cost_fixed"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3, "export_price": 0.08}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert emporia_entry.options == {
        "sensors": ["power"],
        "cost": {"source": "fixed", "import_price": 0.3, "export_price": 0.08},
    }
    # Opened again, the form starts from what is saved; taking the price off goes back.
    result = await _sensors_step(hass, emporia_entry)
    assert result["data_schema"]({})["source"] == "fixed"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "none"}
    )
    assert emporia_entry.options == {"sensors": ["power"]}


async def test_options_time_of_use(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """A default price and periods; an incomplete period or none at all is refused."""
    result = await _sensors_step(hass, emporia_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "time_of_use"}
    )
    assert result["step_id"] == "cost_time_of_use"
    empty: dict[str, Any] = {"period_2": {}, "period_3": {}}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.2, "period_1": {}, **empty}
    )
    assert result["errors"] == {"base": "no_period"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.2, "period_1": {"price": 0.45}, **empty}
    )
    assert result["errors"] == {"period_1": "incomplete_period"}
    peak = {
        "price": 0.45,
        "start": "16:00:00",
        "end": "21:00:00",
        "days": ["fri", "mon"],
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"import_price": 0.2, "export_price": 0.05, "period_1": peak, **empty},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert emporia_entry.options == {
        "sensors": ["power"],
        "cost": {
            "source": "time_of_use",
            "import_price": 0.2,
            "export_price": 0.05,
            "periods": [
                {
                    "price": 0.45,
                    "start": "16:00:00",
                    "end": "21:00:00",
                    "days": ["mon", "fri"],
                }
            ],
        },
    }


def token_entry(
    hass: HomeAssistant, simulator: Simulator, refresh_token: str
) -> MockConfigEntry:
    """The entry of a Google account (pasted tokens: no password)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMPORIA_FEDERATED_EMAIL,
        unique_id=f"emporia_{EMPORIA_FEDERATED_CUSTOMER_GID}",
        data={
            "provider": "emporia",
            "email": EMPORIA_FEDERATED_EMAIL,
            "refresh_token": refresh_token,
            "advanced": simulator.urls("emporia"),
        },
    )
    entry.add_to_hass(hass)
    return entry


def suggested_values(result: FlowResult) -> list[Any]:
    """Every value a form suggests, sections included: what the browser receives."""
    found: list[Any] = []

    def collect(schema: Any) -> None:
        for key, value in schema.schema.items():
            if (
                suggested := (key.description or {}).get("suggested_value")
            ) is not None:
                found.append(suggested)
            if hasattr(value, "schema") and hasattr(value.schema, "schema"):
                collect(value.schema)

    collect(result["data_schema"])
    return found


async def test_reconfigure_never_sends_a_stored_secret_back(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A pasted-token account's reconfigure form suggests its endpoints, not its refresh token."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    entry = token_entry(hass, simulator, tokens["refresh_token"])
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "emporia_reconfigure"
    assert "refresh_token" in result["data_schema"].schema
    shown = suggested_values(result)
    assert set(simulator.urls("emporia").values()) <= set(shown)
    assert entry.data["refresh_token"] not in shown
    assert all(secret not in repr(shown) for secret in tokens.values())
    # A form shown again after an error does not echo a secret just typed either.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"refresh_token": "typed-secret", "advanced": simulator.urls("emporia")},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert "typed-secret" not in repr(suggested_values(result))


async def other_host(simulator: Simulator) -> dict[str, str]:
    """Emporia's endpoints on another origin: the simulator served on a second port as well.

    (Tests may only reach 127.0.0.1; another port is another server as much as another name.)
    """
    site = web.TCPSite(simulator._runner, "127.0.0.1", 0)  # noqa: SLF001 - a second port
    await site.start()
    root = "http://{}:{}".format(*site._server.sockets[0].getsockname()[:2])  # noqa: SLF001
    return simulator.urls("emporia", root)


async def test_reconfigure_to_another_host_needs_the_secret(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry
) -> None:
    """The stored password goes to another host only once the user gives it again."""
    moved = await other_host(simulator)
    result = await emporia_entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": moved}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"password": "secret_for_new_host"}
    assert len(simulator.requests) == sent
    assert emporia_entry.data["advanced"] == simulator.urls("emporia")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": EMPORIA_PASSWORD, "advanced": moved}
    )
    assert result["reason"] == "reconfigure_successful"
    assert emporia_entry.data["advanced"] == moved
    assert len(simulator.requests) > sent


async def test_reconfigure_tokens_to_another_host_needs_the_token(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A pasted-token account: the refresh token is what must be given again."""
    tokens = simulator.emporia.issue_tokens(EMPORIA_FEDERATED_EMAIL)
    entry = token_entry(hass, simulator, tokens["refresh_token"])
    result = await entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"advanced": await other_host(simulator)},
    )
    assert result["errors"] == {"refresh_token": "secret_for_new_host"}
    assert len(simulator.requests) == sent


@pytest.mark.parametrize(
    "url",
    [
        "http://api.emporiaenergy.com",
        "http://192.168.1.20:8080/emporia/api",
        "ftp://127.0.0.1/emporia/api",
        "https://[/emporia/api",
    ],
)
async def test_reconfigure_refuses_plain_http_off_this_machine(
    hass: HomeAssistant, simulator: Simulator, emporia_entry: MockConfigEntry, url: str
) -> None:
    """Plain http:// (or no usable URL) for another machine is refused, password or not."""
    result = await emporia_entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "password": EMPORIA_PASSWORD,
            "advanced": {**simulator.urls("emporia"), "api_url": url},
        },
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert len(simulator.requests) == sent


async def test_new_account_refuses_plain_http_off_this_machine(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The rule holds for a new account too: its password is not sent in clear."""
    result = await start(hass, "emporia_password")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **password_input(simulator),
            "advanced": {
                key: url.replace("127.0.0.1", "example.com")
                for key, url in simulator.urls("emporia").items()
            },
        },
    )
    assert result["errors"] == {"base": "url_not_https"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            **password_input(simulator),
            "advanced": await other_host(simulator),
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
