"""A range this tool set is never credited to a source that gives no number (a tenth audit: the PDF read
"shoulder tilt 3.4° ± 1.5 | 0° [-2 to 2] | Kendall 2005", while Kendall describes "shoulders level"
without a numeric range); and a signed measure's value says in words which side is higher.

The expected words and flags are written out by hand from the measures stored here, not built with
the code under test.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from matplotlib.table import Table
from matplotlib.text import Text

from posture_feedback.reports.export import export_csv, export_json
from posture_feedback.reports.pdf import report_figures
from posture_feedback.reports.summary import collect, range_is_tool_tolerance, text_summary
from posture_feedback.side_words import side_phrase, sign_convention
from posture_feedback.storage import Database
from posture_feedback.storage.models import Measure

START, END = date(2026, 3, 1), date(2026, 3, 20)


def _text(fig) -> str:
    """A page's words, table cells included, with the cells' wrapping undone."""
    texts = [t.get_text() for t in fig.findobj(Text)]
    texts += [c.get_text().get_text() for table in fig.findobj(Table) for c in table.get_celld().values()]
    return " | ".join(t.replace("\n", " ") for t in texts)


def _when(day: int) -> datetime:
    return datetime(2026, 3, day, 10, 0, tzinfo=timezone.utc)


@pytest.fixture()
def db(tmp_path: Path):
    db = Database(tmp_path / "tol.db")
    pid = db.create_profile("Tolerance").id
    # two posture screens without details (as the sample history and imports store them) ...
    for day, tilt in ((2, 3.4), (16, -2.7)):
        db.add_assessment(pid, "posture_screen", {"views": ["front"]}, [
            Measure("shoulder_tilt", tilt, 1.5, reference=0.0, reference_low=-2.0, reference_high=2.0,
                    reference_source="Kendall 2005", mdc=2.0),
            Measure("craniovertebral_angle", 44.0, 3.0, reference_source="Lau 2009: no norm here", mdc=4.0),
        ], created_at=_when(day))  # fmt: skip
    # ... a range that is published (the record says so) and one cited to an unknown source
    db.add_assessment(pid, "functional", {"details": {"five_times_sit_to_stand": {"reference_is_tool_tolerance":
                                                                                   False}}}, [
        Measure("five_times_sit_to_stand", 10.2, 0.5, unit="s", reference_high=11.4, reference_source="Bohannon 2006"),
        Measure("pelvic_tilt", 1.0, 1.0, reference=0.0, reference_low=-2.0, reference_high=2.0,
                reference_source="a clinic's own table"),
    ], created_at=_when(17))  # fmt: skip
    yield db, pid
    db.close()


def test_which_ranges_are_this_tools_tolerance(db) -> None:
    database, pid = db
    first, _second, third = database.assessments(pid, START, END)
    tilt, cva = first.measures
    assert range_is_tool_tolerance(first, tilt) is True  # Kendall: "level", the ±2 is the tool's
    assert range_is_tool_tolerance(first, cva) is False  # no range at all
    sts, pelvis = third.measures
    assert range_is_tool_tolerance(third, sts) is False  # the record says the range is published
    assert range_is_tool_tolerance(third, pelvis) is False  # not this version's source: not claimed


def test_the_pdf_marks_the_tools_range_and_says_what_the_mark_means(db) -> None:
    database, pid = db
    pages = report_figures(database, pid, START, END)

    summary, evaluation = _text(pages[0]), _text(pages[1])
    assert "0° ‡" in summary  # the Norm column of the change table
    assert "[-2 to 2]‡" in evaluation
    assert "Kendall 2005; range: this tool's tolerance" in evaluation
    for page in (summary, evaluation):
        assert "range set by this tool (its screening tolerance)" in page
    # the published range and the unknown source carry no mark
    assert "[≤ 11.4]‡" not in evaluation and "[≤ 11.4]" in evaluation


def test_the_exports_say_which_range_is_the_tools(db, tmp_path: Path) -> None:
    database, pid = db
    export_csv(database, pid, tmp_path / "csv", START, END)
    with open(tmp_path / "csv" / "measures.csv", newline="", encoding="utf-8") as fh:
        rows = [(r["measure"], r["range_is_tool_tolerance"]) for r in csv.DictReader(fh)]
    assert rows == [("shoulder_tilt", "1"), ("craniovertebral_angle", ""), ("shoulder_tilt", "1"),
                    ("craniovertebral_angle", ""), ("five_times_sit_to_stand", "0"), ("pelvic_tilt", "0")]
    doc = json.loads(export_json(database, pid, tmp_path / "r.json", START, END).read_text(encoding="utf-8"))
    changes = {c["measure"]: c["range_is_tool_tolerance"] for c in doc["changes"]}
    assert changes == {"craniovertebral_angle": False, "five_times_sit_to_stand": False, "pelvic_tilt": False,
                       "shoulder_tilt": True}
    tilt = doc["assessments"][0]["measures"][0]
    assert tilt["name"] == "shoulder_tilt" and tilt["range_is_tool_tolerance"] is True
    assert "range_is_tool_tolerance" not in doc["assessments"][0]["measures"][1]  # no range: no flag


def test_signed_values_say_which_side_is_higher(db) -> None:
    assert side_phrase("shoulder_tilt", 3.4) == "left shoulder higher"
    assert side_phrase("shoulder_tilt", -2.7) == "right shoulder higher"
    assert side_phrase("shoulder_tilt", 0.3) == "level"
    assert side_phrase("trunk_lateral_lean", -4.0) == "leaning to the right"
    assert side_phrase("shoulder_flexion", 120.0) is None
    assert sign_convention("shoulder_tilt") == "+ = left shoulder higher"
    database, pid = db
    text = text_summary(collect(database, pid, START, END))
    assert "shoulder tilt: 3.4 ± 1.5° (left shoulder higher) -> -2.7 ± 1.5° (right shoulder higher)" in text
    pages = report_figures(database, pid, START, END)
    assert "3.4° ± 1.5 (left shoulder higher)" in _text(pages[1])
    assert "-2.7 ± 1.5° (right shoulder higher)" in _text(pages[0])


def test_the_trend_chart_reads_the_records_own_word_as_the_tables_do(tmp_path: Path) -> None:
    """A review found the chart's band deciding ‡ from the source alone while the tables read the
    record first: a record that says its Kendall range is *not* the tool's got ‡ on the chart only."""
    from posture_feedback.reports.charts import measure_points, rom_figure

    with Database(tmp_path / "w.db") as d:
        pid = d.create_profile("Word").id
        d.add_assessment(pid, "posture_screen", {"details": {"shoulder_tilt": {"reference_is_tool_tolerance": False}}},
                         [Measure("shoulder_tilt", 1.0, 1.5, reference=0.0, reference_low=-2.0, reference_high=2.0,
                                  reference_source="Kendall 2005")], created_at=_when(3))  # fmt: skip
        (p,) = measure_points(d, pid, START, END, rom=False)
        assert p.reference_is_tool_tolerance is False
        (a,) = d.assessments(pid, START, END)
        assert range_is_tool_tolerance(a, a.measures[0]) is False
        text = _text(rom_figure([p]))
        assert "range -2 to 2°" in text and "‡" not in text
