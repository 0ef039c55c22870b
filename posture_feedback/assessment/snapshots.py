"""Annotated snapshots: the frame with the skeleton, the measured lines, reference lines and values drawn.

Drawn with OpenCV on a copy of the BGR frame (never mirrored, so left/right in the picture are
the camera's). Reference lines (true vertical, true horizontal) are rotated by the camera roll
from the calibration, so they show the world's vertical, not the image's. Colours follow the
Okabe–Ito palette used by ``annotate``; every value is also written as text, so nothing relies
on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from posture_feedback.annotate import SkeletonAnnotator
from posture_feedback.side_words import side_text
from posture_feedback.types import FrameResult

MEASURE_COLOUR = (0, 159, 230)  # orange (BGR)
REFERENCE_COLOUR = (233, 180, 86)  # sky blue
FLAG_COLOUR = (0, 94, 213)  # vermillion
TEXT_COLOUR = (255, 255, 255)
MAX_SIDE_PX = 1280
OUT_HEIGHT_PX = 720


@dataclass
class Overlay:
    """What to draw on a snapshot (pixel coordinates of the raw frame)."""

    lines: list[tuple[tuple[float, float], tuple[float, float], tuple[int, int, int]]] = field(default_factory=list)
    dashed: list[tuple[tuple[float, float], tuple[float, float], tuple[int, int, int]]] = field(default_factory=list)
    points: list[tuple[tuple[float, float], tuple[int, int, int]]] = field(default_factory=list)
    labels: list[tuple[str, tuple[float, float], tuple[int, int, int]]] = field(default_factory=list)
    panel: list[str] = field(default_factory=list)

    def line(self, a, b, colour=MEASURE_COLOUR) -> None:
        self.lines.append((tuple(map(float, a[:2])), tuple(map(float, b[:2])), colour))

    def reference(self, a, b, colour=REFERENCE_COLOUR) -> None:
        self.dashed.append((tuple(map(float, a[:2])), tuple(map(float, b[:2])), colour))

    def label(self, text: str, at, colour=TEXT_COLOUR) -> None:
        self.labels.append((text, (float(at[0]), float(at[1])), colour))


def world_direction_px(roll_deg: float, vertical: bool) -> np.ndarray:
    """Unit image direction (x right, y down) of the world's up (vertical) or the person-independent horizontal."""
    r = math.radians(roll_deg)
    if vertical:
        return np.array([-math.sin(r), -math.cos(r)])
    return np.array([math.cos(r), -math.sin(r)])


def _dashed(img: np.ndarray, a, b, colour, thickness: int, dash: int) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = max(1, int(np.linalg.norm(b - a) / dash))
    for i in range(0, n, 2):
        p = a + (b - a) * (i / n)
        q = a + (b - a) * (min(i + 1, n) / n)
        cv2.line(img, tuple(np.round(p).astype(int)), tuple(np.round(q).astype(int)), colour, thickness, cv2.LINE_AA)


