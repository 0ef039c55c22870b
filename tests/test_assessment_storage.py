"""Saving an evaluation for a profile (``posture_feedback.assessment_storage``) on a real SQLite file.

Records and measures go into the database, images only for a profile that allows them, the
report compares with the previous record of the same test, and an empty evaluation is refused.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posture_feedback.assessment.record import AssessmentRecord
from posture_feedback.assessment_storage import EvaluationSaveError, previous_records, save_evaluation
from posture_feedback.storage import Database, Measure


def rom_record(value: float, snapshot: str | None = None) -> AssessmentRecord:
    m = Measure("shoulder_flexion", value, 4.0, side="left", reference=180.0, reference_low=162.0, mdc=9.0)
    rec = AssessmentRecord(kind="rom", title="ROM: Shoulder flexion (left)", measures=[m])
    rec.details[m.label] = {"verdict": "within"}
    if snapshot:
        rec.snapshots.append(snapshot)
    return rec


def test_records_measures_report_and_the_previous_one(tmp_path):
    db = Database(tmp_path / "pf.sqlite3")
    ann = db.create_profile("Ann")
    first = save_evaluation(db, ann.id, [rom_record(140.0)], tmp_path / "e1")
    assert len(first.assessment_ids) == 1 and first.report.is_file()
    assert [p.name for p in first.json_files] == ["record-1-rom.json"]
    assert previous_records(db, ann.id, [rom_record(0.0)])[0].measures[0].value == pytest.approx(140.0)

    second = save_evaluation(db, ann.id, [rom_record(155.0)], tmp_path / "e2")
    stored = db.assessments(ann.id)
    assert [a.measures[0].value for a in stored] == [140.0, 155.0]
    html = second.report.read_text(encoding="utf-8")
    assert "140.0 ± 4.0 → 155.0 ± 4.0" in html  # the change since the previous evaluation (beyond the MDC), with its ±
    db.close()


def test_a_re_test_of_one_side_is_compared_with_the_earlier_test_of_both(tmp_path):
    """"ROM: Shoulder flexion (left, right)", then a re-test of the left side only ("… (left)"): the
    report compared only records of the same title and showed no change, where history showed one
    (a sixth audit). Each measure is now compared with its newest earlier value."""
    db = Database(tmp_path / "pf.sqlite3")
    ann = db.create_profile("Ann")
    both = AssessmentRecord(kind="rom", title="ROM: Shoulder flexion (left, right)", measures=[
        Measure("shoulder_flexion", 140.0, 4.0, side="left", mdc=9.0),
        Measure("shoulder_flexion", 150.0, 4.0, side="right", mdc=9.0)])  # fmt: skip
    save_evaluation(db, ann.id, [both], tmp_path / "e1")
    second = save_evaluation(db, ann.id, [rom_record(155.0)], tmp_path / "e2")
    assert "140.0 ± 4.0 → 155.0 ± 4.0" in second.report.read_text(encoding="utf-8")
    db.close()


def test_snapshots_are_kept_only_when_the_profile_allows_images(tmp_path):
    db = Database(tmp_path / "pf.sqlite3")
    off = db.create_profile("Off")
    on = db.update_profile_settings(db.create_profile("On").id, snapshots=True)
    for profile, folder in ((off, tmp_path / "off"), (on, tmp_path / "on")):
        folder.mkdir()
        cv2.imwrite(str(folder / "rom.png"), np.full((20, 20, 3), 128, np.uint8))
        saved = save_evaluation(db, profile.id, [rom_record(150.0, "rom.png")], folder)
        assert saved.snapshots_kept == (1 if profile.snapshots_enabled else 0)
    assert db.row_counts(off.id)["snapshots"] == 0 and db.row_counts(on.id)["snapshots"] == 1
    db.close()


def test_nothing_to_save_and_no_profile(tmp_path):
    with pytest.raises(EvaluationSaveError, match="nothing to save"):
        save_evaluation(None, None, [], tmp_path / "x")
    saved = save_evaluation(None, None, [rom_record(150.0)], tmp_path / "report-only")
    assert saved.assessment_ids == () and saved.report.is_file()  # without a profile: the report only
