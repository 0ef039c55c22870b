"""The evaluation snapshot's value labels never cover each other.

An audit (27) looked at ``assess posture --front`` on a still of the accuracy set's cam02 frame 72:
the trunk lean's label, anchored at the hips' left, ran into the pelvic tilt's, anchored on the hip
line at the same height, and the picture read "…(leaning to the left)_tilt: -9.5 +/- 3.7 deg". Hand-worked
boxes: a label's box is (x, y − h − 4, x + w + 6, y + baseline + 2) around its baseline y.
"""

from __future__ import annotations

import numpy as np

from posture_feedback.assessment.snapshots import Overlay, label_origin, render
from posture_feedback.types import FrameResult


def _box(origin, size):
    (x, y), (w, h, b) = origin, size
    return x, y - h - 4, x + w + 6, y + b + 2


def _apart(a, b) -> bool:
    return not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_a_second_label_at_the_same_height_moves_a_whole_label_down():
    size = (400, 14, 6)  # 400 px wide, 14 px high, 6 px below the baseline
    first = label_origin((0, 318), size, (720, 777))
    assert first == (0, 318)
    second = label_origin((350, 318), (330, 14, 6), (720, 777), [_box(first, size)])
    assert second == (350, 318 + 14 + 6 + 8)  # one label height (h + baseline + 8 px) lower
    assert _apart(_box(first, size), _box(second, (330, 14, 6)))


def test_at_the_bottom_it_moves_up_and_it_stays_in_the_picture():
    size = (200, 14, 6)
    a = label_origin((10, 715), size, (720, 777))
    assert a == (10, 720 - 6 - 2)  # clamped into the image
    b = label_origin((20, 715), size, (720, 777), [_box(a, size)])
    assert b == (20, 712 - 28) and _apart(_box(a, size), _box(b, size))


def test_the_rendered_snapshot_writes_both_labels_apart():
    """On a plain frame, the two labels as the audit saw them (same anchor height): the dark boxes do
    not overlap, so every pixel row holding one label's text is free of the other's."""
    from posture_feedback.types import Frame

    image = np.full((720, 777, 3), 200, np.uint8)
    frame = Frame(image=image, index=0, timestamp_s=0.0, captured_at=0.0)
    ov = Overlay()
    a, b = "trunk lean: 21.0 +/- 6.3 deg (leaning to the left)", "pelvic_tilt: -9.5 +/- 3.7 deg (right hip higher)"
    ov.label(a, (0, 318))
    ov.label(b, (350, 318))
    out = render(FrameResult(frame=frame), ov)
    dark = (out[..., 0] < 120).any(axis=1)  # the rows darkened behind a label
    runs = np.flatnonzero(np.diff(np.r_[0, dark.astype(int), 0]))
    assert len(runs) == 4, runs  # two separate dark bands, one per label
