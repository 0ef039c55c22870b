"""Large type (``profile set --large-type on``): its dialogs, check boxes, toolbar and widths, on the rendered pixels.

A tenth audit found, all in large type: every dialog opened from a large-type window had black buttons
with black text (Delete and Cancel alike in the delete confirmation), the profile description cut;
the mirror's check boxes showed no box (on and off looked the same); its toolbar hid Goniometer, Freeze
and Help in the overflow (»), its status line was cut; the exercise window was at least 1732 px wide,
the mirror 1308 px; Edit ranges hid High and Tolerance behind a scroll bar; the evaluation window's
Profiles… button covered the profile box. Each test here would have caught one of these.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from contrast import button_option, image_array, text_box, text_contrasts, unreadable
from PyQt6.QtCore import QRect
from PyQt6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QToolBar,
    QWidget,
)

from posture_feedback.storage import Database
from posture_feedback.storage.sample_data import fill_sample_history
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.profile_dialog import ProfileDialog
from posture_feedback.ui.shortcuts import HelpDialog

#: A common laptop screen: every large-type window must fit it.
LAPTOP = (1366, 768)


def shown(qtbot, widget: QWidget, name: str | None = None) -> QWidget:
    """Show ``widget``; save it as ``name``.png when ``POSTURE_FEEDBACK_SCREENSHOTS`` names a folder."""
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)
    folder = os.environ.get("POSTURE_FEEDBACK_SCREENSHOTS")
    if folder and name:
        widget.grab().save(str(Path(folder) / f"{name}.png"))
    return widget


def buttons_readable(qtbot, widget: QWidget, name: str, min_buttons: int = 1) -> None:
    """Every text of ``widget`` ≥ 7:1 (AAA) on its pixels; its buttons measured on their text's box only."""
    shown(qtbot, widget, name)
    buttons = [b.text() for b in widget.findChildren(QPushButton) if b.isVisibleTo(widget) and b.text()]
    assert len(buttons) >= min_buttons, (name, buttons)
    measured = dict(text_contrasts(widget))
    assert all(text[:60] in measured for text in buttons), (name, buttons, measured)
    assert unreadable(widget, minimum=7.0) == [], name


@pytest.fixture
def data(tmp_path) -> str:
    """A data folder with the sample profile "Ann" in large type."""
    folder = tmp_path / "data"
    db = Database(folder / "posture-feedback.sqlite3")
    fill_sample_history(db, "Ann")
    db.update_profile_settings(db.profile_by_name("Ann").id, large_type=True)
    db.close()
    return str(folder)


@pytest.fixture
def db(data):
    db = Database(Path(data) / "posture-feedback.sqlite3")
    yield db
    db.close()


@pytest.fixture
def mirror(qtbot, data):
    """The mirror window of "Ann" (large type) on a camera that does not exist, at laptop size."""
    window = MainWindow(AppOptions(source=97, sound=False, realtime=False, max_frames=3, data_dir=data,
                                   profile="Ann"))  # fmt: skip
    qtbot.addWidget(window)
    assert window.large_type
    window.resize(*LAPTOP)
    window.show()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=20_000)
    yield window
    window.close()


def test_the_button_measure_sees_black_text_on_a_black_button(qtbot):
    """The measure itself: a black-on-black button with a yellow frame is unreadable (the frame is not its text)."""
    button = QPushButton("Delete")
    qtbot.addWidget(button)
    button.setStyleSheet("QPushButton { background: #000; color: #000; border: 3px solid #ffe14d; padding: 8px }")
    button.resize(200, 60)
    shown(qtbot, button)
    box = text_box(button)
    assert QRect(0, 0, 200, 60).contains(box) and box.width() < 150
    pixels = image_array(button.grab().toImage())
    crop = pixels[box.top() : box.bottom(), box.left() : box.right()]
    assert len(np.unique(crop.reshape(-1, 3), axis=0)) == 1  # nothing but the black background there


