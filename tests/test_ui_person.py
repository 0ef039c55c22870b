"""Choosing whom to follow: a click on another person (through the mirrored, scaled view) and the T key."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt

from posture_feedback.follow import FollowOptions
from posture_feedback.pipeline import PipelineOptions
from posture_feedback.ui.main_window import MainWindow
from posture_feedback.ui.options import AppOptions


def _two_people(window: MainWindow):
    r = window.last_result
    assert r is not None and len(r.people) >= 2 and r.landmarks is not None
    return r


@pytest.mark.parametrize("follow", [False, True], ids=["multi-person", "follow"])
def test_clicking_the_other_person_makes_them_the_target(qtbot, lab_video, follow):
    """Also with the app's default following (single-person model, multi-person pass on a thread)."""
    pipeline = PipelineOptions(follow=FollowOptions(enabled=follow))
    window = MainWindow(AppOptions(source=str(lab_video), mirror=True, realtime=False, loop=True, sound=False,
                                   pipeline=pipeline))  # fmt: skip
    qtbot.addWidget(window)
    window.resize(900, 800)
    window.show()
    qtbot.waitUntil(lambda: bool(_two_people(window)), timeout=60_000)
    r = window.last_result
    before = r.landmarks.track_id
    other = next(p for i, p in enumerate(r.people) if i != r.target_index)
    cx, cy = (float(v) for v in other.center())
    pos = window.video.frame_to_widget(cx, cy)
    assert window.last_rendered.mirror  # the click goes through the mirrored picture
    back = window.video.widget_to_frame(pos.x(), pos.y())
    assert np.allclose(back, (cx, cy), atol=1e-6)
    qtbot.mouseClick(window.video, Qt.MouseButton.LeftButton, pos=QPoint(round(pos.x()), round(pos.y())))

    seen: dict[str, int] = {}

    def switched() -> None:
        now = window.last_result  # read once: the worker replaces it between frames
        assert now.landmarks is not None
        assert now.landmarks.track_id != before
        assert np.linalg.norm(now.landmarks.center() - (cx, cy)) < 250  # the person clicked, not a third
        seen["chosen"] = now.landmarks.track_id

    qtbot.waitUntil(switched, timeout=30_000)
    chosen = seen["chosen"]
    # T goes on to the next person in view.
    qtbot.keyClick(window, Qt.Key.Key_T)
    def moved_on() -> bool:
        now = window.last_result
        return now.landmarks is not None and now.landmarks.track_id != chosen

    qtbot.waitUntil(moved_on, timeout=30_000)
    window.close()
