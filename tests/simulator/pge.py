"""PG&E Share My Data (Self Access, ESPI 1.1): `https://api.pge.com` mirrored under `/pge`.

| real URL | simulator path |
|---|---|
| `POST https://api.pge.com/datacustodian/oauth/v2/token` | `/pge/datacustodian/oauth/v2/token` |
| `POST https://api.pge.com/datacustodian/test/oauth/v2/token` (registration tests) | `/pge/datacustodian/test/oauth/v2/token` |
| `GET https://api.pge.com/GreenButtonConnect/espi/1_1/resource/…` | `/pge/GreenButtonConnect/espi/1_1/resource/…` |

`Simulator.base_url("pge")` is the plain-HTTP `…/pge`; `Simulator.urls("pge")` gives the HTTPS
base (`Simulator.start(tls=True)`), the HTTP base and the PEM paths and texts of the test CA and a
valid client certificate and key (`tests/simulator/pki.py`). Below, [real] marks what
`shared/reference/apis-pge-enedis.md` §1 and `shared/fixtures/pge/` show PG&E doing, [decided]
what is decided here because they are silent (a client must not depend on a [decided] detail).

Transport:

- HTTPS with mutual TLS on the TLS listener: TLS 1.2 only [real: "mutual TLS 1.2"], server
  certificate for 127.0.0.1/localhost signed by the test CA (clients trust it through the
  `advanced` section's CA). A request without a valid client certificate → 400, body the JSON
  string `"Invalid Certificate"` [real: Mulesoft gateway]. Valid = issued by the test CA and valid
  at the SIMULATOR clock; an expired certificate or one from the rogue test CA gets the same 400
  (the handshake lets both through so that the application can answer) [decided]; a certificate
  from any other issuer fails the handshake [decided]. The check comes after routing: an unknown
  path answers 404 `No listener for endpoint: /<path>` (text/plain) even without a certificate,
  a known path with another method 405 `Method not allowed for endpoint: /<path>` [404 real
  (probed), 405 Mule's wording, decided].
- Plain HTTP on the main listener (for `scripts/develop`): no certificate check while
  `allow_plain_http` is True (the default); False → every PG&E request over HTTP gets the 400.
- Every answer carries `Server: Mulesoft-API-Gateway` and an `x-transaction-id` [real header
  names, values decided]. The 202 of a Bulk request carries the request's label, and the
  notification answering it is POSTed with the same `x-transaction-id` header [decided, from
  Release 4.0's "x-transaction header label linking PG&E's response to a specific asynchronous
  call"; `link_notifications = False` leaves the label out of the POST].

OAuth (both token paths; RFC 6749 JSON errors [real shape]):

- Not POST → 405 `{"error":"invalid_request","error_description":"GET not permitted"}` (the method
  named), checked before the certificate [real: probed anonymously].
- `grant_type` from the form body or the query string [real: both work]; missing → 400
  `{"error":"invalid_request","error_description":"Missing grant_type"}` [real]; other than
  `client_credentials` → 400 `unsupported_grant_type` [decided].
- `Authorization: Basic b64(client_id:client_secret)`; missing or wrong → 400
  `{"error":"invalid_request","error_description":"client credentials doesn't match"}` [message
  real, shape decided].
- 200 `{"token_type":"Bearer","client_access_token":"<uuid4>","expires_in":3600,"scope":"5+6+7"}`
  in that key order [real, §1.3]. `expires_in` is `token_lifetime` (3600).
- Tokens from the TEST endpoint are registration-test tokens: accepted by ReadServiceStatus,
  DownloadSampleData and Authorization (the steps of PG&E's "complete testing"), refused by
  Batch/Bulk with 403 `insufficient_scope` [decided]. Production tokens work everywhere.

Bearer (`Authorization: Bearer <client_access_token>`, every resource): missing, malformed or
unknown → 401 `{"error":"invalid_token","error_description":"Invalid access token"}` with
`WWW-Authenticate: Bearer error="invalid_token"`; expired (simulator clock ≥ issue + lifetime, or
after `expire_tokens()`) → 403 `{"error":"invalid_token","error_description":"Access token
expired"}` [decided; PG&E clients renew on 403 and on 401].

Resources (all `application/atom+xml` unless said) [decided where not in a fixture]:

- `ReadServiceStatus` → `application/xml`, the fixture body with `currentStatus` =
  `service_status` (1, online) [real].
- `DownloadSampleData` → `sample_data_status` (200: the real one-day hourly feed fixture; 202:
  empty body) [real: "200 or 202"].
- `Authorization` → a feed (ns0/ns1 like PG&E's feeds) of two entries shaped like the GBA
  Authorization fixture: the customer's Subscription (`grant_type` authorization_code,
  resourceURI `…/Batch/Subscription/{id}`) and the Self Access Bulk authorization (`grant_type`
  client_credentials, resourceURI `…/Batch/Bulk/{BulkID}`, scope `…;BR={BulkID}`); hrefs and URIs
  use the base the request came in on. `Authorization/{id}` → that entry alone; another id → 404.
  The Bulk entry follows the account (§1.14.6): `status` `authorization_status` (0 revoked, 1
  active, 2 denied), authorizedPeriod from `registered` to `authorized_end` (also its
  `expires_at`, epoch s; None: ten years), `scope` `authorization_scope` (default FB …46_47…,
  `AdditionalScope=Usage_Billing_Basic_Account`, `BR`). `period_unit` "ms" writes both entries'
  period starts and durations in milliseconds, as PG&E's 2015 entry did [real]; expires_at stays
  in seconds [real].
- `Batch/BulkRetailCustomerInfo/{BulkID}` and `Batch/BulkRetailDRPrgInfo/{BulkID}` (client token,
  production, mTLS; §1.14.4-5, no capture [decided]): by `customer_info_status` /
  `dr_info_status` (202 / 403 by default) 204, 403 `{"error":"insufficient_scope",
  "error_description":"Not authorized for this resource"}`, or 202 and, as for Batch/Bulk (delay,
  `x-transaction-id` label), a BatchList of ONE URL `…/Batch/<same>/{BulkID}?correlationID=…`
  whose fetch serves `pge_customer.customer_feed` / `dr_feed` (another account's or a Bulk
  correlationID → 404). Another BulkID → Batch/Bulk's 400. Notification faults stay with
  Batch/Bulk requests.
- `ApplicationInformation/{id}` (§1.14.2; `PgeAccount.application_id`): with
  `registration_token` True the production token answer adds `registration_access_token` and
  `registration_client_uri` [decided: PG&E's Self Access answer has neither], and that token
  reads one entry shaped like `espi_pge_applicationinformation_entry_2015_verdigris.xml`
  (`application_information`); a client token → 403, another → 401; with `registration_token`
  False → 403 whatever the token; an unknown id → 404.
- `Batch/Bulk/{BulkID}` without `correlationID` → an asynchronous request [real]:
  - another account's BulkID → 400 `client credentials doesn't match` [message real].
  - Range: `published-min`/`published-max` (or `updated-min`/`updated-max`, same meaning), each
    epoch seconds or Zulu `YYYY-MM-DDTHH:MM:SS[.fff]Z` [real: both seen]; anything else or min >
    max → 400 `{"error":"invalid_request","error_description":"Invalid <name>"}` [decided]. The
    feed holds the local (Pacific) days whose midnight is in [min, max], both ends included
    (clients ask `min = midnight, max = midnight + 23 h` for one day) [consistent with real
    clients]; a missing min means the oldest day kept, a missing max now; neither → the latest
    available day [real: "latest"].
  - Day D is available from local midnight of D+1 plus `data_delay` (8 h) [decided: "D+1 or
    later"] and kept `history_days` (1461, four years) [real: 4 years]. Nothing available in the
    range → 204, no notification [real: Release 4.0].
  - Otherwise 202 with an empty body, and `notification_delay` seconds later (event-loop time;
    2 s by default, PG&E takes 10 s to 2 min) a BatchList is POSTed to the account's notification
    target (`PgeAccount.notification_target`, else `PgeSimulator.notification_target`).
  - A usage point with a `last_day` (a closed service) has no data after it: it is left out of a
    notification whose days are all after it [decided].
- The BatchList is the captured form [real]: `<?xml version="1.0" encoding="UTF-8"?>`, a
  newline, then on one line `<ns0:BatchList xmlns:ns0="http://naesb.org/espi"><ns0:resources>URL
  </ns0:resources>…</ns0:BatchList>` (no trailing newline), one `resources` per usage point of
  the account (electricity first; the demo accounts have two, as every capture does) [decided],
  each `<base the request came in on>/GreenButtonConnect/espi/1_1/resource/Batch/Bulk/{BulkID}
  ?correlationID=<uuid4>`.
- `Batch/Bulk/{BulkID}?correlationID=…` (bearer, production token, mTLS) → 200, the usage
  point's feed for the requested days (`pge_feed.iter_feed`: exact PG&E serialisation, one
  IntervalBlock per day, 25/23-hour DST days, UsageSummary per billing period ending in the
  range), its hrefs on the request's base. Served as soon as the request is accepted, for
  `batch_lifetime` (7 days) of simulator time; unknown, expired or another account's
  correlationID → 404 `{"error":"not_found","error_description":"Unknown correlationID"}`
  [decided]. `dst_blocks = "split"` writes DST days as two blocks (PG&E 2015/2016).
- Notification targets: an async callable `(body: bytes, headers: Mapping[str, str]) -> None`
  (tests: post to Home Assistant's webhook through `hass_client_no_auth`) or a URL POSTed with
  `Content-Type: application/xml` and those headers, loopback hosts only (127.0.0.1, localhost, ::1; https without certificate
  verification) [decided]. No retry when delivery fails [decided: PG&E's policy is undocumented].
  Every delivery is recorded in `notifications` (`PgeNotification`: time, account, target, body,
  status, error). `deliver_pending()` sends the scheduled ones now (for a frozen loop clock),
  `wait_for_notifications(n)` waits for the n-th, `cancel_pending()` drops them; stopping the
  application cancels them. `notify_latest(account)` pushes the latest day at once without a
  request (PG&E's "Notify me as data is ready" daily push) [real behaviour, shape as above].
- `serve_fixture(name)` registers a correlationID that serves a file of
  `tests/simulator/fixtures/pge/` byte for byte; `queue_fixture_batch(*names)` makes the next
  Bulk request list such fixture resources instead of generated feeds.
- Control endpoint (not PG&E's; no certificate, no fault, not logged as an account):
  `POST /pge/_simulator/notification-uri[?client_id=…]` with the URL as the body sets the
  notification URL (empty body: none), 204; a non-loopback URL → 400. `scripts/develop` uses it
  once Home Assistant has made its webhook.

Rate limits: PG&E publishes 1 request/s per vendor (here: per account), 2,000/h and 20,000 per
day (reset 5 p.m. Pacific) per client id, and no 429 body [real]. Every request is logged with its
account (`Simulator.requests`); `rate_usage(simulator.requests, account)` gives the peaks (any
1 s, any 3600 s, any PG&E day) for benchmarks. Enforcement is off by default (a frozen test clock
would make every second request "too fast"); `enforce_rate_limits = True` answers a request over a
limit with 429 `{"error":"Too many requests"}` and no rate-limit headers [decided]. Refused
requests do not count.

Faults (`Simulator.fault_next("pge", …)`), each taken only by the requests it concerns (a queued
fault waits for one; others pass):

- `no_notification`, `duplicate_notification` (the BatchList POSTed twice, back to back),
  `foreign_host` (the BatchList lists `https://evil.example/…` and the right URL with its scheme
  swapped, i.e. an `http://` URL after an HTTPS request): new Batch/Bulk requests.
- `malformed` (the application's: the feed cut in half), `missing_field` (the feed without its
  ReadingType entries: MeterReadings link to nothing), `drop_body` (200 and the full
  Content-Length, then the connection closes halfway through the body): feed fetches
  (`correlationID`). `drop_body_days` drops, once, the first feed fetch holding one of its days.
- `expired_token`: any request with a bearer token: its token expires now → 403.
- `http_400` (400 "Invalid Certificate" on resources, `invalid_request` on OAuth), `http_401`,
  `http_403`, `http_429`, `http_500`/`http_502` (`{"error":"Internal Server Error"}` /
  `"Bad Gateway"`; OAuth: `server_error`), `not_found` (404 No listener), `timeout`: any PG&E
  request.

Knobs (attributes of `Simulator.pge`): `notification_target`, `notification_delay` (2.0),
`allow_plain_http` (True), `token_lifetime` (3600), `service_status` (1), `sample_data_status`
(200), `data_delay` (8 h), `history_days` (1461), `batch_lifetime` (7 days), `dst_blocks`
("single"), `enforce_rate_limits` (False), `per_second`/`per_hour`/`per_day` (1/2000/20000),
`link_notifications` (True), `drop_body_days` (empty).
Demo accounts: `PGE_CLIENT_ID`/`PGE_CLIENT_SECRET` (BulkID 50916: hourly electricity with solar
net metering + daily gas) and `PGE_15MIN_CLIENT_ID`/`PGE_15MIN_CLIENT_SECRET` (BulkID 50952:
15-minute electricity with net metering + daily gas); the usage point ids are the captures'.
Their electricity is on HE6N (NEM), the demo gas point has `bill_to_date`; each account's points
share a Bay Area service address (customer feed).
"""

