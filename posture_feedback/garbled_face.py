"""A face the model put below the shoulders: one rule for what is drawn and what is measured.

The ears and the nose stay above the shoulder line in every head posture a person at a desk or
standing holds (a head dropped to the chest included: the ears stay above the shoulders). When the
model does not find the real face it may put one on the chest instead: on the bundled front view
seen 1.45× nearer (a twentieth audit) it put the nose 0.45 shoulder widths and the ears 0.2
shoulder widths *below* the shoulder line, confidently (0.7–0.97), drew a white "V" there and read
a head drop of 82%. Such a face is neither drawn (``annotate.drawn_joints``) nor measured
(``laptop_signals.raw_signals``).

Geometry (image pixels, x right, y down): ``n`` is the unit normal of the left − right shoulder
line that points up the image; a point's height is its offset from the shoulders' mid-point along
``n``. The face is below the shoulders when every confident face point (nose, ears; at least one)
has a height ≤ 0. With the shoulder line more than 45° from level the person is not upright in the
image and "below" means nothing: never garbled then.
"""

from __future__ import annotations

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks

#: The face points the rule looks at.
FACE_POINTS = (lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR)


def face_below_shoulders(landmarks: Landmarks, ok: np.ndarray) -> bool:
    """True when both shoulders are usable (``ok``: a bool mask over the 33 landmarks, e.g.
    confident and inside the frame), their line within 45° of level, and every usable face point
    (nose, ears; at least one) at or below the shoulder line (module docstring)."""
    if not (ok[lm.LEFT_SHOULDER] and ok[lm.RIGHT_SHOULDER]):
        return False
    xy = landmarks.image[:, :2].astype(float)
    sh = xy[lm.LEFT_SHOULDER] - xy[lm.RIGHT_SHOULDER]
    if not np.isfinite(sh).all() or abs(sh[1]) > abs(sh[0]):  # not upright in the image
        return False
    n = np.array([sh[1], -sh[0]])
    if n[1] > 0:  # point it up the image (towards the head of an upright person)
        n = -n
    mid = 0.5 * (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER])
    face = [i for i in FACE_POINTS if ok[i] and np.isfinite(xy[i]).all()]
    return bool(face) and all(float((xy[i] - mid) @ n) <= 0.0 for i in face)
