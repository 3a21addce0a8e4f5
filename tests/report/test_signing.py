"""Real PAdES signatures on real proposals, checked with pyHanko's own validator and with ours."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from planner import clock
from planner.project import load_project
from tests.report.conftest import EUR_PROJECT, SIGNER
from ui.report.export import export_proposal
from ui.report.identity import Identity
from ui.report.signing import REASON, SIGNATURE_BOX, SIGNATURE_FIELD
from ui.report.verify import human_report, load_trust_roots, verify_bytes


@pytest.fixture(scope="module")
def signed_pdf(identity: Identity, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("signed") / "proposal.pdf"
    result = export_proposal(load_project(EUR_PROJECT), out, identity=identity, location="Genève")
    assert result.signed and result.signer == SIGNER
    data = out.read_bytes()
    import hashlib

    assert result.sha256 == hashlib.sha256(data).hexdigest()
    return data


@pytest.fixture(scope="module")
def cert_pem(identity: Identity, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "signer.pem"
    path.write_bytes(identity.certificate_pem())
    return path


def _pyhanko_status(data: bytes, trust: list | None = None):  # type: ignore[no-untyped-def]
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[-1]
    return sig, validate_pdf_signature(sig, ValidationContext(trust_roots=trust or [], allow_fetching=False))


def test_pyhanko_validator_finds_an_intact_pades_sha256_signature(signed_pdf: bytes) -> None:
    sig, status = _pyhanko_status(signed_pdf)
    assert status.intact and status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level == ModificationLevel.NONE
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig.md_algorithm == "sha256"
    assert sig.signer_cert.subject.native["common_name"] == SIGNER
    embedded = [c.chosen.dump() for c in sig.signed_data["certificates"]]
    assert sig.signer_cert.dump() in embedded  # the certificate travels in the PDF
    assert sig.sig_object["/Reason"] == REASON
    assert sig.sig_object["/Location"] == "Genève"


def test_self_signed_is_untrusted_unless_given_as_trust_root(signed_pdf: bytes, identity: Identity) -> None:
    _, status = _pyhanko_status(signed_pdf)
    assert not status.trusted
    sig = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[-1]
    _, trusted = _pyhanko_status(signed_pdf, [sig.signer_cert])
    assert trusted.trusted and trusted.bottom_line


def test_our_verification_of_the_intact_file(signed_pdf: bytes, cert_pem: Path) -> None:
    v = verify_bytes(signed_pdf)
    assert v.integrity_ok and v.intact and v.covers_entire_file and v.self_signed and not v.trusted
    assert not v.ok  # untrusted without a trust root
    assert not v.revocation_checked and "self-signed" in v.revocation
    assert v.signer == SIGNER and v.signer_organisation == "Conseil Énergie SàRL"
    assert v.signing_time is not None and "claim" in v.signing_time_note
    assert "self-signed" in human_report(v)
    trusted = verify_bytes(signed_pdf, load_trust_roots(cert_pem))
    assert trusted.ok and trusted.trusted


def test_untrusted_root_given_fails(signed_pdf: bytes, tmp_path: Path) -> None:
    from ui.report.identity import create_identity, load_identity

    other = load_identity(
        create_identity("Mallory", "", "m@example.com", "password-123", tmp_path / "m.p12"), "password-123"
    )
    pem = tmp_path / "other.pem"
    pem.write_bytes(other.certificate_pem())
    v = verify_bytes(signed_pdf, load_trust_roots(pem))
    assert v.intact and not v.trusted and not v.ok
    assert any("trust root" in p for p in v.problems)


def test_visible_signature_box_on_the_last_page(signed_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(signed_pdf))
    last = reader.pages[-1]
    widgets = [a.get_object() for a in last.get("/Annots", [])]
    sig_widgets = [w for w in widgets if w.get("/T") == SIGNATURE_FIELD or w.get("/FT") == "/Sig"]
    assert len(sig_widgets) == 1
    w = sig_widgets[0]
    assert [round(float(x)) for x in w["/Rect"]] == list(SIGNATURE_BOX)
    assert "/AP" in w  # a visible appearance, not an invisible field
    for page in reader.pages[:-1]:
        assert not any(a.get_object().get("/FT") == "/Sig" for a in page.get("/Annots", []) or [])


def _one_byte_changed_in_signed_range(data: bytes) -> bytes:
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[-1]
    start, length = sig.byte_range[0], sig.byte_range[1]
    at = data.index(b"(Compute Planner ")  # the document's /Creator, in the signed revision
    assert start <= at < start + length
    return data[: at + 4] + b"X" + data[at + 5 :]


def test_one_changed_byte_is_reported_modified(signed_pdf: bytes) -> None:
    tampered = _one_byte_changed_in_signed_range(signed_pdf)
    _, status = _pyhanko_status(tampered)
    assert not status.intact
    v = verify_bytes(tampered)
    assert not v.ok and not v.intact
    assert "MODIFIED" in human_report(v)


def test_incremental_update_that_alters_a_page_is_reported(signed_pdf: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 420 Td (CHANGED AFTER SIGNING) Tj ET")
    writer.add_stream_to_page(1, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    altered = out.getvalue()
    _, status = _pyhanko_status(altered)
    assert status.intact  # the signed revision itself is untouched ...
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.OTHER  # ... but a page changed after it
    v = verify_bytes(altered)
    assert not v.ok and not v.covers_entire_file
    assert "changes to the document's content" in v.added_after_signing
    assert "MODIFIED" in human_report(v)


def test_appended_junk_is_not_entire_file_although_pyhanko_bottom_line_stays_true(signed_pdf: bytes) -> None:
    junk = signed_pdf + b"\n% appended after signing\n"
    sig = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[-1]
    _, status = _pyhanko_status(junk, [sig.signer_cert])
    assert status.bottom_line  # the trap NOTES.md describes: pyHanko's verdict alone would say "fine"
    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE
    v = verify_bytes(junk)
    assert not v.ok and v.intact and not v.covers_entire_file
    assert v.bytes_after_signature == len(b"\n% appended after signing\n")


def test_unsigned_and_broken_files(tmp_path: Path) -> None:
    out = tmp_path / "unsigned.pdf"
    export_proposal(load_project(EUR_PROJECT), out)
    v = verify_bytes(out.read_bytes())
    assert not v.signed and not v.ok and "no digital signature" in v.problems[0]
    broken = verify_bytes(b"not a pdf at all")
    assert not broken.ok and "not a readable PDF" in broken.problems[0]


def _ca_issued_identity(tmp_path: Path) -> tuple[Path, Path]:
    """A small CA and a signer certificate it issued, as a customer's own PKI would give (PKCS#12 with
    the CA certificate in the chain). Returns (signer .p12, CA certificate .pem)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = clock.now()  # a certificate valid at the moment the test signs and verifies with it
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Client Root CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Chloé Dubois"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "c@example.com"),
        ]
    )
    leaf = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=200))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    p12 = tmp_path / "chloe.pfx"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"chloe", key, leaf, [ca], serialization.BestAvailableEncryption(b"ca-issued-pass")
        )
    )
    pem = tmp_path / "ca.pem"
    pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return p12, pem


def test_identity_issued_by_the_users_own_ca_is_trusted_through_its_root(tmp_path: Path) -> None:
    from ui.report.identity import import_identity, load_identity

    p12, ca_pem = _ca_issued_identity(tmp_path)
    imported = import_identity(p12, "ca-issued-pass")
    ident = load_identity(imported, "ca-issued-pass")
    assert not ident.self_signed and len(ident.chain) == 1
    out = tmp_path / "p.pdf"
    export_proposal(load_project(EUR_PROJECT), out, identity=ident)
    plain = verify_bytes(out.read_bytes())
    assert plain.integrity_ok and not plain.ok and not plain.self_signed and not plain.trusted
    assert "CA not given as trust root" in human_report(plain)
    v = verify_bytes(out.read_bytes(), load_trust_roots(ca_pem))
    assert v.ok and v.trusted and v.signer == "Chloé Dubois"
