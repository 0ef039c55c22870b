"""A scroll area that scrolls only up and down: its content always takes the viewport's width.

Qt's ``QScrollArea`` with ``widgetResizable`` gives its content at least the content's minimum width,
so a row of large-type buttons made a side panel wider than itself and cut every text at its right edge
(the evaluation window, 1280×760). Here the content is held to the viewport's width (its rows squeeze
and wrap as they would without the scroll area) and only its height scrolls.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScroll(QScrollArea):
    """Scrolls ``content`` vertically; never wider than the viewport, no horizontal scroll bar."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(content)
        self.viewport().installEventFilter(self)
        self.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent }")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """On each viewport resize: the content's width is the viewport's (in pixels)."""
        if watched is self.viewport() and event.type() == QEvent.Type.Resize and self.widget() is not None:
            self.widget().setFixedWidth(self.viewport().width())
        return super().eventFilter(watched, event)
