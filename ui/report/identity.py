"""Signing identities: a key pair and an X.509 certificate kept in a password-protected PKCS#12 file.

The app creates a self-signed identity (name, organisation, email) or imports a .p12/.pfx issued by the
user's own CA. The private key only ever reaches the disk encrypted (PKCS#12, PBES2 AES-256-CBC with a
SHA-256 MAC) and the password is never stored: callers pass it for each use. The MAC's key derivation runs as
many iterations as the key's encryption (cryptography's builder fixes the MAC at 2,048, so the MAC is computed
again here with the PKCS#12 key derivation of RFC 7292, appendix B). A file is read strictly: bytes after the
PKCS#12 structure are refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto.parser import parse as parse_der
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from db.paths import data_dir
from planner import clock
from ui.report.files import ReportError, write_atomic

IDENTITY_DIR_NAME = "identities"
KEY_BITS = 3072
VALID_DAYS = 3 * 365
KDF_ROUNDS = 200_000
"""Iterations of the key derivation for the key's encryption and for the file's MAC alike."""
PASSWORD_ENV = "PLANNER_KEY_PASSWORD"
MIN_PASSWORD_CHARS = 8


class IdentityError(ReportError):
    """A signing identity could not be created, read or used; the message says which file and why."""


@dataclass(frozen=True)
class Identity:
    """A loaded identity: the private key (in memory only), its certificate and any CA certificates."""

    path: Path | None
    key: PrivateKeyTypes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def name(self) -> str:
        return subject_field(self.certificate, NameOID.COMMON_NAME) or "(no name)"

    @property
    def organisation(self) -> str:
        return subject_field(self.certificate, NameOID.ORGANIZATION_NAME)

    @property
    def email(self) -> str:
        return subject_field(self.certificate, NameOID.EMAIL_ADDRESS)

    @property
    def self_signed(self) -> bool:
        return self.certificate.issuer == self.certificate.subject

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def subject_field(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def identity_dir() -> Path:
    """Where identities created or imported by the app live (inside the user data directory)."""
    path = data_dir() / IDENTITY_DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_identity_path(name: str, suffix: str = ".p12") -> Path:
    """A new file name in the identity directory for ``name`` (never an existing one: keys are not replaced)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower() or "identity"
    path = identity_dir() / f"{slug}{suffix}"
    n = 2
    while path.exists():
        path = identity_dir() / f"{slug}-{n}{suffix}"
        n += 1
    return path


def list_identities() -> list[Path]:
    """PKCS#12 files in the identity directory, newest first."""
    files = [p for p in identity_dir().iterdir() if p.suffix.lower() in (".p12", ".pfx")]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def check_password(password: str) -> bytes:
    if len(password) < MIN_PASSWORD_CHARS:
        raise IdentityError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    return password.encode("utf-8")


def create_identity(
    name: str,
    organisation: str,
    email: str,
    password: str,
    out: str | os.PathLike[str] | None = None,
    *,
    valid_days: int = VALID_DAYS,
    now: dt.datetime | None = None,
) -> Path:
    """Create an RSA-3072 key and a self-signed certificate for ``name``/``organisation``/``email`` and write
    them as a PKCS#12 file encrypted with ``password`` to ``out`` (default: the identity directory).
    Returns the path written. The file is written to a temporary name and renamed, never left half-written.
    """
    if not name.strip():
        raise IdentityError("the signer's name must not be empty")
    if "@" not in email:
        raise IdentityError(f"{email!r} is not an email address")
    secret = check_password(password)
    path = Path(out) if out is not None else default_identity_path(name)
    if path.exists():
        raise IdentityError(
            f"{path}: already exists; a signing key is never overwritten (choose another file)"
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = _self_signed_certificate(key, name, organisation, email, valid_days, now)
    blob = _encrypted_pkcs12(name, key, cert, (), secret)
    write_atomic(path, blob, mode=0o600)
    return path


def _self_signed_certificate(
    key: rsa.RSAPrivateKey,
    name: str,
    organisation: str,
    email: str,
    valid_days: int,
    now: dt.datetime | None,
) -> x509.Certificate:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name.strip())]
    if organisation.strip():
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()))
    attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email.strip()))
    subject = x509.Name(attrs)
    start = (now or clock.now()) - dt.timedelta(minutes=5)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email.strip())]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )


def _encrypted_pkcs12(
    name: str, key: object, cert: x509.Certificate, chain: tuple[x509.Certificate, ...], secret: bytes
) -> bytes:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(secret)
    )
    blob = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"),
        key,  # type: ignore[arg-type]
        cert,
        list(chain) or None,
        encryption,
    )
    return with_mac(blob, secret.decode("utf-8"), KDF_ROUNDS)


