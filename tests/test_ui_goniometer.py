"""The still-image goniometer: the core function on constructed points, and clicks on a frozen frame."""

from __future__ import annotations

import math

import pytest
from PyQt6.QtCore import QPoint, Qt

from posture_feedback.goniometer import GoniometerError, deviation_from_straight, three_point_angle
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions


@pytest.mark.parametrize(
    ("a", "v", "b", "expected"),
    [
        ((10, 0), (0, 0), (0, 10), 90.0),
        ((10, 0), (0, 0), (-10, 0), 180.0),
        ((10, 0), (0, 0), (20, 0), 0.0),
        ((10, 0), (0, 0), (10, 10), 45.0),
        ((1, 0), (0, 0), (0.5, math.sqrt(3) / 2), 60.0),
        ((105, 210), (100, 200), (100 + 30 * math.cos(2.0), 200 + 30 * math.sin(2.0)), None),
    ],
)
def test_three_point_angle_on_known_angles(a, v, b, expected):
    if expected is None:  # arm 1 points along atan2(10, 5), arm 2 at 2 rad: the angle between them
        expected = math.degrees(abs(2.0 - math.atan2(10, 5)))
    assert three_point_angle(a, v, b) == pytest.approx(expected, abs=1e-9)
    assert three_point_angle(b, v, a) == pytest.approx(expected, abs=1e-9)  # order of the arms does not matter


def test_goniometer_rejects_a_zero_length_arm_and_reads_flexion():
    with pytest.raises(GoniometerError, match="three distinct points"):
        three_point_angle((5, 5), (5, 5), (10, 0))
    assert deviation_from_straight(150.0) == pytest.approx(30.0)


def test_clicking_three_points_on_the_frozen_mirrored_frame_reads_the_angle(qtbot, sports_video):
    window = MainWindow(
        AppOptions(source=str(sports_video), mirror=True, realtime=False, loop=False, max_frames=3, sound=False)
    )
    qtbot.addWidget(window)
    window.resize(1000, 650)
    window.show()
    qtbot.waitUntil(lambda: window.stats.shown >= 1 and not window.worker.is_running(), timeout=60_000)
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert window.frozen and window.video.goniometer_active
    # Frame pixels of a right angle (arm end, vertex, arm end), clicked through the mirrored, scaled view.
    for x, y in ((300, 800), (1300, 800), (1300, 100)):
        p = window.video.frame_to_widget(x, y)
        qtbot.mouseClick(window.video, Qt.MouseButton.LeftButton, pos=QPoint(round(p.x()), round(p.y())))
    assert window.video.gonio_angle == pytest.approx(90.0, abs=0.5)
    assert window.gonio_label.text().startswith("Goniometer: 90.")
    # A fourth click starts a new measurement; Esc leaves the goniometer.
    p = window.video.frame_to_widget(500, 500)
    qtbot.mouseClick(window.video, Qt.MouseButton.LeftButton, pos=QPoint(round(p.x()), round(p.y())))
    assert len(window.video.gonio_points) == 1 and window.video.gonio_angle is None
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.video.goniometer_active
    window.close()
