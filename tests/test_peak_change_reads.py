"""The exercises' mean peaks and their ± read as the change verdict beside them (audit 32).

`history` and the PDF wrote the sample profile's chin tuck "peak -4 ± 2 -> -9 ± 2° (-5.8, uncertainty
4.2°: change)" for -3.6 ± 1.5 -> -9.4 ± 1.5°. A reader applying the tool's rule (docs/assessment.md: a
change only beyond 1.96 · √(u₁² + u₂²)) to the written numbers gets 1.96 · √(2² + 2²) = 5.5 against a
written change of 5: no change, beside "change". Now the peaks take the decimals their ± need. Checked
on the real sample history (SQLite), through the command line and the PDF's text (pdftotext).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import pytest

from posture_feedback.cli import main

#: "peak -3.6 ± 1.5 -> -9.4 ± 1.5° (-5.8, uncertainty 4.2°: change)"
HISTORY = re.compile(r"peak (-?[\d.]+) ± ([\d.]+) -> (-?[\d.]+) ± ([\d.]+)\S* \(([+-][\d.]+), uncertainty [\d.]+\S*: "
                     r"(change|no detectable change)\)")  # fmt: skip
#: "-3.6 ± 1.5° → -9.4 ± 1.5° (change)" (a row may wrap before its verdict)
PDF = re.compile(r"(-?[\d.]+) ± ([\d.]+)° → (-?[\d.]+) ± ([\d.]+)°\s+\((change|no detectable\s+change)\)")


def reads_as_change(first: str, u1: str, last: str, u2: str) -> bool:
    """The tool's rule on the numbers as written (1.96 · √(u₁² + u₂²), compared at the written decimals)."""
    d = max(len(x.partition(".")[2]) for x in (first, u1, last, u2))
    limit = 1.96 * math.hypot(float(u1), float(u2))
    return round(abs(float(last) - float(first)), d) > round(limit, d)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo")
    assert main(["profile", "create", "--profile", "Demo", "--sample-data", "--data-dir", str(data)]) == 0
    return data


def test_history_s_peaks_read_as_their_verdict(demo, capsys) -> None:
    capsys.readouterr()
    assert main(["history", "--profile", "Demo", "--data-dir", str(demo)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if " peak " in line]
    assert len(rows) == 5, out
    chin = next(line for line in rows if line.strip().startswith("chin tuck"))  # named in words (audit 30)
    assert "peak -3.6 ± 1.5 -> -9.4 ± 1.5° (-5.8, uncertainty 4.2°: change)" in chin
    for line in rows:
        m = HISTORY.search(line)
        assert m, line
        first, u1, last, u2, _delta, verdict = m.groups()
        assert reads_as_change(first, u1, last, u2) == (verdict == "change"), line
    assert "peak 112 ± 8 -> 136 ± 8° (+24.1, uncertainty 22.2°: change)" in out  # whole degrees where they read right


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_the_pdf_s_peaks_read_as_their_verdict(demo, tmp_path) -> None:
    pdf = tmp_path / "r.pdf"
    assert main(["report", "--profile", "Demo", "--data-dir", str(demo), "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page = text[text.index("Exercise results per exercise"):]
    flat = re.sub(r"\s+", " ", page)
    rows = PDF.findall(flat)
    assert len(rows) == 5, page
    assert ("-3.6", "1.5", "-9.4", "1.5", "change") in rows
    for first, u1, last, u2, verdict in rows:
        assert reads_as_change(first, u1, last, u2) == (verdict == "change"), (first, u1, last, u2, verdict)


def test_history_json_states_the_exercises_as_the_text_does(demo, capsys) -> None:
    """`history --json` had no exercises at all (no peaks, no ±, no verdict), though the README says it
    prints the same facts as the text (audit 32): each exercise now carries its peaks with their ±, the
    change, its threshold, the verdict and the text's own line."""
    import json

    capsys.readouterr()
    assert main(["history", "--profile", "Demo", "--data-dir", str(demo)]) == 0
    text = [line.strip() for line in capsys.readouterr().out.splitlines() if " peak " in line]
    assert main(["history", "--profile", "Demo", "--data-dir", str(demo), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["text"] for e in doc["exercises"]] == text
    for e in doc["exercises"]:
        assert e["first_peak_uncertainty"] > 0 and e["last_peak_uncertainty"] > 0
        limit = 1.96 * math.hypot(e["first_peak_uncertainty"], e["last_peak_uncertainty"])
        assert e["threshold"] == pytest.approx(limit)
        assert e["verdict"] == ("change" if abs(e["difference"]) > limit else "no detectable change")
        assert e["verdict"] in e["text"]
