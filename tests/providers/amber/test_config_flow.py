"""Config flow: provider menu, Amber steps, every error and its recovery, reauth, reconfigure, options."""

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
    DEMO_SITE_5MIN,
    DEMO_SITE_30MIN,
    DEMO_SITE_CLOSED,
    DEMO_TOKEN,
    EMPTY_TOKEN,
    MULTI_SITES,
    MULTI_TOKEN,
    AmberSite,
    Simulator,
)

from .conftest import english

ACCOUNT_ID = min(DEMO_SITE_5MIN, DEMO_SITE_30MIN, DEMO_SITE_CLOSED)


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch(
        "custom_components.openpower.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def token_input(simulator: Simulator, token: str = DEMO_TOKEN) -> dict[str, Any]:
    """What a user submits on the Amber token form."""
    return {"api_token": token, "advanced": {"api_url": simulator.base_url("amber")}}


def field(schema: Any, *path: str) -> Any:
    """Return the schema marker at `path` (through sections), to read its default or suggestion."""
    for index, name in enumerate(path):
        marker = next(key for key in schema.schema if str(key) == name)
        if index == len(path) - 1:
            return marker
        schema = schema.schema[marker].schema
    raise AssertionError(path)


async def start_amber(hass: HomeAssistant) -> FlowResult:
    """Open the flow and pick Amber from the menu."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "amber",
        "emporia",
        "pge",
        "alphaess",
        "enedis",
        "goodwe",
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "amber"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "amber"
    assert result["description_placeholders"] == {
        "token_url": "https://app.amber.com.au/developers/"
    }
    return result


async def test_amber_creates_an_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Token, then site: one entry per site, unique per provider and site."""
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "amber_site"
    options = result["data_schema"].schema["site_id"].config["options"]
    # The closed site is hidden because the account has active ones.
    assert options == [
        {"value": DEMO_SITE_30MIN, "label": "6305432109 · Jemena (active)"},
        {"value": DEMO_SITE_5MIN, "label": "4102345678 · Ausgrid (active)"},
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"site_id": DEMO_SITE_5MIN, "site_name": "Home"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Home"
    assert result["result"].unique_id == f"amber_{DEMO_SITE_5MIN}"
    assert result["data"] == {
        "provider": "amber",
        "api_token": DEMO_TOKEN,
        "site_id": DEMO_SITE_5MIN,
        "account_id": ACCOUNT_ID,
        "advanced": {"api_url": simulator.base_url("amber")},
    }
    assert result["options"] == {}


async def test_amber_site_name_defaults_to_nmi(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Without a name the site is called by its NMI."""
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"site_id": DEMO_SITE_30MIN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "6305432109"


async def test_amber_only_closed_sites_are_offered(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An account whose sites are all closed still shows them, with their closing date."""
    simulator.amber.add_account(
        "moved",
        ["psk_moved" + "0" * 27],
        [
            AmberSite(
                id="01GZZZZZZZZZZZZZZZZZZZZZZZ",
                nmi="4000000001",
                channels=[],
                network="Energex",
                status="closed",
                closed_on=__import__("datetime").date(2025, 1, 31),
            )
        ],
    )
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator, "psk_moved" + "0" * 27)
    )
    options = result["data_schema"].schema["site_id"].config["options"]
    assert options == [
        {
            "value": "01GZZZZZZZZZZZZZZZZZZZZZZZ",
            "label": "4000000001 · Energex (closed 2025-01-31)",
        }
    ]


@pytest.mark.parametrize(
    ("fault", "attempts", "error"),
    [
        ("http_401", 1, "invalid_auth"),
        ("http_403", 1, "invalid_auth"),
        ("http_429", 1, "rate_limited"),
        ("http_500", 4, "cannot_connect"),
        ("timeout", 4, "cannot_connect"),
        ("malformed", 1, "invalid_response"),
        ("missing_field", 1, "invalid_response"),
    ],
)
async def test_amber_errors_then_recovery(
    hass: HomeAssistant, simulator: Simulator, fault: str, attempts: int, error: str
) -> None:
    """Each failure shows its error and keeps the URL typed; fixing it creates the entry.

    Server errors and timeouts are retried three times before the form shows them.
    """
    result = await start_amber(hass)
    simulator.fault_next("amber", fault, attempts)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "amber"
    assert result["errors"] == {"base": error}
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.description == {"suggested_value": simulator.base_url("amber")}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["step_id"] == "amber_site"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"site_id": DEMO_SITE_5MIN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_amber_unreachable_host(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Nothing listening at the API URL: cannot_connect."""
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "api_token": DEMO_TOKEN,
            "advanced": {"api_url": "http://127.0.0.1:9/amber/v1"},
        },
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_amber_unexpected_error(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A bug in the client is caught, logged and shown as unknown."""
    result = await start_amber(hass)
    with patch(
        "custom_components.openpower.api.amber.client.AmberClient.async_get_sites",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], token_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["step_id"] == "amber_site"


async def test_amber_account_without_site(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token whose account has no site yet."""
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator, EMPTY_TOKEN)
    )
    assert result["errors"] == {"base": "amber_no_site"}
    assert english("config", "error", "amber_no_site")


async def test_amber_site_already_configured(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The same site cannot be added twice."""
    MockConfigEntry(domain=DOMAIN, unique_id=f"amber_{DEMO_SITE_5MIN}").add_to_hass(
        hass
    )
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"site_id": DEMO_SITE_5MIN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.fixture
def entry(hass: HomeAssistant, simulator: Simulator) -> MockConfigEntry:
    """An Amber entry of the demo account (not set up: setup is patched)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data={
            "provider": "amber",
            "api_token": "psk_old" + "0" * 29,
            "site_id": DEMO_SITE_5MIN,
            "account_id": ACCOUNT_ID,
            "advanced": {"api_url": simulator.base_url("amber")},
        },
    )
    entry.add_to_hass(hass)
    return entry


async def test_reauth(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """A new token of the same account replaces the old one; the URL is kept."""
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "amber_reauth"
    assert result["description_placeholders"]["name"] == "Home"
    simulator.fault_next("amber", "http_401")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_token": DEMO_TOKEN}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_token": DEMO_TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["api_token"] == DEMO_TOKEN
    assert entry.data["advanced"] == {"api_url": simulator.base_url("amber")}
    assert entry.data["site_id"] == DEMO_SITE_5MIN


async def test_reauth_with_another_account(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """A token that does not see the entry's site belongs to another account."""
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_token": MULTI_TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["api_token"] == "psk_old" + "0" * 29


async def test_reconfigure_keeps_the_token_when_left_empty(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """Reconfigure can change only the URL; an empty token keeps the current one."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "api_token": DEMO_TOKEN}
    )
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "amber_reconfigure"
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.description == {"suggested_value": simulator.base_url("amber")}
    new_url = simulator.base_url("amber") + "/"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {"api_url": new_url}}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["advanced"] == {"api_url": new_url}
    assert entry.data["api_token"] == DEMO_TOKEN


async def test_reconfigure_new_token_error_then_success(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """A failing reconfigure shows the error; a good token is then saved."""
    result = await entry.start_reconfigure_flow(hass)
    simulator.fault_next("amber", "http_500", 4)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["api_token"] == DEMO_TOKEN


async def test_reconfigure_with_another_account(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """Reconfigure refuses a token of another account."""
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator, MULTI_TOKEN)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert MULTI_SITES[0] not in entry.data.values()


async def test_options(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Forecast horizon and pricing mode, with defaults the first time."""
    assert entry.supports_options
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = result["data_schema"].schema
    defaults = {str(key): key.default() for key in schema}
    assert defaults == {"forecast_hours": 24, "pricing_mode": "per_kwh"}
    modes = next(value for key, value in schema.items() if key == "pricing_mode")
    assert modes.config["translation_key"] == "amber_pricing_mode"
    assert set(english("selector", "amber_pricing_mode", "options")) == set(
        modes.config["options"]
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"forecast_hours": 12.0, "pricing_mode": "advanced_predicted"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"forecast_hours": 12, "pricing_mode": "advanced_predicted"}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults == {"forecast_hours": 12, "pricing_mode": "advanced_predicted"}


async def other_host(simulator: Simulator) -> str:
    """Amber's API on another origin: the simulator served on a second port as well.

    (Tests may only reach 127.0.0.1; another port is another server as much as another name.)
    """
    site = web.TCPSite(simulator._runner, "127.0.0.1", 0)  # noqa: SLF001 - a second port
    await site.start()
    root = "http://{}:{}".format(*site._server.sockets[0].getsockname()[:2])  # noqa: SLF001
    return simulator.base_url("amber", root)


async def test_reconfigure_to_another_host_needs_the_token(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """The stored token goes to another host only once the user gives it again."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "api_token": DEMO_TOKEN}
    )
    moved = await other_host(simulator)
    result = await entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {"api_url": moved}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"api_token": "secret_for_new_host"}
    assert len(simulator.requests) == sent
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_token": DEMO_TOKEN, "advanced": {"api_url": moved}}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["advanced"] == {"api_url": moved}
    assert len(simulator.requests) > sent


@pytest.mark.parametrize(
    "url",
    [
        "http://api.amber.com.au/v1",
        "http://10.0.0.2:8080/amber/v1",
        "file:///etc/passwd",
        "https://[/v1",
    ],
)
async def test_reconfigure_refuses_plain_http_off_this_machine(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry, url: str
) -> None:
    """Plain http:// (or no usable URL) for another machine is refused, token or not."""
    result = await entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_token": DEMO_TOKEN, "advanced": {"api_url": url}}
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert len(simulator.requests) == sent
    assert english("config", "error", "url_not_https")
    assert english("config", "error", "secret_for_new_host")


async def test_new_site_refuses_plain_http_off_this_machine(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The rule holds for a new entry too: its token is not sent in clear."""
    result = await start_amber(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"api_token": DEMO_TOKEN, "advanced": {"api_url": "http://example.com/v1"}},
    )
    assert result["errors"] == {"base": "url_not_https"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], token_input(simulator)
    )
    assert result["step_id"] == "amber_site"
