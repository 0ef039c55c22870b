"""A hold credits time only while every condition is *surely* in position.

Each condition is judged from its value ± its 80% uncertainty by ``targets.undecided`` (the
project's one rule for "uncertain"), with the hysteresis as the tolerance band once the condition
is in, none before: to start, the whole interval must lie inside the range; to stay, inside the
range ± hysteresis. An interval wholly outside the range is out; anything else is *unsure*: the
clock stops, no break, no "Back into position", and every display says "unsure".

Before (an audit with the real model, 2026-12-08): a value inside its range was credited whatever
its ±. A single-leg stance on the right leg of a man who never stands on it was credited 0.4 s
(left foot lift 0.1 ± 0.083 against ≥ 0.05), and an upright-sitting hold said "Hold" on a trunk
lean of −0.5 ± 25° against −10…+12°. Expectations below are worked by hand from the intervals.
"""

from __future__ import annotations

import math

import pytest

from posture_feedback.exercises.definitions import Range
from posture_feedback.exercises.events import NEUTRAL, CueEvent, HoldEvent, SetDone
from posture_feedback.exercises.holds import IN, OUT, UNSURE, HoldTimer, condition_state, wider_than_range
from posture_feedback.exercises.library import get_exercise
from posture_feedback.exercises.plan import Plan
from posture_feedback.exercises.runner import HOLD_TOO_UNCERTAIN_CUE, HOLD_UNSURE_CUE, RunnerState, SessionRunner
from posture_feedback.exercises.tracker import HOLD_TOO_UNCERTAIN, HOLD_UNSURE, ExerciseTracker
from posture_feedback.types import View

FPS = 30.0
LIFT = Range(0.05, math.inf)  # single_leg_stance: on_one_leg ≥ 0.05 leg lengths, hysteresis 0.02
LIFT_H = 0.02
LIFT_U = 0.083  # signals.DERIVED_UNCERTAINTY["foot_lift"]
UPRIGHT = Range(-10.0, 12.0)  # upright_sitting: −10…+12°, hysteresis 3°


@pytest.mark.parametrize(
    ("value", "unc", "was_in", "state"),
    [
        # [0.017, 0.183] holds 0.05: may be down or lifted (the audit's frames)
        (0.10, LIFT_U, False, UNSURE),
        # [0.057, 0.223] inside ≥ 0.05: surely lifted
        (0.14, LIFT_U, False, IN),
        # [0.037, 0.203]: inside ≥ 0.03 (the hysteresis band) once in, not inside ≥ 0.05 before
        (0.12, LIFT_U, True, IN),
        (0.12, LIFT_U, False, UNSURE),
        # a foot reading flat on the floor: [−0.083, 0.083] still reaches 0.05, so not surely down
        (0.0, LIFT_U, True, UNSURE),
        # [−0.123, 0.043]: wholly below 0.05, out however wide the ±
        (-0.04, LIFT_U, True, OUT),
        (0.10, math.nan, False, IN),  # no ± known: the value alone decides, as before
        (0.04, math.nan, True, IN),  # ... with its hysteresis
        (math.nan, LIFT_U, True, UNSURE),  # not measured: neither in nor out
    ],
)
def test_a_foot_lift_is_in_only_when_its_whole_interval_is(value, unc, was_in, state):
    assert condition_state(value, unc, LIFT, LIFT_H if was_in else 0.0) == state


@pytest.mark.parametrize(
    ("lean", "unc", "state"),
    [(-0.5, 25.0, UNSURE), (40.0, 25.0, OUT), (2.0, 5.0, IN), (9.0, 5.0, UNSURE), (-18.0, 5.0, OUT)],
)
def test_upright_sitting_band_against_the_trunk_lean_interval(lean, unc, state):
    """−0.5 ± 25°: [−25.5, 24.5] holds both −10…12° and beyond: unsure. 40 ± 25: [15, 65] is above
    12°: out. 2 ± 5: [−3, 7] inside: in. 9 ± 5: [4, 14] crosses 12°: unsure. −18 ± 5: out."""
    assert condition_state(lean, unc, UPRIGHT, 0.0) == state


def test_a_band_narrower_than_the_uncertainty_can_never_be_entered():
    """2 × 25° > 22° (the band's width): no trunk lean could be confirmed upright. One-sided ranges
    (the foot lift) never are too narrow; an unknown ± says nothing."""
    assert wider_than_range(25.0, UPRIGHT, 0.0)
    assert wider_than_range(12.0, UPRIGHT, 0.0) and not wider_than_range(12.0, UPRIGHT, 3.0)  # 24 > 22, < 28
    assert not wider_than_range(10.0, UPRIGHT, 0.0)
    assert not wider_than_range(1.0, LIFT, 0.0) and not wider_than_range(math.nan, UPRIGHT, 0.0)


