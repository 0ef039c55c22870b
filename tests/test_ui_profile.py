"""Profiles in the app and the "Session" menu, offscreen (pytest-qt) on a real SQLite database.

The profile dialog creates a profile, refuses a duplicate name with storage's message, keeps
everything when the deletion is not confirmed, and deletes the profile and every row of its
data when it is. ``install_feature_menus`` adds the Session menu to a real mirror window; its
actions open the profile dialog, the history page of the chosen profile, and the exercise window
on the mirror's source (the mirror's own processing stops meanwhile and restarts afterwards).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from posture_feedback.storage import Database, Measure, Repetition
from posture_feedback.ui.feature_menus import install_feature_menus
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.profile_dialog import ProfileDialog, ProfilePicker, describe_counts

PROFILE_TABLES = ("profiles", "calibrations", "assessments", "measures", "sessions", "sets", "repetitions")


def fill_profile(db: Database, profile_id: int) -> None:
    """One calibration, one assessment with a measure, one session with a set and a repetition."""
    db.add_calibration(profile_id, "camera", {"roll_deg": 2.0}, camera="camera 0")
    db.add_assessment(profile_id, "rom", {"title": "ROM"}, [Measure("shoulder_flexion", 150.0, 4.0, side="left")])
    sid = db.start_session(profile_id)
    set_id = db.add_set(sid, "lateral_raise", target_reps=10)
    t = datetime.now().astimezone()
    db.add_repetition(set_id, Repetition(1, t, t + timedelta(seconds=2), peak_angle=120.0))
    db.end_session(sid)


def test_the_profile_dialog_creates_and_deletes_a_profile_with_all_its_data(qtbot, tmp_path):
    db = Database(tmp_path / "pf.sqlite3")
    keep = db.create_profile("Keep")
    fill_profile(db, keep.id)
    dialog = ProfileDialog(db)
    qtbot.addWidget(dialog)
    assert str(db.path) in dialog.where_label.text()  # where the data lives

    dialog.ask_name = lambda typed="": "Bea"
    bea = dialog.new_profile()
    assert bea is not None and bea.name == "Bea" and dialog.selected_id() == bea.id
    assert sorted(p.name for p in db.list_profiles()) == ["Bea", "Keep"]
    errors: list[str] = []
    dialog.show_error = errors.append
    answers = iter(["bea", None])  # a duplicate, then Cancel on the question asked again
    dialog.ask_name = lambda typed="": next(answers)
    assert dialog.new_profile() is None and "already exists" in errors[0]

    fill_profile(db, bea.id)
    dialog.refresh(bea.id)
    assert "1 evaluation" in dialog.detail_label.text() and "1 repetition" in dialog.detail_label.text()
    asked: list[str] = []

    def refuse(profile, counts):
        asked.append(describe_counts(counts))
        return False

    dialog.confirm_delete = refuse
    assert dialog.delete_selected() is False
    assert "1 exercise session" in asked[0]
    assert db.row_counts(bea.id)["repetitions"] == 1  # not confirmed: nothing removed

    dialog.confirm_delete = lambda profile, counts: True
    assert dialog.delete_selected() is True
    assert [p.name for p in db.list_profiles()] == ["Keep"]
    left = db.row_counts(bea.id)
    assert all(left[t] == 0 for t in PROFILE_TABLES), left
    everything = db.row_counts()
    assert all(everything[t] == 1 for t in PROFILE_TABLES), everything  # only Keep's rows remain
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Keep"]
    db.close()


def test_the_profile_picker_lists_profiles_and_says_where_data_is(qtbot, tmp_path):
    db = Database(tmp_path / "pf.sqlite3")
    a = db.create_profile("Ann")
    db.create_profile("Bob")
    picker = ProfilePicker(db)
    qtbot.addWidget(picker)
    assert [picker.combo.itemText(i) for i in range(picker.combo.count())][1:] == ["Ann", "Bob"]
    picker.select(a.id)
    assert picker.current_id() == a.id and picker.current_name() == "Ann"
    picker.combo.setCurrentIndex(0)
    assert picker.current_id() is None  # "no profile": results not saved
    assert str(db.path) in picker.where_label.text()
    no_db = ProfilePicker(None, error="data directory /x is read-only")
    qtbot.addWidget(no_db)
    assert not no_db.combo.isEnabled() and "not be saved" in no_db.where_label.text()
    db.close()


def test_install_feature_menus_adds_the_session_menu_to_the_mirror_window(qtbot, sports_video, tmp_path):
    options = AppOptions(source=str(sports_video), realtime=False, loop=True, sound=False, max_frames=5,
                         data_dir=str(tmp_path / "data"))  # fmt: skip
    window = MainWindow(options)  # the window installs its Session menu itself
    qtbot.addWidget(window)
    window.show()
    install_feature_menus(window)  # a second call changes nothing
    menus = [a for a in window.menuBar().actions() if a.text() == "&Session"]
    assert len(menus) == 1
    texts = [a.text() for a in menus[0].menu().actions()]
    assert texts == ["Exercises…", "Evaluation…", "History…", "Profile…", "Plan notes and precautions…"]
    features = window.feature_menus

    def create_cy(dialog: ProfileDialog) -> bool:
        dialog.ask_name = lambda typed="": "Cy"
        return dialog.new_profile() is not None

    features.exec_dialog = create_cy
    window.feature_actions["session_profile"].trigger()
    assert features.profile_name == "Cy"

    history = features.open_history()
    assert history is not None and history.history_view.profile_id == features.current_profile_id()
    history.close()

    qtbot.waitUntil(lambda: window.worker is not None and window.worker.stats.processed > 0, timeout=60_000)
    window.feature_actions["session_exercises"].trigger()
    exercise = features.windows[-1]
    assert exercise.picker.current_name() == "Cy" and exercise.source_spec == str(sports_video)
    assert window.worker is None  # the mirror let go of the source
    exercise.close()
    qtbot.waitUntil(lambda: not features.windows, timeout=5_000)
    assert window.worker is not None and window.source_spec == str(sports_video)  # and took it back
    window.close()


def test_the_menus_follow_the_mirror_windows_profile(qtbot, sports_video, tmp_path):
    options = AppOptions(source=str(sports_video), realtime=False, loop=False, sound=False, max_frames=1,
                         profile="Dee", data_dir=str(tmp_path / "data"))  # fmt: skip
    window = MainWindow(options)
    qtbot.addWidget(window)
    install_feature_menus(window)
    features = window.feature_menus
    assert features.profile_name == "Dee" and features.data_dir == str(tmp_path / "data")
    assert features.database() is window.link.db  # one connection shared with the mirror's History tab
    assert features.current_profile_id() == window.link.profile_id
    window.close()


def test_the_profile_dialog_s_large_type_box_is_drawn_as_a_box(qtbot, tmp_path):
    """Audit 30: the dialog's readable style gave check boxes "background: transparent", and the Fusion
    style then drew no indicator at all: the unticked "Large type, high contrast" box was plain text.
    The rendered pixels inside the indicator's rectangle must show its frame (dark against the light
    dialog), ticked or not, opened on its own or from the dark mirror window."""
    import numpy as np
    from contrast import image_array
    from PyQt6.QtWidgets import QStyle, QStyleOptionButton

    db = Database(tmp_path / "pf.sqlite3")
    db.create_profile("Ann")
    parent = MainWindow(AppOptions(source=97, sound=False, realtime=False, max_frames=1, data_dir=str(tmp_path)))
    qtbot.addWidget(parent)
    for owner in (None, parent):
        dialog = ProfileDialog(db, None, owner)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        box = dialog.large_check
        for ticked in (False, True):
            box.setChecked(ticked)
            qtbot.wait(20)
            option = QStyleOptionButton()
            option.initFrom(box)
            rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
            whole = image_array(dialog.grab().toImage()).astype(float)
            at = box.mapTo(dialog, rect.topLeft())
            pixels = whole[at.y() : at.y() + rect.height(), at.x() : at.x() + rect.width()].reshape(-1, 3)
            background = whole[2, 2]
            differ = np.abs(pixels - background).sum(axis=1) > 60
            assert differ.mean() > 0.15, (owner is not None, ticked, differ.mean())
        dialog.close()
    db.close()


def test_a_refused_new_profile_name_comes_back_as_typed(qtbot, tmp_path):
    """Audit 30: "New…" with a name already taken showed the error and dropped what was typed; the user
    had to open the question again and type it all anew. The real modal dialogs, driven as a user would:
    "ann" (taken, names are unique whatever the case) is refused, the question returns holding "ann",
    the user adds " B." and the profile "ann B." is created."""
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication, QInputDialog, QMessageBox

    db = Database(tmp_path / "pf.sqlite3")
    db.create_profile("Ann")
    dialog = ProfileDialog(db)
    qtbot.addWidget(dialog)
    seen: list[str] = []

    def answer() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QInputDialog):
            seen.append(modal.textValue())
            modal.setTextValue("ann" if len(seen) == 1 else modal.textValue() + " B.")
            modal.accept()
        elif isinstance(modal, QMessageBox):
            seen.append("error: " + modal.text())
            modal.accept()
        if len(seen) < 3:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
    made = dialog.new_profile()
    assert seen[0] == "" and "already exists" in seen[1] and seen[2] == "ann", seen
    assert made is not None and made.name == "ann B."
    assert sorted(p.name for p in db.list_profiles()) == ["Ann", "ann B."]
    db.close()
