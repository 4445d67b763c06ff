"""The customer feed and DR enrollment parser: every customer fixture, namespaces, the join, errors.

Expected values are read from the fixtures by hand (tests/simulator/fixtures/pge/customer). No DR
enrollment payload exists anywhere, so its document is built here from the element names and the
enumeration PG&E's schema (`xsd_pge_retailcustomer_20180802.xsd`) declares.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree as DefusedET
import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    CUSTOMER_NS,
    Customer,
    CustomerAccount,
    CustomerAgreement,
    CustomerFeed,
    DemandResponseProgram,
    EnrollmentStatus,
    Meter,
    ProgramDate,
    ProgramDateMapping,
    ServiceLocation,
    UsagePoint,
    parse_customer_feed,
)

CUSTOMER_FIXTURES = (
    Path(__file__).parents[2] / "simulator" / "fixtures" / "pge" / "customer"
)
SCHEMA = CUSTOMER_FIXTURES / "xsd_pge_retailcustomer_20180802.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
PGE = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource/RetailCustomer/92772/Customer/MjYyNjk0MDkxMA=="
PGE_AGREEMENT = f"{PGE}/CustomerAccount/4872715821/CustomerAgreement/9760620582"
PGE_LOCATION = f"{PGE_AGREEMENT}/ServiceLocation/ODg5NDU5MDcwNQ=="
SCE = "https://services.greenbuttondata.org/DataCustodian/espi/1_1/resource/RetailCustomer/VJEWP31BE/Customer/1/CustomerAccount/1111111"
GBA = "https://test-api.example.com/customer/espi/1_1/resource/RetailCustomer/test-customer-id/Customer/test-customer-number"
SIGNED = datetime(2013, 8, 15, 7, 0, tzinfo=UTC)  # 1376550000
PGE_AGREEMENT_2016 = CustomerAgreement(
    href=PGE_AGREEMENT,
    service_agreement_id="1112392222",
    status=None,
    customer_class=None,
    sign_date=SIGNED,
    usage_point_id="9760620582",
)
PGE_LOCATION_PARSED = ServiceLocation(
    href=PGE_LOCATION,
    street="123 PLACEHOLDER RD",
    town="ANYTOWN",
    zip_code="00000",
    state="CA",
    usage_point_id="9760620582",
)


def read(name: str) -> bytes:
    return (CUSTOMER_FIXTURES / name).read_bytes()


def test_every_customer_fixture_is_covered() -> None:
    """Each file of the customer fixture folder is one of the tests below."""
    assert {path.name for path in CUSTOMER_FIXTURES.glob("*.x*")} == {
        "espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml",
        "espi_customer_pge_batch_retailcustomer_2016_ns0prefix_verdigris_placeholders.xml",
        "espi_customer_sce_bulk_retailcustomer_2016_verdigris.xml",
        "espi_customer_gba_customer_feed_anonymized_2025.xml",
        "xsd_pge_retailcustomer_20180802.xsd",
    }


def test_pge_2019_default_namespace() -> None:
    """PG&E 2019: the customer namespace is the default namespace of every element."""
    feed = parse_customer_feed(
        read("espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml")
    )
    assert feed == CustomerFeed(
        customers=(Customer(href=PGE, name="ACME INDUSTRIES", kind=None),),
        accounts=(
            CustomerAccount(
                href=f"{PGE}/CustomerAccount/4872715821", account_id="1687340014"
            ),
        ),
        agreements=(
            CustomerAgreement(
                href=PGE_AGREEMENT,
                service_agreement_id="1112392222",
                status="Active",
                customer_class="AGR",
                sign_date=SIGNED,
                usage_point_id="9760620582",
            ),
        ),
        locations=(PGE_LOCATION_PARSED,),
        meters=(
            Meter(
                href=f"{PGE_LOCATION}/Meter/1121183459",
                meter_type="EMTR 12S/XP/CL200/3W/5Dials",
                serial_number="1121183459",
                interval_length=timedelta(minutes=15),
                usage_point_id="9760620582",
            ),
        ),
        programs=(),
        program_date_mappings=(),
    )


def test_pge_2016_ns0_prefix_bound_elsewhere() -> None:
    """PG&E 2016: `ns0` is ESPI on the feed, re-bound to the customer namespace in each entry."""
    feed = parse_customer_feed(
        read(
            "espi_customer_pge_batch_retailcustomer_2016_ns0prefix_verdigris_placeholders.xml"
        )
    )
    assert feed == CustomerFeed(
        customers=(),
        accounts=(),
        agreements=(PGE_AGREEMENT_2016,),
        locations=(PGE_LOCATION_PARSED,),
        meters=(),
        programs=(),
        program_date_mappings=(),
    )


def test_sce_street_parts_and_postal_code() -> None:
    """SCE: street from number + name, ZIP in `postalCode`; ServiceSuppliers skipped."""
    feed = parse_customer_feed(
        read("espi_customer_sce_bulk_retailcustomer_2016_verdigris.xml")
    )
    agreement = f"{SCE}/CustomerAgreement/NB6WRU"
    assert feed == CustomerFeed(
        customers=(),
        accounts=(CustomerAccount(href=SCE, account_id="2-00-111-1111"),),
        agreements=(
            CustomerAgreement(
                href=agreement,
                service_agreement_id="3-001-4647-18",
                status=None,
                customer_class=None,
                sign_date=None,
                usage_point_id="NB6WRU",
            ),
        ),
        locations=(
            ServiceLocation(
                href=f"{agreement}/ServiceLocation/1",
                street="11111 COLORADO ST",
                town="PALM DESERT",
                zip_code="92260",
                state="CA",
                usage_point_id="NB6WRU",
            ),
        ),
        meters=(
            Meter(
                href=f"{agreement}/Meter/14106263",
                meter_type="C2SOD",
                serial_number="2.16.840.1.114416.1.5.222013991111",
                interval_length=None,
                usage_point_id="NB6WRU",
            ),
        ),
        programs=(),
        program_date_mappings=(),
    )


def test_gba_customer_kind_without_name() -> None:
    """GBA 2025: a Customer with a kind, an Organisation address and no name."""
    feed = parse_customer_feed(
        read("espi_customer_gba_customer_feed_anonymized_2025.xml")
    )
    assert feed == CustomerFeed(
        customers=(Customer(href=GBA, name=None, kind="residential"),),
        accounts=(),
        agreements=(),
        locations=(),
        meters=(),
        programs=(),
        program_date_mappings=(),
    )


def _agreement_feed(atom_prefix: str, customer: str, declarations: str) -> bytes:
    """A one-agreement feed, its customer elements written with `customer` (a prefix or "")."""
    a = f"{atom_prefix}:" if atom_prefix else ""
    c = f"{customer}:" if customer else ""
    return (
        f"<{a}feed {declarations}><{a}entry>"
        f'<{a}link rel="self" href="{PGE_AGREEMENT}"/><{a}content>'
        f"<{c}CustomerAgreement><{c}name>1112392222</{c}name>"
        f"<{c}signDate>1376550000</{c}signDate></{c}CustomerAgreement>"
        f"</{a}content></{a}entry></{a}feed>"
    ).encode()


ATOM = 'xmlns:ns1="http://www.w3.org/2005/Atom"'


@pytest.mark.parametrize(
    "body",
    [
        _agreement_feed("ns1", "", f'{ATOM} xmlns="{CUSTOMER_NS}"'),
        _agreement_feed("ns1", "cust", f'{ATOM} xmlns:cust="{CUSTOMER_NS}"'),
        _agreement_feed("ns1", "ns0", f'{ATOM} xmlns:ns0="{CUSTOMER_NS}"'),
        _agreement_feed(
            "", "ns1", f'xmlns="http://www.w3.org/2005/Atom" xmlns:ns1="{CUSTOMER_NS}"'
        ),
    ],
    ids=["default", "cust", "ns0", "atom-default-customer-ns1"],
)
def test_any_prefix_of_the_customer_namespace(body: bytes) -> None:
    """Whatever prefix (or none) carries the customer namespace, the agreement is read."""
    assert parse_customer_feed(body).agreements == (PGE_AGREEMENT_2016,)


@pytest.mark.parametrize(
    "declarations",
    [
        f'{ATOM} xmlns:ns0="http://naesb.org/espi"',  # the usage namespace under ns0
        ATOM,  # no namespace at all
    ],
    ids=["espi-namespace", "no-namespace"],
)
def test_other_namespaces_are_not_customer_elements(declarations: str) -> None:
    """A `CustomerAgreement` outside the customer namespace is not one (prefix alone means nothing)."""
    prefix = "ns0" if "ns0" in declarations else ""
    body = _agreement_feed("ns1", prefix, declarations)
    assert parse_customer_feed(body).agreements == ()


def test_join_service_location_to_usage_point() -> None:
    """The usage point `…/UsagePoint/9760620582` gets the location and meter of agreement 9760620582."""
    feed = parse_customer_feed(
        read("espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml")
    )
    point = UsagePoint(
        href="https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Subscription/92772/UsagePoint/9760620582",
        service_kind=0,
        local_time_parameters=None,
    )
    assert feed.location_of(point.id) == PGE_LOCATION_PARSED
    location = feed.location_of(point.id)
    assert location is not None
    assert location.street == "123 PLACEHOLDER RD"
    assert [m.serial_number for m in feed.meters_of(point.id)] == ["1121183459"]
    agreement = feed.agreement_of(point.id)
    assert agreement is not None
    assert agreement.service_agreement_id == "1112392222"
    assert feed.location_of("1112392222") is None  # the SA number is not the link's id
    assert feed.meters_of("0") == ()
    assert feed.agreement_of("0") is None
    assert feed.programs_of(point.id) == ()


def test_a_single_entry_and_an_entry_without_self_link() -> None:
    """An entry parses; no `self` link: `up` names the agreement; `townDetail/code` wins."""
    body = (
        f'<entry xmlns="http://www.w3.org/2005/Atom" xmlns:c="{CUSTOMER_NS}">'
        f'<link rel="up" href="{PGE_AGREEMENT}/ServiceLocation"/><content>'
        "<c:ServiceLocation><c:mainAddress><c:streetDetail><c:addressGeneral>"
        "  1 MAIN ST </c:addressGeneral></c:streetDetail><c:townDetail><c:code>94105"
        "</c:code></c:townDetail><c:postalCode>94105-1234</c:postalCode></c:mainAddress>"
        "</c:ServiceLocation><c:ServiceLocation/></content></entry>"
    ).encode()
    assert parse_customer_feed(body).locations == (
        ServiceLocation(None, "1 MAIN ST", None, "94105", None, "9760620582"),
        ServiceLocation(None, None, None, None, None, "9760620582"),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<feed", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]>'
                b'<feed xmlns="http://www.w3.org/2005/Atom">&a;</feed>'
            ),
            "DTDs and entities are refused",
        ),
        (
            f'<Customer xmlns="{CUSTOMER_NS}"><name>X</name></Customer>'.encode(),
            "not an Atom feed or entry",
        ),
        (b"<html><body>Service unavailable</body></html>", "not an Atom feed"),
        (
            _agreement_feed("ns1", "", f'{ATOM} xmlns="{CUSTOMER_NS}"').replace(
                b"1376550000", b"13 Aug 2013"
            ),
            "signDate is not an integer",
        ),
        (
            _agreement_feed("ns1", "", f'{ATOM} xmlns="{CUSTOMER_NS}"').replace(
                b"1376550000", b"99999999999999999"
            ),
            "out of range",
        ),
        (
            read(
                "espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml"
            ).replace(b"<intervalLength>900<", b"<intervalLength>15 min<"),
            "intervalLength is not an integer",
        ),
        (
            read(
                "espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml"
            ).replace(b"<intervalLength>900<", b"<intervalLength>0<"),
            "duration is not positive",
        ),
    ],
    ids=[
        "truncated",
        "empty",
        "entity",
        "bare-resource",
        "html",
        "date-text",
        "date-range",
        "interval-text",
        "interval-zero",
    ],
)
def test_malformed_documents(body: bytes, message: str) -> None:
    """Every malformed document raises the API layer's response error, never another."""
    with pytest.raises(ApiResponseError, match=message):
        parse_customer_feed(body)


