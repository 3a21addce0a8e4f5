"""The Catalog view's "Update prices…" dialog: read price packs, show what would change, apply.

Reading, diffing and applying run on the Catalog page's database lane; the dialog only shows plain
results (:class:`db.packs.PackDiff`). The change list shows at most ``LISTED`` rows so a 50,000-row pack
never fills a widget with 50,000 items on the GUI thread; the counts are always complete.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

LISTED = 500


def _money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.4g}"


def _percent(pct: float | None) -> str:
    """A change in %, with two decimals below 0.1 % so a small cut does not read as "-0.0 %"."""
    if pct is None:
        return ""
    return f"{pct:+.2f} %" if abs(pct) < 0.1 else f"{pct:+.1f} %"


class PackUpdateDialog(QDialog):
    """Choose snapshot files and their date, see the diff, apply it in one transaction."""

    diff_ready = Signal()  # a diff (or the reasons a file was refused) is shown
    applied = Signal(str)  # the one-line summary of what was written

    def __init__(self, page: Any, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.setWindowTitle("Update prices from catalog snapshots")
        self.resize(820, 560)
        self.paths: list[str] = []
        self.packs: list[Any] = []
        self.diff: Any = None
        self.files_label = QLabel("No file chosen")
        self.files_label.setWordWrap(True)
        choose = QPushButton("Choose files…")
        choose.clicked.connect(self.choose_files)
        self.as_of_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.as_of_edit.setToolTip(
            "The date the snapshot was taken, for files that carry none (an AWS Price List file's "
            "own publication date is used instead)"
        )
        self.provider_edit = QLineEdit()
        self.provider_edit.setPlaceholderText("from the file's folder or name (e.g. aws, lambda, nebius)")
        self.preview_button = QPushButton("Show changes")
        self.preview_button.clicked.connect(self.preview)
        files_row = QHBoxLayout()
        files_row.addWidget(self.files_label, 1)
        files_row.addWidget(choose)
        form = QFormLayout()
        form.addRow("Snapshot files:", files_row)
        form.addRow("Snapshot date (files that carry none):", self.as_of_edit)
        form.addRow("Cloud:", self.provider_edit)
        self.summary_label = QLabel(
            "SkyPilot catalog vms.csv files, dstack gpuhunt catalog files, Azure Retail Prices API "
            "answers and AWS Price List files (EC2, SageMaker) are read. Nothing is written until "
            "you apply."
        )
        self.summary_label.setWordWrap(True)
        self.changes = QTreeWidget()
        self.changes.setHeaderLabels(
            ["Change", "Offer", "On-demand", "Spot", "Reserved 1 y / 3 y", "Change %"]
        )
        self.changes.setRootIsDecorated(False)
        self.changes.setUniformRowHeights(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Apply changes", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.buttons)

    # ---- inputs -------------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Catalog snapshots", "", "Catalog snapshots (*.csv *.json);;All files (*)"
        )
        if paths:
            self.set_files(paths)

    def set_files(self, paths: Sequence[str | Path]) -> None:
        self.paths = [str(p) for p in paths]
        self.files_label.setText("\n".join(self.paths) or "No file chosen")
        self._clear_diff()

    def set_as_of(self, day: dt.date) -> None:
        self.as_of_edit.setDate(QDate(day.year, day.month, day.day))
        self._clear_diff()

    def as_of(self) -> dt.date:
        d = self.as_of_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    def _clear_diff(self) -> None:
        self.packs, self.diff = [], None
        self.apply_button.setEnabled(False)
        self.changes.clear()

    # ---- preview / apply ----------------------------------------------------------------------
    def preview(self) -> None:
        if not self.paths:
            self.summary_label.setText("Choose one or more snapshot files first.")
            return
        self._clear_diff()
        self.preview_button.setEnabled(False)
        self.summary_label.setText("Reading the snapshots…")
        provider = self.provider_edit.text().strip() or None
        self.page.preview_packs(self.paths, self.as_of(), provider, self._show_diff, self._show_refusal)

    def _show_diff(self, result: tuple[list[Any], Any]) -> None:
        self.packs, self.diff = result
        self.preview_button.setEnabled(True)
        diff = self.diff
        lines = []
        for pack in self.packs:
            left = "; ".join(f"{s.rows} {s.reason}" for s in pack.skipped)
            lines.append(
                f"<b>{html.escape(Path(pack.path).name)}</b>: {html.escape(pack.kind)}, "
                f"{html.escape(pack.provider)}, {len(pack.rows):,} priced GPU rows"
                + (f" (left out: {html.escape(left)})" if left else "")
            )
        lines.append(f"<b>{html.escape(diff.summary())}</b>")
        self.summary_label.setText("<br>".join(lines))
        self._fill(diff)
        self.apply_button.setEnabled(diff.writes > 0)
        self.diff_ready.emit()

    def _fill(self, diff: Any) -> None:
        items: list[QTreeWidgetItem] = []
        for c in diff.changed[:LISTED]:
            prices = {p.pricing: p for p in c.prices}
            od, spot = prices.get("on_demand"), prices.get("spot")
            reserved = " / ".join(
                f"{_money(r.old)} → {_money(r.new)}"
                for r in (prices.get("reserved_1y"), prices.get("reserved_3y"))
                if r is not None
            )
            pct = od.percent if od is not None else None
            items.append(
                QTreeWidgetItem(
                    [
                        "changed" if c.prices else "newer date",
                        " / ".join(c.key[:3]),
                        f"{_money(od.old)} → {_money(od.new)}" if od else "",
                        f"{_money(spot.old)} → {_money(spot.new)}" if spot else "",
                        reserved,
                        _percent(pct),
                    ]
                )
            )
        for v in diff.added[: max(0, LISTED - len(items))]:
            items.append(
                QTreeWidgetItem(
                    [
                        "added",
                        f"{v['provider']} / {v['instance']} / {v['region']}",
                        _money(v["on_demand_per_hour"]),
                        _money(v["spot_per_hour"]),
                        " / ".join(_money(v[c]) for c in ("reserved_1y_per_hour", "reserved_3y_per_hour"))
                        if v["reserved_1y_per_hour"] or v["reserved_3y_per_hour"]
                        else "",
                        "",
                    ]
                )
            )
        for key in diff.no_longer_listed[: max(0, LISTED - len(items))]:
            items.append(QTreeWidgetItem(["no longer listed (kept)", " / ".join(key[:3]), "", "", "", ""]))
        self.changes.addTopLevelItems(items)
        shown = len(items)
        total = len(diff.changed) + len(diff.added) + len(diff.no_longer_listed)
        if total > shown:
            self.changes.addTopLevelItem(
                QTreeWidgetItem([f"… and {total - shown:,} more", "", "", "", "", ""])
            )
        for column in range(self.changes.columnCount()):
            self.changes.resizeColumnToContents(column)

    def _show_refusal(self, message: str) -> None:
        self.preview_button.setEnabled(True)
        self.summary_label.setText(
            "<span style='color:#b00020'>" + html.escape(message).replace("\n", "<br>") + "</span>"
        )
        self.diff_ready.emit()

    def apply(self) -> None:
        if not self.packs:
            return
        self.apply_button.setEnabled(False)
        self.preview_button.setEnabled(False)
        self.summary_label.setText("Applying…")
        self.page.apply_price_packs(self.packs, self._applied)

    def _applied(self, summary: str) -> None:
        self.applied.emit(summary)
        self.accept()
