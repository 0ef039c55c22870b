"""Readable dialogs: the system palette's colours whatever the owning window's style sheet.

A window's style sheet is inherited by every dialog it owns. The dark windows' ``QLabel { color: #eee }``
made the text of light dialogs (help, profiles, new profile, the delete confirmation) invisible:
measured contrast 1.01:1. A widget's own style sheet wins over an inherited one, so a dialog that
sets ``READABLE_DIALOG_STYLE`` shows the system palette's text on the system palette's background
(≥ 4.5:1, WCAG 2.1 AA, checked on the rendered pixels by ``tests/test_ui_contrast.py``).
"""

from __future__ import annotations

from typing import TypeVar

from PyQt6.QtWidgets import QWidget

#: A dialog's own style sheet: the system palette's text on the system palette's background. A window's
#: style sheet is inherited by every dialog it owns (a dark window's "QLabel { color: #eee }" made the
#: profile, new-profile and delete-confirmation texts invisible on a light dialog); a widget's own style
#: sheet wins over an inherited one, so this restores the readable system colours in the dialog.
READABLE_DIALOG_STYLE = (
    "QDialog, QMainWindow { background: palette(window) }"
    " QLabel, QCheckBox, QRadioButton, QGroupBox { color: palette(window-text); background: transparent }"
    " QListWidget, QLineEdit, QComboBox, QPlainTextEdit, QTextEdit { color: palette(text); background: palette(base) }"
    " QPushButton { color: palette(button-text) }"
)


W = TypeVar("W", bound=QWidget)


def readable(dialog: W) -> W:
    """Give ``dialog`` the system's readable colours, whatever its owner's style sheet; returns ``dialog``."""
    dialog.setStyleSheet(READABLE_DIALOG_STYLE)
    return dialog
