"""``profile import-results`` refuses values no recorder can store, and keeps every value one can.

An audit (2026-12) imported a results file with pain_after 15, peak_unc -3, time_in_range_frac 7.5
and tempo_s -4: all were stored, while ``exercise --pain-after 15`` is refused. The ranges here are
those of the code that writes the values (``storage.recorder``, ``storage.ratings``): pain a whole
number 0–10 (NRS), effort 0–10 in half points (Borg CR10), an uncertainty's half-width, seconds and
a time-in-range fraction never negative, the fraction at most 1 for a repetition and at most the
seconds held over the target for a hold (the last frame before a hold completes takes it past 1).

The patient's database is real (SQLite): the app's six weeks of sample history, plus two sessions
recorded by the real ``SessionRecorder`` from the real session runner: a 5 s hold sampled at 2.5
frames/s (held 5.2 s: a fraction of 1.04, legitimate) and a therapist's own exercise, a copy of the
lateral raise named "lateral_rise" (an exercise-definition file run directly is stored under its own
name, with no plan: a name the library does not know is legitimate). The file goes through the real
command line; a refused file leaves the therapist's database as it was, with one line on stderr.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from posture_feedback import exercises
from posture_feedback.cli import main
from posture_feedback.exercises.plan import Plan
from posture_feedback.exercises.runner import RunnerState, SessionRunner
from posture_feedback.storage import Database
from posture_feedback.storage.recorder import SessionRecorder
from posture_feedback.types import View


def record(db: Database, pid: int, plan: Plan, fps: float, value, view: View) -> None:
    """Run ``plan`` on the simulated ``value(seconds since go)`` at ``fps`` and record it as the app does."""
    plan.instruction_s, plan.countdown_s = 1.0, 1.0
    runner = SessionRunner(plan)
    rec = SessionRecorder(db, pid, None, source="test", started_at=datetime(2026, 11, 20, 18, tzinfo=timezone.utc))
    events = runner.start(0.0)
    go = None
    for k in range(int(60 * fps)):
        t = k / fps
        if runner.state is RunnerState.DONE:
            break
        if runner.state is RunnerState.ACTIVE:
            go = t if go is None else go
        v = value(t - go) if go is not None else 10.0
        sig = plan.items[0].exercise.signal.replace("{side}", "left")
        events += runner.update(t, {sig: v, "left_shoulder_elevation": v, "trunk_inclination": 2.0}, view)
    for e in events:
        rec.handle(e)
    rec.close("completed")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A real patient's results file: sample history + a recorded hold + a therapist's own exercise."""
    tmp = tmp_path_factory.mktemp("patient")
    data = tmp / "data"
    assert main(["profile", "create", "--profile", "Ann", "--sample-data", "--data-dir", str(data)]) == 0
    own = tmp / "lateral_rise.toml"  # the therapist's own copy of the lateral raise, under a new name
    raise_def = (Path(exercises.__file__).parent / "data" / "lateral_raise.toml").read_text(encoding="utf-8")
    own.write_text(raise_def.replace('name = "lateral_raise"', 'name = "lateral_rise"', 1), encoding="utf-8")
    with Database(data / "posture-feedback.sqlite3") as db:
        pid = db.profile_by_name("Ann").id
        record(db, pid, Plan.single("upright_sitting", sets=1, hold_s=5.0), 2.5, lambda s: 0.0, View.SIDE)
        raise_cycle = ([0.0, 1.0, 2.5, 3.0, 4.5, 5.5], [10.0, 10.0, 100.0, 100.0, 10.0, 10.0])
        record(db, pid, Plan.single(str(own), sets=1, reps=2), 30.0,
               lambda s: float(np.interp(s % 5.5, *raise_cycle)), View.FRONT)  # fmt: skip
    out = tmp / "ann.pfresults.json"
    assert main(["profile", "export-results", "--profile", "Ann", "--out", str(out), "--data-dir", str(data)]) == 0
    return out


def sets_of(doc: dict, exercise: str) -> list[dict]:
    return [st for s in doc["sessions"] for st in s["sets"] if st["exercise"] == exercise]


def clinic(tmp_path: Path) -> str:
    data = str(tmp_path / "clinic")
    assert main(["profile", "create", "--profile", "Ann", "--data-dir", data]) == 0
    return data


