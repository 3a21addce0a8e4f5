"""The input boundary shared by every file format the app reads: JSON parsed with limits, text cleaned.

Every function here raises :class:`BadInput` (``where`` names the place, ``message`` says what is wrong);
each format's reader turns it into its own error type (ProjectError, SpecError, CatalogImportError,
QuoteImportError). Nothing else escapes: no RecursionError from deep nesting, no ValueError from a
5,000-digit integer, no NaN or Infinity slipping through as a number, no NUL byte or lone surrogate
reaching the database or the terminal.

The limits (stated in docs/LIMITS.md and in every error sentence) are module constants here and beside
each reader (planner.project, db.io, db.quote_layout, ui.commands.estimate).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_JSON_BYTES = 10_000_000
"""Largest JSON file read (a project or a SPEC list): 10 MB; real projects are a few kilobytes."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of objects and lists in a JSON file (a project nests 6 levels)."""
MAX_INT_DIGITS = 30
"""Longest integer literal accepted, in digits (refused before conversion)."""
MAX_TEXT_CHARS = 100_000
"""Longest text value (a name, a note, a catalog or quote cell)."""
MAX_LIST_ITEMS = 10_000
"""Longest list in a JSON file."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 controls except tab, line feed and carriage return; DEL; C1 controls (ESC-free terminals need no more)."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_TERMINAL_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte (colours, cursor moves, erase)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST (window titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes, or a lone ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # every other control character (tab and line feed kept)
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""How a spreadsheet formula can start (OWASP, CSV injection): such text is exported behind an apostrophe."""
_NUMBER_TEXT = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")
_DATE_LIKE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")


class BadInput(ValueError):
    """Input refused at the boundary: ``where`` is the key path, row/column or file; ``message`` one clause."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


# --------------------------------------------------------------------------------------------- JSON


def _parse_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise BadInput("", f"an integer of {digits:,} digits is too long (at most {MAX_INT_DIGITS} digits)")
    return int(text)


def json_depth(text: str) -> int:
    """How deep ``text``'s objects and lists nest (strings skipped), without parsing it."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def loads_json(text: str | bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON with the limits above; BadInput (``where`` empty: the caller names the file) otherwise.

    NaN, Infinity and literals beyond float64 (1e400) come back as non-finite floats so that
    :func:`clean_tree`, which every caller runs next, refuses them naming their key."""
    if len(text) > max_bytes:
        raise BadInput(
            "", f"is {len(text) / 1e6:,.1f} MB, more than the {max_bytes / 1e6:g} MB a file may hold"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadInput("", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    text = text.removeprefix("\ufeff")
    depth = json_depth(text)
    if depth > max_depth:
        raise BadInput("", f"nests {depth} levels deep, more than the {max_depth} levels a file may have")
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise BadInput(
            "", f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # the pre-scan makes this unreachable; kept so nothing else can escape
        raise BadInput("", f"nests more than {max_depth} levels deep") from None


# --------------------------------------------------------------------------------------------- values


def clean_text(value: str, where: str, *, max_chars: int = MAX_TEXT_CHARS, multiline: bool = True) -> str:
    """``value`` in Unicode NFC; BadInput when it holds a lone surrogate, a NUL or another control
    character (tab, line feed and carriage return are allowed when ``multiline``), or is too long."""
    if _SURROGATE.search(value):
        raise BadInput(where, "holds an invalid character (a lone UTF-16 surrogate); retype the text")
    bad = _CONTROL.search(value)
    if bad is None and not multiline:
        bad = re.search(r"[\t\n\r]", value)
    if bad is not None:
        code = ord(bad.group())
        what = "a NUL byte" if code == 0 else f"a control character (U+{code:04X})"
        raise BadInput(where, f"holds {what} at character {bad.start() + 1}; remove it")
    if len(value) > max_chars:
        raise BadInput(where, f"is {len(value):,} characters long (at most {max_chars:,})")
    return unicodedata.normalize("NFC", value)


def check_number(value: float, where: str, *, limit: float) -> float:
    """``value`` when finite and within ±``limit``; BadInput otherwise."""
    if not math.isfinite(value):
        raise BadInput(where, f"must be a finite number (got {value!r}: not a number, or too large)")
    if abs(value) > limit:
        raise BadInput(where, f"is {_short(repr(value))}, beyond the ±{limit:.0e} any input may be")
    return value


def clean_tree(value: Any, where: str = "", *, number_limit: float, max_items: int = MAX_LIST_ITEMS) -> Any:
    """A copy of a JSON-like tree with every string cleaned (:func:`clean_text`, keys too) and every
    number checked finite and within ±``number_limit``; BadInput naming the key path otherwise.

    Call it on trees from :func:`loads_json` (depth already bounded) or built by the app itself."""
    if isinstance(value, str):
        return clean_text(value, where or "text")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > number_limit:
            raise BadInput(
                where or "number", f"is {_short(str(value))}, beyond the ±{number_limit:.0e} any input may be"
            )
        return value
    if isinstance(value, float):
        return check_number(value, where or "number", limit=number_limit)
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            key = (
                clean_text(k, (where + "." if where else "") + "key", max_chars=200)
                if isinstance(k, str)
                else k
            )
            out[key] = clean_tree(
                v, f"{where}.{key}" if where else str(key), number_limit=number_limit, max_items=max_items
            )
        return out
    if isinstance(value, list | tuple):
        if len(value) > max_items:
            raise BadInput(where or "list", f"has {len(value):,} entries (at most {max_items:,})")
        return [
            clean_tree(v, f"{where}[{i}]", number_limit=number_limit, max_items=max_items)
            for i, v in enumerate(value)
        ]
    return value


def check_date_text(text: str, where: str) -> str:
    """``text`` unless it starts with a date (YYYY-MM or YYYY-MM-DD) that does not exist (month 13, 30 February)."""
    m = _DATE_LIKE.match(text.strip())
    if m is None:
        return text
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        dt.date(year, month, int(day) if day is not None else 1)
    except ValueError:
        raise BadInput(where, f"{m.group(0)!r} is not a real date") from None
    return text


def terminal_safe(text: str) -> str:
    """``text`` without terminal escape sequences or control characters (tab and line feed kept), and with
    lone surrogates replaced, so that printing a stored catalog or quote cell cannot drive the terminal."""
    return _SURROGATE.sub("\ufffd", _TERMINAL_SEQUENCE.sub("", text))


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text):,} characters)"


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet could run as a formula (starts with = + - @ tab or CR) that is not a number."""
    return text.startswith(FORMULA_PREFIXES) and not _NUMBER_TEXT.fullmatch(text.strip())


def neutralise(text: str) -> str:
    """``text`` behind a leading apostrophe when a spreadsheet would run it as a formula (OWASP's advice for
    CSV injection); other text, numbers written as text included, unchanged."""
    return "'" + text if looks_like_formula(text) else text


def neutralise_workbook(wb: Any) -> None:
    """:func:`neutralise` every text cell of an openpyxl workbook (not a write-only one) before it is saved:
    openpyxl stores a string starting with ``=`` as a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    cell.value = neutralise(cell.value)