def _crop_box(result: FrameResult, overlay: Overlay) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) pixels: the person (and every overlay point) with room for the labels."""
    w, h = result.frame.width, result.frame.height
    pts = [np.asarray(p, float) for a, b, _ in overlay.lines + overlay.dashed for p in (a, b)]
    pts += [np.asarray(p, float) for p, _ in overlay.points]
    if result.landmarks is not None:
        x0, y0, x1, y1 = result.landmarks.bbox(0.3)
        pts += [np.array([x0, y0]), np.array([x1, y1])]
    if not pts:
        return 0, 0, w, h
    arr = np.array(pts)
    x0, y0 = arr.min(axis=0)
    x1, y1 = arr.max(axis=0)
    bh = max(y1 - y0, 1.0)
    x0, x1 = x0 - 0.25 * bh, x1 + 0.7 * bh  # labels go to the right
    y0, y1 = y0 - 0.1 * bh, y1 + 0.08 * bh
    return max(0, int(x0)), max(0, int(y0)), min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_origin(
    at: tuple[int, int],
    size: tuple[int, int, int],
    shape: tuple[int, int],
    placed: Sequence[tuple[int, int, int, int]] = (),
) -> tuple[int, int]:
    """Where a label's text starts (x, baseline y; pixels of the snapshot): at its anchor ``at``, kept
    inside the image (``shape`` = height, width), and moved down or up by whole label heights until its
    box clears every box already ``placed`` (x0, y0, x1, y1). ``size`` = text width, height and baseline
    (``cv2.getTextSize``). An audit saw the trunk lean's label written over the pelvic tilt's
    ("…(leaning to the left)_tilt: -9.5 …"): both are anchored at hip height. Where no free place is
    found within the image the anchor's is used."""
    tw, th, base = size
    h, w = shape
    x = min(max(0, at[0]), max(0, w - tw - 6))
    step = th + base + 8
    lo, hi = th + 4, h - base - 2
    y0 = min(max(lo, at[1]), hi)
    for k in range(2 * max(1, h // max(step, 1)) + 1):
        y = y0 + (k + 1) // 2 * step * (1 if k % 2 else -1)
        if not lo <= y <= hi:
            continue
        box = (x, y - th - 4, x + tw + 6, y + base + 2)
        if not any(_overlaps(box, p) for p in placed):
            return x, y
    return x, y0


def render(result: FrameResult, overlay: Overlay, title: str = "") -> np.ndarray:
    """The annotated snapshot (BGR): the person cropped with margins, scaled to ``OUT_HEIGHT_PX``
    high, the overlay drawn on it, and a text panel (title + ``overlay.panel``) below it."""
    x0, y0, x1, y1 = _crop_box(result, overlay)
    crop = result.frame.image[y0:y1, x0:x1]
    k = min(OUT_HEIGHT_PX / max(crop.shape[0], 1), MAX_SIDE_PX / max(crop.shape[1], 1))
    img = cv2.resize(crop, (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k))))
    origin = np.array([x0, y0], float)

    def tr(p) -> tuple[int, int]:
        q = (np.asarray(p, float)[:2] - origin) * k
        return int(round(q[0])), int(round(q[1]))

    if result.landmarks is not None:
        m = result.landmarks
        image = m.image.copy()
        image[:, :2] = (image[:, :2] - origin) * k
        moved = replace(result, landmarks=m.with_arrays(image=image), people=[], target_index=None)
        SkeletonAnnotator(colour=(200, 200, 200), show_others=False).annotate(img, moved)
    s = max(img.shape[:2]) / 1000.0
    thick = max(2, round(3 * s))
    for a, b, c in overlay.dashed:
        _dashed(img, tr(a), tr(b), c, max(1, round(2 * s)), max(6, round(12 * s)))
    for a, b, c in overlay.lines:
        cv2.line(img, tr(a), tr(b), c, thick, cv2.LINE_AA)
    for p, c in overlay.points:
        cv2.circle(img, tr(p), max(3, round(6 * s)), c, -1, cv2.LINE_AA)
    font, fs = cv2.FONT_HERSHEY_SIMPLEX, max(0.5, 0.7 * s)
    ft = max(1, round(1.5 * s))
    placed: list[tuple[int, int, int, int]] = []
    for text, at, c in overlay.labels:  # text on a dark box, readable on any background
        (tw, th), base = cv2.getTextSize(text, font, fs, ft)
        x, y = label_origin(tr(at), (tw, th, base), img.shape[:2], placed)
        placed.append((x, y - th - 4, x + tw + 6, y + base + 2))
        box = img[y - th - 4 : y + base + 2, x : x + tw + 6]
        box[:] = (box * 0.35).astype(np.uint8)
        cv2.putText(img, text, (x + 3, y), font, fs, c, ft, cv2.LINE_AA)
    lines = ([title] if title else []) + list(overlay.panel)
    if not lines:
        return img
    pfs, pft = 0.55, 1
    lh = 24
    width = max(img.shape[1], max(cv2.getTextSize(t, font, pfs, pft)[0][0] for t in lines) + 20)
    panel = np.zeros((lh * len(lines) + 14, width, 3), np.uint8)
    for i, t in enumerate(lines):
        cv2.putText(panel, t, (10, lh * (i + 1)), font, pfs, TEXT_COLOUR, pft, cv2.LINE_AA)
    canvas = np.zeros((img.shape[0] + panel.shape[0], width, 3), np.uint8)
    canvas[: img.shape[0], : img.shape[1]] = img
    canvas[img.shape[0] :] = panel
    return canvas


def save_png(image: np.ndarray, path: str | Path) -> Path:
    """Write a BGR image as PNG (creating the folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from posture_feedback.cv_paths import native_path

    if not cv2.imwrite(native_path(path), image):
        from posture_feedback.errors import PostureFeedbackError

        raise PostureFeedbackError(f"cannot write snapshot {path}")
    return path


def fmt(value: float, unc: float, unit: str = "deg", name: str | None = None) -> str:
    """'12.3 +/- 4.5 deg' (ASCII, OpenCV's fonts have no ° or ±); with the measure's ``name``, a
    signed tilt or lean says its side as the reports do: '-41.6 +/- 20.1 deg (right shoulder higher)'
    (``side_words.side_text``, decided on the numbers as printed)."""
    if not math.isfinite(value):
        return "not measured"
    u = f" +/- {unc:.1f}" if math.isfinite(unc) else ""
    side = side_text(name, value, unc).replace("±", "+/-") if name else ""
    return f"{value:.1f}{u} {unit}{side}"


def segment(result: FrameResult, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray] | None:
    """Image points (px) of two landmarks, or of the mid-points of two pairs ((a, b), (c, d))."""
    m = result.landmarks
    if m is None:
        return None
    xy = m.xy
    if len(indices) == 2:
        return xy[indices[0]], xy[indices[1]]
    return (xy[indices[0]] + xy[indices[1]]) / 2.0, (xy[indices[2]] + xy[indices[3]]) / 2.0
