"""A failed "Set neutral" says which neutral the targets still follow (real model, real video, offscreen).

An audit (2026-12) pressed Set neutral and left the picture: the panel said "Neutral not set: no angle
was measured…" while the title said "Standing alignment (front) — from your neutral" and the gauges
still used the neutral saved the day before. Here the profile has a saved standing neutral (real
SQLite); the video (``leaving_video``) is the man of the sports sample standing still for 1.5 s, then
an empty (black) room: the capture that starts while he is in view ends without him, and fails in the core
(``calibration.neutral.capture_neutral``). The panel must say the new one was not captured, why, and
that the saved one (its date) is still used, beside a title and targets that follow it.
"""

from __future__ import annotations

import re

import pytest

from posture_feedback.calibration.neutral import NeutralPosture
from posture_feedback.calibration.store import save_to_database
from posture_feedback.storage import Database
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions

SAVED = {"shoulder_tilt": 1.5, "head_tilt": 2.0, "pelvic_tilt": 0.5, "trunk_lateral_lean": 0.4}


def test_a_failed_capture_says_the_saved_neutral_is_still_used(qtbot, leaving_video, tmp_path):
    with Database.open_default(str(tmp_path)) as db:
        pid = db.create_profile("Ann").id
        save_to_database(db, pid, NeutralPosture(angles=SAVED, spread={}, posture="standing", camera=None,
                                                 created_at="2026-11-10T09:00:00+00:00"))  # fmt: skip
    options = AppOptions(source=str(leaving_video), preset="standing-front", realtime=True, loop=False, sound=False,
                         neutral_seconds=2.5, profile="Ann", data_dir=str(tmp_path))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    assert window.neutral == pytest.approx(SAVED)
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    window.set_neutral()  # he leaves during the 2.5 s
    qtbot.waitUntil(lambda: "not captured" in window.neutral_label.text(), timeout=30_000)
    label = window.neutral_label.text()
    window.grab().save(str(tmp_path / "neutral-failed.png"))
    # the core's reason (how many frames had him depends on when the capture began): nobody in enough frames
    assert re.match(r"New neutral not captured \((no angle was measured in 12 or more frames|the "
                    r"person was in view in only \d+ of \d+ frames)", label), label  # fmt: skip
    assert "still using the neutral saved 2026-11-10 (standing)" in label
    assert "Neutral not set" not in label
    # the title, the targets and the neutral all still follow the saved one
    assert window.set_label.text().endswith("— from your neutral")
    assert window.neutral == pytest.approx(SAVED)
    assert all(t.relative for t in window.target_set.targets)
    window.close()


def test_a_neutral_refused_at_the_desk_says_why_once(qtbot, tmp_path):
    """Audit 30: "Set neutral" on the bundled desk sample (head to chest, hips out of view) read "Neutral not
    set: neutral refused: the trunk was measured in only 0 frames (needs 12): shoulders and hips must be in
    view" on the cue line and in the panel. The real window on the real clip: the reason is said once (since
    2026-12-08 it is his movement, read from the shoulder line; the trunk's "in no frame" wording is checked in
    tests/test_calibrate_inputs.py)."""
    from posture_feedback.resources import sample_video

    options = AppOptions(source=str(sample_video()), realtime=True, loop=True, sound=False, neutral_seconds=1.5,
                         data_dir=str(tmp_path))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    window.set_neutral()
    qtbot.waitUntil(lambda: "Neutral not set" in window.neutral_label.text(), timeout=30_000)
    label = window.neutral_label.text()
    # since 2026-12-08 stillness at a desk is read from the shoulder line (the trunk needs the hips): the man
    # on the platform moves, and the reason says so, once
    assert label.startswith("Neutral not set: you moved during the capture (shoulder line angle "), label
    assert label.count("refused") == 0 and label.count("Neutral not set") == 1, label
    assert window.cue_label.text() == label
    window.close()
