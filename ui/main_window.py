"""The main window: left navigation, a stacked central area, menus, status bar."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, QThreadPool, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QCursor,
    QGuiApplication,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from db.paths import data_dir, log_dir
from planner import __version__
from ui.autosave import Recoverable, claim_recoverable
from ui.layout import initial_geometry
from ui.theme import CHOICE_LABELS, CHOICES, saved_choice, theme_manager

NAV_ENTRIES = ("Catalog", "Projects", "Quotes", "Reports")
# Each page: "module:Class"; the class takes the MainWindow. Optional page methods used by selftest:
# is_ready() -> bool (all background work done) and last_error() -> str | None.
PAGE_FACTORIES = {
    "Catalog": "ui.pages.catalog:CatalogPage",
    "Projects": "ui.pages.projects:ProjectsPage",
    "Quotes": "ui.pages.quotes:QuotesPage",
    "Reports": "ui.pages.reports:ReportsPage",
}


class PlaceholderPage(QWidget):
    """A page whose view is not built yet in this version."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>")
        body = QLabel(text)
        body.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(1)


class RecoveryBar(QWidget):
    """At start, above every view: one row per window that stopped with unsaved edits, Restore or Discard."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("restore_bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#restore_bar { background: #fff4ce; } #restore_bar QLabel { color: #202124; }")
        self.rows_layout = QVBoxLayout(self)
        self.rows_layout.setContentsMargins(6, 2, 6, 2)
        self.rows: list[tuple[Recoverable, QWidget]] = []
        self.hide()

    def offer(self, found: list[Recoverable]) -> None:
        for item in found:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(
                f"Unsaved edits to “{item.name}” from {item.saved_at} were found (the app stopped before "
                "they were saved). Restore them?"
            )
            label.setObjectName("restore_label")
            label.setWordWrap(True)
            restore = QPushButton("Restore")
            restore.setObjectName("restore_button")
            restore.clicked.connect(lambda _=False, it=item: self.window_.restore(it))
            discard = QPushButton("Discard")
            discard.setObjectName("discard_button")
            discard.clicked.connect(lambda _=False, it=item: self.window_.discard_recoverable(it))
            line.addWidget(label, 1)
            line.addWidget(restore)
            line.addWidget(discard)
            self.rows_layout.addWidget(row)
            self.rows.append((item, row))
        self.setVisible(bool(self.rows))

    def items(self) -> list[Recoverable]:
        return [item for item, _ in self.rows]

    def texts(self) -> list[str]:
        return [row.findChild(QLabel, "restore_label").text() for _, row in self.rows]  # type: ignore[union-attr]

    def remove(self, item: Recoverable) -> None:
        for entry in list(self.rows):
            if entry[0] is item:
                self.rows.remove(entry)
                entry[1].deleteLater()
        self.setVisible(bool(self.rows))


class MainWindow(QMainWindow):
    """Compute Planner's main window."""

    def __init__(
        self, db_url: str | None = None, parent: QWidget | None = None, *, recover: bool = True
    ) -> None:
        super().__init__(parent)
        self.db_url = db_url
        self.setWindowTitle(f"Compute Planner {__version__}")
        self._shut_down = False
        self._close_confirmed = False
        self.spawned: list[MainWindow] = []  # windows opened to restore a second project
        self.thread_pool = QThreadPool(self)
        self.undo_stack = QUndoStack(self)
        theme_manager().set_choice(saved_choice())  # before the pages: their charts start in the theme

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(180)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for name in NAV_ENTRIES:
            self.add_page(name, self._make_page(name))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.nav.maximumWidth(), 1100])  # no dead band beside the capped navigation
        self.recovery_bar = RecoveryBar(self)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.recovery_bar)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.statusBar().showMessage("Ready")
        self.nav.setCurrentRow(0)
        self.fit_to_screen()
        self._restore_geometry()
        if recover:
            self.recovery_bar.offer(claim_recoverable())

    def _make_page(self, name: str) -> QWidget:
        """Build a page from PAGE_FACTORIES (module:Class taking the window); placeholder if not built yet."""
        module_name, _, class_name = PAGE_FACTORIES[name].partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return PlaceholderPage(name, f"The {name} view is not part of this build.")
        page: QWidget = getattr(module, class_name)(self)
        return page

    def add_page(self, name: str, widget: QWidget) -> None:
        self.pages[name] = widget
        self.stack.addWidget(widget)
        QListWidgetItem(name, self.nav)

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(list(self.pages).index(name))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.action_new = self._action(file_menu, "&New project", QKeySequence.StandardKey.New)
        self.action_open = self._action(file_menu, "&Open project…", QKeySequence.StandardKey.Open)
        self.action_save = self._action(file_menu, "&Save", QKeySequence.StandardKey.Save)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.action_import_project = self._action(file_menu, "&Import project file…", QKeySequence("Ctrl+I"))
        self.action_export_project = self._action(
            file_menu, "E&xport project file…", QKeySequence("Ctrl+Shift+X")
        )
        file_menu.addSeparator()
        self.action_export_pdf = self._action(file_menu, "&Export PDF proposal…", QKeySequence("Ctrl+E"))
        file_menu.addSeparator()
        self.action_quit = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit)
        self.action_quit.triggered.connect(self.quit_asking)

        edit_menu = bar.addMenu("&Edit")
        self.action_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.action_redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)

        view_menu = bar.addMenu("&View")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice in CHOICES:
            action = QAction(CHOICE_LABELS[choice], self)
            action.setCheckable(True)
            action.setData(choice)
            self.theme_group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self.theme_actions[theme_manager().choice].setChecked(True)
        self.theme_group.triggered.connect(self._theme_chosen)

        help_menu = bar.addMenu("&Help")
        self.action_about = self._action(help_menu, "&About Compute Planner", None)
        self.action_about.triggered.connect(self.show_about)

    def _action(
        self, menu: QMenu, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def about_text(self) -> str:
        return (
            f"<b>Compute Planner {__version__}</b><br>"
            "Where to train, fine-tune and serve AI models, and what it costs.<br><br>"
            f"Data directory: {data_dir()}<br>Logs: {log_dir()}"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About Compute Planner", self.about_text())

    def _theme_chosen(self, action: QAction) -> None:
        theme_manager().set_choice(str(action.data()), save=True)

    def available_geometry(self) -> QRect:
        """The available area (without task bars) of the screen the window opens on: under the mouse."""
        screen = QGuiApplication.screenAt(QCursor.pos()) or self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Open on 90% of the screen's available area (capped on large screens), centred on it."""
        self.setGeometry(initial_geometry(available or self.available_geometry()))

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
            available = self.available_geometry()
            if not available.contains(self.frameGeometry()):  # saved on a larger or another screen
                self.fit_to_screen(available)
        state = settings.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def is_first_run(self) -> bool:
        """Nothing opened yet on this machine (no recent project) and nothing to recover."""
        return str(QSettings().value("projects/recent", "[]")) in ("", "[]") and not self.recovery_bar.items()

    # ---- the document: title, recovery, closing -----------------------------------------------------
    def show_document(self, name: str | None, modified: bool) -> None:
        """The open project's name in the title, with the platform's modified marker ([*])."""
        base = f"Compute Planner {__version__}"
        self.setWindowTitle(f"{name}[*] — {base}" if name else base)
        self.setWindowModified(modified)

    def restore(self, found: Recoverable) -> None:
        """Open recovered edits here, or in a new window when this one holds unsaved work of its own."""
        self.recovery_bar.remove(found)
        page: Any = self.pages.get("Projects")
        if page is None or not hasattr(page, "restore"):
            return
        target = self
        if page.has_unsaved_changes():
            target = MainWindow(self.db_url, recover=False)
            self.spawned.append(target)
            target.show()
        target.show_page("Projects")
        target.pages["Projects"].restore(found)  # type: ignore[attr-defined]

    def discard_recoverable(self, found: Recoverable) -> None:
        self.recovery_bar.remove(found)
        found.slot.clear()
        found.slot.release()

    def shutdown_workers(self) -> None:
        """Cancel and wait for every background job (called on close and in test teardown). Unsaved edits stay
        in the autosave and are offered at the next start."""
        self._shut_down = True
        for found in self.recovery_bar.items():
            found.slot.release()  # not acted on: offered again next time
        self.thread_pool.clear()
        self.thread_pool.waitForDone(10_000)
        for page in self.pages.values():
            shutdown = getattr(page, "shutdown", None)
            if callable(shutdown):
                shutdown()

    def quit_asking(self) -> None:
        """File ▸ Quit and the window's close button: Save / Discard / Cancel first if there are unsaved edits."""
        page: Any = self.pages.get("Projects")
        if self._shut_down or self._close_confirmed or not getattr(page, "has_unsaved_changes", bool)():
            self._close_now()
            return
        page.maybe_save(self._close_now, "closing", discard=page.discard_changes)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        # The user closing the window is asked; a close by code (tests, the session ending) keeps unsaved
        # edits in the autosave instead, offered at the next start: nothing is lost either way.
        if event.spontaneous() and not (self._shut_down or self._close_confirmed):
            page: Any = self.pages.get("Projects")
            if getattr(page, "has_unsaved_changes", bool)():
                event.ignore()
                QTimer.singleShot(0, self.quit_asking)
                return
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())
        self.shutdown_workers()
        super().closeEvent(event)

    def _close_now(self) -> None:
        self._close_confirmed = True
        self.close()
