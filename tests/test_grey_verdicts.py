"""Grey is only for what is not judged. A verdict that stands (its 80% interval does not hold both an
in-range value and one beyond the near band) is drawn in its verdict's colour and shape on the gauge
and on the picture, however wide its ±, as it is cued and written in the CSV; its ± is written beside
the number when wider than the near band. Only an undecided value (UNSURE) is grey.

An eighteenth audit: "−40° ±8° LOW" against −3…3° was drawn grey (``too_imprecise``) while the cue
line said "Level your shoulders — let your right shoulder drop": two truths in one frame. Hand-worked
cases through the core's evaluator, then the real model on the bundled webcam sample (pytest-qt).
"""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.annotate import (
    GREY,
    VERDICT_COLOURS,
    AngleAnnotator,
    angle_anchor,
    angle_label,
    render,
    wide_plus_minus,
)  # fmt: skip
from posture_feedback.kinematics import ANGLE_JOINTS, compute_angles, pose_with_angles
from posture_feedback.presets import get_preset
from posture_feedback.targets import Target, TargetEvaluator, TargetSet, wider_than_near_band
from posture_feedback.types import ANGLE_INDEX, ANGLE_NAMES, AngleTable, Frame, FrameResult, TargetState, Verdict, View

SIZE = (640, 480)
#: The shoulders' level as the front presets judge it: −3…3°, a 2° near band (out below −5° / above 5°).
SHOULDERS = Target(id="shoulder_level", angle="shoulder_tilt", low=-3, high=3, tolerance=2,
                   cue_low="(the cue below the range)", cue_high="(the cue above the range)")  # fmt: skip
VERMILLION, GREEN = VERDICT_COLOURS[Verdict.LOW], VERDICT_COLOURS[Verdict.IN_RANGE]
ORANGE = VERDICT_COLOURS[Verdict.NEAR]


def judged(value: float, uncertainty: float) -> tuple[TargetState, AngleTable]:
    """The core's state of the shoulders' level for a shoulder tilt of ``value`` ± ``uncertainty`` (degrees)."""
    values, unc = np.zeros(len(ANGLE_NAMES)), np.full(len(ANGLE_NAMES), np.nan)
    values[ANGLE_INDEX["shoulder_tilt"]], unc[ANGLE_INDEX["shoulder_tilt"]] = value, uncertainty
    table = AngleTable(values, np.ones(len(ANGLE_NAMES), bool), unc)
    (state,) = TargetEvaluator(TargetSet("t", [SHOULDERS])).update(table, "front", 0.0)
    return state, table


def counts(image: np.ndarray, bgr: tuple[int, int, int], tol: int = 12) -> int:
    return int((np.abs(image.astype(int) - np.array(bgr)).sum(axis=2) < tol).sum())


def overlay(state: TargetState) -> np.ndarray:
    """The picture's overlay of ``state`` on a black frame (a person whose shoulders are drawn tilted)."""
    lmk = pose_with_angles(shoulder_tilt=-20.0, image_size=SIZE, px_per_m=250)
    frame = Frame(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), 0, 0.0, 0.0)
    return render(FrameResult(frame=frame, people=[lmk], target_index=0, landmarks=lmk, view=View.FRONT,
                              angles=compute_angles(lmk, View.FRONT), targets=[state]), [AngleAnnotator()])  # fmt: skip


def test_the_plus_minus_is_written_when_wider_than_the_near_band():
    assert wider_than_near_band(2.5, 2.0) and not wider_than_near_band(2.0, 2.0)
    assert not wider_than_near_band(float("nan"), 2.0)


def test_a_certain_low_with_a_wide_plus_minus_keeps_its_colour_and_cue_and_shows_its_plus_minus():
    """−41° ±8°: the interval −49…−33° lies wholly below −5°, so LOW stands (and is cued); ±8° > the
    2° near band, so "±8°" is written beside the number, in the verdict's vermillion, never grey."""
    state, _ = judged(-41.0, 8.0)
    assert state.verdict is Verdict.LOW and state.cue == SHOULDERS.cue_low
    assert wide_plus_minus(state)
    assert angle_label("shoulder_tilt", -41.0, state) == "−41° ±8° LOW right up"
    img = overlay(state)
    assert counts(img, VERMILLION) > 50  # the square, its arrow and the words
    assert counts(img, GREY) == 0


def test_a_precise_in_range_value_is_green_without_its_plus_minus():
    """1° ±1°: the interval 0…2° lies in −3…3°: OK, in green; ±1° is within the near band: not written."""
    state, _ = judged(1.0, 1.0)
    assert state.verdict is Verdict.IN_RANGE and state.cue is None
    assert not wide_plus_minus(state)
    assert angle_label("shoulder_tilt", 1.0, state) == "1° OK"  # 0…2° reaches level: no side word
    img = overlay(state)
    assert counts(img, GREEN) > 50 and counts(img, GREY) == 0


