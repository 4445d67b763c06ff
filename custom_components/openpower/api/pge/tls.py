"""The client certificate of a Share My Data registration, checked and made into an SSL context.

PG&E answers every request without a valid client certificate with a bare 400 "Invalid
Certificate" (`reference/apis-pge-enedis.md` §1.1, §1.8): checking the certificate and its key
here gives the user a precise reason before any request is made.

Blocking (the `ssl` module reads the chain from files): call `load_client_certificate` in an
executor. Nothing here logs or repeats key material; the temporary files holding the chain for
`SSLContext.load_cert_chain` live in a private directory (0700, files 0600) removed at once.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
import os
from pathlib import Path
import ssl
import tempfile
from typing import Final, Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.x509.oid import NameOID

from ..errors import ApiCertificateError

type CertificateProblem = Literal[
    "invalid_certificate",
    "invalid_key",
    "key_mismatch",
    "certificate_expired",
    "invalid_ca",
]

_PEM_CERTIFICATE: Final = "-----BEGIN CERTIFICATE-----"
_MESSAGES: Final[dict[str, str]] = {
    "invalid_certificate": "the client certificate is not a usable PEM X.509 certificate",
    "invalid_key": "the private key is not an unencrypted PEM private key",
    "key_mismatch": "the private key does not belong to the client certificate",
    "certificate_expired": "the client certificate has expired",
    "invalid_ca": "the CA certificate is not PEM X.509 certificates",
}


class CertificateError(ApiCertificateError):
    """The certificate, key or CA cannot be used; `reason` says why (a form error key)."""

    def __init__(self, reason: CertificateProblem, message: str | None = None) -> None:
        """Keep the reason; the message is short and never holds key material."""
        super().__init__(reason, message or _MESSAGES[reason])
        self.reason: CertificateProblem = reason


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """A checked client certificate and the SSL context presenting it (mutual TLS)."""

    ssl_context: ssl.SSLContext
    not_valid_after: datetime
    """End of validity (aware, UTC)."""
    subject: str
    """The subject's common name, else its RFC 4514 string."""
    issuer: str
    """The issuer's common name, else its RFC 4514 string."""
    fingerprint: str
    """SHA-256 of the certificate (DER), lower-case hex: for diagnostics."""


def load_client_certificate(
    certificate_pem: str,
    private_key_pem: str,
    ca_pem: str | None = None,
    *,
    now: datetime | None = None,
) -> ClientCertificate:
    """Check the certificate (chain), key and optional CA, and build the TLS ≥ 1.2 context.

    `certificate_pem` may hold the chain: the first certificate is the client's. `ca_pem` (PEM
    certificates) is trusted for the server in addition to the system store; blank means none.
    The certificate must be valid at `now` (default: the current time). Raises CertificateError.
    """
    chain = _certificates(certificate_pem, "invalid_certificate")
    leaf = chain[0]
    key = _private_key(private_key_pem)
    if _public_der(leaf.public_key()) != _public_der(key.public_key()):
        raise CertificateError("key_mismatch")
    moment = now or datetime.now(UTC)
    if leaf.not_valid_after_utc < moment:
        raise CertificateError("certificate_expired")
    if leaf.not_valid_before_utc > moment:
        raise CertificateError(
            "invalid_certificate", "the client certificate is not valid yet"
        )
    ca = ca_pem if ca_pem and ca_pem.strip() else None
    if ca is not None:
        _certificates(ca, "invalid_ca")

    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca is not None:
        try:
            context.load_verify_locations(cadata=ca)
        except (ssl.SSLError, ValueError) as err:  # pragma: no cover - parsed above
            raise CertificateError("invalid_ca") from err
    _load_chain(context, chain, key)
    return ClientCertificate(
        ssl_context=context,
        not_valid_after=leaf.not_valid_after_utc,
        subject=_name(leaf.subject),
        issuer=_name(leaf.issuer),
        fingerprint=leaf.fingerprint(hashes.SHA256()).hex(),
    )


def certificate_expiry(certificate_pem: str) -> datetime:
    """End of validity (aware, UTC) of the first certificate of `certificate_pem`."""
    return _certificates(certificate_pem, "invalid_certificate")[0].not_valid_after_utc


def _certificates(text: str, reason: CertificateProblem) -> list[x509.Certificate]:
    if not isinstance(text, str) or _PEM_CERTIFICATE not in text:
        raise CertificateError(reason)
    try:
        certificates = x509.load_pem_x509_certificates(text.encode())
    except (ValueError, UnicodeError) as err:
        raise CertificateError(reason) from err
    if not certificates:  # pragma: no cover - cryptography raises instead
        raise CertificateError(reason)
    return certificates


def _private_key(text: str) -> PrivateKeyTypes:
    if not isinstance(text, str) or "PRIVATE KEY-----" not in text:
        raise CertificateError("invalid_key")
    try:
        return serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm) as err:
        # TypeError: the key is encrypted (no password can be given here).
        raise CertificateError("invalid_key") from err


def _public_der(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _name(name: x509.Name) -> str:
    common_names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common_names:
        value = common_names[0].value
        return value if isinstance(value, str) else value.decode(errors="replace")
    return name.rfc4514_string()


def _load_chain(
    context: ssl.SSLContext, chain: list[x509.Certificate], key: PrivateKeyTypes
) -> None:
    """Load the chain and key into `context` through 0600 files in a private directory."""
    certificates = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    try:
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    except (
        ValueError,
        TypeError,
    ) as err:  # pragma: no cover - keys that cannot be PKCS8
        raise CertificateError("invalid_key") from err
    with tempfile.TemporaryDirectory(prefix="openpower-tls-") as directory:
        cert_path = Path(directory, "client.pem")
        key_path = Path(directory, "client.key")
        _write_private(cert_path, certificates)
        _write_private(key_path, key_pem)
        try:
            context.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as err:
            raise CertificateError(
                "invalid_certificate", "the client certificate cannot be used for TLS"
            ) from err


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
