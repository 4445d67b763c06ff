"""Authorization details: every fixture entry, ms and s periods, status, the scope string decoded.

Expected datetimes were computed apart from the parser (`datetime.fromtimestamp` on the file's
numbers); scope expectations are the strings' own items, written out. Sources:
`reference/apis-pge-enedis.md` §1.14.6 and §1.14.8.
"""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.pge import (
    Authorization,
    AuthorizationStatus,
    Scope,
    first_bulk_id,
    parse_authorizations,
)

from .common import FIXTURES

ESPI = "http://naesb.org/espi"
GBA = "https://test-api.example.com/espi/1_1/resource"
GBA_DC = "https://test-datacustodian.example.com/espi/1_1/resource"
PGE = "https://api.pge.com/GreenButtonConnect/espi/1_1/resource"
SEPT_2020 = datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)  # 1600000000
SEPT_2021 = datetime(2021, 9, 13, 12, 26, 40, tzinfo=UTC)  # 1631536000
PGE_2015_FB = frozenset({1, 3, 4, 5, 8, 13, 14, 15, 18, 19, 31, 32, 35, 37, 38, 39, 40})
GBA_FB = frozenset(
    {1, 3, 4, 5, 13, 15, 16, 28, 31, 37, 39, 51, 53, 54, 55, 56, 57, 58, 59, 60}
    | {61, 64, 65, 69}
)


def _fixture(name: str) -> list[Authorization]:
    return parse_authorizations((FIXTURES / name).read_bytes())


def _bare(inner: str) -> Authorization:
    """A bare ESPI Authorization with `inner` as its children."""
    (authorization,) = parse_authorizations(
        f'<Authorization xmlns="{ESPI}">{inner}</Authorization>'.encode()
    )
    return authorization


def test_gba_entry() -> None:
    """The GBA entry: seconds everywhere, a customer resource, GBA function block numbers."""
    (authorization,) = _fixture("espi_gba_authorization_entry_anonymized.xml")
    assert authorization == Authorization(
        href=f"{GBA_DC}/Authorization/test-auth-id",
        resource_uri=f"{GBA}/Batch/Subscription/test-subscription-id",
        authorization_uri=f"{GBA}/Authorization/test-auth-id",
        grant_type="authorization_code",
        status=1,
        scope="FB=1_3_4_5_13_15_16_28_31_37_39_51_53_54_55_56_57_58_59_60_61_64_65_69",
        published_start=SEPT_2020,
        published_end=datetime(2021, 9, 14, 7, 25, 40, tzinfo=UTC),  # +31604340 s
        authorized_start=SEPT_2020,
        authorized_end=datetime(2021, 9, 14, 7, 25, 40, tzinfo=UTC),
        entry_id="urn:uuid:22222222-2222-2222-2222-222222222222",
        expires_at=SEPT_2020,
        customer_resource_uri=f"{GBA.replace('/espi/', '/customer/espi/')}/Batch/RetailCustomer/test-customer-id",
    )
    assert authorization.authorization_id == "test-auth-id"
    assert authorization.bulk_id is None
    assert authorization.state is AuthorizationStatus.ACTIVE
    assert authorization.decoded_scope == Scope(function_blocks=GBA_FB)
    scope = authorization.decoded_scope
    assert scope is not None
    assert (
        scope.usage_data,
        scope.usage_summary,
        scope.billing,
        scope.customer_information,
        scope.dr_program_information,
    ) == (True, True, True, True, False)


