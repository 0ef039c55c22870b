"""The session runner on a simulated clock: instruction, countdown, reps, rest, sides, skip,
pause, cues, balance loss, speech, and feeding real FrameResult objects."""

from __future__ import annotations

import numpy as np
import pytest

from posture_feedback.exercises.events import (
    CountEvent,
    CueEvent,
    ExerciseDone,
    HoldEvent,
    InstructionEvent,
    PauseEvent,
    RepEvent,
    RestEvent,
    SessionDone,
    SetDone,
)
from posture_feedback.exercises.plan import Plan, parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.exercises.speech import NullSpeaker
from posture_feedback.types import ANGLE_NAMES, AngleTable, Frame, FrameResult, Landmarks, View

FPS = 30.0
CYCLE = ([0.0, 1.0, 2.5, 3.0, 4.5, 5.0], [10.0, 10.0, 100.0, 100.0, 10.0, 10.0])  # one lateral raise, 5 s


class Patient:
    """Does raises (left and right arms) from each "go" on; between sets the arm rests."""

    def __init__(self, cycle=CYCLE, extra=None):
        self.cycle = cycle
        self.go: float | None = None
        self.extra = extra or {}

    def __call__(self, t: float, runner: SessionRunner) -> dict[str, float]:
        if runner.state is RunnerState.ACTIVE:
            if self.go is None:
                self.go = t
            phase = (t - self.go) % self.cycle[0][-1]
            v = float(np.interp(phase, *self.cycle))
        else:
            self.go, v = None, 10.0
        return {"left_shoulder_elevation": v, "right_shoulder_elevation": v, "trunk_inclination": 2.0, **self.extra}


def drive(runner, patient, until, t0=0.0, view=View.FRONT, actions=None, start=True):
    """Run frames at 30 fps from t0 to ``until`` (or the end); ``actions``: {time: fn(runner, t)};
    ``view``: a View, or fn(t, runner) -> View."""
    events = runner.start(t0) if start else []
    actions = dict(actions or {})
    for k in range(int((until - t0) * FPS) + 1):
        t = t0 + k / FPS
        for at in sorted(a for a in actions if t >= a):
            events += actions.pop(at)(runner, t)
        if runner.state is RunnerState.DONE:
            break
        events += runner.update(t, patient(t, runner), view(t, runner) if callable(view) else view)
    return events


def kinds(events):
    out = []
    for e in events:
        name = type(e).__name__
        if isinstance(e, CountEvent):
            name += str(e.remaining)
        out.append(name)
    return out


PLAN = """\
countdown_s = 3
instruction_s = 4
rest_between_s = 6

[[exercise]]
name = "lateral_raise"
side = "left"
sets = 2
reps = 2
rest_s = 5
"""


def test_full_flow_of_one_exercise():
    runner = SessionRunner(parse_plan(PLAN))
    events = drive(runner, Patient(), until=100)
    assert kinds(events) == [
        "InstructionEvent", "CountEvent3", "CountEvent2", "CountEvent1", "CountEvent0", "RepEvent", "RepEvent",
        "SetDone", "RestEvent", "CountEvent3", "CountEvent2", "CountEvent1", "CountEvent0", "RepEvent", "RepEvent",
        "SetDone", "ExerciseDone", "SessionDone",
    ]  # fmt: skip
    t = {kinds(events)[i] + f"#{i}": e.t for i, e in enumerate(events)}
    assert t["CountEvent3#1"] == pytest.approx(4.0, abs=1.5 / FPS)  # after the instruction
    assert t["CountEvent0#4"] == pytest.approx(7.0, abs=1.5 / FPS)
    assert t["CountEvent3#9"] - t["RestEvent#8"] == pytest.approx(5.0, abs=1.5 / FPS)  # the rest
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert [e.count for e in reps] == [1, 2, 1, 2] and all(e.rep.counted for e in reps)
    assert [e.speech for e in reps] == ["1", "2", "1", "2"]
    done = events[-1]
    assert isinstance(done, SessionDone) and runner.state is RunnerState.DONE
    sets = done.result.sets
    assert [(s.set_number, s.count, s.end_reason, s.side) for s in sets] == [(1, 2, "complete", "left")] * 1 + [
        (2, 2, "complete", "left")
    ]
    instr = events[0]
    assert isinstance(instr, InstructionEvent) and "left arm" in instr.text and instr.speech.startswith("Lateral raise")


