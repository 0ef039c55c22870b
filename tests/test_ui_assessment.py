"""The guided evaluation window on the real model and a real recording, offscreen (pytest-qt).

sports2d_demo.mp4, frames 0–89: a man facing the camera does two jumping jacks, i.e. two
shoulder abductions of each arm in a front view. The window walks camera-skip → neutral-skip →
posture-skip → ROM test: the live peaks equal the ones ``rom_test`` reports, both sides and their
difference are shown, and "Save" stores the record with its measures in a real SQLite database
and writes the HTML report. A side-view test on the same frames is refused with the message
saying how to turn, and nothing is recorded.
"""

from __future__ import annotations

import math
import threading

import pytest

from posture_feedback.storage import Database
from posture_feedback.ui.assessment_window import (
    CAMERA,
    MOVEMENT,
    NEUTRAL,
    RESULTS,
    ROM,
    START,
    AssessmentOptions,
    AssessmentWindow,
)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_FEEDBACK_CONFIG_DIR", str(tmp_path / "config"))  # calibration store


def open_window(qtbot, video, tmp_path, frames: int) -> AssessmentWindow:
    options = AssessmentOptions(
        source=str(video), profile="Ann", data_dir=str(tmp_path / "data"), out_dir=str(tmp_path / "eval"),
        realtime=False, loop=False, max_frames=frames, max_people=1,
    )  # fmt: skip
    window = AssessmentWindow(options)
    qtbot.addWidget(window)
    window.resize(1280, 760)
    window.show()
    return window


def wait_all_frames(qtbot, window: AssessmentWindow, frames: int) -> None:
    def done() -> None:
        w = window.worker
        assert w is not None and not w.is_running() and w.stats.processed == frames
        window._drain()  # noqa: SLF001 - the last frames may still be queued
        assert window.frames_fed == frames

    qtbot.waitUntil(done, timeout=120_000)


def test_calibration_skip_then_a_rom_test_is_measured_and_stored(qtbot, sports_video, tmp_path):
    window = open_window(qtbot, sports_video, tmp_path, frames=90)
    # Steps are taken before the first frame arrives, so the recording holds frames 0–89.
    window.go(CAMERA)
    window.skip_calibration()
    assert window.flow.calibration is not None and window.flow.calibration.skipped
    assert "level" in window.camera_result.text()
    assert window.pages.currentIndex() == NEUTRAL
    window.skip_neutral()
    window.skip_posture()
    assert window.pages.currentIndex() == ROM
    window.select_test("shoulder_abduction", "both")
    assert "Face the camera" in window.test_text.text()
    assert "value only: no norm measured standing and active" in window.norm_label.text()  # AAOS is supine
    window.start_rom_recording()
    assert window.tap.keep_images  # frames are kept for the snapshots only while recording
    wait_all_frames(qtbot, window, 90)

    live = {s: [p.value for p in window.rom.peaks(s)] for s in ("left", "right")}
    # audit 32: the live list wrote "left repetition 1: peak 120°", a measured number without its ±
    window._refresh()  # noqa: SLF001 - the list as the timer last drew it, from every frame
    items = [window.peaks_list.item(i).text() for i in range(window.peaks_list.count())]
    expected = [f"{s} repetition {i}: peak {p.value:.0f}° ±{window.rom.uncertainties[s][p.index]:.0f}°"
                for s in ("left", "right") for i, p in enumerate(window.rom.peaks(s), 1)]  # fmt: skip
    assert items == expected and all(math.isfinite(window.rom.uncertainty(s, p.index))
                                     for s in ("left", "right") for p in window.rom.peaks(s))  # fmt: skip
    record = window.finish_rom()
    assert record is not None and not window.tap.keep_images
    for side in ("left", "right"):
        m = record.measure("shoulder_abduction", side)
        assert m is not None and m.valid and math.isfinite(m.uncertainty)
        peaks = [p["value"] for p in record.details[m.label]["peaks"]]
        assert len(peaks) >= 1 and peaks == pytest.approx(live[side])  # live peaks = the core's result
        assert m.value == pytest.approx(max(peaks))
        assert f"{side}: best {m.value:.1f}° ± {m.uncertainty:.1f}°" in window.rom_result.text()
        each = ", ".join(f"{p['value']:.0f}° ± {p['uncertainty']:.0f}°" for p in record.details[m.label]["peaks"])
        assert f"peaks per repetition: {each}<" in window.rom_result.text()  # each peak with its ± (audit 32)
    kept = [r.frame.index for r in window.flow.rom_frames["shoulder_abduction"]["left"] if r.frame.image.size]
    assert sorted(kept) == sorted({p["frame"] for p in record.details["shoulder_abduction (left)"]["peaks"]})
    diff = record.measure("shoulder_abduction_left_right_difference")
    assert diff is not None
    assert "Left − right" in window.rom_result.text() and "value only" in window.rom_result.text()
    assert window.peaks_list.count() == sum(len(v) for v in live.values())

    window.go(RESULTS)
    assert window.results_table.rowCount() == len(record.measures)
    assert "±" in window.results_table.item(0, 1).text()
    saved = window.save_results()
    assert saved is not None and saved.report.is_file()
    # Audit 30: a second "Save" stored the same evaluation twice (two identical records in the history,
    # the report comparing the new one with itself). Now the button is spent and the line says it is saved.
    assert not window.save_button.isEnabled()
    assert window.message_label.text() == "Saved with Ann"
    assert window.save_results() is saved
    window.go(ROM)
    window.go(RESULTS)  # coming back to the same results: still saved, nothing to save again
    assert not window.save_button.isEnabled() and window.message_label.text() == "Saved with Ann"
    html = saved.report.read_text(encoding="utf-8")
    assert "Shoulder abduction" in html or "shoulder_abduction" in html
    assert (tmp_path / "eval" / "rom_shoulder_abduction_left.png").is_file()

    db = Database(tmp_path / "data" / "posture-feedback.sqlite3")
    try:
        ann = db.profile_by_name("Ann")
        stored = db.assessments(ann.id)
        assert [a.kind for a in stored] == ["rom"]
        assert {(m.name, m.side) for m in stored[0].measures} == {(m.name, m.side) for m in record.measures}
        left = next(m for m in stored[0].measures if m.side == "left")
        assert left.value == pytest.approx(record.measure("shoulder_abduction", "left").value)
    finally:
        db.close()
    window.close()
    assert window.worker is None and window.db is None
    assert not [t for t in threading.enumerate() if t.name.startswith("frame-worker")]


