"""Every built-in exercise's counting on constructed signal traces: clean reps, jitter around
thresholds, half reps, short holds, compensations, tempo; holds broken and resumed; marching."""

from __future__ import annotations

import math

import pytest
from exercise_traces import FPS, base_values, inside, names, outside, piecewise, rep_levels, view_for

from posture_feedback.exercises.definitions import fill
from posture_feedback.exercises.library import builtin_names, get_exercise, list_exercises
from posture_feedback.exercises.reps import RepVerdict
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.types import View

REPS = [d.name for d in list_exercises() if d.kind == "reps"]
HOLDS = [d.name for d in list_exercises() if d.kind in ("hold", "balance")]
HELD_AT_TARGET = [d.name for d in list_exercises() if d.kind == "reps" and d.target.hold_s > 0]
COMPENSATIONS = [(d.name, c.name) for d in list_exercises() if d.kind == "reps" for c in d.compensations]


def test_library_has_the_required_exercises():
    required = {
        "upright_sitting", "chin_tuck", "forward_reach", "lateral_raise", "shelf_reach",
        "side_bend", "mini_squat", "sit_to_stand", "hip_hinge", "single_leg_stance", "tandem_stance", "marching",
    }  # fmt: skip
    assert required <= set(builtin_names())
    assert len(builtin_names()) >= 12
    for d in list_exercises():
        assert d.description and d.instruction and d.views, d.name


def side_of(defn) -> str:
    return "left" if defn.sided and defn.both == "each" else "both"


def run(defn, trace, side=None, extra=None, count_compensated=False, view=None):
    """Feed a (t, primary value) trace through a tracker; returns the tracker and all reps."""
    side = side or side_of(defn)
    tr = ExerciseTracker(defn, side, count_compensated=count_compensated)
    base = base_values(defn, side)
    reps = []
    if defn.baseline_s > 0:  # phases are changes from rest: first rest at 0 while the baseline is measured
        pre = defn.baseline_s + 0.2
        rest = [(k / FPS, 0.0) for k in range(round(pre * FPS))]
        trace = rest + [(t + pre, v) for t, v in trace]
    for i, (t, v) in enumerate(trace):
        values = dict(base)
        for n in names(defn.signal, defn, side):
            values[n] = v
        if extra:
            values.update(extra(i, t))
        reps += tr.update(t, values, view or view_for(defn)).reps
    return tr, reps


def rep_keyframes(defn, n, peak=None, hold=None, move_s=4.0, jitter_levels=False):
    sv, s, g, tv = rep_levels(defn)
    lo, hi = (s, g) if jitter_levels else (sv, tv if peak is None else peak)
    hold = defn.target.hold_s + 1.0 if hold is None else hold
    kf, t = [(0.0, sv), (1.0, sv)], 1.0
    if jitter_levels:
        t += 1.0
        kf.append((t, lo))
    for _ in range(n):
        kf += [(t + move_s, hi), (t + move_s + hold, hi), (t + 2 * move_s + hold, lo), (t + 2 * move_s + hold + 1, lo)]
        t += 2 * move_s + hold + 1
    kf.append((t + 1.0, sv))
    return kf


@pytest.mark.parametrize("name", REPS)
def test_clean_reps_are_counted_exactly(name):
    defn = get_exercise(name)
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 5)))
    assert tr.count == 5
    assert [r.verdict for r in reps] == [RepVerdict.GOOD] * 5
    assert [r.count for r in reps] == [1, 2, 3, 4, 5]
    for r in reps:
        assert r.hold_s >= defn.target.hold_s
        assert r.time_in_range_s >= r.hold_s - 1e-9
        assert defn.tempo.out_s.contains(r.out_s) and defn.tempo.back_s.contains(r.back_s)


@pytest.mark.parametrize("name", REPS)
def test_jitter_around_both_thresholds_neither_double_counts_nor_adds_attempts(name):
    defn = get_exercise(name)
    h = min(defn.hysteresis, abs(rep_levels(defn)[2] - rep_levels(defn)[1]) / 2)
    trace = piecewise(rep_keyframes(defn, 3, jitter_levels=True))
    # worst-case jitter: ±90 % of the hysteresis, alternating every frame (after the first second)
    trace = [(t, v + (0.9 * h * (1 if i % 2 else -1) if t > 1.5 else 0.0)) for i, (t, v) in enumerate(trace)]
    tr, reps = run(defn, trace)
    assert tr.count == 3
    assert len(reps) == 3
    assert all(r.counted for r in reps)


