"""The real session runner driven on a simulated clock, its events recorded into a real database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.exercises.events import RepEvent
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.storage import Database
from posture_feedback.storage.recorder import SessionRecorder, rep_quality
from posture_feedback.types import View

FPS = 30.0
CYCLE = ([0.0, 1.0, 2.5, 3.0, 4.5, 5.0], [10.0, 10.0, 100.0, 100.0, 10.0, 10.0])  # one lateral raise, 5 s
PLAN = """\
title = "Raises"
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
T0 = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)


def _raise_values(v: float) -> dict[str, float]:
    return {"left_shoulder_elevation": v, "right_shoulder_elevation": v, "trunk_inclination": 2.0}


def _drive(runner: SessionRunner, recorder: SessionRecorder, until: float, values_of=_raise_values) -> list:
    """Run the plan on a simulated clock, one raise (``CYCLE``) after another; ``values_of(v)``: the
    frame's signals for the raise's value ``v``."""
    events = runner.start(0.0)
    go = None
    for e in events:
        recorder.handle(e)
    for k in range(int(until * FPS) + 1):
        t = k / FPS
        if runner.state is RunnerState.DONE:
            break
        if runner.state is RunnerState.ACTIVE:
            go = t if go is None else go
            v = float(np.interp((t - go) % CYCLE[0][-1], *CYCLE))
        else:
            go, v = None, 10.0
        new = runner.update(t, values_of(v), View.FRONT)
        for e in new:
            recorder.handle(e)
        events += new
    return events


def test_runner_session_is_recorded_rep_by_rep(tmp_path: Path) -> None:
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Runner").id
        plan = db.create_plan(pid, "Raises", PLAN)
        recorder = SessionRecorder(db, pid, plan.id, source="simulated", started_at=T0,
                                   signals={"lateral_raise": "left_shoulder_elevation"})  # fmt: skip
        events = _drive(SessionRunner(parse_plan(PLAN)), recorder, until=100)
        reps = [e.rep for e in events if isinstance(e, RepEvent)]
        assert len(reps) == 4 and recorder.closed

        s = db.get_session(recorder.session_id)
        assert s.status == "completed" and s.plan_id == plan.id and s.source == "simulated"
        assert [(st.exercise, st.side, st.set_index, st.target_reps) for st in s.sets] == [
            ("lateral_raise", "left", 1, 2), ("lateral_raise", "left", 2, 2),
        ]  # fmt: skip
        stored = [r for st in s.sets for r in st.repetitions]
        for got, rep in zip(stored, reps, strict=True):
            assert got.index == rep.number and got.peak_angle == pytest.approx(rep.peak)
            assert got.angle == "left_shoulder_elevation" and got.quality == "good"
            assert got.time_in_range_s == pytest.approx(rep.time_in_range_s)
            assert got.started_at == T0 + timedelta(seconds=rep.start_t)
            assert got.extras["counted"] is True and got.extras["verdict"] == "good"
        assert all(st.extras["end_reason"] == "complete" and st.ended_at is not None for st in s.sets)
        assert s.ended_at == T0 + timedelta(seconds=events[-1].t)
        (summary,) = db.sessions_between(pid)
        assert (summary.n_sets, summary.n_reps, summary.n_good) == (2, 4, 4)


def test_stopped_session_is_aborted_and_keeps_its_reps(tmp_path: Path) -> None:
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Quitter").id
        recorder = SessionRecorder(db, pid, started_at=T0)
        _drive(SessionRunner(parse_plan(PLAN)), recorder, until=13.5)  # the first rep ends at 12 s
        assert not recorder.closed
        recorder.close()
        recorder.close()  # harmless twice
        s = db.get_session(recorder.session_id)
        assert s.status == "aborted"
        assert [r.index for r in s.sets[0].repetitions] == [1]


def test_quality_mapping() -> None:
    assert rep_quality("good", True) == "good"
    assert rep_quality("too_fast", True) == "fair"
    assert rep_quality("compensated", False) == "poor"
    assert rep_quality("partial", False) == "poor"


BOTH_SIDES = """\
title = "Arm raises"
countdown_s = 3
instruction_s = 4
rest_between_s = 6

[[exercise]]
name = "seated_arm_raise"
side = "both"
sets = 1
reps = 1
rest_s = 5
"""


def test_an_exercise_done_one_side_at_a_time_stores_each_sides_signal(tmp_path: Path) -> None:
    """side "both" of an exercise done one side at a time (``both = "each"``): the left set's
    repetitions are stored as ``left_arm_raise``, the right set's as ``right_arm_raise``, not
    ``each_arm_raise`` beside ``side = left`` (a fifth audit). The signal is given as the
    exercise's own template, as the CLI and the window pass it."""
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Sides").id
        recorder = SessionRecorder(db, pid, source="simulated", started_at=T0,
                                   signals={"seated_arm_raise": "{side}_arm_raise"})  # fmt: skip
        values = lambda v: {"left_arm_raise": v, "right_arm_raise": v, "left_shoulder_hike": 0.0,  # noqa: E731
                            "right_shoulder_hike": 0.0}  # fmt: skip
        _drive(SessionRunner(parse_plan(BOTH_SIDES)), recorder, until=120, values_of=values)
        recorder.close()
        s = db.get_session(recorder.session_id)
        stored = [(st.side, r.angle) for st in s.sets for r in st.repetitions]
        assert stored == [("left", "left_arm_raise"), ("right", "right_arm_raise")]
