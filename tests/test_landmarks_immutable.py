"""Landmarks are immutable, so what is derived from them once (``Landmarks.memo``) stays true;
and the faster small-vector helpers give the hand-worked results."""

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import _to_axis, pose_with_angles
from posture_feedback.person import body_scale, invariant_points, small_median
from posture_feedback.types import Landmarks
from posture_feedback.view import cross3


def _person() -> Landmarks:
    return pose_with_angles(trunk_lean=10.0, image_size=(640, 480), px_per_m=250.0)


def test_arrays_are_read_only_but_the_callers_stay_writable():
    image = np.zeros((33, 3))
    ones = np.ones(33)
    p = Landmarks(image=image, world=np.zeros((33, 3)), visibility=ones, presence=ones.copy(), image_size=(10, 10))
    for arr in (p.image, p.world, p.visibility, p.presence):
        with pytest.raises(ValueError):
            arr[0] = 1.0
    image[0, 0] = 5.0  # the caller's own array is not frozen
    assert image[0, 0] == 5.0


def test_derived_values_follow_a_changed_copy():
    p = _person()
    # shoulders 0.36 m apart at 250 px/m: the body scale is half a metre in pixels, 125 px
    assert body_scale(p) == pytest.approx(125.0, rel=1e-6)
    bigger = p.with_arrays(image=p.image * 2.0)
    assert body_scale(bigger) == pytest.approx(250.0, rel=1e-6)
    assert body_scale(p) == pytest.approx(125.0, rel=1e-6)  # the original keeps its own
    x0, _, x1, _ = bigger.bbox()
    assert x1 - x0 == pytest.approx(2.0 * (p.bbox()[2] - p.bbox()[0]))
    pts, conf = invariant_points(p)
    with pytest.raises(ValueError):
        pts[0, 0] = 0.0  # a kept result cannot be changed by its reader either
    mid_sh = 0.5 * (p.image[lm.LEFT_SHOULDER, :2] + p.image[lm.RIGHT_SHOULDER, :2])
    assert pts[1] == pytest.approx(mid_sh)


def test_cross3_hand_worked_and_broadcast():
    x, y, z = np.eye(3)
    assert cross3(x, y).tolist() == [0.0, 0.0, 1.0]
    assert cross3(y, x).tolist() == [0.0, 0.0, -1.0]
    rows = cross3(np.stack([x, y, z]), np.stack([y, z, x]))
    assert rows.tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert cross3(z, np.stack([x, y])).tolist() == [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]


def test_to_axis_turns_the_ray_onto_the_optical_axis():
    # a ray 30° to the right of the axis: the turn is 30° about y, which takes x to (cos, 0, sin)
    a = math.radians(30.0)
    r = _to_axis(np.array([math.sin(a), 0.0, math.cos(a)]))
    assert r @ np.array([math.sin(a), 0.0, math.cos(a)]) == pytest.approx([0.0, 0.0, 1.0], abs=1e-12)
    assert r @ np.array([1.0, 0.0, 0.0]) == pytest.approx([math.cos(a), 0.0, math.sin(a)], abs=1e-12)
    assert r @ r.T == pytest.approx(np.eye(3), abs=1e-12)


def test_small_median():
    assert small_median(np.array([3.0, 1.0, 2.0])) == 2.0
    assert small_median(np.array([4.0, 1.0, 3.0, 2.0])) == 2.5
    assert math.isnan(small_median(np.array([])))


def test_a_new_track_id_keeps_the_derived_values_and_new_arrays_drop_them():
    p = _person()
    scale = body_scale(p)
    tracked = p.with_arrays(track_id=7)
    assert tracked._memo.get(("body_scale", 0.5)) == scale  # carried over: the same arrays
    moved = p.with_arrays(image=p.image + np.array([10.0, 0.0, 0.0]))
    assert ("body_scale", 0.5) not in moved._memo and moved.bbox()[0] == pytest.approx(p.bbox()[0] + 10.0)
