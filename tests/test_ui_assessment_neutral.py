"""The evaluation window's neutral: its posture read from the hips and knees, its camera kept (real model).

An audit (2026-12) captured a standing person's neutral in the evaluation window: it was saved as
"sitting" (the posture menu's default) with no camera, so it was applied as a sitting neutral with
every camera. Here a camera (camera 0: the frames of the sports sample's man standing still on his
box, replayed through the ``cv2.VideoCapture`` interface) films him; the database is real SQLite.
Choosing "Sitting" must be refused with the posture read and what to do, nothing saved; the default
(read from the hips and knees) must save a standing neutral kept with "camera 0".
"""

from __future__ import annotations

import sqlite3

import pytest
from fake_camera import FakeCamera, read_frames

from posture_feedback import sources
from posture_feedback.calibration.store import load_from_database
from posture_feedback.sources import CameraSource
from posture_feedback.storage import Database
from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow


@pytest.fixture
def camera0(monkeypatch, still_video):
    """Camera 0 films the still standing man (a stand-in device, 30 frames/s)."""
    device = FakeCamera(read_frames(still_video, 30))
    real = sources.open_source

    def open_source(spec, *args, **kwargs):
        if spec in (0, "0"):
            return CameraSource(0, capture_factory=lambda index: device)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr("posture_feedback.sources.open_source", open_source)
    return device


def neutral_rows(data_dir) -> list[tuple]:
    with sqlite3.connect(data_dir / "posture-feedback.sqlite3") as conn:
        return conn.execute("SELECT camera FROM calibrations WHERE kind = 'neutral'").fetchall()


def capture(qtbot, window: AssessmentWindow) -> str:
    window.start_neutral_capture()
    qtbot.waitUntil(lambda: window.capture is None and window.neutral_result.text() != "Recording…", timeout=30_000)
    return window.neutral_result.text()


def test_a_standing_person_s_neutral_is_read_as_standing_and_kept_with_its_camera(qtbot, camera0, tmp_path):
    window = AssessmentWindow(AssessmentOptions(source=0, profile="Ann", data_dir=str(tmp_path), neutral_s=2.5,
                                               max_people=1))  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    assert window.neutral_combo.currentData() == "auto"  # read from the hips and knees unless chosen
    window.neutral_combo.setCurrentIndex(window.neutral_combo.findData("sitting"))
    text = capture(qtbot, window)
    window.grab().save(str(tmp_path / "neutral-refused.png"))
    assert text.startswith("Not captured: neutral refused: you were standing (read from the hips and knees"), text
    assert "not sitting as chosen: choose Standing" in text
    assert neutral_rows(tmp_path) == [] and window.flow.neutral is None  # nothing saved

    window.neutral_combo.setCurrentIndex(window.neutral_combo.findData("auto"))
    text = capture(qtbot, window)
    window.grab().save(str(tmp_path / "neutral-standing.png"))
    assert text.startswith("Neutral (standing, read from the hips and knees, camera 0, "), text
    values, _, left_out = text.partition(" Left out (± over 15° in most frames, not judged from this neutral): ")
    assert values.count("±") == 4  # each value shown with its ± (the frames' 80 % half-width)
    # no camera calibration in this window: its tilts carry the level camera's ±20° and more, beyond
    # analyze's 15°, so the neutral leaves them out and says so (calibration.neutral, "Within the bound")
    assert "shoulder tilt ±" in left_out and "trunk inclination ±" in left_out, text
    assert neutral_rows(tmp_path) == [("camera 0",)]
    with Database.open_default(str(tmp_path)) as db:
        pid = db.profile_by_name("Ann").id
        saved = load_from_database(db, pid, "neutral", posture="standing")
        assert saved is not None and saved.camera == "camera 0" and saved.posture == "standing"
        assert not saved.applies_to("camera 1")
        assert load_from_database(db, pid, "neutral", posture="sitting") is None
    window.close()
