"""Config flow: AlphaESS steps, errors and recoveries, reauth, reconfigure, options, Add system.

"Add system" is the entry's subentry flow that binds a system with the code AlphaESS e-mails.
"""

from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import device_registry as dr
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.openpower as integration
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.alphaess.runtime import (
    SETTINGS,
    AlphaEssSettings,
    app_budget,
)
from custom_components.openpower.providers.amber.runtime import (
    SETTINGS as AMBER_SETTINGS,
    AmberSettings,
)
from tests.common import async_settle, async_setup_entry
from tests.providers.amber.conftest import amber_entry_data
from tests.simulator import (
    ALPHAESS_APP_ID,
    ALPHAESS_APP_SECRET,
    ALPHAESS_CHECK_CODE,
    ALPHAESS_LEGACY_SYSTEM,
    ALPHAESS_OTHER_APP_ID,
    ALPHAESS_OTHER_APP_SECRET,
    ALPHAESS_SYSTEM,
    ALPHAESS_UNBOUND_SYSTEM,
    DEMO_SITE_5MIN,
    Simulator,
)

from .conftest import english

UNIQUE_ID = f"alphaess_{ALPHAESS_APP_ID}"
SET_UP, UNLOAD = integration.async_setup_entry, integration.async_unload_entry
PORTAL = {"portal_url": "https://open.alphaess.com"}


@pytest.fixture(autouse=True)
async def mock_setup_entry(
    hass: HomeAssistant,
) -> AsyncGenerator[tuple[AsyncMock, AsyncMock]]:
    """Flow tests stop at the entry: setting it up is tested elsewhere (or `set_up_for_real`).

    Entries are unloaded before the patches end: the harness unloads what is left after.
    """
    with (
        patch.object(integration, "async_setup_entry", return_value=True) as setup,
        patch.object(integration, "async_unload_entry", return_value=True) as unload,
    ):
        yield setup, unload
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
def set_up_for_real(mock_setup_entry: tuple[AsyncMock, AsyncMock]) -> None:
    """Set entries up (and unload them) as Home Assistant does."""
    setup, unload = mock_setup_entry
    setup.side_effect, unload.side_effect = SET_UP, UNLOAD


def app_input(
    simulator: Simulator,
    app_id: str = ALPHAESS_APP_ID,
    app_secret: str = ALPHAESS_APP_SECRET,
) -> dict[str, Any]:
    """What a user submits on the AlphaESS form."""
    return {
        "app_id": app_id,
        "app_secret": app_secret,
        "advanced": {"api_url": simulator.base_url("alphaess")},
    }


def field(schema: Any, *path: str) -> Any:
    """Return the schema marker at `path` (through sections), to read its default or suggestion."""
    for index, name in enumerate(path):
        marker = next(key for key in schema.schema if str(key) == name)
        if index == len(path) - 1:
            return marker
        schema = schema.schema[marker].schema
    raise AssertionError(path)


def requests_to(simulator: Simulator, endpoint: str) -> int:
    """How many requests of `endpoint` the simulator answered."""
    return sum(
        1
        for record in simulator.requests
        if record.provider == "alphaess" and record.path.endswith(f"/{endpoint}")
    )


