"""The plan's feedback schedule decides what the patient is told, never what is counted or stored:
concurrent (every rep), bandwidth (silent inside the tolerance band), summary (knowledge of results
after each set), faded over the plan's sessions. Driven with constructed shoulder-elevation traces
whose peaks are known: 100° (inside the 80–180° target), 72° (8° short), 55° (25° short)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_feedback.exercises.events import CueEvent, RepEvent, SetDone
from posture_feedback.exercises.feedback_schedule import FeedbackFilter
from posture_feedback.exercises.plan import FeedbackSchedule, parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.types import View

FPS = 30.0
PLAN = ('title = "Raises"\ncountdown_s = 0\ninstruction_s = 0\n{feedback}\n[[exercise]]\nname = "lateral_raise"\n'
        'side = "left"\nsets = 1\nreps = 3\n')  # fmt: skip


def run(top: float, feedback: str = "", session: int = 1, down_at: float = 4.5) -> tuple[list, list]:
    """(runner events, events as told) for three raises to ``top`` degrees (2.5 s up, down from 3 s
    to ``down_at`` s)."""
    plan = parse_plan(PLAN.format(feedback=feedback))
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    cycle = ([0.0, 1.0, 2.5, 3.0, down_at, 5.0], [10.0, 10.0, top, top, 10.0, 10.0])
    for k in range(int(16 * FPS)):
        t = k / FPS
        if runner.state is RunnerState.DONE:
            break
        v = float(np.interp(t % 5.0, *cycle))
        events += runner.update(t, {"left_shoulder_elevation": v, "left_shoulder_hike": 0.0,
                                    "trunk_lean_right": 0.0}, View.FRONT)  # fmt: skip
    events += runner.stop(16.0)
    return events, FeedbackFilter(plan, session).apply(events)


def reps(events) -> list[RepEvent]:
    return [e for e in events if isinstance(e, RepEvent)]


def test_concurrent_passes_everything():
    raw, told = run(72.0)
    assert told == raw
    assert all(e.feedback == ("Lift your arm higher, to shoulder height",) for e in reps(told))


@pytest.mark.parametrize(("top", "silent"), [(72.0, True), (55.0, False)])
def test_bandwidth_is_silent_inside_the_band_only(top, silent):
    raw, told = run(top, '[feedback]\nmode = "bandwidth"\nbandwidth_deg = 10')
    assert [(e.rep.peak, e.rep.verdict) for e in reps(told)] == [(e.rep.peak, e.rep.verdict) for e in reps(raw)]
    assert len(reps(told)) == 3
    if silent:  # 8° short of the target, inside the 10° band: not corrected
        assert all(e.feedback == () and e.speech is None for e in reps(told))
    else:  # 25° short: corrected as usual
        assert all(e.feedback == ("Lift your arm higher, to shoulder height",) for e in reps(told))


def test_bandwidth_still_says_tempo_problems():
    # down in 0.6 s: the way back from the target takes about 0.47 s, under lateral_raise's 0.8 s
    # (before 2026-12-07 this test leaned on the first raise's way back reading 0.7999999999999998 s,
    # a float artifact of 24 frames, while the other two read 0.833 s)
    raw, told = run(100.0, '[feedback]\nmode = "bandwidth"\nbandwidth_deg = 10', down_at=3.6)
    said = [(e.rep.verdict.value, e.feedback) for e in reps(told)]
    assert said and all(s == ("too_fast", ("Slower on the way down",)) for s in said)
    _, told = run(100.0, '[feedback]\nmode = "bandwidth"\nbandwidth_deg = 10')
    assert all(e.rep.verdict.value == "good" and e.feedback == () for e in reps(told))  # 0.8 s: within


def test_summary_is_silent_during_the_set_and_sums_up_after_it():
    raw, told = run(72.0, '[feedback]\nmode = "summary"')
    assert all(e.feedback == () and e.speech is None for e in reps(told))
    i = next(i for i, e in enumerate(told) if isinstance(e, SetDone))
    summary = told[i + 1]
    assert isinstance(summary, CueEvent) and summary.source == "summary"
    assert summary.text == "Set 1: 0 counted of 3, 0 reached the target range; most often: did not reach the target."
    assert summary.speech == summary.text


def test_a_hold_the_camera_could_not_judge_is_not_summed_up_as_held_for_nothing():
    """Summary mode, an upright-sitting hold the camera cannot time (trunk lean −0.5 ± 25° against
    −10…12°: unsure throughout). The window lists the set "not judged" and stores it "unsure", but
    the spoken summary said only "Set 1: held 0 of 30 seconds." (a review, 2026-12-08): a result
    on the person that nobody measured. Now it says the camera could not tell."""
    plan = parse_plan('title = "Sit"\ncountdown_s = 0\ninstruction_s = 0\n[feedback]\nmode = "summary"\n'
                      '[[exercise]]\nname = "upright_sitting"\nsets = 1\nhold_s = 30\n')  # fmt: skip
    runner = SessionRunner(plan)
    events = runner.start(0.0)
    for k in range(int(5 * FPS)):
        events += runner.update(k / FPS, {"trunk_forward_lean": -0.5}, View.SIDE,
                                uncertainties={"trunk_forward_lean": 25.0})  # fmt: skip
    events += runner.stop(5.0)
    told = FeedbackFilter(plan, 1).apply(events)
    (summary,) = [e for e in told if isinstance(e, CueEvent) and e.source == "summary"]
    assert summary.text == ("Set 1: held 0 of 30 seconds; the camera could not tell whether you were in position "
                            "for most of it.")  # fmt: skip


def test_faded_goes_from_concurrent_to_bandwidth_to_summary():
    schedule = FeedbackSchedule(mode="faded", concurrent_sessions=2, bandwidth_sessions=3)
    assert [schedule.mode_for_session(n) for n in range(1, 8)] == ["concurrent"] * 2 + ["bandwidth"] * 3 + [
        "summary"] * 2  # fmt: skip
    fb = '[feedback]\nmode = "faded"\nconcurrent_sessions = 1\nbandwidth_sessions = 1\nbandwidth_deg = 10'
    assert run(72.0, fb, session=1)[1] == run(72.0, fb, session=1)[0]
    assert all(e.feedback == () for e in reps(run(72.0, fb, session=2)[1]))
    assert any(isinstance(e, CueEvent) and e.source == "summary" for e in run(72.0, fb, session=3)[1])


def test_an_unsure_repetition_is_not_summed_up_as_reaching_the_target():
    """Audit 32, the real model on the bundled desk sample: a seated arm raise (left) peaks at about
    80.1 ± 4.7° against its 80° target, so the window says "not counted, the camera could not tell
    whether it reached the target"; its bare value was in the range for 0.13 s, and the spoken summary
    counted it: "Set 1: 0 counted of 2, 1 reached the target range". Now it says the camera could not
    tell for it, and counts only the repetitions that reached the range as measured."""
    from conftest import SAMPLES

    from posture_feedback.commands.exercise import SidePass, feedback_filter
    from posture_feedback.pipeline import PipelineOptions, iter_results

    plan = parse_plan('title = "Arm"\ncountdown_s = 0\ninstruction_s = 0\n[feedback]\nmode = "summary"\n'
                      '[[exercise]]\nname = "seated_arm_raise"\nside = "left"\nsets = 1\nreps = 8\n')  # fmt: skip
    one = SidePass(plan, feedback_filter(plan, None))
    t = 0.0
    for k, result in enumerate(iter_results(str(SAMPLES / "lab_desk_webcam.mp4"), PipelineOptions())):
        one.feed(result, first=k == 0)
        t = result.frame.timestamp_s
    one.stop(t)
    done = [e for e in one.raw if isinstance(e, SetDone)]
    assert done
    got = [x for x in done[0].result.reps]
    unsure = [x for x in got if "unsure" in {str(i) for i in x.issues}]
    # the bare value crossed into the range, but no time in it is stated for a repetition the camera cannot judge
    assert unsure and all(math.isnan(x.time_in_range_s) and math.isnan(x.hold_s) for x in unsure)
    assert all(x.peak - x.peak_uncertainty < 80.0 <= x.peak + x.peak_uncertainty for x in unsure)
    reached = sum(1 for x in got if x.time_in_range_s > 0 and x not in unsure)
    (summary,) = [e for e in one.events if isinstance(e, CueEvent) and e.source == "summary"]
    assert f"{reached} reached the target range, the camera could not tell for {len(unsure)}" in summary.text
    assert "unsure" not in summary.text
