"""The Authorization answer: the captured entry, its shapes, refusals, the Bulk ID of a URI."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import Authorization, parse_authorizations

from .common import FIXTURES


def test_parse_authorization_fixture() -> None:
    """The Green Button Alliance entry: a subscription, parsed by namespace URI."""
    body = (FIXTURES / "espi_gba_authorization_entry_anonymized.xml").read_bytes()
    (authorization,) = parse_authorizations(body)
    assert authorization == Authorization(
        href="https://test-datacustodian.example.com/espi/1_1/resource/Authorization/test-auth-id",
        resource_uri="https://test-api.example.com/espi/1_1/resource/Batch/Subscription/test-subscription-id",
        authorization_uri="https://test-api.example.com/espi/1_1/resource/Authorization/test-auth-id",
        grant_type="authorization_code",
        status=1,
        scope="FB=1_3_4_5_13_15_16_28_31_37_39_51_53_54_55_56_57_58_59_60_61_64_65_69",
        published_start=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC),
        published_end=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
        + timedelta(seconds=31604340),
        authorized_start=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC),
        authorized_end=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
        + timedelta(seconds=31604340),
        entry_id="urn:uuid:22222222-2222-2222-2222-222222222222",
        expires_at=datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC),
        customer_resource_uri="https://test-api.example.com/customer/espi/1_1/resource/Batch/RetailCustomer/test-customer-id",
    )
    assert authorization.bulk_id is None


@pytest.mark.parametrize(
    ("body", "count"),
    [
        (
            (
                b'<Authorization xmlns="http://naesb.org/espi"><resourceURI>'
                b"https://api.pge.com/x/Batch/Bulk/51070</resourceURI></Authorization>"
            ),
            1,
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', 0),
        (  # entry in a feed, numbers out of range or not numbers
            (
                b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">'
                b"<entry><content><e:Authorization><e:publishedPeriod>"
                b"<e:start>99999999999999999</e:start><e:duration>1</e:duration>"
                b"</e:publishedPeriod><e:authorizedPeriod><e:start>1,600,000,000</e:start>"
                b"</e:authorizedPeriod><e:status>active</e:status><e:resourceURI>"
                b"https://api.pge.com/x/Batch/Bulk/51070</e:resourceURI>"
                b"</e:Authorization></content></entry></feed>"
            ),
            1,
        ),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content/></entry></feed>',
            0,
        ),
    ],
)
def test_parse_authorization_shapes(body: bytes, count: int) -> None:
    """A bare Authorization, an empty feed, an entry without one."""
    parsed = parse_authorizations(body)
    assert len(parsed) == count
    if count:
        assert parsed[0].bulk_id == "51070"
        assert parsed[0].href is None
        assert parsed[0].published_start is None
        assert parsed[0].published_end is None
        assert parsed[0].status is None
        assert parsed[0].authorized_end is None


@pytest.mark.parametrize(
    "body",
    [
        b"<html>maintenance</html>",
        b"<feed",
        b'<!DOCTYPE f [<!ENTITY e "x">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
    ],
)
def test_parse_authorization_refusals(body: bytes) -> None:
    """Not Atom, not XML, a DTD: ApiResponseError."""
    with pytest.raises(ApiResponseError):
        parse_authorizations(body)


@pytest.mark.parametrize(
    ("uri", "bulk_id"),
    [
        (
            "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50916",
            "50916",
        ),
        (
            "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/50916/",
            "50916",
        ),
        ("https://api.pge.com/r/Batch/Bulk/50916?published-min=1", "50916"),
        ("https://api.pge.com/r/Batch/Bulk/50916/UsagePoint/1", "50916"),
        ("https://api.pge.com/r/Batch/Bulk/", None),
        ("https://api.pge.com/r/Batch/Bulk/a%2Fb", None),
        ("https://api.pge.com/r/Batch/Subscription/4095251", None),
        (None, None),
    ],
)
def test_bulk_id_of_a_resource_uri(uri: str | None, bulk_id: str | None) -> None:
    """The id after /Batch/Bulk/ only."""
    authorization = Authorization(
        None, uri, None, None, None, None, None, None, None, None
    )
    assert authorization.bulk_id == bulk_id
