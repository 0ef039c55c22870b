"""The camera's vertical changing within a set of an exercise counted from the person's own start.

The exercise window measures the camera's vertical from the room's lines over the camera's first 1.4 s
(``calibration.vertical.SceneVerticalCollector``): until then its frames are measured against a level
camera ("searching"). A set that starts with the first frame (a recording in the window, a plan without
instruction and countdown, or N pressed at once) measured its resting value (``baseline_s``, 2 s) mostly
against the level camera and everything after it against the room's vertical: the camera's roll stayed in
every change, which the change's ± assumes has cancelled (``signals.change_uncertainties``).
"""

from __future__ import annotations

import math
from dataclasses import replace

from posture_feedback.commands.exercise import for_recording
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.plan import Plan, default_item
from posture_feedback.exercises.runner import SessionRunner
from posture_feedback.view import View

ROLL = 6.0  # degrees: a camera rolled 6° adds 6° to a frontal trunk lean read against a level camera
FPS = 30.0


def _run(pass_vertical: bool) -> list[float]:
    """A person standing still and upright (true lean 0°) doing nothing through a side-bend set that starts at
    the first frame; the room's vertical arrives at 1.2 s. Returns the shown change from the start, per frame."""
    defn = get_exercise("side_bend")
    item = replace(default_item(defn, "side_bend"), side="left", sets=1, reps=6)
    runner = SessionRunner(for_recording(Plan(items=[item], title=defn.title)))
    runner.start(0.0)
    shown = []
    for k in range(int(6 * FPS)):
        t = k / FPS
        vertical = "searching" if t < 1.2 else "scene"
        lean = ROLL if vertical == "searching" else 0.0  # against the level camera, then the room's vertical
        runner.update(t, {"trunk_lean_left": lean, "right_hip_hike": 0.0}, View.FRONT,
                      vertical=vertical if pass_vertical else None)  # fmt: skip
        shown.append(runner.status.value)
    return shown


def test_the_resting_value_is_measured_again_when_the_vertical_arrives():
    shown = _run(pass_vertical=True)
    after = [v for v in shown[int(4 * FPS):] if not math.isnan(v)]
    assert after and all(abs(v) < 0.01 for v in after)  # still upright: no change from the start
    # measured again: 2 s of the room's vertical from 1.2 s, nothing shown before 3.2 s
    assert all(math.isnan(v) for v in shown[: int(3.1 * FPS)])


def test_without_the_vertical_the_roll_stays_in_the_change():
    """What the window showed before it passed the vertical: the still person read 6° from the start."""
    after = [v for v in _run(pass_vertical=False)[int(4 * FPS):] if not math.isnan(v)]
    assert after and all(abs(v + ROLL) < 0.01 for v in after)