def test_a_rom_test_in_the_wrong_view_is_refused_with_how_to_turn(qtbot, sports_video, tmp_path):
    window = open_window(qtbot, sports_video, tmp_path, frames=40)
    window.skip_calibration()
    window.go(ROM)
    window.select_test("shoulder_flexion", "left")  # needs a side view; the man faces the camera
    window.start_rom_recording()
    wait_all_frames(qtbot, window, 40)
    assert window.rom.message is not None and "Turn " in window.rom.message  # side-on / a little further
    assert window.rom.message in window.message_label.text()  # said live, while recording
    assert all(math.isnan(v) for v in window.rom.values["left"])  # wrong-view frames are never measured
    assert window.finish_rom() is None
    assert "Not measured" in window.rom_result.text() and "Turn " in window.rom_result.text()
    assert window.flow.records == {}
    window.go(RESULTS)
    assert window.results_table.rowCount() == 0 and not window.save_button.isEnabled()


def test_the_camera_step_calibrates_from_the_live_frames_and_stores_it(qtbot, sports_video, tmp_path):
    options = AssessmentOptions(
        source=str(sports_video), profile="Ann", data_dir=str(tmp_path / "data"), out_dir=str(tmp_path / "eval"),
        realtime=False, loop=False, max_frames=60, max_people=1, calibration_s=1.5,
    )  # fmt: skip
    window = AssessmentWindow(options)
    qtbot.addWidget(window)
    window.go(CAMERA)
    window.start_camera_calibration()
    wait_all_frames(qtbot, window, 60)
    cal = window.flow.calibration
    # The sample is filmed level: docs/assessment.md measures -0.33 deg on its first 90 frames.
    assert cal is not None and not cal.skipped and abs(cal.roll_deg) < 1.5
    assert f"{cal.roll_deg:+.1f}°" in window.camera_result.text()
    assert window.flow.up is not None and window.capture is None
    db = Database(tmp_path / "data" / "posture-feedback.sqlite3")
    try:
        stored = db.latest_calibration(db.profile_by_name("Ann").id, "camera", camera=cal.camera)
        assert stored is not None and stored.payload["roll_deg"] == pytest.approx(cal.roll_deg)
    finally:
        db.close()
    assert (tmp_path / "config" / "calibrations.json").is_file()  # per camera, for every profile
    window.go(START)
    window.go(CAMERA)
    assert window.stored_camera_button.isVisibleTo(window)  # offered again next time


def test_the_posture_step_gates_the_view_live_and_never_measures_a_wrong_one(qtbot, lab_video_front, tmp_path):
    # In this clip nobody faces the camera squarely (the view gate says how to turn on every frame).
    window = open_window(qtbot, lab_video_front, tmp_path, frames=40)
    window.skip_calibration()
    window.start_posture()
    wait_all_frames(qtbot, window, 40)
    capture = window.posture
    assert capture is not None and capture.stage == "front" and capture.frames["front"] == []
    assert capture.state is not None and not capture.state.ready and capture.state.message.startswith("Turn")
    assert window.message_label.text() == capture.state.message
    window.skip_posture_view()
    window.skip_posture_view()  # neither view recorded: the core refuses, the window says so
    assert window.posture is None and "posture" not in window.flow.records
    assert "Not measured" in window.posture_result.text() and "front view, a side view" in window.posture_result.text()


