"""The client on answers the simulator does not give: S3's maintenance flag."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.openpower.api.emporia import CognitoAuth, EmporiaClient

API = "https://api.test"
FLAG = "https://flag.test/maintenance.json"


@pytest.mark.parametrize(
    ("status", "body", "down"),
    [
        (200, '{"msg": "down"}', True),
        (200, "not json", False),
        (200, '{"msg": "up"}', False),
        (403, "<Error/>", False),
        (500, "", False),
    ],
)
async def test_maintenance_flag(
    mocker: tuple[AiohttpClientMocker, Any], status: int, body: str, down: bool
) -> None:
    """Only S3's `{"msg": "down"}` means maintenance; anything else does not."""
    mock, session = mocker
    mock.get(FLAG, status=status, text=body)
    client = EmporiaClient(
        session,
        CognitoAuth(session, auth_url="https://cognito.test"),
        api_url=API,
        maintenance_url=FLAG,
        backoff=0,
    )
    assert await client.async_down_for_maintenance() is down
