"""PDF/A-3b for the proposal (pikepdf): XMP metadata, an sRGB output intent, document language, title /
author (the signer) / subject / keywords, and the files that make the document reproducible — the project,
the catalog rows it used and the analysis — embedded as associated files (``/AF``, ``/AFRelationship``).

:func:`pdfa_problems` is the check the tests and ``planner verify`` run: veraPDF is not in the registries
this project reaches, so these are our own checks of the PDF/A-3b structure (see docs/PROPOSAL.md for what
they cover and what they do not).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from ui.report.files import ReportError

PROJECT_FILE = "project.json"
CATALOG_FILE = "catalog.json"
ANALYSIS_FILE = "analysis.json"
SRGB = "sRGB IEC61966-2.1"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF: name, bytes, MIME type, a description, and its relationship to the
    document (PDF/A-3 ``/AFRelationship``: Source for what the document was made from, Data for data it
    shows)."""

    name: str
    data: bytes
    description: str
    mime: str = "application/json"
    relationship: str = "Source"


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    author: str
    subject: str
    keywords: Sequence[str]
    language: str
    doc_id: str
    created: dt.datetime
    creator: str


def srgb_profile() -> bytes:
    """An sRGB ICC profile (littleCMS via Pillow), made deterministic: version 4.2, fixed creation date."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[8:12] = bytes([4, 0x20, 0, 0])
    data[24:36] = bytes([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])  # 2000-01-01 00:00:00
    return bytes(data)


def _pdf_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def make_archival(pdf: bytes, info: DocumentInfo, attachments: Sequence[Attachment]) -> bytes:
    """``pdf`` as PDF/A-3b with ``info`` as metadata and ``attachments`` as associated files."""
    with Pdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        root.Lang = pikepdf.String(info.language)
        root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        root.PageMode = Name.UseOutlines
        icc = pikepdf.Stream(doc, srgb_profile())
        icc.N = 3
        root.OutputIntents = pikepdf.Array(
            [
                Dictionary(
                    Type=Name.OutputIntent,
                    S=Name.GTS_PDFA1,
                    OutputConditionIdentifier=pikepdf.String(SRGB),
                    Info=pikepdf.String(SRGB),
                    RegistryName=pikepdf.String("http://www.color.org"),
                    DestOutputProfile=icc,
                )
            ]
        )
        stamp = _pdf_date(info.created)
        specs = []
        for a in attachments:
            spec = pikepdf.AttachedFileSpec(
                doc,
                a.data,
                description=a.description,
                filename=a.name,
                mime_type=a.mime,
                creation_date=stamp,
                mod_date=stamp,
                relationship=Name("/" + a.relationship),
            )
            doc.attachments[a.name] = spec
            specs.append(spec.obj)
        root.AF = pikepdf.Array(specs)
        doc.docinfo[Name.Title] = pikepdf.String(info.title)
        doc.docinfo[Name.Author] = pikepdf.String(info.author)
        doc.docinfo[Name.Subject] = pikepdf.String(info.subject)
        doc.docinfo[Name.Keywords] = pikepdf.String(", ".join(info.keywords))
        doc.docinfo[Name.Creator] = pikepdf.String(info.creator)
        doc.docinfo[Name.CreationDate] = pikepdf.String(stamp)
        doc.docinfo[Name.ModDate] = pikepdf.String(stamp)
        doc.docinfo[Name("/DocumentId")] = pikepdf.String(info.doc_id)
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "3"
            meta["pdfaid:conformance"] = "B"
            meta["dc:title"] = info.title
            meta["dc:creator"] = [info.author] if info.author else []
            meta["dc:description"] = info.subject
            meta["dc:identifier"] = info.doc_id
            meta["dc:language"] = [info.language]
            meta["pdf:Keywords"] = ", ".join(info.keywords)
            meta["pdf:Producer"] = str(doc.docinfo.get(Name.Producer, "ReportLab"))
            meta["xmp:CreatorTool"] = info.creator
            meta["xmp:CreateDate"] = info.created.astimezone(dt.UTC).isoformat()
            meta["xmp:ModifyDate"] = info.created.astimezone(dt.UTC).isoformat()
            meta["xmp:MetadataDate"] = info.created.astimezone(dt.UTC).isoformat()
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()


# --------------------------------------------------------------------------------------------- reading back


def attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of ``pdf`` by name (empty when it has none)."""
    try:
        with Pdf.open(io.BytesIO(pdf)) as doc:
            return {name: spec.get_file().read_bytes() for name, spec in doc.attachments.items()}
    except pikepdf.PdfError as exc:
        raise ReportError(f"not a readable PDF ({exc})") from None


