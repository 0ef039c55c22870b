"""With --profile, the monitor saves its day totals in the real SQLite database and the window shows the history."""

from __future__ import annotations

import datetime as dt

import pytest

from posture_feedback.storage import Database
from posture_feedback.targets import EVALUABLE_VIEWS, Target, TargetSet
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.monitor import MonitorWindow
from posture_feedback.ui.options import AppOptions


def holding_set() -> TargetSet:
    knee = Target(id="knee", angle="left_knee_flexion", low=-180.0, high=360.0, hysteresis=0.0, min_duration_s=0.0,
                  views=EVALUABLE_VIEWS)  # fmt: skip
    return TargetSet("hold", (knee,))


def test_the_monitor_adds_todays_time_to_the_profile(qtbot, lab_video_front, tmp_path):
    options = AppOptions(source=str(lab_video_front), monitor=True, realtime=False, loop=True, sound=False,
                         target_set=holding_set(), profile="Ana", data_dir=str(tmp_path))  # fmt: skip
    window = MonitorWindow(options)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.monitor.observed_s > 0.5, timeout=60_000)
    window.close()  # saves the totals
    with Database.open_default(str(tmp_path)) as db:
        profile = db.profile_by_name("Ana")
        days = db.monitor_by_day(profile.id)
    assert [d.day for d in days] == [dt.date.today()]
    first = days[0]
    assert first.monitored_s >= 0.5
    assert first.good_s == pytest.approx(first.monitored_s)  # the target holds in every frame

    # A second session the same day starts from the saved totals and adds to them.
    again = MonitorWindow(options)
    qtbot.addWidget(again)
    good, watched = again.today_totals()
    assert watched == pytest.approx(first.monitored_s) and good == pytest.approx(first.good_s)
    again.show()
    qtbot.waitUntil(lambda: again.monitor.observed_s > 0.2, timeout=60_000)
    again.close()
    with Database.open_default(str(tmp_path)) as db:
        total = db.monitor_by_day(profile.id)[0].monitored_s
    assert total > first.monitored_s


def test_the_window_has_a_history_tab_for_the_profile(qtbot, tmp_path):
    window = MainWindow(AppOptions(source=94, sound=False, profile="Ben", data_dir=str(tmp_path)))
    qtbot.addWidget(window)
    assert window.tabs is not None and window.tabs.count() == 2
    assert window.tabs.tabText(1) == "History — Ben"
    window.tabs.setCurrentIndex(1)
    from posture_feedback.ui.history_view import HistoryView

    assert isinstance(window.history, HistoryView)
    assert window.tabs.widget(1) is window.history
    window.close()
    assert window.link is None


def test_a_damaged_history_says_so_in_its_tab(qtbot, tmp_path):
    """Audit 28: with one page of the sessions table overwritten, opening the History tab raised a raw
    sqlite3.DatabaseError inside the tab's slot (the read's COMMIT failed too, untranslated), which
    PyQt turns into an abort. The tab now says the history cannot be shown, and why, in one line."""
    import sqlite3

    from posture_feedback.storage.sample_data import fill_sample_history

    path = tmp_path / "posture-feedback.sqlite3"
    with Database(path) as db:
        fill_sample_history(db, "Ben")
    raw = sqlite3.connect(path)
    root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions'").fetchone()[0]
    page = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(b"\xde\xad" * (page // 2))
    window = MainWindow(AppOptions(source=94, sound=False, profile="Ben", data_dir=str(tmp_path)))
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(1)
    text = window.tabs.widget(1).text()
    assert text.startswith("The history cannot be shown: ") and "is damaged" in text, text
    window.close()


def test_the_neutral_is_saved_with_the_profile_and_used_next_time(qtbot, still_video, tmp_path):
    # A neutral is taken only from >= 2 s of a still person (calibration/neutral.py): a still clip, in real time,
    # the camera's vertical known (level, ±3°): with a level camera assumed the tilts carry ±20° and more and
    # the neutral leaves them out (calibration.neutral, "Within the bound").
    options = AppOptions(source=str(still_video), preset="standing-front", realtime=True, loop=True, sound=False,
                         neutral_seconds=2.5, profile="Cleo", data_dir=str(tmp_path),
                         camera_up=(0.0, -1.0, 0.0), camera_up_uncertainty=(3.0, 3.0))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.show()
    assert window.neutral is None
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.person_found, timeout=60_000)
    window.set_neutral()
    qtbot.waitUntil(lambda: window.neutral is not None, timeout=30_000)
    captured = dict(window.neutral)
    window.close()

    again = MainWindow(
        AppOptions(source=96, preset="standing-front", sound=False, profile="Cleo", data_dir=str(tmp_path))
    )
    qtbot.addWidget(again)
    assert again.neutral == pytest.approx(captured)
    assert all(t.relative for t in again.target_set.targets)  # the ranges follow the saved neutral
    assert again.neutral_label.text().startswith("Neutral: saved")
    again.close()


def test_a_saved_neutral_is_applied_only_with_the_camera_it_was_set_with(qtbot, tmp_path):
    """A neutral's tilts hold for the camera they were measured with; a saved one was applied to any
    camera, the window saying only its date (a seventh audit). No camera can open here: the saved
    neutral is loaded (or not) before the source opens."""
    from posture_feedback.calibration.neutral import NeutralPosture
    from posture_feedback.calibration.store import save_to_database

    with Database.open_default(str(tmp_path)) as db:
        pid = db.create_profile("Dora").id
        angles = {"shoulder_tilt": 4.0, "head_tilt": 2.0, "pelvic_tilt": 1.0, "trunk_lateral_lean": 0.5}
        save_to_database(db, pid, NeutralPosture(angles=angles, spread={}, posture="standing", camera="camera 7"))
    other = MainWindow(AppOptions(source=95, preset="standing-front", sound=False, profile="Dora",
                                  data_dir=str(tmp_path)))  # fmt: skip
    qtbot.addWidget(other)
    assert other.neutral is None
    assert other.neutral_label.text() == ("Saved neutral was set with camera 7, not camera 95: press N to set it "
                                          "again for this camera")  # fmt: skip
    other.close()
    same = MainWindow(AppOptions(source=7, preset="standing-front", sound=False, profile="Dora",
                                 data_dir=str(tmp_path)))  # fmt: skip
    qtbot.addWidget(same)
    assert same.neutral == angles
    label = same.neutral_label.text()
    assert label.startswith("Neutral: saved ") and " with camera 7 (standing" in label
    same.close()


def test_camera_0_chosen_after_a_video_is_the_source_open_now(qtbot, tmp_path):
    """A review found ``source_spec or options.source``: camera 0 is falsy, so after starting on a
    video and choosing camera 0 a neutral would be tagged with the video (applying to any camera)."""
    window = MainWindow(AppOptions(source=95, preset="standing-front", sound=False, data_dir=str(tmp_path)))
    qtbot.addWidget(window)
    window.source_spec = 0
    assert window._source_now() == 0
    window.source_spec = None
    assert window._source_now() == 95
    window.close()
