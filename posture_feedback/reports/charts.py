"""History charts drawn with matplotlib on plain ``Figure`` objects (no pyplot, no global backend).

Each ``*_figure`` function draws one chart into the figure it is given (or a new one) and returns
it, so the same code serves the offscreen PNG/PDF report (``FigureCanvasAgg``) and the Qt history
view (``FigureCanvasQTAgg``). Units: angles in degrees, fractions shown as percent, time in hours.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.text import Text

from posture_feedback.assessment.change import change_threshold
from posture_feedback.assessment.references import has_no_verdict, tolerance_is_tool
from posture_feedback.assessment.report import reference_range_text
from posture_feedback.monitor_hours import DayByHour, split_of, split_text
from posture_feedback.reports.stored_points import stored_points
from posture_feedback.side_words import sign_convention
from posture_feedback.storage import AdherenceDay, Database, MonitorDay, MonitorHour, RomPoint, Session, SessionSummary
from posture_feedback.words import measure_words

#: Verdict colours, used for nothing else in any chart: good / done, fair / partly done, poor / missed.
GOOD, FAIR, POOR, GREY = "#2ca02c", "#ffbf00", "#d62728", "#c8c8c8"
#: Sides (and a measure with no side) in colours that are no verdict's: blue, purple, dark grey.
SIDE_COLOURS = {"left": "#1f77b4", "right": "#9467bd", None: "#4d4d4d"}
#: Pain and effort ratings (not a verdict either).
PAIN, EFFORT = "#8c564b", "#1f77b4"
#: The session chart's bar colours for the share of good repetitions: this report's own bands
#: (no published cut-off), stated in its legend.
GOOD_SHARE_BANDS = (70.0, 40.0)


def new_figure(width_in: float = 8.0, height_in: float = 5.0, dpi: float = 100.0) -> Figure:
    """A figure with an Agg canvas attached (renders offscreen; Qt canvases re-attach their own)."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def render_png(fig: Figure, out: str | Path | io.BytesIO | None = None, dpi: float = 100.0) -> bytes:
    """Render a figure offscreen to PNG; writes ``out`` when given and returns the bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = buf.getvalue()
    if isinstance(out, io.BytesIO):
        out.write(data)
    elif out is not None:
        Path(out).write_bytes(data)
    return data


#: Characters a y label's line holds in large type (``scale_text``): "Craniovertebral angle (°)" at
#: 20 pt ran past its 370-pixel panel into the next one's label.
YLABEL_CHARS_LARGE = 18


def scale_text(fig: Figure, scale: float) -> Figure:
    """Every text of a drawn figure ``scale`` times larger (points): titles, axis labels, tick labels
    (through ``tick_params``, so ticks made later at draw time follow) and an axis's offset text,
    legends, annotations and
    bar labels; y labels wrapped (``YLABEL_CHARS_LARGE``). For large type (the History tab's charts);
    1 changes nothing."""
    if scale == 1.0:
        return fig
    ticks: set[int] = set()
    for ax in fig.axes:
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            labels = axis.get_ticklabels()
            ticks.update(id(t) for t in labels)
            ticks.update(id(t) for t in axis.get_ticklabels(minor=True))
            size = labels[0].get_fontsize() if labels else mpl.rcParams[f"{which}tick.labelsize"]
            if not isinstance(size, (int, float)):
                size = mpl.font_manager.FontProperties(size=size).get_size_in_points()
            ax.tick_params(axis=which, labelsize=float(size) * scale)
            offset = axis.get_offset_text()  # e.g. a date axis's "2026-Nov", written at draw time
            ticks.add(id(offset))
            offset.set_fontsize(offset.get_fontsize() * scale)
    for text in fig.findobj(Text):
        if id(text) not in ticks and text.get_text():
            text.set_fontsize(text.get_fontsize() * scale)
    for ax in fig.axes:  # a y label runs along its panel: wrapped, it stays beside its own panel
        label = ax.yaxis.label
        if label.get_text():
            label.set_text("\n".join(textwrap.fill(line, YLABEL_CHARS_LARGE) for line in label.get_text().split("\n")))
    return fig


#: What fills each chart, said under "No data for this period" (audit 30: a new patient's History tabs
#: and PDF pages said only "No data for this period", not where the numbers come from).
FILLED_BY = {
    "Range of motion": "an evaluation's range-of-motion tests are charted here",
    "Posture and movement measures": "an evaluation's posture and movement screens are charted here",
    "Exercise sessions": "each exercise session's repetitions are charted here",
    "Pain and effort": "pain and effort are asked before and after each exercise session",
    "Adherence": "a therapist's plan sets the exercise days; each session is marked on them",
    "Posture monitor": "the posture monitor (posture-feedback --monitor) counts the time watched here",
}


def _no_data(fig: Figure, title: str, message: str = "No data for this period") -> Figure:
    """An empty chart: its title, ``message`` and, on a second line, what fills the chart (``FILLED_BY``)."""
    hint = FILLED_BY.get(title.removesuffix(" over time"))  # (the PDF's "Range of motion over time")
    if hint and message.startswith("No data for this period"):  # (wrapped: the large type draws it twice as big)
        message = message + "\n" + "\n".join(textwrap.wrap(f"({hint})", 50))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="0.4", transform=ax.transAxes)
    return fig


def _pretty(name: str) -> str:
    words = measure_words(name).replace("_", " ")
    return words[:1].upper() + words[1:]


def _date_axis(ax) -> None:  # noqa: ANN001 - matplotlib Axes
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def change_band(pts: Sequence[RomPoint]) -> tuple[list, list[float]]:
    """The shaded band of ``rom_figure`` for one measure and side (``pts`` by date): its x (dates) and its
    half-width at each, for ``fill_between(..., step="pre")``: over the stretch ending at each later point,
    the threshold its difference from the first is judged with (``change_threshold`` of both ± and both
    MDCs); the first point alone: its MDC over three days. Empty where no threshold is known."""
    base = pts[0]
    if len(pts) == 1:
        ok = base.mdc is not None and math.isfinite(base.mdc) and base.mdc > 0
        return ([base.when, base.when + timedelta(days=3)], [base.mdc, base.mdc]) if ok else ([], [])
    xs, half = [base.when], [math.nan]
    for p in pts[1:]:
        xs.append(p.when)
        half.append(change_threshold(base.uncertainty, p.uncertainty, base.mdc, p.mdc).value)
    half[0] = half[1]  # (step="pre": the first value is never drawn)
    if not all(math.isfinite(h) for h in half):
        return [], []
    return xs, half


def rom_figure(points: Sequence[RomPoint], fig: Figure | None = None, title: str = "Range of motion") -> Figure:
    """ROM per measure (one panel each) and side (one line each) over time.

    Error bars: each value's ± uncertainty. Dashed line: the normative value. Hatched band: the
    newest stored reference range, labelled "this tool's tolerance" when it is (‡ in the tables).
    Shaded band: the first measurement ± the change threshold (``change_band``): above each later
    point, the threshold the tool's one rule (``assessment.change``, the summary's Change table)
    judges that point's difference from the first with, max(1.96·√(u₁² + u₂²), MDC₁, MDC₂); a point
    inside it is no detectable change, one outside it a change, as the tables say. (Until audit 32 the
    band was the first point's MDC alone: the sample profile's right shoulder abduction, 124.5 ± 4.5°
    then 164.2 ± 28.9°, lay far outside a ±10° band, a change to the eye, beside "no detectable change"
    against its threshold of 80.1°.) Line colours name the side only (``SIDE_COLOURS``), never a verdict.
    """
    fig = fig or new_figure(8.0, 2.6 * max(1, len({p.name for p in points})))
    if not points:
        return _no_data(fig, title)
    by_measure: dict[str, dict[str | None, list[RomPoint]]] = defaultdict(lambda: defaultdict(list))
    for p in points:
        by_measure[p.name][p.side].append(p)
    axes = fig.subplots(len(by_measure), 1, sharex=True, squeeze=False)[:, 0]
    engine = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    if isinstance(engine, ConstrainedLayoutEngine):  # room between panels: stacked y tick labels touched
        engine.set(h_pad=0.1)
    fig.suptitle(title)
    for ax, (measure, sides) in zip(axes, sorted(by_measure.items()), strict=True):
        unit = "°"
        refs = set()
        for side, pts in sorted(sides.items(), key=lambda kv: str(kv[0])):
            pts = sorted(pts, key=lambda p: p.when)
            colour = SIDE_COLOURS.get(side, "#555555")
            xs = [p.when for p in pts]
            ys = [p.value for p in pts]
            err = [0.0 if math.isnan(p.uncertainty) else p.uncertainty for p in pts]
            ax.errorbar(xs, ys, yerr=err, marker="o", ms=4, capsize=3, color=colour, label=side or "value")
            unit = "°" if pts[0].unit == "deg" else f" {pts[0].unit}"
            band_x, band_half = change_band(pts)
            if band_x:
                base, lo, hi = pts[0].value, min(band_half), max(band_half)
                what = f"{lo:.1f}{unit}" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}–{hi:.1f}{unit}"
                ax.fill_between(band_x, [base - h for h in band_half], [base + h for h in band_half], step="pre",
                                color=colour, alpha=0.12, lw=0,
                                label=f"{side or 'first'} ± change threshold ({what})")  # fmt: skip
            # a norm this version withdrew (measured another way) is not drawn, even if stored
            refs.update(p.reference for p in pts if p.reference is not None and not has_no_verdict(p.name))
        ranged = [p for pts in sides.values() for p in pts if not has_no_verdict(p.name)
                  and (p.reference_low is not None or p.reference_high is not None)]  # fmt: skip
        band = max(ranged, key=lambda p: p.when) if ranged else None
        lo, hi = ax.get_ylim()
        limits = [v for v in (band.reference_low, band.reference_high) if v is not None] if band else []
        if refs or limits:
            marks = [*refs, *limits]
            span = max(hi, *marks) - min(lo, *marks)
            ax.set_ylim(min(lo, *marks) - 0.05 * span, max(hi, *marks) + 0.12 * span)
        if band is not None:
            y0, y1 = ax.get_ylim()
            low = band.reference_low if band.reference_low is not None else y0
            high = band.reference_high if band.reference_high is not None else y1
            tool = band.reference_is_tool_tolerance  # the record's own word first, as the tables
            if tool is None:
                tool = tolerance_is_tool(band.name, band.reference_source)
            label = f"range {reference_range_text(band.reference_low, band.reference_high)}{unit}" + (
                " ‡ (this tool's tolerance)" if tool else "")  # fmt: skip
            ax.axhspan(low, high, facecolor="none", edgecolor="0.72", hatch="//", lw=0, label=label)
            ax.set_ylim(y0, y1)
        for ref in sorted(refs):
            ax.axhline(ref, color="0.3", ls="--", lw=1)
            # left end: the legend sits at the lower right, and a label there was drawn over it
            ax.annotate(f"norm {ref:g}{unit}", xy=(0.0, ref), xycoords=("axes fraction", "data"), xytext=(4, 3),
                        textcoords="offset points", ha="left", fontsize=8, color="0.3")  # fmt: skip
        sign = sign_convention(measure)  # which side a + value means, in words, on its own line: on one
        # line ("Pelvic tilt (°; + = left hip higher)") it ran past its panel into the next one's label
        # in the History tab's posture chart of a posture screen (four signed panels; audit 27)
        ax.set_ylabel(f"{_pretty(measure)} ({unit.strip()})" + (f"\n{sign}" if sign else ""),
                      fontsize=None if sign is None else 8)  # fmt: skip
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right", ncols=2)
        _date_axis(ax)
    # The panels share one time axis: a week around the evaluations only when ALL of them fall within
    # two days (an audit: one measure's single evaluation set its week on the shared axis, and every
    # other panel's earlier points were drawn off the page, a panel with three values left empty).
    times = [p.when for p in points]
    if max(times) - min(times) < timedelta(days=2):
        axes[0].set_xlim(min(times) - timedelta(days=3), max(times) + timedelta(days=4))
    return fig


#: What a session chart's bar reads when there is no number: no repetition at all, or none judged.
NO_REPS_TEXT, NONE_JUDGED_TEXT = "no reps", "none judged"


def _zero_and_missing(ax, xs: Sequence[int], values: Sequence[float], missing: Sequence[str], colour: str,  # noqa: ANN001
                      counts: Sequence[str] = ()) -> None:  # fmt: skip
    """Make a 0 % bar visible and distinct from no data: a thick mark on the axis in ``colour`` with "0%"
    (and ``counts``, e.g. "0 of 1") above it; where the value is NaN, the grey words of ``missing``
    (vertical) instead, and no mark. A 0 % bar is otherwise drawn as nothing, like a session with no
    data (an audit, 2026-12)."""
    for i, (x, v) in enumerate(zip(xs, values, strict=True)):
        if math.isnan(v):
            ax.text(x, 3, missing[i], rotation=90, ha="center", va="bottom", fontsize=8, color="#5a5a5a")
        elif v == 0:
            ax.plot([x - 0.3, x + 0.3], [0, 0], color=colour, lw=4, solid_capstyle="butt", clip_on=False)
            label = "0%" + (f"\n{counts[i]}" if counts and counts[i] else "")
            ax.text(x, 3, label, ha="center", va="bottom", fontsize=8, color=colour, fontweight="bold")


def sessions_figure(summaries: Sequence[SessionSummary], fig: Figure | None = None) -> Figure:
    """Per session: mean time in the target range (%) and repetitions of good quality (% of those judged).

    Every session of the period has its place (labelled as in the ratings chart, ``session_labels``);
    a session with no repetition says "no reps", one whose repetitions the camera could not judge
    "none judged", and a 0 % is a visible mark with "0%" and its count: each distinct from the others
    (before 2026-12 a session with no repetition was left out, and a 0 % bar drew nothing)."""
    fig = fig or new_figure(8.0, 4.5)
    sessions = list(summaries)
    if not any(s.n_reps > 0 for s in sessions):
        return _no_data(fig, "Exercise sessions")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    fig.suptitle("Exercise sessions")
    xs = list(range(len(sessions)))
    missing = [NO_REPS_TEXT if s.n_reps == 0 else NONE_JUDGED_TEXT for s in sessions]
    tir = [100 * s.mean_time_in_range_frac for s in sessions]  # NaN: no judged repetition (not 0 %)
    ax1.bar(xs, [0 if math.isnan(v) else v for v in tir], color="#1f77b4", width=0.7)
    _zero_and_missing(ax1, xs, tir, missing, "#1f77b4")
    ax1.set_ylabel("time in range (%)")
    ax1.set_ylim(0, 100)
    good = [100 * s.good_fraction for s in sessions]
    high, low = GOOD_SHARE_BANDS
    colours = [GOOD if g >= high else FAIR if g >= low else POOR for g in good]
    ax2.bar(xs, [0 if math.isnan(g) else g for g in good], color=colours, width=0.7)
    _zero_and_missing(ax2, xs, good, missing, POOR, counts=[f"0 of {s.n_judged}" for s in sessions])
    handles = [Patch(color=GOOD, label=f"≥ {high:g}% good"), Patch(color=FAIR, label=f"{low:g}–{high:g}%"),
               Patch(color=POOR, label=f"< {low:g}% (bands: this report's own)")]  # fmt: skip
    score = [100 * s.mean_quality_score for s in sessions]
    if not all(math.isnan(v) for v in score):
        (line,) = ax2.plot(xs, score, "k.-", lw=1, ms=4, label="mean quality score")
        handles.append(line)
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncols=len(handles), frameon=False)
    ax2.set_ylabel("good reps (% judged)")
    ax2.set_ylim(0, 100)
    for ax in (ax1, ax2):
        ax.grid(axis="y", alpha=0.3)
    ax2.set_xlim(-0.6, len(sessions) - 0.4)
    step = max(1, math.ceil(len(sessions) / 14))
    labels = session_labels([s.started_at for s in sessions])
    ax2.set_xticks(xs[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    return fig


def ratings_figure(sessions: Sequence[Session], fig: Figure | None = None) -> Figure:
    """Per rated session: pain (NRS 0–10) and effort (Borg CR10) before (open marker) and after (filled),
    joined by a line; sessions nobody rated are left out. The numbers are the patient's, as given."""
    from posture_feedback.storage.ratings import ratings_from_extras

    fig = fig or new_figure(8.0, 4.5)
    rated = [(s, ratings_from_extras(s.extras)) for s in sessions]
    rated = [(s, r) for s, r in rated if r.any]
    if not rated:
        return _no_data(fig, "Pain and effort", "No data for this period: no session was rated")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    fig.suptitle("Pain and effort, rated by the patient before and after each session")
    xs = list(range(len(rated)))
    panels = ((ax1, "pain", "pain (NRS 0–10)", PAIN), (ax2, "effort", "effort (Borg CR10)", EFFORT))
    for ax, what, label, colour in panels:
        before = [getattr(r, f"{what}_before") for _, r in rated]
        after = [getattr(r, f"{what}_after") for _, r in rated]
        for x, b, a in zip(xs, before, after, strict=True):
            if not (math.isnan(b) or math.isnan(a)):
                ax.plot([x - 0.15, x + 0.15], [b, a], color=colour, lw=1, alpha=0.6)
        ax.plot([x - 0.15 for x in xs], before, "o", mfc="white", mec=colour, ms=6, ls="none", label="before")
        ax.plot([x + 0.15 for x in xs], after, "o", color=colour, ms=6, ls="none", label="after")
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks(range(0, 11, 2))
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="upper right", ncols=2)
    step = max(1, math.ceil(len(rated) / 14))
    labels = session_labels([s.started_at for s, _ in rated])
    ax2.set_xticks(xs[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    ax2.set_xlim(-0.6, len(rated) - 0.4)
    return fig


def session_labels(times: Sequence[datetime]) -> list[str]:
    """Axis labels for sessions: "06 Dec", with the time ("06 Dec 09:30") when a day has several sessions
    (and "#2", "#3" after it if even the minute repeats), so that no two labels are the same."""
    days = Counter(t.strftime("%Y-%m-%d") for t in times)
    labels = [t.strftime("%d %b %H:%M") if days[t.strftime("%Y-%m-%d")] > 1 else t.strftime("%d %b") for t in times]
    seen: Counter[str] = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def adherence_figure(days: Sequence[AdherenceDay], fig: Figure | None = None) -> Figure:
    """A calendar (weeks as columns, weekdays as rows): planned and done, planned and missed, extra, rest; a day
    with no plan in force (before the first, after the last was retired) is blank, not a "rest day"."""
    fig = fig or new_figure(8.0, 3.0)
    if not any(d.planned or d.done or getattr(d, "extra", 0) for d in days):
        return _no_data(fig, "Adherence", "No data for this period: no plan, no session")
    first = days[0].day - timedelta(days=days[0].day.weekday())
    n_weeks = (days[-1].day - first).days // 7 + 1
    grid = [[math.nan] * n_weeks for _ in range(7)]
    for d in days:
        week = (d.day - first).days // 7
        stopped, extra = getattr(d, "stopped", 0), getattr(d, "extra", 0)
        if d.planned and d.done >= d.planned:
            code = 3
        elif d.planned:
            code = 2 if d.done == 0 and not stopped else 2.5
        elif extra:
            code = 1
        elif not getattr(d, "in_plan", True):
            continue  # no plan in force: no rest day of a plan either, left blank
        else:
            code = 0
        grid[d.day.weekday()][week] = code
    cmap = ListedColormap([GREY, "#6baed6", POOR, FAIR, GOOD])
    levels = {0: 0, 1: 1, 2: 2, 2.5: 3, 3: 4}
    image = [[math.nan if math.isnan(v) else levels[v] for v in row] for row in grid]
    ax = fig.add_subplot()
    ax.imshow(image, cmap=cmap, vmin=-0.5, vmax=4.5, aspect="equal")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=8)
    step = max(1, math.ceil(n_weeks / 12))
    weeks = range(0, n_weeks, step)
    ax.set_xticks(weeks, [(first + timedelta(weeks=w)).strftime("%d %b") for w in weeks], rotation=45, ha="right",
                  fontsize=7)  # fmt: skip
    ax.set_xticks([x - 0.5 for x in range(n_weeks + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(8)], minor=True)
    ax.grid(which="minor", color="white", lw=2)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    planned = sum(d.planned for d in days)
    done_planned = sum(min(d.done, d.planned) for d in days)
    rate = f"{100 * done_planned / planned:.0f}%" if planned else "n/a"
    ax.set_title(f"Adherence: {done_planned} of {planned} planned sessions done ({rate})")
    fig.legend(
        handles=[Patch(color=GOOD, label="done"), Patch(color=FAIR, label="stopped / partly done"),
                 Patch(color=POOR, label="missed"), Patch(color="#6baed6", label="extra (not counted)"),
                 Patch(color=GREY, label="rest day"),
                 Patch(facecolor="white", edgecolor="#999999", label="no plan")],  # fmt: skip
        loc="outside lower center", ncols=6, fontsize=8, frameon=False,
    )  # fmt: skip
    return fig


#: The not-judged part of the monitor charts (a reading's ± reached past its threshold: no verdict)
#: and the part stored before the judged time was recorded (hatched): neither is good nor bad posture.
NOT_JUDGED, NOT_RECORDED_HATCH = GREY, "////"


def _monitor_parts(rows: Sequence[MonitorDay] | Sequence[MonitorHour], scale: float) -> dict[str, list[float]]:
    """Each row's watched time split for a stacked bar, in ``seconds / scale``: ``good`` (confirmed),
    ``faults``, ``not_judged`` and ``not_recorded`` (a row stored before the judged time was: all its
    time but the good part), from the whole seconds ``monitor_hours.split_of`` gives every view."""
    parts: dict[str, list[float]] = {"good": [], "faults": [], "not_judged": [], "not_recorded": []}
    for r in rows:
        sp = split_of([r])
        parts["good"].append(sp.good_s / scale)
        if sp.judged_s is None:
            parts["faults"].append(0.0)
            parts["not_judged"].append(0.0)
            parts["not_recorded"].append((sp.watched_s - sp.good_s) / scale)
        else:
            parts["faults"].append((sp.judged_s - sp.good_s) / scale)
            parts["not_judged"].append((sp.watched_s - sp.judged_s) / scale)
            parts["not_recorded"].append(0.0)
    return parts


def _stacked_monitor_bars(ax, xs: Sequence, parts: dict[str, list[float]], width: float) -> None:  # noqa: ANN001
    """Good (green) at the bottom, then faults (red), not judged (grey), not recorded (hatched)."""
    bottom = [0.0] * len(xs)
    looks = (("good", GOOD, "", "good posture confirmed"), ("faults", POOR, "", "fault confirmed"),
             ("not_judged", NOT_JUDGED, "", "not judged (± reaches past a threshold)"),
             ("not_recorded", "white", NOT_RECORDED_HATCH, "not judged / faults not recorded (older data)"))
    for key, colour, hatch, label in looks:
        heights = parts[key]
        if key == "not_recorded" and not any(heights):
            continue  # only where some row lacks the judged time
        ax.bar(xs, heights, bottom=bottom, color=colour, hatch=hatch, edgecolor=GREY if hatch else None,
               width=width, label=label)  # fmt: skip
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]


def monitor_figure(days: Sequence[MonitorDay], fig: Figure | None = None, font_scale: float = 1.0) -> Figure:
    """Posture monitor per day: hours watched as stacked bars (good posture confirmed green, faults red,
    not judged grey, not recorded hatched) and the confirmed-good share of each day's *judged* time
    (days with less than a second judged, or none recorded, have no point)."""
    fig = fig or new_figure(8.0, 3.5)
    if not days:
        return _no_data(fig, "Posture monitor")
    fs = 8 * font_scale
    ax = fig.add_subplot()
    xs = [d.day for d in days]
    _stacked_monitor_bars(ax, xs, _monitor_parts(days, 3600.0), 0.8)
    ax.set_ylabel("hours watched", fontsize=fs + 2)
    ax2 = ax.twinx()
    shares = [100 * split_of([d]).judged_good_share if split_of([d]).judged_s is not None else math.nan for d in days]
    ax2.plot(xs, shares, "k.-", lw=1, ms=4, label="good posture confirmed, % of the judged time")
    ax2.set_ylim(0, 100)
    ax2.set_ylabel("good, % of judged time", fontsize=fs + 2)
    ax.set_title("Posture monitor per day: good posture confirmed, faults, not judged", fontsize=fs + 4)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    fig.legend(handles=handles, fontsize=fs, loc="outside lower center", ncols=2 if font_scale > 1 else 3,
               frameon=False)  # fmt: skip
    ax.grid(axis="y", alpha=0.3)
    _date_axis(ax)
    if max(xs) - min(xs) < timedelta(days=2):
        # one or two days: a week around them, whole days on the axis (a single day's bar sat on an
        # axis of clock times, "15:00 … Dec-07 … 09:00", as if it spanned two dates)
        ax.set_xlim(min(xs) - timedelta(days=3), max(xs) + timedelta(days=4))
        ax.xaxis.set_major_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(labelsize=fs)
    ax2.tick_params(labelsize=fs)
    ax.xaxis.get_offset_text().set_fontsize(fs)  # the date axis's "2026-Dec"
    return fig


def _wrap_words(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, never between a number and its unit
    ("1 h 32 min" stays whole: the large-type title broke it as "1" / "h 32 min")."""
    keep = re.sub(r"(\d) (h|min|s)\b", "\\1\u00a0\\2", text)
    keep = re.sub(r"\bh (\d)", "h\u00a0\\1", keep)
    return textwrap.fill(keep, width, break_on_hyphens=False)


#: Hours always shown by the per-hour chart (a working day), widened to every hour with time counted.
WORKDAY_HOURS = (8, 18)


def monitor_hours_figure(
    day: DayByHour, fig: Figure | None = None, empty_message: str | None = None, font_scale: float = 1.0
) -> Figure:
    """Posture monitor on one day, per hour of the day: minutes watched as stacked bars (good posture
    confirmed green, faults red, not judged grey, not recorded hatched), and above each bar the
    confirmed-good share of that hour's *judged* time ("–" when less than a second was judged).

    The x axis is the local time of day (bar ``h`` spans ``h:00``–``h+1:00``); 08:00–18:00 is always
    shown, widened to every hour with time counted. A day with nothing counted says so in words
    (``empty_message``, default "Nothing monitored on <day>"). ``font_scale`` raises every text
    (large type: ``ui.accessibility.in_large_type``).
    """
    fig = fig or new_figure(8.0, 3.5)
    when = day.day.strftime("%a %d %b %Y")
    fs = 8 * font_scale
    if day.empty:
        return _no_data(fig, "Posture monitor by hour", empty_message or f"Nothing monitored on {when}")
    watched, _good = day.minutes()
    counted = [h for h, m in enumerate(watched) if m > 0]
    lo, hi = min(counted[0], WORKDAY_HOURS[0]), max(counted[-1] + 1, WORKDAY_HOURS[1])
    xs = [h + 0.5 for h in range(24)]
    ax = fig.add_subplot()
    _stacked_monitor_bars(ax, xs, _monitor_parts(day.hours, 60.0), 0.8)
    for x, w, hour in zip(xs, watched, day.hours, strict=True):
        if w <= 0:
            continue
        sp = split_of([hour])
        share = sp.judged_good_share  # the one rule for the share, as the title
        text = "–" if sp.judged_s is None or math.isnan(share) else f"{100 * share:.0f}%"
        ax.annotate(text, xy=(x, w), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=fs - 1)  # fmt: skip
    ax.set_xlim(lo, hi)
    step = 1 if hi - lo <= (12 if font_scale <= 1 else 8) else 2
    ticks = list(range(lo, hi + 1, step))
    ax.set_xticks(ticks, [f"{t % 24:02d}:00" for t in ticks], fontsize=fs)
    ax.set_ylim(0, 68)  # an hour holds at most 60 minutes; room above for the % labels
    ax.set_yticks(range(0, 61, 15))
    ax.tick_params(axis="y", labelsize=fs)
    ax.set_ylabel("minutes", fontsize=fs + 1)
    width = int(90 / font_scale)  # characters a line holds on the 8-inch chart
    ax.set_xlabel(_wrap_words("hour of the day (% = good posture confirmed, share of that hour's judged time; "
                              "– = nothing judged)", int(width * 1.1)), fontsize=fs + 1)  # fmt: skip
    ax.grid(axis="y", alpha=0.3)
    sp = split_of(day.hours)
    share = sp.judged_good_share
    pct = "" if math.isnan(share) else f"\ngood posture confirmed in {100 * share:.0f}% of the judged time"
    split = _wrap_words(split_text(day.hours, share=False), width)
    ax.set_title(f"Posture monitor by hour, {when}\n{split}{pct}", fontsize=fs + 2)
    handles = ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, fontsize=fs, loc="outside lower center",
               ncols=2 if font_scale > 1 or len(handles) > 3 else 3, frameon=False)  # fmt: skip
    return fig


def default_period(db: Database, profile_id: int, start: date | None, end: date | None) -> tuple[date, date]:
    """Fill a missing period end with today and a missing start with the profile's first record (max 1 year)."""
    end = end or date.today()
    if start is None:
        firsts = [s.started_at.date() for s in db.sessions_between(profile_id, None, end)[:1]]
        firsts += [a.created_at.date() for a in db.assessments(profile_id, None, end)[:1]]
        firsts += [m.day for m in db.monitor_by_day(profile_id, None, end)[:1]]
        start = max(min(firsts), end - timedelta(days=365)) if firsts else end - timedelta(days=27)
    return start, end


def measure_points(db: Database, profile_id: int, start: date | None, end: date | None, rom: bool) -> list[RomPoint]:
    """Every measure value in the period, from ROM tests (``rom=True``) or from the other assessments
    (as this version states them: ``stored_points``)."""
    points = []
    for name in sorted({name for name, _ in db.measure_names(profile_id)}):
        for p in stored_points(db, profile_id, name, start, end):
            if (p.kind == "rom" or p.kind.startswith("rom_")) == rom:
                points.append(p)
    return points


def history_figures(
    db: Database, profile_id: int, start: date | None = None, end: date | None = None
) -> dict[str, Figure]:
    """All history charts of a profile for a period.

    Keys: ``rom`` (measures of ROM tests), ``posture`` (measures of other assessments, e.g. posture
    screens), ``sessions``, ``ratings`` (pain and effort), ``adherence``, ``monitor``.
    """
    start, end = default_period(db, profile_id, start, end)
    return {
        "rom": rom_figure(measure_points(db, profile_id, start, end, rom=True)),
        "posture": rom_figure(
            measure_points(db, profile_id, start, end, rom=False), title="Posture and movement measures"
        ),
        "sessions": sessions_figure(db.sessions_between(profile_id, start, end)),
        "ratings": ratings_figure(db.sessions(profile_id, start, end)),
        "adherence": adherence_figure(db.adherence(profile_id, start, end)),
        "monitor": monitor_figure(db.monitor_by_day(profile_id, start, end)),
    }
