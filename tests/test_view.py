"""View classification on constructed skeletons (world coordinates) with known camera azimuths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback import landmarks as lm
from posture_feedback.kinematics import pose_with_angles
from posture_feedback.types import Landmarks, View
from posture_feedback.view import classify_view, view_from_azimuth


@pytest.mark.parametrize(
    ("azimuth", "view"),
    [
        (0.0, View.FRONT),
        (20.0, View.FRONT),
        (-25.0, View.FRONT),
        (45.0, View.OBLIQUE),
        (-50.0, View.OBLIQUE),
        (90.0, View.SIDE),
        (-90.0, View.SIDE),
        (70.0, View.SIDE),
        (-115.0, View.SIDE),
        (135.0, View.OBLIQUE),
        (-140.0, View.OBLIQUE),
        (165.0, View.BACK),
        (180.0, View.BACK),
        (-160.0, View.BACK),
    ],
)
def test_constructed_skeleton_view_and_azimuth(azimuth, view):
    got_view, got_az = classify_view(pose_with_angles(azimuth_deg=azimuth, left_arm=(30, 0, 40), right_leg=(20, 30)))
    assert got_view is view
    assert math.remainder(got_az - azimuth, 360.0) == pytest.approx(0.0, abs=1e-6)


def test_camera_on_the_persons_left_is_positive():
    """Side-on, facing image left: the person's left side is towards the camera."""
    lms = pose_with_angles(azimuth_deg=90.0)
    assert lms.world[lm.NOSE, 0] < lms.world[lm.LEFT_EAR, 0]  # nose points to image left
    assert lms.world[lm.LEFT_SHOULDER, 2] < lms.world[lm.RIGHT_SHOULDER, 2]  # left shoulder nearer
    view, az = classify_view(lms)
    assert view is View.SIDE and az == pytest.approx(90.0)


def test_front_view_from_world_points_given_by_hand():
    """Face-on in MediaPipe world axes: left shoulder at +x (image right), nose nearer (-z)."""
    world = {
        "left_shoulder": (0.18, -0.5, 0.0), "right_shoulder": (-0.18, -0.5, 0.0),
        "left_hip": (0.12, 0.0, 0.0), "right_hip": (-0.12, 0.0, 0.0),
        "left_ear": (0.07, -0.7, 0.02), "right_ear": (-0.07, -0.7, 0.02), "nose": (0.0, -0.68, -0.08),
    }  # fmt: skip
    pts = {k: (v[0] * 500 + 320, v[1] * 500 + 400) for k, v in world.items()}
    view, az = classify_view(Landmarks.from_points(pts, world=world))
    assert view is View.FRONT and az == pytest.approx(0.0, abs=1e-6)


def test_nose_behind_the_ears_reverses_swapped_trunk_labels():
    """Trunk labels swapped left/right (shoulders and hips), head intact: the nose settles it."""
    lms = pose_with_angles(azimuth_deg=25.0)
    swapped = lms.swapped(lm.TRUNK_PAIRS)
    view, az = classify_view(swapped)
    assert view is View.FRONT and az == pytest.approx(25.0, abs=1e-6)


def test_far_side_occluded_still_side():
    lms = pose_with_angles(azimuth_deg=-90.0)
    vis = lms.visibility.copy()
    vis[[lm.LEFT_SHOULDER, lm.LEFT_HIP, lm.LEFT_EAR]] = 0.1  # camera on the right: left side hidden
    view, az = classify_view(lms.with_arrays(visibility=vis))
    assert view is View.SIDE and az == pytest.approx(-90.0, abs=1e-6)


def test_hips_alone_are_enough():
    lms = pose_with_angles(azimuth_deg=180.0)
    pres = lms.presence.copy()
    pres[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.NOSE]] = 0.0
    view, az = classify_view(lms.with_arrays(presence=pres))
    assert view is View.BACK and abs(az) == pytest.approx(180.0, abs=1e-6)


def test_unknown_without_shoulders_and_hips():
    lms = pose_with_angles()
    vis = lms.visibility.copy()
    vis[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP]] = 0.0
    view, az = classify_view(lms.with_arrays(visibility=vis))
    assert view is View.UNKNOWN and math.isnan(az)


@pytest.mark.parametrize(("roll", "azimuth"), [(20.0, 0.0), (-30.0, 90.0), (15.0, 170.0)])
def test_tilted_camera_with_matching_up(roll, azimuth):
    a = math.radians(roll)
    up = np.array([-math.sin(a), -math.cos(a), 0.0])  # camera rolled: vertical no longer image-up
    lms = pose_with_angles(azimuth_deg=azimuth, up=up)
    view, az = classify_view(lms, up=up)
    assert view is view_from_azimuth(azimuth)
    assert math.remainder(az - azimuth, 360.0) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("azimuth", "view"),
    [(29.9, View.FRONT), (30.0, View.OBLIQUE), (60.0, View.SIDE), (120.0, View.SIDE), (150.0, View.OBLIQUE),
     (150.1, View.BACK), (-179.0, View.BACK), (190.0, View.BACK), (float("nan"), View.UNKNOWN)],
)  # fmt: skip
def test_thresholds(azimuth, view):
    assert view_from_azimuth(azimuth) is view
