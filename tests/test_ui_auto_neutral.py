"""The ``auto`` preset keeps the neutral of the posture it judges (a seventeenth audit: a neutral set
standing was stored and used as a sitting one, and at start-up auto loaded the sitting neutral even
when it then judged standing targets).

Real window offscreen (pytest-qt), real SQLite; the end-to-end test runs the real model on a still
clip of a man standing face-on (conftest ``still_video``: full body, hips and knees ~20-27°).
"""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.auto_preset import FIRST_READINGS
from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.calibration.store import load_from_database, save_to_database
from posture_feedback.kinematics import compute_angles, pose_with_angles
from posture_feedback.storage import Database
from posture_feedback.types import Frame, FrameResult, View
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions

SIZE = (640, 1200)  # tall enough for the whole constructed body: framing FULL
SITTING = {"shoulder_tilt": 1.0, "head_tilt": -2.0, "trunk_lateral_lean": 0.5}
STANDING = {"shoulder_tilt": 4.0, "head_tilt": 3.0, "pelvic_tilt": 2.0, "trunk_lateral_lean": -1.5}


def person(t: float, legs: tuple[float, float]) -> FrameResult:
    """A constructed person face-on with both legs at ``legs`` = (thigh flexion, knee flexion) degrees."""
    lmk = pose_with_angles(left_leg=legs, right_leg=legs, image_size=SIZE, px_per_m=400)
    frame = Frame(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), int(t * 30), t, 0.0)
    return FrameResult(frame=frame, landmarks=lmk, view=View.FRONT, azimuth_deg=0.0,
                       angles=compute_angles(lmk, View.FRONT, azimuth_deg=0.0))  # fmt: skip


def test_auto_uses_the_neutral_of_the_posture_it_judges(qtbot, tmp_path):
    """Saved sitting and standing neutrals (camera 95, which does not open: frames are fed by hand)."""
    with Database.open_default(str(tmp_path)) as db:
        pid = db.create_profile("Eva").id
        save_to_database(db, pid, NeutralPosture(angles=SITTING, spread={}, posture="sitting", camera="camera 95"))
        save_to_database(db, pid, NeutralPosture(angles=STANDING, spread={}, posture="standing", camera="camera 95"))
    window = MainWindow(AppOptions(source=95, preset="auto", sound=False, profile="Eva", data_dir=str(tmp_path)))
    qtbot.addWidget(window)
    assert window._posture() == "sitting" and window.neutral == SITTING  # nothing seen yet: sitting assumed

    for k in range(FIRST_READINGS):  # standing, legs straight: decided once read 5 frames in a row
        window._follow_auto_preset(person(k / 30, (0.0, 0.0)))
    assert window._posture() == "standing"
    assert window.neutral == STANDING
    assert window.target_set.name == "standing-front" and all(t.relative for t in window.target_set.targets)
    assert "(standing, 4 angles)" in window.neutral_label.text()

    for k in range(1, 40):  # sits down (hips and knees 90°) for 3.9 s: the change holds 2 s
        window._follow_auto_preset(person(k / 10, (90.0, 90.0)))
    assert window.target_set.name == "sitting-front" and window.neutral == SITTING

    window.preset_combo.setCurrentIndex(window.preset_combo.findData("standing-side"))  # chosen by hand
    assert window.neutral == STANDING and window.target_set.name == "standing-side"
    window.close()


def test_no_saved_neutral_for_the_posture_judged_means_none(qtbot, tmp_path):
    """Only a sitting neutral saved: a standing person gets no neutral (relative targets unjudged), not
    the sitting one."""
    with Database.open_default(str(tmp_path)) as db:
        pid = db.create_profile("Fay").id
        save_to_database(db, pid, NeutralPosture(angles=SITTING, spread={}, posture="sitting", camera="camera 95"))
    window = MainWindow(AppOptions(source=95, sound=False, profile="Fay", data_dir=str(tmp_path)))
    qtbot.addWidget(window)
    assert window.preset_name == "auto" and window.neutral == SITTING
    for k in range(FIRST_READINGS):
        window._follow_auto_preset(person(k / 30, (0.0, 0.0)))
    assert window.neutral is None
    assert not any(t.relative for t in window.target_set.targets)
    assert window.neutral_label.text() == "Neutral: not set for standing (press N)"
    window.close()


def test_a_neutral_set_standing_in_auto_is_saved_and_used_as_standing(qtbot, still_video, tmp_path):
    """The real model on a man standing face-on: auto picks the standing targets, N stores a standing
    neutral (before: a sitting one), and the next session on the same source uses it once auto sees
    him standing."""
    options = AppOptions(source=str(still_video), preset="auto", realtime=True, loop=True, sound=False,
                         neutral_seconds=2.5, profile="Gus", data_dir=str(tmp_path))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.set_label.text().startswith("Automatic: Standing"), timeout=60_000)
    assert window._posture() == "standing"
    window.set_neutral()
    qtbot.waitUntil(lambda: window.neutral is not None, timeout=30_000)
    captured = dict(window.neutral)
    window.close()
    with Database.open_default(str(tmp_path)) as db:
        pid = db.profile_by_name("Gus").id
        assert load_from_database(db, pid, "neutral", posture="sitting") is None
        assert load_from_database(db, pid, "neutral", posture="standing").angles == pytest.approx(captured)

    again = MainWindow(options)
    qtbot.addWidget(again)
    assert again.neutral is None  # before any frame: sitting assumed, and no sitting neutral saved
    again.show()
    qtbot.waitUntil(lambda: again.neutral is not None, timeout=60_000)
    assert again.neutral == pytest.approx(captured)
    assert again.target_set.name == "standing-front" and all(t.relative for t in again.target_set.targets)
    again.close()
