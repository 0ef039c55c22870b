"""The posture screen names the person's own higher side wherever it prints a signed tilt or lean.

A fourteenth audit saw ``shoulder_tilt −41.6° ± 20.1 outside`` with no side in the terminal, the
HTML report and the snapshot's panel of ``assess posture``, while the PDF and the history said
"(right shoulder higher)"; and "22.4 ± 22.4° (left shoulder higher)" where the printed ± reaches 0.

The person is built in 3D with the RIGHT shoulder 30° higher by construction (``test_side_words.person``,
facing the camera), so the side is known from the geometry, not from the code under test.
"""

from __future__ import annotations

import argparse
import math

import pytest
from test_assessment import sequence
from test_side_words import person

from posture_feedback.assessment.posture import _panel, posture_screen
from posture_feedback.assessment.report import render_html
from posture_feedback.assessment.snapshots import fmt
from posture_feedback.calibration.camera import CameraCalibration
from posture_feedback.side_words import side_phrase, side_text

LEVEL_CAMERA = CameraCalibration(roll_deg=0.0, n_frames=1, axis="manual", camera="manual")


@pytest.fixture(scope="module")
def right_shoulder_up():
    """A posture record of a person whose right shoulder is 30° higher (camera roll given as 0°)."""
    front = sequence([person("front", shoulder=-30.0)] * 80)
    return posture_screen(front, None, calibration=LEVEL_CAMERA, calibration_origin="manual")


def test_the_constructed_tilt_is_the_one_measured(right_shoulder_up):
    m = right_shoulder_up.measure("shoulder_tilt")
    assert m.value == pytest.approx(-30.0, abs=0.5)  # − = the person's right shoulder higher
    assert abs(m.value) > m.uncertainty  # the printed ± does not reach 0: a side is named


def test_terminal_html_and_panel_name_the_right_shoulder(right_shoulder_up, tmp_path, capsys):
    from posture_feedback.commands.assess import _finish

    rec = right_shoulder_up
    args = argparse.Namespace(out=tmp_path / "out", previous=None, profile=None)
    _finish(args, rec, "posture")
    line = next(s for s in capsys.readouterr().out.splitlines() if s.strip().startswith("shoulder_tilt"))
    assert "(right shoulder higher)" in line
    # the side word sits beside the value it belongs to, before the MDC and the verdict
    assert line.index("(right shoulder higher)") < line.index("MDC")
    html = render_html([rec])
    row = html[html.index("<td>shoulder tilt</td>"):]
    row = row[: row.index("</tr>")]
    assert "(right shoulder higher)" in row
    panel = next(s for s in _panel(rec, ["shoulder_tilt"]))
    assert "(right shoulder higher)" in panel
    assert panel.startswith("shoulder tilt: ")  # words on the picture, not the measure's code name (audit 30)
    assert panel.isascii()  # OpenCV's fonts have no ± or °


def test_side_word_is_decided_on_the_printed_numbers():
    # The audit's record: 22.387389382408397 ± 22.38321245686564 prints "22.4 ± 22.4": its ± reaches 0.
    assert side_phrase("shoulder_tilt", 22.387389382408397, 22.38321245686564) == "level within its ±"
    assert side_text("shoulder_tilt", 22.387389382408397, 22.38321245686564) == " (level within its ±)"
    # 22.46 ± 22.38 prints "22.5 ± 22.4": the left side is named, as before.
    assert side_phrase("shoulder_tilt", 22.46, 22.38) == "left shoulder higher"
    # the snapshot's ASCII text says the same
    assert fmt(22.387389382408397, 22.38321245686564, name="shoulder_tilt") == (
        "22.4 +/- 22.4 deg (level within its +/-)"
    )
    # no ± known: the value's side (unchanged)
    assert side_phrase("shoulder_tilt", -3.4, math.nan) == "right shoulder higher"


def test_history_and_pdf_lines_use_the_same_rule(tmp_path):
    """The history's text and the PDF's tables, on a stored record: the audit's 22.387 ± 22.383 (printed
    22.4 ± 22.4) says "level within its ±" in both (they said "left shoulder higher")."""
    from datetime import date, datetime, timezone

    from test_left_right_difference import _cells

    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.reports.summary import collect, text_summary
    from posture_feedback.storage import Database
    from posture_feedback.storage.models import Measure

    db = Database(tmp_path / "d.db")
    pid = db.create_profile("Tilt").id
    for day, value in ((2, 22.387389382408397), (16, 22.387389382408397)):
        m = Measure("shoulder_tilt", value, 22.38321245686564)
        db.add_assessment(pid, "posture_screen", {}, [m], created_at=datetime(2026, 3, day, 10, tzinfo=timezone.utc))
    start, end = date(2026, 3, 1), date(2026, 3, 20)
    text = text_summary(collect(db, pid, start, end))
    line = next(x for x in text.splitlines() if "shoulder tilt" in x)
    assert line.count("22.4 ± 22.4° (level within its ±)") == 2, line
    cells = [c for fig in report_figures(db, pid, start, end) for c in _cells(fig) if "shoulder tilt" in c]
    assert cells and all("left shoulder higher" not in c for c in cells), cells
    assert any("(level within its ±)" in c for c in cells), cells


def test_the_html_report_counts_one_repetition_in_the_singular():
    """Audit 27: ``assess rom trunk_lateral_flexion --side both`` on the accuracy set's upper.mp4 crop found
    one repetition to the right, and report.html wrote "1 repetitions, best at frame 49"."""
    from posture_feedback.assessment.record import AssessmentRecord
    from posture_feedback.assessment.report import render_html
    from posture_feedback.storage.models import Measure

    measures = [
        Measure("trunk_lateral_flexion", 13.4, 9.3, "right"),
        Measure("trunk_lateral_flexion", 41.2, 9.6, "left"),
    ]
    rec = AssessmentRecord(kind="rom", title="ROM", measures=measures)
    rec.details["trunk_lateral_flexion (right)"] = {"n_reps": 1, "best_frame": 49}
    rec.details["trunk_lateral_flexion (left)"] = {"n_reps": 2, "best_frame": 74}
    page = render_html([rec])
    assert "1 repetition, best at frame 49" in page and "2 repetitions, best at frame 74" in page