def _feed(h: HoldTimer, t0: float, seconds: float, value: float, unc: float) -> tuple[list[str], float]:
    events = []
    n = round(seconds * FPS)
    for k in range(n):
        events += h.update(t0 + k / FPS, {"lift": value}, {"lift": unc})
    return events, t0 + n / FPS


def test_a_stance_is_timed_only_while_surely_lifted_and_broken_only_when_surely_down():
    """30 fps, foot lift ± 0.083 against ≥ 0.05 (hysteresis 0.02), 0.3 s to break:
    0–1 s 0.14 (in) · 1–2 s 0.10 (unsure) · 2–3 s 0.20 (in) · 3–4 s 0.0 (unsure: no break) ·
    4–4.5 s −0.05 ([−0.133, 0.033]: out). Held: 1 s + 1 s (each block's last interval belongs to
    its last frame) = 2.0 s; unsure 2.0 s; the break comes at 4.3 s (nine out intervals = 0.3 s),
    dated from 4.0 s, after 2.0 s held."""
    h = HoldTimer([("lift", LIFT)], target_s=30.0, hysteresis=LIFT_H, min_break_s=0.3)
    events, t = [], 0.0
    for seconds, value in ((1.0, 0.14), (1.0, 0.10), (1.0, 0.20), (1.0, 0.0)):
        ev, t = _feed(h, t, seconds, value, LIFT_U)
        events += ev
        if value == 0.0:
            assert h.state == UNSURE and h.breaks == 0  # a reading of 0 ± 0.083 may still be 0.05 up
    ev, t = _feed(h, t, 0.5, -0.05, LIFT_U)
    events += ev
    st = h.status()
    assert events == ["started", "broken"]  # no "resumed": the unsure second was never a break
    assert st.held_s == pytest.approx(2.0)
    assert st.unsure_s == pytest.approx(2.0)
    assert st.first_break_t == pytest.approx(4.0) and st.time_to_first_break_s == pytest.approx(2.0)
    assert st.longest_s == pytest.approx(2.0)  # the unsure second stopped the clock, it did not end the stretch
    assert st.state == OUT and st.failing == ("lift",) and st.judged


def test_the_audited_reading_credits_nothing():
    """The audit's frames: 0.10 ± 0.083 for 1 s. Before: 1 s held and "started" (the value is in
    ≥ 0.05). Now: nothing credited, nothing said, the state is unsure; the same reading without a
    ± is still credited (the value alone decides when nothing is known of its error)."""
    h = HoldTimer([("lift", LIFT)], target_s=30.0, hysteresis=LIFT_H)
    events, _ = _feed(h, 0.0, 1.0, 0.10, LIFT_U)
    assert events == [] and h.held_s == 0.0 and h.state == UNSURE
    assert h.status().unsure_s == pytest.approx(29 / FPS) and h.status().unsure == ("lift",)
    h = HoldTimer([("lift", LIFT)], target_s=30.0, hysteresis=LIFT_H)
    events, _ = _feed(h, 0.0, 1.0, 0.10, math.nan)
    assert events == ["started"] and h.held_s == pytest.approx(29 / FPS)


def test_every_condition_must_be_surely_in_and_one_surely_out_is_out():
    """Two conditions: the hold is in only when both are; one out makes it out even if the other
    is unsure; otherwise unsure."""
    h = HoldTimer([("a", Range(0.0, 10.0)), ("b", Range(0.0, 10.0))], target_s=30.0, hysteresis=1.0)
    h.update(0.0, {"a": 5.0, "b": 5.0}, {"a": 1.0, "b": 1.0})
    assert h.state == IN
    h.update(0.1, {"a": 5.0, "b": 10.5}, {"a": 1.0, "b": 3.0})  # b: [7.5, 13.5] crosses 11
    assert h.state == UNSURE and h.status().unsure == ("b",)
    h.update(0.2, {"a": 20.0, "b": 10.5}, {"a": 1.0, "b": 3.0})  # a: [19, 21] wholly out
    assert h.state == OUT and h.status().failing == ("a",) and h.status().unsure == ("b",)
    assert h.held_s == pytest.approx(0.1)


