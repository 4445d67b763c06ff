"""PG&E's customer feed (`Batch/BulkRetailCustomerInfo`) and DR enrollment feed, generated.

`customer_feed(account, base)` writes the feed PG&E's Bulk customer-information resource serves,
shaped like the 2019 capture `espi_customer_pge_batch_retailcustomer_2019_verdigris_placeholders.xml`
(`reference/apis-pge-enedis.md` §1.14.4) [real shape]: the Atom elements prefixed `ns2`, the
customer namespace `http://naesb.org/espi/customer` as the default xmlns of every entry, entries
filed under `…/RetailCustomer/{id}/Customer/{b64}/CustomerAccount/{n}/CustomerAgreement/{usage
point id}/ServiceLocation/{b64}/Meter/{serial}` (the `CustomerAgreement` segment is the UsagePoint
id: how a client joins a location or a meter to its usage point). One Customer (`name`), one
CustomerAccount (`name` = the account number), then per usage point a CustomerAgreement (`name` =
the usage point id [decided; PG&E's is the SA number], `type` RES, `docStatus/value` Active,
`signDate` epoch s), a ServiceLocation (one-line `addressGeneral`, ZIP in `townDetail/code`, town,
CA) and a Meter (`type`, `serialNumber`, `intervalLength`).

`dr_feed(account, base)` writes a DR enrollment feed to PG&E's schema
`xsd_pge_retailcustomer_20180802.xsd` (§1.14.5) [decided: no payload has ever been published]:
per usage point with programs a CustomerAgreement entry whose `DemandResponseProgram` children
hold `programName`, `enrollmentStatus` and, when there is one, `programDate` {`programDate` epoch
s, `programDateDescription` "Enrollment"}. The b64 segments decode to 10-digit numbers, as in the
capture; every number and id is derived from the account (deterministic).
"""

import base64
from datetime import datetime
import hashlib
from typing import TYPE_CHECKING, Final
import uuid
from xml.sax.saxutils import escape

from .pge_feed import PgeUsagePoint, local_midnight

if TYPE_CHECKING:
    from .pge import PgeAccount

CUSTOMER_NS: Final = "http://naesb.org/espi/customer"
_ATOM: Final = 'xmlns:ns2="http://www.w3.org/2005/Atom"'
_DEFAULT: Final = f'xmlns="{CUSTOMER_NS}"'


def _digits(*parts: object) -> str:
    """A stable 10-digit number (no leading zero) derived from `parts`."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8)
    return str(1_000_000_000 + int.from_bytes(digest.digest()) % 9_000_000_000)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(map(str, parts))))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class _Paths:
    """The resource paths of one account's customer data."""

    def __init__(self, account: PgeAccount, base: str) -> None:
        self.retail = f"{base}/RetailCustomer/{account.subscription_id}"
        self.customer = (
            f"{self.retail}/Customer/{_b64(_digits('customer', account.key))}"
        )
        self.account = (
            f"{self.customer}/CustomerAccount/{_digits('account', account.key)}"
        )

    def agreement(self, point: PgeUsagePoint) -> str:
        return f"{self.account}/CustomerAgreement/{point.usage_point_id}"

    def location(self, point: PgeUsagePoint) -> str:
        location_id = _b64(_digits("location", point.usage_point_id))
        return f"{self.agreement(point)}/ServiceLocation/{location_id}"


def _feed(entries: list[str], feed_id: str, stamp: str, self_href: str) -> bytes:
    head = (
        '<ns1:feed xmlns:ns1="http://www.w3.org/2005/Atom" xmlns:ns0="http://naesb.org/espi">\n'
        f"  <ns2:id {_ATOM} {_DEFAULT}>{feed_id}</ns2:id>\n"
        f'  <ns2:title {_ATOM} {_DEFAULT} type="text">Green Button Customer Feed</ns2:title>\n'
        f"  <ns2:updated {_ATOM} {_DEFAULT}>{stamp}</ns2:updated>\n"
        f'  <ns2:link {_ATOM} {_DEFAULT} href="{self_href}" rel="self" />\n'
    )
    return (head + "".join(entries) + "</ns1:feed>\n").encode()


def _entry(
    entry_id: str, links: list[tuple[str, str]], stamp: str, content: str
) -> str:
    link_xml = "".join(
        f'    <ns2:link href="{href}" rel="{rel}" />\n' for href, rel in links
    )
    return (
        f"\n  <ns2:entry {_ATOM} {_DEFAULT}>\n"
        f"    <ns2:id>{entry_id}</ns2:id>\n{link_xml}"
        f"    <ns2:published>{stamp}</ns2:published>\n"
        f"    <ns2:updated>{stamp}</ns2:updated>\n"
        f"    <ns2:content>{content}</ns2:content>\n"
        "  </ns2:entry>\n"
    )


