"""The therapist report: a multi-page A4 PDF per profile and period, drawn with matplotlib (no Qt).

Pages: summary (key numbers, changes judged against the MDC), evaluation results (every measure
with its uncertainty and reference; snapshots where the profile stores them), ROM and posture
trends, adherence and posture monitor (per day, and per hour of the period's last monitored day),
exercise results.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import matplotlib.image as mpimg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from posture_feedback import __version__
from posture_feedback.assessment.change import CHANGE_WORDS
from posture_feedback.assessment.report import reference_range_text
from posture_feedback.monitor_hours import day_by_hour, latest_monitored_day
from posture_feedback.reports import charts
from posture_feedback.reports.stored_points import stored_points
from posture_feedback.reports.summary import (
    TOOL_RANGE_MARK,
    TOOL_RANGE_NOTE,
    ExerciseStat,
    ReportData,
    change_verdict,
    collect,
    exercise_measure,
    measure_verdict,
    monitor_split_text,
    peak_pm,
    range_is_tool_tolerance,
    side_text,
    tool_ranges,
    unsure_note,
)
from posture_feedback.storage import Database, RomPoint, StorageError
from posture_feedback.words import measure_words

A4 = (8.27, 11.69)  # inches, portrait
PANELS_PER_PAGE = 4


def write_report(
    db: Database,
    profile_id: int,
    out: str | os.PathLike[str],
    start: date | None = None,
    end: date | None = None,
) -> Path:
    """Write the PDF report of a profile for a period (local days, inclusive); returns the path.

    Raises:
        StorageError: the output file cannot be written.
    """
    from posture_feedback.output_files import OutputFile

    data = collect(db, profile_id, start, end)
    out = Path(out)
    pages = list(_pages(db, data))
    target = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # written beside it under a temporary name and moved over it once complete: Ctrl-C or a full
        # disk half-way through left a truncated PDF in place of the earlier report (audit 28)
        target = OutputFile(out)
        with PdfPages(target.work, metadata=_metadata(data)) as pdf:
            for number, fig in enumerate(pages, start=1):
                _footer(fig, data, number, len(pages))
                pdf.savefig(fig)
        target.commit()
    except BaseException as exc:
        if target is not None:
            target.discard()
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write report {out}: {exc.strerror or exc}") from exc
        raise
    return out


def report_figures(db: Database, profile_id: int, start: date | None = None, end: date | None = None) -> list[Figure]:
    """The report's pages as figures (for previews and tests), footers included."""
    data = collect(db, profile_id, start, end)
    pages = list(_pages(db, data))
    for number, fig in enumerate(pages, start=1):
        _footer(fig, data, number, len(pages))
    return pages


def _metadata(data: ReportData) -> dict[str, object]:
    return {
        "Title": f"Progress report: {data.profile.name}, {data.start.isoformat()} to {data.end.isoformat()}",
        "Creator": f"posture-feedback {__version__}",
        "Subject": "Neuromuscular re-education progress",
    }


def _page(title: str | None = None, layout: bool = True) -> Figure:
    """An A4 page; ``layout=False`` for pages placed by hand (tables), else constrained layout above the footer."""
    fig = charts.new_figure(*A4)
    if layout:
        fig.set_layout_engine("constrained", rect=(0.0, 0.025, 1.0, 0.975))
    else:
        fig.set_layout_engine(None)
    if title:
        fig.suptitle(title, fontsize=14, fontweight="bold")
    return fig


def _footer(fig: Figure, data: ReportData, number: int, total: int) -> None:
    text = f"{data.profile.name} · {data.start.isoformat()} to {data.end.isoformat()} · page {number} of {total}"
    fig.text(0.5, 0.008, f"{text} · posture-feedback {__version__}", ha="center", va="bottom", fontsize=7, color="0.45")


def _pages(db: Database, data: ReportData) -> Iterator[Figure]:
    yield _summary_page(data)
    yield from _evaluation_pages(data)
    yield from _snapshot_pages(db, data)
    points = [p for name in sorted({n for n, _ in db.measure_names(data.profile.id)})
              for p in stored_points(db, data.profile.id, name, data.start, data.end)]  # fmt: skip
    rom = [p for p in points if p.kind == "rom" or p.kind.startswith("rom_")]
    other = [p for p in points if p not in rom]
    yield from _trend_pages(rom, "Range of motion over time")
    if other:
        yield from _trend_pages(other, "Posture and movement measures over time")
    yield _adherence_page(db, data)
    yield from _exercise_pages(data)


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.0f}%"