def run_scripted_assessment(source, frames: int, shot, tmp_path):  # noqa: ANN001
    """``launch_assessment``'s scripted flow in its own process, offscreen (as the command line runs it)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\nfrom posture_feedback.ui.assessment_window import launch_assessment\n"
        f"sys.exit(launch_assessment(source={str(source)!r}, frames={frames}, screenshot={str(shot)!r}, "
        f"data_dir={str(tmp_path / 'd')!r}))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "POSTURE_FEEDBACK_CONFIG_DIR": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


def test_launch_assessment_runs_the_scripted_flow_offscreen(sports_video, tmp_path):
    shot = tmp_path / "assessment.png"
    done = run_scripted_assessment(sports_video, 90, shot, tmp_path)
    assert done.returncode == 0, done.stderr  # the shoulder-abduction test was measured on the first 90 frames
    with open(shot, "rb") as f:
        header = f.read(24)
    assert int.from_bytes(header[16:20], "big") == 1280 and int.from_bytes(header[20:24], "big") == 760


def test_a_scripted_run_that_measures_nothing_says_why_in_plain_text(tmp_path):
    """The bundled desk sample's first 60 frames hold no whole arm raise: exit 1 with one plain line
    (a twelfth-audit follow-up saw the panel's rich text, "<span style='color:#ff7070'>…", on stderr)."""
    from posture_feedback.resources import sample_video

    done = run_scripted_assessment(sample_video(), 60, tmp_path / "a.png", tmp_path)
    assert done.returncode == 1
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("posture-feedback:")]
    assert lines and lines[-1].startswith("posture-feedback: the ROM test could not be measured on these frames: "
                                          "Not measured: no shoulder abduction (left) found")  # fmt: skip
    assert "<" not in lines[-1]


def test_the_movement_screen_refuses_the_wrong_view_and_a_movement_that_is_not_there(qtbot, sports_video, tmp_path):
    # Frames 0–59: two jumping jacks facing the camera; each landing bends the knees like a shallow squat.
    window = open_window(qtbot, sports_video, tmp_path, frames=60)
    window.skip_calibration()
    window.go(MOVEMENT)
    window.select_movement("overhead_squat")
    assert "arms straight overhead" in window.movement_text.text() and not window.leg_combo.isVisibleTo(window)
    window.start_movement_recording("front")
    wait_all_frames(qtbot, window, 60)
    assert window.movement_recording.message is None  # a front view, as required
    window.stop_movement_recording()
    front = window.movement_views["front"]
    assert len(front) == 60 and "front view: 60 frames" in window.movement_status.text()

    window.select_movement("sit_to_stand")  # needs the side view: these frames are refused, with how to turn
    window.movement_views = {"side": front}
    assert window.finish_movement() is None
    assert "Not measured" in window.movement_result.text() and "Turn side-on" in window.movement_result.text()

    # The jumping jacks' landings bend the knees, but the feet leave the ground: no squat, said in words.
    window.select_movement("overhead_squat")
    window.movement_views = {"front": front}
    assert window.finish_movement() is None
    text = window.movement_result.text()
    assert "Not measured" in text and "no squat found in the front recording" in text, text
    assert window.flow.records == {}
    window.go(RESULTS)
    assert window.results_table.rowCount() == 0


def test_the_camera_step_offers_the_rooms_lines_and_the_posture_screen_uses_them(qtbot, sports_video, tmp_path):
    """The room's vertical lines (the pipeline's scene estimate of the first 1.5 s) are offered in the camera step
    once found; chosen, they are the posture screen's vertical (not the patient's body, so not refused as a
    session calibration of the body axis is). The sample is filmed level: `exercise --headless` reads roll -1.9°
    ± 3°, pitch +0.3° ± 6.6° from its lines; docs/assessment.md measures -0.33° from the man's body."""
    from posture_feedback.assessment.posture import posture_camera

    window = open_window(qtbot, sports_video, tmp_path, 60)
    window.go(CAMERA)
    wait_all_frames(qtbot, window, 60)
    window._drain()  # noqa: SLF001 - the estimate fetched from the worker arrives with a drain
    assert window.scene_camera_button.isVisibleTo(window)
    assert window.scene_camera_label.text().startswith("The room's vertical lines give the camera roll ")
    window.use_scene_camera()
    cal = window.flow.calibration
    assert cal.axis == "scene" and window.flow.camera_origin == "scene" and abs(cal.roll_deg) < 4.0
    used, source, warning = posture_camera(cal, window.flow.camera_origin)
    assert used is cal and warning is None and "vertical lines (the room)" in source
    assert "from the room's vertical lines" in window.camera_result.text()
    assert window.pages.currentIndex() == NEUTRAL


