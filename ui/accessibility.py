"""Large type, high contrast: for people after a stroke or with Parkinson's, or anyone with low vision.

A profile setting (``large_type``: ``posture-feedback profile set --profile NAME --large-type on``, or
the profile dialog's check box). When it is on, every window opened for that profile from the
Session menu (exercises, evaluation, history, plan notes), and the mirror window and the posture
monitor started with ``--profile NAME``, get ``LARGE_HIGH_CONTRAST_STYLE``:
text at 1.6 times the usual size (18 pt body text, buttons at least 48 px high), white and yellow
on black, a thick yellow focus frame. WCAG 2.1 asks 7:1 for enhanced contrast (AAA, 1.4.6);
white on black is 21:1 and yellow #ffe14d on black 16:1, and ``tests/test_ui_contrast.py`` measures
every text of a window in this style against 7:1 on the rendered pixels.
"""

from __future__ import annotations

import re
from typing import Any

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtWidgets import QWidget

#: The style sheet of the large-type, high-contrast mode (it wins over the windows' own, inherited ones).
LARGE_HIGH_CONTRAST_STYLE = (
    "QWidget { background: #000000; color: #ffffff; font-size: 18pt }"
    " QLabel { background: transparent; color: #ffffff }"
    " QPushButton { background: #000000; color: #ffe14d; border: 3px solid #ffe14d; border-radius: 6px;"
    " padding: 8px 14px; min-height: 48px; font-weight: bold }"
    " QPushButton:checked, QPushButton:pressed { background: #ffe14d; color: #000000 }"
    " QPushButton:disabled { color: #bdbdbd; border-color: #bdbdbd }"
    " QPushButton:focus, QComboBox:focus, QListWidget:focus { border: 4px solid #ffffff }"
    # A check box's box: without its own rule the black background hid it, on and off looked the same.
    " QCheckBox, QRadioButton { spacing: 12px }"
    " QCheckBox::indicator, QRadioButton::indicator { width: 26px; height: 26px; border: 3px solid #ffffff;"
    " background: #000000 }"
    " QRadioButton::indicator { border-radius: 16px }"
    " QCheckBox::indicator:checked, QRadioButton::indicator:checked { background: #ffe14d; border: 3px solid #ffffff }"
    " QCheckBox::indicator:disabled, QRadioButton::indicator:disabled { border-color: #bdbdbd }"
    " QListWidget, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QTableWidget"
    " { background: #000000; color: #ffffff; border: 2px solid #ffffff }"
    " QListWidget::item:selected { background: #ffe14d; color: #000000 }"
    " QTabBar::tab { background: #000000; color: #ffffff; border: 2px solid #ffffff; padding: 8px 16px }"
    " QTabBar::tab:selected { background: #ffe14d; color: #000000 }"
    " QMenuBar, QMenu { background: #000000; color: #ffffff; font-size: 16pt }"
    " QStatusBar { background: #000000; color: #ffffff }"
)


def large_type_enabled(profile: Any) -> bool:
    """The profile's ``large_type`` setting (False for no profile)."""
    settings = getattr(profile, "settings", None) or {}
    return bool(settings.get("large_type", False))


#: The dynamic property that marks a window in this mode: the dialogs it opens follow it (``in_large_type``).
LARGE_TYPE_PROPERTY = "largeType"


def in_large_type(widget: QWidget | None) -> bool:
    """Whether ``widget`` or one of its parents (its window, the window that owns its dialog) is in the mode."""
    while widget is not None:
        if widget.property(LARGE_TYPE_PROPERTY):
            return True
        widget = widget.parentWidget()
    return False


#: The smallest text of the mode: 18 pt (24 px at 96 dpi).
MIN_PT = 18.0


def larger_fonts(sheet: str) -> str:
    """``sheet`` with every ``font-size`` raised to at least ``MIN_PT`` (``9pt`` → ``18pt``, ``16px`` → ``24px``)."""

    def pt(m: re.Match[str]) -> str:
        return f"font-size: {max(float(m[1]), MIN_PT):g}pt"

    def px(m: re.Match[str]) -> str:
        return f"font-size: {max(float(m[1]), MIN_PT * 4 / 3):g}px"

    sheet = re.sub(r"font-size:\s*(\d+(?:\.\d+)?)pt", pt, sheet)
    return re.sub(r"font-size:\s*(\d+(?:\.\d+)?)px", px, sheet)


def apply_large_type(widget: QWidget, on: bool = True) -> QWidget:
    """Put ``widget`` (a window or dialog) in the large-type, high-contrast mode (``on``), or leave it.

    A child's own style sheet wins over the window's, so a child that sets a smaller ``font-size``
    of its own (a 9 pt footnote) has it raised to ``MIN_PT`` too, and a child whose own sheet names
    no size (``color: #aaa``, which Qt lets fall back to the 9 pt default) gets ``MIN_PT``.
    The widget is marked (``LARGE_TYPE_PROPERTY``) so that the dialogs it opens take the mode whole
    (``readable.readable``) instead of inheriting half of it.
    """
    if not on:
        return widget
    widget.setProperty(LARGE_TYPE_PROPERTY, True)  # first: the style change it causes can ask in_large_type
    widget.setStyleSheet(LARGE_HIGH_CONTRAST_STYLE)
    keeper = widget.findChild(_KeepLarge, "keepLargeType") or _KeepLarge(widget)
    for child in widget.findChildren(QWidget):
        _raise_own_sheet(child)
        child.removeEventFilter(keeper)
        child.installEventFilter(keeper)
    return widget


def _raise_own_sheet(child: QWidget) -> None:
    """``child``'s own style sheet with its text at ``MIN_PT`` at least (unchanged when it already is)."""
    sheet = child.styleSheet()
    if "font-size" in sheet:
        raised = larger_fonts(sheet)
    elif sheet.strip() and "{" not in sheet:  # a child's own "color: #aaa" stops the window's font-size
        raised = f"{sheet.strip().rstrip(';')}; font-size: {MIN_PT:g}pt"
    else:
        return
    if raised != sheet:
        child.setStyleSheet(raised)


class _KeepLarge(QObject):
    """Keeps the mode on a text restyled later: a session window's message line or a step's result set
    their own "font-size: 13pt" after the mode was applied (the exercise window's "camera 97 could not be
    opened" was 14 pt in large type)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keepLargeType")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.StyleChange and isinstance(obj, QWidget):
            _raise_own_sheet(obj)
        return False
