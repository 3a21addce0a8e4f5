"""Dialogs of the desktop app."""

from ui.dialogs.import_errors import ImportErrorsDialog
from ui.dialogs.row_editor import RowEditorDialog

__all__ = ["ImportErrorsDialog", "RowEditorDialog"]
