"""Chair-stand counts stored before 2026-12 read as this version states them (a review of the fourteenth
audit's fix): the count's ± 1 stand and its MDC, and no range midpoint as a norm.

Before, an old record's "19 ± 0 -> 18 ± 0 stands" was a "change" (threshold 0), the PDF showed "Norm 14"
(the midpoint 13.5 of Rikli & Jones's 11-16, which they do not publish) and the CSV "reference 13.5".
Hand-worked: ± 1 stand each, so the change threshold is 1.96 · √(1² + 1²) = 2.77 stands and the MDC
1.96 · √2 · 1 = 2.77: 19 -> 18 (−1) is no detectable change.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

from test_left_right_difference import _cells

from posture_feedback.reports.export import export_csv
from posture_feedback.reports.pdf import report_figures
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import Database
from posture_feedback.storage.models import Measure

NAME = "thirty_second_chair_stand"
SOURCE = "Rikli & Jones 1999: Functional fitness normative scores for community-residing older adults"


def _old(value: float) -> Measure:
    return Measure(NAME, value, 0.0, unit="stands", reference=13.5, reference_low=11.0, reference_high=16.0,
                   reference_source=SOURCE, mdc=0.0)  # fmt: skip


def test_old_counts_take_this_versions_uncertainty_and_lose_the_midpoint(tmp_path: Path):
    db = Database(tmp_path / "d.db")
    pid = db.create_profile("Chair").id
    for day, value in ((2, 19.0), (16, 18.0)):
        when = datetime(2026, 3, day, 10, tzinfo=timezone.utc)
        db.add_assessment(pid, "functional", {}, [_old(value)], created_at=when)
    data = collect(db, pid, date(2026, 3, 1), date(2026, 3, 20))
    text = text_summary(data)
    line = next(x for x in text.splitlines() if "thirty second chair stand" in x and "->" in x)
    assert line.strip() == ("thirty second chair stand: 19.0 ± 1.0 stands -> 18.0 ± 1.0 stands (-1.0, "
                            "uncertainty 2.8 stands: no detectable change)")  # was "(-1.0, ... 0.0 ...: change)"
    (change,) = [c for c in data.changes if c.name == NAME]
    assert abs(change.threshold - 2.77) < 0.01
    for a in data.assessments:
        (m,) = a.measures
        assert m.uncertainty == 1.0 and m.reference is None and abs(m.mdc - 2.77) < 0.01
        assert (m.reference_low, m.reference_high) == (11.0, 16.0)  # the published range stays
    export_csv(db, pid, tmp_path / "csv", date(2026, 3, 1), date(2026, 3, 20))
    with open(tmp_path / "csv" / "measures.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["measure"] == NAME]
    assert len(rows) == 2 and all(r["reference"] == "" for r in rows), rows
    cells = [c.strip() for fig in report_figures(db, pid, date(2026, 3, 1), date(2026, 3, 20)) for c in _cells(fig)]
    change_row = ("thirty second chair stand 2 19.0 ± 1.0 stands 18.0 ± 1.0 stands -1.0 stands 2.8 stands (u) – "
                  "no detectable change")
    assert change_row in cells
    rows = [c for c in cells if c.startswith("thirty second chair stand 19.0 stands")]
    # (the verdict column gives history --json's word: a record stored without one is judged on its numbers)
    row = "thirty second chair stand 19.0 stands ± 1.0 – [11 to 16] outside 2.8 stands"
    assert rows and rows[0].startswith(row), rows
