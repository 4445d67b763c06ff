"""The integration's config flow: a menu of providers, each provider's registered steps."""

from unittest.mock import patch

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openpower.const import DOMAIN
from custom_components.openpower.flow import ProviderFlow, endpoint_errors, url_origin
from custom_components.openpower.providers import PROVIDERS


@pytest.fixture(autouse=True)
def no_setup() -> object:
    """Creating an entry does not set it up here."""
    with patch("custom_components.openpower.async_setup_entry", return_value=True):
        yield


async def test_menu_lists_every_registered_provider(hass: HomeAssistant) -> None:
    """The first step is a menu of the registered providers, in registry order."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == list(PROVIDERS)
    assert result["menu_options"][:3] == ["amber", "emporia", "pge"]


@pytest.mark.usefixtures("fake_provider")
async def test_a_registered_provider_runs_its_steps(hass: HomeAssistant) -> None:
    """A provider added to the registry gets its menu entry and its steps served."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert "fake" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "fake"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "fake"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"account": "a"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Fake a"
    assert result["data"] == {"provider": "fake", "account": "a"}
    assert result["result"].unique_id == "fake_a"


async def test_already_configured(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """The same account cannot be added twice."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "fake"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"account": "a"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize("start", ["start_reauth_flow", "start_reconfigure_flow"])
async def test_reauth_and_reconfigure_go_to_the_provider(
    hass: HomeAssistant, fake_entry: MockConfigEntry, start: str
) -> None:
    """Reauth and reconfigure start at the entry's provider flow; same account only."""
    result = await getattr(fake_entry, start)(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "fake_again"
    assert result["description_placeholders"] == {"name": "Fake a"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"account": "b"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    result = await getattr(fake_entry, start)(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"account": "a"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] in ("reauth_successful", "reconfigure_successful")


async def test_no_options_without_an_options_flow(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """A provider without options offers none."""
    assert not fake_entry.supports_options


def test_a_step_must_belong_to_its_provider() -> None:
    """Step ids start with the provider key, so two providers' steps never collide."""

    class Stray(ProviderFlow):
        provider = "stray"

        async def async_step_other(self, user_input: object = None) -> None:
            """Not this provider's step."""

    with pytest.raises(ValueError, match="step other does not belong to stray"):
        Stray(None).steps()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.amber.com.au/v1", ("api.amber.com.au", 443)),
        ("https://API.amber.com.au:443/v2", ("api.amber.com.au", 443)),
        ("https://api.emporiaenergy.com", ("api.emporiaenergy.com", 443)),
        ("http://localhost:8123/amber/v1", ("localhost", 8123)),
        ("http://[::1]/amber/v1", ("::1", 80)),
        ("http://127.0.0.1:80/amber/v1", ("127.0.0.1", 80)),
        ("http://amber.local/v1", None),
        ("https://127.0.0.1:99999/v1", None),
        ("https:///v1", None),
        ("https://[/v1", None),
        ("ftp://api.amber.com.au/v1", None),
    ],
)
def test_url_origin(url: str, origin: tuple[str, int] | None) -> None:
    """Where a secret sent to a URL goes: host and port; None where it may not go."""
    assert url_origin(url) == origin


@pytest.mark.parametrize(
    ("submitted", "errors"),
    [
        ({"advanced": {"api_url": "https://api.example.com/v1"}}, {}),
        ({"advanced": {"api_url": "https://api.example.com:443/v2"}}, {}),
        (
            {"advanced": {"api_url": "https://other.example.com"}},
            {"token": "secret_for_new_host"},
        ),
        (
            {"token": "new", "advanced": {"api_url": "https://other.example.com"}},
            {},
        ),
        (
            {"advanced": {"api_url": "http://api.example.com/v1"}},
            {"base": "url_not_https"},
        ),
        (
            {"advanced": {"api_url": "http://127.0.0.1:8765/v1"}},
            {"token": "secret_for_new_host"},
        ),
    ],
)
def test_endpoint_errors(submitted: dict[str, object], errors: dict[str, str]) -> None:
    """A stored secret goes only where it went before; to a new host only when re-entered."""
    stored = {"token": "s3cret", "advanced": {"api_url": "https://api.example.com/v1"}}
    assert endpoint_errors(stored, submitted, "token") == errors


async def test_subentries_of_the_providers_kind(
    hass: HomeAssistant, fake_entry: MockConfigEntry
) -> None:
    """An entry offers the sub-items its provider declares (a device on an account)."""
    assert fake_entry.supported_subentry_types == {
        "fake_device": {"supports_reconfigure": False}
    }
    result = await hass.config_entries.subentries.async_init(
        (fake_entry.entry_id, "fake_device"), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"serial": "AB123"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = fake_entry.subentries.values()
    assert (subentry.subentry_type, subentry.title, subentry.data) == (
        "fake_device",
        "Device AB123",
        {"serial": "AB123"},
    )


async def test_no_subentries_where_the_provider_has_none(hass: HomeAssistant) -> None:
    """Emporia's entries offer no sub-items."""
    entry = MockConfigEntry(domain=DOMAIN, data={"provider": "emporia"})
    entry.add_to_hass(hass)
    assert entry.supported_subentry_types == {}
