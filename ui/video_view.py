"""The mirror view: paints the newest rendered frame and turns clicks into frame pixels.

The worker renders frames already scaled to this widget's size (``display_box``), so painting
is a plain image blit, centred with dark margins. Clicks are mapped back from widget
coordinates through the letterbox, the display scale and the (optional) mirror to pixels of the
frame as captured, which is what ``Pipeline.request_target`` and the goniometer expect.

In goniometer mode, clicks place up to three points (arm end, vertex, arm end); the angle is
computed by the core (``posture_feedback.goniometer``) and drawn with the arms.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from posture_feedback.goniometer import GoniometerError, three_point_angle
from posture_feedback.ui.render import Rendered


class VideoView(QWidget):
    """Shows ``Rendered`` frames; emits ``personClicked`` with frame pixels on a click."""

    personClicked = pyqtSignal(float, float)  # x, y in pixels of the unmirrored frame
    goniometerChanged = pyqtSignal(object)  # angle in degrees or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAutoFillBackground(False)
        self.rendered: Rendered | None = None
        self.placeholder = "Opening the camera…"
        #: Called after a new frame has been painted, with (rendered, time.perf_counter()).
        self.on_shown: Callable[[Rendered, float], None] | None = None
        self._shown_id: int | None = None
        self.frames_painted = 0
        self.goniometer_active = False
        self.gonio_points: list[tuple[float, float]] = []  # frame pixels
        self.gonio_angle: float | None = None
        self.big_text = False

    def sizeHint(self) -> QSize:
        return QSize(960, 600)

    # -- content ---------------------------------------------------------------------
    def show_frame(self, rendered: Rendered) -> None:
        self.rendered = rendered
        self.update()

    def show_placeholder(self, text: str) -> None:
        self.rendered = None
        self.placeholder = text
        self.update()

    def image_rect(self) -> QRectF:
        """Where the current image is painted, in widget coordinates (empty when none)."""
        if self.rendered is None:
            return QRectF()
        iw, ih = self.rendered.qimage.width(), self.rendered.qimage.height()
        s = min(self.width() / iw, self.height() / ih, 1.0)
        w, h = iw * s, ih * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    # -- coordinate mapping -------------------------------------------------------------
    def widget_to_frame(self, x: float, y: float) -> tuple[float, float] | None:
        """Pixels of the captured (unmirrored) frame under widget point (x, y); None outside the image."""
        r = self.rendered
        rect = self.image_rect()
        if r is None or not rect.contains(QPointF(x, y)):
            return None
        iw = r.qimage.width()
        dx = (x - rect.x()) * iw / rect.width()  # display-image pixels
        dy = (y - rect.y()) * r.qimage.height() / rect.height()
        if r.mirror:
            dx = iw - 1 - dx
        return dx / r.scale, dy / r.scale

    def frame_to_widget(self, x: float, y: float) -> QPointF | None:
        """Widget point of a pixel of the captured frame (inverse of ``widget_to_frame``)."""
        r = self.rendered
        if r is None:
            return None
        rect = self.image_rect()
        iw = r.qimage.width()
        dx, dy = x * r.scale, y * r.scale
        if r.mirror:
            dx = iw - 1 - dx
        return QPointF(rect.x() + dx * rect.width() / iw, rect.y() + dy * rect.height() / r.qimage.height())

    # -- goniometer --------------------------------------------------------------------
    def set_goniometer(self, active: bool) -> None:
        self.goniometer_active = active
        self.gonio_points = []
        self.gonio_angle = None
        self.setCursor(Qt.CursorShape.CrossCursor if active else Qt.CursorShape.ArrowCursor)
        self.goniometerChanged.emit(None)
        self.update()

    def add_goniometer_point(self, x: float, y: float) -> None:
        """Add a point in frame pixels (a fourth point starts a new measurement)."""
        if len(self.gonio_points) >= 3:
            self.gonio_points = []
        self.gonio_points.append((x, y))
        self.gonio_angle = None
        if len(self.gonio_points) == 3:
            a, v, b = self.gonio_points
            try:
                self.gonio_angle = three_point_angle(a, v, b)
            except GoniometerError:
                self.gonio_points = []
        self.goniometerChanged.emit(self.gonio_angle)
        self.update()

    # -- events ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        pt = self.widget_to_frame(pos.x(), pos.y())
        if pt is None:
            return
        if self.goniometer_active:
            self.add_goniometer_point(*pt)
        else:
            self.personClicked.emit(*pt)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(24, 24, 28))
        r = self.rendered
        if r is None:
            p.setPen(QColor(230, 230, 230))
            f = QFont(self.font())
            f.setPointSize(16)
            p.setFont(f)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)
            p.end()
            return
        rect = self.image_rect()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, rect.width() != r.qimage.width())
        p.drawImage(rect, r.qimage)
        if self.goniometer_active:
            self._paint_goniometer(p)
        p.end()
        self.frames_painted += 1
        if id(r) != self._shown_id:
            self._shown_id = id(r)
            if self.on_shown is not None:
                self.on_shown(r, time.perf_counter())

    def _paint_goniometer(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pts = [self.frame_to_widget(x, y) for x, y in self.gonio_points]
        pts = [q for q in pts if q is not None]
        yellow = QColor(255, 220, 40)
        p.setPen(QPen(yellow, 3))
        if len(pts) >= 2:
            p.drawLine(pts[0], pts[1])
        if len(pts) == 3:
            p.drawLine(pts[1], pts[2])
        for i, q in enumerate(pts):
            p.setBrush(QColor(0, 0, 0) if i != 1 else yellow)
            p.drawEllipse(q, 7, 7)
        f = QFont(self.font())
        f.setPointSize(28 if self.big_text else 18)
        f.setBold(True)
        p.setFont(f)
        if self.gonio_angle is not None and len(pts) == 3:
            v = pts[1]
            text = f"{self.gonio_angle:.0f}°"
            # left of the joint: the overlay writes each joint's angle label to its right (annotate),
            # and the readout placed there covered the hips' "7±22 UNSURE" (a third audit)
            box = QRectF(max(0.0, v.x() - 174), v.y() - 56, 160, 48)
            p.fillRect(box, QColor(0, 0, 0, 170))
            p.setPen(yellow)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        hint = ("Goniometer: click the end of one arm, the joint, then the other arm", "Click the joint (vertex)",
                "Click the end of the second arm", "")[len(pts) if len(pts) < 3 else 3]  # fmt: skip
        if hint:
            f.setPointSize(12)
            f.setBold(False)
            p.setFont(f)
            box = QRectF(0, 0, self.width(), 30)
            p.fillRect(box, QColor(0, 0, 0, 160))
            p.setPen(QColor(255, 255, 255))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, hint)
