"""Joint labels never cover each other (hand-worked boxes)."""

from __future__ import annotations

from posture_feedback.annotate import free_label_origin, text_box


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_two_labels_at_one_joint_are_written_one_under_the_other():
    """The hips' level and the trunk's lean both start at the mid-hip: "1° OK" was written over
    "−3±7 UNSURE" (a new-user audit)."""
    placed: list[tuple[int, int, int, int]] = []
    first = free_label_origin("1 OK left up", (100, 200), 1.0, placed)
    second = free_label_origin("−3±7 UNSURE", (100, 200), 1.0, placed)
    assert first == (100, 200)  # the first keeps its place
    assert second[0] == 100 and second[1] > 200  # the second moves down, same column
    assert not _overlap(text_box("1 OK left up", first, 1.0), text_box("−3±7 UNSURE", second, 1.0))
    assert len(placed) == 2


def test_a_label_away_from_the_others_keeps_its_place():
    placed = [text_box("−8±11 UNSURE", (100, 100), 1.0)]
    assert free_label_origin("−2±6 UNSURE", (100, 160), 1.0, placed) == (100, 160)


def test_a_label_at_the_right_edge_moves_left_to_stay_whole():
    """Mirrored, the person's left side is at the picture's right edge: "−47° LOW right ear up" was
    cut to "−47° LOW right" (a fifth audit). Its box now ends inside the 640 px picture."""
    text = "-47° LOW right ear up"
    wide = text_box(text, (600, 100), 1.0)
    assert wide[2] > 640  # as written before: past the edge
    org = free_label_origin(text, (600, 100), 1.0, [], width=640)
    box = text_box(text, org, 1.0)
    assert box[2] <= 640 and box[0] >= 0 and org[1] == 100
    assert box[2] - box[0] == wide[2] - wide[0]  # the whole label, not a cut one


def test_each_angle_has_its_own_marker_point():
    """Hand-placed points: a joint angle at its vertex, a tilt at the person's left joint of its
    line, a lean at the middle of its line between two mid-points, so the pelvis's level (left
    hip) and the trunk's lean (mid-trunk) are no longer drawn on one spot (the left hip, with two
    arrows)."""
    import numpy as np

    from posture_feedback import landmarks as lm
    from posture_feedback.annotate import angle_anchor
    from posture_feedback.kinematics import ANGLE_JOINTS

    xy = np.zeros((33, 2))
    xy[lm.LEFT_HIP], xy[lm.RIGHT_HIP] = (340, 400), (300, 400)
    xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER] = (350, 200), (290, 200)
    xy[lm.LEFT_EAR], xy[lm.RIGHT_EAR] = (330, 120), (310, 120)
    xy[lm.LEFT_KNEE] = (340, 600)
    anchor = {name: tuple(angle_anchor(joints, xy)) for name, joints in ANGLE_JOINTS.items()}
    assert anchor["left_knee_flexion"] == (340, 600)
    assert anchor["pelvic_tilt"] == (340, 400)
    assert anchor["shoulder_tilt"] == (350, 200)
    assert anchor["head_tilt"] == (330, 120)
    assert anchor["trunk_lateral_lean"] == anchor["trunk_forward_lean"] == (320, 300)
    assert anchor["head_forward_lean"] == (320, 160)
    measured = ("pelvic_tilt", "shoulder_tilt", "head_tilt", "trunk_lateral_lean", "head_forward_lean",
                "left_knee_flexion")
    assert len({anchor[n] for n in measured}) == len(measured)
