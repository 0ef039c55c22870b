"""Signed trunk and head leans on hand-built skeletons (exact geometry, not ``pose_with_angles``).

World landmarks in MediaPipe axes: metres, x image-right, y down, z away from the camera; the
image is an orthographic copy at 1000 px per metre. Expected values are worked out by hand from
the coordinates below, with the conventions of issue 15 and ``shared/accuracy/acclib``:
``trunk_forward_lean`` + = shoulders forward of the hips, ``trunk_lateral_lean`` + = towards the
person's left, ``head_forward_lean`` + = ears forward of the shoulders.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import compute_angles
from posture_feedback.types import Landmarks, View
from posture_feedback.view import classify_view

S = math.sin
C = math.cos
R = math.radians


def _person(points: dict[str, tuple[float, float, float]]) -> Landmarks:
    image = {k: (500 + 1000 * x, 600 + 1000 * y, 1000 * z) for k, (x, y, z) in points.items()}
    return Landmarks.from_points(image, image_size=(1000, 1200), world=points)


def _side_on(trunk_deg: float, head_deg: float, facing: float = +1.0) -> Landmarks:
    """Seated person side-on, facing image-right (facing=+1) or image-left (−1).

    Facing +x with up = −y, the person's left is up × forward = +z (away from the camera).
    Hips at y = 0, shoulders 0.5 m along the trunk, ears 0.25 m along the neck line.
    """
    f = facing
    lz = 0.15 * f  # the person's left side is at +z when facing +x, −z when facing −x
    sh = (f * 0.5 * S(R(trunk_deg)), -0.5 * C(R(trunk_deg)))
    ear = (sh[0] + f * 0.25 * S(R(head_deg)), sh[1] - 0.25 * C(R(head_deg)))
    return _person({
        "left_hip": (0.0, 0.0, lz), "right_hip": (0.0, 0.0, -lz),
        "left_shoulder": (sh[0], sh[1], lz), "right_shoulder": (sh[0], sh[1], -lz),
        "left_ear": (ear[0], ear[1], 0.06 * f), "right_ear": (ear[0], ear[1], -0.06 * f),
        "nose": (ear[0] + f * 0.1, ear[1] + 0.02, 0.0),
        "left_knee": (f * 0.45, 0.0, lz), "right_knee": (f * 0.45, 0.0, -lz),
    })  # fmt: skip


@pytest.mark.parametrize("facing", [+1.0, -1.0])
@pytest.mark.parametrize(
    ("trunk", "head"),
    [(0.0, 0.0), (20.0, 0.0), (-15.0, 0.0), (5.0, 30.0), (0.0, -10.0)],
)
def test_side_on_forward_leans_have_the_sign_of_the_posture(trunk, head, facing):
    lms = _side_on(trunk, head, facing)
    view, az = classify_view(lms)
    assert view == View.SIDE
    got = compute_angles(lms, view, azimuth_deg=az)
    assert got["trunk_forward_lean"].value == pytest.approx(trunk, abs=1e-6)
    assert got["head_forward_lean"].value == pytest.approx(head, abs=1e-6)
    assert got["craniovertebral_angle"].value == pytest.approx(90.0 - head, abs=1e-6)
    assert got["trunk_forward_lean"].valid and got["head_forward_lean"].valid
    assert not got["trunk_lateral_lean"].valid  # the frontal plane is edge-on


def _face_on(lateral_deg: float, from_back: bool = False) -> Landmarks:
    """Standing person, trunk leaning ``lateral_deg`` towards their own left, seen from the front
    (the person's left at image-right, x > 0) or from the back (their left at image-left)."""
    s = -1.0 if from_back else 1.0  # image x of the person's left side
    z_nose = 0.1 if from_back else -0.1  # the nose is nearer the camera face-on
    sh = (s * 0.5 * S(R(lateral_deg)), -0.5 * C(R(lateral_deg)))
    return _person({
        "left_hip": (s * 0.15, 0.0, 0.0), "right_hip": (-s * 0.15, 0.0, 0.0),
        "left_shoulder": (sh[0] + s * 0.18, sh[1], 0.0), "right_shoulder": (sh[0] - s * 0.18, sh[1], 0.0),
        "left_ear": (sh[0] + s * 0.07, sh[1] - 0.25, 0.0), "right_ear": (sh[0] - s * 0.07, sh[1] - 0.25, 0.0),
        "nose": (sh[0], sh[1] - 0.23, z_nose),
        "left_knee": (s * 0.15, 0.45, 0.0), "right_knee": (-s * 0.15, 0.45, 0.0),
    })  # fmt: skip


@pytest.mark.parametrize("from_back", [False, True])
@pytest.mark.parametrize("lateral", [0.0, 10.0, -7.0])
def test_face_on_lateral_lean_is_towards_the_persons_left(lateral, from_back):
    lms = _face_on(lateral, from_back)
    view, az = classify_view(lms)
    assert view == (View.BACK if from_back else View.FRONT)
    got = compute_angles(lms, view, azimuth_deg=az)
    assert got["trunk_lateral_lean"].value == pytest.approx(lateral, abs=1e-6)
    assert got["trunk_lateral_lean"].valid
    assert got["trunk_inclination"].value == pytest.approx(abs(lateral), abs=1e-6)
    # Face-on the sagittal leans rest on depth alone: measured, never valid.
    assert not got["trunk_forward_lean"].valid and not got["head_forward_lean"].valid


def test_mirrored_side_view_gives_the_same_leans():
    a = _side_on(18.0, 12.0, +1.0)
    w, h = a.image_size
    img = a.image.copy()
    img[:, 0] = w - img[:, 0]
    world = a.world * np.array([-1.0, 1.0, 1.0])
    b = a.with_arrays(image=img, world=world)
    # A mirror swaps the body's sides: the mirrored person is a left-right swapped person.
    b = b.swapped(lm.ARM_PAIRS + lm.LEG_PAIRS + lm.HEAD_PAIRS + lm.TRUNK_PAIRS)
    for lms in (a, b):
        view, az = classify_view(lms)
        got = compute_angles(lms, view, azimuth_deg=az)
        assert got["trunk_forward_lean"].value == pytest.approx(18.0, abs=1e-6)
        assert got["head_forward_lean"].value == pytest.approx(12.0, abs=1e-6)


def test_hips_out_of_frame_give_no_trunk_lean():
    lms = _face_on(5.0)
    vis = lms.visibility.copy()
    vis[[lm.LEFT_HIP, lm.RIGHT_HIP]] = 0.0
    lms = lms.with_arrays(visibility=vis, presence=vis.copy())
    view, az = classify_view(lms)
    got = compute_angles(lms, view, azimuth_deg=az)
    for name in ("trunk_forward_lean", "trunk_lateral_lean", "trunk_inclination"):
        assert math.isnan(got[name].value) and not got[name].valid