def test_a_test_chosen_in_the_menus_is_the_one_spoken_shown_and_measured(qtbot, sports_video, tmp_path):
    """Audit 30, the real window as a therapist uses it (the menus, not ``select_test``):

    * choosing "Shoulder abduction (front view)" on the ROM page changed the panel's instruction, but the
      big line under the picture kept the first test's "Stand side-on with your left side towards the
      camera … raise it forwards": the patient read the wrong movement;
    * the menus stayed enabled during a recording, so a test changed mid-recording was shown while the
      recorded one was measured;
    * on the movement page, a front view recorded for one test was kept when another test was chosen in
      the menu (``select_movement`` dropped it, the menu did not) and measured as the new test."""
    window = open_window(qtbot, sports_video, tmp_path, frames=30)
    window.skip_calibration()
    window.go(ROM)
    assert "side-on" in window.message_label.text()  # the first test, shoulder flexion
    window.test_combo.setCurrentIndex(window.test_combo.findData("shoulder_abduction"))
    assert "Face the camera" in window.test_text.text()
    assert window.message_label.text() == window.test_text.text()
    window.side_combo.setCurrentIndex(window.side_combo.findData("right"))
    assert window.message_label.text() == window.test_text.text() and "right" in window.message_label.text()
    window.start_rom_recording()
    assert not window.test_combo.isEnabled() and not window.side_combo.isEnabled()
    window.go(MOVEMENT)  # leaving the page cancels the recording: the menus are free again
    assert window.rom is None and window.test_combo.isEnabled() and window.side_combo.isEnabled()

    window.select_movement("overhead_squat")
    window.start_movement_recording("front")
    assert not window.movement_combo.isEnabled()
    wait_all_frames(qtbot, window, 30)
    window.stop_movement_recording()
    assert window.movement_combo.isEnabled()
    assert "front view: 30 frames" in window.movement_status.text()
    window.movement_combo.setCurrentIndex(window.movement_combo.findData("sit_to_stand"))
    assert window.movement_views == {} and window.movement_status.text() == "Nothing recorded yet"
    assert not window.movement_measure_button.isEnabled()
    window.close()


def test_the_results_table_cuts_no_verdict(qtbot, sports_video, tmp_path):
    """Audit 30: the posture screen of the accuracy set's cam02 frame 72 (values as the evaluation window gave
    them, camera not calibrated) filled the Value column to its contents ("-24.6° ± 22.8 (right shoulder
    higher)") and left the Verdict column "uncert…"; the reference read "-2–2°". Real window offscreen at
    1280×760: every cell's text fits its cell (each word within the column, the wrapped lines within the
    row), the verdict reads "uncertain" whole and the reference "-2 to 2°"."""
    from PyQt6.QtCore import QRect, Qt
    from PyQt6.QtGui import QFontMetrics

    from posture_feedback.assessment.record import AssessmentRecord
    from posture_feedback.storage.models import Measure

    values = {"head_tilt": (-16.5, 28.9), "shoulder_tilt": (-24.6, 22.8), "pelvic_tilt": (-6.9, 20.2),
              "trunk_lateral_lean": (18.4, 20.7)}  # fmt: skip
    record = AssessmentRecord("posture", "Posture screen", [
        Measure(n, v, u, reference=0.0, reference_low=-2.0, reference_high=2.0) for n, (v, u) in values.items()
    ], details={n: {"verdict": "uncertain"} for n in values})  # fmt: skip
    window = open_window(qtbot, sports_video, tmp_path, frames=1)
    window.flow.records["posture"] = record
    window.go(RESULTS)
    qtbot.wait(100)
    assert window.save_button.text() == "Save to the profile and write the report"  # (Ann is chosen)
    assert window.message_label.text() == "4 measures from 1 test: save them to the profile"
    window.picker.combo.setCurrentIndex(window.picker.combo.findData(-1))  # "No profile, not saved"
    window.go(RESULTS)
    assert window.save_button.text() == "Write the report (no profile: nothing is saved)"
    assert window.message_label.text() == "4 measures from 1 test: write the report (no profile: nothing is saved)"
    table = window.results_table
    metrics = QFontMetrics(table.font())
    for i in range(table.rowCount()):
        assert table.item(i, 2).text() == "-2 to 2°"
        assert table.item(i, 3).text() == "uncertain"
        for j in range(4):
            text, width = table.item(i, j).text(), table.columnWidth(j) - 8  # (the cell's margins)
            assert max(metrics.horizontalAdvance(w) for w in text.split()) <= width, (text, width)
            need = metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text).height()
            assert need <= table.rowHeight(i), (text, need, table.rowHeight(i))
    window.close()