@pytest.mark.parametrize("name", REPS)
def test_half_reps_are_reported_but_never_counted(name):
    defn = get_exercise(name)
    _, s, g, _ = rep_levels(defn)
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 3, peak=(s + g) / 2)))
    assert tr.count == 0
    assert [r.verdict for r in reps] == [RepVerdict.PARTIAL] * 3
    assert not any(r.counted for r in reps)
    assert all(math.isnan(r.out_s) for r in reps)


@pytest.mark.parametrize("name", REPS)
def test_tiny_wobble_at_the_start_is_not_an_attempt(name):
    defn = get_exercise(name)
    _, s, g, _ = rep_levels(defn)
    wobble = s + (g - s) * 0.15  # beyond the start bound but less than a quarter of the way
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 2, peak=wobble)))
    assert reps == [] and tr.count == 0
    assert tr.counter.phase.value == "start"


@pytest.mark.parametrize("name", HELD_AT_TARGET)
def test_short_hold_at_the_target_is_not_counted(name):
    defn = get_exercise(name)
    _, s, g, _ = rep_levels(defn)
    peak = g + 0.1 * (g - s)  # just inside the target, briefly
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 2, peak=peak, hold=0.3 * defn.target.hold_s, move_s=2.0)))
    assert tr.count == 0
    assert [r.verdict for r in reps] == [RepVerdict.SHORT_HOLD] * 2


@pytest.mark.parametrize(("name", "comp_name"), COMPENSATIONS)
def test_compensation_flags_the_rep(name, comp_name):
    defn = get_exercise(name)
    comp = next(c for c in defn.compensations if c.name == comp_name)
    side = side_of(defn)
    margin = 8.0 if defn.unit else 0.1
    bad = {n: outside(comp.allowed, margin) for n in names(comp.signal, defn, side)}
    view = comp.views[0] if comp.views else view_for(defn)
    trace = piecewise(rep_keyframes(defn, 2))
    tr, reps = run(defn, trace, extra=lambda i, t: bad, view=view)
    assert tr.count == 0
    assert [r.verdict for r in reps] == [RepVerdict.COMPENSATED] * 2
    assert all(comp_name in r.compensations for r in reps)
    tr, reps = run(defn, trace, extra=lambda i, t: bad, view=view, count_compensated=True)
    assert tr.count == 2 and all(RepVerdict.COMPENSATED in r.issues for r in reps)


@pytest.mark.parametrize("name", [n for n in REPS if not math.isinf(get_exercise(n).tempo.out_s.low)])
def test_a_rushed_rep_is_counted_but_flagged_too_fast(name):
    defn = get_exercise(name)
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 1, move_s=0.2)))
    assert tr.count == 1
    assert reps[0].verdict is RepVerdict.TOO_FAST


def test_overshoot_beyond_the_target_range_is_flagged_too_far():
    defn = get_exercise("mini_squat")  # squat: knee flexion 35–80°
    tr, reps = run(defn, piecewise(rep_keyframes(defn, 1, peak=100.0)))
    assert tr.count == 1 and reps[0].verdict is RepVerdict.TOO_FAR and reps[0].peak == pytest.approx(100.0)


def test_both_sides_together_need_both_limbs_at_the_target():
    defn = get_exercise("lateral_raise")
    trace = piecewise(rep_keyframes(defn, 2))
    # the right arm only goes half-way: the pair is as far as its less advanced side
    tr, reps = run(defn, trace, side="both", extra=lambda i, t: {"right_shoulder_elevation": min(trace[i][1], 50.0)})
    assert tr.count == 0 and [r.verdict for r in reps] == [RepVerdict.PARTIAL] * 2
    tr, reps = run(defn, trace, side="both")
    assert tr.count == 2