def test_gba_feed_of_two() -> None:
    """The GBA feed: two subscriptions, one year each, FB 1_3_4_5 then 1_3_4_5_13_15."""
    first, second = _fixture("espi_gba_authorization_feed_multiple_anonymized_2025.xml")
    common = {
        "grant_type": "authorization_code",
        "status": 1,
        "published_start": SEPT_2020,
        "published_end": SEPT_2021,
        "authorized_start": SEPT_2020,
        "authorized_end": SEPT_2021,
        "expires_at": SEPT_2021,
        "customer_resource_uri": None,
    }
    assert first == Authorization(
        href=f"{GBA_DC}/Authorization/test-auth-id-1",
        resource_uri=f"{GBA}/Batch/Subscription/test-subscription-id-1",
        authorization_uri=f"{GBA}/Authorization/test-auth-id-1",
        scope="FB=1_3_4_5",
        entry_id="urn:uuid:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
        **common,
    )
    assert second == Authorization(
        href=f"{GBA_DC}/Authorization/test-auth-id-2",
        resource_uri=f"{GBA}/Batch/Subscription/test-subscription-id-2",
        authorization_uri=f"{GBA}/Authorization/test-auth-id-2",
        scope="FB=1_3_4_5_13_15",
        entry_id="urn:uuid:bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
        **common,
    )
    assert first.decoded_scope == Scope(function_blocks=frozenset({1, 3, 4, 5}))
    assert second.decoded_scope == Scope(
        function_blocks=frozenset({1, 3, 4, 5, 13, 15})
    )
    flags = [
        (s.usage_data, s.usage_summary, s.billing, s.customer_information)
        for s in (first.decoded_scope, second.decoded_scope)
        if s is not None
    ]
    assert flags == [(True, False, False, False), (True, True, False, False)]
    # Authorized until 2021-09-13 12:26:40: active the second before, expired from then on.
    assert (
        first.status_at(SEPT_2021 - timedelta(seconds=1)) is AuthorizationStatus.ACTIVE
    )
    assert first.status_at(SEPT_2021) is AuthorizationStatus.EXPIRED
    with pytest.raises(ApiResponseError, match="no Batch/Bulk authorization"):
        first_bulk_id([first, second])


def test_pge_2015_entry_in_milliseconds() -> None:
    """PG&E's 2015 entry: periods in ms (8,000-year durations: open-ended), expires_at in s."""
    (authorization,) = _fixture("espi_pge_authorization_entry_2015_verdigris.xml")
    scope_text = (
        "FB=1_3_4_5_8_13_14_15_18_19_31_32_35_37_38_39_40;IntervalDuration=900_3600;"
        "BlockDuration=Daily;HistoryLength=63072000;SubscriptionFrequency=Daily;"
        "AccountCollection=1;"
    )
    assert authorization == Authorization(
        href=f"{PGE}/Authorization/0",
        resource_uri=f"{PGE}/Subscription/0",
        authorization_uri=f"{PGE}/Authorization/0",
        grant_type=None,
        status=1,
        scope=scope_text,
        published_start=datetime(2014, 3, 22, 18, 33, 20, tzinfo=UTC),  # 1395513200000
        published_end=None,
        authorized_start=datetime(2015, 8, 26, 10, 33, 20, tzinfo=UTC),  # 1440585200000
        authorized_end=None,
        entry_id="aaaabbbb-cccc-dddd-eeee-ffff01234567",
        expires_at=datetime(2015, 8, 27, 10, 7, 9, tzinfo=UTC),  # 1440670029 (s)
        customer_resource_uri=None,
    )
    assert authorization.authorization_id == "0"
    assert authorization.bulk_id is None
    # Open-ended: never expired, even in 2100.
    assert (
        authorization.status_at(datetime(2100, 1, 1, tzinfo=UTC))
        is AuthorizationStatus.ACTIVE
    )
    assert authorization.decoded_scope == Scope(
        function_blocks=PGE_2015_FB,
        interval_durations=frozenset({900, 3600}),
        block_duration="daily",
        history_length=timedelta(days=730),
        account_collection=1,
        extra=(("SubscriptionFrequency", "Daily"),),
    )