# --- Demand-response enrollment, built from PG&E's schema ------------------------------------


def schema_elements(type_name: str) -> list[str]:
    """The element names a complexType of PG&E's schema declares, in order."""
    (complex_type,) = [
        t
        for t in DefusedET.parse(SCHEMA).getroot().iter(f"{XS}complexType")
        if t.get("name") == type_name
    ]
    return [e.get("name") for e in complex_type.iter(f"{XS}element")]


def schema_enumeration(type_name: str) -> list[str]:
    """The values a simpleType of PG&E's schema enumerates, in order."""
    (simple_type,) = [
        t
        for t in DefusedET.parse(SCHEMA).getroot().iter(f"{XS}simpleType")
        if t.get("name") == type_name
    ]
    return [e.get("value") for e in simple_type.iter(f"{XS}enumeration")]


def test_schema_declares_what_the_parser_reads() -> None:
    """The names the DR document below uses are PG&E's, and so are the statuses."""
    assert schema_elements("DemandResponseProgram")[:4] == [
        "programName",
        "enrollmentStatus",
        "programDescription",
        "programDate",
    ]
    assert schema_elements("ProgramDate") == ["programDate", "programDateDescription"]
    assert schema_elements("programDateIdMapping") == [
        "programDateType",
        "code",
        "name",
        "note",
    ]
    assert "DemandResponseProgram" in schema_elements("CustomerAgreement")
    assert schema_enumeration("EnrollmentStatus") == [
        "unenrolled",
        "enrolled",
        "enrolledPending",
    ]
    assert [s.value for s in EnrollmentStatus] == schema_enumeration("EnrollmentStatus")
    assert schema_enumeration("ProgramDateKind") == [
        "CUST_DR_PROGRAM_ENROLLMENT_DATE",
        "CUST_DR_PROGRAM_DE_ENROLLMENT_DATE",
        "CUST_DR_PROGRAM_TERM_DATE_REGARDLESS_FINANCIAL",
        "CUST_DR_PROGRAM_TERM_DATE_WITHOUT_FINANCIAL",
    ]


