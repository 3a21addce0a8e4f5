"""Price history of one catalog row in the Catalog view's details: a sparkline and a one-line summary.

The points come from ``db.history.series`` (read on the database lane); drawing a sparkline of a few
points is a few hundred microseconds of QPainter work on the GUI thread. The image is embedded in the
details HTML as a PNG data URI, so the details pane stays one piece of HTML.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from planner.price_trend import PricePoint, sku_trend

PRICING_ORDER = ("on_demand", "spot", "reserved_1y", "reserved_3y", "price_low", "price_high", "list")
PRICING_LABELS = {
    "on_demand": "On-demand",
    "spot": "Spot",
    "reserved_1y": "1-year reserved",
    "reserved_3y": "3-year reserved",
    "price_low": "Low price",
    "price_high": "High price",
    "list": "List price",
}
SPARK_W, SPARK_H = 120, 28


def sparkline_image(points: Sequence[PricePoint], width: int = SPARK_W, height: int = SPARK_H) -> QImage:
    """A line of ``points`` over time (x: as-of date, y: value, both scaled to the box), last point dotted."""
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    if len(points) < 2:
        return image
    days = [p.as_of.toordinal() for p in points]
    values = [p.value for p in points]
    x0, x1 = min(days), max(days)
    y0, y1 = min(values), max(values)
    pad = 3.0

    def at(day: int, value: float) -> QPointF:
        x = pad + (day - x0) / max(x1 - x0, 1) * (width - 2 * pad)
        y = height / 2 if y1 == y0 else pad + (y1 - value) / (y1 - y0) * (height - 2 * pad)
        return QPointF(x, y)

    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor("#1565c0")
    painter.setPen(QPen(colour, 1.6))
    previous = at(days[0], values[0])
    for day, value in zip(days[1:], values[1:], strict=True):
        here = at(day, value)
        painter.drawLine(QPointF(here.x(), previous.y()), here)  # a price holds until it changes
        painter.drawLine(previous, QPointF(here.x(), previous.y()))
        previous = here
    painter.setBrush(colour)
    painter.drawEllipse(previous, 2.2, 2.2)
    painter.end()
    return image


def _png_data_uri(image: QImage) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub wants bytes; PySide takes a str
    buffer.close()
    return "data:image/png;base64," + base64.b64encode(bytes(data.data())).decode("ascii")


def _money(value: float, currency: str) -> str:
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{value:,.2f}" if value >= 100 else f"{symbol}{value:,.4g}"


def summary(points: Sequence[PricePoint]) -> str:
    """One line for people: first and latest price with dates, the change, and the yearly trend."""
    first, last = points[0], points[-1]
    if len(points) == 1:
        return f"{_money(last.value, last.currency)} since {last.as_of.isoformat()} (no earlier price kept)"
    change = (last.value - first.value) / first.value * 100.0
    text = (
        f"{_money(first.value, first.currency)} ({first.as_of.isoformat()}) → "
        f"{_money(last.value, last.currency)} ({last.as_of.isoformat()}), {change:+.1f} % over "
        f"{len(points)} prices"
    )
    trend = sku_trend(points)
    if trend is not None:
        text += (
            f"; {abs(trend.annual_change) * 100:.1f} % a year {'down' if trend.annual_change < 0 else 'up'}"
        )
    return text


def history_html(series: Mapping[str, Sequence[PricePoint]] | None) -> str:
    """The "Price history" block of the details pane (None: still being read)."""
    if series is None:
        return "<p style='color:#666'><b>Price history:</b> reading…</p>"
    if not series:
        return "<p style='color:#666'><b>Price history:</b> no price recorded.</p>"
    lines = ["<p><b>Price history</b></p><table cellspacing='0' cellpadding='2'>"]
    for pricing in sorted(series, key=lambda p: PRICING_ORDER.index(p) if p in PRICING_ORDER else 99):
        points = series[pricing]
        if not points:
            continue
        spark = (
            f"<img src='{_png_data_uri(sparkline_image(points))}' width='{SPARK_W}' height='{SPARK_H}'>"
            if len(points) > 1
            else ""
        )
        label = html.escape(PRICING_LABELS.get(pricing, pricing.replace("_", " ")))
        lines.append(
            f"<tr><td style='color:#555'>{label}</td><td>{spark}</td></tr>"
            f"<tr><td></td><td style='color:#333'>{html.escape(summary(points))}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)
