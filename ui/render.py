"""From a ``FrameResult`` to a displayable ``QImage`` at the size of the view.

The frame is first scaled down to the display size, the pipeline's landmarks are scaled
with it (a display transform only: angles, verdicts and cues stay those of the core), and
then the core's annotators (``posture_feedback.annotate``) draw at display resolution, which
is cheaper than drawing on a 1080p frame and scaling it afterwards, and keeps lines and text
sharp. This runs on the worker thread (``QImage`` may be built off the GUI thread).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PyQt6.QtGui import QImage

from posture_feedback.annotate import Annotator, render
from posture_feedback.types import FrameResult, Landmarks


@dataclass(frozen=True)
class Rendered:
    """One displayable frame.

    Attributes:
        result: the pipeline's result for the frame (full-resolution pixels).
        image: the annotated BGR image at display size (kept alive: ``qimage`` shares its memory).
        qimage: ``image`` as a ``QImage`` (BGR888), ready to paint.
        scale: display pixels per frame pixel.
        mirror: whether ``image`` is mirrored (x → width − 1 − x).
        processed_at: ``time.perf_counter()`` when the pipeline finished the frame (NaN if unknown).
        rendered_at: ``time.perf_counter()`` when the overlays were drawn (NaN if unknown).
    """

    result: FrameResult
    image: np.ndarray
    qimage: QImage
    scale: float
    mirror: bool
    processed_at: float = math.nan
    rendered_at: float = math.nan


def fit_scale(frame_size: tuple[int, int], box: tuple[int, int], upscale: bool = False) -> float:
    """Display pixels per frame pixel so a ``frame_size`` (w, h) frame fits in ``box`` (w, h)."""
    fw, fh = frame_size
    bw, bh = box
    if fw <= 0 or fh <= 0 or bw <= 0 or bh <= 0:
        return 1.0
    s = min(bw / fw, bh / fh)
    return s if upscale else min(s, 1.0)


def _scale_landmarks(person: Landmarks, s: float, size: tuple[int, int]) -> Landmarks:
    image = person.image * s
    return Landmarks(image, person.world, person.visibility, person.presence, size, person.track_id)


def scaled_result(result: FrameResult, scale: float) -> FrameResult:
    """A copy of ``result`` with the image and every landmark scaled by ``scale`` (for display)."""
    if abs(scale - 1.0) < 1e-6:
        return result
    img = result.frame.image
    w, h = max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale))
    # Bilinear: ~1 ms for 720p → 930 px wide here, where INTER_AREA takes ~7 ms (latency matters more
    # than the slight aliasing of a moderate downscale); INTER_AREA only for large reductions.
    small = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if scale < 0.4 else cv2.INTER_LINEAR)
    sx = w / img.shape[1]
    return replace(
        result,
        frame=replace(result.frame, image=small),
        people=[_scale_landmarks(p, sx, (w, h)) for p in result.people],
        landmarks=None if result.landmarks is None else _scale_landmarks(result.landmarks, sx, (w, h)),
    )


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A ``QImage`` viewing a contiguous BGR ``uint8`` array (keep the array alive while it is used)."""
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    return QImage(image.data, w, h, int(image.strides[0]), QImage.Format.Format_BGR888)


def qimage_to_bgr(qimage: QImage) -> np.ndarray:
    """A BGR ``uint8`` copy of a ``QImage`` (for tests and screenshots)."""
    img = qimage.convertToFormat(QImage.Format.Format_BGR888)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    arr = np.frombuffer(ptr, np.uint8).reshape(h, img.bytesPerLine())[:, : w * 3]
    return arr.reshape(h, w, 3).copy()


def render_for_display(
    result: FrameResult, annotators: Sequence[Annotator], mirror: bool, box: tuple[int, int]
) -> Rendered:
    """Scale the frame to fit ``box`` (w, h) pixels, draw the overlays, and wrap it as a ``QImage``."""
    s = fit_scale((result.frame.width, result.frame.height), box)
    small = scaled_result(result, s)
    scene = render(small, annotators, mirror=mirror)
    scene = np.ascontiguousarray(scene)
    return Rendered(result, scene, bgr_to_qimage(scene), scene.shape[1] / result.frame.width, mirror)
