"""Verify a signed proposal: every signature in the file, each with who signed (and the certificate's SHA-256
fingerprint), when (by the signer's own clock), what it covers, what was changed after it, whether the
certificate embedded in it is the one its signed attributes commit to, the certificate's validity dates, trust
(and by which anchor) and revocation (against the CRLs of the document security store), then one verdict.

The document is INTACT only when every signature is cryptographically intact, every signer certificate is the
one the signature commits to (ESS signing-certificate-v2, RFC 5035) and valid at the claimed signing time and
now, every revision after the first signature passes pyHanko's standard modification policy (further signatures
and validation data only), and the last signature covers the entire file. pyHanko's overall verdict stays true
after junk appended past the end of the file and after some incremental updates, and it checks the ESS
attribute against one certificate of the bag only, so these checks are made here on top of it.
Validation calls asyncio.run() inside pyHanko: never call it from a running event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import check_ess_certid
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from planner import clock
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

# Worst first: the headline of a failed verification names the most severe finding.
SEVERITY = (
    "unreadable",
    "unsigned",
    "altered",
    "certificate",
    "modified",
    "added",
    "validity",
    "revoked",
    "trust",
)


@dataclass
class Finding:
    kind: str  # one of SEVERITY
    text: str


@dataclass
class SignatureCheck:
    """One signature of the file, as checked."""

    number: int
    signer: str = ""
    signer_organisation: str = ""
    signer_email: str = ""
    certificate_sha256: str = ""
    self_signed: bool = False
    signing_time: str = ""
    reason: str = ""
    location: str = ""
    bytes_after: int = 0
    revision: int = 0  # 1-based revision of the file the signature signs
    revisions: int = 0  # revisions in the file
    covers: str = ""
    covers_entire_file: bool = False
    intact: bool = False
    valid: bool = False
    certificate_matches: bool = False
    certificate: str = ""
    modified_after: str = ""
    modifications_ok: bool = False
    changed_pages: list[int] = field(default_factory=list)
    valid_from: str = ""
    valid_until: str = ""
    validity_at_signing: str = ""
    validity_now: str = ""
    certificate_time_ok: bool = False
    trusted: bool = False
    trust_anchor: str = ""
    trust: str = ""
    revocation_checked: bool = False
    revoked: bool = False
    revocation: str = ""


@dataclass
class Verification:
    """The verdict on one signed PDF. ``integrity_ok``: every signature intact with its own certificate, that
    certificate valid, no disallowed change after any signature, the last one covering the entire file.
    ``ok``: that, and every signer trusted. The top-level signer fields describe the first signature (the
    proposal's approval); ``signatures`` describes each. ``problems`` lists in words why not, worst first."""

    file: str
    sha256: str
    signed: bool
    intact: bool = False
    valid: bool = False
    covers_entire_file: bool = False
    modifications_ok: bool = False
    certificates_ok: bool = False
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
    signatures: list[SignatureCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f.text for f in self.findings]

    @property
    def integrity_ok(self) -> bool:
        """Everything but trust (see the class docstring)."""
        return (
            self.signed
            and self.intact
            and self.valid
            and self.covers_entire_file
            and self.modifications_ok
            and self.certificates_ok
            and not self.revoked
        )

    @property
    def ok(self) -> bool:
        return self.integrity_ok and self.trusted

    @property
    def headline(self) -> str:
        """One line: the worst finding, or the verdict when there is nothing wrong with the integrity."""
        if not self.integrity_ok:
            return self.findings[0].text if self.findings else "NOT VERIFIED"
        n = len(self.signatures)
        what = "the signature covers" if n == 1 else f"all {n} signatures check out and the last covers"
        if self.trusted:
            return f"INTACT: {what} the entire file; signer trusted"
        why = self.findings[0].text if self.findings else "no trust anchor given"
        return f"INTACT, NOT TRUSTED: {what} the entire file; {why}"

    def add(self, kind: str, text: str) -> None:
        self.findings.append(Finding(kind, text))
        self.findings.sort(key=lambda f: SEVERITY.index(f.kind))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["problems"] = self.problems
        del out["findings"]
        out["ok"] = self.ok
        out["integrity_ok"] = self.integrity_ok
        out["headline"] = self.headline
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
    path: str | os.PathLike[str],
    trust_roots: list[asn1_x509.Certificate] | None = None,
    *,
    now: dt.datetime | None = None,
) -> Verification:
    """Verify every signature of ``path``. Raises :class:`ReportError` only when the file cannot be read; a
    damaged or unsigned PDF gives a Verification with findings."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReportError(f"{p}: cannot be read ({exc.strerror})") from None
    return verify_bytes(data, trust_roots, name=str(p), now=now)


def verify_bytes(
    data: bytes,
    trust_roots: list[asn1_x509.Certificate] | None = None,
    *,
    name: str = "<memory>",
    now: dt.datetime | None = None,
) -> Verification:
    _quiet_pyhanko()
    moment = now or clock.now()
    result = Verification(file=name, sha256=hashlib.sha256(data).hexdigest(), signed=False)
    result.trust_root_given = bool(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:
        result.add("unreadable", f"NOT VERIFIED: the file is not a readable PDF any more ({exc})")
        return result
    if not signatures:
        result.add("unsigned", "NOT SIGNED: the PDF carries no digital signature")
        return result
    result.signed = True
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
    revisions = reader.xrefs.total_revisions
    page_history = _page_history(reader, revisions)
    checks = []
    for number, sig in enumerate(signatures, start=1):
        check = SignatureCheck(number=number, revisions=revisions)
        try:
            _check_one(result, check, sig, dss, kwargs, crl_count, moment, data)
        except Exception as exc:  # a damaged signature object: pyHanko and asn1crypto raise many types
            check.intact = check.valid = False
            result.add("altered", f"INVALID: signature {number} is damaged and cannot be checked")
            del exc
        checks.append((check, sig))
    result.signatures = [c for c, _ in checks]
    _changes_after(result, checks, page_history)
    _summarise(result)
    return result


# ------------------------------------------------------------------------------------------ one signature


def _check_one(
    result: Verification,
    check: SignatureCheck,
    sig: Any,
    dss: Any,
    kwargs: dict[str, Any],
    crls: int,
    moment: dt.datetime,
    data: bytes,
) -> None:
    label = f"signature {check.number}"
    sig_dict = sig.sig_object
    check.reason = str(sig_dict.get("/Reason", ""))
    check.location = str(sig_dict.get("/Location", ""))
    claimed = sig.self_reported_timestamp
    claimed_at = claimed.astimezone(dt.UTC) if isinstance(claimed, dt.datetime) else None
    check.signing_time = claimed_at.isoformat() if claimed_at else ""
    check.revision = sig.signed_revision + 1
    # the certificate(s) the signer-info points at, and whether each is the one the signed attributes commit to
    candidates, committed = _signer_candidates(sig)
    check.certificate_matches = bool(candidates) and all(committed)
    if candidates:
        _describe_certificate(check, candidates[0] if check.certificate_matches else candidates[-1])
    if not candidates:
        check.certificate = "the signer's certificate is not in the signature"
        result.add(
            "certificate",
            f"INVALID: {label} does not carry the certificate it names (the embedded certificate was altered "
            "or removed)",
        )
        return
    if not check.certificate_matches:
        check.certificate = (
            "ALTERED: the embedded certificate is not the one the signature commits to "
            "(its signing-certificate attribute names another)"
        )
        result.add(
            "certificate",
            f"INVALID: the certificate embedded in {label} ({check.signer}) was altered or replaced after "
            "signing: it is not the one the signed attributes commit to",
        )
        return
    check.certificate = (
        "the embedded certificate is the one the signature commits to (signing-certificate-v2)"
    )
    try:
        context = dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)
        status = validate_pdf_signature(sig, context)
    except Exception as exc:
        result.add("altered", f"INVALID: {label} ({check.signer}) cannot be checked: {exc}")
        return
    check.intact = bool(status.intact)
    check.valid = bool(status.valid)
    if not check.intact:
        result.add("altered", f"MODIFIED: the bytes signed by {label} ({check.signer}) no longer match it")
    elif not check.valid:
        result.add("altered", f"INVALID: {label} ({check.signer}) does not verify against its certificate")
    _coverage(check, status, sig, data)
    _validity(result, check, sig.signer_cert, claimed_at, moment, label)
    _trust(result, check, status)
    _check_revocation(result, check, sig, dss, kwargs, crls)


def _signer_candidates(sig: Any) -> tuple[list[asn1_x509.Certificate], list[bool]]:
    """Every certificate of the signature's bag that the signer-info identifies as the signer's (a bag can
    hold several copies), and for each whether it matches the ESS signing-certificate(-v2) attribute."""
    signer_info = sig.signer_info
    sid = signer_info["sid"]
    attr = None
    for a in signer_info["signed_attrs"]:
        if a["type"].native in ("signing_certificate_v2", "signing_certificate"):
            attr = a["values"][0]["certs"][0]
    candidates: list[asn1_x509.Certificate] = []
    committed: list[bool] = []
    for choice in sig.signed_data["certificates"] or []:
        try:
            cert = choice.chosen
            if sid.name == "issuer_and_serial_number":
                matches = (
                    cert.issuer == sid.chosen["issuer"]
                    and cert.serial_number == sid.chosen["serial_number"].native
                )
            else:
                matches = cert.key_identifier == sid.chosen.native
        except Exception:
            # an unparseable certificate in the bag: count it only if it carries the signer's serial number
            continue
        if matches:
            candidates.append(cert)
            committed.append(attr is None or check_ess_certid(cert, attr))
    return candidates, committed


def _describe_certificate(check: SignatureCheck, cert: asn1_x509.Certificate) -> None:
    check.certificate_sha256 = hashlib.sha256(cert.dump()).hexdigest()
    with contextlib.suppress(ValueError):  # an altered certificate may not parse further: what was read stays
        _describe_parsed(check, cert)


def _describe_parsed(check: SignatureCheck, cert: asn1_x509.Certificate) -> None:
    subject = cert.subject.native
    check.signer = str(subject.get("common_name", "")) or cert.subject.human_friendly
    check.signer_organisation = str(subject.get("organization_name", ""))
    check.signer_email = str(subject.get("email_address", ""))
    check.self_signed = cert.self_signed in ("yes", "maybe")
    validity = cert["tbs_certificate"]["validity"]
    check.valid_from = _when(validity["not_before"].native)
    check.valid_until = _when(validity["not_after"].native)


def _coverage(check: SignatureCheck, status: Any, sig: Any, data: bytes) -> None:
    coverage = status.coverage
    check.covers_entire_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    if check.covers_entire_file:
        check.covers = "the entire file"
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        check.covers = (
            f"the document up to revision {check.revision} of {check.revisions}, not the whole file"
        )
    else:
        check.covers = "only part of the file (the signed byte ranges leave gaps)"
    check.bytes_after = max(0, len(data) - (sig.byte_range[-2] + sig.byte_range[-1]))
    level = status.modification_level
    check.modifications_ok = (
        bool(status.docmdp_ok) and coverage != SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START
    )
    if check.covers_entire_file:
        check.modified_after = "nothing"
    elif level is not None and level != ModificationLevel.NONE:
        verdict = "allowed" if check.modifications_ok else "NOT allowed"
        check.modified_after = f"{_MODIFICATION_WORDS[level]} ({verdict} after a signature)"
    else:
        check.modified_after = f"{check.bytes_after} bytes after the signed revision"


def _validity(
    result: Verification,
    check: SignatureCheck,
    cert: asn1_x509.Certificate,
    claimed_at: dt.datetime | None,
    moment: dt.datetime,
    label: str,
) -> None:
    validity = cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    dates = f"valid from {_when(start)} to {_when(end)}"

    def state(at: dt.datetime) -> str:
        if at < start:
            return "NOT YET VALID"
        if at > end:
            return "EXPIRED"
        return "valid"

    check.validity_now = state(moment)
    check.validity_at_signing = state(claimed_at) if claimed_at else "no signing time stated"
    check.certificate_time_ok = check.validity_now == "valid" and check.validity_at_signing in (
        "valid",
        "no signing time stated",
    )
    if check.certificate_time_ok:
        return
    if claimed_at and check.validity_at_signing != "valid":
        when = f"at the claimed signing time {_when(claimed_at)}"
        what = check.validity_at_signing
    else:
        when = f"now ({_when(moment)})"
        what = check.validity_now
    result.add(
        "validity", f"{what}: the certificate of {label} ({check.signer}) is {dates}, so not valid {when}"
    )


def _trust(result: Verification, check: SignatureCheck, status: Any) -> None:
    check.trusted = bool(status.trusted)
    path = getattr(status, "validation_path", None)
    if check.trusted and path is not None:
        anchor = path.trust_anchor
        cert = getattr(anchor, "certificate", None) or getattr(anchor, "authority", None)
        name = getattr(cert, "subject", None) or getattr(anchor, "name", None)
        check.trust_anchor = name.human_friendly if name is not None else str(anchor)
    label = f"signature {check.number} ({check.signer})"
    if check.trusted:
        check.trust = f"trusted: chains to {check.trust_anchor}"
    elif result.trust_root_given:
        check.trust = "NOT trusted by the root given"
        result.add("trust", f"{label}: the signer's certificate does not chain to the trust root given")
    elif check.self_signed:
        check.trust = "self-signed: untrusted unless you know this certificate (pass it with --trust)"
        result.add(
            "trust", f"{label}: untrusted: no trust anchor given (pass the signer's certificate with --trust)"
        )
    else:
        check.trust = "issued by a CA not given as trust root (pass the CA certificate with --trust)"
        result.add(
            "trust", f"{label}: untrusted: no trust anchor given (pass the issuer's certificate with --trust)"
        )


def _check_revocation(
    result: Verification, check: SignatureCheck, sig: Any, dss: Any, kwargs: dict[str, Any], crls: int
) -> None:
    """Revocation against the embedded CRLs, offline: checked (and the verdict), or why it was not."""
    if check.self_signed:
        check.revocation = "not checked: a self-signed certificate has no issuer to revoke it"
        return
    if not crls:
        check.revocation = (
            "not checked: the document carries no revocation data (export with --crl to embed the CAs' CRLs)"
        )
        return
    if not check.trusted:
        check.revocation = "not checked: the signer does not chain to a trust anchor given with --trust"
        return
    try:
        # "require": every certificate of the chain below the anchor must be covered by revocation data,
        # whether or not it names a CRL distribution point
        hard = dss.as_validation_context({**kwargs, "revocation_mode": "require"})
        status = validate_pdf_signature(sig, hard)
    except Exception as exc:
        check.revocation = f"not checked: the embedded revocation data cannot be used ({exc})"
        return
    if status.revoked:
        check.revocation_checked = True
        check.revoked = True
        check.revocation = "REVOKED: a certificate of the chain is on an embedded CRL"
        result.add(
            "revoked",
            f"REVOKED: the certificate of signature {check.number} ({check.signer}) or a CA above it",
        )
    elif status.trusted:
        check.revocation_checked = True
        check.revocation = f"checked against {crls} embedded CRL(s): no certificate of the chain is revoked"
    else:
        check.revocation = (
            "not checked: the embedded CRLs do not cover every certificate of the chain, or have expired"
        )


# ------------------------------------------------------------------------------ changes between signatures


def _page_history(reader: PdfFileReader, revisions: int) -> list[list[str]]:
    """For each revision, a fingerprint of each page's content and (non-signature) annotations."""
    history = []
    for rev in range(revisions):
        try:
            history.append([_page_print(p) for p in _pages(reader.get_historical_root(rev)["/Pages"])])
        except Exception:
            history.append([])
    return history


