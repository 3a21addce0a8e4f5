"""Verify a signed proposal: intact or modified, coverage, who signed (with the certificate's SHA-256
fingerprint), when (by the signer's own clock), trusted or not (and by which anchor), whether revocation
was checked (against the CRLs embedded in the document security store) or why not, and whether anything was
added after signing.

pyHanko's overall verdict stays true after junk appended past the end of the file and after some
incremental updates, so a proposal counts as unmodified only when the signature covers the ENTIRE file.
Validation calls asyncio.run() inside pyHanko: never call it from a running event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ui.report.files import ReportError
from ui.report.signing import _quiet_pyhanko

TIME_NOTE = "signing time is the signer's own claim: no timestamp authority was used (offline signing)"

_MODIFICATION_WORDS = {
    ModificationLevel.NONE: "nothing",
    ModificationLevel.LTA_UPDATES: "validation data or document timestamps only",
    ModificationLevel.FORM_FILLING: "form fields or further signatures",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "changes to the document's content or structure",
}


@dataclass
class Verification:
    """The verdict on one signed PDF. ``ok`` = intact, covers the entire file, and trusted if a trust root
    was given. ``problems`` lists in words why not."""

    file: str
    sha256: str
    signed: bool
    intact: bool = False
    valid: bool = False
    covers_entire_file: bool = False
    coverage: str = ""
    signer: str = ""
    signer_organisation: str = ""
    signer_email: str = ""
    certificate_sha256: str = ""
    signing_time: str | None = None
    signing_time_note: str = TIME_NOTE
    self_signed: bool = False
    trusted: bool = False
    trust_root_given: bool = False
    trust_anchor: str = ""
    revocation_checked: bool = False
    revoked: bool = False
    revocation: str = ""
    validation_data: str = ""
    reason: str = ""
    location: str = ""
    added_after_signing: str = ""
    bytes_after_signature: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def integrity_ok(self) -> bool:
        """Intact, valid and covering the whole file, and not revoked: everything but trust."""
        return self.signed and self.intact and self.valid and self.covers_entire_file and not self.revoked

    @property
    def ok(self) -> bool:
        return self.integrity_ok and self.trusted

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        out["integrity_ok"] = self.integrity_ok
        return out


def load_trust_roots(path: str | os.PathLike[str]) -> list[asn1_x509.Certificate]:
    """Certificates (PEM, one or several, or DER) to trust as roots."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReportError(f"{p}: cannot read the trust certificate ({exc.strerror})") from None
    try:
        if pem.detect(data):
            certs = [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        else:
            certs = [asn1_x509.Certificate.load(data)]
        for c in certs:
            _ = c.subject.human_friendly
    except Exception:
        raise ReportError(f"{p}: not a PEM or DER X.509 certificate") from None
    if not certs:
        raise ReportError(f"{p}: holds no certificate")
    return certs


def verify_pdf(
    path: str | os.PathLike[str], trust_roots: list[asn1_x509.Certificate] | None = None
) -> Verification:
    """Verify the last signature of ``path`` (our proposals carry one). Raises :class:`ReportError` only when
    the file cannot be read; a damaged or unsigned PDF gives a Verification with ``problems``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReportError(f"{p}: cannot be read ({exc.strerror})") from None
    return verify_bytes(data, trust_roots, name=str(p))


def verify_bytes(
    data: bytes, trust_roots: list[asn1_x509.Certificate] | None = None, *, name: str = "<memory>"
) -> Verification:
    _quiet_pyhanko()
    result = Verification(file=name, sha256=hashlib.sha256(data).hexdigest(), signed=False)
    result.trust_root_given = bool(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        result.problems.append(f"the file is not a readable PDF any more ({exc})")
        return result
    if not signatures:
        result.problems.append("the PDF carries no digital signature")
        return result
    result.signed = True
    sig = signatures[-1]
    _describe_signer(result, sig)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        dss = None
    crl_count = len(dss.crls) if dss is not None else 0
    cert_count = len(list(dss.load_certs())) if dss is not None else 0
    result.validation_data = (
        f"{cert_count} certificate(s) and {crl_count} CRL(s) in the document security store"
        if dss is not None
        else "none (no document security store)"
    )
    kwargs: dict[str, Any] = {"trust_roots": trust_roots or [], "allow_fetching": False}
    try:
        context = dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)
        status = validate_pdf_signature(sig, context)
    except Exception as exc:
        result.problems.append(f"the signature cannot be checked: {exc}")
        return result
    _read_status(result, status, data, sig)
    _check_revocation(result, sig, dss, kwargs, crl_count)
    return result


def _check_revocation(result: Verification, sig: Any, dss: Any, kwargs: dict[str, Any], crls: int) -> None:
    """Revocation against the embedded CRLs, offline: checked (and the verdict), or why it was not."""
    if result.self_signed:
        result.revocation = "not checked: a self-signed certificate has no issuer to revoke it"
        return
    if not crls:
        result.revocation = (
            "not checked: the document carries no revocation data (export with --crl to embed the CAs' CRLs)"
        )
        return
    if not result.trusted:
        result.revocation = "not checked: the signer does not chain to a trust anchor given with --trust"
        return
    try:
        # "require": every certificate of the chain below the anchor must be covered by revocation data,
        # whether or not it names a CRL distribution point
        hard = dss.as_validation_context({**kwargs, "revocation_mode": "require"})
        status = validate_pdf_signature(sig, hard)
    except Exception as exc:
        result.revocation = f"not checked: the embedded revocation data cannot be used ({exc})"
        return
    if status.revoked:
        result.revocation_checked = True
        result.revoked = True
        result.revocation = "REVOKED: a certificate of the chain is on an embedded CRL"
        result.problems.append("the signer's certificate (or a CA above it) has been revoked")
    elif status.trusted:
        result.revocation_checked = True
        result.revocation = f"checked against {crls} embedded CRL(s): no certificate of the chain is revoked"
    else:
        result.revocation = (
            "not checked: the embedded CRLs do not cover every certificate of the chain, or have expired"
        )


def _describe_signer(result: Verification, sig: Any) -> None:
    cert = sig.signer_cert
    subject = cert.subject.native
    result.signer = str(subject.get("common_name", "")) or cert.subject.human_friendly
    result.signer_organisation = str(subject.get("organization_name", ""))
    result.signer_email = str(subject.get("email_address", ""))
    result.certificate_sha256 = hashlib.sha256(cert.dump()).hexdigest()
    result.self_signed = cert.self_signed in ("yes", "maybe")
    sig_dict = sig.sig_object
    result.reason = str(sig_dict.get("/Reason", ""))
    result.location = str(sig_dict.get("/Location", ""))
    claimed = sig.self_reported_timestamp
    if isinstance(claimed, dt.datetime):
        result.signing_time = claimed.astimezone(dt.UTC).isoformat()


def _read_status(result: Verification, status: Any, data: bytes, sig: Any) -> None:
    result.intact = bool(status.intact)
    result.valid = bool(status.valid)
    result.trusted = bool(status.trusted)
    path = getattr(status, "validation_path", None)
    if result.trusted and path is not None:
        anchor = path.trust_anchor
        cert = getattr(anchor, "certificate", None) or getattr(anchor, "authority", None)
        name = getattr(cert, "subject", None) or getattr(anchor, "name", None)
        result.trust_anchor = name.human_friendly if name is not None else str(anchor)
    coverage = status.coverage
    result.coverage = coverage.name if coverage is not None else "UNKNOWN"
    result.covers_entire_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    signed_end = sig.byte_range[-2] + sig.byte_range[-1]
    result.bytes_after_signature = max(0, len(data) - signed_end)
    if not result.intact:
        result.problems.append("MODIFIED: the signed bytes no longer match the signature")
    elif not result.valid:
        result.problems.append("the signature value does not verify against the signer's certificate")
    if not result.covers_entire_file:
        result.added_after_signing = _added_words(status, result.bytes_after_signature)
        result.problems.append(f"content was added after signing: {result.added_after_signing}")
    if result.trust_root_given and not result.trusted:
        result.problems.append("the signer's certificate does not chain to the trust root given")
    elif not result.trusted:
        result.problems.append(
            "untrusted: no trust anchor given (pass the issuer's certificate with --trust)"
        )


def _added_words(status: Any, extra_bytes: int) -> str:
    level = getattr(status, "modification_level", None)
    what = _MODIFICATION_WORDS.get(level) if level is not None else None
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and what and level != ModificationLevel.NONE:
        return f"{extra_bytes} bytes in later revision(s) making {what}"
    return f"{extra_bytes} bytes after the signed revision not covered by the signature"


def human_report(v: Verification) -> str:
    """Verification in plain lines for a terminal or a dialog."""
    if not v.signed:
        return "\n".join([f"{v.file}: NOT SIGNED", *v.problems])
    verdict = "INTACT" if v.intact and v.valid and v.covers_entire_file else "MODIFIED"
    coverage = (
        "the signature covers the entire file"
        if v.covers_entire_file
        else f"{v.coverage}; added after signing: {v.added_after_signing}"
    )
    if v.trust_root_given:
        trust = f"trusted: chains to {v.trust_anchor}" if v.trusted else "NOT trusted by the root given"
    elif v.self_signed:
        trust = "self-signed: untrusted unless you know this certificate (pass it with --trust)"
    else:
        trust = "issued by a CA not given as trust root (pass the CA certificate with --trust)"
    who = v.signer + (f", {v.signer_organisation}" if v.signer_organisation else "")
    who += f" <{v.signer_email}>" if v.signer_email else ""
    lines = [
        f"{v.file}: {verdict}",
        f"Signer: {who}",
        f"Certificate SHA-256: {v.certificate_sha256}",
        f"Trust: {trust}",
        f"Revocation: {v.revocation}",
        f"Validation data: {v.validation_data}",
        f"Signing time: {v.signing_time or 'not stated'} ({v.signing_time_note})",
        f"Reason: {v.reason or '-'}; location: {v.location or '-'}",
        f"Integrity: {verdict.lower()}; coverage: {coverage}",
        f"File SHA-256: {v.sha256}",
    ]
    lines += [f"Problem: {p}" for p in v.problems]
    return "\n".join(lines)