async def start_alphaess(hass: HomeAssistant) -> FlowResult:
    """Open the flow and pick AlphaESS from the menu."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "alphaess" in result["menu_options"]
    assert english("config", "step", "user", "menu_options", "alphaess")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "alphaess"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "alphaess"
    assert result["description_placeholders"] == PORTAL
    return result


async def test_alphaess_creates_an_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """AppID and secret: one entry per AppID, titled after its first system."""
    result = await start_alphaess(hass)
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.default() == "https://openapi.alphaess.com/api"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        app_input(simulator, f" {ALPHAESS_APP_ID} ", f"{ALPHAESS_APP_SECRET} "),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "AlphaESS …0601"
    assert result["result"].unique_id == UNIQUE_ID
    assert result["data"] == {
        "provider": "alphaess",
        "app_id": ALPHAESS_APP_ID,
        "app_secret": ALPHAESS_APP_SECRET,
        "advanced": {"api_url": simulator.base_url("alphaess")},
    }
    assert result["options"] == {}
    assert requests_to(simulator, "getEssList") == 1


async def test_alphaess_account_without_system(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An AppID with no system yet is accepted (systems are added later): plain title."""
    result = await start_alphaess(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        app_input(simulator, ALPHAESS_OTHER_APP_ID, ALPHAESS_OTHER_APP_SECRET),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "AlphaESS"
    assert result["result"].unique_id == f"alphaess_{ALPHAESS_OTHER_APP_ID}"


@pytest.mark.parametrize(
    ("fault", "attempts", "error"),
    [
        ("code_6007", 1, "invalid_auth"),
        ("code_6009", 1, "alphaess_clock"),
        ("code_6026", 1, "cannot_connect"),
        ("code_6017", 1, "rejected"),
        ("code_10001", 1, "rejected"),
        ("http_500", 4, "cannot_connect"),
        ("http_502", 4, "cannot_connect"),
        ("malformed", 1, "invalid_response"),
    ],
)
async def test_alphaess_errors_then_recovery(
    hass: HomeAssistant, simulator: Simulator, fault: str, attempts: int, error: str
) -> None:
    """Each failure shows its error and keeps what was typed (but the secret); fixing it works.

    Server errors (HTTP 5xx) are retried three times before the form shows them.
    """
    result = await start_alphaess(hass)
    simulator.fault_next("alphaess", fault, attempts)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "alphaess"
    assert result["errors"] == {"base": error}
    assert english("config", "error", error)
    schema = result["data_schema"]
    assert field(schema, "app_id").description == {"suggested_value": ALPHAESS_APP_ID}
    assert field(schema, "app_secret").description is None
    assert field(schema, "advanced", "api_url").description == {
        "suggested_value": simulator.base_url("alphaess")
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_alphaess_wrong_secret(hass: HomeAssistant, simulator: Simulator) -> None:
    """A secret that is not the AppID's is refused as AlphaESS refuses it (6007)."""
    result = await start_alphaess(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator, app_secret=ALPHAESS_OTHER_APP_SECRET)
    )
    assert result["errors"] == {"base": "invalid_auth"}


async def test_alphaess_too_fast_pauses_the_appid(
    hass: HomeAssistant, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 6053 shows rate_limited and pauses the AppID's budget; once over, the form works."""
    result = await start_alphaess(hass)
    simulator.fault_next("alphaess", "code_6053")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["errors"] == {"base": "rate_limited"}
    budget = app_budget(hass, ALPHAESS_APP_ID)
    assert 50 < budget.paused_for() <= 60
    later = budget._clock() + 61  # noqa: SLF001 - the pause is over, without waiting it out
    monkeypatch.setattr(budget, "_clock", lambda: later)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The 6053, then the one that worked: nothing was asked in between.
    assert requests_to(simulator, "getEssList") == 2


async def test_alphaess_unreachable_host(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Nothing listening at the API URL: cannot_connect."""
    result = await start_alphaess(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "app_id": ALPHAESS_APP_ID,
            "app_secret": ALPHAESS_APP_SECRET,
            "advanced": {"api_url": "http://127.0.0.1:9/alphaess/api"},
        },
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_alphaess_unexpected_error(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A bug in the client is caught, logged and shown as unknown."""
    result = await start_alphaess(hass)
    with patch(
        "custom_components.openpower.api.alphaess.client.AlphaEssClient.async_get_systems",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], app_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_alphaess_refuses_plain_http_off_this_machine(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The secret is not sent in clear to another machine: nothing is asked."""
    result = await start_alphaess(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "app_id": ALPHAESS_APP_ID,
            "app_secret": ALPHAESS_APP_SECRET,
            "advanced": {"api_url": "http://openapi.alphaess.com/api"},
        },
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert len(simulator.requests) == sent


async def test_alphaess_appid_already_configured(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """The same AppID cannot be added twice; nothing is asked of AlphaESS."""
    result = await start_alphaess(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(simulator.requests) == sent


@pytest.fixture
def stale_entry(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo AppID's entry with a secret AlphaESS no longer accepts."""
    hass.config_entries.async_update_entry(
        alphaess_entry, data={**alphaess_entry.data, "app_secret": "f" * 32}
    )
    return alphaess_entry


async def test_reauth(
    hass: HomeAssistant, simulator: Simulator, stale_entry: MockConfigEntry
) -> None:
    """A new secret of the same AppID replaces the old one; the AppID is shown, the URL kept."""
    result = await stale_entry.start_reauth_flow(hass)
    assert result["step_id"] == "alphaess_reauth"
    assert result["description_placeholders"] == {
        **PORTAL,
        "name": "AlphaESS",
        "app_id": ALPHAESS_APP_ID,
    }
    assert [str(key) for key in result["data_schema"].schema] == ["app_secret"]
    simulator.fault_next("alphaess", "code_6042")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"app_secret": ALPHAESS_APP_SECRET}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"app_secret": ALPHAESS_APP_SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert stale_entry.data == {
        "provider": "alphaess",
        "app_id": ALPHAESS_APP_ID,
        "app_secret": ALPHAESS_APP_SECRET,
        "advanced": {"api_url": simulator.base_url("alphaess")},
    }


async def test_reauth_with_a_secret_of_another_appid(
    hass: HomeAssistant, simulator: Simulator, stale_entry: MockConfigEntry
) -> None:
    """The AppID is the entry's: another AppID's secret does not sign for it (6007)."""
    result = await stale_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"app_secret": ALPHAESS_OTHER_APP_SECRET}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert stale_entry.data["app_secret"] == "f" * 32


async def other_host(simulator: Simulator) -> str:
    """AlphaESS's API on another origin: the simulator served on a second port as well.

    (Tests may only reach 127.0.0.1; another port is another server as much as another name.)
    """
    site = web.TCPSite(simulator._runner, "127.0.0.1", 0)  # noqa: SLF001 - a second port
    await site.start()
    root = "http://{}:{}".format(*site._server.sockets[0].getsockname()[:2])  # noqa: SLF001
    return simulator.base_url("alphaess", root)


async def test_reconfigure_keeps_the_secret_when_left_empty(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """Reconfigure can change only the URL (same host); an empty secret keeps the current one."""
    result = await alphaess_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "alphaess_reconfigure"
    assert result["description_placeholders"] == {
        **PORTAL,
        "name": "AlphaESS",
        "app_id": ALPHAESS_APP_ID,
    }
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.description == {"suggested_value": simulator.base_url("alphaess")}
    assert field(result["data_schema"], "app_secret").description is None
    new_url = simulator.base_url("alphaess") + "/"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {"api_url": new_url}}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert alphaess_entry.data["advanced"] == {"api_url": new_url}
    assert alphaess_entry.data["app_secret"] == ALPHAESS_APP_SECRET
    assert alphaess_entry.data["app_id"] == ALPHAESS_APP_ID


async def test_reconfigure_new_secret_error_then_success(
    hass: HomeAssistant, simulator: Simulator, stale_entry: MockConfigEntry
) -> None:
    """A failing reconfigure shows the error and the URL typed; a good secret is then saved."""
    result = await stale_entry.start_reconfigure_flow(hass)
    new_url = simulator.base_url("alphaess") + "/"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {"api_url": new_url}}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.description == {"suggested_value": new_url}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"app_secret": ALPHAESS_APP_SECRET, "advanced": {"api_url": new_url}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert stale_entry.data["app_secret"] == ALPHAESS_APP_SECRET
    assert stale_entry.data["advanced"] == {"api_url": new_url}


async def test_reconfigure_to_another_host_needs_the_secret(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """The stored secret goes to another host only once the user gives it again."""
    moved = await other_host(simulator)
    result = await alphaess_entry.start_reconfigure_flow(hass)
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"advanced": {"api_url": moved}}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"app_secret": "secret_for_new_host"}
    assert len(simulator.requests) == sent
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"app_secret": ALPHAESS_APP_SECRET, "advanced": {"api_url": moved}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert alphaess_entry.data["advanced"] == {"api_url": moved}
    assert requests_to(simulator, "getEssList") == 1