def test_dialogs_opened_from_a_large_type_window_have_readable_buttons(qtbot, mirror, db):
    """Help, Profiles, New profile, the delete confirmation and a message box, each opened from the mirror
    in large type: every button's text ≥ 7:1 against its own background (was 1:1, black on black)."""
    buttons_readable(qtbot, HelpDialog(mirror), "large-type-dialog-help")
    profiles = ProfileDialog(db, db.profile_by_name("Ann").id, mirror)
    buttons_readable(qtbot, profiles, "large-type-dialog-profiles", min_buttons=4)
    name = profiles.name_dialog()
    buttons_readable(qtbot, name, "large-type-dialog-new-profile", min_buttons=2)
    name.close()
    profile = profiles.selected_profile()
    box = profiles.delete_box(profile, db.row_counts(profile.id))
    buttons_readable(qtbot, box, "large-type-dialog-delete-profile", min_buttons=2)
    assert {b.text() for b in box.buttons()} == {"Delete", "Cancel"}
    box.close()
    profiles.close()
    info = QMessageBox(QMessageBox.Icon.Information, "No targets", "Choose a preset first.",
                       QMessageBox.StandardButton.Ok, mirror)  # fmt: skip
    buttons_readable(qtbot, info, "large-type-message-box")
    info.close()


def test_the_profiles_dialog_in_large_type_cuts_no_text(qtbot, mirror, db):
    """The description wraps onto as many lines as it needs: its label is as tall as its text at its width."""
    profiles = shown(qtbot, ProfileDialog(db, db.profile_by_name("Ann").id, mirror))
    label = profiles.detail_label
    assert "No images are stored." in label.text()
    assert label.height() >= label.heightForWidth(label.width()), (label.height(), label.heightForWidth(label.width()))
    for w in (label, profiles.large_check, profiles.where_label, *profiles.buttons.buttons()):
        assert profiles.rect().contains(QRect(w.mapTo(profiles, w.rect().topLeft()), w.size())), w
    profiles.close()


def indicator_pixels(box: QCheckBox) -> np.ndarray:
    """The rendered pixels of ``box``'s indicator (the box that shows on or off)."""
    option = button_option(box)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    pixels = image_array(box.grab().toImage())
    ratio = pixels.shape[1] / box.width()
    top, bottom = int(rect.top() * ratio), int(rect.bottom() * ratio)
    return pixels[top:bottom, int(rect.left() * ratio) : int(rect.right() * ratio)]


def test_large_type_check_boxes_look_different_on_and_off(qtbot, mirror):
    """Mirror, Sound, Therapist view: a visible box (its frame ≥ 3:1 against the black, WCAG 1.4.11), and on
    looks different from off (they were identical: no box at all on black)."""
    from contrast import contrast_ratio

    for box in (mirror.mirror_check, mirror.sound_check, mirror.therapist_check):
        box.blockSignals(True)
        box.setChecked(False)
        off = indicator_pixels(box).astype(float)
        box.setChecked(True)
        on = indicator_pixels(box).astype(float)
        box.blockSignals(False)
        assert off.size and off.shape == on.shape, box.text()
        colours = np.unique(off.reshape(-1, 3), axis=0)
        assert contrast_ratio(colours, np.zeros(3)).max() >= 3.0, box.text()  # the empty box is visible
        assert np.abs(on - off).mean() > 60, (box.text(), np.abs(on - off).mean())  # on ≠ off at a glance


def hidden_toolbar_controls(window: QWidget) -> list[str]:
    """The toolbar controls of ``window`` that are not visible (in the toolbar's overflow »)."""
    hidden = []
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            w = bar.widgetForAction(action)
            if w is not None and not w.isVisible():
                hidden.append(w.text() if isinstance(w, (QAbstractButton, QLabel)) else type(w).__name__)
    return hidden


def test_the_large_type_mirror_fits_a_laptop_screen(qtbot, mirror):
    """At 1366×768: no toolbar control in the overflow (»), no status text cut, minimum width ≤ 1366."""
    shown(qtbot, mirror, "large-type-mirror-laptop")
    assert mirror.minimumSizeHint().width() <= LAPTOP[0]
    assert mirror.width() <= LAPTOP[0] and mirror.height() <= LAPTOP[1]
    assert hidden_toolbar_controls(mirror) == []
    for name in ("Goniometer", "Freeze", "Help (F1)", "Therapist view"):
        assert any(w.text() == name and w.isVisible() for w in mirror.findChildren(QAbstractButton)), name
    mirror.source_status.setText("lab_desk_webcam.mp4 · 30 fps")
    mirror.fps_status.setText("processing 29.4 fps · shown 36.8 fps")
    mirror.latency_status.setText("latency 27 ms (p95 42)")
    mirror.people_status.setText("2 people in view: click the one to follow")
    qtbot.wait(50)
    for label in (mirror.source_status, mirror.fps_status, mirror.latency_status, mirror.people_status):
        assert label.isVisible() and label.width() >= label.sizeHint().width(), (label.text(), label.width())
        assert mirror.rect().contains(QRect(label.mapTo(mirror, label.rect().topLeft()), label.size())), label.text()
    page = mirror.source_page
    for button in (page.sample_button, page.file_button):
        assert button.isVisible() and page.rect().contains(QRect(button.mapTo(page, button.rect().topLeft()),
                                                                  button.size())), button.text()  # fmt: skip


