"""Derived exercise signals on constructed landmarks with known geometry; sway on constructed
trajectories with known path length and ellipse area; speakers."""

from __future__ import annotations

import math
import os
import stat

import numpy as np
import pytest

from posture_feedback.exercises.balance import (
    CHI2_95_2DOF,
    SwayRecorder,
    sway_ellipse_area,
    sway_path_length,
)
from posture_feedback.exercises.gait import symmetry_index
from posture_feedback.exercises.signals import SIGNAL_NAMES, compute_signals, derived_signals
from posture_feedback.exercises.speech import EspeakSpeaker, NullSpeaker, Speaker, SpeechUnavailable
from posture_feedback.types import ANGLE_NAMES, AngleTable, Landmarks, View

# A person facing the camera: their left is image right. Trunk 150 px, legs 200 px (100 + 100).
STANDING = {
    "left_shoulder": (360, 100), "right_shoulder": (280, 100),
    "left_hip": (350, 250), "right_hip": (290, 250),
    "left_knee": (350, 350), "right_knee": (290, 350),
    "left_ankle": (350, 450), "right_ankle": (290, 450),
}  # fmt: skip


def lms(**moves) -> Landmarks:
    pts = dict(STANDING)
    pts.update(moves)
    return Landmarks.from_points(pts)


def test_standing_straight_gives_zero_signals():
    s = derived_signals(lms(), View.FRONT)
    for name in ("trunk_lean_left", "left_foot_lift", "left_knee_lift", "left_knee_valgus", "right_knee_valgus"):
        assert s[name] == pytest.approx(0.0, abs=1e-9), name
    assert s["ankle_separation"] == pytest.approx(60 / 200)


def test_trunk_lean_towards_the_persons_left_is_positive():
    # shoulders shifted 150·tan(20°) px towards image right = the person's left
    dx = 150 * math.tan(math.radians(20))
    s = derived_signals(lms(left_shoulder=(360 + dx, 100), right_shoulder=(280 + dx, 100)), View.FRONT)
    assert s["trunk_lean_left"] == pytest.approx(20.0, abs=1e-6)
    assert s["trunk_lean_right"] == pytest.approx(-20.0, abs=1e-6)
    assert math.isnan(derived_signals(lms(), View.SIDE)["trunk_lean_left"])  # frontal-plane only


def test_foot_and_knee_lift_as_fractions_of_leg_length():
    # the right foot lifted 40 px and the right knee 50 px (thigh forwards, shank back)
    s = derived_signals(lms(right_knee=(290, 300), right_ankle=(290, 410)), View.FRONT)
    assert s["right_foot_lift"] == pytest.approx(40 / 200)
    assert s["left_foot_lift"] == pytest.approx(-40 / 200)
    assert s["right_knee_lift"] == pytest.approx(50 / 200)  # world = image / 1000 here: same ratio


def test_knee_valgus_sign_is_medial_positive():
    # left knee pushed 20 px towards the midline (image left, towards the right hip)
    s = derived_signals(lms(left_knee=(330, 350)), View.FRONT)
    expected = 2 * math.degrees(math.atan2(20, 100))
    assert s["left_knee_valgus"] == pytest.approx(expected, abs=1e-6)
    s = derived_signals(lms(left_knee=(370, 350)), View.FRONT)  # bowed outwards
    assert s["left_knee_valgus"] == pytest.approx(-expected, abs=1e-6)


def test_low_visibility_gives_nan_never_a_guess():
    lm = lms()
    vis = lm.visibility.copy()
    vis[25] = 0.1  # left knee hidden
    s = derived_signals(lm.with_arrays(visibility=vis), View.FRONT)
    assert math.isnan(s["left_foot_lift"]) and math.isnan(s["left_knee_valgus"])
    assert not math.isnan(s["trunk_lean_left"])
    assert all(math.isnan(v) for v in derived_signals(None).values())


