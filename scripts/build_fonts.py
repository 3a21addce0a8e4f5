"""Build the proposal's fonts in resources/fonts/ from Debian's Noto packages (fonts-noto-core, fonts-noto-cjk).

PlannerSans-Regular.ttf / PlannerSans-Bold.ttf = Noto Sans (Latin, Greek, Cyrillic, punctuation, currency)
merged with a subset of Noto Sans CJK SC (CJK punctuation, kana, the ideographs of GB 2312 and JIS X 0208,
the Hangul syllables of KS X 1001, fullwidth forms, and the symbols Noto Sans lacks: ✓ ★ ≤ ≥ − →), its
PostScript outlines converted to TrueType quadratics so that reportlab can embed it. Both sources are
SIL Open Font License 1.1 with no Reserved Font Name; the result carries the same licence (NotoSans-OFL.txt).

Run: python scripts/build_fonts.py  (needs the two Debian packages; writes only resources/fonts/PlannerSans-*).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto")
OUT = Path(__file__).resolve().parent.parent / "resources" / "fonts"
CJK_INDEX_SC = 2  # Noto Sans CJK SC inside the collection

LATIN_RANGES = [
    (0x0020, 0x024F),  # Basic Latin … Latin Extended-B
    (0x0250, 0x02FF),  # IPA, spacing modifiers
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic + supplement
    (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20CF),  # currency symbols
    (0x2100, 0x214F),  # letterlike
    (0x2150, 0x218F),  # number forms
]
SYMBOLS = "★☆✓✔✗≤≥−→←↑↓≈≠±×÷∑√∞■□●○◆◇▲△▼▽"


def _codec_chars(codec: str, ranges: list[tuple[int, int]]) -> set[int]:
    out = set()
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            try:
                chr(cp).encode(codec)
            except UnicodeEncodeError:
                continue
            out.add(cp)
    return out


def cjk_codepoints() -> set[int]:
    ideographs = [(0x4E00, 0x9FFF)]
    cps = _codec_chars("gb2312", ideographs) | _codec_chars("shift_jis", ideographs)
    cps |= _codec_chars("iso2022_kr", [(0xAC00, 0xD7A3)])  # the 2,350 KS X 1001 syllables
    for lo, hi in [(0x3000, 0x30FF), (0x31F0, 0x31FF), (0xFF00, 0xFFEF), (0x3130, 0x318F)]:
        cps |= set(range(lo, hi + 1))
    cps |= {ord(c) for c in SYMBOLS}
    return cps


def _subset(font: TTFont, unicodes: set[int]) -> None:
    opts = subset.Options()
    opts.layout_features = ["kern", "liga", "locl", "mark", "mkmk", "ccmp"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Replace the CFF table by a glyf table (cubic → quadratic, 1 unit tolerance); fontTools snippet otf2ttf."""
    glyph_order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    for tag in ("vhea", "vmtx", "BASE"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True


def build(weight: str) -> Path:
    latin = TTFont(NOTO / f"NotoSans-{weight}.ttf")
    latin_cps = {cp for lo, hi in LATIN_RANGES for cp in range(lo, hi + 1)}
    _subset(latin, latin_cps)
    cjk = TTCollection(CJK / f"NotoSansCJK-{weight}.ttc").fonts[CJK_INDEX_SC]
    _subset(cjk, cjk_codepoints() - set(latin.getBestCmap()))
    cff_to_glyf(cjk)
    folder = OUT / "build"
    folder.mkdir(exist_ok=True)
    a, b = folder / "latin.ttf", folder / "cjk.ttf"
    for f in (latin, cjk):  # no glyph names: the merger renames clashes itself
        f["post"].formatType = 3.0
    latin.save(a)
    cjk.save(b)
    merged = Merger().merge([str(a), str(b)])
    family = "Planner Sans"
    for rec in merged["name"].names:
        if rec.nameID in (1, 16):
            rec.string = family
        elif rec.nameID == 4:
            rec.string = f"{family} {weight}"
        elif rec.nameID == 6:
            rec.string = f"PlannerSans-{weight}"
        elif rec.nameID == 3:
            rec.string = f"PlannerSans-{weight}; derived from Noto Sans and Noto Sans CJK SC"
    out = OUT / f"PlannerSans-{weight}.ttf"
    merged.save(out)
    a.unlink()
    b.unlink()
    folder.rmdir()
    return out


def main() -> int:
    for weight in ("Regular", "Bold"):
        path = build(weight)
        print(f"{path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
