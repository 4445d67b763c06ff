"""GoodWe (SEMS+) config flow: login, stations, every error and its recovery, reauth, reconfigure."""

from collections.abc import Generator
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.api.goodwe import Station, StationAccessError
from custom_components.openpower.const import DOMAIN
from custom_components.openpower.providers.goodwe.config_flow import station_label
from custom_components.openpower.providers.goodwe.runtime import login_budget
from tests.simulator import (
    GOODWE_EMAIL,
    GOODWE_INSTALLER_EMAIL,
    GOODWE_INSTALLER_PASSWORD,
    GOODWE_PASSWORD,
    GOODWE_PV_EMAIL,
    GOODWE_PV_PASSWORD,
    GOODWE_PV_STATION,
    GOODWE_STATION,
    GoodWeStation,
    Simulator,
)

HYBRID = "Home (hybrid)"
BARN = "Barn roof"


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested elsewhere.

    (`conftest.goodwe_settings` gives short timeouts and no retry delay.)
    """
    with patch(
        "custom_components.openpower.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def login_url(simulator: Simulator) -> str:
    """The SEMS+ login host the simulator serves."""
    return simulator.urls("goodwe")["api_url"]


def gateway_url(simulator: Simulator) -> str:
    """The regional gateway the simulator's login names (never configured: learnt by logging in)."""
    return login_url(simulator).replace("/semsplus/web/sems", "/eu-gateway/web/sems")


def user_input(
    simulator: Simulator, email: str = GOODWE_EMAIL, password: str = GOODWE_PASSWORD
) -> dict[str, Any]:
    """What a user submits on the account form."""
    return {
        "username": email,
        "password": password,
        "advanced": {"api_url": login_url(simulator)},
    }


def logins(simulator: Simulator) -> int:
    """How many cross-logins reached the simulator."""
    return sum(1 for r in simulator.requests if r.path.endswith("/auth/cross-login"))


