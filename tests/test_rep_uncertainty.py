"""A repetition whose peak stopped short of the target by less than the peak's uncertainty gets no
"partial" verdict and no "further" cue; an overshoot within the uncertainty is not "too far".
Peaks, targets and uncertainties are chosen by hand; the rule is written out in each case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback.exercises.definitions import Range
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.reps import RepCounter, RepVerdict
from posture_feedback.exercises.runner import UNSURE_TEXT, rep_feedback
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.types import View

FPS = 30.0


def one_rep(peak: float, unc: float, far: float = math.inf) -> object:
    """Start ≤ 20°, target ≥ 90° (up to ``far``): rest, rise to ``peak``, back to rest, with the
    value's uncertainty ``unc`` in every sample."""
    c = RepCounter(Range(high=20.0), Range(low=90.0, high=far), hysteresis=2.0)
    up, down = list(np.linspace(10.0, peak, 20)), list(np.linspace(peak, 10.0, 20))
    trace = [10.0] * 10 + up + [peak] * 10 + down + [10.0] * 10
    reps = [r for k, v in enumerate(trace) if (r := c.update(k / FPS, float(v), (), unc)) is not None]
    assert len(reps) == 1
    return reps[0]


@pytest.mark.parametrize(
    ("peak", "unc", "verdict", "counted"),
    [
        (80.0, 15.0, RepVerdict.UNSURE, False),  # 80 + 15 ≥ 90: may have reached it
        (80.0, 5.0, RepVerdict.PARTIAL, False),  # 80 + 5 < 90: short for sure
        (80.0, math.nan, RepVerdict.PARTIAL, False),  # no uncertainty known: as before
        (95.0, 15.0, RepVerdict.UNSURE, False),  # 95 − 15 < 90: may not have reached it either
        (110.0, 15.0, RepVerdict.GOOD, True),  # 110 − 15 ≥ 90: shown to reach it
        (95.0, math.nan, RepVerdict.GOOD, True),  # no uncertainty known: the counter's own rule
    ],
)
def test_short_of_the_target_within_the_uncertainty_is_unsure(peak, unc, verdict, counted):
    rep = one_rep(peak, unc)
    assert rep.verdict is verdict and rep.counted is counted
    if verdict is RepVerdict.UNSURE:
        assert rep.peak_uncertainty == unc


@pytest.mark.parametrize(
    ("peak", "unc", "too_far"), [(125.0, 10.0, False), (125.0, 2.0, True), (125.0, math.nan, True)]
)
def test_an_overshoot_within_the_uncertainty_is_not_too_far(peak, unc, too_far):
    rep = one_rep(peak, unc, far=120.0)  # 125 − 10 ≤ 120: may be within the range
    assert (RepVerdict.TOO_FAR in rep.issues) is too_far
    assert rep.counted


def test_an_unsure_rep_gets_no_further_cue_and_a_partial_one_does():
    defn = get_exercise("mini_squat")
    tracker = ExerciseTracker(defn, "both")
    unsure = one_rep(80.0, 15.0)
    partial = one_rep(80.0, 5.0)
    more = defn.cue("more")
    assert rep_feedback(unsure, tracker) == (UNSURE_TEXT,) and more not in rep_feedback(unsure, tracker)
    assert rep_feedback(partial, tracker) == (more,)


def test_the_tracker_takes_the_uncertainty_of_the_side_it_measures():
    defn = get_exercise("mini_squat")
    tr = ExerciseTracker(defn, "both")
    signal = defn.signal
    values = {signal.replace("{side}", "left"): 70.0, signal.replace("{side}", "right"): 60.0}
    uncs = {signal.replace("{side}", "left"): 9.0, signal.replace("{side}", "right"): 14.0}
    v = tr.primary_value(values)
    assert tr.primary_uncertainty(values, uncs) == (9.0 if v == 70.0 else 14.0)
    assert math.isnan(tr.primary_uncertainty(values, {}))


@pytest.mark.parametrize(("trunk", "unc", "flagged"), [(50.0, 8.0, False), (50.0, 2.0, True), (50.0, math.nan, True)])
def test_a_compensation_is_flagged_only_beyond_its_range_by_more_than_the_uncertainty(trunk, unc, flagged):
    """mini_squat watches the trunk in its squat phase: allowed up to 45°. 50° ± 8° may be 45°: no
    "Keep your chest up"; 50° ± 2° cannot."""
    defn = get_exercise("mini_squat")
    tr = ExerciseTracker(defn, "both")
    knee = {"left_knee_flexion": 5.0, "right_knee_flexion": 5.0, "trunk_inclination": 5.0}
    for k in range(10):  # standing: the start position is seen
        tr.update(k / FPS, knee, View.SIDE)
    squat = {"left_knee_flexion": 60.0, "right_knee_flexion": 60.0, "trunk_inclination": trunk}
    upd = tr.update(0.5, squat, View.SIDE, None, {"trunk_inclination": unc})
    upd = tr.update(0.6, squat, View.SIDE, None, {"trunk_inclination": unc})
    assert ("trunk_leaning" in [c.name for c in upd.faults]) is flagged


@pytest.mark.parametrize(("unc", "broken"), [(8.0, False), (2.0, True), (math.nan, True)])
def test_a_hold_is_broken_only_by_a_value_surely_out_of_position(unc, broken):
    """Range −5…5°, hysteresis 3°: at 10° the hold is out (the clock stops). 10° ± 8° may be 5°: no
    break and no "Back into position"; 10° ± 2° cannot."""
    from posture_feedback.exercises.holds import HoldTimer

    h = HoldTimer([("trunk_lateral_lean", Range(-5.0, 5.0))], target_s=30.0, hysteresis=3.0, min_break_s=0.3)
    events = []
    for k in range(30):  # 1 s in position
        events += h.update(k / FPS, {"trunk_lateral_lean": 0.0}, {"trunk_lateral_lean": unc})
    held = h.held_s
    for k in range(30, 60):  # 1 s at 10°
        events += h.update(k / FPS, {"trunk_lateral_lean": 10.0}, {"trunk_lateral_lean": unc})
    assert ("broken" in events) is broken
    assert h.held_s == pytest.approx(held + 1 / FPS)  # the clock stopped either way (one frame interval)
