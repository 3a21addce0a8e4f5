"""Sign a proposal PDF with pyHanko: PAdES, SHA-256, the signer's certificate embedded, a visible
signature box on the last page.

With a self-signed identity the level is PAdES B-B. With a CA-issued identity (a PKCS#12 that carries its
chain) the chain and the CRL files the user supplies are written to the document security store (DSS) in the
signed revision itself, so a verifier checks trust and revocation offline and the signature still covers the
entire file: the validation material of PAdES B-LT. Offline there is no timestamp authority, so the signing
time is the signer's own claim (no B-T timestamp); the level string says so.
``sign_pdf`` calls asyncio.run() inside pyHanko: never call it from a running event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import as_file
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from planner import clock
from resources import resource
from ui.report.files import ReportError
from ui.report.fonts import STAMP_FONT
from ui.report.identity import Identity, check_certificate_dates

SIGNATURE_FIELD = "ProposalApproval"
REASON = "Recommendation approved"
STAMP_FONT_SIZE = 9
SIGNATURE_BYTES_RESERVED = 16_384
"""Room for the CMS container (RSA-3072 signature + certificate chain, about 3 KB here); reserving it up front
spares pyHanko a trial signature to measure the size, which halves the signing time."""

# The visible box on the last page, in points from the bottom-left corner. proposal.py leaves this area
# empty on its approval page (see SIGNATURE_BOX_* there).
SIGNATURE_BOX = (52, 90, 352, 180)

STAMP_TEXT = (
    "Digitally signed by %(signer)s\n"
    "%(org)s\n"
    "Date: %(ts)s (signer's clock)\n"
    "Reason: %(reason)s\n"
    "Location: %(location)s"
)


@dataclass(frozen=True)
class SignedPdf:
    """The signed bytes, their SHA-256 (hex) and who signed."""

    data: bytes
    sha256: str
    signer: str
    signed_at: dt.datetime


def _quiet_pyhanko() -> None:
    for name in ("pyhanko", "pyhanko_certvalidator", "pyhanko.sign.validation"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def load_crls(paths: Sequence[str | os.PathLike[str]]) -> list[asn1_crl.CertificateList]:
    """CRL files (DER or PEM) the user supplies for the identity's CAs; one clear error per bad file."""
    out = []
    for path in paths:
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ReportError(f"{p}: cannot read the CRL file ({exc.strerror})") from None
        try:
            if pem.detect(data):
                items = [asn1_crl.CertificateList.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
            else:
                items = [asn1_crl.CertificateList.load(data)]
            for c in items:
                _ = c.issuer.human_friendly, c["tbs_cert_list"]["next_update"].native
        except Exception:
            raise ReportError(f"{p}: not a PEM or DER certificate revocation list (CRL)") from None
        out += items
    return out


def signature_level(identity: Identity, crls: Sequence[Any] = ()) -> str:
    """The PAdES level ``sign_pdf`` reaches with ``identity`` and ``crls``, in words."""
    if identity.chain and crls:
        return "PAdES B-LT (certificate chain and CRLs embedded; no timestamp authority offline)"
    if identity.chain:
        return "PAdES B-B (certificate chain embedded; no revocation data supplied)"
    return "PAdES B-B (self-signed certificate)"


def _check_crls(identity: Identity, crls: Sequence[asn1_crl.CertificateList]) -> None:
    issuers = {
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)).subject.sha256
        for c in identity.chain
    }
    for c in crls:
        if c.issuer.sha256 not in issuers:
            raise ReportError(
                f"the CRL issued by {c.issuer.human_friendly} is not from a CA of the identity's chain"
            )


def _signer_for(identity: Identity) -> signers.SimpleSigner:
    key_der = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in identity.chain]
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # the registry holds the CA chain only: pyHanko embeds the signing certificate itself, and a second
        # copy in the bag would let a verifier check one copy while another is shown (or altered)
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )


def sign_pdf(
    pdf: bytes,
    identity: Identity,
    *,
    location: str = "",
    reason: str = REASON,
    box: tuple[int, int, int, int] = SIGNATURE_BOX,
    now: dt.datetime | None = None,
    crls: Sequence[asn1_crl.CertificateList] = (),
) -> SignedPdf:
    """Sign ``pdf`` (bytes of an unsigned PDF) with ``identity``: PAdES, SHA-256, certificate embedded,
    a visible box on the last page showing name, organisation, date, reason and location; with a CA chain
    the chain and ``crls`` go into the DSS of the signed revision (see the module docstring)."""
    _quiet_pyhanko()
    if crls and not identity.chain:
        raise ReportError("CRL files need a CA-issued identity (a self-signed certificate has no CA)")
    _check_crls(identity, crls)
    signed_at = (now or clock.now()).replace(microsecond=0)
    # the identity may have been loaded a while ago: its certificate must be valid when the signature is made,
    # and pyHanko dates the signature by the computer's clock (``now`` dates the document, and may be pinned)
    check_certificate_dates(
        str(identity.path) if identity.path else f"the identity of {identity.name}",
        identity.certificate,
        clock.now(),
    )
    meta = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=identity.name,
        use_pades_lta=False,
        embed_validation_info=False,
    )
    try:
        reader_input = io.BytesIO(pdf)
        writer = IncrementalPdfFileWriter(reader_input, strict=False)
        if identity.chain:
            DocumentSecurityStore.supply_dss_in_writer(
                writer, None, certs=_asn1_chain(identity), crls=list(crls), embed_roots=True
            )
        page_count = int(writer.root["/Pages"]["/Count"])
        field_spec = fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD, on_page=page_count - 1, box=box)
        with as_file(resource(*STAMP_FONT)) as font_path:
            stamp_style = _stamp_style(str(font_path))
            pdf_signer = signers.PdfSigner(
                meta, signer=_signer_for(identity), stamp_style=stamp_style, new_field_spec=field_spec
            )
            out = io.BytesIO()
            pdf_signer.sign_pdf(
                writer,
                output=out,
                bytes_reserved=SIGNATURE_BYTES_RESERVED,
                appearance_text_params={
                    "signer": identity.name,
                    "org": identity.organisation or identity.email,
                    "reason": reason,
                    "location": location or "not stated",
                },
            )
    except ReportError:
        raise
    except Exception as exc:  # pyHanko raises many types; the caller needs one clear message
        raise ReportError(f"signing failed: {exc}") from exc
    data = out.getvalue()
    return SignedPdf(data, hashlib.sha256(data).hexdigest(), identity.name, signed_at)


def _asn1_chain(identity: Identity) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in (identity.certificate, *identity.chain)
    ]


def _stamp_style(font_path: str) -> TextStampStyle:
    # NOTES: keep the two font sizes equal, and use a 1000-units-per-em font (Planner Sans, from Noto).
    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        timestamp_format="%Y-%m-%d %H:%M:%S %Z",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(font_path, font_size=STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_FONT_SIZE + 3,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=8, right=8, top=6, bottom=6),
        ),
        border_width=1,
        background=None,
    )


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])
