"""Certificates for the simulator's mutual TLS (PG&E Share My Data), generated at test time.

Everything is made with the `cryptography` package (installed with Home Assistant), once per
process (`pki_material()` is cached), and written to a temporary directory only when paths are asked
for (`pki_files()`, removed when the process exits). `use_directory(path)` keeps them in a
directory instead, reused across runs (`python -m tests.simulator --pki-dir`, for
`scripts/develop`, whose Home Assistant keeps trusting the same CA). Keys are RSA 2048 and signatures SHA-256,
the minimum PG&E accepts ("a valid, unexpired, CA-issued SHA-2 X.509 client certificate, RSA >=
2048 bits").

| material | what it is |
|---|---|
| `ca` | "OpenPower Test CA": the authority the simulator trusts for client certificates and that signs its server certificate. The integration trusts it through the `advanced` section. |
| `server` | the simulator's HTTPS certificate: CN `127.0.0.1`, SAN IP 127.0.0.1, ::1 and DNS localhost, EKU serverAuth |
| `client` | a valid client certificate ("OpenPower Test Client", EKU clientAuth + serverAuth, like a PG&E registration certificate that also serves the notification URI) and its key |
| `expired_client` | same subject and key as `client`, valid only 2000-01-01..2001-01-01 |
| `rogue_client` | a client certificate from another authority ("Rogue Test CA", `rogue_ca`), with its own key |
| `mismatched_key` | an RSA key that belongs to no certificate: `load_cert_chain(client, mismatched_key)` fails |

Validity: the CA, the server and the valid client certificates run from 2000-01-01 to
2099-12-31, so they are valid whatever a test's clock says (the simulator checks client
certificates against ITS clock, a TLS client checks the server's against real time).
"""

import atexit
from dataclasses import dataclass
from datetime import UTC, datetime
import ipaddress
from pathlib import Path
import shutil
import ssl
import tempfile
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME: Final = "OpenPower Test CA"
ROGUE_CA_NAME: Final = "Rogue Test CA"
CLIENT_NAME: Final = "OpenPower Test Client"
SERVER_NAME: Final = "127.0.0.1"
NOT_BEFORE: Final = datetime(2000, 1, 1, tzinfo=UTC)
NOT_AFTER: Final = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
EXPIRED_NOT_AFTER: Final = datetime(2001, 1, 1, tzinfo=UTC)

_KEY_SIZE: Final = 2048


@dataclass(frozen=True, slots=True)
class Pem:
    """A certificate and its private key, PEM-encoded."""

    cert: bytes
    key: bytes


@dataclass(frozen=True, slots=True)
class TestPki:
    """Every certificate and key the PG&E part of the simulator needs (PEM bytes)."""

    __test__ = False  # not a pytest test class

    ca: Pem
    rogue_ca: Pem
    server: Pem
    client: Pem
    expired_client: Pem
    rogue_client: Pem
    mismatched_key: bytes

    def ca_certificate(self) -> x509.Certificate:
        """Return the test CA certificate (to check a client certificate's issuer)."""
        return x509.load_pem_x509_certificate(self.ca.cert)


@dataclass(frozen=True, slots=True)
class PkiFiles:
    """Paths of the PEM files written by `pki_files()`."""

    directory: Path
    ca_cert: Path
    rogue_ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    expired_client_cert: Path
    rogue_client_cert: Path
    rogue_client_key: Path
    mismatched_key: Path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OpenPower tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    *,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    usages: list[x509.ObjectIdentifier] | None = None,
    san: list[x509.GeneralName] | None = None,
    serial: int,
    not_after: datetime = NOT_AFTER,
) -> x509.Certificate:
    """Sign a certificate; `issuer` None makes a self-signed CA."""
    name = _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        return builder.sign(key, hashes.SHA256())
    builder = (
        builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages or []), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(san), critical=False
        )
    return builder.sign(issuer[1], hashes.SHA256())