def _pages(node: Any) -> list[Any]:
    node = node.get_object() if isinstance(node, generic.IndirectObject) else node  # type: ignore[no-untyped-call]
    if node.get("/Type") == "/Pages":
        return [p for kid in node["/Kids"] for p in _pages(kid)]
    return [node]


def _page_print(page: Any) -> str:
    md = hashlib.sha256()
    contents = page.get("/Contents")
    if isinstance(contents, generic.IndirectObject):
        contents = contents.get_object()  # type: ignore[no-untyped-call]
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents] if contents else []
    for s in streams:
        md.update(s.get_object().data)
    for annot in page.get("/Annots", None) or []:
        a = annot.get_object()
        if a.get("/FT") == "/Sig" or "/Parent" in a and a["/Parent"].get_object().get("/FT") == "/Sig":
            continue  # signature widgets are how a further signature shows: the policy judges those
        md.update(repr(sorted((str(k), repr(v)) for k, v in a.items() if k != "/P")).encode())
    return md.hexdigest()


def _changes_after(
    result: Verification, checks: list[tuple[SignatureCheck, Any]], history: list[list[str]]
) -> None:
    """For each signature whose later revisions fail the modification policy: which pages changed, in which
    revision, and who (if anyone) signed over the change."""
    for check, _sig in checks:
        if not check.intact or check.covers_entire_file or check.modifications_ok:
            continue
        start = check.revision - 1
        changes: list[tuple[int, int]] = []  # (page number, revision that changed it)
        before = history[start] if start < len(history) else []
        for rev in range(start + 1, len(history)):
            after = history[rev]
            for i, fp in enumerate(after):
                if (i >= len(before) or before[i] != fp) and all(p != i + 1 for p, _ in changes):
                    changes.append((i + 1, rev + 1))
            before = after
        check.changed_pages = [p for p, _ in changes]
        first_rev = changes[0][1] if changes else start + 2
        by = next((c for c, _ in checks if c.revision >= first_rev and c.number != check.number), None)
        if by is None:
            who = "and nobody signed the change"
        else:
            same = " with a different certificate" if by.signer == check.signer else ""
            who = (
                f"and signed over by {by.signer}{same} (signature {by.number}, {_when_text(by.signing_time)})"
            )
        if changes:
            pages = ", ".join(str(p) for p in check.changed_pages)
            what = f"page{'s' if len(changes) > 1 else ''} {pages} {'were' if len(changes) > 1 else 'was'} changed"
        else:
            what = f"the document was changed ({check.modified_after})"
        ordinal = "the first signature" if check.number == 1 else f"signature {check.number}"
        result.add(
            "modified",
            f"MODIFIED: {what} after {ordinal} ({check.signer}, {_when_text(check.signing_time)}) {who}",
        )


