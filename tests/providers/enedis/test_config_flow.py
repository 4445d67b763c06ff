"""Enedis config flow against the simulator: backends, the token's meters, errors, reauth, reconfigure."""

from collections.abc import Generator
from datetime import date
import json
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest

import custom_components.openpower
from custom_components.openpower.api.enedis import Backend
from custom_components.openpower.const import DOMAIN
from tests.simulator import Simulator
from tests.simulator.enedis import (
    ENEDIS_CONSO_SANDBOX_TOKEN,
    ENEDIS_CONSO_TOKEN,
    ENEDIS_DC_CLIENT_ID,
    ENEDIS_DC_CLIENT_SECRET,
    ENEDIS_MED_TOKEN,
    ENEDIS_NOT_HOLDER_PRM,
    ENEDIS_PRM,
    ENEDIS_PROSUMER_PRM,
    SANDBOX_PRMS,
    sandbox_client_id,
    sandbox_client_secret,
)
from tests.simulator.enedis_meters import EnedisPrm

from .conftest import EntryFactory

pytestmark = pytest.mark.freeze_time("2026-10-27T10:00:00+00:00")
"""11:00 in Paris: yesterday (2026-10-26) is published."""

YESTERDAY = {"dateDebut": "2026-10-26", "dateFin": "2026-10-27"}
REVOKED_PRM = SANDBOX_PRMS[8][0]
PRODUCER_PRM = SANDBOX_PRMS[5][0]
TRANSLATIONS = Path(custom_components.openpower.__file__).parent / "translations"


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested elsewhere."""
    with patch(
        "custom_components.openpower.async_setup_entry", return_value=True
    ) as mock:
        yield mock


def translation(language: str, *path: str) -> Any:
    """Return the text at `path` of one language's translations (KeyError if missing)."""
    found: Any = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )
    for key in path:
        found = found[key]
    return found


def urls(simulator: Simulator) -> dict[Backend, str]:
    """Each backend's host on the simulator."""
    hosts = simulator.urls("enedis")
    return {
        Backend.CONSO_API: hosts["conso_api_url"],
        Backend.MYELECTRICALDATA: hosts["myelectricaldata_url"],
        Backend.DATA_CONNECT: hosts["data_connect_url"],
    }


def advanced(simulator: Simulator, backend: Backend) -> dict[str, Any]:
    """The advanced section, pointing at the simulator."""
    return {"advanced": {"api_url": urls(simulator)[backend]}}


def field(schema: Any, *path: str) -> Any:
    """Return the schema marker at `path` (through sections)."""
    for index, name in enumerate(path):
        marker = next(key for key in schema.schema if str(key) == name)
        if index == len(path) - 1:
            return marker
        schema = schema.schema[marker].schema
    raise AssertionError(path)


def measure_requests(simulator: Simulator) -> list[tuple[str, dict[str, str]]]:
    """(path, query) of the requests for measures the simulator received (tokens excluded)."""
    return [
        (record.path, record.query)
        for record in simulator.requests
        if record.provider == "enedis" and "oauth2" not in record.path
    ]


def demo_credentials(simulator: Simulator, backend: Backend) -> dict[str, str]:
    """What a user types for the demo meter `ENEDIS_PRM` on each backend's form."""
    return {
        Backend.CONSO_API: {"token": simulator.enedis.conso_token([ENEDIS_PRM])},
        Backend.MYELECTRICALDATA: {"token": ENEDIS_MED_TOKEN, "prm": ENEDIS_PRM},
        Backend.DATA_CONNECT: {
            "client_id": ENEDIS_DC_CLIENT_ID,
            "client_secret": ENEDIS_DC_CLIENT_SECRET,
            "prm": ENEDIS_PRM,
        },
    }[backend]


