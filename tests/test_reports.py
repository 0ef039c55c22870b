"""Charts, summary, PDF report and CSV/JSON export on a real database filled with the sample history."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from drawn_texts import drawn_texts
from matplotlib.collections import PolyCollection

from posture_feedback.reports import charts
from posture_feedback.reports.export import CSV_FILES, export_csv, export_json
from posture_feedback.reports.pdf import report_figures, write_report
from posture_feedback.reports.summary import collect, measure_changes, text_summary
from posture_feedback.storage import Database, RomPoint
from posture_feedback.storage.sample_data import SAMPLE_ROM, fill_sample_history

END = date(2026, 3, 29)  # a Sunday; six weeks back starts on Monday 16 February


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, int]:
    db = Database(tmp_path_factory.mktemp("reports") / "pf.sqlite3")
    profile = fill_sample_history(db, "Sample patient", end=END)
    yield db, profile.id
    db.close()


def _png_array(data: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(data), format="png")


def _not_blank(image: np.ndarray) -> float:
    """Fraction of pixels that are not (near) white."""
    rgb = image[..., :3]
    return float((rgb.min(axis=-1) < 0.9).mean())


# ---------------------------------------------------------------------- charts
def test_every_history_chart_renders_offscreen(sample: tuple[Database, int]) -> None:
    db, pid = sample
    figs = charts.history_figures(db, pid, end=END)
    assert set(figs) == {"rom", "posture", "sessions", "ratings", "adherence", "monitor"}
    for name, fig in figs.items():
        image = _png_array(charts.render_png(fig))
        assert image.shape[0] > 200 and image.shape[1] > 400, name
        assert _not_blank(image) > 0.03, f"{name} chart is (nearly) blank"


def _norm_lines(ax) -> list[float]:
    return [ln.get_ydata()[0] for ln in ax.get_lines() if len(set(ln.get_ydata())) == 1 and ln.get_linestyle() == "--"]


def test_rom_chart_draws_the_change_threshold_band_and_no_borrowed_norm(sample: tuple[Database, int]) -> None:
    """The band: the first value ± each later point's change threshold (at least the MDC; audit 32,
    ``tests/test_change_band.py``)."""
    db, pid = sample
    points = charts.measure_points(db, pid, None, END, rom=True)
    fig = charts.rom_figure(points)
    axes = fig.get_axes()
    assert len(axes) == len(SAMPLE_ROM)  # one panel per ROM measure
    by_label = {ax.get_ylabel().split(" (")[0].lower(): ax for ax in axes}
    ax = by_label["shoulder flexion"]
    _, mdc, _ = SAMPLE_ROM["shoulder_flexion"]
    # The AAOS 180° norm is supine goniometry; this tool measures standing: no norm line.
    assert _norm_lines(ax) == []
    right = [p for p in points if (p.name, p.side) == ("shoulder_flexion", "right")]
    first_right = db.rom_over_time(pid, "shoulder_flexion", side="right")[0].value
    _, half = charts.change_band(sorted(right, key=lambda p: p.when))
    assert min(half) >= mdc  # never narrower than the stored MDC
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    spans = sorted((round(float(p.vertices[:, 1].min()), 6), round(float(p.vertices[:, 1].max()), 6))
                   for c in bands for p in c.get_paths())  # fmt: skip
    assert (round(first_right - max(half), 6), round(first_right + max(half), 6)) in spans


def test_rom_chart_draws_a_norm_this_version_gives_and_hides_one_it_withdrew() -> None:
    when = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)

    def point(name: str, value: float, reference: float) -> RomPoint:
        return RomPoint(when, 1, name, "left", value, 3.0, "deg", reference, None)

    # trunk lateral flexion: AAOS 0-35, measured standing and active as here; shoulder flexion:
    # an older record that stored the AAOS 180° (supine) norm, withdrawn since
    fig = charts.rom_figure([point("trunk_lateral_flexion", 28.0, 35.0), point("shoulder_flexion", 150.0, 180.0)])
    by_label = {ax.get_ylabel().split(" (")[0].lower(): ax for ax in fig.get_axes()}
    assert _norm_lines(by_label["trunk lateral flexion"]) == [35.0]
    assert _norm_lines(by_label["shoulder flexion"]) == []


def test_adherence_calendar_cells(sample: tuple[Database, int]) -> None:
    db, pid = sample
    days = db.adherence(pid, END - timedelta(days=13), END)
    fig = charts.adherence_figure(days)
    grid = fig.get_axes()[0].get_images()[0].get_array()
    assert grid.shape == (7, 2)  # two full weeks, Monday to Sunday
    for d in days:
        week = (d.day - days[0].day).days // 7
        code = grid[d.day.weekday(), week]
        if d.planned and d.done:
            assert code == 4
        elif d.planned:
            assert code == (3 if d.stopped else 2)
        elif d.extra:
            assert code == 1
        else:
            assert code == 0
    done = sum(min(d.done, d.planned) for d in days)
    assert f"{done} of {sum(d.planned for d in days)} planned" in fig.get_axes()[0].get_title()


def test_days_before_the_plan_are_no_rest_days(sample: tuple[Database, int]) -> None:
    """Audit 30: the History tab's "Last 3 months" began seven weeks before the sample's plan was made, and
    the calendar painted all those days grey, "rest day", while the summary listed each of those weeks as
    "0 of 0 done (n/a)". A day before the first plan is now no plan's day: blank in the calendar (a
    "no plan" legend entry) and its weeks left out of the summary; a rest day of the plan stays grey."""
    db, pid = sample
    made = db.plans(pid)[0].created_at.date()
    start = made - timedelta(days=21)
    days = db.adherence(pid, start, END)
    before = [d for d in days if d.day < made]
    assert len(before) == 21 and not any(d.in_plan for d in before)
    assert all(d.in_plan for d in days if d.day >= made)
    fig = charts.adherence_figure(days)
    grid = np.ma.filled(fig.get_axes()[0].get_images()[0].get_array().astype(float), np.nan)
    first = start - timedelta(days=start.weekday())
    for d in days:
        cell = grid[d.day.weekday(), (d.day - first).days // 7]
        if d.day < made:
            assert math.isnan(cell), d.day  # blank
        elif not d.planned and not d.extra:
            assert cell == 0, d.day  # a rest day of the plan: grey
    assert "no plan" in [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    text = text_summary(collect(db, pid, start=start, end=END))
    assert "0 of 0" not in text
    monday_of_plan = made - timedelta(days=made.weekday())
    assert f"week of {monday_of_plan.isoformat()}:" in text
    assert f"week of {(monday_of_plan - timedelta(days=7)).isoformat()}" not in text


def test_empty_profile_charts_say_no_data(tmp_path: Path) -> None:
    with Database(tmp_path / "pf.sqlite3") as db:
        pid = db.create_profile("New").id
        for fig in charts.history_figures(db, pid).values():
            texts = [t.get_text() for ax in fig.get_axes() for t in ax.texts]
            assert any(t.startswith("No data for this period") for t in texts)
            assert _not_blank(_png_array(charts.render_png(fig))) > 0.001
        # Audit 30: the empty PDF pages say what fills them too (the page titles end in "over time")
        if shutil.which("pdftotext"):
            out = write_report(db, pid, tmp_path / "new.pdf")
            text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                           check=True).stdout.split())  # fmt: skip
            for title, hint in charts.FILLED_BY.items():
                if title == "Posture and movement measures":
                    continue  # (the PDF has that page only when there are such measures)
                assert " ".join(f"({hint})".split()) in text, hint


# ---------------------------------------------------------------------- summary
def test_changes_are_judged_against_mdc(sample: tuple[Database, int]) -> None:
    db, pid = sample
    data = collect(db, pid, end=END)
    changes = {(c.name, c.side): c for c in data.changes}
    right = changes[("shoulder_flexion", "right")]
    pts = db.rom_over_time(pid, "shoulder_flexion", side="right")
    assert right.first == pts[0].value and right.last == pts[-1].value and right.n == len(pts) == 3
    # One rule (assessment.change): beyond both the two measurements' own 95 % limit and the stored MDC.
    own = 1.96 * math.hypot(pts[0].uncertainty, pts[-1].uncertainty)
    mdc = SAMPLE_ROM["shoulder_flexion"][1]
    assert right.threshold == pytest.approx(max(own, mdc))
    assert right.threshold_source == ("uncertainty" if own >= mdc else "MDC")
    assert right.significant is (abs(right.delta) > right.threshold)
    assert right.significant  # the sample's affected side improves by far more than the MDC
    elbow = changes[("elbow_flexion", "left")]
    assert abs(elbow.delta) < elbow.threshold and elbow.significant is False
    text = text_summary(data)
    assert "Sample patient" in text and "shoulder flexion (right)" in text
    assert f"{data.done_planned} of {data.planned} planned" in text


def test_change_without_mdc_uses_uncertainties() -> None:
    t0 = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    mk = lambda v, u, d: RomPoint(t0 + timedelta(days=d), 1, "hip_flexion", "left", v, u, "deg", 120.0, None)  # noqa: E731
    (c,) = measure_changes([mk(100.0, 3.0, 0), mk(110.0, 4.0, 14)])
    assert c.threshold == pytest.approx(1.96 * 5.0) and c.threshold_source == "uncertainty"
    assert c.delta == 10.0 and c.significant is True
    (c,) = measure_changes([mk(100.0, 3.0, 0), mk(105.0, 4.0, 14)])
    assert c.significant is False
    (c,) = measure_changes([mk(100.0, math.nan, 0)])
    assert c.significant is None


# ---------------------------------------------------------------------- PDF
def test_pdf_report_pages(sample: tuple[Database, int], tmp_path: Path) -> None:
    db, pid = sample
    # One evaluation snapshot: the profile allows images, so the report gets a snapshot page.
    db.update_profile_settings(pid, snapshots=True)
    first = db.assessments(pid, kind="posture_screen")[0]
    png = charts.render_png(charts.monitor_figure(db.monitor_by_day(pid)), dpi=40)
    db.add_snapshot(pid, png, assessment_id=first.id, caption="front view")

    out = write_report(db, pid, tmp_path / "report.pdf", end=END)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    # summary, evaluation results, snapshots, ROM trends, posture trends, adherence + monitor, exercise chart,
    # exercise table
    assert pages == 8

    figures = report_figures(db, pid, end=END)
    assert len(figures) == pages
    for fig in figures:  # every page has content, rendered offscreen
        assert _not_blank(_png_array(charts.render_png(fig, dpi=40))) > 0.01

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed: the PDF's own rendering is not checked")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True, timeout=120)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages
    for png_path in rendered:
        image = mpimg.imread(png_path)
        assert image.shape[0] > image.shape[1]  # A4 portrait
        assert _not_blank(image) > 0.01, png_path.name
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Progress report: Sample patient" in text
        assert "CHANGE" in text and "Evaluation results" in text and "front view" in text


def test_no_text_of_the_sample_report_runs_off_its_page(sample: tuple[Database, int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A new-user audit: page 1's "Attempts at a repetition: 703 (50 not judged: the camera could not tell);
    good form 45%; time in target range 6…" was cut at the right edge. Every text of every page lies within
    the page, and that line is there whole (wrapped, not cut)."""
    db, pid = sample
    figures = report_figures(db, pid, end=END)
    for number, fig in enumerate(figures, start=1):
        page = fig.bbox
        for text, box in drawn_texts(fig, monkeypatch):
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, (number, text[:80], box.x0, box.x1, page.x1)
            assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, (number, text[:80], box.y0, box.y1, page.y1)
    summary = " ".join(" ".join(t.split()) for t, _ in drawn_texts(figures[0], monkeypatch))
    data = collect(db, pid, None, END)
    assert f"Attempts at a repetition: {data.n_reps}" in summary
    assert "time in target range" in summary and "good posture confirmed" in summary and "not judged" in summary


