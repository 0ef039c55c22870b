"""Nobody followed, nothing judged: when the followed person is lost, the gauges show "—" and no
verdict (never the last values with "OK"), and the cue line says what to do; a click on nobody is
told in words. The window is fed constructed frame results (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.annotate import CueAnnotator, render
from posture_feedback.presets import get_preset
from posture_feedback.targets import TargetEvaluator
from posture_feedback.types import ANGLE_NAMES, AngleTable, Frame, FrameResult, Landmarks, View
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions


def someone(x: float) -> Landmarks:
    pts = {"left_shoulder": (x + 40, 100), "right_shoulder": (x - 40, 100), "left_hip": (x + 30, 250),
           "right_hip": (x - 30, 250)}  # fmt: skip
    return Landmarks.from_points(pts, image_size=(640, 480))


def frame_result(people: list[Landmarks], followed: int | None, shoulder_tilt: float, t: float, ev) -> FrameResult:
    angles = AngleTable.empty()
    view = View.UNKNOWN
    if followed is not None:
        i = ANGLE_NAMES.index("shoulder_tilt")
        angles.values[i], angles.valid[i] = shoulder_tilt, True
        view = View.FRONT
    frame = Frame(np.zeros((480, 640, 3), np.uint8), int(t * 30), t, 0.0)
    return FrameResult(
        frame=frame, people=people, target_index=followed,
        landmarks=people[followed] if followed is not None else None, view=view, angles=angles,
        targets=ev.update(angles, view, t),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _no_camera_probe(monkeypatch):
    """The missing video opens the source page; it must not probe the machine's cameras here."""
    monkeypatch.setattr("posture_feedback.ui.source_page.SourcePage.probe_cameras", lambda self: None)


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(AppOptions(source=str(tmp_path / "no-video.mp4"), preset="standing", realtime=False, sound=False))
    qtbot.addWidget(w)
    yield w
    w.shutdown()


def test_lost_person_clears_every_gauge_and_says_how_to_choose(window):
    ev = TargetEvaluator(get_preset("standing"))
    a, b = someone(200), someone(450)
    window.show_result(frame_result([a, b], 0, 1.0, 0.0, ev))
    gauge = window.gauges.gauges["shoulder_level"]
    assert gauge.value_text() == "1° OK"
    lost = frame_result([a, b], None, 1.0, 0.1, ev)  # the followed person is gone, two others in view
    window.last_result = lost
    window.show_result(lost)
    assert window.cue_label.text() == "2 people in view: click the one to follow"
    for tid, g in window.gauges.gauges.items():
        assert g.value_text() in ("—", "— set neutral (N)"), tid
        assert g.verdict.value == "unknown"
    window._update_status()
    assert window.people_status.text() == "2 people in view: click the one to follow"
    empty = frame_result([], None, 0.0, 0.2, ev)
    window.show_result(empty)
    assert window.cue_label.text() == "Step into view"


def test_a_click_on_nobody_is_told(window):
    window._on_target_requested(False)
    assert window.statusBar().currentMessage() == "Nobody there: click on a person to follow them"
    window._on_target_requested(True)
    assert window.statusBar().currentMessage() == "Following the person you clicked"


def test_relative_targets_without_neutral_are_named(window):
    # The standing preset judges the head as change from neutral: with no neutral it says so.
    assert "Not judged until you set your neutral (N): Head over shoulders" in window.neutral_label.text()


def test_overlay_banner_says_how_to_choose():
    ev = TargetEvaluator(get_preset("standing"))
    two = frame_result([someone(200), someone(450)], None, 0.0, 0.0, ev)
    none = frame_result([], None, 0.0, 0.0, ev)
    # The banner differs (different words) and is drawn in both cases.
    a, b = render(two, [CueAnnotator()]), render(none, [CueAnnotator()])
    assert a[-20:].mean() > 20 and b[-20:].mean() > 20 and not np.array_equal(a[-40:], b[-40:])


def test_an_unusable_saved_neutral_is_told(qtbot, tmp_path):
    """A damaged neutral in the profile's database: the window says so and how to fix it (no silent fallback)."""
    from posture_feedback.storage.database import Database

    data_dir = tmp_path / "data"
    with Database.open_default(data_dir) as db:
        profile = db.create_profile("Anna")
        db.add_calibration(profile.id, "neutral", {"posture": "standing", "angles": {"head_tilt": "x"}})
    w = MainWindow(AppOptions(source=str(tmp_path / "no-video.mp4"), preset="standing", realtime=False, sound=False,
                              profile="Anna", data_dir=str(data_dir)))  # fmt: skip
    qtbot.addWidget(w)
    try:
        text = w.neutral_label.text()
        assert text.startswith("Saved neutral not usable (") and "press N to set it again" in text
    finally:
        w.shutdown()
