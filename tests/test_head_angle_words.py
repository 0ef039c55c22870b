"""Words a person reads: the head angle named for what it measures wherever a person reads it; page 1 of the
PDF says what its "good form" share is of.

It runs from the shoulder *joint* to the ear, on this tool's own scale (upright sitting reads about 70-80°),
not the clinical C7-tragus craniovertebral angle (about 50°, Lau 2009). Until 2026-12-08 the app, ``history``
and the reports named it after its data column, "craniovertebral angle", and a clinician reads that against the
clinical norm (audit 31). Data keep the column name (CSV, JSON, database); what is read says
"head angle (shoulder–ear)". Real SQLite (the sample history), the real PDF's text, the real HTML report.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from posture_feedback.cli import main

WORDS = "head angle (shoulder–ear)"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    assert main(["profile", "create", "--profile", "Ann", "--sample-data", "--data-dir", str(d)]) == 0
    return d


def test_history_names_the_head_angle_by_what_it_measures(data, capsys):
    capsys.readouterr()
    assert main(["history", "--profile", "Ann", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"{WORDS}:" in out and "craniovertebral" not in out.lower(), out
    assert main(["history", "--profile", "Ann", "--data-dir", str(data), "--json"]) == 0
    assert "craniovertebral_angle" in json.dumps(json.loads(capsys.readouterr().out))  # the data keep their name


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_pdf_names_the_head_angle_by_what_it_measures(data, tmp_path):
    out = tmp_path / "r.pdf"
    assert main(["report", "--profile", "Ann", "--data-dir", str(data), "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Head angle (shoulder–ear)" in flat  # the chart's axis
    assert "head angle" in flat and "craniovertebral" not in flat.lower()


def test_the_html_report_and_the_change_line_name_it_by_what_it_measures(tmp_path):
    from posture_feedback.assessment.report import write_html_report
    from posture_feedback.assessment.uncertainty import compare_measures
    from posture_feedback.storage.models import Measure

    def measure(value: float) -> Measure:
        return Measure(name="craniovertebral_angle", value=value, unit="deg", uncertainty=5.0, mdc=6.0)

    (change,) = compare_measures([measure(70.0)], [measure(80.0)])
    assert change.describe().startswith(f"{WORDS}: 70.0 ± 5.0 → 80.0 ± 5.0 deg")
    from posture_feedback.assessment.record import AssessmentRecord

    record = AssessmentRecord(kind="posture", title="Posture screen", measures=[measure(72.0)])
    text = write_html_report([record], tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"<td>{WORDS}</td>" in text and "craniovertebral" not in text.lower()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_page_one_says_good_form_is_a_share_of_the_judged_attempts(data, tmp_path):
    """Audit 30: page 1's "good form 37%" did not say the unsure attempts are left out of it."""
    out = tmp_path / "r.pdf"
    assert main(["report", "--profile", "Ann", "--data-dir", str(data), "--out", str(out)]) == 0
    text = " ".join(subprocess.run(["pdftotext", "-l", "1", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # fmt: skip
    assert "not judged: the camera could not tell); good form" in text and "% of those judged;" in text, text