def test_the_recorded_file_imports_whole_with_its_hold_past_one_and_its_own_exercise(exported, tmp_path, capsys):
    doc = json.loads(exported.read_text())
    hold = sets_of(doc, "upright_sitting")[0]["repetitions"][0]
    assert hold["time_in_range_frac"] == pytest.approx(5.2 / 5.0)  # held 5.2 s of 5 s at 2.5 frames/s
    assert sets_of(doc, "lateral_rise")  # stored under the definition's own name, no plan
    data = clinic(tmp_path)
    assert main(["profile", "import-results", "--profile", "Ann", str(exported), "--data-dir", data]) == 0
    with Database(Path(data) / "posture-feedback.sqlite3") as db:
        sessions = db.sessions(db.profile_by_name("Ann").id)
        stored = {st.exercise for s in sessions for st in db.get_session(s.id).sets}
    assert {"upright_sitting", "lateral_rise", "forward_reach"} <= stored
    assert len(sessions) == len(doc["sessions"])


def rep_at(doc: dict, nth: int = 0, set_nth: int = 0) -> tuple[str, dict]:
    """(its path, the repetition) of the first session whose set ``set_nth`` (not a hold) has a
    repetition ``nth``: the sample history follows the calendar and the clock (it ends today), so
    fixed indices picked a session without that repetition in a fresh clone's CI run."""
    for i, session in enumerate(doc["sessions"]):
        sets = session["sets"]
        if len(sets) > set_nth and len(sets[set_nth]["repetitions"]) > nth and not sets[set_nth].get("target_hold_s"):
            return f"sessions[{i}].sets[{set_nth}].repetitions[{nth}]", sets[set_nth]["repetitions"][nth]
    raise AssertionError(f"no session with set {set_nth} holding repetition {nth}")


def set_at(doc: dict, set_nth: int = 1) -> tuple[str, dict]:
    """(its path, the set) of the first session with a set ``set_nth`` that has repetitions."""
    path, _ = rep_at(doc, 0, set_nth)
    i = int(path.split("]")[0].removeprefix("sessions["))
    return f"sessions[{i}].sets[{set_nth}]", doc["sessions"][i]["sets"][set_nth]


def _rep_field(field: str, value, nth: int = 0, set_nth: int = 0):
    def change(doc: dict) -> str:
        path, rep = rep_at(doc, nth, set_nth)
        rep[field] = value
        return f"{path}.{field}"

    return change


def _set_field(field: str, value):
    def change(doc: dict) -> str:
        path, st = set_at(doc)
        st[field] = value
        return f"{path}.{field}"

    return change


def _rating(field: str, value):
    def change(doc: dict) -> str:
        doc["sessions"][0]["extras"].setdefault("ratings", {})[field] = value
        return f"sessions[0].extras.ratings.{field}"

    return change


BAD = [  # (change to the file, returning the one line's field path; the allowed range it must name)
    (_rating("pain_after", 15), "allowed: 0..10, whole numbers"),
    (_rating("effort_before", 2.3), "allowed: 0..10 in steps of 0.5"),
    (_rep_field("peak_unc", -3), "allowed >= 0"),
    (_rep_field("time_in_range_frac", 7.5, nth=1), "allowed 0..1"),
    (_rep_field("tempo_s", -4, set_nth=1), "allowed >= 0"),
    (_rep_field("time_in_range_s", -1, set_nth=1), "allowed >= 0"),
    (_rep_field("quality_score", 1.7, set_nth=1), "allowed 0..1"),
    (_set_field("exercise", "lateral raise/../x"), "letters, digits, _ and -"),
    (_set_field("target_reps", 0), "outside 1.."),
]  # fmt: skip
IDS = ["pain_after", "effort_before", "peak_unc", "time_in_range_frac", "tempo_s", "time_in_range_s", "quality_score",
       "exercise", "target_reps"]  # fmt: skip


@pytest.mark.parametrize("change,allowed", BAD, ids=IDS)
def test_a_value_out_of_range_is_one_line_and_nothing_is_stored(exported, tmp_path, capsys, change, allowed):
    doc = json.loads(exported.read_text())
    path = change(doc)
    bad = tmp_path / "bad.pfresults.json"
    bad.write_text(json.dumps(doc))
    data = clinic(tmp_path)
    db_file = Path(data) / "posture-feedback.sqlite3"
    with Database(db_file) as db:
        before = db.row_counts()
    capsys.readouterr()
    assert main(["profile", "import-results", "--profile", "Ann", str(bad), "--data-dir", data]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f": {path}: " in err[0] and allowed in err[0], err
    with Database(db_file) as db:
        assert db.row_counts() == before  # nothing of the file was written
