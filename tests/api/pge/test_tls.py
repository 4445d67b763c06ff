"""The PG&E client certificate: every refusal reason, chains, the SSL context, the temp files."""

from datetime import UTC, datetime
import os
from pathlib import Path
import ssl
import stat
import tempfile
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import pytest

from custom_components.openpower.api.pge import (
    CertificateError,
    ClientCertificate,
    certificate_expiry,
    load_client_certificate,
)
from tests.simulator.pki import (
    CA_NAME,
    CLIENT_NAME,
    EXPIRED_NOT_AFTER,
    NOT_AFTER,
    NOT_BEFORE,
    ROGUE_CA_NAME,
    TestPki,
    pki_material,
)

NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def material() -> TestPki:
    """The simulator's test PKI (generated once per process)."""
    return pki_material()


def _load(
    cert: bytes, key: bytes, ca: bytes | str | None = None, **kwargs: Any
) -> ClientCertificate:
    return load_client_certificate(
        cert.decode(),
        key.decode(),
        ca.decode() if isinstance(ca, bytes) else ca,
        **kwargs,
    )


def test_valid_certificate(material: TestPki) -> None:
    """Subject, issuer, expiry, fingerprint, and a TLS ≥ 1.2 context trusting the CA."""
    loaded = _load(material.client.cert, material.client.key, material.ca.cert, now=NOW)
    leaf = x509.load_pem_x509_certificate(material.client.cert)
    assert loaded.subject == CLIENT_NAME
    assert loaded.issuer == CA_NAME
    assert loaded.not_valid_after == NOT_AFTER
    assert loaded.not_valid_after.tzinfo is not None
    assert loaded.fingerprint == leaf.fingerprint(hashes.SHA256()).hex()
    assert len(loaded.fingerprint) == 64
    context = loaded.ssl_context
    assert isinstance(context, ssl.SSLContext)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    trusted = [
        dict(item[0] for item in ca["subject"]).get("commonName")
        for ca in context.get_ca_certs()
    ]
    assert CA_NAME in trusted


def test_without_ca_the_test_ca_is_not_trusted(material: TestPki) -> None:
    """No CA text (None or blank): only the system store."""
    for ca in (None, "", "  \n"):
        loaded = _load(material.client.cert, material.client.key, ca)
        names = [
            dict(item[0] for item in cert["subject"]).get("commonName")
            for cert in loaded.ssl_context.get_ca_certs()
        ]
        assert CA_NAME not in names


def test_chain_pem_first_certificate_is_the_leaf(material: TestPki) -> None:
    """A PEM holding the chain (leaf then CA), with text around it, is accepted."""
    chain = b"Bag Attributes\n" + material.client.cert + b"\n" + material.ca.cert
    loaded = _load(chain, material.client.key, material.ca.cert)
    assert loaded.subject == CLIENT_NAME
    assert certificate_expiry(chain.decode()) == NOT_AFTER


def test_ca_bundle_of_several_certificates(material: TestPki) -> None:
    """The CA field may hold several certificates; all are trusted."""
    bundle = material.ca.cert + material.rogue_ca.cert
    loaded = _load(material.client.cert, material.client.key, bundle)
    names = {
        dict(item[0] for item in cert["subject"]).get("commonName")
        for cert in loaded.ssl_context.get_ca_certs()
    }
    assert {CA_NAME, ROGUE_CA_NAME} <= names


def test_rogue_certificate_is_loadable(material: TestPki) -> None:
    """Another authority's certificate is a valid certificate here (PG&E refuses it)."""
    loaded = _load(material.rogue_client.cert, material.rogue_client.key)
    assert loaded.issuer == ROGUE_CA_NAME


def test_expiry_is_checked_against_now(material: TestPki) -> None:
    """Expired today, valid in 2000: `now` decides."""
    with pytest.raises(CertificateError) as err:
        _load(material.expired_client.cert, material.client.key, now=NOW)
    assert err.value.reason == "certificate_expired"
    loaded = _load(
        material.expired_client.cert,
        material.client.key,
        now=datetime(2000, 6, 1, tzinfo=UTC),
    )
    assert loaded.not_valid_after == EXPIRED_NOT_AFTER
    assert (
        certificate_expiry(material.expired_client.cert.decode()) == EXPIRED_NOT_AFTER
    )