def test_a_hold_surely_out_on_one_condition_is_not_called_too_uncertain_to_time():
    """Two conditions for 2 s at 30 fps: a 20 ± 1 against 0–10 (wholly out), b 5 ± 20 against 0–10
    (2 × 20 > 10 + 2 × 1: wider than its band). The hold is out, shown "out" every frame; the
    summary said "held 0.0 s of 30 s, breaks 0, 2.0 s of it too uncertain to time at all" beside
    0.0 s unsure (a review, 2026-12-08): the too-uncertain seconds were counted while out."""
    from posture_feedback.commands.exercise import hold_text

    h = HoldTimer([("a", Range(0.0, 10.0)), ("b", Range(0.0, 10.0))], target_s=30.0, hysteresis=1.0)
    for k in range(61):
        h.update(k / FPS, {"a": 20.0, "b": 5.0}, {"a": 1.0, "b": 20.0})
        assert h.state == OUT and h.too_uncertain is None
    st = h.status()
    assert st.out_s == pytest.approx(2.0) and st.unsure_s == 0.0 and st.too_uncertain_s == 0.0
    assert hold_text(st) == "held 0.0 s of 30 s, breaks 0"
    # the same ± with the other condition in position: unsure, and too uncertain to time
    h.update(61 / FPS, {"a": 5.0, "b": 5.0}, {"a": 1.0, "b": 20.0})
    h.update(62 / FPS, {"a": 5.0, "b": 5.0}, {"a": 1.0, "b": 20.0})
    assert h.state == UNSURE and h.too_uncertain is not None
    assert h.status().too_uncertain_s == pytest.approx(1 / FPS) == h.status().unsure_s


def test_the_tracker_says_unsure_and_why_never_a_phase_or_out():
    single = ExerciseTracker(get_exercise("single_leg_stance"), "right")
    upd = single.update(0.0, {"left_foot_lift": 0.10, "right_foot_lift": -0.10}, View.FRONT, None,
                        {"left_foot_lift": LIFT_U, "right_foot_lift": LIFT_U})  # fmt: skip
    assert upd.hold_state == UNSURE and upd.phase == HOLD_UNSURE and upd.hold_events == []
    assert single.hold_note() == "The camera cannot tell whether you are in position: the clock waits"
    sitting = ExerciseTracker(get_exercise("upright_sitting"))
    upd = sitting.update(0.0, {"trunk_forward_lean": -0.5}, View.SIDE, None, {"trunk_forward_lean": 25.0})
    assert upd.hold_state == UNSURE and upd.phase == HOLD_TOO_UNCERTAIN and upd.hold_events == []
    assert sitting.hold_note() == (
        "The camera cannot measure your trunk forward lean precisely enough to time this hold: ±25° against -10 to 12°"
    )
    upd = sitting.update(0.1, {"trunk_forward_lean": 2.0}, View.SIDE, None, {"trunk_forward_lean": 5.0})
    assert upd.hold_state == IN and upd.phase == "upright" and upd.hold_events == ["started"]
    assert sitting.hold_note() == ""


def _run(plan: Plan, frames, until: float, view: View):
    """Drive a real runner at 30 fps; ``frames(t)`` → (values, uncertainties)."""
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    statuses = []
    for k in range(int(until * FPS) + 1):
        t = k / FPS
        if runner.state is RunnerState.DONE:
            break
        values, unc = frames(t)
        events += runner.update(t, values, view, uncertainties=unc)
        statuses.append((t, runner.status))
    return runner, events, statuses


def test_a_hold_too_uncertain_to_time_says_so_plainly_and_never_hold():
    """Upright sitting, side-on, trunk lean −0.5 ± 25° for 5 s (the audit's reading): no "Hold",
    no clock, and after 2 s the person is told, in the neutral tone, that the camera cannot time
    the hold; the status says unsure with the reason, every frame."""
    runner, events, statuses = _run(
        Plan.single("upright_sitting", hold_s=30.0),
        lambda t: ({"trunk_forward_lean": -0.5}, {"trunk_forward_lean": 25.0}), 5.0, View.SIDE,
    )  # fmt: skip
    assert not [e for e in events if isinstance(e, HoldEvent)]
    cues = [e for e in events if isinstance(e, CueEvent)]
    assert cues and {c.text for c in cues} == {HOLD_TOO_UNCERTAIN_CUE}
    assert all(c.source == "measurement" and c.tone == NEUTRAL and c.speech == c.text for c in cues)
    assert cues[0].t == pytest.approx(2.0, abs=1.5 / FPS)
    active = [st for t, st in statuses if st.state is RunnerState.ACTIVE]
    assert all(st.hold_state == UNSURE and st.phase == HOLD_TOO_UNCERTAIN and st.held_s == 0.0 for st in active)
    assert "±25°" in active[-1].hold_note and "-10 to 12°" in active[-1].hold_note
    done = runner.stop(5.1)
    result = [e for e in done if isinstance(e, SetDone)][0].result
    assert not result.hold.judged and result.hold.too_uncertain_s == pytest.approx(5.0, abs=2 / FPS)


