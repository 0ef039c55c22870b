"""Text contrast measured on the rendered pixels of a window (WCAG 2.1 contrast ratio).

``text_contrasts(window)`` grabs the top-level window as it is drawn, and for every visible
widget that shows text (labels, buttons, check boxes, group titles) crops its rectangle and
measures the contrast ratio between the background (the most common colour of the crop) and
the text (the pixel of the crop that differs most from it). A push button is cropped to the box of
its text inside its frame (``text_box``): its own frame must not stand in for its text. The ratio is WCAG's
``(L1 + 0.05) / (L2 + 0.05)`` on relative luminance (sRGB linearised), 4.5 for AA body text.
Anti-aliasing only lowers the measured ratio, so a pass is never flattering.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QRect
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QPushButton, QStyle, QStyleOptionButton, QWidget


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.1 relative luminance of sRGB colours (``...×3`` uint8)."""
    c = rgb.astype(float) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    la, lb = relative_luminance(np.asarray(a)), relative_luminance(np.asarray(b))
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def image_array(image: QImage) -> np.ndarray:
    """A ``QImage`` as an H×W×3 uint8 RGB array."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits().asstring(h * bpl), np.uint8).reshape(h, bpl)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def region_contrast(pixels: np.ndarray) -> float:
    """Contrast between the commonest colour of ``pixels`` (H×W×3) and the pixel farthest from it."""
    flat = pixels.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return float(contrast_ratio(colours, background).max())


def _text(widget: QWidget) -> str:
    if isinstance(widget, QGroupBox):
        return widget.title()
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return text.strip()


def button_option(button: QAbstractButton) -> QStyleOptionButton:
    """The style option a button is drawn with (``initStyleOption`` is protected in PyQt)."""
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    if button.isChecked():
        option.state |= QStyle.StateFlag.State_On
    return option


def text_box(widget: QWidget) -> QRect:
    """Where a widget's text is drawn, in its own coordinates: for a push button the centred box of its text
    inside its frame and padding (measuring the whole button let a coloured frame pass black text on a black
    button, a tenth audit); for any other widget its whole rectangle."""
    if not isinstance(widget, QPushButton):
        return widget.rect()
    option = button_option(widget)
    inside = widget.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, widget)
    metrics = widget.fontMetrics()
    width = min(inside.width(), metrics.horizontalAdvance(widget.text().replace("&", "")))
    height = min(inside.height(), metrics.height())
    box = QRect(0, 0, width, height)
    box.moveCenter(inside.center())
    return box


def text_contrasts(window: QWidget) -> list[tuple[str, float]]:
    """(text, contrast ratio) of every visible text widget of ``window`` (a top-level window)."""
    image = image_array(window.grab().toImage())
    ratio = image.shape[1] / max(1, window.width())
    out = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, (QLabel, QAbstractButton, QGroupBox)) or not widget.isVisibleTo(window):
            continue
        if widget.window() is not window:  # a dialog owned by the window is measured on its own
            continue
        text = _text(widget)
        if not text or not widget.isEnabled() or widget.width() < 4 or widget.height() < 4:
            continue
        box = text_box(widget)
        top_left = widget.mapTo(window, box.topLeft())
        x0, y0 = int(top_left.x() * ratio), int(top_left.y() * ratio)
        x1, y1 = int(x0 + box.width() * ratio), int(y0 + box.height() * ratio)
        crop = image[max(0, y0) : y1, max(0, x0) : x1]
        if crop.size == 0:
            continue
        out.append((text[:60], region_contrast(crop)))
    return out


def unreadable(window: QWidget, minimum: float = 4.5) -> list[tuple[str, float]]:
    """The texts of ``window`` whose measured contrast is below ``minimum`` (WCAG AA: 4.5)."""
    return [(t, round(r, 2)) for t, r in text_contrasts(window) if r < minimum]
