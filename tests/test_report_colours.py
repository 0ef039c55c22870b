"""One colour, one meaning across the PDF and the history charts (a tenth audit): green #2ca02c meant
"good / done" on the adherence and session pages but "a measure with no side" on the posture trend,
where shoulder tilt 2.7–4.2° (all outside its −2…2° band) was drawn green and the band itself not
drawn; red #d62728 meant "missed / poor" and also "right side" and "pain"; the good-repetition bars
were red/amber/green at 40/70 % without a legend.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from matplotlib.colors import to_hex
from matplotlib.patches import Polygon, Rectangle

from posture_feedback.reports import charts
from posture_feedback.storage import RomPoint
from posture_feedback.storage.models import SessionSummary

VERDICT = {"#2ca02c", "#ffbf00", "#d62728"}  # good, fair, poor: written out, not read from the module
T0 = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)


def _tilt(day: int, value: float) -> RomPoint:
    return RomPoint(T0 + timedelta(days=day), day + 1, "shoulder_tilt", None, value, 1.5, "deg", 0.0, 2.0,
                    "posture_screen", reference_low=-2.0, reference_high=2.0, reference_source="Kendall 2005")


def test_the_posture_trend_draws_the_band_and_no_verdict_colour_for_a_measure_without_side() -> None:
    fig = charts.rom_figure([_tilt(0, 3.4), _tilt(14, 4.2), _tilt(28, 2.7)])
    (ax,) = fig.get_axes()
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 3]
    assert lines and all(to_hex(ln.get_color()) not in VERDICT for ln in lines)
    bands = [p for p in ax.patches if isinstance(p, Polygon | Rectangle) and p.get_hatch()]
    assert len(bands) == 1
    ys = sorted({round(float(y), 6) for y in bands[0].get_path().transformed(bands[0].get_patch_transform())
                 .vertices[:, 1]})  # fmt: skip
    assert ys == [-2.0, 2.0]
    labels = ax.get_legend_handles_labels()[1]
    assert "range -2 to 2° ‡ (this tool's tolerance)" in labels
    assert "+ = left shoulder higher" in ax.get_ylabel()


def test_sides_are_drawn_in_colours_that_are_no_verdicts() -> None:
    pts = [RomPoint(T0 + timedelta(days=d), 1, "shoulder_flexion", side, 150.0 + d, 4.0, "deg", None, 9.0, "rom")
           for d in (0, 14) for side in ("left", "right")]  # fmt: skip
    (ax,) = charts.rom_figure(pts).get_axes()
    colours = {to_hex(ln.get_color()) for ln in ax.get_lines() if len(ln.get_xdata()) == 2}
    assert len(colours) == 2 and not colours & VERDICT
    assert not ax.patches or all(not p.get_hatch() for p in ax.patches)  # no range stored: none drawn


def test_the_good_repetition_bars_have_a_legend_with_their_bands() -> None:
    sessions = [SessionSummary(id=i, started_at=T0 + timedelta(days=i), status="completed", plan_id=None,
                               exercises=("lateral_raise",), n_sets=1, n_reps=10, n_good=good,
                               mean_time_in_range_frac=0.5, mean_quality_score=0.5, duration_s=60.0)
                for i, good in enumerate((2, 5, 8))]  # fmt: skip
    fig = charts.sessions_figure(sessions)
    bars = fig.get_axes()[1].patches
    assert [to_hex(b.get_facecolor()) for b in bars] == ["#d62728", "#ffbf00", "#2ca02c"]  # 20, 50, 80 %
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert labels[:3] == ["≥ 70% good", "40–70%", "< 40% (bands: this report's own)"]


def test_pain_is_not_drawn_in_the_verdict_red() -> None:
    assert charts.PAIN not in VERDICT and charts.EFFORT not in VERDICT
    assert not {to_hex(c) for c in charts.SIDE_COLOURS.values()} & VERDICT


def test_the_pdf_tables_fill_green_only_for_a_change(tmp_path) -> None:
    """A new-user audit: page 2's evaluation header rows ("27 Oct 2026 10:00: rom") had the light green of
    page 1's CHANGE rows. Page 1: every green row reads CHANGE and every CHANGE row is green; page 2 (no
    verdict column): no green row, its header rows grey."""
    from datetime import date

    from matplotlib.table import Table

    from posture_feedback.reports.pdf import report_figures
    from posture_feedback.storage import Database
    from posture_feedback.storage.sample_data import fill_sample_history

    db = Database(tmp_path / "pf.sqlite3")
    pid = fill_sample_history(db, "Ann", end=date(2026, 3, 29)).id
    pages = report_figures(db, pid, end=date(2026, 3, 29))
    db.close()

    def rows(fig) -> list[tuple[str, set[str]]]:  # noqa: ANN001
        (table,) = [t for ax in fig.axes for t in ax.findobj(Table)]
        cells: dict[int, list] = {}
        for (r, _c), cell in sorted(table.get_celld().items()):
            if r > 0:
                cells.setdefault(r, []).append(cell)
        return [(" | ".join(c.get_text().get_text() for c in row), {to_hex(c.get_facecolor()) for c in row})
                for row in cells.values()]  # fmt: skip

    green = "#e5f5e0"
    summary = rows(pages[0])
    assert any(text.endswith("CHANGE") for text, _ in summary)
    for text, fills in summary:
        assert (fills == {green}) == text.endswith("CHANGE"), text
    evaluation = rows(pages[1])
    headers = [(text, fills) for text, fills in evaluation if text.endswith("|  |  |  | ")]
    assert headers and all(fills == {"#f2f2f2"} for _, fills in headers), headers[:2]  # grey 0.95
    assert all(green not in fills for _, fills in evaluation)