def test_application_information_scope() -> None:
    """The scope of `espi_pge_applicationinformation_entry_2015_verdigris.xml` (copied here)."""
    scope = Scope.parse(
        "FB=1_3_4_5_8_13_14_15_18_19_31_32_35_37_38_39_40;IntervalDuration=900_3600;"
        "BlockDuration=Daily;HistoryLength=63072000;SubscriptionFrequency=Daily;"
    )
    assert scope == Scope(
        function_blocks=PGE_2015_FB,
        interval_durations=frozenset({900, 3600}),
        block_duration="daily",
        history_length=timedelta(days=730),
        extra=(("SubscriptionFrequency", "Daily"),),
    )
    assert (scope.usage_data, scope.usage_summary, scope.billing) == (True, True, False)
    assert (scope.customer_information, scope.dr_program_information) == (False, False)


@pytest.mark.parametrize(
    ("start", "duration", "expires_at"),
    [
        ("1700000000", "31536000", "1700000000"),  # seconds
        ("1700000000000", "31536000000", "1700000000000"),  # milliseconds
        # A year in ms (3.2e10) is below the threshold: the start decides the unit.
        ("1700000000000", "31536000000", "1700000000"),
    ],
)
def test_seconds_and_milliseconds_agree(
    start: str, duration: str, expires_at: str
) -> None:
    """The same period in s and in ms gives the same datetimes."""
    period = f"<duration>{duration}</duration><start>{start}</start>"
    authorization = _bare(
        f"<authorizedPeriod>{period}</authorizedPeriod>"
        f"<publishedPeriod>{period}</publishedPeriod>"
        f"<expires_at>{expires_at}</expires_at>"
    )
    begin = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # 1700000000
    end = datetime(2024, 11, 13, 22, 13, 20, tzinfo=UTC)  # + 365 days (2024 is leap)
    assert (authorization.authorized_start, authorization.authorized_end) == (
        begin,
        end,
    )
    assert (authorization.published_start, authorization.published_end) == (begin, end)
    assert authorization.expires_at == begin


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("99999999999", datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),  # s, just below
        ("100000000001", datetime(1973, 3, 3, 9, 46, 40, 1000, tzinfo=UTC)),  # ms
        ("1,600,000,000", SEPT_2020),  # commas, as in some PG&E ids
        ("-86400", datetime(1969, 12, 31, tzinfo=UTC)),
        ("soon", None),
    ],
)
def test_threshold(start: str, expected: datetime | None) -> None:
    """Above 1e11 is milliseconds, at or below seconds."""
    authorization = _bare(
        f"<authorizedPeriod><start>{start}</start></authorizedPeriod>"
    )
    assert authorization.authorized_start == expected
    assert authorization.authorized_end is None


@pytest.mark.parametrize(
    ("duration", "end"),
    [
        ("0", None),  # espiDerived: duration 0 is open-ended
        ("-5", None),
        ("", None),
        ("86400", datetime(2020, 9, 14, 12, 26, 40, tzinfo=UTC)),
        ("252026730000000", None),  # seconds past the year 9999
    ],
)
def test_open_ended_periods(duration: str, end: datetime | None) -> None:
    """No end for an open-ended, negative, missing or unrepresentable duration."""
    authorization = _bare(
        f"<authorizedPeriod><duration>{duration}</duration>"
        f"<start>1600000000</start></authorizedPeriod>"
    )
    assert authorization.authorized_start == SEPT_2020
    assert authorization.authorized_end == end
    assert authorization.status is None
    assert authorization.state is AuthorizationStatus.UNKNOWN
    # Without a status code, a past end does not make it "expired".
    assert authorization.status_at(datetime(2100, 1, 1, tzinfo=UTC)) is (
        AuthorizationStatus.UNKNOWN
    )