def _program(name: str, status: str, *dates: tuple[int, str]) -> str:
    """A `DemandResponseProgram` in the schema's element order."""
    return (
        f"<DemandResponseProgram><programName>{name}</programName>"
        f"<enrollmentStatus>{status}</enrollmentStatus>"
        f"<programDescription>https://www.pge.com/{name}</programDescription>"
        + "".join(
            f"<programDate><programDate>{when}</programDate>"
            f"<programDateDescription>{what}</programDateDescription></programDate>"
            for when, what in dates
        )
        + "</DemandResponseProgram>"
    )


DR_FEED = (
    '<ns1:feed xmlns:ns1="http://www.w3.org/2005/Atom" xmlns:ns0="http://naesb.org/espi">'
    '<ns1:link rel="self" href="https://api.pge.com/GreenButtonConnect/espi/1_1/resource/Batch/BulkRetailDRPrgInfo/50952"/>'
    f'<ns1:entry xmlns="{CUSTOMER_NS}"><ns1:link rel="self" href="{PGE_AGREEMENT}"/>'
    "<ns1:content><CustomerAgreement><name>1112392222</name><type>RES</type>"
    "<docStatus><value>Active</value></docStatus><signDate>1376550000</signDate>"
    + _program("SmartRate", "enrolled", (1685602800, "CUST_DR_PROGRAM_ENROLLMENT_DATE"))
    + _program(
        "SmartAC",
        "unenrolled",
        (1654066800, "CUST_DR_PROGRAM_ENROLLMENT_DATE"),
        (1672560000, "CUST_DR_PROGRAM_DE_ENROLLMENT_DATE"),
    )
    + _program("ELRP", "enrolledPending")
    + "</CustomerAgreement></ns1:content></ns1:entry>"
    # A program as an entry of its own, under another agreement, named by its `up` link.
    f'<ns1:entry><ns1:link rel="up" href="{PGE}/CustomerAccount/4872715821/CustomerAgreement/1234567890/DemandResponseProgram"/>'
    f'<ns1:content><ns0:DemandResponseProgram xmlns:ns0="{CUSTOMER_NS}">'
    "<ns0:programName>CBP</ns0:programName><ns0:enrollmentStatus>withdrawn</ns0:enrollmentStatus>"
    "</ns0:DemandResponseProgram></ns1:content></ns1:entry>"
    f'<ns1:entry><ns1:content><ProgramDateIdMappings xmlns="{CUSTOMER_NS}">'
    "<programDateIdMapping><programDateType>CUST_DR_PROGRAM_ENROLLMENT_DATE</programDateType>"
    "<code>1</code><name>Enrollment</name></programDateIdMapping>"
    "</ProgramDateIdMappings></ns1:content></ns1:entry>"
    "</ns1:feed>"
).encode()