def _num(x: float | None, unit: str = "", digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}{unit}"


def _num_pm(x: float | None, u: float, unit: str = "") -> str:
    """'68.5 ± 23.7°' (the value alone where no uncertainty is stored)."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or not math.isfinite(u):
        return _num(x, unit)
    return f"{x:.1f} ± {u:.1f}{unit}"


def _unit(unit: str) -> str:
    return "°" if unit == "deg" else f" {unit}"


#: Characters of a 10 pt summary line between the page's margins (0.86 of A4's 8.27 in = 512 pt; DejaVu Sans
#: averages 0.55 em on mixed text, 0.63 on wide letters: 512 / (10 × 0.6) ≈ 85, with room for wide runs).
SUMMARY_CHARS = 84


def _summary_page(data: ReportData) -> Figure:
    fig = _page(f"Progress report: {data.profile.name}", layout=False)
    done = sum(1 for s in data.summaries if s.status == "completed")
    stopped = sum(1 for s in data.summaries if s.status == "aborted")
    lines = [
        f"Period: {data.start.strftime('%d %b %Y')} to {data.end.strftime('%d %b %Y')}"
        f"        Generated: {datetime.now().strftime('%d %b %Y %H:%M')}",
        "",
        f"Evaluations: {len(data.assessments)}",
        f"Exercise sessions: {done} done" + (f", {stopped} stopped early" if stopped else "")
        + f"; {data.done_planned} of {data.planned} planned sessions done "
        f"(adherence {_pct(data.adherence_rate)})",
        f"Attempts at a repetition: {data.n_reps}{unsure_note(data.n_unsure)}; good form "
        f"{_pct(data.good_fraction)}{' of those judged' if data.n_unsure else ''}; "
        f"time in target range {_pct(data.mean_time_in_range_frac)}",
        f"Posture monitor: {monitor_split_text(data)}",
    ]
    if data.profile.notes:
        lines.insert(1, f"Notes: {data.profile.notes}")
    lines.extend(_feeling_lines(data))
    # Every line wrapped to the page (the sample's "Attempts at a repetition: 703 (50 not judged…" ran off it).
    lines = [part for line in lines for part in (_wrap(line, SUMMARY_CHARS) if line else [""])]
    fig.text(0.07, 0.93, "\n".join(lines), va="top", ha="left", fontsize=10, linespacing=1.6)
    top = 0.93 - (len(lines) * 1.6 * 10 / 72) / A4[1] - 0.03  # below the key numbers (10 pt, spacing 1.6)
    fig.text(0.07, top, "Change between the first and the last evaluation of the period", fontsize=11,
             va="top", ha="left")  # fmt: skip
    rows = []
    tool = tool_ranges(data)
    for c in data.changes:
        u = _unit(c.unit)
        # (n ≥ 2 without a threshold: "cannot judge", as history says; one measurement: no last value, no
        # change, no threshold: "one value" (history: "one measurement"); audit 30 saw the one value as both First
        # and Last beside a 108° threshold)
        one = c.n < 2
        verdict = "CHANGE" if c.significant else (change_verdict(c) or ("one value" if one else "–"))
        mark = f" {TOOL_RANGE_MARK}" if c.reference is not None and tool.get((c.name, c.side)) else ""
        threshold = "–" if one else _num(c.threshold, u) + (" (u)" if c.threshold_source == "uncertainty" else "")
        rows.append([c.label, str(c.n), _num_pm(c.first, c.first_unc, u) + side_text(c.name, c.first, c.first_unc),
                     "–" if one else _num_pm(c.last, c.last_unc, u) + side_text(c.name, c.last, c.last_unc),
                     "–" if one else _num(c.delta, u), threshold, _num(c.reference, u, 0) + mark,
                     verdict])  # fmt: skip
    if rows:
        note = ("A change is reported only when it exceeds both the minimal detectable change (MDC) stored with "
                "the measure and the 95% limit from the two measurements' own uncertainties; the Threshold "
                "column shows the larger of the two; (u): the uncertainties' limit (larger than the MDC, or no "
                "MDC stored). Norm: the cited source's ideal or typical value.")  # fmt: skip
        if any(r[6].endswith(TOOL_RANGE_MARK) for r in rows):
            note += " " + TOOL_RANGE_NOTE + "."
        note_lines = _wrap(note, 120)
        fig.text(0.07, top - 0.025, "\n".join(note_lines), fontsize=7, va="top", ha="left", color="0.35")
        table_top = top - 0.025 - len(note_lines) * 7 * 1.25 / 72 / A4[1] - 0.012  # below the note (7 pt)
        ax = fig.add_axes((0.07, 0.05, 0.86, table_top - 0.05))
        ax.set_axis_off()
        _table(ax, ["Measure", "n", "First", "Last", "Change", "Threshold", "Norm", "Verdict"], rows,
               highlight=[r[-1] == "CHANGE" for r in rows],
               weights=[2.4, 0.4, 1.7, 1.7, 0.9, 1.2, 0.8, 1.1])  # fmt: skip
    else:
        fig.text(0.07, top - 0.03, "No evaluation in this period.", fontsize=10, va="top")
    return fig


def _feeling_lines(data: ReportData) -> list[str]:
    """Pain and effort before/after the sessions (empty when none was rated)."""
    from posture_feedback.reports.summary import ratings_lines

    lines = [line.strip() for line in ratings_lines(data)]
    return ["", *lines] if lines else []


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width`` characters (at least one line)."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


#: Table text size (points) and line height (points); a cell's text is wrapped to its column's width.
TABLE_FONT_PT = 8.0
TABLE_LINE_PT = 11.0
#: Average advance of a character of DejaVu Sans at 1 pt, in points (measured: "n" 0.63, "i" 0.28, mixed text 0.55).
CHAR_WIDTH_EM = 0.6


def _wrapped_rows(columns: Sequence[str], rows: Sequence[Sequence[str]], width_in: float,
                  weights: Sequence[float] | None) -> tuple[list[float], list[list[str]], list[int]]:  # fmt: skip
    """Column widths (fractions summing to 1), the cells wrapped to them, and each row's line count."""
    weights = list(weights) if weights else [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    total = sum(weights)
    fractions = [w / total for w in weights]
    chars = [max(4, int(f * width_in * 72 / (TABLE_FONT_PT * CHAR_WIDTH_EM)) - 1) for f in fractions]
    wrapped, lines = [], []
    for r in [list(columns), *[list(r) for r in rows]]:
        cells = ["\n".join(_wrap(text, n)) if text.strip() else text for text, n in zip(r, chars, strict=True)]
        wrapped.append(cells)
        lines.append(max(c.count("\n") + 1 for c in cells))
    return fractions, wrapped, lines


#: The fill of a table row whose verdict is a change (page 1's "CHANGE"): green is for verdicts only.
VERDICT_FILL = "#e5f5e0"
#: The fill of a group's header row (an evaluation's date and kind on page 2): a neutral grey, no verdict.
GROUP_FILL = "0.95"


def _table(ax, columns: Sequence[str], rows: Sequence[Sequence[str]], highlight: Sequence[bool] = (),  # noqa: ANN001
           weights: Sequence[float] | None = None, groups: Sequence[bool] = ()) -> int:  # fmt: skip
    """Draw a table filling ``ax``'s width from its top, wrapping long cells; returns the rows that fit.

    ``highlight``: rows whose verdict is a change (``VERDICT_FILL``); ``groups``: a group's header rows
    (``GROUP_FILL``). Rows that do not fit in the axes height are left out (the caller puts them on
    the next page).
    """
    fig = ax.figure
    box = ax.get_position()  # figure fraction (the pages that hold tables have no layout engine)
    width_in, height_in = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    fractions, wrapped, lines = _wrapped_rows(columns, rows, width_in, weights)
    pad = 0.5  # lines of padding per row
    line = TABLE_LINE_PT / 72 / height_in  # one text line as a fraction of the axes height
    used, fit = (lines[0] + pad) * line, 0
    for n in lines[1:]:
        if used + (n + pad) * line > 1.0:
            break
        used += (n + pad) * line
        fit += 1
    fit = max(fit, 1)
    table = ax.table(cellText=wrapped[1 : fit + 1], colLabels=wrapped[0], cellLoc="left", colLoc="left",
                     colWidths=fractions, loc="upper left")  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(TABLE_FONT_PT)
    for (row, _col), cell in table.get_celld().items():
        cell.set_height((lines[row] + pad) * line)
        cell.set_edgecolor("0.8")
        cell.get_text().set_va("center")
        if row == 0:
            cell.set_facecolor("0.9")
            cell.set_text_props(fontweight="bold")
        elif row - 1 < len(groups) and groups[row - 1]:
            cell.set_facecolor(GROUP_FILL)
        elif row - 1 < len(highlight) and highlight[row - 1]:
            cell.set_facecolor(VERDICT_FILL)
    return fit


def _evaluation_pages(data: ReportData) -> Iterator[Figure]:
    rows: list[list[str]] = []
    flags: list[bool] = []  # an evaluation's header row (date and kind): grey, not the verdict green
    marked: list[bool] = []  # a row whose range is this tool's tolerance (footnote on its page)
    for a in data.assessments:
        rows.append([f"{a.created_at.strftime('%d %b %Y %H:%M')}: {a.kind.replace('_', ' ')}", "", "", "", "", ""])
        flags.append(True)
        marked.append(False)
        for m in a.measures:
            u = _unit(m.unit)
            rng, tool = "", range_is_tool_tolerance(a, m)
            if m.reference_low is not None or m.reference_high is not None:
                rng = f" [{reference_range_text(m.reference_low, m.reference_high)}]"  # "≥ 31.5", as the verdict used
                rng += TOOL_RANGE_MARK if tool else ""
            value = _num(m.value, u) + (f" ± {_num(m.uncertainty, '', 1)}" if not math.isnan(m.uncertainty) else "")
            value += side_text(m.name, m.value, m.uncertainty)
            source = m.reference_source + ("; range: this tool's tolerance" if tool else "")
            # the verdict the evaluation, its report and `history --json` give (an audit: the PDF alone
            # left it out, so "-18.5 ± 18.0 (right ear higher)" beside "0° [-2 to 2]" read as a fault
            # where every other surface said "uncertain")
            name = measure_words(m.name, m.side).replace("_", " ")
            rows.append(["   " + name, value if m.valid else f"({value}) wrong view",
                         _num(m.reference, u, 0) + rng, measure_verdict(a, m) or "–", _num(m.mdc, u),
                         source])  # fmt: skip
            flags.append(False)
            marked.append(tool)
    if not rows:
        fig = _page("Evaluation results", layout=False)
        fig.text(0.07, 0.9, "No evaluation in this period.", fontsize=10)
        yield fig
        return
    header = ["Measure", "Value ± uncertainty", "Norm [range]", "Verdict", "MDC", "Reference source"]
    i = 0
    while i < len(rows):
        # a page that starts inside an evaluation repeats its date and kind ("continued"), and a page never
        # ends on an evaluation's date row alone (a fifteenth audit saw one cut from its measures)
        lead = [] if flags[i] else [[rows[max(j for j in range(i) if flags[j])][0] + " (continued)"] + [""] * 5]
        page_rows, page_flags = lead + rows[i:], [True] * len(lead) + flags[i:]
        for attempt in range(2):
            fig = _page("Evaluation results" + (" (continued)" if i else ""), layout=False)
            ax = fig.add_axes((0.05, 0.07, 0.9, 0.86))
            ax.set_axis_off()
            fit = _table(ax, header, page_rows, groups=page_flags, weights=[2.5, 2.1, 1.3, 1.1, 0.7, 2.5])
            orphan = fit < len(page_rows) and fit > len(lead) + 1 and page_flags[fit - 1]
            if not orphan or attempt:
                break
            page_rows, page_flags = page_rows[: fit - 1], page_flags[: fit - 1]  # the date row to the next page
        done = max(fit - len(lead), 1)  # (a page holds dozens of rows: at least one always fits)
        if any(marked[i : i + done]):
            fig.text(0.05, 0.035, "\n".join(_wrap(TOOL_RANGE_NOTE + ".", 140)), fontsize=7, va="bottom", ha="left",
                     color="0.25")  # fmt: skip
        i += done
        yield fig


def _snapshot_pages(db: Database, data: ReportData) -> Iterator[Figure]:
    ids = {a.id: a for a in data.assessments}
    snaps = [s for s in db.snapshots(data.profile.id) if s.assessment_id in ids]
    for i in range(0, len(snaps), 4):
        fig = _page("Evaluation snapshots")
        axes = fig.subplots(2, 2).ravel()
        for ax, snap in zip(axes, snaps[i : i + 4], strict=False):
            ax.set_axis_off()
            try:
                image = mpimg.imread(io.BytesIO(snap.data), format=snap.mime.split("/")[-1])
            except (OSError, ValueError, SyntaxError):
                ax.text(0.5, 0.5, "(image could not be read)", ha="center", transform=ax.transAxes)
                continue
            ax.imshow(image)
            a = ids[snap.assessment_id]
            ax.set_title(f"{snap.caption or a.kind} ({a.created_at.strftime('%d %b %Y')})", fontsize=9)
        for ax in axes[len(snaps[i : i + 4]) :]:
            ax.set_axis_off()
        yield fig


def _trend_pages(points: Sequence[RomPoint], title: str) -> Iterator[Figure]:
    names = sorted({p.name for p in points})
    if not names:
        fig = _page()
        charts.rom_figure([], fig=fig, title=title)
        yield fig
        return
    for i in range(0, len(names), PANELS_PER_PAGE):
        chunk = set(names[i : i + PANELS_PER_PAGE])
        fig = _page()
        charts.rom_figure([p for p in points if p.name in chunk], fig=fig, title=title + (" (continued)" if i else ""))
        yield fig


def _adherence_page(db: Database, data: ReportData) -> Figure:
    """Adherence calendar, monitor time per day, and per hour of the period's last monitored day."""
    fig = _page("Adherence and posture monitor")
    top, middle, bottom = fig.subfigures(3, 1, height_ratios=[0.8, 1, 1])
    charts.adherence_figure(data.adherence, fig=top)
    charts.monitor_figure(data.monitor, fig=middle)
    last = latest_monitored_day(db, data.profile.id, data.start, data.end)
    charts.monitor_hours_figure(day_by_hour(db, data.profile.id, last or data.end), fig=bottom,
                                empty_message="No time per hour stored in this period")  # fmt: skip
    return fig


def _exercise_pages(data: ReportData) -> Iterator[Figure]:
    fig = _page("Exercise results")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.2, 1])
    charts.sessions_figure(data.summaries, fig=top)
    charts.ratings_figure(data.sessions, fig=bottom)
    yield fig
    rows = [
        [e.exercise.replace("_", " "), e.side or "–", str(e.sessions), str(e.reps), str(e.unsure),
         _pct(e.good_fraction),
         _pct(e.mean_time_in_range_frac),
         (f"{exercise_measure(e.exercise)}: " if exercise_measure(e.exercise) else "") + _peak_change(e)]
        for e in data.exercises
    ]  # fmt: skip
    if not rows:
        return
    i = 0
    while i < len(rows):
        fig = _page("Exercise results per exercise" + (" (continued)" if i else ""), layout=False)
        ax = fig.add_axes((0.05, 0.05, 0.9, 0.88))
        ax.set_axis_off()
        # "Not judged": reps the camera could not tell had reached the target; "Good" is of the others.
        i += _table(ax, ["Exercise", "Side", "Sessions", "Attempts", "Not judged", "Good", "In range",
                         "Mean peak (first → last)"],
                    rows[i:], weights=[2.0, 0.8, 1, 1.0, 1.1, 0.8, 1, 2])  # fmt: skip
        yield fig


def _peak_change(e: ExerciseStat) -> str:
    """'53 ± 8° → 60 ± 8° (noise)' in the exercise's unit (``summary.exercise_unit``): each mean peak
    with its ± where stored, and whether the change is one (the tool's one rule, ``peak_changed``);
    '–' for exercises without a peak."""
    first, last, unit = e.first_peak, e.last_peak, e.unit
    if math.isnan(first) and math.isnan(last):
        return "–"
    digits = e.shown_digits  # the peaks' own, more where fewer would read against the verdict

    def one(v: float, u: float) -> str:
        return peak_pm(v, u, digits) + unit if math.isfinite(v) else _num(v, unit, digits)

    if e.sessions == 1:  # its first is its last: no arrow ("171 ± 21° → 171 ± 21°" read as a change)
        return f"{one(last, e.last_peak_unc)} (one session)"
    verdict = f" ({CHANGE_WORDS[e.peak_changed]})" if e.peak_changed is not None else ""  # 2 sessions or more
    return f"{one(first, e.first_peak_unc)} → {one(last, e.last_peak_unc)}{verdict}"