def customer_feed(
    account: PgeAccount,
    base: str,
    *,
    created: datetime | None = None,
    self_href: str | None = None,
) -> bytes:
    """The customer feed of `account` (`base`: the resource base, `…/espi/1_1/resource`).

    `created` stamps the feed (default: the account's registration); `self_href` is the feed's
    self link (default `{base}/Batch/BulkRetailCustomerInfo/{BulkID}`).
    """
    paths = _Paths(account, base)
    stamp = _stamp(created or account.registered)
    sign_date = local_midnight(account.customer_since)
    entries = [
        _entry(
            _uuid(paths.customer),
            [
                (f"{paths.retail}/Customer", "up"),
                (paths.customer, "self"),
                (f"{paths.customer}/CustomerAccount", "related"),
            ],
            stamp,
            f"<Customer><name>{escape(account.customer_name)}</name></Customer>",
        ),
        _entry(
            _uuid(paths.account),
            [
                (f"{paths.customer}/CustomerAccount", "up"),
                (paths.account, "self"),
                (f"{paths.account}/CustomerAgreement", "related"),
            ],
            stamp,
            f"<CustomerAccount><name>{escape(account.account_number)}</name></CustomerAccount>",
        ),
    ]
    for point in account.usage_points:
        agreement, location = paths.agreement(point), paths.location(point)
        meter = f"{location}/Meter/{point.serial}"
        entries += [
            _entry(
                _uuid(agreement),
                [(f"{paths.account}/CustomerAgreement", "up"), (agreement, "self")],
                stamp,
                f"<CustomerAgreement><name>{point.usage_point_id}</name><type>RES</type>"
                "<docStatus><value>Active</value></docStatus>"
                f"<signDate>{sign_date}</signDate></CustomerAgreement>",
            ),
            _entry(
                _uuid(location),
                [
                    (f"{agreement}/ServiceLocation", "up"),
                    (location, "self"),
                    (f"{location}/EndDevice", "related"),
                ],
                stamp,
                "<ServiceLocation><mainAddress><streetDetail>"
                f"<addressGeneral>{escape(point.street)}</addressGeneral></streetDetail>"
                f"<townDetail><code>{point.zip_code}</code><name>{escape(point.town)}</name>"
                "<stateOrProvince>CA</stateOrProvince></townDetail></mainAddress>"
                "</ServiceLocation>",
            ),
            _entry(
                _uuid(meter),
                [(f"{location}/Meter", "up"), (meter, "self")],
                stamp,
                f"<Meter><type>{escape(point.meter_description)}</type>"
                f"<serialNumber>{point.serial}</serialNumber>"
                f"<intervalLength>{point.step}</intervalLength></Meter>",
            ),
        ]
    return _feed(
        entries,
        _uuid("customer-feed", account.key, stamp),
        stamp,
        self_href or f"{base}/Batch/BulkRetailCustomerInfo/{account.bulk_id}",
    )


def dr_feed(
    account: PgeAccount,
    base: str,
    *,
    created: datetime | None = None,
    self_href: str | None = None,
) -> bytes:
    """The DR enrollment feed of `account` (`account.dr_programs`), to PG&E's XSD.

    `created` and `self_href` as for `customer_feed` (default self link
    `{base}/Batch/BulkRetailDRPrgInfo/{BulkID}`).
    """
    paths = _Paths(account, base)
    stamp = _stamp(created or account.registered)
    entries = []
    for point in account.usage_points:
        programs = [
            (name, status, day)
            for point_id, name, status, day in account.dr_programs
            if point_id == point.usage_point_id
        ]
        if not programs:
            continue
        agreement = paths.agreement(point)
        body = "".join(
            f"<DemandResponseProgram><programName>{escape(name)}</programName>"
            f"<enrollmentStatus>{status}</enrollmentStatus>"
            + (
                f"<programDate><programDate>{local_midnight(day)}</programDate>"
                "<programDateDescription>Enrollment</programDateDescription>"
                "</programDate>"
                if day is not None
                else ""
            )
            + "</DemandResponseProgram>"
            for name, status, day in programs
        )
        entries.append(
            _entry(
                _uuid("dr", agreement),
                [(f"{paths.account}/CustomerAgreement", "up"), (agreement, "self")],
                stamp,
                f"<CustomerAgreement><name>{point.usage_point_id}</name>{body}"
                "</CustomerAgreement>",
            )
        )
    return _feed(
        entries,
        _uuid("dr-feed", account.key, stamp),
        stamp,
        self_href or f"{base}/Batch/BulkRetailDRPrgInfo/{account.bulk_id}",
    )
