"""A scroll area that scrolls only up and down: its content always takes the viewport's width.

Qt's ``QScrollArea`` with ``widgetResizable`` gives its content at least the content's minimum width,
so a row of large-type buttons made a side panel wider than itself and cut every text at its right edge
(the evaluation window, 1280×760). Here the content is held to the viewport's width (its rows squeeze
and wrap as they would without the scroll area) and only its height scrolls. A stack of pages
(``QStackedWidget``) takes the height of the page shown, not of its tallest page (a stack's height for a
width is its tallest page's: every page of the evaluation window showed a scroll bar in large type).
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QWidget


class VerticalScroll(QScrollArea):
    """Scrolls ``content`` vertically; never wider than the viewport, no horizontal scroll bar."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stack: QStackedWidget | None = None  # (the event filter may run before the end of __init__)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(content)
        self.viewport().installEventFilter(self)
        self.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent }")
        if isinstance(content, QStackedWidget):
            self._stack = content
            for i in range(self._stack.count()):
                self._stack.widget(i).installEventFilter(self)  # a page's text changed: its height again
            self._stack.currentChanged.connect(self._page_shown)

    def _page_shown(self, _index: int) -> None:
        """A page shown (one added after the scroll area too): watch its layout, fit its height."""
        page = self._stack.currentWidget() if self._stack is not None else None
        if page is not None:
            page.removeEventFilter(self)  # (installed once)
            page.installEventFilter(self)
        self._fit_height()

    def _fit_height(self) -> None:
        """A stack's height: its current page's height for the viewport's width, at least the viewport's
        (pixels)."""
        page = self._stack.currentWidget() if self._stack is not None else None
        if page is None:
            return
        width = self.viewport().width()
        layout = page.layout()
        need = layout.totalHeightForWidth(width) if layout is not None and layout.hasHeightForWidth() else -1
        if need < 0:
            need = page.sizeHint().height()
        self._stack.setFixedHeight(max(need, self.viewport().height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """On each viewport resize: the content's width is the viewport's (in pixels); a stack's page
        laid out anew: the stack's height again."""
        kind = event.type()
        if watched is self.viewport() and kind == QEvent.Type.Resize and self.widget() is not None:
            self.widget().setFixedWidth(self.viewport().width())
            self._fit_height()
        elif self._stack is not None and kind == QEvent.Type.LayoutRequest and watched is self._stack.currentWidget():
            self._fit_height()
        return super().eventFilter(watched, event)
