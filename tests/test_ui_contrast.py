"""Every window and dialog is readable: each visible text against its own background ≥ 4.5:1 (WCAG 2.1 AA).

The contrast is measured on the rendered pixels (``tests/contrast.py``), not read from style
sheets, so an inherited style that paints light text on a light dialog is caught whatever caused
it. Before the fix the help, profile, new-profile and delete dialogs measured 1.01:1 (invisible).
With ``POSTURE_FEEDBACK_SCREENSHOTS=DIR`` each window is also saved there as PNG (the docs' images).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from contrast import contrast_ratio, text_contrasts, unreadable

from posture_feedback.storage import Database
from posture_feedback.storage.sample_data import fill_sample_history
from posture_feedback.ui.feature_menus import install_feature_menus
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.profile_dialog import ProfileDialog
from posture_feedback.ui.shortcuts import HelpDialog


def check(qtbot, widget, name: str, min_texts: int = 1) -> None:
    """Show ``widget``, save its screenshot if asked, and assert every text in it is readable."""
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)
    folder = os.environ.get("POSTURE_FEEDBACK_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))
    measured = text_contrasts(widget)
    assert len(measured) >= min_texts, (name, measured)
    assert unreadable(widget) == [], name


def test_the_wcag_ratio_matches_the_published_values():
    # WCAG 2.1: black on white is 21:1; #777777 on white is 4.48:1 (just fails AA), #767676 4.54:1.
    assert contrast_ratio(np.array([0, 0, 0]), np.array([255, 255, 255])) == pytest.approx(21.0)
    assert contrast_ratio(np.array([0x77] * 3), np.array([255] * 3)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(np.array([0x76] * 3), np.array([255] * 3)) == pytest.approx(4.54, abs=0.01)


@pytest.fixture
def db(tmp_path):
    db = Database(tmp_path / "data" / "posture-feedback.sqlite3")
    fill_sample_history(db, "Ann")
    yield db
    db.close()


@pytest.fixture
def main_window(qtbot, tmp_path, db):
    data = str(tmp_path / "data")
    window = MainWindow(AppOptions(source=97, sound=False, realtime=False, max_frames=3, data_dir=data))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=20_000)
    yield window
    window.close()


def test_the_mirror_window_and_its_dialogs_are_readable(qtbot, main_window, db):
    check(qtbot, main_window, "main-window-no-camera", min_texts=5)
    help_dialog = HelpDialog(main_window)
    check(qtbot, help_dialog, "dialog-help")
    assert "Keyboard shortcuts" in help_dialog.label.text()
    help_dialog.close()

    from posture_feedback.presets import get_preset
    from posture_feedback.ui.targets_dialog import TargetEditDialog

    ranges = TargetEditDialog(get_preset("standing"), None, main_window)
    check(qtbot, ranges, "dialog-target-ranges")
    ranges.close()

    profiles = ProfileDialog(db, None, main_window)
    check(qtbot, profiles, "dialog-profiles", min_texts=4)
    name = profiles.name_dialog()
    check(qtbot, name, "dialog-new-profile", min_texts=2)
    name.close()
    profile = profiles.selected_profile()
    box = profiles.delete_box(profile, db.row_counts(profile.id))
    check(qtbot, box, "dialog-delete-profile", min_texts=3)
    assert "Delete Ann and all of their data" in box.text()
    box.close()
    profiles.close()


def test_the_posture_monitor_is_readable(qtbot, tmp_path):
    from posture_feedback.ui.monitor import MonitorWindow

    window = MonitorWindow(AppOptions(source=97, monitor=True, sound=False, realtime=False, max_frames=3,
                                      data_dir=str(tmp_path / "data")))  # fmt: skip
    qtbot.addWidget(window)
    check(qtbot, window, "monitor-window-no-camera", min_texts=2)
    window.close()


def test_the_plan_notes_and_ratings_dialogs_are_readable(qtbot, main_window):
    from posture_feedback.exercises.plan import parse_plan
    from posture_feedback.ui.ratings_dialog import PlanNotesDialog, RatingsDialog

    plan = parse_plan('title = "Shoulder"\nprecautions = "Stop below pain. Sit down if you feel dizzy."\n'
                      'notes = "Slowly, and breathe out on the way up."\n[[exercise]]\nname = "lateral_raise"\n')
    notes = PlanNotesDialog(plan, main_window)
    check(qtbot, notes, "dialog-plan-notes")
    assert "Stop below pain" in notes.label.text()
    notes.close()
    ratings = RatingsDialog("after", main_window)
    ratings.pain.set_value(3)
    ratings.effort.set_value(0.5)
    check(qtbot, ratings, "dialog-ratings", min_texts=20)
    assert ratings.ratings() == {"pain_after": 3.0, "effort_after": 0.5}
    ratings.close()


def test_the_history_window_is_readable(qtbot, main_window, db):
    install_feature_menus(main_window)
    features = main_window.feature_menus
    features.profile_name = "Ann"
    window = features.open_history()
    qtbot.addWidget(window)
    window.resize(1100, 760)
    check(qtbot, window, "history-window", min_texts=3)
    window.close()


def test_the_session_windows_and_their_profile_dialog_are_readable(qtbot, tmp_path, db):
    from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    exercise = ExerciseWindow(ExerciseOptions(source="97", data_dir=str(tmp_path / "data"), speech="silent"), db=db)
    qtbot.addWidget(exercise)
    exercise.resize(1100, 700)
    check(qtbot, exercise, "exercise-window-start", min_texts=3)
    profiles = ProfileDialog(db, None, exercise.picker)  # as "Profiles…" opens it from the dark window
    check(qtbot, profiles, "dialog-profiles-from-exercise", min_texts=4)
    profiles.close()
    exercise.close()

    evaluation = AssessmentWindow(AssessmentOptions(source="97", data_dir=str(tmp_path / "data")), db=db)
    qtbot.addWidget(evaluation)
    evaluation.resize(1100, 700)
    check(qtbot, evaluation, "evaluation-window-start", min_texts=3)
    evaluation.close()


def test_large_type_high_contrast_mode_reaches_aaa(qtbot, tmp_path, db, capsys):
    """``profile set --large-type on``: the windows opened for the profile from the Session menu are in
    large type and every text reaches 7:1 (WCAG 2.1 AAA, enhanced contrast) on the rendered pixels."""
    from PyQt6.QtWidgets import QLabel, QMainWindow

    from posture_feedback.cli import main
    from posture_feedback.ui.feature_menus import FeatureMenus

    data = str(tmp_path / "data")
    assert main(["profile", "set", "--profile", "Ann", "--large-type", "on", "--data-dir", data]) == 0
    assert capsys.readouterr().out.strip() == "Ann: large type on"
    host = QMainWindow()
    qtbot.addWidget(host)
    host.source_spec = "97"
    features = FeatureMenus(host, data_dir=data)
    features.profile_name = "Ann"
    window = features.open_exercises()
    window.resize(1280, 800)
    check(qtbot, window, "exercise-window-large-type", min_texts=3)
    assert unreadable(window, minimum=7.0) == []
    sizes = [w.font().pointSizeF() for w in window.findChildren(QLabel) if w.isVisibleTo(window) and w.text()]
    assert min(sizes) >= 17.5, sizes  # 18 pt text
    # Audit 30: the plan's three exercises at 18 pt are taller than the column: the label was squeezed and
    # the last exercise drawn under the profile row. Now the label keeps its whole height and scrolls.
    label = window.plan_label
    assert "Chin tuck" in label.text()
    assert label.height() >= label.heightForWidth(label.width()), (label.height(), label.heightForWidth(label.width()))
    bar = window.plan_scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.isVisible()  # the rest is reached by scrolling
    profiles = ProfileDialog(db, db.profile_by_name("Ann").id, host)
    assert profiles.large_check.isChecked()
    profiles.large_check.setChecked(False)
    assert not db.profile_by_name("Ann").settings["large_type"]
    profiles.close()
    features.close()


@pytest.mark.parametrize("which", ["mirror", "monitor"])
def test_large_type_reaches_the_mirror_and_the_monitor(qtbot, tmp_path, db, capsys, which):
    """``--profile Ann`` with ``--large-type on``: the mirror main window and the posture monitor are in the
    same large type (18 pt text) and every text reaches 7:1 (AAA); without the setting they are not."""
    from PyQt6.QtWidgets import QLabel, QPushButton

    from posture_feedback.cli import main
    from posture_feedback.ui.monitor import MonitorWindow

    data = str(tmp_path / "data")

    def open_window(profile: str):
        opts = AppOptions(source=97, sound=False, realtime=False, max_frames=3, data_dir=data, profile=profile,
                          monitor=which == "monitor")  # fmt: skip
        window = (MonitorWindow if which == "monitor" else MainWindow)(opts)
        qtbot.addWidget(window)
        if which == "mirror":
            window.resize(1280, 800)
            window.show()
            qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=20_000)
        return window

    def label_sizes(window) -> list[float]:
        texts = [*window.findChildren(QLabel), *window.findChildren(QPushButton)]
        return [w.font().pointSizeF() for w in texts if w.isVisibleTo(window) and w.text()]

    plain = open_window("Ann")
    plain.show()
    qtbot.waitExposed(plain)
    assert not plain.large_type and min(label_sizes(plain)) < 12
    plain.close()
    assert main(["profile", "set", "--profile", "Ann", "--large-type", "on", "--data-dir", data]) == 0
    capsys.readouterr()
    window = open_window("Ann")
    assert window.large_type
    check(qtbot, window, f"{which}-window-large-type", min_texts=2)
    assert unreadable(window, minimum=7.0) == []
    assert min(label_sizes(window)) >= 17.5, label_sizes(window)
    if which == "monitor":  # an alert restyles the status line: it keeps the large type
        window._problem("The camera stopped")
        assert window.state_label.font().pointSizeF() >= 17.5
    window.close()
