"""DataConnectClient against a local server: token, 2026 routes, contract APIs, budgets."""

from datetime import UTC, date, datetime, time, timedelta
import json
from urllib.parse import parse_qs

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.openpower.api.budget import RateLimit
from custom_components.openpower.api.enedis import (
    Backend,
    DataConnectBudgets,
    DataConnectClient,
    Direction,
    EnedisBackend,
    EnedisHistoryLimitError,
    EnedisNotSubscribedError,
    TariffOption,
)
from custom_components.openpower.api.errors import ApiAuthError

from .common import load_fixture
from .conftest import Answers

PRM = "99999999999991"
START, END = date(2026, 9, 29), date(2026, 10, 1)
TOKEN_PATH = "/oauth2/v3/token"
DAILY = "/mesure_synchrone_auto/v2/consommation_quotidienne"
NOT_SUBSCRIBED = (
    403,
    load_fixture("dc2026_error_403_900908_api_not_subscribed_med.json"),
)
INVALID_JWT = (401, load_fixture("v5_error_401_invalid_jwt_wso2_fault_wrapped.json"))


def token_answer(token: str, expires_in: object = 12600) -> tuple[int, object]:
    """A token answer shaped as the sandbox capture."""
    return 200, {
        "access_token": token,
        "scope": "am_application_scope default",
        "token_type": "Bearer",
        "expires_in": expires_in,
    }


class Clock:
    """A settable `now`."""

    def __init__(self) -> None:
        self.now = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_client(
    session: aiohttp.ClientSession, server: TestServer, **kwargs: object
) -> DataConnectClient:
    """A client of the server's root (the real gateway has no base path)."""
    return DataConnectClient(
        session,
        "client-id",
        "client-secret",
        PRM,
        api_url=str(server.make_url("/")),
        backoff=0,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_token_then_measures(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """client_credentials form, then the Bearer token on the 2026 measure route; cached."""
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        DAILY, (200, load_fixture("dc2026_mesure_consommation_quotidienne_med.json"))
    )
    client = make_client(session, server)
    first = await client.async_daily(Direction.CONSUMPTION, START, END)
    second = await client.async_daily(Direction.CONSUMPTION, START, END)
    assert (
        [r.energy_wh for r in first]
        == [33495.0, 38022.0]
        == [r.energy_wh for r in second]
    )
    assert answers.paths() == [TOKEN_PATH, DAILY, DAILY]
    token_request = answers.received[0]
    assert token_request.method == "POST"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": ["client-secret"],
    }
    for request in answers.received[1:]:
        assert request.method == "GET"
        assert request.query == {
            "pointId": PRM,
            "dateDebut": "2026-09-29",
            "dateFin": "2026-10-01",
        }
        assert request.headers["Authorization"] == "Bearer tok-1"