def test_one_side_ignores_the_other_side():
    defn = get_exercise("forward_reach")
    trace = piecewise(rep_keyframes(defn, 3))
    tr, _ = run(defn, trace, side="left", extra=lambda i, t: {"right_shoulder_elevation": 0.0})
    assert tr.count == 3
    tr, _ = run(defn, trace, side="right", extra=lambda i, t: {"right_shoulder_elevation": 0.0})
    assert tr.count == 0


def test_missing_values_do_not_count_or_break_a_rep():
    defn = get_exercise("forward_reach")
    trace = piecewise(rep_keyframes(defn, 3))
    trace = [(t, math.nan if i % 3 == 0 else v) for i, (t, v) in enumerate(trace)]
    tr, reps = run(defn, trace)
    assert tr.count == 3 and len(reps) == 3


# -- holds and balance ---------------------------------------------------------------------------
def hold_run(defn, segments, side=None, target_s=30.0):
    """segments: list of (seconds, 'in'|'out'|'jitter'); returns tracker and all hold events."""
    side = side or ("left" if defn.sided else "both")
    tr = ExerciseTracker(defn, side, hold_s=target_s)
    h = defn.hysteresis
    rng = defn.phases[0].range
    bound = rng.high if not math.isinf(rng.high) else rng.low
    towards_out = 1.0 if not math.isinf(rng.high) else -1.0
    base = base_values(defn, side)
    events, t, i = [], 0.0, 0
    for seconds, what in segments:
        for _ in range(round(seconds * FPS)):
            if what == "in":
                v = inside(rng, 3 * h)
            elif what == "out":
                v = outside(rng, 3 * h) if not math.isinf(rng.high) else rng.low - 3 * h
            else:  # jitter across the bound, within the hysteresis
                v = bound + towards_out * 0.9 * h * (1 if i % 2 else -1)
            values = dict(base)
            for n in names(defn.signal, defn, side):
                values[n] = v
            events += tr.update(t, values, view_for(defn)).hold_events
            t += 1.0 / FPS
            i += 1
    return tr, events


@pytest.mark.parametrize("name", HOLDS)
def test_hold_is_timed_only_in_range_and_resumes_after_a_break(name):
    defn = get_exercise(name)
    tr, events = hold_run(defn, [(1.0, "out"), (5.0, "in"), (1.0, "out"), (4.0, "in"), (0.5, "out")])
    st = tr.hold_status()
    assert events == ["started", "broken", "resumed", "broken"]
    assert st.held_s == pytest.approx(9.0, abs=1.5 / FPS)
    assert st.breaks == 2
    assert st.longest_s == pytest.approx(5.0, abs=1.5 / FPS)
    assert st.time_to_first_break_s == pytest.approx(5.0, abs=1.5 / FPS)
    assert not st.complete


@pytest.mark.parametrize("name", HOLDS)
def test_hold_jitter_at_the_bound_does_not_break_it(name):
    defn = get_exercise(name)
    tr, events = hold_run(defn, [(1.0, "in"), (4.0, "jitter"), (1.0, "in")])
    assert events == ["started"]
    assert tr.hold_status().held_s == pytest.approx(6.0, abs=1.5 / FPS)


@pytest.mark.parametrize("name", HOLDS)
def test_hold_completes_at_its_target(name):
    defn = get_exercise(name)
    tr, events = hold_run(defn, [(2.0, "in"), (1.0, "out"), (2.0, "in")], target_s=3.0)
    assert events == ["started", "broken", "resumed", "complete"]
    assert tr.hold_status().complete


@pytest.mark.parametrize(("lean", "held"), [(2.0, True), (20.0, False), (-18.0, False)])
def test_upright_sitting_holds_only_upright_not_slouched_or_reclined(lean, held):
    defn = get_exercise("upright_sitting")
    assert defn.signal == "trunk_forward_lean" and not defn.conditions  # no head threshold borrowed
    tr = ExerciseTracker(defn)
    for k in range(90):
        tr.update(k / FPS, {"trunk_forward_lean": lean}, view_for(defn))
    assert (tr.hold_status().held_s > 2.5) is held