async def test_options(hass: HomeAssistant, alphaess_entry: MockConfigEntry) -> None:
    """The live power interval, 60 s the first time, within AlphaESS's advice."""
    assert alphaess_entry.supports_options
    result = await hass.config_entries.options.async_init(alphaess_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "alphaess_cadence"
    assert english("options", "step", "alphaess_cadence", "data", "live_interval")
    schema = result["data_schema"].schema
    assert {str(key): key.default() for key in schema} == {"live_interval": 60}
    selector = next(iter(schema.values()))
    assert (selector.config["min"], selector.config["max"]) == (60, 900)
    assert selector.config["unit_of_measurement"] == "s"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"live_interval": 120.0}
    )
    # Then where grid energy's prices come from: no price, as nothing was chosen yet.
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cost_source"
    assert _defaults(result) == {"source": "none"}
    assert _choices(result) == ["none", "fixed", "time_of_use"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert alphaess_entry.options == {"live_interval": 120}
    result = await hass.config_entries.options.async_init(alphaess_entry.entry_id)
    assert _defaults(result) == {"live_interval": 120}


def _defaults(result: FlowResult) -> dict[str, Any]:
    """The defaults of a form's fields (those without one left out)."""
    return {
        str(key): key.default()
        for key in result["data_schema"].schema
        if key.default is not probatio.UNDEFINED
    }


def _choices(result: FlowResult) -> list[str]:
    """The options of a form's only selector."""
    selector = next(iter(result["data_schema"].schema.values()))
    return [
        option if isinstance(option, str) else option["value"]
        for option in selector.config["options"]
    ]


async def _to_cost_source(
    hass: HomeAssistant, entry: MockConfigEntry, source: str
) -> FlowResult:
    """Open the options, keep the cadence, choose a price source."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"live_interval": 90}
    )
    assert result["step_id"] == "cost_source"
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": source}
    )


async def test_options_fixed_price(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry
) -> None:
    """A price bought and a price sold; both shown again the next time."""
    hass.config.currency = "AUD"
    result = await _to_cost_source(hass, alphaess_entry, "fixed")
    assert result["step_id"] == "cost_fixed"
    assert result["description_placeholders"] == {"currency": "AUD"}
    assert english("options", "step", "cost_fixed", "data", "import_price")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price": 0.3125, "export_price": 0.0625}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert alphaess_entry.options == {
        "live_interval": 90,
        "cost": {"source": "fixed", "import_price": 0.3125, "export_price": 0.0625},
    }
    result = await hass.config_entries.options.async_init(alphaess_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"live_interval": 90}
    )
    assert _defaults(result) == {"source": "fixed"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "fixed"}
    )
    assert _defaults(result) == {"import_price": 0.3125}
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested["export_price"] == 0.0625


async def test_options_time_of_use(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry
) -> None:
    """Default prices and a weekday peak; a period without an end is refused first."""
    result = await _to_cost_source(hass, alphaess_entry, "time_of_use")
    assert result["step_id"] == "cost_time_of_use"
    assert english("options", "step", "cost_time_of_use", "sections", "period_1")
    peak = {"price": 0.55, "start": "17:30:00", "days": ["mon", "tue", "wed"]}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"import_price": 0.25, "period_1": peak, "period_2": {}, "period_3": {}},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"period_1": "incomplete_period"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "import_price": 0.25,
            "export_price": 0.05,
            "period_1": {**peak, "end": "21:00:00"},
            "period_2": {},
            "period_3": {},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert alphaess_entry.options == {
        "live_interval": 90,
        "cost": {
            "source": "time_of_use",
            "import_price": 0.25,
            "export_price": 0.05,
            "periods": [
                {
                    "price": 0.55,
                    "start": "17:30:00",
                    "end": "21:00:00",
                    "days": ["mon", "tue", "wed"],
                }
            ],
        },
    }


@pytest.mark.usefixtures("set_up_for_real")
async def test_options_amber_site(
    hass: HomeAssistant, alphaess_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A loaded Amber site is offered as the price source, by its title."""
    hass.data[AMBER_SETTINGS] = AmberSettings(
        request_timeout=0.5, retry_backoff=0, history_days=1
    )
    amber_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        unique_id=f"amber_{DEMO_SITE_5MIN}",
        data=amber_entry_data(simulator),
    )
    amber_entry.add_to_hass(hass)
    assert await async_setup_entry(hass, amber_entry)
    assert amber_entry.state is ConfigEntryState.LOADED
    result = await hass.config_entries.options.async_init(alphaess_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"live_interval": 90}
    )
    assert _choices(result) == ["none", "fixed", "time_of_use", "entry"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"source": "entry"}
    )
    assert result["step_id"] == "cost_entry"
    selector = next(iter(result["data_schema"].schema.values()))
    assert selector.config["options"] == [
        {"value": amber_entry.entry_id, "label": "Home"}
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_entry_id": amber_entry.entry_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert alphaess_entry.options == {
        "live_interval": 90,
        "cost": {"source": "entry", "price_entry_id": amber_entry.entry_id},
    }
    await async_settle(hass)


