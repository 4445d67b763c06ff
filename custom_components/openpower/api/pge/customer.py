"""The customer feed (`Batch/RetailCustomer`, `Batch/BulkRetailCustomerInfo`) and DR enrollment.

PG&E answers these with an Atom feed whose entries hold elements of the customer namespace
`http://naesb.org/espi/customer` (`reference/apis-pge-enedis.md` §1.14.4): Customer, CustomerAccount,
CustomerAgreement, ServiceLocation, Meter. Like the Authorization answer (`resources.py`), such a
feed is small and read whole, with the same defusedxml helper (no DTD, no entity), and elements are
matched by namespace URI, never by prefix: PG&E has sent the customer namespace as the default
namespace on every element (2019) and as prefix `ns0` while the feed binds `ns0` to the ESPI usage
namespace (2016). It lives beside `resources.py` rather than in `espi/`, whose streaming reader only
knows the usage namespace's elements.

A ServiceLocation, Meter or CustomerAgreement is filed under
`…/CustomerAgreement/{id}/…`: PG&E makes that `{id}` the UsagePoint id, which is how a location or a
meter is joined to a usage point (open-energy-view `get_service_locations` does the same).

Demand-response enrollment (`Batch/RetailDRPrgInfo`, `Batch/BulkRetailDRPrgInfo`) is parsed to PG&E's
published schema (`xsd_pge_retailcustomer_20180802.xsd`: `CustomerAgreement/DemandResponseProgram`,
`ProgramDateIdMappings`) only: no real payload has been published anywhere (§1.14.5), so that part
is unverified against PG&E.

The models hold personal data (names, account numbers, addresses, meter serials): callers redact
them in diagnostics and never log them; error messages here never quote a value.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import re
from typing import Final
from xml.etree.ElementTree import Element

from ..errors import ApiResponseError
from .espi import ATOM_NS
from .espi.units import duration_or_none, utc_or_none
from .safe_xml import read_xml

CUSTOMER_NS: Final = "http://naesb.org/espi/customer"
_A: Final = f"{{{ATOM_NS}}}"
_C: Final = f"{{{CUSTOMER_NS}}}"
_WHAT: Final = "pge customer feed"
_AGREEMENT_SEGMENT: Final = re.compile(r"/CustomerAgreement/([^/?#]+)")
_STREET_PARTS: Final = ("number", "prefix", "name", "type", "suffix")
"""StreetDetail parts of a one-line US street address, in order (when no `addressGeneral`)."""


class EnrollmentStatus(StrEnum):
    """A customer's enrollment in a demand-response program (schema type `EnrollmentStatus`)."""

    UNENROLLED = "unenrolled"
    ENROLLED = "enrolled"
    PENDING = "enrolledPending"


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer (`Customer`): a person's or a business's name."""

    href: str | None
    name: str | None
    """PG&E: the customer or business name (its `Organisation/name` when only that is sent)."""
    kind: str | None
    """Schema `CustomerKind` as sent (`residential`, `commercialIndustrial`…); PG&E leaves it out."""


@dataclass(frozen=True, slots=True)
class CustomerAccount:
    """A billing account (`CustomerAccount`)."""

    href: str | None
    account_id: str | None
    """The account number (the entry's `name`; it differs from the id in the href)."""


@dataclass(frozen=True, slots=True)
class CustomerAgreement:
    """A service agreement (`CustomerAgreement`): one per usage point."""

    href: str | None
    service_agreement_id: str | None
    """The SA number (`name`)."""
    status: str | None
    """`docStatus/value` as sent (PG&E: `Active`)."""
    customer_class: str | None
    """`type` as sent (PG&E: `AGR`; Release 3.0 lists RES/AGR/COM/IND/Other)."""
    sign_date: datetime | None
    usage_point_id: str | None
    """The `CustomerAgreement/{id}` segment of its href: the UsagePoint id at PG&E."""


@dataclass(frozen=True, slots=True)
class ServiceLocation:
    """Where a usage point is (`ServiceLocation/mainAddress`)."""

    href: str | None
    street: str | None
    """One line: `addressGeneral` (PG&E), else number, name… of `streetDetail` (SCE)."""
    town: str | None
    zip_code: str | None
    """PG&E puts the ZIP in `townDetail/code`; other custodians in `postalCode`."""
    state: str | None
    usage_point_id: str | None
    """The `CustomerAgreement/{id}` segment of its href: the UsagePoint id at PG&E."""


@dataclass(frozen=True, slots=True)
class Meter:
    """A meter of a service location (`Meter`)."""

    href: str | None
    meter_type: str | None
    """PG&E's meter description (`EMTR 12S/XP/CL200/3W/5Dials`)."""
    serial_number: str | None
    interval_length: timedelta | None
    usage_point_id: str | None
    """The `CustomerAgreement/{id}` segment of its href: the UsagePoint id at PG&E."""


@dataclass(frozen=True, slots=True)
class ProgramDate:
    """One date of a demand-response program (`programDate`)."""

    date: datetime | None
    description: str | None
    """`programDateDescription` as sent ("Enrollment, Termination, etc." says the schema)."""


@dataclass(frozen=True, slots=True)
class DemandResponseProgram:
    """A demand-response program of a service agreement (`DemandResponseProgram`).

    Written to PG&E's schema: no real payload has been published, so PG&E's program names
    (SmartRate, SmartAC, CBP, PDP…?) and its use of these elements are unverified.
    """

    name: str | None
    """`programName` as sent."""
    status: EnrollmentStatus | None
    """`enrollmentStatus`; None when absent or outside the schema's three values."""
    description_uri: str | None
    """`programDescription`: a URI describing the program."""
    dates: tuple[ProgramDate, ...]
    usage_point_id: str | None
    """The `CustomerAgreement/{id}` segment of its entry's href: the UsagePoint id at PG&E."""


@dataclass(frozen=True, slots=True)
class ProgramDateMapping:
    """One `programDateIdMapping` of `ProgramDateIdMappings`: what a program date code means."""

    date_type: str | None
    """`programDateType` (`CUST_DR_PROGRAM_ENROLLMENT_DATE`, `…_DE_ENROLLMENT_DATE`…)."""
    code: str | None
    name: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CustomerFeed:
    """What a customer (or DR enrollment) feed holds, in document order."""

    customers: tuple[Customer, ...]
    accounts: tuple[CustomerAccount, ...]
    agreements: tuple[CustomerAgreement, ...]
    locations: tuple[ServiceLocation, ...]
    meters: tuple[Meter, ...]
    programs: tuple[DemandResponseProgram, ...]
    program_date_mappings: tuple[ProgramDateMapping, ...]

    def agreement_of(self, usage_point_id: str) -> CustomerAgreement | None:
        """Return the service agreement of a usage point (its id, `UsagePoint.id`)."""
        return next(
            (a for a in self.agreements if a.usage_point_id == usage_point_id), None
        )

    def location_of(self, usage_point_id: str) -> ServiceLocation | None:
        """Return the service location of a usage point (its id, `UsagePoint.id`)."""
        return next(
            (loc for loc in self.locations if loc.usage_point_id == usage_point_id),
            None,
        )

    def meters_of(self, usage_point_id: str) -> tuple[Meter, ...]:
        """Return the meters of a usage point (its id, `UsagePoint.id`)."""
        return tuple(m for m in self.meters if m.usage_point_id == usage_point_id)

    def programs_of(self, usage_point_id: str) -> tuple[DemandResponseProgram, ...]:
        """Return the demand-response programs of a usage point (its id, `UsagePoint.id`)."""
        return tuple(p for p in self.programs if p.usage_point_id == usage_point_id)


def parse_customer_feed(body: bytes) -> CustomerFeed:
    """Return what a customer feed (or one entry of it) holds.

    Elements PG&E leaves out are None; entries of other kinds (ServiceSupplier…) or of another
    namespace are skipped. Raises ApiResponseError when the body is not well-formed XML, holds a
    DTD or entities, is not an Atom feed or entry, or has a number or time that is not one.
    """
    root = read_xml(body, _WHAT)
    if root.tag == f"{_A}feed":
        entries = root.findall(f"{_A}entry")
    elif root.tag == f"{_A}entry":
        entries = [root]
    else:
        raise ApiResponseError(f"{_WHAT}: not an Atom feed or entry")
    found = _Found()
    for entry in entries:
        # Reversed, so that the first link of each rel wins.
        links = {
            link.get("rel"): target
            for link in reversed(entry.findall(f"{_A}link"))
            if (target := (link.get("href") or "").strip())
        }
        href = links.get("self")
        # An entry without a `self` link still says its agreement in its `up` link.
        usage_point = _usage_point_id(href) or _usage_point_id(links.get("up"))
        content = entry.find(f"{_A}content")
        for element in content if content is not None else ():
            found.add(element, href, usage_point)
    return found.feed()


class _Found:
    """The resources found so far, by kind."""

    def __init__(self) -> None:
        self.customers: list[Customer] = []
        self.accounts: list[CustomerAccount] = []
        self.agreements: list[CustomerAgreement] = []
        self.locations: list[ServiceLocation] = []
        self.meters: list[Meter] = []
        self.programs: list[DemandResponseProgram] = []
        self.mappings: list[ProgramDateMapping] = []

    def add(self, element: Element, href: str | None, usage_point: str | None) -> None:
        """File one resource (an entry's content element) under its kind."""
        if not element.tag.startswith(_C):
            return
        kind = element.tag[len(_C) :]
        if kind == "Customer":
            self.customers.append(_customer(href, element))
        elif kind == "CustomerAccount":
            self.accounts.append(CustomerAccount(href, _text(element, "name")))
        elif kind == "CustomerAgreement":
            self.agreements.append(_agreement(href, usage_point, element))
            self.programs.extend(
                _program(program, usage_point)
                for program in element.findall(f"{_C}DemandResponseProgram")
            )
        elif kind == "DemandResponseProgram":
            self.programs.append(_program(element, usage_point))
        elif kind == "ServiceLocation":
            self.locations.append(_location(href, usage_point, element))
        elif kind == "Meter":
            self.meters.append(
                Meter(
                    href=href,
                    meter_type=_text(element, "type"),
                    serial_number=_text(element, "serialNumber"),
                    interval_length=duration_or_none(
                        _integer(element, "intervalLength")
                    ),
                    usage_point_id=usage_point,
                )
            )
        elif kind == "ProgramDateIdMappings":
            self.mappings.extend(
                ProgramDateMapping(
                    date_type=_text(mapping, "programDateType"),
                    code=_text(mapping, "code"),
                    name=_text(mapping, "name"),
                    note=_text(mapping, "note"),
                )
                for mapping in element.findall(f"{_C}programDateIdMapping")
            )

    def feed(self) -> CustomerFeed:
        """Return everything found."""
        return CustomerFeed(
            customers=tuple(self.customers),
            accounts=tuple(self.accounts),
            agreements=tuple(self.agreements),
            locations=tuple(self.locations),
            meters=tuple(self.meters),
            programs=tuple(self.programs),
            program_date_mappings=tuple(self.mappings),
        )


def _customer(href: str | None, element: Element) -> Customer:
    return Customer(
        href=href,
        name=_text(element, "name") or _text(element, "Organisation", "name"),
        kind=_text(element, "kind"),
    )


def _agreement(
    href: str | None, usage_point: str | None, element: Element
) -> CustomerAgreement:
    return CustomerAgreement(
        href=href,
        service_agreement_id=_text(element, "name"),
        status=_text(element, "docStatus", "value"),
        customer_class=_text(element, "type"),
        sign_date=utc_or_none(_integer(element, "signDate")),
        usage_point_id=usage_point,
    )


def _location(
    href: str | None, usage_point: str | None, element: Element
) -> ServiceLocation:
    address = element.find(f"{_C}mainAddress")
    if address is None:
        return ServiceLocation(href, None, None, None, None, usage_point)
    street = _text(address, "streetDetail", "addressGeneral")
    if street is None:
        parts = (_text(address, "streetDetail", part) for part in _STREET_PARTS)
        street = " ".join(part for part in parts if part) or None
    return ServiceLocation(
        href=href,
        street=street,
        town=_text(address, "townDetail", "name"),
        zip_code=_text(address, "townDetail", "code") or _text(address, "postalCode"),
        state=_text(address, "townDetail", "stateOrProvince"),
        usage_point_id=usage_point,
    )


def _program(element: Element, usage_point: str | None) -> DemandResponseProgram:
    status = _text(element, "enrollmentStatus")
    return DemandResponseProgram(
        name=_text(element, "programName"),
        status=_STATUSES.get(status.casefold()) if status else None,
        description_uri=_text(element, "programDescription"),
        dates=tuple(
            ProgramDate(
                date=utc_or_none(_integer(date, "programDate")),
                description=_text(date, "programDateDescription"),
            )
            for date in element.findall(f"{_C}programDate")
        ),
        usage_point_id=usage_point,
    )


_STATUSES: Final = {status.value.casefold(): status for status in EnrollmentStatus}


def _usage_point_id(href: str | None) -> str | None:
    """Return the `CustomerAgreement/{id}` segment of an href (the UsagePoint id at PG&E)."""
    match = _AGREEMENT_SEGMENT.search(href) if href else None
    return match.group(1) if match else None


def _text(element: Element, *path: str) -> str | None:
    """Return the stripped text at `path` (customer-namespace local names); None when blank."""
    found = element.find("/".join(f"{_C}{name}" for name in path))
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _integer(element: Element, name: str) -> int | None:
    text = _text(element, name)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ApiResponseError(f"{_WHAT}: {name} is not an integer") from None
