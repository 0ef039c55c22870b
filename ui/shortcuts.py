"""Keyboard shortcuts of the mirror window, in one table used both to bind them and to list them (F1)."""

from __future__ import annotations

from collections.abc import Iterable

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from posture_feedback.ui.readable import readable

#: (action name on ``MainWindow``, key sequences, description). The first sequence is the main one.
SHORTCUTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("toggle_pause", ("Space",), "Pause / resume the camera"),
    ("toggle_freeze", ("F",), "Freeze the picture (processing continues)"),
    ("next_person", ("T",), "Make the next person in view the target"),
    ("toggle_fullscreen", ("F11",), "Full screen on / off"),
    ("leave_fullscreen", ("Esc",), "Leave full screen (and the goniometer)"),
    ("toggle_mute", ("M",), "Sound on / off"),
    ("set_neutral", ("N",), "Set neutral: hold your best posture for 3 seconds"),
    ("toggle_goniometer", ("G",), "Goniometer: freeze, then click arm end, joint, arm end"),
    ("toggle_mirror", ("R",), "Mirror the picture on / off"),
    ("toggle_therapist", ("Ctrl+T",), "Therapist view (large numbers) on / off"),
    ("edit_ranges", ("Ctrl+E",), "Edit the target ranges"),
    ("toggle_ghost", ("P",), "Show / hide the target pose (ghost)"),
    ("save_screenshot", ("Ctrl+S",), "Save a screenshot of the window"),
    ("show_help", ("F1",), "This list"),
    ("quit", ("Q", "Ctrl+Q"), "Quit"),
)


def add_shortcut_actions(window: QWidget, table: Iterable[tuple[str, tuple[str, ...], str]]) -> dict[str, QAction]:
    """Bind each (method name, keys, description) of ``table`` to ``window``'s method of that name, as a
    window-wide ``QAction``; returns the actions by method name."""
    actions: dict[str, QAction] = {}
    for name, keys, text in table:
        action = QAction(text, window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(getattr(window, name))
        window.addAction(action)
        actions[name] = action
    return actions


def shortcuts_html() -> str:
    """The shortcut table as HTML for the help dialog."""
    rows = "".join(
        f"<tr><td style='padding:2px 14px 2px 2px'><b>{' / '.join(keys)}</b></td><td>{text}</td></tr>"
        for _, keys, text in SHORTCUTS
    )
    return f"<h3>Keyboard shortcuts</h3><table>{rows}</table>"


class HelpDialog(QDialog):
    """Lists every shortcut (F1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Posture Feedback — keyboard shortcuts")
        readable(self)
        layout = QVBoxLayout(self)
        self.label = QLabel(shortcuts_html())
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