def pkcs12_kdf(password: str, salt: bytes, purpose: int, iterations: int, length: int = 32) -> bytes:
    """RFC 7292 appendix B.2 key derivation with SHA-256 (u = 32, v = 64 bytes); ``purpose`` 3 is the MAC
    key. The password is taken as a BMPString with its two-byte terminator (appendix B.1)."""
    v = 64

    def fill(b: bytes) -> bytes:
        if not b:
            return b""
        n = v * ((len(b) + v - 1) // v)
        return (b * (n // len(b) + 1))[:n]

    secret = password.encode("utf-16-be") + b"\0\0"
    block = bytes([purpose]) * v + fill(salt) + fill(secret)
    digest = hashlib.sha256(block).digest()
    for _ in range(iterations - 1):
        digest = hashlib.sha256(digest).digest()
    if length > len(digest):
        raise ValueError("a SHA-256 MAC key is at most 32 bytes")
    return digest[:length]


def with_mac(blob: bytes, password: str, iterations: int) -> bytes:
    """``blob`` (a PKCS#12 file) with its MAC computed again: HMAC-SHA256, a fresh 16-byte salt and
    ``iterations`` rounds of the PKCS#12 key derivation."""
    pfx = asn1_pkcs12.Pfx.load(blob)
    content = pfx["auth_safe"]["content"].native
    salt = os.urandom(16)
    key = pkcs12_kdf(password, salt, 3, iterations)
    mac = asn1_pkcs12.MacData(
        {
            "mac": {
                "digest_algorithm": {"algorithm": "sha256"},
                "digest": hmac.digest(key, content, "sha256"),
            },
            "mac_salt": salt,
            "iterations": iterations,
        }
    )
    out = asn1_pkcs12.Pfx({"version": pfx["version"], "auth_safe": pfx["auth_safe"], "mac_data": mac})
    return bytes(out.dump(force=False))


def load_identity(path: str | os.PathLike[str], password: str, *, now: dt.datetime | None = None) -> Identity:
    """Read a PKCS#12 file. Raises :class:`IdentityError` for a missing/unreadable file, a wrong password or
    corrupt data, a file with no private key, or a certificate not valid today (expired or not yet valid).
    """
    p = Path(path)
    try:
        blob = p.read_bytes()
    except FileNotFoundError:
        raise IdentityError(f"{p}: no such identity file") from None
    except OSError as exc:
        raise IdentityError(f"{p}: cannot be read ({exc.strerror})") from None
    _check_structure(p, blob)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(blob, password.encode("utf-8"))
    except ValueError:
        raise IdentityError(
            f"{p}: wrong password, or the file is not a valid PKCS#12 (.p12/.pfx) identity"
        ) from None
    if key is None or cert is None:
        raise IdentityError(f"{p}: holds no private key and certificate to sign with")
    _check_validity(p, cert, now or clock.now())
    return Identity(path=p, key=key, certificate=cert, chain=tuple(extra))


def _check_structure(p: Path, blob: bytes) -> None:
    """One DER structure and nothing after it: trailing bytes mean the file was damaged or tampered with."""
    try:
        _cls, _method, _tag, header, contents, trailer = parse_der(blob)
    except ValueError:
        raise IdentityError(
            f"{p}: not a valid PKCS#12 (.p12/.pfx) identity (its structure is damaged)"
        ) from None
    extra = len(blob) - len(header) - len(contents) - len(trailer)
    if extra:
        raise IdentityError(
            f"{p}: {extra} byte(s) of unexpected data follow the PKCS#12 identity; the file was damaged or "
            "altered, so it is not used"
        )


def check_certificate_dates(label: str, cert: x509.Certificate, now: dt.datetime) -> None:
    """Refuse a certificate that is expired or not yet valid at ``now``, with its dates."""
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now > end:
        raise IdentityError(
            f"{label}: the certificate expired on {end:%Y-%m-%d %H:%M} UTC (valid from {start:%Y-%m-%d}); "
            "create or import a new identity"
        )
    if now < start:
        raise IdentityError(
            f"{label}: the certificate is not valid before {start:%Y-%m-%d %H:%M} UTC (until {end:%Y-%m-%d}); "
            "check the computer's clock or the certificate"
        )


def _check_validity(p: Path, cert: x509.Certificate, now: dt.datetime) -> None:
    check_certificate_dates(str(p), cert, now)


def import_identity(path: str | os.PathLike[str], password: str) -> Path:
    """Check that ``path`` opens with ``password`` and copy it (still encrypted, byte for byte) into the
    identity directory. Returns the new path."""
    identity = load_identity(path, password)
    suffix = Path(path).suffix.lower() if Path(path).suffix.lower() in (".p12", ".pfx") else ".p12"
    target = default_identity_path(Path(path).stem, suffix)
    write_atomic(target, Path(path).read_bytes(), mode=0o600)
    del identity
    return target


def write_certificate_pem(identity: Identity, out: str | os.PathLike[str]) -> Path:
    """Write the identity's public certificate (PEM): recipients give it to ``planner verify --trust``."""
    path = Path(out)
    write_atomic(path, identity.certificate_pem(), mode=0o644)
    return path