def test_edit_ranges_in_large_type_shows_every_column(qtbot, mirror):
    """Ctrl+E from the large-type mirror: Low, High and Tolerance all in view, no horizontal scroll bar."""
    from posture_feedback.presets import get_preset
    from posture_feedback.ui.targets_dialog import TargetEditDialog

    dialog = shown(qtbot, TargetEditDialog(get_preset("standing"), None, mirror), "large-type-dialog-ranges")
    table = dialog.table
    assert not table.horizontalScrollBar().isVisible()
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert dialog.width() <= LAPTOP[0] and dialog.height() <= LAPTOP[1]
    dialog.close()


def test_the_large_type_session_windows_fit_a_laptop_screen(qtbot, data, db):
    """The exercise window (setup and session pages) and the evaluation window: minimum width ≤ 1366 (the
    exercise window's was 1732), and in the evaluation window "Profiles…" beside, not over, the profile box."""
    from posture_feedback.ui.accessibility import apply_large_type
    from posture_feedback.ui.assessment_window import AssessmentOptions, AssessmentWindow
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    exercise = ExerciseWindow(ExerciseOptions(source="97", data_dir=data, speech="silent"), db=db)
    qtbot.addWidget(exercise)
    apply_large_type(exercise)
    exercise.resize(*LAPTOP)
    shown(qtbot, exercise, "large-type-exercise-laptop")
    assert exercise.minimumSizeHint().width() <= LAPTOP[0]
    exercise.stack.setCurrentIndex(1)  # the session page, with its row of buttons
    qtbot.wait(50)
    assert exercise.minimumSizeHint().width() <= LAPTOP[0]
    for button in (exercise.pause_button, exercise.stop_button, exercise.record_button):
        assert exercise.rect().contains(QRect(button.mapTo(exercise, button.rect().topLeft()), button.size()))
    exercise.close()

    evaluation = AssessmentWindow(AssessmentOptions(source="97", data_dir=data), db=db)
    qtbot.addWidget(evaluation)
    apply_large_type(evaluation)
    evaluation.resize(*LAPTOP)
    shown(qtbot, evaluation, "large-type-evaluation-laptop")
    assert evaluation.minimumSizeHint().width() <= LAPTOP[0]
    picker = evaluation.picker
    combo, button = picker.combo, picker.manage_button
    combo_rect = QRect(combo.mapTo(evaluation, combo.rect().topLeft()), combo.size())
    button_rect = QRect(button.mapTo(evaluation, button.rect().topLeft()), button.size())
    assert not combo_rect.intersects(button_rect), (combo_rect, button_rect)
    assert picker.width() >= picker.minimumSizeHint().width()
    assert combo.width() >= combo.sizeHint().width() or combo.width() >= 300, combo.width()  # "No profile, not saved"
    cut = [(w.text()[:40], w.height(), w.heightForWidth(w.width())) for w in evaluation.findChildren(QLabel)
           if w.isVisible() and w.wordWrap() and w.height() + 2 < w.heightForWidth(w.width())]  # fmt: skip
    assert cut == []
    evaluation.close()