def test_an_undecided_value_is_grey_with_no_verdict_colour():
    """4° ±3°: the interval 1…7° holds 1° (in range) and 7° (beyond 5°): UNSURE, grey, no cue."""
    state, _ = judged(4.0, 3.0)
    assert state.verdict is Verdict.UNCERTAIN and state.cue is None
    assert angle_label("shoulder_tilt", 4.0, state) == "4° ±3° UNSURE"
    img = overlay(state)
    assert counts(img, GREY, 30) > 20  # the words (anti-aliased); the marker a white dot, no verdict shape
    assert counts(img, VERMILLION) == counts(img, GREEN) == counts(img, ORANGE) == 0


def _value_text_pixels(gauge) -> np.ndarray:
    """The gauge's value row (top 22 px, right 60%: where "−41° ±8° LOW" is written), as RGB."""
    img = gauge.grab().toImage()
    w = img.width()
    return np.array([[(c.red(), c.green(), c.blue()) for c in (img.pixelColor(x, y) for x in range(int(w * 0.4), w))]
                     for y in range(22)])  # fmt: skip


@pytest.mark.parametrize(("value", "unc", "text", "verdict"), [
    (-41.0, 8.0, "−41° ±8° LOW", Verdict.LOW),
    (1.0, 1.0, "1° OK", Verdict.IN_RANGE),
    (4.0, 3.0, "4° ±3° UNSURE", Verdict.UNCERTAIN),
])  # fmt: skip
def test_the_gauge_writes_the_same_with_the_same_colour(qtbot, value, unc, text, verdict):
    from posture_feedback.ui.gauges import GaugePanel

    state, table = judged(value, unc)
    assert state.verdict is verdict
    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(TargetSet("t", [SHOULDERS]))
    panel.resize(320, 120)
    panel.update_states([state], None, table)
    gauge = panel.gauges["shoulder_level"]
    assert gauge.value_text() == text
    rgb = _value_text_pixels(gauge)
    grey = (np.abs(rgb - 150).max(axis=2) < 12).sum()
    if verdict.judged:
        b, g, r = VERDICT_COLOURS[verdict]
        assert (np.abs(rgb - np.array([r, g, b])).sum(axis=2) < 30).sum() > 20, text  # the verdict's colour
        assert grey == 0, text
    else:
        assert grey > 20 and not any(
            (np.abs(rgb - np.array(c[::-1])).sum(axis=2) < 30).sum() for c in (VERMILLION, GREEN, ORANGE)
        )


def test_the_overlay_and_the_gauges_agree_on_the_webcam_sample(qtbot):
    """The real model on lab_desk_webcam (head to ribs, sitting-front): each judged value's ± is written
    on the picture exactly when its gauge writes it, the same text; its marker is in its verdict's colour
    (never grey); and there are frames with a wide ± (on this framing, most of the shoulders and head)."""
    from posture_feedback.pipeline import iter_results
    from posture_feedback.resources import sample_video
    from posture_feedback.ui.gauges import GaugePanel

    target_set = get_preset("sitting-front")
    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(target_set)
    wide_seen = marked = 0
    for result in iter_results(sample_video("lab_desk_webcam.mp4"), target_set=target_set, max_frames=45):
        panel.update_states(result.targets, None, result.angles if result.person_found else None)
        drawn = None
        for state in result.targets:
            if not state.verdict.judged:
                continue
            gauge = panel.gauges[state.target]
            u = result.angles[state.angle].uncertainty
            assert wide_plus_minus(state, u) == gauge.wide_plus_minus, (result.frame.index, state)
            label = angle_label(state.angle, state.value, state, u)
            assert label.startswith(gauge.value_text())  # "−37° ±12° LOW" (+ the side word)
            wide_seen += gauge.wide_plus_minus
            if state.verdict in (Verdict.LOW, Verdict.HIGH, Verdict.IN_RANGE) and wide_plus_minus(state, u):
                drawn = drawn if drawn is not None else render(result, [AngleAnnotator()])
                others = [s for s in result.targets if s.angle == state.angle and s is not state]
                if others:  # one marker per angle (the most severe): not this state's alone
                    continue
                x, y = angle_anchor(ANGLE_JOINTS[state.angle], result.landmarks.xy).astype(int)
                assert tuple(drawn[y, x]) == VERDICT_COLOURS[state.verdict], (result.frame.index, state)
                marked += 1
    assert wide_seen >= 20 and marked >= 10
