"""Render the app icon SVG into the PNG sizes, the Windows .ico and the macOS .icns beside it.

Run from the repository root after editing resources/icons/compute-planner.svg:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

Qt's QSvgRenderer draws each PNG at its own size (crisper than scaling one bitmap down);
Pillow then packs the PNGs into the .ico (16..256) and the .icns (16..512 plus the 1024 Retina size).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICON_DIR / "compute-planner.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZE = 1024


def png_path(size: int) -> Path:
    """Where the PNG of one size lives: resources/icons/compute-planner-<size>.png."""
    return ICON_DIR / f"compute-planner-{size}.png"


def render_png(svg: Path, size: int, out: Path) -> None:
    """Draw the SVG on a transparent size x size image and save it as PNG."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"{out}: could not write the PNG")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QImage text/paint needs one
    big = ICON_DIR / "compute-planner-1024.tmp.png"
    for size in PNG_SIZES:
        render_png(SVG, size, png_path(size))
    render_png(SVG, ICNS_SIZE, big)
    try:
        images = {size: Image.open(png_path(size)).convert("RGBA") for size in PNG_SIZES}
        largest = images[256]
        largest.save(
            ICON_DIR / "compute-planner.ico",
            format="ICO",
            sizes=[(s, s) for s in ICO_SIZES],
            append_images=[images[s] for s in ICO_SIZES if s != 256],
        )
        with Image.open(big) as retina:
            retina.convert("RGBA").save(
                ICON_DIR / "compute-planner.icns",
                format="ICNS",
                append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)],
            )
    finally:
        big.unlink(missing_ok=True)
    del app
    print(f"wrote {len(PNG_SIZES)} PNGs, compute-planner.ico and compute-planner.icns in {ICON_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
