"""Webcam-style frames of the bundled ``lab_two_people_cam02.mp4`` for the monitor's window tests: a
640×480 box around the man's shoulders in source frame 10 (he stands upright, facing the camera,
head and chest in the box, as a laptop webcam frames a person), and the same box made smaller
about the shoulders' mid-point, which is what a camera sees when the person comes nearer (the
whole picture of him scales up, as a lean in to the screen does). The same construction as the
twentieth audit's clips (its ``make_videos2.py``)."""

from __future__ import annotations

import cv2
import numpy as np

from posture_feedback.resources import sample_video

W, H = 640, 480
#: The man's shoulder mid-point in cam02 pixels (source frame 10), and where it sits in the box
#: (as a fraction of the box's width and height): head above, chest below.
ANCHOR = (570.0, 525.0)
AT = (220 / 420, 175 / 315)


def source_frame(index: int = 10) -> np.ndarray:
    """Frame ``index`` of the bundled cam02 recording (BGR)."""
    cap = cv2.VideoCapture(str(sample_video("lab_two_people_cam02.mp4")))
    frame = None
    for _ in range(index + 1):
        ok, frame = cap.read()
        assert ok
    cap.release()
    return frame


def box(src: np.ndarray, width: float = 420.0) -> np.ndarray:
    """The 640×480 picture of a ``width``-pixel-wide (4:3) box of ``src`` placed about the shoulders.
    420 is the neutral framing; ``420 / k`` shows him ``k`` times larger (as if nearer)."""
    h = width * 3 / 4
    x0, y0 = ANCHOR[0] - width * AT[0], ANCHOR[1] - h * AT[1]
    m = np.float32([[W / width, 0, -x0 * W / width], [0, H / h, -y0 * H / h]])
    return cv2.warpAffine(src, m, (W, H), flags=cv2.INTER_AREA)


def empty_room(src: np.ndarray) -> np.ndarray:
    """A plain grey picture of the same size (nobody in view)."""
    return box(np.full_like(src, 200))
