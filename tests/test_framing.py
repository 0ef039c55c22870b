"""Upper-body framing: with the hips out of view no hip or trunk angle is confident."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.framing import (
    HIP_JOINT_ANGLES,
    HIPS_OUT_UNCERTAINTY,
    TRUNK_ANGLES,
    Framing,
    apply_framing,
    classify_framing,
    hips_in_view,
)
from posture_feedback.kinematics import compute_angles, pose_with_angles
from posture_feedback.types import View


def standing(image_size=(640, 480), shift_y: float = 0.0, px_per_m: float = 250.0):
    """A constructed upright person face-on (pose_with_angles: hips at 60% of the height)."""
    lmk = pose_with_angles(image_size=image_size, px_per_m=px_per_m, left_leg=(20, 30), right_leg=(20, 30))
    return lmk.with_arrays(image=lmk.image + np.array([0.0, shift_y, 0.0]))


def test_full_body_in_a_tall_frame():
    assert classify_framing(standing(image_size=(640, 1200))) is Framing.FULL


def test_hips_in_view_knees_below_the_frame():
    # hips at y = 288 of 480 px with 90 px shoulders; knees 0.45 m × 250 = 112 px below: just off the frame
    lmk = standing(shift_y=100.0)
    assert hips_in_view(lmk)
    assert classify_framing(lmk) is Framing.UPPER


def test_hips_at_the_bottom_edge_count_as_out_of_view():
    # hip centre 10 px above the bottom edge: inside the image, but within a quarter shoulder width
    lmk = standing(shift_y=480 - 10 - 288)
    assert (lmk.image[[23, 24], 1] < 480).all()
    assert not hips_in_view(lmk)
    assert classify_framing(lmk) is Framing.HEAD_CHEST


def test_nobody_or_no_shoulders():
    assert classify_framing(None) is Framing.NONE
    lmk = standing(shift_y=-400)  # everything above the top edge
    assert classify_framing(lmk) is Framing.NONE


def test_apply_framing_withholds_hip_angles_and_widens_the_trunk():
    lmk = standing(shift_y=480 - 10 - 288)
    table = compute_angles(lmk, View.FRONT, azimuth_deg=0.0)
    out = apply_framing(table, lmk)
    for a in out:
        before = table[a.name]
        if a.name in HIP_JOINT_ANGLES:
            assert math.isnan(a.value) and not a.valid, a.name
        elif a.name in TRUNK_ANGLES:
            assert a.value == before.value and not a.valid
            extra = 15.0 if a.name == "trunk_forward_lean" else HIPS_OUT_UNCERTAINTY  # degrees, measured
            assert a.uncertainty == pytest.approx(before.uncertainty + extra)
        else:
            assert (a.value == before.value or math.isnan(before.value)) and a.valid == before.valid, a.name
    # hips in view: nothing changes
    inside = standing(shift_y=100.0)
    t2 = compute_angles(inside, View.FRONT, azimuth_deg=0.0)
    assert apply_framing(t2, inside) is t2


ACCURACY = Path(__file__).resolve().parents[2] / "shared" / "accuracy" / "data" / "webcam"


@pytest.mark.skipif(not (ACCURACY / "desk.mp4").exists(), reason="accuracy set not present")
def test_real_desk_crop_has_no_confident_trunk_or_hip_angle():
    """desk.mp4 (real model, hips below the frame): hip angles missing and trunk angles invalid in
    ≥ 90% of the frames; upper.mp4 (hips in view) keeps its trunk angle valid in ≥ 80%."""
    from posture_feedback.pipeline import iter_results

    def rows(name):
        return [r for r in iter_results(ACCURACY / name) if r.person_found]

    desk = rows("desk.mp4")
    hip_missing = np.mean([math.isnan(r.angles.value("left_hip_flexion")) for r in desk])
    trunk_not_valid = np.mean([not r.angles["trunk_inclination"].valid for r in desk])
    assert hip_missing >= 0.9 and trunk_not_valid >= 0.9, (hip_missing, trunk_not_valid)
    trunk = [r.angles["trunk_inclination"] for r in desk]
    assert all(a.uncertainty >= HIPS_OUT_UNCERTAINTY for a in trunk if a.measured and not a.valid)
    upper = rows("upper.mp4")
    trunk_measured = np.mean([not math.isnan(r.angles.value("trunk_inclination")) for r in upper])
    assert trunk_measured >= 0.9, trunk_measured