def test_each_side_in_turn_gets_its_own_instruction():
    plan = Plan.single("forward_reach", side="both", sets=1, reps=2, rest_s=3)
    plan.instruction_s, plan.countdown_s = 2.0, 1.0
    runner = SessionRunner(plan)
    events = drive(runner, Patient(), until=80, view=View.SIDE)
    instr = [e for e in events if isinstance(e, InstructionEvent)]
    assert [e.side for e in instr] == ["left", "right"]
    assert "right arm" in instr[1].text
    assert [(s.side, s.count) for s in runner.result.sets] == [("left", 2), ("right", 2)]
    assert kinds(events).count("ExerciseDone") == 1


def test_two_exercises_rest_between_and_announce_the_next():
    text = PLAN.replace("sets = 2", "sets = 1") + '\n[[exercise]]\nname = "upright_sitting"\nhold_s = 3\n'
    runner = SessionRunner(parse_plan(text))
    patient = Patient(extra={"trunk_forward_lean": 2.0})
    seen = {}

    def view(t, r):  # front for the raises and the first 4 s of the hold, then side-on
        if r.status.exercise == "upright_sitting" and r.state is RunnerState.ACTIVE:
            seen.setdefault("hold_t0", t)
            return View.SIDE if t - seen["hold_t0"] >= 4.0 else View.FRONT
        return View.FRONT

    events = drive(runner, patient, until=100, view=view)
    rests = [e for e in events if isinstance(e, RestEvent)]
    assert len(rests) == 1 and rests[0].duration_s == 6 and rests[0].next_title == "Upright sitting hold"
    assert "Next: Upright sitting hold" in rests[0].speech
    holds = [e.kind for e in events if isinstance(e, HoldEvent)]
    assert holds[0] == "started" and holds[-1] == "complete"
    last_set = runner.result.sets[-1]
    assert last_set.exercise == "upright_sitting" and last_set.end_reason == "complete"
    assert last_set.hold.held_s == pytest.approx(3.0, abs=1.5 / FPS)
    # the wrong view (front, upright sitting needs side) was cued, and not counted: the hold ends
    # 4 s (front) + 3 s (side) after it began
    assert any(isinstance(e, CueEvent) and e.source == "view" and "side-on" in e.text for e in events)
    done = [e for e in events if isinstance(e, SetDone)][-1]
    assert done.t - seen["hold_t0"] == pytest.approx(7.0, abs=2 / FPS)


def test_skip_abandons_the_exercise_and_moves_on():
    text = PLAN + '\n[[exercise]]\nname = "chin_tuck"\nreps = 3\n'
    runner = SessionRunner(parse_plan(text))
    events = drive(runner, Patient(), until=12, actions={9.0: lambda r, t: r.skip(t)})
    i = kinds(events).index("ExerciseDone")
    assert kinds(events)[i - 1 : i + 2] == ["SetDone", "ExerciseDone", "InstructionEvent"]
    assert events[i - 1].result.end_reason == "skipped"
    assert events[i].skipped and events[i + 1].exercise == "chin_tuck"
    assert runner.result.skipped == (0,)


def test_advance_ends_the_instruction_and_the_rest_early():
    runner = SessionRunner(parse_plan(PLAN))
    events = drive(runner, Patient(), until=1.0, actions={0.5: lambda r, t: r.advance(t)})
    assert kinds(events)[:2] == ["InstructionEvent", "CountEvent3"]
    assert events[1].t == pytest.approx(0.5, abs=1.5 / FPS)


