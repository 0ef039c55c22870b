"""Spoken guidance first in the mirror and the posture monitor (``profile set --spoken-guidance on``):
the cue shown is said, one short phrase at a time, at most one every 5 s, and only with the setting.
No speech engine here: a fake speaker records what would be said. The mirror is fed constructed
frame results (no model) whose frame times are the clock."""

from __future__ import annotations

import numpy as np
import pytest
from fake_speaker import FakeSpeaker

from posture_feedback.cli import main
from posture_feedback.feedback import Alert
from posture_feedback.types import Frame, FrameResult, Landmarks
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.monitor import MonitorWindow
from posture_feedback.ui.options import AppOptions


@pytest.fixture(autouse=True)
def _no_camera_probe(monkeypatch):
    monkeypatch.setattr("posture_feedback.ui.source_page.SourcePage.probe_cameras", lambda self: None)


def options(tmp_path, spoken: bool, **kw) -> AppOptions:
    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", data]) in (0, 2)
    if spoken:
        assert main(["profile", "set", "--profile", "Ann", "--spoken-guidance", "on", "--data-dir", data]) == 0
    return AppOptions(source=str(tmp_path / "no-video.mp4"), preset="standing", realtime=False, sound=True,
                      data_dir=data, profile="Ann", **kw)  # fmt: skip


def shown(window: MainWindow, t: float, cue: str | None) -> None:
    """A frame result at ``t`` s: nobody followed (``cue`` None) or a person with the pipeline's ``cue``."""
    frame = Frame(np.zeros((480, 640, 3), np.uint8), int(t * 30), t, t)
    if cue is None:
        window.show_result(FrameResult(frame=frame))
        return
    pts = {"left_shoulder": (340, 100), "right_shoulder": (260, 100), "left_hip": (330, 250), "right_hip": (270, 250)}
    person = Landmarks.from_points(pts, image_size=(640, 480))
    window.show_result(FrameResult(frame=frame, people=[person], target_index=0, landmarks=person, cue=cue))


def test_the_mirror_says_its_cue_line_one_short_cue_at_a_time(qtbot, tmp_path, capsys):
    window = MainWindow(options(tmp_path, spoken=True))
    qtbot.addWidget(window)
    assert window.spoken is not None
    fake = window.spoken.speaker = FakeSpeaker()
    for t in np.arange(0.0, 4.0, 0.5):  # nobody in view: the cue line says what to do, said once
        shown(window, float(t), None)
    assert window.cue_label.text() == "Step into view"
    assert fake.said == ["Step into view"]
    for t in np.arange(4.0, 12.0, 0.5):  # a person, a correction: shown at once, said when the 5 s have passed
        shown(window, float(t), "Straighten up, shoulders level.")
        if t == 4.5:
            assert fake.said == ["Step into view"]
    assert window.cue_label.text() == "Straighten up, shoulders level."
    assert fake.said == ["Step into view", "Straighten up"]  # the first short phrase, once
    window.sounds.enabled = False  # sound off: shown, not said
    shown(window, 20.0, "Lean back")
    assert window.cue_label.text() == "Lean back" and fake.said == ["Step into view", "Straighten up"]
    window.shutdown()


def test_the_monitor_says_its_alerts_with_a_cool_down_and_only_with_the_setting(qtbot, tmp_path, capsys):
    window = MonitorWindow(options(tmp_path, spoken=True, monitor=True))
    qtbot.addWidget(window)
    fake = window.spoken.speaker = FakeSpeaker()
    clock = iter([100.0, 102.0, 106.0])
    window.clock = lambda: next(clock)  # the seconds at which the alerts are shown

    def alert(message: str) -> Alert:
        return Alert(target="t", angle="neck_flexion", message=message, deviation_deg=12.0, persisted_s=40.0, t=0.0)

    window.show_alert(alert("Lift your head, look at the screen."))  # t = 100
    window.show_alert(alert("Lower your shoulders"))  # t = 102: inside the 5 s cool-down
    window.show_alert(alert("Lower your shoulders"))  # t = 106: said now
    assert fake.said == ["Lift your head", "Lower your shoulders"]
    assert window.state_label.text() == "Lower your shoulders"
    window.close()

    quiet = MonitorWindow(options(tmp_path / "other", spoken=False, monitor=True))
    qtbot.addWidget(quiet)
    assert quiet.spoken is None  # without the profile's setting nothing is spoken (no speaker is even made)
    quiet.close()


def test_the_monitors_alerts_are_said_as_whole_first_phrases():
    """A twentieth-audit fix: the monitor's alerts were cut at 6 words ("You are too close to the",
    "You are leaning in to the"). Each is said as its whole first phrase, up to the dash."""
    from posture_feedback.exercises.spoken_guidance import short_phrase
    from posture_feedback.monitor_rules import MESSAGES
    from posture_feedback.ui.monitor import SPOKEN_MAX_WORDS

    said = {k: short_phrase(m, SPOKEN_MAX_WORDS) for k, m in MESSAGES.items()}
    assert said["too_close"] == "You are too close to the screen"
    assert said["lean_in"] == "You are leaning in to the screen"
    assert said["neck_side_bend_right"] == "Your head is tilted to your right"
    assert said["head_drop"] == "Your head has moved forward"
    assert said["shoulder_raise"] == "Your shoulders have crept up"