def test_chin_tuck_counts_the_change_from_the_persons_own_relaxed_head():
    """Relaxed at 30° (a forward head on any scale), tucks to 22°: counted; the absolute value never
    decides. The same movement from a relaxed 12° is counted too."""
    defn = get_exercise("chin_tuck")
    assert defn.signal == "head_forward_lean" and defn.baseline_s > 0
    for rest in (30.0, 12.0):
        tr = ExerciseTracker(defn)
        keyframes = [(0.0, rest), (2.5, rest)]
        t = 2.5
        for _ in range(3):
            keyframes += [(t + 1.0, rest - 8.0), (t + 4.5, rest - 8.0), (t + 5.5, rest)]
            t += 6.5
            keyframes.append((t, rest))
        for t, v in piecewise(keyframes):
            tr.update(t, {"head_forward_lean": v, "trunk_inclination": 2.0}, view_for(defn))
        assert tr.baseline == pytest.approx(rest)
        assert tr.count == 3, rest
    # a person who stays still is never counted, whatever their head angle
    tr = ExerciseTracker(defn)
    for k in range(300):
        tr.update(k / FPS, {"head_forward_lean": 40.0, "trunk_inclination": 2.0}, view_for(defn))
    assert tr.count == 0 and not tr.reps


def test_single_leg_stance_uses_the_lifted_foot_of_the_other_leg():
    defn = get_exercise("single_leg_stance")
    tr = ExerciseTracker(defn, "left")  # standing on the left leg: the right foot is lifted
    assert tr.hold.conditions[0][0] == "left:{other}_foot_lift"
    for k in range(60):
        tr.update(k / FPS, {"right_foot_lift": 0.2, "left_foot_lift": -0.2}, view_for(defn))
    assert tr.hold_status().held_s == pytest.approx(59 / FPS)


# -- marching ------------------------------------------------------------------------------------
def test_marching_counts_steps_cadence_and_symmetry():
    defn = get_exercise("marching")
    tr = ExerciseTracker(defn)
    # left knee to 0.30 leg lengths, right to 0.20, one step every second, alternating, 10 steps
    kf_l, kf_r = [(0.0, 0.0)], [(0.0, 0.0)]
    for k in range(10):
        t0 = 1.0 + k
        kf, peak = (kf_l, 0.30) if k % 2 == 0 else (kf_r, 0.20)
        kf += [(t0, 0.0), (t0 + 0.4, peak), (t0 + 0.8, 0.0)]
    kf_l.append((12.0, 0.0))
    kf_r.append((12.0, 0.0))
    left, right = piecewise(kf_l), piecewise(kf_r)
    for (t, vl), (_, vr) in zip(left, right, strict=True):
        tr.update(t, {"left_knee_lift": vl, "right_knee_lift": vr, "trunk_inclination": 3.0}, view_for(defn))
    g = tr.gait_result()
    assert (g.steps_left, g.steps_right, tr.count) == (5, 5, 10)
    assert g.cadence_spm == pytest.approx(60.0, abs=1.0)
    assert g.knee_height_left == pytest.approx(0.30, abs=0.01)
    assert g.knee_height_right == pytest.approx(0.20, abs=0.01)
    assert g.height_symmetry == pytest.approx(100 * 0.10 / 0.25, abs=2.0)
    assert g.count_symmetry == 0.0


def _half_sine_march(swing_s: float, period_s: float, steps_per_leg: int, peak: float = 0.25):
    """(t, left, right) knee lifts at 30 fps: each knee a half-sine of ``swing_s`` to ``peak`` leg lengths
    once every ``period_s``, the legs half a period apart, from 0.5 s on."""
    end = 0.5 + steps_per_leg * period_s + period_s
    out = []
    for k in range(int(end * FPS)):
        t = k / FPS
        lifts = []
        for offset in (0.5, 0.5 + period_s / 2):
            phase = t - offset
            n = math.floor(phase / period_s) if phase >= 0 else -1
            ph = phase - n * period_s
            on = 0 <= n < steps_per_leg and ph < swing_s
            lifts.append(peak * math.sin(math.pi * ph / swing_s) if on else 0.0)
        out.append((t, *lifts))
    return out


