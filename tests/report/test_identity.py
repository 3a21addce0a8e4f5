"""Signing identities: real RSA keys and certificates in encrypted PKCS#12 files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from db.paths import data_dir
from tests.report.conftest import PASSWORD, SIGNER
from ui.report.files import ReportError
from ui.report.identity import (
    IdentityError,
    create_identity,
    import_identity,
    list_identities,
    load_identity,
    write_certificate_pem,
)


def test_created_identity_holds_name_org_email_in_a_self_signed_certificate(identity_file: Path) -> None:
    ident = load_identity(identity_file, PASSWORD)
    cert = ident.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SIGNER
    assert ident.organisation == "Conseil Énergie SàRL"
    assert ident.email == "zoe@example.com"
    assert ident.self_signed
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == "sha256"


def test_private_key_is_never_on_disk_unencrypted(identity_file: Path) -> None:
    blob = identity_file.read_bytes()
    assert b"PRIVATE KEY" not in blob
    assert PASSWORD.encode() not in blob
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(blob, None)
    assert identity_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_wrong_password_fails_with_a_clear_message(identity_file: Path) -> None:
    with pytest.raises(IdentityError, match="wrong password"):
        load_identity(identity_file, "not the password")


def test_corrupt_file_fails_cleanly(tmp_path: Path, identity_file: Path) -> None:
    bad = tmp_path / "bad.p12"
    bad.write_bytes(identity_file.read_bytes()[:200])
    with pytest.raises(IdentityError, match="not a valid PKCS#12"):
        load_identity(bad, PASSWORD)
    with pytest.raises(IdentityError, match="no such identity file"):
        load_identity(tmp_path / "missing.p12", PASSWORD)


def test_expired_certificate_is_refused(tmp_path: Path) -> None:
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    path = create_identity(
        "Old Signer", "", "old@example.com", PASSWORD, tmp_path / "old.p12", valid_days=30, now=long_ago
    )
    with pytest.raises(IdentityError, match="expired on 2020-01-30"):
        load_identity(path, PASSWORD)


def test_short_password_and_bad_email_are_refused(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="at least 8"):
        create_identity("A", "", "a@example.com", "short", tmp_path / "a.p12")
    with pytest.raises(IdentityError, match="not an email"):
        create_identity("A", "", "nobody", PASSWORD, tmp_path / "a.p12")
    assert not list(tmp_path.iterdir())


def test_unwritable_output_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        create_identity("A", "", "a@example.com", PASSWORD, tmp_path / "missing" / "a.p12")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        if _can_write(locked):
            pytest.skip("running as a user that ignores folder permissions (root)")
        with pytest.raises(ReportError, match="cannot write"):
            create_identity("A", "", "a@example.com", PASSWORD, locked / "a.p12")
        assert not list(locked.iterdir())
    finally:
        locked.chmod(0o700)


def _can_write(folder: Path) -> bool:
    try:
        (folder / ".probe").write_bytes(b"")
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def test_default_location_is_the_user_data_dir_and_import_copies_encrypted(tmp_path: Path) -> None:
    path = create_identity("Ana Núñez", "Org", "ana@example.com", PASSWORD)
    assert path.parent == data_dir() / "identities"
    assert path in list_identities()
    outside = tmp_path / "from-ca.pfx"
    outside.write_bytes(path.read_bytes())
    imported = import_identity(outside, PASSWORD)
    assert imported.parent == data_dir() / "identities"
    assert imported.read_bytes() == outside.read_bytes()
    with pytest.raises(IdentityError, match="wrong password"):
        import_identity(outside, "another password")
    for f in data_dir().rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes()


def test_an_existing_key_is_never_overwritten(tmp_path: Path, identity_file: Path) -> None:
    before = identity_file.read_bytes()
    with pytest.raises(IdentityError, match="already exists"):
        create_identity("Someone Else", "", "s@example.com", PASSWORD, identity_file)
    assert identity_file.read_bytes() == before
    first = create_identity("Same Name", "", "a@example.com", PASSWORD)
    second = create_identity("Same Name", "", "b@example.com", PASSWORD)
    assert first != second and first.exists() and second.exists()
    assert load_identity(first, PASSWORD).email == "a@example.com"


def test_certificate_pem_export(tmp_path: Path, identity_file: Path) -> None:
    ident = load_identity(identity_file, PASSWORD)
    pem = write_certificate_pem(ident, tmp_path / "cert.pem")
    loaded = x509.load_pem_x509_certificate(pem.read_bytes())
    assert loaded == ident.certificate


def test_trailing_data_after_the_pkcs12_structure_is_refused(tmp_path: Path, identity_file: Path) -> None:
    padded = tmp_path / "padded.p12"
    padded.write_bytes(identity_file.read_bytes() + b"\x00junk")
    with pytest.raises(IdentityError, match=r"5 byte\(s\) of unexpected data follow the PKCS#12 identity"):
        load_identity(padded, PASSWORD)
    with pytest.raises(IdentityError, match="unexpected data"):
        import_identity(padded, PASSWORD)


def test_mac_iterations_match_the_key_encryption(identity_file: Path) -> None:
    """Read back with an independent parser (OpenSSL's `pkcs12 -info`, which also checks the MAC) and
    with asn1crypto: the MAC's key derivation runs as many rounds as the key's PBKDF2."""
    import shutil
    import subprocess

    from asn1crypto import pkcs12 as asn1_pkcs12

    mac = asn1_pkcs12.Pfx.load(identity_file.read_bytes())["mac_data"]
    assert mac["iterations"].native == 200_000
    assert mac["mac"]["digest_algorithm"]["algorithm"].native == "sha256"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    info = subprocess.run(
        [openssl, "pkcs12", "-in", str(identity_file), "-info", "-noout", "-passin", f"pass:{PASSWORD}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert info.returncode == 0, info.stderr
    assert "MAC: sha256, Iteration 200000" in info.stdout + info.stderr
    assert "Iteration 200000, PRF hmacWithSHA256" in info.stdout + info.stderr  # the key's PBKDF2
    wrong = subprocess.run(
        [openssl, "pkcs12", "-in", str(identity_file), "-info", "-noout", "-passin", "pass:wrong-password"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode != 0 and "mac verify" in (wrong.stdout + wrong.stderr).lower()


def test_pkcs12_key_derivation_reproduces_cryptographys_own_mac() -> None:
    """Our RFC 7292 B.2 derivation, checked against the MAC cryptography writes (2,048 rounds), with an
    accented password (the BMPString encoding of appendix B.1)."""
    import hmac

    from asn1crypto import pkcs12 as asn1_pkcs12
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from ui.report.identity import pkcs12_kdf

    password = "pässwörd-Ω-1"
    enc = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(1000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"x", ec.generate_private_key(ec.SECP256R1()), None, None, enc
    )
    pfx = asn1_pkcs12.Pfx.load(blob)
    mac = pfx["mac_data"]
    key = pkcs12_kdf(password, mac["mac_salt"].native, 3, mac["iterations"].native)
    assert hmac.digest(key, pfx["auth_safe"]["content"].native, "sha256") == mac["mac"]["digest"].native
