"""Application start-up: logging, the uncaught-exception dialog, the QApplication and the main window."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox

from db.paths import config_dir, log_dir
from planner import __version__
from resources import resource
from ui.theme import theme_manager

log = logging.getLogger(__name__)
_LOG_FILE_NAME = "planner.log"


def setup_logging() -> str:
    """Log to a rotating file in the user log directory; return its path."""
    path = log_dir() / _LOG_FILE_NAME
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        # The file gets INFO and up; the console keeps the level it was given (WARNING unless --verbose).
        console_level = logging.getLevelName(root.level) if root.level != logging.NOTSET else "WARNING"
        for existing in root.handlers:
            if existing.level == logging.NOTSET:
                existing.setLevel(console_level)
        root.addHandler(handler)
        root.setLevel(min(logging.INFO, root.level or logging.INFO))
    return str(path)


def install_excepthook(log_path: str) -> None:
    """Show uncaught exceptions in a dialog (with the log path) instead of dying silently."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("Uncaught exception", exc_info=(exc_type, exc, tb))
        if QApplication.instance() is None:
            sys.__excepthook__(exc_type, exc, tb)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error", f"{exc_type.__name__}: {exc}")
        box.setInformativeText(f"The details were written to the log:\n{log_path}")
        box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
        box.exec()

    sys.excepthook = hook


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Compute Planner")
    app.setOrganizationName("ComputePlanner")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("compute-planner")  # matches packaging/compute-planner.desktop (Wayland icon)
    app.setWindowIcon(app_icon())
    # Preferences (window geometry...) as an INI file in the per-user config dir from platformdirs, inside
    # PLANNER_DATA_DIR when set: never the registry or a Qt-chosen path (the built app writes nowhere else).
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(config_dir()))
    theme_manager()  # Fusion style and the saved light/dark/system palette, before any window exists
    return app


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The window and taskbar icon: every PNG size rendered from resources/icons/compute-planner.svg."""
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if pixmap.loadFromData(resource("icons", f"compute-planner-{size}.png").read_bytes(), "PNG"):
            icon.addPixmap(pixmap)
    return icon


def run_gui(db_url: str | None = None) -> int:
    """Open the main window and run the event loop."""
    log_path = setup_logging()
    app = create_application()
    install_excepthook(log_path)
    from ui.main_window import MainWindow

    window = MainWindow(db_url=db_url)  # offers, above every view, the edits of any window a crash left
    if window.is_first_run():
        window.show_page("Projects")  # its start screen: a sample, a template or a project file
    window.show()
    return int(app.exec())
