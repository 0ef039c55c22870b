"""A verdict on a number too imprecise to act on (its ± wider than the target's near band) is grey with
its ± on the picture as in the side panel (a seventeenth audit: the gauge greyed "−37° LOW" while the
overlay drew the same value in the verdict's orange). Hand-built states, then the real model on the
bundled webcam sample with every gauge and overlay compared frame by frame (pytest-qt)."""

from __future__ import annotations

import numpy as np

from posture_feedback.annotate import GREY, VERDICT_COLOURS, AngleAnnotator, angle_label, greyed, render
from posture_feedback.kinematics import pose_with_angles
from posture_feedback.presets import get_preset
from posture_feedback.targets import too_imprecise
from posture_feedback.types import Frame, FrameResult, TargetState, Verdict, View

SIZE = (640, 480)


def shoulder_state(value: float, uncertainty: float) -> TargetState:
    """The shoulders' level against −3…3° with a 2° near band (the front presets' target)."""
    return TargetState(target="shoulder_level", angle="shoulder_tilt", value=value, verdict=Verdict.LOW, low=-3.0,
                       high=3.0, cue=None, tolerance=2.0, uncertainty=uncertainty)  # fmt: skip


def counts(image: np.ndarray, bgr: tuple[int, int, int]) -> int:
    return int((np.abs(image.astype(int) - np.array(bgr)).sum(axis=2) < 12).sum())


def test_the_rule_is_the_near_band():
    assert too_imprecise(2.5, 2.0) and not too_imprecise(2.0, 2.0) and not too_imprecise(float("nan"), 2.0)


def test_a_certain_verdict_on_an_imprecise_number_is_grey_with_its_plus_minus():
    """−41° ±8°: the whole interval (−49…−33°) lies below −5°, so LOW holds; but ±8° > the 2° near band."""
    lmk = pose_with_angles(shoulder_tilt=-20.0, image_size=SIZE, px_per_m=250)
    frame = Frame(np.zeros((SIZE[1], SIZE[0], 3), np.uint8), 0, 0.0, 0.0)

    def drawn(state: TargetState) -> np.ndarray:
        from posture_feedback.kinematics import compute_angles

        angles = compute_angles(lmk, View.FRONT)
        return render(FrameResult(frame=frame, people=[lmk], target_index=0, landmarks=lmk, view=View.FRONT,
                                  angles=angles, targets=[state]), [AngleAnnotator()])  # fmt: skip

    imprecise, precise = shoulder_state(-41.0, 8.0), shoulder_state(-41.0, 1.5)
    assert greyed(imprecise) and not greyed(precise)
    assert angle_label("shoulder_tilt", -41.0, imprecise) == "−41° ±8° LOW right up"
    assert angle_label("shoulder_tilt", -41.0, precise) == "−41° LOW right up"
    vermillion = VERDICT_COLOURS[Verdict.LOW]
    grey_img, colour_img = drawn(imprecise), drawn(precise)
    assert counts(grey_img, vermillion) == 0 and counts(grey_img, GREY) > 50  # the square, its arrow, the words
    assert counts(colour_img, vermillion) > 50


def test_the_overlay_and_the_gauges_agree_on_the_webcam_sample(qtbot):
    """The real model on lab_desk_webcam (head to ribs, sitting-front): each judged value is grey on the
    picture exactly when its gauge greys it, with the same ± written; and there are such frames."""
    from posture_feedback.pipeline import iter_results
    from posture_feedback.resources import sample_video
    from posture_feedback.ui.gauges import GaugePanel

    target_set = get_preset("sitting-front")
    panel = GaugePanel()
    qtbot.addWidget(panel)
    panel.set_targets(target_set)
    grey_seen = 0
    for result in iter_results(sample_video("lab_desk_webcam.mp4"), target_set=target_set, max_frames=45):
        panel.update_states(result.targets, None, result.angles if result.person_found else None)
        for state in result.targets:
            if not state.verdict.judged:
                continue
            gauge = panel.gauges[state.target]
            u = result.angles[state.angle].uncertainty
            assert greyed(state, u) == gauge.too_uncertain, (result.frame.index, state)
            label = angle_label(state.angle, state.value, state, u)
            assert label.startswith(gauge.value_text())  # "−37° ±12° LOW" (+ the side word)
            grey_seen += gauge.too_uncertain
    assert grey_seen >= 20