SMART_RATE = DemandResponseProgram(
    name="SmartRate",
    status=EnrollmentStatus.ENROLLED,
    description_uri="https://www.pge.com/SmartRate",
    dates=(
        ProgramDate(
            date=datetime(2023, 6, 1, 7, 0, tzinfo=UTC),
            description="CUST_DR_PROGRAM_ENROLLMENT_DATE",
        ),
    ),
    usage_point_id="9760620582",
)
SMART_AC = DemandResponseProgram(
    name="SmartAC",
    status=EnrollmentStatus.UNENROLLED,
    description_uri="https://www.pge.com/SmartAC",
    dates=(
        ProgramDate(
            date=datetime(2022, 6, 1, 7, 0, tzinfo=UTC),
            description="CUST_DR_PROGRAM_ENROLLMENT_DATE",
        ),
        ProgramDate(
            date=datetime(2023, 1, 1, 8, 0, tzinfo=UTC),
            description="CUST_DR_PROGRAM_DE_ENROLLMENT_DATE",
        ),
    ),
    usage_point_id="9760620582",
)
ELRP = DemandResponseProgram(
    name="ELRP",
    status=EnrollmentStatus.PENDING,
    description_uri="https://www.pge.com/ELRP",
    dates=(),
    usage_point_id="9760620582",
)
CBP = DemandResponseProgram(
    name="CBP", status=None, description_uri=None, dates=(), usage_point_id="1234567890"
)


