"""Find the line table and the title-block facts of a vendor quote without a mapping.

A quote file is read into sheets of cell values (:func:`read_sheets`: a CSV's encoding is sniffed with
charset-normalizer and its delimiter by which one gives the most rows of one width; a workbook gives its
computed values, every sheet). :func:`detect_layout` then finds the header row in any sheet by column
names in English, German, French and Spanish, and :func:`title_facts` reads the quote number, date,
validity, currency, lead time and customer by their labels wherever they stand outside the table.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.inputs import BadInput, clean_text

HEADER_SEARCH_ROWS = 60
"""The header is looked for in the first rows of each sheet."""

PRICE_FIELDS = ("unit_price", "net_price", "extended", "list_price")
"""A line table needs a description, a quantity and at least one of these."""

# Normalised header texts (lower-case letters and digits, accents dropped) per field and language.
COLUMN_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "position": {
        "en": ("line", "lineno", "linenumber", "item", "itemno", "no", "nr", "position"),
        "de": ("pos", "position", "posnr", "lfdnr"),
        "fr": ("ligne", "n", "no", "poste"),
        "es": ("linea", "n", "no", "item"),
    },
    "description": {
        "en": ("description", "productdescription", "itemdescription", "details", "itemname"),
        "de": ("bezeichnung", "beschreibung", "artikelbezeichnung", "produkt", "leistung"),
        "fr": ("designation", "description", "libelle", "article"),
        "es": ("descripcion", "concepto", "articulo", "producto"),
    },
    "part_number": {
        "en": (
            "partnumber",
            "partno",
            "part",
            "sku",
            "itemcode",
            "productcode",
            "productno",
            "product",
            "mpn",
            "featurecode",
            "skuno",
            "code",
        ),
        "de": ("artikelnr", "artikelnummer", "artnr", "teilenummer", "herstellernr", "bestellnr"),
        "fr": ("reference", "ref", "referenceproduit", "code"),
        "es": ("codigo", "referencia", "ref", "sku"),
    },
    "quantity": {
        "en": ("quantity", "qty", "units", "count", "qnty"),
        "de": ("menge", "anzahl", "stuck", "stk"),
        "fr": ("quantite", "qte", "qt"),
        "es": ("cantidad", "cant", "uds", "unidades"),
    },
    "unit_price": {
        "en": ("unitprice", "unitcost", "priceeach", "price", "unitsellprice", "sellprice", "rate"),
        "de": ("einzelpreis", "ep", "preis", "stuckpreis", "einzelpreisnetto"),
        "fr": ("prixunitaire", "prixunitaireht", "puht", "pu", "prix", "prixht"),
        "es": ("preciounitario", "precio", "preciounit", "pvp"),
    },
    "list_price": {
        "en": ("listprice", "unitlistprice", "list", "msrp"),
        "de": ("listenpreis",),
        "fr": ("prixcatalogue", "prixpublic", "prixliste"),
        "es": ("preciodelista", "preciotarifa", "tarifa"),
    },
    "discount": {
        "en": ("discount", "discountpct", "disc", "discountpercent"),
        "de": ("rabatt", "rabattpct", "nachlass"),
        "fr": ("remise", "remisepct"),
        "es": ("descuento", "dto", "dtopct"),
    },
    "net_price": {
        "en": ("netprice", "unitnetprice", "netunitprice", "yourprice", "discountedprice"),
        "de": ("nettopreis", "nettoeinzelpreis", "ihrpreis"),
        "fr": ("prixnet", "prixnetht", "prixunitairenet"),
        "es": ("precioneto", "preciounitarioneto"),
    },
    "extended": {
        "en": (
            "extendedprice",
            "extended",
            "extendednetprice",
            "extprice",
            "linetotal",
            "total",
            "amount",
            "totalprice",
            "extendedamount",
            "nettotal",
            "totalnetprice",
        ),
        "de": ("gesamtpreis", "gesamt", "gp", "betrag", "summe", "gesamtnetto", "gesamtpreisnetto"),
        "fr": ("montant", "montantht", "totalht", "total", "prixtotal", "prixtotalht"),
        "es": ("importe", "total", "preciototal", "subtotal"),
    },
    "kind": {
        "en": ("kind", "type", "linetype", "category"),
        "de": ("typ", "art", "kategorie"),
        "fr": ("type", "categorie"),
        "es": ("tipo", "categoria"),
    },
    "support_years": {
        "en": ("supportyears", "warrantyyears"),
        "de": ("garantiejahre",),
        "fr": ("anneesdegarantie",),
        "es": ("anosdegarantia",),
    },
}
FIELD_ORDER = tuple(COLUMN_SYNONYMS)

FACT_LABELS: dict[str, tuple[str, ...]] = {
    "quote_number": (
        "quotenumber",
        "quoteno",
        "quotenr",
        "quote",
        "quoteid",
        "quotationnumber",
        "quotationno",
        "quotation",
        "quoteref",
        "quotereference",
        "dealid",
        "angebotsnummer",
        "angebotsnr",
        "angebotnr",
        "angebot",
        "angebotnummer",
        "devis",
        "devisn",
        "devisno",
        "numerodudevis",
        "numerodevis",
        "ndevis",
        "presupuesto",
        "presupueston",
        "presupuestono",
        "numerodepresupuesto",
        "npresupuesto",
        "oferta",
    ),
    "quote_date": (
        "quotedate",
        "date",
        "dateofquote",
        "quotationdate",
        "issued",
        "issuedate",
        "createdon",
        "datum",
        "angebotsdatum",
        "datedudevis",
        "datedevis",
        "fecha",
        "fechadelpresupuesto",
        "fechapresupuesto",
    ),
    "valid_until": (
        "validuntil",
        "validto",
        "validthrough",
        "expires",
        "expirationdate",
        "quoteexpirationdate",
        "quoteexpiration",
        "expirydate",
        "expiry",
        "validfor",
        "validity",
        "gultigbis",
        "gueltigbis",
        "gultigkeit",
        "bindefrist",
        "angebotgultigbis",
        "validite",
        "validitedudevis",
        "valablejusquau",
        "validejusquau",
        "valable",
        "validohasta",
        "validez",
        "fechadevalidez",
        "vencimiento",
    ),
    "currency": ("currency", "wahrung", "devise", "monnaie", "moneda", "divisa"),
    "lead_time": (
        "leadtime",
        "estimatedleadtime",
        "deliverytime",
        "delivery",
        "estimateddelivery",
        "shiptime",
        "lieferzeit",
        "lieferzeitwochen",
        "leadtimeweeks",
        "liefertermin",
        "lieferfrist",
        "delaidelivraison",
        "delai",
        "delaisdelivraison",
        "plazodeentrega",
        "plazoentrega",
        "tiempodeentrega",
        "entrega",
    ),
    "customer": (
        "customer",
        "customername",
        "client",
        "clientname",
        "kunde",
        "kundenname",
        "auftraggeber",
        "cliente",
        "soldto",
        "endcustomer",
        "endkunde",
        "preparedfor",
    ),
}
FACTS = tuple(FACT_LABELS)


def normalise(text: object) -> str:
    """Lower-case letters and digits of a text, accents dropped ("Désignation" → "designation")."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.lower())


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Sheet:
    """One sheet (a CSV is one sheet named after the file): row i of ``rows`` is spreadsheet row i+1.

    ``formulas``: (row, column) → formula text of workbook cells that hold a formula without a computed
    value (a file written by a program and never opened in a spreadsheet).
    """

    name: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileText:
    """How a CSV was decoded and split (shown to the user)."""

    encoding: str
    delimiter: str


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) when it decodes, else charset-normalizer's best guess
    among Western encodings, else Windows-1252."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1252", "latin_1", "iso8859_15", "mac_roman", "cp850"]).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return raw.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` tab ``|``) that splits the most rows into one same width of 3 or more
    cells: quoted amounts such as ``"1,250.00"`` and a title block of other widths do not mislead it."""
    best, best_score = ",", -1
    sample = text[:200_000]
    for delimiter in (",", ";", "\t", "|"):
        widths: dict[int, int] = {}
        for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
            width = len(row)
            if width >= 3:
                widths[width] = widths.get(width, 0) + 1
        score = max(widths.values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


MAX_QUOTE_BYTES = 20_000_000
"""Largest quote file read (20 MB; a vendor quote is a few hundred kilobytes at most)."""
MAX_QUOTE_ROWS = 20_000
"""Most rows a quote sheet may hold."""
MAX_QUOTE_COLUMNS = 200
"""Most columns a quote sheet may hold."""
MAX_QUOTE_SHEETS = 50
"""Most sheets a quote workbook may hold."""


def read_csv_text(raw: bytes) -> tuple[list[list[Any]], FileText]:
    text, encoding = decode(raw)
    from db.io import csv_field_limit

    with csv_field_limit(MAX_QUOTE_BYTES):  # cell lengths are checked by clean_rows, naming row and column
        delimiter = sniff_delimiter(text)
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return clean_rows(rows), FileText(encoding, delimiter)


def check_quote_file(path: Path) -> None:
    """BadInput when the file is too large, or is a workbook that unpacks too large (a zip bomb)."""
    from db.io import check_xlsx_archive

    size = path.stat().st_size
    if size > MAX_QUOTE_BYTES:
        raise BadInput(
            "", f"is {size / 1e6:,.1f} MB, more than the {MAX_QUOTE_BYTES / 1e6:g} MB a quote file may hold"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        problem = check_xlsx_archive(path)
        if problem:
            raise BadInput("", problem)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index (0 → A, 26 → AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def clean_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """The grid with every text cell in NFC and refused (BadInput naming row and column) when it holds a NUL,
    a control character or a lone surrogate or is too long; numbers must be finite and of a sane size."""
    if len(rows) > MAX_QUOTE_ROWS:
        raise BadInput("", f"has {len(rows):,} rows, more than the {MAX_QUOTE_ROWS:,} a quote sheet may hold")
    out: list[list[Any]] = []
    for r, row in enumerate(rows):
        if len(row) > MAX_QUOTE_COLUMNS:
            raise BadInput(
                f"row {r + 1}",
                f"has {len(row):,} cells, more than the {MAX_QUOTE_COLUMNS:,} a quote row may hold",
            )
        cleaned: list[Any] = []
        for c, value in enumerate(row):
            where = f"row {r + 1}, column {column_letter(c)}"
            if isinstance(value, str):
                value = clean_text(value, where)
            elif isinstance(value, float) and not math.isfinite(value):
                raise BadInput(where, "is not a finite number")
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
                raise BadInput(where, f"is a number of {len(str(abs(value)))} digits, more than any price")
            cleaned.append(value)
        out.append(cleaned)
    return out


def read_sheets(path: Path) -> tuple[list[Sheet], FileText | None]:
    """Every sheet of a workbook (computed values) or the one sheet of a CSV; OSError/ValueError when the
    file cannot be read (the caller words it), BadInput (a ValueError) naming the row and column of a bad
    cell or the limit a file exceeds."""
    check_quote_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheets = _read_workbook(path)
        except (BadInput, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl: damaged zip/XML, refused entities, bad numbers
            from db.io import xml_problem

            raise ValueError(f"not a readable XLSX workbook ({xml_problem(exc)})") from None
        return [Sheet(s.name, clean_rows(s.rows), s.formulas) for s in sheets], None
    rows, how = read_csv_text(path.read_bytes())
    return [Sheet(path.stem, rows)], how


def _read_workbook(path: Path) -> list[Sheet]:
    from openpyxl import load_workbook

    values = load_workbook(path, data_only=True, read_only=True)
    try:
        if len(values.worksheets) > MAX_QUOTE_SHEETS:
            raise BadInput(
                "", f"has {len(values.worksheets)} sheets, more than the {MAX_QUOTE_SHEETS} a quote may hold"
            )
        sheets = [Sheet(ws.title, _sheet_rows(ws)) for ws in values.worksheets]
    finally:
        values.close()
    if not any(any(isinstance(v, str) for v in row) for s in sheets for row in s.rows):
        return sheets
    return _with_uncomputed_formulas(path, sheets)


def _sheet_rows(ws: Any) -> list[list[Any]]:
    """A read-only worksheet's rows, stopping (BadInput) past MAX_QUOTE_ROWS instead of reading a million."""
    rows: list[list[Any]] = []
    for row in ws.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_QUOTE_ROWS:
            raise BadInput("", f"has more than the {MAX_QUOTE_ROWS:,} rows a quote sheet may hold")
    return rows


def _with_uncomputed_formulas(path: Path, sheets: list[Sheet]) -> list[Sheet]:
    """Note the formula cells whose computed value is missing (None in the values)."""
    if not any(v is None for s in sheets for row in s.rows for v in row):
        return sheets
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=False, read_only=True)
    try:
        out = []
        for sheet, ws in zip(sheets, wb.worksheets, strict=True):
            formulas: dict[tuple[int, int], str] = {}
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                for c, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("="):
                        current = sheet.rows[r][c] if r < len(sheet.rows) and c < len(sheet.rows[r]) else None
                        if current is None:
                            formulas[(r, c)] = value
            out.append(Sheet(sheet.name, sheet.rows, formulas))
        return out
    finally:
        wb.close()


# ------------------------------------------------------------------------------------------ header


@dataclass(frozen=True)
class Layout:
    """Where the line table is: sheet index and name, 0-based header row, field → column index, the
    header texts, and the language the header is written in (en, de, fr, es)."""

    sheet: int
    sheet_name: str
    header_row: int
    columns: dict[str, int]
    headers: dict[str, str]
    language: str


def _match_header(cell: object) -> tuple[str, str, int] | None:
    """(field, language, strength) a header cell names: 2 = exact synonym, 1 = starts with one."""
    norm = normalise(cell)
    if not norm or len(norm) > 40:
        return None
    best: tuple[str, str, int, int] | None = None
    for fld in FIELD_ORDER:
        for lang, names in COLUMN_SYNONYMS[fld].items():
            for name in names:
                if norm == name:
                    candidate = (fld, lang, 2, len(name))
                elif len(name) >= 4 and norm.startswith(name):
                    candidate = (fld, lang, 1, len(name))
                else:
                    continue
                if best is None or candidate[2:] > best[2:]:
                    best = candidate
    return None if best is None else best[:3]


def header_columns(row: Sequence[object]) -> tuple[dict[str, int], dict[str, int]]:
    """(field → column index, language → votes) for one row read as a header."""
    found: dict[str, tuple[int, int]] = {}
    votes: dict[str, int] = {}
    for c, cell in enumerate(row):
        if not isinstance(cell, str):
            continue
        hit = _match_header(cell)
        if hit is None:
            continue
        fld, lang, strength = hit
        if fld not in found or strength > found[fld][1]:
            found[fld] = (c, strength)
        votes[lang] = votes.get(lang, 0) + strength
    columns = {f: c for f, (c, _s) in found.items()}
    return columns, votes


def _is_table(columns: dict[str, int]) -> bool:
    return "description" in columns and "quantity" in columns and any(f in columns for f in PRICE_FIELDS)


def detect_layout(sheets: Sequence[Sheet]) -> Layout | None:
    """The header row naming the most fields (description, quantity and a price at least) in any sheet."""
    best: tuple[int, int, int, Layout] | None = None
    for s, sheet in enumerate(sheets):
        for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            columns, votes = header_columns(row)
            if not _is_table(columns):
                continue
            language = max(sorted(votes), key=lambda k: (votes[k], k == "en"))
            layout = Layout(
                s, sheet.name, r, columns, {f: str(row[c]).strip() for f, c in columns.items()}, language
            )
            key = (len(columns), -s, -r)
            if best is None or key > best[:3]:
                best = (*key, layout)
    return None if best is None else best[3]


# ------------------------------------------------------------------------------------------ title block


@dataclass(frozen=True)
class Fact:
    """A title-block fact as written: its value, the label it stood by, and where (sheet, 1-based row)."""

    value: Any
    label: str
    sheet: str
    row: int


def _label_of(cell: object) -> tuple[str, str | None] | None:
    """(fact, inline value) a cell labels: "Quote Number:" or "Quote Number: 3000123"."""
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    inline = None
    if ":" in text:
        head, _sep, tail = text.partition(":")
        if tail.strip():
            text, inline = head, tail.strip()
    norm = normalise(text)
    if not norm or len(norm) > 30:
        return None
    for fact, labels in FACT_LABELS.items():
        if norm in labels:
            return fact, inline
    return None


def title_facts(sheets: Sequence[Sheet], layout: Layout, table_rows: Iterable[int]) -> dict[str, Fact]:
    """Facts found by label in every sheet, outside the line table's rows (first one of each wins).

    The value is the label cell's own text after a colon, else the next non-blank cell to its right.
    """
    in_table = set(table_rows)
    facts: dict[str, Fact] = {}
    for s, sheet in enumerate(sheets):
        for r, row in enumerate(sheet.rows):
            if s == layout.sheet and (r == layout.header_row or r in in_table):
                continue
            for c, cell in enumerate(row):
                hit = _label_of(cell)
                if hit is None:
                    continue
                fact, inline = hit
                if fact in facts:
                    continue
                value: Any = inline
                if value is None:
                    value = next((v for v in row[c + 1 :] if v is not None and str(v).strip()), None)
                if value is None or _label_of(value) is not None:
                    continue
                facts[fact] = Fact(value, str(cell).strip().rstrip(":"), sheet.name, r + 1)
    return facts


# ------------------------------------------------------------------------------------------ lead time, validity

_WEEKS = r"weeks?|wks?|wochen?|semaines?|semanas?"
_DAYS = r"days?|tage?n?|jours?|d[ií]as?|business days"
_RANGE = re.compile(
    rf"(\d+(?:[.,]\d+)?)\s*(?:-|–|to|bis|à|a|au|hasta)\s*(\d+(?:[.,]\d+)?)\s*({_WEEKS}|{_DAYS})", re.I
)
_SINGLE = re.compile(rf"(\d+(?:[.,]\d+)?)\s*({_WEEKS}|{_DAYS})", re.I)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _in_weeks(value: float, unit: str) -> float:
    return value if re.fullmatch(_WEEKS, unit, re.I) else value / 7.0


def parse_lead_time(value: object) -> tuple[float, str | None]:
    """Lead time in weeks and, for a range, a note saying the upper bound is used.

    ``8-10 weeks ARO`` → 10 weeks ("8-10 weeks ARO: the upper bound, 10 weeks, is used"); ``6 Wochen`` →
    6; ``45 days`` → 45/7; a bare number is weeks. ValueError when no duration is found.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None
    text = str(value).strip()
    if m := _RANGE.search(text):
        low, high, unit = _number(m.group(1)), _number(m.group(2)), m.group(3)
        weeks = _in_weeks(max(low, high), unit)
        return weeks, f"lead time {text!r}: the upper bound, {weeks:g} weeks, is used"
    if m := _SINGLE.search(text):
        return _in_weeks(_number(m.group(1)), m.group(2)), None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return _number(text), None
    raise ValueError(f"no duration in {text!r} (e.g. '8 weeks', '6-8 Wochen')")


def validity_days(value: object) -> int | None:
    """Days of a relative validity ("30 days", "30 Tage", "30 jours", "30 días"), else None."""
    m = re.search(rf"(\d+)\s*({_DAYS})", str(value), re.I)
    return int(m.group(1)) if m else None