def test_pause_freezes_holds_and_timers():
    plan = Plan.single("upright_sitting", hold_s=10.0)
    plan.instruction_s, plan.countdown_s = 1.0, 1.0
    runner = SessionRunner(plan)
    patient = Patient(extra={"trunk_forward_lean": 2.0})
    events = drive(
        runner, patient, until=60, view=View.SIDE,
        actions={5.0: lambda r, t: r.pause(t), 25.0: lambda r, t: r.resume(t)},
    )  # fmt: skip
    pauses = [e for e in events if isinstance(e, PauseEvent)]
    assert [p.paused for p in pauses] == [True, False] and pauses[0].speech == "Paused"
    done = [e for e in events if isinstance(e, SetDone)][0]
    # active from t=2; 3 s held before the pause, 7 s after it: complete at 25 + 7 = 32 s
    assert done.t == pytest.approx(32.0, abs=2 / FPS)
    assert done.result.hold.held_s == pytest.approx(10.0, abs=1.5 / FPS)
    assert done.result.hold.breaks == 0


def test_nobody_in_view_is_cued_after_the_grace_time():
    plan = Plan.single("lateral_raise", reps=2)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan, view_grace_s=2.0)
    events = runner.start(0.0)
    for k in range(int(5 * FPS)):
        events += runner.update(k / FPS, None, person=False)
    cues = [e for e in events if isinstance(e, CueEvent)]
    assert len(cues) == 1 and cues[0].source == "person" and cues[0].t == pytest.approx(2.0, abs=1.5 / FPS)


def test_compensation_cues_are_debounced_and_spaced():
    plan = Plan.single("lateral_raise", side="left", reps=50)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan, cue_interval_s=4.0, cue_repeat_s=8.0, cue_debounce_s=0.5)
    hitch = Patient(extra={"left_shoulder_hike": 20.0})  # the shoulder hitched all along
    events = drive(runner, hitch, until=20.0)
    cues = [e for e in events if isinstance(e, CueEvent)]
    assert all(c.source == "shoulder_hitch" and "shoulder down" in c.text for c in cues)
    # checked only while moving (phase "up"): from 1.35 s to 4.25 s of every 5 s raise; seen for 0.5 s
    # before the first cue, then not again within 8 s: the next raise that starts after 9.85 s is at 11.35 s
    assert [c.t for c in cues] == pytest.approx([1.85, 11.85], abs=2 / FPS)


def test_bad_form_reps_are_not_counted_and_say_why():
    plan = Plan.single("lateral_raise", side="left", reps=3)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan, time_limit_s=30.0)
    half = ([0.0, 1.0, 2.5, 3.0, 4.5, 5.0], [10.0, 10.0, 55.0, 55.0, 10.0, 10.0])
    events = drive(runner, Patient(cycle=half), until=40.0)
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert len(reps) == 6 and not any(e.rep.counted for e in reps)
    assert reps[0].speech == "Lift your arm higher, to shoulder height"
    done = [e for e in events if isinstance(e, SetDone)][0]
    assert done.result.end_reason == "time_limit" and done.result.count == 0


def test_balance_lost_ends_the_set_with_the_time():
    plan = Plan.single("single_leg_stance", side="left", hold_s=30.0)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan)
    lift = lambda t, r: {"right_foot_lift": 0.2 if t < 7.0 else 0.0}  # noqa: E731
    events = drive(runner, lift, until=20.0)
    done = [e for e in events if isinstance(e, SetDone)][0]
    assert done.result.end_reason == "balance_lost"
    assert done.result.hold.time_to_first_break_s == pytest.approx(7.0, abs=2 / FPS)
    assert done.speech == "You balanced for 7 seconds" or done.speech == "You balanced for 6 seconds"
    assert [e.kind for e in events if isinstance(e, HoldEvent)][:2] == ["started", "progress"]


