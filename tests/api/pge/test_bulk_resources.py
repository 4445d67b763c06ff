"""The three asynchronous Bulk resources: asking for each, and which notified URLs are theirs."""

from datetime import UTC, datetime

import pytest

from custom_components.openpower.api.errors import ApiAuthError
from custom_components.openpower.api.pge import (
    RESOURCE_PATH,
    BulkResource,
    PgeClient,
    describe,
)
from custom_components.openpower.api.pge.client import TOKEN_PATH

from .common import Canned

QUERY = "?correlationID=e043071d-d93d-4876-8907-c501e622a825"
ROOT = f"https://api.pge.com{RESOURCE_PATH}/Batch"


def _client() -> PgeClient:
    return PgeClient(None, client_id="i", client_secret="s")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("Bulk", BulkResource.USAGE),
        ("BulkRetailCustomerInfo", BulkResource.CUSTOMER),
        ("BulkRetailDRPrgInfo", BulkResource.PROGRAMS),
    ],
)
def test_notified_resource_of_each_kind(path: str, resource: BulkResource) -> None:
    """Each resource's answer URL is recognised as that resource, for this BulkID only."""
    client = _client()
    assert client.notified_resource(f"{ROOT}/{path}/50916{QUERY}", "50916") is resource
    assert client.is_notified_resource(f"{ROOT}/{path}/50916{QUERY}", "50916")
    assert client.notified_resource(f"{ROOT}/{path}/50952{QUERY}", "50916") is None
    assert client.notified_resource(f"{ROOT}/{path}/50916", "50916") is None
    assert (
        client.notified_resource(
            f"https://evil.example{RESOURCE_PATH}/Batch/{path}/50916{QUERY}", "50916"
        )
        is None
    )


@pytest.mark.parametrize(
    "path",
    [
        "bulkretailcustomerinfo",
        "BulkRetailCustomerInfoX",
        "BulkRetailCustomer",
        "RetailCustomer",
        "BulkRetailDRPrgInfo/..",
        "RetailDRPrgInfo",
        "Bulk/BulkRetailCustomerInfo",
    ],
)
def test_other_batch_paths_are_refused(path: str) -> None:
    """Only the three exact resource names, character for character."""
    assert _client().notified_resource(f"{ROOT}/{path}/50916{QUERY}", "50916") is None


@pytest.mark.parametrize(
    ("resource", "path"),
    [
        (BulkResource.CUSTOMER, "/Batch/BulkRetailCustomerInfo/50916"),
        (BulkResource.PROGRAMS, "/Batch/BulkRetailDRPrgInfo/50916"),
    ],
)
@pytest.mark.parametrize(
    ("status", "accepted", "refused"),
    [(202, True, False), (204, False, False), (403, False, True)],
)
async def test_info_request_answers(
    canned: tuple[Canned, PgeClient],
    resource: BulkResource,
    path: str,
    status: int,
    accepted: bool,
    refused: bool,
) -> None:
    """202 accepted, 204 nothing, 403 (even with a renewed token) a refusal, not an error."""
    script, client = canned
    script.answers[path] = [(status, b""), (status, b"")]
    answer = await client.async_bulk_request("50916", resource=resource)
    assert (answer.accepted, answer.refused) == (accepted, refused)
    expected = [f"/pge{TOKEN_PATH}", f"/pge{RESOURCE_PATH}{path}"]
    if status == 403:  # the token is renewed once before the refusal is believed
        expected += expected
    assert script.received == expected


async def test_info_request_sends_no_range(canned: tuple[Canned, PgeClient]) -> None:
    """PG&E ignores a range on the info resources: none is sent."""
    script, client = canned
    script.answers["/BulkRetailCustomerInfo/50916"] = [(202, b"")]
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    await client.async_bulk_request(
        "50916", moment, moment, resource=BulkResource.CUSTOMER
    )
    assert (
        script.received[-1] == f"/pge{RESOURCE_PATH}/Batch/BulkRetailCustomerInfo/50916"
    )


async def test_usage_refusal_stays_an_auth_error(
    canned: tuple[Canned, PgeClient],
) -> None:
    """A 403 on the usage resource is still refused credentials (reauth)."""
    script, client = canned
    script.answers["/Batch/Bulk/50916"] = [(403, b""), (403, b"")]
    with pytest.raises(ApiAuthError):
        await client.async_bulk_request("50916")


@pytest.mark.parametrize(
    "name", ["Bulk", "BulkRetailCustomerInfo", "BulkRetailDRPrgInfo"]
)
def test_describe_masks_the_bulk_id_of_every_resource(name: str) -> None:
    """The BulkID never reaches a log line, whichever resource."""
    assert describe(f"{RESOURCE_PATH}/Batch/{name}/50916") == (
        f"pge GET {RESOURCE_PATH}/Batch/{name}/…"
    )