def _pem(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> Pem:
    return Pem(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


_FILE_NAMES: Final = {
    "ca.pem": ("ca", "cert"),
    "ca.key": ("ca", "key"),
    "rogue-ca.pem": ("rogue_ca", "cert"),
    "rogue-ca.key": ("rogue_ca", "key"),
    "server.pem": ("server", "cert"),
    "server.key": ("server", "key"),
    "client.pem": ("client", "cert"),
    "client.key": ("client", "key"),
    "client-expired.pem": ("expired_client", "cert"),
    "rogue-client.pem": ("rogue_client", "cert"),
    "rogue-client.key": ("rogue_client", "key"),
    "mismatched.key": ("mismatched_key", ""),
}
_state: dict[str, object] = {}


def pki_material() -> TestPki:
    """The test CA, the server and the client certificates (generated once per process)."""
    material = _state.get("pki")
    if not isinstance(material, TestPki):
        material = _generate()
        _state["pki"] = material
    return material


def _generate() -> TestPki:
    ca_key, rogue_key = _key(), _key()
    ca = _certificate(CA_NAME, ca_key, issuer=None, serial=1)
    rogue_ca = _certificate(ROGUE_CA_NAME, rogue_key, issuer=None, serial=1)
    server_key, client_key, rogue_client_key = _key(), _key(), _key()
    server = _certificate(
        SERVER_NAME,
        server_key,
        issuer=(ca, ca_key),
        usages=[ExtendedKeyUsageOID.SERVER_AUTH],
        san=[
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
            x509.DNSName("localhost"),
        ],
        serial=2,
    )
    client_usages = [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]
    client = _certificate(
        CLIENT_NAME, client_key, issuer=(ca, ca_key), usages=client_usages, serial=3
    )
    expired = _certificate(
        CLIENT_NAME,
        client_key,
        issuer=(ca, ca_key),
        usages=client_usages,
        serial=4,
        not_after=EXPIRED_NOT_AFTER,
    )
    rogue_client = _certificate(
        CLIENT_NAME,
        rogue_client_key,
        issuer=(rogue_ca, rogue_key),
        usages=client_usages,
        serial=5,
    )
    return TestPki(
        ca=_pem(ca, ca_key),
        rogue_ca=_pem(rogue_ca, rogue_key),
        server=_pem(server, server_key),
        client=_pem(client, client_key),
        expired_client=_pem(expired, client_key),
        rogue_client=_pem(rogue_client, rogue_client_key),
        mismatched_key=_key_pem(_key()),
    )


def _pem_bytes(material: TestPki, attribute: str, part: str) -> bytes:
    value = getattr(material, attribute)
    return value if isinstance(value, bytes) else getattr(value, part)


def _write(material: TestPki, directory: Path) -> None:
    for name, (attribute, part) in _FILE_NAMES.items():
        path = directory / name
        path.write_bytes(_pem_bytes(material, attribute, part))
        if name.endswith(".key"):
            path.chmod(0o600)


def pki_files() -> PkiFiles:
    """Write the PEM files to a temporary directory (once per process) and return the paths."""
    files = _state.get("files")
    if isinstance(files, PkiFiles):
        return files
    directory = Path(tempfile.mkdtemp(prefix="openpower-pki-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _write(pki_material(), directory)
    files = _paths(directory)
    _state["files"] = files
    return files


def use_directory(directory: Path) -> PkiFiles:
    """Keep the certificates in `directory` across runs (`scripts/develop`).

    Loads them when they are all there, otherwise generates new ones and writes them; the
    process uses them from now on.
    """
    directory.mkdir(parents=True, exist_ok=True)
    if all((directory / name).is_file() for name in _FILE_NAMES):
        data = {name: (directory / name).read_bytes() for name in _FILE_NAMES}
        material = TestPki(
            ca=Pem(data["ca.pem"], data["ca.key"]),
            rogue_ca=Pem(data["rogue-ca.pem"], data["rogue-ca.key"]),
            server=Pem(data["server.pem"], data["server.key"]),
            client=Pem(data["client.pem"], data["client.key"]),
            expired_client=Pem(data["client-expired.pem"], data["client.key"]),
            rogue_client=Pem(data["rogue-client.pem"], data["rogue-client.key"]),
            mismatched_key=data["mismatched.key"],
        )
    else:
        material = _generate()
        _write(material, directory)
    _state["pki"] = material
    files = _paths(directory)
    _state["files"] = files
    return files


def _paths(directory: Path) -> PkiFiles:
    return PkiFiles(
        directory=directory,
        ca_cert=directory / "ca.pem",
        rogue_ca_cert=directory / "rogue-ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
        expired_client_cert=directory / "client-expired.pem",
        rogue_client_cert=directory / "rogue-client.pem",
        rogue_client_key=directory / "rogue-client.key",
        mismatched_key=directory / "mismatched.key",
    )


_X509_V_FLAG_NO_CHECK_TIME: Final = 0x200000
"""OpenSSL's X509_V_FLAG_NO_CHECK_TIME (not exported by `ssl`): ignore validity dates."""


def server_ssl_context() -> ssl.SSLContext:
    """The simulator's HTTPS context: TLS 1.2 only, client certificate requested, not required.

    The handshake accepts a client certificate from the test CA or the rogue CA whatever its
    dates (so the application, not the handshake, refuses it with PG&E's 400 "Invalid
    Certificate", checking dates against the simulator clock); a certificate from any other
    issuer fails the handshake. Blocking (reads files): call it in an executor.
    """
    files = pki_files()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_cert, files.server_key)
    context.load_verify_locations(cafile=files.ca_cert)
    context.load_verify_locations(cafile=files.rogue_ca_cert)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.verify_flags |= _X509_V_FLAG_NO_CHECK_TIME
    return context


def client_ssl_context(
    cert: str = "client", *, trust_ca: bool = True
) -> ssl.SSLContext:
    """A TLS client context for tests and benchmarks (blocking: reads files).

    `cert` is `"client"`, `"expired"`, `"rogue"`, `"mismatched"` (raises `ssl.SSLError`) or
    `"none"`; `trust_ca` False trusts only the system store (the handshake then fails).
    """
    files = pki_files()
    context = ssl.create_default_context(
        cafile=str(files.ca_cert) if trust_ca else None
    )
    chains = {
        "client": (files.client_cert, files.client_key),
        "expired": (files.expired_client_cert, files.client_key),
        "rogue": (files.rogue_client_cert, files.rogue_client_key),
        "mismatched": (files.client_cert, files.mismatched_key),
    }
    if cert != "none":
        context.load_cert_chain(*chains[cert])
    return context


def check_client_certificate(der: bytes | None, now: datetime) -> bool:
    """Whether a client certificate (DER) is issued by the test CA and valid at `now`."""
    if der is None:
        return False
    try:
        cert = x509.load_der_x509_certificate(der)
        cert.verify_directly_issued_by(pki_material().ca_certificate())
    except ValueError, TypeError, InvalidSignature:
        return False
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