async def start(hass: HomeAssistant, backend: Backend) -> FlowResult:
    """Open the flow, pick Enedis, then the backend."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "enedis"}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": f"enedis_{backend.value}"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == f"enedis_{backend.value}"
    assert result["description_placeholders"] == {
        "conso_url": "https://conso.boris.sh",
        "med_url": "https://www.myelectricaldata.fr",
        "datahub_url": "https://datahub-enedis.fr",
    }
    return result


async def submit(hass: HomeAssistant, result: FlowResult, **data: Any) -> FlowResult:
    """Submit the current form."""
    return await hass.config_entries.flow.async_configure(result["flow_id"], data)


async def test_menus(hass: HomeAssistant) -> None:
    """Enedis closes the providers menu; its own menu lists the three backends, translated."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["menu_options"] == [
        "amber",
        "emporia",
        "pge",
        "alphaess",
        "enedis",
        "goodwe",
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "enedis"}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "enedis"
    options = ["enedis_conso_api", "enedis_myelectricaldata", "enedis_data_connect"]
    assert result["menu_options"] == options
    for language in ("en", "fr"):
        step = ("config", "step")
        assert translation(language, *step, "user", "menu_options", "enedis")
        labels = translation(language, *step, "enedis", "menu_options")
        assert list(labels) == options


