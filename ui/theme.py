"""Light and dark themes for the whole window: the Fusion style with a full QPalette, and the charts.

The choice is "system" (follow the desktop's colour scheme, Qt 6.5+ ``QStyleHints.colorScheme``, light when
the desktop does not say), "light" or "dark"; it is kept in QSettings under :data:`SETTINGS_KEY` and offered
in the View menu. :func:`theme_manager` is the one :class:`ThemeManager` of the application: widgets that
draw their own colours (the charts) connect to its ``changed`` signal, which carries the resolved scheme
("light" or "dark").
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

SETTINGS_KEY = "view/theme"
CHOICES = ("system", "light", "dark")
CHOICE_LABELS = {"system": "Follow the &system", "light": "&Light", "dark": "&Dark"}

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

# Dark colours close to the charts' dark palette (ui/charts/base.py DARK): one surface for window and plots.
_DARK = {
    _Role.Window: "#2b2d30",
    _Role.WindowText: "#e8eaed",
    _Role.Base: "#1e1f22",
    _Role.AlternateBase: "#26282b",
    _Role.ToolTipBase: "#3c3f41",
    _Role.ToolTipText: "#e8eaed",
    _Role.PlaceholderText: "#9aa0a6",
    _Role.Text: "#e8eaed",
    _Role.Button: "#3c3f41",
    _Role.ButtonText: "#e8eaed",
    _Role.BrightText: "#ff6e6e",
    _Role.Light: "#4a4d50",
    _Role.Midlight: "#3f4245",
    _Role.Mid: "#2f3134",
    _Role.Dark: "#18191b",
    _Role.Shadow: "#000000",
    _Role.Highlight: "#3d6fb6",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#8ab4f8",
    _Role.LinkVisited: "#c58af9",
}
_DARK_DISABLED = {
    _Role.WindowText: "#7f8388",
    _Role.Text: "#7f8388",
    _Role.ButtonText: "#7f8388",
    _Role.Highlight: "#3a3d40",
    _Role.HighlightedText: "#9aa0a6",
}


def palette_for(scheme: str) -> QPalette:
    """The full application palette of ``scheme`` ("light": Fusion's own; "dark": :data:`_DARK`)."""
    fusion = QStyleFactory.create("Fusion")
    if scheme != "dark":
        return fusion.standardPalette()
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_Group.Disabled, role, QColor(colour))
    return palette


def system_scheme() -> str:
    """The desktop's colour scheme: "dark" when it says so, otherwise "light"."""
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def resolve(choice: str) -> str:
    """ "system" → the desktop's scheme; "light"/"dark" as given; anything else → the desktop's."""
    return choice if choice in ("light", "dark") else system_scheme()


def saved_choice() -> str:
    value = str(QSettings().value(SETTINGS_KEY, "system"))
    return value if value in CHOICES else "system"


class ThemeManager(QObject):
    """Applies a theme choice to the application and tells the widgets that paint their own colours."""

    changed = Signal(str)  # the resolved scheme: "light" or "dark"

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self.choice = "system"
        self.scheme = ""
        app.setStyle("Fusion")  # the same widgets on every desktop; a QPalette is honoured in full
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def set_choice(self, choice: str, *, save: bool = False) -> None:
        """Use ``choice`` ("system", "light" or "dark"); ``save`` keeps it for the next start."""
        self.choice = choice if choice in CHOICES else "system"
        if save:
            QSettings().setValue(SETTINGS_KEY, self.choice)
        self._apply(resolve(self.choice))

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self._apply(system_scheme())

    def _apply(self, scheme: str) -> None:
        if scheme == self.scheme:
            return
        self.scheme = scheme
        self._app.setPalette(palette_for(scheme))
        self.changed.emit(scheme)


_manager: ThemeManager | None = None


def theme_manager() -> ThemeManager:
    """The application's theme manager (created, with the saved choice applied, on first use)."""
    global _manager
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    if _manager is None:
        _manager = ThemeManager(app)
        _manager.set_choice(saved_choice())
    return _manager


def warning_colour() -> QColor:
    """Text colour of a warning (an expired or flagged quote) that reads on the current theme's surfaces."""
    return QColor("#f28b82" if current_scheme() == "dark" else "#b3261e")


def current_scheme() -> str:
    """The scheme in use ("light" before any QApplication exists)."""
    if _manager is None or QApplication.instance() is None:
        return "light"
    return _manager.scheme or "light"
