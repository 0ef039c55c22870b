"""A face the model put below the shoulders: one rule for what is drawn and what is measured.

The ears and the nose stay above the shoulder line in every head posture a person at a desk or
standing holds (a head dropped to the chest included: the ears stay above the shoulders). When the
model does not find the real face it may put one on the chest instead: on the bundled front view
seen 1.45× nearer (a twentieth audit) it put the nose 0.45 shoulder widths and the ears 0.2
shoulder widths *below* the shoulder line, confidently (0.7–0.97), drew a white "V" there and read
a head drop of 82%. Such a face is neither drawn (``annotate``, the live skeleton and the
neutral's ghost) nor measured (``laptop_signals.raw_signals``; ``kinematics.measure_angles``: no
head tilt or head line from it).

Geometry (image pixels, x right, y down): ``n`` is the unit normal of the left − right shoulder
line that points up the image; a point's height is its offset from the shoulders' mid-point along
``n``. The face is below the shoulders when every confident face point (nose, ears; at least one)
lies more than ``BELOW_SHOULDER_WIDTHS`` below the line. With the shoulder line more than 45° from
level the person is not upright in the image and "below" means nothing: never garbled then.

A limit, taken knowingly: a deep forward bend seen face-on (a toe touch, the trunk past
horizontal) hangs the real head below the shoulders too, and the rule then drops a real face. No
target or exercise judges a head angle in such a bend, and the trunk does not tell the two apart:
the garbled skeleton of the audit's still frame read its trunk 44° bent as well (the model shifts
shoulders and hips down with the face). Silence over a wrong cue.
"""

from __future__ import annotations

import numpy as np

from posture_feedback import landmarks as lm
from posture_feedback.types import Landmarks

#: The face points the rule looks at.
FACE_POINTS = (lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR)
#: How far below the shoulder line (shoulder widths) a face point must be to count as below it:
#: a head leaning 90° forward seen face-on has its ears exactly on the line, and is not garbled
#: (the audit's garbled frames: ears 0.07-0.2 and the nose 0.37-0.45 shoulder widths below).
BELOW_SHOULDER_WIDTHS = 0.01
#: Every face landmark (nose, eyes, ears, mouth): what is dropped from a garbled face.
FACE_LANDMARKS = tuple(range(lm.NOSE, lm.LEFT_SHOULDER))


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
    width = float(np.hypot(*sh))
    if width <= 0.0:
        return False
    n = np.array([sh[1], -sh[0]]) / width
    if n[1] > 0:  # point it up the image (towards the head of an upright person)
        n = -n
    mid = 0.5 * (xy[lm.LEFT_SHOULDER] + xy[lm.RIGHT_SHOULDER])
    face = [i for i in FACE_POINTS if ok[i] and np.isfinite(xy[i]).all()]
    return bool(face) and all(float((xy[i] - mid) @ n) < -BELOW_SHOULDER_WIDTHS * width for i in face)