# The "Add system" subentry flow.


async def start_add_system(hass: HomeAssistant, entry: MockConfigEntry) -> FlowResult:
    """Open the entry's "Add system" flow."""
    assert entry.supported_subentry_types == {
        "alphaess_system": {"supports_reconfigure": False}
    }
    assert english("config_subentries", "alphaess_system", "initiate_flow", "user")
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "alphaess_system"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["description_placeholders"] == PORTAL
    return result


def system_input(
    serial: str = ALPHAESS_UNBOUND_SYSTEM, check_code: str = ALPHAESS_CHECK_CODE
) -> dict[str, str]:
    """What a user submits on the serial number form."""
    return {"serial": serial, "check_code": check_code}


def sent_code(simulator: Simulator, serial: str = ALPHAESS_UNBOUND_SYSTEM) -> str:
    """The verification code AlphaESS e-mailed for `serial` (the latest)."""
    code: str = simulator.alphaess.sent_codes[serial]
    return code


async def test_add_system(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """Serial and CheckCode, then the e-mailed code: the system is bound and a subentry made.

    The entry is not loaded: the account's systems are asked of AlphaESS.
    """
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input(f" {ALPHAESS_UNBOUND_SYSTEM.lower()} ")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verify"
    assert result["description_placeholders"] == {"serial": ALPHAESS_UNBOUND_SYSTEM}
    assert requests_to(simulator, "getEssList") == 1
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": f"{sent_code(simulator)} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = alphaess_entry.subentries.values()
    assert (
        subentry.subentry_type,
        subentry.title,
        subentry.unique_id,
        subentry.data,
    ) == (
        "alphaess_system",
        ALPHAESS_UNBOUND_SYSTEM,
        ALPHAESS_UNBOUND_SYSTEM,
        {"serial": ALPHAESS_UNBOUND_SYSTEM},
    )
    account = simulator.alphaess.accounts[ALPHAESS_APP_ID]
    assert account.systems == [
        ALPHAESS_SYSTEM,
        ALPHAESS_LEGACY_SYSTEM,
        ALPHAESS_UNBOUND_SYSTEM,
    ]


async def test_add_system_to_a_loaded_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    alphaess_entry: MockConfigEntry,
    set_up_for_real: None,
    alphaess_settings: AlphaEssSettings,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A loaded entry knows its systems, and shows the new one's device right after binding."""
    hass.data[SETTINGS] = replace(alphaess_settings, history_days=1)
    assert await hass.config_entries.async_setup(alphaess_entry.entry_id)
    await async_settle(hass)
    assert alphaess_entry.state is ConfigEntryState.LOADED
    listed = requests_to(simulator, "getEssList")
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["step_id"] == "verify"
    assert requests_to(simulator, "getEssList") == listed
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": sent_code(simulator)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await async_settle(hass)
    assert requests_to(simulator, "getEssList") == listed + 1
    runtime = alphaess_entry.runtime_data.runtime
    assert ALPHAESS_UNBOUND_SYSTEM in runtime.systems.data.systems
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"alphaess_{ALPHAESS_UNBOUND_SYSTEM}"), alphaess_entry.entry_id
    )
    assert device is not None
    assert device.serial_number == ALPHAESS_UNBOUND_SYSTEM
    assert await hass.config_entries.async_unload(alphaess_entry.entry_id)


