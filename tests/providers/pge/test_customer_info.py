"""What the customer and DR answers leave (customer.py), and when each resource is asked."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    BulkResource,
    EnrollmentStatus,
    Scope,
    parse_customer_feed,
)
from custom_components.openpower.providers.pge.customer import (
    CUSTOMER_REFRESH,
    MAX_INFO_BYTES,
    RETRY_AFTER,
    CustomerInfo,
    InfoRequest,
    ProgramInfo,
    Refusal,
    ServiceInfo,
    async_read_info,
    customer_info,
    programs_of,
    scope_key,
)
from tests.api.pge.test_customer import DR_FEED, read

NOW = datetime(2026, 12, 6, 18, 17, tzinfo=UTC)
WITH_CUSTOMER = Scope.parse("FB=1_3_4_5_15_46_47;AdditionalScope=Usage_Basic")
WITHOUT_CUSTOMER = Scope.parse("FB=1_3_4_5_15;AdditionalScope=Usage")


def test_pge_customer_feed_per_usage_point() -> None:
    """The 2019 capture: address (ZIP from townDetail/code), meter, agreement; no name kept."""
    feed = parse_customer_feed(
        read("espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml")
    )
    location = feed.locations[0]
    point = location.usage_point_id
    assert point is not None
    info = customer_info(feed, [point, "0000000000"], NOW)
    assert info.received == NOW
    assert info.personal == ("customer_name", "account_number")
    (service,) = info.services  # the point PG&E has nothing on is left out
    assert service.point == point
    assert service.street == location.street
    assert service.zip_code == location.zip_code
    assert service.town == location.town
    assert service.state == location.state
    meter = feed.meters_of(point)[0]
    assert service.meter_serial == meter.serial_number
    assert service.meter_type == meter.meter_type
    assert service.agreement_status == "Active"
    assert info.service(point) is service
    assert info.service("0000000000") is None
    stored = info.as_dict()
    name, number = feed.customers[0].name, feed.accounts[0].account_id
    assert name and number
    assert name not in str(stored)
    assert number not in str(stored)
    assert CustomerInfo.from_dict(stored) == info


def test_programs_of_the_schema_document() -> None:
    """Named programs of known points, with their enrollment and ending dates."""
    feed = parse_customer_feed(DR_FEED)
    programs = programs_of(feed, ["9760620582"])
    assert [(p.name, p.status, p.key) for p in programs] == [
        ("SmartRate", EnrollmentStatus.ENROLLED, "smartrate"),
        ("SmartAC", EnrollmentStatus.UNENROLLED, "smartac"),
        ("ELRP", EnrollmentStatus.PENDING, "elrp"),
    ]
    smart_rate, smart_ac, elrp = programs
    assert smart_rate.enrolled_on == datetime(2023, 6, 1, 7, 0, tzinfo=UTC)
    assert smart_rate.ends_on is None
    assert smart_ac.enrolled_on == datetime(2022, 6, 1, 7, 0, tzinfo=UTC)
    assert smart_ac.ends_on == datetime(2023, 1, 1, 8, 0, tzinfo=UTC)
    assert elrp.enrolled_on is None
    for program in programs:
        assert ProgramInfo.from_dict(program.as_dict()) == program
    # The CBP entry belongs to an agreement not asked for.
    assert [p.name for p in programs_of(feed, ["1234567890"])] == ["CBP"]


def test_program_key_and_termination_words() -> None:
    """Keys are the name slugged; "term", "de-enroll" and "unenroll" end an enrollment."""
    day = datetime(2026, 1, 1, tzinfo=UTC)
    for words in ("Termination", "de-enrollment", "UNENROLLED on", "DE_ENROLLMENT"):
        program = ProgramInfo("1", "Smart AC!", None, ((words, day),))
        assert program.key == "smart_ac"
        assert (program.enrolled_on, program.ends_on) == (None, day)
    assert ProgramInfo("1", "  ", None).key == "program"
    assert ProgramInfo("1", "x", None, (("Enrollment", day),)).enrolled_on == day


def test_info_request_cadence() -> None:
    """Asked at once; not again within a day; customer monthly after an answer, DR never."""
    for resource in (BulkResource.CUSTOMER, BulkResource.PROGRAMS):
        record = InfoRequest(resource)
        assert record.due(NOW, None)
        asked = record.asking(NOW)
        assert asked.misses == 0
        assert not asked.due(NOW + RETRY_AFTER - timedelta(seconds=1), None)
        assert asked.due(NOW + RETRY_AFTER, None)  # no answer came: asked again
        answered = InfoRequest(resource, asked=NOW, answered=NOW + timedelta(minutes=2))
        later = NOW + CUSTOMER_REFRESH + timedelta(minutes=2)
        assert not answered.due(NOW + CUSTOMER_REFRESH - timedelta(days=1), None)
        assert answered.due(later, None) is (resource is BulkResource.CUSTOMER)


def test_info_request_misses_and_refusals() -> None:
    """An unanswered request counts a miss; a refusal holds until the scope changes."""
    record = InfoRequest(BulkResource.CUSTOMER).asking(NOW)
    record = record.asking(NOW + RETRY_AFTER)
    record = record.asking(NOW + 2 * RETRY_AFTER)
    assert record.misses == 2
    answered = InfoRequest(
        BulkResource.CUSTOMER, asked=NOW, answered=NOW, misses=2
    ).asking(NOW + CUSTOMER_REFRESH)
    assert answered.misses == 0
    refused = record.refusing(Refusal.FORBIDDEN, WITH_CUSTOMER)
    assert refused.refused_scope == "FB=1_3_4_5_15_46_47;AdditionalScope=basic_usage"
    much_later = NOW + 10 * CUSTOMER_REFRESH
    assert not refused.due(much_later, WITH_CUSTOMER)
    assert refused.due(much_later, WITHOUT_CUSTOMER)  # the authorization changed
    assert not refused.due(much_later, None)  # unknown is no change
    assert InfoRequest.from_dict(refused.as_dict()) == refused
    assert InfoRequest.from_dict(
        {"resource": "BulkRetailDRPrgInfo", "refused": "gone"}
    ) == InfoRequest(BulkResource.PROGRAMS)


def test_scope_key_ignores_order_and_other_fields() -> None:
    """Two readings of one authorization give one key; None stays None."""
    assert scope_key(None) is None
    assert scope_key(Scope.parse("FB=47_1_46;IntervalDuration=900;BR=50916")) == (
        scope_key(Scope.parse("FB=1_46_47;IntervalDuration=3600"))
    )


def test_service_round_trip_ignores_unknown_keys() -> None:
    """A stored service with keys of a later version still loads."""
    service = ServiceInfo("1", street="77 Beale St", meter_serial="101012")
    assert ServiceInfo.from_dict({**service.as_dict(), "later": 1}) == service
    assert CustomerInfo.from_dict({"services": []}) is None


class _Client:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def async_fetch(self, url: str, consume) -> None:  # type: ignore[no-untyped-def]
        for chunk in self.chunks:
            await consume(chunk)


async def test_read_info_whole_and_bounded() -> None:
    """The body is read whole (served noted once); beyond the cap it is refused."""
    served: list[bool] = []
    body = await async_read_info(
        _Client([b"ab", b"cd"]),  # type: ignore[arg-type]
        "u",
        lambda: served.append(True),
    )
    assert (body, served) == (b"abcd", [True])
    with pytest.raises(ApiResponseError, match="too large"):
        await async_read_info(
            _Client([b"x" * MAX_INFO_BYTES, b"y"]),  # type: ignore[arg-type]
            "u",
        )