def _summarise(result: Verification) -> None:
    checks = result.signatures
    first, last = checks[0], checks[-1]
    for name in ("signer", "signer_organisation", "signer_email", "certificate_sha256", "self_signed"):
        setattr(result, name, getattr(first, name))
    result.signing_time = first.signing_time or None
    result.reason, result.location = first.reason, first.location
    result.intact = all(c.intact for c in checks)
    result.valid = all(c.valid for c in checks)
    result.certificates_ok = all(c.certificate_matches and c.certificate_time_ok for c in checks)
    result.modifications_ok = all(c.modifications_ok or c.covers_entire_file for c in checks)
    result.covers_entire_file = last.covers_entire_file
    result.coverage = last.covers
    result.trusted = all(c.trusted for c in checks)
    result.trust_anchor = "; ".join(dict.fromkeys(c.trust_anchor for c in checks if c.trust_anchor))
    result.revoked = any(c.revoked for c in checks)
    result.revocation_checked = all(c.revocation_checked for c in checks)
    result.revocation = (
        first.revocation
        if len(checks) == 1
        else "; ".join(f"signature {c.number}: {c.revocation}" for c in checks)
    )
    if last.intact and not last.covers_entire_file:
        result.added_after_signing = last.modified_after
        result.bytes_after_signature = last.bytes_after
        if last.modifications_ok:
            result.add(
                "added", f"MODIFIED: content was added after the last signature: {last.modified_after}"
            )


