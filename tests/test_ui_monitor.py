"""The posture monitor: gentle alert after a persisting deviation, day totals, CPU back-off when nobody is in view."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from posture_feedback.targets import EVALUABLE_VIEWS, Target, TargetSet
from posture_feedback.ui.monitor import ACTIVE_FPS, IDLE_FPS, MonitorWindow, format_duration
from posture_feedback.ui.options import AppOptions


@pytest.fixture(scope="module")
def empty_room_video(tmp_path_factory) -> str:
    """A short real video file with nobody in it (a grey wall)."""
    path = tmp_path_factory.mktemp("monitor") / "empty.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (320, 240))
    rng = np.random.default_rng(0)
    for _ in range(10):
        writer.write((120 + rng.integers(0, 8, (240, 320, 3))).astype(np.uint8))
    writer.release()
    return str(path)


def test_the_monitor_backs_off_when_nobody_is_in_view(qtbot, empty_room_video):
    window = MonitorWindow(AppOptions(source=empty_room_video, monitor=True, realtime=False, loop=True, sound=False))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.frames_seen >= 2, timeout=60_000)
    assert not window.last_result.person_found
    assert window.worker.current_interval_s == pytest.approx(1.0 / IDLE_FPS)
    assert window.state_label.text().startswith("Nobody in view")
    window.close()


def test_a_persisting_deviation_raises_one_gentle_alert(qtbot, sports_video):
    knee = Target(id="knee", angle="left_knee_flexion", low=170.0, high=180.0, cue_low="Time to stretch your legs",
                  hysteresis=0.0, min_duration_s=0.0, views=EVALUABLE_VIEWS)  # fmt: skip
    options = AppOptions(source=str(sports_video), monitor=True, realtime=False, loop=True, sound=False,
                         target_set=TargetSet("t", (knee,)), alert_after_s=0.3, alert_threshold_deg=0.0)  # fmt: skip
    baseline = threading.active_count()
    window = MonitorWindow(options)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.last_alert is not None, timeout=60_000)
    assert window.last_alert.message == "Time to stretch your legs"
    assert window.state_label.text() == "Time to stretch your legs"
    assert window.monitor.alerts_today == 1
    assert window.worker.current_interval_s == pytest.approx(1.0 / ACTIVE_FPS)
    window._update_totals()
    assert window.good_label.text().startswith("Good posture today: 0 s")  # always out of range here
    window.close()
    qtbot.waitUntil(lambda: threading.active_count() <= baseline, timeout=10_000)


def test_format_duration():
    assert format_duration(40) == "40 s"
    assert format_duration(12 * 60 + 5) == "12 min"
    assert format_duration(3600 + 5 * 60) == "1 h 05 min"
