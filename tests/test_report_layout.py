"""The history text, the session chart and the PDF are readable: no "nan", no two identical date
labels, every table cell inside the page, no text drawn over another text.

The PDF is checked on the drawn pages (matplotlib's own text extents after rendering), with the real
citations of the assessment references (the longest cells) and enough measures to need a second page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations

import pytest
from drawn_texts import drawn_texts
from matplotlib.backends.backend_agg import FigureCanvasAgg

from posture_feedback.assessment.references import POSTURE_REFERENCES, ROM_REFERENCES
from posture_feedback.reports.charts import session_labels, sessions_figure
from posture_feedback.reports.pdf import report_figures, write_report
from posture_feedback.reports.summary import collect, text_summary
from posture_feedback.storage import Database, Measure, Repetition

DAY = datetime(2026, 12, 6, 9, 0).astimezone()


@pytest.fixture
def db(tmp_path):
    db = Database(tmp_path / "pf.sqlite3")
    pid = db.create_profile("Ann Long-Name").id
    for week in range(3):  # three ROM tests with every reference and its full citation, one value in the wrong view
        measures = []
        for name, ref in {**ROM_REFERENCES, **POSTURE_REFERENCES}.items():
            for side in ("left", "right"):
                measures.append(Measure(name, 100.0 + week, 3.0, side=side, reference=ref.typical,
                                        reference_low=ref.low, reference_high=ref.high,
                                        reference_source=ref.citation(), mdc=9.0, valid=side == "left"))  # fmt: skip
        db.add_assessment(pid, "rom", {}, measures, created_at=DAY - timedelta(days=14 - 7 * week))
    for hour in (9, 9, 14):  # three sessions on one day, two in the same minute
        sid = db.start_session(pid, started_at=DAY.replace(hour=hour))
        hold = db.add_set(sid, "upright_sitting", target_reps=1)
        db.add_repetition(hold, Repetition(1, DAY, DAY + timedelta(seconds=20), tempo_s=20.0, time_in_range_frac=0.9))
        reach = db.add_set(sid, "forward_reach", side="left", target_reps=2)
        db.add_repetition(reach, Repetition(1, DAY, DAY + timedelta(seconds=3), angle="left_shoulder_elevation",
                                            peak_angle=120.0, time_in_range_frac=0.5))  # fmt: skip
        db.end_session(sid)
    yield db, pid
    db.close()


def test_session_labels_are_unique():
    same_day = [DAY, DAY.replace(hour=11), DAY.replace(hour=11), DAY + timedelta(days=1)]
    assert session_labels(same_day) == ["06 Dec 09:00", "06 Dec 11:00", "06 Dec 11:00 #2", "07 Dec"]


def test_the_history_text_never_says_nan(db):
    database, pid = db
    text = text_summary(collect(database, pid, DAY.date() - timedelta(days=30), DAY.date()))
    assert "nan" not in text.lower()
    hold_line = next(line for line in text.splitlines() if "upright sitting" in line)
    assert "3 sessions, 3 attempts" in hold_line and "peak" not in hold_line
    assert "forward reach (left): 3 sessions, 3 attempts" in text and "peak 120 -> 120°" in text


def test_the_session_chart_labels_each_session_once(db):
    database, pid = db
    fig = sessions_figure(database.sessions_between(pid, None, DAY.date()))
    FigureCanvasAgg(fig).draw()
    labels = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert len(labels) == 3 and len(set(labels)) == 3, labels


def test_every_pdf_page_fits_and_no_text_overlaps(db, tmp_path, monkeypatch):
    database, pid = db
    pages = report_figures(database, pid, DAY.date() - timedelta(days=30), DAY.date())
    evaluation = [f for f in pages if f._suptitle is not None and f._suptitle.get_text().startswith("Evaluation")]
    assert len(evaluation) >= 2  # 3 × 24 measures do not fit one page: continued, not cut
    for number, fig in enumerate(pages, start=1):
        page = fig.bbox
        texts = drawn_texts(fig, monkeypatch)
        for text, box in texts:
            inside = box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1
            assert inside, (number, text, box, page)
        for (t1, b1), (t2, b2) in combinations(texts, 2):
            overlap_w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
            overlap_h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
            assert overlap_w <= 1 or overlap_h <= 1, (number, t1, t2)
    # every measure's citation is printed in full somewhere (wrapped, never cut)
    out = write_report(database, pid, tmp_path / "r.pdf", DAY.date() - timedelta(days=30), DAY.date())
    assert out.stat().st_size > 10_000
    drawn = " ".join(t.replace("\n", " ") for f in evaluation for t, _ in drawn_texts(f, monkeypatch))
    for ref in ROM_REFERENCES.values():
        assert " ".join(ref.citation().split()) in " ".join(drawn.split())


def test_monitor_times_and_peak_units_read_right():
    """A second audit: 27 s of monitoring read "0.0 h over 1 days", and a shoulder roll's peak (in %
    of the shoulder width) read "-14 -> -14°"."""
    from types import SimpleNamespace

    from posture_feedback.reports.summary import exercise_unit, monitor_time_text

    one = SimpleNamespace(monitor=[SimpleNamespace(monitored_s=27.0)])
    assert monitor_time_text(one) == "27 s over 1 day"
    two = SimpleNamespace(monitor=[SimpleNamespace(monitored_s=7200.0), SimpleNamespace(monitored_s=5040.0)])
    assert monitor_time_text(two) == "3 h 24 min over 2 days"
    assert exercise_unit("shoulder_rolls") == " % shoulder width"
    assert exercise_unit("marching") == ""  # leg lengths: a ratio
    assert exercise_unit("mini_squat") == "°"
