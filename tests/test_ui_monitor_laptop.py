"""The laptop coach in the posture monitor, on the real model, with real frames of the bundled
webcam-style crop standing in for the camera (tests/fake_camera.py): the guided start (accepted
still, refused moving), a sustained lean-in named in plain words, the micro-break offer, the hourly
history in the profile, and the pause while the screen is locked."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import cv2
import pytest
from fake_camera import FakeCamera

from posture_feedback import laptop_signals as ls
from posture_feedback.monitor_rules import RuleOptions
from posture_feedback.resources import sample_video
from posture_feedback.sources import CameraSource
from posture_feedback.storage import Database
from posture_feedback.ui.monitor import UNSURE_TEXT, MonitorWindow
from posture_feedback.ui.options import AppOptions


@pytest.fixture(scope="module")
def desk_frames() -> list:
    """All 100 forward frames of lab_desk_webcam.mp4 (640×480; frame k = source frame k of cam02)."""
    cap = cv2.VideoCapture(str(sample_video("lab_desk_webcam.mp4")))
    frames = []
    for _ in range(100):
        ok, f = cap.read()
        assert ok
        frames.append(f)
    cap.release()
    return frames


def monitor(qtbot, frames: list, tmp_path: Path, **rules) -> MonitorWindow:
    """The monitor on a stand-in camera replaying ``frames`` (a list the test may change in place);
    each opening of the camera gets a new device, as with a real camera."""

    def open_camera():
        return CameraSource(0, capture_factory=lambda index: FakeCamera(frames))

    opts = AppOptions(source=open_camera, monitor=True, realtime=True, sound=False, profile="Lia",
                      data_dir=str(tmp_path), neutral_seconds=2.0,
                      laptop_rules=RuleOptions(**{"duration_s": 1.0, "grace_s": 1.0, **rules}))  # fmt: skip
    window = MonitorWindow(opts)
    window.lock_probe = lambda: None
    qtbot.addWidget(window)
    window.show()
    return window


def test_guided_start_then_a_sustained_lean_in_is_named(qtbot, desk_frames, tmp_path):
    """Frame 10 (he stands upright, facing the camera) as the neutral. With the measured bounds
    (±20% and more, wider than the thresholds) the window confirms nothing: not "Good posture" on
    the neutral frame itself, and no fault on frames 76-82, where the 4-camera reference has him
    17-20% nearer (bench/laptop_signals.py) and the model reads +7-11% (it under-reads this clip,
    docs/laptop_coach.md), even with the threshold lowered to 5%: "not judged". The same frames
    with the rules given ±1 bounds (``RuleOptions.uncertainty``; no such measurement exists, this
    checks the window's mechanics): the fault is named in plain words, with that ± beside it, and
    the neutral frame is good posture again."""
    baseline = threading.active_count()
    frames = [desk_frames[10]] * 3  # the same real frame: perfectly still
    only_lean = {"lean_in": 5.0, "head_drop": 1e3, "shoulder_raise": 1e3, "neck_side_bend": 1e3}
    window = monitor(qtbot, frames, tmp_path, break_after_s=1e6, thresholds=only_lean, too_close_pct=1e3)
    assert window.laptop_mode
    qtbot.waitUntil(lambda: window._capture is not None, timeout=60_000)  # started by itself
    assert window.state_label.text().startswith("Sit tall, look at the screen, hold still")
    qtbot.waitUntil(lambda: window.laptop_neutral is not None or window.guided_message is not None, timeout=60_000)
    assert window.laptop_neutral is not None, window.guided_message
    assert window.guided_message.startswith("Neutral set")
    qtbot.waitUntil(lambda: window.state_label.text() == UNSURE_TEXT, timeout=30_000)  # even on the neutral

    events = []
    shown = window.show_event
    window.show_event = lambda ev: (events.append(ev), shown(ev))
    frames[:] = desk_frames[76:83]  # leaning in, as the model reads it: within its ±
    qtbot.waitUntil(lambda: "(not judged: lean" in window.signals_label.text(), timeout=60_000)
    assert window.state_label.text() == UNSURE_TEXT
    qtbot.wait(2500)  # over twice the alert's 1 s
    assert not [ev for ev in events if ev.kind == "deviation"], events
    unsure_shot = Path(os.environ.get("PF_SCREENSHOT_DIR", tmp_path)) / "monitor-laptop-unsure.png"
    window.save_screenshot(unsure_shot)

    window.rules.options.uncertainty.update(dict.fromkeys(ls.SIGNAL_UNCERTAINTY, 1.0))  # see the docstring
    qtbot.waitUntil(lambda: any(ev.fault == "lean_in" for ev in events), timeout=60_000)
    e = next(ev for ev in events if ev.fault == "lean_in")
    assert e.kind == "deviation" and e.value > 6.0, events
    assert window.state_label.text() == "You are leaning in to the screen — sit back"
    qtbot.waitUntil(lambda: "lean\u00a0+" in window.signals_label.text(), timeout=10_000)
    # every number with the bound the rules judged it with
    assert "±1%" in window.signals_label.text() and "±1 %" in window.detail_label.text()
    out = Path(os.environ.get("PF_SCREENSHOT_DIR", tmp_path)) / "monitor-laptop.png"
    window.save_screenshot(out)
    assert out.stat().st_size > 10_000
    # Back to the neutral frame: the alert's words leave with their cause, well within the 20 s an
    # alert otherwise stays readable, so they never sit above numbers that say otherwise.
    frames[:] = [desk_frames[10]] * 3
    qtbot.waitUntil(lambda: window.state_label.text() == "Good posture", timeout=12_000)
    qtbot.wait(1500)  # some seconds of good posture to store
    window.close()
    qtbot.waitUntil(lambda: threading.active_count() <= baseline, timeout=10_000)

    with Database.open_default(str(tmp_path)) as db:
        profile = db.profile_by_name("Lia")
        stored = ls.load_laptop_neutral(db, profile.id, window.camera_key)
        hours = db.monitor_by_hour(profile.id)
        days = db.monitor_by_day(profile.id)
    assert stored == window.laptop_neutral  # per profile and camera
    assert hours and sum(h.monitored_s for h in hours) == pytest.approx(days[0].monitored_s, abs=1e-6)
    assert 0 < sum(h.good_s for h in hours) < sum(h.monitored_s for h in hours)


def test_a_moving_person_is_refused_with_the_reason(qtbot, desk_frames, tmp_path):
    # upright (frame 10) and leaning to one side (frame 30), 0.2 s each: he does not hold still
    window = monitor(qtbot, [desk_frames[10]] * 6 + [desk_frames[30]] * 6, tmp_path, break_after_s=1e6)
    qtbot.waitUntil(lambda: window.guided_message is not None, timeout=60_000)
    assert window.laptop_neutral is None
    assert window.guided_message.startswith("Neutral not taken — your head, or the camera's reading of it, moved"), (
        window.guided_message)  # a jump of the model's face points reads the same: not blamed on the person alone
    assert window.guided_message.endswith("stay still. Press “Set neutral” to try again."), window.guided_message
    qtbot.waitUntil(lambda: window.signals_label.text() == window.guided_message, timeout=10_000)
    assert window.state_label.text().startswith(("Neutral not taken", "Press “Set neutral”"))
    window.close()


def test_micro_break_offers_an_exercise_and_the_lock_pauses(qtbot, desk_frames, tmp_path):
    window = monitor(qtbot, [desk_frames[10]] * 3, tmp_path, break_after_s=4.0)
    qtbot.waitUntil(lambda: window.last_event is not None, timeout=60_000)
    e = window.last_event
    assert e.kind == "break" and e.exercise == "shoulder_rolls"  # face-on, as the laptop webcam sees him
    assert re.match(r"You have been sitting for \d+ s — time for a 1-minute break: shoulder rolls",
                    window.state_label.text())  # fmt: skip
    assert window.detail_label.text().startswith("About 1 minute of shoulder rolls, 1 set of 8: Sit facing")

    window.lock_probe = lambda: True
    window.check_screen_lock()
    assert window.locked and window.worker is None  # the camera is closed
    assert window.state_label.text() == "Paused while the screen is locked"
    window.lock_probe = lambda: False
    window.check_screen_lock()
    assert not window.locked and window.worker is not None
    frames = window.frames_seen
    qtbot.waitUntil(lambda: window.frames_seen > frames, timeout=60_000)
    window.close()


def test_a_screen_lock_does_not_undo_the_users_pause(qtbot, desk_frames, tmp_path):
    """A tenth audit paused the monitor, locked and unlocked the screen: the Pause button stayed
    down while the reopened camera watched again (20 frames in 2 s). Now the pause survives."""
    window = monitor(qtbot, [desk_frames[10]] * 3, tmp_path, break_after_s=1e6)
    qtbot.waitUntil(lambda: window.frames_seen > 0, timeout=60_000)
    window.pause_button.setChecked(True)
    window.lock_probe = lambda: True
    window.check_screen_lock()
    window.lock_probe = lambda: False
    window.check_screen_lock()
    assert window.worker is not None and window.worker.paused
    assert window.state_label.text() == "Paused"
    seen = window.frames_seen
    qtbot.wait(1500)
    assert window.frames_seen == seen  # nothing processed while paused
    window.pause_button.setChecked(False)
    qtbot.waitUntil(lambda: window.frames_seen > seen, timeout=60_000)
    window.close()


def test_the_status_line_never_says_good_posture_beside_a_fault_it_alerted(qtbot, desk_frames, tmp_path):
    """A ninth audit saw a green "Good posture" above "(beyond: tilt)": the alert's words had been
    replaced while the tilt came back in range, and when it went out again within the alert's
    readable time the window kept the stale "Good posture". Now the alert's words are shown again;
    and in laptop mode the angle targets' alerts (shoulders level, …) do not fire at all, since the
    coach judges its own signals against the person's neutral."""
    from posture_feedback.monitor_rules import MESSAGES, Event

    frames = [desk_frames[10]] * 3
    narrow = dict.fromkeys(ls.SIGNAL_UNCERTAINTY, 1.0)  # a camera measured to ±1: "Good posture" can be said
    window = monitor(qtbot, frames, tmp_path, break_after_s=1e6, too_close_pct=1e3, uncertainty=narrow)
    qtbot.waitUntil(lambda: window.laptop_neutral is not None or window.guided_message is not None, timeout=60_000)
    assert window.laptop_neutral is not None, window.guided_message
    qtbot.waitUntil(lambda: window.state_label.text() == "Good posture", timeout=30_000)
    window.worker.stop()  # no more frames: drive the state line by hand
    event = Event("deviation", "neck_side_bend_left", MESSAGES["neck_side_bend_left"], -18.0, 2.0)
    window.show_event(event)
    window._set_state("Good posture", "#009e73")  # what a frame with the tilt back in range showed
    window.rules.deviating = {"neck_side_bend": -18.0}  # and now it is beyond again (threshold and ±16°)
    window._show_state(window.last_result)
    assert window.state_label.text() == MESSAGES["neck_side_bend_left"]
    window.rules.deviating = {}
    window._show_state(window.last_result)
    assert window.state_label.text() != MESSAGES["neck_side_bend_left"]
    assert window.laptop_mode and window.monitor.alerts_today == 0 and window.monitor._last_t is None  # never fed


def test_alerts_today_count_earlier_sessions_as_the_good_time_does(qtbot, desk_frames, tmp_path):
    """A tenth audit saw "Good posture today: 1 h 32 min" (earlier sessions included) beside
    "alerts today: 0" while the database held 10 alerts for today. Both now count the whole day."""
    import datetime as dt

    with Database.open_default(str(tmp_path)) as db:
        lia = db.create_profile("Lia")
        db.add_monitor_time(lia.id, dt.date.today(), 600.0, 300.0, alerts=10)
    window = monitor(qtbot, [desk_frames[10]] * 3, tmp_path, break_after_s=1e6)
    qtbot.waitUntil(lambda: "alerts today:" in window.detail_label.text(), timeout=60_000)
    assert window.detail_label.text().endswith("alerts today: 10")
    assert window.today_totals()[1] >= 600.0  # the good time's own count of earlier sessions
    window.close()
