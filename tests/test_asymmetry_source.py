"""The movement screen's left − right asymmetry is not cited to a published norm it does not have.

Its 10° band is this tool's screening tolerance (‡) and its ideal, both sides alike, a definition;
Boone 1978 (a goniometric reliability study) gives only its SEM floor. Before 2026-12-07 the band
itself was cited "Boone 1978". A record stored then is read with this version's source, and its
band is still marked as the tool's.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

from posture_feedback.assessment.references import MOVEMENT_REFERENCES, SOURCES, tolerance_is_tool
from posture_feedback.reports.export import export_csv
from posture_feedback.reports.summary import collect, range_is_tool_tolerance
from posture_feedback.storage import Database
from posture_feedback.storage.models import Measure

NAME = "left_right_asymmetry"
OLD_SOURCE = "Boone 1978: " + SOURCES["Boone 1978"]


def test_the_band_is_the_tools_and_its_sem_floor_is_boones():
    ref = MOVEMENT_REFERENCES[NAME]
    assert ref.tolerance_is_tool and ref.high == 10.0
    assert "Boone" not in ref.citation() and "no published norm" in ref.citation()
    assert ref.sem_source == "Boone 1978"
    # Boone 1978: a same-tester change of 4° is real, read as an MDC95: SEM = 4 / (1.96 √2) = 1.443°
    assert abs(ref.sem_floor - 1.443) < 0.001


def test_a_record_stored_with_the_old_source_reads_with_this_versions(tmp_path: Path):
    db = Database(tmp_path / "d.db")
    pid = db.create_profile("Sym").id
    old = Measure(NAME, 12.0, 3.0, unit="deg", reference=0.0, reference_low=None, reference_high=10.0,
                  reference_source=OLD_SOURCE, mdc=4.0)  # fmt: skip
    db.add_assessment(pid, "movement", {}, [old], created_at=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    assert tolerance_is_tool(NAME, OLD_SOURCE)
    data = collect(db, pid, date(2026, 3, 1), date(2026, 3, 20))
    (a,) = data.assessments
    (m,) = a.measures
    assert m.reference_source == MOVEMENT_REFERENCES[NAME].citation()
    assert range_is_tool_tolerance(a, m)
    export_csv(db, pid, tmp_path / "csv", date(2026, 3, 1), date(2026, 3, 20))
    with open(tmp_path / "csv" / "measures.csv", newline="", encoding="utf-8") as fh:
        (row,) = [r for r in csv.DictReader(fh) if r["measure"] == NAME]
    assert "Boone" not in row["reference_source"] and row["range_is_tool_tolerance"] in ("1", "True", "true")
