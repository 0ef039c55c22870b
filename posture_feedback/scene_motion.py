"""Has the scene changed outside the followed person since the last multi-person pass?

While the followed person is alone, the multi-person pass that finds newcomers runs only once a
second (``follow.FollowOptions.alone_scout_interval_s``), so someone who walks in is listed up to
a second late. ``MotionWatch`` lets the follower run that pass sooner: it keeps a small grey
thumbnail of the frame the last pass saw and, each frame, measures the share of the thumbnail's
pixels *outside* the followed person's box whose brightness changed by more than ``level``.
A newcomer changes a patch of the picture; the followed person's own movements are inside
their box; a camera that adjusts its exposure or moves changes everything (more than
``global_share``), which is not a newcomer.

Cost: a bilinear resize of the frame to twice ``THUMB_WIDTH`` and an area resize to it, and a
difference: about 0.1 ms a frame at 1280×720 here (an area resize of the whole frame took 1.1 ms).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Thumbnail width (pixels); the height keeps the frame's aspect ratio.
THUMB_WIDTH = 80

Box = tuple[int, int, int, int]


class MotionWatch:
    """Changed share of the scene outside a box, against the frame last remembered.

    Args:
        level: grey levels (0–255, on the thumbnail) a pixel must change by to count.
        margin: the box is enlarged by this fraction of its longer side on every side: a
            person's hands and hair reach past their landmark box, and a moving person's arms
            sweep beyond it (with 0.15, the desk sample's man waving his arms, alone, read as
            2.6–6% of the picture changing and brought 1 pass in 2 s forward; with 0.3, none).
    """

    def __init__(self, level: int = 25, margin: float = 0.3) -> None:
        self.level = level
        self.margin = margin
        self._ref: np.ndarray | None = None
        self._ref_box: Box | None = None

    @staticmethod
    def thumbnail(image: np.ndarray) -> np.ndarray:
        """The frame (BGR or grey) as a small grey image, slightly blurred against sensor noise."""
        h, w = image.shape[:2]
        tw = min(THUMB_WIDTH, w)
        th = max(1, round(h * tw / w))
        # bilinear to twice the size, then area: 0.06 ms at 1280×720, where an area resize of
        # the whole frame takes 1.1 ms
        small = cv2.resize(image, (2 * tw, 2 * th), interpolation=cv2.INTER_LINEAR)
        small = cv2.resize(small, (tw, th), interpolation=cv2.INTER_AREA)
        if small.ndim == 3:
            small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        return cv2.GaussianBlur(small, (3, 3), 0)

    def remember(self, thumb: np.ndarray, box: Box | None = None) -> None:
        """The scene as the last pass saw it (a ``thumbnail``), and where the followed person was
        then (frame pixels; their old place changes when they move, and is not a newcomer)."""
        self._ref = thumb
        self._ref_box = box

    def reset(self) -> None:
        self._ref = None
        self._ref_box = None

    def changed_share(self, thumb: np.ndarray, box: Box | None, frame_size: tuple[int, int]) -> float:
        """Share in [0, 1] of the thumbnail's pixels outside ``box`` and the remembered box (frame
        pixels, x0 y0 x1 y1; None = no box) that changed since ``remember``; NaN with nothing
        remembered, a size change, or no pixels outside the boxes."""
        ref = self._ref
        if ref is None or ref.shape != thumb.shape:
            return float("nan")
        changed = cv2.absdiff(thumb, ref) > self.level
        outside = np.ones(thumb.shape, bool)
        th, tw = thumb.shape
        sx, sy = tw / frame_size[0], th / frame_size[1]
        for b in (box, self._ref_box):
            if b is None:
                continue
            x0, y0, x1, y1 = b
            m = self.margin * max(x1 - x0, y1 - y0)
            outside[max(0, int((y0 - m) * sy)) : int(np.ceil((y1 + m) * sy)),
                    max(0, int((x0 - m) * sx)) : int(np.ceil((x1 + m) * sx))] = False  # fmt: skip
        n = int(outside.sum())
        return float(changed[outside].sum()) / n if n else float("nan")
