"""The PDF's evaluation table gives each measure the verdict the evaluation gave it.

Audit 27 followed ``assess posture`` on a still of the accuracy set's cam02 frame 72 (the man, roll given)
through every surface: the terminal, report.html, the evaluation window and ``history --json`` said
"uncertain" for the head tilt (−18.5 ± 18.0° against −2…2°) and "outside" for the others; the PDF's
table had no verdict at all, so "−18.5° ± 18.0 (right ear higher)" beside "0° [-2 to 2]" read as a fault.
A ROM test's left − right difference ("asymmetric" in the terminal) had none in the PDF or in
``history --json``. Real model on real footage; real SQLite; the PDF's own figures.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from posture_feedback.cli import main

CAM02 = Path(__file__).resolve().parents[2] / "shared" / "accuracy" / "data" / "videos" / "cam02.mp4"


def _still(path: Path, frame: int = 72, n: int = 45) -> Path:
    import cv2

    cap = cv2.VideoCapture(str(CAM02))
    cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
    ok, img = cap.read()
    cap.release()
    assert ok
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 60.0, img.shape[1::-1])
    for _ in range(n):
        out.write(img)
    out.release()
    return path


def _table_rows(figures) -> list[list[str]]:  # noqa: ANN001 - matplotlib figures
    from matplotlib.table import Table

    rows = []
    for fig in figures:
        for ax in fig.axes:
            for table in [c for c in ax.get_children() if isinstance(c, Table)]:
                cells = table.get_celld()
                for r in sorted({r for r, _ in cells}):
                    texts = [cells[r, c].get_text().get_text() for c in sorted(c for rr, c in cells if rr == r)]
                    rows.append([" ".join(t.split()) for t in texts])  # (cells wrap their text)
    return rows


@pytest.mark.skipif(not CAM02.exists(), reason="the accuracy set (../shared/accuracy) is not present")
def test_the_pdf_table_gives_the_evaluation_s_own_verdicts(tmp_path, capsys):
    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.storage import Database

    data = str(tmp_path / "data")
    assert main(["profile", "create", "--profile", "Pat", "--data-dir", data]) == 0
    argv = ["assess", "posture", "--front", str(_still(tmp_path / "still.mp4")), "--person", "491,793", "--roll",
            "2.6", "--hold", "0.2", "--capture", "0.3", "--out", str(tmp_path / "a"), "--profile", "Pat",
            "--data-dir", data]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    assert "since previous" not in capsys.readouterr().out  # the profile's first evaluation
    record = json.loads((tmp_path / "a" / "record.json").read_text(encoding="utf-8"))
    said = {m["name"].replace("_", " "): record["details"][m["name"]]["verdict"] for m in record["measures"]}
    assert "uncertain" in said.values() and "outside" in said.values(), said  # both kinds, as the audit saw
    with Database.open_default(data) as db:
        rows = _table_rows(report_figures(db, db.profile_by_name("Pat").id))
    header = next(r for r in rows if r[:2] == ["Measure", "Value ± uncertainty"])  # (not page 1's changes)
    assert "Verdict" in header
    col = header.index("Verdict")
    start = rows.index(header)
    shown = {r[0]: r[col] for r in rows[start:] if r[0] in said}
    assert shown == said
    # the same screen again: the terminal gives the comparison report.html gives (the same still: no change)
    assert main([*argv[:-6], "--out", str(tmp_path / "b"), "--profile", "Pat", "--data-dir", data]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("  since previous: ")]
    assert len(lines) == len(said) and all(x.endswith("no detectable change") for x in lines), lines
    # audit 32: the two values compared were written bare ("2.7 → 6.8 deg"); each carries its ±, the record's
    measures = {m["name"].replace("_", " "): m for m in record["measures"]}  # named in words on every surface
    for x in lines:
        name = x.removeprefix("  since previous: ").split(":")[0]
        m = measures[name]
        assert f"{m['value']:.1f} ± {m['uncertainty']:.1f} → {m['value']:.1f} ± {m['uncertainty']:.1f} " in x, x
    page = html.unescape((tmp_path / "b" / "report.html").read_text(encoding="utf-8"))
    assert all(x.removeprefix("  since previous: ") in page for x in lines), lines


def test_a_left_right_difference_keeps_its_asymmetry_word(tmp_path):
    """Hand-worked: left 41.2 ± 9.6, right 13.4 ± 9.3 (the audit's trunk lateral flexion on upper.mp4):
    27.8 against max(1.96 · √(9.6² + 9.3²) = 26.2, MDC 26.6) is asymmetric; the PDF and history --json say so."""
    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.reports.summary import assessments_document, collect
    from posture_feedback.storage import Database
    from posture_feedback.storage.models import Measure

    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Up").id
        name = "trunk_lateral_flexion_left_right_difference"
        record = {"details": {name: {"verdict": "asymmetric"}}}
        db.add_assessment(pid, "rom", record, [Measure(name, 27.8, 13.4, mdc=26.6)])
        rows = _table_rows(report_figures(db, pid))
        header = next(r for r in rows if r[:2] == ["Measure", "Value ± uncertainty"])
        (row,) = [r for r in rows[rows.index(header) :] if r[0] == name.replace("_", " ")]
        assert row[header.index("Verdict")] == "asymmetric"
        (doc,) = assessments_document(collect(db, pid))
        assert doc["measures"][0]["verdict"] == "asymmetric"


def test_a_change_without_a_threshold_reads_cannot_judge_in_the_pdf_as_in_history(tmp_path):
    """Hand-worked: a measure stored twice without an uncertainty or an MDC (10.0 → 30.0°) has no threshold: history
    and history --json say "cannot judge"; the PDF's first page wrote "–", the mark it keeps for one measurement."""
    from datetime import datetime, timedelta, timezone

    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.reports.summary import change_verdict, collect
    from posture_feedback.storage import Database
    from posture_feedback.storage.models import Measure

    t0 = datetime.now(timezone.utc) - timedelta(days=3)
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Nu").id
        for k, value in enumerate((10.0, 30.0)):
            db.add_assessment(pid, "rom", {}, [Measure("knee_flexion", value, float("nan"), side="left")],
                              created_at=t0 + timedelta(days=k))  # fmt: skip
        (c,) = collect(db, pid).changes
        assert c.n == 2 and change_verdict(c) == "cannot judge"
        rows = _table_rows(report_figures(db, pid))
        row = next(r for r in rows if r[0] == c.label)  # page 1's change table comes first
        assert row[-1] == "cannot judge", row


def test_one_measurement_has_no_last_value_and_no_threshold_in_the_pdf_as_in_history(tmp_path):
    """Audit 30: a ROM test's left − right difference measured once (5.0 ± 39.1°, ``assess rom`` on the
    sports sample) read in the PDF's change table as First 5.0 ± 39.1°, Last 5.0 ± 39.1° (the same value
    again), Threshold 108.4° (u), where history says "(one measurement)". Real SQLite, the PDF's own text
    via pdftotext: the one value under First, "–" under Last, Change and Threshold, "one value"."""
    import shutil
    import subprocess
    from datetime import datetime, timedelta, timezone

    from posture_feedback.reports.pdf import report_figures, write_report
    from posture_feedback.reports.summary import collect, text_summary
    from posture_feedback.storage import Database
    from posture_feedback.storage.models import Measure

    t0 = datetime.now(timezone.utc) - timedelta(days=3)
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("Uno").id
        db.add_assessment(pid, "rom", {}, [Measure("knee_flexion", 120.0, 4.0, side="left")],
                          created_at=t0)  # fmt: skip
        (c,) = collect(db, pid).changes
        assert c.n == 1 and "(one measurement)" in text_summary(collect(db, pid))
        row = next(r for r in _table_rows(report_figures(db, pid)) if r[0] == c.label)
        assert row == [c.label, "1", "120.0 ± 4.0°", "–", "–", "–", "–", "one value"], row
        if shutil.which("pdftotext"):
            out = write_report(db, pid, tmp_path / "r.pdf")
            text = subprocess.run(["pdftotext", "-layout", "-l", "1", str(out), "-"], capture_output=True,
                                  text=True, check=True).stdout  # fmt: skip
            line = next(ln for ln in text.splitlines() if c.label in ln)
            # the value once (not again as Last), no threshold (1.96·√2·4.0 = 11.1° before)
            assert line.count("120.0 ± 4.0°") == 1 and "11.1" not in line and "(u)" not in line, line
            assert "one value" in text