@pytest.mark.parametrize("which", ["exercise", "evaluation"])
def test_the_command_lines_session_windows_take_the_profiles_large_type(qtbot, data, monkeypatch, which):
    """A new-user audit: `exercise --profile Demo --source sample --frames 60 --screenshot …` of a large-type
    profile showed small text (only the Session menu's route applied the mode); ``launch_exercise`` and
    ``launch_assessment`` now do, as the mirror and the monitor do with ``--profile``: every shown label and
    button ≥ 18 pt (17.5 with rounding), also the message line restyled after the mode was applied ("camera
    97 could not be opened" was 14 pt), and the session panel's texts not squeezed over each other (each as
    tall as its text: "counting paused" was drawn over the big count)."""
    from PyQt6.QtWidgets import QApplication

    import posture_feedback.ui.app as app_module
    from posture_feedback.ui.accessibility import in_large_type
    from posture_feedback.ui.assessment_window import AssessmentWindow, launch_assessment
    from posture_feedback.ui.exercise_window import ExerciseWindow, launch_exercise
    from posture_feedback.ui.session_base import SessionWindow

    shown_windows: list[SessionWindow] = []
    kind = ExerciseWindow if which == "exercise" else AssessmentWindow

    def run_once(_app) -> int:  # the event loop: look at the window instead of waiting for it to close
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())
        window.resize(*LAPTOP)
        window.show()
        qtbot.waitExposed(window)
        if which == "exercise":
            window.stack.setCurrentIndex(1)  # the session page with its panel
        qtbot.wait(100)
        shown_windows.append(window)
        sizes = [(w.font().pointSizeF(), w.text()[:40]) for w in [*window.findChildren(QLabel),
                 *window.findChildren(QPushButton)] if w.isVisibleTo(window) and w.text()]  # fmt: skip
        assert in_large_type(window) and sizes and min(sizes)[0] >= 17.5, [s for s in sizes if s[0] < 17.5]
        if which == "exercise":
            panel = window.panel  # the texts of the audit's screenshot (frame 60 of the sample, counting paused)
            panel.title_label.setText("Forward reach (shoulder flexion) — left side")
            panel.progress_label.setText("Exercise 1 of 3 · set 1 of 2 · left side")
            panel.instruction_label.setText("Stand side-on to the camera with the left arm nearest to it. Keeping the "
                                            "elbow straight, raise the arm forwards to shoulder height, then lower "
                                            "it slowly.")  # fmt: skip
            panel.state_label.setText("Counting paused: turn a quarter turn, side-on to the camera, your left side "
                                      "towards it")  # fmt: skip
            panel.set_count_text("0", " / 8")
            panel.count_caption.setText("counting paused")
            panel.target_label.setText("Target: left shoulder elevation 90–180°\nNow: — · not counted")
            qtbot.wait(100)
            squeezed = [(w.text()[:40], w.height(), w.heightForWidth(w.width())) for w in panel.findChildren(QLabel)
                        if w.isVisibleTo(panel) and w.wordWrap() and w.text()
                        and w.height() + 2 < w.heightForWidth(w.width())]  # fmt: skip
            assert squeezed == []
        return 0

    monkeypatch.setattr(app_module, "require_display", lambda _screenshot: False)
    monkeypatch.setattr(QApplication, "exec", run_once)
    if which == "exercise":
        assert launch_exercise("lateral_raise", source="97", profile="Ann", data_dir=data) == 0
    else:
        assert launch_assessment(source="97", profile="Ann", data_dir=data) == 0
    assert len(shown_windows) == 1
    shown_windows[0].close()


def test_the_red_message_line_reads_at_7_to_1_in_large_type(qtbot, data, db):
    """A twelfth-audit follow-up measured the red message line ("camera 97 could not be opened…") at
    6.0–6.7:1 on its #202024 background in large type, below the mode's 7:1. The error red is now
    #ff9090 (hand-worked: 7.46:1 on #202024), measured here on the rendered pixels."""
    from posture_feedback.ui.accessibility import apply_large_type
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    window = ExerciseWindow(ExerciseOptions(source="97", data_dir=data, speech="silent"), db=db)
    qtbot.addWidget(window)
    apply_large_type(window)
    window.resize(*LAPTOP)
    window.show()
    qtbot.waitExposed(window)
    window.stack.setCurrentIndex(1)  # the session page, where the message line is
    window._on_source_problem("camera 97 could not be opened (not connected, in use by another app, or no "
                              "permission)")  # the window's own colour for it
    qtbot.wait(100)
    measured = {t: c for t, c in text_contrasts(window) if t.startswith("camera 97 could not be opened")}
    assert measured and min(measured.values()) >= 7.0, measured
    window.close()


