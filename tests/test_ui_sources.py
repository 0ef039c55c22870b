"""When there is no camera, or the camera stops mid-session, the window says so and offers a way on."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from fake_camera import FakeCamera, read_frames

from posture_feedback.sources import CameraSource
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions


@pytest.fixture(scope="module")
def frames(sports_video) -> list[np.ndarray]:
    return read_frames(sports_video, 6)


def test_no_camera_shows_the_message_and_offers_the_sample(qtbot):
    baseline = threading.active_count()
    window = MainWindow(AppOptions(source=97, sound=False, realtime=False, max_frames=3))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=20_000)
    page = window.source_page
    assert page.title.text() == "No webcam could be opened"
    assert "camera 97 could not be opened" in page.message.text()
    assert page.sample_button.isVisibleTo(window) and page.retry_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: not page.cameras_label.text().startswith("Looking"), timeout=20_000)
    assert page.cameras_label.text().startswith(("No camera found", "Cameras that work"))
    # Taking the offer: the bundled sample plays in the same window.
    page.sample_button.click()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 0 and window.stats.shown >= 1, timeout=60_000)
    assert window.last_result.frame.source.endswith("lab_desk_webcam.mp4")  # the default demo
    window.close()
    qtbot.waitUntil(lambda: threading.active_count() <= baseline, timeout=10_000)


def test_a_camera_that_stops_mid_session_shows_a_message_and_keeps_the_session(qtbot, frames):
    device = FakeCamera(frames, good=12)

    def open_camera():
        return CameraSource(0, capture_factory=lambda index: device, stall_timeout_s=0.5)

    window = MainWindow(AppOptions(source=open_camera, preset="standing", sound=False))
    qtbot.addWidget(window)
    window.show()
    targets_before = window.target_set
    qtbot.waitUntil(lambda: window.stats.shown >= 3, timeout=60_000)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=20_000)
    page = window.source_page
    assert page.title.text() == "The camera stopped"
    assert "stopped delivering frames" in page.message.text()
    assert page.retry_button.isVisibleTo(window)
    assert page.retry_spec is open_camera  # "Reconnect" reopens the same camera
    qtbot.waitUntil(lambda: not window.worker.is_running(), timeout=10_000)
    assert device.released
    # Nothing lost: the targets and the last picture are still there, and the window still works.
    assert window.target_set is targets_before
    assert window.last_result is not None
    window.toggle_pause()
    window.close()


def test_a_still_image_stays_on_screen_after_its_only_frame(qtbot, street_image):
    window = MainWindow(AppOptions(source=str(street_image), sound=False))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.worker is not None and window.worker.reached_end, timeout=60_000)
    qtbot.waitUntil(lambda: window.stats.shown >= 1, timeout=10_000)
    assert window.stack.currentIndex() == 0  # the picture, not the "ended" page
    assert window.last_result.person_found
    window.close()