@pytest.mark.parametrize(
    ("code", "state", "in_2030"),
    [
        ("0", AuthorizationStatus.REVOKED, AuthorizationStatus.REVOKED),
        ("1", AuthorizationStatus.ACTIVE, AuthorizationStatus.EXPIRED),
        ("2", AuthorizationStatus.DENIED, AuthorizationStatus.DENIED),
        ("7", AuthorizationStatus.UNKNOWN, AuthorizationStatus.UNKNOWN),
        ("active", AuthorizationStatus.UNKNOWN, AuthorizationStatus.UNKNOWN),
    ],
)
def test_status_codes(
    code: str, state: AuthorizationStatus, in_2030: AuthorizationStatus
) -> None:
    """0 revoked, 1 active, 2 denied; an active one past its authorized end is expired."""
    authorization = _bare(
        f"<authorizedPeriod><duration>31536000</duration><start>1600000000</start>"
        f"</authorizedPeriod><status>{code}</status>"
    )
    assert authorization.state is state
    assert authorization.status_at(SEPT_2020) is state
    assert authorization.status_at(datetime(2030, 1, 1, tzinfo=UTC)) is in_2030
    assert str(state) == state.value  # a plain string for an enum sensor


def test_bulk_authorization_and_its_scope() -> None:
    """A Self Access feed (AES Ohio's shape, §1.14.6): the Bulk id from the URI, BR agrees."""
    subscription = (
        FIXTURES / "espi_gba_authorization_entry_anonymized.xml"
    ).read_text()
    bulk = (
        subscription.replace(
            f"{GBA}/Batch/Subscription/test-subscription-id", f"{PGE}/Batch/Bulk/51069"
        )
        .replace("authorization_code", "client_credentials")
        .replace(
            "FB=1_3_4_5_13_15_16_28_31_37_39_51_53_54_55_56_57_58_59_60_61_64_65_69",
            "FB=34_35;BR=51069",
        )
    )
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        + subscription
        + bulk.replace('xmlns="http://www.w3.org/2005/Atom"', "")
        + "</feed>"
    ).encode()
    first, second = parse_authorizations(body)
    assert (first.bulk_id, second.bulk_id) == (None, "51069")
    assert second.resource_uri == f"{PGE}/Batch/Bulk/51069"
    assert second.grant_type == "client_credentials"
    assert second.decoded_scope == Scope(
        function_blocks=frozenset({34, 35}), bulk_id="51069"
    )
    assert first_bulk_id([first, second]) == "51069"


# ---- the scope string -----------------------------------------------------------------------


def test_scope_of_the_reference_format() -> None:
    """§1.14.8's format, every key given, Billing/Basic/Account/ProgramEnrollment consented."""
    scope = Scope.parse(
        "FB=1_3_4_5_8_13_14_15_16_18_19_31_32_35_37_38_39_46_47;"
        "AdditionalScope=Usage_Billing_Basic_Account_ProgramEnrollment;"
        "IntervalDuration=900_3600;BlockDuration=Daily;HistoryLength=94608000;"
        "AccountCollection=2;BR=51069;dataCustodianId=PGE"
    )
    assert scope == Scope(
        function_blocks=frozenset(
            {1, 3, 4, 5, 8, 13, 14, 15, 16, 18, 19, 31, 32, 35, 37, 38, 39, 46, 47}
        ),
        interval_durations=frozenset({900, 3600}),
        block_duration="daily",
        history_length=timedelta(days=1095),
        bulk_id="51069",
        additional_scope=frozenset(
            {"usage", "billing", "basic", "account", "programenrollment"}
        ),
        account_collection=2,
        data_custodian_id="PGE",
    )
    assert (
        scope.usage_data,
        scope.usage_summary,
        scope.billing,
        scope.customer_information,
        scope.dr_program_information,
    ) == (True, True, True, True, True)