import asyncio
import binascii
from bisect import bisect_right
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
import functools
import ipaddress
from pathlib import Path
import re
from typing import ClassVar, Final, Literal, Protocol, override
import uuid
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web
from yarl import URL

from .common import (
    CONTEXT,
    HTTP_FAULTS,
    TRANSPORT_FAULTS,
    ProviderPart,
    Reply,
    RequestContext,
    json_bytes,
)
from .pge_customer import customer_feed, dr_feed
from .pge_feed import (
    PACIFIC,
    PgeUsagePoint,
    build_feed,
    entry,
    feed_header,
    local_day,
    local_midnight,
)
from .pki import check_client_certificate, pki_files, pki_material

FIXTURES: Final = Path(__file__).parent / "fixtures" / "pge"
RESOURCE_PATH: Final = "/GreenButtonConnect/espi/1_1/resource"
OAUTH_PATH: Final = "/datacustodian"
SAMPLE_FIXTURE: Final = "espi_pge_electric_hourly_1day_2019-10-03.xml"
NOTIFICATION_DELAY: Final = 2.0
ATOM_XML: Final = "application/atom+xml"
FOREIGN_HOST: Final = "https://evil.example"
DEFAULT_SCOPE: Final = (
    "FB=1_3_4_5_13_14_15_16_18_19_31_32_35_37_38_39_40_41_44_45_46_47_51;"
    "IntervalDuration=900_3600;BlockDuration=Daily;HistoryLength=126144000"
)
"""The function blocks and durations of both demo Authorizations (FB 46/47: customer info)."""
INFO_RESOURCES: Final = ("BulkRetailCustomerInfo", "BulkRetailDRPrgInfo")

NOTIFICATION_FAULTS: Final = frozenset(
    {"no_notification", "duplicate_notification", "foreign_host"}
)
FEED_FAULTS: Final = frozenset({"malformed", "missing_field", "drop_body"})
PGE_FAULTS: Final = NOTIFICATION_FAULTS | FEED_FAULTS | {"expired_token"}

