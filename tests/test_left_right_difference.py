"""A left − right difference has no published norm: no "reference 0, AAOS 1965", no "Norm 0°".

A fourteenth audit saw ``shoulder_abduction_left_right_difference`` with reference 0.0 and the source
"AAOS 1965…" in ``report --csv`` and "Norm 0°" on the PDF's first page: AAOS tabulates each side's
range of motion, not an asymmetry. The row now names only the tool's own rule (the change
threshold), in the record, the HTML report, the CSV, the JSON and the PDF, for new records and
for records stored before (their 0 and AAOS are not shown).
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from matplotlib.table import Table
from test_assessment import reps_trace, sequence

from posture_feedback.assessment.report import render_html
from posture_feedback.assessment.rom import rom_test
from posture_feedback.kinematics import pose_with_angles
from posture_feedback.reports.export import export_csv, export_json
from posture_feedback.reports.pdf import report_figures
from posture_feedback.storage import Database
from posture_feedback.storage.models import Measure

NAME = "shoulder_abduction_left_right_difference"
START, END = date(2026, 3, 1), date(2026, 3, 20)


@pytest.fixture(scope="module")
def record():
    left = [pose_with_angles(left_arm=(a, 90, 0)) for a in reps_trace([170.0, 170.0])]
    right = [pose_with_angles(right_arm=(a, 90, 0)) for a in reps_trace([150.0, 150.0])]
    return rom_test("shoulder_abduction", {"left": sequence(left), "right": sequence(right)})


def test_the_difference_carries_no_norm_and_names_the_tools_rule(record):
    diff = record.measure(NAME)
    assert diff.value == pytest.approx(20.0, abs=1e-6)  # 170° − 150°, by construction
    assert (diff.reference, diff.reference_low, diff.reference_high) == (None, None, None)
    assert diff.reference_source.startswith("this tool's rule, no published norm")
    assert "AAOS" not in diff.reference_source
    stored = json.loads(json.dumps(record.to_dict()))
    m = next(m for m in stored["measures"] if m["name"] == NAME)
    assert m["reference"] is None and "AAOS" not in m["reference_source"]
    html = render_html([record])
    row = html[html.index(f"<td>{NAME.replace('_', ' ')}</td>"):]  # named in words
    row = row[: row.index("</tr>")]
    assert "typ." not in row and "AAOS" not in row and "this tool&#x27;s rule" in row  # (HTML-escaped)
    # each side keeps its own source
    assert record.measure("shoulder_abduction", "left").reference_source.startswith("AAOS 1965")


def _cells(fig) -> list[str]:
    out = []
    for table in fig.findobj(Table):
        cells = table.get_celld()
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
        out += [" ".join(cells[(r, c)].get_text().get_text().replace("\n", " ") for c in cols) for r in rows]
    return out


def test_old_and_new_records_show_no_norm_in_csv_json_and_pdf(record, tmp_path: Path):
    db = Database(tmp_path / "d.db")
    pid = db.create_profile("Asym").id
    old = Measure(NAME, 5.0, 39.1, reference=0.0, mdc=82.6,
                  reference_source="AAOS 1965: American Academy of Orthopaedic Surgeons. Joint Motion")  # fmt: skip
    db.add_assessment(pid, "rom", {}, [old], created_at=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    db.add_assessment(pid, "rom", record.to_dict(), [record.measure(NAME)],
                      created_at=datetime(2026, 3, 16, 10, tzinfo=timezone.utc))  # fmt: skip
    export_csv(db, pid, tmp_path / "csv", START, END)
    with open(tmp_path / "csv" / "measures.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["measure"] == NAME]
    assert len(rows) == 2
    for r in rows:
        assert r["reference"] == "" and "AAOS" not in r["reference_source"]
        assert r["reference_source"].startswith("this tool's rule")
    doc = json.loads(export_json(db, pid, tmp_path / "r.json", START, END).read_text(encoding="utf-8"))
    (change,) = [c for c in doc["changes"] if c["measure"] == NAME]
    assert change["reference"] is None
    pages = report_figures(db, pid, START, END)
    lines = [c for page in pages[:2] for c in _cells(page) if "left right difference" in c]
    assert lines, "the difference appears on the first two pages"
    for line in lines:
        assert "AAOS" not in line and " 0° " not in f"{line} " and "[0" not in line
    db.close()
