"""The mirror window on the real model and real video, offscreen (pytest-qt).

Frames flow from the worker thread to the view, the skeleton is drawn on the picture, a
target that the video violates produces its cue and the out-of-range verdict (in the side
panel and as the overlay's colour), a target that holds produces neither, and closing the
window stops every thread it started.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from fake_camera import FakeCamera, read_frames

from posture_feedback import landmarks as lm
from posture_feedback.annotate import VERDICT_COLOURS
from posture_feedback.targets import Target, TargetSet
from posture_feedback.types import Verdict, View
from posture_feedback.ui.main_window import NOBODY_TEXT, MainWindow
from posture_feedback.ui.options import AppOptions
from posture_feedback.ui.render import qimage_to_bgr

ALL_VIEWS = (View.FRONT, View.BACK, View.SIDE, View.OBLIQUE)
IMPOSSIBLE_CUE = "Bend your left knee far more"


def knee_set(low: float, high: float) -> TargetSet:
    """One target on the left knee; no anti-flicker delay so verdicts follow the video at once."""
    target = Target(
        id="left_knee", angle="left_knee_flexion", low=low, high=high, tolerance=2.0, cue_low=IMPOSSIBLE_CUE,
        cue_high="Straighten your left knee", hysteresis=0.0, min_duration_s=0.0, views=ALL_VIEWS,
        label="Left knee",
    )  # fmt: skip
    return TargetSet("test-knee", (target,), label="Knee test")


def open_window(qtbot, **kwargs) -> MainWindow:
    options = AppOptions(**{"realtime": False, "loop": True, "sound": False, **kwargs})
    window = MainWindow(options)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    return window


def wait_for_knee_state(qtbot, window: MainWindow, frames: int = 12) -> None:
    """Wait until ``frames`` results with a measured left knee have been shown."""
    seen = []

    def check() -> bool:
        r = window.last_result
        if r is not None and r.targets and r.targets[0].verdict is not Verdict.UNKNOWN:
            if not seen or seen[-1] is not r:
                seen.append(r)
        assert len(seen) >= frames

    qtbot.waitUntil(check, timeout=60_000)


def test_frames_flow_and_the_skeleton_is_drawn(qtbot, sports_video):
    window = open_window(qtbot, source=str(sports_video), realtime=True, preset="standing")
    qtbot.waitUntil(lambda: window.stats.shown >= 15 and window.last_result.person_found, timeout=60_000)
    assert window.worker.stats.processed >= 15
    assert window.stack.currentIndex() == 0
    assert window.stats.latency(50) > 0

    rendered = window.last_rendered
    result = rendered.result
    shown = qimage_to_bgr(rendered.qimage)
    h, w = shown.shape[:2]
    raw = cv2.resize(result.frame.image, (w, h), interpolation=cv2.INTER_AREA)
    person = result.landmarks
    ok = person.confidence() >= 0.5
    bones = [(a, b) for a, b in lm.EDGES if ok[a] and ok[b]]
    assert len(bones) >= 6
    changed = 0
    for a, b in bones:
        mid = (person.xy[a] + person.xy[b]) / 2 * rendered.scale
        x, y = int(round(mid[0])), int(round(mid[1]))
        if 0 <= x < w and 0 <= y < h:
            # The tracked skeleton is drawn in white: the shown pixel is whiter than the raw one.
            diff = np.abs(shown[y, x].astype(int) - raw[y, x].astype(int)).max()
            changed += diff > 40 and shown[y, x].min() > 200
    assert changed >= len(bones) // 2, f"only {changed} of {len(bones)} bone mid-points drawn"
    # Away from everybody, the picture is the frame itself (scaled), not something else.
    assert np.abs(shown[5:25, w - 25 : w - 5].astype(int) - raw[5:25, w - 25 : w - 5].astype(int)).mean() < 6


def _marker_colour(window: MainWindow) -> np.ndarray:
    """The colour drawn at the left knee (the verdict marker) in the shown picture (BGR)."""
    rendered = window.last_rendered
    knee = rendered.result.landmarks.xy[lm.LEFT_KNEE] * rendered.scale
    shown = qimage_to_bgr(rendered.qimage)
    x, y = int(round(knee[0])), int(round(knee[1]))
    return np.median(shown[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3), axis=0)


def test_a_violated_target_gives_its_cue_and_the_out_of_range_verdict(qtbot, sports_video):
    window = open_window(qtbot, source=str(sports_video), target_set=knee_set(170.0, 180.0))
    wait_for_knee_state(qtbot, window)
    qtbot.waitUntil(lambda: window.cue_label.text() == IMPOSSIBLE_CUE, timeout=10_000)
    state = window.last_result.targets[0]
    assert state.verdict is Verdict.LOW
    gauge = window.gauges.gauges["left_knee"]
    assert gauge.verdict is Verdict.LOW
    assert gauge.value_text().endswith("LOW")
    colour = _marker_colour(window)  # the verdict's colour whatever its ± (grey only when not judged)
    assert np.abs(colour - np.array(VERDICT_COLOURS[Verdict.LOW])).max() < 40


def test_a_target_that_holds_gives_no_cue(qtbot, sports_video):
    window = open_window(qtbot, source=str(sports_video), target_set=knee_set(-180.0, 360.0))
    wait_for_knee_state(qtbot, window, frames=20)
    assert window.last_result.cue is None
    assert window.cue_label.text() in ("", NOBODY_TEXT)
    gauge = window.gauges.gauges["left_knee"]
    assert gauge.verdict is Verdict.IN_RANGE
    assert gauge.value_text().endswith("OK")
    colour = _marker_colour(window)  # the verdict's colour whatever its ± (grey only when not judged)
    assert np.abs(colour - np.array(VERDICT_COLOURS[Verdict.IN_RANGE])).max() < 40


@pytest.fixture(scope="module")
def sample_frames(sports_video) -> list[np.ndarray]:
    return read_frames(sports_video, 8)


def test_closing_the_window_stops_the_threads_and_releases_the_camera(qtbot, sample_frames):
    from posture_feedback.sources import CameraSource

    baseline = threading.active_count()
    device = FakeCamera(sample_frames)

    def open_camera():
        return CameraSource(0, capture_factory=lambda index: device)

    window = open_window(qtbot, source=open_camera, realtime=True)
    qtbot.waitUntil(lambda: window.stats.shown >= 5, timeout=60_000)
    assert threading.active_count() >= baseline + 2  # the capture thread and the worker thread
    window.close()
    assert device.released
    qtbot.waitUntil(lambda: threading.active_count() <= baseline, timeout=10_000)
    assert window.worker is None


def test_the_view_line_never_reads_minus_zero(qtbot):
    """Audit 30: the bundled desk sample (``--source sample --frames 45``, the docs' main-window shot)
    read "View: front (-0°)": an azimuth between -0.5° and 0° printed with its sign. The real window on the
    real clip: its view line is the one for its last result, and never holds "-0°"; an azimuth of -0.3°
    (the man facing the camera) reads "+0°", -0.6° reads "-1°"."""
    from conftest import SAMPLES

    from posture_feedback.types import Frame
    from posture_feedback.ui.main_window import view_text

    window = open_window(qtbot, source=str(SAMPLES / "lab_desk_webcam.mp4"), loop=False, max_frames=45)
    qtbot.waitUntil(lambda: window.worker.stats.processed >= 45 and window.last_result is not None, timeout=90_000)
    qtbot.wait(100)
    result = window.last_result
    assert result.person_found
    assert window.view_label.text() == view_text(result)
    assert "-0°" not in window.view_label.text() and "−0°" not in window.view_label.text()
    frame = Frame(np.zeros((4, 4, 3), np.uint8), 0, 0.0, 0.0, "test")
    for azimuth, shown in ((-0.3, "(+0°)"), (-0.6, "(-1°)"), (12.4, "(+12°)")):
        faked = type(result)(frame, people=result.people, target_index=result.target_index,
                             landmarks=result.landmarks, view=View.FRONT, azimuth_deg=azimuth)  # fmt: skip
        assert view_text(faked) == f"View: front {shown}", azimuth