def test_pdf_unwritable_path_is_clear_error(sample: tuple[Database, int], tmp_path: Path) -> None:
    from posture_feedback.storage import StorageError

    db, pid = sample
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot write report"):
        write_report(db, pid, tmp_path / "file" / "r.pdf", end=END)


# ---------------------------------------------------------------------- CSV / JSON
def test_csv_export_matches_database(sample: tuple[Database, int], tmp_path: Path) -> None:
    db, pid = sample
    paths = export_csv(db, pid, tmp_path / "csv", end=END)
    assert [p.name for p in paths] == list(CSV_FILES)
    counts = db.row_counts(pid)

    def rows(name: str) -> list[dict[str, str]]:
        with open(tmp_path / "csv" / name, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    reps = rows("repetitions.csv")
    assert len(reps) == counts["repetitions"]
    assert len(rows("measures.csv")) == counts["measures"]
    assert len(rows("sessions.csv")) == counts["sessions"]
    assert len(rows("monitor.csv")) == counts["monitor_stats"]
    session = db.sessions(pid)[0]
    rep = session.sets[0].repetitions[0]
    row = next(r for r in reps if r["session_uid"] == session.uid and r["set_index"] == "1" and r["rep_index"] == "1")
    assert float(row["peak_angle"]) == rep.peak_angle and row["quality"] == rep.quality
    assert row["started_at"] == rep.started_at.isoformat()


def test_json_export_is_strict_and_consistent(sample: tuple[Database, int], tmp_path: Path) -> None:
    db, pid = sample
    out = export_json(db, pid, tmp_path / "r.json", end=END)

    def no_nan(token: str) -> float:
        raise AssertionError(f"non-standard JSON constant {token}")

    doc = json.loads(out.read_text(encoding="utf-8"), parse_constant=no_nan)
    data = collect(db, pid, end=END)
    assert doc["format"] == "posture-feedback-report-data"
    assert doc["summary"]["repetitions"] == data.n_reps
    assert doc["summary"]["planned"] == data.planned
    assert len(doc["sessions"]) == len(data.sessions)
    assert sum(len(st["repetitions"]) for s in doc["sessions"] for st in s["sets"]) == data.n_reps
    assert {(c["measure"], c["side"]) for c in doc["changes"]} == {(c.name, c.side) for c in data.changes}


def test_a_norm_stored_by_an_older_version_is_not_shown_when_this_version_withdrew_it(tmp_path: Path) -> None:
    """An older release stored the C7–tragus CVA norm (53°, 48–58°) with the tool's shoulder–ear
    angle, and the AAOS supine 180° with standing shoulder flexion. The report must not judge
    by them: no norm in the change table, the evaluation pages or the charts; a norm that still
    holds (shoulder tilt level, Kendall) stays."""
    from posture_feedback.storage.models import Measure

    db = Database(tmp_path / "old.db")
    pid = db.create_profile("Old records").id
    for k, day in enumerate((date(2026, 3, 2), date(2026, 3, 16))):
        when = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
        db.add_assessment(pid, "posture_screen", {}, [
            Measure("craniovertebral_angle", 44.0 + 2 * k, 3.0, reference=53.0, reference_low=48.0,
                    reference_high=58.0, reference_source="Yip et al. 2008", mdc=4.0),
            Measure("shoulder_tilt", 2.0, 1.5, reference=0.0, reference_low=-2.0, reference_high=2.0,
                    reference_source="Kendall 2005", mdc=2.0),
            Measure("shoulder_flexion", 150.0 + 5 * k, 4.0, side="right", reference=180.0,
                    reference_source="AAOS", mdc=9.0),
        ], created_at=when)  # fmt: skip
    data = collect(db, pid, date(2026, 3, 1), date(2026, 3, 20))
    changes = {c.name: c for c in data.changes}
    assert changes["craniovertebral_angle"].reference is None
    assert changes["shoulder_flexion"].reference is None
    assert changes["shoulder_tilt"].reference == 0.0
    for a in data.assessments:
        m = {x.name: x for x in a.measures}
        cva = m["craniovertebral_angle"]
        assert (cva.reference, cva.reference_low, cva.reference_high) == (None, None, None)
        assert "withdrawn" in cva.reference_source
        assert m["shoulder_tilt"].reference_high == 2.0
    text = "\n".join(str(t.get_text()) for fig in report_figures(db, pid, date(2026, 3, 1), date(2026, 3, 20))
                     for t in fig.findobj(lambda o: hasattr(o, "get_text")))  # fmt: skip
    text = re.sub(r"Generated: [^\n]*", "", text)  # the clock (00:53) is not a norm
    assert "53" not in text and "180°" not in text


def test_the_evaluation_page_writes_an_open_range_as_the_verdict_used_it(tmp_path: Path) -> None:
    """A one-sided norm (trunk side flexion ≥ 31.5°, typically 35°) read "35° [32––]" on the PDF's
    evaluation page: rounded, and the open end printed as a dash (a fifth audit). It now reads
    "[≥ 31.5]", as the terminal and the HTML report write it."""
    from posture_feedback.assessment.report import reference_range_text
    from posture_feedback.storage.models import Measure

    assert reference_range_text(31.5, None) == "≥ 31.5"
    assert reference_range_text(None, 10.0) == "≤ 10"
    assert reference_range_text(-2.0, 2.0) == "-2 to 2"
    db = Database(tmp_path / "open.db")
    pid = db.create_profile("Open range").id
    when = datetime.combine(date(2026, 3, 2), datetime.min.time(), tzinfo=timezone.utc)
    db.add_assessment(pid, "rom", {}, [Measure("trunk_lateral_flexion", 38.6, 4.0, side="left", reference=35.0,
                                               reference_low=31.5, reference_source="test", mdc=5.0)],
                      created_at=when)  # fmt: skip
    text = "\n".join(str(t.get_text()) for fig in report_figures(db, pid, date(2026, 3, 1), date(2026, 3, 20))
                     for t in fig.findobj(lambda o: hasattr(o, "get_text")))  # fmt: skip
    assert "[≥ 31.5]" in text and "––" not in text


def test_an_evaluation_never_loses_its_date_row_at_a_page_break(tmp_path):
    """A fifteenth audit: a page of the PDF's evaluation table ended on an evaluation's date row, its measure
    on the next page under no date. Now no page ends on a date row, and a page that starts inside an
    evaluation repeats its date and kind, "(continued)". 40 posture screens of 6 measures: 280 rows."""
    import re
    from datetime import date, datetime, timedelta, timezone

    from test_left_right_difference import _cells

    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.storage import Database
    from posture_feedback.storage.models import Measure

    db = Database(tmp_path / "d.db")
    pid = db.create_profile("Pages").id
    start = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)
    for k in range(40):
        # 7 rows an evaluation: a page (24-25 rows) never holds a whole number of them, so some page starts
        # inside one (with 2 measures, 3 rows, a page of 24 rows did, once the head angle's name took two lines)
        ms = [Measure(n, 1.0 + k % 3, 1.5) for n in ("shoulder_tilt", "pelvic_tilt", "head_tilt", "trunk_lateral_lean")]
        ms += [Measure("craniovertebral_angle", 45.0, 3.0), Measure("trunk_inclination", 2.0, 3.0)]
        db.add_assessment(pid, "posture_screen", {}, ms, created_at=start + timedelta(hours=k))
    dated = re.compile(r"^\d\d \w\w\w 2026 \d\d:\d\d: posture screen")
    pages = [c for fig in report_figures(db, pid, date(2026, 3, 1), date(2026, 3, 10)) if (c := _cells(fig))
             and c[0].startswith("Measure Value")]  # fmt: skip
    assert len(pages) >= 3
    for n, cells in enumerate(pages):
        rows = [c.strip() for c in cells[1:]]
        assert dated.match(rows[0]), (n, rows[0])  # every page starts with an evaluation's date
        assert not dated.match(rows[-1]), (n, rows[-1])  # and never ends on one
    assert sum(r.strip().endswith("(continued)") for cells in pages for r in cells) >= 1


def test_the_exercise_table_says_what_each_peak_measures(sample: tuple[Database, int], tmp_path: Path) -> None:
    """Audit 30: the PDF's per-exercise table gave the chin tuck's mean peak as "-4 ± 2° → -9 ± 2°" with no word
    of what was measured (a negative angle, read from the person's relaxed start). Each peak now says its
    measure; the real PDF's text via pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    db, pid = sample
    out = write_report(db, pid, tmp_path / "r.pdf", end=END)
    text = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # fmt: skip
    assert "head forward lean, change from the relaxed start: -" in text
    assert text.count("shoulder elevation: ") == 4  # forward reach and lateral raise, each side