@pytest.mark.parametrize("serial", [ALPHAESS_SYSTEM, ALPHAESS_LEGACY_SYSTEM])
async def test_add_system_already_on_the_account(
    hass: HomeAssistant,
    simulator: Simulator,
    alphaess_entry: MockConfigEntry,
    serial: str,
) -> None:
    """A system the AppID already has is not bound again: no code is e-mailed."""
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input(serial)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert english(
        "config_subentries", "alphaess_system", "abort", "already_configured"
    )
    assert requests_to(simulator, "getVerificationCode") == 0
    assert alphaess_entry.subentries == {}


async def test_add_system_already_added(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """A system added before is refused even when the account no longer lists it."""
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": sent_code(simulator)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    simulator.alphaess.accounts[ALPHAESS_APP_ID].systems.remove(ALPHAESS_UNBOUND_SYSTEM)
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("submitted", "errors"),
    [
        (
            system_input(check_code="WRONG1"),
            {"check_code": "alphaess_check_code"},
        ),
        (
            system_input(serial="AL9999999999999"),
            {"serial": "alphaess_unknown_system"},
        ),
    ],
)
async def test_add_system_refused_then_fixed(
    hass: HomeAssistant,
    simulator: Simulator,
    alphaess_entry: MockConfigEntry,
    submitted: dict[str, str],
    errors: dict[str, str],
) -> None:
    """A wrong CheckCode or an unknown serial stays on the form, on its field; fixed, it works."""
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], submitted
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    (error,) = errors.values()
    assert english("config_subentries", "alphaess_system", "error", error)
    assert {str(key): key.description for key in result["data_schema"].schema} == {
        "serial": {"suggested_value": submitted["serial"]},
        "check_code": {"suggested_value": submitted["check_code"]},
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["step_id"] == "verify"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("code_6007", "invalid_auth"),
        ("code_6009", "alphaess_clock"),
        ("code_10001", "rejected"),
        ("code_6042", "cannot_connect"),
    ],
)
async def test_add_system_errors_then_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    alphaess_entry: MockConfigEntry,
    fault: str,
    error: str,
) -> None:
    """An error reading the account's systems: the form says so, no code is sent; then it works."""
    result = await start_add_system(hass, alphaess_entry)
    simulator.fault_next("alphaess", fault)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    assert english("config_subentries", "alphaess_system", "error", error)
    assert requests_to(simulator, "getVerificationCode") == 0
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["step_id"] == "verify"