async def start(hass: HomeAssistant) -> FlowResult:
    """Open the flow and pick GoodWe: the account form."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert "goodwe" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "goodwe"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "goodwe"
    return result


def add_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    station: str = GOODWE_STATION,
    email: str = GOODWE_EMAIL,
    password: str = GOODWE_PASSWORD,
) -> MockConfigEntry:
    """A station's entry as the flow makes it, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=HYBRID if station == GOODWE_STATION else BARN,
        unique_id=f"goodwe_{station}",
        data={
            "provider": "goodwe",
            "username": email,
            "password": password,
            "advanced": {"api_url": login_url(simulator)},
            "gateway": gateway_url(simulator),
            "station_id": station,
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


async def test_form(hass: HomeAssistant) -> None:
    """The form: e-mail, password, the collapsed login URL on SEMS+'s; the portal linked."""
    result = await start(hass)
    assert result["description_placeholders"] == {
        "portal_url": "https://semsplus.goodwe.com/"
    }
    assert result["errors"] == {}
    schema = result["data_schema"].schema
    assert [str(key) for key in schema] == ["username", "password", "advanced"]
    advanced = schema["advanced"]
    assert advanced.options == {"collapsed": True}
    assert advanced.schema({}) == {"api_url": "https://semsplus.goodwe.com/web/sems"}


async def test_one_station_creates_the_entry(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An account with one station: one login, the station's entry at once, gateway stored."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, email=f" {GOODWE_EMAIL} ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == HYBRID
    assert result["result"].unique_id == f"goodwe_{GOODWE_STATION}"
    assert result["data"] == {
        "provider": "goodwe",
        "username": GOODWE_EMAIL,
        "password": GOODWE_PASSWORD,
        "advanced": {"api_url": login_url(simulator)},
        "gateway": gateway_url(simulator),
        "station_id": GOODWE_STATION,
    }
    assert logins(simulator) == 1


async def test_several_stations_choose_one(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An installer's account sees two stations: the user picks one; a second flow the other."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "goodwe_station"
    assert result["description_placeholders"] == {"username": GOODWE_INSTALLER_EMAIL}
    selector = result["data_schema"].schema["station_id"]
    assert selector.config["options"] == [
        {"value": GOODWE_STATION, "label": "Home (hybrid) (6 kWp)"},
        {"value": GOODWE_PV_STATION, "label": "Barn roof (3 kWp)"},
    ]
    assert result["data_schema"]({}) == {"station_id": GOODWE_STATION}
    requests = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"station_id": GOODWE_PV_STATION}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == BARN
    assert result["result"].unique_id == f"goodwe_{GOODWE_PV_STATION}"
    assert result["data"]["station_id"] == GOODWE_PV_STATION
    assert result["data"]["username"] == GOODWE_INSTALLER_EMAIL
    assert result["data"]["gateway"] == gateway_url(simulator)
    assert len(simulator.requests) == requests
    # The next flow of that account is left the other station only: created at once.
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"goodwe_{GOODWE_STATION}"


async def test_choice_leaves_out_configured_stations(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A third station on the account: the one already set up is not offered."""
    simulator.goodwe.add_station(
        GoodWeStation(
            station_id="third-station",
            name="",
            time_zone="Europe/Paris",
            pv_kw=2.5,
            inverter_sn="5048DNSX23A00999",
        )
    )
    simulator.goodwe.accounts[GOODWE_INSTALLER_EMAIL].stations.append("third-station")
    add_entry(hass, simulator)
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD),
    )
    assert result["step_id"] == "goodwe_station"
    assert result["data_schema"].schema["station_id"].config["options"] == [
        {"value": GOODWE_PV_STATION, "label": "Barn roof (3 kWp)"},
        {"value": "third-station", "label": "third-station (2.5 kWp)"},
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"station_id": "third-station"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "third-station"


def test_station_label_without_capacity() -> None:
    """A station whose capacity SEMS+ does not give is labelled by its name alone."""
    station = Station(
        id="s1", name="Shed", timezone=None, capacity_kw=None, status=None
    )
    assert station_label(station) == "Shed"


async def test_every_station_configured(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The account's only station already has an entry: aborted."""
    add_entry(hass, simulator)
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_station_taken_while_choosing(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The chosen station got its entry from another flow meanwhile: aborted, not doubled."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD),
    )
    assert result["step_id"] == "goodwe_station"
    add_entry(hass, simulator, GOODWE_PV_STATION)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"station_id": GOODWE_PV_STATION}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_account_without_station(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A visitor account nothing is shared with: said so; another account then works."""
    simulator.goodwe.add_account("empty", "nobody@example.com", "Empty-2026", [])
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, "nobody@example.com", "Empty-2026")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "goodwe_no_station"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (GOODWE_EMAIL, "wrong password"),
        ("stranger@example.com", GOODWE_PASSWORD),
    ],
)
async def test_rejected_then_recovery(
    hass: HomeAssistant, simulator: Simulator, email: str, password: str
) -> None:
    """100005 (wrong password, unknown account): invalid_auth, the password not echoed back."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, email, password)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested_values(result) == [email, login_url(simulator)]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("fault", "count", "error"),
    [
        ("http_500", 4, "cannot_connect"),
        ("timeout", 4, "cannot_connect"),
        ("malformed", 1, "invalid_response"),
        ("empty_data", 1, "invalid_response"),
        ("session_replaced", 2, "invalid_auth"),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant, simulator: Simulator, fault: str, count: int, error: str
) -> None:
    """SEMS+ failing while validating: the form says why (the shared table); then it works."""
    result = await start(hass)
    simulator.fault_next("goodwe", fault, count)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("fault", ["rate_limited", "http_429"])
async def test_rate_limited_pauses_the_account(
    hass: HomeAssistant,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    """GY0429: rate_limited, and the account is left alone 300 s, even by a new attempt."""
    result = await start(hass)
    simulator.fault_next("goodwe", fault)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["errors"] == {"base": "rate_limited"}
    budget = login_budget(hass, GOODWE_EMAIL)
    assert 290 < budget.paused_for() <= 300
    sent = len(simulator.requests)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["errors"] == {"base": "rate_limited"}
    assert len(simulator.requests) == sent
    later = budget._clock() + 301  # the pause is over, without waiting it out
    monkeypatch.setattr(budget, "_clock", lambda: later)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_session_replaced_once_logs_in_again(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """One C0602 on the station list (another login ended ours): one new login, then the entry."""
    result = await start(hass)
    simulator.fault_next("goodwe", "session_replaced")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert logins(simulator) == 2


async def test_no_access(hass: HomeAssistant, simulator: Simulator) -> None:
    """100025 while listing: the account has no rights; said so, not a generic refusal."""
    result = await start(hass)
    with patch(
        "custom_components.openpower.api.goodwe.client.GoodWeClient.async_stations",
        side_effect=StationAccessError("stations: no access (100025)", "100025"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )
    assert result["errors"] == {"base": "goodwe_no_access"}


async def test_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """A bug while validating shows `unknown` instead of crashing the flow."""
    result = await start(hass)
    with patch(
        "custom_components.openpower.api.goodwe.client.parse_station_page",
        side_effect=RuntimeError,
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}


@pytest.mark.parametrize(
    "url",
    [
        "http://semsplus.goodwe.com/web/sems",
        "http://192.168.1.20:8080/web/sems",
        "ftp://127.0.0.1/web/sems",
        "https://[/web/sems",
    ],
)
async def test_password_not_sent_in_clear(
    hass: HomeAssistant, simulator: Simulator, url: str
) -> None:
    """Plain http:// off this machine (or no usable URL): refused before any request."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**user_input(simulator), "advanced": {"api_url": url}}
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert simulator.requests == []


async def test_reauth(hass: HomeAssistant, simulator: Simulator) -> None:
    """Reauth asks for the password of the same account; a wrong one is an error."""
    entry = add_entry(hass, simulator, password="old password")
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "goodwe_reauth"
    assert list(result["data_schema"].schema) == ["password"]
    assert result["description_placeholders"] == {
        "portal_url": "https://semsplus.goodwe.com/",
        "name": HYBRID,
        "username": GOODWE_EMAIL,
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": GOODWE_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["password"] == GOODWE_PASSWORD
    assert entry.data["username"] == GOODWE_EMAIL
    assert entry.data["station_id"] == GOODWE_STATION


async def test_reauth_stores_the_gateway_the_login_names(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A stored gateway that is no longer the login's is replaced by the login's."""
    entry = add_entry(hass, simulator)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "gateway": "https://au-gateway.invalid/web/sems"}
    )
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": GOODWE_PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data["gateway"] == gateway_url(simulator)


async def test_reauth_station_gone(hass: HomeAssistant, simulator: Simulator) -> None:
    """The account no longer sees the entry's station: an error, the entry left as it was."""
    entry = add_entry(hass, simulator, password="old password")
    simulator.goodwe.accounts[GOODWE_EMAIL].stations.clear()
    simulator.goodwe.accounts[GOODWE_EMAIL].stations.append(GOODWE_PV_STATION)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": GOODWE_PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "goodwe_no_access"}
    assert entry.data["password"] == "old password"


async def test_reconfigure_to_a_visitor_account(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The owner's login swapped for another account that sees the same station."""
    entry = add_entry(hass, simulator)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "goodwe_reconfigure"
    assert result["description_placeholders"] == {
        "portal_url": "https://semsplus.goodwe.com/",
        "name": HYBRID,
    }
    shown = suggested_values(result)
    assert shown == [GOODWE_EMAIL, login_url(simulator)]
    assert GOODWE_PASSWORD not in repr(shown)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator, GOODWE_INSTALLER_EMAIL, GOODWE_INSTALLER_PASSWORD),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {
        "provider": "goodwe",
        "username": GOODWE_INSTALLER_EMAIL,
        "password": GOODWE_INSTALLER_PASSWORD,
        "advanced": {"api_url": login_url(simulator)},
        "gateway": gateway_url(simulator),
        "station_id": GOODWE_STATION,
    }
    assert entry.unique_id == f"goodwe_{GOODWE_STATION}"


async def test_reconfigure_account_without_the_station(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Another account that does not see this station: refused; the typed values come back."""
    entry = add_entry(hass, simulator)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, GOODWE_PV_EMAIL, GOODWE_PV_PASSWORD)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "goodwe_no_access"}
    assert suggested_values(result) == [GOODWE_PV_EMAIL, login_url(simulator)]
    assert entry.data["username"] == GOODWE_EMAIL


async def test_reconfigure_keeps_the_password_when_empty(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """No password typed: the stored one logs in (same host); a wrong new one is an error."""
    entry = add_entry(hass, simulator)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, password="wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"username": GOODWE_EMAIL, "advanced": {"api_url": login_url(simulator)}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["password"] == GOODWE_PASSWORD


async def other_host(simulator: Simulator) -> str:
    """The login host on another origin: the simulator served on a second port as well."""
    site = web.TCPSite(simulator._runner, "127.0.0.1", 0)
    await site.start()
    root = "http://{}:{}".format(*site._server.sockets[0].getsockname()[:2])
    return simulator.urls("goodwe", root)["api_url"]


async def test_reconfigure_to_another_host_needs_the_password(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The stored password goes to another login host only once the user gives it again."""
    entry = add_entry(hass, simulator)
    moved = await other_host(simulator)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"username": GOODWE_EMAIL, "advanced": {"api_url": moved}}
    )
    assert result["errors"] == {"password": "secret_for_new_host"}
    assert simulator.requests == []
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "username": GOODWE_EMAIL,
            "password": GOODWE_PASSWORD,
            "advanced": {"api_url": moved},
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["advanced"] == {"api_url": moved}
    # The gateway is the one the new host's login named, not the old one.
    assert entry.data["gateway"] == moved.replace(
        "/semsplus/web/sems", "/eu-gateway/web/sems"
    )
