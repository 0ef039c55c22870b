"""The evaluation window refuses a camera calibration the person left part-way (real model, real video).

An audit (2026-12) started "Calibrate" and walked out: in view for about 1.1 s of the 3 s, the window
said "34 frames, measured" and stored the calibration. The core now applies the neutral's in-view
rule (``calibration.camera.MIN_IN_VIEW_FRACTION``, 80 % of the frames); the window must show the
refusal with the count and store nothing (real SQLite, the calibration store in the test sandbox).
The video: the still man of the sports sample for 1.5 s, then an empty room, every frame processed (not
in real time: the capture's 3 s are the video's own, so he is in view in about the first half of them,
enough still frames for the calibration before this rule).
"""

from __future__ import annotations

import sqlite3

from posture_feedback.calibration.store import CalibrationStore
from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow


def test_a_calibration_the_person_left_is_refused_with_the_count(qtbot, leaving_video, tmp_path):
    window = AssessmentWindow(AssessmentOptions(source=str(leaving_video), profile="Ann", data_dir=str(tmp_path),
                                               realtime=False, loop=False, max_frames=150, max_people=1))  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    window.start_camera_calibration()
    qtbot.waitUntil(lambda: window.capture is None and window.camera_result.text() != "Recording…", timeout=30_000)
    window.grab().save(str(tmp_path / "calibration-refused.png"))
    text = window.camera_result.text()
    assert text.startswith("Not calibrated: camera calibration refused: the person was in view in only "), text
    assert "(needs 80 %): stand in full view for the whole capture" in text
    assert window.flow.calibration is None  # nothing applied
    with sqlite3.connect(tmp_path / "posture-feedback.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM calibrations WHERE kind = 'camera'").fetchone() == (0,)
    assert CalibrationStore().load_camera(window.flow.camera) is None
    window.close()
