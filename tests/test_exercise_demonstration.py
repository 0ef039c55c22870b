"""Therapist demonstration → target ranges, tempo and ghost; DTW; comparing patient reps."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from exercise_traces import piecewise
from hypothesis import given, settings
from hypothesis import strategies as st

from posture_feedback.exercises.definitions import Range
from posture_feedback.exercises.demonstration import (
    DemonstrationError,
    build_demonstration,
    build_ghost,
    compare_rep,
    dtw,
    find_rep,
)
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.types import Landmarks, View


def split(trace):
    return [t for t, _ in trace], [v for _, v in trace]


# a demonstrated forward reach: 1 s rest at 10°, 2 s up to 120°, 1 s hold, 3 s down, 1 s rest
DEMO = split(piecewise([(0, 10), (1, 10), (3, 120), (4, 120), (7, 10), (8, 10)]))


def test_dtw_of_a_time_stretched_copy_is_exact():
    mean, path = dtw([0, 1, 2], [0, 0, 1, 2, 2])
    assert mean == 0.0
    assert path == [(0, 0), (0, 1), (1, 2), (2, 3), (2, 4)]


def test_dtw_of_identical_sequences_is_the_diagonal():
    a = np.sin(np.linspace(0, 3, 40))
    mean, path = dtw(a, a)
    assert mean == 0.0 and path == [(i, i) for i in range(40)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-20, 20), min_size=1, max_size=7),
    st.lists(st.integers(-20, 20), min_size=1, max_size=7),
)
def test_dtw_total_cost_matches_a_brute_force_recursion(a, b):
    @functools.cache
    def best(i: int, j: int) -> float:
        c = abs(a[i] - b[j])
        if i == 0 and j == 0:
            return c
        options = []
        if i > 0:
            options.append(best(i - 1, j))
        if j > 0:
            options.append(best(i, j - 1))
        if i > 0 and j > 0:
            options.append(best(i - 1, j - 1))
        return c + min(options)

    mean, path = dtw(a, b)
    total = sum(abs(a[i] - b[j]) for i, j in path)
    assert total == pytest.approx(best(len(a) - 1, len(b) - 1))
    assert mean == pytest.approx(total / len(path))
    assert path[0] == (0, 0) and path[-1] == (len(a) - 1, len(b) - 1)
    assert all(0 <= i2 - i1 <= 1 and 0 <= j2 - j1 <= 1 for (i1, j1), (i2, j2) in zip(path, path[1:], strict=False))


def test_find_rep_trims_the_rests():
    s, k, e = find_rep(DEMO[1])
    t = DEMO[0]
    assert t[k] == pytest.approx(3.0, abs=1 / 30)  # first sample of the plateau
    assert t[s] == pytest.approx(1.0 + 2 * 11 / 110, abs=1 / 30)  # 10 % of the 110° movement
    assert t[e] == pytest.approx(7.0 - 3 * 11 / 110, abs=1 / 30)


def test_demonstration_sets_the_ranges_and_tempo():
    demo = build_demonstration(get_exercise("forward_reach"), *DEMO, tolerance=10.0)
    d = demo.definition
    assert demo.rest == pytest.approx(10.0) and demo.peak == pytest.approx(120.0)
    assert d.start.range.high == pytest.approx(demo.rest + 10.0)
    assert d.target.range.low == pytest.approx(110.0)
    assert d.target.range.high == 180.0  # keeps the definition's far bound
    # 10 % → 90 % of the movement: 1.6 s up (1.2 → 2.8 s) and 2.4 s down (4.3 → 6.7 s); the hold is neither
    assert demo.out_s == pytest.approx(1.6, abs=0.05) and demo.back_s == pytest.approx(2.4, abs=0.05)
    assert d.tempo.out_s.low == pytest.approx(demo.out_s / 2) and d.tempo.back_s.high == pytest.approx(2 * demo.back_s)


def test_demonstration_of_a_falling_signal():
    # sit to stand: knees 95° sitting → 5° standing → back
    times, values = split(piecewise([(0, 95), (1, 95), (2.5, 5), (3.5, 5), (5.5, 95), (6, 95)]))
    demo = build_demonstration(get_exercise("sit_to_stand"), times, values, tolerance=8.0)
    assert demo.rest == pytest.approx(95.0)
    assert demo.definition.start.range.low == pytest.approx(87.0)
    assert demo.definition.target.range.high == pytest.approx(13.0)
    assert demo.peak == pytest.approx(5.0)


def test_too_small_a_demonstration_is_refused():
    times, values = split(piecewise([(0, 10), (1, 10), (2, 25), (3, 10)]))
    with pytest.raises(DemonstrationError, match="moved only 1[0-9]°, not more than twice the tolerance"):
        build_demonstration(get_exercise("forward_reach"), times, values, tolerance=10.0)
    with pytest.raises(DemonstrationError, match="demonstrations are for reps"):
        build_demonstration(get_exercise("tandem_stance"), times, values)


def test_patient_reps_are_counted_against_the_demonstrated_target():
    demo = build_demonstration(get_exercise("forward_reach"), *DEMO, tolerance=10.0)
    tr = ExerciseTracker(demo.definition, "left")
    # two reps to 115° (counted) and one to 100° (short of the demonstrated 110°)
    trace = piecewise([(0, 10), (1, 10), (3, 115), (4, 115), (6, 10), (7, 10), (9, 115), (10, 115), (12, 10),
                       (13, 10), (15, 100), (16, 100), (18, 10), (19, 10)])  # fmt: skip
    reps = []
    for t, v in trace:
        values = {"left_shoulder_elevation": v, "trunk_inclination": 0.0, "left_elbow_flexion": 0.0}
        reps += tr.update(t, values, View.SIDE).reps  # forward reach is judged side-on
    assert tr.count == 2 and [r.counted for r in reps] == [True, True, False]


def test_compare_identical_rep_gives_no_feedback():
    demo = build_demonstration(get_exercise("forward_reach"), *DEMO, tolerance=10.0)
    c = compare_rep(demo, *DEMO)
    assert c.dtw_mean == pytest.approx(0.0, abs=1e-9) and c.feedback == ()
    assert c.out_ratio == pytest.approx(1.0, abs=0.05) and c.back_ratio == pytest.approx(1.0, abs=0.05)


def test_compare_says_reach_higher_and_slower_on_the_way_down():
    demo = build_demonstration(get_exercise("forward_reach"), *DEMO, tolerance=10.0)
    # lower (90°) and down in 1 s instead of 3 s
    patient = split(piecewise([(0, 10), (1, 10), (3, 90), (4, 90), (5, 10), (6, 10)]))
    c = compare_rep(demo, *patient)
    assert c.feedback == ("Reach higher", "Slower on the way down")
    assert c.peak_diff == pytest.approx(-30.0)
    assert c.back_ratio == pytest.approx(1 / 3, abs=0.02)  # 0.8 s against 2.4 s
    assert c.out_ratio == pytest.approx(1.0, abs=0.02)
    assert c.dtw_mean > 5.0


def test_compare_says_quicker_for_a_rep_at_half_speed():
    demo = build_demonstration(get_exercise("forward_reach"), *DEMO, tolerance=10.0)
    slow = split(piecewise([(0, 10), (2, 10), (6, 120), (8, 120), (14, 10), (16, 10)]))
    c = compare_rep(demo, *slow)
    assert c.feedback == ("A little quicker",)
    assert c.out_ratio == pytest.approx(2.0, abs=0.02) and c.back_ratio == pytest.approx(2.0, abs=0.02)


def _arm(angle_deg: float, scale: float = 1.0, offset=(0.0, 0.0)) -> Landmarks:
    """A side-on figure with the left arm raised ``angle_deg`` forwards; trunk 100 px × scale."""
    ox, oy = offset
    sh = np.array([300.0, 200.0])
    a = math.radians(angle_deg)
    elbow = sh + 60 * np.array([math.sin(a), math.cos(a)])
    pts = {
        "left_shoulder": sh, "right_shoulder": sh, "left_hip": (300, 300), "right_hip": (300, 300),
        "left_elbow": elbow, "left_wrist": sh + 120 * np.array([math.sin(a), math.cos(a)]),
    }  # fmt: skip
    hip = np.array([300.0, 300.0])
    return Landmarks.from_points({k: tuple(hip + (np.asarray(v) - hip) * scale + (ox, oy)) for k, v in pts.items()})


def test_ghost_follows_the_demonstration_scaled_to_the_patient():
    times = np.linspace(0.0, 2.0, 50)  # one demonstrated frame per ghost sample
    angles = 90 * np.sin(np.pi * times / 2.0)  # 0 → ~90 → 0
    ghost = build_ghost(times, [_arm(a) for a in angles])
    patient = _arm(0.0, scale=2.0, offset=(50.0, -20.0))  # twice as big, elsewhere in the image
    hip = np.array([350.0, 280.0])
    for k in (0, 10, 24, 49):
        a = math.radians(angles[k])
        # the wrist: 120 px × 2 from the shoulder, which is 100 px × 2 above the hip
        wrist = hip + np.array([0.0, -200.0]) + 240 * np.array([math.sin(a), math.cos(a)])
        assert ghost.at(k / 49, patient)[15] == pytest.approx(wrist, abs=1e-6)
        mirrored = ghost.at(k / 49, patient, mirror_x=True)[15]
        assert mirrored == pytest.approx([2 * hip[0] - wrist[0], wrist[1]], abs=1e-6)
    assert np.isnan(ghost.at(0.3, patient)[0]).all()  # the nose was never seen


def test_demonstration_with_landmarks_keeps_a_ghost():
    times = np.linspace(0.0, 4.0, 41)
    angles = 10 + 100 * np.sin(np.pi * times / 4.0) ** 2
    demo = build_demonstration(
        get_exercise("forward_reach"), times, angles, tolerance=10.0, landmarks=[_arm(a) for a in angles]
    )
    assert demo.ghost is not None and demo.ghost.points.shape == (50, 33, 2)


# -- keeping a demonstration with a plan, and using it in a session --------------------------------
def _demo_with_ghost():
    times = np.linspace(0.0, 8.0, 241)
    values = np.interp(times, [0, 1, 3, 4, 7, 8], [10, 10, 120, 120, 10, 10])
    lms = [_arm(a) for a in values]
    return build_demonstration(get_exercise("forward_reach"), times, values, tolerance=10.0, landmarks=lms)


def test_demonstration_saves_and_loads(tmp_path):
    from posture_feedback.exercises.demonstration import load_demonstration, save_demonstration

    demo = _demo_with_ghost()
    back = load_demonstration(save_demonstration(demo, tmp_path / "reach.npz"))
    assert back.definition.phases == demo.definition.phases
    assert back.definition.tempo == demo.definition.tempo
    assert (back.rest, back.peak, back.out_s, back.back_s, back.side) == (
        demo.rest, demo.peak, demo.out_s, demo.back_s, demo.side,
    )  # fmt: skip
    np.testing.assert_array_equal(back.values, demo.values)
    np.testing.assert_array_equal(back.ghost.points, demo.ghost.points)
    ghost = back.ghost.landmarks_at(0.5, _arm(0.0))
    assert isinstance(ghost, Landmarks) and ghost.visibility[15] == 1.0 and ghost.visibility[0] == 0.0


def test_a_file_that_is_not_a_demonstration_is_a_plan_error(tmp_path):
    from posture_feedback.exercises.demonstration import load_demonstration
    from posture_feedback.exercises.errors import PlanError

    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(PlanError, match="damaged or is not a demonstration") as err:
        load_demonstration(bad)
    assert "pickle" not in str(err.value)  # numpy's advice to load it unsafely never reaches the patient
    with pytest.raises(PlanError, match="demonstration file not found"):
        load_demonstration(tmp_path / "none.npz")
    from posture_feedback.exercises.demonstration import save_demonstration

    good = save_demonstration(_demo_with_ghost(), tmp_path / "good.npz").read_bytes()
    cut = tmp_path / "cut.npz"
    for n in (4, len(good) // 2, len(good) - 10):  # a copy interrupted part-way
        cut.write_bytes(good[:n])
        with pytest.raises(PlanError, match="damaged or is not a demonstration"):
            load_demonstration(cut)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))  # a valid npz of something else
    with pytest.raises(PlanError, match="damaged or is not a demonstration"):
        load_demonstration(other)


def _plan_with_demo(tmp_path, name="forward_reach", demo_file="reach.npz", extra=""):
    from posture_feedback.exercises.plan import load_plan

    p = tmp_path / "plan.toml"
    p.write_text(f'countdown_s = 0\ninstruction_s = 0\n\n[[exercise]]\nname = "{name}"\nside = "left"\n'
                 f'sets = 1\nreps = 2\ndemonstration = "{demo_file}"\n{extra}')  # fmt: skip
    return load_plan(p)


def test_plan_demonstration_errors(tmp_path):
    from posture_feedback.exercises.demonstration import save_demonstration
    from posture_feedback.exercises.errors import PlanError

    with pytest.raises(PlanError) as info:
        _plan_with_demo(tmp_path)
    assert info.value.line == 9 and "demonstration file not found" in info.value.problem
    save_demonstration(_demo_with_ghost(), tmp_path / "reach.npz")
    with pytest.raises(PlanError, match="the demonstration is of 'forward_reach', not 'shelf_reach'"):
        _plan_with_demo(tmp_path, name="shelf_reach")


def test_session_compares_each_rep_with_the_demonstration(tmp_path):
    from posture_feedback.exercises.demonstration import save_demonstration
    from posture_feedback.exercises.events import RepEvent
    from posture_feedback.exercises.plan import save_plan
    from posture_feedback.exercises.runner import SessionRunner

    save_demonstration(_demo_with_ghost(), tmp_path / "reach.npz")
    assert _plan_with_demo(tmp_path).items[0].exercise.target.range.low == pytest.approx(110.0)  # demonstrated
    # the therapist lowers the bar for counting: the explicit override wins over the demonstration
    plan = _plan_with_demo(tmp_path, extra="\n[exercise.phases.up]\nmin = 90\n")
    assert plan.items[0].exercise.target.range.low == 90.0
    assert save_plan(plan, tmp_path / "again.toml").read_text().count('demonstration = "reach.npz"') == 1
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    # two reps to 100° (≥ 90°: counted) coming down in 1 s instead of the demonstrated 3 s
    trace = piecewise([(0, 10), (1, 10), (3, 100), (4, 100), (5, 10), (6, 10), (8, 100), (9, 100), (10, 10), (11, 10)])
    us = []
    for t, v in trace:
        values = {"left_shoulder_elevation": v, "trunk_inclination": 0.0, "left_elbow_flexion": 0.0}
        events += runner.update(t, values, View.SIDE)
        if runner.status.exercise:
            us.append(runner.status.ghost_u)
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert [e.rep.counted for e in reps] == [True, True]
    for e in reps:
        assert e.comparison is not None and e.comparison.peak_diff == pytest.approx(-20.0)
        # the rep's own tempo check and the comparison agree on the way down; only the comparison
        # knows the demonstration went 20° higher
        assert set(e.feedback) == {"Reach higher", "Slower on the way down"}
        assert e.speech == f"{e.count}. {e.feedback[0]}"
    assert min(us) == 0.0 and 0.5 < max(us) <= 1.0


# -- targets clamped to the anatomical range and rounded -------------------------------------------


def test_a_demonstration_near_the_end_of_range_gives_a_whole_degree_target_within_180():
    """Lateral raise demonstrated to 171.21° from a 30.4° rest, tolerance 10: the target used to be
    "161.21–181.21°" (above the 180° end of an arm–trunk angle); now 161–180° (floor of 161.21,
    AAOS/N&W end of shoulder abduction), start ≤ 40° (40.4 rounded)."""
    trace = piecewise([(0, 30.4), (1, 30.4), (3, 171.21), (4, 171.21), (6, 30.4), (7, 30.4)])
    demo = build_demonstration(get_exercise("lateral_raise"), *split(trace), tolerance=10.0, side="left")
    assert demo.definition.target.range == Range(161.0, 180.0)
    assert demo.definition.start.range == Range(-math.inf, 40.0)
    assert demo.definition.target.range.describe("x") == "x 161–180°"


def test_the_demonstrators_own_next_repetitions_are_counted():
    """The same movement again, and once a little lower (peak 162°, within the 10° tolerance)."""
    rep = [(0, 30.4), (1, 30.4), (3, 171.21), (4, 171.21), (6, 30.4), (7, 30.4)]
    demo = build_demonstration(get_exercise("lateral_raise"), *split(piecewise(rep)), tolerance=10.0, side="left")
    again = rep + [(t + 7, v) for t, v in rep[1:]] + [(t + 14, 162.0 if v > 100 else v) for t, v in rep[1:]]
    tr = ExerciseTracker(demo.definition, "left")
    reps = []
    for t, v in piecewise(again):
        values = {"left_shoulder_elevation": v, "left_shoulder_hike": 0.0, "trunk_lean_right": 0.0}
        reps += tr.update(t, values, View.FRONT).reps
    assert [r.counted for r in reps] == [True, True, True]


@pytest.mark.parametrize(
    ("signal", "unit", "expected"),
    [("{side}_shoulder_elevation", "°", Range(0, 180)), ("{side}_elbow_flexion", "°", Range(0, 150)),
     ("{side}_knee_flexion", "°", Range(0, 135)), ("trunk_lean_{side}", "°", Range(-45, 45)),
     ("craniovertebral_angle", "°", Range(-180, 180)), ("{side}_knee_lift", "", Range())],
)  # fmt: skip
def test_anatomical_ranges_by_signal(signal, unit, expected):
    from posture_feedback.exercises.anatomy import anatomical_range

    assert anatomical_range(signal, unit) == expected


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 60), st.floats(100, 200), st.floats(2, 20))
def test_demonstrated_bounds_are_whole_degrees_inside_the_range(rest, peak, tol):
    trace = piecewise([(0, rest), (1, rest), (3, peak), (4, peak), (6, rest), (7, rest)])
    try:
        demo = build_demonstration(get_exercise("lateral_raise"), *split(trace), tolerance=tol, side="left")
    except DemonstrationError:
        return
    for p in demo.definition.phases:
        for x in (p.range.low, p.range.high):
            assert math.isinf(x) or (x == int(x) and 0 <= x <= 180)
    assert demo.definition.target.range.low <= math.floor(min(peak, 180) - tol) + 1e-9


def test_a_shortfall_within_the_peaks_uncertainty_gets_no_reach_further_cue():
    """A counted rep 10° short of the demonstration's 120° with ±12° got "Reach higher" (a seventh
    audit): the comparison now asks for more only beyond the tolerance *and* the peak's ±."""
    from posture_feedback.exercises.demonstration import build_demonstration, compare_rep

    t = np.arange(0.0, 7.0 + 1e-9, 1 / 30)
    demo = build_demonstration(get_exercise("forward_reach"), t,
                               np.interp(t, [0, 1, 3, 4, 6, 7], [10, 10, 120, 120, 10, 10]), tolerance=5.0)  # fmt: skip
    rep = np.interp(t, [0, 1, 3, 4, 6, 7], [10, 10, 110, 110, 10, 10])
    more = get_exercise("forward_reach").cue("more")
    assert compare_rep(demo, t, rep, peak_uncertainty=12.0).feedback == ()
    sure = compare_rep(demo, t, rep, peak_uncertainty=3.0)
    assert sure.peak_diff == pytest.approx(-10.0, abs=0.5) and more in sure.feedback
    assert more in compare_rep(demo, t, rep).feedback  # no ± known: the tolerance alone, as before


def test_a_demonstration_cut_off_at_the_top_is_refused():
    """--save-demo on a recording that ended at the arm's peak was kept, "way back 0.0 s", with the
    definition's tempo in its place (a seventh audit). The whole movement is needed."""
    from posture_feedback.exercises.demonstration import DemonstrationError, build_demonstration

    t = np.arange(0.0, 3.0 + 1e-9, 1 / 30)
    cut = np.interp(t, [0, 1, 3], [10, 10, 170])  # rest, then up to the end of the recording
    with pytest.raises(DemonstrationError, match="ends before the way back to rest"):
        build_demonstration(get_exercise("lateral_raise"), t, cut, tolerance=15.0)
    late = np.interp(t, [0, 2, 3], [170, 170, 10])  # starts at the top: no rest before it
    with pytest.raises(DemonstrationError, match="moved only 0°"):
        build_demonstration(get_exercise("lateral_raise"), t, late, tolerance=15.0)