def attached_json(pdf: bytes, name: str) -> Any:
    files = attachments(pdf)
    if name not in files:
        raise ReportError(
            f"the PDF carries no {name}: it was not exported by this version of Compute Planner"
        )
    try:
        return json.loads(files[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"the embedded {name} is not valid JSON ({exc})") from None


def document_info(pdf: bytes) -> Mapping[str, str]:
    with Pdf.open(io.BytesIO(pdf)) as doc:
        return {str(k)[1:]: str(v) for k, v in doc.docinfo.items()}


# --------------------------------------------------------------------------------------------- PDF/A checks


def _fonts_in(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Any]]:
    if resources is None:
        return
    fonts = resources.get("/Font") or {}
    for _key, font in fonts.items():
        if font.objgen in seen and font.objgen != (0, 0):
            continue
        seen.add(font.objgen)
        yield str(font.get("/BaseFont", "?")), font
    for _key, xobj in (resources.get("/XObject") or {}).items():
        if xobj.objgen in seen and xobj.objgen != (0, 0):
            continue
        seen.add(xobj.objgen)
        if xobj.get("/Subtype") == Name.Form:
            yield from _fonts_in(xobj.get("/Resources"), seen)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True
    desc = font.get("/FontDescriptor")
    if desc is None and "/DescendantFonts" in font:
        desc = font.DescendantFonts[0].get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def pdfa_problems(pdf: bytes) -> list[str]:
    """What keeps ``pdf`` from being PDF/A-3b, as far as these checks see: XMP identification and metadata
    agreeing with the document information, an RGB output intent with its ICC profile, every font used by a
    page, form or annotation appearance embedded, every embedded file an associated file with a MIME type and
    a relationship, a document language, a file identifier, no encryption and no JavaScript or launch
    actions. Empty when none is found."""
    out: list[str] = []
    try:
        doc = Pdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        return [f"not a readable PDF ({exc})"]
    with doc:
        if doc.is_encrypted:
            out.append("the file is encrypted")
        root = doc.Root
        meta = doc.open_metadata()
        if str(meta.get("pdfaid:part", "")) != "3" or str(meta.get("pdfaid:conformance", "")) != "B":
            out.append("XMP metadata does not declare PDF/A-3b (pdfaid:part 3, conformance B)")
        title = str(doc.docinfo.get(Name.Title, ""))
        if not title or str(meta.get("dc:title", "")) != title:
            out.append("title missing, or XMP dc:title differs from the document information")
        author = str(doc.docinfo.get(Name.Author, ""))
        creators = meta.get("dc:creator") or []
        if author and author not in list(creators):
            out.append("XMP dc:creator does not hold the document's author")
        for key in (Name.Subject, Name.Keywords):
            if not str(doc.docinfo.get(key, "")):
                out.append(f"document information has no {str(key)[1:]}")
        if not str(root.get("/Lang", "")):
            out.append("no document language (/Lang)")
        if "/ID" not in doc.trailer:
            out.append("no file identifier (/ID) in the trailer")
        intents: Any = root.get("/OutputIntents") or []
        good = [
            i
            for i in intents
            if i.get("/S") == Name.GTS_PDFA1
            and i.get("/DestOutputProfile") is not None
            and int(i.DestOutputProfile.get("/N", 0)) == 3
            and i.DestOutputProfile.read_bytes()[36:40] == b"acsp"
        ]
        if not good:
            out.append("no PDF/A output intent with an RGB ICC profile")
        seen: set[tuple[int, int]] = set()
        for n, page in enumerate(doc.pages, start=1):
            fonts = list(_fonts_in(page.obj.get("/Resources"), seen))
            for annot in page.obj.get("/Annots") or []:
                ap = annot.get("/AP")
                if ap is not None and ap.get("/N") is not None and isinstance(ap.N, pikepdf.Stream):
                    fonts += list(_fonts_in(ap.N.get("/Resources"), seen))
                if annot.get("/Subtype") != Name.Link and not int(annot.get("/F", 0)) & 4:
                    out.append(f"page {n}: an annotation is not set to print")
            out += [f"page {n}: font {name} is not embedded" for name, f in fonts if not _embedded(f)]
        af = {spec.objgen for spec in root.get("/AF") or []}
        for name, spec in doc.attachments.items():
            obj = spec.obj
            if obj.objgen not in af:
                out.append(f"embedded file {name} is not an associated file (/AF)")
            if "/AFRelationship" not in obj:
                out.append(f"embedded file {name} has no /AFRelationship")
            stream = obj.EF.get("/F")
            if stream is None or "/Subtype" not in stream:
                out.append(f"embedded file {name} has no MIME type")
        if "/OpenAction" in root and "/JS" in root.OpenAction:
            out.append("the document runs JavaScript when opened")
        names: Any = root.get("/Names") or {}
        if "/JavaScript" in names:
            out.append("the document carries JavaScript")
    return out