def _when(t: dt.datetime) -> str:
    return f"{t.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _when_text(iso: str) -> str:
    return _when(dt.datetime.fromisoformat(iso)) if iso else "no date stated"


def human_report(v: Verification) -> str:
    """Verification in plain lines for a terminal or a dialog: the headline first, then each signature."""
    lines = [v.headline, f"File: {v.file}"]
    if not v.signed:
        return "\n".join(lines)
    for c in v.signatures:
        who = c.signer or "unknown signer"
        who += f", {c.signer_organisation}" if c.signer_organisation else ""
        who += f" <{c.signer_email}>" if c.signer_email else ""
        lines += [
            f"Signature {c.number} of {len(v.signatures)}: {who}",
            f"  Certificate SHA-256: {c.certificate_sha256 or 'unknown'}",
            f"  Certificate: {c.certificate}",
        ]
        if c.valid_from:
            lines.append(
                f"  Validity: {c.valid_from} to {c.valid_until}; at the signing time: {c.validity_at_signing}; "
                f"now: {c.validity_now or 'not checked'}"
            )
        if c.covers:
            lines += [
                f"  Signing time: {_when_text(c.signing_time)} ({TIME_NOTE})",
                f"  Reason: {c.reason or '-'}; location: {c.location or '-'}",
                f"  Integrity: {'intact' if c.intact and c.valid else 'MODIFIED'}; covers {c.covers}",
                f"  Changed after it: {c.modified_after}"
                + (f" (page {', '.join(map(str, c.changed_pages))})" if c.changed_pages else ""),
                f"  Trust: {c.trust}",
                f"  Revocation: {c.revocation}",
            ]
    lines += [f"Validation data: {v.validation_data}", f"File SHA-256: {v.sha256}"]
    lines += [f"Problem: {p}" for p in v.problems]
    return "\n".join(lines)