async def test_token_renewed_before_it_expires(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """`expires_in` (a text here) minus a minute: then a new token is asked."""
    answers.set(TOKEN_PATH, token_answer("tok-1", "600"), token_answer("tok-2", "600"))
    answers.set(
        DAILY, (200, load_fixture("dc2026_mesure_consommation_quotidienne_med.json"))
    )
    clock = Clock()
    client = make_client(session, server, now=clock)
    await client.async_daily(Direction.CONSUMPTION, START, END)
    clock.now += timedelta(seconds=539)
    await client.async_daily(Direction.CONSUMPTION, START, END)
    clock.now += timedelta(seconds=2)
    await client.async_daily(Direction.CONSUMPTION, START, END)
    assert answers.paths() == [TOKEN_PATH, DAILY, DAILY, TOKEN_PATH, DAILY]
    assert answers.received[-1].headers["Authorization"] == "Bearer tok-2"


async def test_401_renews_the_token_once(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """An expired JWT (WSO2 900901): one new token and the request again."""
    answers.set(TOKEN_PATH, token_answer("tok-1"), token_answer("tok-2"))
    answers.set(
        DAILY,
        INVALID_JWT,
        (200, load_fixture("dc2026_mesure_consommation_quotidienne_med.json")),
    )
    readings = await make_client(session, server).async_daily(
        Direction.CONSUMPTION, START, END
    )
    assert len(readings) == 2
    assert answers.paths() == [TOKEN_PATH, DAILY, TOKEN_PATH, DAILY]
    assert [r.headers.get("Authorization") for r in answers.received[1::2]] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]


async def test_401_after_renewal_is_an_auth_error(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """A second 401 with a fresh token: the credentials are the problem, no third try."""
    answers.set(TOKEN_PATH, token_answer("tok-1"), token_answer("tok-2"))
    answers.set(DAILY, INVALID_JWT)
    with pytest.raises(ApiAuthError):
        await make_client(session, server).async_daily(
            Direction.CONSUMPTION, START, END
        )
    assert answers.paths() == [TOKEN_PATH, DAILY, TOKEN_PATH, DAILY]


@pytest.mark.parametrize("status", [400, 401])
async def test_refused_credentials(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers, status: int
) -> None:
    """invalid_client / a gateway 401 at the token endpoint: wrong credentials."""
    answers.set(TOKEN_PATH, (status, {"error": "invalid_client"}))
    with pytest.raises(ApiAuthError, match="client credentials rejected"):
        await make_client(session, server).async_daily(
            Direction.CONSUMPTION, START, END
        )
    assert answers.paths() == [TOKEN_PATH]


async def test_curve_max_power_and_history_end(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """Max power says `mesuresPas` and `grandeurPhysique`; ADAM-ERR0123 ends the history."""
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        "/mesure_synchrone_auto/v2/puissance_conso_max_quotidienne",
        (200, load_fixture("dc2026_mesure_puissance_conso_max_quotidienne_med.json")),
    )
    answers.set(
        "/mesure_synchrone_auto/v2/courbe_de_charge_production",
        (400, load_fixture("dc2026_error_400_adam_err0123_mock_esthesis.json")),
    )
    client = make_client(session, server)
    maxima = await client.async_max_power(START, END)
    assert [m.power_va for m in maxima] == [4680.0, 6510.0]
    assert answers.received[1].query == {
        "pointId": PRM,
        "dateDebut": "2026-09-29",
        "dateFin": "2026-10-01",
        "mesuresPas": "P1D",
        "grandeurPhysique": "PMA",
    }
    with pytest.raises(EnedisHistoryLimitError):
        await client.async_load_curve(
            Direction.PRODUCTION, date(2019, 8, 1), date(2019, 8, 8)
        )
    assert answers.received[2].query["dateDebut"] == "2019-08-01"


async def test_contract_apis_take_the_prm_in_the_path(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """Situation, synthesis, metering (off-peak hours); an unsubscribed one is skipped."""
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        f"/situation_contrat_auto/v1/{PRM}",
        (200, load_fixture("dc2026_situation_contrat_consommateur_med.json")),
    )
    answers.set(
        f"/synth_contrat_auto/v1/{PRM}",
        (200, load_fixture("dc2026_synth_contrat_consommateur_med.json")),
    )
    answers.set(
        f"/comptage_auto/v1/{PRM}",
        (200, {"relais": {"plageHeuresCreuses": "HC (22H30-6H30)"}}),
        NOT_SUBSCRIBED,
    )
    client = make_client(session, server)
    backend: EnedisBackend = client  # the shared interface, checked by mypy
    assert (backend.serves_contract, backend.backend) == (True, Backend.DATA_CONNECT)
    contract = await client.async_contract()
    assert contract.subscribed_power_kva == 12.0
    assert contract.tariff_option is TariffOption.OFF_PEAK_SEASONAL
    assert contract.offpeak_hours == ((time(22, 30), time(6, 30)),)
    assert contract.services_level == "Communicant (ouvert aux services)"
    again = await client.async_contract()  # comptage_auto now answers 900908
    assert again.offpeak_hours == ()
    assert again.subscribed_power_kva == 12.0
    assert answers.paths()[1:4] == [
        f"/situation_contrat_auto/v1/{PRM}",
        f"/synth_contrat_auto/v1/{PRM}",
        f"/comptage_auto/v1/{PRM}",
    ]
    assert all(r.query == {} for r in answers.received)


async def test_customer_and_a_missing_subscription(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """The address API is optional; the situation is not."""
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        f"/situation_contrat_auto/v1/{PRM}",
        (200, load_fixture("dc2026_situation_contrat_consommateur_med.json")),
        NOT_SUBSCRIBED,
    )
    answers.set(
        f"/donnees_generales_auto/v1/{PRM}",
        (200, load_fixture("dc2026_donnees_generales_auto_med.json")),
    )
    client = make_client(session, server)
    customer = await client.async_customer()
    assert customer.address == ("<masque>", "<masque>")
    with pytest.raises(EnedisNotSubscribedError):
        await client.async_contract()


async def test_subscribed_services(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """POST with the consent's id, `comptage: false` for the list itself."""
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        "/subscribed_services/v1",
        (200, load_fixture("dc2026_subscribed_services_response_mock_esthesis.json")),
    )
    services = await make_client(session, server).async_subscribed_services(11)
    assert len(services) == 5
    request = answers.received[1]
    assert request.method == "POST"
    assert json.loads(request.body) == {"autorisationId": 11, "comptage": False}
    assert request.headers["Authorization"] == "Bearer tok-1"


async def test_budgets_are_per_api(
    session: aiohttp.ClientSession, server: TestServer, answers: Answers
) -> None:
    """5 in any second and 1000 in any hour, counted per API: the 6th measure waits 1 s."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    budgets = DataConnectBudgets(clock=lambda: 1000.0, sleep=sleep)
    answers.set(TOKEN_PATH, token_answer("tok-1"))
    answers.set(
        DAILY, (200, load_fixture("dc2026_mesure_consommation_quotidienne_med.json"))
    )
    answers.set(
        f"/situation_contrat_auto/v1/{PRM}",
        (200, load_fixture("dc2026_situation_contrat_consommateur_med.json")),
    )
    answers.set(f"/synth_contrat_auto/v1/{PRM}", NOT_SUBSCRIBED)
    answers.set(f"/comptage_auto/v1/{PRM}", NOT_SUBSCRIBED)
    client = make_client(session, server, budgets=budgets)
    for _ in range(5):
        await client.async_daily(Direction.CONSUMPTION, START, END)
    await client.async_contract()  # other APIs: their own budgets, no wait
    assert sleeps == []
    await client.async_daily(Direction.CONSUMPTION, START, END)
    assert sleeps == [1.0]
    assert budgets.for_api("mesure_synchrone_auto").limits == (
        RateLimit(count=5, period=1.0),
        RateLimit(count=1000, period=3600.0),
    )
    used = {
        api: state["limits"][1]["used"] for api, state in budgets.diagnostics().items()
    }
    assert used == {
        "oauth2": 1,
        "mesure_synchrone_auto": 6,
        "situation_contrat_auto": 1,
        "synth_contrat_auto": 1,
        "comptage_auto": 1,
    }
