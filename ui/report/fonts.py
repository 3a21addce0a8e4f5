"""The proposal's embedded fonts: Planner Sans, Noto Sans (Latin, Greek, Cyrillic) merged with a subset of
Noto Sans CJK SC (kana, Hangul, the ideographs of GB 2312 and JIS X 0208), built by scripts/build_fonts.py
and shipped in resources/fonts with the SIL Open Font License (NotoSans-OFL.txt). reportlab embeds a subset
of each font it uses; the same file draws the signature stamp.

A text the fonts cannot draw would print as empty boxes: :func:`check_drawable` turns it into an error that
names the characters.
"""

from __future__ import annotations

import unicodedata
from importlib.resources import as_file

from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from resources import resource
from ui.report.files import ReportError

REGULAR = "PlannerSans"
BOLD = "PlannerSans-Bold"
FILES = {REGULAR: "PlannerSans-Regular.ttf", BOLD: "PlannerSans-Bold.ttf"}
STAMP_FONT = ("fonts", "PlannerSans-Regular.ttf")


def register_fonts() -> None:
    """Register the fonts with reportlab once per process (idempotent) and make them the default of
    canvases and drawings, so no non-embedded standard font (Helvetica) is ever referenced."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in FILES.items():
        if name in registered:
            continue
        with as_file(resource("fonts", filename)) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    rl_config.canvas_basefontname = REGULAR
    shapes.STATE_DEFAULTS["fontName"] = REGULAR


def undrawable(text: str) -> list[str]:
    """The distinct characters of ``text`` that neither font has a glyph for (spaces and controls aside)."""
    register_fonts()
    out: list[str] = []
    for name in (REGULAR, BOLD):
        cmap = pdfmetrics.getFont(name).face.charToGlyph
        for ch in text:
            if ch in out or ch.isspace() or unicodedata.category(ch).startswith("C"):
                continue
            if ord(ch) not in cmap:
                out.append(ch)
    return out


def check_drawable(what: str, text: str) -> None:
    """Raise :class:`ReportError` naming ``what`` and the characters when the fonts cannot draw ``text``."""
    missing = undrawable(text)
    if missing:
        chars = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})" for c in missing)
        raise ReportError(
            f"{what} {text!r} has characters the proposal's fonts cannot draw: {chars}; "
            "write them in Latin, Greek, Cyrillic or common Chinese/Japanese/Korean characters"
        )
