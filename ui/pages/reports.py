"""The Reports view: export a (signed) PDF proposal for the current or a sample project, and verify a
received PDF. The work itself is ui.report (no Qt); export and verification run on the window's thread
pool, one job at a time, and report back on the GUI thread. Passwords live only in the password field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from planner import clock
from planner.project import Project, ProjectError, load_project
from resources import resource
from ui.report.files import ReportError
from ui.report.identity import create_identity, import_identity, list_identities, load_identity
from ui.workers import is_user_error, log_failure

log = logging.getLogger(__name__)

CURRENT = "Current project (Projects view)"
OK_STYLE = "color: #1b5e20; font-weight: bold"
BAD_STYLE = "color: #b3261e; font-weight: bold"


class _JobSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.signals = _JobSignals()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # shown to the user; the log has the traceback of an unexpected one
            log_failure(log, "report job failed", exc)
            if is_user_error(exc):
                self.signals.failed.emit(str(exc))
            else:
                self.signals.failed.emit(f"Unexpected problem, details in the log file: {exc}")
        else:
            self.signals.done.emit(result)


def sample_paths() -> list[Path]:
    folder = resource("samples")
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".json"))


class IdentityDialog(QDialog):
    """Name, organisation, email and a password typed twice for a new self-signed identity."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create a signing identity")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.org = QLineEdit()
        self.email = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("Full name", self.name)
        form.addRow("Organisation", self.org)
        form.addRow("Email", self.email)
        form.addRow("Password (8+ characters)", self.password)
        form.addRow("Password again", self.password2)
        form.addRow(
            QLabel(
                "The private key is stored encrypted with this password in your data folder; the password is not stored."
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.password.text() != self.password2.text():
            QMessageBox.warning(self, "Passwords differ", "The two passwords are not the same.")
            return
        self.accept()


class ReportsPage(QWidget):
    """Export a proposal (optionally signed) and verify a signed PDF."""

    exported = Signal(object)  # ExportResult
    verified = Signal(object)  # Verification
    failed = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self._busy = False
        self._error: str | None = None
        self._build()
        self.refresh_identities()
        self.action_connected = False
        # the window builds its menus after its pages (as for the Projects view): connect once it has
        QTimer.singleShot(0, self._connect_window_actions)

    def _connect_window_actions(self) -> None:
        action = getattr(self.window_, "action_export_pdf", None)
        if action is not None and not self.action_connected:
            action.triggered.connect(self.show_export)
            self.action_connected = True

    # ---- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(QLabel("<h2>Reports</h2>"))
        layout.addWidget(self._export_box())
        layout.addWidget(self._verify_box())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _export_box(self) -> QGroupBox:
        box = QGroupBox("Export a PDF proposal")
        form = QFormLayout(box)
        self.project_combo = QComboBox()
        self.project_combo.addItem(CURRENT, None)
        for path in sample_paths():
            self.project_combo.addItem(f"Sample: {path.stem.replace('_', ' ')}", str(path))
        open_button = QPushButton("Open file…")
        open_button.clicked.connect(self._choose_project_file)
        form.addRow("Project", _row(self.project_combo, open_button))
        self.paper_combo = QComboBox()
        self.paper_combo.addItem("A4", "a4")
        self.paper_combo.addItem("US Letter", "letter")
        form.addRow("Paper", self.paper_combo)
        self.sign_check = QCheckBox("Sign (PAdES, SHA-256, visible signature on the last page)")
        self.sign_check.setChecked(True)
        form.addRow("", self.sign_check)
        self.identity_combo = QComboBox()
        self.identity_combo.setMinimumWidth(260)
        create_button = QPushButton("Create…")
        create_button.clicked.connect(self._create_identity_dialog)
        import_button = QPushButton("Import .p12/.pfx…")
        import_button.clicked.connect(self._import_identity_dialog)
        form.addRow("Identity", _row(self.identity_combo, create_button, import_button))
        self.password_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("identity password (not stored)")
        form.addRow("Password", self.password_edit)
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("e.g. Zürich (defaults to the project's region)")
        form.addRow("Location", self.location_edit)
        self.output_edit = QLineEdit(str(Path.home() / "proposal.pdf"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_output)
        form.addRow("Save as", _row(self.output_edit, browse))
        self.workbook_check = QCheckBox("Also save the finance team's workbook (.xlsx beside the PDF)")
        self.workbook_check.setChecked(True)
        form.addRow("", self.workbook_check)
        self.export_button = QPushButton("Export proposal")
        self.export_button.clicked.connect(self.start_export)
        form.addRow("", self.export_button)
        self.export_result = QLabel("")
        self.export_result.setWordWrap(True)
        self.export_result.setTextInteractionFlags(self.export_result.textInteractionFlags() | _selectable())
        form.addRow("", self.export_result)
        self.sign_check.toggled.connect(self._sign_toggled)
        return box

    def _verify_box(self) -> QGroupBox:
        box = QGroupBox("Verify a received PDF")
        form = QFormLayout(box)
        self.verify_edit = QLineEdit()
        self.verify_edit.setPlaceholderText("signed proposal .pdf")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_verify_file)
        form.addRow("PDF", _row(self.verify_edit, browse))
        self.trust_edit = QLineEdit()
        self.trust_edit.setPlaceholderText("optional: signer's or CA's certificate (.pem) to trust")
        browse_trust = QPushButton("Browse…")
        browse_trust.clicked.connect(self._choose_trust_file)
        form.addRow("Trust", _row(self.trust_edit, browse_trust))
        self.verify_button = QPushButton("Verify")
        self.verify_button.clicked.connect(self.start_verify)
        form.addRow("", self.verify_button)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        form.addRow("Verdict", self.verdict)
        self.verify_text = QPlainTextEdit()
        self.verify_text.setReadOnly(True)
        self.verify_text.setMinimumHeight(190)
        form.addRow(self.verify_text)
        return box

    # ---- page protocol (selftest) -------------------------------------------------------------
    def is_ready(self) -> bool:
        return not self._busy

    def last_error(self) -> str | None:
        return self._error

    def show_export(self) -> None:
        show = getattr(self.window_, "show_page", None)
        if show is not None:
            show("Reports")
        self.export_button.setFocus()

    # ---- identities ----------------------------------------------------------------------------
    def refresh_identities(self, select: Path | None = None) -> None:
        self.identity_combo.clear()
        for path in list_identities():
            self.identity_combo.addItem(path.name, str(path))
        if select is not None:
            index = self.identity_combo.findData(str(select))
            if index < 0:
                self.identity_combo.addItem(select.name, str(select))
                index = self.identity_combo.count() - 1
            self.identity_combo.setCurrentIndex(index)

    def create_identity(self, name: str, org: str, email: str, password: str) -> Path:
        """Create a self-signed identity in the data folder and select it."""
        path = create_identity(name, org, email, password)
        self.refresh_identities(select=path)
        return path

    def _create_identity_dialog(self) -> None:
        dialog = IdentityDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            self.create_identity(
                dialog.name.text(), dialog.org.text(), dialog.email.text(), dialog.password.text()
            )
        except ReportError as exc:
            self._show_error(str(exc))

    def _import_identity_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import identity", "", "PKCS#12 (*.p12 *.pfx)")
        if not path:
            return
        password = self.password_edit.text()
        try:
            target = import_identity(path, password)
        except ReportError as exc:
            self._show_error(f"{exc} (type the identity's password in the Password field first)")
            return
        self.refresh_identities(select=target)

    # ---- export --------------------------------------------------------------------------------
    def selected_project(self) -> Project:
        """The project to export: the one open in the Projects view, a sample, or a chosen file."""
        data = self.project_combo.currentData()
        if data is None:
            project = _projects_view_project(self.window_)
            if project is None:
                raise ReportError("no valid project is open in the Projects view: pick a sample or a file")
            return project
        try:
            return load_project(data)
        except ProjectError as exc:
            raise ReportError(f"{data}: {exc}") from None

    def start_export(self) -> None:
        if self._busy:
            return
        try:
            project = self.selected_project()
            identity = None
            if self.sign_check.isChecked():
                path = self.identity_combo.currentData()
                if not path:
                    raise ReportError("no signing identity: create or import one, or untick Sign")
                identity = load_identity(path, self.password_edit.text())
        except ReportError as exc:
            self._show_error(str(exc))
            return
        out = self.output_edit.text().strip()
        paper = str(self.paper_combo.currentData())
        location = self.location_edit.text().strip()
        db_url = getattr(self.window_, "db_url", None)
        quotes = quotes_view_quotes(self.window_)  # read on the GUI thread, which owns the Quotes view
        today = clock.today()
        xlsx = str(Path(out).with_suffix(".xlsx")) if self.workbook_check.isChecked() and out else None

        def work() -> Any:
            from db.analysis_catalog import DbCatalog
            from ui.report.export import export_proposal

            return export_proposal(
                project,
                out,
                identity=identity,
                paper=paper,
                location=location,
                catalog=DbCatalog(url=db_url),
                quotes=quotes,
                today=today,
                xlsx=xlsx,
            )

        self.export_result.setText("Exporting…")
        self._workbook = xlsx
        self._run(work, self._export_done)

    def _export_done(self, result: Any) -> None:
        who = f"signed by <b>{result.signer}</b>" if result.signed else "<b>not signed</b>"
        self.export_result.setStyleSheet("")
        workbook = getattr(self, "_workbook", None)
        self.export_result.setText(
            f"Wrote {result.path} — {result.pages} pages, {who}.<br>"
            f"Document {result.doc_id}<br>SHA-256 <tt>{result.sha256}</tt>"
            + (f"<br>Workbook of the same analysis: {workbook}" if workbook else "")
        )
        self.verify_edit.setText(str(result.path))
        self.exported.emit(result)

    # ---- verify --------------------------------------------------------------------------------
    def start_verify(self) -> None:
        if self._busy:
            return
        pdf = self.verify_edit.text().strip()
        trust = self.trust_edit.text().strip()
        if not pdf:
            self._show_error("choose a PDF to verify")
            return

        def work() -> Any:
            from ui.report.verify import load_trust_roots, verify_pdf

            return verify_pdf(pdf, load_trust_roots(trust) if trust else None)

        self.verdict.setText("Verifying…")
        self._run(work, self._verify_done)

    def _verify_done(self, verification: Any) -> None:
        from ui.report.verify import human_report

        if verification.integrity_ok:
            text = "INTACT — the signature covers the entire file"
            if verification.trusted:
                text += "; signer trusted"
            elif verification.self_signed:
                text += "; self-signed and NOT trusted: trust it only if you know this certificate"
            else:
                text += "; NOT trusted: give the issuer's certificate to trust"
            self.verdict.setStyleSheet(OK_STYLE if verification.ok else BAD_STYLE)
        else:
            text = verification.headline  # the worst finding, in one line
            self.verdict.setStyleSheet(BAD_STYLE)
        self.verdict.setText(text)
        self.verify_text.setPlainText(human_report(verification))
        self.verified.emit(verification)

    # ---- plumbing ------------------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        self._busy = True
        self._error = None
        self.export_button.setEnabled(False)
        self.verify_button.setEnabled(False)
        job = _Job(work)

        def finished(result: Any) -> None:
            self._job_finished()  # idle again before anyone hears of the result
            on_done(result)

        job.signals.done.connect(finished)
        job.signals.failed.connect(self._job_failed)
        self._job = job  # keep the signals object alive until the job reports
        self.window_.thread_pool.start(job)

    def _job_finished(self, _result: Any = None) -> None:
        self._busy = False
        self.export_button.setEnabled(True)
        self.verify_button.setEnabled(True)

    def _job_failed(self, message: str) -> None:
        self._job_finished()
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self._error = message
        self.export_result.setStyleSheet(BAD_STYLE)
        self.export_result.setText(message)
        self.failed.emit(message)

    def _sign_toggled(self, on: bool) -> None:
        self.identity_combo.setEnabled(on)
        self.password_edit.setEnabled(on)

    def _choose_project_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Project file", "", "Project (*.json)")
        if path:
            self.project_combo.addItem(Path(path).name, path)
            self.project_combo.setCurrentIndex(self.project_combo.count() - 1)

    def _choose_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save proposal", self.output_edit.text(), "PDF (*.pdf)")
        if path:
            self.output_edit.setText(path)

    def _choose_verify_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "PDF to verify", "", "PDF (*.pdf)")
        if path:
            self.verify_edit.setText(path)

    def _choose_trust_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Trusted certificate", "", "Certificate (*.pem *.crt *.cer)"
        )
        if path:
            self.trust_edit.setText(path)


def _projects_view_project(window: Any) -> Project | None:
    page = getattr(window, "pages", {}).get("Projects")
    document = getattr(page, "document", None)
    if document is None or not getattr(document, "is_open", False) or not hasattr(document, "validate"):
        return None
    project, _error = document.validate()
    return project if isinstance(project, Project) else None


def quotes_view_quotes(window: Any) -> list[Any] | None:
    """The quotes the Quotes view compares (the proposal compares them in its analysis), or None (no quote
    section) when that view is absent or holds no quotes."""
    page = getattr(window, "pages", {}).get("Quotes")
    if page is None or not hasattr(page, "stored_quotes") or not getattr(page, "figures", ()):
        return None
    quotes: list[Any] = page.stored_quotes()
    return quotes or None


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, w in enumerate(widgets):
        layout.addWidget(w, 1 if i == 0 else 0)
    return holder


def _selectable() -> Any:
    from PySide6.QtCore import Qt

    return Qt.TextInteractionFlag.TextSelectableByMouse
