"""The API package knows nothing of Home Assistant: its tests start none."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration-wide fixture: no recorder, no Home Assistant here."""