def test_dr_document_built_from_the_schema() -> None:
    """Programs inside an agreement and on their own entry, with dates and date mappings."""
    feed = parse_customer_feed(DR_FEED)
    assert feed.programs == (SMART_RATE, SMART_AC, ELRP, CBP)
    assert feed.programs_of("9760620582") == (SMART_RATE, SMART_AC, ELRP)
    assert feed.programs_of("1234567890") == (CBP,)  # status outside the schema: None
    assert feed.program_date_mappings == (
        ProgramDateMapping(
            date_type="CUST_DR_PROGRAM_ENROLLMENT_DATE",
            code="1",
            name="Enrollment",
            note=None,
        ),
    )
    assert feed.agreements == (
        CustomerAgreement(
            href=PGE_AGREEMENT,
            service_agreement_id="1112392222",
            status="Active",
            customer_class="RES",
            sign_date=SIGNED,
            usage_point_id="9760620582",
        ),
    )


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ("unenrolled", EnrollmentStatus.UNENROLLED),
        ("enrolled", EnrollmentStatus.ENROLLED),
        ("enrolledPending", EnrollmentStatus.PENDING),
        (" ENROLLEDPENDING ", EnrollmentStatus.PENDING),
        ("", None),
        ("enrolled-pending", None),
    ],
)
def test_each_enrollment_status(sent: str, status: EnrollmentStatus | None) -> None:
    """Each of the schema's statuses, case and blanks forgiven; anything else is None."""
    body = (
        f'<entry xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="{PGE_AGREEMENT}"/>'
        f'<content><CustomerAgreement xmlns="{CUSTOMER_NS}">'
        f"{_program('SmartRate', sent)}</CustomerAgreement></content></entry>"
    ).encode()
    (program,) = parse_customer_feed(body).programs
    assert program.status is status
    assert program.name == "SmartRate"


def test_malformed_program_date() -> None:
    """A program date that is not epoch seconds is a malformed document."""
    body = DR_FEED.replace(b"1685602800", b"2023-06-01")
    with pytest.raises(ApiResponseError, match="programDate is not an integer"):
        parse_customer_feed(body)