def test_scope_of_the_brief() -> None:
    """The issue's example string: usage and summaries, no billing, no customer information."""
    scope = Scope.parse(
        "FB=1_3_4_5_13_14_15_18_19_32_33_34_35_37_38_39_41_44;IntervalDuration=900_3600;"
        "BlockDuration=daily;HistoryLength=94608000;BR=51069"
    )
    assert scope == Scope(
        function_blocks=frozenset(
            {1, 3, 4, 5, 13, 14, 15, 18, 19, 32, 33, 34, 35, 37, 38, 39, 41, 44}
        ),
        interval_durations=frozenset({900, 3600}),
        block_duration="daily",
        history_length=timedelta(seconds=94608000),
        bulk_id="51069",
    )
    assert (
        scope.usage_data,
        scope.usage_summary,
        scope.billing,
        scope.customer_information,
        scope.dr_program_information,
    ) == (True, True, False, False, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Token answers carry no FB string (§1.14.8): nothing decoded, nothing raised.
        ("5+6+7", Scope()),
        ("38475", Scope()),
        ("3", Scope()),
        ("", Scope()),
        (";;", Scope()),
        # Additional-scope words alone say what FB would.
        (
            "AdditionalScope=Basic",
            Scope(additional_scope=frozenset({"basic"})),
        ),
        # Keys in any case, spaces around pieces, a key twice: the last one.
        (
            " fb = 1_3 ; HISTORYLENGTH=86400 ; FB=4_5 ",
            Scope(function_blocks=frozenset({4, 5}), history_length=timedelta(days=1)),
        ),
        # Bad pieces dropped, the rest kept.
        (
            (
                "FB=1_x_3__-2_0;IntervalDuration=900_abc_0;HistoryLength=two years;"
                "BR=a/b;AccountCollection=-1;junk;=5;BlockDuration=;Foo=bar;"
                "SubscriptionFrequency="
            ),
            Scope(
                function_blocks=frozenset({1, 3}),
                interval_durations=frozenset({900}),
                extra=(("Foo", "bar"), ("SubscriptionFrequency", "")),
            ),
        ),
        ("HistoryLength=0;BR=;dataCustodianId=", Scope()),
        ("HistoryLength=99999999999999999999", Scope()),
        ("HistoryLength=86399999913600", Scope(history_length=timedelta(999_999_999))),
    ],
)
def test_scope_edge_cases(text: str, expected: Scope) -> None:
    """Never fatal: unknown keys kept, malformed parts ignored."""
    assert Scope.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("FB=1_3_4", (True, False, False, False, False)),
        ("FB=10", (True, False, False, False, False)),  # gas
        ("FB=16", (True, True, True, False, False)),  # summary with cost
        ("FB=1_3_46", (False, False, False, True, False)),  # PG&E RetailCustomer
        ("FB=1_3_47", (False, False, False, True, False)),
        ("FB=54", (False, False, False, True, False)),  # GBA Basic
        ("FB=70", (False, False, False, True, False)),
        ("FB=71", (False, False, False, False, False)),
        ("AdditionalScope=usage", (True, False, False, False, False)),
        ("AdditionalScope=Billing", (False, True, True, False, False)),
        ("AdditionalScope=Account", (False, False, False, True, False)),
        ("AdditionalScope=ProgramEnrollment", (False, False, False, False, True)),
        # Managing ApplicationInformation only (AES Ohio's client_credentials entries).
        ("FB=36_40", (False, False, False, False, False)),
    ],
)
def test_scope_flags(text: str, flags: tuple[bool, bool, bool, bool, bool]) -> None:
    """Usage data, usage summary, billing, customer information, DR program information."""
    scope = Scope.parse(text)
    assert (
        scope.usage_data,
        scope.usage_summary,
        scope.billing,
        scope.customer_information,
        scope.dr_program_information,
    ) == flags


def test_no_scope_element() -> None:
    """Without a scope element, nothing to decode; the authorization id from the self link."""
    (authorization,) = parse_authorizations(
        b'<entry xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">'
        b'<link rel="self" href="https://api.pge.com/r/Authorization/123/"/>'
        b"<content><e:Authorization><e:scope>  </e:scope></e:Authorization></content>"
        b"</entry>"
    )
    assert authorization.scope is None
    assert authorization.decoded_scope is None
    assert authorization.authorization_id == "123"
    assert authorization.entry_id is None
    assert authorization.expires_at is None