@pytest.mark.parametrize(("swing_s", "period_s"), [(0.5, 1.1), (0.3, 0.7), (0.25, 0.6)])
def test_a_brisk_march_counts_every_step(swing_s, period_s):
    """Each knee lifted in a half-sine to 0.25 leg lengths, 10 times a leg. At a 0.3 s lift every 0.7 s
    (171 steps/min) the knee is out of the start zone (> 0.06) for 0.26 s: the repetitions' 0.3 s
    noise rule (reps.py, 2026-12-07) dropped every such step without a word (0 steps; 9 of 20 at a
    0.35 s lift). Each is a step, counted."""
    defn = get_exercise("marching")
    tr = ExerciseTracker(defn)
    for t, left, right in _half_sine_march(swing_s, period_s, 10):
        tr.update(t, {"left_knee_lift": left, "right_knee_lift": right, "trunk_inclination": 3.0}, view_for(defn))
    g = tr.gait_result()
    assert (g.steps_left, g.steps_right) == (10, 10)
    assert g.cadence_spm == pytest.approx(120.0 / period_s, rel=0.02)


def test_an_ordinary_march_is_not_told_to_slow_down():
    """100 steps/min, each knee lifted in a 0.6 s half-sine to 0.25 leg lengths (± 0.10). The way up
    and down are timed between the zones (above 0.06 → 0.12 and back): about 0.05 s in any step of
    under 1.8 s, so the tempo's 0.15 s floor flagged every step too fast and the window showed
    "Slower on the way down" after each one (a review, 2026-12-08). Now: counted, good, no cue."""
    from posture_feedback.exercises.events import RepEvent
    from posture_feedback.exercises.plan import Plan
    from posture_feedback.exercises.runner import SessionRunner

    runner = SessionRunner(Plan.single("marching", reps=10))
    events = runner.start(0.0)
    k = 0
    while runner.status.state.name != "ACTIVE":
        k += 1
        events += runner.update(k / FPS, {"left_knee_lift": 0.0, "right_knee_lift": 0.0}, View.FRONT)
    t0 = k / FPS
    for t, left, right in _half_sine_march(0.6, 1.2, 5):
        values = {"left_knee_lift": left, "right_knee_lift": right, "trunk_inclination": 3.0}
        events += runner.update(t0 + t, values, View.FRONT,
                                uncertainties={"left_knee_lift": 0.10, "right_knee_lift": 0.10})  # fmt: skip
    steps = [e for e in events if isinstance(e, RepEvent)]
    assert len(steps) == 10 and all(e.rep.counted for e in steps)
    assert [(e.rep.verdict, e.feedback) for e in steps] == [(RepVerdict.GOOD, ())] * 10


def test_a_two_frame_jump_of_a_knee_is_no_step():
    """The model's jump of one knee to 0.3 leg lengths for two frames (0.067 s): not a step, not reported."""
    defn = get_exercise("marching")
    tr = ExerciseTracker(defn)
    for k in range(60):
        left = 0.3 if k in (30, 31) else 0.0
        tr.update(k / FPS, {"left_knee_lift": left, "right_knee_lift": 0.0, "trunk_inclination": 3.0}, view_for(defn))
    assert tr.count == 0 and tr.reps == []


def test_fill_side_placeholders():
    assert fill("{side}_knee_flexion", "left") == "left_knee_flexion"
    assert fill("{other}_foot_lift", "left") == "right_foot_lift"
    assert fill("Raise the {side} arm out", "both") == "Raise both arms out"
    assert fill("Bend {side} knee", "both") == "Bend each knee"
    assert (
        get_exercise("lateral_raise")
        .instruction_for("both")
        .startswith("Stand facing the camera, arms by your sides. Raise both arms out to the side")
    )


