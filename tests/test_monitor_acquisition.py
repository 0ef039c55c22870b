"""The model's first frames of a newly followed person (``FrameResult.acquiring``) judge nothing in the
laptop coach: not in ``analyze --laptop-signals`` (empty cells, valid_ 0, no ±, not in the neutral's
first second) and not in the monitor (no signals, no rules, no time counted, no guided-start frames).
A thirteenth audit saw head_drop 72, 71, 69… in frames 0-7 of a motionless person, and live
"head −49 ±27% · shoulders −40 ±23%" counted as good posture with wide thresholds."""

from __future__ import annotations

import csv
import io

import numpy as np
from test_laptop_signals import pose

from posture_feedback import laptop_signals as ls
from posture_feedback.angles_csv import AngleCsvWriter
from posture_feedback.kinematics import ACQUISITION_FRAMES
from posture_feedback.types import Frame, FrameResult, View


def result(i: int, lmk, acquiring: bool, fps: float = 10.0) -> FrameResult:  # noqa: ANN001
    t = i / fps
    frame = Frame(np.zeros((4, 4, 3), np.uint8), i, t, t, "test")
    return FrameResult(frame, landmarks=lmk, view=View.FRONT, acquiring=acquiring)


def test_analyze_leaves_the_acquisition_frames_empty_and_out_of_the_neutral() -> None:
    """8 acquisition frames with the head 60 px low (−30% of the 200-px shoulder width), then 20
    frames of the neutral pose at 10 frames/s: the neutral is the second pose, its signals 0."""
    out = io.StringIO()
    w = AngleCsvWriter(out, include_validity=True, include_uncertainty=True, laptop_signals=True)
    low = pose(nose=(0, 60), left_ear=(0, 60), right_ear=(0, 60))
    for i in range(28):
        w.write(result(i, low if i < ACQUISITION_FRAMES else pose(), i < ACQUISITION_FRAMES))
    w.finish()
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 28
    for r in rows[:ACQUISITION_FRAMES]:
        assert (r["head_drop"], r["valid_head_drop"], r["unc_head_drop"]) == ("", "0", "")
    for r in rows[ACQUISITION_FRAMES:]:
        assert float(r["head_drop"]) == 0.0 and r["valid_head_drop"] == "1"
        assert float(r["unc_head_drop"]) == ls.SIGNAL_UNCERTAINTY["head_drop"] == 27.0
        assert float(r["unc_lean_in"]) == 20.0


def test_the_monitor_skips_the_acquisition_frames(qtbot, tmp_path) -> None:  # noqa: ANN001
    from posture_feedback.ui.monitor import ACQUIRING_TEXT, FINDING_TEXT, GUIDED_SETTLE_S, MonitorWindow
    from posture_feedback.ui.options import AppOptions

    window = MonitorWindow(AppOptions(source=str(tmp_path / "no_camera.mp4"), monitor=True, sound=False))
    qtbot.addWidget(window)
    low = pose(nose=(0, 60), left_ear=(0, 60), right_ear=(0, 60))
    # no neutral yet: the guided start waits for the acquisition frames and GUIDED_SETTLE_S (1 s) after
    for i in range(ACQUISITION_FRAMES):
        r = result(i, low, True)
        window._laptop_frame(r)
        window._show_state(r)
        assert window._capture is None
        assert window.state_label.text() == FINDING_TEXT  # a first run: the guided start is still to come
    settled = [result(ACQUISITION_FRAMES + k, pose(), False) for k in range(12)]
    for r in settled[:10]:  # 0.0 … 0.9 s after the first settled frame
        window._laptop_frame(r)
        assert window._capture is None
    window._laptop_frame(settled[10])  # 1.0 s: it starts
    assert GUIDED_SETTLE_S == 1.0 and window._capture == []  # the starting frame itself is not captured
    window._laptop_frame(result(30, low, True))  # a re-acquisition during the capture: not captured
    window._laptop_frame(settled[11])
    assert window._capture == [settled[11]]
    window._capture = None
    # with a neutral: acquisition frames give no signals and count no time
    window.laptop_neutral = ls.LaptopNeutral(ls.raw_signals(pose(), View.FRONT))
    window.rules.options.thresholds = {k: 1e3 for k in window.rules.options.thresholds}  # wide: all good
    for i in range(40, 40 + ACQUISITION_FRAMES):
        window._laptop_frame(result(i, low, True))
        window._show_state(result(i, low, True))
        assert window.last_signals is None
        assert window.state_label.text() == ACQUIRING_TEXT
    assert window.rules.totals == {}
    for i in range(50, 53):
        window._laptop_frame(result(i, pose(), False))
    assert window.last_signals is not None and window.last_signals["head_drop"] == 0.0
    ((_key, (watched, good, judged)),) = window.rules.totals.items()
    assert (round(watched, 6), round(good, 6), round(judged, 6)) == (0.2, 0.2, 0.2)  # 2 intervals of 0.1 s
    window.close()