# Demo accounts (usage point and subscription ids from the captured feeds).
PGE_CLIENT_ID: Final = "0a9d5c1e4b7f4e2a8c3d6b5a1f0e9d8c"
PGE_CLIENT_SECRET: Final = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
PGE_BULK_ID: Final = "50916"
PGE_15MIN_CLIENT_ID: Final = "7c2b9e4d1a6f4c3b8e5d2a9f6c1b4e7d"
PGE_15MIN_CLIENT_SECRET: Final = "e7d6c5b4a3928170f6e5d4c3b2a19080"
PGE_15MIN_BULK_ID: Final = "50952"
PGE_ELECTRIC_USAGE_POINT: Final = "5391320451"
PGE_GAS_USAGE_POINT: Final = "7170720474"
PGE_15MIN_ELECTRIC_USAGE_POINT: Final = "6774520887"
PGE_15MIN_GAS_USAGE_POINT: Final = "6774520896"

_INVALID_CERTIFICATE: Final = b'"Invalid Certificate"'
_PACIFIC_RESET_HOUR: Final = 17
_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_EPOCH: Final = re.compile(r"-?\d{1,12}")
_ZULU: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")

type NotificationCallback = Callable[[bytes, Mapping[str, str]], Awaitable[None]]
type NotificationTarget = NotificationCallback | str


@dataclass(slots=True)
class PgeAccount:
    """A Self Access registration: client credentials, BulkID, usage points, notification URI."""

    key: str
    client_id: str
    client_secret: str
    bulk_id: str
    subscription_id: str
    usage_points: list[PgeUsagePoint]
    authorization_id: str = ""
    subscription_authorization_id: str = ""
    scope: str = "5+6+7"
    notification_target: NotificationTarget | None = None
    registered: datetime = datetime(2024, 1, 8, 17, 0, tzinfo=UTC)
    request_times: deque[datetime] = field(default_factory=deque)
    authorization_status: int = 1
    """The Bulk Authorization's `status`: 0 revoked, 1 active, 2 denied."""
    authorized_end: datetime | None = None
    """End of the Bulk Authorization's authorizedPeriod (and its `expires_at`); None: 10 years."""
    period_unit: str = "s"
    """Unit of the Authorization periods' start and duration: "s", or "ms" (PG&E 2015)."""
    authorization_scope: str | None = None
    """The Bulk Authorization's `scope`; None: `DEFAULT_SCOPE` + customer info + `BR`."""
    customer_info_status: int = 202
    """How `Batch/BulkRetailCustomerInfo` answers: 202 (then a BatchList), 204 or 403."""
    dr_info_status: int = 403
    """How `Batch/BulkRetailDRPrgInfo` answers: 202 (then a BatchList), 204 or 403."""
    dr_programs: list[tuple[str, str, str, date | None]] = field(
        default_factory=lambda: [
            ("", "SmartRate", "enrolled", date(2025, 6, 1)),
            ("", "Smart AC", "enrolledPending", None),
        ]
    )
    """(usage point id, programName, enrollmentStatus, enrollment day) of the DR feed; an empty
    id stands for the account's first electric usage point."""
    customer_name: str = "Alex Rivera"
    account_number: str = "4417702931-6"
    customer_since: date = date(2016, 8, 15)
    """The day the service agreements were signed (`signDate`)."""
    registration_token: bool = False
    """The token answer also carries a `registration_access_token` for ApplicationInformation."""
    application_id: str = ""
    """The ApplicationInformation id; empty: a UUID derived from the client id."""
    registered_notify_uri: str | None = None
    """ApplicationInformation `thirdPartyNotifyUri`; None: the notification URL set."""

    def __post_init__(self) -> None:
        """Derive the authorization and application ids and the DR usage point when not given."""
        self.authorization_id = self.authorization_id or f"1{self.bulk_id}"
        self.subscription_authorization_id = (
            self.subscription_authorization_id or f"2{self.bulk_id}"
        )
        self.application_id = self.application_id or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"pge-application|{self.client_id}")
        )
        electric = next(
            (p.usage_point_id for p in self.usage_points if p.service == "electric"), ""
        )
        self.dr_programs = [
            (point or electric, name, status, day)
            for point, name, status, day in self.dr_programs
        ]


@dataclass(frozen=True, slots=True)
class PgeNotification:
    """One BatchList delivery attempt."""

    time: datetime
    """Simulator clock when it was sent."""
    account: str
    target: str
    """The URL, or `repr` of the callback."""
    body: bytes
    status: int | None
    """The URL's answer; 200 for a callback that returned."""
    error: str | None


@dataclass(slots=True)
class PgeBatch:
    """What a correlationID serves."""

    correlation_id: str
    account: str
    created: datetime
    point: PgeUsagePoint | None = None
    first_day: date | None = None
    last_day: date | None = None
    fixture: str | None = None
    label: str | None = None
    """The transaction label of the request that made it."""
    kind: str = "Bulk"
    """The resource it answers: "Bulk", "BulkRetailCustomerInfo" or "BulkRetailDRPrgInfo"."""


@dataclass(slots=True)
class _Token:
    account: str
    test: bool
    expires: datetime


@dataclass(slots=True, eq=False)
class _Pending:
    account: PgeAccount
    body: bytes
    copies: int
    label: str | None = None
    handle: asyncio.TimerHandle | None = None


def demo_accounts() -> list[PgeAccount]:
    """The two demo registrations."""
    return [
        PgeAccount(
            key="demo",
            client_id=PGE_CLIENT_ID,
            client_secret=PGE_CLIENT_SECRET,
            bulk_id=PGE_BULK_ID,
            subscription_id="4095251",
            usage_points=[
                PgeUsagePoint(
                    PGE_ELECTRIC_USAGE_POINT,
                    "4095251",
                    "electric",
                    3600,
                    net_metering=True,
                    tariff="HE6N",
                    read_cycle="J",
                    street="2417 Grant St",
                    town="Berkeley",
                    zip_code="94703",
                ),
                PgeUsagePoint(
                    PGE_GAS_USAGE_POINT,
                    "4095251",
                    "gas",
                    tariff="G1",
                    read_cycle="J",
                    bill_to_date=True,
                    street="2417 Grant St",
                    town="Berkeley",
                    zip_code="94703",
                ),
            ],
        ),
        PgeAccount(
            key="fifteen",
            customer_name="Dana Okafor",
            account_number="7730184526-2",
            client_id=PGE_15MIN_CLIENT_ID,
            client_secret=PGE_15MIN_CLIENT_SECRET,
            bulk_id=PGE_15MIN_BULK_ID,
            subscription_id="4267109",
            usage_points=[
                PgeUsagePoint(
                    PGE_15MIN_ELECTRIC_USAGE_POINT,
                    "4267109",
                    "electric",
                    900,
                    net_metering=True,
                    solar_kw=6.0,
                    tariff="HE6N",
                    read_cycle="X",
                    cycle_day=3,
                    street="318 Hawthorne Ave",
                    town="Palo Alto",
                    zip_code="94301",
                ),
                PgeUsagePoint(
                    PGE_15MIN_GAS_USAGE_POINT,
                    "4267109",
                    "gas",
                    tariff="G1",
                    read_cycle="X",
                    cycle_day=3,
                    street="318 Hawthorne Ave",
                    town="Palo Alto",
                    zip_code="94301",
                ),
            ],
        ),
    ]


def batch_list(urls: Iterable[str]) -> bytes:
    """A BatchList notification body, in the captured single-line form."""
    resources = "".join(f"<ns0:resources>{url}</ns0:resources>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ns0:BatchList xmlns:ns0="http://naesb.org/espi">{resources}</ns0:BatchList>'
    ).encode()


