"""Previous evaluations of the sample history are read, not a crash that loses the new result.

An audit (2026-12-07): `profile create --profile Demo --sample-data`, then `assess rom shoulder_abduction
… --profile Demo` ran the whole analysis and stopped with "damaged assessment record:
KeyError('measures')": the sample history's ROM records hold no `measures` in their JSON (their
numbers are in the measures table, which `history` and the PDF read), and nothing was saved.
"""

from __future__ import annotations

import math
from pathlib import Path

from posture_feedback.assessment.record import AssessmentRecord, Measure
from posture_feedback.assessment.uncertainty import compare_measures
from posture_feedback.assessment_storage import previous_records
from posture_feedback.storage import Database
from posture_feedback.storage.sample_data import fill_sample_history


def test_the_sample_historys_records_are_compared_from_their_stored_measures(tmp_path: Path):
    db = Database(tmp_path / "d.db")
    pid = fill_sample_history(db, "Demo", weeks=10).id
    new = AssessmentRecord(kind="rom", title="ROM: Shoulder abduction (left)",
                           measures=[Measure("shoulder_abduction", 175.0, 4.0, side="left")])  # fmt: skip
    old = previous_records(db, pid, [new])
    stored = db.assessments(pid, kind="rom")
    assert len(old) == len(stored) > 0
    # the same numbers history reads: the stored measures of each assessment
    for record, a in zip(old, stored, strict=True):
        assert [(m.name, m.side, m.value) for m in record.measures] == [(m.name, m.side, m.value) for m in a.measures]
    newest = old[-1]
    (change,) = compare_measures([m for m in newest.measures if (m.name, m.side) == ("shoulder_abduction", "left")],
                                 new.measures)  # fmt: skip
    before = next(m.value for m in stored[-1].measures if (m.name, m.side) == ("shoulder_abduction", "left"))
    assert math.isclose(change.difference, 175.0 - before)
    db.close()


def test_a_posture_screen_is_compared_with_the_sample_historys_posture_screens(tmp_path: Path):
    """The sample history stores its posture screens as kind "posture_screen", `assess posture` as
    "posture": the evaluation's report showed no change where history and the PDF showed one."""
    db = Database(tmp_path / "d.db")
    pid = fill_sample_history(db, "Demo", weeks=10).id
    new = AssessmentRecord(kind="posture", title="Posture screen", measures=[Measure("shoulder_tilt", -41.0, 20.2)])
    old = previous_records(db, pid, [new])
    stored = db.assessments(pid, kind="posture_screen")
    assert len(old) == len(stored) > 0 and all(r.kind == "posture_screen" for r in old)
    (change,) = compare_measures([m for m in old[-1].measures if m.name == "shoulder_tilt"], new.measures)
    before = next(m.value for m in stored[-1].measures if m.name == "shoulder_tilt")
    assert math.isclose(change.difference, -41.0 - before)
    db.close()