def _encrypted(key_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(key_pem, password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret-passphrase"),
    )


def _ec_key() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


BROKEN_PEM = (
    "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("garbage_certificate", "invalid_certificate"),
        ("empty_certificate", "invalid_certificate"),
        ("broken_certificate", "invalid_certificate"),
        ("key_as_certificate", "invalid_certificate"),
        ("not_yet_valid", "invalid_certificate"),
        ("garbage_key", "invalid_key"),
        ("empty_key", "invalid_key"),
        ("certificate_as_key", "invalid_key"),
        ("encrypted_key", "invalid_key"),
        ("broken_key", "invalid_key"),
        ("mismatched_key", "key_mismatch"),
        ("other_type_key", "key_mismatch"),
        ("rogue_key", "key_mismatch"),
        ("expired", "certificate_expired"),
        ("garbage_ca", "invalid_ca"),
        ("broken_ca", "invalid_ca"),
        ("key_as_ca", "invalid_ca"),
    ],
)
def test_refusals(material: TestPki, case: str, reason: str) -> None:
    """Each problem has its reason; messages are short and hold no key material."""
    cert, key = material.client.cert.decode(), material.client.key.decode()
    ca: str | None = material.ca.cert.decode()
    now = NOW
    match case:
        case "garbage_certificate":
            cert = "hello, I am a certificate"
        case "empty_certificate":
            cert = ""
        case "broken_certificate":
            cert = BROKEN_PEM
        case "key_as_certificate":
            cert = key
        case "not_yet_valid":
            now = datetime(1999, 12, 31, tzinfo=UTC)
        case "garbage_key":
            key = "garbage"
        case "empty_key":
            key = ""
        case "certificate_as_key":
            key = cert
        case "encrypted_key":
            key = _encrypted(material.client.key).decode()
        case "broken_key":
            key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        case "mismatched_key":
            key = material.mismatched_key.decode()
        case "other_type_key":
            key = _ec_key().decode()
        case "rogue_key":
            key = material.rogue_client.key.decode()
        case "expired":
            cert = material.expired_client.cert.decode()
        case "garbage_ca":
            ca = "my CA"
        case "broken_ca":
            ca = BROKEN_PEM
        case "key_as_ca":
            ca = key
    with pytest.raises(CertificateError) as err:
        load_client_certificate(cert, key, ca, now=now)
    assert err.value.reason == reason
    message = str(err.value)
    assert 0 < len(message) < 80
    assert "-----" not in message
    assert "PRIVATE" not in message
    for line in material.client.key.decode().splitlines()[1:-1]:
        assert line not in message
    assert err.value.__cause__ is None or material.client.key.decode() not in str(
        err.value.__cause__
    )


def test_default_now_is_the_current_time(material: TestPki) -> None:
    """Without `now`, an expired certificate is refused (and a valid one accepted)."""
    with pytest.raises(CertificateError, match="expired"):
        _load(material.expired_client.cert, material.client.key)
    assert _load(material.client.cert, material.client.key).subject == CLIENT_NAME


def test_private_temporary_files_are_removed(
    material: TestPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chain goes through 0600 files in a 0700 directory, gone once loaded."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[tuple[int, int, int, bytes]] = []
    original = ssl.SSLContext.load_cert_chain

    def spy(
        context: ssl.SSLContext, certfile: Any, keyfile: Any = None, **kw: Any
    ) -> None:
        directory = Path(certfile).parent
        seen.append(
            (
                stat.S_IMODE(os.stat(directory).st_mode),
                stat.S_IMODE(os.stat(certfile).st_mode),
                stat.S_IMODE(os.stat(keyfile).st_mode),
                Path(keyfile).read_bytes()[:40],
            )
        )
        original(context, certfile, keyfile, **kw)

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", spy)
    _load(material.client.cert, material.client.key, material.ca.cert)
    assert len(seen) == 1
    directory_mode, cert_mode, key_mode, key_start = seen[0]
    assert (directory_mode, cert_mode, key_mode) == (0o700, 0o600, 0o600)
    assert key_start.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_are_removed_on_failure(
    material: TestPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SSL refusal while loading still removes the files, and is a CertificateError."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refuse(context: ssl.SSLContext, *args: Any, **kw: Any) -> None:
        raise ssl.SSLError("key values mismatch")

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", refuse)
    with pytest.raises(CertificateError) as err:
        _load(material.client.cert, material.client.key)
    assert err.value.reason == "invalid_certificate"
    assert list(tmp_path.iterdir()) == []


def test_subject_without_common_name() -> None:
    """No CN: the RFC 4514 string names subject and issuer."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme, Inc")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .sign(key, hashes.SHA256())
    )
    loaded = load_client_certificate(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode(),
        now=NOW,
    )
    assert loaded.subject == loaded.issuer == "O=Acme\\, Inc"


def test_not_before_boundary(material: TestPki) -> None:
    """Valid from its first second."""
    assert _load(material.client.cert, material.client.key, now=NOT_BEFORE).subject