async def test_add_system_code_request_fails(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """The account's list was read but the code could not be requested: asked again after."""
    result = await start_add_system(hass, alphaess_entry)
    with patch(
        "custom_components.openpower.api.alphaess.client.AlphaEssClient"
        ".async_request_verification_code",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], system_input()
        )
    assert result["errors"] == {"base": "unknown"}
    assert ALPHAESS_UNBOUND_SYSTEM not in simulator.alphaess.sent_codes
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    assert result["step_id"] == "verify"


async def test_add_system_wrong_code_then_right(
    hass: HomeAssistant, simulator: Simulator, alphaess_entry: MockConfigEntry
) -> None:
    """A wrong e-mailed code stays on the code step; the right one then binds the system."""
    result = await start_add_system(hass, alphaess_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], system_input()
    )
    right = sent_code(simulator)
    wrong = "000000" if right != "000000" else "111111"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": wrong}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verify"
    assert result["errors"] == {"verification_code": "alphaess_wrong_code"}
    assert english(
        "config_subentries", "alphaess_system", "error", "alphaess_wrong_code"
    )
    assert alphaess_entry.subentries == {}
    simulator.fault_next("alphaess", "http_502", 4)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": right}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"verification_code": right}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [s.unique_id for s in alphaess_entry.subentries.values()] == [
        ALPHAESS_UNBOUND_SYSTEM
    ]


def test_subentry_texts() -> None:
    """The "Add system" flow's name, button and every field it asks have texts."""
    texts = english("config_subentries", "alphaess_system")
    assert texts["entry_type"] == "System"
    assert texts["initiate_flow"] == {"user": "Add system"}
    assert set(texts["step"]["user"]["data"]) == {"serial", "check_code"}
    assert set(texts["step"]["user"]["data_description"]) == {"serial", "check_code"}
    assert set(texts["step"]["verify"]["data"]) == {"verification_code"}
