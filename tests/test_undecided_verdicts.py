"""A value too uncertain to judge gets no verdict and no cue; the camera vertical's roll and pitch
go into the angles they really move.

Expected values are worked by hand from the documented rule (an 80% interval that holds both a
value in range and one beyond the tolerance band decides nothing) and from rotating a constructed
camera, not with the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback.annotate import angle_label
from posture_feedback.feedback import CueSelector
from posture_feedback.kinematics import angle_uncertainty, compute_angles, pose_with_angles
from posture_feedback.targets import Target, TargetEvaluator, TargetSet, undecided
from posture_feedback.types import ANGLE_NAMES, AngleTable, Verdict, View

HT = "head_tilt"


def level(**kw) -> Target:
    base = dict(id="hl", angle=HT, low=-3.0, high=3.0, tolerance=2.0, cue_low="Right ear up", cue_high="Left ear up",
                hysteresis=0.0, min_duration_s=0.0)  # fmt: skip
    base.update(kw)
    return Target(**base)


def table(value: float, unc: float, name: str = HT) -> AngleTable:
    a = AngleTable.empty()
    i = ANGLE_NAMES.index(name)
    a.values[i], a.valid[i], a.uncertainty[i] = value, True, unc
    return a


@pytest.mark.parametrize(
    ("value", "unc", "expected"),
    [
        # range [−3, 3], tolerance 2: "out" is below −5 or above 5
        (4.0, 0.5, False),  # [3.5, 4.5]: all near → NEAR stands
        (6.0, 2.0, False),  # [4, 8]: near and out, never in range → HIGH stands
        (6.0, 3.0, True),  # [3, 9]: touches 3 (in range) and passes 5 (out)
        (9.0, 5.0, False),  # [4, 14]: never reaches the range → HIGH stands
        (0.0, 4.0, False),  # [−4, 4]: in range and near only → OK stands
        (0.0, 5.5, True),  # [−5.5, 5.5]: in range and out on both sides
        (-47.0, 20.0, False),  # [−67, −27]: far below, whatever the error → LOW stands
        (-10.0, 8.0, True),  # [−18, −2]: reaches −2 (in range) and −18 (out)
        (2.0, math.nan, False),  # no uncertainty known: the value's own verdict
        (2.0, 0.0, False),
    ],
)
def test_undecided_by_hand(value, unc, expected):
    assert undecided(value, unc, -3.0, 3.0, 2.0) is expected


def test_one_sided_range():
    # range [50, ∞), tolerance 4: out below 46
    assert undecided(48.0, 3.0, 50.0, math.inf, 4.0) is True  # [45, 51]
    assert undecided(60.0, 30.0, 50.0, math.inf, 4.0) is True  # [30, 90]
    assert undecided(80.0, 30.0, 50.0, math.inf, 4.0) is False  # [50, 110]: in range for sure


def test_an_undecided_value_has_no_verdict_and_no_cue_but_keeps_its_number():
    ev = TargetEvaluator(TargetSet("t", [level()]))
    cues = CueSelector(min_hold_s=0.0)
    (s,) = ev.update(table(-10.0, 2.0), View.FRONT, 0.0)  # [−12, −8]: LOW, cued
    assert s.verdict is Verdict.LOW and s.cue == "Right ear up"
    assert cues.update([s], 0.0) == "Right ear up"
    (s,) = ev.update(table(-10.0, 8.0), View.FRONT, 0.1)  # [−18, −2]: may be level
    assert s.verdict is Verdict.UNCERTAIN and not s.verdict.judged
    assert s.value == -10.0 and s.uncertainty == 8.0
    assert s.cue is None and s.cue_verdict is Verdict.UNCERTAIN
    assert cues.update([s], 0.1) is None  # the cue ends: nothing is judged
    (s,) = ev.update(table(-10.0, 2.0), View.FRONT, 0.2)
    assert s.verdict is Verdict.LOW and s.cue == "Right ear up"


def test_a_shown_cue_ends_in_the_frame_its_value_becomes_undecided_even_within_the_hold():
    """Found by a new-user audit: `analyze --targets sitting` on the desk sample wrote "You lean to
    your right" in rows whose trunk_lateral_lean verdict was "uncertain" (the cue was held for the
    drop-out grace). The cue in a row must belong to the verdict in that row."""
    ev = TargetEvaluator(TargetSet("t", [level()]))
    cues = CueSelector()  # the defaults: 2.5 s hold, 0.5 s drop-out grace
    (s,) = ev.update(table(-10.0, 2.0), View.FRONT, 0.0)
    assert cues.update([s], 0.0) == "Right ear up"
    (s,) = ev.update(table(-10.0, 8.0), View.FRONT, 1 / 30)  # [−18, −2]: may be level
    assert s.verdict is Verdict.UNCERTAIN
    assert cues.update([s], 1 / 30) is None
    (s,) = ev.update(table(-10.0, 2.0), View.FRONT, 2 / 30)  # decided again: the cue is due again
    assert cues.update([s], 2 / 30) == "Right ear up"


def test_the_overlay_writes_an_undecided_value_with_its_interval_and_no_verdict_word():
    (s,) = TargetEvaluator(TargetSet("t", [level()])).update(table(-10.0, 8.0), View.FRONT, 0.0)
    label = angle_label(HT, -10.0, s)
    assert label == "−10° ±8° UNSURE"  # no verdict, so no side word either; degrees as the panel writes them
    for word in ("LOW", "HIGH", "OK", "NEAR"):
        assert word not in label


def _camera_up(roll_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    """The world vertical in camera axes (x right, y down, z forward) of a camera rolled and pitched
    down by these angles (calibration.camera's convention, worked out by hand)."""
    r, p = math.radians(roll_deg), math.radians(pitch_deg)
    return np.array([-math.sin(r) * math.cos(p), -math.cos(r) * math.cos(p), -math.sin(p)])


@pytest.mark.parametrize(("azimuth", "roll_moves", "pitch_moves"), [
    (0.0, ("shoulder_tilt", "head_tilt", "trunk_lateral_lean"), ("trunk_forward_lean", "head_forward_lean")),
    (90.0, ("trunk_forward_lean", "head_forward_lean"), ()),
])  # fmt: skip
def test_roll_moves_the_image_plane_angles_and_pitch_the_depth_ones(azimuth, roll_moves, pitch_moves):
    """A camera rolled or pitched by 6° but assumed level: the angles measured in the image plane
    are 6° off under roll and unmoved under pitch; the face-on sagittal ones the other way round.
    The uncertainty model puts the vertical's roll and pitch into the same angles."""
    names = [*roll_moves, *pitch_moves]
    truth = compute_angles(pose_with_angles(azimuth_deg=azimuth), View.FRONT if azimuth == 0 else View.SIDE,
                           azimuth_deg=azimuth)  # fmt: skip
    for which, moved in (("roll", roll_moves), ("pitch", pitch_moves)):
        up = _camera_up(**{f"{which}_deg": 6.0})
        lms = pose_with_angles(azimuth_deg=azimuth, up=up)
        got = compute_angles(lms, View.FRONT if azimuth == 0 else View.SIDE, azimuth_deg=azimuth)  # level assumed
        for n in names:
            err = abs(got[n].value - truth[n].value)
            assert err == pytest.approx(6.0 if n in moved else 0.0, abs=0.6), (which, n, err)
    # the model: roll 2°, pitch 20° → only the pitch-moved angles carry the 20°, added whole (the
    # pitch's error is one offset for every frame of a recording, not a draw per frame)
    sin_phi = np.array([1.0 if n in pitch_moves else 0.0 for n in ANGLE_NAMES])
    vis = np.zeros(len(ANGLE_NAMES))
    narrow = angle_uncertainty(sin_phi, vis, (2.0, 0.0), azimuth)
    wide = angle_uncertainty(sin_phi, vis, (2.0, 20.0), azimuth)
    for n in names:
        i = ANGLE_NAMES.index(n)
        assert wide[i] - narrow[i] == pytest.approx(20.0 if n in pitch_moves else 0.0, abs=0.01), n


def test_one_number_for_the_vertical_is_the_same_as_equal_roll_and_pitch():
    sin_phi = np.linspace(0.0, 1.0, len(ANGLE_NAMES))
    vis = np.zeros(len(ANGLE_NAMES))
    np.testing.assert_allclose(angle_uncertainty(sin_phi, vis, 20.0), angle_uncertainty(sin_phi, vis, (20.0, 20.0)))


def test_the_pipeline_uses_the_sin_phi_of_each_angle_for_the_split():
    """Face-on, the tilts' φ is near 0 and the forward leans' near 90°: with the roll known to 1° and
    the pitch to 20°, the shoulder tilt is narrow and the forward lean wide."""
    lms = pose_with_angles(azimuth_deg=0.0)
    a = compute_angles(lms, View.FRONT, azimuth_deg=0.0, up=_camera_up(), up_uncertainty_deg=(1.0, 20.0))
    b = compute_angles(lms, View.FRONT, azimuth_deg=0.0, up=_camera_up(), up_uncertainty_deg=(20.0, 20.0))
    assert a["shoulder_tilt"].uncertainty < b["shoulder_tilt"].uncertainty - 10.0
    assert a["trunk_forward_lean"].uncertainty == pytest.approx(b["trunk_forward_lean"].uncertainty, abs=0.01)


def test_the_reason_for_unsure_names_the_camera_vertical_only_when_it_is_assumed():
    from posture_feedback.feedback import uncertain_text

    (s,) = TargetEvaluator(TargetSet("t", [level()])).update(table(-10.0, 21.0), View.FRONT, 0.0)
    assert s.verdict is Verdict.UNCERTAIN
    assert uncertain_text([], "level") is None
    level_text = uncertain_text([s], "level")
    assert level_text.startswith("UNSURE (hl: ±21°, more than the 2° a verdict may be off by)")
    assert "calibrate the camera" in level_text
    # named as its gauge is (audit 30: "head tilt … against a 3° band" beside the gauge "Head level")
    assert uncertain_text([s], "level", {"hl": "Head level"}).startswith("UNSURE (Head level: ±21°, more than")
    from dataclasses import replace

    assert uncertain_text([replace(s, target="head_tilt")], "scene").startswith("UNSURE (Head level: ")
    assert "still being measured" in uncertain_text([s], "searching")
    scene = uncertain_text([s], "scene")
    assert "hold still" in scene and "calibrate" not in scene


class _Still:
    """Stands in for the model: one constructed, face-on person in every frame."""

    def __init__(self) -> None:
        self.person = pose_with_angles(azimuth_deg=0.0)

    def detect(self, frame):
        return [self.person]

    def close(self) -> None:
        pass


def test_the_pipeline_says_where_its_vertical_comes_from():
    from posture_feedback.pipeline import Pipeline, PipelineOptions
    from posture_feedback.types import Frame

    blank = np.full((480, 640, 3), 90, np.uint8)  # no lines: the scene cannot give a vertical
    with Pipeline(PipelineOptions(scene_vertical=True), estimator=_Still()) as pipe:
        first = pipe.process(Frame(blank, 0, 0.0, 0.0, "constructed"))
        assert first.vertical == "searching"
        last = first
        for i in range(1, 150):
            last = pipe.process(Frame(blank, i, i / 30, 0.0, "constructed"))
        assert last.vertical == "level"  # the collector gave up: a level camera is assumed
        pipe.set_camera_up(_camera_up())
        assert pipe.process(Frame(blank, 150, 5.0, 0.0, "constructed")).vertical == "calibrated"
    with Pipeline(PipelineOptions(), estimator=_Still()) as pipe:
        assert pipe.process(Frame(blank, 0, 0.0, 0.0, "constructed")).vertical == "level"


def test_the_mirror_explains_an_unsure_gauge(qtbot, tmp_path, monkeypatch):
    pytest.importorskip("PyQt6")
    from posture_feedback.types import Frame, FrameResult
    from posture_feedback.ui.main_window import MainWindow
    from posture_feedback.ui.options import AppOptions

    monkeypatch.setattr("posture_feedback.ui.source_page.SourcePage.probe_cameras", lambda self: None)
    window = MainWindow(AppOptions(source=str(tmp_path / "none.mp4"), preset="standing", realtime=False,
                                   data_dir=str(tmp_path / "data")))  # fmt: skip
    qtbot.addWidget(window)
    (s,) = TargetEvaluator(TargetSet("t", [level(id="head_tilt")])).update(table(-10.0, 21.0), View.FRONT, 0.0)
    person = pose_with_angles(azimuth_deg=0.0)
    frame = Frame(np.zeros((480, 640, 3), np.uint8), 0, 0.0, 0.0)
    window.show_result(FrameResult(frame=frame, people=[person], target_index=0, landmarks=person, targets=[s],
                                   vertical="level"))  # fmt: skip
    assert window.unsure_label.isVisibleTo(window) and "calibrate the camera" in window.unsure_label.text()
    window.show_result(FrameResult(frame=frame, people=[person], target_index=0, landmarks=person, vertical="scene"))
    assert not window.unsure_label.isVisibleTo(window)


def test_a_skipped_camera_calibration_is_an_assumed_level_camera(tmp_path, monkeypatch):
    """`calibrate camera --skip --name X` stores a level camera without measuring it: applied with
    `--camera X` it is a level camera *assumed* (±20° on the vertical), not a measured one (±3°)."""
    from posture_feedback.cli import main
    from posture_feedback.commands.analyze import camera_up

    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(tmp_path))
    assert main(["calibrate", "camera", "--skip", "--name", "desk"]) == 0
    assert camera_up("desk") is None
    assert camera_up("level") is None