def test_the_shoulder_blade_squeeze_is_withdrawn_with_the_reason():
    """Its only measure was the unsigned shoulder elevation, which a forward elbow raises as much as a squeeze."""
    from posture_feedback.exercises.errors import DefinitionError, PlanError
    from posture_feedback.exercises.plan import parse_plan

    assert "shoulder_blade_squeeze" not in builtin_names()
    with pytest.raises(DefinitionError, match="withdrawn: the squeeze .* cannot be seen"):
        get_exercise("shoulder_blade_squeeze")
    with pytest.raises(PlanError, match=r"exercise\[1\].name: 'shoulder_blade_squeeze' was withdrawn"):
        parse_plan('[[exercise]]\nname = "shoulder_blade_squeeze"\n')


@pytest.mark.parametrize(
    ("views", "ok"),
    [('["side"]', True), ('["front"]', True), ('["front", "back"]', True), ('["side", "front"]', False),
     ('["front", "oblique"]', False), ("[]", False)],
)  # fmt: skip
def test_shoulder_elevation_needs_a_view_that_shows_one_plane(views, ok):
    """Face-on the elevation mixes flexion and abduction: flexion needs side, abduction front/back."""
    from posture_feedback.exercises.definitions import definition_from_dict
    from posture_feedback.exercises.errors import DefinitionError
    from posture_feedback.exercises.tomlfile import Source, parse_toml

    text = f"""name = "raise"\ndescription = "x"\nkind = "reps"\nsignal = "{{side}}_shoulder_elevation"
views = {views}\n[[phases]]\nname = "down"\nmax = 20\n[[phases]]\nname = "up"\nmin = 80\n"""
    source = Source("<test>", text, DefinitionError)
    if ok:
        assert definition_from_dict(parse_toml(text, source), source).views
    else:
        with pytest.raises(DefinitionError, match="mixes flexion and abduction"):
            definition_from_dict(parse_toml(text, source), source)


def test_flexion_exercises_are_side_on_and_abduction_face_on():
    for d in list_exercises():
        if d.signal.endswith("shoulder_elevation"):
            flexion = "flexion" in d.title.lower() or "reach" in d.name
            assert d.views == (View.SIDE,) if flexion else set(d.views) <= {View.FRONT, View.BACK}, d.name


def test_the_phase_shown_before_the_start_position_says_what_the_counter_waits_for():
    """A new-user audit (2026-12-07): the window read "Now: 86° · phase: down" while "down" is ≤ 25°: the
    counter had not yet seen the start position and the waiting state took the start phase's name. By
    hand: forward reach (down ≤ 25°, up ≥ 90°, hysteresis 6°) at 86°, then 10°, then 50°, then 95°."""
    d = get_exercise("forward_reach")
    tr = ExerciseTracker(d, "left")

    def phase(t: float, v: float) -> str:
        return tr.update(t, {"left_shoulder_elevation": v}, View.SIDE).phase

    assert phase(0.0, 86.0) == "waiting for the start position (down, ≤ 25°)"
    assert phase(0.1, 40.0) == "waiting for the start position (down, ≤ 25°)"
    assert phase(0.2, 10.0) == "down"  # in the start position now
    assert phase(0.3, 28.0) == "down"  # within the hysteresis above it: still down
    assert phase(0.8, 50.0) == "moving"
    assert phase(1.5, 95.0) == "up"
    phase(2.5, 10.0)  # back: the repetition ends
    assert phase(2.6, 10.0) == "down" and tr.reps  # after a repetition it never waits again

    # counted from the person's own rest (baseline_s = 2): first the rest is measured, then the start is
    # "≥ −2° from your start" (chin tuck: relaxed ≥ −2°, tucked ≤ −6° from the rest)
    chin = get_exercise("chin_tuck")
    tr = ExerciseTracker(chin, chin.sided and "left" or "both")
    sig = fill(chin.signal, "left")
    view = chin.views[0]
    assert tr.update(0.0, {sig: 70.0}, view).phase == "measuring your relaxed position"
    assert tr.update(1.0, {sig: 70.0}, view).phase == "measuring your relaxed position"
    waiting = "waiting for the start position (relaxed, ≥ -2° from your start)"
    assert tr.update(2.1, {sig: 70.0}, view).phase == waiting  # the rest is known (70°) from 2 s on
    assert tr.update(2.2, {sig: 60.0}, view).phase == waiting  # 10° below it
    assert tr.update(2.3, {sig: 70.0}, view).phase == "relaxed"