def test_speaker_gets_every_spoken_text_in_order():
    speaker = NullSpeaker()
    runner = SessionRunner(parse_plan(PLAN), speaker=speaker)
    events = drive(runner, Patient(), until=100)
    assert speaker.spoken == [e.speech for e in events if e.speech]
    assert speaker.spoken[1:5] == ["3", "2", "1", "Go"] and speaker.spoken[-1] == "Session complete. Well done"


def test_status_reports_remaining_times():
    runner = SessionRunner(parse_plan(PLAN))
    runner.start(0.0)
    runner.tick(1.0)
    st = runner.status
    assert st.state is RunnerState.INSTRUCTION and st.remaining_s == pytest.approx(3.0)
    assert (st.exercise, st.side, st.set_number, st.sets, st.target_reps) == ("lateral_raise", "left", 1, 2, 2)
    runner.tick(4.0)
    runner.tick(5.0)
    assert runner.status.state is RunnerState.COUNTDOWN and runner.status.remaining_s == pytest.approx(2.0)


def _result(t: float, elevation: float, person: bool = True) -> FrameResult:
    frame = Frame(np.zeros((480, 640, 3), np.uint8), int(t * FPS), t, 0.0)
    if not person:
        return FrameResult(frame=frame)
    values = np.full(len(ANGLE_NAMES), np.nan)
    values[ANGLE_NAMES.index("left_shoulder_elevation")] = elevation
    values[ANGLE_NAMES.index("shoulder_tilt")] = 0.0
    angles = AngleTable(values, ~np.isnan(values), np.full(len(ANGLE_NAMES), 2.0))
    pts = {"left_shoulder": (360, 150), "right_shoulder": (280, 150), "left_hip": (350, 300), "right_hip": (290, 300)}
    return FrameResult(frame=frame, landmarks=Landmarks.from_points(pts), view=View.FRONT, angles=angles,
                       target_index=0)  # fmt: skip


def test_feed_accepts_pipeline_results():
    plan = Plan.single("lateral_raise", side="left", sets=1, reps=2)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    for k in range(int(12 * FPS)):
        t = k / FPS
        events += runner.feed(_result(t, float(np.interp(t % 5.0, *CYCLE)), person=not 6.0 < t < 6.5))
    assert [e.count for e in events if isinstance(e, RepEvent)] == [1, 2]
    assert isinstance(events[-1], SessionDone)
    assert isinstance(events[-2], ExerciseDone)


def test_runner_refuses_to_start_twice():
    runner = SessionRunner(parse_plan(PLAN))
    runner.start(0.0)
    with pytest.raises(RuntimeError):
        runner.start(1.0)


def test_update_accepts_an_angle_table():
    plan = Plan.single("lateral_raise", side="left", sets=1, reps=1)
    plan.instruction_s, plan.countdown_s = 0.0, 0.0
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    for k in range(int(5 * FPS)):
        t = k / FPS
        r = _result(t, float(np.interp(t, *CYCLE)))
        events += runner.update(t, r.angles, r.view, r.landmarks)
    assert [e.count for e in events if isinstance(e, RepEvent)] == [1]


@pytest.mark.parametrize(
    ("people", "expected"), [(0, "Step into view"), (2, "2 people in view: click the one to follow")]
)
def test_nobody_followed_says_what_to_do(people, expected):
    """With nobody followed, the session cue is "Step into view" only when nobody is in view."""
    runner = SessionRunner(parse_plan(PLAN))
    events = runner.start(0.0)
    for k in range(int(30 * FPS)):
        t = k / FPS
        events += runner.update(t, None, View.UNKNOWN, person=False, people=people)
    cues = [e.text for e in events if isinstance(e, CueEvent) and e.source == "person"]
    assert cues and all(c.startswith(expected) for c in cues), cues
