"""PG&E Share My Data (Green Button Connect / ESPI 1.1) client pieces.

`client.py` (token, service status, data requests, notified-feed fetches), `registration.py` (the
registration tests), `resources.py` (the Authorization and ReadServiceStatus answers), `espi/`
(the streaming feed parser), `notification.py` (the BatchList PG&E posts), `tls.py` (the client
certificate).
"""

from .client import (
    DEFAULT_API_URL,
    PGE_LIMITS,
    RESOURCE_PATH,
    TRANSACTION_HEADERS,
    BulkRequest,
    CertificateRejectedError,
    PgeClient,
    describe,
    transaction_label,
)
from .espi import (
    ATOM_NS,
    ESPI_NS,
    FLOW_DELIVERED,
    FLOW_NET,
    FLOW_RECEIVED,
    SERVICE_ELECTRICITY,
    SERVICE_GAS,
    UOM_THERM,
    UOM_WH,
    CostDetail,
    EspiDocument,
    EspiFeed,
    EspiParser,
    IntervalBlock,
    IntervalReading,
    LocalTimeParameters,
    MeterReading,
    Quantity,
    ReadingType,
    UsagePoint,
    UsageSummary,
    parse_espi,
)
from .notification import MAX_NOTIFICATION_BYTES, correlation_id, parse_batch_list
from .registration import RegistrationStep, async_registration_tests
from .resources import Authorization, parse_authorizations
from .tls import (
    CertificateError,
    ClientCertificate,
    certificate_expiry,
    load_client_certificate,
)

__all__ = [
    "ATOM_NS",
    "DEFAULT_API_URL",
    "ESPI_NS",
    "FLOW_DELIVERED",
    "FLOW_NET",
    "FLOW_RECEIVED",
    "MAX_NOTIFICATION_BYTES",
    "PGE_LIMITS",
    "RESOURCE_PATH",
    "TRANSACTION_HEADERS",
    "SERVICE_ELECTRICITY",
    "SERVICE_GAS",
    "UOM_THERM",
    "UOM_WH",
    "Authorization",
    "BulkRequest",
    "CertificateError",
    "CertificateRejectedError",
    "ClientCertificate",
    "CostDetail",
    "EspiDocument",
    "EspiFeed",
    "EspiParser",
    "IntervalBlock",
    "IntervalReading",
    "LocalTimeParameters",
    "MeterReading",
    "PgeClient",
    "Quantity",
    "ReadingType",
    "RegistrationStep",
    "UsagePoint",
    "UsageSummary",
    "async_registration_tests",
    "certificate_expiry",
    "correlation_id",
    "describe",
    "load_client_certificate",
    "parse_authorizations",
    "parse_batch_list",
    "parse_espi",
    "transaction_label",
]
