"""Hostile signature fixtures built at test time, each checked by three validators: poppler's `pdfsig`, pyHanko's
own validator (``validate_pdf_signature``) and ours (``planner verify``).

The fixtures (issue 22 and the certificate-bag item of issue 21):
- signed: our signed proposal, untouched;
- ca_issued: signed with an identity issued by a (test) CA, the chain in the signed revision's DSS;
- junk: bytes appended after the end of the signed file;
- page_changed: page 2 changed in an incremental update, nobody signed it;
- countersigned_tampered: page 2 changed in an incremental update, then a second signature by a *different*
  self-signed certificate carrying the same name as the first signer;
- countersigned: a second signature added and nothing else changed (a legitimate countersignature);
- expired / not_yet_valid: signed (by another tool: ours refuses) with a certificate outside its dates;
- certbag: one byte changed inside the signer's certificate in the signature's certificate bag (outside the
  signed attributes), in our layout (the certificate once in the bag);
- certbag_legacy: the same on a proposal whose bag holds the signer's certificate twice (as proposals signed
  before this check did), the first copy altered: the issue 21 tamper.

Certificates are made with ``cryptography`` relative to tests/dates.py NOW, with margins wide enough for the
suite's second run two years ahead (faketime); signing times are the signer's clock, as in real use.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from planner import clock
from planner.project import load_project
from tests.dates import NOW
from tests.report.conftest import EUR_PROJECT, SIGNER
from tests.report.test_signing import _ca_issued_identity
from ui.cli import main
from ui.report.export import export_proposal
from ui.report.files import ReportError
from ui.report.identity import Identity, load_identity
from ui.report.signing import _signer_for, sign_pdf
from ui.report.verify import Verification, verify_bytes

PDFSIG = shutil.which("pdfsig")


def _identity(name: str, not_before: dt.datetime, not_after: dt.datetime) -> Identity:
    """A self-signed RSA-2048 identity (2048 bits: fast to make; the product makes 3072)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "z@example.com"),
        ]
    )
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return Identity(path=None, key=key, certificate=cert)


def _other_tool_sign(pdf: bytes, identity: Identity, field: str, *, cert_twice: bool = False) -> bytes:
    """Sign with pyHanko directly (another tool, or this app before the certificate went into the bag once)."""
    simple = _signer_for(identity)
    if cert_twice:
        simple = signers.SimpleSigner(
            signing_cert=simple.signing_cert,
            signing_key=simple.signing_key,
            cert_registry=SimpleCertificateStore.from_certs([simple.signing_cert]),
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=simple, new_field_spec=fields.SigFieldSpec(field)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out
    )
    return out.getvalue()


