"""Count only what is seen: reps, holds and measurements pause outside an exercise's views, and
the hint says how to turn. Constructed traces (hand-worked times) and the real model on a sample."""

from __future__ import annotations

import pytest
from exercise_traces import FPS, piecewise

from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.tracker import ExerciseTracker
from posture_feedback.exercises.viewing import turn_hint, view_ok
from posture_feedback.types import View

F, B, S, OB, U = View.FRONT, View.BACK, View.SIDE, View.OBLIQUE, View.UNKNOWN


@pytest.mark.parametrize(
    ("required", "current", "side", "hint"),
    [
        ((S,), S, "left", None),
        ((S,), F, "left", "Counting paused: turn a quarter turn, side-on to the camera, your left side towards it"),
        ((S,), B, "both", "Counting paused: turn a quarter turn, side-on to the camera"),
        ((S,), OB, "right",
         "Counting paused: turn a little further, side-on to the camera, your right side towards it"),
        ((F, B), S, "left", "Counting paused: turn a quarter turn to face the camera"),
        ((F, B), OB, "left", "Counting paused: turn a little more towards the camera"),
        ((F,), B, "left", "Counting paused: turn round to face the camera"),
        ((F, B), B, "left", None),
        ((S,), U, "left", "Step into view of the camera"),
        ((), U, "left", "Step into view of the camera"),
        ((), OB, "left", None),
    ],
)  # fmt: skip
def test_turn_hint_names_the_nearest_required_view(required, current, side, hint):
    assert turn_hint(required, current, side) == hint
    assert view_ok(required, current) is (hint is None)


@pytest.mark.parametrize(
    ("required", "azimuth", "hint"),
    [
        ((F,), 126.0, "Counting paused: turn round to face the camera"),
        ((F,), -45.0, "Counting paused: turn a little more towards the camera"),
        ((F, B), 126.0, "Counting paused: turn a little further, your back to the camera"),
        ((S,), 140.0, "Counting paused: turn a little further, side-on to the camera"),
    ],
)  # fmt: skip
def test_an_oblique_view_from_behind_is_far_from_the_front(required, azimuth, hint):
    """Oblique spans 30–60° and 120–150° (view.py). Seen from behind at 126° (the accuracy set's
    cam04), "turn a little more towards the camera" was said (a fifth audit): it is half a turn."""
    assert turn_hint(required, OB, "both", azimuth) == hint


def _forward_reach_values(v: float) -> dict[str, float]:
    return {"left_shoulder_elevation": v, "trunk_inclination": 0.0, "left_elbow_flexion": 0.0}


def test_a_rep_done_in_the_wrong_view_is_not_counted():
    """Forward reach (side-on): the same rep is counted side-on and ignored face-on."""
    defn = get_exercise("forward_reach")
    trace = piecewise([(0, 10), (1, 10), (3, 120), (4, 120), (6, 10), (7, 10)])
    for view, count in ((S, 1), (F, 0), (OB, 0), (U, 0)):
        tr = ExerciseTracker(defn, "left")
        updates = [tr.update(t, _forward_reach_values(v), view) for t, v in trace]
        assert tr.count == count, view
        assert all(u.counting is (view is S) for u in updates)
        if view is F:
            assert updates[-1].turn_hint == (
                "Counting paused: turn a quarter turn, side-on to the camera, your left side towards it"
            )


def test_a_rep_interrupted_by_a_turn_waits_and_its_tempo_excludes_the_pause():
    """Up 1→3 s side-on, face-on 3.5–8.5 s (paused), down 9→11 s side-on: counted; the way out
    took 2 s, the way back 2 s; start and end on the caller's clock."""
    defn = get_exercise("forward_reach")
    trace = piecewise([(0, 10), (1, 10), (3, 120), (9, 120), (11, 10), (12, 10)])
    tr = ExerciseTracker(defn, "left")
    reps = []
    for t, v in trace:
        view = F if 3.5 <= t < 8.5 else S
        reps += tr.update(t, _forward_reach_values(v), view).reps
    assert tr.count == 1 and len(reps) == 1
    (rep,) = reps
    assert tr.paused_s == pytest.approx(5.0, abs=1.01 / FPS)
    leaves_start = 25 + 6  # start bound + hysteresis (forward_reach.toml); the trace rises 55°/s
    assert rep.start_t == pytest.approx(1 + (leaves_start - 10) / 55, abs=1.5 / FPS)
    assert rep.end_t == pytest.approx(9 + (120 - 25) / 55, abs=1.5 / FPS)
    assert rep.out_s < 2.5 and rep.back_s < 2.5  # not the 5 s pause
    assert rep.duration_s == pytest.approx(rep.end_t - rep.start_t)