def test_the_evaluation_panel_scrolls_to_a_long_refusal_rather_than_cut_it(qtbot, data, db):
    """A new-user audit: in large type at 1280×760 a refused range-of-motion test's reason was cut off below
    its third line (the side panel has a fixed height and no scroll bar); a scroll area then made the panel
    wider than itself and cut every text at the right. Now the pages scroll vertically only, the buttons
    wrap, and the panel scrolls to the refusal: every line of it in view, nothing past the panel's edge."""
    from posture_feedback.ui.accessibility import apply_large_type
    from posture_feedback.ui.assessment_window import ROM, AssessmentOptions, AssessmentWindow

    window = AssessmentWindow(AssessmentOptions(source="97", data_dir=data), db=db)
    qtbot.addWidget(window)
    apply_large_type(window)
    window.resize(1280, 760)
    shown(qtbot, window)
    # the start page fits: no scroll bar, its Begin button in view (a stack's height had been its tallest
    # page's, so every page scrolled and Begin sat below the fold)
    begin = next(b for b in window.pages.currentWidget().findChildren(QPushButton) if b.text() == "Begin")
    viewport = window.pages_scroll.viewport()
    assert viewport.rect().contains(QRect(begin.mapTo(viewport, begin.rect().topLeft()), begin.size()))
    assert not window.pages_scroll.verticalScrollBar().isVisible()
    window.go(ROM)
    window.select_test("shoulder_flexion", "left")
    for i in range(1, 7):
        window.peaks_list.addItem(f"left repetition {i}: peak 120° ± 8°")
    window.start_rom_recording()
    window.finish_rom()  # nothing recorded: refused, with its reason
    reason = window.rom_result
    assert "Not measured" in reason.text()
    qtbot.wait(100)
    shown(qtbot, window, "large-type-evaluation-refusal")
    viewport = window.pages_scroll.viewport()
    top_left = reason.mapTo(viewport, reason.rect().topLeft())
    assert viewport.rect().contains(QRect(top_left, reason.size())), (top_left, reason.size(), viewport.size())
    assert reason.height() + 2 >= reason.heightForWidth(reason.width())  # every line of it
    panel = window.side_panel
    for w in panel.findChildren(QWidget):
        if w.isVisible() and w.isVisibleTo(window.pages.currentWidget()) and w is not window.pages.currentWidget():
            right = w.mapTo(panel, w.rect().topRight()).x()
            assert right <= panel.width(), (type(w).__name__, getattr(w, "text", lambda: "")()[:30], right)
    window.close()


def test_the_exercise_pickers_plan_text_is_large_in_large_type(qtbot, data, db):
    """Audit 30: in large type the picker's plan summary kept its rich text's own sizes: the title at 14 pt
    and "camera: side view" (where to put the camera) at 10 pt, beside 18 pt text. Every character of
    the real label's laid-out document is now at the mode's 18 pt at least, as the mode promises, whether
    the mode came before or after the plan was shown; without the mode the sizes are as before."""
    from PyQt6.QtGui import QTextDocument

    from posture_feedback.ui.accessibility import MIN_PT, apply_large_type
    from posture_feedback.ui.exercise_window import ExerciseOptions, ExerciseWindow

    def sizes(label) -> list[float]:  # noqa: ANN001 - QLabel
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setHtml(label.text())
        found, block = [], doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                if frag.text().strip():
                    found.append(frag.charFormat().font().pointSizeF())
                it += 1
            block = block.next()
        return found

    exercise = ExerciseWindow(ExerciseOptions(source="97", data_dir=data, speech="silent"), db=db)
    qtbot.addWidget(exercise)
    exercise.exercise_list.setCurrentRow(0)  # upright sitting hold, as the picker opens on screen
    qtbot.wait(20)
    assert "camera: side view" in exercise.plan_label.text()
    assert min(sizes(exercise.plan_label)) < MIN_PT  # the ordinary window: a small footnote
    apply_large_type(exercise)  # the mode after the plan was shown
    qtbot.wait(20)
    assert min(sizes(exercise.plan_label)) >= MIN_PT
    exercise.exercise_list.setCurrentRow(1)  # another exercise chosen in the mode
    qtbot.wait(20)
    assert "Chin tuck" in exercise.plan_label.text() and min(sizes(exercise.plan_label)) >= MIN_PT
    exercise.close()
