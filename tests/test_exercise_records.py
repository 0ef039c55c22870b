"""Honest records: a stopped session says "stopped" (runner, storage, history, report, adherence)
and a counted repetition with a compensation is "fair", never "good"."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from posture_feedback.exercises.events import RepEvent, SessionDone
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.storage import Database
from posture_feedback.storage.recorder import SessionRecorder, rep_quality
from posture_feedback.types import View

FPS = 30.0
CYCLE = ([0.0, 1.0, 2.5, 3.0, 4.5, 5.0], [10.0, 10.0, 100.0, 100.0, 10.0, 10.0])  # one lateral raise, 5 s
PLAN = """\
title = "Raises"
countdown_s = 0
instruction_s = 0

[[exercise]]
name = "lateral_raise"
side = "left"
sets = 1
reps = 3
"""
T0 = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)


def drive(runner: SessionRunner, until: float, extra=None, recorder=None) -> list:
    events = runner.start(0.0)
    for k in range(int(until * FPS) + 1):
        t = k / FPS
        if runner.state is RunnerState.DONE:
            break
        v = float(np.interp(t % CYCLE[0][-1], *CYCLE))
        values = {"left_shoulder_elevation": v, "left_shoulder_hike": 0.0, "trunk_lean_right": 0.0, **(extra or {})}
        events += runner.update(t, values, View.FRONT)
    if recorder is not None:
        for e in events:
            recorder.handle(e)
    return events


def test_a_stopped_session_is_stopped_not_complete():
    runner = SessionRunner(parse_plan(PLAN))
    events = drive(runner, until=7.0)  # one rep of three, then Stop
    events += runner.stop(7.0)
    done = events[-1]
    assert isinstance(done, SessionDone)
    assert done.result.stopped and done.result.status == "stopped"
    assert done.speech == "Session stopped"
    assert runner.result.sets[0].end_reason == "stopped"


def test_a_finished_session_is_completed():
    runner = SessionRunner(parse_plan(PLAN))
    events = drive(runner, until=20.0)
    done = events[-1]
    assert isinstance(done, SessionDone) and not done.result.stopped
    assert done.result.status == "completed" and done.speech == "Session complete. Well done"
    assert runner.stop(20.0) == []  # already over: stays completed
    assert not runner.result.stopped


def test_compensated_reps_that_count_are_fair():
    assert rep_quality("compensated", True) == "fair"
    assert rep_quality("too_far", True) == "fair"
    assert rep_quality("good", True) == "good"
    assert rep_quality("compensated", False) == "poor"


def test_stopped_session_is_stored_and_reported_as_stopped(tmp_path: Path):
    from posture_feedback.reports.summary import collect, text_summary

    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Stopper").id
        plan = db.create_plan(pid, "Raises", PLAN)
        recorder = SessionRecorder(db, pid, plan.id, source="simulated", started_at=T0,
                                   signals={"lateral_raise": "left_shoulder_elevation"})  # fmt: skip
        runner = SessionRunner(parse_plan(PLAN.replace("sets = 1", "sets = 1\ncount_compensated = true")))
        # shoulder hitched 20° (allowed ≤ 12° in the "up" phase) in every rep: counted, flagged
        events = drive(runner, until=7.0, extra={"left_shoulder_hike": 20.0})
        events += runner.stop(7.0)
        for e in events:
            recorder.handle(e)
        reps = [e.rep for e in events if isinstance(e, RepEvent)]
        assert [(r.counted, r.verdict.value) for r in reps] == [(True, "compensated")]
        s = db.get_session(recorder.session_id)
        assert s.status == "aborted"  # the stored code of a session stopped before the plan's end
        assert [r.quality for st in s.sets for r in st.repetitions] == ["fair"]
        (summary,) = db.sessions_between(pid)
        assert summary.n_good == 0
        day = T0.date()
        assert [d.done for d in db.adherence(pid, day, day)] == [0]
        text = text_summary(collect(db, pid, date(2026, 3, 1), date(2026, 3, 3)))
        assert "0 done, 1 stopped early" in text
