"""Balance sway (exploratory): unsmoothed world landmarks, horizontal plane, fixed-rate resampling.

A constructed person facing the camera (front view: the person's left is +x in the camera's world axes)
sways side to side as a triangle wave of amplitude A; the frame times are irregular but include the
wave's corners, so linear resampling on the 30 Hz grid is exact: path length = 4 A per period.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.assessment.sway import NOTE, SwayError, horizontal_trace, resample, sway
from posture_feedback.kinematics import pose_with_angles
from posture_feedback.types import Frame, FrameResult, Landmarks

BLANK = np.zeros((2, 2, 3), np.uint8)
A_CM, PERIOD_S = 1.5, 0.4  # corners every 0.2 s = every 6 samples of the 30 Hz grid


def _shifted(pose: Landmarks, left_cm: float, forward_cm: float = 0.0) -> Landmarks:
    """The hips ``left_cm`` to the person's left of the ankles (the ankles moved the other way; world x, z)."""
    world = pose.world.copy()
    for i in (lm.LEFT_ANKLE, lm.RIGHT_ANKLE, lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX):
        world[i, 0] -= left_cm / 100.0
        world[i, 2] += forward_cm / 100.0  # z away from the camera: the feet further back = hips forward
    return pose.with_arrays(world=world)


def _triangle(t: float) -> float:
    phase = (t / PERIOD_S) % 1.0
    return A_CM * (4 * phase if phase < 0.25 else 2 - 4 * phase if phase < 0.75 else 4 * phase - 4)


def _results(times: list[float], smoothed_differs: bool = True) -> list[FrameResult]:
    base = pose_with_angles()
    out = []
    for i, t in enumerate(times):
        raw = _shifted(base, _triangle(t))
        frame = Frame(image=BLANK, index=i, timestamp_s=t, captured_at=0.0, source="constructed")
        shown = base if smoothed_differs else raw  # the smoothed landmarks: no sway at all
        out.append(FrameResult(frame=frame, people=[raw], target_index=0, landmarks=shown, azimuth_deg=0.0))
    return out


def _times(seconds: float) -> list[float]:
    rng = np.random.default_rng(3)
    corners = set(np.round(np.arange(0.0, seconds + 1e-9, PERIOD_S / 4), 6))
    jittered = set(np.round(np.cumsum(rng.uniform(0.02, 0.05, 200)), 6))
    return sorted(t for t in corners | jittered if t <= seconds)


def test_sway_path_and_rms_of_a_side_to_side_triangle_wave():
    res = _results(_times(4.0))
    s = sway(res)
    periods = 4.0 / PERIOD_S
    assert s.path_length_cm == pytest.approx(4 * A_CM * periods, rel=1e-9)
    assert s.mean_velocity_cm_s == pytest.approx(4 * A_CM / PERIOD_S, rel=1e-9)
    # RMS about the mean of the wave's values on the 30 Hz grid (about A/sqrt 3 for a continuous triangle wave).
    on_grid = np.array([_triangle(k / 30.0) for k in range(121)])
    assert s.rms_ml_cm == pytest.approx(float(np.sqrt(((on_grid - on_grid.mean()) ** 2).mean())), rel=1e-9)
    assert s.rms_ml_cm == pytest.approx(A_CM / math.sqrt(3), rel=0.05)
    assert s.rms_ap_cm == pytest.approx(0.0, abs=1e-9) and s.ellipse_area_cm2 == pytest.approx(0.0, abs=1e-6)
    assert s.samples == 121 and s.rate_hz == 30.0 and s.duration_s == pytest.approx(4.0)
    assert s.exploratory and s.note == NOTE and "not validated" in NOTE


def test_sway_reads_the_unsmoothed_landmarks_and_the_person_left_is_positive():
    t, xy = horizontal_trace(_results([0.0, 0.1]))  # 0.1 s = a quarter period: at +A
    assert xy[1, 1] == pytest.approx(A_CM) and xy[0, 1] == pytest.approx(0.0)
    base = pose_with_angles()
    fwd = FrameResult(frame=Frame(image=BLANK, index=0, timestamp_s=0.0, captured_at=0.0, source="c"),
                      people=[_shifted(base, 0.0, forward_cm=2.0)], target_index=0, landmarks=base,
                      azimuth_deg=0.0)  # fmt: skip
    assert horizontal_trace([fwd])[1][0] == pytest.approx([2.0, 0.0], abs=1e-9)  # AP + = forward


def test_resampling_is_on_a_fixed_grid_and_gaps_are_not_filled():
    grid, xy = resample(np.array([0.0, 0.05, 0.1]), np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]), rate_hz=20.0)
    assert grid == pytest.approx([0.0, 0.05, 0.1]) and xy[:, 0] == pytest.approx([0.0, 1.0, 0.0])
    with pytest.raises(SwayError, match="out of view for 0.50 s"):
        resample(np.array([0.0, 0.5]), np.zeros((2, 2)))
