"""PG&E's registration "complete testing" sequence, run with a registration-test token.

Test token → ReadServiceStatus (currentStatus 1) → DownloadSampleData (200 or 202) →
Authorization (a Bulk authorization). Every step runs even when an earlier one failed, except
after a failed token step (the others are then "not run"). The sequence never raises `ApiError`:
each failure is a step with its HTTP status and a short, secret-free reason.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ..errors import ApiError
from ..http import HttpResponse
from .client import RESOURCE_PATH, PgeClient, describe, raise_for_status, read_token
from .resources import first_bulk_id, parse_authorizations, parse_service_status

_LATER_STEPS: Final = ("service_status", "sample_data", "authorization")
_MAX_DETAIL: Final = 120


@dataclass(frozen=True, slots=True)
class RegistrationStep:
    """One step of PG&E's registration "complete testing" sequence."""

    name: str
    """`token`, `service_status`, `sample_data` or `authorization`."""
    ok: bool
    status: int | None
    """HTTP status of the step's answer, when there was one."""
    detail: str
    """Short and secret-free."""


async def async_registration_tests(client: PgeClient) -> list[RegistrationStep]:
    """Run the sequence with `client`'s registration; report each step."""
    status: int | None = None
    try:
        response = await client.async_request_test_token()
        status = response.status
        token = read_token(response)[0]
    except ApiError as err:
        return [
            RegistrationStep("token", False, status, _detail(err)),
            *(RegistrationStep(name, False, None, "not run") for name in _LATER_STEPS),
        ]
    return [
        RegistrationStep("token", True, status, "test token issued"),
        await _async_step(
            client, "service_status", token, "ReadServiceStatus", _judge_service_status
        ),
        await _async_step(
            client, "sample_data", token, "DownloadSampleData", _judge_sample_data
        ),
        await _async_step(
            client, "authorization", token, "Authorization", _judge_authorization
        ),
    ]


async def _async_step(
    client: PgeClient,
    name: str,
    token: str,
    resource: str,
    judge: Callable[[HttpResponse], tuple[bool, str]],
) -> RegistrationStep:
    status: int | None = None
    try:
        response = await client.async_get_test_resource(token, resource)
        status = response.status
        raise_for_status(response, describe(f"{RESOURCE_PATH}/{resource}"))
        ok, detail = judge(response)
    except ApiError as err:
        return RegistrationStep(name, False, status, _detail(err))
    return RegistrationStep(name, ok, status, detail)


def _judge_service_status(response: HttpResponse) -> tuple[bool, str]:
    status = parse_service_status(response.body)
    return status == 1, f"currentStatus {status}"


def _judge_sample_data(response: HttpResponse) -> tuple[bool, str]:
    if response.status == 200:
        return True, f"sample data received ({len(response.body)} bytes)"
    if response.status == 202:
        return True, "sample data request accepted (202)"
    return False, f"unexpected status {response.status}"


def _judge_authorization(response: HttpResponse) -> tuple[bool, str]:
    bulk_id = first_bulk_id(parse_authorizations(response.body))
    return True, f"Bulk ID {bulk_id}"


def _detail(err: ApiError) -> str:
    message = str(err) or type(err).__name__
    return message if len(message) <= _MAX_DETAIL else message[: _MAX_DETAIL - 1] + "…"
