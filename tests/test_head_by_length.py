"""The head line seen face-on or from the back: its depth from its length (``kinematics.head_by_length``).

Hand-worked geometry: a neck of ``NECK_SHOULDER_RATIO`` shoulder widths leaning θ forward, seen by
an orthographic camera, with the model's ear depth replaced by a wrong one (the ears at the
shoulders' depth, as the model often has them face-on). The line's length gives the lean back.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import (
    NECK_SHOULDER_RATIO,
    NECK_SHOULDER_RATIO_UNC,
    compute_angles,
    head_by_length,
)
from posture_feedback.types import Landmarks, View

WIDTH = 0.36  # shoulder width, metres
NECK = NECK_SHOULDER_RATIO * WIDTH
LEVEL_UP = np.array([0.0, -1.0, 0.0])  # camera axes: x right, y down, z away from the camera


def person(lean_deg: float, facing_camera: bool = True) -> Landmarks:
    """Shoulders and ears only (the rest at the hips' place), 1000 px per metre, orthographic;
    the ears' depth in the world landmarks is the shoulders' (wrong unless the lean is 0)."""
    fwd = np.array([0.0, 0.0, -1.0 if facing_camera else 1.0])
    left = np.array([1.0, 0.0, 0.0]) * (-1.0 if facing_camera else 1.0)  # the person's left, camera axes
    c = math.radians(lean_deg)
    mid_sh = np.array([0.0, -0.5, 0.0])
    mid_ear = mid_sh + NECK * (math.cos(c) * LEVEL_UP + math.sin(c) * fwd)
    world = np.zeros((lm.NUM_LANDMARKS, 3))
    world[lm.LEFT_SHOULDER], world[lm.RIGHT_SHOULDER] = mid_sh + WIDTH / 2 * left, mid_sh - WIDTH / 2 * left
    world[lm.LEFT_EAR], world[lm.RIGHT_EAR] = mid_ear + 0.07 * left, mid_ear - 0.07 * left
    world[lm.NOSE] = mid_ear + 0.1 * fwd
    image = world * 1000.0 + np.array([320.0, 700.0, 0.0])
    world[[lm.LEFT_EAR, lm.RIGHT_EAR, lm.NOSE], 2] = 0.0  # the model's wrong depth
    conf = np.zeros(lm.NUM_LANDMARKS)
    conf[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_EAR, lm.RIGHT_EAR, lm.NOSE]] = 1.0
    return Landmarks(image=image, world=world, visibility=conf, presence=conf.copy(), image_size=(640, 480))


@pytest.mark.parametrize("lean", [15.0, 40.0, 60.0])
@pytest.mark.parametrize("facing_camera", [True, False])
def test_the_lean_comes_back_from_the_length(lean: float, facing_camera: bool) -> None:
    table = compute_angles(
        person(lean, facing_camera), View.FRONT if facing_camera else View.BACK,
        azimuth_deg=0.0 if facing_camera else 180.0, up=LEVEL_UP,
    )  # fmt: skip
    assert table["head_forward_lean"].value == pytest.approx(lean, abs=0.5)
    assert table["craniovertebral_angle"].value == pytest.approx(90.0 - lean, abs=0.5)


def test_the_uncertainty_holds_the_length_error() -> None:
    """40° forward: a neck 10% longer reads acos(cos 40° / 1.1) = 45.8°, 10% shorter
    acos(cos 40° / 0.9) = 31.7°; the larger change (8.3°) is the depth term."""
    assert NECK_SHOULDER_RATIO_UNC == 0.10
    c = math.radians(40.0)
    head = NECK * np.array([0.0, -math.cos(c), -0.05])  # the model's depth: too small, on the right side
    _, spread = head_by_length(head, np.array([WIDTH, 0.0, 0.0]), np.array([0.0, 0.0, -1.0]), LEVEL_UP)
    assert spread == pytest.approx(40.0 - math.degrees(math.acos(math.cos(c) / 0.9)), abs=0.05)
    table = compute_angles(person(40.0), View.FRONT, azimuth_deg=0.0, up=LEVEL_UP, up_uncertainty_deg=3.0)
    assert table["head_forward_lean"].uncertainty >= spread


def test_an_upright_head_face_on_is_too_uncertain_to_judge() -> None:
    """At 0° the image shows the whole line: a 10% longer neck would read 24.6° forward."""
    table = compute_angles(person(0.0), View.FRONT, azimuth_deg=0.0, up=LEVEL_UP, up_uncertainty_deg=3.0)
    assert table["head_forward_lean"].value == pytest.approx(0.0, abs=0.5)
    assert table["head_forward_lean"].uncertainty > math.degrees(math.acos(1 / 1.1)) - 0.1
    assert not table["head_forward_lean"].valid


def test_foreshortening_is_along_the_line_of_sight() -> None:
    """A camera pitched 20° down sees a person 12° above its axis: the neck is foreshortened along
    the ray to the person (8° from horizontal), not along the axis. With the ray the lean comes back;
    taken on the axis it reads about 12° less forward."""
    p, b, lean = math.radians(20.0), math.radians(12.0), math.radians(40.0)
    up = np.array([0.0, -math.cos(p), -math.sin(p)])
    fwd = np.array([0.0, -math.sin(p), math.cos(p)])
    fwd = -(fwd - (fwd @ up) * up) / np.linalg.norm(fwd - (fwd @ up) * up)  # horizontal, towards the camera
    neck = NECK * (math.cos(lean) * up + math.sin(lean) * fwd)
    ray = np.array([0.0, -math.sin(b), math.cos(b)])
    # what the image shows: the parts across the ray, in a frame turned so that the ray is the axis
    across = np.array([[1.0, 0.0, 0.0], [0.0, math.cos(b), math.sin(b)], [0.0, -math.sin(b), math.cos(b)]])
    assert across @ ray == pytest.approx([0.0, 0.0, 1.0])
    seen = across @ neck
    head = np.array([seen[0], seen[1], 0.0])  # the model's depth: none
    shoulders = np.array([WIDTH, 0.0, 0.0])
    v, _ = head_by_length(head, shoulders, fwd, up, ray)
    got = math.degrees(math.atan2(v @ fwd, v @ up))
    assert got == pytest.approx(40.0, abs=0.3)
    v_axis, _ = head_by_length(head, shoulders, fwd, up)
    assert math.degrees(math.atan2(v_axis @ fwd, v_axis @ up)) == pytest.approx(28.0, abs=1.5)


def test_ears_below_the_shoulders_in_the_image_get_no_length_reading() -> None:
    """A garbled skeleton (the ears drawn below the shoulder line) says nothing about the neck's
    depth: the line is returned as it is, with no depth term (the model's depth then stands, with
    its own wide uncertainty)."""
    head = np.array([0.0, 0.05, -0.1])  # image y down: below the shoulders
    v, spread = head_by_length(head, np.array([WIDTH, 0.0, 0.0]), np.array([0.0, 0.0, -1.0]), LEVEL_UP)
    assert math.isnan(spread)
    np.testing.assert_array_equal(v, head)


def _off_axis_person(lean_deg: float, above_px: float, focal_true: float) -> Landmarks:
    """``person``'s neck seen by a level perspective camera of focal length ``focal_true`` (px) with
    the shoulders ``above_px`` above the centre of a 640×480 frame: the image shows the neck's parts
    across the ray to the shoulders (1000 px per metre there), the model's ear depth is the shoulders'."""
    b = math.atan2(above_px, focal_true)  # the ray's angle above the axis
    fwd = np.array([0.0, 0.0, -1.0])
    c = math.radians(lean_deg)
    neck = NECK * (math.cos(c) * LEVEL_UP + math.sin(c) * fwd)
    across = np.array([[1.0, 0.0, 0.0], [0.0, math.cos(b), math.sin(b)], [0.0, -math.sin(b), math.cos(b)]])
    seen = across @ neck
    left = np.array([-1.0, 0.0, 0.0])  # facing the camera: the person's left is the image's right
    flat = np.zeros((lm.NUM_LANDMARKS, 3))
    flat[lm.LEFT_SHOULDER], flat[lm.RIGHT_SHOULDER] = WIDTH / 2 * left, -WIDTH / 2 * left
    mid_ear = np.array([seen[0], seen[1], 0.0])
    flat[lm.LEFT_EAR], flat[lm.RIGHT_EAR] = mid_ear + 0.07 * left, mid_ear - 0.07 * left
    flat[lm.NOSE] = mid_ear + np.array([0.0, 0.02, 0.0])
    image = flat * 1000.0 + np.array([320.0, 240.0 - above_px, 0.0])
    conf = np.zeros(lm.NUM_LANDMARKS)
    conf[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_EAR, lm.RIGHT_EAR, lm.NOSE]] = 1.0
    return Landmarks(image=image, world=flat.copy(), visibility=conf, presence=conf.copy(), image_size=(640, 480))


def test_an_unconfirmed_focal_length_widens_the_head_lean_to_hold_the_truth() -> None:
    """A narrow camera (an 18° diagonal field of view: f = 400 / tan 9° = 2526 px at 640×480; a
    crop or a zoom) sees the shoulders 150 px above the image centre, 3.4° above its axis. Read as
    a 70° webcam (571 px) the line of sight is taken 14.7° up, 11.3° wrong, and the 40° lean reads
    several degrees off. With the range a camera may have (100°: 336 px, to 18°: 2526 px) the head
    line's ± also holds that change (``kinematics._focal_term``) and reaches the true lean."""
    assert 400 / math.tan(math.radians(9.0)) == pytest.approx(2525.5, abs=0.5)
    assert 400 / math.tan(math.radians(50.0)) == pytest.approx(335.6, abs=0.5)
    pose = _off_axis_person(40.0, 150.0, 2525.5)
    kw = {"azimuth_deg": 0.0, "up": LEVEL_UP, "up_uncertainty_deg": 0.5}
    true_focal = compute_angles(pose, View.FRONT, focal_px=2525.5, **kw)["head_forward_lean"]
    assert true_focal.value == pytest.approx(40.0, abs=0.5)  # the construction: the right focal gives it back
    webcam = compute_angles(pose, View.FRONT, focal_px=571.2, **kw)["head_forward_lean"]
    error = abs(webcam.value - 40.0)
    assert error > 3.0  # the line of sight 11° wrong moves the reading
    ranged = compute_angles(pose, View.FRONT, focal_px=571.2, focal_range_px=(335.6, 2525.5), **kw)["head_forward_lean"]
    assert error > webcam.uncertainty and webcam.valid  # without the range: a confident wrong value (51° ±11°)
    assert ranged.value == webcam.value  # the range widens the ±, it does not move the value
    assert ranged.uncertainty >= error  # and holds the true lean: not valid (> 15°)
    assert not ranged.valid


def test_a_person_on_the_axis_needs_no_focal_term() -> None:
    """On the camera's axis the line of sight is the axis for every focal length: the range adds nothing."""
    pose = _off_axis_person(40.0, 0.0, 2525.5)
    kw = {"azimuth_deg": 0.0, "up": LEVEL_UP, "up_uncertainty_deg": 0.5, "focal_px": 571.2}
    plain = compute_angles(pose, View.FRONT, **kw)["head_forward_lean"]
    ranged = compute_angles(pose, View.FRONT, focal_range_px=(335.6, 2525.5), **kw)["head_forward_lean"]
    assert ranged.uncertainty == pytest.approx(plain.uncertainty, abs=1e-6)
    assert plain.value == pytest.approx(40.0, abs=0.5)
