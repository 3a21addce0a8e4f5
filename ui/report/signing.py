"""Sign a proposal PDF with pyHanko: PAdES baseline B-B, SHA-256, the signer's certificate embedded, a
visible signature box on the last page.

Offline there is no timestamp authority, so the signing time in the signature is the signer's own claim
(B-B, not B-T). ``sign_pdf`` calls asyncio.run() inside pyHanko: never call it from a running event loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from importlib.resources import as_file

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from planner import clock
from resources import resource
from ui.report.files import ReportError
from ui.report.fonts import STAMP_FONT
from ui.report.identity import Identity

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


def _signer_for(identity: Identity) -> signers.SimpleSigner:
    key_der = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in identity.chain]
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]),  # type: ignore[no-untyped-call]
    )


def sign_pdf(
    pdf: bytes,
    identity: Identity,
    *,
    location: str = "",
    reason: str = REASON,
    box: tuple[int, int, int, int] = SIGNATURE_BOX,
    now: dt.datetime | None = None,
) -> SignedPdf:
    """Sign ``pdf`` (bytes of an unsigned PDF) with ``identity``: PAdES B-B, SHA-256, certificate embedded,
    a visible box on the last page showing name, organisation, date, reason and location."""
    _quiet_pyhanko()
    signed_at = (now or clock.now()).replace(microsecond=0)
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


def signature_level(identity: Identity) -> str:
    """The PAdES level ``sign_pdf`` reaches with ``identity``."""
    return "PAdES baseline B-B"


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"])