async def test_conso_api_token_with_one_meter(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token naming one meter needs no PRM; one request for yesterday checks it."""
    token = simulator.enedis.conso_token([ENEDIS_PRM])
    result = await start(hass, Backend.CONSO_API)
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.default() == "https://conso.boris.sh/api"
    result = await submit(
        hass, result, token=f" {token} ", **advanced(simulator, Backend.CONSO_API)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Linky {ENEDIS_PRM}"
    assert result["result"].unique_id == f"enedis_{ENEDIS_PRM}"
    assert result["data"] == {
        "provider": "enedis",
        "backend": "conso_api",
        "token": token,
        "prm": ENEDIS_PRM,
        "advanced": {"api_url": urls(simulator)[Backend.CONSO_API]},
    }
    assert measure_requests(simulator) == [
        (
            "/enedis/conso/api/consommation_quotidienne",
            {"pointId": ENEDIS_PRM, **YESTERDAY},
        )
    ]


async def test_conso_api_token_with_several_meters(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token naming several meters offers them; the chosen one gets the entry."""
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass, result, token=ENEDIS_CONSO_TOKEN, **advanced(simulator, Backend.CONSO_API)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_prm"
    assert measure_requests(simulator) == []
    prm_field = field(result["data_schema"], "prm")
    assert prm_field.default() == ENEDIS_PRM
    selector = result["data_schema"].schema[prm_field]
    assert selector.config["options"] == [ENEDIS_PRM, ENEDIS_PROSUMER_PRM]
    result = await submit(hass, result, prm=ENEDIS_PROSUMER_PRM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Linky {ENEDIS_PROSUMER_PRM}"
    assert result["data"] == {
        "provider": "enedis",
        "backend": "conso_api",
        "token": ENEDIS_CONSO_TOKEN,
        "prm": ENEDIS_PROSUMER_PRM,
        "advanced": {"api_url": urls(simulator)[Backend.CONSO_API]},
    }


async def test_conso_api_meters_with_an_entry_are_not_offered(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """The token's other meter is taken directly; with both set up the flow aborts unsent."""
    enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass, result, token=ENEDIS_CONSO_TOKEN, **advanced(simulator, Backend.CONSO_API)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["prm"] == ENEDIS_PROSUMER_PRM
    sent = len(measure_requests(simulator))
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass, result, token=ENEDIS_CONSO_TOKEN, **advanced(simulator, Backend.CONSO_API)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(measure_requests(simulator)) == sent


async def test_conso_api_typed_meter(hass: HomeAssistant, simulator: Simulator) -> None:
    """A typed PRM (spaces allowed) must be one of the token's; then no choice is asked."""
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass,
        result,
        token=ENEDIS_CONSO_TOKEN,
        prm=REVOKED_PRM,
        **advanced(simulator, Backend.CONSO_API),
    )
    assert result["errors"] == {"base": "enedis_prm_not_in_token"}
    assert measure_requests(simulator) == []
    # The typed values come back, the token does not.
    assert field(result["data_schema"], "prm").description == {
        "suggested_value": REVOKED_PRM
    }
    assert field(result["data_schema"], "token").description is None
    spaced = f"{ENEDIS_PROSUMER_PRM[:7]} {ENEDIS_PROSUMER_PRM[7:]}"
    result = await submit(
        hass,
        result,
        token=ENEDIS_CONSO_TOKEN,
        prm=spaced,
        **advanced(simulator, Backend.CONSO_API),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["prm"] == ENEDIS_PROSUMER_PRM


async def test_conso_api_token_that_is_no_jwt(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A token naming no meter needs the PRM (14 digits); Conso API then judges the token."""
    result = await start(hass, Backend.CONSO_API)
    conso = advanced(simulator, Backend.CONSO_API)
    result = await submit(hass, result, token="not-a-jwt", **conso)
    assert result["errors"] == {"prm": "invalid_prm"}
    result = await submit(hass, result, token="not-a-jwt", prm="2594659909", **conso)
    assert result["errors"] == {"prm": "invalid_prm"}
    assert measure_requests(simulator) == []
    result = await submit(hass, result, token="not-a-jwt", prm=ENEDIS_PRM, **conso)
    assert result["errors"] == {"base": "invalid_auth"}
    assert measure_requests(simulator) == [
        (
            "/enedis/conso/api/consommation_quotidienne",
            {"pointId": ENEDIS_PRM, **YESTERDAY},
        )
    ]


async def test_conso_api_revoked_consent_then_another_meter(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The sandbox meter whose consent was revoked: enedis_consent, another meter works."""
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass,
        result,
        token=ENEDIS_CONSO_SANDBOX_TOKEN,
        **advanced(simulator, Backend.CONSO_API),
    )
    assert result["step_id"] == "enedis_prm"
    offered = result["data_schema"].schema[field(result["data_schema"], "prm")]
    assert offered.config["options"] == [
        prm for prms in SANDBOX_PRMS.values() for prm in prms
    ]
    result = await submit(hass, result, prm=REVOKED_PRM)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "enedis_prm"
    assert result["errors"] == {"base": "enedis_consent"}
    result = await submit(hass, result, prm=PRODUCER_PRM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["prm"] == PRODUCER_PRM


async def test_myelectricaldata(hass: HomeAssistant, simulator: Simulator) -> None:
    """Token and PRM; the PRM is checked before anything is sent."""
    result = await start(hass, Backend.MYELECTRICALDATA)
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.default() == "https://myelectricaldata.fr"
    med = advanced(simulator, Backend.MYELECTRICALDATA)
    result = await submit(hass, result, token=ENEDIS_MED_TOKEN, prm="PDL 123", **med)
    assert result["errors"] == {"prm": "invalid_prm"}
    assert measure_requests(simulator) == []
    result = await submit(hass, result, token="wrong", prm=ENEDIS_PRM, **med)
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(hass, result, token=ENEDIS_MED_TOKEN, prm=ENEDIS_PRM, **med)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Linky {ENEDIS_PRM}"
    assert result["result"].unique_id == f"enedis_{ENEDIS_PRM}"
    assert result["data"] == {
        "provider": "enedis",
        "backend": "myelectricaldata",
        "token": ENEDIS_MED_TOKEN,
        "prm": ENEDIS_PRM,
        "advanced": {"api_url": urls(simulator)[Backend.MYELECTRICALDATA]},
    }
    assert measure_requests(simulator)[-1] == (
        f"/enedis/med/daily_consumption/{ENEDIS_PRM}/start/2026-10-26/end/2026-10-27",
        {},
    )


async def test_data_connect(hass: HomeAssistant, simulator: Simulator) -> None:
    """Client id and secret, PRM; a wrong secret is refused at the token endpoint."""
    result = await start(hass, Backend.DATA_CONNECT)
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.default() == "https://gw.ext.prod.api.enedis.fr"
    dc = advanced(simulator, Backend.DATA_CONNECT)
    result = await submit(
        hass,
        result,
        client_id=ENEDIS_DC_CLIENT_ID,
        client_secret="wrong",
        prm=ENEDIS_PROSUMER_PRM,
        **dc,
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert measure_requests(simulator) == []
    assert field(result["data_schema"], "client_id").description == {
        "suggested_value": ENEDIS_DC_CLIENT_ID
    }
    result = await submit(
        hass,
        result,
        client_id=f"{ENEDIS_DC_CLIENT_ID} ",
        client_secret=ENEDIS_DC_CLIENT_SECRET,
        prm=ENEDIS_PROSUMER_PRM,
        **dc,
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "provider": "enedis",
        "backend": "data_connect",
        "client_id": ENEDIS_DC_CLIENT_ID,
        "client_secret": ENEDIS_DC_CLIENT_SECRET,
        "prm": ENEDIS_PROSUMER_PRM,
        "advanced": {"api_url": urls(simulator)[Backend.DATA_CONNECT]},
    }
    assert measure_requests(simulator) == [
        (
            "/enedis/dc/mesure_synchrone_auto/v2/consommation_quotidienne",
            {"pointId": ENEDIS_PROSUMER_PRM, **YESTERDAY},
        )
    ]


@pytest.mark.parametrize(
    ("client", "prm", "error"),
    [
        (8, REVOKED_PRM, "enedis_consent"),
        (9, ENEDIS_NOT_HOLDER_PRM, "enedis_not_holder"),
        (0, ENEDIS_PRM, "enedis_consent"),
    ],
    ids=["consent_revoked", "not_holder", "meter_without_consent"],
)
async def test_data_connect_sandbox_refusals(
    hass: HomeAssistant, simulator: Simulator, client: int, prm: str, error: str
) -> None:
    """Enedis' consent answers for the sandbox clients' meters."""
    result = await start(hass, Backend.DATA_CONNECT)
    result = await submit(
        hass,
        result,
        client_id=sandbox_client_id(client),
        client_secret=sandbox_client_secret(client),
        prm=prm,
        **advanced(simulator, Backend.DATA_CONNECT),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    for language in ("en", "fr"):
        assert translation(language, "config", "error", error)
    if error == "enedis_not_holder":
        assert "ADAM-DC-0007" in translation("en", "config", "error", error)
        assert "ADAM-DC-0007" in translation("fr", "config", "error", error)


async def test_conso_api_not_holder(hass: HomeAssistant, simulator: Simulator) -> None:
    """ADAM-DC-0007 relayed by the Conso API, on the token's one meter."""
    token = simulator.enedis.conso_token([ENEDIS_NOT_HOLDER_PRM])
    result = await start(hass, Backend.CONSO_API)
    result = await submit(
        hass, result, token=token, **advanced(simulator, Backend.CONSO_API)
    )
    assert result["step_id"] == "enedis_conso_api"
    assert result["errors"] == {"base": "enedis_not_holder"}


async def test_meters_without_consumption_yet_are_accepted(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A production-only meter, one without data for yesterday and one commissioned today.

    Enedis answered about the meter each time (ADAM-ERR0069, no_data_found, ADAM-ERR0123).
    """
    quiet = simulator.enedis.meters.prms[ENEDIS_PRM]
    quiet.gap_days.add(date(2026, 10, 26))
    new = simulator.enedis.add_prm(EnedisPrm("30000000000001", date(2026, 10, 27)))
    simulator.enedis.add_dc_client(
        "new", "new-client", "new-secret", {1: [new.prm, ENEDIS_PRM, PRODUCER_PRM]}
    )
    dc = advanced(simulator, Backend.DATA_CONNECT)
    for prm in (PRODUCER_PRM, ENEDIS_PRM, new.prm):
        result = await start(hass, Backend.DATA_CONNECT)
        result = await submit(
            hass,
            result,
            client_id="new-client",
            client_secret="new-secret",
            prm=prm,
            **dc,
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, prm
    statuses = [
        record.status
        for record in simulator.requests
        if "consommation_quotidienne" in record.path
    ]
    assert statuses == [400, 404, 400]


@pytest.mark.parametrize(
    ("backend", "fault", "error"),
    [
        (Backend.CONSO_API, "http_500", "cannot_connect"),
        (Backend.CONSO_API, "token_refresh", "cannot_connect"),
        (Backend.CONSO_API, "http_401", "invalid_auth"),
        (Backend.CONSO_API, "malformed", "invalid_response"),
        (Backend.MYELECTRICALDATA, "http_502", "cannot_connect"),
        (Backend.DATA_CONNECT, "http_403", "enedis_not_subscribed"),
    ],
)
async def test_server_errors_then_recovery(
    hass: HomeAssistant, simulator: Simulator, backend: Backend, fault: str, error: str
) -> None:
    """Each failure shows its error and keeps the URL typed; once it clears, the entry is made."""
    simulator.enedis.dc_rate_per_second = 100_000
    credentials = demo_credentials(simulator, backend)
    result = await start(hass, backend)
    simulator.fault_always("enedis", fault)
    result = await submit(hass, result, **credentials, **advanced(simulator, backend))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert field(result["data_schema"], "advanced", "api_url").description == {
        "suggested_value": urls(simulator)[backend]
    }
    simulator.fault_always("enedis", None)
    result = await submit(hass, result, **credentials, **advanced(simulator, backend))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("backend", "fault"),
    [
        (Backend.CONSO_API, "spike_arrest"),
        (Backend.MYELECTRICALDATA, "daily_quota"),
        (Backend.DATA_CONNECT, "quota_exceeded"),
    ],
)
async def test_quota(
    hass: HomeAssistant, simulator: Simulator, backend: Backend, fault: str
) -> None:
    """A used-up quota is shown as such, then held: the next try is not sent before it reopens."""
    simulator.enedis.dc_rate_per_second = 100_000
    credentials = demo_credentials(simulator, backend)
    result = await start(hass, backend)
    simulator.fault_next("enedis", fault)
    result = await submit(hass, result, **credentials, **advanced(simulator, backend))
    assert result["errors"] == {"base": "enedis_quota"}
    sent = len(measure_requests(simulator))
    result = await submit(hass, result, **credentials, **advanced(simulator, backend))
    assert result["errors"] == {"base": "rate_limited"}
    assert len(measure_requests(simulator)) == sent


async def test_server_down(hass: HomeAssistant, socket_enabled: None) -> None:
    """Nothing listening at the API URL: cannot_connect."""
    result = await start(hass, Backend.MYELECTRICALDATA)
    result = await submit(
        hass,
        result,
        token=ENEDIS_MED_TOKEN,
        prm=ENEDIS_PRM,
        advanced={"api_url": "http://127.0.0.1:9/med"},
    )
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize("backend", list(Backend))
async def test_url_not_https(
    hass: HomeAssistant, simulator: Simulator, backend: Backend
) -> None:
    """A secret never goes in clear to another machine: nothing is sent."""
    credentials = demo_credentials(simulator, backend)
    result = await start(hass, backend)
    result = await submit(
        hass, result, **credentials, advanced={"api_url": "http://example.com/api"}
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert simulator.requests == []


async def test_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """A bug in the client is caught, logged and shown as unknown."""
    result = await start(hass, Backend.MYELECTRICALDATA)
    med = advanced(simulator, Backend.MYELECTRICALDATA)
    with patch(
        "custom_components.openpower.api.enedis.client.MeasuresByResource.async_daily",
        side_effect=RuntimeError("boom"),
    ):
        result = await submit(
            hass, result, token=ENEDIS_MED_TOKEN, prm=ENEDIS_PRM, **med
        )
    assert result["errors"] == {"base": "unknown"}


@pytest.mark.parametrize("backend", list(Backend))
async def test_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    enedis_entry: EntryFactory,
    backend: Backend,
) -> None:
    """One entry per meter, whatever the backend: refused before any request."""
    enedis_entry(Backend.MYELECTRICALDATA, ENEDIS_PRM)
    credentials = demo_credentials(simulator, backend)
    result = await start(hass, backend)
    result = await submit(hass, result, **credentials, **advanced(simulator, backend))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []


# ---- reauth -------------------------------------------------------------------------------


async def test_reauth_conso_api(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """A new token must name the entry's meter and be accepted; the rest is kept."""
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "enedis_reauth"
    assert [str(key) for key in result["data_schema"].schema] == ["token"]
    assert result["description_placeholders"] == {
        "conso_url": "https://conso.boris.sh",
        "med_url": "https://www.myelectricaldata.fr",
        "datahub_url": "https://datahub-enedis.fr",
        "name": f"Linky {ENEDIS_PRM}",
        "backend": "Conso API",
        "prm": ENEDIS_PRM,
        "client_id": "–",
    }
    other = simulator.enedis.conso_token([ENEDIS_PROSUMER_PRM])
    result = await submit(hass, result, token=other)
    assert result["errors"] == {"base": "enedis_prm_not_in_token"}
    assert measure_requests(simulator) == []
    result = await submit(hass, result, token="garbage")
    assert result["errors"] == {"base": "invalid_auth"}
    token = simulator.enedis.conso_token([ENEDIS_PRM])
    result = await submit(hass, result, token=token)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == {
        "provider": "enedis",
        "backend": "conso_api",
        "token": token,
        "prm": ENEDIS_PRM,
        "advanced": {"api_url": urls(simulator)[Backend.CONSO_API]},
    }
    assert entry.title == f"Linky {ENEDIS_PRM}"


async def test_reauth_data_connect(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """Data Connect asks the client secret of the entry's application (its id shown)."""
    entry = enedis_entry(
        Backend.DATA_CONNECT, ENEDIS_PRM, client_secret="an-old-secret"
    )
    result = await entry.start_reauth_flow(hass)
    assert [str(key) for key in result["data_schema"].schema] == ["client_secret"]
    assert result["description_placeholders"]["client_id"] == ENEDIS_DC_CLIENT_ID
    assert result["description_placeholders"]["backend"] == "Enedis Data Connect"
    result = await submit(hass, result, client_secret="still-wrong")
    assert result["errors"] == {"base": "invalid_auth"}
    result = await submit(hass, result, client_secret=ENEDIS_DC_CLIENT_SECRET)
    assert result["reason"] == "reauth_successful"
    assert entry.data["client_secret"] == ENEDIS_DC_CLIENT_SECRET
    assert entry.data["client_id"] == ENEDIS_DC_CLIENT_ID


async def test_reauth_consent_still_missing(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """A good token is not enough while the meter's consent is revoked; the entry waits."""
    entry = enedis_entry(Backend.CONSO_API, REVOKED_PRM, token="old")
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, result, token=ENEDIS_CONSO_SANDBOX_TOKEN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "enedis_consent"}
    assert entry.data["token"] == "old"
    simulator.enedis.meters.prms[REVOKED_PRM].revoked = False  # consented again
    result = await submit(hass, result, token=ENEDIS_CONSO_SANDBOX_TOKEN)
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"] == ENEDIS_CONSO_SANDBOX_TOKEN


async def test_reauth_myelectricaldata(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """MyElectricalData's token is checked by the gateway alone (it names no meter)."""
    entry = enedis_entry(Backend.MYELECTRICALDATA, ENEDIS_PRM, token="old")
    result = await entry.start_reauth_flow(hass)
    assert result["description_placeholders"]["backend"] == "MyElectricalData"
    result = await submit(hass, result, token=ENEDIS_MED_TOKEN)
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"] == ENEDIS_MED_TOKEN
    assert measure_requests(simulator) == [
        (
            f"/enedis/med/daily_consumption/{ENEDIS_PRM}/start/2026-10-26/end/2026-10-27",
            {},
        )
    ]


async def test_wrong_account(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """An entry whose unique id is not its meter's is never rewritten (the shell's rule)."""
    entry = enedis_entry(Backend.MYELECTRICALDATA, ENEDIS_PRM, token="old")
    hass.config_entries.async_update_entry(
        entry, unique_id=f"enedis_{ENEDIS_PROSUMER_PRM}"
    )
    result = await entry.start_reauth_flow(hass)
    result = await submit(hass, result, token=ENEDIS_MED_TOKEN)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data["token"] == "old"


# ---- reconfigure --------------------------------------------------------------------------


async def other_host(simulator: Simulator) -> str:
    """The simulator's Conso API on a second port: another server for `endpoint_errors`."""
    site = web.TCPSite(simulator._runner, "127.0.0.1", 0)  # noqa: SLF001 - a second port
    await site.start()
    host, port = site._server.sockets[0].getsockname()[:2]  # noqa: SLF001
    return simulator.urls("enedis", f"http://{host}:{port}")["conso_api_url"]


async def test_reconfigure_url_keeps_the_token(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """Same server, another URL: the stored token stays and is checked there."""
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "enedis_reconfigure"
    assert [str(key) for key in result["data_schema"].schema] == ["token", "advanced"]
    url_field = field(result["data_schema"], "advanced", "api_url")
    assert url_field.description == {
        "suggested_value": urls(simulator)[Backend.CONSO_API]
    }
    new_url = urls(simulator)[Backend.CONSO_API] + "/"
    result = await submit(hass, result, advanced={"api_url": new_url})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["advanced"] == {"api_url": new_url}
    assert entry.data["token"] == ENEDIS_CONSO_TOKEN
    assert len(measure_requests(simulator)) == 1


async def test_reconfigure_to_another_host_needs_the_token(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """The stored token goes to another server only once given again (naming the meter)."""
    entry = enedis_entry(Backend.CONSO_API, ENEDIS_PRM)
    moved = await other_host(simulator)
    result = await entry.start_reconfigure_flow(hass)
    result = await submit(hass, result, advanced={"api_url": moved})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"token": "secret_for_new_host"}
    assert field(result["data_schema"], "advanced", "api_url").description == {
        "suggested_value": moved
    }
    result = await submit(
        hass, result, advanced={"api_url": "http://192.168.1.2/api"}, token="x"
    )
    assert result["errors"] == {"base": "url_not_https"}
    assert simulator.requests == []
    other = simulator.enedis.conso_token([ENEDIS_PROSUMER_PRM])
    result = await submit(hass, result, token=other, advanced={"api_url": moved})
    assert result["errors"] == {"base": "enedis_prm_not_in_token"}
    token = simulator.enedis.conso_token([ENEDIS_PRM, ENEDIS_PROSUMER_PRM])
    result = await submit(hass, result, token=token, advanced={"api_url": moved})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["advanced"] == {"api_url": moved}
    assert entry.data["token"] == token


async def test_reconfigure_data_connect_secret(
    hass: HomeAssistant, simulator: Simulator, enedis_entry: EntryFactory
) -> None:
    """A new client secret is checked; a refused one leaves the entry as it was."""
    entry = enedis_entry(Backend.DATA_CONNECT, ENEDIS_PRM)
    result = await entry.start_reconfigure_flow(hass)
    assert [str(key) for key in result["data_schema"].schema] == [
        "client_secret",
        "advanced",
    ]
    dc = advanced(simulator, Backend.DATA_CONNECT)
    result = await submit(hass, result, client_secret="wrong", **dc)
    assert result["errors"] == {"base": "invalid_auth"}
    assert entry.data["client_secret"] == ENEDIS_DC_CLIENT_SECRET
    simulator.enedis.dc_clients[ENEDIS_DC_CLIENT_ID].client_secret = "rotated"
    result = await submit(hass, result, client_secret="rotated", **dc)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["client_secret"] == "rotated"