def test_a_balance_is_lost_only_when_the_foot_is_surely_down():
    """Single-leg stance on the left leg (the right foot lifted), foot lift ± 0.083: 0–3 s at 0.20
    (surely lifted), 3–6 s at 0.0 (flat? [−0.083, 0.083] still reaches 0.05: unsure), 6–8 s at
    −0.05 (surely down). No "Balance lost" and no "Back into position" while unsure, only the
    neutral "cannot tell"; the loss comes 0.3 s into the surely-down reading, dated 6.0 s, after
    3.0 s balanced (before, 0.0 ± 0.083 was never "surely out" and the loss was never timed)."""

    def lift(t):
        v = 0.20 if t < 3.0 else (0.0 if t < 6.0 else -0.05)
        return {"right_foot_lift": v, "left_foot_lift": -v}, {"right_foot_lift": LIFT_U, "left_foot_lift": LIFT_U}

    runner, events, _ = _run(Plan.single("single_leg_stance", side="left", hold_s=30.0), lift, 8.0, View.FRONT)
    holds = [(e.kind, round(e.t, 2)) for e in events if isinstance(e, HoldEvent)]
    assert holds[0] == ("started", 0.0) and ("broken", 6.3) in holds
    assert not [k for k, t in holds if k == "broken" and t < 6.3]
    cues = [e for e in events if isinstance(e, CueEvent)]
    assert [c.text for c in cues] == [HOLD_UNSURE_CUE] and 5.0 <= cues[0].t < 6.0  # 2 s into the unsure reading
    done = [e for e in events if isinstance(e, SetDone)][0]
    assert done.result.end_reason == "balance_lost" and done.speech == "You balanced for 3 seconds"
    assert done.result.hold.first_break_t == pytest.approx(6.0, abs=1 / FPS)
    assert done.result.hold.time_to_first_break_s == pytest.approx(3.0, abs=1.5 / FPS)


def test_a_hold_the_camera_could_not_judge_is_stored_unsure_not_poor(tmp_path):
    """Into a real SQLite file: an upright-sitting set spent too uncertain to time (−0.5 ± 25°) is
    stored as quality "unsure" (it is no verdict on the person, as an unsure repetition is not); the
    same set surely slouched (30 ± 5°: [25, 35] above 12°) stays "poor"."""
    from datetime import datetime, timezone

    from posture_feedback.storage import Database
    from posture_feedback.storage.recorder import SessionRecorder

    db = Database(tmp_path / "pf.sqlite3")
    pid = db.create_profile("Ann").id
    for lean, unc in ((-0.5, 25.0), (30.0, 5.0)):
        recorder = SessionRecorder(db, pid, source="simulated", started_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
                                   signals={"upright_sitting": "trunk_forward_lean"})  # fmt: skip
        runner, events, _ = _run(
            Plan.single("upright_sitting", hold_s=30.0),
            lambda t, lean=lean, unc=unc: ({"trunk_forward_lean": lean}, {"trunk_forward_lean": unc}), 4.0, View.SIDE,
        )  # fmt: skip
        for e in events + runner.stop(4.1):
            recorder.handle(e)
        recorder.close(status="aborted")
    sessions = sorted(db.sessions_between(pid), key=lambda s: s.id)
    stored = [[r.quality for st in db.get_session(s.id).sets for r in st.repetitions] for s in sessions]
    assert stored == [["unsure"], ["poor"]]
    db.close()


def test_a_range_with_a_negative_bound_reads_with_to():
    """Audit 30: the exercise window read "Target: trunk forward lean -10–12°", which reads as minus 10 to
    minus 12. A range with a negative bound is written with "to"; a positive one keeps its dash."""
    assert Range(-10.0, 12.0).describe("trunk forward lean") == "trunk forward lean -10 to 12°"
    assert Range(-20.0, -5.0).describe() == "-20 to -5°"
    assert Range(80.0, 180.0).describe("each shoulder elevation") == "each shoulder elevation 80–180°"
    assert Range(high=-6.0).describe("head forward lean") == "head forward lean ≤ -6°"