def test_a_hold_grows_only_while_its_view_holds_and_a_missing_person_pauses_it():
    """Upright sitting hold (side-on), trunk upright throughout: side 0–4 s, front 4–10 s,
    nobody 10–12 s, side 12–20 s → 4 + 8 = 12 s held (hand count), never broken."""
    defn = get_exercise("upright_sitting")
    tr = ExerciseTracker(defn, hold_s=100.0)
    values = {"trunk_forward_lean": 2.0, "trunk_inclination": 2.0, "head_forward_lean": 35.0}
    for k in range(int(20 * FPS) + 1):
        t = k / FPS
        if 10 <= t < 12:
            tr.pause(t)
            continue
        upd = tr.update(t, values, F if 4 <= t < 10 else S)
        assert upd.counting is not (4 <= t < 10)
    st = tr.hold_status()
    assert st.held_s == pytest.approx(12.0, abs=2.01 / FPS)
    assert st.breaks == 0
    assert tr.paused_s == pytest.approx(8.0, abs=2.01 / FPS)


def test_compensation_time_accrues_only_while_counting():
    """Trunk leaning 40° (allowed ≤ 15° in the "up" phase) the whole time; the arm leaves the start
    zone (31°) at 1 + 21/110 s; side-on until 3 s, face-on after: 3 − 1.19 = 1.81 s of leaning."""
    defn = get_exercise("forward_reach")
    tr = ExerciseTracker(defn, "left")
    for t, v in piecewise([(0, 10), (1, 10), (2, 120), (5, 120)]):
        tr.update(t, _forward_reach_values(v) | {"trunk_inclination": 40.0}, S if t < 3 else F)
    assert tr.faults_s["trunk_leaning"] == pytest.approx(3 - (1 + 21 / 110), abs=2.01 / FPS)


def test_runner_status_says_counting_is_paused_and_how_to_turn():
    """Lateral raise (front/back) seen side-on for 10 s, then face-on: 5-s raises count only face-on."""
    from posture_feedback.exercises.events import CueEvent, RepEvent
    from posture_feedback.exercises.plan import Plan
    from posture_feedback.exercises.runner import SessionRunner

    plan = Plan.single("lateral_raise", side="left", reps=10)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    statuses = []
    cycle = [(0.0, 10.0), (1.0, 10.0), (2.5, 100.0), (3.0, 100.0), (4.5, 10.0), (5.0, 10.0)]
    one = piecewise(cycle)
    for k in range(4):  # four raises, 0–20 s
        for t, v in one[:-1]:
            tt = 5.0 * k + t
            view = S if tt < 10 else F
            values = {"left_shoulder_elevation": v, "left_shoulder_hike": 0.0, "trunk_lean_right": 0.0}
            events += runner.update(tt, values, view)
            statuses.append((tt, runner.status))
    reps = [e.rep for e in events if isinstance(e, RepEvent)]
    assert [r.counted for r in reps] == [True, True] and all(r.start_t >= 10 for r in reps)
    paused = [s for tt, s in statuses if tt < 10]
    assert all(not s.counting for s in paused)
    assert {s.turn_hint for s in paused} == {"Counting paused: turn a quarter turn to face the camera"}
    assert all(s.counting and s.turn_hint is None for tt, s in statuses if tt >= 10)
    cues = [e for e in events if isinstance(e, CueEvent) and e.source == "view"]
    assert cues and cues[0].text == "Counting paused: turn a quarter turn to face the camera"
