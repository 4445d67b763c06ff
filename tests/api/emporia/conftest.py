"""A mocked aiohttp session for the answers the simulator does not give."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker


@pytest.fixture
async def mocker() -> AsyncGenerator[tuple[AiohttpClientMocker, Any]]:
    """A mocked aiohttp session."""
    mock = AiohttpClientMocker()
    session = mock.create_session(asyncio.get_running_loop())
    yield mock, session
    await session.close()
