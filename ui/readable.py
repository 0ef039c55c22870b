"""Readable dialogs: the system palette's colours whatever the owning window's style sheet.

A window's style sheet is inherited by every dialog it owns. The dark windows' ``QLabel { color: #eee }``
made the text of light dialogs (help, profiles, new profile, the delete confirmation) invisible:
measured contrast 1.01:1. A widget's own style sheet wins over an inherited one, so a dialog that
sets ``READABLE_DIALOG_STYLE`` shows the system palette's text on the system palette's background
(≥ 4.5:1, WCAG 2.1 AA, checked on the rendered pixels by ``tests/test_ui_contrast.py``).

A dialog opened from a large-type window (``ui/accessibility.py``) takes the large-type style whole
instead: the system colours reset only the buttons' text, not the black background the large style gives
them, and a tenth audit saw black-on-black buttons (Delete and Cancel alike) in every such dialog.
"""

from __future__ import annotations

from typing import TypeVar

from PyQt6.QtWidgets import QWidget

from posture_feedback.ui.accessibility import apply_large_type, in_large_type

#: A dialog's own style sheet: the system palette's text on the system palette's background. A window's
#: style sheet is inherited by every dialog it owns (a dark window's "QLabel { color: #eee }" made the
#: profile, new-profile and delete-confirmation texts invisible on a light dialog); a widget's own style
#: sheet wins over an inherited one, so this restores the readable system colours in the dialog.
#: A check box or radio button gets the text colour only: "background: transparent" on them made the
#: Fusion style drop the indicator's box, so an unticked "Large type" box in the profile dialog was
#: plain text with nothing to click (audit 30).
READABLE_DIALOG_STYLE = (
    "QDialog, QMainWindow { background: palette(window) }"
    " QLabel, QGroupBox { color: palette(window-text); background: transparent }"
    " QCheckBox, QRadioButton { color: palette(window-text) }"
    " QListWidget, QLineEdit, QComboBox, QPlainTextEdit, QTextEdit { color: palette(text); background: palette(base) }"
    " QPushButton { color: palette(button-text) }"
)


W = TypeVar("W", bound=QWidget)


def readable(dialog: W) -> W:
    """Give ``dialog`` readable colours, whatever its owner's style sheet; returns ``dialog``.

    The system's colours (``READABLE_DIALOG_STYLE``), or, when its owner is in the large-type mode, that
    mode's whole style (large text, yellow on black buttons).
    """
    if in_large_type(dialog.parentWidget()):
        apply_large_type(dialog)
        return dialog
    dialog.setStyleSheet(READABLE_DIALOG_STYLE)
    return dialog


def grow_to_fit(dialog: QWidget) -> None:
    """Make ``dialog`` tall enough for its wrapped texts at its width (in large type a wrapped line was cut)."""
    layout = dialog.layout()
    if layout is None:
        return
    width = max(dialog.width(), layout.totalMinimumSize().width())
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    if need > dialog.height() or width > dialog.width():
        dialog.resize(width, max(dialog.height(), need))
