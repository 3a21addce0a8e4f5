"""The Reports view in the real main window: export (unsigned and signed) and verify, off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui

PASSWORD = "page password 1"


def _page(main_window: Any) -> Any:
    from ui.pages.reports import ReportsPage

    page = main_window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    return page


def _pick_sample(page: Any, stem: str) -> None:
    index = next(
        i
        for i in range(page.project_combo.count())
        if str(page.project_combo.itemData(i) or "").endswith(stem + ".json")
    )
    page.project_combo.setCurrentIndex(index)


def test_export_menu_action_opens_the_reports_view(main_window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: _page(main_window).action_connected)
    main_window.show_page("Catalog")
    main_window.action_export_pdf.trigger()
    assert main_window.stack.currentWidget() is _page(main_window)


def test_export_signed_then_verify(main_window: Any, qtbot: Any, tmp_path: Path, artifacts_dir: Path) -> None:
    page = _page(main_window)
    _pick_sample(page, "healthcare_phi")
    page.create_identity("Émile Zola", "Cabinet Zola", "emile@example.com", PASSWORD)
    page.password_edit.setText(PASSWORD)
    out = tmp_path / "signed.pdf"
    page.output_edit.setText(str(out))
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        page.export_button.click()
    result = blocker.args[0]
    assert result.signed and result.signer == "Émile Zola" and out.exists()
    assert result.sha256 in page.export_result.text() and "Émile Zola" in page.export_result.text()
    assert page.verify_edit.text() == str(out)
    with qtbot.waitSignal(page.verified, timeout=60_000) as blocker:
        page.verify_button.click()
    assert blocker.args[0].integrity_ok and not blocker.args[0].trusted  # self-signed, no trust given
    assert page.verdict.text().startswith("INTACT") and "NOT trusted" in page.verdict.text()
    assert "Émile Zola" in page.verify_text.toPlainText()
    qtbot.waitUntil(page.is_ready)
    page.grab().save(str(artifacts_dir / "reports_page.png"))
    out.write_bytes(out.read_bytes() + b"% appended")
    with qtbot.waitSignal(page.verified, timeout=60_000) as blocker:
        page.verify_button.click()
    assert not blocker.args[0].ok
    assert "MODIFIED" in page.verdict.text()


def test_wrong_password_shows_an_error_and_writes_nothing(
    main_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    page = _page(main_window)
    _pick_sample(page, "healthcare_phi")
    page.create_identity("Ana", "", "ana@example.com", PASSWORD)
    page.password_edit.setText("not the password")
    out = tmp_path / "x.pdf"
    page.output_edit.setText(str(out))
    with qtbot.waitSignal(page.failed, timeout=10_000) as blocker:
        page.export_button.click()
    assert "wrong password" in blocker.args[0]
    assert "wrong password" in (page.last_error() or "")
    assert not out.exists()


def test_unsigned_export_and_no_project_open(main_window: Any, qtbot: Any, tmp_path: Path) -> None:
    page = _page(main_window)
    page.sign_check.setChecked(False)
    page.project_combo.setCurrentIndex(0)  # current project: none open in the Projects view yet
    page.output_edit.setText(str(tmp_path / "u.pdf"))
    if _no_project_open(main_window):
        with qtbot.waitSignal(page.failed, timeout=5_000):
            page.export_button.click()
    _pick_sample(page, "research_spot")
    with qtbot.waitSignal(page.exported, timeout=60_000) as blocker:
        page.export_button.click()
    assert not blocker.args[0].signed and (tmp_path / "u.pdf").exists()
    # the finance team's workbook beside it, from the same analysis: the same totals as the PDF's analysis
    from openpyxl import load_workbook

    assert page.workbook_check.isChecked() and "Workbook of the same analysis" in page.export_result.text()
    summary = load_workbook(tmp_path / "u.xlsx")["Summary"]
    totals = {r[0]: r[3] for r in summary.iter_rows(min_row=2, values_only=True) if r[0] and r[3] is not None}
    assert blocker.args[0].recommendation in totals


def _no_project_open(main_window: Any) -> bool:
    from ui.pages.reports import _projects_view_project

    return _projects_view_project(main_window) is None