def application_information(
    account: PgeAccount,
    base: str,
    notify_uri: str | None,
    registration_access_token: str,
) -> str:
    """The account's ApplicationInformation entry (`base`: the resource base).

    Shaped like `espi_pge_applicationinformation_entry_2015_verdigris.xml` (§1.14.2) [real shape,
    values decided]: status 2 (Production), `dataCustodianBulkRequestURI` = …/Batch/Bulk/{BulkID},
    `client_id_issued_at` in milliseconds, `thirdPartyNotifyUri` left out when none is set.
    """
    root = base.removesuffix(RESOURCE_PATH)
    self_href = f"{base}/ApplicationInformation/{account.application_id}"
    issued_ms = int(account.registered.timestamp() * 1000)
    typed = (
        'xsi:type="xsd:string" xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    )
    fields: list[tuple[str, str | None]] = [
        ("dataCustodianId", "PGE"),
        ("dataCustodianApplicationStatus", "2"),
        ("thirdPartyApplicationDescription", "OpenPower for Home Assistant"),
        ("thirdPartyApplicationType", "1"),
        ("authorizationServerUri", root),
        ("thirdPartyNotifyUri", notify_uri),
        (
            "authorizationServerAuthorizationEndpoint",
            f"{root}{OAUTH_PATH}/oauth/v2/authorize",
        ),
        ("authorizationServerTokenEndpoint", f"{root}{OAUTH_PATH}/oauth/v2/token"),
        ("dataCustodianBulkRequestURI", f"{base}/Batch/Bulk/{account.bulk_id}"),
        ("dataCustodianResourceEndpoint", base),
        ("client_secret", account.client_secret),
        ("client_name", "OpenPower"),
        ("client_id", account.client_id),
        ("software_id", "NA"),
        ("software_version", "NA"),
        ("client_id_issued_at", str(issued_ms)),
        ("client_secret_expires_at", "0"),
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("scope", account.authorization_scope or DEFAULT_SCOPE),
        ("grant_types", "authorization_code"),
        ("grant_types", "client_credentials"),
        ("grant_types", "refresh_token"),
        ("response_types", "code"),
        ("registration_client_uri", self_href),
    ]
    body = "".join(
        f"<ns0:{name}>{escape(value)}</ns0:{name}>"
        for name, value in fields
        if value is not None
    )
    content = (
        '<ns0:ApplicationInformation xmlns:ns0="http://naesb.org/espi">'
        f"{body}<ns0:registration_access_token {typed}>{registration_access_token}"
        "</ns0:registration_access_token></ns0:ApplicationInformation>"
    )
    stamp = account.registered.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return entry(
        str(uuid.uuid5(uuid.NAMESPACE_URL, self_href)),
        [(f"{base}/ApplicationInformation", "up"), (self_href, "self")],
        "OpenPower DataCustodian Application",
        stamp,
        content,
    )


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) to 127.0.0.0/8, ::1 or localhost."""
    parsed = URL(url)
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        return False
    if parsed.host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(parsed.host).is_loopback
    except ValueError:
        return False


def pge_day_start(moment: datetime) -> datetime:
    """Start of the PG&E quota day containing `moment` (5 p.m. Pacific) [real reset time]."""
    local = moment.astimezone(PACIFIC)
    start = local.replace(hour=_PACIFIC_RESET_HOUR, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
        start = start.replace(hour=_PACIFIC_RESET_HOUR)
    return start.astimezone(UTC)


class LoggedRequest(Protocol):
    """What `rate_usage` reads of a `RequestRecord`."""

    @property
    def provider(self) -> str | None:
        """Provider key."""

    @property
    def account(self) -> str | None:
        """Account key."""

    @property
    def time(self) -> datetime:
        """Arrival time (simulator clock)."""


def rate_usage(records: Iterable[LoggedRequest], account: str) -> dict[str, int]:
    """Peak request counts of one account: any 1 s, any 3600 s window, any PG&E day.

    `records` are `Simulator.requests`; every PG&E request attributed to `account` counts,
    refused ones (429 included) too, as PG&E counts calls.
    """
    times = sorted(
        record.time
        for record in records
        if record.provider == "pge" and record.account == account
    )
    epochs = [moment.timestamp() for moment in times]

    def peak(window: float) -> int:
        best, left = 0, 0
        for right, value in enumerate(epochs):
            while value - epochs[left] >= window:
                left += 1
            best = max(best, right - left + 1)
        return best

    days: dict[datetime, int] = {}
    for moment in times:
        start = pge_day_start(moment)
        days[start] = days.get(start, 0) + 1
    return {
        "second": peak(1.0),
        "hour": peak(3600.0),
        "day": max(days.values(), default=0),
    }


class PgeSimulator(ProviderPart):
    """PG&E's OAuth server, ESPI resources and Bulk notifications, under `/pge`."""

    name: ClassVar[str] = "pge"
    prefix: ClassVar[str] = "/pge"
    supported_faults: ClassVar[frozenset[str]] = (
        HTTP_FAULTS | TRANSPORT_FAULTS | PGE_FAULTS
    )

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        notification_delay: float = NOTIFICATION_DELAY,
        demo: bool = True,
    ) -> None:
        """Create the PG&E part; `demo` adds the demo accounts."""
        self.clock = clock
        self.notification_delay = notification_delay
        self.notification_target: NotificationTarget | None = None
        self.allow_plain_http = True
        self.token_lifetime = 3600
        self.service_status = 1
        self.sample_data_status: Literal[200, 202] = 200
        self.data_delay = timedelta(hours=8)
        self.history_days = 1461
        self.batch_lifetime = timedelta(days=7)
        self.dst_blocks: Literal["single", "split"] = "single"
        self.enforce_rate_limits = False
        self.per_second = 1
        self.per_hour = 2000
        self.per_day = 20000
        self.link_notifications = True
        self.drop_body_days: set[date] = set()
        self.push_base: str | None = None
        """Base used by `notify_latest` (set by `Simulator.start`: HTTPS when served)."""
        self.accounts: dict[str, PgeAccount] = {}
        self.batches: dict[str, PgeBatch] = {}
        self.notifications: list[PgeNotification] = []
        self._tokens: dict[str, _Token] = {}
        self._registration_tokens: dict[str, str] = {}
        """Account key → its registration access token (issued once, never expires)."""
        self._fixture_batches: deque[tuple[str, ...]] = deque()
        self._pending: set[_Pending] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sent = asyncio.Condition()
        self._session: aiohttp.ClientSession | None = None
        if demo:
            for account in demo_accounts():
                self.add_account(account)

    # ----------------------------------------------------------------------------------------
    # Accounts, tokens, batches

    def add_account(self, account: PgeAccount) -> PgeAccount:
        """Register an account (its key and client id must be new)."""
        if account.key in self.accounts or self._by_client_id(account.client_id):
            raise ValueError(f"existing account {account.key!r}")
        self.accounts[account.key] = account
        return account

    def account(self, key: str = "demo") -> PgeAccount:
        """Return an account by key."""
        return self.accounts[key]

    def _by_client_id(self, client_id: str) -> PgeAccount | None:
        for account in self.accounts.values():
            if account.client_id == client_id:
                return account
        return None

    def issue_token(self, key: str = "demo", *, test: bool = False) -> str:
        """A fresh client access token for an account (what the token endpoint returns)."""
        token = str(uuid.uuid4())
        self._tokens[token] = _Token(
            key, test, self.clock() + timedelta(seconds=self.token_lifetime)
        )
        return token

    def registration_access_token(self, key: str = "demo") -> str:
        """The account's registration access token (what a production token answer carries)."""
        token = self._registration_tokens.get(key)
        if token is None:
            token = self._registration_tokens[key] = uuid.uuid4().hex + uuid.uuid4().hex
        return token

    def expire_tokens(self) -> None:
        """Make every issued token expire now (the next request with one answers 403)."""
        now = self.clock()
        for token in self._tokens.values():
            token.expires = min(token.expires, now)

    def serve_fixture(self, name: str, *, account: str = "demo") -> str:
        """Register a correlationID that serves `fixtures/pge/<name>` as-is; return the id."""
        if not (FIXTURES / name).is_file():
            raise ValueError(f"no PG&E fixture {name!r}")
        correlation_id = str(uuid.uuid4())
        self.batches[correlation_id] = PgeBatch(
            correlation_id, account, self.clock(), fixture=name
        )
        return correlation_id

    def queue_fixture_batch(self, *names: str) -> None:
        """Make the next Bulk request list these fixtures (served as-is) instead of feeds."""
        for name in names:
            if not (FIXTURES / name).is_file():
                raise ValueError(f"no PG&E fixture {name!r}")
        self._fixture_batches.append(names)

    def available_days(self, now: datetime | None = None) -> tuple[date, date]:
        """The oldest and the latest day whose data is served at `now` (default the clock)."""
        now = now or self.clock()
        latest = local_day((now - self.data_delay).timestamp()) - timedelta(days=1)
        oldest = local_day(now.timestamp()) - timedelta(days=self.history_days)
        return oldest, latest

    # ----------------------------------------------------------------------------------------
    # Notifications

    def _schedule(
        self, account: PgeAccount, body: bytes, copies: int, label: str | None
    ) -> None:
        pending = _Pending(account, body, copies, label)
        loop = asyncio.get_running_loop()
        pending.handle = loop.call_later(self.notification_delay, self._fire, pending)
        self._pending.add(pending)

    def _fire(self, pending: _Pending) -> None:
        self._pending.discard(pending)
        task = asyncio.get_running_loop().create_task(self._deliver(pending))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, pending: _Pending) -> None:
        for _ in range(pending.copies):
            await self._post(pending.account, pending.body, pending.label)

    async def _post(
        self, account: PgeAccount, body: bytes, label: str | None = None
    ) -> None:
        target = account.notification_target or self.notification_target
        headers = {"Content-Type": "application/xml"}
        if label is not None and self.link_notifications:
            headers["x-transaction-id"] = label
        status: int | None = None
        error: str | None = None
        if target is None:
            error = "no notification target"
            label = "-"
        elif isinstance(target, str):
            label = target
            if not is_loopback_url(target):
                error = "refused: not a loopback URL"
            else:
                try:
                    status = await self._post_url(target, body, headers)
                except (aiohttp.ClientError, TimeoutError) as err:
                    error = f"{type(err).__name__}: {err}"
        else:
            label = repr(target)
            try:
                await target(body, headers)
                status = 200
            except Exception as err:  # noqa: BLE001 - recorded, as PG&E would see a failure
                error = f"{type(err).__name__}: {err}"
        self.notifications.append(
            PgeNotification(self.clock(), account.key, label, body, status, error)
        )
        async with self._sent:
            self._sent.notify_all()

    async def _post_url(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10)
            )
        async with self._session.post(
            url,
            data=body,
            headers=headers,
            ssl=False,
        ) as response:
            await response.read()
            return response.status

    async def deliver_pending(self) -> list[PgeNotification]:
        """Send every scheduled notification now, wait for running ones; return the new ones."""
        before = len(self.notifications)
        pending, self._pending = list(self._pending), set()
        for item in pending:
            if item.handle is not None:
                item.handle.cancel()
            await self._deliver(item)
        if self._tasks:
            await asyncio.gather(*list(self._tasks))
        return self.notifications[before:]

    async def wait_for_notifications(
        self, count: int, timeout: float = 10.0
    ) -> list[PgeNotification]:
        """Wait until `count` notifications have been sent in all; return them all."""
        async with asyncio.timeout(timeout), self._sent:
            await self._sent.wait_for(lambda: len(self.notifications) >= count)
        return list(self.notifications)

    def cancel_pending(self) -> None:
        """Drop scheduled notifications (running deliveries are left alone)."""
        for item in self._pending:
            if item.handle is not None:
                item.handle.cancel()
        self._pending.clear()

    @property
    def pending_notifications(self) -> int:
        """How many notifications are scheduled and not yet sent."""
        return len(self._pending)

    @override
    async def close(self) -> None:
        """Cancel scheduled and running deliveries and close the HTTP session."""
        self.cancel_pending()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def notify_latest(
        self, account: str = "demo", *, base: str | None = None
    ) -> list[str]:
        """PG&E's daily push: notify the latest day of every usage point now; return the URLs."""
        chosen = self.accounts[account]
        root = base or self.push_base
        if root is None:
            raise RuntimeError("no base: start the simulator or pass base")
        _, latest = self.available_days()
        urls = self._create_batches(
            chosen, root.rstrip("/") + RESOURCE_PATH, latest, latest, self.clock()
        )
        await self._post(chosen, batch_list(urls))
        return urls

    def _create_batches(
        self,
        account: PgeAccount,
        resource_base: str,
        first: date,
        last: date,
        created: datetime,
        label: str | None = None,
    ) -> list[str]:
        urls = []
        fixtures = self._fixture_batches.popleft() if self._fixture_batches else None
        sources: Sequence[PgeUsagePoint | str] = fixtures or account.usage_points
        for source in sources:
            correlation_id = str(uuid.uuid4())
            batch = PgeBatch(correlation_id, account.key, created, label=label)
            if isinstance(source, str):
                batch.fixture = source
            else:
                point_last = min(last, source.last_day or last)
                if point_last < first:
                    continue  # a closed service: nothing in these days
                batch.point, batch.first_day, batch.last_day = source, first, point_last
            self.batches[correlation_id] = batch
            urls.append(
                f"{resource_base}/Batch/Bulk/{account.bulk_id}?correlationID={correlation_id}"
            )
        return urls

    # ----------------------------------------------------------------------------------------
    # Faults

    def _is_admin(self, request: web.Request) -> bool:
        return request.path.startswith(f"{self.prefix}/_simulator/")

    def _is_bulk(self, request: web.Request) -> bool:
        return request.path.startswith(
            f"{self.prefix}{RESOURCE_PATH}/Batch/Bulk/"
        ) and (request.method == "GET")

    def takes_faults(self, request: web.Request) -> bool:
        """Every PG&E request except the control endpoint."""
        return not self._is_admin(request)

    def takes_fault(self, request: web.Request, fault: str) -> bool:
        """Notification faults go to new Bulk requests, feed faults to feed fetches."""
        if self._is_admin(request):
            return False
        fetch = "correlationID" in request.query
        if fault in NOTIFICATION_FAULTS:
            return self._is_bulk(request) and not fetch
        if fault in FEED_FAULTS:
            return self._is_bulk(request) and fetch
        if fault == "expired_token":
            return (
                request.headers.get("Authorization", "").lower().startswith("bearer ")
            )
        return True

    def _is_oauth(self, request: web.Request) -> bool:
        rest = request.path.removeprefix(self.prefix)
        return rest == OAUTH_PATH or rest.startswith(OAUTH_PATH + "/")

    def request_fault_response(self, request: web.Request, fault: str) -> web.Response:
        """Answer an injected HTTP fault the way the request's surface (OAuth, gateway) does."""
        if fault == "not_found":
            return self._no_listener_response(request.path)
        if self._is_oauth(request):
            answers = {
                "http_400": (400, "invalid_request", "Invalid request"),
                "http_401": (401, "invalid_client", "Unauthorized"),
                "http_403": (403, "access_denied", "Forbidden"),
                "http_429": (429, "too_many_requests", "Too many requests"),
                "http_500": (500, "server_error", "Internal Server Error"),
                "http_502": (502, "server_error", "Bad Gateway"),
            }
            status, error, description = answers[fault]
            return self._oauth_error(status, error, description)
        return self.fault_response(fault)

    def fault_response(self, fault: str) -> web.Response:
        """Answer an injected HTTP fault as the resource gateway does."""
        if fault == "http_400":
            return self._invalid_certificate()
        if fault == "http_401":
            return self._invalid_token()
        if fault == "http_403":
            return self._expired_token()
        if fault == "http_429":
            return self._too_many_requests()
        if fault in {"http_500", "http_502"}:
            text = "Internal Server Error" if fault == "http_500" else "Bad Gateway"
            return self._json(
                {"error": text}, status=500 if fault == "http_500" else 502
            )
        if fault == "not_found":
            return self._no_listener_response(self.prefix + "/")
        raise ValueError(fault)

    # ----------------------------------------------------------------------------------------
    # Responses

    @staticmethod
    def _gateway_headers() -> dict[str, str]:
        return {"Server": "Mulesoft-API-Gateway", "x-transaction-id": str(uuid.uuid4())}

    def _json(
        self,
        payload: object,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        return web.Response(
            status=status,
            body=json_bytes(payload),
            content_type="application/json",
            headers={**self._gateway_headers(), **(headers or {})},
        )

    def _xml(
        self, body: bytes, *, status: int = 200, content_type: str = ATOM_XML
    ) -> web.Response:
        return web.Response(
            status=status,
            body=body,
            content_type=content_type,
            headers=self._gateway_headers(),
        )

    def _empty(self, status: int) -> web.Response:
        return web.Response(status=status, headers=self._gateway_headers())

    def _text(self, status: int, text: str) -> web.Response:
        return web.Response(
            status=status,
            text=text,
            content_type="text/plain",
            headers=self._gateway_headers(),
        )

    def _invalid_certificate(self) -> web.Response:
        return web.Response(
            status=400,
            body=_INVALID_CERTIFICATE,
            content_type="application/json",
            headers=self._gateway_headers(),
        )

    def _oauth_error(self, status: int, error: str, description: str) -> web.Response:
        return self._json(
            {"error": error, "error_description": description}, status=status
        )

    def _invalid_token(self) -> web.Response:
        return self._json(
            {"error": "invalid_token", "error_description": "Invalid access token"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    def _expired_token(self) -> web.Response:
        return self._json(
            {"error": "invalid_token", "error_description": "Access token expired"},
            status=403,
        )

    def _not_authorized(self) -> web.Response:
        """PG&E's refusal of a resource the token's registration may not use."""
        return self._oauth_error(
            403, "insufficient_scope", "Not authorized for this resource"
        )

    def _too_many_requests(self) -> web.Response:
        return self._json({"error": "Too many requests"}, status=429)

    def _no_listener_response(self, path: str) -> web.Response:
        return self._text(
            404, f"No listener for endpoint: {path.removeprefix(self.prefix) or '/'}"
        )

    def error_response(self, status: int, message: str) -> web.Response:
        """Answer a routing error as plain text, like the gateway."""
        return self._text(status, message)

    # ----------------------------------------------------------------------------------------
    # Checks

    @staticmethod
    def _context(request: web.Request) -> RequestContext:
        return request[CONTEXT]

    def _check_certificate(self, request: web.Request) -> None:
        transport = request.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport else None
        if ssl_object is None:
            if self.allow_plain_http:
                return
            raise Reply(self._invalid_certificate())
        der = ssl_object.getpeercert(binary_form=True)
        if not check_client_certificate(der, self._context(request).time):
            raise Reply(self._invalid_certificate())

    def _charge(self, request: web.Request, account: PgeAccount) -> None:
        """Attribute the request to the account and apply the rate limits (when enforced)."""
        context = self._context(request)
        context.account = account.key
        if not self.enforce_rate_limits:
            return
        now = context.time
        times = account.request_times
        while times and (now - times[0]) >= timedelta(days=1, hours=1):
            times.popleft()
        ordered = [moment.timestamp() for moment in times]
        stamp = now.timestamp()

        def since(seconds: float) -> int:
            return len(ordered) - bisect_right(ordered, stamp - seconds)

        day_start = pge_day_start(now).timestamp()
        today = len(ordered) - bisect_right(ordered, day_start - 1e-6)
        if (
            since(1.0) >= self.per_second
            or since(3600.0) >= self.per_hour
            or today >= self.per_day
        ):
            raise Reply(self._too_many_requests())
        times.append(now)

    def _bearer(self, request: web.Request, *, production: bool) -> PgeAccount:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or token.account not in self.accounts:
            raise Reply(self._invalid_token())
        context = self._context(request)
        if context.fault == "expired_token":
            token.expires = min(token.expires, context.time)
        if context.time >= token.expires:
            raise Reply(self._expired_token())
        account = self.accounts[token.account]
        if production and token.test:
            raise Reply(
                self._oauth_error(
                    403,
                    "insufficient_scope",
                    "Test access token not valid for this resource",
                )
            )
        self._charge(request, account)
        return account

    def _resource_base(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}{self.prefix}{RESOURCE_PATH}"

    # ----------------------------------------------------------------------------------------
    # HTTP

    def urls(self, base: str, tls_base: str | None) -> dict[str, str]:
        """Return PG&E's bases and the PEM files and texts a client needs.

        `api_url`: the HTTPS base mirroring `https://api.pge.com` (mutual TLS; only when
        served over TLS), `http_api_url`: the plain-HTTP base; `ca_cert`, `client_cert`,
        `client_key`: paths of the test CA and a valid client certificate and key; `ca_pem`,
        `client_cert_pem`, `client_key_pem`: their text. Once served over TLS this does no I/O;
        otherwise the first call generates the certificates and writes them (blocking).
        """
        files = pki_files()
        material = pki_material()
        urls = {
            "http_api_url": base,
            "ca_cert": str(files.ca_cert),
            "client_cert": str(files.client_cert),
            "client_key": str(files.client_key),
            "ca_pem": material.ca.cert.decode(),
            "client_cert_pem": material.client.cert.decode(),
            "client_key_pem": material.client.key.decode(),
        }
        if tls_base is not None:
            urls["api_url"] = tls_base
        return urls

    @override
    def started(self, base: str, tls_base: str | None) -> None:
        """Push notifications name the HTTPS base when there is one."""
        self.push_base = tls_base or base

    def routes(self) -> list[web.RouteDef]:
        """Return the `/pge` routes."""
        p = self.prefix
        resource = f"{p}{RESOURCE_PATH}"
        return [
            web.route("*", f"{p}{OAUTH_PATH}/oauth/v2/token", self._token),
            web.route("*", f"{p}{OAUTH_PATH}/test/oauth/v2/token", self._token),
            web.get(f"{resource}/ReadServiceStatus", self._service_status),
            web.get(f"{resource}/DownloadSampleData", self._sample_data),
            web.get(f"{resource}/Authorization", self._authorizations),
            web.get(
                f"{resource}/Authorization/{{authorization_id}}", self._authorization
            ),
            web.get(f"{resource}/Batch/Bulk/{{bulk_id}}", self._bulk),
            *(
                web.get(
                    f"{resource}/Batch/{kind}/{{bulk_id}}",
                    functools.partial(self._info, kind=kind),
                )
                for kind in INFO_RESOURCES
            ),
            web.get(
                f"{resource}/ApplicationInformation/{{application_id}}",
                self._application_information,
            ),
            web.post(f"{p}/_simulator/notification-uri", self._set_notification_uri),
            web.route("*", f"{p}/{{tail:.*}}", self._no_listener),
        ]

    async def _no_listener(self, request: web.Request) -> web.Response:
        resource = f"{self.prefix}{RESOURCE_PATH}/"
        path = request.path
        known = path.startswith(resource) and re.fullmatch(
            r"(ReadServiceStatus|DownloadSampleData|Authorization(/[^/]+)?"
            r"|Batch/(Bulk|BulkRetailCustomerInfo|BulkRetailDRPrgInfo)/[^/]+"
            r"|ApplicationInformation/[^/]+)",
            path.removeprefix(resource),
        )
        if known:
            return self._text(
                405,
                f"Method not allowed for endpoint: {path.removeprefix(self.prefix)}",
            )
        return self._no_listener_response(path)

    async def _token(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return self._oauth_error(
                405, "invalid_request", f"{request.method} not permitted"
            )
        self._check_certificate(request)
        form = await request.post()
        grant_type = str(form.get("grant_type") or request.query.get("grant_type", ""))
        if not grant_type:
            return self._oauth_error(400, "invalid_request", "Missing grant_type")
        account = self._basic(request)
        if account is None:
            return self._oauth_error(
                400, "invalid_request", "client credentials doesn't match"
            )
        if grant_type != "client_credentials":
            return self._oauth_error(
                400, "unsupported_grant_type", "Unsupported grant_type"
            )
        self._charge(request, account)
        test = request.path.startswith(f"{self.prefix}{OAUTH_PATH}/test/")
        answer: dict[str, object] = {
            "token_type": "Bearer",
            "client_access_token": self.issue_token(account.key, test=test),
            "expires_in": self.token_lifetime,
            "scope": account.scope,
        }
        if account.registration_token and not test:
            answer["registration_access_token"] = self.registration_access_token(
                account.key
            )
            answer["registration_client_uri"] = (
                f"{self._resource_base(request)}/ApplicationInformation/"
                f"{account.application_id}"
            )
        return self._json(answer)

    def _basic(self, request: web.Request) -> PgeAccount | None:
        try:
            auth = aiohttp.BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError, binascii.Error:
            return None
        account = self._by_client_id(auth.login)
        if account is None or account.client_secret != auth.password:
            return None
        return account

    async def _service_status(self, request: web.Request) -> web.Response:
        self._check_certificate(request)
        self._bearer(request, production=False)
        body = (
            '<ServiceStatus xsi:schemaLocation="http://naesb.org/espi espiDerived.xsd"\n'
            '               xmlns="http://naesb.org/espi"\n'
            '               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"  <currentStatus>{self.service_status}</currentStatus>\n"
            "</ServiceStatus>\n"
        )
        return self._xml(body.encode(), content_type="application/xml")

    async def _sample_data(self, request: web.Request) -> web.Response:
        self._check_certificate(request)
        self._bearer(request, production=False)
        if self.sample_data_status == 202:
            return self._empty(202)
        return self._xml((FIXTURES / SAMPLE_FIXTURE).read_bytes())

    def _authorization_entries(
        self, account: PgeAccount, base: str
    ) -> list[tuple[str, str]]:
        """(authorization id, entry XML) of the account's authorizations.

        Periods in seconds, or milliseconds with `period_unit` "ms" (`expires_at` stays in
        seconds, as in `espi_pge_authorization_entry_2015_verdigris.xml`).
        """
        oldest, latest = self.available_days()
        published_start = local_midnight(oldest)
        published = local_midnight(latest + timedelta(days=1)) - published_start
        authorized_start = int(account.registered.timestamp())
        open_ended = 10 * 365 * 86400
        bulk_end = (
            int(account.authorized_end.timestamp())
            if account.authorized_end is not None
            else authorized_start + open_ended
        )
        scale = 1000 if account.period_unit == "ms" else 1
        stamp = account.registered.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        bulk_scope = account.authorization_scope or (
            f"{DEFAULT_SCOPE};AdditionalScope=Usage_Billing_Basic_Account;"
            f"BR={account.bulk_id}"
        )
        items = [
            (
                account.subscription_authorization_id,
                "authorization_code",
                f"{DEFAULT_SCOPE};AdditionalScope=Usage_Billing_Basic_Account",
                f"{base}/Batch/Subscription/{account.subscription_id}",
                (
                    f"<ns0:customerResourceURI>{base}/Batch/RetailCustomer/"
                    f"{account.subscription_id}</ns0:customerResourceURI>"
                ),
                1,
                authorized_start + open_ended,
            ),
            (
                account.authorization_id,
                "client_credentials",
                bulk_scope,
                f"{base}/Batch/Bulk/{account.bulk_id}",
                "",
                account.authorization_status,
                bulk_end,
            ),
        ]
        entries = []
        for authorization_id, grant, scope, resource, customer, status, end in items:
            content = (
                '<ns0:Authorization xmlns:ns0="http://naesb.org/espi">'
                "<ns0:authorizedPeriod><ns0:duration>"
                f"{(end - authorized_start) * scale}</ns0:duration>"
                f"<ns0:start>{authorized_start * scale}</ns0:start></ns0:authorizedPeriod>"
                f"<ns0:publishedPeriod><ns0:duration>{published * scale}</ns0:duration>"
                f"<ns0:start>{published_start * scale}</ns0:start></ns0:publishedPeriod>"
                f"<ns0:status>{status}</ns0:status>"
                f"<ns0:expires_at>{end}</ns0:expires_at>"
                f"<ns0:grant_type>{grant}</ns0:grant_type>"
                f"<ns0:scope>{escape(scope)}</ns0:scope>"
                "<ns0:token_type>Bearer</ns0:token_type>"
                f"<ns0:resourceURI>{resource}</ns0:resourceURI>"
                f"<ns0:authorizationURI>{base}/Authorization/{authorization_id}"
                f"</ns0:authorizationURI>{customer}</ns0:Authorization>"
            )
            entries.append(
                (
                    authorization_id,
                    entry(
                        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource}|{grant}")),
                        [
                            (f"{base}/Authorization", "up"),
                            (f"{base}/Authorization/{authorization_id}", "self"),
                        ],
                        "Authorization",
                        stamp,
                        content,
                    ),
                )
            )
        return entries

    async def _authorizations(self, request: web.Request) -> web.Response:
        self._check_certificate(request)
        account = self._bearer(request, production=False)
        base = self._resource_base(request)
        entries = self._authorization_entries(account, base)
        now = self._context(request).time
        header = feed_header(
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/Authorization|{account.key}")),
            now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            f"{base}/Authorization",
            title="Authorization",
        )
        body = header + "".join("\n\t" + xml for _, xml in entries) + "</ns1:feed>\n"
        return self._xml(body.encode())

    async def _authorization(self, request: web.Request) -> web.Response:
        self._check_certificate(request)
        account = self._bearer(request, production=False)
        wanted = request.match_info["authorization_id"]
        for authorization_id, xml in self._authorization_entries(
            account, self._resource_base(request)
        ):
            if authorization_id == wanted:
                return self._xml(xml.encode())
        return self._json(
            {"error": "not_found", "error_description": "Unknown authorization"},
            status=404,
        )

    def _time_parameter(self, request: web.Request, name: str) -> float | None:
        raw = request.query.get(name)
        if raw is None:
            return None
        if _EPOCH.fullmatch(raw):
            return float(raw)
        if _ZULU.fullmatch(raw):
            return datetime.fromisoformat(raw).timestamp()
        raise Reply(self._oauth_error(400, "invalid_request", f"Invalid {name}"))

    def _requested_days(self, request: web.Request) -> tuple[date, date] | None:
        """The days a Bulk request asks for, clipped to what is available; None: no data."""
        names = (
            ("published-min", "published-max")
            if {"published-min", "published-max"} & set(request.query)
            else ("updated-min", "updated-max")
        )
        low = self._time_parameter(request, names[0])
        high = self._time_parameter(request, names[1])
        now = self._context(request).time
        oldest, latest = self.available_days(now)
        if low is not None and high is not None and low > high:
            raise Reply(
                self._oauth_error(400, "invalid_request", f"Invalid {names[0]}")
            )
        if low is None and high is None:
            first, last = latest, latest
        else:
            first = oldest
            if low is not None:
                first = local_day(low)
                if local_midnight(first) < low:
                    first += timedelta(days=1)
            last = local_day(high if high is not None else now.timestamp())
        first, last = max(first, oldest), min(last, latest)
        return (first, last) if first <= last else None

    async def _bulk(self, request: web.Request) -> web.Response:
        self._check_certificate(request)
        account = self._bearer(request, production=True)
        if request.match_info["bulk_id"] != account.bulk_id:
            return self._oauth_error(
                400, "invalid_request", "client credentials doesn't match"
            )
        correlation_id = request.query.get("correlationID")
        if correlation_id is not None:
            return await self._fetch(request, account, correlation_id)
        days = self._requested_days(request)
        if days is None:
            return self._empty(204)
        context = self._context(request)
        resource_base = self._resource_base(request)
        label = str(uuid.uuid4())
        urls = self._create_batches(account, resource_base, *days, context.time, label)
        return self._announce(request, account, urls, label)

    def _announce(
        self, request: web.Request, account: PgeAccount, urls: list[str], label: str
    ) -> web.Response:
        """Schedule the BatchList of an asynchronous request (and its faults); answer 202."""
        context = self._context(request)
        if context.fault == "foreign_host":
            right = URL(urls[-1])
            swapped = right.with_scheme("http" if right.scheme == "https" else "https")
            urls = [FOREIGN_HOST + str(URL(urls[0]).relative()), str(swapped)]
        if context.fault != "no_notification":
            copies = 2 if context.fault == "duplicate_notification" else 1
            self._schedule(account, batch_list(urls), copies, label)
        response = self._empty(202)
        response.headers["x-transaction-id"] = label
        return response

    async def _fetch(
        self, request: web.Request, account: PgeAccount, correlation_id: str
    ) -> web.Response:
        context = self._context(request)
        batch = self.batches.get(correlation_id)
        if (
            batch is None
            or batch.account != account.key
            or batch.kind != "Bulk"
            or context.time - batch.created > self.batch_lifetime
        ):
            return self._json(
                {"error": "not_found", "error_description": "Unknown correlationID"},
                status=404,
            )
        if batch.fixture is not None:
            return self._xml((FIXTURES / batch.fixture).read_bytes())
        drop = context.fault == "drop_body" or self._take_drop_day(batch)
        assert batch.point and batch.first_day and batch.last_day
        point, first, last = batch.point, batch.first_day, batch.last_day
        build = functools.partial(
            build_feed,
            point,
            first,
            last,
            bulk_id=account.bulk_id,
            created=batch.created,
            resource_base=self._resource_base(request),
            feed_id=correlation_id,
            dst_blocks=self.dst_blocks,
            reading_types=context.fault != "missing_field",
        )
        # In an executor: a multi-year 15-minute feed takes about a second to write.
        body = await asyncio.get_running_loop().run_in_executor(None, build)
        if drop:
            return await self._drop_halfway(request, body)
        return self._xml(body)

    async def _info(self, request: web.Request, *, kind: str) -> web.Response:
        """`Batch/BulkRetailCustomerInfo|BulkRetailDRPrgInfo/{BulkID}`: 202 + BatchList, 204, 403."""
        self._check_certificate(request)
        account = self._bearer(request, production=True)
        if request.match_info["bulk_id"] != account.bulk_id:
            return self._oauth_error(
                400, "invalid_request", "client credentials doesn't match"
            )
        context = self._context(request)
        base = self._resource_base(request)
        resource = f"{base}/Batch/{kind}/{account.bulk_id}"
        correlation_id = request.query.get("correlationID")
        if correlation_id is not None:
            batch = self.batches.get(correlation_id)
            if (
                batch is None
                or batch.account != account.key
                or batch.kind != kind
                or context.time - batch.created > self.batch_lifetime
            ):
                return self._json(
                    {
                        "error": "not_found",
                        "error_description": "Unknown correlationID",
                    },
                    status=404,
                )
            write = customer_feed if kind == INFO_RESOURCES[0] else dr_feed
            return self._xml(
                write(account, base, created=batch.created, self_href=resource)
            )
        status = (
            account.customer_info_status
            if kind == INFO_RESOURCES[0]
            else account.dr_info_status
        )
        if status == 204:
            return self._empty(204)
        if status != 202:
            return self._not_authorized()
        correlation_id = str(uuid.uuid4())
        label = str(uuid.uuid4())
        self.batches[correlation_id] = PgeBatch(
            correlation_id, account.key, context.time, label=label, kind=kind
        )
        return self._announce(
            request, account, [f"{resource}?correlationID={correlation_id}"], label
        )

    async def _application_information(self, request: web.Request) -> web.Response:
        """`ApplicationInformation/{id}`: one entry, for the registration access token only."""
        self._check_certificate(request)
        wanted = request.match_info["application_id"]
        account = next(
            (a for a in self.accounts.values() if a.application_id == wanted), None
        )
        if account is None:
            return self._json(
                {"error": "not_found", "error_description": "Unknown application"},
                status=404,
            )
        self._charge(request, account)
        if not account.registration_token:
            return self._not_authorized()
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else ""
        if token and token == self._registration_tokens.get(account.key):
            return self._xml(
                application_information(
                    account,
                    self._resource_base(request),
                    self._notify_uri(account),
                    self.registration_access_token(account.key),
                ).encode()
            )
        if token in self._tokens:
            return self._not_authorized()
        return self._invalid_token()

    def _notify_uri(self, account: PgeAccount) -> str | None:
        """The notification URI as registered: the override, else the URL set, if any."""
        if account.registered_notify_uri is not None:
            return account.registered_notify_uri
        for target in (account.notification_target, self.notification_target):
            if isinstance(target, str):
                return target
        return None

    def _take_drop_day(self, batch: PgeBatch) -> bool:
        """Whether the batch holds one of `drop_body_days` (then forgotten: dropped once)."""
        assert batch.first_day and batch.last_day
        for day in sorted(self.drop_body_days):
            if batch.first_day <= day <= batch.last_day:
                self.drop_body_days.discard(day)
                return True
        return False

    async def _drop_halfway(
        self, request: web.Request, body: bytes
    ) -> web.StreamResponse:
        """Send 200, the full length and half the body, then close the connection."""
        response = web.StreamResponse(status=200, headers=self._gateway_headers())
        response.content_type = ATOM_XML
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        # Let the client take the first half before the connection goes: a cut after data
        # arrived is what a client must not retry in place.
        for _ in range(20):
            await asyncio.sleep(0)
        if request.transport is not None:
            request.transport.close()
        return response

    async def _set_notification_uri(self, request: web.Request) -> web.Response:
        url = (await request.text()).strip()
        if url and not is_loopback_url(url):
            return self._text(
                400, "notification URI must be http(s) on a loopback host"
            )
        client_id = request.query.get("client_id")
        target = url or None
        if client_id is None:
            self.notification_target = target
        else:
            account = self._by_client_id(client_id)
            if account is None:
                return self._text(404, "unknown client_id")
            account.notification_target = target
        return self._empty(204)