def test_compute_signals_uses_only_valid_angles_and_signs_hikes():
    values = np.arange(len(ANGLE_NAMES), dtype=float)
    valid = np.ones(len(ANGLE_NAMES), bool)
    valid[ANGLE_NAMES.index("craniovertebral_angle")] = False
    values[ANGLE_NAMES.index("shoulder_tilt")] = 7.0
    table = AngleTable(values, valid, np.zeros(len(ANGLE_NAMES)))
    s = compute_signals(table, lms(), View.FRONT)
    assert set(s) == set(SIGNAL_NAMES)
    assert math.isnan(s["craniovertebral_angle"]) and s["left_elbow_flexion"] == 0.0
    # the shoulder hike is the shoulder line against the trunk (landmarks), not the tilt to the horizontal:
    # level shoulders over level hips read 0 whatever ``shoulder_tilt`` says
    assert (s["left_shoulder_hike"], s["right_shoulder_hike"]) == (0.0, -0.0)
    # the left shoulder 20 px up: shoulder line (80, −20) px, trunk line straight up (mid-shoulder (320, 90)
    # over mid-hip (320, 250)), so the hitch is asin(20 / |(80, 20)|) = atan(20 / 80) = 14.04°
    s = compute_signals(table, lms(left_shoulder=(360, 80)), View.FRONT)
    assert s["left_shoulder_hike"] == pytest.approx(math.degrees(math.atan2(20, 80)))
    assert s["right_shoulder_hike"] == pytest.approx(-math.degrees(math.atan2(20, 80)))


# -- sway ------------------------------------------------------------------------------------------
def test_sway_of_a_circle_has_known_length_and_area():
    r, n = 5.0, 3600
    a = np.linspace(0, 4 * np.pi, n, endpoint=False)  # two laps
    xy = np.c_[100 + r * np.cos(a), 200 + r * np.sin(a)]
    chord = 2 * r * np.sin(2 * np.pi / n)  # each step turns 4π/n
    assert sway_path_length(xy, body_size=10.0) == pytest.approx((n - 1) * chord / 10.0, rel=1e-12)
    assert sway_path_length(xy, body_size=10.0) == pytest.approx(2 * 2 * np.pi * r / 10.0, rel=1e-3)
    # points uniform on a circle: covariance r²/2·I, ellipse area π·χ²·r²/2
    assert sway_ellipse_area(xy, body_size=10.0) == pytest.approx(np.pi * CHI2_95_2DOF * (r / 10) ** 2 / 2, rel=1e-3)


def test_sway_of_a_line_has_zero_area_and_a_still_point_zero_length():
    xy = np.c_[np.linspace(0, 30, 31), np.zeros(31)]
    assert sway_path_length(xy, 3.0) == pytest.approx(10.0)
    assert sway_ellipse_area(xy) == pytest.approx(0.0, abs=1e-9)
    assert sway_path_length(np.ones((10, 2))) == 0.0


def test_sway_recorder_normalises_by_trunk_length_from_landmarks():
    rec = SwayRecorder()
    for k in range(101):  # the hips sway 15 px right and back, trunk 150 px
        dx = 15 * math.sin(math.pi * k / 100)
        moved = {n: (x + dx, y) for n, (x, y) in STANDING.items()}
        assert rec.add(k / 25, Landmarks.from_points(moved))
    res = rec.result()
    assert res.body_size_px == pytest.approx(150.0)
    assert res.path_length == pytest.approx(30 / 150, rel=1e-3)
    assert res.duration_s == pytest.approx(4.0) and res.mean_velocity == pytest.approx(0.05, rel=1e-3)
    assert not rec.add(5.0, None)


def test_symmetry_index():
    assert symmetry_index(0.3, 0.2) == pytest.approx(40.0)
    assert symmetry_index(1.0, 1.0) == 0.0
    assert math.isnan(symmetry_index(math.nan, 1.0))


# -- speech ----------------------------------------------------------------------------------------
def test_null_speaker_records_and_mutes():
    sp = NullSpeaker()
    assert isinstance(sp, Speaker)
    sp.say("one")
    sp.set_muted(True)
    sp.say("two")
    sp.set_muted(False)
    sp.set_volume(3.0)
    sp.say("three")
    assert sp.spoken == ["one", "three"] and sp.volume == 1.0


def test_espeak_speaker_runs_the_program_in_the_background(tmp_path):
    out = tmp_path / "said.txt"
    prog = tmp_path / "espeak-ng"
    prog.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {out}\n')
    prog.chmod(prog.stat().st_mode | stat.S_IEXEC)
    sp = EspeakSpeaker(binary=str(prog), voice="en-gb", rate=150)
    assert isinstance(sp, Speaker)
    sp.set_volume(0.5)
    sp.say("Reach higher")
    sp.wait(timeout=10)
    args = out.read_text().splitlines()
    assert args == ["-v", "en-gb", "-s", "150", "-a", "50", "--", "Reach higher"]
    sp.set_muted(True)
    sp.say("not said")
    sp.wait(timeout=10)
    assert out.read_text().splitlines() == args


def test_espeak_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechUnavailable, match="espeak-ng is not installed"):
        EspeakSpeaker()
    assert os.environ["PATH"] == str(tmp_path)