def _change_page_2(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 420 Td (PRICE HALVED) Tj ET")
    writer.add_stream_to_page(1, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flip_in_signer_certificate(pdf: bytes, part: str) -> bytes:
    """Change one byte of the first copy of the signer's certificate inside the signature's /Contents (the
    certificate bag of the CMS: not covered by the signed byte ranges nor by the signed attributes)."""
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    cert = sig.signer_cert
    der = cert.dump()
    at_hex = pdf.find(der.hex().upper().encode())
    assert at_hex > sig.byte_range[1]  # inside /Contents, outside the signed bytes
    tbs = cert["tbs_certificate"]
    offset = {
        "extensions": der.find(tbs["extensions"].dump()) + 20,
        "public_key": der.find(tbs["subject_public_key_info"].dump()) + 60,
    }[part]
    at = at_hex + 2 * offset
    flipped = format(int(pdf[at : at + 2], 16) ^ 0x01, "02X").encode()
    return pdf[:at] + flipped + pdf[at + 2 :]


@pytest.fixture(scope="module")
def unsigned_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("unsigned") / "proposal.pdf"
    export_proposal(load_project(EUR_PROJECT), out, samples=200)
    return out.read_bytes()


@pytest.fixture(scope="module")
def fixtures(
    unsigned_pdf: bytes, identity: Identity, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Every fixture as a file (pdfsig reads files)."""
    folder = tmp_path_factory.mktemp("signature-fixtures")
    signed = sign_pdf(unsigned_pdf, identity).data
    now = clock.now()  # the wall clock the signatures are made at: the same-name impostor is valid at it
    impostor = _identity(SIGNER, now - dt.timedelta(days=1), now + dt.timedelta(days=365))
    expired = _identity(SIGNER, NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=5))
    future = _identity(SIGNER, NOW + dt.timedelta(days=3650), NOW + dt.timedelta(days=4000))
    legacy = _other_tool_sign(unsigned_pdf, identity, "ProposalApproval", cert_twice=True)
    ca_p12, _ca_pem = _ca_issued_identity(folder)
    ca_issued = load_identity(ca_p12, "ca-issued-pass")
    made = {
        "signed": signed,
        "ca_issued": sign_pdf(unsigned_pdf, ca_issued).data,
        "junk": signed + b"\n% appended after signing\n",
        "page_changed": _change_page_2(signed),
        "countersigned_tampered": _other_tool_sign(_change_page_2(signed), impostor, "Countersign"),
        "countersigned": _other_tool_sign(signed, impostor, "Countersign"),
        "expired": _other_tool_sign(unsigned_pdf, expired, "ProposalApproval"),
        "not_yet_valid": _other_tool_sign(unsigned_pdf, future, "ProposalApproval"),
        "certbag": _flip_in_signer_certificate(signed, "extensions"),
        "certbag_legacy": _flip_in_signer_certificate(legacy, "public_key"),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    return paths


def _ours(path: Path, roots: list[Any] | None = None) -> Verification:
    return verify_bytes(path.read_bytes(), roots, now=clock.now())


# ----------------------------------------------------------------------------------------- the defects


def test_countersigned_tampered_proposal_is_modified_and_names_the_page(
    fixtures: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    v = _ours(fixtures["countersigned_tampered"])
    assert not v.integrity_ok and len(v.signatures) == 2
    first, second = v.signatures
    assert first.signer == second.signer == SIGNER
    assert first.certificate_sha256 != second.certificate_sha256
    assert first.changed_pages == [2] and not first.modifications_ok and not first.covers_entire_file
    assert second.covers_entire_file
    assert v.headline.startswith("MODIFIED: page 2 was changed after the first signature (" + SIGNER)
    assert "with a different certificate" in v.headline
    assert main(["verify", str(fixtures["countersigned_tampered"])]) == 1
    assert capsys.readouterr().out.splitlines()[0] == v.headline
    # trusting the second (impostor's) certificate still blames the modification, not trust
    sig2 = PdfFileReader(io.BytesIO(fixtures["countersigned_tampered"].read_bytes())).embedded_signatures[1]
    pem = tmp_path / "impostor.pem"
    pem.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(sig2.signer_cert.dump())
                    + b"-----END CERTIFICATE-----\n")  # fmt: skip
    assert main(["verify", str(fixtures["countersigned_tampered"]), "--trust", str(pem)]) == 1
    assert capsys.readouterr().out.startswith("MODIFIED: page 2 was changed")


def test_a_clean_countersignature_is_intact(fixtures: dict[str, Path]) -> None:
    v = _ours(fixtures["countersigned"])
    assert v.integrity_ok and len(v.signatures) == 2
    assert v.signatures[0].modifications_ok and not v.signatures[0].covers_entire_file
    assert "further signatures (allowed" in v.signatures[0].modified_after
    assert v.headline.startswith("INTACT, NOT TRUSTED: all 2 signatures check out")


@pytest.mark.parametrize(
    ("name", "word", "dates"),
    [
        ("expired", "EXPIRED", ((NOW - dt.timedelta(days=400)).date(), (NOW - dt.timedelta(days=5)).date())),
        (
            "not_yet_valid",
            "NOT YET VALID",
            ((NOW + dt.timedelta(days=3650)).date(), (NOW + dt.timedelta(days=4000)).date()),
        ),
    ],
)
def test_certificate_outside_its_dates_fails_with_the_dates(
    fixtures: dict[str, Path], name: str, word: str, dates: tuple[dt.date, dt.date]
) -> None:
    path = fixtures[name]
    v = _ours(path)
    assert not v.integrity_ok and v.intact and v.covers_entire_file
    assert v.headline.startswith(
        f"{word}: the certificate of signature 1 ({SIGNER}) is valid from {dates[0]}"
    )
    assert f"to {dates[1]}" in v.headline
    # even with its own certificate as trust root (trusted, but still outside its dates)
    sig = PdfFileReader(io.BytesIO(path.read_bytes())).embedded_signatures[0]
    trusted = _ours(path, [sig.signer_cert])
    assert trusted.trusted and not trusted.ok and trusted.headline.startswith(word)


def test_signing_refuses_an_identity_outside_its_dates(unsigned_pdf: bytes) -> None:
    expired = _identity(SIGNER, NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=5))
    with pytest.raises(ReportError, match=rf"expired on {(NOW - dt.timedelta(days=5)).date()}"):
        sign_pdf(unsigned_pdf, expired)
    future = _identity(SIGNER, NOW + dt.timedelta(days=3650), NOW + dt.timedelta(days=4000))
    with pytest.raises(ReportError, match=rf"not valid before {(NOW + dt.timedelta(days=3650)).date()}"):
        sign_pdf(unsigned_pdf, future)


@pytest.mark.parametrize("name", ["certbag", "certbag_legacy"])
def test_certificate_bag_tamper_is_invalid(fixtures: dict[str, Path], name: str) -> None:
    v = _ours(fixtures[name])
    assert not v.integrity_ok and not v.certificates_ok
    assert v.headline.startswith("INVALID: ")
    assert "altered" in v.headline


def test_our_signature_carries_the_signer_certificate_once(fixtures: dict[str, Path]) -> None:
    sig = PdfFileReader(io.BytesIO(fixtures["signed"].read_bytes())).embedded_signatures[0]
    bag = [c.chosen.dump() for c in sig.signed_data["certificates"]]
    assert bag.count(sig.signer_cert.dump()) == 1


# ------------------------------------------------------------------- three validators, every fixture


@dataclass(frozen=True)
class Verdict:
    valid: bool  # the signature verifies with the certificate it names
    whole_file: bool  # it covers the entire file
    dates_ok: bool | None  # the certificate is within its dates (None: this validator does not say)


def _pdfsig(path: Path) -> list[Verdict]:
    assert PDFSIG is not None
    out = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout
    blocks = re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]
    return [
        Verdict(
            valid="Signature Validation: Signature is Valid." in b,
            whole_file="- Total document signed" in b,
            dates_ok="Certificate has Expired" not in b,
        )
        for b in blocks
    ]


def _pyhanko(path: Path) -> list[Verdict]:
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    out = []
    for sig in PdfFileReader(io.BytesIO(path.read_bytes()), strict=False).embedded_signatures:
        try:
            status = validate_pdf_signature(sig, ValidationContext(allow_fetching=False))
        except Exception:  # pyHanko raises when the certificate does not match the signed attributes
            out.append(Verdict(False, False, None))
            continue
        entire = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        out.append(Verdict(bool(status.intact and status.valid), entire, None))
    return out


def _planner(path: Path) -> list[Verdict]:
    v = _ours(path)
    return [
        Verdict(
            c.intact and c.valid and c.certificate_matches,
            c.covers_entire_file,
            c.certificate_time_ok if c.certificate_matches else None,
        )
        for c in v.signatures
    ]


# (per signature: valid, whole file, within dates) and our document verdict
EXPECTED: dict[str, tuple[list[tuple[bool, bool, bool | None]], bool]] = {
    "signed": ([(True, True, True)], True),
    "ca_issued": ([(True, True, True)], True),
    "junk": ([(True, False, True)], False),
    "page_changed": ([(True, False, True)], False),
    "countersigned_tampered": ([(True, False, True), (True, True, True)], False),
    "countersigned": ([(True, False, True), (True, True, True)], True),
    "expired": ([(True, True, False)], False),
    "not_yet_valid": ([(True, True, False)], False),
    "certbag": ([(False, True, None)], False),
    "certbag_legacy": ([(False, True, None)], False),
}


def _agree(expected: tuple[bool, bool, bool | None], got: Verdict, *, judges_dates: bool) -> bool:
    valid, whole, dates = expected
    if got.valid != valid:
        return False
    if valid and got.whole_file != whole:  # coverage of an invalid signature is moot (pyHanko stops early)
        return False
    return not judges_dates or dates is None or got.dates_ok == dates


@pytest.mark.skipif(PDFSIG is None, reason="poppler-utils (pdfsig) is installed by `make sysdeps`")
@pytest.mark.parametrize("name", list(EXPECTED))
def test_pdfsig_pyhanko_and_planner_agree(fixtures: dict[str, Path], name: str) -> None:
    path = fixtures[name]
    expected, document_ok = EXPECTED[name]
    validators: dict[str, tuple[Callable[[Path], list[Verdict]], bool]] = {
        "pdfsig": (_pdfsig, True),
        "planner": (_planner, True),
        # pyHanko trusts a self-signed anchor without looking at its dates, so it does not judge them here
        "pyhanko": (_pyhanko, False),
    }
    for who, (run, judges_dates) in validators.items():
        got = run(path)
        assert len(got) == len(expected), (who, got)
        for n, (e, g) in enumerate(zip(expected, got, strict=True), start=1):
            if who == "pyhanko" and name == "certbag_legacy":
                # pyHanko's own check of the signing-certificate attribute looks at the copy it selects (the
                # untouched second one) and calls the signature valid; poppler (NSS) and we check the first
                assert g.valid, "pyHanko changed: it now catches the altered first copy"
                continue
            assert _agree(e, g, judges_dates=judges_dates), f"{who} on {name}, signature {n}: {g}"
    assert _ours(path).integrity_ok is document_ok


@pytest.mark.parametrize("name", ["signed", "page_changed", "countersigned_tampered", "countersigned"])
def test_our_modification_verdict_is_pyhankos_diff_policy(fixtures: dict[str, Path], name: str) -> None:
    """Per signature, the later revisions pass (or fail) pyHanko's standard modification policy exactly when
    we say so; `pdfsig` has no such analysis (it only says whether a signature covers the whole file)."""
    data = fixtures[name].read_bytes()
    ours = _ours(fixtures[name]).signatures
    theirs = [
        validate_pdf_signature(sig, ValidationContext(allow_fetching=False)).docmdp_ok
        for sig in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    ]
    assert [c.modifications_ok for c in ours] == theirs
    assert theirs == {"page_changed": [False], "countersigned_tampered": [False, True]}.get(
        name, [True] * len(ours)
    )
