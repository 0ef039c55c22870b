"""A repetition the camera could not judge is stored as "unsure" and never counts against the person.

The runner calls a repetition *unsure* when its peak stopped short of the target by less than the
peak's uncertainty (``exercises.reps``): it is not counted, and no "further" cue is given. Stored
as "poor" (before schema version 4), it lowered the share of good repetitions in the history, the
PDF and the exports: a verdict the measurement did not support. These tests drive the real runner
with angle tables that carry an uncertainty, into a real SQLite file, and read the reports back.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from posture_feedback.exercises.events import RepEvent
from posture_feedback.exercises.plan import parse_plan
from posture_feedback.exercises.reps import RepVerdict
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.kinematics import ANGLE_INDEX, ANGLE_NAMES
from posture_feedback.reports.export import export_csv, export_json
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import SCHEMA_VERSION, Database, schema
from posture_feedback.storage.exchange import export_results, import_results
from posture_feedback.storage.recorder import SessionRecorder, rep_quality
from posture_feedback.types import AngleTable, View

FPS = 30.0
T0 = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)
PLAN = """\
title = "Raises"
countdown_s = 3
instruction_s = 4

[[exercise]]
name = "lateral_raise"
side = "left"
sets = 1
reps = 3
"""
#: lateral_raise: start ≤ 25°, target ≥ 80° (hysteresis 6°). Peaks of the attempts, with the
#: elevation's 80% half-width: 100° (reaches), 75° ± 10° (may have reached: unsure), 50° ± 10°
#: (clearly short: partial), then two more that reach.
PEAKS = (100.0, 75.0, 50.0, 100.0, 100.0)
UNCERTAINTY = 10.0
CYCLE_S = 5.0


def _table(value: float) -> AngleTable:
    values = np.full(len(ANGLE_NAMES), np.nan)
    unc = np.full(len(ANGLE_NAMES), np.nan)
    valid = np.zeros(len(ANGLE_NAMES), bool)
    for name, v in (("left_shoulder_elevation", value), ("right_shoulder_elevation", 10.0),
                    ("trunk_inclination", 2.0), ("shoulder_tilt", 0.0), ("trunk_lateral_lean", 0.0)):  # fmt: skip
        i = ANGLE_INDEX[name]
        values[i], unc[i], valid[i] = v, UNCERTAINTY, True
    return AngleTable(values, valid, unc)


def _drive(runner: SessionRunner, recorder: SessionRecorder) -> list:
    """Attempts with the peaks in PEAKS, one every CYCLE_S seconds of exercise time."""
    events = runner.start(0.0)
    for e in events:
        recorder.handle(e)
    go = None
    for k in range(int(90 * FPS)):
        t = k / FPS
        if runner.state is RunnerState.DONE:
            break
        value = 10.0
        if runner.state is RunnerState.ACTIVE:
            go = t if go is None else go
            n, phase = divmod(t - go, CYCLE_S)
            if int(n) < len(PEAKS):
                peak = PEAKS[int(n)]
                value = float(np.interp(phase, [0.0, 1.0, 2.5, 3.0, 4.5, 5.0], [10, 10, peak, peak, 10, 10]))
        new = runner.update(t, _table(value), View.FRONT)
        for e in new:
            recorder.handle(e)
        events += new
    return events


@pytest.fixture()
def recorded(tmp_path: Path) -> tuple[Database, int, list]:
    db = Database(tmp_path / "pf.sqlite3")
    pid = db.create_profile("Ann").id
    recorder = SessionRecorder(db, pid, source="simulated", started_at=T0,
                               signals={"lateral_raise": "left_shoulder_elevation"})  # fmt: skip
    reps = [e.rep for e in _drive(SessionRunner(parse_plan(PLAN)), recorder) if isinstance(e, RepEvent)]
    recorder.close()
    yield db, pid, reps
    db.close()


def test_the_runner_calls_the_near_miss_unsure_and_the_clear_miss_partial(recorded) -> None:
    _, _, reps = recorded
    assert [r.verdict for r in reps] == [RepVerdict.GOOD, RepVerdict.UNSURE, RepVerdict.PARTIAL,
                                         RepVerdict.GOOD, RepVerdict.GOOD]  # fmt: skip
    assert [r.counted for r in reps] == [True, False, False, True, True]


def test_unsure_is_stored_as_unsure_and_left_out_of_the_good_share(recorded) -> None:
    db, pid, _ = recorded
    (summary,) = db.sessions_between(pid)
    stored = [r for st in db.get_session(summary.id).sets for r in st.repetitions]
    assert [r.quality for r in stored] == ["good", "unsure", "poor", "good", "good"]
    assert (summary.n_reps, summary.n_good, summary.n_unsure, summary.n_judged) == (5, 3, 1, 4)
    assert summary.good_fraction == pytest.approx(3 / 4)  # not 3 / 5: the unsure one is no verdict
    judged = [r.time_in_range_frac for r in stored if r.quality != "unsure"]
    assert summary.mean_time_in_range_frac == pytest.approx(sum(judged) / 4)  # the unsure one left out too


def test_reports_say_how_many_were_not_judged(recorded, tmp_path: Path) -> None:
    db, pid, _ = recorded
    data = collect(db, pid, end=T0.date())
    assert (data.n_reps, data.n_unsure) == (5, 1)
    assert data.good_fraction == pytest.approx(0.75)
    (stat,) = data.exercises
    assert (stat.reps, stat.good, stat.unsure) == (5, 3, 1)
    assert stat.good_fraction == pytest.approx(0.75)
    text = text_summary(data)
    assert "5 attempts (1 not judged: the camera could not tell), 75% good" in text  # period line
    assert text.count("5 attempts (1 not judged: the camera could not tell), 75% good") == 2  # and the exercise

    out = export_csv(db, pid, tmp_path / "csv", end=T0.date())
    sessions = next(p for p in out if p.name == "sessions.csv")
    (row,) = list(csv.DictReader(sessions.open()))
    assert (row["reps"], row["good_reps"], row["unsure_reps"]) == ("5", "3", "1")
    reps = next(p for p in out if p.name == "repetitions.csv")
    assert [r["quality"] for r in csv.DictReader(reps.open())] == ["good", "unsure", "poor", "good", "good"]
    doc = json.loads(export_json(db, pid, tmp_path / "r.json", end=T0.date()).read_text())
    assert doc["summary"]["unsure_repetitions"] == 1 and doc["exercises"][0]["unsure"] == 1


def test_quality_mapping_of_every_verdict() -> None:
    assert rep_quality("unsure", False) == "unsure"
    assert rep_quality("partial", False) == "poor"
    assert rep_quality("good", True) == "good"
    assert rep_quality("too_far", True) == "fair"


def test_migration_4_moves_stored_unsure_reps_out_of_poor(tmp_path: Path) -> None:
    """A version-3 file (unsure stored as 'poor') keeps every repetition; the unsure ones become 'unsure'."""
    path = tmp_path / "v3.sqlite3"
    raw = sqlite3.connect(path)
    for script in schema.MIGRATIONS[:3]:
        raw.executescript(script)
    raw.execute("INSERT INTO profiles (name, created_at) VALUES ('Ann', '2026-01-02T10:00:00+01:00')")
    raw.execute("INSERT INTO sessions (profile_id, uid, started_at, status)"
                " VALUES (1, 'u1', '2026-01-02T10:00:00+01:00', 'completed')")
    raw.execute("INSERT INTO sets (session_id, exercise, set_index, started_at) VALUES (1, 'lateral_raise', 1,"
                " '2026-01-02T10:00:00+01:00')")  # fmt: skip
    for i, (quality, extras) in enumerate((("good", '{"verdict": "good"}'), ("poor", '{"verdict": "unsure"}'),
                                           ("poor", '{"verdict": "partial"}'), ("poor", "{}"))):  # fmt: skip
        raw.execute("INSERT INTO repetitions (set_id, rep_index, started_at, ended_at, peak_angle, quality, extras)"
                    " VALUES (1, ?, ?, ?, 70.5, ?, ?)",
                    (i + 1, f"2026-01-02T10:00:0{i}+01:00", f"2026-01-02T10:00:0{i + 1}+01:00", quality,
                     extras))  # fmt: skip
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    with Database(path) as d:
        assert d.schema_version == SCHEMA_VERSION >= 4
        ann = d.profile_by_name("Ann")
        (summary,) = d.sessions_between(ann.id)
        stored = [r for st in d.get_session(summary.id).sets for r in st.repetitions]
        assert [r.quality for r in stored] == ["good", "unsure", "poor", "poor"]
        assert [r.peak_angle for r in stored] == [70.5] * 4 and [r.index for r in stored] == [1, 2, 3, 4]
        assert (summary.n_reps, summary.n_good, summary.n_unsure) == (4, 1, 1)
        assert d.integrity_check() == "ok"
        # the rebuilt table keeps its index and its cascade from the set
        idx = d._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'repetitions'")
        assert [r[0] for r in idx.fetchall()] == ["repetitions_set"]


def test_a_results_file_from_before_version_4_imports_its_unsure_reps_as_unsure(recorded, tmp_path: Path) -> None:
    db, pid, _ = recorded
    path = export_results(db, pid, tmp_path / "ann.pfresults.json")
    doc = json.loads(path.read_text())
    reps = [rep for s in doc["sessions"] for st in s["sets"] for rep in st["repetitions"]]
    assert [rep["quality"] for rep in reps] == ["good", "unsure", "poor", "good", "good"]
    for rep in reps:  # as an older patient laptop wrote it
        rep["quality"] = "poor" if rep["quality"] == "unsure" else rep["quality"]
    path.write_text(json.dumps(doc))
    with Database(tmp_path / "therapist.sqlite3") as tdb:
        tpid = tdb.create_profile("Ann").id
        import_results(tdb, path, tpid)
        (summary,) = tdb.sessions_between(tpid)
        assert (summary.n_reps, summary.n_good, summary.n_unsure) == (5, 3, 1)
