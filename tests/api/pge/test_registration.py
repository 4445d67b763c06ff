"""PG&E's registration tests: every step reported, none raising, the rest run after a failure."""

import asyncio
import re
from typing import Any

import pytest

from custom_components.openpower.api.pge import (
    PgeClient,
    RegistrationStep,
    async_registration_tests,
)
from custom_components.openpower.api.pge.client import TOKEN_PATH
from tests.simulator import PGE_BULK_ID, Simulator

from .common import Canned, Factory, statuses

TEST_TOKEN_PATH = "/datacustodian/test/oauth/v2/token"


def _summary(steps: list[RegistrationStep]) -> list[tuple[str, bool, int | None]]:
    return [(step.name, step.ok, step.status) for step in steps]


async def test_registration_tests_pass(client: PgeClient, simulator: Simulator) -> None:
    """Test token, service status, sample data (200), authorization: all ok."""
    steps = await async_registration_tests(client)
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", True, 200),
        ("sample_data", True, 200),
        ("authorization", True, 200),
    ]
    assert steps[1].detail == "currentStatus 1"
    assert steps[3].detail == f"Bulk ID {PGE_BULK_ID}"
    assert statuses(simulator, TEST_TOKEN_PATH) == [200]
    assert statuses(simulator, TOKEN_PATH) == []  # the production token is untouched
    assert client.token_expires_at is None


async def test_registration_sample_data_accepted(
    client: PgeClient, simulator: Simulator
) -> None:
    """DownloadSampleData answering 202 is a pass too."""
    simulator.pge.sample_data_status = 202
    steps = await async_registration_tests(client)
    assert steps[2] == RegistrationStep(
        "sample_data", True, 202, "sample data request accepted (202)"
    )
    assert all(step.ok for step in steps)


async def test_registration_failing_steps_do_not_stop_the_others(
    client: PgeClient, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Service offline, a 404 on the sample, no Bulk authorization: each step reported."""
    simulator.pge.service_status = 0
    original = simulator.pge._authorization_entries  # noqa: SLF001
    monkeypatch.setattr(
        simulator.pge, "_authorization_entries", lambda *args: original(*args)[:1]
    )
    steps = await async_registration_tests(client)
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", False, 200),
        ("sample_data", True, 200),
        ("authorization", False, 200),
    ]
    assert steps[1].detail == "currentStatus 0"
    assert "no Batch/Bulk authorization" in steps[3].detail


@pytest.mark.parametrize(
    ("fault", "status", "detail"),
    [
        ("not_found", 404, r"not found \(404\)"),
        ("http_403", 403, r"credentials rejected \(403\)"),
        ("http_429", None, r"rate limited \(429\)"),
    ],
)
async def test_registration_token_step_errors(
    client: PgeClient,
    simulator: Simulator,
    fault: str,
    status: int | None,
    detail: str,
) -> None:
    """A failed test token keeps its status (none without an answer); the rest not run."""
    simulator.fault_next("pge", fault)
    steps = await async_registration_tests(client)
    assert (steps[0].ok, steps[0].status) == (False, status)
    assert re.search(detail, steps[0].detail)
    assert [(s.ok, s.status, s.detail) for s in steps[1:]] == [
        (False, None, "not run")
    ] * 3
    assert len(simulator.requests) == 1


async def test_registration_wrong_secret(make: Factory, simulator: Simulator) -> None:
    """A refused test token: the other steps are not run."""
    client = make(client_secret="wrong")
    steps = await async_registration_tests(client)
    assert _summary(steps) == [
        ("token", False, 400),
        ("service_status", False, None),
        ("sample_data", False, None),
        ("authorization", False, None),
    ]
    assert "credentials rejected" in steps[0].detail
    assert "wrong" not in steps[0].detail
    assert len(simulator.requests) == 1


@pytest.mark.parametrize("certificate", ["none", "expired"])
async def test_registration_certificate_refused(
    make: Factory, certificate: str
) -> None:
    """Without a valid certificate the token step says so."""
    steps = await async_registration_tests(make(certificate))
    assert _summary(steps)[0] == ("token", False, 400)
    assert "certificate refused" in steps[0].detail


async def test_registration_later_step_refused(
    client: PgeClient, simulator: Simulator
) -> None:
    """A 400 on service status and a 5xx storm on the sample data: reported, not raised."""
    real_token = client.async_request_test_token

    async def token_then_faults() -> Any:
        response = await real_token()
        simulator.fault_next("pge", "http_400")
        simulator.fault_next("pge", "http_500", 4)
        return response

    client.async_request_test_token = token_then_faults  # type: ignore[method-assign]
    steps = await async_registration_tests(client)
    assert _summary(steps) == [
        ("token", True, 200),
        ("service_status", False, 400),
        ("sample_data", False, None),
        ("authorization", True, 200),
    ]
    assert "certificate refused" in steps[1].detail
    assert "server error (500)" in steps[2].detail
    assert all(len(step.detail) <= 120 for step in steps)


async def test_registration_sample_data_odd_status(
    canned: tuple[Canned, PgeClient],
) -> None:
    """DownloadSampleData answering 204 is a failed step, not an error."""
    script, client = canned
    script.answers["/ReadServiceStatus"] = [
        (
            200,
            b'<ServiceStatus xmlns="http://naesb.org/espi"><currentStatus>1</currentStatus></ServiceStatus>',
        )
    ]
    script.answers["/DownloadSampleData"] = [(204, b"")]
    script.answers["/Authorization"] = [(200, b"<feed")]
    steps = await async_registration_tests(client)
    assert [(s.name, s.ok, s.status) for s in steps] == [
        ("token", True, 200),
        ("service_status", True, 200),
        ("sample_data", False, 204),
        ("authorization", False, 200),
    ]
    assert steps[2].detail == "unexpected status 204"
    assert "not well-formed" in steps[3].detail


async def test_registration_lets_cancellation_through(
    canned: tuple[Canned, PgeClient],
) -> None:
    """Cancelling the sequence cancels it (no step swallows CancelledError)."""
    _, client = canned

    async def cancelled() -> Any:
        raise asyncio.CancelledError

    client.async_request_test_token = cancelled  # type: ignore[method-assign]
    with pytest.raises(asyncio.CancelledError):
        await async_registration_tests(client)
